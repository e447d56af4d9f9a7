//! Failures told in sentences a non-engineer can act on: one function per
//! kind of [`ErrorKind`], each building the [`RequestError`] the record keeps.
//! The browser glue calls these; nothing here touches the network.
//!
//! CORS and an unreachable server look the same to `fetch` (a `TypeError`);
//! the worker probes once with `mode: "no-cors"` and passes what it saw to
//! [`fetch_failure`]. Server-specific CORS switches live in [`cors`].

pub mod cors;

use crate::recording::{ErrorKind, RequestError};

pub use cors::{cors_advice, ServerKind};

fn error(kind: ErrorKind, message: String) -> RequestError {
    RequestError {
        kind,
        message,
        status: None,
    }
}

fn with_server_message(mut message: String, server_message: Option<&str>) -> String {
    if let Some(said) = server_message.map(str::trim).filter(|s| !s.is_empty()) {
        message.push_str(&format!(" The server said: \"{said}\""));
    }
    message
}

/// The server answered with an HTTP error status; `server_message` is its
/// own explanation, from [`crate::wire::openai::server_message_from_body`].
pub fn http_status_error(status: u16, server_message: Option<&str>) -> RequestError {
    let sentence = match status {
        400 => "The server rejected the request (400 Bad Request): a wrong model name, an option it does not know, or a prompt too long for the model. Check the model name and the extra JSON.".to_owned(),
        401 => "The server refused the API key (401 Unauthorized): check the key, or enter one if the server needs it.".to_owned(),
        402 => "The server asks for payment (402 Payment Required): the account may have run out of credit.".to_owned(),
        403 => "The server refused access (403 Forbidden): the API key may not be allowed to use this model, or the server only accepts some addresses.".to_owned(),
        404 => "The server has no such endpoint or model (404 Not Found): check the URL and model name. Chat and completions are separate endpoints, and some servers offer only one.".to_owned(),
        405 => "The server does not take this request at this address (405 Method Not Allowed): check the URL; it should point at the API, which usually ends in /v1.".to_owned(),
        408 => "The server gave up waiting for the request (408 Request Timeout).".to_owned(),
        413 => "The request is too large for the server (413 Payload Too Large): use a shorter prompt.".to_owned(),
        422 => "The server could not use the request (422 Unprocessable Entity): an option has a wrong value, or the prompt is too long for the model.".to_owned(),
        429 => "The server is busy or a rate limit was reached (429 Too Many Requests): lower the concurrency or the request rate, or wait and try again.".to_owned(),
        500 => "The server failed while answering (500 Internal Server Error).".to_owned(),
        502 | 504 => format!("A gateway in front of the server got no good answer from it ({status}): the server may be down, restarting or overloaded."),
        503 => "The server is unavailable (503 Service Unavailable): it may be starting up, loading the model, or overloaded.".to_owned(),
        _ if status >= 500 => format!("The server failed while answering (HTTP {status})."),
        _ if status >= 400 => format!("The server refused the request (HTTP {status})."),
        _ => format!("The server answered with HTTP status {status} instead of a stream."),
    };
    RequestError {
        kind: ErrorKind::HttpStatus,
        message: with_server_message(sentence, server_message),
        status: Some(status),
    }
}

/// `fetch` failed without a response. `reachable_without_cors` is the
/// outcome of the worker's `no-cors` probe: an opaque answer means the server
/// is up and the browser withheld its answer from the page (CORS).
/// `page_origin` is the app's own origin (`location.origin`).
pub fn fetch_failure(
    url: &str,
    page_origin: Option<&str>,
    reachable_without_cors: bool,
) -> RequestError {
    if reachable_without_cors {
        return cors_error(url, page_origin, ServerKind::guess_from_url(url));
    }
    if is_mixed_content(url, page_origin) {
        return error(
            ErrorKind::Network,
            format!(
                "The browser blocked the request: this page was loaded over https, and browsers do not let it call the plain http address {}. Open the app over http, or serve the API over https.",
                origin_of(url)
            ),
        );
    }
    error(
        ErrorKind::Network,
        format!(
            "The server could not be reached at {}: check that it is running, that the address and port are right, and that this computer can reach it.",
            origin_of(url)
        ),
    )
}

