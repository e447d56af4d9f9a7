//! The run screen: where the run stands (phase, progress, time left), the
//! first request's answer replayed at the pace it arrived with its stalls
//! marked, live TTFT and TBT distributions, Stop, and "See results". A run
//! that ended with failures leads with them and what to do.
//!
//! Rendering stays cheap while streams pour in: the progress is a copy of
//! the book's counters, the live text a binary search and a few text runs,
//! and the live distributions are recomputed at most every 500 ms from the
//! records not seen before (`etalon_core::present::report::LiveDistributions`).

mod live_figures;
mod live_text;
mod progress;
#[cfg(test)]
mod tests;

use etalon_core::observe::run_book::RunBook;
use etalon_core::present::report::{hidden_warning, RunOutcome, RunStatus};
use leptos::prelude::*;

pub use live_figures::LiveFigures;
pub use live_text::LiveText;
pub use progress::RunProgressBar;

use crate::browser::now_unix_ms;
use crate::hooks::{use_after_tasks, use_next_task, use_ticking_clock};
use crate::runner::Phase;
use crate::state::{use_app, Screen};

/// How often elapsed time, time left and the live distributions refresh.
pub const REFRESH_MS: u32 = 500;

/// The book of a run, as the app keeps it.
pub type BookSignal = RwSignal<Option<RunBook>, LocalStorage>;

#[component]
pub fn RunView() -> impl IntoView {
    let app = use_app();
    let (book, phase) = (app.book, app.phase);
    let under_way =
        Memo::new(move |_| matches!(phase.get(), Phase::WarmingUp { .. } | Phase::Running));
    // The clock of the progress and the live figures: every REFRESH_MS
    // while a run is under way, once more when it ends.
    let now = RwSignal::new(now_unix_ms());
    use_ticking_clock(now, under_way, REFRESH_MS);
    // The book belongs to this run (not to an earlier one) once running.
    let has_run = Memo::new(move |_| {
        matches!(
            phase.get(),
            Phase::Running | Phase::Finished | Phase::Broken(_)
        ) && book.with(Option::is_some)
    });
    view! {
        <section class="run-view" data-testid="run-view" aria-labelledby="run-title">
            <h2 id="run-title">"Run"</h2>
            <PhaseLine book phase=phase.into()/>
            <Show when=move || matches!(phase.get(), Phase::Idle)>
                <p>
                    "No run yet. Fill in the set-up, then press Run: the requests' progress \
                     and the first answer will show here as they arrive."
                </p>
                <button class="secondary" on:click=move |_| app.screen.set(Screen::Setup)>
                    "Go to the set-up"
                </button>
            </Show>
            <Show when=move || has_run.get()>
                <RunUnderWay book now=now.into()/>
            </Show>
        </section>
    }
}

/// A run's progress and actions at once; its live text and figures in
/// the next task, then the figures in the one after: starting a run
/// (leaving the set-up, planning, sending the order) is already a task's
/// worth of work, and no task may keep the page busy for 50 ms.
#[component]
fn RunUnderWay(book: BookSignal, now: Signal<f64>) -> impl IntoView {
    let text = use_next_task();
    let figures = use_after_tasks(2);
    let status = use_run_status(book);
    let all_failed =
        move || status.with(|s| s.as_ref().map(|s| s.outcome)) == Some(RunOutcome::AllFailed);
    view! {
        <HiddenBanner book/>
        <RunFailure status/>
        <RunProgressBar book now/>
        <RunActions book/>
        // Nothing arrived from a run whose every request failed: no empty
        // answer or charts under its failure.
        <Show when=move || !all_failed()>
            <div class="run-columns">
                <Show when=move || text.get()>
                    <LiveText book/>
                </Show>
                <Show when=move || figures.get()>
                    <LiveFigures book now/>
                </Show>
            </div>
        </Show>
    }
}

/// How the run went, once it has finished.
fn use_run_status(book: BookSignal) -> Memo<Option<RunStatus>> {
    Memo::new(move |_| {
        book.with(|b| {
            b.as_ref()
                .filter(|b| b.finished)
                .map(|b| RunStatus::of_records(&b.recording.requests, b.stopped))
        })
    })
}

