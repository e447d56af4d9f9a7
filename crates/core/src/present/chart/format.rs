//! Numbers as people read them, the one home of the app's number and
//! duration formats (the report re-exports its part).
//!
//! On a chart: a unit chosen by magnitude ("250 µs", "12 ms", "1.5 s",
//! "42 tok/s", "12%"), three significant digits with trailing zeros cut
//! for single values, and one shared unit and precision for the ticks of
//! an axis; a missing value is an en dash.
//!
//! On the results and run screens (cards, tables, sentences): times in µs,
//! ms or s, rates in tokens/s, shares in %, all with three significant
//! digits ("12.0 ms"); durations of a run ("1 min 05 s"); a missing or
//! non-finite figure is an em dash ([`NO_FIGURE`]).
//!
//! Both round with [`round_significant`] (decimal, correctly rounded).

/// What a value measures (values are always in base units: seconds, tokens
/// per second, fractions in [0, 1], counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// Seconds, shown as µs, ms or s.
    Seconds,
    /// Tokens per second, shown as tok/s or k tok/s.
    TokensPerSecond,
    /// A fraction shown as is (the fluidity-index: 0.95).
    Fraction,
    /// A fraction shown as a percentage (a miss rate: 0.12 is "12%").
    Percent,
    /// A count of things (requests, tokens).
    Count,
    /// A plain number.
    #[default]
    Plain,
}

/// How a value is shown: multiplied by `factor`, followed by `symbol`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DisplayUnit {
    pub factor: f64,
    /// "ms", "tok/s", "%", or "" for none.
    pub symbol: &'static str,
}

impl DisplayUnit {
    /// `number` followed by the symbol ("12 ms", "12%", "12.5k tok/s", "0.95").
    pub fn attach(&self, number: &str) -> String {
        match self.symbol {
            "" => number.to_string(),
            "%" => format!("{number}%"),
            // "12.5k tok/s": a multiplier sticks to the number.
            s if s.starts_with("k ") => format!("{number}{s}"),
            s => format!("{number} {s}"),
        }
    }
}

/// The display unit for values of about `magnitude` (absolute, base units).
pub fn display_unit(unit: Unit, magnitude: f64) -> DisplayUnit {
    let m = magnitude.abs();
    match unit {
        Unit::Seconds => {
            if m == 0.0 || (1e-3..1.0).contains(&m) || !m.is_finite() {
                DisplayUnit {
                    factor: 1e3,
                    symbol: "ms",
                }
            } else if m < 1e-3 {
                DisplayUnit {
                    factor: 1e6,
                    symbol: "µs",
                }
            } else {
                DisplayUnit {
                    factor: 1.0,
                    symbol: "s",
                }
            }
        }
        Unit::TokensPerSecond => {
            if m >= 1e4 && m.is_finite() {
                DisplayUnit {
                    factor: 1e-3,
                    symbol: "k tok/s",
                }
            } else {
                DisplayUnit {
                    factor: 1.0,
                    symbol: "tok/s",
                }
            }
        }
        Unit::Percent => DisplayUnit {
            factor: 100.0,
            symbol: "%",
        },
        Unit::Fraction | Unit::Count | Unit::Plain => DisplayUnit {
            factor: 1.0,
            symbol: "",
        },
    }
}

/// One value with its unit, three significant digits, trailing zeros cut:
/// `format_value(0.012, Unit::Seconds) == "12 ms"`, `1.5` is "1.5 s",
/// `0.00025` is "250 µs". NaN and infinities print as "–".
pub fn format_value(v: f64, unit: Unit) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    if unit == Unit::Count {
        return format!("{}", v.round() as i64);
    }
    let rounded = round_significant(v, 3);
    let display = display_unit(unit, rounded);
    let shown = round_significant(rounded * display.factor, 3);
    display.attach(&trim_zeros(&format!(
        "{:.*}",
        decimals_for_significant(shown, 3),
        shown
    )))
}

/// A number in a display unit, without the symbol, three significant
/// digits (for tables whose header names the unit).
pub fn format_number(v: f64, display: DisplayUnit) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let shown = round_significant(v * display.factor, 3);
    trim_zeros(&format!("{:.*}", decimals_for_significant(shown, 3), shown))
}

