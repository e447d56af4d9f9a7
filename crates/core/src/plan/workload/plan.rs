//! A workload turned into a plan: for each request when it is sent and how
//! long its prompt and output are.

use serde::{Deserialize, Serialize};

use super::arrivals::arrival_times;
use super::config::MAX_PLANNED_REQUESTS;
use super::rng::{SeededRandom, Stream};
use super::sampler::LengthSampler;
use super::{Trace, WorkloadConfig, WorkloadError};
use crate::wire::body::BodySpec;

/// What one request of a plan asks for, and when.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RequestSpec {
    pub id: u64,
    /// When to send it, seconds from the run's start (0 for warm-ups, which
    /// go one at a time before the run).
    pub at: f64,
    /// Prompt length asked for, in the server's tokens.
    pub prompt_tokens: u32,
    /// Output length asked for (`max_tokens`).
    pub output_tokens: u32,
    /// Excluded from metrics.
    pub warmup: bool,
    /// Where in the shipped text its prompt starts.
    pub text_variant: u64,
}

impl RequestSpec {
    /// What the request's body is written from.
    pub fn body(&self) -> BodySpec {
        BodySpec {
            id: self.id,
            prompt_tokens: self.prompt_tokens,
            output_tokens: self.output_tokens,
            text_variant: self.text_variant,
        }
    }
}

/// The requests of a run: warm-ups (ids `0..warmup.len()`), then the
/// measured requests (the ids after), in order of arrival.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Plan {
    pub seed: u64,
    pub warmup: Vec<RequestSpec>,
    pub requests: Vec<RequestSpec>,
}

impl Plan {
    /// When the last measured request arrives, in seconds.
    pub fn last_arrival(&self) -> f64 {
        self.requests.last().map_or(0.0, |r| r.at)
    }
}

/// The plan of a workload for a seed. Lengths from a trace need that trace
/// (`length_trace`); otherwise it is ignored. Arrivals, lengths, warm-up
/// lengths and prompt offsets each draw from their own stream of the seed,
/// so changing one setting leaves the others' draws as they were.
pub fn plan(
    config: &WorkloadConfig,
    seed: u64,
    length_trace: Option<&Trace>,
) -> Result<Plan, WorkloadError> {
    config.check()?;
    let sampler = LengthSampler::new(&config.lengths, length_trace, seed)?;
    let times = arrival_times(
        &config.arrivals,
        config.stop_after_requests,
        config.stop_after_seconds,
        MAX_PLANNED_REQUESTS,
        &mut SeededRandom::new(seed, Stream::Arrivals),
    );
    let warmup_times = vec![0.0; config.warmup_requests as usize];
    let first_id = warmup_times.len() as u64;
    let specs = |times: &[f64], first_id: u64, warmup: bool, lengths: Stream, text: Stream| {
        let mut sampler = sampler.clone();
        let mut length_rng = SeededRandom::new(seed, lengths);
        let mut text_rng = SeededRandom::new(seed, text);
        times
            .iter()
            .enumerate()
            .map(|(i, &at)| {
                let tokens = sampler.sample(&mut length_rng);
                RequestSpec {
                    id: first_id + i as u64,
                    at,
                    prompt_tokens: tokens.prompt_tokens,
                    output_tokens: tokens.output_tokens,
                    warmup,
                    text_variant: text_rng.next_u64(),
                }
            })
            .collect()
    };
    Ok(Plan {
        seed,
        warmup: specs(
            &warmup_times,
            0,
            true,
            Stream::WarmupLengths,
            Stream::WarmupPromptText,
        ),
        requests: specs(&times, first_id, false, Stream::Lengths, Stream::PromptText),
    })
}
