//! The measurement of one request: the worker hands each network read to a
//! [`StreamRecorder`] with the time it took it, and gets a
//! [`RequestRecord`] at the end.
//!
//! Call order, from the worker:
//! 1. [`StreamRecorder::new`] when the request is handed to `fetch`;
//! 2. [`on_headers`](StreamRecorder::on_headers) when the response arrives;
//! 3. [`on_read`](StreamRecorder::on_read) for every read of the body, error
//!    bodies included (the recorder finds the server's message in them);
//! 4. [`on_end`](StreamRecorder::on_end) when the body is done, or
//!    [`on_failure`](StreamRecorder::on_failure) when `fetch` or a read
//!    failed, timed out or was aborted;
//! 5. [`finish`](StreamRecorder::finish) for the record.
//!
//! # Token accounting
//! - Every event parsed out of one read shares that read's time. Times are
//!   kept on the 0.1 µs grid ([`on_tick_grid`]), 50 times finer than any
//!   browser's timer, which lets a request's reads be stored in 2 or 3
//!   bytes each ([`Chunks`](crate::recording::Chunks)).
//! - A chunk that carries no output (role only, empty text, usage only) is
//!   not a token: TTFT is the first chunk with output.
//! - A chunk with output carries one token, unless the server reports a
//!   cumulative `usage.completion_tokens` on it (vLLM's continuous usage
//!   stats): then it carries the increase since the last count seen (at
//!   least 1).
//! - Consecutive output events of the same kind (visible or reasoning) in
//!   one read become one [`Chunk`] with the summed count, which gives the
//!   same inter-token times; events that carry the testbed's send time are
//!   kept apart so no server time is lost.
//! - `usage` sets `prompt_tokens` and `output_tokens` with source Server (the
//!   last report wins). When the server's `output_tokens` differs from the
//!   tokens counted in `chunks`, both are kept as they are: metrics take the
//!   timeline (TTFT, TBT, TPOT, fluidity) from `chunks`
//!   ([`RequestRecord::inter_token_times`]) and counts (throughput,
//!   normalized latency) from [`RequestRecord::num_output_tokens`], the
//!   server's figure. A difference means the server put several tokens in
//!   some events without saying how many; those tokens' gaps of 0 are
//!   missing from the timeline, and no measurement can put them back.
//!
//! # Bounds on what the server claims and sends
//! - A chunk's tokens on the timeline are at most one per byte of the event
//!   that carried it ([`MAX_TOKENS_PER_BYTE`]), and at most
//!   [`MAX_TOKENS_PER_CHUNK`]; a final `usage.completion_tokens` is believed
//!   up to one token per byte of body received. What a server claims beyond
//!   that goes to [`RequestRecord::overclaimed_tokens`] (its figure stays in
//!   `output_tokens`), so a count of 2^32 costs a few hundred tokens of
//!   memory, not 2^32.
//! - A line or event beyond
//!   [`MAX_EVENT_BYTES`](crate::limits::MAX_EVENT_BYTES) ends the request with
//!   [`failure::event_too_long`], its tokens kept; a body not yet known to
//!   be a stream is held up to [`MAX_KEPT_BYTES`], and a body read whole is
//!   judged once that much of it is in. Either way the recorder needs no
//!   more of the body ([`StreamRecorder::reading_done`]), and the worker
//!   cancels it.

mod body;
mod text;

use crate::limits::{
    MAX_KEPT_BYTES, MAX_TOKENS_PER_BYTE, MAX_TOKENS_PER_CHUNK, MAX_TOKENS_PER_REQUEST,
};
use crate::observe::failure::{self, TimeoutPhase};
use crate::recording::{
    on_tick_grid, Bursts, Chunk, RequestError, RequestRecord, TokenCount, TokenSource,
};
use crate::wire::openai::{parse_stream_chunk, server_message_from_body, StreamChunk};
use crate::wire::sse::{SseEvent, SseEventKind, SseParser};

