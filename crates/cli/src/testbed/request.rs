//! What the testbed reads from a request body: the model (profile), whether
//! to stream, usage options, the output length and a rough prompt length.
//! Prompt tokens are counted as whitespace-separated words (token-id arrays
//! count one per id).

use super::text::count_prompt_tokens;
use serde_json::Value;

/// The most tokens one request may ask for.
pub const MAX_OUTPUT_TOKENS: u64 = 100_000;

/// The parts of a chat or completions request the testbed acts on.
#[derive(Clone, Debug, PartialEq)]
pub struct CompletionRequest {
    pub model: String,
    pub stream: bool,
    pub include_usage: bool,
    pub continuous_usage: bool,
    /// `max_completion_tokens`, else `max_tokens`.
    pub max_tokens: Option<u32>,
    pub prompt_tokens: u32,
    pub seed: Option<u64>,
}

/// Reads a request body; the error is a sentence for a 400 answer.
pub fn parse(body: &[u8]) -> Result<CompletionRequest, String> {
    let json: Value =
        serde_json::from_slice(body).map_err(|e| format!("The request body is not JSON: {e}."))?;
    let model = json["model"]
        .as_str()
        .ok_or("The request has no `model`: name a testbed profile (see GET /v1/models).")?
        .to_string();
    let max_tokens = match json["max_completion_tokens"]
        .as_u64()
        .or(json["max_tokens"].as_u64())
    {
        Some(n) if n > MAX_OUTPUT_TOKENS => {
            return Err(format!(
                "max_tokens is {n}; this testbed sends at most {MAX_OUTPUT_TOKENS}."
            ))
        }
        other => other.map(|n| n as u32),
    };
    let options = &json["stream_options"];
    Ok(CompletionRequest {
        model,
        stream: json["stream"].as_bool().unwrap_or(false),
        include_usage: options["include_usage"].as_bool().unwrap_or(false),
        continuous_usage: options["continuous_usage_stats"].as_bool().unwrap_or(false),
        max_tokens,
        prompt_tokens: prompt_tokens(&json["messages"]) + prompt_tokens(&json["prompt"]),
        seed: json["seed"].as_u64(),
    })
}

/// Words in `messages` (string or `[{"type":"text","text":...}]` contents) or
/// `prompt` (string, strings, token ids, lists of token ids).
fn prompt_tokens(value: &Value) -> u32 {
    match value {
        Value::String(text) => count_prompt_tokens(text),
        Value::Number(_) => 1,
        Value::Array(items) => items.iter().map(prompt_tokens).sum(),
        Value::Object(fields) => ["content", "text"]
            .iter()
            .filter_map(|key| fields.get(*key))
            .map(prompt_tokens)
            .sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_request_is_read() {
        let body = br#"{"model":"steady@100","stream":true,"max_tokens":7,"seed":3,
            "stream_options":{"include_usage":true},
            "messages":[{"role":"system","content":"Be brief."},
                        {"role":"user","content":[{"type":"text","text":"Tell me a story"}]}]}"#;
        let request = parse(body).unwrap();
        assert_eq!(request.model, "steady@100");
        assert!(request.stream && request.include_usage && !request.continuous_usage);
        assert_eq!(
            (request.max_tokens, request.prompt_tokens, request.seed),
            (Some(7), 6, Some(3))
        );
    }

    #[test]
    fn completions_prompt_counts_words_or_ids() {
        let words = parse(br#"{"model":"steady","prompt":["one two","three"]}"#).unwrap();
        assert_eq!(words.prompt_tokens, 3);
        let ids = parse(br#"{"model":"steady","prompt":[1,2,3,4]}"#).unwrap();
        assert_eq!(ids.prompt_tokens, 4);
    }

    #[test]
    fn max_completion_tokens_wins_and_stream_defaults_off() {
        let request =
            parse(br#"{"model":"steady","max_tokens":9,"max_completion_tokens":4}"#).unwrap();
        assert_eq!(request.max_tokens, Some(4));
        assert!(!request.stream);
    }

    #[test]
    fn bad_bodies_are_explained() {
        assert!(parse(b"not json").unwrap_err().contains("not JSON"));
        assert!(parse(br#"{"messages":[]}"#).unwrap_err().contains("model"));
        assert!(parse(br#"{"model":"steady","max_tokens":1000000}"#)
            .unwrap_err()
            .contains("at most"));
    }
}
