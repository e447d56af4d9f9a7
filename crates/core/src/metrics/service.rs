//! Service-level throughput figures (METRICS.md, "Service-level figures"):
//! TPOT-based and TBT-based throughput, the fluid token generation rate and
//! the p99 miss rate against TBT deadlines from 1 to 100 ms. These take the
//! requests' TBT lists (gaps), so Etalon's files and recordings feed them
//! alike; all are decode-only (the TTFT plays no part).

use super::bisection::{QuickCount, Timeline};
use super::deadline::{AfterFirstToken, DeadlineCount};
use super::lanes;
use super::quantile::{mean, quantile_sorted, quantile_unsorted};

/// Quantile of the TBT and of the per-request figures behind the throughputs.
pub const THROUGHPUT_QUANTILE: f64 = 0.99;
/// Target miss rate of the fluid token generation rate.
pub const FLUID_TARGET_MISS_RATE: f64 = 0.1;

/// The TBT deadlines of the p99 curve: `i * 0.001` s for i in 1..=100, the
/// same floats as the reference's list.
pub fn curve_tbt_deadlines() -> [f64; 100] {
    std::array::from_fn(|i| (i + 1) as f64 * 0.001)
}

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
    let deadlines = curve_tbt_deadlines();
    let n = gaps.len();
    if n == 0 {
        return Vec::new();
    }
    // rates[j * n + r]: request r's miss rate at deadline j.
    let mut rates = vec![0.0; deadlines.len() * n];
    let mut row = [0.0; 100];
    for (r, request_gaps) in gaps.iter().enumerate() {
        decode_miss_rates(&Timeline::of_gaps(request_gaps), &mut row);
        for (j, rate) in row.iter().enumerate() {
            rates[j * n + r] = *rate;
        }
    }
    p99_curve(&mut rates, n)
}

/// The curve from every request's decode-only miss rates,
/// `rates[j * n + r]` for deadline j and request r.
pub(crate) fn p99_curve(rates: &mut [f64], n: usize) -> Vec<[f64; 2]> {
    if n == 0 {
        return Vec::new();
    }
    rates
        .chunks_mut(n)
        .zip(curve_tbt_deadlines())
        .map(|(column, deadline)| {
            [
                deadline,
                quantile_unsorted(column, THROUGHPUT_QUANTILE).unwrap_or(f64::NAN),
            ]
        })
        .collect()
}

/// Decode-only miss rate of one request at each deadline of
/// [`curve_tbt_deadlines`], into `rates`. `timeline` holds the request's
/// gaps (its first element, if any, plays no part).
pub(crate) fn decode_miss_rates(timeline: &Timeline, rates: &mut [f64; 100]) {
    let deadlines = curve_tbt_deadlines();
    let gaps = timeline.gaps;
    // The decode-only walk is the full walk of `[0] + gaps` with the first
    // token ignored: it starts with no slack and no count.
    let start = AfterFirstToken {
        slack: 0.0,
        count: DeadlineCount::default(),
    };
    let mut to_walk = [0usize; 100];
    let mut walks = 0;
    for (j, &deadline) in deadlines.iter().enumerate() {
        match timeline.quick_count(deadline, start) {
            QuickCount::Exact(count) => rates[j] = count.miss_rate(),
            QuickCount::AllMissed => rates[j] = 1.0,
            QuickCount::Walk => {
                to_walk[walks] = j;
                walks += 1;
            }
        }
    }
    const K: usize = 8;
    for group in to_walk[..walks].chunks(K) {
        // A short last group repeats its last deadline.
        let lanes: [lanes::Walk; K] = std::array::from_fn(|k| lanes::Walk {
            gaps,
            tbt_deadline: deadlines[group[k.min(group.len() - 1)]],
            start,
        });
        let counts = lanes::walk(&lanes);
        for (k, &j) in group.iter().enumerate() {
            rates[j] = counts[k].miss_rate();
        }
    }
}

fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}
