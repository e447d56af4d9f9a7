//! Hostile servers (issue 19): what a server claims or sends never sizes
//! the memory beyond what it really sent. A token count of 2^32 puts a few
//! hundred tokens on the timeline, not 2^32; a line or an event beyond
//! `MAX_EVENT_BYTES` ends the request in one sentence with its tokens kept;
//! a body that is not a stream is judged once `MAX_KEPT_BYTES` of it are in.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::limits::{MAX_EVENT_BYTES, MAX_KEPT_BYTES, MAX_TOKENS_PER_CHUNK};
use etalon_core::metrics::{recording_metrics, DeadlineConfig};
use etalon_core::observe::stream::StreamRecorder;
use etalon_core::present::report::{run_warnings, WarningKind};
use etalon_core::recording::{
    ErrorKind, Recording, RequestRecord, TokenCount, TokenSource, RECORDING_VERSION,
};
use etalon_core::wire::sse::SseParser;

const TOKEN: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n";
const STOP: &str =
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
const DONE: &str = "data: [DONE]\n\n";

/// A content chunk that says `completion_tokens` were generated so far.
fn claiming(text: &str, completion_tokens: u64) -> String {
    format!(
        "data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{text}\"}}}}],\"usage\":{{\"prompt_tokens\":4,\"completion_tokens\":{completion_tokens}}}}}\n\n"
    )
}

/// A usage-only chunk (empty `choices`).
fn usage_only(completion_tokens: u64) -> String {
    format!("data: {{\"choices\":[],\"usage\":{{\"prompt_tokens\":4,\"completion_tokens\":{completion_tokens}}}}}\n\n")
}

fn recorder() -> StreamRecorder {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
    recorder.on_headers(0.1, 200, Some("text/event-stream"));
    recorder
}

/// A stream of these reads, 0.1 s apart, then its end.
fn stream(reads: &[&[u8]]) -> RequestRecord {
    let mut recorder = recorder();
    for (i, read) in reads.iter().enumerate() {
        recorder.on_read(0.2 + 0.1 * i as f64, read);
    }
    recorder.on_end(9.0);
    recorder.finish()
}

fn message(record: &RequestRecord) -> &str {
    &record.error.as_ref().expect("an error").message
}

fn recording(requests: Vec<RequestRecord>) -> Recording {
    Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 1.7e12,
        config: serde_json::Value::Null,
        environment: Default::default(),
        requests,
    }
}

// ---- Token claims ----

#[test]
fn a_chunk_claiming_two_to_the_32_tokens_puts_at_most_one_per_byte_on_the_timeline() {
    let claim = claiming("b", u64::from(u32::MAX));
    let event_bytes = claim.len() - "data: ".len() - 2;
    let record = stream(&[
        TOKEN.as_bytes(),
        claim.as_bytes(),
        TOKEN.as_bytes(),
        format!("{STOP}{}{DONE}", usage_only(u64::from(u32::MAX))).as_bytes(),
    ]);
    assert!(record.completed(), "{:?}", record.error);
    let timeline = record.counted_output_tokens();
    // One token, then the claim believed up to the event's bytes (the
    // increase since the last count: none was seen), then one.
    assert_eq!(timeline, 1 + event_bytes as u64 + 1, "{:?}", record.chunks);
    assert!(timeline < 200, "{timeline} tokens on the timeline");
    assert_eq!(record.inter_token_times().len() as u64, timeline);
    assert_eq!(
        record.output_tokens,
        Some(TokenCount {
            count: u64::from(u32::MAX),
            source: TokenSource::Server
        }),
        "the server's figure is kept as it was sent"
    );
    assert!(
        record.overclaimed_tokens >= u64::from(u32::MAX) - 1000,
        "{}",
        record.overclaimed_tokens
    );
    assert_eq!(
        record.num_output_tokens(),
        timeline,
        "counts use the tokens counted"
    );
    // The figures are worked out, at once.
    let deadlines = DeadlineConfig::default();
    let metrics = recording_metrics(&recording(vec![record]), &deadlines);
    assert_eq!(metrics.requests[0].num_output_tokens, timeline);
}

#[test]
fn an_honest_continuous_count_is_believed_whole() {
    let record = stream(&[
        claiming("a", 1).as_bytes(),
        claiming("bcd", 4).as_bytes(),
        format!("{STOP}{}{DONE}", usage_only(4)).as_bytes(),
    ]);
    assert_eq!(record.overclaimed_tokens, 0);
    assert_eq!(record.counted_output_tokens(), 4);
    assert_eq!(record.num_output_tokens(), 4);
}

