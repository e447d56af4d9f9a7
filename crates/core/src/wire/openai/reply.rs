//! What a server answers outside a stream: an error body (to show the
//! server's own message), the `/v1/models` list, and a single JSON completion
//! sent by a server that ignored `stream: true`.
//!
//! Error shapes seen in the wild:
//! - OpenAI, vLLM (recent), llama.cpp, Ollama, OpenRouter, Anthropic:
//!   `{"error": {"message": "...", ...}}`
//! - TGI: `{"error": "...", "error_type": "..."}`
//! - vLLM and SGLang (older): `{"object": "error", "message": "...", ...}`
//! - FastAPI defaults (404, 422): `{"detail": "..."}` or
//!   `{"detail": [{"loc": [...], "msg": "..."}]}`
//! - proxies: an HTML page whose `<title>` says it, or plain text.

use serde_json::Value;

use super::chunk::Usage;
use super::error::{error_message, shorten};

/// The server's own message in a non-stream (error) body, if it gave one.
pub fn server_message_from_body(body: &str) -> Option<String> {
    let body = body.trim();
    if body.is_empty() {
        return None;
    }
    if let Ok(value) = serde_json::from_str::<Value>(body) {
        return message_in_json(&value);
    }
    if body.starts_with('<') {
        return html_title(body);
    }
    Some(shorten(body))
}

fn message_in_json(value: &Value) -> Option<String> {
    let fields = match value {
        Value::Object(fields) => fields,
        Value::String(text) => return Some(shorten(text)),
        _ => return None,
    };
    if let Some(error) = fields.get("error").filter(|e| !e.is_null()) {
        return Some(error_message(error));
    }
    if let Some(Value::String(message)) = fields.get("message") {
        return Some(shorten(message));
    }
    match fields.get("detail")? {
        Value::String(detail) => Some(shorten(detail)),
        Value::Array(problems) => {
            let parts: Vec<String> = problems
                .iter()
                .map(|problem| {
                    let text = problem
                        .get("msg")
                        .and_then(Value::as_str)
                        .unwrap_or("invalid");
                    match problem.get("loc").and_then(Value::as_array) {
                        Some(loc) => {
                            let path: Vec<String> = loc
                                .iter()
                                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                                .collect();
                            format!("{}: {text}", path.join("."))
                        }
                        None => text.to_owned(),
                    }
                })
                .collect();
            Some(shorten(&parts.join("; ")))
        }
        other => Some(error_message(other)),
    }
}

fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    for (open, close) in [("<title>", "</title>"), ("<h1>", "</h1>")] {
        if let Some(start) = lower.find(open) {
            let start = start + open.len();
            let end = lower[start..]
                .find(close)
                .map_or(lower.len(), |e| start + e);
            let text = html[start..end].trim();
            if !text.is_empty() {
                return Some(shorten(text));
            }
        }
    }
    None
}

/// One model the server offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelEntry {
    /// The name to put in a request's `model`.
    pub id: String,
    /// Longest context the server allows, when it says (vLLM
    /// `max_model_len`, OpenRouter `context_length`).
    pub context_length: Option<u64>,
    /// What the server says the model is (the testbed's
    /// `etalon_description`, OpenRouter's `description`), cut at
    /// [`MAX_MODEL_DESCRIPTION_CHARS`].
    pub description: Option<String>,
}

/// A model's description is cut after this many characters: a list of
/// models is a server's words, shown beside a field.
pub const MAX_MODEL_DESCRIPTION_CHARS: usize = 300;

/// Reads a model list: OpenAI's `{"data": [{"id": ...}]}`, Ollama's native
/// `{"models": [{"name": ...}]}`, llama.cpp's `models` beside `data`, a bare
/// array, or TGI's (older) single model object. Duplicates are dropped.
pub fn parse_models(body: &str) -> Option<Vec<ModelEntry>> {
    let value: Value = serde_json::from_str(body).ok()?;
    let listed: Vec<&Value> = match &value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(fields) => {
            let lists: Vec<&Value> = ["data", "models"]
                .iter()
                .filter_map(|key| fields.get(*key)?.as_array())
                .flatten()
                .collect();
            if lists.is_empty() && (fields.contains_key("id") || fields.contains_key("model_id")) {
                vec![&value]
            } else if lists.is_empty()
                && !fields.contains_key("data")
                && !fields.contains_key("models")
            {
                return None;
            } else {
                lists
            }
        }
        _ => return None,
    };
    let mut models: Vec<ModelEntry> = Vec::new();
    for item in listed {
        let id = match item {
            Value::String(id) => id.clone(),
            _ => match ["id", "model", "name", "model_id"]
                .iter()
                .find_map(|k| item.get(*k)?.as_str())
            {
                Some(id) => id.to_owned(),
                None => continue,
            },
        };
        let context_length = ["max_model_len", "context_length", "max_context_length"]
            .iter()
            .find_map(|k| item.get(*k)?.as_u64());
        let description = ["etalon_description", "description"]
            .iter()
            .find_map(|k| item.get(*k)?.as_str())
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(
                |d| match d.char_indices().nth(MAX_MODEL_DESCRIPTION_CHARS) {
                    Some((cut, _)) => format!("{}…", &d[..cut]),
                    None => d.to_string(),
                },
            );
        match models.iter_mut().find(|m| m.id == id) {
            Some(known) => {
                known.context_length = known.context_length.or(context_length);
                known.description = known.description.take().or(description);
            }
            None => models.push(ModelEntry {
                id,
                context_length,
                description,
            }),
        }
    }
    Some(models)
}

/// A whole completion sent as one JSON object instead of a stream.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SingleResponse {
    pub usage: Option<Usage>,
    pub finish_reason: Option<String>,
}

/// Reads a body as a single (non-stream) completion: a JSON object with
/// `choices`. None when it is anything else.
pub fn parse_single_response(body: &str) -> Option<SingleResponse> {
    let value: Value = serde_json::from_str(body.trim()).ok()?;
    let choices = value.get("choices")?.as_array()?;
    let finish_reason = choices
        .iter()
        .find_map(|c| c.get("finish_reason")?.as_str())
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let usage = value
        .get("usage")
        .and_then(|u| serde_json::from_value(u.clone()).ok());
    Some(SingleResponse {
        usage,
        finish_reason,
    })
}
