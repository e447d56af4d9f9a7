//! The hostile profiles, byte by byte: a usage count of 2^32 - 1, an event
//! that never ends, a line of 10 MB, a web page.
use super::support::*;
use serde_json::Value;
use std::time::{Duration, Instant};

/// What came after the last complete event (`\n\n`).
fn after_last_event(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .windows(2)
        .rposition(|w| w == b"\n\n")
        .map_or(0, |at| at + 2);
    &bytes[end..]
}

#[tokio::test]
async fn usage_overflow_claims_two_to_the_32_minus_one_on_one_chunk_and_at_the_end() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("usage-overflow@after=3,rate=500", 8),
            PATIENCE,
        )
        .await;
    assert_eq!(answer.end, BodyEnd::Clean);
    assert!(answer.ends_with_done());
    let texts = answer.text_chunks();
    assert_eq!(texts.len(), 8);
    let claims: Vec<&Value> = texts.iter().map(|(_, c)| &c["usage"]).collect();
    assert!(claims[..3].iter().all(|u| u.is_null()), "{claims:?}");
    assert_eq!(claims[3]["completion_tokens"], 4_294_967_295_u64);
    let usage = answer
        .chunks()
        .into_iter()
        .map(|(_, c)| c)
        .find(|c| c["choices"] == serde_json::json!([]))
        .expect("a usage-only chunk");
    assert_eq!(usage["usage"]["completion_tokens"], 4_294_967_295_u64);
    assert_eq!(answer.finish_reasons(), ["length"]);
}

#[tokio::test]
async fn endless_event_sends_data_lines_and_never_the_blank_line() {
    let testbed = Testbed::start(&[]);
    let started = Instant::now();
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("endless-event@after=2,rate=500", 10),
            Duration::from_millis(1500),
        )
        .await;
    assert_eq!(
        answer.end,
        BodyEnd::GaveUp,
        "it went on until the client left"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(answer.text_chunks().len(), 2);
    let bytes = answer.bytes();
    let tail = after_last_event(&bytes);
    assert!(tail.len() > 1 << 20, "only {} bytes in 1.5 s", tail.len());
    for line in tail.split_inclusive(|&b| b == b'\n') {
        assert!(line.starts_with(b"data: "), "{:?}", &line[..20]);
    }
    assert!(!answer.ends_with_done());
    // The client left: the testbed closed the response.
    let mut open = Value::Null;
    for _ in 0..100 {
        open = testbed.get("/health").await.json()["open_responses"].clone();
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(open, 0, "the endless response is still played");
}

#[tokio::test]
async fn long_line_sends_ten_megabytes_without_a_line_end_then_ends() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("long-line@after=2,rate=500", 10),
            Duration::from_secs(20),
        )
        .await;
    assert_eq!(answer.end, BodyEnd::Clean);
    assert_eq!(answer.text_chunks().len(), 2);
    let bytes = answer.bytes();
    let tail = after_last_event(&bytes);
    assert_eq!(tail.len(), 10_000_000);
    assert!(tail.starts_with(b"data: {\"choices\""));
    assert!(!tail.iter().any(|&b| b == b'\n' || b == b'\r'));
}

#[tokio::test]
async fn html_page_answers_200_with_a_web_page() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post("/v1/chat/completions", &chat("html-page", 10), PATIENCE)
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let page = String::from_utf8(answer.bytes()).unwrap();
    assert!(page.starts_with("<!doctype html>"), "{page}");
    assert!(page.contains("</html>"));
}
