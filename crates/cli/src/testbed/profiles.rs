//! The testbed's named profiles, as a table of parameter values.
//!
//! Every profile is the same generator with different numbers: a profile is a
//! row of [`Params`], never a branch of code. [`super::model_name`] lets a
//! request override any parameter; [`super::schedule`] turns them into a
//! timed script.

use std::borrow::Cow;

/// Something a profile does wrong on purpose, so the app can show it records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer 429 with a JSON error body and `Retry-After`.
    RateLimited,
    /// Answer 500 with a JSON error body.
    ServerError,
    /// Close the connection abruptly after `fault_after` tokens, without `[DONE]`.
    DropMidStream,
    /// Send a `data:` line that is not JSON after `fault_after` tokens, then go on.
    Garbage,
    /// Put bytes that are not UTF-8 inside the content of token `fault_after` (0-based).
    InvalidUtf8,
    /// Send an `{"error": ...}` chunk after `fault_after` tokens, then `[DONE]`.
    ErrorEvent,
    /// Keep the connection open, silent, after `fault_after` tokens.
    NeverEnds,
    /// End the body cleanly after `fault_after` tokens, without finish_reason nor `[DONE]`.
    NoFinish,
    /// Claim 2^32 - 1 completion tokens in the usage of the chunk of token
    /// `fault_after` (0-based) and in the final usage, as an overflowing
    /// counter would; the stream is otherwise steady.
    UsageOverflow,
    /// After `fault_after` tokens, `data:` lines forever, never the blank
    /// line that ends an event, until the client leaves.
    EndlessEvent,
    /// After `fault_after` tokens, 10 MB of one line without a line end,
    /// then end the body.
    LongLine,
    /// Answer 200 with a web page (`text/html`), as an address that points
    /// at a web interface does.
    WebPage,
}

/// How a profile times and shapes its output. All times in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// `rate`: tokens generated per second after the first token.
    pub rate: f64,
    /// `prefill_ms`: fixed time from the request to the first token.
    pub prefill_ms: f64,
    /// `prefill_ms_per_token`: extra time to first token per prompt token.
    pub prefill_ms_per_token: f64,
    /// `jitter`: spread of each gap around the mean, as a fraction of it
    /// (0 = steady, 0.5 = uniform between 0.5x and 1.5x the mean gap).
    pub jitter: f64,
    /// `seed`: seed of the jitter; unset = the request's `seed`, else 1.
    pub seed: Option<u64>,
    /// `stall_at`: token positions (1 = first token) preceded by a pause.
    pub stall_at: Cow<'static, [u32]>,
    /// `stall_ms`: length of each pause.
    pub stall_ms: f64,
    /// `per_chunk`: tokens carried by each chunk.
    pub tokens_per_chunk: u32,
    /// `burst`: chunks held back and released together, as a buffering proxy
    /// does (1 = every chunk leaves when generated).
    pub chunks_per_burst: u32,
    /// `reasoning`: leading tokens sent as `delta.reasoning_content`.
    pub reasoning_tokens: u32,
    /// `tokens`: output length when the request sets no `max_tokens`.
    pub default_tokens: u32,
    /// The fault this profile injects (fixed by the profile, not a parameter).
    pub fault: Option<Fault>,
    /// `after`: tokens sent before a stream fault happens.
    pub fault_after: u32,
    /// `retry_after`: seconds in the `Retry-After` header of a 429.
    pub retry_after_s: u32,
}

/// One named profile: the `model` a request asks for.
#[derive(Debug)]
pub struct Profile {
    pub name: &'static str,
    /// What a person will see, in one sentence.
    pub description: &'static str,
    pub params: Params,
}

/// The defaults every profile starts from: 50 tokens/s after 20 ms.
const STEADY: Params = Params {
    rate: 50.0,
    prefill_ms: 20.0,
    prefill_ms_per_token: 0.0,
    jitter: 0.0,
    seed: None,
    stall_at: Cow::Borrowed(&[]),
    stall_ms: 0.0,
    tokens_per_chunk: 1,
    chunks_per_burst: 1,
    reasoning_tokens: 0,
    default_tokens: 100,
    fault: None,
    fault_after: 10,
    retry_after_s: 1,
};

const fn faulty(fault: Fault, fault_after: u32) -> Params {
    Params {
        fault: Some(fault),
        fault_after,
        ..STEADY
    }
}

/// The table of profiles, in the order `/v1/models` lists them.
#[rustfmt::skip]
pub const PROFILES: &[Profile] = &[
    row("steady",          STEADY,                                                  "One token per chunk at a fixed rate after a short fixed prefill."),
    row("jitter",          Params { jitter: 0.5, ..STEADY },                        "Gaps drawn uniformly (seeded) around the mean gap."),
    row("stalls",          Params { stall_at: Cow::Borrowed(&[20, 60]), stall_ms: 1500.0, ..STEADY },
                                                                                    "Steady, with pauses before chosen token positions, long enough to miss deadlines at 50 ms per token."),
    row("multi-token",     Params { tokens_per_chunk: 4, ..STEADY },                "Several tokens per chunk, as with speculative decoding; usage counts them."),
    row("prefill",         Params { prefill_ms_per_token: 1.0, ..STEADY },          "Time to first token grows linearly with the prompt's length."),
    row("bursts",          Params { chunks_per_burst: 8, ..STEADY },                "Generated steadily but released in bursts, as a buffering proxy does."),
    row("reasoning",       Params { reasoning_tokens: 20, ..STEADY },               "First tokens as delta.reasoning_content, then visible content."),
    row("rate-limited",    faulty(Fault::RateLimited, 0),                           "Answers 429 with a JSON error body and Retry-After."),
    row("server-error",    faulty(Fault::ServerError, 0),                           "Answers 500 with a JSON error body."),
    row("drop-mid-stream", faulty(Fault::DropMidStream, 30),                        "Closes the connection abruptly mid-stream, without [DONE]."),
    row("garbage",         faulty(Fault::Garbage, 10),                              "Sends one data line that is not JSON mid-stream, then goes on."),
    row("invalid-utf8",    faulty(Fault::InvalidUtf8, 10),                          "One content string holds bytes that are not UTF-8, then goes on."),
    row("error-event",     faulty(Fault::ErrorEvent, 30),                           "Sends an {\"error\": ...} chunk mid-stream, then [DONE]."),
    row("never-ends",      faulty(Fault::NeverEnds, 10),                            "Goes silent mid-stream, the connection open, until the client gives up."),
    row("no-finish",       faulty(Fault::NoFinish, 30),                             "Ends the body cleanly mid-stream, without finish_reason nor [DONE]."),
    row("usage-overflow",  faulty(Fault::UsageOverflow, 10),                        "One chunk's usage, and the final usage, claim 2^32-1 completion tokens."),
    row("endless-event",   faulty(Fault::EndlessEvent, 10),                         "Mid-stream, data lines forever (16 KiB every 5 ms), never the blank line that ends the event."),
    row("long-line",       faulty(Fault::LongLine, 10),                             "Mid-stream, 10 MB of one line without a line end, then ends the body."),
    row("html-page",       faulty(Fault::WebPage, 0),                               "Answers 200 with a web page (text/html) instead of a stream."),
];

const fn row(name: &'static str, params: Params, description: &'static str) -> Profile {
    Profile {
        name,
        description,
        params,
    }
}
