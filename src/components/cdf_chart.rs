//! `CdfChart`: distributions of several runs overlaid as empirical CDFs
//! (thinned by the core without losing the tail), with a table of their
//! key quantiles as text alternative.

use super::axes::data_table;
use super::line_chart::LineChart;
use etalon_core::present::chart::{
    distribution_summary_of_sorted, empirical_cdf_of_sorted, finite_sorted, format_value,
    narrow_spread, spread_sentence, Marker, Series, Unit,
};
use leptos::prelude::*;
use std::sync::Arc;

/// Empirical CDFs of the samples of each run, on one chart: x is the value
/// (`x_unit`), y the share of samples at or below it.
#[component]
pub fn CdfChart(
    /// Accessible name: the SVG's `<title>` and `aria-label`.
    #[prop(into)]
    title: String,
    /// The runs to overlay: a name and its samples, in base units. Shared,
    /// not copied: a long run's gaps are millions of values. Samples
    /// already finite and sorted ascending are used as they are.
    #[prop(into)]
    runs: Signal<Vec<(String, Arc<Vec<f64>>)>>,
    /// What the samples measure ("Time to first token").
    #[prop(into)]
    x_label: String,
    x_unit: Unit,
    /// A logarithmic x axis (long tails).
    #[prop(into, optional)]
    log_x: Signal<bool>,
    /// A fixed x domain (the fluidity-index: 0 to 1) instead of one fitted
    /// to the samples.
    #[prop(optional_no_strip)]
    x_domain: Option<(f64, f64)>,
    /// One value's name, for the sentence on a negligible spread ("TPOT");
    /// by default `x_label`.
    #[prop(into, optional)]
    each: String,
    /// Most points drawn per run (min, max, p50 ... p99.9 and the tail are
    /// always kept).
    #[prop(default = 400)]
    max_points: usize,
    /// Labelled reference lines (a deadline).
    #[prop(into, optional)]
    markers: Signal<Vec<Marker>>,
    /// Show the runs' values under the pointer.
    #[prop(optional)]
    hover: bool,
    #[prop(into, default = Signal::stored(640.0))] width: Signal<f64>,
    #[prop(into, default = Signal::stored(320.0))] height: Signal<f64>,
) -> impl IntoView {
    // Each run sorted once, for both its curve and its table.
    let sorted = Memo::new(move |_| {
        runs.with(|runs| {
            runs.iter()
                .map(|(name, samples)| (name.clone(), sorted_shared(samples)))
                .collect::<Vec<_>>()
        })
    });
    let series = Memo::new(move |_| {
        sorted.with(|runs| {
            runs.iter()
                .map(|(name, values)| {
                    Series::new(name.clone(), empirical_cdf_of_sorted(values, max_points))
                })
                .collect::<Vec<_>>()
        })
    });
    // A spread too small to matter is drawn from zero (by the core's axis
    // rule) and said in words here.
    let each = if each.is_empty() {
        x_label.clone()
    } else {
        each
    };
    let note = move || {
        if x_domain.is_some() {
            return None;
        }
        let spread = sorted.with(|runs| {
            narrow_spread(runs.iter().flat_map(|(_, values)| values.iter().copied()))
        })?;
        let (median, distance) = spread;
        Some(view! {
            <p class="chart-note" data-testid="chart-spread-note">
                {spread_sentence(&each, median, distance, x_unit)}
            </p>
        })
    };
    let caption = format!("{title}: key quantiles");
    let table = move || {
        let rows = sorted.with(|runs| {
            runs.iter()
                .map(
                    |(name, values)| match distribution_summary_of_sorted(values) {
                        Some(s) => vec![
                            name.clone(),
                            s.count.to_string(),
                            format_value(s.min, x_unit),
                            format_value(s.p50, x_unit),
                            format_value(s.p90, x_unit),
                            format_value(s.p99, x_unit),
                            format_value(s.max, x_unit),
                        ],
                        None => vec![name.clone(), "0".to_string()],
                    },
                )
                .collect::<Vec<_>>()
        });
        let head = ["Run", "Samples", "Min", "p50", "p90", "p99", "Max"]
            .map(String::from)
            .to_vec();
        (note(), data_table(caption.clone(), head, rows))
    };
    view! {
        <LineChart
            title=title
            series=series
            x_label=x_label
            x_unit=x_unit
            y_label="Share at or below"
            y_unit=Unit::Percent
            y_domain=(0.0, 1.0)
            log_x=log_x
            x_domain=x_domain
            step=true
            markers=markers
            hover=hover
            width=width
            height=height
        >
            {table}
        </LineChart>
    }
}

