//! The results screen: every figure of the last finished run, recomputed
//! from its recording whenever a deadline moves (no re-run): what no
//! deadline changes is computed once per recording (a
//! [`ReportBasis`]), a deadline move recomputes only the rest. Headline
//! cards with a plain sentence each, the fluidity explainer and
//! distribution, the p99 miss rate vs TBT deadline curve, a percentile
//! table, CDFs, one request's tokens against their deadlines, the errors
//! in sentences, warnings, and the recording's export. A run where some
//! requests failed says so first; one where every request failed shows
//! only the failure, what to do, and the errors table.
//!
//! [`ResultsView`] reads the app's state; [`ResultsBody`] takes plain
//! props (a recording and a deadline signal), so tests mount it alone.

mod charts;
mod deadlines;
mod errors;
mod export;
mod headlines;
mod request;
mod server;
mod summary;
mod table;
#[cfg(test)]
mod tests;

use etalon_core::metrics::DeadlineConfig;
use etalon_core::present::chart::format_count;
use etalon_core::present::report::{
    clock_sentence, local_time_text, run_caption, run_warnings, ReportBasis, RunOutcome, RunStatus,
    WarningKind,
};
use etalon_core::recording::Recording;
use leptos::prelude::*;
use std::sync::Arc;

use crate::hooks::{use_after_paint, use_deadline_report, use_next_task};
use crate::runner::Phase;
use crate::state::{use_app, AppState, Screen};

pub use charts::{Distributions, FluiditySection};
pub use deadlines::DeadlineControls;
pub use errors::ErrorsTable;
pub use export::ExportButton;
pub use headlines::HeadlineCards;
pub use request::RequestSection;
pub use table::PercentileTable;

#[component]
pub fn ResultsView() -> impl IntoView {
    let app = use_app();
    // The run the address names, when it is not the one in the book: read
    // from History. `Some(Err)`: it could not be.
    let kept = RwSignal::new(None::<Result<(), String>>);
    Effect::new(move |_| {
        let Some(id) = app.results_id.get() else {
            return;
        };
        if app.shown_id.get_untracked().as_deref() == Some(id.as_str()) {
            return;
        }
        // The book is the run under way's until it ends: a kept run opens
        // then (this effect runs again when the phase changes).
        if matches!(app.phase.get(), Phase::WarmingUp { .. } | Phase::Running) {
            kept.set(Some(Err(
                "A run is under way: this kept run opens here when it \
                               ends (or when you stop it)."
                    .into(),
            )));
            return;
        }
        kept.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            let read = crate::history::load_run(&id).await;
            // The address moved on while it was read.
            if app.results_id.get_untracked().as_deref() != Some(id.as_str()) {
                return;
            }
            match read {
                Ok((entry, recording)) => {
                    crate::history::show_kept_run(&app, &id, &entry, recording);
                    kept.set(Some(Ok(())));
                }
                Err(problem) => kept.set(Some(Err(problem))),
            }
        });
    });
    // Whether the book holds the run the address names.
    let showing_wanted = Memo::new(move |_| match app.results_id.get() {
        None => true,
        Some(id) => app.shown_id.get().as_deref() == Some(id.as_str()),
    });
    // The book's recording itself, shared: the memo changes when the book
    // holds another recording, and never compares two long recordings.
    let recording = Memo::new_with_compare(
        move |_| {
            app.book.with(|b| {
                b.as_ref()
                    .filter(|b| b.finished)
                    .map(|b| b.recording.clone())
            })
        },
        |old, new| match (old, new) {
            (Some(Some(old)), Some(Some(new))) => !Arc::ptr_eq(old, new),
            (old, new) => old.map(Option::is_some) != new.map(Option::is_some),
        },
    );
    let stopped = Signal::derive(move || app.book.with(|b| b.as_ref().is_some_and(|b| b.stopped)));
    view! {
        <section class="results-view" data-testid="results-view" aria-labelledby="results-title">
            <h2 id="results-title">"Results"</h2>
            {move || app.history_problem.get().map(|p| view! {
                <p class="banner warning" role="alert" data-testid="results-history-problem">{p}</p>
            })}
            {move || match (app.summary.get(), showing_wanted.get(), recording.get()) {
                (Some(summary), _, _) => view! { <summary::SummaryBody summary/> }.into_any(),
                (None, false, _) => view! { <KeptRunNote kept/> }.into_any(),
                (None, true, Some(recording)) => {
                    // Working out the figures of a long run takes a while:
                    // the screen and this note paint first.
                    let working = working_note(&recording);
                    let painted = use_after_paint();
                    view! {
                        <Show
                            when=move || painted.get()
                            fallback=move || {
                                view! {
                                    <p class="muted" role="status" data-testid="results-working">
                                        {working.clone()}
                                    </p>
                                }
                            }
                        >
                            <ResultsBody recording=recording.clone() deadlines=app.deadlines stopped/>
                        </Show>
                    }
                        .into_any()
                }
                (None, true, None) => view! { <NoResults/> }.into_any(),
            }}
        </section>
    }
}

