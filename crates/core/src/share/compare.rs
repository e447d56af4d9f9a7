//! Comparing runs (two endpoints, two networks, before and after): each
//! run's figures under the same deadlines, the change of each from the
//! first run in %, which way is better, and the request of each run to
//! replay side by side (the one with the median end-to-end latency).

use crate::metrics::{recording_metrics, DeadlineConfig, RunMetrics, Summary};
use crate::present::report::{error_rate, worst_percent_fluidity, Metric};
use crate::recording::{Recording, RequestRecord};

/// A run on the compare screen, with the name the user knows it by.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedRun {
    /// "Your run", "Sender's run", a file's name.
    pub label: String,
    pub recording: Recording,
}

/// One figure of every run, and its change from the first.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricDelta {
    /// Stable key (`ttft-p50`): test ids and keys of the table's rows.
    pub key: &'static str,
    pub metric: Metric,
    /// "median (p50)", "worst 1 % (p99)", or empty.
    pub statistic: &'static str,
    /// The figure of each run, in the runs' order.
    pub values: Vec<Option<f64>>,
    /// The change from the first run, in % (`None` for the first run, and
    /// when either figure is missing or the first is 0).
    pub changes: Vec<Option<f64>>,
    /// Whether a higher figure is better (rates, fluidity).
    pub higher_is_better: bool,
}

impl MetricDelta {
    /// Whether run `i` is better than the first (`None`: no change known,
    /// or equal).
    pub fn better(&self, i: usize) -> Option<bool> {
        let change = self.changes.get(i).copied().flatten()?;
        (change != 0.0).then_some((change > 0.0) == self.higher_is_better)
    }
}

/// The compared figures, in table order.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub labels: Vec<String>,
    pub rows: Vec<MetricDelta>,
    /// Each run's metrics under the shared deadlines.
    pub metrics: Vec<RunMetrics>,
}

type Figure = fn(&RunMetrics) -> Option<f64>;

/// The rows of the comparison: key, metric, statistic, higher is better,
/// and how to read the figure from a run's metrics.
pub const COMPARED_METRICS: [(&str, Metric, &str, bool, Figure); 14] = [
    ("fluid-rate", Metric::FluidRate, "", true, |m| {
        m.service.fluid_token_generation_rate
    }),
    (
        "fluidity-median",
        Metric::FluidityIndex,
        "median request",
        true,
        |m| p50(&m.service.percentiles.fluidity_index),
    ),
    (
        "fluidity-p1",
        Metric::FluidityIndex,
        "worst 1 % of requests (p1)",
        true,
        worst_percent_fluidity,
    ),
    ("ttft-p50", Metric::Ttft, "median (p50)", false, |m| {
        p50(&m.service.percentiles.ttft)
    }),
    ("ttft-p99", Metric::Ttft, "worst 1 % (p99)", false, |m| {
        p99(&m.service.percentiles.ttft)
    }),
    ("tbt-p50", Metric::Tbt, "median (p50)", false, |m| {
        p50(&m.service.percentiles.tbt)
    }),
    ("tbt-p99", Metric::Tbt, "worst 1 % (p99)", false, |m| {
        p99(&m.service.percentiles.tbt)
    }),
    ("tpot-p50", Metric::Tpot, "median (p50)", false, |m| {
        p50(&m.service.percentiles.tpot)
    }),
    ("tpot-p99", Metric::Tpot, "worst 1 % (p99)", false, |m| {
        p99(&m.service.percentiles.tpot)
    }),
    (
        "normalized-latency-p50",
        Metric::NormalizedLatency,
        "median (p50)",
        false,
        |m| p50(&m.service.percentiles.normalized_end_to_end_latency),
    ),
    (
        "normalized-latency-p99",
        Metric::NormalizedLatency,
        "worst 1 % (p99)",
        false,
        |m| p99(&m.service.percentiles.normalized_end_to_end_latency),
    ),
    (
        "latency-p50",
        Metric::EndToEndLatency,
        "median (p50)",
        false,
        |m| p50(&m.service.percentiles.end_to_end_latency),
    ),
    (
        "output-throughput-p50",
        Metric::OutputThroughput,
        "median (p50)",
        true,
        |m| p50(&m.service.percentiles.output_throughput),
    ),
    ("error-rate", Metric::ErrorRate, "", false, error_rate),
];

