//! Server-sent events: turns the bytes of a response body, in whatever pieces
//! the network hands them over, into events.
//!
//! Follows the WHATWG "interpreting an event stream" rules: `data:` lines
//! joined with `\n`, `event:`, `id:`, `retry:`, comments (`:`), a field with
//! no colon, one leading space after the colon stripped, a blank line
//! dispatches, an event with no data is not dispatched, `\n`, `\r\n` and `\r`
//! line ends, a leading byte order mark stripped. The events are the same
//! however the bytes are split, including a `\r\n` split across two reads and
//! a multi-byte character split across reads.
//!
//! UTF-8 is decoded per line: line ends are ASCII bytes, which never occur
//! inside a multi-byte character, so a character split across reads is whole
//! again once its line is, and invalid bytes become U+FFFD exactly as a
//! streaming `TextDecoder` would make them (Rust's lossy decoding replaces
//! the same maximal subparts as the Encoding Standard).
//!
//! Two deliberate additions, reported as their own [`SseEventKind`] so the
//! spec's events are untouched: an `error:` line (older llama.cpp servers
//! send their mid-stream errors that way, which a browser would ignore) and a
//! line that starts with `{` (Ollama writes a mid-stream error as bare JSON
//! without `data:`).
//!
//! One bound of its own: no line and no event (its `data:` lines together)
//! longer than [`MAX_EVENT_BYTES`] is held. Beyond it the parser stops, lets
//! go of what it held, ignores the rest of the stream and says so
//! ([`SseParser::overflowed`]): a server that never ends a line or an event
//! would otherwise fill the memory.

use memchr::memchr2;

use crate::limits::MAX_EVENT_BYTES;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Where an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SseEventKind {
    /// A regular event, dispatched by a blank line.
    Message,
    /// An `error: ...` line (a field the spec ignores; older llama.cpp
    /// servers send mid-stream errors that way). `data` is its value.
    ErrorField,
    /// A line starting with `{`, outside any field (Ollama writes mid-stream
    /// errors as bare JSON). `data` is the whole line.
    BareJsonLine,
}

/// One event of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub kind: SseEventKind,
    /// The `event:` field; empty means the default type, "message".
    pub event: String,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
    /// The last `id:` seen so far in the stream (it persists across events).
    pub last_event_id: String,
}

impl SseEvent {
    /// The event type, "message" when the stream gave none.
    pub fn event_type(&self) -> &str {
        if self.event.is_empty() {
            "message"
        } else {
            &self.event
        }
    }

    /// `data: [DONE]`: the OpenAI convention for the end of a stream.
    pub fn is_done(&self) -> bool {
        self.kind == SseEventKind::Message && self.data.trim() == "[DONE]"
    }
}

/// What was left when the stream ended. Per the spec none of it is
/// dispatched; the caller may say the stream was cut mid-event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEnd {
    /// A last line that never got its line end.
    pub partial_line: Option<String>,
    /// `data:` lines of an event that never got its blank line.
    pub undispatched_data: Option<String>,
}

impl SseEnd {
    /// Whether the stream stopped inside an event (or inside a line).
    pub fn ended_mid_event(&self) -> bool {
        self.partial_line.is_some() || self.undispatched_data.is_some()
    }
}

