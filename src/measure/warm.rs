//! Warming the worker up before it measures anything, so that V8 has
//! compiled the hot path with its optimizing tier before the first measured
//! run rather than during it: [`warm_up`] replays canned streams through a
//! read's code, [`rehearse`] runs a whole run against `data:` URLs. Nothing
//! is sent on the network; the canned data is in
//! `etalon_core::observe::rehearsal`. See "Warm-up and rehearsal" in
//! `docs/BROWSER.md`.

use etalon_core::observe::rehearsal::{canned_messages, canned_stream, rehearsal_order};
use etalon_core::observe::stream::StreamRecorder;
use etalon_core::wire::messages::{Outbox, RequestState};
use js_sys::Uint8Array;
use std::cell::RefCell;

use super::clock::Clock;
use super::page::post_text;
use super::read::take_read;
use super::run::Runs;

/// Canned streams to replay, at most.
const STREAMS: u64 = 24;
/// Tokens in each canned stream.
const TOKENS: usize = 250;
/// Stop warming up after this long, whatever is left (a slow machine
/// should not wait long for a worker).
const BUDGET_SECONDS: f64 = 0.4;

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

/// Times the rehearsal posts each canned message, so that the page's
/// parsing of worker messages is compiled before measured runs, not
/// during them.
const PAGE_WARM_UP_POSTS: usize = 400;

/// Rehearse a whole run before the first measured one, so that what runs
/// once per request (sending, awaiting the answer, finishing and posting
/// the record) is warm too: a real run through the same code against
/// `data:` URLs, posted under `REHEARSAL_RUN_ID`, then canned messages for
/// the page to parse ([`PAGE_WARM_UP_POSTS`]).
pub async fn rehearse(runs: Runs) {
    runs.run(rehearsal_order()).await;
    for text in canned_messages(STREAMS)
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
    use etalon_core::observe::rehearsal::{REHEARSAL_REQUESTS, REHEARSAL_TOKENS};
    use etalon_core::wire::messages::REHEARSAL_RUN_ID;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    /// The rehearsal is a whole run: every request is sent, read to its end
    /// and posted as a completed record, then the run is said finished;
    /// then come the canned messages for the page to parse.
    #[wasm_bindgen_test]
    async fn the_rehearsal_measures_every_request_and_posts_it() {
        use etalon_core::wire::messages::WorkerMessage;
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
        crate::measure::body::tests::load_stamp_js();
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
        let canned = canned_messages(STREAMS);
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