#[test]
fn a_final_count_beyond_the_body_received_is_not_believed() {
    // Three tokens, then a usage-only chunk claiming a billion.
    let body = format!(
        "{TOKEN}{TOKEN}{TOKEN}{STOP}{}{DONE}",
        usage_only(1_000_000_000)
    );
    let record = stream(&[body.as_bytes()]);
    assert!(record.completed());
    assert_eq!(record.counted_output_tokens(), 3);
    assert_eq!(record.output_tokens.unwrap().count, 1_000_000_000);
    assert_eq!(record.overclaimed_tokens, 1_000_000_000 - body.len() as u64);
    assert_eq!(record.num_output_tokens(), 3);
    // A final count the bytes could carry is believed, as before.
    let body = format!("{TOKEN}{TOKEN}{STOP}{}{DONE}", usage_only(7));
    let record = stream(&[body.as_bytes()]);
    assert_eq!(record.overclaimed_tokens, 0);
    assert_eq!(record.num_output_tokens(), 7);
}

#[test]
fn a_single_json_answer_claiming_too_much_is_not_believed_either() {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
    recorder.on_headers(0.1, 200, Some("application/json"));
    let body = "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4294967295}}";
    recorder.on_read(0.2, body.as_bytes());
    recorder.on_end(0.3);
    let record = recorder.finish();
    assert_eq!(record.error.as_ref().unwrap().kind, ErrorKind::NotAStream);
    assert_eq!(
        record.overclaimed_tokens,
        u64::from(u32::MAX) - body.len() as u64
    );
    assert_eq!(record.num_output_tokens(), 0);
}

#[test]
fn no_chunk_holds_more_than_an_imported_run_may() {
    // One event of almost a MiB that claims a million and a half tokens,
    // and two more in the same read: no chunk beyond MAX_TOKENS_PER_CHUNK.
    let text = "x".repeat(MAX_EVENT_BYTES - 200);
    let read = format!(
        "{}{}{}",
        claiming(&text, 1_500_000),
        claiming(&text, 3_000_000),
        claiming("y", 3_000_001)
    );
    let record = stream(&[read.as_bytes()]);
    assert!(record
        .chunks
        .iter()
        .all(|c| c.tokens <= MAX_TOKENS_PER_CHUNK));
    // The second chunk also crosses the most a request may hold, which
    // ends the request there.
    assert_eq!(
        record.counted_output_tokens(),
        etalon_core::limits::MAX_TOKENS_PER_REQUEST
    );
    assert_eq!(record.overclaimed_tokens, 2 * 500_000);
}

#[test]
fn the_results_say_in_one_sentence_how_many_requests_were_overclaimed() {
    let honest = stream(&[format!("{TOKEN}{STOP}{DONE}").as_bytes()]);
    let claim = claiming("b", u64::from(u32::MAX));
    let overclaimed = stream(&[claim.as_bytes(), format!("{STOP}{DONE}").as_bytes()]);
    let warnings = run_warnings(&recording(vec![honest.clone(), overclaimed.clone()]), false);
    let sentences: Vec<&str> = warnings
        .iter()
        .filter(|w| w.kind == WarningKind::Overclaimed)
        .map(|w| w.sentence.as_str())
        .collect();
    assert_eq!(
        sentences,
        ["For 1 request the server claimed more tokens than it sent, so its figures use the tokens actually received."]
    );
    let warnings = run_warnings(
        &recording(vec![overclaimed.clone(), honest, overclaimed]),
        false,
    );
    assert!(warnings.iter().any(|w| w.sentence
        == "For 2 requests the server claimed more tokens than it sent, so their figures use the tokens actually received."));
}

// ---- Event size ----

#[test]
fn an_event_that_never_ends_ends_the_request_and_keeps_the_tokens_before_it() {
    let mut recorder = recorder();
    recorder.on_read(0.2, format!("{TOKEN}{TOKEN}").as_bytes());
    // data lines that never get their blank line, 64 KiB a read.
    let line = format!("data: {}\n", "z".repeat(64 * 1024 - 7));
    let mut reads = 0;
    while !recorder.reading_done() {
        recorder.on_read(0.3 + 0.001 * reads as f64, line.as_bytes());
        reads += 1;
        assert!(reads <= 17, "still reading after {reads} reads of 64 KiB");
    }
    assert_eq!(reads, 17, "the 17th read goes beyond 1 MiB");
    // Later reads and the end are ignored.
    recorder.on_read(1.0, TOKEN.as_bytes());
    recorder.on_end(2.0);
    let record = recorder.finish();
    assert_eq!(
        record.error.as_ref().unwrap().kind,
        ErrorKind::MalformedStream
    );
    assert_eq!(
        message(&record),
        "The server sent an event of more than 1 MiB without ending it; the 2 tokens received before it are kept."
    );
    assert_eq!(record.counted_output_tokens(), 2);
    assert!(
        (record.ended_at.unwrap() - 0.316).abs() < 1e-9,
        "{:?}",
        record.ended_at
    );
}

