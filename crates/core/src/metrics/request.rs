//! The conventional per-request figures (docs/METRICS.md, "Conventional metrics"):
//! TTFT, TPOT, end-to-end latency and throughput, with the reference's zero
//! cases, from a timeline and the number of output tokens.

use super::quantile::accurate_sums_with_and_without_first;
use serde::{Deserialize, Serialize};

/// TTFT, TPOT, latency and throughput of one request (seconds, tokens/s).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ConventionalMetrics {
    /// `itt[0]`; 0 when the request produced no output token.
    pub ttft: f64,
    /// Mean of `itt[1..]`; 0 with fewer than 2 entries or no output.
    pub tpot: f64,
    /// `sum(itt)`.
    pub end_to_end_latency: f64,
    /// `end_to_end_latency / num_output_tokens`; 0 when no output.
    pub normalized_end_to_end_latency: f64,
    /// `num_output_tokens / end_to_end_latency`; 0 when the latency is 0.
    pub output_throughput: f64,
}

/// The conventional figures of a timeline `itt` (`itt[0]` = TTFT, then the
/// gaps) that produced `num_output_tokens` tokens.
pub fn conventional_metrics(itt: &[f64], num_output_tokens: u64) -> ConventionalMetrics {
    let (end_to_end_latency, gaps_sum) = accurate_sums_with_and_without_first(itt);
    let no_output = num_output_tokens == 0;
    let ttft = if no_output {
        0.0
    } else {
        itt.first().copied().unwrap_or(0.0)
    };
    let tpot = if no_output || itt.len() < 2 {
        0.0
    } else {
        gaps_sum / (itt.len() - 1) as f64
    };
    let normalized_end_to_end_latency = if no_output {
        0.0
    } else {
        end_to_end_latency / num_output_tokens as f64
    };
    let output_throughput = if end_to_end_latency == 0.0 {
        0.0
    } else {
        num_output_tokens as f64 / end_to_end_latency
    };
    ConventionalMetrics {
        ttft,
        tpot,
        end_to_end_latency,
        normalized_end_to_end_latency,
        output_throughput,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_of_a_small_timeline() {
        let m = conventional_metrics(&[0.5, 0.1, 0.3], 3);
        assert_eq!(m.ttft, 0.5);
        assert!((m.tpot - 0.2).abs() < 1e-15);
        assert!((m.end_to_end_latency - 0.9).abs() < 1e-15);
        assert!((m.normalized_end_to_end_latency - 0.3).abs() < 1e-15);
        assert!((m.output_throughput - 3.0 / 0.9).abs() < 1e-12);
    }

    #[test]
    fn zero_cases() {
        assert_eq!(conventional_metrics(&[], 0), ConventionalMetrics::default());
        let one = conventional_metrics(&[0.25], 1);
        assert_eq!(
            (one.ttft, one.tpot, one.output_throughput),
            (0.25, 0.0, 4.0)
        );
        let none = conventional_metrics(&[0.25], 0);
        assert_eq!((none.ttft, none.normalized_end_to_end_latency), (0.0, 0.0));
        assert_eq!(conventional_metrics(&[0.0], 1).output_throughput, 0.0);
    }
}
