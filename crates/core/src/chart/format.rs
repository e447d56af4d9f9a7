//! Numbers as people read them on a chart: a unit chosen by magnitude
//! ("250 µs", "12 ms", "1.5 s", "42 tok/s", "12%"), three significant
//! digits for single values, and one shared unit and precision for the
//! ticks of an axis.

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

fn trim_zeros(text: &str) -> String {
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