#[test]
fn ten_megabytes_without_a_newline_end_the_request_at_the_bound() {
    let mut recorder = recorder();
    recorder.on_read(0.2, TOKEN.as_bytes());
    let piece = vec![b'q'; 256 * 1024];
    let mut read = 0;
    // 10 MB, but the recorder stops after 1 MiB.
    while read < 40 && !recorder.reading_done() {
        recorder.on_read(0.3, &piece);
        read += 1;
    }
    assert_eq!(read, 5, "stopped after 1 MiB and a read");
    recorder.on_end(1.0);
    let record = recorder.finish();
    assert_eq!(
        message(&record),
        "The server sent an event of more than 1 MiB without ending it; the 1 token received before it is kept."
    );
}

#[test]
fn one_read_with_tokens_then_an_endless_line_keeps_those_tokens() {
    let mut read = format!("{TOKEN}{TOKEN}{TOKEN}").into_bytes();
    read.extend(std::iter::repeat_n(b'{', MAX_EVENT_BYTES + 1));
    let record = stream(&[&read, TOKEN.as_bytes()]);
    assert_eq!(record.counted_output_tokens(), 3);
    assert!(message(&record).contains("the 3 tokens received before it are kept"));
}

#[test]
fn events_up_to_the_bound_are_parsed() {
    // An event of 1 MiB of data in lines of 1000 bytes: parsed whole.
    let mut parser = SseParser::new();
    let line = format!("data: {}\n", "d".repeat(999));
    let lines = MAX_EVENT_BYTES / 1000;
    let mut events = Vec::new();
    for _ in 0..lines {
        events.extend(parser.push(line.as_bytes()));
    }
    events.extend(parser.push(b"\n"));
    assert!(!parser.overflowed());
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data.len(), lines * 1000 - 1);
    // One more line of it goes beyond: nothing is dispatched, ever after.
    for _ in 0..=lines {
        parser.push(line.as_bytes());
    }
    assert!(parser.overflowed());
    assert!(parser.push(b"\ndata: after\n\n").is_empty());
}

// ---- Bodies that are not streams ----

#[test]
fn a_web_page_is_judged_once_the_kept_bytes_are_in() {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
    recorder.on_headers(0.1, 200, Some("text/html; charset=utf-8"));
    let page = format!("<!doctype html><html><body>{}", "<p>hello</p>".repeat(1000));
    let mut reads = 0;
    while !recorder.reading_done() {
        recorder.on_read(0.2 + 0.01 * reads as f64, page.as_bytes());
        reads += 1;
        assert!(reads < 1000, "never judged");
    }
    assert_eq!(reads, MAX_KEPT_BYTES.div_ceil(page.len()));
    let record = recorder.finish();
    assert_eq!(record.error.as_ref().unwrap().kind, ErrorKind::NotAStream);
    assert!(
        message(&record).starts_with(
            "The server answered with a web page (\"text/html; charset=utf-8\") instead of a stream"
        ),
        "{}",
        message(&record)
    );
    assert!(record.ended_at.is_some());
}

#[test]
fn white_space_forever_is_taken_for_a_stream_and_held_no_longer() {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
    recorder.on_headers(0.1, 200, None);
    let blank = vec![b'\n'; 64 * 1024];
    for _ in 0..64 {
        recorder.on_read(0.2, &blank);
    }
    recorder.on_read(0.3, format!("{TOKEN}{STOP}{DONE}").as_bytes());
    recorder.on_end(0.4);
    let record = recorder.finish();
    assert!(record.completed(), "{:?}", record.error);
    assert_eq!(record.counted_output_tokens(), 1);
}

#[test]
fn a_small_web_page_is_still_judged_at_its_end() {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
    recorder.on_headers(0.1, 200, Some("text/html"));
    recorder.on_read(0.2, b"<html><body>Log in</body></html>");
    assert!(!recorder.reading_done());
    recorder.on_end(0.3);
    let record = recorder.finish();
    assert_eq!(record.error.as_ref().unwrap().kind, ErrorKind::NotAStream);
}

#[test]
fn a_request_ends_at_the_most_tokens_a_request_may_hold() {
    use etalon_core::limits::MAX_TOKENS_PER_REQUEST;
    // Two events of a million bytes, each backing a million tokens: the
    // second crosses the bound, which ends the request with its tokens.
    let text = "x".repeat(MAX_TOKENS_PER_CHUNK as usize);
    let first = claiming(&text, u64::from(MAX_TOKENS_PER_CHUNK));
    let second = claiming(&text, 2 * u64::from(MAX_TOKENS_PER_CHUNK));
    let record = stream(&[
        first.as_bytes(),
        second.as_bytes(),
        TOKEN.as_bytes(),
        DONE.as_bytes(),
    ]);
    assert_eq!(record.counted_output_tokens(), MAX_TOKENS_PER_REQUEST);
    assert_eq!(
        record.error.as_ref().unwrap().kind,
        ErrorKind::MalformedStream
    );
    assert_eq!(
        message(&record),
        "The server sent more than 1,048,576 tokens for one request, more than a request can \
         ask for; the request was ended there and those tokens are kept."
    );
    assert_eq!(record.ended_at, Some(0.3));
    // What the page records, it can open again.
    assert!(etalon_core::share::check_recording(&recording(vec![record])).is_ok());
}
