//! One request, measured: hand it to `fetch`, stamp every read of the body
//! with the worker's clock, and let the core's `StreamRecorder` build the
//! record. Ends in a record whatever happens: answer, error, timeout or stop.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::task::{Poll, Waker};

use etalon_core::failure;
use etalon_core::messages::{Endpoint, Outbox, PlannedRequest, RequestState};
use etalon_core::recording::RequestRecord;
use etalon_core::stream::StreamRecorder;
use futures::future::{select, Either};
use futures::FutureExt;
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, ReadableStreamDefaultReader, RequestInit, Response};

use super::net;
use super::run::RunShared;
use super::Clock;

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
    let reader = StampedReader::new(body.get_reader().unchecked_into(), clock.clone());
    let mut buffer = Vec::new();
    loop {
        let (stamp, read) = reader.read().await;
        let at = stamp - sent;
        let result = match read {
            Ok(Some(result)) => result,
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
        let Ok(value) = Reflect::get(&result, &reader.value_key) else {
            continue;
        };
        let bytes: Uint8Array = value.unchecked_into();
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
    // The copy out of the body's bytes.
    buffer.resize(bytes.length() as usize, 0);
    bytes.copy_to(buffer);
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

/// What a settled read left for its task: the clock's time at settling,
/// and the read's result (`None` when the body has ended).
type Settled = (f64, Result<Option<JsValue>, JsValue>);

/// The two reactions attached to every read of one body.
type Reactions = (Closure<dyn FnMut(JsValue)>, Closure<dyn FnMut(JsValue)>);

/// The shared state of a [`StampedReader`] and its two reactions.
struct ReadSlot {
    clock: Clock,
    reader: ReadableStreamDefaultReader,
    /// Reads stamped and not yet taken by the request's task, in order.
    settled: RefCell<VecDeque<Settled>>,
    waker: Cell<Option<Waker>>,
    /// Set once made; taken when the reader is dropped.
    reactions: RefCell<Option<Reactions>>,
    /// A read is under way: its reactions must outlive the reader.
    pending: Cell<bool>,
    done_key: JsValue,
}

impl ReadSlot {
    /// Ask the body for its next read.
    fn request(&self) {
        if let Some((on_value, on_error)) = &*self.reactions.borrow() {
            self.pending.set(true);
            let _ = self.reader.read().then2(on_value, on_error);
        }
    }

    fn settle(&self, result: Result<JsValue, JsValue>) {
        let stamp = self.clock.now();
        self.pending.set(false);
        // Whether the body has ended is looked at here, once per read.
        let result = result.map(|result| {
            let done = Reflect::get(&result, &self.done_key)
                .ok()
                .and_then(|d| d.as_bool());
            (done != Some(true)).then_some(result)
        });
        let more = matches!(result, Ok(Some(_)));
        self.settled.borrow_mut().push_back((stamp, result));
        // The next read is under way before this one is parsed, so that
        // its bytes are stamped when they come, however long parsing waits.
        if more {
            self.request();
        }
        if let Some(waker) = self.waker.take() {
            LATER.with(|later| later.wake(waker, stamp));
        }
    }
}

thread_local! {
    static LATER: WakeLater = WakeLater::new();
}

/// A clump of reads is over when no read has settled for this long.
const QUIET_MS: i32 = 1;
/// Parse stamped reads after this long at most, clump or not.
const MOST_WAIT_SECONDS: f64 = 0.004;

/// Wakes the tasks of stamped reads (which parse them) once reads pause.
///
/// Streams that run at the same rate deliver their reads in clumps: 24
/// streams at 50 tokens/s bring about 24 reads within a millisecond or so,
/// every 20 ms, each in a task of its own. A task woken at once parses its
/// read before the worker takes the next task, so the later reads of a
/// clump were stamped only after the earlier ones were parsed, late by a
/// different amount each time. Woken once the clump is over (no read for
/// [`QUIET_MS`], or [`MOST_WAIT_SECONDS`] at most), every read of the clump
/// is stamped as it comes, and the parsing fills the pause that follows.
/// Each body keeps a read under way meanwhile (see [`ReadSlot::settle`]).
struct WakeLater {
    shared: Rc<LaterState>,
    _on_timer: Closure<dyn FnMut()>,
}

struct LaterState {
    clock: Clock,
    wakers: RefCell<Vec<Waker>>,
    /// When the latest read settled, and the first still unparsed.
    latest: Cell<f64>,
    first: Cell<f64>,
    armed: Cell<bool>,
    on_timer: RefCell<Option<js_sys::Function>>,
}

impl LaterState {
    fn arm(&self) {
        let armed = self.on_timer.borrow().as_ref().is_some_and(|on_timer| {
            net::scope()
                .set_timeout_with_callback_and_timeout_and_arguments_0(on_timer, QUIET_MS)
                .is_ok()
        });
        self.armed.set(armed);
        if !armed {
            // No timer to wait for: wake them now.
            self.wake_all();
        }
    }

    fn wake_all(&self) {
        for waker in std::mem::take(&mut *self.wakers.borrow_mut()) {
            waker.wake();
        }
    }

    fn on_timer(&self) {
        let now = self.clock.now();
        let quiet = now - self.latest.get() >= f64::from(QUIET_MS) / 1000.0;
        if quiet || now - self.first.get() >= MOST_WAIT_SECONDS {
            self.armed.set(false);
            self.wake_all();
        } else {
            self.arm();
        }
    }
}

impl WakeLater {
    fn new() -> WakeLater {
        let shared = Rc::new(LaterState {
            clock: Clock::here(),
            wakers: RefCell::default(),
            latest: Cell::new(0.0),
            first: Cell::new(0.0),
            armed: Cell::new(false),
            on_timer: RefCell::new(None),
        });
        let state = shared.clone();
        let on_timer = Closure::<dyn FnMut()>::new(move || state.on_timer());
        *shared.on_timer.borrow_mut() = Some(
            on_timer
                .as_ref()
                .unchecked_ref::<js_sys::Function>()
                .clone(),
        );
        WakeLater {
            shared,
            _on_timer: on_timer,
        }
    }

    /// Wake `waker` once reads pause; `stamp` is when its read settled.
    fn wake(&self, waker: Waker, stamp: f64) {
        let shared = &self.shared;
        if shared.wakers.borrow().is_empty() {
            shared.first.set(stamp);
        }
        shared.wakers.borrow_mut().push(waker);
        shared.latest.set(stamp);
        if !shared.armed.get() {
            shared.arm();
        }
    }
}

/// A body reader that stamps each read with the clock the moment its
/// promise settles, in a reaction of its own, asks for the next read at
/// once, and has the awaiting task woken later (see [`WakeLater`]): so
/// neither parsing this stream nor parsing another delays a stamp.
///
/// The two reactions are made once per request and attached to every read,
/// so a read allocates no closure (a `JsFuture` plus a stamping reaction
/// made three per read, and garbage for the worker's collector).
struct StampedReader {
    slot: Rc<ReadSlot>,
    /// The property name of a read's bytes, made once.
    value_key: JsValue,
}

impl StampedReader {
    /// Starts reading `reader` at once.
    fn new(reader: ReadableStreamDefaultReader, clock: Clock) -> StampedReader {
        let slot = Rc::new(ReadSlot {
            clock,
            reader,
            settled: RefCell::default(),
            waker: Cell::new(None),
            reactions: RefCell::new(None),
            pending: Cell::new(false),
            done_key: JsValue::from_str("done"),
        });
        let (on_value_slot, on_error_slot) = (slot.clone(), slot.clone());
        *slot.reactions.borrow_mut() = Some((
            Closure::new(move |result| on_value_slot.settle(Ok(result))),
            Closure::new(move |error| on_error_slot.settle(Err(error))),
        ));
        slot.request();
        StampedReader {
            slot,
            value_key: JsValue::from_str("value"),
        }
    }

    /// The next read, with the time it settled.
    fn read(&self) -> impl Future<Output = Settled> + '_ {
        poll_fn(move |cx| {
            let next = self.slot.settled.borrow_mut().pop_front();
            match next {
                Some(settled) => Poll::Ready(settled),
                None => {
                    self.slot.waker.set(Some(cx.waker().clone()));
                    Poll::Pending
                }
            }
        })
    }
}

impl Drop for StampedReader {
    fn drop(&mut self) {
        // The reactions hold the slot: taking them ends the cycle. A
        // request cut short leaves its read pending; when the abort settles
        // it, the reactions must still be there to be called, so they are
        // left behind (two small closures, and this slot, per cut request).
        let reactions = self.slot.reactions.borrow_mut().take();
        if let (Some((on_value, on_error)), true) = (reactions, self.slot.pending.get()) {
            on_value.forget();
            on_error.forget();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[wasm_bindgen_test]
    async fn reads_are_parsed_once_a_clump_is_over() {
        let clock = Clock::here();
        let (first, first_waker) = counting();
        let (second, second_waker) = counting();
        LATER.with(|later| later.wake(first_waker, clock.now()));
        LATER.with(|later| later.wake(second_waker, clock.now()));
        // Not in the task that stamped them.
        assert_eq!((first.get(), second.get()), (0, 0));
        gloo_timers::future::sleep(Duration::from_millis(20)).await;
        assert_eq!((first.get(), second.get()), (1, 1));
    }

    #[wasm_bindgen_test]
    async fn reads_that_never_pause_are_still_parsed_within_a_few_ms() {
        let clock = Clock::here();
        let (woken, waker) = counting();
        let start = clock.now();
        LATER.with(|later| later.wake(waker, start));
        // A read settling every 0.2 ms: never a quiet millisecond.
        while woken.get() == 0 && clock.now() - start < 0.05 {
            let (_, other) = counting();
            LATER.with(|later| later.wake(other, clock.now()));
            let pause = clock.now();
            while clock.now() - pause < 0.0002 {}
            // Let the timer's task run.
            gloo_timers::future::sleep(Duration::ZERO).await;
        }
        let waited = clock.now() - start;
        assert_eq!(woken.get(), 1);
        assert!(waited < MOST_WAIT_SECONDS + 0.01, "woken after {waited} s");
    }

    #[wasm_bindgen_test]
    async fn every_read_of_a_body_comes_in_order_and_the_reading_stops_at_its_end() {
        let stream = js_sys::eval(
            "new ReadableStream({ start(c) { for (const t of ['da', 'ta: ', 'one']) \
             c.enqueue(new TextEncoder().encode(t)); c.close(); } })",
        )
        .unwrap();
        let response =
            Response::new_with_opt_readable_stream(Some(stream.unchecked_ref())).unwrap();
        let reader = StampedReader::new(
            response.body().unwrap().get_reader().unchecked_into(),
            Clock::here(),
        );
        let mut text = Vec::new();
        let mut stamps = Vec::new();
        loop {
            let (stamp, read) = reader.read().await;
            stamps.push(stamp);
            let Some(result) = read.unwrap() else {
                break;
            };
            let bytes: Uint8Array = Reflect::get(&result, &reader.value_key)
                .unwrap()
                .unchecked_into();
            text.extend(bytes.to_vec());
        }
        assert_eq!(String::from_utf8(text).unwrap(), "data: one");
        assert_eq!(stamps.len(), 4);
        assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{stamps:?}");
        // Nothing is asked of the body after its end.
        assert!(!reader.slot.pending.get());
        assert!(reader.slot.settled.borrow().is_empty());
    }
}
