//! The faults: status errors, broken, malformed and endless streams.
use super::support::*;
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn rate_limited_and_server_error_answer_json_errors() {
    let testbed = Testbed::start(&[]);
    let limited = testbed
        .post(
            "/v1/chat/completions",
            &chat("rate-limited@retry_after=2", 5),
            PATIENCE,
        )
        .await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after").as_deref(), Some("2"));
    assert_eq!(limited.json()["error"]["code"], "rate_limit_exceeded");
    let failed = testbed
        .post("/v1/completions", &chat("server-error", 5), PATIENCE)
        .await;
    assert_eq!(failed.status, 500);
    assert_eq!(failed.json()["error"]["type"], "server_error");
}

#[tokio::test]
async fn drop_mid_stream_breaks_the_connection() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("drop-mid-stream@after=5,rate=500", 20),
            PATIENCE,
        )
        .await;
    assert!(matches!(answer.end, BodyEnd::Broken(_)), "{:?}", answer.end);
    assert_eq!(answer.text_chunks().len(), 5);
    assert!(!answer.ends_with_done());
}

#[tokio::test]
async fn garbage_is_one_line_that_is_not_json_and_the_stream_goes_on() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("garbage@after=3,rate=500", 8),
            PATIENCE,
        )
        .await;
    let events = answer.events();
    let not_json: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, (_, data))| {
            data != b"[DONE]" && serde_json::from_slice::<Value>(data).is_err()
        })
        .map(|(index, _)| index)
        .collect();
    // role, three tokens, then the garbage
    assert_eq!(not_json, [4]);
    assert_eq!(answer.text_chunks().len(), 8);
    assert!(answer.ends_with_done());
}

#[tokio::test]
async fn invalid_utf8_sits_inside_a_content_string() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("invalid-utf8@after=2,rate=500", 6),
            PATIENCE,
        )
        .await;
    let bad: Vec<Vec<u8>> = answer
        .events()
        .into_iter()
        .map(|(_, d)| d)
        .filter(|d| std::str::from_utf8(d).is_err())
        .collect();
    assert_eq!(bad.len(), 1);
    let needle = b"\"content\":\" \x80\xffbeginning\"";
    assert!(
        bad[0].windows(needle.len()).any(|w| w == needle),
        "{}",
        String::from_utf8_lossy(&bad[0])
    );
    assert_eq!(answer.text_chunks().len(), 5);
    assert!(answer.ends_with_done());
}

#[tokio::test]
async fn error_event_comes_mid_stream_then_done() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("error-event@after=4,rate=500", 10),
            PATIENCE,
        )
        .await;
    let chunks = answer.chunks();
    assert_eq!(answer.text_chunks().len(), 4);
    let error = &chunks.last().unwrap().1;
    assert!(error["error"]["message"].is_string(), "{error}");
    assert!(error[SENT_AT].is_f64());
    assert!(answer.finish_reasons().is_empty());
    assert!(answer.ends_with_done());
}

#[tokio::test]
async fn never_ends_goes_silent_with_the_connection_open() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("never-ends@after=3,rate=500", 10),
            Duration::from_millis(400),
        )
        .await;
    assert_eq!(answer.end, BodyEnd::GaveUp);
    assert_eq!(answer.text_chunks().len(), 3);
    assert!(!answer.ends_with_done());
}

#[tokio::test]
async fn no_finish_ends_cleanly_without_finish_reason_nor_done() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("no-finish@after=4,rate=500", 10),
            PATIENCE,
        )
        .await;
    assert_eq!(answer.end, BodyEnd::Clean);
    assert_eq!(answer.text_chunks().len(), 4);
    assert!(answer.finish_reasons().is_empty());
    assert!(!answer.ends_with_done());
}
