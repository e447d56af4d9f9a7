//! However the network splits a stream, the recorder counts the same tokens
//! and reaches the same verdict; only the read times (and so which events
//! share a read) change.

use etalon_core::observe::stream::StreamRecorder;
use etalon_core::recording::RequestRecord;
use proptest::prelude::*;

/// vLLM-like stream with reasoning, a role chunk, a malformed chunk, CRLF
/// line ends, continuous usage and a final usage chunk.
fn vllm_like() -> String {
    let mut text = String::from("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":0}}\r\n\r\n");
    for i in 1..=6 {
        text.push_str(&format!(
            "data: {{\"choices\":[{{\"delta\":{{\"reasoning\":\"r{i}\"}}}}],\"usage\":{{\"prompt_tokens\":7,\"completion_tokens\":{i}}}}}\r\n\r\n"
        ));
    }
    text.push_str("data: {broken\r\n\r\n: keep-alive\r\n");
    for i in 1..=10 {
        text.push_str(&format!(
            "data: {{\"choices\":[{{\"delta\":{{\"content\":\"caf\u{e9} {i}\"}}}}],\"usage\":{{\"prompt_tokens\":7,\"completion_tokens\":{}}}}}\r\n\r\n",
            6 + 2 * i
        ));
    }
    text.push_str("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}\r\n\r\n");
    text.push_str("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":26}}\r\n\r\ndata: [DONE]\r\n\r\n");
    text
}

fn record(body: &[u8], cuts: &[usize]) -> (RequestRecord, String) {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
    recorder.on_headers(0.0, 200, Some("text/event-stream"));
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
    cuts.sort_unstable();
    let mut start = 0;
    for (i, end) in cuts.into_iter().chain([body.len()]).enumerate() {
        recorder.on_read(i as f64, &body[start..end]);
        start = end;
    }
    recorder.on_end(1e6);
    let text = recorder.text().unwrap().answer.clone();
    let received = recorder.tokens_received();
    let record = recorder.finish();
    assert_eq!(received, record.counted_output_tokens());
    (record, text)
}

fn verdict(record: &RequestRecord) -> impl PartialEq + std::fmt::Debug {
    (
        record.counted_output_tokens(),
        record.reasoning_tokens(),
        record.num_output_tokens(),
        record.prompt_tokens,
        record.finish_reason.clone(),
        record.malformed_chunks,
        record.error.clone(),
    )
}

#[test]
fn the_whole_stream_is_counted_as_the_server_said() {
    let (whole, text) = record(vllm_like().as_bytes(), &[]);
    assert_eq!(whole.counted_output_tokens(), 26);
    assert_eq!(whole.reasoning_tokens(), 6);
    assert_eq!(whole.num_output_tokens(), 26);
    assert_eq!(whole.malformed_chunks, 1);
    assert!(whole.completed());
    assert!(text.starts_with("caf\u{e9} 1caf\u{e9} 2"));
    assert!(whole.bursts.unwrap().bursty, "all in one read");
}

#[test]
fn one_event_per_read_gives_one_chunk_per_event() {
    let body = vllm_like();
    let cuts: Vec<usize> = body.match_indices("\r\n\r\n").map(|(i, _)| i + 4).collect();
    let (record, _) = record(body.as_bytes(), &cuts);
    assert_eq!(record.chunks.len(), 16);
    assert!(!record.bursts.unwrap().bursty);
    assert_eq!(
        verdict(&record),
        verdict(&self::record(body.as_bytes(), &[]).0)
    );
}

proptest! {
    #[test]
    fn any_split_gives_the_same_counts_text_and_verdict(cuts in prop::collection::vec(any::<usize>(), 0..60)) {
        let body = vllm_like();
        let (whole, whole_text) = record(body.as_bytes(), &[]);
        let (split, split_text) = record(body.as_bytes(), &cuts);
        prop_assert_eq!(verdict(&split), verdict(&whole));
        prop_assert_eq!(split_text, whole_text);
        // Chunks are in arrival order and never carry zero tokens.
        prop_assert!(split.chunks.to_vec().windows(2).all(|w| w[0].at <= w[1].at));
        prop_assert!(split.chunks.iter().all(|c| c.tokens >= 1));
    }

    #[test]
    fn a_stream_cut_anywhere_keeps_what_arrived(cut in 0usize..2000) {
        let body = vllm_like();
        let cut = cut % body.len();
        let (record, _) = record(&body.as_bytes()[..cut], &[]);
        let (whole, _) = self::record(body.as_bytes(), &[]);
        prop_assert!(record.counted_output_tokens() <= whole.counted_output_tokens());
        if record.finish_reason.is_none() {
            prop_assert_eq!(record.error.unwrap().kind, etalon_core::recording::ErrorKind::MalformedStream);
        }
    }
}
