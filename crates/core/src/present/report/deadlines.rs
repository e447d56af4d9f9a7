//! The deadline inputs of the results screen: reading a configuration
//! into the fields (seconds, as on the set-up screen; percent for the
//! target miss rate), parsing what the user typed,
//! and the configuration with one field changed. The page recomputes every
//! figure from the recording with the new configuration.

use crate::metrics::{DeadlineConfig, TtftDeadline};
use crate::present::chart::number_text;

/// The TTFT field: a fixed deadline, or the slack over the predicted
/// prefill time when the deadline comes from a prefill model.
#[derive(Debug, Clone, PartialEq)]
pub struct TtftField {
    pub label: &'static str,
    pub seconds: f64,
}

/// What the TTFT field shows for `config`.
pub fn ttft_field(config: &DeadlineConfig) -> TtftField {
    match &config.ttft_deadline {
        TtftDeadline::Fixed(seconds) => TtftField {
            label: "TTFT deadline",
            seconds: *seconds,
        },
        TtftDeadline::Prefill { slack, .. } => TtftField {
            label: "TTFT slack over the predicted prefill time",
            seconds: *slack,
        },
    }
}

/// `config` with the TTFT field set to `seconds` (the fixed deadline, or
/// the slack of a prefill-model deadline).
pub fn with_ttft_field(config: &DeadlineConfig, seconds: f64) -> DeadlineConfig {
    let mut config = config.clone();
    match &mut config.ttft_deadline {
        TtftDeadline::Fixed(fixed) => *fixed = seconds,
        TtftDeadline::Prefill { slack, .. } => *slack = seconds,
    }
    config
}

/// `config` with the TBT deadline set to `seconds`.
pub fn with_tbt_deadline(config: &DeadlineConfig, seconds: f64) -> DeadlineConfig {
    DeadlineConfig {
        tbt_deadline: seconds,
        ..config.clone()
    }
}

/// `config` with the target miss rate set to `fraction`.
pub fn with_target_miss_rate(config: &DeadlineConfig, fraction: f64) -> DeadlineConfig {
    DeadlineConfig {
        target_miss_rate: fraction,
        ..config.clone()
    }
}

/// Seconds as the text of a seconds field: "0.05", "0.2", "1.5".
pub fn seconds_text(seconds: f64) -> String {
    number_text(seconds, 6)
}

/// Steps of a slider on a log scale: fine where deadlines are short.
pub const LOG_SLIDER_STEPS: f64 = 1000.0;

/// Where `seconds` sits on a slider from `min` to `max` seconds on a log
/// scale, 0 to [`LOG_SLIDER_STEPS`]: 100 ms is in the middle of 10 ms to
/// 1 s, not at the far left as on a linear 0-5 s slider. Values outside
/// the range sit at its ends.
pub fn log_slider_position(seconds: f64, min: f64, max: f64) -> f64 {
    if !(seconds.is_finite() && seconds > 0.0) {
        return 0.0;
    }
    let share = (seconds / min).ln() / (max / min).ln();
    (share.clamp(0.0, 1.0) * LOG_SLIDER_STEPS).round()
}

/// The seconds at `position` of such a slider, rounded to 2 significant
/// digits so that the field reads "0.12", not "0.1202264".
pub fn log_slider_seconds(position: f64, min: f64, max: f64) -> f64 {
    let share = (position / LOG_SLIDER_STEPS).clamp(0.0, 1.0);
    let seconds = min * (max / min).powf(share);
    let scale = 10f64.powf(seconds.log10().floor() - 1.0);
    (seconds / scale).round() * scale
}

/// A fraction as the text of a percent field: "10", "2.5".
pub fn percent_text(fraction: f64) -> String {
    number_text(fraction * 100.0, 3)
}

/// Seconds typed by the user. `allow_zero` for a TTFT slack or deadline
/// of 0; a TBT deadline must be positive.
pub fn parse_seconds(text: &str, allow_zero: bool) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| "Type a number of seconds, like 0.05 for 50 ms.".to_string())?;
    if !value.is_finite() || value < 0.0 || (!allow_zero && value == 0.0) {
        return Err(if allow_zero {
            "Type 0 or more seconds.".to_string()
        } else {
            "Type more than 0 seconds, like 0.05 for 50 ms.".to_string()
        });
    }
    Ok(value)
}

/// A percentage typed by the user (0 to 100), as a fraction.
pub fn parse_percent(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .trim_end_matches('%')
        .trim()
        .parse()
        .map_err(|_| "Type a percentage, like 10.".to_string())?;
    if !(0.0..=100.0).contains(&value) {
        return Err("Type a percentage between 0 and 100.".to_string());
    }
    Ok(value / 100.0)
}
