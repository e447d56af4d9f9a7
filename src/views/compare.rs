//! The compare screen: two or more runs (two endpoints, two networks,
//! before and after, the sender's run beside yours), judged against the
//! same deadlines: a table of each figure with its change from the first
//! run in %, overlaid CDFs, and one typical request of each replayed side
//! by side at the pace its tokens arrived. Figures come from
//! `etalon_core::share::compare_runs`.

use etalon_core::present::chart::Unit as ChartUnit;
use etalon_core::present::report::{tbt_gaps, MetricSamples, NO_FIGURE};
use etalon_core::share::{
    compare_runs, tokens_arrived_by, typical_request, ComparedRun, Comparison, MetricDelta,
};
use gloo_timers::callback::Interval;
use leptos::prelude::*;
use std::sync::Arc;

use crate::browser::now_unix_ms;
use crate::components::{CdfChart, WideTable};
use crate::hooks::use_responsive_width;
use crate::state::{use_app, AppState};
use crate::views::shared_link::{finished_recording, ImportFile};

/// Put the kept runs `ids` on the compare screen (from
/// `/compare?runs=...`), in that order, in place of what it held; a run
/// that cannot be read gets a sentence.
pub fn load_kept_runs(app: &AppState, ids: Vec<String>) {
    let app = *app;
    wasm_bindgen_futures::spawn_local(async move {
        let mut runs = Vec::new();
        let mut problems = Vec::new();
        for id in &ids {
            match crate::history::load_run(id).await {
                Ok((entry, recording)) => runs.push(ComparedRun {
                    label: entry.name,
                    recording,
                }),
                Err(problem) => problems.push(problem),
            }
        }
        app.compared.set(runs);
        app.history_problem
            .set((!problems.is_empty()).then(|| problems.join(" ")));
    });
}

#[component]
pub fn CompareView() -> impl IntoView {
    let app = use_app();
    let runs = app.compared;
    let comparison = Memo::new(move |_| runs.with(|r| compare_runs(r, &app.deadlines.get())));
    let add = move |label: &str, recording: Option<etalon_core::recording::Recording>| {
        let Some(recording) = recording else { return };
        runs.update(|runs| {
            if !runs.iter().any(|r| r.recording == recording) {
                runs.push(ComparedRun {
                    label: label.to_string(),
                    recording,
                });
            }
        });
    };
    let has_current =
        Signal::derive(move || app.book.with(|b| b.as_ref().is_some_and(|b| b.finished)));
    // The last run is on the list already (told by its start and size, not
    // by comparing every request of two long recordings).
    let current_added = Signal::derive(move || {
        app.book.with(|b| {
            b.as_ref().filter(|b| b.finished).is_some_and(|b| {
                let (start, n) = (b.recording.started_at_unix_ms, b.recording.requests.len());
                runs.with(|runs| {
                    runs.iter().any(|r| {
                        r.recording.started_at_unix_ms == start && r.recording.requests.len() == n
                    })
                })
            })
        })
    });
    let has_baseline = Signal::derive(move || app.baseline.with(Option::is_some));
    view! {
        <section class="compare-view" data-testid="compare-view" aria-labelledby="compare-title">
            <h2 id="compare-title">"Compare runs"</h2>
            <p class="lead">
                "Put two or more runs side by side: two endpoints, two networks, before and after a change. \
                 Every run is judged against the same deadlines (those of the results screen), and each change \
                 is from the first run. A change is \"within noise\" when chance alone could explain it (the two \
                 figures' 95 % ranges overlap); hover a figure to see its range."
            </p>
            <ul class="compared-runs" data-testid="compared-runs">
                {move || runs.get().into_iter().enumerate().map(|(i, run)| view! {
                    <li>
                        <strong>{run.label.clone()}</strong>
                        <span class="muted">{format!(": {}", etalon_core::present::report::run_caption(&run.recording))}</span>
                        <button class="secondary" on:click=move |_| runs.update(|r| { r.remove(i); })>"Remove"</button>
                    </li>
                }).collect_view()}
            </ul>
            <div class="actions">
                <button class="secondary" data-testid="compare-add-current" disabled=move || !has_current.get() || current_added.get()
                    on:click=move |_| add("This run", finished_recording(&app))>
                    {move || if current_added.get() { "The last run is added" } else { "Add the last run" }}
                </button>
                <Show when=move || has_baseline.get()>
                    <button class="secondary" data-testid="compare-add-baseline"
                        on:click=move |_| add("Sender's run", app.baseline.get_untracked())>"Add the sender's run"</button>
                </Show>
                <ImportFile label="Add a recording or Etalon's file" testid="compare-import"
                    on_import=Callback::new(move |(name, imported): (String, etalon_core::share::Imported)| {
                        add(&name, Some(imported.recording));
                    })/>
            </div>
            {move || app.history_problem.get().map(|p| view! {
                <p class="banner warning" role="alert" data-testid="compare-history-problem">{p}</p>
            })}
            {move || (runs.with(Vec::len) < 2).then(|| view! {
                <p class="muted" data-testid="compare-hint">"Add at least two runs to compare them."</p>
            })}
            <Show when=move || runs.with(|r| !r.is_empty())>
                <DeltaTable comparison/>
                <Distributions comparison runs/>
                <Replay runs/>
            </Show>
        </section>
    }
}

