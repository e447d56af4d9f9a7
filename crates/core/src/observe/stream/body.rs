//! A response body that is not (or not yet known to be) an event stream:
//! what it looks like from its first bytes, and the copy kept to judge it.

use crate::observe::failure::NonStreamBody;

use crate::limits::MAX_KEPT_BYTES;

/// What the first meaningful byte of a body says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyKind {
    EventStream,
    Json,
    WebPage,
}

/// Looks at the first byte that is not white space or a byte order mark;
/// None while there is none. Anything but JSON or a web page is taken for
/// an event stream, whatever the content type said.
pub(super) fn sniff(bytes: &[u8]) -> Option<BodyKind> {
    let first = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF])
        .unwrap_or(bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace())?;
    Some(match first {
        b'{' | b'[' => BodyKind::Json,
        b'<' => BodyKind::WebPage,
        _ => BodyKind::EventStream,
    })
}

/// What a whole non-stream body was, for the error sentence.
pub(super) fn classify(bytes: &[u8]) -> NonStreamBody {
    match sniff(bytes) {
        Some(BodyKind::WebPage) => NonStreamBody::WebPage,
        _ => NonStreamBody::Other,
    }
}

/// A JSON object with an `error` (or `"object": "error"`): a server that
/// answered 200 with an error instead of a stream.
pub(super) fn is_json_error(text: &str) -> bool {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(text.trim()) else {
        return false;
    };
    fields.get("error").is_some_and(|e| !e.is_null())
        || fields.get("object").and_then(|o| o.as_str()) == Some("error")
}

/// The first bytes of a body read whole.
#[derive(Debug, Default)]
pub(super) struct WholeBody {
    bytes: Vec<u8>,
}

impl WholeBody {
    pub(super) fn push(&mut self, bytes: &[u8]) {
        let room = MAX_KEPT_BYTES.saturating_sub(self.bytes.len());
        self.bytes
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// As much is kept as ever will be.
    pub(super) fn is_full(&self) -> bool {
        self.bytes.len() >= MAX_KEPT_BYTES
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}
