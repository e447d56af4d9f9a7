//! The results screen's charts, drawn by the components of
//! `src/components/` from the report's figures: the fluidity section (the
//! explainer, the fluidity-index distribution, the p99 miss rate vs TBT
//! deadline curve, with the chosen TBT deadline marked) and the CDFs of
//! TTFT, TBT, TPOT and normalized latency (deadlines marked where they
//! apply). Each chart carries its own data table as a text alternative.

use etalon_core::metrics::{DeadlineConfig, TtftDeadline};
use etalon_core::present::chart::{
    fluid_rate_sentence, miss_curve_markers, Marker, Series, Unit as ChartUnit,
};
use etalon_core::present::report::{Metric, Report};
use leptos::prelude::*;
use std::sync::Arc;

use crate::components::{CdfChart, FluidityExplainer, Histogram, LineChart};
use crate::hooks::use_responsive_width;

/// Widest a chart is drawn, and the page's side padding around it.
const CHART_MAX_WIDTH: f64 = 560.0;
const PAGE_PADDING: f64 = 48.0;

#[component]
pub fn FluiditySection(report: Memo<Report>, deadlines: RwSignal<DeadlineConfig>) -> impl IntoView {
    let width = use_responsive_width(CHART_MAX_WIDTH, PAGE_PADDING);
    let fluidity = Signal::derive(move || report.with(|r| r.samples.fluidity_index.clone()));
    // Memos: a deadline move gives a new report, but the same curve (it
    // does not depend on the deadlines), which is then not drawn again.
    let curve = Memo::new(move |_| {
        report.with(|r| vec![Series::new("p99 miss rate", r.miss_curve.clone())])
    });
    // The target line, the fluid rate's point on it, and the chosen TBT
    // deadline when it falls on the curve's 1 to 100 ms.
    let fluid_rate =
        Memo::new(move |_| report.with(|r| r.metrics.service.fluid_token_generation_rate));
    let curve_markers = Signal::derive(move || {
        let d = deadlines.with(|d| d.tbt_deadline);
        let mut markers = miss_curve_markers(fluid_rate.get());
        markers.extend((d <= 0.1).then(|| Marker::x(d, "your TBT deadline")));
        markers
    });
    view! {
        <section class="fluidity" aria-labelledby="fluidity-title">
            <h3 id="fluidity-title">"Fluidity: does the text keep flowing?"</h3>
            <p>
                "Two answers can have the same average speed and still feel very different: \
                 one flows, the other freezes and then dumps text. The fluidity-index tells \
                 them apart."
            </p>
            <dl class="explain-list">
                <dt>{Metric::FluidityIndex.name()}</dt>
                <dd>{Metric::FluidityIndex.explanation()}</dd>
                <dt>{Metric::DeadlineMiss.name()}</dt>
                <dd>{Metric::DeadlineMiss.explanation()}</dd>
                <dt>{Metric::Stall.name()}</dt>
                <dd>{Metric::Stall.explanation()}</dd>
                <dt>{Metric::FluidRate.name()}</dt>
                <dd>{Metric::FluidRate.explanation()}</dd>
            </dl>
            <div class="figure-grid">
                <figure class="plot" data-testid="fluidity-explainer">
                    <FluidityExplainer width/>
                </figure>
                <figure class="plot" data-testid="fluidity-histogram">
                    <figcaption>
                        "How fluid each request was: the fluidity-index of every completed request \
                         (100 % at the right means no missed deadline)."
                    </figcaption>
                    <Histogram
                        title="Fluidity-index of each request"
                        samples=fluidity
                        x_label="Fluidity-index"
                        x_unit=ChartUnit::Percent
                        range=(0.0, 1.0)
                        bins=20
                        width
                    />
                </figure>
                <figure class="plot" data-testid="miss-curve">
                    <figcaption>
                        "How strict a pace the service can promise: for each TBT deadline from \
                         1 to 100 ms, the share of deadlines missed by the worst 1 % of requests \
                         (decode only). Lower is better. The dashed level line is the 10 % \
                         target; the dot where the curve meets it is the fluid token generation \
                         rate."
                    </figcaption>
                    <LineChart
                        title="p99 deadline miss rate vs TBT deadline"
                        series=curve
                        x_label="TBT deadline"
                        x_unit=ChartUnit::Seconds
                        y_label="p99 miss rate"
                        y_unit=ChartUnit::Percent
                        y_domain=(0.0, 1.0)
                        markers=curve_markers
                        hover=true
                        width
                    />
                    <p class="chart-note" data-testid="miss-curve-fluid-rate">
                        {move || fluid_rate_sentence(fluid_rate.get())}
                    </p>
                </figure>
            </div>
        </section>
    }
}