/// Each figure of each run, and its change from the first run.
#[component]
fn DeltaTable(comparison: Memo<Comparison>) -> impl IntoView {
    view! {
        <h3>"Figures and changes"</h3>
        <WideTable>
            <table class="compare-table" data-testid="compare-table">
                <thead>
                    <tr>
                        <th scope="col">"Figure"</th>
                        {move || comparison.with(|c| c.labels.iter().enumerate().map(|(i, label)| view! {
                            <th scope="col">{label.clone()}{(i == 0).then_some(" (reference)")}</th>
                        }).collect_view())}
                    </tr>
                </thead>
                <tbody>
                    {move || comparison.with(|c| c.rows.iter().map(delta_row).collect_view())}
                </tbody>
            </table>
        </WideTable>
    }
}

fn delta_row(row: &MetricDelta) -> impl IntoView {
    let unit = row.metric.unit();
    let cells = (0..row.values.len())
        .map(|i| {
            let value = row.values[i];
            let change = row.changes[i];
            let better = row.better(i);
            let verdict = row.verdict(i);
            // How sure the figure is: its 95 % interval, or why there is none.
            let spread = match row.intervals[i] {
                Some(interval) => format!(
                    "95 % sure it lies between {} and {}",
                    unit.format(interval.low),
                    unit.format(interval.high)
                ),
                None => "too few requests to say how sure".to_owned(),
            };
            view! {
                <td data-testid=format!("compare-{}-{i}", row.key)
                    data-value=etalon_core::present::report::raw_value(value)
                    data-change=etalon_core::present::report::raw_value(change)
                    data-verdict=verdict.map(|v| v.words())
                    title=value.map(|_| spread)>
                    {value.map_or_else(|| NO_FIGURE.to_string(), |v| unit.format(v))}
                    {change.zip(verdict).map(|(c, verdict)| view! {
                        <span class="change" class:better=better == Some(true) class:worse=better == Some(false)>
                            {format!(" {}{:.1} % ({})", if c > 0.0 { "+" } else { "" }, c, verdict.words())}
                        </span>
                    })}
                </td>
            }
        })
        .collect_view();
    view! {
        <tr>
            <th scope="row">
                {row.metric.name()}
                {(!row.statistic.is_empty()).then(|| view! { <span class="muted">{format!(", {}", row.statistic)}</span> })}
            </th>
            {cells}
        </tr>
    }
}

