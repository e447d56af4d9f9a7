//! Prompts of a target length in tokens, cut from a public-domain novel
//! shipped with the app (`crates/core/assets/README.md` says which), and
//! the characters-per-token ratio that turns tokens into characters,
//! calibrated against the server's own `prompt_tokens` during warm-up.

use std::sync::OnceLock;

use super::plan::RequestSpec;
use super::rng::mix;

/// The ratio used until a warm-up calibrates it: about right for English
/// prose with the tokenizers of current models.
pub const DEFAULT_CHARS_PER_TOKEN: f64 = 4.0;
/// The smallest ratio a calibration may give.
pub const MIN_CHARS_PER_TOKEN: f64 = 1.0;
/// The largest ratio a calibration may give.
pub const MAX_CHARS_PER_TOKEN: f64 = 10.0;

const SOURCE_TEXT: &str = include_str!("../../../assets/moonstone.txt");

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

fn passage(target_chars: usize, variant: u64) -> String {
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

/// The prompt of one planned request, `request.prompt_tokens` long at
/// `chars_per_token`: a first line that names the request (so no two
/// prompts share a prefix) and asks for at least `output_tokens` words,
/// then a passage of the shipped text. A prompt too short for the line is
/// the passage alone.
pub fn request_prompt(request: &RequestSpec, chars_per_token: f64) -> String {
    let target = target_chars(request.prompt_tokens, chars_per_token);
    let instruction = format!(
        "Request {}. Continue this passage in the same style, writing at least {} words.\n\n",
        request.id, request.output_tokens
    );
    if target < instruction.len() * 2 {
        return passage(target, request.text_variant);
    }
    let passage = passage(target - instruction.len(), request.text_variant);
    instruction + &passage
}

/// What one warm-up request sent and what the server counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalibrationSample {
    /// Characters of the prompt text sent (not of the JSON body).
    pub chars_sent: usize,
    /// The server's `usage.prompt_tokens` for it.
    pub prompt_tokens_reported: u64,
}

/// The characters-per-token ratio of the server's tokenizer: the median of
/// `chars_sent / prompt_tokens_reported` over the samples, clamped to
/// [`MIN_CHARS_PER_TOKEN`]..=[`MAX_CHARS_PER_TOKEN`]. Samples with a zero
/// are skipped; samples of under 64 reported tokens too when longer ones
/// exist, since a chat template's own tokens weigh heavily on short prompts.
/// With no usable sample, [`DEFAULT_CHARS_PER_TOKEN`].
pub fn calibrate(samples: &[CalibrationSample]) -> f64 {
    let usable: Vec<&CalibrationSample> = samples
        .iter()
        .filter(|s| s.chars_sent > 0 && s.prompt_tokens_reported > 0)
        .collect();
    let long: Vec<&CalibrationSample> = usable
        .iter()
        .copied()
        .filter(|s| s.prompt_tokens_reported >= 64)
        .collect();
    let chosen = if long.is_empty() { usable } else { long };
    let mut ratios: Vec<f64> = chosen
        .iter()
        .map(|s| s.chars_sent as f64 / s.prompt_tokens_reported as f64)
        .collect();
    if ratios.is_empty() {
        return DEFAULT_CHARS_PER_TOKEN;
    }
    ratios.sort_by(f64::total_cmp);
    let middle = ratios.len() / 2;
    let median = if ratios.len() % 2 == 1 {
        ratios[middle]
    } else {
        (ratios[middle - 1] + ratios[middle]) / 2.0
    };
    median.clamp(MIN_CHARS_PER_TOKEN, MAX_CHARS_PER_TOKEN)
}
