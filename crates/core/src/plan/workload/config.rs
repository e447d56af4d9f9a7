//! The workload a user sets up: how requests arrive, when the plan stops,
//! how many may be under way at once, how many warm up first, and how long
//! prompts and outputs are. Stored in recordings and share links, so its
//! field names are stable and every field has a default.

use serde::{Deserialize, Serialize};

use super::{Arrivals, RequestLengths, WorkloadError};
use crate::wire::prompt::DEFAULT_CHARS_PER_TOKEN;

pub use crate::limits::MAX_PLANNED_REQUESTS;

/// A benchmark workload. The same config and seed give the same plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkloadConfig {
    pub arrivals: Arrivals,
    /// Plan at most this many requests (warm-ups not counted).
    pub stop_after_requests: Option<u32>,
    /// Plan only requests arriving before this many seconds. With both
    /// stops set, whichever comes first ends the plan.
    pub stop_after_seconds: Option<f64>,
    /// At most this many requests under way at once (None: no cap).
    pub concurrency: Option<u32>,
    /// Requests sent one at a time before the run, excluded from metrics:
    /// they warm the server up and calibrate the characters per token.
    pub warmup_requests: u32,
    pub lengths: RequestLengths,
    /// Characters of prompt text per token before calibration.
    pub chars_per_token: f64,
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        WorkloadConfig {
            arrivals: Arrivals::AllAtOnce,
            stop_after_requests: Some(100),
            stop_after_seconds: None,
            concurrency: Some(6),
            warmup_requests: 2,
            lengths: RequestLengths::default(),
            chars_per_token: DEFAULT_CHARS_PER_TOKEN,
        }
    }
}

impl WorkloadConfig {
    /// Whether the workload can be planned; if not, a sentence saying why.
    pub fn check(&self) -> Result<(), WorkloadError> {
        self.arrivals.check()?;
        self.lengths.check()?;
        if let Some(seconds) = self.stop_after_seconds {
            if !(seconds.is_finite() && seconds > 0.0) {
                return Err(WorkloadError::new(format!(
                    "The run's duration must be a number of seconds above 0, not {seconds}."
                )));
            }
        }
        if self.stop_after_requests == Some(0) {
            return Err(WorkloadError::new("The run must have at least 1 request."));
        }
        if self.concurrency == Some(0) {
            return Err(WorkloadError::new(
                "A concurrency of 0 would send nothing: set at least 1, or no cap.",
            ));
        }
        if !(self.chars_per_token.is_finite() && self.chars_per_token > 0.0) {
            return Err(WorkloadError::new(format!(
                "The characters per token must be a number above 0, not {}.",
                self.chars_per_token
            )));
        }
        let expected = match (self.stop_after_requests, self.stop_after_seconds) {
            (Some(n), _) => f64::from(n),
            (None, seconds) => self
                .arrivals
                .expected_count_within(seconds.unwrap_or(f64::INFINITY)),
        };
        if expected.is_infinite() {
            return Err(WorkloadError::new(match self.stop_after_seconds {
                Some(_) => {
                    "These requests all arrive at second 0, so a duration cannot end them: \
                            give a number of requests."
                }
                None => {
                    "Say when the run stops: after a number of requests, after a number of \
                         seconds, or both."
                }
            }));
        }
        if expected > MAX_PLANNED_REQUESTS as f64
            || self.warmup_requests as usize > MAX_PLANNED_REQUESTS
        {
            return Err(WorkloadError::new(format!(
                "This workload would plan about {expected:.0} requests; the most a run can hold is \
                 {MAX_PLANNED_REQUESTS}."
            )));
        }
        Ok(())
    }
}