use body::{BodyKind, WholeBody};
pub use text::{NewText, ReceivedText};

/// What the body turned out to be.
#[derive(Debug)]
enum Body {
    /// Not known yet: no content type said so, and no byte showed it.
    Undecided(Vec<u8>),
    EventStream,
    /// Read whole and judged at the end: an error body, or a 200 answer
    /// that is not a stream.
    Whole(WholeBody),
}

/// What one read added, for the worker's batch to the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadOutcome {
    /// Output events in this read.
    pub output_events: u32,
    /// Output tokens in this read.
    pub output_tokens: u32,
}

/// Builds the [`RequestRecord`] of one streaming request from timed reads.
#[derive(Debug)]
pub struct StreamRecorder {
    record: RequestRecord,
    status: Option<u16>,
    content_type: Option<String>,
    body: Body,
    parser: SseParser,
    /// Events of the current read (reused, so a read allocates no vector).
    events: Vec<SseEvent>,
    saw_done: bool,
    /// The server's last cumulative `completion_tokens`.
    last_completion_tokens: Option<u64>,
    bursts: Bursts,
    /// Output tokens counted so far (the sum over `record.chunks`).
    tokens_received: u64,
    /// Reads so far; chunks of the current read may be merged.
    reads: u64,
    /// Index in `record.chunks` of the first chunk of the current read.
    first_chunk_of_read: usize,
    /// Bytes of body received so far.
    body_bytes: u64,
    /// Tokens claimed by chunks beyond what their events could carry, in all.
    chunk_overclaim: u64,
    /// How far the server's last count goes beyond the body received when
    /// it was sent.
    count_overclaim: u64,
    /// The body was judged or given up on before its end: later reads are
    /// ignored.
    reading_done: bool,
    text: Option<ReceivedText>,
}

impl StreamRecorder {
    /// A request handed to `fetch` now. `scheduled_at` and `sent_at` are
    /// seconds since the run's start; every later `at` is seconds since
    /// `sent_at`. The received text is kept for live display (see
    /// [`without_text`](Self::without_text)); it never goes in the record.
    pub fn new(id: u64, scheduled_at: f64, sent_at: f64) -> Self {
        Self {
            record: RequestRecord {
                id,
                scheduled_at,
                sent_at,
                ..RequestRecord::default()
            },
            status: None,
            content_type: None,
            body: Body::Undecided(Vec::new()),
            parser: SseParser::new(),
            events: Vec::new(),
            saw_done: false,
            last_completion_tokens: None,
            bursts: Bursts::default(),
            tokens_received: 0,
            reads: 0,
            first_chunk_of_read: 0,
            body_bytes: 0,
            chunk_overclaim: 0,
            count_overclaim: 0,
            reading_done: false,
            text: Some(ReceivedText::default()),
        }
    }

    /// Does not keep the received text (a little less work per read).
    pub fn without_text(mut self) -> Self {
        self.text = None;
        self
    }

    /// The response headers arrived.
    pub fn on_headers(&mut self, at: f64, status: u16, content_type: Option<&str>) {
        self.record.headers_at = Some(on_tick_grid(at));
        self.status = Some(status);
        self.content_type = content_type.map(str::to_owned);
        let is_event_stream =
            content_type.is_some_and(|c| c.to_ascii_lowercase().contains("text/event-stream"));
        self.body = if status >= 400 {
            Body::Whole(WholeBody::default())
        } else if is_event_stream {
            Body::EventStream
        } else {
            Body::Undecided(Vec::new())
        };
    }

    /// The HTTP protocol of the response (`nextHopProtocol`).
    pub fn set_protocol(&mut self, protocol: &str) {
        if !protocol.is_empty() {
            self.record.protocol = Some(protocol.to_owned());
        }
    }

