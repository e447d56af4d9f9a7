//! Formats that cross a wire: the SSE parser, the OpenAI-compatible
//! protocol (request bodies, stream chunks, replies, URLs), and the
//! messages between the page and the measurement worker.

pub mod messages;
pub mod openai;
pub mod sse;
