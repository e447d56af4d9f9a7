//! The results screen: every figure of the last finished run, recomputed
//! from its recording whenever a deadline moves (no re-run): what no
//! deadline changes is computed once per recording (a
//! [`ReportBasis`]), a deadline move recomputes only the rest. Headline
//! cards with a plain sentence each, the fluidity explainer and
//! distribution, the p99 miss rate vs TBT deadline curve, a percentile
//! table, CDFs, one request's tokens against their deadlines, the errors
//! in sentences, warnings, and the recording's export.
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
mod table;
#[cfg(test)]
mod tests;

use etalon_core::metrics::DeadlineConfig;
use etalon_core::present::chart::format_count;
use etalon_core::present::report::{run_caption, run_warnings, Report, ReportBasis};
use etalon_core::recording::Recording;
use leptos::prelude::*;
use std::sync::Arc;

use crate::runner::Phase;
use crate::state::{use_app, Screen};
use crate::views::run::next_task;
use std::time::Duration;

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
            {move || match recording.get() {
                Some(recording) => {
                    // Working out the figures of a long run takes a while:
                    // the screen and this note paint first.
                    let working = working_note(&recording);
                    let painted = after_paint();
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
                None => view! { <NoResults/> }.into_any(),
            }}
        </section>
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

/// A signal that turns true in the first task after the next paint.
fn after_paint() -> RwSignal<bool> {
    let painted = RwSignal::new(false);
    request_animation_frame(move || {
        set_timeout(move || painted.set(true), Duration::ZERO);
    });
    painted
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
/// figure at once from it (see [`follow_deadlines`]).
#[component]
pub fn ResultsBody(
    #[prop(into)] recording: Signal<Arc<Recording>>,
    deadlines: RwSignal<DeadlineConfig>,
    /// The user stopped the run early.
    #[prop(into, optional)]
    stopped: Signal<bool>,
) -> impl IntoView {
    let basis = Memo::new(move |_| recording.with(|r| ReportBasis::of(r)));
    let shown = RwSignal::new(
        basis.with_untracked(|b| deadlines.with_untracked(|d| Report::from_basis(b, d, None))),
    );
    follow_deadlines(basis, deadlines, shown);
    let report = Memo::new(move |_| shown.get());
    // The profile's sorted gaps, shared with the TBT chart (not copied),
    // compared by pointer (never value by value).
    let gaps = Memo::new_with_compare(
        move |_| basis.with(|b| b.profile.shared_sorted_gaps()),
        |old, new| !matches!((old, new), (Some(old), Some(new)) if Arc::ptr_eq(old, new)),
    );
    let warnings = Memo::new(move |_| recording.with(|r| run_warnings(r, stopped.get())));
    let caption = move || recording.with(|r| run_caption(r));
    let charts = next_task();
    view! {
        <div class="results-body">
            <div class="results-head">
                <p class="caption" data-testid="results-caption">{caption}</p>
                <ExportButton recording/>
            </div>
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
            <DeadlineControls deadlines/>
            <HeadlineCards report/>
            // The charts in the next task, so that the cards show at once.
            <Show when=move || charts.get()>
                <FluiditySection report deadlines/>
                <PercentileTable report/>
                <Distributions report gaps deadlines/>
                <RequestSection recording report deadlines/>
            </Show>
            <server::ServerAccountSection recording/>
            <ErrorsTable report/>
        </div>
    }
}

/// Requests whose minimum-deadline searches one task does on a TTFT
/// deadline or target move (about 10 ms of work in the browser for the
/// searches of typical requests).
const SEARCHES_PER_TASK: usize = 100;

/// Keeps `shown` the report of `basis` under `deadlines`. A TBT deadline
/// move keeps the previous report's minimum-deadline searches: one task of
/// a few milliseconds. A TTFT deadline or target move searches again, a
/// slice of requests per task (so that no task on the page lasts 50 ms),
/// and shows every new figure at once when the last slice is done; a newer
/// move abandons it.
fn follow_deadlines(
    basis: Memo<ReportBasis>,
    deadlines: RwSignal<DeadlineConfig>,
    shown: RwSignal<Report>,
) {
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let config = deadlines.get();
        basis.track();
        generation.update_value(|g| *g += 1);
        let this = generation.get_value();
        let current = shown.with_untracked(|r| {
            basis.with_untracked(|b| b.made(r) && r.metrics.deadlines == config)
        });
        if current {
            return;
        }
        let quick =
            shown.with_untracked(|r| basis.with_untracked(|b| b.reuses_searches(&config, r)));
        if quick {
            let report = shown.with_untracked(|r| {
                basis.with_untracked(|b| Report::from_basis(b, &config, Some(r)))
            });
            shown.set(report);
            return;
        }
        let requests = basis.with_untracked(|b| b.profile.timelines().len());
        SlicedSearch {
            basis,
            shown,
            generation,
            this,
            config,
            searches: Vec::with_capacity(requests),
            requests,
        }
        .queue(0);
    });
}

/// The minimum-deadline searches of a TTFT deadline or target move, done
/// a slice of requests per task.
struct SlicedSearch {
    basis: Memo<ReportBasis>,
    shown: RwSignal<Report>,
    generation: StoredValue<u64>,
    /// The move this search is for; a newer one abandons it.
    this: u64,
    config: DeadlineConfig,
    searches: Vec<f64>,
    requests: usize,
}

impl SlicedSearch {
    /// Searches the requests from `start` on in the next task, then queues
    /// the rest; shows the report after the last slice.
    fn queue(mut self, start: usize) {
        set_timeout(
            move || {
                if self.generation.get_value() != self.this {
                    return;
                }
                let end = (start + SEARCHES_PER_TASK).min(self.requests);
                let slice = self
                    .basis
                    .with_untracked(|b| b.profile.min_tbt_deadlines(&self.config, start..end));
                self.searches.extend(slice);
                if end < self.requests {
                    self.queue(end);
                } else {
                    let report = self.basis.with_untracked(|b| {
                        Report::from_basis_with_searches(b, &self.config, self.searches)
                    });
                    self.shown.set(report);
                }
            },
            Duration::ZERO,
        );
    }
}