    /// One read of the body, `at` seconds after `fetch`.
    pub fn on_read(&mut self, at: f64, bytes: &[u8]) -> ReadOutcome {
        if self.reading_done {
            return ReadOutcome::default();
        }
        let at = on_tick_grid(at);
        self.reads += 1;
        self.body_bytes += bytes.len() as u64;
        self.first_chunk_of_read = self.record.chunks.len();
        if let Body::Undecided(seen) = &mut self.body {
            seen.extend_from_slice(bytes);
            // Only white space so far (what else would leave it undecided):
            // beyond the bound, taken for the event stream it may be.
            let sniffed = body::sniff(seen)
                .or((seen.len() > MAX_KEPT_BYTES).then_some(BodyKind::EventStream));
            match sniffed {
                None => return ReadOutcome::default(),
                Some(BodyKind::EventStream) => {
                    let seen = std::mem::take(seen);
                    self.body = Body::EventStream;
                    return self.parse_events(at, &seen);
                }
                Some(_) => {
                    let seen = std::mem::take(seen);
                    let mut whole = WholeBody::default();
                    whole.push(&seen);
                    self.body = Body::Whole(whole);
                    self.judge_if_full(at);
                    return ReadOutcome::default();
                }
            }
        }
        match &mut self.body {
            Body::Whole(whole) => {
                whole.push(bytes);
                self.judge_if_full(at);
                ReadOutcome::default()
            }
            _ => self.parse_events(at, bytes),
        }
    }

    /// Whether the recorder needs no more of the body: it judged a body read
    /// whole as far as it keeps one, or gave up on a stream beyond a bound.
    /// The worker then cancels the body.
    pub fn reading_done(&self) -> bool {
        self.reading_done
    }

    /// A body read whole is judged once [`MAX_KEPT_BYTES`] of it are in: the
    /// rest would not be kept anyway.
    fn judge_if_full(&mut self, at: f64) {
        if matches!(&self.body, Body::Whole(whole) if whole.is_full()) {
            self.on_end(at);
            self.reading_done = true;
        }
    }

    /// The body ended normally, `at` seconds after `fetch`.
    pub fn on_end(&mut self, at: f64) {
        if self.record.ended_at.is_some() {
            return;
        }
        self.record.ended_at = Some(on_tick_grid(at));
        let status = self.status.unwrap_or(200);
        match std::mem::replace(&mut self.body, Body::EventStream) {
            Body::Undecided(seen) if status >= 400 => self.judge_whole_body(status, &seen),
            Body::Undecided(seen) => {
                let error =
                    failure::not_a_stream(body::classify(&seen), self.content_type.as_deref());
                self.set_error(error);
            }
            Body::Whole(whole) => self.judge_whole_body(status, whole.bytes()),
            Body::EventStream => {
                let end = self.parser.finish();
                if !self.saw_done && self.record.finish_reason.is_none() {
                    let tokens = self.tokens_received;
                    self.set_error(failure::stream_ended_early(tokens, end.ended_mid_event()));
                }
            }
        }
    }

    /// `fetch` or a read failed, timed out or was aborted, `at` seconds
    /// after `fetch`. The tokens measured so far are kept; the first error
    /// of a request is the one recorded.
    pub fn on_failure(&mut self, at: f64, error: RequestError) {
        if self.record.ended_at.is_none() {
            self.record.ended_at = Some(on_tick_grid(at));
        }
        self.set_error(error);
    }

    /// Which wait a timeout now would have cut (for
    /// [`failure::timeout_error`]).
    pub fn timeout_phase(&self) -> TimeoutPhase {
        if self.record.headers_at.is_none() {
            TimeoutPhase::WaitingForResponse
        } else if self.record.chunks.is_empty() {
            TimeoutPhase::WaitingForFirstToken
        } else {
            TimeoutPhase::Streaming {
                tokens_received: self.tokens_received,
            }
        }
    }

    /// Output tokens counted so far; cheap, unlike summing the chunks.
    pub fn tokens_received(&self) -> u64 {
        self.tokens_received
    }

    /// The record as it stands (chunks so far, for live batches).
    pub fn record(&self) -> &RequestRecord {
        &self.record
    }