/// The first look: what was tested, when and how hard in one paragraph,
/// the verdict in the next.
#[component]
pub(crate) fn FirstLook(sentences: Signal<Vec<String>>) -> impl IntoView {
    view! {
        <div class="first-look" data-testid="results-first-look">
            {move || sentences.with(|s| {
                let (what, verdict) = s.split_first().map_or((String::new(), String::new()), |(w, v)| (w.clone(), v.join(" ")));
                view! { <p>{what}</p> <p class="first-look-verdict">{verdict}</p> }
            })}
        </div>
    }
}

/// Minutes east of UTC on the reader's clock at `unix_ms`.
pub(crate) fn local_offset_minutes(unix_ms: f64) -> i32 {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix_ms));
    let west = date.get_timezone_offset();
    if west.is_finite() && west.abs() <= 24.0 * 60.0 {
        -(west as i32)
    } else {
        0
    }
}

/// A kept run being read, or why it cannot be shown, with the way to History.
#[component]
fn KeptRunNote(kept: RwSignal<Option<Result<(), String>>>) -> impl IntoView {
    let app = use_app();
    move || {
        match kept.get() {
        Some(Err(problem)) => view! {
            <div class="no-results" data-testid="results-unknown-run">
                <p role="alert">{problem}</p>
                <button class="secondary" data-testid="results-to-history" on:click=move |_| app.screen.set(Screen::History)>
                    "See the runs kept in History"
                </button>
            </div>
        }
        .into_any(),
        _ => view! {
            <p class="muted" role="status" data-testid="results-reading">"Reading this run from History…"</p>
        }
        .into_any(),
    }
    }
}

/// "Working out the figures of 10,000 requests (10,000,000 tokens)…"
fn working_note(recording: &Recording) -> String {
    let requests = recording.requests.len();
    let tokens: u64 = recording
        .requests
        .iter()
        .map(|r| r.chunks.total_tokens())
        .sum();
    format!(
        "Working out the figures of {} request{} ({} tokens)…",
        format_count(requests as u64),
        if requests == 1 { "" } else { "s" },
        format_count(tokens)
    )
}

