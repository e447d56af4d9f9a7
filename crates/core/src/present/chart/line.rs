//! Line charts: named series of (x, y) points on two axes, laid out into
//! SVG paths; the value under a pointer; and the key points a text
//! alternative lists.

use super::axis::{
    axis_layout, frame_for, AxisLayout, Frame, CHAR_WIDTH, FONT_SIZE, X_TICK_SPACING,
    Y_TICK_SPACING,
};
use super::format::Unit;
use super::palette::{series_style, SeriesStyle};
use super::path::{polyline_path, step_path};
use super::scale::{negligible_spread, Scale, ScaleKind};
use super::ticks::tick_target;

/// A named series of points (x, y), in base units.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

impl Series {
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            name: name.into(),
            points,
        }
    }
}

/// What an axis shows: the quantity's name, its unit, linear or log, and
/// optionally a fixed domain or a domain that starts at zero.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AxisSpec {
    pub quantity: String,
    pub unit: Unit,
    pub kind: ScaleKind,
    /// Fixed domain; `None` fits the data (widened to nice ticks).
    pub domain: Option<(f64, f64)>,
    /// Widen a fitted domain to include 0.
    pub include_zero: bool,
}

impl AxisSpec {
    pub fn new(quantity: impl Into<String>, unit: Unit) -> Self {
        AxisSpec {
            quantity: quantity.into(),
            unit,
            ..AxisSpec::default()
        }
    }

    /// The same axis, logarithmic (or linear, with `log == false`).
    pub fn log(mut self, log: bool) -> Self {
        self.kind = if log {
            ScaleKind::Log
        } else {
            ScaleKind::Linear
        };
        self
    }

    /// The same axis with a fixed domain.
    pub fn domain(mut self, lo: f64, hi: f64) -> Self {
        self.domain = Some((lo, hi));
        self
    }

    /// The same axis, its fitted domain starting at zero.
    pub fn from_zero(mut self) -> Self {
        self.include_zero = true;
        self
    }

    /// The scale of this axis for data values `values`, on screen range
    /// `range`, with about `target` ticks. A fitted domain whose spread is
    /// negligible ([`negligible_spread`]) starts at zero on a linear scale,
    /// log or not: fitted, it would magnify that spread across the plot.
    pub fn scale(
        &self,
        values: impl Iterator<Item = f64>,
        range: (f64, f64),
        target: usize,
    ) -> Scale {
        if let Some((lo, hi)) = self.domain {
            return match self.kind {
                ScaleKind::Linear => Scale::linear((lo, hi), range),
                ScaleKind::Log => Scale::log((lo, hi), range),
            };
        }
        let positive_only = self.kind == ScaleKind::Log;
        let (mut lo, mut hi) =
            extent(values.filter(|v| !positive_only || *v > 0.0)).unwrap_or(if positive_only {
                (1.0, 10.0)
            } else {
                (0.0, 1.0)
            });
        let mut kind = self.kind;
        if negligible_spread(lo, hi) {
            kind = ScaleKind::Linear;
        }
        if (self.include_zero || negligible_spread(lo, hi)) && kind == ScaleKind::Linear {
            lo = lo.min(0.0);
            hi = hi.max(0.0);
        }
        Scale::nice(kind, lo, hi, range, target)
    }
}

/// Smallest and largest finite value.
pub fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// How points are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineShape {
    /// Straight segments.
    #[default]
    Line,
    /// Steps (an empirical CDF), rising from y = 0 at the first point.
    Step,
}

/// One series, drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPath {
    pub name: String,
    /// The path's `d`.
    pub d: String,
    pub style: SeriesStyle,
}

/// A line chart ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChartLayout {
    pub frame: Frame,
    pub x: AxisLayout,
    pub y: AxisLayout,
    pub x_scale: Scale,
    pub y_scale: Scale,
    pub series: Vec<SeriesPath>,
}

