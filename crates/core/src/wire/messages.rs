//! Messages between the page and the measurement worker. They cross a
//! thread boundary as JSON strings (one parse per message, no per-field JS
//! objects), so they are defined once here, with serde, and versioned.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::recording::{with_packed_chunks, Environment, RequestRecord};
use crate::wire::body::{BodySpec, BodyWriter};

/// Version of the page <-> worker protocol. 2: records' reads travel
/// packed (see [`WorkerMessage::to_json`]); the page reads both forms.
pub const PROTOCOL_VERSION: u32 = 2;

/// The run id of the worker's rehearsal: a run it carries out by itself
/// before it says it is ready, to warm every path of a run up (see the
/// app's `measure::warm`). The page parses its messages like any run's,
/// which warms the page's own parsing, then drops them.
pub const REHEARSAL_RUN_ID: u64 = u64::MAX;

/// Where to send requests, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    /// The full URL to POST to (e.g. `http://127.0.0.1:8000/v1/chat/completions`).
    pub url: String,
    /// Extra request headers, `Authorization` among them. Secret: held in
    /// memory only, never written into a recording.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

/// One request of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedRequest {
    pub id: u64,
    /// When to send it, seconds from the run's start.
    pub at: f64,
    /// The JSON body to POST. Empty when `spec` is set and the body is not
    /// written yet: then the worker writes it from the spec with the run's
    /// [`BodyWriter`] just before sending ([`PlannedRequest::written`]), so
    /// a long run's prompts are never all written at once on the page, nor
    /// all held in memory.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// What the body is written from: the lengths asked for, which a
    /// simulated server reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<BodySpec>,
    /// Send this one elsewhere than the run's endpoint URL (same headers):
    /// to spread streams over several hosts, or compare endpoints in one run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl PlannedRequest {
    /// The request ready to send: its body written now from its `spec` by
    /// `writer`, when it has no body yet (the spec is kept).
    pub fn written(mut self, writer: Option<&BodyWriter>) -> Self {
        if self.body.is_empty() {
            if let (Some(spec), Some(writer)) = (self.spec.as_ref(), writer) {
                self.body = writer.body(spec);
            }
        }
        self
    }
}

/// A run for the worker to carry out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunOrder {
    pub run_id: u64,
    pub endpoint: Endpoint,
    pub requests: Vec<PlannedRequest>,
    /// At most this many requests under way at once (None: no cap).
    #[serde(default)]
    pub concurrency: Option<u32>,
    /// A request with no end after this long is abandoned as timed out.
    pub timeout_seconds: f64,
    /// Stream the text of this request to the page as it arrives.
    #[serde(default)]
    pub live_text_of: Option<u64>,
    /// Writes the bodies of requests planned without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer: Option<BodyWriter>,
}

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
// A run order is sent once per run; boxing it would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum PageMessage {
    Run(RunOrder),
    /// Abort every request under way and send no more; keep what was measured.
    Stop {
        run_id: u64,
    },
}

/// Where one request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Waiting,
    Sent,
    Streaming,
    Done,
    Failed,
}

/// Progress of one request since the last batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestProgress {
    pub id: u64,
    pub state: RequestState,
    /// Output tokens counted so far.
    pub tokens: u64,
}

/// What the worker tells the page. Batched: at most one `Batch` per
/// interval, so the page is never flooded while tokens stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorkerMessage {
    /// The worker is loaded and listening.
    Ready {
        protocol: u32,
        environment: Environment,
    },
    /// What happened since the last batch.
    Batch {
        run_id: u64,
        /// `performance.timeOrigin + now()` of the run's start, in ms.
        started_at_unix_ms: f64,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        progress: Vec<RequestProgress>,
        /// Finished (or failed) requests, complete.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        records: Vec<RequestRecord>,
        /// New text of the request named by `live_text_of`, with its
        /// arrival time (seconds since that request was sent).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        live_text: Vec<(f64, String)>,
    },
    /// Every request has ended (or the run was stopped).
    Finished { run_id: u64, stopped: bool },
}

impl WorkerMessage {
    /// The message as the JSON text the worker posts: records' reads
    /// packed (see [`with_packed_chunks`]), and written by code built for
    /// speed (the core is; the app's own crate is built for size).
    pub fn to_json(&self) -> String {
        with_packed_chunks(|| serde_json::to_string(self).expect("worker messages serialize"))
    }

    /// The run the message is about, if any.
    pub fn run_id(&self) -> Option<u64> {
        match self {
            WorkerMessage::Ready { .. } => None,
            WorkerMessage::Batch { run_id, .. } | WorkerMessage::Finished { run_id, .. } => {
                Some(*run_id)
            }
        }
    }

