//! A whole workload through a simulated server at once: the requests are
//! sent as the page's worker would send them (each at its arrival, or when
//! a slot frees under a concurrency cap), and each gets the time of every
//! token it receives.

use super::{Emission, Refusal, ServingSystem, Simulator};
use crate::recording::{
    Chunk, Chunks, ErrorKind, RequestError, RequestRecord, TokenCount, TokenSource,
};

/// A request to send: when, and how long its prompt and answer are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Submission {
    /// Seconds from the run's start.
    pub at: f64,
    pub prompt_tokens: u32,
    pub output_tokens: u32,
}

/// What became of one request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SimulatedRequest {
    /// When it was sent: its arrival, or later when a concurrency cap held
    /// it back.
    pub sent_at: f64,
    /// When each of its tokens was emitted, in seconds from the run's start.
    pub token_times: Vec<f64>,
    /// Why the server turned it away, if it did.
    pub refused: Option<Refusal>,
}

impl SimulatedRequest {
    /// The record the page's worker would have made of this request, had
    /// the server been next to it: a chunk per token, the counts the server
    /// reports, or the server's refusal as an HTTP error.
    pub fn record(&self, id: u64, submission: &Submission) -> RequestRecord {
        let server = |count| {
            Some(TokenCount {
                count,
                source: TokenSource::Server,
            })
        };
        let mut record = RequestRecord {
            id,
            scheduled_at: submission.at,
            sent_at: self.sent_at,
            headers_at: Some(0.0),
            prompt_tokens: server(u64::from(submission.prompt_tokens)),
            ..Default::default()
        };
        if let Some(refusal) = self.refused {
            record.ended_at = Some(0.0);
            record.error = Some(RequestError {
                kind: ErrorKind::HttpStatus,
                message: refusal.sentence(),
                status: Some(refusal.status()),
            });
            return record;
        }
        let mut chunks = Chunks::new();
        for &at in &self.token_times {
            chunks.push(Chunk::visible(at - self.sent_at, 1));
        }
        record.ended_at = self.token_times.last().map(|&at| at - self.sent_at);
        record.chunks = chunks;
        record.output_tokens = server(self.token_times.len() as u64);
        record.finish_reason = Some("length".into());
        record
    }
}

/// Sends `requests` (in order of `at`) to a fresh server of `system`, at
/// most `concurrency` of them under way at once, and runs it until every
/// request has ended.
pub fn simulate(
    system: &ServingSystem,
    seed: u64,
    requests: &[Submission],
    concurrency: Option<u32>,
) -> Vec<SimulatedRequest> {
    let mut server = Simulator::new(system.clone(), seed);
    let cap = concurrency.map_or(usize::MAX, |c| c.max(1) as usize);
    let mut results: Vec<SimulatedRequest> = requests
        .iter()
        .map(|r| SimulatedRequest {
            token_times: Vec::with_capacity(r.output_tokens.max(1) as usize),
            ..Default::default()
        })
        .collect();
    // The server numbers requests in the order they arrive, which is the
    // order they are sent, so its ids are indices into `requests`.
    let mut next = 0;
    let mut under_way = 0usize;
    let mut emitted: Vec<Emission> = Vec::new();
    loop {
        let send_at = (under_way < cap && next < requests.len()).then(|| requests[next].at);
        let now = match (send_at, server.next_event_at()) {
            (Some(send), Some(event)) => send.min(event),
            (Some(send), None) => send,
            (None, Some(event)) => event,
            (None, None) => break,
        };
        server.finish_due(now, &mut emitted);
        for token in emitted.drain(..) {
            results[token.request as usize].token_times.push(token.at);
            if token.last {
                under_way -= 1;
            }
        }
        while under_way < cap && next < requests.len() && requests[next].at <= now {
            let request = &requests[next];
            results[next].sent_at = now.max(request.at);
            match server.arrive(now, request.prompt_tokens, request.output_tokens) {
                Ok(_) => under_way += 1,
                Err(refusal) => results[next].refused = Some(refusal),
            }
            next += 1;
        }
        server.advance_to(now, &mut emitted);
        for token in emitted.drain(..) {
            results[token.request as usize].token_times.push(token.at);
            if token.last {
                under_way -= 1;
            }
        }
    }
    results
}

/// The simulator's benchmark: `count` requests arriving as a Poisson
/// process at `rate` per second, prompts of 1,000 to 4,000 tokens and
/// answers of 200 to 300, the same on every platform for a seed.
pub fn poisson_workload(count: usize, rate: f64, seed: u64) -> Vec<Submission> {
    let mut rng = crate::recording::synthetic::Rng::new(seed);
    let mut at = 0.0;
    (0..count)
        .map(|_| {
            let request = Submission {
                at,
                prompt_tokens: rng.between(1000.0, 4000.0) as u32,
                output_tokens: rng.between(200.0, 300.0) as u32,
            };
            // An exponential gap by inversion; libm keeps it the same everywhere.
            at += -libm::log(1.0 - rng.unit()) / rate;
            request
        })
        .collect()
}