    /// All text received so far, when kept.
    pub fn text(&self) -> Option<&ReceivedText> {
        self.text.as_ref()
    }

    /// Text received since the last call, when kept.
    pub fn take_new_text(&mut self) -> Option<NewText> {
        self.text.as_mut().map(ReceivedText::take_new)
    }

    /// The finished record.
    pub fn finish(mut self) -> RequestRecord {
        if self.bursts.events > 0 {
            self.record.bursts = Some(self.bursts);
        }
        self.record.chunks.shrink_to_fit();
        self.record
    }

    fn set_error(&mut self, error: RequestError) {
        if self.record.error.is_none() {
            self.record.error = Some(error);
        }
    }

    fn judge_whole_body(&mut self, status: u16, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        if status >= 400 {
            let message = server_message_from_body(&text);
            self.set_error(failure::http_status_error(status, message.as_deref()));
            return;
        }
        if let Some(single) = crate::wire::openai::reply::parse_single_response(&text) {
            self.record_usage(single.usage);
            if single.finish_reason.is_some() {
                self.record.finish_reason = single.finish_reason;
            }
            let error = failure::not_a_stream(
                failure::NonStreamBody::JsonCompletion,
                self.content_type.as_deref(),
            );
            self.set_error(error);
            return;
        }
        if body::is_json_error(&text) {
            let message =
                server_message_from_body(&text).unwrap_or_else(|| "unknown error".to_owned());
            self.set_error(failure::server_error_reply(&message));
            return;
        }
        let kind = body::classify(bytes);
        self.set_error(failure::not_a_stream(kind, self.content_type.as_deref()));
    }

    fn parse_events(&mut self, at: f64, bytes: &[u8]) -> ReadOutcome {
        let mut events = std::mem::take(&mut self.events);
        events.clear();
        self.parser.push_into(bytes, &mut events);
        let mut outcome = ReadOutcome::default();
        for event in &events {
            self.on_event(at, event, &mut outcome);
        }
        self.events = events;
        self.bursts.count_read(outcome.output_events);
        if self.parser.overflowed() {
            // The events before the endless one are in; the request ends here.
            self.record.ended_at = Some(at);
            self.set_error(failure::event_too_long(self.tokens_received));
            self.reading_done = true;
        }
        outcome
    }

    fn on_event(&mut self, at: f64, event: &SseEvent, outcome: &mut ReadOutcome) {
        if self.saw_done {
            return;
        }
        match event.kind {
            SseEventKind::Message if event.is_done() => self.saw_done = true,
            SseEventKind::Message => match parse_stream_chunk(&event.data) {
                Ok(chunk) if event.event_type() == "error" && chunk.error.is_none() => {
                    self.server_error(&event.data);
                }
                Ok(chunk) => self.on_chunk(at, chunk, event.data.len(), outcome),
                Err(_) if event.event_type() == "error" => self.server_error(&event.data),
                Err(_) if event.event_type() == "message" => self.count_malformed(),
                Err(_) => {} // an event type of its own (a ping): not ours to judge
            },
            SseEventKind::ErrorField => self.server_error(&event.data),
            SseEventKind::BareJsonLine => match parse_stream_chunk(&event.data) {
                Ok(StreamChunk {
                    error: Some(message),
                    ..
                }) => {
                    self.set_error(failure::server_error_event(&message));
                }
                _ => self.count_malformed(),
            },
        }
    }

    fn count_malformed(&mut self) {
        self.record.malformed_chunks = self.record.malformed_chunks.saturating_add(1);
    }

    fn server_error(&mut self, data: &str) {
        let message = server_message_from_body(data).unwrap_or_else(|| "unknown error".to_owned());
        self.set_error(failure::server_error_event(&message));
    }

