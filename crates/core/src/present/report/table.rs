//! The percentile table: p50, p90, p95, p99, mean, min and max of each
//! metric over the completed requests (TBT over every gap), as text.

use super::explain::Metric;
use crate::metrics::{Percentiles, Summary, NO_DEADLINE_MEETS_TARGET};
use crate::present::chart::NO_FIGURE;

/// The table's value columns.
pub const PERCENTILE_COLUMNS: [&str; 7] = ["p50", "p90", "p95", "p99", "mean", "min", "max"];

/// One metric's row.
#[derive(Debug, Clone, PartialEq)]
pub struct PercentileRow {
    pub metric: Metric,
    /// How many values the row summarizes (requests, or gaps for TBT).
    pub count: usize,
    /// The values in the order of [`PERCENTILE_COLUMNS`]; `None` when
    /// there is no value.
    pub values: Option<[f64; 7]>,
    /// The same, as text.
    pub cells: [String; 7],
}

impl PercentileRow {
    fn new(metric: Metric, summary: Option<&Summary>) -> Self {
        let values = summary.map(|s| [s.p50, s.p90, s.p95, s.p99, s.mean, s.min, s.max]);
        let cells = match values {
            Some(values) => values.map(|v| cell_text(metric, v)),
            None => std::array::from_fn(|_| NO_FIGURE.to_string()),
        };
        PercentileRow {
            metric,
            count: summary.map_or(0, |s| s.count),
            values,
            cells,
        }
    }
}

/// One value of `metric` as a table shows it.
fn cell_text(metric: Metric, value: f64) -> String {
    if metric == Metric::MinTbtDeadline && value >= NO_DEADLINE_MEETS_TARGET / 10.0 {
        return "none".to_string();
    }
    metric.unit().format(value)
}

/// The rows, in the table's order. The time to first visible token is
/// there only when some request told reasoning from answer.
pub fn percentile_rows(percentiles: &Percentiles) -> Vec<PercentileRow> {
    let mut rows = vec![PercentileRow::new(Metric::Ttft, percentiles.ttft.as_ref())];
    if let Some(visible) = &percentiles.time_to_first_visible_token {
        let differs = percentiles.ttft.as_ref() != Some(visible);
        if differs {
            rows.push(PercentileRow::new(
                Metric::TimeToFirstVisibleToken,
                Some(visible),
            ));
        }
    }
    rows.extend([
        PercentileRow::new(Metric::Tbt, percentiles.tbt.as_ref()),
        PercentileRow::new(Metric::Tpot, percentiles.tpot.as_ref()),
        PercentileRow::new(
            Metric::NormalizedLatency,
            percentiles.normalized_end_to_end_latency.as_ref(),
        ),
        PercentileRow::new(
            Metric::EndToEndLatency,
            percentiles.end_to_end_latency.as_ref(),
        ),
        PercentileRow::new(
            Metric::OutputThroughput,
            percentiles.output_throughput.as_ref(),
        ),
        PercentileRow::new(Metric::FluidityIndex, percentiles.fluidity_index.as_ref()),
        PercentileRow::new(
            Metric::DeadlineMissRate,
            percentiles.deadline_miss_rate.as_ref(),
        ),
        PercentileRow::new(
            Metric::MinTbtDeadline,
            percentiles.min_tbt_deadline_to_meet.as_ref(),
        ),
    ]);
    rows
}
