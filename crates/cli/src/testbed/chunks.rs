//! The JSON the testbed writes, in the shapes OpenAI-compatible servers use:
//! stream chunks as SSE events, whole completions, the model list, error bodies;
//! and the bytes of the hostile profiles (an endless event, a line of 10 MB,
//! a web page). Every chunk carries the server's send time in
//! [`SERVER_SENT_AT_FIELD`].

use super::model_name::PARAMETER_SCHEME;
use super::profiles::Profile;
use super::schedule::{Endpoint, Event, FinishReason};
use super::text::{token_text, Part};
use etalon_core::wire::openai::SERVER_SENT_AT_FIELD;
use serde_json::{json, Value};

/// Stands in a content string for bytes serde_json cannot write: replaced by
/// [`INVALID_UTF8`] after serialization.
const INVALID_UTF8_MARK: &str = "@@etalon-invalid-utf8@@";
/// A lone continuation byte and a byte that never occurs in UTF-8.
const INVALID_UTF8: &[u8] = &[0x80, 0xFF];
/// Stands for the send time until [`stamp`] writes it, so that the clock is
/// read after rendering, just before the write.
const SENT_AT_MARK: &str = "@@etalon-sent-at@@";

/// The completion tokens an overflowing counter claims: 2^32 - 1.
pub const OVERFLOWED_COUNT: u64 = u32::MAX as u64;

/// Bytes of each line of the endless event, its `data: ` and line end included.
pub const ENDLESS_LINE_BYTES: usize = 16 * 1024;

/// Bytes of the line that never ends: 10 MB.
pub const LONG_LINE_BYTES: usize = 10_000_000;

/// The long line is written in pieces of this many bytes.
pub const LONG_LINE_PIECE_BYTES: usize = 64 * 1024;

/// One line of the endless event: `data: `, text, and a line end, but never
/// the blank line that would dispatch the event.
pub fn endless_event_line() -> Vec<u8> {
    let mut line = b"data: ".to_vec();
    line.resize(ENDLESS_LINE_BYTES - 1, b'x');
    line.push(b'\n');
    line
}

/// The piece of the long line that starts `sent` bytes into it: it opens as
/// a chunk would, then text, and never a line end; empty once it is all out.
pub fn long_line_piece(sent: usize) -> Vec<u8> {
    let head = b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"";
    let len = LONG_LINE_PIECE_BYTES.min(LONG_LINE_BYTES.saturating_sub(sent));
    (sent..sent + len)
        .map(|at| head.get(at).copied().unwrap_or(b'x'))
        .collect()
}

/// The web page of the `html-page` profile: what an address that points at
/// a web interface, not its API, answers.
pub const WEB_PAGE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Chat</title></head>\n<body><h1>Welcome</h1><p>Sign in to start chatting.</p></body></html>\n";

/// Writes the send time, in seconds, into every chunk of a rendered frame.
pub fn stamp(frame: &[u8], sent_at: f64) -> Vec<u8> {
    let mark = format!("\"{SENT_AT_MARK}\"");
    replace_all(frame, mark.as_bytes(), format!("{sent_at}").as_bytes())
}

/// What every chunk of one response repeats.
#[derive(Clone, Debug)]
pub struct Response {
    pub endpoint: Endpoint,
    /// `chatcmpl-...` or `cmpl-...`.
    pub id: String,
    /// Unix seconds when the request arrived.
    pub created: u64,
    /// The `model` exactly as the request named it.
    pub model: String,
    pub prompt_tokens: u32,
    /// `stream_options.include_usage`: chunks carry `"usage": null`, the last one the usage.
    pub include_usage: bool,
    /// `stream_options.continuous_usage_stats` (vLLM): every chunk carries the usage so far.
    pub continuous_usage: bool,
}

