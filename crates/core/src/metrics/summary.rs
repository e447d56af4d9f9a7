//! Percentile tables: p50/p90/p95/p99, mean, min, max and CDF points of a
//! metric across requests (or across all gaps, for TBT), with numpy's
//! linear quantile.

use super::quantile::{mean, quantile_sorted, sort_floats};
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
            cdf: (0..=100)
                .map(|i| {
                    let fraction = i as f64 / 100.0;
                    [q(fraction).unwrap_or(f64::NAN), fraction]
                })
                .collect(),
        })
    }
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
