//! The page's book of a run: it takes the worker's messages in order and
//! keeps the recording (every finished record), where each request is, and
//! the counts a progress bar needs. Pure, so a run's bookkeeping is tested
//! without a browser; the page only stores it in a signal.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::recording::{Environment, Recording, RECORDING_VERSION};
use crate::wire::messages::{RequestState, WorkerMessage};

/// Counts for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct RunProgress {
    pub total: usize,
    pub waiting: usize,
    pub under_way: usize,
    pub done: usize,
    pub failed: usize,
    /// Output tokens received so far, all requests.
    pub tokens: u64,
    /// Seconds since the run started.
    pub elapsed: f64,
    /// Seconds left, estimated from the pace so far (None before any end).
    pub time_left: Option<f64>,
}

impl RunProgress {
    /// Requests that ended, well or not.
    pub fn ended(&self) -> usize {
        self.done + self.failed
    }

    /// Share ended, 0..=1.
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.ended() as f64 / self.total as f64
        }
    }
}

/// One run, as the page follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunBook {
    pub run_id: u64,
    /// Shared, not copied, with the results screen and exports: a long
    /// run's recording is the largest thing in the tab.
    pub recording: Arc<Recording>,
    states: HashMap<u64, (RequestState, u64)>,
    progress: RunProgress,
    /// The text of the live request, with arrival times (seconds since it
    /// was sent), in order.
    pub live_text: Vec<(f64, String)>,
    pub finished: bool,
    pub stopped: bool,
}

impl RunBook {
    /// A run of `planned_ids` under `config` (the shareable set-up).
    pub fn new(
        run_id: u64,
        config: serde_json::Value,
        environment: Environment,
        planned_ids: impl IntoIterator<Item = u64>,
    ) -> Self {
        let states: HashMap<u64, (RequestState, u64)> = planned_ids
            .into_iter()
            .map(|id| (id, (RequestState::Waiting, 0)))
            .collect();
        let progress = RunProgress {
            total: states.len(),
            waiting: states.len(),
            ..RunProgress::default()
        };
        RunBook {
            run_id,
            recording: Arc::new(Recording {
                version: RECORDING_VERSION,
                started_at_unix_ms: 0.0,
                config,
                environment,
                requests: Vec::new(),
            }),
            states,
            progress,
            live_text: Vec::new(),
            finished: false,
            stopped: false,
        }
    }

    /// Take one worker message; messages of other runs are ignored.
    pub fn apply(&mut self, message: WorkerMessage) {
        match message {
            WorkerMessage::Batch {
                run_id,
                started_at_unix_ms,
                progress,
                records,
                live_text,
            } if run_id == self.run_id => {
                // Copies only if someone still holds the recording mid-run.
                Arc::make_mut(&mut self.recording).started_at_unix_ms = started_at_unix_ms;
                for update in progress {
                    self.set_state(update.id, update.state, update.tokens);
                }
                for record in records {
                    let state = if record.completed() {
                        RequestState::Done
                    } else {
                        RequestState::Failed
                    };
                    self.set_state(record.id, state, record.counted_output_tokens());
                    Arc::make_mut(&mut self.recording).requests.push(record);
                }
                self.live_text.extend(live_text);
            }
            WorkerMessage::Finished { run_id, stopped } if run_id == self.run_id => {
                self.finished = true;
                self.stopped = stopped;
                Arc::make_mut(&mut self.recording)
                    .requests
                    .sort_by_key(|r| r.id);
            }
            _ => {}
        }
    }

    fn set_state(&mut self, id: u64, state: RequestState, tokens: u64) {
        let Some(entry) = self.states.get_mut(&id) else {
            return;
        };
        let (old_state, old_tokens) = *entry;
        // A finished request stays finished (a late progress line changes nothing).
        if matches!(old_state, RequestState::Done | RequestState::Failed) {
            return;
        }
        *entry = (state, tokens.max(old_tokens));
        *count_of(&mut self.progress, old_state) -= 1;
        *count_of(&mut self.progress, state) += 1;
        self.progress.tokens += tokens.saturating_sub(old_tokens);
    }

    /// Where the run stands at `now_unix_ms`.
    pub fn progress(&self, now_unix_ms: f64) -> RunProgress {
        let mut progress = self.progress;
        if self.recording.started_at_unix_ms > 0.0 {
            progress.elapsed =
                ((now_unix_ms - self.recording.started_at_unix_ms) / 1000.0).max(0.0);
        }
        let ended = progress.ended();
        progress.time_left = if self.finished {
            Some(0.0)
        } else if ended > 0 {
            Some(progress.elapsed / ended as f64 * (progress.total - ended) as f64)
        } else {
            None
        };
        progress
    }

    /// The state of one request.
    pub fn state_of(&self, id: u64) -> Option<RequestState> {
        self.states.get(&id).map(|(state, _)| *state)
    }
}

fn count_of(progress: &mut RunProgress, state: RequestState) -> &mut usize {
    match state {
        RequestState::Waiting => &mut progress.waiting,
        RequestState::Sent | RequestState::Streaming => &mut progress.under_way,
        RequestState::Done => &mut progress.done,
        RequestState::Failed => &mut progress.failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::{ErrorKind, RequestError, RequestRecord};
    use crate::wire::messages::RequestProgress;

    fn batch(
        progress: Vec<(u64, RequestState, u64)>,
        records: Vec<RequestRecord>,
    ) -> WorkerMessage {
        WorkerMessage::Batch {
            run_id: 3,
            started_at_unix_ms: 1000.0,
            progress: progress
                .into_iter()
                .map(|(id, state, tokens)| RequestProgress { id, state, tokens })
                .collect(),
            records,
            live_text: vec![(0.1, "Hi".into())],
        }
    }

    #[test]
    fn counts_follow_the_worker_and_records_are_kept() {
        let mut book = RunBook::new(3, serde_json::json!({}), Environment::default(), 10..14);
        assert_eq!(book.progress(0.0).waiting, 4);
        book.apply(batch(
            vec![
                (10, RequestState::Sent, 0),
                (11, RequestState::Streaming, 5),
            ],
            vec![],
        ));
        let p = book.progress(3000.0);
        assert_eq!((p.waiting, p.under_way, p.done, p.tokens), (2, 2, 0, 5));
        assert_eq!(p.elapsed, 2.0);
        assert_eq!(p.time_left, None);
        let failed = RequestRecord {
            id: 10,
            error: Some(RequestError {
                kind: ErrorKind::Timeout,
                message: "slow".into(),
                status: None,
            }),
            ..Default::default()
        };
        book.apply(batch(vec![(11, RequestState::Streaming, 9)], vec![failed]));
        // Another run's message changes nothing.
        book.apply(WorkerMessage::Finished {
            run_id: 99,
            stopped: false,
        });
        let p = book.progress(3000.0);
        assert_eq!((p.under_way, p.failed, p.tokens), (1, 1, 9));
        assert_eq!(p.time_left, Some(2.0 * 3.0));
        // A late progress line does not revive a finished request.
        book.apply(batch(vec![(10, RequestState::Streaming, 50)], vec![]));
        assert_eq!(book.state_of(10), Some(RequestState::Failed));
        book.apply(WorkerMessage::Finished {
            run_id: 3,
            stopped: true,
        });
        assert!(book.finished && book.stopped);
        assert_eq!(book.recording.requests.len(), 1);
        assert_eq!(book.live_text.len(), 3);
        assert_eq!(book.progress(5000.0).time_left, Some(0.0));
    }
}
