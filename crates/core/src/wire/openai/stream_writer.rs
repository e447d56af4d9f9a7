//! The bytes an OpenAI-compatible server streams for one completion: a
//! `data:` event per token (the last with its finish reason), a usage
//! chunk when the request asked for one, then `data: [DONE]`; and the
//! error body it answers instead when it refuses. The page's simulated
//! server writes its answers with it, and so does the testbed's.

use serde::Serialize;

use super::request::Api;
use super::SERVER_SENT_AT_FIELD;
use crate::wire::prompt::source_text;

/// What one streamed completion is.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub api: Api,
    /// Numbers the answer's id (`chatcmpl-sim-N`, `cmpl-sim-N`).
    pub number: u64,
    /// The `model` the request named, repeated in every chunk.
    pub model: String,
    /// Unix seconds when the request arrived.
    pub created: u64,
    pub prompt_tokens: u32,
    /// Tokens the answer holds; the last carries `finish_reason`.
    pub output_tokens: u32,
    /// `"length"` when the request's `max_tokens` ended it, else `"stop"`.
    pub finish_reason: &'static str,
    /// `stream_options.include_usage`: a usage chunk before `[DONE]`.
    pub include_usage: bool,
}

/// Writes one completion's stream, a token at a time.
#[derive(Debug, Clone)]
pub struct StreamWriter {
    completion: Completion,
    /// `{"id":...,"object":...,"created":...,"model":...,` of every chunk.
    head: Vec<u8>,
    written: u32,
    /// Where the next token's word starts in the shipped text.
    word_at: usize,
}

#[derive(Serialize)]
struct Head<'a> {
    id: &'a str,
    object: &'a str,
    created: u64,
    model: &'a str,
}

#[derive(Serialize)]
struct Usage {
    prompt_tokens: u64,
    completion_tokens: u64,
    total_tokens: u64,
}

impl StreamWriter {
    pub fn new(completion: Completion) -> StreamWriter {
        let (prefix, object) = match completion.api {
            Api::ChatCompletions => ("chatcmpl", "chat.completion.chunk"),
            Api::Completions => ("cmpl", "text_completion"),
        };
        let id = format!("{prefix}-sim-{}", completion.number);
        let mut head = serde_json::to_vec(&Head {
            id: &id,
            object,
            created: completion.created,
            model: &completion.model,
        })
        .expect("a chunk head serializes");
        // Leave the object open for the chunk's own fields.
        head.pop();
        head.push(b',');
        StreamWriter {
            completion,
            head,
            written: 0,
            word_at: 0,
        }
    }

    /// Tokens written so far.
    pub fn tokens_written(&self) -> u32 {
        self.written
    }

    /// Whether the whole answer has been written.
    pub fn finished(&self) -> bool {
        self.written >= self.completion.output_tokens
    }

    /// Appends the next token's event to `out`, with `sent_at` (the server's
    /// send time, seconds) when given; after the last token, the usage
    /// chunk (when asked for) and `[DONE]`. Nothing once finished.
    pub fn next_token(&mut self, sent_at: Option<f64>, out: &mut Vec<u8>) {
        if self.finished() {
            return;
        }
        self.written += 1;
        let last = self.finished();
        let text = self.next_word();
        let finish = if last {
            self.completion.finish_reason
        } else {
            ""
        };
        self.open_chunk(out);
        match self.completion.api {
            Api::ChatCompletions => {
                out.extend_from_slice(br#""choices":[{"index":0,"delta":{"content":"#);
                push_json(out, &text);
                out.extend_from_slice(b"}");
            }
            Api::Completions => {
                out.extend_from_slice(br#""choices":[{"index":0,"text":"#);
                push_json(out, &text);
            }
        }
        out.extend_from_slice(br#","logprobs":null,"finish_reason":"#);
        if finish.is_empty() {
            out.extend_from_slice(b"null");
        } else {
            push_json(out, finish);
        }
        out.extend_from_slice(b"}]");
        self.close_chunk(sent_at, out);
        if last {
            if self.completion.include_usage {
                self.open_chunk(out);
                out.extend_from_slice(br#""choices":[],"usage":"#);
                let (prompt, completion) = (
                    u64::from(self.completion.prompt_tokens),
                    u64::from(self.written),
                );
                let usage = Usage {
                    prompt_tokens: prompt,
                    completion_tokens: completion,
                    total_tokens: prompt + completion,
                };
                serde_json::to_writer(&mut *out, &usage).expect("usage serializes");
                self.close_chunk(sent_at, out);
            }
            out.extend_from_slice(b"data: [DONE]\n\n");
        }
    }

    fn open_chunk(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(&self.head);
    }

    fn close_chunk(&self, sent_at: Option<f64>, out: &mut Vec<u8>) {
        if let Some(at) = sent_at.filter(|at| at.is_finite()) {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(SERVER_SENT_AT_FIELD.as_bytes());
            out.extend_from_slice(format!("\":{at}").as_bytes());
        }
        out.extend_from_slice(b"}\n\n");
    }

    /// The next word of the shipped text, with a space before it except for
    /// the answer's first; the text wraps around at its end.
    fn next_word(&mut self) -> String {
        let text = source_text();
        if self.word_at >= text.len() {
            self.word_at = 0;
        }
        let end = text[self.word_at..]
            .find(' ')
            .map_or(text.len(), |space| self.word_at + space);
        let word = &text[self.word_at..end];
        self.word_at = end + 1;
        if self.written == 1 {
            word.to_owned()
        } else {
            format!(" {word}")
        }
    }
}

fn push_json(out: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(&mut *out, text).expect("a string serializes");
}

/// An OpenAI-style error body: `{"error": {"message", "type", "param", "code"}}`.
pub fn error_body(message: &str, kind: &str, code: Option<&str>) -> String {
    serde_json::json!({
        "error": {"message": message, "type": kind, "param": null, "code": code}
    })
    .to_string()
}
