//! A request body written from a short spec, in the worker just before the
//! request is sent: a long run's prompts are then never all written on the
//! page, nor all held in memory.

use serde::{Deserialize, Serialize};

use super::openai::request::{request_body_text, Prompt, RequestSettings};
use super::prompt::{passage, target_chars};

/// What a request's body is written from: which request (its prompt's
/// first line names it), the prompt and output lengths asked for, and where
/// in the shipped text its passage starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodySpec {
    pub id: u64,
    /// Prompt length asked for, in the server's tokens.
    pub prompt_tokens: u32,
    /// Output length asked for (`max_tokens`).
    pub output_tokens: u32,
    /// Where in the shipped text its prompt starts.
    pub text_variant: u64,
}

/// How a run's request bodies are written: each prompt synthesised at
/// `chars_per_token` (see [`request_prompt`]), `max_tokens` set to the
/// output length asked; `min_tokens` too when the settings set one (the
/// user's way of saying the server supports it), and `ignore_eos` as the
/// settings say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyWriter {
    pub settings: RequestSettings,
    pub chars_per_token: f64,
}

impl BodyWriter {
    /// The JSON body of `request`.
    pub fn body(&self, request: &BodySpec) -> String {
        let mut settings = self.settings.clone();
        settings.max_tokens = Some(request.output_tokens);
        if settings.min_tokens.is_some() {
            settings.min_tokens = Some(request.output_tokens);
        }
        let prompt = Prompt::Text(request_prompt(request, self.chars_per_token));
        request_body_text(&settings, &prompt)
    }
}

/// The prompt of one planned request, `request.prompt_tokens` long at
/// `chars_per_token`: a first line that names the request (so no two
/// prompts share a prefix) and asks for at least `output_tokens` words,
/// then a passage of the shipped text. A prompt too short for the line is
/// the passage alone.
pub fn request_prompt(request: &BodySpec, chars_per_token: f64) -> String {
    let target = target_chars(request.prompt_tokens, chars_per_token);
    let instruction = format!(
        "Request {}. Continue this passage in the same style, writing at least {} words.\n\n",
        request.id, request.output_tokens
    );
    if target < instruction.len() * 2 {
        return passage(target, request.text_variant);
    }
    let passage = passage(target - instruction.len(), request.text_variant);
    instruction + &passage
}
