//! One request, measured: hand it to `fetch`, stamp every read of the body
//! with the worker's clock, and let the core's `StreamRecorder` build the
//! record. Ends in a record whatever happens: answer, error, timeout or stop.

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::task::{Poll, Waker};

use etalon_core::failure;
use etalon_core::messages::{Endpoint, Outbox, PlannedRequest, RequestState};
use etalon_core::recording::RequestRecord;
use etalon_core::stream::StreamRecorder;
use futures::future::{select, Either};
use futures::FutureExt;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, ReadableStreamDefaultReader, RequestInit, Response};

use super::net;
use super::run::RunShared;

/// Why a request was cut short from outside.
enum Cut {
    TimedOut,
    Stopped,
}

/// Send `planned` now and measure it to its end.
pub async fn measure(
    shared: Rc<RunShared>,
    endpoint: Rc<Endpoint>,
    planned: PlannedRequest,
) -> RequestRecord {
    let clock = &shared.clock;
    let live = shared.live_text_of == Some(planned.id);
    let controller = AbortController::new().expect("AbortController exists");
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&planned.body));
    init.set_signal(Some(&controller.signal()));
    let headers = Headers::new().expect("Headers exists");
    let _ = headers.set("content-type", "application/json");
    for (name, value) in &endpoint.headers {
        if let Err(e) = headers.set(name, value) {
            web_sys::console::warn_1(&format!("header {name} skipped: {e:?}").into());
        }
    }
    init.set_headers(&headers);

    let sent = clock.now();
    let mut recorder = StreamRecorder::new(planned.id, planned.at, sent - shared.started);
    if !live {
        recorder = recorder.without_text();
    }
    let recorder = RefCell::new(recorder);
    shared
        .outbox
        .borrow_mut()
        .progress(planned.id, RequestState::Sent, 0);
    let url = planned.url.as_deref().unwrap_or(&endpoint.url);
    let fetch = net::scope().fetch_with_str_and_init(url, &init);

    let exchange = read_response(&shared, url, fetch, sent, &recorder, live).boxed_local();
    let timeout =
        gloo_timers::future::sleep(std::time::Duration::from_secs_f64(shared.timeout_seconds))
            .map(|_| Cut::TimedOut);
    let stop = shared.stop.wait().map(|_| Cut::Stopped);
    let cut = select(timeout.boxed_local(), stop.boxed_local());
    if let Either::Right((cut, exchange)) = select(exchange, cut).await {
        drop(exchange);
        controller.abort();
        let cut = match cut {
            Either::Left((cut, _)) | Either::Right((cut, _)) => cut,
        };
        let at = clock.now() - sent;
        let mut recorder = recorder.borrow_mut();
        let error = match cut {
            Cut::TimedOut => {
                failure::timeout_error(shared.timeout_seconds, recorder.timeout_phase())
            }
            Cut::Stopped => failure::aborted_error(),
        };
        recorder.on_failure(at, error);
    }
    let mut record = recorder.into_inner().finish();
    if record.protocol.is_none() {
        record.protocol = net::protocol_of(url);
    }
    record
}

/// Await the response and read its body to the end, stamping each read.
async fn read_response(
    shared: &RunShared,
    url: &str,
    fetch: js_sys::Promise,
    sent: f64,
    recorder: &RefCell<StreamRecorder>,
    live: bool,
) {
    let clock = &shared.clock;
    let response: Response = match JsFuture::from(fetch).await {
        Ok(response) => response.unchecked_into(),
        Err(_) => {
            let at = clock.now() - sent;
            let reachable = net::reachable_without_cors(url).await;
            let error = failure::fetch_failure(url, net::page_origin().as_deref(), reachable);
            recorder.borrow_mut().on_failure(at, error);
            return;
        }
    };
    let at = clock.now() - sent;
    let content_type = response.headers().get("content-type").ok().flatten();
    recorder
        .borrow_mut()
        .on_headers(at, response.status(), content_type.as_deref());
    let id = recorder.borrow().record().id;
    shared
        .outbox
        .borrow_mut()
        .progress(id, RequestState::Streaming, 0);

    let Some(body) = response.body() else {
        recorder.borrow_mut().on_end(clock.now() - sent);
        return;
    };
    let reader = StampedReader::new(body.get_reader().unchecked_into());
    let mut buffer = Vec::new();
    loop {
        let (stamp, read) = reader.read().await;
        let at = stamp - sent;
        let bytes: Uint8Array = match read {
            Ok(Some(bytes)) => bytes.unchecked_into(),
            Ok(None) => {
                recorder.borrow_mut().on_end(at);
                return;
            }
            Err(_) => {
                let mut recorder = recorder.borrow_mut();
                let tokens = recorder.tokens_received();
                recorder.on_failure(at, failure::connection_lost(tokens));
                return;
            }
        };
        take_read(
            &mut recorder.borrow_mut(),
            &shared.outbox,
            (id, live),
            at,
            &bytes,
            &mut buffer,
        );
        // Post progress now, in the quiet after a read, rather than from a
        // timer that may fire just as the next read arrives.
        shared.flush_if_due();
    }
}

