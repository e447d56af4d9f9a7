//! How sure each headline figure is: its 95 % interval in one run, found
//! from what the figure is a percentile of (a figure per request, the gaps
//! between tokens, the fluid rate's per-request deadlines, or the share of
//! requests that failed). The results' cards and the compare screen's
//! verdicts both read it.

use crate::metrics::{
    quantile_interval, quantile_interval_of_values, Interval, RequestMetrics, RunMetrics,
    MIN_REQUESTS, Z_95,
};
use crate::recording::ErrorKind;

use super::WORST_PERCENT_QUANTILE;

/// What a figure is a percentile of, so that its interval can be found: a
/// figure per completed request, the TTFT of every request that counts in
/// it (stopped ones after a token too), the gaps between tokens, the fluid
/// rate (1 / p99 of a figure per request), or the error rate (a share of
/// the requests).
#[derive(Debug, Clone, Copy)]
enum Spread {
    PerRequest(fn(&RequestMetrics) -> f64, f64),
    Ttft(f64),
    Gaps(f64),
    FluidRate,
    ErrorRate,
}

/// Each row's spread, by key.
fn spread_of(key: &str) -> Spread {
    match key {
        "fluid-rate" => Spread::FluidRate,
        "fluidity-median" => Spread::PerRequest(|r| r.fluidity_index, 0.5),
        "fluidity-p1" => Spread::PerRequest(|r| r.fluidity_index, WORST_PERCENT_QUANTILE),
        "ttft-p50" => Spread::Ttft(0.5),
        "ttft-p99" => Spread::Ttft(0.99),
        "tbt-p50" => Spread::Gaps(0.5),
        "tbt-p99" => Spread::Gaps(0.99),
        "tpot-p50" => Spread::PerRequest(|r| r.tpot, 0.5),
        "tpot-p99" => Spread::PerRequest(|r| r.tpot, 0.99),
        "normalized-latency-p50" => Spread::PerRequest(|r| r.normalized_end_to_end_latency, 0.5),
        "normalized-latency-p99" => Spread::PerRequest(|r| r.normalized_end_to_end_latency, 0.99),
        "latency-p50" => Spread::PerRequest(|r| r.end_to_end_latency, 0.5),
        "output-throughput-p50" => Spread::PerRequest(|r| r.output_throughput, 0.5),
        _ => Spread::ErrorRate,
    }
}

/// The 95 % interval of the headline figure `key` ("ttft-p50") of a run
/// with `metrics`, whose TBT counts `gaps` (one slice per request: see
/// [`crate::metrics::RunProfile::gaps_by_request`]). None when there are
/// too few requests to say.
pub fn figure_interval(key: &str, metrics: &RunMetrics, gaps: &[&[f64]]) -> Option<Interval> {
    let completed = || metrics.requests.iter().filter(|r| r.completed);
    match spread_of(key) {
        Spread::Ttft(q) => {
            let stopped_after_a_token =
                |r: &RequestMetrics| r.error == Some(ErrorKind::Aborted) && r.num_output_tokens > 0;
            let values: Vec<f64> = metrics
                .requests
                .iter()
                .filter(|r| r.completed || stopped_after_a_token(r))
                .map(|r| r.ttft)
                .collect();
            quantile_interval_of_values(&values, q)
        }
        Spread::PerRequest(figure, q) => {
            let values: Vec<f64> = completed().map(figure).collect();
            quantile_interval_of_values(&values, q)
        }
        Spread::Gaps(q) => quantile_interval(gaps, q),
        Spread::FluidRate => {
            let values: Vec<f64> = completed().map(|r| r.decode_min_tbt_deadline).collect();
            let deadline = quantile_interval_of_values(&values, 0.99)?;
            (deadline.low > 0.0).then(|| Interval {
                low: 1.0 / deadline.high,
                high: 1.0 / deadline.low,
            })
        }
        Spread::ErrorRate => {
            let judged = metrics
                .service
                .launched
                .saturating_sub(metrics.service.stopped);
            (judged >= MIN_REQUESTS as u64)
                .then(|| wilson_interval(metrics.service.errored, judged))
        }
    }
}

/// Wilson's 95 % interval of a share of `hits` in `n`.
fn wilson_interval(hits: u64, n: u64) -> Interval {
    let (n, share) = (n as f64, hits as f64 / n as f64);
    let z2 = Z_95 * Z_95;
    let centre = (share + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z_95 * (share * (1.0 - share) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    // At no hit, or all, the interval ends exactly at 0 or 1.
    Interval {
        low: if hits == 0 {
            0.0
        } else {
            (centre - half).max(0.0)
        },
        high: if share == 1.0 {
            1.0
        } else {
            (centre + half).min(1.0)
        },
    }
}
