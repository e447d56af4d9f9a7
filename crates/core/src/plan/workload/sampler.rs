//! Draws request lengths one request after another, as [`RequestLengths`]
//! says: from fixed, uniform or Zipf counts, a split total, or a shuffled
//! length trace.

use super::rng::SeededRandom;
use super::trace::{RequestTokens, Trace};
use super::zipf::ZipfSampler;
use super::{LengthDistribution, RequestLengths, WorkloadError};

/// Draws from one [`LengthDistribution`].
#[derive(Debug, Clone)]
pub(crate) enum CountSampler {
    Fixed(u32),
    Uniform(u32, u32),
    Zipf(ZipfSampler),
}

impl CountSampler {
    fn new(distribution: &LengthDistribution, seed: u64) -> Self {
        match *distribution {
            LengthDistribution::Fixed { tokens } => CountSampler::Fixed(tokens),
            LengthDistribution::Uniform { min, max } => CountSampler::Uniform(min, max),
            LengthDistribution::Zipf {
                theta,
                min,
                max,
                scramble,
            } => CountSampler::Zipf(ZipfSampler::new(
                u64::from(min),
                u64::from(max),
                theta,
                scramble.then_some(seed),
            )),
        }
    }

    fn sample(&self, rng: &mut SeededRandom) -> u32 {
        match self {
            CountSampler::Fixed(tokens) => *tokens,
            CountSampler::Uniform(min, max) => rng.between(u64::from(*min), u64::from(*max)) as u32,
            CountSampler::Zipf(zipf) => zipf.sample(rng) as u32,
        }
    }
}

/// Draws the lengths of one request after another. Holds no randomness of
/// its own: a clone draws from whatever stream it is given.
#[derive(Debug, Clone)]
pub(crate) enum LengthSampler {
    Separate(CountSampler, CountSampler),
    SplitTotal(CountSampler, f64),
    Trace {
        rows: Vec<RequestTokens>,
        order: Vec<usize>,
        next: usize,
    },
}

impl LengthSampler {
    /// A sampler for checked settings; `trace` must be given when they
    /// sample a trace.
    pub(crate) fn new(
        lengths: &RequestLengths,
        trace: Option<&Trace>,
        seed: u64,
    ) -> Result<Self, WorkloadError> {
        Ok(match lengths {
            RequestLengths::Separate {
                prompt_tokens,
                output_tokens,
            } => LengthSampler::Separate(
                CountSampler::new(prompt_tokens, seed),
                CountSampler::new(output_tokens, seed),
            ),
            RequestLengths::SplitTotal {
                total_tokens,
                prefill_to_decode_ratio,
            } => LengthSampler::SplitTotal(
                CountSampler::new(total_tokens, seed),
                *prefill_to_decode_ratio,
            ),
            RequestLengths::Trace {
                trace: name,
                prefill_scale_factor,
                decode_scale_factor,
                max_total_tokens,
            } => {
                let trace = trace.filter(|t| !t.requests.is_empty()).ok_or_else(|| {
                    WorkloadError::new(format!(
                        "The lengths come from the trace \"{name}\", which is not loaded yet."
                    ))
                })?;
                let rows = trace.scaled(
                    *prefill_scale_factor,
                    *decode_scale_factor,
                    *max_total_tokens,
                );
                LengthSampler::Trace {
                    rows,
                    order: Vec::new(),
                    next: 0,
                }
            }
        })
    }

    /// The next request's lengths.
    pub(crate) fn sample(&mut self, rng: &mut SeededRandom) -> RequestTokens {
        match self {
            LengthSampler::Separate(prompt, output) => {
                let prompt_tokens = prompt.sample(rng);
                RequestTokens {
                    prompt_tokens,
                    output_tokens: output.sample(rng),
                }
            }
            LengthSampler::SplitTotal(total, ratio) => {
                let total = f64::from(total.sample(rng));
                let decode = total / (1.0 + *ratio);
                let prefill = total - decode;
                RequestTokens {
                    prompt_tokens: (prefill as u32).max(1),
                    output_tokens: (decode as u32).max(1),
                }
            }
            LengthSampler::Trace { rows, order, next } => {
                if *next >= order.len() {
                    *order = (0..rows.len()).collect();
                    rng.shuffle(order);
                    *next = 0;
                }
                *next += 1;
                rows[order[*next - 1]]
            }
        }
    }
}