/// One read's bytes, stamped `at`, into request `id`'s recorder, and its
/// progress (and new text, when the page shows this request's text `live`)
/// into the outbox. The measured path and the worker's warm-up both run it.
pub(super) fn take_read(
    recorder: &mut StreamRecorder,
    outbox: &RefCell<Outbox>,
    (id, live): (u64, bool),
    at: f64,
    bytes: &Uint8Array,
    buffer: &mut Vec<u8>,
) {
    copy_out(bytes, buffer);
    let outcome = recorder.on_read(at, buffer);
    if outcome.output_tokens > 0 {
        let tokens = recorder.tokens_received();
        let mut outbox = outbox.borrow_mut();
        outbox.progress(id, RequestState::Streaming, tokens);
        if live {
            if let Some(text) = recorder.take_new_text().filter(|t| !t.is_empty()) {
                outbox.live_text(at, text.answer);
            }
        }
    }
}

thread_local! {
    /// A view of all of this thread's WebAssembly memory, made again only
    /// when the memory grows (which detaches the old view).
    static MEMORY: RefCell<Option<Uint8Array>> = const { RefCell::new(None) };
}

/// Copy `bytes` into `buffer` (resized to fit) through one lasting view of
/// the WebAssembly memory: `Uint8Array::copy_to` makes a new view for every
/// copy, garbage that the worker's collector must then clear while reads
/// wait.
fn copy_out(bytes: &Uint8Array, buffer: &mut Vec<u8>) {
    // Every byte is written below: no need to clear it first.
    buffer.resize(bytes.length() as usize, 0);
    if buffer.is_empty() {
        return;
    }
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        let view = match memory.as_ref() {
            Some(view) if view.byte_length() > 0 => view,
            _ => memory.insert(Uint8Array::new(
                &wasm_bindgen::memory()
                    .unchecked_into::<js_sys::WebAssembly::Memory>()
                    .buffer(),
            )),
        };
        // The view covers all memory, `buffer` included; nothing else holds
        // `buffer` while the browser writes into it.
        view.set(bytes, buffer.as_mut_ptr() as u32);
    });
}

/// What a settled read left for its task: the clock's time at settling,
/// and the read's result (`None` when the body has ended).
type Settled = (f64, Result<Option<JsValue>, JsValue>);

#[wasm_bindgen]
extern "C" {
    /// `etalonStamp.read` of `stamp.js`: reads `reader` to its end,
    /// appending time, kind and bytes (or error) of each read to `reads`.
    #[wasm_bindgen(js_namespace = etalonStamp, js_name = read)]
    fn stamp_reads(reader: &ReadableStreamDefaultReader, reads: &Array);

    /// `etalonStamp.setOnQuiet` of `stamp.js`: `on_quiet` is called once
    /// stamped reads pause.
    #[wasm_bindgen(js_namespace = etalonStamp, js_name = setOnQuiet)]
    fn set_on_quiet(on_quiet: &js_sys::Function);
}

thread_local! {
    static QUIET: QuietWakers = QuietWakers::new();
}

