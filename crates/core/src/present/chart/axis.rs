//! Axes: where the ticks go, what they say, and the axis title with its
//! unit; and the frame of a chart (its size and the plot area inside the
//! margins that the tick labels and titles need).

use super::format::{format_ticks, DisplayUnit, Unit};
use super::scale::{Scale, ScaleKind};

/// Font size of tick labels in chart units (≈ CSS pixels when the chart's
/// `width` matches the width it is shown at).
pub const FONT_SIZE: f64 = 12.0;
/// Approximate width of one character of a tick label.
pub const CHAR_WIDTH: f64 = 7.0;
/// Pixels a horizontal tick label needs, about.
pub const X_TICK_SPACING: f64 = 72.0;
/// Pixels a vertical tick needs, about.
pub const Y_TICK_SPACING: f64 = 40.0;

/// One tick: its value, its screen position along the axis, its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub position: f64,
    pub label: String,
}

/// An axis ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisLayout {
    pub ticks: Vec<Tick>,
    /// The quantity and its unit: "Time between tokens (ms)".
    pub title: String,
    /// The unit the tick labels are in.
    pub display: DisplayUnit,
}

impl AxisLayout {
    /// Characters in the longest tick label.
    pub fn widest_label(&self) -> usize {
        self.ticks
            .iter()
            .map(|t| t.label.chars().count())
            .max()
            .unwrap_or(0)
    }
}

/// Lays out the axis of `scale` with about `target` ticks, for a quantity
/// named `quantity` measured in `unit`.
pub fn axis_layout(scale: &Scale, unit: Unit, quantity: &str, target: usize) -> AxisLayout {
    let values = scale.ticks(target);
    let linear = scale.kind == ScaleKind::Linear;
    let (display, labels) = format_ticks(&values, unit, linear);
    let ticks = values
        .iter()
        .zip(labels)
        .map(|(&value, label)| Tick {
            value,
            position: scale.apply(value),
            label,
        })
        .collect();
    AxisLayout {
        ticks,
        title: axis_title(quantity, display, scale.kind),
        display,
    }
}

/// "Quantity (unit)", with ", log scale" for a log axis.
pub fn axis_title(quantity: &str, display: DisplayUnit, kind: ScaleKind) -> String {
    let log = if kind == ScaleKind::Log {
        ", log scale"
    } else {
        ""
    };
    if display.symbol.is_empty() {
        if log.is_empty() {
            quantity.to_string()
        } else {
            format!("{quantity} (log scale)")
        }
    } else {
        format!("{quantity} ({}{log})", display.symbol)
    }
}

/// The size of a chart and the plot area inside it (chart units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    /// Width of the plot area.
    pub fn plot_width(&self) -> f64 {
        (self.right - self.left).max(1.0)
    }

    /// Height of the plot area.
    pub fn plot_height(&self) -> f64 {
        (self.bottom - self.top).max(1.0)
    }

    /// The `viewBox` attribute for this frame.
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", self.width, self.height)
    }
}

/// Margins for a chart with a y axis title on top of the plot, tick labels
/// left and below, and an x axis title under the tick labels.
pub fn frame_for(width: f64, height: f64, widest_y_label: usize, widest_x_label: usize) -> Frame {
    let width = sane_size(width, 320.0);
    let height = sane_size(height, 240.0);
    let left = 10.0 + widest_y_label as f64 * CHAR_WIDTH;
    let right = width - (8.0f64).max(widest_x_label as f64 * CHAR_WIDTH / 2.0 + 2.0);
    let top = FONT_SIZE + 14.0;
    let bottom = height - (2.0 * FONT_SIZE + 18.0);
    Frame {
        width,
        height,
        left: left.min(width * 0.4),
        right: right.max(left + 10.0),
        top,
        bottom: bottom.max(top + 10.0),
    }
}

/// A positive, finite size, or `fallback`; at least 120 units.
pub fn sane_size(v: f64, fallback: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        v.max(120.0)
    } else {
        fallback
    }
}