/// Lays out `series` on axes `x` and `y` in a chart `width` × `height`
/// (chart units, ≈ CSS pixels); tick counts follow the size.
pub fn line_chart_layout(
    series: &[Series],
    x: &AxisSpec,
    y: &AxisSpec,
    shape: LineShape,
    width: f64,
    height: f64,
) -> LineChartLayout {
    let probe = frame_for(width, height, 0, 0);
    let y_target = tick_target(probe.plot_height(), Y_TICK_SPACING);
    let ys = || series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let xs = || series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let y_scale = y.scale(ys(), (probe.bottom, probe.top), y_target);
    let y_axis = axis_layout(&y_scale, y.unit, &y.quantity, y_target);

    // The x tick labels' width sets the right margin; guess with a probe.
    let x_guess = x.scale(xs(), (probe.left, probe.right), 5);
    let x_guess_axis = axis_layout(&x_guess, x.unit, &x.quantity, 5);
    let frame = frame_for(
        width,
        height,
        y_axis.widest_label(),
        x_guess_axis.widest_label(),
    );
    let spacing = X_TICK_SPACING.max(x_guess_axis.widest_label() as f64 * 9.0);
    let x_target = tick_target(frame.plot_width(), spacing);
    let x_scale = x.scale(xs(), (frame.left, frame.right), x_target);
    let x_axis = axis_layout(&x_scale, x.unit, &x.quantity, x_target);

    let baseline = y_scale.apply(0.0);
    let paths = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let screen: Vec<(f64, f64)> = s
                .points
                .iter()
                .map(|&(px, py)| {
                    if px.is_finite() && py.is_finite() {
                        (x_scale.apply(px), y_scale.apply(py))
                    } else {
                        (f64::NAN, f64::NAN)
                    }
                })
                .collect();
            let d = match shape {
                LineShape::Line => polyline_path(&screen),
                LineShape::Step => step_path(&screen, Some(baseline)),
            };
            SeriesPath {
                name: s.name.clone(),
                d,
                style: series_style(i),
            }
        })
        .collect();
    LineChartLayout {
        frame,
        x: x_axis,
        y: y_axis,
        x_scale,
        y_scale,
        series: paths,
    }
}

/// For each series, its point nearest in x to `x` (`None` for a series
/// without finite points). Points sorted by x are searched by bisection.
pub fn nearest_points(series: &[Series], x: f64) -> Vec<Option<(f64, f64)>> {
    series.iter().map(|s| nearest_point(&s.points, x)).collect()
}

/// The point of `points` nearest in x to `x`.
pub fn nearest_point(points: &[(f64, f64)], x: f64) -> Option<(f64, f64)> {
    let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let sorted = points.windows(2).all(|w| w[0].0 <= w[1].0);
    if sorted && points.iter().all(|p| p.0.is_finite() && p.1.is_finite()) {
        let i = points.partition_point(|p| p.0 < x);
        let candidates = [i.checked_sub(1), Some(i)];
        return candidates
            .iter()
            .flatten()
            .filter_map(|&i| points.get(i).copied())
            .min_by(|a, b| (a.0 - x).abs().total_cmp(&(b.0 - x).abs()));
    }
    points
        .iter()
        .filter(finite)
        .copied()
        .min_by(|a, b| (a.0 - x).abs().total_cmp(&(b.0 - x).abs()))
}

/// At most `max` points of a series for a text alternative: the first, the
/// last, the lowest and highest in y, and evenly spaced ones between, in
/// their original order.
pub fn key_points(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    let finite: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    let n = finite.len();
    let max = max.max(2);
    if n <= max {
        return finite;
    }
    let mut keep = vec![0, n - 1];
    let by_y = |a: &&(usize, &(f64, f64)), b: &&(usize, &(f64, f64))| a.1 .1.total_cmp(&b.1 .1);
    if let Some((i, _)) = finite.iter().enumerate().min_by(|a, b| by_y(&a, &b)) {
        keep.push(i);
    }
    if let Some((i, _)) = finite.iter().enumerate().max_by(|a, b| by_y(&a, &b)) {
        keep.push(i);
    }
    keep.sort_unstable();
    keep.dedup();
    let room = max.saturating_sub(keep.len());
    for k in 1..=room {
        keep.push(k * (n - 1) / (room + 1));
    }
    keep.sort_unstable();
    keep.dedup();
    keep.truncate(max);
    keep.into_iter().map(|i| finite[i]).collect()
}

/// Which axis a reference line marks a value on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MarkerAxis {
    /// A vertical line at an x value (the chosen TBT deadline).
    X,
    /// A horizontal line at a y value (the target miss rate).
    Y,
    /// A point at the x value and this y value, with a line down to the x
    /// axis (where a curve reaches its target).
    Point(f64),
}

/// A labelled reference line.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub axis: MarkerAxis,
    pub value: f64,
    pub label: String,
}

impl Marker {
    pub fn x(value: f64, label: impl Into<String>) -> Self {
        Marker {
            axis: MarkerAxis::X,
            value,
            label: label.into(),
        }
    }

