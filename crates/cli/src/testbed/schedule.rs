//! From a profile's parameters and one request, the timed script of the
//! response: which chunks leave at which time after the request arrived, and
//! how the stream ends. Pure functions, tested without a socket.

use super::profiles::{Fault, Params};
use super::text::Part;
use std::time::Duration;

/// Which OpenAI endpoint was called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `/v1/chat/completions`: chunks of `delta`s, starting with a role chunk.
    Chat,
    /// `/v1/completions`: chunks of `text`.
    Completions,
}

/// What the schedule needs to know of a request.
#[derive(Clone, Debug)]
pub struct Job {
    pub endpoint: Endpoint,
    pub prompt_tokens: u32,
    /// `max_tokens` / `max_completion_tokens`; unset = the profile's length, ending in "stop".
    pub max_tokens: Option<u32>,
    /// `stream_options.include_usage`: end with a usage-only chunk.
    pub include_usage: bool,
    /// The request's `seed`, used by the jitter unless the model name sets one.
    pub seed: Option<u64>,
}

/// Why the output ended, as `finish_reason` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinishReason {
    /// `max_tokens` reached.
    Length,
    /// The model's own end (no `max_tokens` in the request).
    Stop,
}

/// One SSE event of a stream.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The chat stream's first chunk: `delta.role` only, no text.
    Role,
    /// `count` tokens of one part, starting at the part's token `first`.
    Text {
        part: Part,
        first: u32,
        count: u32,
        /// The chunk's first token carries bytes that are not UTF-8.
        invalid_utf8: bool,
        /// The chunk's usage claims 2^32 - 1 completion tokens, and so does
        /// every later usage of the stream.
        usage_overflow: bool,
    },
    /// A `data:` line that is not JSON.
    Garbage,
    /// An `{"error": ...}` chunk.
    Error,
    /// The chunk with `finish_reason` and an empty delta.
    Finish(FinishReason),
    /// The usage-only chunk (empty `choices`).
    Usage,
    /// `data: [DONE]`.
    Done,
}

/// Events written together, `at` after the request arrived.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub at: Duration,
    pub events: Vec<Event>,
}

/// What the server does after the last frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// End the body cleanly.
    Close,
    /// Close the connection abruptly (no final chunk of the chunked body).
    Drop,
    /// Keep the connection open and silent until the client leaves.
    Hang,
    /// Send `data:` lines forever, never the blank line that would end their
    /// event, until the client leaves.
    EndlessEvent,
    /// Send 10 MB of one line, never its line end, then end the body.
    LongLine,
}

/// A streamed (or, without the faults, whole) response, ready to be played.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    pub frames: Vec<Frame>,
    pub ending: Ending,
    /// When the ending happens; also when a non-streamed answer is ready.
    pub ending_at: Duration,
    /// Tokens actually sent (reasoning included).
    pub output_tokens: u32,
    /// Of which leading reasoning tokens.
    pub reasoning_tokens: u32,
    /// The finish reason sent, if any.
    pub finish: Option<FinishReason>,
}

/// How the server answers a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// An HTTP error status instead of a completion (429 or 500).
    Refuse { fault: Fault, retry_after_s: u32 },
    /// A completion, played on this schedule.
    Respond(Script),
    /// A web page with status 200, at once, instead of a completion.
    WebPage,
}

/// When each token is generated, after the request arrived: prefill (fixed
/// plus per prompt token), then gaps of 1/rate spread by jitter, plus a pause
/// before every token position listed in `stall_at`.
pub fn token_times(params: &Params, prompt_tokens: u32, tokens: u32, seed: u64) -> Vec<Duration> {
    let mean_gap = 1.0 / params.rate;
    let mut random = SplitMix64(seed);
    let mut seconds =
        (params.prefill_ms + params.prefill_ms_per_token * f64::from(prompt_tokens)) / 1000.0;
    (0..tokens)
        .map(|index| {
            if index > 0 {
                seconds += mean_gap * (1.0 + params.jitter * random.between_minus_one_and_one());
            }
            if params.stall_at.contains(&(index + 1)) {
                seconds += params.stall_ms / 1000.0;
            }
            Duration::from_secs_f64(seconds)
        })
        .collect()
}

