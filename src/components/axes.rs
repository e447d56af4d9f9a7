//! The pieces every chart is built of: the SVG frame with its accessible
//! name, axes and grid lines, the clip of the plot area, the stall hatch
//! and token marks of the deadline timelines, the data-table wrapper and
//! the legend swatch. Positions come from `etalon_core::present::chart` layouts.

use etalon_core::present::chart::{
    coord, AxisLayout, Frame, SeriesStyle, TimelineMarks, FONT_SIZE,
};
use leptos::prelude::*;

/// A chart's `<svg>`: the frame's view box, scaled to its container, with
/// `title` as its accessible name (and tooltip) and `desc` as its
/// description, around `children`. (The line chart, which listens to the
/// pointer, builds its own element around [`svg_heading`].)
pub fn chart_svg(
    class: &'static str,
    frame: Frame,
    title: String,
    desc: String,
    children: impl IntoView + 'static,
) -> impl IntoView {
    let label = title.clone();
    view! {
        <svg
            class=class
            viewBox=frame.view_box()
            preserveAspectRatio="xMidYMid meet"
            role="img"
            aria-label=label
        >
            {svg_heading(title, desc)}
            {children}
        </svg>
    }
}

/// The first children of a chart's `<svg>`: its `<title>` and `<desc>`.
pub fn svg_heading(title: String, desc: String) -> impl IntoView {
    (svg_title(title), leptos::tachys::svg::desc().child(desc))
}

/// A `<clipPath>` with id `id` around a rectangle: the plot area a chart's
/// lines or marks are cut to.
pub fn clip_rect(id: String, x: f64, y: f64, width: f64, height: f64) -> impl IntoView {
    view! {
        <clipPath id=id>
            <rect x=coord(x) y=coord(y) width=coord(width) height=coord(height) />
        </clipPath>
    }
}

/// The diagonal hatch that fills stalls on the deadline timelines, as a
/// `<pattern>` with id `id`.
pub fn stall_hatch(id: String) -> impl IntoView {
    view! {
        <pattern id=id class="timeline-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" class="timeline-hatch-bg" />
            <line x1="0" y1="0" x2="0" y2="6" class="timeline-hatch-line" />
        </pattern>
    }
}

/// A deadline timeline's marks, back to front: stalls (filled with
/// `hatch_url`), slack, deadlines met and missed, tokens on time and late.
pub fn timeline_paths(marks: &TimelineMarks, hatch_url: String) -> impl IntoView {
    view! {
        <path class="timeline-stalls" d=marks.stalls.clone() fill=hatch_url />
        <path class="timeline-slack" d=marks.slack.clone() />
        <path class="timeline-deadlines-met" d=marks.deadlines_met.clone() />
        <path class="timeline-deadlines-missed" d=marks.deadlines_missed.clone() />
        <path class="timeline-tokens" d=marks.tokens_on_time.clone() />
        <path class="timeline-token-columns" d=marks.token_columns.clone() />
        <path class="timeline-tokens-late" d=marks.tokens_late.clone() />
    }
}

/// The x axis: baseline, ticks with labels, vertical grid lines, title
/// under the labels at the right.
pub fn x_axis(frame: Frame, axis: &AxisLayout, grid: bool) -> impl IntoView {
    let tick_label_y = coord(frame.bottom + FONT_SIZE + 6.0);
    let ticks = axis
        .ticks
        .iter()
        .map(|t| {
            let x = coord(t.position);
            view! {
                <g class="chart-tick chart-tick-x">
                    {grid.then(|| view! {
                        <line class="chart-grid" x1=x.clone() y1=coord(frame.top) x2=x.clone() y2=coord(frame.bottom) />
                    })}
                    <line class="chart-tick-mark" x1=x.clone() y1=coord(frame.bottom) x2=x.clone() y2=coord(frame.bottom + 4.0) />
                    <text class="chart-tick-label" x=x y=tick_label_y.clone() text-anchor="middle">{t.label.clone()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <g class="chart-axis chart-axis-x">
            {ticks}
            <line class="chart-axis-line" x1=coord(frame.left) y1=coord(frame.bottom) x2=coord(frame.right) y2=coord(frame.bottom) />
            <text class="chart-axis-title" x=coord(frame.right) y=coord(frame.height - 6.0) text-anchor="end">
                {axis.title.clone()}
            </text>
        </g>
    }
}

/// The y axis: ticks with labels left of the plot, horizontal grid lines,
/// title above the plot at the left.
pub fn y_axis(frame: Frame, axis: &AxisLayout, grid: bool) -> impl IntoView {
    let label_x = coord(frame.left - 6.0);
    let ticks = axis
        .ticks
        .iter()
        .map(|t| {
            let y = coord(t.position);
            view! {
                <g class="chart-tick chart-tick-y">
                    {grid.then(|| view! {
                        <line class="chart-grid" x1=coord(frame.left) y1=y.clone() x2=coord(frame.right) y2=y.clone() />
                    })}
                    <text class="chart-tick-label" x=label_x.clone() y=coord(t.position + FONT_SIZE / 3.0) text-anchor="end">{t.label.clone()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <g class="chart-axis chart-axis-y">
            {ticks}
            <line class="chart-axis-line" x1=coord(frame.left) y1=coord(frame.top) x2=coord(frame.left) y2=coord(frame.bottom) />
            <text class="chart-axis-title" x="4" y=coord(FONT_SIZE + 2.0) text-anchor="start">
                {axis.title.clone()}
            </text>
        </g>
    }
}

/// A short line in a series' colour and dash, for a legend.
pub fn swatch(style: SeriesStyle) -> impl IntoView {
    view! {
        <svg class="chart-swatch" viewBox="0 0 28 10" width="28" height="10" aria-hidden="true">
            <line class=format!("chart-line {}", style.class) x1="1" y1="5" x2="27" y2="5" stroke-dasharray=style.dash />
        </svg>
    }
}

/// The text alternative: a table of the chart's key figures in a
/// `<details>` element, closed by default.
pub fn data_table(caption: String, head: Vec<String>, rows: Vec<Vec<String>>) -> impl IntoView {
    let head = head
        .into_iter()
        .map(|h| view! { <th scope="col">{h}</th> })
        .collect_view();
    let rows = rows
        .into_iter()
        .map(|row| {
            let mut cells = row.into_iter();
            let first = cells.next().unwrap_or_default();
            let rest = cells.map(|c| view! { <td>{c}</td> }).collect_view();
            view! { <tr><th scope="row">{first}</th>{rest}</tr> }
        })
        .collect_view();
    view! {
        <details class="chart-data">
            <summary>"Data table"</summary>
            <table class="chart-table">
                <caption>{caption}</caption>
                <thead><tr>{head}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}

/// An SVG `<title>` (the chart's accessible name, shown as a tooltip).
/// Built directly: the `view!` macro makes a `<title>` among several
/// children of an `<svg>` an HTML element (it forgets the parent's
/// namespace for ambiguous tags when there are several siblings).
pub fn svg_title(text: String) -> impl IntoView {
    leptos::tachys::svg::title().child(text)
}