impl Response {
    /// One SSE event, `data: ...\n\n`, after which the server says
    /// `tokens_so_far` output tokens have been sent; its send time is left
    /// for [`stamp`].
    pub fn sse_event(&self, event: &Event, tokens_so_far: u64) -> Vec<u8> {
        let json = match event {
            Event::Done => return b"data: [DONE]\n\n".to_vec(),
            Event::Garbage => {
                return format!("data: {{\"id\":\"{}\",\"object\":\"chat.compl\n\n", self.id)
                    .into_bytes()
            }
            Event::Error => json!({
                "error": {
                    "message": "The testbed's error-event profile failed this stream on purpose.",
                    "type": "server_error",
                    "param": null,
                    "code": null,
                },
                SERVER_SENT_AT_FIELD: SENT_AT_MARK,
            }),
            Event::Usage => {
                let mut chunk = self.chunk_head(json!([]));
                chunk["usage"] = self.usage(tokens_so_far);
                chunk
            }
            Event::Role => self.choice_chunk(
                tokens_so_far,
                json!({"role": "assistant", "content": ""}),
                None,
            ),
            Event::Finish(reason) => self.choice_chunk(tokens_so_far, json!({}), Some(*reason)),
            Event::Text {
                part,
                first,
                count,
                invalid_utf8,
                usage_overflow,
            } => {
                let mut text = tokens(*part, *first, *count);
                if *invalid_utf8 {
                    text.insert_str(
                        text.find(|c: char| c != ' ').unwrap_or(0),
                        INVALID_UTF8_MARK,
                    );
                }
                let delta = match part {
                    Part::Reasoning => json!({ "reasoning_content": text }),
                    Part::Answer => json!({ "content": text }),
                };
                let mut chunk = self.choice_chunk(tokens_so_far, delta, None);
                if *usage_overflow {
                    chunk["usage"] = self.usage(tokens_so_far);
                }
                chunk
            }
        };
        let mut bytes = b"data: ".to_vec();
        let json = serde_json::to_vec(&json).unwrap_or_default();
        bytes.extend(replace_all(
            &json,
            INVALID_UTF8_MARK.as_bytes(),
            INVALID_UTF8,
        ));
        bytes.extend(b"\n\n");
        bytes
    }

