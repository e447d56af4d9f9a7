//! What a `sim://` endpoint makes of a request before it simulates it: the
//! preset its address names, the policy its model names, the lengths it
//! asks for; or the HTTP error a server would answer instead, with an
//! OpenAI-style error body.

use serde::Deserialize;
use serde_json::Value;

use super::presets::{preset, Preset, PRESETS};
use super::{Policy, Refusal};
use crate::limits::{MAX_OUTPUT_TOKENS, MAX_PROMPT_TOKENS};
use crate::wire::openai::stream_writer::error_body;
use crate::wire::openai::urls::{simulated_name, simulated_seed, ECHOED_CHARS};
use crate::wire::openai::{Api, Completion};
use crate::wire::prompt::DEFAULT_CHARS_PER_TOKEN;

/// The seed of a simulated server whose address gives none.
pub const DEFAULT_SEED: u64 = 1;

/// The tokens a simulated server writes when a request sets no `max_tokens`.
pub const DEFAULT_OUTPUT_TOKENS: u32 = 128;

/// A request a simulated server will serve.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedCall {
    pub preset: &'static Preset,
    pub policy: Policy,
    /// The seed of the server's jitter, from the address.
    pub seed: u64,
    /// What to stream back (its `number` is set when it arrives).
    pub completion: Completion,
}

/// An HTTP error a simulated server answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorAnswer {
    pub status: u16,
    /// An OpenAI-style error body.
    pub body: String,
}

impl ErrorAnswer {
    fn new(status: u16, message: &str, kind: &str, code: &str) -> ErrorAnswer {
        ErrorAnswer {
            status,
            body: error_body(message, kind, Some(code)),
        }
    }

    /// The answer to a request the simulator turned away.
    pub fn refused(refusal: &Refusal) -> ErrorAnswer {
        let (kind, code) = match refusal {
            Refusal::TooLong { .. } => ("invalid_request_error", "context_length_exceeded"),
            Refusal::QueueFull => ("server_error", "overloaded"),
        };
        ErrorAnswer::new(refusal.status(), &refusal.sentence(), kind, code)
    }
}

/// Reads a POST to the `sim://` URL `url` with the JSON `body`. `lengths`
/// are the prompt and output tokens the plan asked for, when it says;
/// otherwise the prompt counts a token per [`DEFAULT_CHARS_PER_TOKEN`]
/// characters and the output is `max_tokens` (or
/// [`DEFAULT_OUTPUT_TOKENS`]). `created` is the Unix time now, in seconds.
pub fn read_call(
    url: &str,
    body: &str,
    lengths: Option<(u32, u32)>,
    created: u64,
) -> Result<SimulatedCall, ErrorAnswer> {
    let name = simulated_name(url).unwrap_or("");
    let Some(preset) = preset(name) else {
        return Err(ErrorAnswer::new(
            404,
            &unknown_preset(name),
            "invalid_request_error",
            "not_found",
        ));
    };
    let path = url.split(['?', '#']).next().unwrap_or("");
    let api = if path.ends_with("/chat/completions") {
        Api::ChatCompletions
    } else if path.ends_with("/completions") {
        Api::Completions
    } else {
        return Err(ErrorAnswer::new(
            404,
            "A simulated server answers only POST /v1/chat/completions and POST /v1/completions.",
            "invalid_request_error",
            "not_found",
        ));
    };
    let asked: Asked = serde_json::from_str(body).map_err(|_| {
        ErrorAnswer::new(
            400,
            "The request body is not a JSON object.",
            "invalid_request_error",
            "invalid_body",
        )
    })?;
    let model = asked.model.as_str().unwrap_or("").trim();
    let Some(policy) = Policy::named(model) else {
        return Err(ErrorAnswer::new(
            404,
            &unknown_policy(model),
            "invalid_request_error",
            "model_not_found",
        ));
    };
    if asked.stream.as_bool() != Some(true) {
        return Err(ErrorAnswer::new(
            400,
            "A simulated server only streams: ask with \"stream\": true.",
            "invalid_request_error",
            "stream_required",
        ));
    }
    let max_tokens = asked
        .max_completion_tokens
        .as_u64()
        .or(asked.max_tokens.as_u64());
    if let Some(n) = max_tokens.filter(|&n| n > u64::from(MAX_OUTPUT_TOKENS)) {
        return Err(ErrorAnswer::new(
            400,
            &format!(
                "max_tokens is {n}; a simulated server writes at most {MAX_OUTPUT_TOKENS} tokens."
            ),
            "invalid_request_error",
            "invalid_max_tokens",
        ));
    }
    let (prompt_tokens, output_tokens) = match lengths {
        Some((prompt, output)) => (prompt.min(MAX_PROMPT_TOKENS), output.min(MAX_OUTPUT_TOKENS)),
        None => {
            let chars = prompt_chars(&asked.messages) + prompt_chars(&asked.prompt);
            let tokens = (chars as f64 / DEFAULT_CHARS_PER_TOKEN).ceil();
            (
                tokens.min(f64::from(MAX_PROMPT_TOKENS)) as u32,
                max_tokens.map_or(DEFAULT_OUTPUT_TOKENS, |n| n as u32),
            )
        }
    };
    Ok(SimulatedCall {
        preset,
        policy,
        seed: simulated_seed(url).unwrap_or(DEFAULT_SEED),
        completion: Completion {
            api,
            number: 0,
            model: model.to_owned(),
            created,
            prompt_tokens,
            output_tokens: output_tokens.max(1),
            finish_reason: if max_tokens.is_some() || lengths.is_some() {
                "length"
            } else {
                "stop"
            },
            include_usage: asked.stream_options["include_usage"].as_bool() == Some(true),
        },
    })
}

/// The parts of a request body a simulated server reads.
#[derive(Deserialize)]
struct Asked {
    #[serde(default)]
    model: Value,
    #[serde(default)]
    stream: Value,
    #[serde(default)]
    max_tokens: Value,
    #[serde(default)]
    max_completion_tokens: Value,
    #[serde(default)]
    messages: Value,
    #[serde(default)]
    prompt: Value,
    #[serde(default)]
    stream_options: Value,
}

/// Characters of text in `messages` (string or `[{"type":"text","text":...}]`
/// contents) or `prompt` (a string or strings).
fn prompt_chars(value: &Value) -> usize {
    match value {
        Value::String(text) => text.chars().count(),
        Value::Array(items) => items.iter().map(prompt_chars).sum(),
        Value::Object(fields) => ["content", "text"]
            .iter()
            .filter_map(|key| fields.get(*key))
            .map(prompt_chars)
            .sum(),
        _ => 0,
    }
}

/// Why a `sim://` address's name is no simulated server, and which are.
pub fn unknown_preset(name: &str) -> String {
    let known: Vec<String> = PRESETS
        .iter()
        .map(|p| format!("{} ({})", p.name, p.label))
        .collect();
    format!(
        "There is no simulated server called \"{}\": the simulated servers are {}.",
        shortened(name),
        known.join(", ")
    )
}

/// Why a model is not one a simulated server has, and which it has.
pub fn unknown_policy(model: &str) -> String {
    format!(
        "A simulated server has no model \"{}\": its models are the ways it can schedule \
         requests, {}.",
        shortened(model),
        Policy::NAMES.join(", ")
    )
}

fn shortened(text: &str) -> String {
    let mut short: String = text.chars().take(ECHOED_CHARS).collect();
    if text.chars().count() > ECHOED_CHARS {
        short.push('…');
    }
    short
}