/// The whole answer to one request under one profile.
pub fn plan(params: &Params, job: &Job) -> Plan {
    if let Some(fault @ (Fault::RateLimited | Fault::ServerError)) = params.fault {
        return Plan::Refuse {
            fault,
            retry_after_s: params.retry_after_s,
        };
    }
    if params.fault == Some(Fault::WebPage) {
        return Plan::WebPage;
    }
    let planned = job.max_tokens.unwrap_or(params.default_tokens);
    let seed = params.seed.or(job.seed).unwrap_or(1);
    let times = token_times(params, job.prompt_tokens, planned, seed);
    let fault_after = params.fault_after.min(planned);
    let cut_short = matches!(
        params.fault,
        Some(
            Fault::DropMidStream
                | Fault::ErrorEvent
                | Fault::NeverEnds
                | Fault::NoFinish
                | Fault::EndlessEvent
                | Fault::LongLine
        )
    );
    let sent = if cut_short { fault_after } else { planned };
    // A stream cut short ends when its next token would have been due.
    let prefill = times.first().copied().unwrap_or_default();
    let fault_at = times
        .get(fault_after as usize)
        .or(times.last())
        .copied()
        .unwrap_or(prefill);
    let invalid_utf8_token = (params.fault == Some(Fault::InvalidUtf8))
        .then(|| fault_after.min(planned.saturating_sub(1)));
    let overflow_token = (params.fault == Some(Fault::UsageOverflow))
        .then(|| fault_after.min(planned.saturating_sub(1)));
    let reasoning = params.reasoning_tokens.min(sent);

    let mut timeline: Vec<(Duration, Event)> = Vec::new();
    if job.endpoint == Endpoint::Chat {
        timeline.push((Duration::ZERO, Event::Role));
    }
    let mut garbage_due = params.fault == Some(Fault::Garbage);
    let mut last_at = Duration::ZERO;
    let mut next = 0;
    loop {
        if garbage_due && next >= fault_after {
            timeline.push((last_at, Event::Garbage));
            garbage_due = false;
        }
        if next >= sent {
            break;
        }
        let part_end = if next < reasoning { reasoning } else { sent };
        let end = (next + params.tokens_per_chunk.max(1)).min(part_end);
        let (part, first) = if next < reasoning {
            (Part::Reasoning, next)
        } else {
            (Part::Answer, next - reasoning)
        };
        let invalid_utf8 = invalid_utf8_token.is_some_and(|bad| (next..end).contains(&bad));
        let usage_overflow = overflow_token.is_some_and(|token| (next..end).contains(&token));
        last_at = times[end as usize - 1];
        timeline.push((
            last_at,
            Event::Text {
                part,
                first,
                count: end - next,
                invalid_utf8,
                usage_overflow,
            },
        ));
        next = end;
    }

    let finish_reason = if job.max_tokens.is_some() {
        FinishReason::Length
    } else {
        FinishReason::Stop
    };
    let (ending, ending_at, finish) = match params.fault {
        Some(Fault::DropMidStream) => (Ending::Drop, fault_at, None),
        Some(Fault::NeverEnds) => (Ending::Hang, fault_at, None),
        Some(Fault::NoFinish) => (Ending::Close, fault_at, None),
        Some(Fault::EndlessEvent) => (Ending::EndlessEvent, fault_at, None),
        Some(Fault::LongLine) => (Ending::LongLine, fault_at, None),
        Some(Fault::ErrorEvent) => {
            timeline.push((fault_at, Event::Error));
            timeline.push((fault_at, Event::Done));
            (Ending::Close, fault_at, None)
        }
        _ => {
            timeline.push((last_at, Event::Finish(finish_reason)));
            if job.include_usage {
                timeline.push((last_at, Event::Usage));
            }
            timeline.push((last_at, Event::Done));
            (Ending::Close, last_at, Some(finish_reason))
        }
    };
    let frames = into_frames(timeline, params.chunks_per_burst);
    let ending_at = frames.last().map_or(ending_at, |f| f.at.max(ending_at));
    Plan::Respond(Script {
        frames,
        ending,
        ending_at,
        output_tokens: sent,
        reasoning_tokens: reasoning,
        finish,
    })
}

/// Groups events into what is written at once: each event alone, or, when a
/// proxy buffers, `burst` text chunks (and what came between them) released
/// together when the last of them is generated.
fn into_frames(timeline: Vec<(Duration, Event)>, burst: u32) -> Vec<Frame> {
    if burst <= 1 {
        return timeline
            .into_iter()
            .map(|(at, event)| Frame {
                at,
                events: vec![event],
            })
            .collect();
    }
    let mut frames = Vec::new();
    let mut held = Vec::new();
    let mut held_texts = 0;
    let mut last_at = Duration::ZERO;
    for (at, event) in timeline {
        let is_text = matches!(event, Event::Text { .. });
        held.push(event);
        last_at = at;
        if is_text {
            held_texts += 1;
            if held_texts == burst {
                frames.push(Frame {
                    at,
                    events: std::mem::take(&mut held),
                });
                held_texts = 0;
            }
        }
    }
    if !held.is_empty() {
        frames.push(Frame {
            at: last_at,
            events: held,
        });
    }
    frames
}

/// A small seeded random generator (SplitMix64): the same seed gives the same gaps.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    fn between_minus_one_and_one(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
