//! When requests arrive: all at once, at a fixed interval, as a Poisson
//! process, as a gamma process with a chosen burstiness, or replayed from a
//! trace of arrival times. Times are seconds from the run's start; the
//! first request of every pattern arrives at second 0.

use serde::{Deserialize, Serialize};

use super::rng::SeededRandom;
use super::WorkloadError;

/// How requests arrive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Arrivals {
    /// Every request at second 0 (a burst); a concurrency cap then makes a
    /// closed loop of that many users.
    #[default]
    AllAtOnce,
    /// One request every `interval_seconds`, exactly.
    FixedInterval { interval_seconds: f64 },
    /// A Poisson process: exponential gaps with mean `1 / requests_per_second`.
    /// (Etalon caps each gap at three mean gaps, which lowers the spread and
    /// raises the rate; this does not, so the rate and CV are the asked ones.)
    Poisson { requests_per_second: f64 },
    /// Gamma-distributed gaps with mean `1 / requests_per_second` and
    /// coefficient of variation `cv` (standard deviation / mean): shape
    /// `1 / cv²`, scale `1 / (requests_per_second * shape)`, as Etalon's
    /// gamma generator. `cv` 1 is Poisson, above 1 burstier, below 1 steadier.
    Gamma { requests_per_second: f64, cv: f64 },
    /// The given arrival times (seconds, any origin, any order), sorted,
    /// shifted to start at 0 and multiplied by `time_scale` (2 plays the
    /// trace at half speed). The plan ends with the trace.
    Replay {
        arrival_times: Vec<f64>,
        #[serde(default = "one")]
        time_scale: f64,
    },
}

fn one() -> f64 {
    1.0
}

fn positive(value: f64, what: &str) -> Result<(), WorkloadError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(WorkloadError::new(format!(
            "The {what} must be a number above 0, not {value}."
        )))
    }
}

impl Arrivals {
    /// Whether the settings make sense.
    pub fn check(&self) -> Result<(), WorkloadError> {
        match self {
            Arrivals::AllAtOnce => Ok(()),
            Arrivals::FixedInterval { interval_seconds } => {
                if interval_seconds.is_finite() && *interval_seconds >= 0.0 {
                    Ok(())
                } else {
                    Err(WorkloadError::new(format!(
                        "The interval between requests must be 0 seconds or more, not {interval_seconds}."
                    )))
                }
            }
            Arrivals::Poisson {
                requests_per_second,
            } => positive(*requests_per_second, "arrival rate (requests per second)"),
            Arrivals::Gamma {
                requests_per_second,
                cv,
            } => {
                positive(*requests_per_second, "arrival rate (requests per second)")?;
                positive(*cv, "coefficient of variation of the gaps between arrivals")
            }
            Arrivals::Replay {
                arrival_times,
                time_scale,
            } => {
                positive(*time_scale, "time scale of the replayed arrivals")?;
                if arrival_times.is_empty() {
                    return Err(WorkloadError::new(
                        "The arrival trace to replay has no arrival times.",
                    ));
                }
                match arrival_times.iter().position(|t| !t.is_finite()) {
                    Some(i) => Err(WorkloadError::new(format!(
                        "Arrival time number {} of the trace to replay is not a number.",
                        i + 1
                    ))),
                    None => Ok(()),
                }
            }
        }
    }

    /// About how many requests arrive in `seconds` (the whole trace for a
    /// replay, unbounded for all-at-once).
    pub fn expected_count_within(&self, seconds: f64) -> f64 {
        match self {
            Arrivals::AllAtOnce => f64::INFINITY,
            Arrivals::FixedInterval { interval_seconds } if *interval_seconds == 0.0 => {
                f64::INFINITY
            }
            Arrivals::FixedInterval { interval_seconds } => seconds / interval_seconds + 1.0,
            Arrivals::Poisson {
                requests_per_second,
            }
            | Arrivals::Gamma {
                requests_per_second,
                ..
            } => seconds * requests_per_second + 1.0,
            Arrivals::Replay { arrival_times, .. } => arrival_times.len() as f64,
        }
    }
}

/// The arrival times of a plan: at most `stop_after_requests`, and only
/// those before `stop_after_seconds`, whichever ends it first, and never more
/// than `limit`. The settings must have passed [`Arrivals::check`].
pub(crate) fn arrival_times(
    arrivals: &Arrivals,
    stop_after_requests: Option<u32>,
    stop_after_seconds: Option<f64>,
    limit: usize,
    rng: &mut SeededRandom,
) -> Vec<f64> {
    let count_limit = stop_after_requests.map_or(limit, |n| (n as usize).min(limit));
    let before = stop_after_seconds.unwrap_or(f64::INFINITY);
    let mut replay = match arrivals {
        Arrivals::Replay {
            arrival_times,
            time_scale,
        } => {
            let mut sorted = arrival_times.clone();
            sorted.sort_by(f64::total_cmp);
            let start = sorted[0];
            Some(sorted.into_iter().map(move |t| (t - start) * time_scale))
        }
        _ => None,
    };
    let mut times = Vec::new();
    let mut at = 0.0;
    while times.len() < count_limit {
        if let Some(replay) = replay.as_mut() {
            match replay.next() {
                Some(t) => at = t,
                None => break,
            }
        } else if !times.is_empty() {
            at = match arrivals {
                // (A replay takes its times from the trace, above.)
                Arrivals::AllAtOnce | Arrivals::Replay { .. } => 0.0,
                // Multiplied, not summed, so no rounding error builds up.
                Arrivals::FixedInterval { interval_seconds } => {
                    times.len() as f64 * interval_seconds
                }
                Arrivals::Poisson {
                    requests_per_second,
                } => at + rng.exponential(*requests_per_second),
                Arrivals::Gamma {
                    requests_per_second,
                    cv,
                } => {
                    let shape = 1.0 / (cv * cv);
                    at + rng.gamma(shape, 1.0 / (requests_per_second * shape))
                }
            };
        }
        if at >= before {
            break;
        }
        times.push(at);
    }
    times
}
