//! The text of a watched answer. A simulated server sends tokens without
//! words, so the demo writes them from the novel the prompts are taken
//! from: each token a piece of a word of up to four letters (a word's
//! first piece carries the space before it), each read showing as many
//! pieces as it carried tokens, at the time it arrived.

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
