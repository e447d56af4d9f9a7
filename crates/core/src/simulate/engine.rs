//! The simulated server, iteration by iteration. Its caller moves it in
//! time: [`Simulator::arrive`] queues a request at a time, and
//! [`Simulator::advance_to`] runs every iteration that ends by a time and
//! starts every one that can start by then. An iteration's batch is formed
//! when it starts, from the requests that had arrived by then, so a caller
//! who adds each request before advancing past its arrival gets the same
//! schedule whether it drives the server in real time or all at once.

use std::collections::VecDeque;

use super::{Policy, ServingSystem, MAX_QUEUED};
use crate::recording::synthetic::Rng;

/// One token a request receives: at the end of the iteration that made it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Emission {
    /// The id [`Simulator::arrive`] gave the request.
    pub request: u64,
    /// Seconds, on the caller's clock.
    pub at: f64,
    /// Whether this is the request's last token.
    pub last: bool,
}

/// Why a simulated server turned a request away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Its prompt and output together need more KV cache than the server has.
    TooLong { tokens: u64, kv_cache_tokens: u64 },
    /// The server already holds [`MAX_QUEUED`] requests.
    QueueFull,
}

impl Refusal {
    /// The HTTP status a server would answer with.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::TooLong { .. } => 400,
            Refusal::QueueFull => 503,
        }
    }

    /// What the server says, in one sentence.
    pub fn sentence(&self) -> String {
        match self {
            Refusal::TooLong {
                tokens,
                kv_cache_tokens,
            } => format!(
                "The simulated server cannot hold this request: its prompt and answer need \
                 {tokens} tokens of memory, and the server has room for {kv_cache_tokens}."
            ),
            Refusal::QueueFull => {
                format!("The simulated server is full: it already holds {MAX_QUEUED} requests.")
            }
        }
    }
}

/// A request inside the server.
#[derive(Debug, Clone)]
struct Sequence {
    id: u64,
    arrival: f64,
    prompt: u32,
    output: u32,
    /// Prompt tokens already prefilled.
    prefilled: u32,
    /// Tokens already emitted.
    emitted: u32,
    /// What the iteration under way does for it: `Some(0)` decodes a token,
    /// `Some(n)` prefills `n` prompt tokens.
    work: Option<u32>,
    /// Ended (a static batch keeps it, padded, until the batch ends).
    done: bool,
}

impl Sequence {
    fn kv_tokens(&self) -> u64 {
        u64::from(self.prompt) + u64::from(self.output)
    }

    fn context(&self) -> u64 {
        u64::from(self.prompt) + u64::from(self.emitted)
    }

    fn decoding(&self) -> bool {
        self.prefilled == self.prompt && !self.done
    }
}

/// A simulated serving system in motion.
#[derive(Debug, Clone)]
pub struct Simulator {
    system: ServingSystem,
    rng: Rng,
    next_id: u64,
    /// Arrived, not yet admitted, in order of arrival.
    waiting: VecDeque<Sequence>,
    /// Admitted: prefilling or decoding (or padding, in a static batch).
    running: Vec<Sequence>,
    kv_used: u64,
    last_arrival: f64,
    /// When the server ended its last iteration.
    free_at: f64,
    /// When the iteration under way ends.
    busy_until: Option<f64>,
}

impl Simulator {
    /// An idle server at time 0; `seed` drives the iterations' jitter.
    pub fn new(system: ServingSystem, seed: u64) -> Self {
        Simulator {
            system,
            rng: Rng::new(seed),
            next_id: 0,
            waiting: VecDeque::new(),
            running: Vec::new(),
            kv_used: 0,
            last_arrival: 0.0,
            free_at: 0.0,
            busy_until: None,
        }
    }

    pub fn system(&self) -> &ServingSystem {
        &self.system
    }

    /// Queues a request that arrives at `at` (a time before an earlier
    /// arrival counts as that arrival's). It asks for `output_tokens`
    /// tokens (at least 1). Returns its id, or why it was turned away.
    pub fn arrive(
        &mut self,
        at: f64,
        prompt_tokens: u32,
        output_tokens: u32,
    ) -> Result<u64, Refusal> {
        let id = self.next_id;
        self.next_id += 1;
        let output = output_tokens.max(1);
        let tokens = u64::from(prompt_tokens) + u64::from(output);
        let kv_cache_tokens = self.system.limits.kv_cache_tokens;
        if tokens > kv_cache_tokens {
            return Err(Refusal::TooLong {
                tokens,
                kv_cache_tokens,
            });
        }
        if self.waiting.len() + self.running.len() >= MAX_QUEUED {
            return Err(Refusal::QueueFull);
        }
        let at = if at.is_finite() { at } else { 0.0 };
        self.last_arrival = self.last_arrival.max(at);
        self.waiting.push_back(Sequence {
            id,
            arrival: self.last_arrival,
            prompt: prompt_tokens,
            output,
            prefilled: 0,
            emitted: 0,
            work: None,
            done: false,
        });
        Ok(id)
    }

