//! Every failure the recorder sees becomes a record with a kind and a
//! sentence, and the tokens measured before it are kept.

use etalon_core::observe::failure::{self, TimeoutPhase};
use etalon_core::observe::stream::StreamRecorder;
use etalon_core::recording::{ErrorKind, RequestRecord, TokenSource};

const TOKEN: &str = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n";

fn stream(reads: &[&[u8]]) -> RequestRecord {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
    recorder.on_headers(0.1, 200, Some("text/event-stream"));
    for (i, read) in reads.iter().enumerate() {
        recorder.on_read(0.2 + i as f64, read);
    }
    recorder.on_end(9.0);
    recorder.finish()
}

fn answer(status: u16, content_type: Option<&str>, body: &str) -> RequestRecord {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
    recorder.on_headers(0.1, status, content_type);
    // Error bodies arrive in pieces too.
    for piece in body.as_bytes().chunks(7) {
        recorder.on_read(0.2, piece);
    }
    recorder.on_end(0.3);
    recorder.finish()
}

fn kind(record: &RequestRecord) -> ErrorKind {
    record.error.as_ref().expect("an error").kind
}

fn message(record: &RequestRecord) -> &str {
    &record.error.as_ref().expect("an error").message
}

#[test]
fn a_malformed_chunk_is_counted_and_the_stream_goes_on() {
    let record = stream(&[
        TOKEN.as_bytes(),
        b"data: {\"choices\":[{\"del\n\n",
        b"data: not json\n\n",
        TOKEN.as_bytes(),
        b"data: [DONE]\n\n",
    ]);
    assert_eq!(record.malformed_chunks, 2);
    assert_eq!(record.chunks.len(), 2);
    assert!(record.completed(), "{:?}", record.error);
}

#[test]
fn an_event_of_another_type_is_not_malformed() {
    let record = stream(&[
        b"event: ping\ndata: hi\n\n",
        TOKEN.as_bytes(),
        b"data: [DONE]\n\n",
    ]);
    assert_eq!(record.malformed_chunks, 0);
    assert!(record.completed());
}

#[test]
fn an_error_object_mid_stream_is_a_server_error_and_keeps_the_tokens() {
    let record = stream(&[
        TOKEN.as_bytes(),
        TOKEN.as_bytes(),
        b"data: {\"error\":{\"message\":\"CUDA out of memory\",\"type\":\"InternalServerError\",\"code\":500}}\n\n",
        b"data: [DONE]\n\n",
    ]);
    assert_eq!(kind(&record), ErrorKind::ServerError);
    assert!(
        message(&record).contains("\"CUDA out of memory\""),
        "{}",
        message(&record)
    );
    assert_eq!(record.chunks.len(), 2);
}

#[test]
fn each_servers_mid_stream_error_is_recognised() {
    let cases: [(&[u8], &str); 5] = [
        // TGI
        (b"data: {\"error\":\"Request failed during generation: overloaded\",\"error_type\":\"generation\"}\n\n", "overloaded"),
        // llama.cpp (older): an `error:` line
        (b"error: {\"code\":500,\"message\":\"context shift disabled\",\"type\":\"server_error\"}\n\n", "context shift disabled"),
        // Ollama: bare JSON without `data:`
        (b"{\"error\":{\"message\":\"model runner has unexpectedly stopped\",\"type\":\"api_error\"}}\n", "unexpectedly stopped"),
        // An `event: error` with JSON or text
        (b"event: error\ndata: {\"type\":\"error\",\"error\":{\"message\":\"Overloaded\"}}\n\n", "Overloaded"),
        (b"event: error\ndata: engine died\n\n", "engine died"),
    ];
    for (read, words) in cases {
        let record = stream(&[TOKEN.as_bytes(), read]);
        assert_eq!(
            kind(&record),
            ErrorKind::ServerError,
            "{}",
            String::from_utf8_lossy(read)
        );
        assert!(message(&record).contains(words), "{}", message(&record));
        assert_eq!(record.chunks.len(), 1);
    }
}

#[test]
fn a_stream_that_ends_without_done_or_finish_reason_is_malformed_but_keeps_its_tokens() {
    let record = stream(&[TOKEN.as_bytes(), TOKEN.as_bytes()]);
    assert_eq!(kind(&record), ErrorKind::MalformedStream);
    assert!(message(&record).starts_with("The stream ended before the server said it was done"));
    assert!(message(&record).contains("2 tokens"));
    assert!(!message(&record).contains("middle"));
    assert_eq!(record.chunks.len(), 2);
    assert_eq!(record.ended_at, Some(9.0));
}

#[test]
fn a_stream_cut_mid_event_says_so() {
    let record = stream(&[
        TOKEN.as_bytes(),
        b"data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n",
    ]);
    assert_eq!(kind(&record), ErrorKind::MalformedStream);
    assert!(
        message(&record).contains("in the middle of an event"),
        "{}",
        message(&record)
    );
    assert_eq!(record.chunks.len(), 1);
}

#[test]
fn an_empty_stream_is_malformed() {
    let record = stream(&[]);
    assert_eq!(kind(&record), ErrorKind::MalformedStream);
    assert!(message(&record).contains("0 tokens"));
}

