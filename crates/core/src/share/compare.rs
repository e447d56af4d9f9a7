//! Comparing runs (two endpoints, two networks, before and after): each
//! run's figures under the same deadlines, the change of each from the
//! first run in %, whether it is better, worse or within noise (the two
//! figures' 95 % intervals overlap), and the request of each run to replay
//! side by side (the one with the median end-to-end latency).

use crate::metrics::{DeadlineConfig, Interval, RunMetrics, RunProfile, Summary};
use crate::present::report::{error_rate, figure_interval, worst_percent_fluidity, Metric};
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
    /// Each figure's 95 % interval, in the runs' order (`None`: too few
    /// requests to say).
    pub intervals: Vec<Option<Interval>>,
}

/// What the change of a run from the first amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Better,
    Worse,
    /// The two figures' 95 % intervals overlap: chance alone could make
    /// the difference.
    WithinNoise,
    /// Too few requests in one of the runs to say how sure a figure is.
    TooFewToTell,
}

impl Verdict {
    /// How the compare table says it, after the change in %.
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::WithinNoise => "within noise",
            Verdict::TooFewToTell => "too few requests to tell",
        }
    }
}

impl MetricDelta {
    /// What run `i`'s change from the first amounts to (`None` for the
    /// first run, and when no change is known).
    pub fn verdict(&self, i: usize) -> Option<Verdict> {
        let change = self.changes.get(i).copied().flatten()?;
        let first = self.intervals.first().copied().flatten();
        let this = self.intervals.get(i).copied().flatten();
        Some(match (first, this) {
            (Some(a), Some(b)) if a.apart_from(&b) => {
                if (change > 0.0) == self.higher_is_better {
                    Verdict::Better
                } else {
                    Verdict::Worse
                }
            }
            (Some(_), Some(_)) => Verdict::WithinNoise,
            _ => Verdict::TooFewToTell,
        })
    }

    /// Whether run `i` is better than the first, beyond noise (`None`: no
    /// change known, within noise, or too few requests to tell).
    pub fn better(&self, i: usize) -> Option<bool> {
        match self.verdict(i)? {
            Verdict::Better => Some(true),
            Verdict::Worse => Some(false),
            Verdict::WithinNoise | Verdict::TooFewToTell => None,
        }
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
    let profiles: Vec<RunProfile> = runs
        .iter()
        .map(|run| RunProfile::of_recording(&run.recording))
        .collect();
    let metrics: Vec<RunMetrics> = profiles.iter().map(|p| p.metrics(deadlines)).collect();
    // The gaps each run's TBT counts, request by request.
    let gaps: Vec<Vec<&[f64]>> = profiles.iter().map(RunProfile::gaps_by_request).collect();
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
            let intervals = metrics
                .iter()
                .zip(&gaps)
                .map(|(m, gaps)| figure_interval(key, m, gaps))
                .collect();
            MetricDelta {
                key,
                metric,
                statistic,
                values,
                changes,
                higher_is_better,
                intervals,
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
        // Two draws of the same kind of run differ by chance only.
        assert_eq!(ttft.verdict(1), Some(Verdict::WithinNoise));
        assert_eq!(ttft.better(1), None);
        assert_eq!(ttft.verdict(0), None);
    }

    /// `run` with every time scaled by `factor`.
    fn slowed(mut recording: Recording, factor: f64) -> Recording {
        for request in &mut recording.requests {
            let chunks: Vec<crate::recording::Chunk> = request
                .chunks
                .iter()
                .map(|mut c| {
                    c.at *= factor;
                    c
                })
                .collect();
            request.chunks = chunks.into();
            request.ended_at = request.ended_at.map(|t| t * factor);
        }
        recording
    }

    #[test]
    fn a_change_beyond_noise_is_better_or_worse_and_a_small_run_cannot_tell() {
        let recording = |requests| {
            SyntheticRun {
                seed: 5,
                requests,
                tokens_per_request: 40,
                stall_probability: 0.0,
            }
            .recording()
        };
        let runs = [
            ComparedRun {
                label: "before".into(),
                recording: recording(200),
            },
            ComparedRun {
                label: "slower".into(),
                recording: slowed(recording(200), 1.5),
            },
        ];
        let comparison = compare_runs(&runs, &DeadlineConfig::default());
        let row = |key| comparison.rows.iter().find(|r| r.key == key).unwrap();
        for key in ["ttft-p50", "tbt-p50", "tpot-p50", "latency-p50"] {
            assert_eq!(row(key).verdict(1), Some(Verdict::Worse), "{key}");
            let (a, b) = (
                row(key).intervals[0].unwrap(),
                row(key).intervals[1].unwrap(),
            );
            assert!(a.low <= row(key).values[0].unwrap() && row(key).values[0].unwrap() <= a.high);
            assert!(a.apart_from(&b), "{key}");
        }
        assert_eq!(
            row("output-throughput-p50").verdict(1),
            Some(Verdict::Worse)
        );
        // 200 requests do not say where the worst 1 % lies.
        assert_eq!(row("ttft-p99").intervals[0], None);
        assert_eq!(row("ttft-p99").verdict(1), Some(Verdict::TooFewToTell));
        // No error in either: the error rate's interval is [0, 0.019].
        let errors = row("error-rate");
        assert_eq!(errors.intervals[0].unwrap().low, 0.0);
        assert!(errors.intervals[0].unwrap().high < 0.02);
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
