//! Response bodies being read. `stamp.js` stamps every read the moment it
//! settles and keeps it; a few milliseconds later one task (the drain)
//! hands every body's kept reads, in order, to its request's recorder, and
//! posts progress when a batch is due.
//!
//! No timer, task or future runs per read or per request, only one drain
//! every `DRAIN_MS` (in `stamp.js`) while reads come, so that the worker
//! leaves the cores to the network's threads. See "How a read is stamped"
//! in `docs/BROWSER.md`.

use std::cell::RefCell;
use std::rc::Rc;

use etalon_core::observe::failure;
use etalon_core::observe::stream::StreamRecorder;
use futures::channel::oneshot;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;
use web_sys::ReadableStreamDefaultReader;

use super::read::take_read;
use super::shared::RunShared;

#[wasm_bindgen]
extern "C" {
    /// `etalonStamp.read` of `stamp.js`: reads `reader` to its end,
    /// appending time, kind and bytes (or error) of each read to `reads`.
    #[wasm_bindgen(js_namespace = etalonStamp, js_name = read)]
    fn stamp_reads(reader: &ReadableStreamDefaultReader, reads: &Array);

    /// `etalonStamp.setOnDrain` of `stamp.js`: `on_drain` is called a few
    /// milliseconds after a read is kept, in a task of its own.
    #[wasm_bindgen(js_namespace = etalonStamp, js_name = setOnDrain)]
    fn set_on_drain(on_drain: &js_sys::Function);
}

/// Who a body's reads are for.
pub struct Recipient {
    /// The request's recorder, which the request finishes once the body
    /// has ended (or it gave up on it).
    pub recorder: Rc<RefCell<StreamRecorder>>,
    pub shared: Rc<RunShared>,
    pub id: u64,
    /// Whether the page shows this request's text as it comes.
    pub live: bool,
    /// When the request was sent, on the worker clock, seconds.
    pub sent: f64,
}

/// A body being read, and where its reads go.
struct Body {
    /// Time (ms), kind and value of each read kept by `stamp.js` and not
    /// yet taken.
    reads: Array,
    recipient: Recipient,
    /// Bytes of the read being parsed (kept, to reuse its allocation).
    buffer: RefCell<Vec<u8>>,
    /// Told once the body has ended or failed, or the recorder wants no more
    /// of it.
    ended: RefCell<Option<oneshot::Sender<()>>>,
}

impl Body {
    /// Hand every kept read to the recorder, in order; at the body's end
    /// or failure, record it and tell the request.
    fn take_reads(&self) {
        let length = self.reads.length();
        if length < 3 {
            return;
        }
        let recipient = &self.recipient;
        let mut recorder = recipient.recorder.borrow_mut();
        let mut buffer = self.buffer.borrow_mut();
        let mut next = 0;
        while next + 3 <= length {
            let stamp = self.reads.get(next).as_f64().unwrap_or(f64::NAN) / 1000.0;
            let at = stamp - recipient.sent;
            let value = self.reads.get(next + 2);
            match self.reads.get(next + 1).as_f64() {
                Some(0.0) => {
                    take_read(
                        &mut recorder,
                        &recipient.shared.outbox,
                        (recipient.id, recipient.live),
                        at,
                        value.unchecked_ref::<Uint8Array>(),
                        &mut buffer,
                    );
                    // The recorder judged the body or gave up on it (an
                    // event beyond its bound): the request cancels the rest.
                    if recorder.reading_done() {
                        self.end();
                        break;
                    }
                }
                Some(1.0) => {
                    recorder.on_end(at);
                    self.end();
                    break;
                }
                _ => {
                    let tokens = recorder.tokens_received();
                    recorder.on_failure(at, failure::connection_lost(tokens));
                    self.end();
                    break;
                }
            }
            next += 3;
        }
        // All taken: start the list afresh rather than let it grow.
        self.reads.set_length(0);
        drop(recorder);
        // Post progress now, in the quiet after the drain, rather than
        // from a timer that may fire just as the next read arrives.
        recipient.shared.flush_if_due();
    }

    fn end(&self) {
        if let Some(ended) = self.ended.borrow_mut().take() {
            let _ = ended.send(());
        }
    }
}

thread_local! {
    static BODIES: Bodies = Bodies::new();
}

/// Every body this worker is reading, and the drain that `stamp.js` calls.
struct Bodies {
    reading: Rc<RefCell<Vec<Rc<Body>>>>,
    _on_drain: Closure<dyn FnMut()>,
}