/// The runs' distributions overlaid, one chart per figure.
#[component]
fn Distributions(comparison: Memo<Comparison>, runs: RwSignal<Vec<ComparedRun>>) -> impl IntoView {
    let width = use_responsive_width(560.0, 48.0);
    let samples = Memo::new(move |_| {
        comparison.with(|c| c.metrics.iter().map(MetricSamples::of).collect::<Vec<_>>())
    });
    let named = move |pick: fn(&MetricSamples) -> &Vec<f64>| {
        Signal::derive(move || {
            comparison.with(|c| {
                samples.with(|s| {
                    c.labels
                        .iter()
                        .cloned()
                        .zip(s.iter().map(|s| Arc::new(pick(s).clone())))
                        .collect::<Vec<_>>()
                })
            })
        })
    };
    let gaps = Signal::derive(move || {
        runs.with(|runs| {
            runs.iter()
                .map(|r| (r.label.clone(), Arc::new(tbt_gaps(&r.recording))))
                .collect::<Vec<_>>()
        })
    });
    let chart = move |title: &'static str,
                      each: &'static str,
                      runs: Signal<Vec<(String, Arc<Vec<f64>>)>>,
                      unit: ChartUnit,
                      x_domain: Option<(f64, f64)>| {
        view! {
            <figure class="plot">
                <CdfChart title=title runs x_label=title each=each x_unit=unit x_domain=x_domain hover=true width height=Signal::stored(260.0)/>
            </figure>
        }
    };
    view! {
        <h3>"Distributions"</h3>
        <p class="field-help">"Each curve is the share of a run's values at or below each value: further left is faster."</p>
        <div class="figure-grid" data-testid="compare-charts">
            {chart("Time to first token", "TTFT", named(|s| &s.ttft), ChartUnit::Seconds, None)}
            {chart("Time between tokens", "TBT", gaps, ChartUnit::Seconds, None)}
            {chart("Normalized latency (per token)", "request's normalized latency", named(|s| &s.normalized_latency), ChartUnit::Seconds, None)}
            // A share: always 0 to 100 %, never widened past it.
            {chart("Fluidity-index", "fluidity-index", named(|s| &s.fluidity_index), ChartUnit::Percent, Some((0.0, 1.0)))}
        </div>
    }
}

/// One typical request of each run (the median end-to-end latency), its
/// tokens arriving side by side at the pace they arrived.
#[component]
fn Replay(runs: RwSignal<Vec<ComparedRun>>) -> impl IntoView {
    let elapsed = RwSignal::new(0.0f64);
    let ticker = StoredValue::new_local(None::<Interval>);
    let requests = Memo::new(move |_| {
        runs.with(|runs| {
            runs.iter()
                .map(|r| (r.label.clone(), typical_request(&r.recording).cloned()))
                .collect::<Vec<_>>()
        })
    });
    let longest = move || {
        requests.with(|rs| {
            rs.iter()
                .filter_map(|(_, r)| r.as_ref()?.chunks.last().map(|c| c.at))
                .fold(0.0, f64::max)
        })
    };
    let play = move |_| {
        let started = now_unix_ms();
        let end = longest();
        elapsed.set(0.0);
        ticker.set_value(Some(Interval::new(50, move || {
            let t = (now_unix_ms() - started) / 1000.0;
            elapsed.set(t.min(end));
            if t >= end {
                ticker.set_value(None);
            }
        })));
    };
    on_cleanup(move || {
        ticker.try_update_value(|t| *t = None);
    });
    view! {
        <h3>"One request of each, at its real pace"</h3>
        <p class="field-help">
            "The request with the median end-to-end latency of each run, replayed as its tokens arrived: \
             the wait for the first token, the pace, the stalls."
        </p>
        <button class="secondary" data-testid="compare-replay-play" on:click=play>"Play"</button>
        <span class="muted replay-clock" data-testid="compare-replay-clock">{move || format!(" {:.2} s", elapsed.get())}</span>
        <div class="replay" data-testid="compare-replay">
            {move || requests.get().into_iter().enumerate().map(|(i, (label, request))| {
                let total = request.as_ref().map_or(0, |r| r.num_output_tokens());
                let arrived = Memo::new(move |_| {
                    request.as_ref().map_or(0, |r| tokens_arrived_by(r, elapsed.get()))
                });
                view! {
                    <div class="replay-row" data-testid=format!("compare-replay-row-{i}") data-tokens=move || arrived.get().to_string()>
                        <span class="replay-label">{label}</span>
                        <progress max=total.max(1).to_string() value=move || arrived.get().to_string()></progress>
                        <span class="replay-count">{move || format!("{} / {total} tokens", arrived.get())}</span>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}
