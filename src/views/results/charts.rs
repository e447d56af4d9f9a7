//! The results screen's charts: the fluidity section (the explainer, the
//! fluidity-index distribution, the p99 miss rate vs TBT deadline curve)
//! and the CDFs of TTFT, TBT, TPOT and normalized latency.
//!
//! FALLBACK: the chart components (`src/components/`) have not landed
//! yet; until they do, each chart is a small table of the same figures,
//! marked `chart-fallback`. Only this file changes when they land.

use etalon_core::chart::example_streams;
use etalon_core::metrics::{quantile_sorted, sort_floats, DeadlineConfig, Summary};
use etalon_core::report::{format_seconds, format_share, Metric, Report};
use leptos::prelude::*;

/// The levels a fallback CDF table shows.
const FALLBACK_LEVELS: [usize; 6] = [10, 25, 50, 75, 90, 99];

#[component]
pub fn FluiditySection(report: Memo<Report>, deadlines: RwSignal<DeadlineConfig>) -> impl IntoView {
    let _ = deadlines;
    view! {
        <section class="fluidity" aria-labelledby="fluidity-title">
            <h3 id="fluidity-title">"Fluidity: does the text keep flowing?"</h3>
            <p>{Metric::FluidityIndex.explanation()}</p>
            <div class="chart-grid">
                <FluidityExplainerFallback/>
                <figure class="chart chart-fallback" data-testid="fluidity-histogram">
                    <figcaption>
                        "How fluid the requests were: fluidity-index of each completed request"
                    </figcaption>
                    {move || {
                        report
                            .with(|r| {
                                let values = r.samples.fluidity_index.clone();
                                level_table(&values, "Fluidity-index", format_share)
                            })
                    }}
                </figure>
                <figure class="chart chart-fallback" data-testid="miss-curve">
                    <figcaption>
                        "p99 miss rate vs TBT deadline: the share of deadlines the worst 1 % of \
                         requests miss, for each TBT deadline from 1 to 100 ms"
                    </figcaption>
                    {move || report.with(|r| miss_curve_table(&r.miss_curve))}
                </figure>
            </div>
        </section>
    }
}

/// FALLBACK for FluidityExplainer: the two example streams in words.
#[component]
fn FluidityExplainerFallback() -> impl IntoView {
    let [smooth, stalling] = example_streams();
    let line = |s: &etalon_core::chart::ExampleStream| {
        format!(
            "{}: {} tokens in {}, {} of deadlines met.",
            s.name,
            s.itt.len(),
            format_seconds(s.duration()),
            format_share(s.share_met())
        )
    };
    view! {
        <figure class="chart chart-fallback explainer" data-testid="fluidity-explainer">
            <figcaption>
                "Two answers with the same average speed: one flows evenly, the other stalls. \
                 A reader sees the second one freeze; the fluidity-index counts those freezes."
            </figcaption>
            <ul>
                <li>{line(&smooth)}</li>
                <li>{line(&stalling)}</li>
            </ul>
        </figure>
    }
}

#[component]
pub fn Distributions(report: Memo<Report>, gaps: Memo<Vec<f64>>) -> impl IntoView {
    let figure = move |metric: Metric, values: Signal<Vec<f64>>| {
        view! {
            <figure class="chart chart-fallback" data-testid=format!("cdf-{}", metric.short_name().to_lowercase().replace(' ', "-"))>
                <figcaption>
                    {format!("{}: share of values at or below each time", metric.name())}
                </figcaption>
                {move || values.with(|v| level_table(v, metric.short_name(), format_seconds))}
                <p class="chart-note">{metric.explanation()}</p>
            </figure>
        }
    };
    view! {
        <section class="distributions" aria-labelledby="distributions-title">
            <h3 id="distributions-title">"Distributions"</h3>
            <div class="chart-grid">
                {figure(Metric::Ttft, Signal::derive(move || report.with(|r| r.samples.ttft.clone())))}
                {figure(Metric::Tbt, gaps.into())}
                {figure(Metric::Tpot, Signal::derive(move || report.with(|r| r.samples.tpot.clone())))}
                {figure(
                    Metric::NormalizedLatency,
                    Signal::derive(move || report.with(|r| r.samples.normalized_latency.clone())),
                )}
            </div>
        </section>
    }
}

/// FALLBACK for a CDF: the value at a few levels.
fn level_table(values: &[f64], what: &'static str, format: fn(f64) -> String) -> AnyView {
    let mut sorted = values.to_vec();
    sort_floats(&mut sorted);
    let Some(summary) = Summary::of_sorted(&sorted) else {
        return view! { <p class="muted">"No completed request."</p> }.into_any();
    };
    let cells: Vec<(String, String)> = FALLBACK_LEVELS
        .iter()
        .map(|&p| {
            let v = quantile_sorted(&sorted, p as f64 / 100.0).unwrap_or(f64::NAN);
            (format!("{p} %"), format(v))
        })
        .collect();
    view! {
        <table class="mini-table">
            <thead>
                <tr>
                    <th scope="col">"share at or below"</th>
                    {cells.iter().map(|(l, _)| view! { <th scope="col">{l.clone()}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                <tr>
                    <th scope="row">{what}</th>
                    {cells.into_iter().map(|(_, v)| view! { <td>{v}</td> }).collect_view()}
                </tr>
            </tbody>
        </table>
        <p class="muted">{format!("{} values", summary.count)}</p>
    }
        .into_any()
}

/// FALLBACK for the miss-rate curve: a few of its points.
fn miss_curve_table(curve: &[(f64, f64)]) -> AnyView {
    if curve.is_empty() {
        return view! { <p class="muted">"No completed request."</p> }.into_any();
    }
    let points: Vec<(f64, f64)> = [5usize, 10, 20, 50, 100]
        .iter()
        .filter_map(|&ms| curve.get(ms - 1).copied())
        .collect();
    view! {
        <table class="mini-table">
            <thead>
                <tr>
                    <th scope="col">"TBT deadline"</th>
                    {points.iter().map(|(d, _)| view! { <th scope="col">{format_seconds(*d)}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                <tr>
                    <th scope="row">"p99 miss rate"</th>
                    {points.iter().map(|(_, m)| view! { <td>{format_share(*m)}</td> }).collect_view()}
                </tr>
            </tbody>
        </table>
    }
        .into_any()
}