/// The tasks waiting for stamped reads, woken together once reads pause
/// (`stamp.js` decides when: no read for 1 ms, or 4 ms at most).
struct QuietWakers {
    wakers: Rc<RefCell<Vec<Waker>>>,
    _on_quiet: Closure<dyn FnMut()>,
}

impl QuietWakers {
    fn new() -> QuietWakers {
        let wakers: Rc<RefCell<Vec<Waker>>> = Rc::default();
        let to_wake = wakers.clone();
        let on_quiet = Closure::<dyn FnMut()>::new(move || {
            for waker in std::mem::take(&mut *to_wake.borrow_mut()) {
                waker.wake();
            }
        });
        set_on_quiet(on_quiet.as_ref().unchecked_ref());
        QuietWakers {
            wakers,
            _on_quiet: on_quiet,
        }
    }

    fn wait(&self, waker: &Waker) {
        let mut wakers = self.wakers.borrow_mut();
        if !wakers.iter().any(|w| w.will_wake(waker)) {
            wakers.push(waker.clone());
        }
    }
}

/// A body read by `stamp.js`, which stamps each read the moment it settles
/// and asks for the next at once; the request's task takes the stamped
/// reads in order once reads pause, so that parsing (this stream's or
/// another's) does not sit between the reads of a clump and their stamps.
struct StampedReader {
    /// Time, kind and value of each stamped read not yet taken, from
    /// `next` on.
    reads: Array,
    next: Cell<u32>,
}

impl StampedReader {
    /// Starts reading `reader` at once.
    fn new(reader: ReadableStreamDefaultReader) -> StampedReader {
        // The first reader sets up the waking (see `QuietWakers::new`).
        QUIET.with(|_| ());
        let reads = Array::new();
        stamp_reads(&reader, &reads);
        StampedReader {
            reads,
            next: Cell::new(0),
        }
    }

    /// The next read, with the time it settled.
    fn read(&self) -> impl Future<Output = Settled> + '_ {
        poll_fn(move |cx| {
            let next = self.next.get();
            let length = self.reads.length();
            if next + 3 > length {
                QUIET.with(|quiet| quiet.wait(cx.waker()));
                return Poll::Pending;
            }
            let stamp = self.reads.get(next).as_f64().unwrap_or(f64::NAN) / 1000.0;
            let kind = self.reads.get(next + 1).as_f64();
            let value = self.reads.get(next + 2);
            if next + 3 == length {
                // All taken: start the list afresh rather than let it grow.
                self.reads.set_length(0);
                self.next.set(0);
            } else {
                self.next.set(next + 3);
            }
            let result = match kind {
                Some(0.0) => Ok(Some(value)),
                Some(1.0) => Ok(None),
                _ => Err(value),
            };
            Poll::Ready((stamp, result))
        })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::measure::Clock;
    use std::time::Duration;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    /// A waker that counts its wakes.
    struct Count(std::sync::atomic::AtomicU32);

    impl Count {
        fn get(&self) -> u32 {
            self.0.load(std::sync::atomic::Ordering::Relaxed)
        }
    }

    impl std::task::Wake for Count {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    fn counting() -> (std::sync::Arc<Count>, Waker) {
        let count = std::sync::Arc::new(Count(0.into()));
        (count.clone(), Waker::from(count))
    }

    /// Load `stamp.js` into this page, as the worker's loader does.
    pub(in crate::measure) fn load_stamp_js() {
        let global = js_sys::global();
        let loaded = js_sys::Reflect::get(&global, &"etalonStamp".into())
            .is_ok_and(|stamp| !stamp.is_undefined());
        if !loaded {
            js_sys::eval(include_str!("stamp.js")).expect("stamp.js runs");
        }
    }