    /// A message from the worker's JSON text (either form of reads).
    pub fn from_json(text: &str) -> Result<WorkerMessage, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// What the worker has to tell the page, gathered between two posts: the
/// worker posts it at a fixed interval, so a stream of tokens costs the page
/// one message per interval, not one per token.
#[derive(Default)]
pub struct Outbox {
    progress: BTreeMap<u64, RequestProgress>,
    records: Vec<RequestRecord>,
    live_text: Vec<(f64, String)>,
}

impl Outbox {
    /// The latest state of a request (replaces any unposted one).
    pub fn progress(&mut self, id: u64, state: RequestState, tokens: u64) {
        self.progress
            .insert(id, RequestProgress { id, state, tokens });
    }

    /// A finished record.
    pub fn record(&mut self, record: RequestRecord) {
        let state = if record.completed() {
            RequestState::Done
        } else {
            RequestState::Failed
        };
        self.progress(record.id, state, record.counted_output_tokens());
        self.records.push(record);
    }

    /// New text of the live request.
    pub fn live_text(&mut self, at: f64, text: String) {
        self.live_text.push((at, text));
    }

    /// The batch to post, if there is anything to say.
    pub fn take_batch(&mut self, run_id: u64, started_at_unix_ms: f64) -> Option<WorkerMessage> {
        if self.progress.is_empty() && self.records.is_empty() && self.live_text.is_empty() {
            return None;
        }
        Some(WorkerMessage::Batch {
            run_id,
            started_at_unix_ms,
            progress: std::mem::take(&mut self.progress).into_values().collect(),
            records: std::mem::take(&mut self.records),
            live_text: std::mem::take(&mut self.live_text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_its_run_unless_it_is_the_worker_s_ready() {
        let finished = WorkerMessage::Finished {
            run_id: REHEARSAL_RUN_ID,
            stopped: false,
        };
        assert_eq!(finished.run_id(), Some(REHEARSAL_RUN_ID));
        let batch = Outbox::default().take_batch(7, 0.0);
        assert!(batch.is_none(), "an empty outbox posts nothing");
        let mut outbox = Outbox::default();
        outbox.progress(1, RequestState::Sent, 0);
        assert_eq!(outbox.take_batch(7, 0.0).unwrap().run_id(), Some(7));
        let ready = WorkerMessage::Ready {
            protocol: PROTOCOL_VERSION,
            environment: Environment::default(),
        };
        assert_eq!(ready.run_id(), None);
    }

    #[test]
    fn messages_round_trip_and_are_tagged() {
        let order = PageMessage::Run(RunOrder {
            run_id: 7,
            endpoint: Endpoint {
                url: "http://127.0.0.1:8000/v1/completions".into(),
                headers: vec![],
            },
            requests: vec![PlannedRequest {
                id: 0,
                at: 0.0,
                body: "{}".into(),
                spec: None,
                url: None,
            }],
            concurrency: Some(6),
            timeout_seconds: 30.0,
            live_text_of: Some(0),
            writer: None,
        });
        let text = serde_json::to_string(&order).unwrap();
        assert!(text.starts_with(r#"{"type":"run""#), "{text}");
        assert_eq!(serde_json::from_str::<PageMessage>(&text).unwrap(), order);

        let done = WorkerMessage::Finished {
            run_id: 7,
            stopped: true,
        };
        let text = serde_json::to_string(&done).unwrap();
        assert_eq!(text, r#"{"type":"finished","run_id":7,"stopped":true}"#);
    }

    #[test]
    fn outbox_keeps_the_latest_progress_and_empties_on_take() {
        let mut outbox = Outbox::default();
        assert!(outbox.take_batch(1, 0.0).is_none());
        outbox.progress(4, RequestState::Streaming, 3);
        outbox.progress(4, RequestState::Streaming, 9);
        outbox.record(RequestRecord {
            id: 5,
            ..Default::default()
        });
        outbox.live_text(0.5, "Hello".into());
        let Some(WorkerMessage::Batch {
            progress,
            records,
            live_text,
            ..
        }) = outbox.take_batch(1, 0.0)
        else {
            panic!("a batch was due")
        };
        assert_eq!(progress.len(), 2);
        assert_eq!(
            progress[0],
            RequestProgress {
                id: 4,
                state: RequestState::Streaming,
                tokens: 9
            }
        );
        assert_eq!(progress[1].state, RequestState::Done);
        assert_eq!(records.len(), 1);
        assert_eq!(live_text, vec![(0.5, "Hello".to_string())]);
        assert!(outbox.take_batch(1, 0.0).is_none());
    }
}
