//! The OpenAI-compatible protocol, as vLLM, SGLang, llama.cpp, TGI, Ollama
//! and hosted APIs speak it: where to send a request ([`urls`]), what to send
//! ([`request`]), what comes back in a stream ([`chunk`]), and what comes back
//! outside one: error bodies and the model list ([`reply`]); and what a
//! server streams, as the simulated servers write it ([`stream_writer`]).

pub mod chunk;
mod error;
mod lenient;
pub mod reply;
pub mod request;
pub mod stream_writer;
pub mod urls;

pub use chunk::{parse_stream_chunk, StreamChunk, Usage};
pub use reply::{parse_models, server_message_from_body, ModelEntry, MAX_MODEL_DESCRIPTION_CHARS};
pub use request::{request_body, Api, ChatMessage, Prompt, RequestSettings};
pub use stream_writer::{Completion, StreamWriter};
pub use urls::{EndpointUrls, UrlProblem};

/// Extra field the testbed puts in every stream chunk: the server's send time
/// in seconds (its own monotonic clock), so a test can compare the gaps the
/// browser saw with the gaps the server made.
pub const SERVER_SENT_AT_FIELD: &str = "etalon_server_sent_at";
