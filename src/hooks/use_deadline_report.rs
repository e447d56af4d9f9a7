//! The report shown under deadlines that move: a slider drag or a typed
//! deadline recomputes every figure from the recording, without any task
//! on the page lasting 50 ms.

use etalon_core::metrics::DeadlineConfig;
use etalon_core::present::report::{Report, ReportBasis};
use leptos::prelude::*;
use std::time::Duration;

/// The report of `basis` under `deadlines`, kept current as either moves
/// (see [`follow_deadlines`]).
pub fn use_deadline_report(
    basis: Memo<ReportBasis>,
    deadlines: impl Into<Signal<DeadlineConfig>>,
) -> Memo<Report> {
    let deadlines = deadlines.into();
    let shown = RwSignal::new(
        basis.with_untracked(|b| deadlines.with_untracked(|d| Report::from_basis(b, d, None))),
    );
    follow_deadlines(basis, deadlines, shown);
    Memo::new(move |_| shown.get())
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
    deadlines: Signal<DeadlineConfig>,
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
