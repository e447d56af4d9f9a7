//! What a run served per second of its measured window: requests, output
//! tokens, and goodput, the requests that met their deadlines (vLLM's
//! `--goodput` with the TTFT deadline as its TTFT bound and the TBT deadline
//! as its TPOT bound). Etalon's own figures have no clock of the run, so
//! these need a recording's send and end times.

use serde::{Deserialize, Serialize};

use super::RunMetrics;
use crate::recording::RequestRecord;

/// A run's rates over its measured window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunRates {
    /// From the first request sent to the last one's end, seconds.
    pub window_seconds: f64,
    /// Completed requests per second.
    pub requests_per_second: f64,
    /// Output tokens of completed requests per second.
    pub output_tokens_per_second: f64,
    /// Completed requests whose first token came within the TTFT deadline
    /// and whose TPOT stayed within the TBT deadline.
    pub good_requests: u64,
    /// Good requests per second.
    pub goodput: f64,
}

/// The rates of `records` (one per request, in the order of `metrics`),
/// judged by the deadlines `metrics` was computed under. None when no
/// request was sent or the window has no length.
pub fn run_rates(records: &[RequestRecord], metrics: &RunMetrics) -> Option<RunRates> {
    let start = records.iter().map(|r| r.sent_at).min_by(f64::total_cmp)?;
    let end = records
        .iter()
        .map(|r| r.sent_at + r.ended_at.unwrap_or(0.0))
        .max_by(f64::total_cmp)?;
    rates_over(end - start, metrics)
}

/// The rates of a run with `metrics` over a measured window of
/// `window_seconds`; None when the window has no length.
pub fn rates_over(window_seconds: f64, metrics: &RunMetrics) -> Option<RunRates> {
    if !(window_seconds.is_finite() && window_seconds > 0.0) {
        return None;
    }
    let completed = metrics.requests.iter().filter(|r| r.completed);
    let (mut requests, mut tokens, mut good) = (0u64, 0u64, 0u64);
    let tbt = metrics.deadlines.tbt_deadline;
    for request in completed {
        requests += 1;
        tokens = tokens.saturating_add(request.num_output_tokens);
        if request.ttft <= request.ttft_deadline && request.tpot <= tbt {
            good += 1;
        }
    }
    Some(RunRates {
        window_seconds,
        requests_per_second: requests as f64 / window_seconds,
        output_tokens_per_second: tokens as f64 / window_seconds,
        good_requests: good,
        goodput: good as f64 / window_seconds,
    })
}
