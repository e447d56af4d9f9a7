//! The JSON body of a streaming chat-completions or completions request.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Which endpoint a run talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Api {
    /// `/v1/chat/completions`: `messages` in, `choices[].delta` out.
    #[default]
    ChatCompletions,
    /// `/v1/completions`: `prompt` in, `choices[].text` out.
    Completions,
}

impl Api {
    /// The path under `/v1`.
    pub fn path(self) -> &'static str {
        match self {
            Api::ChatCompletions => "chat/completions",
            Api::Completions => "completions",
        }
    }
}

/// What every request of a run asks the server for, as the user set it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestSettings {
    pub api: Api,
    pub model: String,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub seed: Option<u64>,
    /// Ask for `usage` at the end of the stream (`stream_options.include_usage`).
    pub include_usage: bool,
    /// vLLM: `usage` on every chunk (`stream_options.continuous_usage_stats`),
    /// which tells how many tokens each chunk carried.
    pub continuous_usage_stats: bool,
    /// vLLM, SGLang, llama.cpp: keep generating past the end-of-sequence
    /// token, so every request produces `max_tokens`. Sent only when true.
    pub ignore_eos: bool,
    /// vLLM, SGLang: generate at least this many tokens. Sent only when set.
    pub min_tokens: Option<u32>,
    /// JSON the user added, merged in at the top level; the user's keys win,
    /// and a key set to `null` removes that key from the body.
    pub extra_body: Map<String, Value>,
}

impl Default for RequestSettings {
    fn default() -> Self {
        Self {
            api: Api::default(),
            model: String::new(),
            max_tokens: None,
            temperature: None,
            seed: None,
            include_usage: true,
            continuous_usage_stats: false,
            ignore_eos: false,
            min_tokens: None,
            extra_body: Map::new(),
        }
    }
}

/// One message of a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

impl ChatMessage {
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: "user".into(),
            content: content.into(),
        }
    }
}

/// What one request says to the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Prompt {
    /// Plain text: the `prompt` of a completion, or one user message of a chat.
    Text(String),
    /// A whole conversation. For the completions API the contents are joined
    /// with blank lines.
    Messages(Vec<ChatMessage>),
}

impl From<&str> for Prompt {
    fn from(text: &str) -> Self {
        Prompt::Text(text.to_owned())
    }
}

/// The body of one streaming request, as JSON.
pub fn request_body(settings: &RequestSettings, prompt: &Prompt) -> Value {
    let mut body = Map::new();
    body.insert("model".into(), json!(settings.model));
    match settings.api {
        Api::ChatCompletions => {
            let messages = match prompt {
                Prompt::Text(text) => vec![ChatMessage::user(text.as_str())],
                Prompt::Messages(messages) => messages.clone(),
            };
            body.insert("messages".into(), json!(messages));
        }
        Api::Completions => {
            let text = match prompt {
                Prompt::Text(text) => text.clone(),
                Prompt::Messages(messages) => messages
                    .iter()
                    .map(|m| m.content.as_str())
                    .collect::<Vec<_>>()
                    .join("\n\n"),
            };
            body.insert("prompt".into(), json!(text));
        }
    }
    if let Some(max_tokens) = settings.max_tokens {
        body.insert("max_tokens".into(), json!(max_tokens));
    }
    if let Some(temperature) = settings.temperature {
        body.insert("temperature".into(), json!(temperature));
    }
    if let Some(seed) = settings.seed {
        body.insert("seed".into(), json!(seed));
    }
    body.insert("stream".into(), json!(true));
    let mut stream_options = Map::new();
    if settings.include_usage {
        stream_options.insert("include_usage".into(), json!(true));
    }
    if settings.continuous_usage_stats {
        stream_options.insert("continuous_usage_stats".into(), json!(true));
    }
    if !stream_options.is_empty() {
        body.insert("stream_options".into(), Value::Object(stream_options));
    }
    if settings.ignore_eos {
        body.insert("ignore_eos".into(), json!(true));
    }
    if let Some(min_tokens) = settings.min_tokens {
        body.insert("min_tokens".into(), json!(min_tokens));
    }
    for (key, value) in &settings.extra_body {
        if value.is_null() {
            body.remove(key);
        } else {
            body.insert(key.clone(), value.clone());
        }
    }
    Value::Object(body)
}

/// The body of one streaming request, as the text `fetch` sends.
pub fn request_body_text(settings: &RequestSettings, prompt: &Prompt) -> String {
    request_body(settings, prompt).to_string()
}