/// Incremental event-stream parser: push bytes as they arrive, get events.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of the line not yet ended.
    line: Vec<u8>,
    /// The last byte was a `\r`: a `\n` starting the next read belongs to it.
    skip_lf: bool,
    /// BOM bytes matched and held at the very start of the stream.
    bom_matched: usize,
    /// The start of the stream (and a possible BOM) is behind us.
    past_start: bool,
    /// Data buffer, each data line followed by `\n` (spec), not yet decoded.
    data: Vec<u8>,
    event_type: Vec<u8>,
    last_event_id: String,
    retry_ms: Option<u64>,
    /// A line or an event went beyond [`MAX_EVENT_BYTES`]: nothing more is
    /// parsed.
    overflowed: bool,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// The reconnection time the stream asked for with `retry:`, if any.
    pub fn retry_ms(&self) -> Option<u64> {
        self.retry_ms
    }

    /// Whether a line or an event went beyond [`MAX_EVENT_BYTES`]. The
    /// events completed before it were returned; everything after is
    /// ignored.
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// Parses the next piece of the body and returns the events it completed.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        self.push_into(bytes, &mut events);
        events
    }

    /// Like [`push`](Self::push), appending to a vector the caller reuses.
    pub fn push_into(&mut self, bytes: &[u8], events: &mut Vec<SseEvent>) {
        if self.overflowed {
            return;
        }
        let mut bytes = bytes;
        if !self.past_start {
            while let Some(&byte) = bytes.first() {
                if byte != BOM[self.bom_matched] {
                    // Not a BOM after all: what was held is content.
                    self.past_start = true;
                    let held = &BOM[..self.bom_matched];
                    self.feed(held, events);
                    break;
                }
                self.bom_matched += 1;
                bytes = &bytes[1..];
                if self.bom_matched == BOM.len() {
                    self.past_start = true;
                    break;
                }
            }
            if !self.past_start {
                return;
            }
        }
        self.feed(bytes, events);
    }

    /// The body ended: reports what was left undispatched, and resets.
    pub fn finish(&mut self) -> SseEnd {
        let mut partial = std::mem::take(&mut self.line);
        if !self.past_start {
            partial.extend_from_slice(&BOM[..self.bom_matched]);
        }
        if self.data.last() == Some(&b'\n') {
            self.data.pop();
        }
        let end = SseEnd {
            partial_line: (!partial.is_empty()).then(|| decode(&partial)),
            undispatched_data: (!self.data.is_empty()).then(|| decode(&self.data)),
        };
        *self = Self::default();
        end
    }

    fn feed(&mut self, bytes: &[u8], events: &mut Vec<SseEvent>) {
        let mut rest = bytes;
        if self.skip_lf && !rest.is_empty() {
            self.skip_lf = false;
            if rest[0] == b'\n' {
                rest = &rest[1..];
            }
        }
        while let Some(end) = memchr2(b'\n', b'\r', rest) {
            if self.line.len() + end > MAX_EVENT_BYTES {
                return self.overflow();
            }
            if self.line.is_empty() {
                self.line_ended(&rest[..end], events);
            } else {
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(&rest[..end]);
                self.line_ended(&line, events);
                line.clear();
                self.line = line; // keeps its capacity for the next partial line
            }
            if self.overflowed {
                return;
            }
            let was_cr = rest[end] == b'\r';
            rest = &rest[end + 1..];
            if was_cr {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    Some(_) => {}
                    None => self.skip_lf = true,
                }
            }
        }
        if self.line.len() + rest.len() > MAX_EVENT_BYTES {
            return self.overflow();
        }
        self.line.extend_from_slice(rest);
    }

    /// Beyond the bound: let go of everything held, parse nothing more.
    fn overflow(&mut self) {
        self.overflowed = true;
        self.line = Vec::new();
        self.data = Vec::new();
        self.event_type = Vec::new();
    }

    fn line_ended(&mut self, line: &[u8], events: &mut Vec<SseEvent>) {
        if line.is_empty() {
            self.dispatch(events);
            return;
        }
        if line[0] == b':' {
            return; // comment
        }
        if line[0] == b'{' {
            events.push(self.notice(SseEventKind::BareJsonLine, line));
            return;
        }
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        match name {
            b"data" => {
                // The event's data so far, its line ends included, and this line.
                if self.data.len() + value.len() > MAX_EVENT_BYTES {
                    return self.overflow();
                }
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
            }
            b"event" => {
                self.event_type.clear();
                self.event_type.extend_from_slice(value);
            }
            b"id" if !value.contains(&0) => self.last_event_id = decode(value),
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Ok(ms) = decode(value).parse() {
                    self.retry_ms = Some(ms);
                }
            }
            b"error" => events.push(self.notice(SseEventKind::ErrorField, value)),
            _ => {} // unknown fields are ignored
        }
    }

    fn notice(&self, kind: SseEventKind, data: &[u8]) -> SseEvent {
        SseEvent {
            kind,
            event: String::new(),
            data: decode(data),
            last_event_id: self.last_event_id.clone(),
        }
    }

    fn dispatch(&mut self, events: &mut Vec<SseEvent>) {
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        self.data.pop(); // the `\n` after the last data line
        events.push(SseEvent {
            kind: SseEventKind::Message,
            event: decode(&self.event_type),
            data: decode(&self.data),
            last_event_id: self.last_event_id.clone(),
        });
        self.data.clear();
        self.event_type.clear();
    }
}

/// UTF-8 with U+FFFD for invalid bytes, as a `TextDecoder` does.
fn decode(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
