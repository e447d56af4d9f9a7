//! The text of a watched answer. A simulated server sends tokens without
//! words, so the demo writes them from the novel the prompts are taken
//! from: each token a piece of a word of up to four letters (a word's
//! first piece carries the space before it), each read showing as many
//! pieces as it carried tokens, at the time it arrived.

use super::{WatchReason, MAX_WATCH_SECONDS};
use crate::present::chart::format_count;
use crate::recording::RequestRecord;
use crate::wire::prompt::source_text;

/// Letters of a word one token carries at most.
const LETTERS_PER_TOKEN: usize = 4;

/// `tokens` pieces of text, starting at a word chosen by `variant`.
pub fn answer_tokens(tokens: usize, variant: u64) -> Vec<String> {
    let words: Vec<&str> = source_text().split(' ').collect();
    let mut at = (variant % words.len().max(1) as u64) as usize;
    let mut pieces = Vec::with_capacity(tokens);
    while pieces.len() < tokens && !words.is_empty() {
        let word: Vec<char> = words[at].chars().collect();
        for (i, letters) in word.chunks(LETTERS_PER_TOKEN).enumerate() {
            if pieces.len() == tokens {
                break;
            }
            let mut piece = String::new();
            if i == 0 && !pieces.is_empty() {
                piece.push(' ');
            }
            piece.extend(letters);
            pieces.push(piece);
        }
        at = (at + 1) % words.len();
    }
    pieces
}

/// The answer of `record` as the live text replays it: for each read,
/// when it arrived (seconds since the question was sent) and its text.
pub fn answer_pieces(record: &RequestRecord, variant: u64) -> Vec<(f64, String)> {
    let tokens = record.chunks.total_tokens() as usize;
    let mut text = answer_tokens(tokens, variant).into_iter();
    record
        .chunks
        .arrivals_and_tokens()
        .map(|(at, count)| (at, text.by_ref().take(count as usize).collect()))
        .collect()
}

/// "40 s", "6 min 40 s": how far into the load a question was sent.
pub fn into_the_load(seconds: f64) -> String {
    let whole = seconds.max(0.0).round() as u64;
    match (whole / 60, whole % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// What the demo says of the answer both sides replay: which question it
/// is (`index` of `count`, sent `sent_at` seconds into the load with a
/// prompt of `prompt_tokens`), why it was chosen, and where its words come
/// from; or, with no answer to watch, why not.
pub fn watched_caption(
    watched: Option<(usize, WatchReason)>,
    count: usize,
    sent_at: f64,
    prompt_tokens: u64,
) -> String {
    let Some((index, reason)) = watched else {
        return format!(
            "No answer ended within {MAX_WATCH_SECONDS:.0} s on both sides, so there is none to \
             watch here; the figures below cover every answer."
        );
    };
    let why = match reason {
        WatchReason::PausedMost => {
            "Of the answers short enough to watch here, it is the one that stopped longest on \
             either side."
        }
        WatchReason::NoPause => {
            "No answer short enough to watch stopped on either side, so this one is from the \
             middle of the load."
        }
    };
    format!(
        "Both answer question {} of {count}, sent {} into the load: a document of {} tokens to \
         read before the first word. {why} The words are from a novel: a simulated server has \
         only the timing of words, not words of its own.",
        index + 1,
        into_the_load(sent_at),
        format_count(prompt_tokens)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caption_says_which_question_and_why() {
        assert_eq!(into_the_load(40.2), "40 s");
        assert_eq!(into_the_load(120.0), "2 min");
        assert_eq!(into_the_load(389.6), "6 min 30 s");
        assert_eq!(into_the_load(-3.0), "0 s");
        let caption = watched_caption(Some((80, WatchReason::PausedMost)), 100, 389.6, 2206);
        assert!(
            caption.starts_with(
                "Both answer question 81 of 100, sent 6 min 30 s into the load: a document of \
                 2,206 tokens"
            ),
            "{caption}"
        );
        assert!(caption.contains("stopped longest"), "{caption}");
        let none = watched_caption(None, 100, 0.0, 0);
        assert!(none.starts_with("No answer ended within 20 s"), "{none}");
    }
}
