//! `Histogram`: one distribution in bins (Freedman–Diaconis by default, or a
//! fixed count), with the counts per bin as text alternative.

use super::axes::{chart_svg, data_table, svg_title, x_axis, y_axis};
use super::use_shown_width;
use etalon_core::present::chart::{
    coord, format_value, histogram, histogram_layout, AxisSpec, BinRule, Unit,
};
use leptos::prelude::*;

/// Most bins the Freedman–Diaconis rule may choose.
const MAX_BINS: usize = 40;

/// A histogram of `samples` (base units), over `range` or the data's own.
/// For the fluidity-index: `range=(0.0, 1.0)` and `x_unit=Unit::Fraction`.
#[component]
pub fn Histogram(
    /// Accessible name: the SVG's `<title>` and `aria-label`.
    #[prop(into)]
    title: String,
    /// The values to bin, in base units.
    #[prop(into)]
    samples: Signal<Vec<f64>>,
    /// What the values measure ("Fluidity-index").
    #[prop(into)]
    x_label: String,
    x_unit: Unit,
    /// What is counted ("Requests").
    #[prop(into, default = "Requests".to_string())]
    y_label: String,
    /// The bins' range; values outside it are left out (and said so).
    #[prop(optional)]
    range: Option<(f64, f64)>,
    /// A fixed number of bins instead of the Freedman–Diaconis rule.
    #[prop(optional)]
    bins: Option<usize>,
    #[prop(into, default = Signal::stored(640.0))] width: Signal<f64>,
    #[prop(into, default = Signal::stored(280.0))] height: Signal<f64>,
) -> impl IntoView {
    let figure = NodeRef::<leptos::html::Figure>::new();
    let width = use_shown_width(figure, width);
    let rule = match bins {
        Some(k) => BinRule::Fixed(k),
        None => BinRule::FreedmanDiaconis { max_bins: MAX_BINS },
    };
    let hist = Memo::new(move |_| samples.with(|s| histogram(s, rule, range)));
    let (x_name, y_name) = (x_label.clone(), y_label.clone());
    let layout = Memo::new(move |_| {
        let x = AxisSpec::new(x_name.clone(), x_unit);
        hist.with(|h| histogram_layout(h, &x, &y_name, width.get(), height.get()))
    });
    let name = title.clone();
    let svg = move || {
        let l = layout.get();
        let f = l.frame;
        let h = hist.get();
        let desc = format!(
            "{} values in {} bins from {} to {}; the fullest bin holds {}.{}",
            h.total(),
            h.counts.len(),
            format_value(h.edges.first().copied().unwrap_or(0.0), x_unit),
            format_value(h.edges.last().copied().unwrap_or(0.0), x_unit),
            h.counts.iter().max().copied().unwrap_or(0),
            if h.outside > 0 {
                format!(" {} values fall outside and are not shown.", h.outside)
            } else {
                String::new()
            }
        );
        let bars = l
            .bars
            .iter()
            .map(|b| {
                view! {
                    <rect
                        class="chart-bar"
                        x=coord(b.x)
                        y=coord(b.y)
                        width=coord(b.width)
                        height=coord(b.height)
                    >
                        {svg_title(format!("{} to {}: {}", format_value(b.lo, x_unit), format_value(b.hi, x_unit), b.count))}
                    </rect>
                }
            })
            .collect_view();
        let children = view! {
            {y_axis(f, &l.y, true)}
            <g class="chart-bars">{bars}</g>
            {x_axis(f, &l.x, false)}
        };
        chart_svg("chart-svg", f, name.clone(), desc, children)
    };
    let caption = title.clone();
    let table = move || {
        let h = hist.get();
        let rows = h
            .counts
            .iter()
            .enumerate()
            .map(|(i, c)| {
                vec![
                    format!(
                        "{} to {}",
                        format_value(h.edges[i], x_unit),
                        format_value(h.edges[i + 1], x_unit)
                    ),
                    c.to_string(),
                ]
            })
            .collect();
        data_table(
            caption.clone(),
            vec![x_label.clone(), y_label.clone()],
            rows,
        )
    };
    view! {
        <figure class="chart histogram" node_ref=figure>
            {svg}
            {table}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::testing::{attribute, count, mount, text, titles_are_svg};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn histogram_draws_one_bar_per_bin() {
        let samples = vec![1.0, 1.0, 1.0, 0.95, 0.9, 0.5, 0.72];
        let (host, _keep) = mount(move || {
            view! {
                <Histogram
                    title="Fluidity-index per request"
                    samples=samples
                    x_label="Fluidity-index"
                    x_unit=Unit::Fraction
                    range=(0.0, 1.0)
                    bins=10
                />
            }
        });
        assert!(titles_are_svg(&host));
        assert_eq!(count(&host, "chart-bar"), 10);
        assert_eq!(
            attribute(&host, "chart-svg", "aria-label").as_deref(),
            Some("Fluidity-index per request")
        );
        assert_eq!(count(&host, "chart-tick-x"), 6, "0, 0.2, ... 1");
        let table = text(&host, "chart-table");
        assert!(table.contains("0.9 to 1"), "{table}");
        assert!(text(&host, "chart-axis-y").contains("Requests"));
    }
}
