//! Live TTFT and TBT distributions over the requests finished so far:
//! p50, p90 and p99 from `etalon_core::present::report::LiveDistributions`, taken
//! in only when the screen's clock ticks (every 500 ms while running),
//! never per batch; and small CDFs drawn from each distribution's sketch
//! (50 evenly spaced quantiles, not every gap).

use etalon_core::present::chart::Unit as ChartUnit;
use etalon_core::present::report::{format_seconds, LiveDistributions, LiveSpread, Metric};
use leptos::prelude::*;
use std::sync::Arc;

use super::BookSignal;
use crate::components::{CdfChart, WideTable};
use crate::hooks::use_responsive_width;

#[component]
pub fn LiveFigures(book: BookSignal, now: Signal<f64>) -> impl IntoView {
    let live = StoredValue::new(LiveDistributions::new());
    let summary = Memo::new(move |_| {
        now.track();
        book.with_untracked(|b| {
            let b = b.as_ref()?;
            Some(live.try_update_value(|live| {
                live.absorb(b.run_id, &b.recording.requests);
                live.summary()
            }))
        })
        .flatten()
        .unwrap_or_default()
    });
    let row = move |metric: Metric, spread: Option<LiveSpread>| {
        let cells = match &spread {
            Some(s) => [s.p50, s.p90, s.p99].map(format_seconds),
            None => ["—".to_string(), "—".to_string(), "—".to_string()],
        };
        let [p50, p90, p99] = cells;
        view! {
            <tr>
                <th scope="row" title=metric.explanation()>{metric.short_name()}</th>
                <td>{p50}</td>
                <td>{p90}</td>
                <td>{p99}</td>
                <td>{spread.map_or(0, |s| s.count)}</td>
            </tr>
        }
    };
    let has_data = Memo::new(move |_| summary.with(|s| s.ttft.is_some()));
    let width = use_responsive_width(420.0, 48.0);
    let cdf = move |metric: Metric, runs: Signal<Vec<(String, Arc<Vec<f64>>)>>| {
        view! {
            <figure class="plot" data-testid=format!("live-cdf-{}", metric.short_name().to_lowercase())>
                <CdfChart
                    title=format!("{} so far", metric.name())
                    runs
                    x_label=metric.short_name()
                    x_unit=ChartUnit::Seconds
                    width
                    height=Signal::stored(200.0)
                />
            </figure>
        }
    };
    view! {
        <section class="live-figures" aria-labelledby="live-figures-title">
            <h3 id="live-figures-title">"So far"</h3>
            <p class="muted">
                {move || {
                    let s = summary.get();
                    format!(
                        "Over the {} request{} finished so far ({} failed), updated every half second.",
                        s.completed,
                        if s.completed == 1 { "" } else { "s" },
                        s.failed,
                    )
                }}
            </p>
            <WideTable>
                <table class="live-table" data-testid="live-figures">
                    <thead>
                        <tr>
                            <th scope="col">"Metric"</th>
                            <th scope="col">"p50"</th>
                            <th scope="col">"p90"</th>
                            <th scope="col">"p99"</th>
                            <th scope="col">"values"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let s = summary.get();
                            view! {
                                {row(Metric::Ttft, s.ttft)}
                                {row(Metric::Tbt, s.tbt)}
                            }
                        }}
                    </tbody>
                </table>
            </WideTable>
            <Show when=move || has_data.get()>
                <div class="figure-grid small">
                    {cdf(Metric::Ttft, Signal::derive(move || summary.with(|s| sketch(&s.ttft))))}
                    {cdf(Metric::Tbt, Signal::derive(move || summary.with(|s| sketch(&s.tbt))))}
                </div>
            </Show>
            <dl class="explain-list">
                <dt>{Metric::Ttft.short_name()}</dt>
                <dd>{Metric::Ttft.explanation()}</dd>
                <dt>{Metric::Tbt.short_name()}</dt>
                <dd>{Metric::Tbt.explanation()}</dd>
                <dt>"p50, p90, p99"</dt>
                <dd>"Half, 90 % and 99 % of the values were at or below these."</dd>
            </dl>
        </section>
    }
}

/// A distribution's sketch as one CDF run (none before any value).
fn sketch(spread: &Option<LiveSpread>) -> Vec<(String, Arc<Vec<f64>>)> {
    spread
        .iter()
        .map(|s| ("so far".to_string(), Arc::new(s.sketch.clone())))
        .collect()
}