fn p50(summary: &Option<Summary>) -> Option<f64> {
    summary.as_ref().map(|s| s.p50)
}

fn p99(summary: &Option<Summary>) -> Option<f64> {
    summary.as_ref().map(|s| s.p99)
}

/// Every run's figures under the same `deadlines` (so that fluidity is
/// judged alike), and their changes from the first run.
pub fn compare_runs(runs: &[ComparedRun], deadlines: &DeadlineConfig) -> Comparison {
    let metrics: Vec<RunMetrics> = runs
        .iter()
        .map(|run| recording_metrics(&run.recording, deadlines))
        .collect();
    let rows = COMPARED_METRICS
        .iter()
        .map(|&(key, metric, statistic, higher_is_better, figure)| {
            let values: Vec<Option<f64>> = metrics
                .iter()
                .map(|m| figure(m).filter(|v| v.is_finite()))
                .collect();
            let first = values.first().copied().flatten();
            let changes = values
                .iter()
                .enumerate()
                .map(|(i, v)| percent_change(first, *v).filter(|_| i > 0))
                .collect();
            MetricDelta {
                key,
                metric,
                statistic,
                values,
                changes,
                higher_is_better,
            }
        })
        .collect();
    Comparison {
        labels: runs.iter().map(|r| r.label.clone()).collect(),
        rows,
        metrics,
    }
}

/// `(value - first) / first` in %; `None` when either is missing or the
/// first is 0.
pub fn percent_change(first: Option<f64>, value: Option<f64>) -> Option<f64> {
    let (first, value) = (first?, value?);
    (first != 0.0).then(|| (value - first) / first.abs() * 100.0)
}

/// The completed request with the median end-to-end latency (the lower
/// middle one; the lowest id among equals): a typical request to replay.
pub fn typical_request(recording: &Recording) -> Option<&RequestRecord> {
    let mut done: Vec<(&RequestRecord, f64)> = recording
        .requests
        .iter()
        .filter(|r| r.completed() && !r.chunks.is_empty())
        .map(|r| (r, r.chunks.last().map_or(0.0, |c| c.at)))
        .collect();
    done.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.id.cmp(&b.0.id)));
    done.get(done.len().saturating_sub(1) / 2).map(|(r, _)| *r)
}

/// Tokens of `record` arrived `elapsed` seconds after it was sent.
pub fn tokens_arrived_by(record: &RequestRecord, elapsed: f64) -> u64 {
    record
        .chunks
        .iter()
        .take_while(|c| c.at <= elapsed)
        .map(|c| u64::from(c.tokens))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::synthetic::SyntheticRun;

    #[test]
    fn changes_are_from_the_first_run() {
        assert_eq!(
            percent_change(Some(0.2), Some(0.3)).map(|c| c.round()),
            Some(50.0)
        );
        assert_eq!(percent_change(Some(0.0), Some(0.3)), None);
        let run = |seed, label: &str| ComparedRun {
            label: label.into(),
            recording: SyntheticRun {
                seed,
                requests: 20,
                tokens_per_request: 30,
                stall_probability: 0.02,
            }
            .recording(),
        };
        let comparison = compare_runs(&[run(1, "a"), run(2, "b")], &DeadlineConfig::default());
        assert_eq!(comparison.labels, ["a", "b"]);
        let ttft = comparison
            .rows
            .iter()
            .find(|r| r.key == "ttft-p50")
            .unwrap();
        assert_eq!(ttft.changes[0], None);
        let (a, b) = (ttft.values[0].unwrap(), ttft.values[1].unwrap());
        assert!((ttft.changes[1].unwrap() - (b - a) / a * 100.0).abs() < 1e-9);
        assert_eq!(ttft.better(1), Some(b < a));
    }

    #[test]
    fn the_typical_request_and_its_tokens_over_time() {
        let recording = SyntheticRun {
            seed: 3,
            requests: 5,
            tokens_per_request: 10,
            stall_probability: 0.0,
        }
        .recording();
        let typical = typical_request(&recording).unwrap();
        assert_eq!(tokens_arrived_by(typical, 0.0), 0);
        assert_eq!(tokens_arrived_by(typical, 1e9), 10);
        let first = typical.chunks.first().unwrap();
        assert_eq!(
            tokens_arrived_by(typical, first.at),
            u64::from(first.tokens)
        );
    }
}
