//! Warming the worker up before it measures anything.
//!
//! V8 compiles WebAssembly in tiers: first a quick baseline compile, and
//! later, for each function that has run enough, an optimized compile on a
//! background thread. A fresh worker therefore reads its first streams with
//! slower code, while compile threads compete for the cores with it and
//! with the network. So the worker, once it has started, runs its hot path
//! (SSE parsing, JSON chunk parsing, record building, the batch's JSON) over
//! a canned stream held in memory, a few thousand reads ([`warm_up`]). Then
//! it rehearses a whole run of short streams against `data:` URLs, so that
//! what runs once per request (sending, awaiting the answer, finishing and
//! posting the record) is warm too ([`rehearse`]), and only then says it is
//! ready. Nothing is sent on the network.

use etalon_core::messages::{
    Endpoint, Outbox, PlannedRequest, RequestState, RunOrder, REHEARSAL_RUN_ID,
};
use etalon_core::recording::RequestRecord;
use etalon_core::stream::StreamRecorder;
use js_sys::Uint8Array;
use std::cell::RefCell;

use super::request::take_read;
use super::run::Runs;
use super::{post_text, Clock};

/// Canned streams to replay, at most.
const STREAMS: u64 = 24;
/// Tokens in each canned stream.
const TOKENS: usize = 250;
/// Stop warming up after this long, whatever is left (a slow machine
/// should not wait long for a worker).
const BUDGET_SECONDS: f64 = 0.4;