/// The server answered, but does not allow this page to read its answers.
pub fn cors_error(url: &str, page_origin: Option<&str>, server: ServerKind) -> RequestError {
    error(
        ErrorKind::Cors,
        format!(
            "The server at {} is up, but the browser blocked its answer because the server does not allow this page (CORS). {}",
            origin_of(url),
            cors_advice(server, page_origin)
        ),
    )
}

/// Which wait ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutPhase {
    /// No response headers yet.
    WaitingForResponse,
    /// Headers came, but no output token.
    WaitingForFirstToken,
    /// Tokens were arriving when the limit was reached.
    Streaming { tokens_received: u64 },
}

/// The time limit of a request ran out.
pub fn timeout_error(limit_seconds: f64, phase: TimeoutPhase) -> RequestError {
    let limit = format_seconds(limit_seconds);
    let message = match phase {
        TimeoutPhase::WaitingForResponse => format!(
            "No answer from the server within {limit}: it may be overloaded, or still busy with earlier requests. Raise the time limit or lower the load."
        ),
        TimeoutPhase::WaitingForFirstToken => format!(
            "The server answered but sent no token within {limit}: it may be queueing the request or working on a long prompt. Raise the time limit or lower the load."
        ),
        TimeoutPhase::Streaming { tokens_received } => format!(
            "The request was still streaming after {limit} and was stopped; the {tokens_received} {} received until then are kept.",
            plural(tokens_received, "token", "tokens")
        ),
    };
    error(ErrorKind::Timeout, message)
}

/// The user stopped the request (or the run it belonged to).
pub fn aborted_error() -> RequestError {
    error(
        ErrorKind::Aborted,
        "Stopped before it finished: you stopped the run.".to_owned(),
    )
}

/// The server sent an error object inside the stream.
pub fn server_error_event(server_message: &str) -> RequestError {
    let message = format!(
        "The server reported an error in the middle of the stream: \"{}\"",
        server_message.trim()
    );
    error(ErrorKind::ServerError, message)
}

/// The server answered 200 with an error object instead of a stream.
pub fn server_error_reply(server_message: &str) -> RequestError {
    let message = format!(
        "The server answered with an error instead of a stream: \"{}\"",
        server_message.trim()
    );
    error(ErrorKind::ServerError, message)
}

/// The stream ended without `[DONE]` or a finish reason.
pub fn stream_ended_early(tokens_received: u64, ended_mid_event: bool) -> RequestError {
    let cut = if ended_mid_event {
        ", in the middle of an event"
    } else {
        ""
    };
    error(
        ErrorKind::MalformedStream,
        format!(
            "The stream ended before the server said it was done (no [DONE] and no finish reason){cut}: the connection may have been cut or the server may have crashed. The {tokens_received} {} received are kept in the recording (Export); the figures count only answers that finished or that you stopped.",
            plural(tokens_received, "token", "tokens")
        ),
    )
}

/// The connection broke while the answer was streaming (a read of the body
/// failed): the server or something between it and the browser cut it.
pub fn connection_lost(tokens_received: u64) -> RequestError {
    error(
        ErrorKind::Network,
        format!(
            "The connection was cut while the answer was streaming: the server, a proxy or the network dropped it. The {tokens_received} {} received are kept in the recording (Export); the figures count only answers that finished or that you stopped.",
            plural(tokens_received, "token", "tokens")
        ),
    )
}

/// The server sent a line or an event longer than
/// [`MAX_EVENT_BYTES`](crate::limits::MAX_EVENT_BYTES) without ending it:
/// the request ends there, rather than hold the stream in memory.
pub fn event_too_long(tokens_received: u64) -> RequestError {
    let kept = if tokens_received == 1 {
        "the 1 token received before it is kept".to_owned()
    } else {
        format!("the {tokens_received} tokens received before it are kept")
    };
    error(
        ErrorKind::MalformedStream,
        format!(
            "The server sent an event of more than {} without ending it; {kept}.",
            format_bytes(crate::limits::MAX_EVENT_BYTES)
        ),
    )
}

