//! Percentile tables: p50/p90/p95/p99, mean, min, max and CDF points of a
//! metric across requests (or across all gaps, for TBT), with numpy's
//! linear quantile.

use super::quantile::{accurate_sum_of_parts, mean, quantile_sorted, sort_floats};
use super::select::quantiles_of_parts;
use serde::{Deserialize, Serialize};

/// How a metric is distributed. Every field is defined (a summary exists
/// only for at least one value); NaN values make the quantiles NaN, which
/// serializes as null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub count: usize,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    /// The inverse CDF sampled every percentile: 101 `[value, fraction]`
    /// points, fraction 0, 0.01, ..., 1 (value = quantile at that fraction).
    pub cdf: Vec<[f64; 2]>,
}

impl Summary {
    /// Summary of `values` (sorted here); `None` when there are none.
    pub fn of(mut values: Vec<f64>) -> Option<Summary> {
        sort_floats(&mut values);
        Summary::of_sorted(&values)
    }

    /// Summary of the values of `parts` taken together, without sorting
    /// them (a selection of the ranks the table reads: much faster for the
    /// half million gaps of a large run); `None` when there are none. The
    /// quantiles are those of [`Summary::of_sorted`] bit for bit; the mean
    /// sums in the order given.
    pub fn of_parts(parts: &[&[f64]]) -> Option<Summary> {
        let count: usize = parts.iter().map(|part| part.len()).sum();
        let fractions = cdf_fractions();
        let quantiles = quantiles_of_parts(parts, &fractions)?;
        let at = |percent: usize| quantiles[percent];
        Some(Summary {
            count,
            mean: accurate_sum_of_parts(parts) / count as f64,
            min: at(0),
            max: at(100),
            p50: at(50),
            p90: at(90),
            p95: at(95),
            p99: at(99),
            cdf: quantiles
                .iter()
                .zip(fractions)
                .map(|(&q, f)| [q, f])
                .collect(),
        })
    }

    /// Summary of values already sorted ascending (as [`sort_floats`] does);
    /// `None` when there are none.
    pub fn of_sorted(sorted: &[f64]) -> Option<Summary> {
        let q = |p: f64| quantile_sorted(sorted, p);
        Some(Summary {
            count: sorted.len(),
            mean: mean(sorted)?,
            min: q(0.0)?,
            max: q(1.0)?,
            p50: q(0.5)?,
            p90: q(0.9)?,
            p95: q(0.95)?,
            p99: q(0.99)?,
            cdf: cdf_fractions()
                .into_iter()
                .map(|fraction| [q(fraction).unwrap_or(f64::NAN), fraction])
                .collect(),
        })
    }
}

/// The CDF's fractions: 0, 0.01, ..., 1 (the percentiles 0.5, 0.9, 0.95
/// and 0.99 among them, as the same floats).
fn cdf_fractions() -> Vec<f64> {
    (0..=100).map(|i| i as f64 / 100.0).collect()
}

/// A percentile table for every metric, over the completed requests. A
/// metric with no value at all (no completed request; no visible token) is
/// `None` (null in JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub ttft: Option<Summary>,
    pub time_to_first_visible_token: Option<Summary>,
    /// Over every gap between tokens of every completed request.
    pub tbt: Option<Summary>,
    pub tpot: Option<Summary>,
    pub end_to_end_latency: Option<Summary>,
    pub normalized_end_to_end_latency: Option<Summary>,
    pub output_throughput: Option<Summary>,
    pub deadline_miss_rate: Option<Summary>,
    pub fluidity_index: Option<Summary>,
    pub min_tbt_deadline_to_meet: Option<Summary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_parts_is_the_summary_of_the_sorted_values() {
        let parts: [&[f64]; 4] = [&[0.02, 0.0, 0.5], &[], &[0.031, 0.019, 0.0, 0.02], &[1e-9]];
        let mut all = parts.concat();
        let sorted = Summary::of(all.clone()).unwrap();
        let unsorted = Summary::of_parts(&parts).unwrap();
        // The mean may differ in its last bit (another order of summing).
        assert!((unsorted.mean - sorted.mean).abs() <= 1e-16);
        let mean = sorted.mean;
        assert_eq!(Summary { mean, ..unsorted }, sorted);
        all.clear();
        assert_eq!(Summary::of_parts(&[&all]), None);
    }

    #[test]
    fn summary_of_a_few_values() {
        let s = Summary::of(vec![4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(
            (s.count, s.min, s.max, s.mean, s.p50),
            (4, 1.0, 4.0, 2.5, 2.5)
        );
        assert_eq!(s.cdf.len(), 101);
        assert_eq!(s.cdf[0], [1.0, 0.0]);
        assert_eq!(s.cdf[100], [4.0, 1.0]);
        assert!(Summary::of(vec![]).is_none());
    }

    #[test]
    fn nan_serializes_as_null() {
        let s = Summary::of(vec![1.0, f64::NAN]).unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"p50\":null"), "{json}");
    }
}