    pub fn y(value: f64, label: impl Into<String>) -> Self {
        Marker {
            axis: MarkerAxis::Y,
            value,
            label: label.into(),
        }
    }

    /// A point at `(x, y)`, labelled.
    pub fn point(x: f64, y: f64, label: impl Into<String>) -> Self {
        Marker {
            axis: MarkerAxis::Point(y),
            value: x,
            label: label.into(),
        }
    }
}

/// A reference line on screen with its label's place and anchor.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkerLine {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub label: String,
    pub label_x: f64,
    pub label_y: f64,
    /// `text-anchor`: "start" or "end".
    pub anchor: &'static str,
    /// The dot of a point marker.
    pub dot: Option<(f64, f64)>,
}

/// Where a label `label` beside a vertical line at `x` goes so that it
/// stays inside a chart `width` wide: right of the line when it fits there,
/// else left of it, else against the chart's nearer edge.
fn beside(x: f64, label: &str, width: f64) -> (f64, &'static str) {
    let w = label.chars().count() as f64 * CHAR_WIDTH;
    if x + 4.0 + w <= width - 2.0 {
        (x + 4.0, "start")
    } else if x - 4.0 - w >= 2.0 {
        (x - 4.0, "end")
    } else if x < width / 2.0 {
        (2.0, "start")
    } else {
        (width - 2.0, "end")
    }
}

impl LineChartLayout {
    /// The reference lines of `markers` that fall inside the plot.
    pub fn marker_lines(&self, markers: &[Marker]) -> Vec<MarkerLine> {
        let f = self.frame;
        markers
            .iter()
            .filter_map(|m| match m.axis {
                MarkerAxis::X if m.value.is_finite() && self.x_scale.contains(m.value) => {
                    let x = self.x_scale.apply(m.value);
                    let (label_x, anchor) = beside(x, &m.label, f.width);
                    Some(MarkerLine {
                        x1: x,
                        y1: f.top,
                        x2: x,
                        y2: f.bottom,
                        label: m.label.clone(),
                        label_x,
                        label_y: f.bottom - 6.0,
                        anchor,
                        dot: None,
                    })
                }
                MarkerAxis::Y if m.value.is_finite() && self.y_scale.contains(m.value) => {
                    let y = self.y_scale.apply(m.value);
                    let low = y > f.top + 16.0;
                    Some(MarkerLine {
                        x1: f.left,
                        y1: y,
                        x2: f.right,
                        y2: y,
                        label: m.label.clone(),
                        label_x: f.right - 4.0,
                        label_y: if low { y - 4.0 } else { y + 14.0 },
                        anchor: "end",
                        dot: None,
                    })
                }
                MarkerAxis::Point(py)
                    if m.value.is_finite()
                        && py.is_finite()
                        && self.x_scale.contains(m.value)
                        && self.y_scale.contains(py) =>
                {
                    let (x, y) = (self.x_scale.apply(m.value), self.y_scale.apply(py));
                    let (label_x, anchor) = beside(x, &m.label, f.width);
                    // A line above a horizontal marker's label at the same y.
                    let high = y - 22.0 > f.top + FONT_SIZE;
                    Some(MarkerLine {
                        x1: x,
                        y1: y,
                        x2: x,
                        y2: f.bottom,
                        label: m.label.clone(),
                        label_x,
                        label_y: if high { y - 22.0 } else { y + 26.0 },
                        anchor,
                        dot: Some((x, y)),
                    })
                }
                _ => None,
            })
            .collect()
    }

    /// A sentence describing the chart for assistive technology: its series
    /// and the ranges of its axes.
    pub fn describe(&self) -> String {
        let names: Vec<&str> = self.series.iter().map(|s| s.name.as_str()).collect();
        let range = |axis: &AxisLayout| match (axis.ticks.first(), axis.ticks.last()) {
            (Some(a), Some(b)) => format!(
                "{}, from {} to {}",
                axis.title,
                axis.display.attach(&a.label),
                axis.display.attach(&b.label)
            ),
            _ => axis.title.clone(),
        };
        let series = match names.len() {
            0 => "No data yet".to_string(),
            1 => format!("One series, {}", names[0]),
            n => format!("{n} series: {}", names.join(", ")),
        };
        format!(
            "{series}. Horizontal axis: {}. Vertical axis: {}.",
            range(&self.x),
            range(&self.y)
        )
    }
}
