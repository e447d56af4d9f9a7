//! Formats that cross a wire: the SSE parser, the OpenAI-compatible
//! protocol (request bodies, stream chunks, replies, URLs), the prompt text
//! and the bodies the worker writes, and the messages between the page and
//! the measurement worker.

pub mod body;
pub mod messages;
pub mod openai;
pub mod prompt;
pub mod sse;
