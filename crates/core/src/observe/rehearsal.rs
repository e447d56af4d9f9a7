//! What the measurement worker rehearses with before it measures: canned
//! chat completion streams, a run of them served by `data:` URLs (so that
//! `fetch` streams them without the network), and messages like those a
//! run posts to the page. The worker (`src/measure/warm.rs`) replays and
//! runs them so that V8 has compiled a run's code before the first
//! measured run; here is only what they are.

use crate::observe::stream::StreamRecorder;
use crate::recording::RequestRecord;
use crate::wire::messages::{
    Endpoint, Outbox, PlannedRequest, RequestState, RunOrder, REHEARSAL_RUN_ID,
};

/// Requests in the rehearsal's run.
pub const REHEARSAL_REQUESTS: u64 = 240;
/// At most this many of them at once, as in a run of many streams.
pub const REHEARSAL_CONCURRENCY: u32 = 24;
/// Tokens in each rehearsed stream: few, since the worker has warmed its
/// reading up before.
pub const REHEARSAL_TOKENS: usize = 12;

/// A canned chat completion stream of `tokens` tokens (" word0", " word1",
/// ...), as the SSE events a server writes: a role chunk, the tokens, a
/// finish chunk, a usage chunk and `[DONE]`. `with_server_time` adds the
/// testbed's `etalon_server_sent_at` field, 20 ms apart.
pub fn canned_stream(tokens: usize, with_server_time: bool) -> Vec<Vec<u8>> {
    let server_time = |i: usize| {
        if with_server_time {
            format!(",\"etalon_server_sent_at\":{:.6}", 0.02 * i as f64)
        } else {
            String::new()
        }
    };
    let head = "\"id\":\"chatcmpl-warm\",\"object\":\"chat.completion.chunk\",\
                \"created\":1700000000,\"model\":\"warm-up\"";
    let mut events = Vec::with_capacity(tokens + 3);
    events.push(format!(
        "data: {{{head},\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\
         \"content\":\"\"}},\"finish_reason\":null}}]{}}}\n\n",
        server_time(0)
    ));
    for i in 0..tokens {
        events.push(format!(
            "data: {{{head},\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\" word{i}\"}},\
             \"finish_reason\":null}}],\"usage\":null{}}}\n\n",
            server_time(i + 1)
        ));
    }
    events.push(format!(
        "data: {{{head},\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":\"length\"}}],\
         \"usage\":null{}}}\n\n",
        server_time(tokens + 1)
    ));
    events.push(format!(
        "data: {{{head},\"choices\":[],\"usage\":{{\"prompt_tokens\":12,\
         \"completion_tokens\":{tokens},\"total_tokens\":{}}}{}}}\n\ndata: [DONE]\n\n",
        tokens + 12,
        server_time(tokens + 2)
    ));
    events.into_iter().map(String::into_bytes).collect()
}

/// The record of request `id` having read [`canned_stream`] whole, an event
/// a read, a read every 20 ms.
pub fn canned_record(id: u64, tokens: usize, with_server_time: bool) -> RequestRecord {
    let mut recorder = StreamRecorder::new(id, 0.0, 0.0);
    recorder.on_headers(0.1, 200, Some("text/event-stream"));
    let events = canned_stream(tokens, with_server_time);
    for (i, event) in events.iter().enumerate() {
        recorder.on_read(0.1 + 0.02 * i as f64, event);
    }
    recorder.on_end(0.1 + 0.02 * events.len() as f64);
    recorder.finish()
}

/// Messages like those the worker posts in a run of `streams` streams, as
/// JSON: a batch of progress only (most of a run's), and one that also
/// brings finished records and live text, both of the rehearsal's run.
pub fn canned_messages(streams: u64) -> Vec<String> {
    let mut outbox = Outbox::default();
    for id in 0..streams {
        outbox.progress(id, RequestState::Streaming, 3 * id);
    }
    let progress = outbox
        .take_batch(REHEARSAL_RUN_ID, 1.7e12)
        .expect("progress to post");
    for id in 0..streams {
        outbox.progress(id, RequestState::Streaming, 3 * id);
        outbox.record(canned_record(id, REHEARSAL_TOKENS, id % 2 == 0));
    }
    outbox.live_text(0.5, " word0 word1 \"quoted\" \u{e9}".into());
    let records = outbox
        .take_batch(REHEARSAL_RUN_ID, 1.7e12)
        .expect("records to post");
    vec![progress.to_json(), records.to_json()]
}

