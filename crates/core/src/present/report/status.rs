//! How a finished run went, in one sentence for the run and results
//! screens, and what to do about its failures: a run whose every request
//! failed never reads "Finished", and one where some failed says how many.
//! The fix is the failure's own sentence (`observe::failure`), the words
//! "Check endpoint" shows for the same failure.

use super::errors::{error_rows, ErrorRow};
use crate::present::chart::{format_count, format_share};
use crate::recording::{ErrorKind, RequestRecord};

/// How a finished run went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every request completed.
    Completed,
    /// Some requests failed, the others completed.
    SomeFailed,
    /// No request completed, and at least one failed (not just stopped).
    AllFailed,
    /// The user stopped the run, and no request failed otherwise.
    Stopped,
}

impl RunOutcome {
    /// Its name in the page (`data-outcome`, a class): "completed",
    /// "some-failed", "all-failed", "stopped".
    pub fn name(self) -> &'static str {
        match self {
            RunOutcome::Completed => "completed",
            RunOutcome::SomeFailed => "some-failed",
            RunOutcome::AllFailed => "all-failed",
            RunOutcome::Stopped => "stopped",
        }
    }
}

/// A finished run in words.
#[derive(Debug, Clone, PartialEq)]
pub struct RunStatus {
    pub outcome: RunOutcome,
    /// "Finished: all 50 requests completed."
    pub sentence: String,
    /// The most common failure's sentence, which says what to do; `None`
    /// when no request failed (stopped ones aside).
    pub fix: Option<String>,
}

impl RunStatus {
    /// The status of a run of `requests`; `stopped` when the user stopped it.
    pub fn of_records(requests: &[RequestRecord], stopped: bool) -> Self {
        RunStatus::of(&error_rows(requests), requests.len() as u64, stopped)
    }

    /// The status of a run of `launched` requests whose failures are `rows`
    /// (see [`error_rows`]); `stopped` when the user stopped it.
    pub fn of(rows: &[ErrorRow], launched: u64, stopped: bool) -> Self {
        let failures: Vec<&ErrorRow> = rows
            .iter()
            .filter(|r| r.kind != ErrorKind::Aborted)
            .collect();
        let failed: u64 = failures.iter().map(|r| r.count).sum();
        let cut: u64 = rows
            .iter()
            .filter(|r| r.kind == ErrorKind::Aborted)
            .map(|r| r.count)
            .sum();
        let completed = launched.saturating_sub(failed + cut);
        let n = format_count;
        let requests = |k: u64| format!("{} request{}", n(k), if k == 1 { "" } else { "s" });
        let fix = failures.first().map(|top| {
            if top.count == failed {
                top.example.clone()
            } else {
                format!("Most of them ({}): {}", n(top.count), top.example)
            }
        });
        let (outcome, sentence) = if completed == 0 && failed > 0 {
            let what = if failed == launched && launched == 1 {
                "the request failed".to_string()
            } else if failed == launched {
                format!("all {} failed", n(launched))
            } else {
                format!(
                    "{} failed and {} {} stopped",
                    n(failed),
                    n(cut),
                    if cut == 1 { "was" } else { "were" }
                )
            };
            (
                RunOutcome::AllFailed,
                format!("No request completed: {what}, so there are no timings to show."),
            )
        } else if failed > 0 {
            let share = format_share(failed as f64 / launched as f64);
            let cover = if completed == 1 {
                "the 1 that completed".to_string()
            } else {
                format!("the {} that completed", n(completed))
            };
            let sentence = if stopped {
                format!(
                    "Stopped, and {} of {} had failed ({share}); the figures cover {cover}.",
                    n(failed),
                    requests(launched)
                )
            } else {
                format!(
                    "Finished, but {} of {} failed ({share}); the figures cover {cover}.",
                    n(failed),
                    requests(launched)
                )
            };
            (RunOutcome::SomeFailed, sentence)
        } else if stopped || cut > 0 {
            let sentence = if completed == 0 {
                "Stopped before any request completed, so there are no timings to show."
            } else {
                "Stopped: everything measured before the stop is kept."
            };
            (RunOutcome::Stopped, sentence.to_string())
        } else {
            let sentence = match launched {
                0 => "Finished: no request was sent.".to_string(),
                1 => "Finished: the request completed.".to_string(),
                k => format!("Finished: all {} requests completed.", n(k)),
            };
            (RunOutcome::Completed, sentence)
        };
        RunStatus {
            outcome,
            sentence,
            fix,
        }
    }
}