    fn record_usage(&mut self, usage: Option<crate::wire::openai::Usage>) {
        let Some(usage) = usage else { return };
        if let Some(count) = usage.prompt_tokens {
            self.record.prompt_tokens = Some(TokenCount {
                count,
                source: TokenSource::Server,
            });
        }
        if let Some(count) = usage.completion_tokens {
            self.record.output_tokens = Some(TokenCount {
                count,
                source: TokenSource::Server,
            });
            // Believed up to one token per byte of body received so far.
            let backed = self.body_bytes.saturating_mul(MAX_TOKENS_PER_BYTE);
            self.count_overclaim = count.saturating_sub(backed);
            self.note_overclaim();
        }
    }

    /// The record's overclaim: the larger of the chunks' excess and the last
    /// count's (both say how far the claims went beyond the bytes).
    fn note_overclaim(&mut self) {
        self.record.overclaimed_tokens = self.chunk_overclaim.max(self.count_overclaim);
    }

    /// The tokens a chunk of `event_bytes` bytes of data carries on the
    /// timeline when the server's count went up by `claimed`: at most one
    /// per byte and [`MAX_TOKENS_PER_CHUNK`], the excess noted as
    /// overclaimed.
    fn backed_tokens(&mut self, claimed: u64, event_bytes: usize) -> u32 {
        let most = (event_bytes as u64)
            .saturating_mul(MAX_TOKENS_PER_BYTE)
            .clamp(1, u64::from(MAX_TOKENS_PER_CHUNK));
        let excess = claimed.saturating_sub(most);
        self.chunk_overclaim = self.chunk_overclaim.saturating_add(excess);
        self.note_overclaim();
        claimed.clamp(1, most) as u32
    }

    fn on_chunk(
        &mut self,
        at: f64,
        chunk: StreamChunk,
        event_bytes: usize,
        outcome: &mut ReadOutcome,
    ) {
        if let Some(message) = &chunk.error {
            self.set_error(failure::server_error_event(message));
        }
        self.record_usage(chunk.usage);
        if chunk.timings.is_some() {
            self.record.server_timings = chunk.timings;
        }
        if chunk.finish_reason.is_some() {
            self.record.finish_reason.clone_from(&chunk.finish_reason);
        }
        let reported = chunk.usage.and_then(|u| u.completion_tokens);
        if chunk.carries_output() && !self.reading_done {
            let tokens = match reported {
                Some(total) => {
                    let claimed = total.saturating_sub(self.last_completion_tokens.unwrap_or(0));
                    self.backed_tokens(claimed, event_bytes)
                }
                None => 1,
            };
            // No request may hold more than a request can ask for: the
            // tokens up to the bound are kept, and the request ends there.
            let room = MAX_TOKENS_PER_REQUEST.saturating_sub(self.tokens_received);
            if u64::from(tokens) > room {
                self.record.ended_at = Some(at);
                self.set_error(failure::too_many_tokens());
                self.reading_done = true;
                if room == 0 {
                    return;
                }
            }
            let tokens = tokens.min(room as u32);
            outcome.output_events += 1;
            self.tokens_received += u64::from(tokens);
            outcome.output_tokens = outcome.output_tokens.saturating_add(tokens);
            self.add_chunk(Chunk {
                at,
                tokens,
                reasoning: chunk.is_reasoning_only(),
                server_sent_at: chunk.server_sent_at,
            });
            if let Some(text) = &mut self.text {
                text.append(&chunk.content, &chunk.reasoning);
            }
        }
        if reported.is_some() {
            self.last_completion_tokens = reported;
        }
    }

    fn add_chunk(&mut self, chunk: Chunk) {
        let chunks = &mut self.record.chunks;
        if chunks.len() > self.first_chunk_of_read {
            if let Some(last) = chunks.last() {
                let lossless = last.server_sent_at.is_none() && chunk.server_sent_at.is_none();
                let fits = u64::from(last.tokens) + u64::from(chunk.tokens)
                    <= u64::from(MAX_TOKENS_PER_CHUNK);
                if lossless && fits && last.reasoning == chunk.reasoning {
                    chunks.add_tokens_to_last(chunk.tokens);
                    return;
                }
            }
        }
        chunks.push(chunk);
    }
}
