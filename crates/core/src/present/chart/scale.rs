//! Scales: a map from a data domain to a screen range (pixels), linear or
//! logarithmic, with its inverse (for reading a pointer position back as a
//! value) and its ticks.

use super::ticks::{linear_ticks, log_bounds, log_ticks, nice_ticks};

/// Linear or base-10 logarithmic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScaleKind {
    #[default]
    Linear,
    Log,
}

/// Maps `domain.0 -> range.0` and `domain.1 -> range.1` (a range may run
/// backwards, as a y axis does on screen).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub kind: ScaleKind,
    pub domain: (f64, f64),
    pub range: (f64, f64),
}

impl Scale {
    /// A linear scale.
    pub fn linear(domain: (f64, f64), range: (f64, f64)) -> Self {
        Scale {
            kind: ScaleKind::Linear,
            domain,
            range,
        }
    }

    /// A log scale. A domain that is not positive is replaced by three
    /// decades below its upper end (or `[1, 10]`); values at or below zero
    /// are drawn at the lower end.
    pub fn log(domain: (f64, f64), range: (f64, f64)) -> Self {
        let (mut lo, mut hi) = domain;
        if !(hi.is_finite() && hi > 0.0) {
            hi = 10.0;
        }
        if !(lo > 0.0 && lo < hi) {
            lo = if lo > 0.0 { hi / 10.0 } else { hi / 1000.0 };
        }
        Scale {
            kind: ScaleKind::Log,
            domain: (lo, hi),
            range,
        }
    }

    /// A scale of the given kind whose domain covers `[lo, hi]`, widened to
    /// nice tick values (whole steps, or whole decades for log).
    pub fn nice(kind: ScaleKind, lo: f64, hi: f64, range: (f64, f64), target: usize) -> Self {
        match kind {
            ScaleKind::Linear => {
                let t = nice_ticks(lo, hi, target);
                Scale::linear((t.lo, t.hi), range)
            }
            ScaleKind::Log => Scale::log(log_bounds(lo, hi), range),
        }
    }

    fn unit_of(&self, v: f64) -> f64 {
        let (d0, d1) = self.domain;
        match self.kind {
            ScaleKind::Linear => {
                if d1 == d0 {
                    0.5
                } else {
                    (v - d0) / (d1 - d0)
                }
            }
            ScaleKind::Log => {
                let v = if v > 0.0 { v } else { d0 };
                let (l0, l1) = (d0.log10(), d1.log10());
                if l1 == l0 {
                    0.5
                } else {
                    (v.log10() - l0) / (l1 - l0)
                }
            }
        }
    }

    fn value_at_unit(&self, u: f64) -> f64 {
        let (d0, d1) = self.domain;
        match self.kind {
            ScaleKind::Linear => d0 + u * (d1 - d0),
            ScaleKind::Log => {
                let (l0, l1) = (d0.log10(), d1.log10());
                10f64.powf(l0 + u * (l1 - l0))
            }
        }
    }

    /// The screen position of value `v`.
    pub fn apply(&self, v: f64) -> f64 {
        let (r0, r1) = self.range;
        r0 + self.unit_of(v) * (r1 - r0)
    }

    /// The value at screen position `r` (the inverse of [`Scale::apply`]).
    pub fn invert(&self, r: f64) -> f64 {
        let (r0, r1) = self.range;
        let u = if r1 == r0 { 0.5 } else { (r - r0) / (r1 - r0) };
        self.value_at_unit(u)
    }

    /// Tick values inside the domain, about `target` of them.
    pub fn ticks(&self, target: usize) -> Vec<f64> {
        let (d0, d1) = self.domain;
        match self.kind {
            ScaleKind::Linear => linear_ticks(d0, d1, target),
            ScaleKind::Log => log_ticks(d0, d1, target),
        }
    }

    /// Whether `v` lies in the domain (within rounding).
    pub fn contains(&self, v: f64) -> bool {
        let (lo, hi) = if self.domain.0 <= self.domain.1 {
            self.domain
        } else {
            (self.domain.1, self.domain.0)
        };
        let tol = (hi - lo).abs() * 1e-9;
        v >= lo - tol && v <= hi + tol
    }
}

/// Largest spread, as a share of the values' level, that an axis fitted to
/// the data would magnify into a look of large differences: below it the
/// axis starts at zero and the spread is said in words instead.
pub const NEGLIGIBLE_SPREAD: f64 = 0.05;

/// Whether values from `lo` to `hi` (all of one sign) spread over less than
/// [`NEGLIGIBLE_SPREAD`] of their level, the larger magnitude. An axis
/// fitted to them would stretch a negligible difference across the plot.
/// Equal values count as a negligible spread; zero and mixed signs do not.
pub fn negligible_spread(lo: f64, hi: f64) -> bool {
    if !(lo.is_finite() && hi.is_finite()) || lo > hi {
        return false;
    }
    let level = lo.abs().max(hi.abs());
    let one_sign = lo > 0.0 || hi < 0.0;
    one_sign && hi - lo < NEGLIGIBLE_SPREAD * level
}

/// How far values lie from their median, for the sentence beside an axis
/// that starts at zero: `(median, largest distance from it)`. `None` unless
/// the finite values' spread is negligible ([`negligible_spread`]).
pub fn narrow_spread(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let mut finite: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return None;
    }
    finite.sort_by(f64::total_cmp);
    let (lo, hi) = (finite[0], finite[finite.len() - 1]);
    if !negligible_spread(lo, hi) {
        return None;
    }
    let median = crate::metrics::quantile_sorted(&finite, 0.5)?;
    Some((median, (hi - median).max(median - lo)))
}