/// What to do when there is nothing to show yet.
#[component]
fn NoResults() -> impl IntoView {
    let app = use_app();
    let under_way = move || matches!(app.phase.get(), Phase::WarmingUp { .. } | Phase::Running);
    view! {
        <div class="no-results" data-testid="no-results">
            {move || {
                if under_way() {
                    view! {
                        <p>
                            "A run is under way: its results appear here as soon as it finishes \
                             (or when you stop it)."
                        </p>
                        <button class="secondary" on:click=move |_| app.screen.set(Screen::Run)>
                            "Watch the run"
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <p>
                            "No finished run yet. Go to the set-up, enter your endpoint and model, \
                             and press Run; when the run finishes (or you stop it), every figure \
                             shows here."
                        </p>
                        <button class="secondary" on:click=move |_| app.screen.set(Screen::Setup)>
                            "Go to the set-up"
                        </button>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

/// Every figure of `recording` under `deadlines`. The recording's
/// [`ReportBasis`] is computed once; moving a deadline recomputes every
/// figure at once from it (see [`use_deadline_report`]).
#[component]
pub fn ResultsBody(
    #[prop(into)] recording: Signal<Arc<Recording>>,
    deadlines: RwSignal<DeadlineConfig>,
    /// The user stopped the run early.
    #[prop(into, optional)]
    stopped: Signal<bool>,
) -> impl IntoView {
    let basis = Memo::new(move |_| recording.with(|r| ReportBasis::of(r)));
    let report = use_deadline_report(basis, deadlines);
    // The profile's sorted gaps, shared with the TBT chart (not copied),
    // compared by pointer (never value by value).
    let gaps = Memo::new_with_compare(
        move |_| basis.with(|b| b.profile.shared_sorted_gaps()),
        |old, new| !matches!((old, new), (Some(old), Some(new)) if Arc::ptr_eq(old, new)),
    );
    let status = Memo::new(move |_| {
        basis.with(|b| RunStatus::of(&b.errors, b.profile.timelines().len() as u64, stopped.get()))
    });
    let all_failed = Memo::new(move |_| status.with(|s| s.outcome == RunOutcome::AllFailed));
    // When every request failed, the failure panel already says that no
    // request completed.
    let warnings = Memo::new(move |_| {
        let mut warnings = recording.with(|r| run_warnings(r, stopped.get()));
        if all_failed.get() {
            warnings.retain(|w| w.kind != WarningKind::NothingCompleted);
        }
        warnings
    });
    let caption = move || recording.with(|r| run_caption(r));
    // The run's start on the reader's clock, and the paragraph that opens
    // the results.
    let when = Memo::new(move |_| {
        recording.with(|r| {
            local_time_text(
                r.started_at_unix_ms,
                local_offset_minutes(r.started_at_unix_ms),
            )
        })
    });
    let first_look = Memo::new(move |_| {
        when.with(|when| report.with(|r| basis.with(|b| r.first_look(b, when))))
    });
    let clock = Signal::derive(move || basis.with(|b| clock_sentence(&b.facts)));
    let charts = use_next_task();
    view! {
        <div class="results-body">
            <div class="results-head">
                <p class="caption" data-testid="results-caption">{caption}</p>
                <ExportButton recording/>
            </div>
            <Show when=move || !all_failed.get()>
                <FirstLook sentences=Signal::derive(move || first_look.get())/>
            </Show>
            <RunStatusBanner status/>
            {move || {
                warnings
                    .get()
                    .into_iter()
                    .map(|w| {
                        view! {
                            <p class="banner warning" role="alert" data-testid="results-warning">
                                {w.sentence}
                            </p>
                        }
                    })
                    .collect_view()
            }}
            <Show
                when=move || !all_failed.get()
                fallback=move || {
                    view! {
                        <ErrorsTable report/>
                        <server::ServerAccountSection recording/>
                    }
                }
            >
                <HeadlineCards report clock/>
                <DeadlineControls deadlines/>
                // The charts in the next task, so that the cards show at once.
                <Show when=move || charts.get()>
                    <FluiditySection report deadlines/>
                    <PercentileTable report/>
                    <Distributions report gaps deadlines/>
                    <RequestSection recording report deadlines/>
                </Show>
                <server::ServerAccountSection recording/>
                <ErrorsTable report/>
            </Show>
        </div>
    }
}

/// A run with failures, said first: when every request failed, what
/// happened and what to do (the failure's own sentence, as Check endpoint
/// gives it); when some did, how many and the most common problem.
#[component]
fn RunStatusBanner(status: Memo<RunStatus>) -> impl IntoView {
    // Without the app around it (the body mounted alone), no way back to
    // the set-up to offer.
    let app = use_context::<AppState>();
    move || {
        let status = status.get();
        match (status.outcome, status.fix) {
            (RunOutcome::AllFailed, fix) => view! {
                <div class="failure-panel" role="alert" data-testid="results-failure">
                    <p><strong data-testid="results-status">{status.sentence}</strong></p>
                    {fix.map(|fix| view! { <p class="failure-fix" data-testid="results-fix">{fix}</p> })}
                    <p class="muted">
                        "Fix this in the set-up, then press Check endpoint to try one request \
                         before you run again. Every failed request is listed below."
                    </p>
                    {app.map(|app| view! {
                        <button class="secondary" data-testid="results-to-setup" on:click=move |_| app.screen.set(Screen::Setup)>
                            "Go to the set-up"
                        </button>
                    })}
                </div>
            }
                .into_any(),
            (RunOutcome::SomeFailed, fix) => view! {
                <div class="banner warning" role="status" data-testid="results-failure">
                    <p class="banner-line" data-testid="results-status">{status.sentence}</p>
                    {fix.map(|fix| view! { <p class="banner-line" data-testid="results-fix">{fix}</p> })}
                </div>
            }
                .into_any(),
            _ => ().into_any(),
        }
    }
}
