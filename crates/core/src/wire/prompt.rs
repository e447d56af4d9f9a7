//! The prompt text a request body carries: a passage of a public-domain
//! novel shipped with the app (`crates/core/assets/README.md` says which),
//! of a target length in tokens at a characters-per-token ratio (which a
//! warm-up calibrates, `plan::workload::calibrate`).

use std::sync::OnceLock;

/// The ratio used until a warm-up calibrates it: about right for English
/// prose with the tokenizers of current models.
pub const DEFAULT_CHARS_PER_TOKEN: f64 = 4.0;
/// The smallest ratio a calibration may give.
pub const MIN_CHARS_PER_TOKEN: f64 = 1.0;
/// The largest ratio a calibration may give.
pub const MAX_CHARS_PER_TOKEN: f64 = 10.0;

const SOURCE_TEXT: &str = include_str!("../../assets/moonstone.txt");

/// The shipped text with every run of whitespace made one space: words
/// separated by single spaces, ASCII only.
pub fn source_text() -> &'static str {
    static WORDS: OnceLock<String> = OnceLock::new();
    WORDS.get_or_init(|| SOURCE_TEXT.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn sane_ratio(chars_per_token: f64) -> f64 {
    if chars_per_token.is_finite() && chars_per_token > 0.0 {
        chars_per_token.clamp(MIN_CHARS_PER_TOKEN, MAX_CHARS_PER_TOKEN)
    } else {
        DEFAULT_CHARS_PER_TOKEN
    }
}

/// How many characters `tokens` tokens come to (at least 1).
pub fn target_chars(tokens: u32, chars_per_token: f64) -> usize {
    (f64::from(tokens) * sane_ratio(chars_per_token))
        .round()
        .max(1.0) as usize
}

/// A passage of the shipped text about `target_tokens` tokens long:
/// `target_tokens * chars_per_token` characters, give or take one word (it
/// ends at the word boundary nearest that length, and is never empty).
/// `variant` picks where in the text it starts, so requests with different
/// variants do not share a prefix; the text wraps around at its end.
pub fn synthesize_prompt(target_tokens: u32, chars_per_token: f64, variant: u64) -> String {
    passage(target_chars(target_tokens, chars_per_token), variant)
}

pub(super) fn passage(target_chars: usize, variant: u64) -> String {
    let text = source_text();
    let bytes = text.as_bytes();
    let mut start = (mix(variant, 0x7e57) % text.len() as u64) as usize;
    if start > 0 && bytes[start - 1] != b' ' {
        start = text[start..].find(' ').map_or(0, |space| start + space + 1);
    }
    let mut out = String::with_capacity(target_chars + 32);
    let mut at = start;
    loop {
        let end = text[at..].find(' ').map_or(text.len(), |space| at + space);
        let word = &text[at..end];
        let separator = usize::from(!out.is_empty());
        let longer = out.len() + separator + word.len();
        if longer > target_chars && !out.is_empty() {
            if longer - target_chars < target_chars - out.len() {
                out.push(' ');
                out.push_str(word);
            }
            return out;
        }
        if separator == 1 {
            out.push(' ');
        }
        out.push_str(word);
        if out.len() >= target_chars {
            return out;
        }
        at = if end >= text.len() { 0 } else { end + 1 };
    }
}

/// Mixes two numbers into one well-spread 64-bit value (SplitMix64's
/// finaliser): a stable hash for scrambling and prompt offsets.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
