//! The words the testbed streams: a public-domain passage (the opening of
//! Lewis Carroll's *Alice's Adventures in Wonderland*, 1865) cycled one word
//! per token, each with its leading space, so a viewer sees text appear.

const ANSWER: &str = "Alice was beginning to get very tired of sitting by her sister on the \
bank, and of having nothing to do: once or twice she had peeped into the book her sister was \
reading, but it had no pictures or conversations in it, \"and what is the use of a book,\" \
thought Alice \"without pictures or conversations?\" So she was considering in her own mind \
(as well as she could, for the hot day made her feel very sleepy and stupid), whether the \
pleasure of making a daisy-chain would be worth the trouble of getting up and picking the \
daisies, when suddenly a White Rabbit with pink eyes ran close by her.";

const THOUGHT: &str = "Let me think about this step by step. The reader wants a story, so \
I will begin at the riverbank, on a warm afternoon, and let the rabbit appear.";

/// Which part of the output a token belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Hidden thinking, sent as `delta.reasoning_content`.
    Reasoning,
    /// The visible answer, sent as `delta.content` (or `text`).
    Answer,
}

/// The text of the `index`-th token (0-based) of a part: one word, with a
/// leading space except for the part's first token.
pub fn token_text(part: Part, index: u32) -> String {
    let passage = match part {
        Part::Reasoning => THOUGHT,
        Part::Answer => ANSWER,
    };
    let words = passage.split(' ').count();
    let word = passage.split(' ').nth(index as usize % words).unwrap_or("");
    if index == 0 {
        word.to_string()
    } else {
        format!(" {word}")
    }
}

/// Roughly how many tokens a prompt holds: its whitespace-separated words.
pub fn count_prompt_tokens(text: &str) -> u32 {
    text.split_whitespace().count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_read_as_the_passage() {
        let text: String = (0..4).map(|i| token_text(Part::Answer, i)).collect();
        assert_eq!(text, "Alice was beginning to");
    }

    #[test]
    fn the_passage_cycles() {
        let words = ANSWER.split(' ').count() as u32;
        assert_eq!(token_text(Part::Answer, words), " Alice");
    }

    #[test]
    fn prompts_count_words() {
        assert_eq!(count_prompt_tokens("  Tell me\na story. "), 4);
    }
}
