//! "Nice" tick values: steps of 1, 2 or 5 times a power of ten on linear
//! axes, powers of ten (with 2 and 5 between them when there is room) on log
//! axes, and how many ticks fit in a given length of screen.

/// How many ticks to aim for along `length` pixels when labels need about
/// `spacing` pixels each: at least 2, at most 10.
pub fn tick_target(length: f64, spacing: f64) -> usize {
    if length.is_nan() || spacing.is_nan() || length <= 0.0 || spacing <= 0.0 {
        return 2;
    }
    ((length / spacing).floor() as usize).clamp(2, 10)
}

/// A step of 1, 2 or 5 times a power of ten, kept as mantissa and exponent
/// so that multiples print without binary noise (`3 * 0.1` is built as
/// `3 / 10`, which is `0.3`, not `0.30000000000000004`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NiceStep {
    /// 1, 2 or 5.
    pub mantissa: u8,
    /// Power of ten.
    pub exponent: i32,
}

impl NiceStep {
    /// The step's value.
    pub fn value(self) -> f64 {
        self.multiple(1)
    }

    /// `k` times the step, rounded once (exact for the decimals it names).
    pub fn multiple(self, k: i64) -> f64 {
        let m = k as f64 * f64::from(self.mantissa);
        if self.exponent >= 0 {
            m * 10f64.powi(self.exponent)
        } else {
            m / 10f64.powi(-self.exponent)
        }
    }

    /// Decimal places its multiples need.
    pub fn decimals(self) -> usize {
        if self.exponent >= 0 {
            0
        } else {
            (-self.exponent) as usize
        }
    }
}

/// The nice step that splits `span` into about `target` intervals (the
/// smallest 1-2-5 step giving at most `target` of them, approximately).
pub fn nice_step(span: f64, target: usize) -> NiceStep {
    let target = target.max(1) as f64;
    let span = if span.is_finite() && span > 0.0 {
        span
    } else {
        1.0
    };
    let raw = span / target;
    let mut exponent = raw.log10().floor() as i32;
    let fraction = raw / 10f64.powi(exponent);
    let mantissa = if fraction <= 1.0 + 1e-9 {
        1
    } else if fraction <= 2.0 + 1e-9 {
        2
    } else if fraction <= 5.0 + 1e-9 {
        5
    } else {
        exponent += 1;
        1
    };
    NiceStep { mantissa, exponent }
}

/// A domain widened to whole steps, and its ticks.
#[derive(Debug, Clone, PartialEq)]
pub struct NiceTicks {
    pub lo: f64,
    pub hi: f64,
    pub step: NiceStep,
    /// From `lo` to `hi` inclusive, one step apart.
    pub values: Vec<f64>,
}

/// Widens `[lo, hi]` to multiples of a nice step giving about `target`
/// intervals, and lists the ticks; the first tick is the new `lo`, the last
/// the new `hi`. A single value (`lo == hi`) gets a small domain around it.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> NiceTicks {
    let (mut lo, mut hi) = ordered_finite(lo, hi);
    if lo == hi {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= pad;
        hi += pad;
    }
    let step = nice_step(hi - lo, target);
    let s = step.value();
    // The largest multiple at or below lo, the smallest at or above hi.
    let mut first = (lo / s).floor() as i64 + 1;
    while step.multiple(first) > lo {
        first -= 1;
    }
    let mut last = (hi / s).ceil() as i64 - 1;
    while step.multiple(last) < hi {
        last += 1;
    }
    let values: Vec<f64> = (first..=last).map(|k| step.multiple(k)).collect();
    NiceTicks {
        lo: values[0],
        hi: values[values.len() - 1],
        step,
        values,
    }
}

/// The ticks of a nice step inside `[lo, hi]`, without widening it; at
/// least two when `lo < hi` (a finer step is taken when needed).
pub fn linear_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = ordered_finite(lo, hi);
    if lo == hi {
        return vec![lo];
    }
    let mut target = target.max(1);
    loop {
        let step = nice_step(hi - lo, target);
        let s = step.value();
        let tolerance = s * 1e-9;
        let mut first = (lo / s).ceil() as i64 - 1;
        while step.multiple(first) < lo - tolerance {
            first += 1;
        }
        let mut last = (hi / s).floor() as i64 + 1;
        while step.multiple(last) > hi + tolerance {
            last -= 1;
        }
        if last > first || target >= 64 {
            return (first..=last).map(|k| step.multiple(k)).collect();
        }
        target *= 2;
    }
}

/// Ticks for a log axis over `[lo, hi]` (both positive): every power of ten
/// inside, with 2 and 5 times them when the domain spans few decades, or
/// every second, third... decade when it spans many. When no power of ten
/// falls inside, the linear ticks of the domain.
pub fn log_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = ordered_finite(lo, hi);
    if lo <= 0.0 {
        return linear_ticks(lo, hi, target);
    }
    let first = (lo.log10() - 1e-9).ceil() as i32;
    let last = (hi.log10() + 1e-9).floor() as i32;
    let decades = last - first + 1;
    let target = target.max(2) as i32;
    if decades < 1 {
        return linear_ticks(lo, hi, target as usize);
    }
    let mut ticks = Vec::new();
    if decades * 3 <= target {
        for e in (first - 1)..=last {
            for m in [1.0, 2.0, 5.0] {
                let v = power_of_ten(e) * m;
                if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                    ticks.push(v);
                }
            }
        }
    } else {
        let every = ((decades + target - 1) / target).max(1);
        let mut e = first;
        while e <= last {
            ticks.push(power_of_ten(e));
            e += every;
        }
    }
    if ticks.len() < 2 {
        return linear_ticks(lo, hi, target as usize);
    }
    ticks
}

/// The log domain widened to whole decades around `[lo, hi]`.
pub fn log_bounds(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = ordered_finite(lo, hi);
    let lo = if lo > 0.0 {
        lo
    } else {
        hi.max(1e-300) / 1000.0
    };
    let hi = if hi > lo { hi } else { lo * 10.0 };
    (
        power_of_ten((lo.log10() + 1e-9).floor() as i32),
        power_of_ten((hi.log10() - 1e-9).ceil() as i32),
    )
}

/// `10^e`, exact for the decimals it names (`10^-3` is built as `1 / 1000`).
pub fn power_of_ten(e: i32) -> f64 {
    if e >= 0 {
        10f64.powi(e)
    } else {
        1.0 / 10f64.powi(-e)
    }
}

fn ordered_finite(a: f64, b: f64) -> (f64, f64) {
    let a = if a.is_finite() { a } else { 0.0 };
    let b = if b.is_finite() { b } else { a };
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_five() {
        assert_eq!(nice_step(1.0, 5).value(), 0.2);
        assert_eq!(nice_step(0.1, 5).value(), 0.02);
        assert_eq!(nice_step(100.0, 4).value(), 50.0);
        assert_eq!(nice_step(7.0, 10).value(), 1.0);
    }

    #[test]
    fn tick_values_print_without_noise() {
        let t = nice_ticks(0.0, 0.9, 10);
        assert!(t.values.contains(&0.3), "{:?}", t.values);
    }
}
