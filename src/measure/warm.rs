//! Warming the worker up before it measures anything.
//!
//! V8 compiles WebAssembly in tiers: first a quick baseline compile, and
//! later, for each function that has run enough, an optimized compile on a
//! background thread. A fresh worker therefore reads its first streams with
//! slower code, while compile threads compete for the cores with it and
//! with the network. So the worker, once it has started, runs its hot path
//! (SSE parsing, JSON chunk parsing, record building, the batch's JSON) over
//! a canned stream held in memory, a few thousand reads, and only then says
//! it is ready. Nothing is sent on the network and nothing is posted.

use etalon_core::messages::{Outbox, RequestState};
use etalon_core::stream::StreamRecorder;
use js_sys::Uint8Array;
use std::cell::RefCell;

use super::request::take_read;
use super::Clock;

/// Canned streams to replay, at most.
const STREAMS: u64 = 24;
/// Tokens in each canned stream.
const TOKENS: usize = 250;
/// Stop warming up after this long, whatever is left (a slow machine
/// should not wait long for a worker).
const BUDGET_SECONDS: f64 = 0.4;

/// One canned chat completion stream, as the SSE events a server writes:
/// `with_server_time` adds the testbed's `etalon_server_sent_at` field.
fn canned_events(with_server_time: bool) -> Vec<Vec<u8>> {
    let server_time = |i: usize| {
        if with_server_time {
            format!(",\"etalon_server_sent_at\":{:.6}", 0.02 * i as f64)
        } else {
            String::new()
        }
    };
    let head = "\"id\":\"chatcmpl-warm\",\"object\":\"chat.completion.chunk\",\
                \"created\":1700000000,\"model\":\"warm-up\"";
    let mut events = Vec::with_capacity(TOKENS + 3);
    events.push(format!(
        "data: {{{head},\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\
         \"content\":\"\"}},\"finish_reason\":null}}]{}}}\n\n",
        server_time(0)
    ));
    for i in 0..TOKENS {
        events.push(format!(
            "data: {{{head},\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\" word{i}\"}},\
             \"finish_reason\":null}}],\"usage\":null{}}}\n\n",
            server_time(i + 1)
        ));
    }
    events.push(format!(
        "data: {{{head},\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":\"length\"}}],\
         \"usage\":null{}}}\n\n",
        server_time(TOKENS + 1)
    ));
    events.push(format!(
        "data: {{{head},\"choices\":[],\"usage\":{{\"prompt_tokens\":12,\
         \"completion_tokens\":{TOKENS},\"total_tokens\":{}}}{}}}\n\ndata: [DONE]\n\n",
        TOKENS + 12,
        server_time(TOKENS + 2)
    ));
    events.into_iter().map(String::into_bytes).collect()
}

/// Replay canned streams through the code a measured read runs, for at most
/// [`BUDGET_SECONDS`]. Returns how many streams were replayed.
pub fn warm_up(clock: &Clock) -> u64 {
    let start = clock.now();
    let canned = [canned_events(true), canned_events(false)];
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn the_canned_stream_is_read_as_a_whole_answer() {
        let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
        recorder.on_headers(0.1, 200, Some("text/event-stream"));
        for (i, event) in canned_events(true).iter().enumerate() {
            recorder.on_read(0.1 + 0.02 * i as f64, event);
        }
        recorder.on_end(10.0);
        let record = recorder.finish();
        assert!(record.completed(), "{record:?}");
        assert_eq!(record.counted_output_tokens(), TOKENS as u64);
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