    /// A chunk with one choice: a chat `delta`, or for completions its `text`.
    fn choice_chunk(
        &self,
        tokens_so_far: u64,
        delta: Value,
        finish: Option<FinishReason>,
    ) -> Value {
        let finish_reason = json!(finish.map(finish_reason));
        let choice = match self.endpoint {
            Endpoint::Chat => {
                json!({"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason})
            }
            Endpoint::Completions => {
                let text = delta
                    .as_object()
                    .and_then(|d| d.values().find_map(Value::as_str))
                    .unwrap_or("");
                json!({"index": 0, "text": text, "logprobs": null, "finish_reason": finish_reason})
            }
        };
        let mut chunk = self.chunk_head(json!([choice]));
        if self.continuous_usage {
            chunk["usage"] = self.usage(tokens_so_far);
        } else if self.include_usage {
            chunk["usage"] = Value::Null;
        }
        chunk
    }

    fn chunk_head(&self, choices: Value) -> Value {
        let object = match self.endpoint {
            Endpoint::Chat => "chat.completion.chunk",
            Endpoint::Completions => "text_completion",
        };
        json!({
            "id": self.id,
            "object": object,
            "created": self.created,
            "model": self.model,
            "choices": choices,
            SERVER_SENT_AT_FIELD: SENT_AT_MARK,
        })
    }

    fn usage(&self, completion_tokens: u64) -> Value {
        json!({
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": u64::from(self.prompt_tokens) + completion_tokens,
        })
    }

    /// The whole completion answered to `stream: false`, its send time left for [`stamp`].
    pub fn whole(
        &self,
        reasoning_tokens: u32,
        answer_tokens: u32,
        finish: Option<FinishReason>,
    ) -> Vec<u8> {
        let finish = json!(finish.map(finish_reason));
        let reasoning = tokens(Part::Reasoning, 0, reasoning_tokens);
        let answer = tokens(Part::Answer, 0, answer_tokens);
        let choice = match self.endpoint {
            Endpoint::Chat => {
                let mut message = json!({"role": "assistant", "content": answer});
                if reasoning_tokens > 0 {
                    message["reasoning_content"] = json!(reasoning);
                }
                json!({"index": 0, "message": message, "logprobs": null, "finish_reason": finish})
            }
            Endpoint::Completions => {
                json!({"index": 0, "text": reasoning + &answer, "logprobs": null, "finish_reason": finish})
            }
        };
        let mut body = self.chunk_head(json!([choice]));
        body["object"] = json!(match self.endpoint {
            Endpoint::Chat => "chat.completion",
            Endpoint::Completions => "text_completion",
        });
        body["usage"] = self.usage(u64::from(reasoning_tokens + answer_tokens));
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

fn finish_reason(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Length => "length",
        FinishReason::Stop => "stop",
    }
}

/// The text of `count` tokens of a part from its token `first`.
fn tokens(part: Part, first: u32, count: u32) -> String {
    (first..first + count)
        .map(|index| token_text(part, index))
        .collect()
}

/// `text` with every `needle` replaced.
fn replace_all(text: &[u8], needle: &[u8], replacement: &[u8]) -> Vec<u8> {
    let mut result = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
        result.extend_from_slice(&rest[..at]);
        result.extend_from_slice(replacement);
        rest = &rest[at + needle.len()..];
    }
    result.extend_from_slice(rest);
    result
}

/// `GET /v1/models`: the profiles, each with what it does and its
/// defaults, then the simulated models (name, description).
pub fn model_list(profiles: &[Profile], simulated: &[(String, String)]) -> Value {
    let mut data: Vec<Value> = profiles
        .iter()
        .map(|profile| {
            json!({
                "id": profile.name,
                "object": "model",
                "created": 0,
                "owned_by": "etalon-testbed",
                "etalon_description": profile.long_description(),
                "etalon_parameters": profile.params.as_overrides(),
            })
        })
        .collect();
    data.extend(simulated.iter().map(|(name, description)| {
        json!({
            "id": name,
            "object": "model",
            "created": 0,
            "owned_by": "etalon-testbed",
            "etalon_description": description,
        })
    }));
    json!({"object": "list", "data": data, "etalon_parameter_scheme": PARAMETER_SCHEME})
}

/// An OpenAI-style error body: `{"error": {"message", "type", "param", "code"}}`.
pub fn error_body(message: &str, kind: &str, code: Option<&str>) -> Value {
    json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(endpoint: Endpoint) -> Response {
        Response {
            endpoint,
            id: "chatcmpl-1".into(),
            created: 1,
            model: "steady".into(),
            prompt_tokens: 5,
            include_usage: true,
            continuous_usage: false,
        }
    }

    fn parse(event: Vec<u8>) -> Value {
        let text = String::from_utf8(stamp(&event, 1.5)).unwrap();
        serde_json::from_str(text.strip_prefix("data: ").unwrap().trim_end()).unwrap()
    }

    fn text(first: u32, count: u32) -> Event {
        Event::Text {
            part: Part::Answer,
            first,
            count,
            invalid_utf8: false,
            usage_overflow: false,
        }
    }

    #[test]
    fn chat_chunks_have_the_openai_shape() {
        let chunk = parse(response(Endpoint::Chat).sse_event(&text(0, 2), 2));
        assert_eq!(chunk["object"], "chat.completion.chunk");
        assert_eq!(chunk["choices"][0]["delta"]["content"], "Alice was");
        assert_eq!(chunk["choices"][0]["finish_reason"], Value::Null);
        assert_eq!(chunk["usage"], Value::Null);
        assert_eq!(chunk[SERVER_SENT_AT_FIELD], 1.5);
    }

    #[test]
    fn whole_completion_is_stamped_json() {
        let body = response(Endpoint::Completions).whole(0, 3, None);
        let whole: Value = serde_json::from_slice(&stamp(&body, 2.25)).unwrap();
        assert_eq!(whole["object"], "text_completion");
        assert_eq!(whole["choices"][0]["text"], "Alice was beginning");
        assert_eq!(whole["choices"][0]["finish_reason"], Value::Null);
        assert_eq!(whole[SERVER_SENT_AT_FIELD], 2.25);
    }

    #[test]
    fn completion_chunks_carry_text() {
        let finish =
            parse(response(Endpoint::Completions).sse_event(&Event::Finish(FinishReason::Stop), 3));
        assert_eq!(finish["object"], "text_completion");
        assert_eq!(finish["choices"][0]["text"], "");
        assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    }

    #[test]
    fn usage_chunk_has_no_choices_and_counts() {
        let usage = parse(response(Endpoint::Chat).sse_event(&Event::Usage, 3));
        assert_eq!(usage["choices"], json!([]));
        assert_eq!(
            usage["usage"],
            json!({"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8})
        );
    }

    #[test]
    fn continuous_usage_is_on_every_chunk() {
        let vllm = Response {
            continuous_usage: true,
            ..response(Endpoint::Chat)
        };
        let chunk = parse(vllm.sse_event(&text(4, 4), 8));
        assert_eq!(chunk["usage"]["completion_tokens"], 8);
    }

    #[test]
    fn invalid_utf8_bytes_sit_inside_the_content_string() {
        let event = Event::Text {
            part: Part::Answer,
            first: 1,
            count: 1,
            invalid_utf8: true,
            usage_overflow: false,
        };
        let bytes = response(Endpoint::Chat).sse_event(&event, 2);
        assert!(String::from_utf8(bytes.clone()).is_err());
        let needle = [b"\"content\":\" ".as_slice(), INVALID_UTF8, b"was\""].concat();
        assert!(bytes.windows(needle.len()).any(|w| w == needle));
    }

    #[test]
    fn an_overflowing_chunk_claims_two_to_the_32_minus_one_tokens() {
        let event = Event::Text {
            part: Part::Answer,
            first: 3,
            count: 1,
            invalid_utf8: false,
            usage_overflow: true,
        };
        let chunk = parse(response(Endpoint::Chat).sse_event(&event, OVERFLOWED_COUNT));
        assert_eq!(chunk["usage"]["completion_tokens"], 4_294_967_295_u64);
        assert_eq!(chunk["usage"]["total_tokens"], 4_294_967_300_u64);
        let usage = parse(response(Endpoint::Chat).sse_event(&Event::Usage, OVERFLOWED_COUNT));
        assert_eq!(usage["usage"]["completion_tokens"], 4_294_967_295_u64);
    }

    #[test]
    fn the_endless_event_is_data_lines_that_never_dispatch() {
        let line = endless_event_line();
        assert_eq!(line.len(), ENDLESS_LINE_BYTES);
        assert!(line.starts_with(b"data: "));
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        assert_eq!(line.last(), Some(&b'\n'));
    }

    #[test]
    fn the_long_line_is_ten_megabytes_without_a_line_end() {
        let mut line = Vec::new();
        loop {
            let piece = long_line_piece(line.len());
            if piece.is_empty() {
                break;
            }
            assert!(piece.len() <= LONG_LINE_PIECE_BYTES);
            line.extend(piece);
        }
        assert_eq!(line.len(), 10_000_000);
        assert!(line.starts_with(b"data: {\"choices\""));
        assert!(!line.iter().any(|&b| b == b'\n' || b == b'\r'));
    }

    #[test]
    fn garbage_is_not_json_and_done_is_done() {
        let garbage = response(Endpoint::Chat).sse_event(&Event::Garbage, 0);
        let line = String::from_utf8(garbage).unwrap();
        assert!(
            serde_json::from_str::<Value>(line.strip_prefix("data: ").unwrap().trim()).is_err()
        );
        assert_eq!(
            response(Endpoint::Chat).sse_event(&Event::Done, 0),
            b"data: [DONE]\n\n"
        );
    }
}
