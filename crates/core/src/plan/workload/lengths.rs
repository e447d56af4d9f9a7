//! How many prompt tokens each request sends and how many output tokens it
//! asks for: fixed, uniform or Zipf, drawn for prompt and output separately
//! or as a total split Etalon's way, or sampled from a length trace.

use serde::{Deserialize, Serialize};

use super::WorkloadError;

pub use crate::limits::MAX_ZIPF_VALUES;
use crate::limits::{MAX_OUTPUT_TOKENS, MAX_PROMPT_TOKENS};

/// A distribution of token counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LengthDistribution {
    /// Always `tokens`.
    Fixed { tokens: u32 },
    /// A whole number uniform in `min..=max`.
    Uniform { min: u32, max: u32 },
    /// Zipf over `min..=max` with skew `theta` in (0, 1): `min` most often
    /// (see [`super::ZipfSampler`]); `scramble` spreads the popular values over
    /// the range.
    Zipf {
        theta: f64,
        min: u32,
        max: u32,
        #[serde(default)]
        scramble: bool,
    },
}

/// Prompt and output lengths of the requests of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestLengths {
    /// Prompt and output lengths drawn separately.
    Separate {
        prompt_tokens: LengthDistribution,
        output_tokens: LengthDistribution,
    },
    /// Etalon's uniform and Zipf generators: a total drawn, then split so
    /// that prompt / output = `prefill_to_decode_ratio` (output =
    /// total / (1 + ratio), prompt = total - output, each truncated to a
    /// whole number as Etalon does, then raised to at least 1). Etalon's
    /// uniform total is a real number; here it is a whole number.
    SplitTotal {
        total_tokens: LengthDistribution,
        prefill_to_decode_ratio: f64,
    },
    /// Rows of a length trace, scaled and clipped as [`super::Trace::scaled`]
    /// says, visited in a seeded random order (Etalon shuffles once and
    /// stops at the end; here a plan longer than the trace reshuffles and
    /// goes on). `trace` names the trace the app loads: the file of a
    /// [`super::SharedTrace`] or the name of a user's file.
    Trace {
        trace: String,
        #[serde(default = "one")]
        prefill_scale_factor: f64,
        #[serde(default = "one")]
        decode_scale_factor: f64,
        #[serde(default = "default_max_total_tokens")]
        max_total_tokens: u32,
    },
}

fn one() -> f64 {
    1.0
}

fn default_max_total_tokens() -> u32 {
    8192
}

impl Default for RequestLengths {
    fn default() -> Self {
        RequestLengths::Separate {
            prompt_tokens: LengthDistribution::Fixed { tokens: 512 },
            output_tokens: LengthDistribution::Fixed { tokens: 128 },
        }
    }
}

impl LengthDistribution {
    /// Whether the distribution makes sense, with no value above `most`.
    fn check(&self, what: &str, most: u32) -> Result<(), WorkloadError> {
        let (min, max) = match *self {
            LengthDistribution::Fixed { tokens } => (tokens, tokens),
            LengthDistribution::Uniform { min, max } => (min, max),
            LengthDistribution::Zipf {
                theta, min, max, ..
            } => {
                if !(theta > 0.0 && theta < 1.0) {
                    return Err(WorkloadError::new(format!(
                        "The Zipf theta of the {what} must be between 0 and 1 (exclusive), not {theta}."
                    )));
                }
                if max.saturating_sub(min) >= MAX_ZIPF_VALUES {
                    return Err(WorkloadError::new(format!(
                        "A Zipf {what} can span at most {MAX_ZIPF_VALUES} values, not {min} to {max}."
                    )));
                }
                (min, max)
            }
        };
        if min == 0 {
            Err(WorkloadError::new(format!(
                "The {what} must be at least 1 token."
            )))
        } else if min > max {
            Err(WorkloadError::new(format!(
                "The smallest {what} ({min}) is above the largest ({max})."
            )))
        } else if max > most {
            Err(WorkloadError::new(format!(
                "The {what} can be at most {most} tokens, not {max}."
            )))
        } else {
            Ok(())
        }
    }
}

impl RequestLengths {
    /// Whether the settings make sense.
    pub fn check(&self) -> Result<(), WorkloadError> {
        match self {
            RequestLengths::Separate {
                prompt_tokens,
                output_tokens,
            } => {
                prompt_tokens.check("prompt length", MAX_PROMPT_TOKENS)?;
                output_tokens.check("output length", MAX_OUTPUT_TOKENS)
            }
            RequestLengths::SplitTotal {
                total_tokens,
                prefill_to_decode_ratio,
            } => {
                total_tokens.check("total length", MAX_PROMPT_TOKENS)?;
                if prefill_to_decode_ratio.is_finite() && *prefill_to_decode_ratio >= 0.0 {
                    Ok(())
                } else {
                    Err(WorkloadError::new(format!(
                        "The prompt-to-output ratio must be 0 or more, not {prefill_to_decode_ratio}."
                    )))
                }
            }
            RequestLengths::Trace {
                prefill_scale_factor,
                decode_scale_factor,
                max_total_tokens,
                ..
            } => {
                for (factor, what) in [
                    (prefill_scale_factor, "prefill"),
                    (decode_scale_factor, "decode"),
                ] {
                    if !(factor.is_finite() && *factor > 0.0) {
                        return Err(WorkloadError::new(format!(
                            "The {what} scale factor must be a number above 0, not {factor}."
                        )));
                    }
                }
                if *max_total_tokens < 2 {
                    return Err(WorkloadError::new(
                        "The largest total (prompt and output) must be at least 2 tokens.",
                    ));
                }
                if *max_total_tokens > MAX_PROMPT_TOKENS {
                    return Err(WorkloadError::new(format!(
                        "The largest total (prompt and output) can be at most {MAX_PROMPT_TOKENS} tokens, not {max_total_tokens}."
                    )));
                }
                Ok(())
            }
        }
    }

    /// The name of the length trace these lengths need loaded, if any.
    pub fn trace_name(&self) -> Option<&str> {
        match self {
            RequestLengths::Trace { trace, .. } => Some(trace),
            _ => None,
        }
    }
}