impl Bodies {
    fn new() -> Bodies {
        let reading: Rc<RefCell<Vec<Rc<Body>>>> = Rc::default();
        let to_drain = reading.clone();
        let on_drain = Closure::<dyn FnMut()>::new(move || {
            // Parse from a copy of the list, so that no borrow of it is held
            // while the recorders run.
            let bodies: Vec<Rc<Body>> = to_drain.borrow().clone();
            for body in bodies {
                body.take_reads();
            }
        });
        set_on_drain(on_drain.as_ref().unchecked_ref());
        Bodies {
            reading,
            _on_drain: on_drain,
        }
    }
}

/// A body registered for the drain; dropping it stops its parsing (the
/// request is over, or cut short).
pub struct Reading {
    body: Rc<Body>,
}

impl Drop for Reading {
    fn drop(&mut self) {
        BODIES.with(|bodies| {
            bodies
                .reading
                .borrow_mut()
                .retain(|body| !Rc::ptr_eq(body, &self.body));
        });
    }
}

/// Start reading `stream` at once for `recipient`. The receiver resolves
/// once the body has ended or failed, every read of it recorded, or once
/// the recorder wants no more of it (then the caller cancels the body);
/// drop the [`Reading`] to give up on it.
pub fn read(
    stream: ReadableStreamDefaultReader,
    recipient: Recipient,
) -> (Reading, oneshot::Receiver<()>) {
    let (ended, on_end) = oneshot::channel();
    let body = Rc::new(Body {
        reads: Array::new(),
        recipient,
        buffer: RefCell::default(),
        ended: RefCell::new(Some(ended)),
    });
    BODIES.with(|bodies| bodies.reading.borrow_mut().push(body.clone()));
    stamp_reads(&stream, &body.reads);
    (Reading { body }, on_end)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use etalon_core::recording::ErrorKind;
    use std::time::Duration;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
    use web_sys::Response;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Load `stamp.js` into this page, as the worker's loader does.
    pub(in crate::measure) fn load_stamp_js() {
        let global = js_sys::global();
        let loaded = js_sys::Reflect::get(&global, &"etalonStamp".into())
            .is_ok_and(|stamp| !stamp.is_undefined());
        if !loaded {
            js_sys::eval(include_str!("stamp.js")).expect("stamp.js runs");
        }
    }

    /// A body of the given chunks, then `end`: "close" or "error".
    fn body(chunks: &[&str], end: &str) -> ReadableStreamDefaultReader {
        let chunks = serde_json::to_string(chunks).unwrap();
        let stream = js_sys::eval(&format!(
            "new ReadableStream({{ start(c) {{ for (const t of {chunks}) \
             c.enqueue(new TextEncoder().encode(t)); \
             {} }} }})",
            if end == "error" {
                // Later: an error clears the chunks still queued.
                "setTimeout(() => c.error(new Error('connection reset')), 5);"
            } else {
                "c.close();"
            }
        ))
        .unwrap();
        let response =
            Response::new_with_opt_readable_stream(Some(stream.unchecked_ref())).unwrap();
        response.body().unwrap().get_reader().unchecked_into()
    }

    /// A body whose chunks arrive `gap_ms` apart (each enqueued a timer's
    /// turn after the one before), then close: reads that a clock of 100 µs
    /// can tell apart.
    fn spaced_body(chunks: &[&str], gap_ms: u32) -> ReadableStreamDefaultReader {
        let chunks = serde_json::to_string(chunks).unwrap();
        let stream = js_sys::eval(&format!(
            "new ReadableStream({{ start(c) {{ const e = new TextEncoder(); \
             const parts = {chunks}; let i = 0; \
             const next = () => {{ if (i < parts.length) {{ c.enqueue(e.encode(parts[i++])); \
             setTimeout(next, {gap_ms}); }} else {{ c.close(); }} }}; next(); }} }})"
        ))
        .unwrap();
        let response =
            Response::new_with_opt_readable_stream(Some(stream.unchecked_ref())).unwrap();
        response.body().unwrap().get_reader().unchecked_into()
    }

    /// A stream chunk of one token, `text`.
    fn token(text: &str) -> String {
        format!("data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{text}\"}}}}]}}\n\n")
    }

    const FINISH: &str =
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

    /// Request 0 of a run starting now, sent now, its text shown live, its
    /// headers in.
    fn recipient() -> Recipient {
        let shared = Rc::new(RunShared::new(7, 60.0, Some(0)));
        let sent = shared.clock.now();
        let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
        recorder.on_headers(0.0, 200, Some("text/event-stream"));
        Recipient {
            recorder: Rc::new(RefCell::new(recorder)),
            shared,
            id: 0,
            live: true,
            sent,
        }
    }

    /// `etalonStamp.DRAIN_MS`, in seconds.
    fn drain_seconds() -> f64 {
        let stamp = js_sys::Reflect::get(&js_sys::global(), &"etalonStamp".into()).unwrap();
        let ms = js_sys::Reflect::get(&stamp, &"DRAIN_MS".into()).unwrap();
        ms.as_f64().unwrap() / 1000.0
    }

    #[wasm_bindgen_test]
    async fn reads_are_kept_as_they_come_and_parsed_later_in_one_drain() {
        load_stamp_js();
        let (first, second) = (recipient(), recipient());
        let clock = first.shared.clock.clone();
        let (one, two) = (first.recorder.clone(), second.recorder.clone());
        let start = clock.now();
        let (_a, first_ended) = read(body(&[&token("a"), &token("b"), FINISH], "close"), first);
        let (_b, second_ended) = read(body(&[&token("c"), FINISH], "close"), second);
        // A task later every read is stamped and kept, none parsed yet.
        gloo_timers::future::sleep(Duration::ZERO).await;
        let kept = BODIES.with(|b| {
            b.reading
                .borrow()
                .iter()
                .map(|body| body.reads.length())
                .collect::<Vec<_>>()
        });
        assert_eq!(
            kept,
            [4 * 3, 3 * 3],
            "three values per read, the end included"
        );
        assert_eq!(
            (
                one.borrow().tokens_received(),
                two.borrow().tokens_received()
            ),
            (0, 0)
        );
        first_ended.await.unwrap();
        second_ended.await.unwrap();
        let waited = clock.now() - start;
        // Timers never fire early; nor should the drain be much later.
        assert!(
            waited >= drain_seconds() - 0.001,
            "drained after {waited} s"
        );
        assert!(waited < drain_seconds() + 0.1, "drained after {waited} s");
        assert_eq!(
            (
                one.borrow().tokens_received(),
                two.borrow().tokens_received()
            ),
            (2, 1)
        );
        let text = one.borrow().text().map(|t| t.answer.clone());
        assert_eq!(text.as_deref(), Some("ab"));
    }

    #[wasm_bindgen_test]
    async fn every_read_keeps_its_own_stamp_in_order_and_the_body_s_end() {
        load_stamp_js();
        let recipient = recipient();
        let (recorder, sent, clock) = (
            recipient.recorder.clone(),
            recipient.sent,
            recipient.shared.clock.clone(),
        );
        // One token split over two reads, then two tokens in one read, 20 ms
        // apart, so that the browser's clock tells the reads apart.
        let second_half = token("a");
        let (head, tail) = second_half.split_at(9);
        let both = token("b") + &token("c");
        let (reading, ended) = read(spaced_body(&[head, tail, &both, FINISH], 20), recipient);
        ended.await.unwrap();
        let elapsed = clock.now() - sent;
        drop(reading);
        let record = Rc::try_unwrap(recorder).ok().unwrap().into_inner().finish();
        assert!(record.completed(), "{record:?}");
        assert_eq!(record.counted_output_tokens(), 3);
        let times: Vec<f64> = record.chunks.iter().map(|c| c.at).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
        let mut stamps = times.clone();
        stamps.dedup();
        assert_eq!(
            stamps.len(),
            2,
            "the stamps of the two reads that completed tokens: {times:?}"
        );
        // Stamped on the worker's clock, from the send, before the drain.
        assert!(times.iter().all(|&t| t >= 0.0 && t < elapsed), "{times:?}");
        let ended_at = record.ended_at.expect("the end is recorded");
        assert!(ended_at >= stamps[1] && ended_at < elapsed, "{ended_at}");
    }

    #[wasm_bindgen_test]
    async fn a_body_that_fails_keeps_its_tokens_and_records_the_cut() {
        load_stamp_js();
        let recipient = recipient();
        let recorder = recipient.recorder.clone();
        let (reading, ended) = read(body(&[&token("a")], "error"), recipient);
        ended.await.unwrap();
        drop(reading);
        let record = Rc::try_unwrap(recorder).ok().unwrap().into_inner().finish();
        assert_eq!(record.counted_output_tokens(), 1);
        let error = record.error.expect("the cut is recorded");
        assert_eq!(error.kind, ErrorKind::Network);
        assert!(
            error.message.contains("1 token received"),
            "{}",
            error.message
        );
    }

    #[wasm_bindgen_test]
    async fn a_body_given_up_is_parsed_no_further_and_lets_its_recorder_go() {
        load_stamp_js();
        let recipient = recipient();
        let recorder = recipient.recorder.clone();
        let (reading, ended) = read(body(&[&token("a"), FINISH], "close"), recipient);
        drop(reading);
        assert!(ended.await.is_err(), "no end is told for a body given up");
        gloo_timers::future::sleep(Duration::from_secs_f64(drain_seconds() + 0.02)).await;
        assert_eq!(recorder.borrow().tokens_received(), 0);
        assert_eq!(Rc::strong_count(&recorder), 1);
    }
}