    /// `etalonStamp.settled(t)`: as if a read had settled at `t` seconds.
    fn settled_at(t: f64) {
        let stamp = js_sys::Reflect::get(&js_sys::global(), &"etalonStamp".into()).unwrap();
        let settled: js_sys::Function = js_sys::Reflect::get(&stamp, &"settled".into())
            .unwrap()
            .unchecked_into();
        settled.call1(&stamp, &(t * 1000.0).into()).unwrap();
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

    #[wasm_bindgen_test]
    async fn reads_are_parsed_once_a_clump_is_over() {
        load_stamp_js();
        let clock = Clock::here();
        let (first, first_waker) = counting();
        let (second, second_waker) = counting();
        QUIET.with(|quiet| {
            quiet.wait(&first_waker);
            quiet.wait(&second_waker);
        });
        settled_at(clock.now());
        settled_at(clock.now());
        // Not in the task that stamped them.
        assert_eq!((first.get(), second.get()), (0, 0));
        gloo_timers::future::sleep(Duration::from_millis(20)).await;
        assert_eq!((first.get(), second.get()), (1, 1));
    }

    #[wasm_bindgen_test]
    async fn reads_that_never_pause_are_still_parsed_within_a_few_ms() {
        load_stamp_js();
        let clock = Clock::here();
        let (woken, waker) = counting();
        QUIET.with(|quiet| quiet.wait(&waker));
        let start = clock.now();
        settled_at(start);
        // A read settling every 0.2 ms: never a quiet millisecond.
        while woken.get() == 0 && clock.now() - start < 0.05 {
            settled_at(clock.now());
            let pause = clock.now();
            while clock.now() - pause < 0.0002 {}
            // Let the timer's task run.
            gloo_timers::future::sleep(Duration::ZERO).await;
        }
        let waited = clock.now() - start;
        assert_eq!(woken.get(), 1);
        assert!(waited < 0.004 + 0.01, "woken after {waited} s");
    }

    #[wasm_bindgen_test]
    async fn every_read_of_a_body_comes_in_order_and_the_reading_stops_at_its_end() {
        load_stamp_js();
        let reader = StampedReader::new(body(&["da", "ta: ", "one"], "close"));
        let mut text = Vec::new();
        let mut stamps = Vec::new();
        let mut buffer = vec![7; 100];
        loop {
            let (stamp, read) = reader.read().await;
            stamps.push(stamp);
            let Some(bytes) = read.unwrap() else {
                break;
            };
            copy_out(bytes.unchecked_ref(), &mut buffer);
            text.extend(&buffer);
        }
        assert_eq!(String::from_utf8(text).unwrap(), "data: one");
        assert_eq!(stamps.len(), 4);
        assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{stamps:?}");
        // Stamped on this page's clock, in seconds.
        let now = Clock::here().now();
        assert!(stamps.iter().all(|&s| s > 0.0 && s <= now), "{stamps:?}");
        // Everything was taken, and the list started afresh.
        assert_eq!(reader.reads.length(), 0);
    }

    #[wasm_bindgen_test]
    async fn a_body_that_fails_gives_its_reads_then_the_failure() {
        load_stamp_js();
        let reader = StampedReader::new(body(&["data: one"], "error"));
        let (_, first) = reader.read().await;
        assert!(matches!(first, Ok(Some(_))));
        let (_, second) = reader.read().await;
        let error = second.expect_err("the body failed");
        assert!(
            format!("{error:?}").contains("connection reset"),
            "{error:?}"
        );
    }

    #[wasm_bindgen_test]
    fn bytes_are_copied_whole_into_a_buffer_of_any_size_and_after_memory_grows() {
        let bytes = Uint8Array::from(&b"data: {\"x\": 1}\n\n"[..]);
        let mut buffer = Vec::new();
        copy_out(&bytes, &mut buffer);
        assert_eq!(buffer, b"data: {\"x\": 1}\n\n");
        // Grow the memory: the lasting view is detached and made again.
        let size = || {
            wasm_bindgen::memory()
                .unchecked_into::<js_sys::WebAssembly::Memory>()
                .buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length()
        };
        let before = size();
        let mut grown: Vec<Vec<u8>> = Vec::new();
        while size() == before {
            grown.push(vec![1; 1 << 20]);
        }
        copy_out(&Uint8Array::from(&b"ab"[..]), &mut buffer);
        assert_eq!(buffer, b"ab");
        copy_out(&Uint8Array::new_with_length(0), &mut buffer);
        assert!(buffer.is_empty());
        drop(grown);
    }
}