#[component]
pub fn Distributions(
    report: Memo<Report>,
    /// Every TBT gap of the run, sorted (shared with the chart, not copied).
    gaps: Memo<Arc<Vec<f64>>>,
    deadlines: RwSignal<DeadlineConfig>,
) -> impl IntoView {
    let width = use_responsive_width(CHART_MAX_WIDTH, PAGE_PADDING);
    // Memos: these figures do not depend on the deadlines, so a deadline
    // move does not draw their charts again.
    let runs = move |metric: Metric, pick: fn(&Report) -> Vec<f64>| {
        Signal::from(Memo::new(move |_| {
            vec![(metric.short_name().to_string(), Arc::new(report.with(pick)))]
        }))
    };
    let ttft_marker = Signal::derive(move || {
        deadlines.with(|d| match d.ttft_deadline {
            TtftDeadline::Fixed(s) => vec![Marker::x(s, "TTFT deadline")],
            TtftDeadline::Prefill { .. } => Vec::new(),
        })
    });
    let tbt_marker = Signal::derive(move || {
        vec![Marker::x(
            deadlines.with(|d| d.tbt_deadline),
            "TBT deadline",
        )]
    });
    let figure = move |metric: Metric,
                       runs: Signal<Vec<(String, Arc<Vec<f64>>)>>,
                       markers: Signal<Vec<Marker>>| {
        let id = format!(
            "cdf-{}",
            metric.short_name().to_lowercase().replace(' ', "-")
        );
        view! {
            <figure class="plot" data-testid=id>
                <figcaption>
                    <strong>{metric.name()}</strong>
                    ": " {metric.explanation()}
                    " The curve shows the share of values at or below each time."
                </figcaption>
                <CdfChart
                    title=format!("{}: cumulative distribution", metric.name())
                    runs
                    x_label=metric.short_name()
                    each=spread_noun(metric)
                    x_unit=ChartUnit::Seconds
                    markers
                    hover=true
                    width
                    height=Signal::stored(260.0)
                />
            </figure>
        }
    };
    let tbt_runs = Signal::derive(move || vec![("TBT".to_string(), gaps.get())]);
    view! {
        <section class="distributions" aria-labelledby="distributions-title">
            <h3 id="distributions-title">"Distributions"</h3>
            <div class="figure-grid">
                {figure(Metric::Ttft, runs(Metric::Ttft, |r| r.samples.ttft.clone()), ttft_marker)}
                {figure(Metric::Tbt, tbt_runs, tbt_marker)}
                {figure(Metric::Tpot, runs(Metric::Tpot, |r| r.samples.tpot.clone()), Signal::stored(Vec::new()))}
                {figure(
                    Metric::NormalizedLatency,
                    runs(Metric::NormalizedLatency, |r| r.samples.normalized_latency.clone()),
                    Signal::stored(Vec::new()),
                )}
            </div>
        </section>
    }
}

/// One value of `metric` in the sentence on a spread too small to matter
/// ("Every TPOT is within ..."): acronyms as they are, words in lower case.
fn spread_noun(metric: Metric) -> String {
    match metric {
        Metric::NormalizedLatency => "request's normalized latency".to_string(),
        other => other.short_name().to_string(),
    }
}