/// The failures of a finished run and what to do about them, in the
/// failure's own words (those Check endpoint gives).
#[component]
fn RunFailure(status: Memo<Option<RunStatus>>) -> impl IntoView {
    let app = use_app();
    move || {
        let status = status.get()?;
        let fix = status.fix?;
        Some(if status.outcome == RunOutcome::AllFailed {
            view! {
                <div class="failure-panel" role="alert" data-testid="run-failure">
                    <p class="failure-fix" data-testid="run-fix">{fix}</p>
                    <p class="muted">
                        "Fix this in the set-up, then press Check endpoint to try one request \
                         before you run again."
                    </p>
                    <button class="secondary" data-testid="run-to-setup" on:click=move |_| app.screen.set(Screen::Setup)>
                        "Go to the set-up"
                    </button>
                </div>
            }
                .into_any()
        } else {
            view! { <p class="warning" role="status" data-testid="run-fix">{fix}</p> }.into_any()
        })
    }
}

/// Where the runner is, in a sentence.
#[component]
fn PhaseLine(book: BookSignal, phase: Signal<Phase>) -> impl IntoView {
    let stopped = Memo::new(move |_| book.with(|b| b.as_ref().is_some_and(|b| b.stopped)));
    let status = use_run_status(book);
    // How a finished run went decides its colour: green only when every
    // request completed.
    let outcome = move || match phase.get() {
        Phase::Finished => status.with(|s| s.as_ref().map(|s| s.outcome.name())),
        _ => None,
    };
    let sentence = move || match phase.get() {
        Phase::Idle => ("idle", String::new()),
        Phase::WarmingUp { total } => (
            "warming-up",
            format!(
                "Warming up: {total} request{} one at a time, to wake the server and learn how \
                 it counts tokens. They are not part of the results.",
                if total == 1 { "" } else { "s" }
            ),
        ),
        Phase::Running => (
            "running",
            "Running: requests are sent as planned and timed as their answers stream in."
                .to_string(),
        ),
        Phase::Finished => (
            if stopped.get() { "stopped" } else { "finished" },
            status
                .get()
                .map(|s| s.sentence)
                .unwrap_or_else(|| "Finished.".to_string()),
        ),
        Phase::Failed(reason) => ("failed", format!("The run could not start: {reason}")),
        Phase::Broken(reason) => (
            "broken",
            format!("{reason} The requests that had ended are kept; press Run to start again."),
        ),
    };
    view! {
        {move || {
            let (state, text) = sentence();
            (!text.is_empty())
                .then(|| {
                    view! {
                        <p
                            class=match outcome() {
                                Some(o) => format!("phase phase-{state} outcome-{o}"),
                                None => format!("phase phase-{state}"),
                            }
                            data-testid="run-phase"
                            data-phase=state
                            data-outcome=outcome
                            role="status"
                        >
                            {text}
                        </p>
                    }
                })
        }}
    }
}

/// Says plainly when the tab was hidden during the run.
#[component]
fn HiddenBanner(book: BookSignal) -> impl IntoView {
    let warning = Memo::new(move |_| {
        book.with(|b| {
            b.as_ref()
                .and_then(|b| hidden_warning(&b.recording.environment))
        })
    });
    move || {
        warning.get().map(|sentence| {
            view! {
                <p class="banner warning" role="alert" data-testid="run-hidden-warning">
                    {sentence}
                </p>
            }
        })
    }
}

/// Stop while running; "See results" when finished.
#[component]
fn RunActions(book: BookSignal) -> impl IntoView {
    let app = use_app();
    let stopping = RwSignal::new(false);
    let finished = Memo::new(move |_| book.with(|b| b.as_ref().is_some_and(|b| b.finished)));
    view! {
        <div class="run-actions">
            <Show when=move || matches!(app.phase.get(), Phase::Running) && !finished.get()>
                <button
                    class="danger"
                    data-testid="run-stop"
                    disabled=move || stopping.get()
                    on:click=move |_| {
                        stopping.set(true);
                        app.stop();
                    }
                >
                    {move || if stopping.get() { "Stopping…" } else { "Stop" }}
                </button>
                <span class="muted">"Stopping keeps everything measured so far."</span>
            </Show>
            <Show when=move || finished.get()>
                <button
                    class="primary"
                    data-testid="run-see-results"
                    on:click=move |_| app.screen.set(Screen::Results)
                >
                    "See results"
                </button>
            </Show>
        </div>
    }
}
