//! Token accounting of the recorder: read times, role-only chunks, usage
//! deltas, reasoning, merging, usage-only chunks, text.

use etalon_core::observe::stream::{ReadOutcome, StreamRecorder};
use etalon_core::recording::{Chunk, TokenCount, TokenSource};

fn content(text: &str) -> String {
    format!("data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{text}\"}},\"finish_reason\":null}}]}}\n\n")
}

fn content_with_usage(text: &str, completion_tokens: u64) -> String {
    format!(
        "data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{text}\"}}}}],\"usage\":{{\"prompt_tokens\":9,\"completion_tokens\":{completion_tokens},\"total_tokens\":0}}}}\n\n"
    )
}

fn reasoning(text: &str) -> String {
    format!("data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"reasoning_content\":\"{text}\"}}}}]}}\n\n")
}

const ROLE: &str =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";
const STOP: &str =
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
const USAGE: &str = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}\n\n";
const DONE: &str = "data: [DONE]\n\n";

fn recorder() -> StreamRecorder {
    let mut recorder = StreamRecorder::new(5, 1.0, 1.25);
    recorder.on_headers(0.1, 200, Some("text/event-stream; charset=utf-8"));
    recorder
}

fn chunk(at: f64, tokens: u32) -> Chunk {
    Chunk::visible(at, tokens)
}

#[test]
fn a_plain_stream_gives_one_token_per_content_chunk_at_its_read_time() {
    let mut recorder = recorder();
    recorder.on_read(0.2, ROLE.as_bytes());
    recorder.on_read(0.3, content("Hel").as_bytes());
    recorder.on_read(0.35, content("lo").as_bytes());
    recorder.on_read(0.4, format!("{}{STOP}", content("!")).as_bytes());
    recorder.on_read(0.41, format!("{USAGE}{DONE}").as_bytes());
    recorder.on_end(0.42);
    assert_eq!(recorder.text().unwrap().answer, "Hello!");
    let record = recorder.finish();
    assert_eq!(
        (record.id, record.scheduled_at, record.sent_at),
        (5, 1.0, 1.25)
    );
    assert_eq!(record.headers_at, Some(0.1));
    assert_eq!(record.ended_at, Some(0.42));
    assert_eq!(
        record.chunks.to_vec(),
        [chunk(0.3, 1), chunk(0.35, 1), chunk(0.4, 1)]
    );
    assert_eq!(
        record.prompt_tokens,
        Some(TokenCount {
            count: 12,
            source: TokenSource::Server
        })
    );
    assert_eq!(
        record.output_tokens,
        Some(TokenCount {
            count: 3,
            source: TokenSource::Server
        })
    );
    assert_eq!(record.finish_reason.as_deref(), Some("stop"));
    assert_eq!(record.error, None);
    assert_eq!(record.malformed_chunks, 0);
    assert_eq!(record.inter_token_times().len(), 3);
}

#[test]
fn continuous_usage_gives_each_chunk_its_token_count() {
    let mut recorder = recorder();
    recorder.on_read(0.2, "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":0}}\n\n".as_bytes());
    recorder.on_read(0.25, content_with_usage("a", 1).as_bytes());
    // Speculative decoding: three tokens in one event.
    let outcome = recorder.on_read(0.5, content_with_usage("bcd", 4).as_bytes());
    assert_eq!(
        outcome,
        ReadOutcome {
            output_events: 1,
            output_tokens: 3
        }
    );
    // A stale count on a content chunk still counts one token.
    recorder.on_read(0.75, content_with_usage("e", 4).as_bytes());
    recorder.on_read(0.8, format!("{STOP}{DONE}").as_bytes());
    recorder.on_end(0.8);
    let record = recorder.finish();
    assert_eq!(
        record.chunks.to_vec(),
        [chunk(0.25, 1), chunk(0.5, 3), chunk(0.75, 1)]
    );
    assert_eq!(record.inter_token_times(), [0.25, 0.25, 0.0, 0.0, 0.25]);
    assert_eq!(
        record.output_tokens,
        Some(TokenCount {
            count: 4,
            source: TokenSource::Server
        })
    );
    assert_eq!(record.prompt_tokens.unwrap().count, 9);
}

#[test]
fn events_of_one_read_share_its_time_and_merge_by_kind() {
    let mut recorder = recorder();
    let read = format!(
        "{ROLE}{}{}{}{}",
        reasoning("think"),
        reasoning("ing"),
        content("A"),
        content("B")
    );
    let outcome = recorder.on_read(0.5, read.as_bytes());
    assert_eq!(
        outcome,
        ReadOutcome {
            output_events: 4,
            output_tokens: 4
        }
    );
    recorder.on_read(0.75, content("C").as_bytes());
    recorder.on_read(0.8, format!("{STOP}{DONE}").as_bytes());
    recorder.on_end(0.7);
    let text = recorder.text().unwrap().clone();
    assert_eq!(
        (text.answer.as_str(), text.reasoning.as_str()),
        ("ABC", "thinking")
    );
    let record = recorder.finish();
    assert_eq!(
        record.chunks.to_vec(),
        [
            Chunk {
                reasoning: true,
                ..chunk(0.5, 2)
            },
            chunk(0.5, 2),
            chunk(0.75, 1)
        ]
    );
    assert_eq!(record.time_to_first_visible_token(), Some(0.5));
    assert_eq!(record.reasoning_tokens(), 2);
    assert_eq!(record.inter_token_times(), [0.5, 0.0, 0.0, 0.0, 0.25]);
}