/// `samples` themselves when they are finite and sorted ascending, else
/// their finite values sorted.
fn sorted_shared(samples: &Arc<Vec<f64>>) -> Arc<Vec<f64>> {
    let ready = samples.iter().all(|v| v.is_finite()) && samples.is_sorted_by(|a, b| a <= b);
    if ready {
        Arc::clone(samples)
    } else {
        Arc::new(finite_sorted(samples))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::testing::{attribute, count, mount, text, titles_are_svg};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn cdf_chart_overlays_runs_with_quantiles_in_its_table() {
        let fast: Vec<f64> = (1..=1000).map(|i| i as f64 * 1e-4).collect();
        let slow: Vec<f64> = fast.iter().map(|v| v * 3.0).collect();
        let runs = vec![
            ("today".to_string(), Arc::new(fast)),
            ("yesterday".to_string(), Arc::new(slow)),
        ];
        let (host, _keep) = mount(move || {
            view! {
                <CdfChart
                    title="Time to first token"
                    runs=runs
                    x_label="Time to first token"
                    x_unit=Unit::Seconds
                    log_x=true
                />
            }
        });
        assert!(titles_are_svg(&host));
        assert_eq!(count(&host, "chart-series"), 2);
        assert_eq!(
            attribute(&host, "chart-svg", "aria-label").as_deref(),
            Some("Time to first token")
        );
        let d = attribute(&host, "chart-series", "d").unwrap();
        assert!(
            d.starts_with('M') && d.contains('H') && d.contains('V'),
            "{d}"
        );
        let table = text(&host, "chart-table");
        assert!(
            table.contains("p99") && table.contains("today") && table.contains("1000"),
            "{table}"
        );
        assert!(text(&host, "chart-axis-x").contains("log scale"));
        assert!(text(&host, "chart-axis-y").contains("Share at or below (%)"));
    }

    #[wasm_bindgen_test]
    fn a_negligible_spread_is_drawn_from_zero_and_said_in_words() {
        // Steady TPOTs: 20.490 to 20.525 ms.
        let tpot: Vec<f64> = (0..50)
            .map(|i| 0.020490 + 0.035e-3 * f64::from(i) / 49.0)
            .collect();
        let runs = vec![("TPOT".to_string(), Arc::new(tpot))];
        let (host, _keep) = mount(move || {
            view! { <CdfChart title="TPOT" runs=runs x_label="TPOT" x_unit=Unit::Seconds /> }
        });
        let note = text(&host, "chart-note");
        assert!(
            note.starts_with("Every TPOT is within 17.5 µs of 20.5 ms"),
            "{note}"
        );
        assert_eq!(text(&host, "chart-tick-x"), "0");
        // A real spread: fitted, and nothing to say.
        let wide = vec![("TTFT".to_string(), Arc::new(vec![0.1, 0.2, 0.4]))];
        let (host, _keep) = mount(move || {
            view! { <CdfChart title="TTFT" runs=wide x_label="TTFT" x_unit=Unit::Seconds /> }
        });
        assert_eq!(count(&host, "chart-note"), 0);
        assert_ne!(text(&host, "chart-tick-x"), "0");
    }

    #[wasm_bindgen_test]
    fn a_fixed_domain_is_kept_however_the_samples_spread() {
        let runs = vec![("A".to_string(), Arc::new(vec![0.98, 1.0, 1.0]))];
        let (host, _keep) = mount(move || {
            view! {
                <CdfChart title="Fluidity" runs=runs x_label="Fluidity-index" x_unit=Unit::Percent x_domain=Some((0.0, 1.0)) />
            }
        });
        let axis = text(&host, "chart-axis-x");
        assert!(axis.contains("100") && !axis.contains("110"), "{axis}");
        assert_eq!(count(&host, "chart-note"), 0);
    }

    #[wasm_bindgen_test]
    fn sorted_samples_are_shared_and_others_sorted_without_nan() {
        let ready = Arc::new(vec![0.1, 0.2, 0.2, 0.5]);
        assert!(Arc::ptr_eq(&sorted_shared(&ready), &ready));
        let raw = Arc::new(vec![0.5, f64::NAN, 0.1, 0.2]);
        let sorted = sorted_shared(&raw);
        assert!(!Arc::ptr_eq(&sorted, &raw));
        assert_eq!(*sorted, vec![0.1, 0.2, 0.5]);
    }
}