/// Labels for axis ticks: one display unit for all of them, numbers only
/// (the unit goes in the axis title). With `shared_precision` (linear
/// axes), the unit suits the largest tick and every label has the same
/// number of decimals; without (log axes), the unit suits the middle decade
/// and each label has as few decimals as it needs.
pub fn format_ticks(
    values: &[f64],
    unit: Unit,
    shared_precision: bool,
) -> (DisplayUnit, Vec<String>) {
    let finite = values.iter().filter(|v| v.is_finite() && **v != 0.0);
    let magnitude = if shared_precision {
        finite.fold(0.0f64, |m, v| m.max(v.abs()))
    } else {
        let logs: Vec<f64> = finite.map(|v| v.abs().log10()).collect();
        if logs.is_empty() {
            0.0
        } else {
            10f64.powf(logs.iter().sum::<f64>() / logs.len() as f64)
        }
    };
    let display = display_unit(unit, magnitude);
    let scaled: Vec<f64> = values.iter().map(|v| v * display.factor).collect();
    let shared = scaled
        .iter()
        .map(|&v| decimals_needed(v))
        .max()
        .unwrap_or(0);
    let labels = scaled
        .iter()
        .map(|&v| {
            let d = if shared_precision {
                shared
            } else {
                decimals_needed(v)
            };
            let text = format!("{:.*}", d, v);
            // "-0" reads oddly on an axis.
            if text
                .trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.')
            {
                text.trim_start_matches('-').to_string()
            } else {
                text
            }
        })
        .collect();
    (display, labels)
}

/// `v` rounded to `digits` significant digits (decimal, correctly rounded).
pub fn round_significant(v: f64, digits: usize) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    format!("{:.*e}", digits.max(1) - 1, v).parse().unwrap_or(v)
}

/// Decimals that show `v` (already rounded) with `digits` significant
/// digits.
fn decimals_for_significant(v: f64, digits: usize) -> usize {
    if v == 0.0 {
        return 0;
    }
    let magnitude = v.abs().log10().floor() as i32;
    (digits as i32 - 1 - magnitude).clamp(0, 12) as usize
}

/// Fewest decimals (up to 9) that print `v` without losing its value.
fn decimals_needed(v: f64) -> usize {
    if !v.is_finite() {
        return 0;
    }
    let tolerance = 1e-9 * v.abs().max(1e-12);
    (0..=9)
        .find(|&d| {
            let printed: f64 = format!("{:.*}", d, v).parse().unwrap_or(v);
            (printed - v).abs() <= tolerance
        })
        .unwrap_or(9)
}

/// A number's text without trailing zeros after the point ("1.50" is
/// "1.5", "2.0" is "2"); "-0" is "0".
pub(crate) fn trim_zeros(text: &str) -> String {
    if text.contains('.') {
        let t = text.trim_end_matches('0').trim_end_matches('.');
        if t == "-0" {
            "0".to_string()
        } else {
            t.to_string()
        }
    } else {
        text.to_string()
    }
}

/// Shown for a figure that does not exist (no completed request) or is not
/// a finite number, on the results and run screens.
pub const NO_FIGURE: &str = "—";

/// `v` with `digits` significant digits, as text ("42.3", "0.00512",
/// "230", trailing zeros kept: "12.0"); larger numbers keep all their
/// whole digits ("1234").
pub fn significant(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return NO_FIGURE.to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let digits = digits.max(1);
    // Whole numbers keep every digit ("1234", not "1230").
    if v.abs() >= 10f64.powi(digits as i32 - 1) {
        return format!("{v:.0}");
    }
    // Rounding can carry into the next power of ten (0.9997 -> 1.00): the
    // decimals follow the rounded value.
    let rounded = round_significant(v, digits);
    format!("{rounded:.*}", decimals_for_significant(rounded, digits))
}

/// A time in seconds: "850 µs", "42.3 ms", "1.24 s".
pub fn format_seconds(seconds: f64) -> String {
    if !seconds.is_finite() {
        return NO_FIGURE.to_string();
    }
    if seconds == 0.0 {
        return "0 ms".to_string();
    }
    let m = round_significant(seconds, 3).abs();
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

/// A count with thousands separated: "10,000,000".
pub fn format_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A figure for a `data-value` attribute: full precision (Rust's shortest
/// text that reads back to the same f64), empty when there is none.
pub fn raw_value(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => String::new(),
    }
}

/// `v` with at most `decimals` decimals and no trailing zeros ("0.05",
/// "2.5"); empty when not finite. The text of an input field.
pub fn number_text(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return String::new();
    }
    trim_zeros(&format!("{v:.decimals$}"))
}

/// The sentence beside an axis that starts at zero because its values hardly
/// differ: "Every TPOT is within 35 µs of 20.5 ms (the median), too small a
/// spread to matter: the axis starts at 0 so that it does not look large."
/// `each` names one value ("TPOT", "request's fluidity-index").
pub fn spread_sentence(each: &str, median: f64, distance: f64, unit: Unit) -> String {
    if distance > 0.0 {
        format!(
            "Every {each} is within {} of {} (the median), too small a spread to matter: \
             the axis starts at 0 so that it does not look large.",
            format_value(distance, unit),
            format_value(median, unit)
        )
    } else {
        format!(
            "Every {each} is {}: the axis starts at 0 so that the curve shows where that lies.",
            format_value(median, unit)
        )
    }
}
