//! One streamed chunk (the JSON in a `data:` event) read into what the
//! measurement needs: output text, reasoning text, usage, finish reason, an
//! error, llama.cpp's `timings`, and the testbed's send time.
//!
//! Lenient on purpose: servers differ, so a field of an unexpected type is
//! ignored rather than making the whole chunk malformed. Only text that is
//! not JSON, or JSON that is not an object, is an error.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::recording::ServerTimings;

use super::error::error_message;
use super::lenient::{lenient_object, lenient_u64, Scalar, Text};

/// Token counts the server reported (`usage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub prompt_tokens: Option<u64>,
    /// Cumulative: with vLLM's continuous usage stats, the count so far.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub completion_tokens: Option<u64>,
}

/// What one chunk carried.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamChunk {
    /// Visible output text (`delta.content`, or `text` for completions), from
    /// every choice.
    pub content: String,
    /// Reasoning text (`delta.reasoning_content` or `delta.reasoning`).
    pub reasoning: String,
    /// The chunk carried part of a tool call (`delta.tool_calls`), which is
    /// output too although it is not text for the user.
    pub tool_call: bool,
    /// `finish_reason` of the first choice that gave one.
    pub finish_reason: Option<String>,
    pub usage: Option<Usage>,
    /// The server's own message, when the chunk is an error object.
    pub error: Option<String>,
    /// llama.cpp's `timings` object.
    pub timings: Option<ServerTimings>,
    /// The testbed's send time ([`super::SERVER_SENT_AT_FIELD`]).
    pub server_sent_at: Option<f64>,
}

impl StreamChunk {
    /// Whether the chunk carried output tokens: text, reasoning or a tool
    /// call. A role-only or empty chunk does not.
    pub fn carries_output(&self) -> bool {
        !self.content.is_empty() || !self.reasoning.is_empty() || self.tool_call
    }

    /// Whether the output is reasoning only (no visible text, no tool call).
    pub fn is_reasoning_only(&self) -> bool {
        !self.reasoning.is_empty() && self.content.is_empty() && !self.tool_call
    }
}

/// Reads the data of one stream event.
pub fn parse_stream_chunk(data: &str) -> Result<StreamChunk, serde_json::Error> {
    let raw: RawChunk = serde_json::from_str(data)?;
    let mut chunk = StreamChunk {
        usage: raw.usage,
        timings: raw.timings,
        server_sent_at: raw.server_sent_at.as_ref().and_then(Scalar::number),
        ..StreamChunk::default()
    };
    for choice in raw.choices.unwrap_or_default() {
        if let Some(text) = choice.text {
            text.append_to(&mut chunk.content);
        }
        if let Some(delta) = choice.delta {
            if let Some(content) = delta.content {
                content.append_to(&mut chunk.content);
            }
            for reasoning in [delta.reasoning_content, delta.reasoning]
                .into_iter()
                .flatten()
            {
                reasoning.append_to(&mut chunk.reasoning);
            }
            chunk.tool_call |= delta
                .tool_calls
                .as_ref()
                .is_some_and(|calls| !is_empty_json(calls));
        }
        if chunk.finish_reason.is_none() {
            chunk.finish_reason = choice
                .finish_reason
                .as_ref()
                .and_then(Scalar::text)
                .filter(|reason| !reason.is_empty())
                .map(str::to_owned);
        }
    }
    chunk.error = match raw.error {
        Some(error) if !error.is_null() => Some(error_message(&error)),
        _ if raw.object.as_ref().and_then(Scalar::text) == Some("error") => Some(
            raw.message
                .as_ref()
                .and_then(Scalar::text)
                .unwrap_or("unknown error")
                .to_owned(),
        ),
        _ => None,
    };
    Ok(chunk)
}

#[derive(Deserialize)]
struct RawChunk<'a> {
    /// Read strictly (no detour through `Value`): it is most of the chunk.
    #[serde(default)]
    #[serde(borrow)]
    choices: Option<Vec<RawChoice<'a>>>,
    #[serde(default, deserialize_with = "lenient_object")]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<Value>,
    /// vLLM and SGLang (older) send errors as `{"object": "error", "message": ...}`.
    #[serde(default, borrow)]
    object: Option<Scalar<'a>>,
    #[serde(default, borrow)]
    message: Option<Scalar<'a>>,
    #[serde(default, deserialize_with = "lenient_object")]
    timings: Option<ServerTimings>,
    /// Must match [`super::SERVER_SENT_AT_FIELD`] (a test checks it).
    #[serde(default, rename = "etalon_server_sent_at", borrow)]
    server_sent_at: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
struct RawChoice<'a> {
    #[serde(default)]
    delta: Option<RawDelta>,
    #[serde(default)]
    text: Option<Text>,
    #[serde(default, borrow)]
    finish_reason: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
struct RawDelta {
    #[serde(default)]
    content: Option<Text>,
    #[serde(default)]
    reasoning_content: Option<Text>,
    #[serde(default)]
    reasoning: Option<Text>,
    #[serde(default)]
    tool_calls: Option<Value>,
}

fn is_empty_json(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.is_empty(),
        _ => false,
    }
}