#[test]
fn chunks_of_different_reads_are_never_merged() {
    let mut recorder = recorder();
    recorder.on_read(0.5, content("A").as_bytes());
    recorder.on_read(0.5, content("B").as_bytes()); // same timer tick, another read
    let record = recorder.finish();
    assert_eq!(record.chunks.to_vec(), [chunk(0.5, 1), chunk(0.5, 1)]);
}

#[test]
fn chunks_with_server_send_times_are_kept_apart() {
    let mut recorder = recorder();
    let event = |text: &str, sent: f64| {
        format!("data: {{\"choices\":[{{\"delta\":{{\"content\":\"{text}\"}}}}],\"etalon_server_sent_at\":{sent}}}\n\n")
    };
    recorder.on_read(
        0.5,
        format!("{}{}", event("a", 10.0), event("b", 10.02)).as_bytes(),
    );
    let record = recorder.finish();
    assert_eq!(record.chunks.len(), 2);
    assert_eq!(record.chunks.get(0).unwrap().server_sent_at, Some(10.0));
    assert_eq!(record.chunks.get(1).unwrap().server_sent_at, Some(10.02));
    assert_eq!(record.chunks.get(1).unwrap().at, 0.5);
}

#[test]
fn an_event_split_across_reads_gets_the_time_of_the_read_that_completes_it() {
    let mut recorder = recorder();
    let event = content("x");
    let (first, second) = event.as_bytes().split_at(10);
    assert_eq!(recorder.on_read(0.2, first), ReadOutcome::default());
    recorder.on_read(0.9, second);
    assert_eq!(recorder.finish().chunks.to_vec(), [chunk(0.9, 1)]);
}

#[test]
fn completions_text_counts_like_chat_content() {
    let mut recorder = recorder();
    recorder.on_read(
        0.2,
        b"data: {\"choices\":[{\"text\":\"Once\",\"index\":0}]}\n\n",
    );
    recorder.on_read(0.3, b"data: {\"choices\":[{\"text\":\" upon\",\"index\":0,\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n");
    recorder.on_end(0.3);
    assert_eq!(recorder.text().unwrap().answer, "Once upon");
    let record = recorder.finish();
    assert_eq!(record.chunks.to_vec(), [chunk(0.2, 1), chunk(0.3, 1)]);
    assert_eq!(record.finish_reason.as_deref(), Some("length"));
    assert!(record.completed());
}

#[test]
fn the_servers_count_is_kept_when_it_differs_from_the_counted_one() {
    let mut recorder = recorder();
    recorder.on_read(0.2, content("ab").as_bytes()); // two tokens in one event, unannounced
    recorder.on_read(
        0.3,
        format!("{}{STOP}{USAGE}{DONE}", content("c")).as_bytes(),
    );
    recorder.on_end(0.3);
    let record = recorder.finish();
    assert_eq!(record.counted_output_tokens(), 2);
    assert_eq!(record.num_output_tokens(), 3);
}

#[test]
fn llama_cpp_timings_reach_the_record() {
    let mut recorder = recorder();
    recorder.on_read(0.2, content("a").as_bytes());
    recorder.on_read(0.3, b"data: {\"choices\":[{\"finish_reason\":\"stop\",\"delta\":{}}],\"timings\":{\"prompt_n\":4,\"prompt_ms\":8.5,\"predicted_n\":1,\"predicted_ms\":20.0,\"predicted_per_token_ms\":20.0}}\n\n");
    recorder.on_end(0.3);
    let record = recorder.finish();
    assert_eq!(record.server_timings.unwrap().prompt_ms, Some(8.5));
    assert!(
        record.completed(),
        "a finish reason without [DONE] is a complete stream"
    );
}

#[test]
fn new_text_is_handed_out_once() {
    let mut recorder = recorder();
    recorder.on_read(
        0.2,
        format!("{}{}", reasoning("hm"), content("Hi")).as_bytes(),
    );
    let first = recorder.take_new_text().unwrap();
    assert_eq!(
        (first.answer.as_str(), first.reasoning.as_str()),
        ("Hi", "hm")
    );
    assert!(recorder.take_new_text().unwrap().is_empty());
    recorder.on_read(0.3, content(" there").as_bytes());
    assert_eq!(recorder.take_new_text().unwrap().answer, " there");
    assert_eq!(recorder.text().unwrap().answer, "Hi there");
}

#[test]
fn without_text_nothing_is_kept() {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0).without_text();
    recorder.on_headers(0.1, 200, Some("text/event-stream"));
    recorder.on_read(0.2, content("a").as_bytes());
    assert!(recorder.text().is_none());
    assert!(recorder.take_new_text().is_none());
    assert_eq!(recorder.record().chunks.len(), 1);
}

#[test]
fn events_after_done_are_ignored_and_the_protocol_is_kept() {
    let mut recorder = recorder();
    recorder.set_protocol("h2");
    recorder.on_read(
        0.2,
        format!("{}{DONE}{}", content("a"), content("late")).as_bytes(),
    );
    recorder.on_end(0.3);
    let record = recorder.finish();
    assert_eq!(record.chunks.len(), 1);
    assert_eq!(record.protocol.as_deref(), Some("h2"));
    assert!(record.completed());
}

#[test]
fn a_record_round_trips_through_json_with_its_new_fields() {
    let mut recorder = recorder();
    recorder.on_read(
        0.2,
        format!(
            "{}{}{}{}",
            content("a"),
            content("b"),
            content("c"),
            content("d")
        )
        .as_bytes(),
    );
    let record = recorder.finish();
    let text = serde_json::to_string(&record).unwrap();
    assert!(text.contains("\"bursts\""), "{text}");
    assert!(!text.contains("server_timings"), "{text}");
    let back: etalon_core::recording::RequestRecord = serde_json::from_str(&text).unwrap();
    assert_eq!(back, record);
}
