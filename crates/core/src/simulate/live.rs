//! A simulated server answering requests as they come, in real time: each
//! request's stream is written token by token as the simulator emits them.
//! The page's worker drives one per run (a `sim://` endpoint) and the
//! testbed one per model it simulates; both call [`LiveServer::arrive`] when
//! a request comes and [`LiveServer::advance_to`] on their clock, and
//! deliver the bytes each call hands them.
//!
//! An arrival first runs every event before it and queues the request, but
//! starts nothing at its instant: the caller's next [`LiveServer::advance_to`]
//! does, so requests arriving at the same instant share that iteration, as
//! they do in [`simulate`](super::simulate). The schedule is then the
//! offline one for the same arrival times, however late the caller's timer.

use std::collections::HashMap;

use super::{Emission, Refusal, ServingSystem, Simulator};
use crate::wire::openai::{Completion, StreamWriter};

/// Bytes for one request's stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The id [`LiveServer::arrive`] gave the request.
    pub request: u64,
    /// When the simulated server sent them, on the caller's clock.
    pub at: f64,
    /// One token's event; the last with the stream's end.
    pub bytes: Vec<u8>,
    /// Whether the stream ends with these bytes.
    pub last: bool,
}

/// A simulated server and the answers it is writing.
#[derive(Debug, Clone)]
pub struct LiveServer {
    simulator: Simulator,
    answers: HashMap<u64, StreamWriter>,
    emitted: Vec<Emission>,
}

impl LiveServer {
    /// An idle server of `system` at time 0, its jitter seeded by `seed`.
    pub fn new(system: ServingSystem, seed: u64) -> LiveServer {
        LiveServer {
            simulator: Simulator::new(system, seed),
            answers: HashMap::new(),
            emitted: Vec::new(),
        }
    }

    pub fn system(&self) -> &ServingSystem {
        self.simulator.system()
    }

    /// A request arrives at `at` asking for `completion` (its
    /// `output_tokens` at least 1): every event before `at` is run first,
    /// their bytes appended to `out`. Returns the request's id, or why the
    /// server turned it away. `sent_at` gives each event's send time from
    /// its simulated time (see [`LiveServer::advance_to`]).
    pub fn arrive(
        &mut self,
        at: f64,
        mut completion: Completion,
        sent_at: impl Fn(f64) -> Option<f64>,
        out: &mut Vec<Delivery>,
    ) -> Result<u64, Refusal> {
        while let Some(event) = self.simulator.next_event_at().filter(|&e| e < at) {
            self.simulator.advance_to(event, &mut self.emitted);
        }
        self.simulator.finish_due(at, &mut self.emitted);
        self.deliver(&sent_at, out);
        completion.output_tokens = completion.output_tokens.max(1);
        let id = self
            .simulator
            .arrive(at, completion.prompt_tokens, completion.output_tokens)?;
        completion.number = id;
        self.answers.insert(id, StreamWriter::new(completion));
        Ok(id)
    }

    /// Runs the server to `now`, appending to `out` the bytes of every token
    /// emitted by then, in order. `sent_at` maps a token's simulated time to
    /// the send time its chunk carries (`etalon_server_sent_at`), or to
    /// None for no such field.
    pub fn advance_to(
        &mut self,
        now: f64,
        sent_at: impl Fn(f64) -> Option<f64>,
        out: &mut Vec<Delivery>,
    ) {
        self.simulator.advance_to(now, &mut self.emitted);
        self.deliver(&sent_at, out);
    }

    /// When the server next does something, if it has anything to do.
    pub fn next_event_at(&self) -> Option<f64> {
        self.simulator.next_event_at()
    }

    /// Takes a request out (its client went away): no more bytes for it.
    pub fn cancel(&mut self, id: u64) {
        if self.answers.remove(&id).is_some() {
            self.simulator.cancel(id);
        }
    }

    /// Requests whose streams are still being written.
    pub fn open_streams(&self) -> usize {
        self.answers.len()
    }

    fn deliver(&mut self, sent_at: &impl Fn(f64) -> Option<f64>, out: &mut Vec<Delivery>) {
        for emission in self.emitted.drain(..) {
            let Some(answer) = self.answers.get_mut(&emission.request) else {
                continue;
            };
            let mut bytes = Vec::with_capacity(256);
            answer.next_token(sent_at(emission.at), &mut bytes);
            let last = answer.finished();
            if last {
                self.answers.remove(&emission.request);
            }
            out.push(Delivery {
                request: emission.request,
                at: emission.at,
                bytes,
                last,
            });
        }
    }
}
