//! Figures as people read them on the results and run screens: times in
//! µs, ms or s, rates in tokens/s, shares in %, all with three significant
//! digits; and durations of a run ("1 min 05 s"). A missing or non-finite
//! figure is an em dash.

/// Shown for a figure that does not exist (no completed request) or is not
/// a finite number.
pub const NO_FIGURE: &str = "—";

/// `v` with `digits` significant digits, as text ("42.3", "0.00512",
/// "230"); larger numbers keep all their whole digits ("1234").
pub fn significant(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return NO_FIGURE.to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let digits = digits.max(1) as i32;
    // Whole numbers keep every digit ("1234", not "1230").
    if v.abs() >= 10f64.powi(digits - 1) {
        return format!("{v:.0}");
    }
    let rounded = round_significant(v, digits);
    let magnitude = rounded.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    format!("{rounded:.decimals$}")
}

/// `v` rounded to `digits` significant digits (as a number).
fn round_significant(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let magnitude = v.abs().log10().floor() as i32;
    let factor = 10f64.powi(digits - 1 - magnitude);
    let rounded = (v * factor).round() / factor;
    // Rounding can carry into the next power of ten (999.7 -> 1000): fine,
    // the caller reads the magnitude of the rounded value.
    if rounded.is_finite() {
        rounded
    } else {
        v
    }
}

/// A time in seconds: "850 µs", "42.3 ms", "1.24 s".
pub fn format_seconds(seconds: f64) -> String {
    if !seconds.is_finite() {
        return NO_FIGURE.to_string();
    }
    if seconds == 0.0 {
        return "0 ms".to_string();
    }
    let rounded = round_significant(seconds, 3);
    let m = rounded.abs();
    if m < 1e-3 {
        format!("{} µs", significant(seconds * 1e6, 3))
    } else if m < 1.0 {
        format!("{} ms", significant(seconds * 1e3, 3))
    } else {
        format!("{} s", significant(seconds, 3))
    }
}

/// A rate in tokens per second: "42.3 tokens/s".
pub fn format_rate(tokens_per_second: f64) -> String {
    if !tokens_per_second.is_finite() {
        return NO_FIGURE.to_string();
    }
    format!("{} tokens/s", significant(tokens_per_second, 3))
}

/// A share (0..=1) as a percentage: "97.3 %". Never says 100 % or 0 % for a
/// share that is not exactly 1 or 0 ("> 99.9 %", "< 0.1 %").
pub fn format_share(fraction: f64) -> String {
    if !fraction.is_finite() {
        return NO_FIGURE.to_string();
    }
    let percent = fraction * 100.0;
    if fraction == 1.0 || fraction == 0.0 {
        return format!("{percent:.0} %");
    }
    if percent > 99.95 && percent < 100.0 {
        return "> 99.9 %".to_string();
    }
    if percent > 0.0 && percent < 0.05 {
        return "< 0.1 %".to_string();
    }
    format!("{percent:.1} %")
}

/// A duration of a run, rounded to the second: "8 s", "1 min 05 s",
/// "1 h 02 min".
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return NO_FIGURE.to_string();
    }
    let total = seconds.round() as u64;
    let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60);
    if hours > 0 {
        format!("{hours} h {minutes:02} min")
    } else if minutes > 0 {
        format!("{minutes} min {secs:02} s")
    } else {
        format!("{secs} s")
    }
}

/// A figure for a `data-value` attribute: full precision (Rust's shortest
/// text that reads back to the same f64), empty when there is none.
pub fn raw_value(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => String::new(),
    }
}
