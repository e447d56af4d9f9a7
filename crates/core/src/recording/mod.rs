//! What was observed: the types of a recording, shared by the measurement
//! worker, the page, exported files, share links and the command-line tool.
//!
//! Times are seconds (f64). A request's own times (`chunks[i].at`,
//! `headers_at`, `ended_at`) count from the moment it was handed to `fetch`
//! (`sent_at`), so a request's timeline needs no other clock. `scheduled_at`
//! and `sent_at` count from the run's start (`Recording::started_at_unix_ms`),
//! so queueing in the browser (sent - scheduled) stays visible and is never
//! counted as server latency.

use serde::{Deserialize, Serialize};

mod chunks;
pub mod synthetic;
pub use chunks::{on_tick_grid, with_packed_chunks, ChunkIter, Chunks, TimeIter, TICKS_PER_SECOND};

/// Version of the recording format. Bump on any incompatible change.
pub const RECORDING_VERSION: u32 = 1;

/// One run: how it was configured, where it ran, and what every request saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    pub version: u32,
    /// Wall-clock start of the run, milliseconds since the Unix epoch
    /// (`performance.timeOrigin + performance.now()` in the browser).
    pub started_at_unix_ms: f64,
    /// The run's configuration as the user set it (endpoint, model, workload,
    /// deadlines). Kept as JSON so older recordings stay readable as the
    /// set-up grows; never holds an API key or a secret header value.
    #[serde(default)]
    pub config: serde_json::Value,
    #[serde(default)]
    pub environment: Environment,
    pub requests: Vec<RequestRecord>,
}

/// Where the measurement was taken, and what may have disturbed it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    /// `navigator.userAgent`, or the name of the native tool.
    #[serde(default)]
    pub user_agent: String,
    /// Smallest step of `performance.now()` observed, in seconds.
    #[serde(default)]
    pub timer_resolution: Option<f64>,
    /// Whether the page was cross-origin isolated (finer timer).
    #[serde(default)]
    pub cross_origin_isolated: bool,
    /// Intervals (seconds from the run's start) when the page was hidden or
    /// frozen; a run with any is not trustworthy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden_intervals: Vec<(f64, f64)>,
}

impl Environment {
    /// A run during which the tab was hidden may have been throttled.
    pub fn trustworthy(&self) -> bool {
        self.hidden_intervals.is_empty()
    }
}

/// Where a token count came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TokenSource {
    /// Reported by the server (`usage`).
    Server,
    /// Counted by us: one token per content chunk.
    #[default]
    Counted,
    /// Asked for in the plan; nothing better was known.
    Planned,
}

/// A count of tokens and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCount {
    pub count: u64,
    pub source: TokenSource,
}

/// One network read that carried output tokens. A request keeps its reads
/// in [`Chunks`], by column; this is one of them, as a value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    /// Arrival time, seconds since the request was handed to `fetch`.
    pub at: f64,
    /// Output tokens this read carried (at least 1).
    pub tokens: u32,
    /// The tokens are reasoning (`reasoning_content`), not visible answer text.
    #[serde(default, skip_serializing_if = "is_false")]
    pub reasoning: bool,
    /// The server's own send time, when it tells it (the testbed does):
    /// seconds on the server's clock, comparable only between chunks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_sent_at: Option<f64>,
}

impl Chunk {
    /// A read of `tokens` visible (answer) tokens at `at`, without a server
    /// time.
    pub fn visible(at: f64, tokens: u32) -> Chunk {
        Chunk {
            at,
            tokens,
            reasoning: false,
            server_sent_at: None,
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Why a request failed, in kinds a user can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The server answered with an HTTP error status.
    HttpStatus,
    /// The browser blocked the response (the server does not allow this page).
    Cors,
    /// The server could not be reached.
    Network,
    /// No answer, or no end of the answer, within the time limit.
    Timeout,
    /// The user stopped it.
    Aborted,
    /// The stream was not valid server-sent events / JSON, or ended early.
    MalformedStream,
    /// The server sent an error object inside the stream.
    ServerError,
    /// The response was not a stream at all.
    NotAStream,
}

impl ErrorKind {
    /// A short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::HttpStatus => "HTTP error",
            ErrorKind::Cors => "blocked by CORS",
            ErrorKind::Network => "unreachable",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Aborted => "stopped",
            ErrorKind::MalformedStream => "malformed stream",
            ErrorKind::ServerError => "server error",
            ErrorKind::NotAStream => "not a stream",
        }
    }
}

