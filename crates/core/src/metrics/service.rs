//! Service-level throughput figures (docs/METRICS.md, "Service-level figures"):
//! TPOT-based and TBT-based throughput, the fluid token generation rate and
//! the p99 miss rate against TBT deadlines from 1 to 100 ms. These take the
//! requests' TBT lists (gaps), so Etalon's files and recordings feed them
//! alike; all are decode-only (the TTFT plays no part).

use super::bisection::{Timeline, TimelineFacts};
use super::curve::p99_curve;
use super::quantile::{mean, quantile_sorted, quantile_unsorted};
use super::standard::THROUGHPUT_QUANTILE;
use super::summary::Summary;

/// `1 / mean(tpot)` over the requests; `None` when there is no request or
/// the result is not finite (all TPOTs 0).
pub fn tpot_based_throughput(tpots: &[f64]) -> Option<f64> {
    finite(1.0 / mean(tpots)?)
}

/// `1 / quantile(all gaps, 0.99)` from every request's gaps, flattened and
/// sorted ascending; `None` without gaps or when not finite.
pub fn tbt_based_throughput(sorted_gaps: &[f64]) -> Option<f64> {
    finite(1.0 / quantile_sorted(sorted_gaps, THROUGHPUT_QUANTILE)?)
}

/// [`tbt_based_throughput`] from the gaps' percentile table (its p99 is the
/// [`THROUGHPUT_QUANTILE`]), without the sorted gaps.
pub(crate) fn tbt_based_throughput_of(tbt: Option<&Summary>) -> Option<f64> {
    const _: () = assert!(THROUGHPUT_QUANTILE == 0.99);
    finite(1.0 / tbt?.p99)
}

/// `1 / quantile(decode-only minimum TBT deadlines, 0.99)`: the highest token
/// rate that 99 % of requests sustain while missing at most 10 % of their
/// deadlines. Takes each request's decode-only `min_tbt_deadline_to_meet`
/// (target [`FLUID_TARGET_MISS_RATE`]); reorders them. `None` when empty.
pub fn fluid_token_generation_rate(decode_min_tbt_deadlines: &mut [f64]) -> Option<f64> {
    finite(1.0 / quantile_unsorted(decode_min_tbt_deadlines, THROUGHPUT_QUANTILE)?)
}

/// For each TBT deadline of [`curve_tbt_deadlines`], the 0.99 quantile over
/// requests of the decode-only miss rate, as `[deadline, p99 miss rate]`.
/// `gaps[r]` is request r's TBT list. Empty when there is no request.
pub fn p99_miss_rate_vs_tbt_deadline(gaps: &[&[f64]]) -> Vec<[f64; 2]> {
    let facts: Vec<TimelineFacts> = gaps.iter().map(|g| TimelineFacts::of_gaps(g)).collect();
    let timelines: Vec<Timeline> = gaps
        .iter()
        .zip(&facts)
        .map(|(g, f)| Timeline::of_gaps(g, f))
        .collect();
    p99_curve(&timelines.iter().collect::<Vec<_>>())
}

fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}
