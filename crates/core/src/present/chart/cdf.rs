//! Empirical distribution functions for CDF charts: the sorted samples as
//! points (x, share of samples at or below x), thinned to a budget of
//! points without losing the curve's shape: the minimum, the maximum, the
//! marked quantiles (p50 ... p99.9) and the tail, point by point near the
//! top, are always kept.

use crate::metrics::{quantile_sorted, sort_floats};

/// Fewest points a thinned CDF keeps (below this a budget is raised to it).
pub const MIN_CDF_POINTS: usize = 16;

/// Quantile levels whose sample is always kept.
pub const KEPT_LEVELS: [f64; 6] = [0.25, 0.5, 0.75, 0.9, 0.99, 0.999];

/// The empirical CDF of the finite values of `samples`: points
/// `(x_(i), (i + 1) / n)` for the sorted values, at most `max_points` of
/// them (at least [`MIN_CDF_POINTS`]). Thinned, it keeps the minimum and
/// the maximum, the first sample at or above each of [`KEPT_LEVELS`] (so
/// p99 reads the same off the thinned curve), a quarter of the budget for
/// the top samples, spaced ever wider from the maximum down (1st, 2nd, 3rd,
/// 5th, 8th... largest), and the rest evenly in rank and in value.
pub fn empirical_cdf(samples: &[f64], max_points: usize) -> Vec<(f64, f64)> {
    empirical_cdf_of_sorted(&finite_sorted(samples), max_points)
}

/// [`empirical_cdf`] of values already finite and sorted ascending (see
/// [`finite_sorted`]): for a chart that also summarizes them, one sort.
pub fn empirical_cdf_of_sorted(sorted: &[f64], max_points: usize) -> Vec<(f64, f64)> {
    let n = sorted.len();
    let point = |i: usize| (sorted[i], (i + 1) as f64 / n as f64);
    cdf_indices(sorted, max_points)
        .into_iter()
        .map(point)
        .collect()
}

/// The finite values of `samples`, sorted ascending.
pub fn finite_sorted(samples: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    sort_floats(&mut sorted);
    sorted
}

/// Index of the first sorted sample whose CDF value `(i + 1) / n` reaches
/// `level`.
pub fn level_index(n: usize, level: f64) -> usize {
    if n == 0 {
        return 0;
    }
    // Smallest i with (i + 1) / n >= level, in integers where possible.
    let target = level * n as f64;
    let mut i = (target.ceil() as usize).clamp(1, n) - 1;
    while i > 0 && (i as f64) / (n as f64) >= level {
        i -= 1;
    }
    while i + 1 < n && ((i + 1) as f64) / (n as f64) < level {
        i += 1;
    }
    i
}

fn cdf_indices(sorted: &[f64], max_points: usize) -> Vec<usize> {
    let n = sorted.len();
    let budget = max_points.max(MIN_CDF_POINTS);
    if n <= budget {
        return (0..n).collect();
    }
    let mut keep: Vec<usize> = vec![0, n - 1];
    keep.extend(KEPT_LEVELS.iter().map(|&q| level_index(n, q)));
    // The tail: the largest samples, ever wider apart from the top down.
    let mut k = 0usize;
    let mut tail = 0;
    while tail < budget / 4 && k < n {
        keep.push(n - 1 - k);
        tail += 1;
        k = (k + 1).max(k * 3 / 2);
    }
    keep.sort_unstable();
    keep.dedup();
    let room = budget.saturating_sub(keep.len());
    let by_rank = room / 2;
    let by_value = room - by_rank;
    for j in 1..=by_rank {
        keep.push(j * (n - 1) / (by_rank + 1));
    }
    let (lo, hi) = (sorted[0], sorted[n - 1]);
    for j in 1..=by_value {
        let v = lo + (hi - lo) * j as f64 / (by_value + 1) as f64;
        // The last sample below v: where the curve is about to rise.
        let i = sorted.partition_point(|&s| s < v);
        keep.push(i.saturating_sub(1));
    }
    keep.sort_unstable();
    keep.dedup();
    keep
}

/// Key figures of one distribution for a chart's text alternative, by
/// numpy's quantile rule (as the rest of the page).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DistributionSummary {
    pub count: usize,
    pub min: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Key figures of the finite values of `samples`; `None` when there is none.
pub fn distribution_summary(samples: &[f64]) -> Option<DistributionSummary> {
    distribution_summary_of_sorted(&finite_sorted(samples))
}

/// [`distribution_summary`] of values already finite and sorted ascending.
pub fn distribution_summary_of_sorted(sorted: &[f64]) -> Option<DistributionSummary> {
    if sorted.is_empty() {
        return None;
    }
    let q = |level| quantile_sorted(sorted, level).unwrap_or(f64::NAN);
    Some(DistributionSummary {
        count: sorted.len(),
        min: sorted[0],
        p50: q(0.5),
        p90: q(0.9),
        p99: q(0.99),
        max: sorted[sorted.len() - 1],
    })
}
