//! Histograms: bins by the Freedman–Diaconis rule (width `2 IQR / n^(1/3)`,
//! rounded up to a 1-2-5 width so that edges read well) or a fixed count,
//! over the data's range or a given one (the fluidity-index lives in
//! [0, 1]); and the bars' rectangles on screen.

use super::axis::{axis_layout, frame_for, AxisLayout, Frame, X_TICK_SPACING, Y_TICK_SPACING};
use super::format::Unit;
use super::line::AxisSpec;
use super::scale::Scale;
use super::ticks::{nice_step, nice_ticks, tick_target};
use crate::metrics::{quantile_sorted, sort_floats};

/// How to choose the bins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinRule {
    /// Freedman–Diaconis width, rounded up to a nice width, at most
    /// `max_bins` bins (Sturges' count when the IQR is 0).
    FreedmanDiaconis { max_bins: usize },
    /// This many equal bins (at least 1).
    Fixed(usize),
}

/// Counts per bin; bin `i` is `[edges[i], edges[i + 1])`, the last one
/// closed on the right.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
    /// Finite samples outside a given range (not counted in any bin).
    pub outside: u64,
}

impl Histogram {
    /// Samples counted in the bins.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Bins the finite values of `samples` by `rule`, over `range` or the data's
/// own range. Every finite sample inside the range lands in exactly one bin.
pub fn histogram(samples: &[f64], rule: BinRule, range: Option<(f64, f64)>) -> Histogram {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    sort_floats(&mut sorted);
    let n = sorted.len();
    let (lo, hi) = match range {
        Some((a, b)) if a.is_finite() && b.is_finite() && a < b => (a, b),
        _ if n > 0 => (sorted[0], sorted[n - 1]),
        _ => (0.0, 1.0),
    };
    let (lo, hi) = if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let edges = match rule {
        BinRule::Fixed(k) => equal_edges(lo, hi, k.max(1)),
        BinRule::FreedmanDiaconis { max_bins } => {
            fd_edges(&sorted, lo, hi, max_bins.max(1), range.is_some())
        }
    };
    let bins = edges.len() - 1;
    let mut counts = vec![0u64; bins];
    let mut outside = 0;
    let (first, last) = (edges[0], edges[bins]);
    for &v in &sorted {
        if v < first || v > last {
            outside += 1;
            continue;
        }
        let width = (last - first) / bins as f64;
        let mut b = (((v - first) / width).floor() as usize).min(bins - 1);
        // The computed index may be one off at an edge; the edges decide.
        while b > 0 && v < edges[b] {
            b -= 1;
        }
        while b + 1 < bins && v >= edges[b + 1] {
            b += 1;
        }
        counts[b] += 1;
    }
    Histogram {
        edges,
        counts,
        outside,
    }
}

fn equal_edges(lo: f64, hi: f64, k: usize) -> Vec<f64> {
    (0..=k)
        .map(|i| {
            if i == k {
                hi
            } else {
                lo + (hi - lo) * i as f64 / k as f64
            }
        })
        .collect()
}

fn fd_edges(sorted: &[f64], lo: f64, hi: f64, max_bins: usize, fixed_range: bool) -> Vec<f64> {
    let n = sorted.len();
    let iqr = match (quantile_sorted(sorted, 0.75), quantile_sorted(sorted, 0.25)) {
        (Some(q3), Some(q1)) => q3 - q1,
        _ => 0.0,
    };
    let span = hi - lo;
    let raw_width = if iqr > 0.0 && n > 0 {
        2.0 * iqr / (n as f64).cbrt()
    } else {
        // Sturges: ceil(log2 n) + 1 bins.
        let k = ((n.max(1) as f64).log2().ceil() as usize + 1).max(1);
        span / k as f64
    };
    let raw_width = raw_width.max(span / max_bins as f64);
    let step = nice_step(raw_width, 1);
    let mut width = step.value();
    if width < raw_width * (1.0 - 1e-9) {
        width = nice_step(raw_width * 1.0001, 1).value();
    }
    if fixed_range {
        let k = ((span / width) - 1e-9).ceil().max(1.0) as usize;
        return equal_edges(lo, hi, k.min(max_bins));
    }
    let first = (lo / width + 1e-9).floor() as i64;
    let mut last = (hi / width - 1e-9).ceil() as i64;
    if last <= first {
        last = first + 1;
    }
    if (last - first) as usize > max_bins {
        return equal_edges(lo, hi, max_bins);
    }
    (first..=last).map(|k| step_multiple(width, k)).collect()
}

fn step_multiple(width: f64, k: i64) -> f64 {
    // `width` is 1, 2 or 5 times a power of ten: build k * width from the
    // mantissa and exponent, so that edges print as the decimals they are.
    let step = nice_step(width, 1);
    step.multiple(k)
}

/// One bar on screen with what it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub lo: f64,
    pub hi: f64,
    pub count: u64,
}

/// A histogram ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramLayout {
    pub frame: Frame,
    pub x: AxisLayout,
    pub y: AxisLayout,
    pub bars: Vec<Bar>,
}

/// Lays out `hist` with x axis `x` (its domain is the bins' range) and a
/// count axis titled `y_quantity`, in a chart `width` × `height`.
pub fn histogram_layout(
    hist: &Histogram,
    x: &AxisSpec,
    y_quantity: &str,
    width: f64,
    height: f64,
) -> HistogramLayout {
    let probe = frame_for(width, height, 0, 0);
    let y_target = tick_target(probe.plot_height(), Y_TICK_SPACING);
    let max_count = hist.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    // Counts are whole: at most one tick per count, so no step below 1.
    let y_target = y_target.min(max_count as usize).max(1);
    let y_hi = nice_ticks(0.0, max_count, y_target).hi.max(1.0);
    let y_scale = Scale::linear((0.0, y_hi), (probe.bottom, probe.top));
    let y_axis = axis_layout(&y_scale, Unit::Count, y_quantity, y_target);

    let (lo, hi) = match (hist.edges.first(), hist.edges.last()) {
        (Some(&a), Some(&b)) if a < b => (a, b),
        _ => (0.0, 1.0),
    };
    let x_spec = AxisSpec {
        domain: Some(x.domain.unwrap_or((lo, hi))),
        ..x.clone()
    };
    let guess = axis_layout(
        &x_spec.scale(std::iter::empty(), (0.0, 1.0), 5),
        x.unit,
        "",
        5,
    );
    let frame = frame_for(width, height, y_axis.widest_label(), guess.widest_label());
    let y_scale = Scale::linear((0.0, y_hi), (frame.bottom, frame.top));
    let x_target = tick_target(frame.plot_width(), X_TICK_SPACING);
    let x_scale = x_spec.scale(std::iter::empty(), (frame.left, frame.right), x_target);
    let x_axis = axis_layout(&x_scale, x.unit, &x.quantity, x_target);
    let bars = hist
        .counts
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let (a, b) = (hist.edges[i], hist.edges[i + 1]);
            let (x0, x1) = (x_scale.apply(a), x_scale.apply(b));
            let top = y_scale.apply(count as f64);
            let gap = if (x1 - x0) > 4.0 { 1.0 } else { 0.0 };
            Bar {
                x: x0 + gap / 2.0,
                y: top,
                width: (x1 - x0 - gap).max(0.5),
                height: (frame.bottom - top).max(0.0),
                lo: a,
                hi: b,
                count,
            }
        })
        .collect();
    HistogramLayout {
        frame,
        x: x_axis,
        y: y_axis,
        bars,
    }
}
