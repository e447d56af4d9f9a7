//! The characters-per-token ratio of the server's tokenizer, calibrated
//! against its own `prompt_tokens` during warm-up.

use crate::wire::prompt::{DEFAULT_CHARS_PER_TOKEN, MAX_CHARS_PER_TOKEN, MIN_CHARS_PER_TOKEN};

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