/// A stream that went on past the most tokens a request may hold.
pub fn too_many_tokens() -> RequestError {
    // The sentence spells the bound out with its thousands separated.
    const _: () = assert!(crate::limits::MAX_TOKENS_PER_REQUEST == 1_048_576);
    error(
        ErrorKind::MalformedStream,
        "The server sent more than 1,048,576 tokens for one request, more than a request can \
         ask for; the request was ended there and those tokens are kept."
            .to_owned(),
    )
}

/// What a non-stream 200 answer turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonStreamBody {
    /// A whole completion as one JSON object: `stream: true` was ignored.
    JsonCompletion,
    /// A web page: the address points at a web interface, not the API.
    WebPage,
    /// Anything else.
    Other,
}

/// A 200 answer that was not an event stream.
pub fn not_a_stream(body: NonStreamBody, content_type: Option<&str>) -> RequestError {
    // The server's header is quoted (its own double quotes made single,
    // its backslashes, which no content type has, made slashes, so that
    // none reads as an escape), and cut at 100 characters, so that
    // whatever it holds reads as one quotation inside the sentence.
    let content_type = content_type
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map_or("no content type".to_owned(), |c| {
            let cut: String = c
                .chars()
                .take(100)
                .map(|ch| match ch {
                    '"' => '\'',
                    '\\' => '/',
                    ch => ch,
                })
                .collect();
            let more = if cut.len() < c.len() { "..." } else { "" };
            format!("\"{cut}{more}\"")
        });
    let message = match body {
        NonStreamBody::JsonCompletion => "The server answered with a single JSON response instead of a stream: it ignored \"stream\": true, so the time of each token cannot be measured. Check that the extra JSON does not set stream to false, and that the server supports streaming.".to_owned(),
        NonStreamBody::WebPage => format!("The server answered with a web page ({content_type}) instead of a stream: the address probably points at a web interface rather than the API. Check the URL."),
        NonStreamBody::Other => format!("The server answered with {content_type} instead of an event stream (text/event-stream): check the URL, and that the server speaks the OpenAI API."),
    };
    error(ErrorKind::NotAStream, message)
}

fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// A size in bytes as people read it: "1 MiB", "256 KiB", "100 bytes".
fn format_bytes(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

fn format_seconds(seconds: f64) -> String {
    if seconds >= 1.0 && seconds.fract() == 0.0 {
        format!("{seconds:.0} s")
    } else {
        format!("{seconds} s")
    }
}

/// `scheme://host:port` of a URL (the whole text when it has no path),
/// without any `user:password@`: it is written into failure messages, which
/// recordings keep and links and exports carry.
pub(crate) fn origin_of(url: &str) -> String {
    let url = url.trim();
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let origin = match url[after_scheme..].find(['/', '?', '#']) {
        Some(end) => &url[..after_scheme + end],
        None => url,
    };
    match origin[after_scheme..].rfind('@') {
        Some(at) => format!(
            "{}{}",
            &origin[..after_scheme],
            &origin[after_scheme + at + 1..]
        ),
        None => origin.to_owned(),
    }
}

/// Host of a URL, lower-cased, without port or brackets.
pub(crate) fn host_of(url: &str) -> String {
    let origin = origin_of(url);
    let authority = origin
        .split_once("://")
        .map_or(origin.as_str(), |(_, rest)| rest);
    let host = if let Some(rest) = authority.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        authority.split(':').next().unwrap_or(authority)
    };
    host.to_ascii_lowercase()
}

/// Port of a URL, explicit or implied by its scheme.
pub(crate) fn port_of(url: &str) -> Option<u16> {
    let origin = origin_of(url);
    let authority = origin
        .split_once("://")
        .map_or(origin.as_str(), |(_, rest)| rest);
    let after_host = authority
        .rsplit_once(']')
        .map_or(authority, |(_, rest)| rest);
    match after_host.rsplit_once(':') {
        Some((_, port)) => port.parse().ok(),
        None if origin.starts_with("https://") => Some(443),
        None => Some(80),
    }
}

fn is_local_host(host: &str) -> bool {
    host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.") || host == "::1"
}

/// An https page calling a plain-http server that is not this machine.
fn is_mixed_content(url: &str, page_origin: Option<&str>) -> bool {
    let page_is_https = page_origin.is_some_and(|o| o.trim().starts_with("https://"));
    page_is_https && url.trim().starts_with("http://") && !is_local_host(&host_of(url))
}