/// A failure: its kind, and a sentence that tells the user what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestError {
    pub kind: ErrorKind,
    pub message: String,
    /// HTTP status, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// Everything observed for one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RequestRecord {
    /// Position in the plan (0-based); warm-up requests are not recorded.
    pub id: u64,
    /// When the plan said to send it, seconds since the run's start.
    #[serde(default)]
    pub scheduled_at: f64,
    /// When it was handed to `fetch`, seconds since the run's start.
    #[serde(default)]
    pub sent_at: f64,
    /// When the response headers arrived, seconds since `sent_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers_at: Option<f64>,
    /// When the stream ended or failed, seconds since `sent_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<f64>,
    /// Reads that carried output tokens, in arrival order.
    #[serde(default)]
    pub chunks: Chunks,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<TokenCount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<TokenCount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<String>,
    /// Chunks that could not be parsed (the stream went on).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub malformed_chunks: u32,
    /// Tokens the server claimed beyond one per byte it sent
    /// ([`crate::limits::MAX_TOKENS_PER_BYTE`]). The claim is kept in
    /// `output_tokens`; the timeline holds only what the bytes could carry,
    /// and the counts use the tokens counted.
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub overclaimed_tokens: u64,
    /// HTTP protocol of the response (`nextHopProtocol`: "http/1.1", "h2").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RequestError>,
    /// How the output events were spread over network reads; absent when
    /// no output arrived. See [`Bursts`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bursts: Option<Bursts>,
    /// The server's own timing of the request, when it reports one
    /// (llama.cpp's `timings`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_timings: Option<ServerTimings>,
}

/// Whether output events arrived one per network read, or in bursts.
///
/// An *output event* is a stream event that carried output (text, reasoning
/// or a tool call). An event is *in a burst* when the read that delivered it
/// delivered at least one other output event: then the browser saw those
/// events at the same instant, whatever the gaps at which the server sent
/// them (a proxy buffered, the server flushed several at once, or the
/// measuring tab fell behind). Several tokens inside one event (speculative
/// decoding, `stream_interval`) are not a burst: the server chose that.
///
/// The stream is `bursty` when it had at least
/// [`Bursts::MIN_EVENTS`] output events and at least half of them arrived in
/// bursts. Its inter-token gaps then say more about the buffering than
/// about the server's decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Bursts {
    /// Output events received.
    pub events: u32,
    /// Output events that shared their read with another output event.
    pub events_in_bursts: u32,
    /// Most output events delivered by one read.
    pub largest_burst: u32,
    /// At least half of at least [`Bursts::MIN_EVENTS`] events came in bursts.
    pub bursty: bool,
}

impl Bursts {
    /// Fewer output events than this never make a stream bursty.
    pub const MIN_EVENTS: u32 = 4;

    /// Counts one read that delivered `output_events` output events.
    pub fn count_read(&mut self, output_events: u32) {
        if output_events == 0 {
            return;
        }
        self.events += output_events;
        if output_events > 1 {
            self.events_in_bursts += output_events;
        }
        self.largest_burst = self.largest_burst.max(output_events);
        self.bursty = self.events >= Self::MIN_EVENTS && 2 * self.events_in_bursts >= self.events;
    }
}

/// The server's own timing of a request (llama.cpp's `timings` object).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ServerTimings {
    /// Prompt tokens processed (not taken from the cache).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_n: Option<f64>,
    /// Milliseconds spent on the prompt (prefill).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_ms: Option<f64>,
    /// Tokens generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_n: Option<f64>,
    /// Milliseconds spent generating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_ms: Option<f64>,
    /// Milliseconds per generated token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_per_token_ms: Option<f64>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn is_zero_u64(n: &u64) -> bool {
    *n == 0
}

impl RequestRecord {
    /// A completed request `id` whose tokens arrived one per chunk at
    /// `arrivals` (seconds since it was sent), with nothing else recorded:
    /// the record that tests and examples build from a list of arrival
    /// times.
    pub fn from_arrivals(id: u64, arrivals: &[f64]) -> Self {
        RequestRecord {
            id,
            chunks: arrivals.iter().map(|&at| Chunk::visible(at, 1)).collect(),
            ..Default::default()
        }
    }

    /// Output tokens counted from the chunks.
    pub fn counted_output_tokens(&self) -> u64 {
        self.chunks.total_tokens()
    }

    /// Output tokens: the server's figure when it reported one it could
    /// back with bytes, else counted.
    pub fn num_output_tokens(&self) -> u64 {
        match self.output_tokens {
            Some(TokenCount {
                count,
                source: TokenSource::Server,
            }) if self.overclaimed_tokens == 0 => count,
            _ => self.counted_output_tokens(),
        }
    }

