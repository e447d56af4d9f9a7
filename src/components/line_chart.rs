//! `LineChart`: named series on two labelled axes, with a legend, optional
//! reference lines, an optional hover readout, and a data table.

use super::axes::{clip_rect, data_table, svg_heading, swatch, x_axis, y_axis};
use super::{unique_id, use_shown_width};
use etalon_core::present::chart::{
    coord, format_value, key_points, line_chart_layout, nearest_points, AxisSpec, LineChartLayout,
    LineShape, Marker, ScaleKind, Series, Unit,
};
use leptos::prelude::*;

/// Rows of the default data table: per series at most this many points.
const TABLE_POINTS: usize = 8;

/// A line chart. Series are `(x, y)` points in base units (seconds,
/// tokens per second, fractions); the axes print them with units chosen by
/// magnitude. The chart lays itself out at the width its figure is shown
/// at (`width` until it is in the page), and the number of ticks follows
/// that width.
#[component]
pub fn LineChart(
    /// Accessible name: the SVG's `<title>` and `aria-label`.
    #[prop(into)]
    title: String,
    /// The series; each gets a colour and a dash pattern of its own.
    #[prop(into)]
    series: Signal<Vec<Series>>,
    /// What x measures ("Time between tokens"); the unit is added.
    #[prop(into)]
    x_label: String,
    x_unit: Unit,
    #[prop(into)] y_label: String,
    y_unit: Unit,
    /// A logarithmic x axis.
    #[prop(into, optional)]
    log_x: Signal<bool>,
    /// A fixed x domain instead of one fitted to the data (an `Option`,
    /// so that a chart built on this one passes its own on).
    #[prop(optional_no_strip)]
    x_domain: Option<(f64, f64)>,
    /// A fixed y domain instead of one fitted to the data.
    #[prop(optional)]
    y_domain: Option<(f64, f64)>,
    /// Start a fitted y domain at zero.
    #[prop(optional)]
    y_from_zero: bool,
    /// Join points with steps (empirical CDFs) instead of straight lines.
    #[prop(optional)]
    step: bool,
    /// Labelled reference lines (a chosen deadline, a target).
    #[prop(into, optional)]
    markers: Signal<Vec<Marker>>,
    /// Show the series' values under the pointer.
    #[prop(optional)]
    hover: bool,
    #[prop(into, default = Signal::stored(640.0))] width: Signal<f64>,
    #[prop(into, default = Signal::stored(320.0))] height: Signal<f64>,
    /// A longer description for assistive technology (`<desc>`); by default
    /// the series and the axes' ranges.
    #[prop(into, optional)]
    description: String,
    /// Replaces the default data table (key points of each series).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let figure = NodeRef::<leptos::html::Figure>::new();
    let width = use_shown_width(figure, width);
    let shape = if step {
        LineShape::Step
    } else {
        LineShape::Line
    };
    let (x_name, y_name) = (x_label.clone(), y_label.clone());
    let layout = Memo::new(move |_| {
        let x = AxisSpec {
            quantity: x_name.clone(),
            unit: x_unit,
            kind: if log_x.get() {
                ScaleKind::Log
            } else {
                ScaleKind::Linear
            },
            domain: x_domain,
            include_zero: false,
        };
        let y = AxisSpec {
            quantity: y_name.clone(),
            unit: y_unit,
            kind: ScaleKind::Linear,
            domain: y_domain,
            include_zero: y_from_zero,
        };
        series.with(|s| line_chart_layout(s, &x, &y, shape, width.get(), height.get()))
    });
    // The pointer's x in chart units, while it is over the chart.
    let pointer_x = RwSignal::new(None::<f64>);
    let clip = unique_id("chart-clip");
    let title_for_svg = title.clone();

    let svg = move || {
        let l = layout.get();
        let f = l.frame;
        let desc = if description.is_empty() {
            l.describe()
        } else {
            description.clone()
        };
        let paths = l
            .series
            .iter()
            .map(|s| {
                view! {
                    <path
                        class=format!("chart-line chart-series {}", s.style.class)
                        d=s.d.clone()
                        stroke-dasharray=s.style.dash
                        data-series=s.name.clone()
                    />
                }
            })
            .collect_view();
        let marker_lines = markers.with(|m| l.marker_lines(m));
        let markers_view = marker_lines
            .into_iter()
            .map(|m| {
                let dot = m.dot.map(|(x, y)| {
                    view! { <circle class="chart-marker-dot" cx=coord(x) cy=coord(y) r="4.5" /> }
                });
                view! {
                    <g class="chart-marker">
                        <line x1=coord(m.x1) y1=coord(m.y1) x2=coord(m.x2) y2=coord(m.y2) />
                        {dot}
                        <text x=coord(m.label_x) y=coord(m.label_y) text-anchor=m.anchor>{m.label}</text>
                    </g>
                }
            })
            .collect_view();
        let clip_url = format!("url(#{clip})");
        view! {
            <svg
                class="chart-svg"
                viewBox=f.view_box()
                preserveAspectRatio="xMidYMid meet"
                role="img"
                aria-label=title_for_svg.clone()
                on:pointermove=move |ev| pointer_x.set(pointer_in_chart(&ev, f.width))
                on:pointerleave=move |_| pointer_x.set(None)
            >
                {svg_heading(title_for_svg.clone(), desc)}
                <defs>
                    {clip_rect(clip.clone(), f.left - 2.0, f.top - 2.0, f.plot_width() + 4.0, f.plot_height() + 4.0)}
                </defs>
                {y_axis(f, &l.y, true)}
                {x_axis(f, &l.x, true)}
                <g class="chart-plot" clip-path=clip_url>{paths}</g>
                {markers_view}
                {move || hover.then(|| hover_marks(&layout.get(), &series.get(), pointer_x.get()))}
            </svg>
        }
    };

    let legend = move || {
        layout.with(|l| {
            l.series
                .iter()
                .map(|s| {
                    view! {
                        <li class="chart-legend-item">{swatch(s.style)}<span>{s.name.clone()}</span></li>
                    }
                })
                .collect_view()
        })
    };

    let readout = move || {
        if !hover {
            return None;
        }
        let px = pointer_x.get()?;
        let l = layout.get();
        let x = l.x_scale.invert(px);
        let s = series.get();
        let parts: Vec<String> = s
            .iter()
            .zip(nearest_points(&s, x))
            .filter_map(|(s, p)| {
                p.map(|(px, py)| {
                    format!(
                        "{}: {} at {}",
                        s.name,
                        format_value(py, y_unit),
                        format_value(px, x_unit)
                    )
                })
            })
            .collect();
        Some(view! { <p class="chart-readout">{parts.join(" · ")}</p> })
    };

    let table = match children {
        Some(children) => children().into_any(),
        None => {
            let (x_head, y_head) = (x_label.clone(), y_label.clone());
            let caption = title.clone();
            (move || {
                let rows = series.with(|all| {
                    all.iter()
                        .flat_map(|s| {
                            key_points(&s.points, TABLE_POINTS)
                                .into_iter()
                                .map(|(x, y)| {
                                    vec![
                                        s.name.clone(),
                                        format_value(x, x_unit),
                                        format_value(y, y_unit),
                                    ]
                                })
                                .collect::<Vec<_>>()
                        })
                        .collect::<Vec<_>>()
                });
                data_table(
                    caption.clone(),
                    vec!["Series".to_string(), x_head.clone(), y_head.clone()],
                    rows,
                )
            })
            .into_any()
        }
    };

    view! {
        <figure class="chart line-chart" node_ref=figure>
            {svg}
            <ul class="chart-legend">{legend}</ul>
            {readout}
            {table}
        </figure>
    }
}