/// A canned chat completion stream of `tokens` tokens, as the SSE events a
/// server writes: `with_server_time` adds the testbed's
/// `etalon_server_sent_at` field.
fn canned_stream(tokens: usize, with_server_time: bool) -> Vec<Vec<u8>> {
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

/// Replay canned streams through the code a measured read runs, for at most
/// [`BUDGET_SECONDS`]. Returns how many streams were replayed.
pub fn warm_up(clock: &Clock) -> u64 {
    let start = clock.now();
    let canned = [canned_stream(TOKENS, true), canned_stream(TOKENS, false)];
    let outbox = RefCell::new(Outbox::default());
    let mut buffer = Vec::new();
    let mut replayed = 0;
    while replayed < STREAMS && clock.now() - start < BUDGET_SECONDS {
        let id = replayed;
        let mut recorder = StreamRecorder::new(id, 0.0, 0.0);
        // Every other stream keeps its text, as the live request does.
        if id % 2 == 1 {
            recorder = recorder.without_text();
        }
        recorder.on_headers(0.1, 200, Some("text/event-stream"));
        outbox.borrow_mut().progress(id, RequestState::Streaming, 0);
        for (i, event) in canned[(id % 2) as usize].iter().enumerate() {
            let at = 0.1 + 0.02 * i as f64;
            let bytes = Uint8Array::from(event.as_slice());
            take_read(&mut recorder, &outbox, (id, true), at, &bytes, &mut buffer);
        }
        recorder.on_end(0.1 + 0.02 * (TOKENS + 4) as f64);
        let mut outbox = outbox.borrow_mut();
        outbox.record(recorder.finish());
        if let Some(batch) = outbox.take_batch(0, 0.0) {
            std::hint::black_box(batch.to_json());
        }
        replayed += 1;
    }
    replayed
}

/// The record of request `id` having read [`canned_stream`] whole, a read
/// every 20 ms.
fn canned_record(id: u64, tokens: usize, with_server_time: bool) -> RequestRecord {
    let mut recorder = StreamRecorder::new(id, 0.0, 0.0);
    recorder.on_headers(0.1, 200, Some("text/event-stream"));
    let events = canned_stream(tokens, with_server_time);
    for (i, event) in events.iter().enumerate() {
        recorder.on_read(0.1 + 0.02 * i as f64, event);
    }
    recorder.on_end(0.1 + 0.02 * events.len() as f64);
    recorder.finish()
}

/// Messages like those the worker posts in a run of 24 streams, as JSON:
/// a batch of progress only (most of a run's), and one that also brings
/// finished records and live text, both of the rehearsal's run.
fn canned_messages() -> Vec<String> {
    let mut outbox = Outbox::default();
    for id in 0..STREAMS {
        outbox.progress(id, RequestState::Streaming, 3 * id);
    }
    let progress = outbox
        .take_batch(REHEARSAL_RUN_ID, 1.7e12)
        .expect("progress to post");
    for id in 0..STREAMS {
        outbox.progress(id, RequestState::Streaming, 3 * id);
        outbox.record(canned_record(id, REHEARSAL_TOKENS, id % 2 == 0));
    }
    outbox.live_text(0.5, " word0 word1 \"quoted\" \u{e9}".into());
    let records = outbox
        .take_batch(REHEARSAL_RUN_ID, 1.7e12)
        .expect("records to post");
    vec![progress.to_json(), records.to_json()]
}

/// Times the rehearsal posts each canned message, for the page to parse.
/// A run's page parses a few messages a second; without these, V8 compiles
/// that parsing with its optimizing tier in the middle of measured runs,
/// and late: in a trace of the fidelity benchmark, the deserializer of
/// `WorkerMessage` (53 ms of compiling, on a thread that shares the cores
/// with the worker and the network) in the 15th run.
const PAGE_WARM_UP_POSTS: usize = 400;

/// Requests in the rehearsal (see [`rehearse`]).
const REHEARSAL_REQUESTS: u64 = 240;
/// At most this many of them at once, as in a run of many streams.
const REHEARSAL_CONCURRENCY: u32 = 24;
/// Tokens in each rehearsed stream: few, since the reading is warm already.
const REHEARSAL_TOKENS: usize = 12;

/// `events` as a `data:` URL: a body that `fetch` streams like a server's
/// answer (to a POST too), without the network.
fn data_url(events: &[Vec<u8>]) -> String {
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
/// served by `data:` URLs, with and without server times, the first one's
/// text live, as the page asks for in a run.
fn rehearsal_order() -> RunOrder {
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

/// Rehearse a whole run before the first measured one: [`warm_up`] warms
/// the reading of a stream, but a run also sends requests, awaits their
/// answers, finishes and posts records, and each of those paths, run only
/// once per request, would otherwise be compiled by V8's optimizing tier
/// in the middle of measured runs, for many runs. (In a Chromium trace of
/// the fidelity benchmark, such compiles on the renderer's shared threads
/// came in runs as late as the 14th, up to 32 ms each, beside the streams
/// being read.) The rehearsal is a real run through the same code, against
/// `data:` URLs, posted to the page under [`REHEARSAL_RUN_ID`], followed by
/// canned messages for the page to parse ([`PAGE_WARM_UP_POSTS`]).
pub async fn rehearse(runs: Runs) {
    runs.run(rehearsal_order()).await;
    for text in canned_messages()
        .iter()
        .cycle()
        .take(2 * PAGE_WARM_UP_POSTS)
    {
        post_text(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn the_canned_stream_is_read_as_a_whole_answer() {
        let record = canned_record(0, TOKENS, true);
        assert!(record.completed(), "{record:?}");
        assert_eq!(record.counted_output_tokens(), TOKENS as u64);
    }

    #[wasm_bindgen_test]
    fn a_data_url_holds_the_bytes_it_was_made_of() {
        let events = vec![b"data: {\"a\": \"\xc3\xa9 %\"}\n\n".to_vec()];
        let url = data_url(&events);
        let encoded = url.strip_prefix("data:text/event-stream,").unwrap();
        assert!(!encoded.contains([' ', '"', '\n']), "{url}");
        let decoded = js_sys::decode_uri_component(encoded).unwrap();
        assert_eq!(String::from(decoded), "data: {\"a\": \"\u{e9} %\"}\n\n");
    }

    /// The rehearsal is a whole run: every request is sent, read to its end
    /// and posted as a completed record, then the run is said finished;
    /// then come the canned messages for the page to parse.
    #[wasm_bindgen_test]
    async fn the_rehearsal_measures_every_request_and_posts_it() {
        use etalon_core::messages::WorkerMessage;
        use futures::StreamExt;
        use wasm_bindgen::prelude::Closure;
        use wasm_bindgen::JsCast;

        // Under test the worker's posts land on this page's window.
        let (sender, mut posted) = futures::channel::mpsc::unbounded::<String>();
        let listener = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                if let Some(text) = event.data().as_string() {
                    let _ = sender.unbounded_send(text);
                }
            },
        );
        let window = web_sys::window().unwrap();
        window
            .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
            .unwrap();
        crate::measure::request::tests::load_stamp_js();
        let clock = Clock::here();
        let start = clock.now();
        rehearse(Runs::default()).await;
        let took = clock.now() - start;
        web_sys::console::log_1(
            &format!("rehearsal: {REHEARSAL_REQUESTS} requests in {took:.3} s").into(),
        );
        let mut records = Vec::new();
        let mut live_text = String::new();
        loop {
            let text = posted
                .next()
                .await
                .expect("the run posts until it finishes");
            match WorkerMessage::from_json(&text).expect("posts are worker messages") {
                WorkerMessage::Batch {
                    run_id,
                    records: new,
                    live_text: text,
                    ..
                } => {
                    assert_eq!(run_id, REHEARSAL_RUN_ID);
                    records.extend(new);
                    live_text.extend(text.into_iter().map(|(_, t)| t));
                }
                WorkerMessage::Finished { run_id, stopped } => {
                    assert_eq!((run_id, stopped), (REHEARSAL_RUN_ID, false));
                    break;
                }
                other => panic!("unexpected post: {other:?}"),
            }
        }
        // Then the canned messages, for the page to parse.
        let canned = canned_messages();
        for i in 0..2 * PAGE_WARM_UP_POSTS {
            let text = posted.next().await.expect("the canned messages follow");
            assert_eq!(text, canned[i % 2]);
        }
        assert!(posted.try_recv().is_err(), "nothing more is posted");
        window
            .remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
            .unwrap();
        assert_eq!(records.len() as u64, REHEARSAL_REQUESTS);
        for record in &records {
            assert!(record.completed(), "{record:?}");
            assert_eq!(record.counted_output_tokens(), REHEARSAL_TOKENS as u64);
        }
        // Every other stream carries the testbed's server times.
        let timed = records
            .iter()
            .filter(|r| r.chunks.iter().all(|c| c.server_sent_at.is_some()))
            .count();
        assert_eq!(timed as u64, REHEARSAL_REQUESTS / 2);
        assert!(live_text.starts_with(" word0 word1"), "{live_text}");
    }

    #[wasm_bindgen_test]
    fn the_canned_messages_are_a_run_s_progress_and_records() {
        use etalon_core::messages::WorkerMessage;
        let messages: Vec<WorkerMessage> = canned_messages()
            .iter()
            .map(|text| WorkerMessage::from_json(text).expect("canned messages parse"))
            .collect();
        let [WorkerMessage::Batch {
            progress: first,
            records: none,
            ..
        }, WorkerMessage::Batch {
            records, live_text, ..
        }] = &messages[..]
        else {
            panic!("two batches: {messages:?}");
        };
        assert_eq!((first.len() as u64, none.len()), (STREAMS, 0));
        assert_eq!(records.len() as u64, STREAMS);
        assert!(records
            .iter()
            .all(|r| r.completed() && r.counted_output_tokens() == REHEARSAL_TOKENS as u64));
        assert_eq!(live_text.len(), 1);
    }

    #[wasm_bindgen_test]
    fn warming_up_ends_within_its_budget() {
        let clock = Clock::here();
        let start = clock.now();
        let replayed = warm_up(&clock);
        let took = clock.now() - start;
        web_sys::console::log_1(&format!("warm-up: {replayed} streams in {took:.3} s").into());
        assert!(replayed >= 1);
        assert!(took < BUDGET_SECONDS + 0.2, "took {took} s");
    }
}
