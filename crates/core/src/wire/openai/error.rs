//! The message a server puts in an `error` value, shortened for a sentence
//! on screen. Used by stream chunks and by error bodies alike.

use serde_json::Value;

use crate::limits::MAX_MESSAGE_CHARS;

/// The message inside an `error` value: a string, or an object's `message`.
pub(crate) fn error_message(error: &Value) -> String {
    let text = match error {
        Value::String(text) => text.clone(),
        Value::Object(fields) => ["message", "msg", "error", "detail"]
            .iter()
            .find_map(|key| match fields.get(*key) {
                Some(Value::String(text)) => Some(text.clone()),
                Some(nested @ Value::Object(_)) => Some(error_message(nested)),
                _ => None,
            })
            .unwrap_or_else(|| error.to_string()),
        other => other.to_string(),
    };
    shorten(text.trim())
}

/// `text` cut to [`MAX_MESSAGE_CHARS`] characters.
pub(super) fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}
