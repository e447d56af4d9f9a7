//! How sure a percentile is: its 95 % interval, by Woodruff's method, with
//! requests as clusters.
//!
//! The share of values at or below the percentile's estimate is a mean over
//! requests; its standard error, computed across requests (a request's
//! gaps move together, so they are not independent draws), gives an
//! interval for the share, and the percentiles at its two ends are the
//! interval for the percentile (Woodruff, "Confidence intervals for medians
//! and other position measures", JASA 1952). With one value per request it
//! is the familiar normal-approximation interval of order statistics, which
//! the percentile bootstrap approximates too; unlike the bootstrap it needs
//! no resampling, so it is cheap for a million gaps and the same on every
//! platform. When the interval for the share reaches past 0 or 1, or fewer
//! than [`MIN_REQUESTS`] requests hold values, there are too few requests
//! to say, and there is no interval.

use serde::{Deserialize, Serialize};

use super::select::quantiles_of_parts;

/// The normal quantile of a 95 % two-sided interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Fewer requests than this give no interval.
pub const MIN_REQUESTS: usize = 10;

/// A percentile's 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// Whether the two intervals share no value: only then do two figures
    /// differ by more than chance.
    pub fn apart_from(&self, other: &Interval) -> bool {
        self.high < other.low || other.high < self.low
    }
}

/// The 95 % interval of the `q`-quantile (0 to 1) of the values of
/// `requests` taken together, each slice one request's values. None when
/// there are too few requests to say.
pub fn quantile_interval(requests: &[&[f64]], q: f64) -> Option<Interval> {
    let requests: Vec<&[f64]> = requests.iter().copied().filter(|r| !r.is_empty()).collect();
    let m = requests.len();
    if m < MIN_REQUESTS || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let n: usize = requests.iter().map(|r| r.len()).sum();
    let estimate = quantiles_of_parts(&requests, &[q])?[0];
    if estimate.is_nan() {
        return None;
    }
    // Each request's count at or below the estimate, less its expected share.
    let squares: f64 = requests
        .iter()
        .map(|r| {
            let below = r.iter().filter(|&&v| v <= estimate).count() as f64;
            let residual = below - q * r.len() as f64;
            residual * residual
        })
        .sum();
    let m = m as f64;
    let standard_error = (squares * m / (m - 1.0)).sqrt() / n as f64;
    let (low, high) = (q - Z_95 * standard_error, q + Z_95 * standard_error);
    // Ranks that fall outside the values: too few to say.
    let last = (n - 1) as f64;
    if low * last < 0.0 || high * last > last || standard_error.is_nan() {
        return None;
    }
    let ends = quantiles_of_parts(&requests, &[low, high])?;
    Some(Interval {
        low: ends[0].min(estimate),
        high: ends[1].max(estimate),
    })
}

/// The interval of the `q`-quantile of one value per request.
pub fn quantile_interval_of_values(values: &[f64], q: f64) -> Option<Interval> {
    let requests: Vec<&[f64]> = values.chunks(1).collect();
    quantile_interval(&requests, q)
}