/// The pointer's x in chart units (the SVG's `viewBox` is `chart_width`
/// wide and fills the element's box), from a pointer event on the SVG.
fn pointer_in_chart(ev: &leptos::ev::PointerEvent, chart_width: f64) -> Option<f64> {
    use wasm_bindgen::JsCast;
    let target = ev.current_target()?;
    // getBoundingClientRect through Reflect: no extra web-sys features.
    let get = |o: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).ok();
    let function: js_sys::Function = get(&target, "getBoundingClientRect")?.dyn_into().ok()?;
    let rect = function.call0(&target).ok()?;
    let left = get(&rect, "left")?.as_f64()?;
    let width = get(&rect, "width")?.as_f64()?;
    if width <= 0.0 {
        return None;
    }
    Some((f64::from(ev.client_x()) - left) / width * chart_width)
}

/// A vertical line at the pointer and a dot on each series' nearest point.
fn hover_marks(l: &LineChartLayout, series: &[Series], pointer_x: Option<f64>) -> impl IntoView {
    let f = l.frame;
    let px = pointer_x.filter(|&x| x >= f.left && x <= f.right)?;
    let x = l.x_scale.invert(px);
    let dots = l
        .series
        .iter()
        .zip(nearest_points(series, x))
        .filter_map(|(s, p)| {
            let (vx, vy) = p?;
            let (cx, cy) = (l.x_scale.apply(vx), l.y_scale.apply(vy));
            Some(view! {
                <circle class=format!("chart-dot {}", s.style.class) cx=coord(cx) cy=coord(cy) r="4" />
            })
        })
        .collect_view();
    Some(view! {
        <g class="chart-hover">
            <line class="chart-hover-line" x1=coord(px) y1=coord(f.top) x2=coord(px) y2=coord(f.bottom) />
            {dots}
        </g>
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::testing::{attribute, count, mount, settle, settle_until, text};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn two_series() -> Vec<Series> {
        vec![
            Series::new("run A", vec![(0.001, 0.1), (0.01, 0.5), (0.1, 1.0)]),
            Series::new("run B", vec![(0.002, 0.2), (0.02, 0.6), (0.2, 1.0)]),
        ]
    }

    #[wasm_bindgen_test]
    fn line_chart_draws_each_series_with_axes_and_a_name() {
        let (host, _keep) = mount(|| {
            view! {
                <LineChart
                    title="Time between tokens, two runs"
                    series=two_series()
                    x_label="Time between tokens"
                    x_unit=Unit::Seconds
                    y_label="Share"
                    y_unit=Unit::Percent
                    y_domain=(0.0, 1.0)
                    markers=vec![Marker::x(0.05, "TBT deadline")]
                    hover=true
                />
            }
        });
        assert_eq!(count(&host, "chart-series"), 2);
        assert_eq!(count(&host, "chart-legend-item"), 2);
        assert!(count(&host, "chart-tick-x") >= 2);
        assert_eq!(count(&host, "chart-tick-y"), 6, "0, 20, ... 100%");
        assert_eq!(count(&host, "chart-marker"), 1);
        assert_eq!(
            attribute(&host, "chart-svg", "aria-label").as_deref(),
            Some("Time between tokens, two runs")
        );
        assert_eq!(
            attribute(&host, "chart-svg", "role").as_deref(),
            Some("img")
        );
        assert_eq!(
            attribute(&host, "chart-series", "stroke-dasharray").as_deref(),
            Some("none")
        );
        let svg = host
            .get_elements_by_class_name("chart-svg")
            .item(0)
            .unwrap();
        assert_eq!(
            svg.namespace_uri().as_deref(),
            Some("http://www.w3.org/2000/svg")
        );
        assert_eq!(svg.get_elements_by_tag_name("title").length(), 1);
        let title_el = svg.get_elements_by_tag_name("title").item(0).unwrap();
        assert_eq!(
            title_el.namespace_uri().as_deref(),
            Some("http://www.w3.org/2000/svg")
        );
        assert!(text(&host, "chart-axis-x").contains("Time between tokens (ms)"));
        // The data table lists the key points, with units.
        assert!(
            text(&host, "chart-table").contains("10 ms"),
            "{}",
            text(&host, "chart-table")
        );
    }

    #[wasm_bindgen_test]
    async fn line_chart_follows_its_signals_and_the_width_it_is_shown_at() {
        let series = RwSignal::new(two_series());
        let (host, _keep) = mount(move || {
            view! {
                <LineChart
                    title="Curve"
                    series=series
                    x_label="Deadline"
                    x_unit=Unit::Seconds
                    y_label="Miss rate"
                    y_unit=Unit::Percent
                    width=640.0
                />
            }
        });
        let view_box = |host: &web_sys::HtmlElement| attribute(host, "chart-svg", "viewBox");
        // The page's CSS sets no margin on a chart's figure; this test page
        // has no CSS, so the browser's own margin goes.
        let figure = host
            .get_elements_by_class_name("line-chart")
            .item(0)
            .unwrap();
        figure.set_attribute("style", "margin: 0").unwrap();
        host.style().set_property("width", "900px").unwrap();
        settle_until(|| view_box(&host).as_deref() == Some("0 0 900 320")).await;
        assert_eq!(count(&host, "chart-series"), 2);
        let wide_ticks = count(&host, "chart-tick-x");
        series.update(|s| s.push(Series::new("run C", vec![(0.0, 0.0), (0.3, 0.5)])));
        // A phone's column: laid out at 320 units, one per pixel, whatever
        // the `width` it was given.
        host.style().set_property("width", "320px").unwrap();
        settle_until(|| view_box(&host).as_deref() == Some("0 0 320 320")).await;
        assert_eq!(count(&host, "chart-series"), 3);
        assert!(count(&host, "chart-tick-x") <= wide_ticks);
        assert_eq!(figure.client_width(), 320);
    }

    #[wasm_bindgen_test]
    async fn hovering_reads_out_every_series() {
        let (host, _keep) = mount(|| {
            view! {
                <LineChart
                    title="Hover"
                    series=two_series()
                    x_label="Deadline"
                    x_unit=Unit::Seconds
                    y_label="Share"
                    y_unit=Unit::Percent
                    hover=true
                />
            }
        });
        assert_eq!(count(&host, "chart-dot"), 0);
        let point = js_sys::Function::new_with_args(
            "el",
            "const svg = el.querySelector('svg.chart-svg'); const r = svg.getBoundingClientRect();\n\
             svg.dispatchEvent(new PointerEvent('pointermove', \n\
               { clientX: r.left + r.width * 0.5, clientY: r.top + 10, bubbles: true }));",
        );
        point.call1(&wasm_bindgen::JsValue::NULL, &host).unwrap();
        settle().await;
        assert_eq!(count(&host, "chart-dot"), 2);
        let readout = text(&host, "chart-readout");
        assert!(
            readout.contains("run A:") && readout.contains("run B:"),
            "{readout}"
        );
    }
}