/// `events` as a `data:` URL: a body that `fetch` streams like a server's
/// answer (to a POST too), without the network. Every byte but unreserved
/// ones is percent-encoded.
pub fn data_url(events: &[Vec<u8>]) -> String {
    let mut url = String::from("data:text/event-stream,");
    for &byte in events.iter().flatten() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

/// The rehearsal's run order: [`REHEARSAL_REQUESTS`] short canned streams
/// served by `data:` URLs, with and without server times in turn, the first
/// one's text live, as the page asks for in a run.
pub fn rehearsal_order() -> RunOrder {
    let urls = [
        data_url(&canned_stream(REHEARSAL_TOKENS, true)),
        data_url(&canned_stream(REHEARSAL_TOKENS, false)),
    ];
    RunOrder {
        run_id: REHEARSAL_RUN_ID,
        endpoint: Endpoint {
            url: urls[0].clone(),
            headers: vec![("authorization".into(), "Bearer rehearsal".into())],
        },
        requests: (0..REHEARSAL_REQUESTS)
            .map(|id| PlannedRequest {
                id,
                at: 0.0,
                body: "{\"model\":\"rehearsal\",\"stream\":true}".into(),
                spec: None,
                url: Some(urls[(id % 2) as usize].clone()),
            })
            .collect(),
        concurrency: Some(REHEARSAL_CONCURRENCY),
        timeout_seconds: 10.0,
        live_text_of: Some(0),
        writer: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::messages::WorkerMessage;

    /// The bytes a `data:` URL of [`data_url`] holds.
    fn decoded(url: &str) -> Vec<u8> {
        let encoded = url
            .strip_prefix("data:text/event-stream,")
            .expect("an event stream");
        let mut bytes = Vec::new();
        let mut rest = encoded.as_bytes();
        while let Some((&byte, tail)) = rest.split_first() {
            if byte == b'%' {
                let hex = std::str::from_utf8(&tail[..2]).unwrap();
                bytes.push(u8::from_str_radix(hex, 16).unwrap());
                rest = &tail[2..];
            } else {
                bytes.push(byte);
                rest = tail;
            }
        }
        bytes
    }

    #[test]
    fn the_canned_stream_is_read_as_a_whole_answer_with_or_without_server_times() {
        for with_server_time in [true, false] {
            let record = canned_record(3, 250, with_server_time);
            assert!(record.completed(), "{record:?}");
            assert_eq!(record.id, 3);
            assert_eq!(record.counted_output_tokens(), 250);
            assert_eq!(record.num_output_tokens(), 250);
            assert_eq!(record.finish_reason.as_deref(), Some("length"));
            assert!(record
                .chunks
                .iter()
                .all(|c| c.server_sent_at.is_some() == with_server_time));
        }
    }

    #[test]
    fn a_data_url_holds_exactly_the_bytes_it_was_made_of_and_nothing_a_url_forbids() {
        let events = vec![
            b"data: {\"a\": \"\xc3\xa9 %\"}\n\n".to_vec(),
            b"data: [DONE]\r\n\r\n".to_vec(),
        ];
        let url = data_url(&events);
        let encoded = url.strip_prefix("data:text/event-stream,").unwrap();
        assert!(
            encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)),
            "{url}"
        );
        assert_eq!(decoded(&url), events.concat());
    }

    #[test]
    fn the_rehearsal_is_a_run_of_canned_streams_with_and_without_server_times() {
        let order = rehearsal_order();
        assert_eq!(order.run_id, REHEARSAL_RUN_ID);
        assert_eq!(order.requests.len() as u64, REHEARSAL_REQUESTS);
        assert_eq!(order.concurrency, Some(REHEARSAL_CONCURRENCY));
        assert_eq!(order.live_text_of, Some(0));
        for (i, request) in order.requests.iter().enumerate() {
            assert_eq!(request.id, i as u64);
            let url = request.url.as_deref().expect("each request has its URL");
            let stream = canned_stream(REHEARSAL_TOKENS, i % 2 == 0);
            assert_eq!(decoded(url), stream.concat(), "request {i}");
        }
    }

    #[test]
    fn the_canned_messages_are_a_run_s_progress_and_records() {
        let messages: Vec<WorkerMessage> = canned_messages(24)
            .iter()
            .map(|text| WorkerMessage::from_json(text).expect("canned messages parse"))
            .collect();
        let [WorkerMessage::Batch {
            run_id,
            progress: first,
            records: none,
            ..
        }, WorkerMessage::Batch {
            records, live_text, ..
        }] = &messages[..]
        else {
            panic!("two batches: {messages:?}");
        };
        assert_eq!(*run_id, REHEARSAL_RUN_ID);
        assert_eq!((first.len(), none.len()), (24, 0));
        assert_eq!(records.len(), 24);
        assert!(records
            .iter()
            .all(|r| r.completed() && r.counted_output_tokens() == REHEARSAL_TOKENS as u64));
        assert_eq!(live_text.len(), 1);
    }
}
