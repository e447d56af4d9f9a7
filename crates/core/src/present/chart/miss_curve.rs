//! The marks of the p99 miss rate vs TBT deadline curve: the target miss
//! rate as a line, and the fluid token generation rate as the point where
//! the curve meets it, so that the caption's "where it reaches 10 %" is on
//! the chart.

use super::format::format_rate;
use super::line::Marker;
use crate::metrics::FLUID_TARGET_MISS_RATE;

/// The curve's longest TBT deadline (s): its last point, 100 ms.
pub const MISS_CURVE_LONGEST_DEADLINE: f64 = 0.1;

/// The target line ("target: 10 % of deadlines missed") and, when the fluid
/// rate falls on the curve's range of deadlines, its point: at the deadline
/// `1 / fluid_rate` and the target miss rate, labelled with the rate.
pub fn miss_curve_markers(fluid_rate: Option<f64>) -> Vec<Marker> {
    let percent = FLUID_TARGET_MISS_RATE * 100.0;
    let mut markers = vec![Marker::y(
        FLUID_TARGET_MISS_RATE,
        format!("target: {percent:.0} % of deadlines missed"),
    )];
    if let Some(deadline) = fluid_deadline(fluid_rate) {
        let rate = fluid_rate.unwrap_or_default();
        markers.push(Marker::point(
            deadline,
            FLUID_TARGET_MISS_RATE,
            format!("fluid rate {}", format_rate(rate)),
        ));
    }
    markers
}

/// The TBT deadline at which the curve reaches the target: `1 / rate`, when
/// it lies within the curve's deadlines (0 to 100 ms).
pub fn fluid_deadline(fluid_rate: Option<f64>) -> Option<f64> {
    let rate = fluid_rate.filter(|r| r.is_finite() && *r > 0.0)?;
    let deadline = 1.0 / rate;
    (deadline <= MISS_CURVE_LONGEST_DEADLINE).then_some(deadline)
}

/// The sentence under the curve on the fluid rate: where the point is, or
/// why there is none.
pub fn fluid_rate_sentence(fluid_rate: Option<f64>) -> String {
    let percent = FLUID_TARGET_MISS_RATE * 100.0;
    match (fluid_rate, fluid_deadline(fluid_rate)) {
        (Some(rate), Some(deadline)) => format!(
            "The curve meets the {percent:.0} % target at a deadline of {}: the fluid token \
             generation rate is {}.",
            super::format::format_seconds(deadline),
            format_rate(rate)
        ),
        (Some(rate), None) if rate.is_finite() && rate > 0.0 => format!(
            "The curve stays above the {percent:.0} % target up to 100 ms: the fluid token \
             generation rate, {}, is off the chart.",
            format_rate(rate)
        ),
        _ => "No completed request, so no fluid token generation rate.".to_string(),
    }
}
