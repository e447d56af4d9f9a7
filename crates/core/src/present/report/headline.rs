//! The headline cards of the results screen: which figures, which
//! statistic of each, the value (full precision, for `data-value`) and its
//! text, with the sentence that explains it.

use super::explain::Metric;
use crate::metrics::{quantile_unsorted, Interval, RunMetrics, RunRates, Summary};
use crate::present::chart::NO_FIGURE;

/// The quantile of the "p1" fluidity card: the worst 1 % of requests.
pub const WORST_PERCENT_QUANTILE: f64 = 0.01;

/// One card.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Stable key: the card's `data-testid` is `headline-{key}`.
    pub key: &'static str,
    pub metric: Metric,
    /// Which statistic, in words ("median (p50)", "worst 1 % (p99)"); empty
    /// for a figure that is a single number.
    pub statistic: &'static str,
    /// Seconds, tokens/s or a share in 0..=1; `None` when there is none.
    pub value: Option<f64>,
    /// The value as a person reads it.
    pub display: String,
    /// The metric's one-sentence explanation.
    pub explanation: &'static str,
    /// How sure a percentile is: its 95 % interval, when the results
    /// worked it out and there were enough requests to say.
    pub interval: Option<Interval>,
    /// Whether the figure is a percentile (so that it has an interval, or
    /// there were too few requests to give one).
    pub percentile: bool,
}

impl Headline {
    fn new(key: &'static str, metric: Metric, statistic: &'static str, value: Option<f64>) -> Self {
        let value = value.filter(|v| v.is_finite());
        Headline {
            key,
            metric,
            statistic,
            value,
            display: value.map_or_else(|| NO_FIGURE.to_string(), |v| metric.unit().format(v)),
            explanation: metric.explanation(),
            interval: None,
            percentile: !statistic.is_empty(),
        }
    }

    /// How sure the figure is, in words: "95 % sure: 20.4 ms to 20.6 ms",
    /// "too few requests to say how sure"; empty for a figure that is not
    /// a percentile, or has no value.
    pub fn sureness(&self) -> String {
        if !self.percentile || self.value.is_none() {
            return String::new();
        }
        match self.interval {
            Some(Interval { low, high }) => {
                let unit = self.metric.unit();
                let (low, high) = (unit.format(low), unit.format(high));
                if low == high {
                    format!("95 % sure: {low}")
                } else {
                    format!("95 % sure: {low} to {high}")
                }
            }
            None => "too few requests to say how sure".to_string(),
        }
    }

    /// The card's `data-testid`.
    pub fn test_id(&self) -> String {
        format!("headline-{}", self.key)
    }
}

/// The 1st percentile of the completed requests' fluidity-index: 99 % of
/// requests were at least this fluid. `None` without completed request.
pub fn worst_percent_fluidity(metrics: &RunMetrics) -> Option<f64> {
    let mut values: Vec<f64> = metrics
        .requests
        .iter()
        .filter(|r| r.completed)
        .map(|r| r.fluidity_index)
        .collect();
    quantile_unsorted(&mut values, WORST_PERCENT_QUANTILE)
}

/// Failed requests over the requests that were let finish (those the user
/// stopped neither failed nor finished); `None` when there is none.
pub fn error_rate(metrics: &RunMetrics) -> Option<f64> {
    let service = &metrics.service;
    let judged = service.launched.saturating_sub(service.stopped);
    (judged > 0).then(|| service.errored as f64 / judged as f64)
}

/// The run's throughput and goodput cards (output tokens/s, answers/s,
/// good answers/s), over its measured window.
pub fn rate_headlines(rates: Option<&RunRates>) -> Vec<Headline> {
    let whole_run = |key, metric, statistic, value: Option<f64>| Headline {
        percentile: false,
        ..Headline::new(key, metric, statistic, value)
    };
    let answers = |value: Option<f64>| {
        value.map_or_else(
            || NO_FIGURE.to_string(),
            |v| super::explain::Unit::AnswersPerSecond.format(v),
        )
    };
    vec![
        whole_run(
            "throughput-tokens",
            Metric::Throughput,
            "tokens of the answers",
            rates.map(|r| r.output_tokens_per_second),
        ),
        Headline {
            display: answers(rates.map(|r| r.requests_per_second)),
            ..whole_run(
                "throughput-requests",
                Metric::Throughput,
                "whole answers",
                rates.map(|r| r.requests_per_second),
            )
        },
        whole_run("goodput", Metric::Goodput, "", rates.map(|r| r.goodput)),
    ]
}

/// The cards, in the order they are shown: fluid rate, fluidity (median,
/// worst 1 %), TTFT (p50, p99), TBT (p50, p99), TPOT (p50, p99),
/// normalized latency (p50, p99), error rate.
pub fn headlines(metrics: &RunMetrics) -> Vec<Headline> {
    let p = &metrics.service.percentiles;
    let p50 = |s: &Option<Summary>| s.as_ref().map(|s| s.p50);
    let p99 = |s: &Option<Summary>| s.as_ref().map(|s| s.p99);
    const MEDIAN: &str = "median (p50)";
    const WORST: &str = "worst 1 % (p99)";
    vec![
        Headline::new(
            "fluid-rate",
            Metric::FluidRate,
            "",
            metrics.service.fluid_token_generation_rate,
        ),
        Headline::new(
            "fluidity-median",
            Metric::FluidityIndex,
            "median request",
            p50(&p.fluidity_index),
        ),
        Headline::new(
            "fluidity-p1",
            Metric::FluidityIndex,
            "worst 1 % of requests (p1)",
            worst_percent_fluidity(metrics),
        ),
        Headline::new("ttft-p50", Metric::Ttft, MEDIAN, p50(&p.ttft)),
        Headline::new("ttft-p99", Metric::Ttft, WORST, p99(&p.ttft)),
        Headline::new("tbt-p50", Metric::Tbt, MEDIAN, p50(&p.tbt)),
        Headline::new("tbt-p99", Metric::Tbt, WORST, p99(&p.tbt)),
        Headline::new("tpot-p50", Metric::Tpot, MEDIAN, p50(&p.tpot)),
        Headline::new("tpot-p99", Metric::Tpot, WORST, p99(&p.tpot)),
        Headline::new(
            "normalized-latency-p50",
            Metric::NormalizedLatency,
            MEDIAN,
            p50(&p.normalized_end_to_end_latency),
        ),
        Headline::new(
            "normalized-latency-p99",
            Metric::NormalizedLatency,
            WORST,
            p99(&p.normalized_end_to_end_latency),
        ),
        Headline::new("error-rate", Metric::ErrorRate, "", error_rate(metrics)),
    ]
}