    /// Whether the request finished without error.
    pub fn completed(&self) -> bool {
        self.error.is_none()
    }

    /// The timeline the metrics use: element 0 is the time to first token
    /// (from `fetch`), element i > 0 the gap before token i. A chunk that
    /// carried k tokens gives its gap once, then k - 1 gaps of 0, as the
    /// Etalon reference does. Empty when no token arrived.
    pub fn inter_token_times(&self) -> Vec<f64> {
        if self.chunks.one_token_each() {
            let mut previous = 0.0;
            return self
                .chunks
                .arrival_times()
                .map(|at| {
                    let gap = at - previous;
                    previous = at;
                    gap
                })
                .collect();
        }
        let mut itt = vec![0.0; self.counted_output_tokens() as usize];
        let mut token = 0;
        let mut previous = 0.0;
        for (at, tokens) in self.chunks.arrivals_and_tokens() {
            if tokens > 0 {
                itt[token] = at - previous;
                token += tokens as usize;
                previous = at;
            }
        }
        itt
    }

    /// Time to the first visible (non-reasoning) token, seconds from `fetch`.
    pub fn time_to_first_visible_token(&self) -> Option<f64> {
        self.chunks
            .iter()
            .find(|c| c.tokens > 0 && !c.reasoning)
            .map(|c| c.at)
    }

    /// Reasoning tokens among the output.
    pub fn reasoning_tokens(&self) -> u64 {
        self.chunks
            .iter()
            .filter(|c| c.reasoning)
            .map(|c| u64::from(c.tokens))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(at: f64, tokens: u32) -> Chunk {
        Chunk::visible(at, tokens)
    }

    #[test]
    fn several_tokens_in_one_chunk_give_zero_gaps() {
        let record = RequestRecord {
            chunks: vec![chunk(0.5, 2), chunk(0.6, 1), chunk(0.8, 3)].into(),
            ..Default::default()
        };
        let itt = record.inter_token_times();
        let expected = [0.5, 0.0, 0.1, 0.2, 0.0, 0.0];
        assert_eq!(itt.len(), expected.len());
        for (got, want) in itt.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{itt:?}");
        }
        assert_eq!(record.num_output_tokens(), 6);
    }

    #[test]
    fn a_record_from_arrivals_has_one_token_per_arrival() {
        let record = RequestRecord::from_arrivals(7, &[0.25, 0.3, 0.5]);
        assert_eq!(record.id, 7);
        assert!(record.completed());
        assert_eq!(record.num_output_tokens(), 3);
        assert_eq!(record.chunks.get(1), Some(chunk(0.3, 1)));
    }

    #[test]
    fn server_usage_wins_over_counting() {
        let record = RequestRecord {
            chunks: vec![chunk(0.5, 1)].into(),
            output_tokens: Some(TokenCount {
                count: 4,
                source: TokenSource::Server,
            }),
            ..Default::default()
        };
        assert_eq!(record.num_output_tokens(), 4);
        assert_eq!(record.counted_output_tokens(), 1);
    }

    #[test]
    fn an_overclaiming_server_is_not_believed_for_counts() {
        let record = RequestRecord {
            chunks: vec![chunk(0.5, 1), chunk(0.6, 1)].into(),
            output_tokens: Some(TokenCount {
                count: u64::from(u32::MAX),
                source: TokenSource::Server,
            }),
            overclaimed_tokens: u64::from(u32::MAX) - 2,
            ..Default::default()
        };
        assert_eq!(record.num_output_tokens(), 2);
        assert_eq!(record.inter_token_times().len(), 2);
    }

    #[test]
    fn recording_round_trips_through_json() {
        let recording = Recording {
            version: RECORDING_VERSION,
            started_at_unix_ms: 1.7e12,
            config: serde_json::json!({"model": "steady"}),
            environment: Environment::default(),
            requests: vec![RequestRecord {
                id: 3,
                chunks: vec![
                    chunk(0.25, 1),
                    Chunk {
                        reasoning: true,
                        ..chunk(0.3, 2)
                    },
                ]
                .into(),
                error: Some(RequestError {
                    kind: ErrorKind::HttpStatus,
                    message: "The server said: rate limited".into(),
                    status: Some(429),
                }),
                ..Default::default()
            }],
        };
        let text = serde_json::to_string(&recording).unwrap();
        let back: Recording = serde_json::from_str(&text).unwrap();
        assert_eq!(back, recording);
        assert!(text.contains("\"http_status\""));
    }
}