#[test]
fn an_http_error_quotes_the_servers_message() {
    let record = answer(
        401,
        Some("application/json"),
        r#"{"error":{"message":"Incorrect API key provided: sk-...abc.","type":"invalid_request_error"}}"#,
    );
    assert_eq!(kind(&record), ErrorKind::HttpStatus);
    let error = record.error.as_ref().unwrap();
    assert_eq!(error.status, Some(401));
    assert!(
        error.message.starts_with("The server refused the API key"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("Incorrect API key provided"),
        "{}",
        error.message
    );
    assert!(record.chunks.is_empty());
}

#[test]
fn an_http_error_with_a_web_page_or_no_body_still_says_the_status() {
    let gateway = answer(
        502,
        Some("text/html"),
        "<html><head><title>502 Bad Gateway</title></head></html>",
    );
    assert!(
        message(&gateway).contains("The server said: \"502 Bad Gateway\""),
        "{}",
        message(&gateway)
    );
    let empty = answer(429, None, "");
    assert_eq!(empty.error.as_ref().unwrap().status, Some(429));
    assert!(!message(&empty).contains("said"));
}

#[test]
fn an_http_error_is_recorded_even_when_the_body_is_not_read() {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
    recorder.on_headers(0.1, 404, Some("application/json"));
    recorder.on_end(0.1);
    let record = recorder.finish();
    assert_eq!(record.error.unwrap().status, Some(404));
}

#[test]
fn a_single_json_completion_is_not_a_stream_and_keeps_the_usage() {
    let body = r#"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2}}"#;
    let record = answer(200, Some("application/json"), body);
    assert_eq!(kind(&record), ErrorKind::NotAStream);
    assert!(message(&record)
        .starts_with("The server answered with a single JSON response instead of a stream"));
    assert_eq!(record.output_tokens.unwrap().count, 2);
    assert_eq!(record.output_tokens.unwrap().source, TokenSource::Server);
    assert_eq!(record.finish_reason.as_deref(), Some("stop"));
    assert!(record.chunks.is_empty());
}

#[test]
fn a_web_page_is_not_a_stream() {
    let record = answer(
        200,
        Some("text/html; charset=utf-8"),
        "<!doctype html><html><title>Open WebUI</title></html>",
    );
    assert_eq!(kind(&record), ErrorKind::NotAStream);
    assert!(
        message(&record).contains("web page"),
        "{}",
        message(&record)
    );
}

#[test]
fn a_200_with_an_error_object_is_a_server_error() {
    let record = answer(
        200,
        Some("application/json"),
        r#"{"error":{"message":"model is loading"}}"#,
    );
    assert_eq!(kind(&record), ErrorKind::ServerError);
    assert!(message(&record).contains("model is loading"));
}

#[test]
fn ollamas_native_ndjson_is_not_a_stream_of_events() {
    let body = "{\"model\":\"llama3\",\"message\":{\"content\":\"Hi\"},\"done\":false}\n{\"model\":\"llama3\",\"done\":true}\n";
    let record = answer(200, Some("application/x-ndjson"), body);
    assert_eq!(kind(&record), ErrorKind::NotAStream);
    assert!(
        message(&record).contains("\"application/x-ndjson\" instead of an event stream"),
        "{}",
        message(&record)
    );
}

#[test]
fn an_event_stream_with_the_wrong_content_type_is_still_measured() {
    let body = format!("{TOKEN}{TOKEN}data: [DONE]\n\n");
    let record = answer(200, Some("text/plain"), &body);
    assert!(record.completed(), "{:?}", record.error);
    assert_eq!(record.chunks.len(), 2);
}

#[test]
fn an_empty_200_without_content_type_is_not_a_stream() {
    let record = answer(200, None, "");
    assert_eq!(kind(&record), ErrorKind::NotAStream);
    assert!(message(&record).contains("no content type"));
}

#[test]
fn failures_from_the_worker_keep_the_tokens_and_the_first_error() {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
    assert_eq!(recorder.timeout_phase(), TimeoutPhase::WaitingForResponse);
    recorder.on_headers(0.1, 200, Some("text/event-stream"));
    assert_eq!(recorder.timeout_phase(), TimeoutPhase::WaitingForFirstToken);
    recorder.on_read(0.2, TOKEN.as_bytes());
    recorder.on_read(0.3, TOKEN.as_bytes());
    let phase = recorder.timeout_phase();
    assert_eq!(phase, TimeoutPhase::Streaming { tokens_received: 2 });
    recorder.on_failure(5.0, failure::timeout_error(5.0, phase));
    recorder.on_failure(5.1, failure::aborted_error());
    recorder.on_end(5.2);
    let record = recorder.finish();
    assert_eq!(kind(&record), ErrorKind::Timeout);
    assert_eq!(record.ended_at, Some(5.0));
    assert_eq!(record.chunks.len(), 2);
}

#[test]
fn a_fetch_that_never_answered_has_no_headers() {
    let mut recorder = StreamRecorder::new(3, 0.0, 0.5);
    recorder.on_failure(
        0.01,
        failure::fetch_failure("http://localhost:9/v1/chat/completions", None, false),
    );
    let record = recorder.finish();
    assert_eq!(kind(&record), ErrorKind::Network);
    assert_eq!(record.headers_at, None);
    assert_eq!(record.bursts, None);
}

#[test]
fn garbage_and_invalid_utf8_do_not_stop_the_measurement() {
    let record = stream(&[
        TOKEN.as_bytes(),
        b"\x00\xff\xfe garbage without colon\n\n",
        b"data: {\"choices\":[{\"delta\":{\"content\":\"\xe2\x82\"}}]}\n\n",
        b"data: [DONE]\n\n",
    ]);
    assert!(record.completed(), "{:?}", record.error);
    assert_eq!(
        record.chunks.len(),
        2,
        "the invalid bytes decode to U+FFFD, which is text"
    );
}