    /// Takes a request out (its client went away): it gets no more tokens
    /// and frees its memory. A static batch keeps its slot until it ends.
    pub fn cancel(&mut self, id: u64) {
        if let Some(i) = self.waiting.iter().position(|s| s.id == id) {
            self.waiting.remove(i);
            return;
        }
        let Some(i) = self.running.iter().position(|s| s.id == id) else {
            return;
        };
        if matches!(self.system.policy, Policy::Static { .. }) {
            self.running[i].done = true;
            self.running[i].work = None;
        } else {
            let gone = self.running.remove(i);
            self.kv_used -= gone.kv_tokens();
        }
    }

    /// Requests waiting or running.
    pub fn in_flight(&self) -> usize {
        self.waiting.len() + self.running.iter().filter(|s| !s.done).count()
    }

    /// When the server next does something (ends the iteration under way,
    /// or starts one), if anything is to be done without new arrivals.
    pub fn next_event_at(&self) -> Option<f64> {
        self.busy_until.or_else(|| self.next_start())
    }

    /// Ends the iteration under way if it ends by `until`, without starting
    /// another, so that a caller can queue what arrives at that instant.
    pub fn finish_due(&mut self, until: f64, out: &mut Vec<Emission>) {
        if self.busy_until.is_some_and(|end| end <= until) {
            self.finish(out);
        }
    }

    /// Runs the server to `until`: ends every iteration that ends by then
    /// and starts every one that can start by then. Requests arriving by
    /// `until` must have been queued first.
    pub fn advance_to(&mut self, until: f64, out: &mut Vec<Emission>) {
        loop {
            if let Some(end) = self.busy_until {
                if end > until {
                    return;
                }
                self.finish(out);
            }
            match self.next_start() {
                Some(start) if start <= until => {
                    if !self.start(start) {
                        return;
                    }
                }
                _ => return,
            }
        }
    }

    /// When the next iteration could start, if there is work for it.
    fn next_start(&self) -> Option<f64> {
        if self.busy_until.is_some() {
            return None;
        }
        if !self.running.is_empty() {
            return Some(self.free_at);
        }
        let first = self.waiting.front()?;
        let ready = match self.system.policy {
            Policy::Static {
                batch_size,
                wait_seconds,
            } => {
                let full = self
                    .waiting
                    .get(batch_size.max(1) as usize - 1)
                    .map_or(f64::INFINITY, |s| s.arrival);
                full.min(first.arrival + wait_seconds.max(0.0))
            }
            _ => first.arrival,
        };
        Some(self.free_at.max(ready))
    }

    fn fits(&self, seq: &Sequence) -> bool {
        let limits = &self.system.limits;
        self.running.len() < limits.max_sequences.max(1) as usize
            && self.kv_used + seq.kv_tokens() <= limits.kv_cache_tokens
    }

    /// Admits the first waiting request if it has arrived by `at` and fits.
    fn admit(&mut self, at: f64) -> bool {
        match self.waiting.front() {
            Some(seq) if seq.arrival <= at && self.fits(seq) => {
                let seq = self.waiting.pop_front().expect("front exists");
                self.kv_used += seq.kv_tokens();
                self.running.push(seq);
                true
            }
            _ => false,
        }
    }

    /// Forms the batch of an iteration starting at `at` and starts it;
    /// false if there was nothing to do.
    fn start(&mut self, at: f64) -> bool {
        let budget = u64::from(self.system.limits.token_budget.max(1));
        let (tokens, context) = match self.system.policy {
            Policy::PrefillFirst => {
                let prefill = self.prefill_whole_prompts(at, budget);
                if prefill > 0 {
                    (prefill, 0)
                } else {
                    self.decode_all()
                }
            }
            Policy::DecodeFirst => {
                let decode = self.decode_all();
                if decode.0 > 0 {
                    decode
                } else {
                    (self.prefill_whole_prompts(at, budget), 0)
                }
            }
            Policy::ChunkedPrefill => self.decode_and_chunk(at, budget),
            Policy::Static { batch_size, .. } => {
                if self.running.is_empty() {
                    self.prefill_static_batch(at, batch_size.max(1))
                } else {
                    self.decode_static_batch()
                }
            }
        };
        if tokens == 0 {
            return false;
        }
        let cost = &self.system.cost;
        let jitter = 1.0 + cost.jitter * (2.0 * self.rng.unit() - 1.0);
        let seconds = (cost.seconds(tokens, context) * jitter).max(1e-6);
        self.busy_until = Some(at + seconds);
        true
    }

    /// Admits waiting requests and prefills their whole prompts, within the
    /// budget (a lone prompt longer than it still runs); the tokens.
    fn prefill_whole_prompts(&mut self, at: f64, budget: u64) -> u64 {
        let mut tokens = 0u64;
        while let Some(next) = self.waiting.front() {
            let prompt = u64::from(next.prompt);
            if tokens > 0 && tokens + prompt > budget {
                break;
            }
            if !self.admit(at) {
                break;
            }
            let seq = self.running.last_mut().expect("just admitted");
            seq.work = Some(seq.prompt);
            tokens += prompt.max(1);
        }
        tokens
    }

    /// Every decoding sequence decodes a token: (tokens, context).
    fn decode_all(&mut self) -> (u64, u64) {
        let (mut tokens, mut context) = (0, 0);
        for seq in self.running.iter_mut().filter(|s| s.decoding()) {
            seq.work = Some(0);
            tokens += 1;
            context += seq.context();
        }
        (tokens, context)
    }

    /// Sarathi-Serve's iteration: every decode, then prompt pieces in
    /// arrival order up to the budget: (tokens, context).
    fn decode_and_chunk(&mut self, at: f64, budget: u64) -> (u64, u64) {
        let (decodes, mut context) = self.decode_all();
        let mut left = budget.saturating_sub(decodes);
        let mut tokens = decodes;
        for seq in self.running.iter_mut().filter(|s| s.prefilled < s.prompt) {
            if left == 0 {
                break;
            }
            let piece = left.min(u64::from(seq.prompt - seq.prefilled));
            seq.work = Some(piece as u32);
            context += u64::from(seq.prefilled);
            tokens += piece;
            left -= piece;
        }
        while left > 0 && self.admit(at) {
            let seq = self.running.last_mut().expect("just admitted");
            let piece = left.min(u64::from(seq.prompt));
            if piece == 0 {
                // An empty prompt: its first token comes with this iteration.
                seq.work = Some(0);
                tokens += 1;
                left -= 1;
                continue;
            }
            seq.work = Some(piece as u32);
            tokens += piece;
            left -= piece;
        }
        (tokens, context)
    }

    /// A static batch's prefill: up to `size` requests, prompts padded to
    /// the longest: (tokens, context).
    fn prefill_static_batch(&mut self, at: f64, size: u32) -> (u64, u64) {
        let mut longest = 0u64;
        let mut members = 0u64;
        while members < u64::from(size) && self.admit(at) {
            let seq = self.running.last_mut().expect("just admitted");
            seq.work = Some(seq.prompt);
            longest = longest.max(u64::from(seq.prompt));
            members += 1;
        }
        (members * longest.max(1), 0)
    }

    /// A static batch's decode: every slot costs, ended or not.
    fn decode_static_batch(&mut self) -> (u64, u64) {
        let (mut tokens, mut context) = (0, 0);
        for seq in &mut self.running {
            if !seq.done {
                seq.work = Some(0);
            }
            tokens += 1;
            context += seq.context();
        }
        (tokens, context)
    }

    /// Ends the iteration under way: each sequence in it gets its token.
    fn finish(&mut self, out: &mut Vec<Emission>) {
        let Some(end) = self.busy_until.take() else {
            return;
        };
        self.free_at = end;
        for seq in &mut self.running {
            let Some(work) = seq.work.take() else {
                continue;
            };
            let before = seq.prefilled;
            seq.prefilled = (seq.prefilled + work).min(seq.prompt);
            // A decode, or the piece that completes the prompt, emits a token.
            let emits = if work == 0 {
                before == seq.prompt || seq.prompt == 0
            } else {
                seq.prefilled == seq.prompt
            };
            if emits {
                seq.emitted += 1;
                let last = seq.emitted >= seq.output;
                seq.done = last;
                out.push(Emission {
                    request: seq.id,
                    at: end,
                    last,
                });
            }
        }
        let static_batch = matches!(self.system.policy, Policy::Static { .. });
        if !static_batch || self.running.iter().all(|s| s.done) {
            let mut freed = 0;
            self.running.retain(|s| {
                if s.done {
                    freed += s.kv_tokens();
                }
                !s.done
            });
            self.kv_used -= freed;
        }
    }
}
