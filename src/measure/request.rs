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
            Ok(result) => result,
            Err(_) => {
                let mut recorder = recorder.borrow_mut();
                let tokens = recorder.tokens_received();
                recorder.on_failure(at, failure::connection_lost(tokens));
                return;
            }
        };
        if Reflect::get(&result, &reader.done_key)
            .ok()
            .and_then(|d| d.as_bool())
            == Some(true)
        {
            recorder.borrow_mut().on_end(at);
            return;
        }
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
/// and the read's result.
type Settled = (f64, Result<JsValue, JsValue>);

/// The shared state of a [`StampedReader`] and its two reactions.
struct ReadSlot {
    clock: Clock,
    settled: Cell<Option<Settled>>,
    waker: Cell<Option<Waker>>,
}

impl ReadSlot {
    fn settle(&self, result: Result<JsValue, JsValue>) {
        self.settled.set(Some((self.clock.now(), result)));
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

/// A body reader that stamps each read with the clock the moment its
/// promise settles, in a reaction of its own: the awaiting task only runs
/// after the futures queue has polled every task woken in the same turn, so
/// a read of another stream settling at the same moment would otherwise be
/// parsed first and this stamp come late.
///
/// The two reactions are made once per request and attached to every read,
/// so a read allocates no closure (a `JsFuture` plus a stamping reaction
/// made three per read, and garbage for the worker's collector).
struct StampedReader {
    reader: ReadableStreamDefaultReader,
    slot: Rc<ReadSlot>,
    on_value: Closure<dyn FnMut(JsValue)>,
    on_error: Closure<dyn FnMut(JsValue)>,
    /// A read is under way: its reactions must outlive this reader.
    pending: Cell<bool>,
    /// Property names of a read's result, made once.
    done_key: JsValue,
    value_key: JsValue,
}

impl StampedReader {
    fn new(reader: ReadableStreamDefaultReader, clock: Clock) -> StampedReader {
        let slot = Rc::new(ReadSlot {
            clock,
            settled: Cell::new(None),
            waker: Cell::new(None),
        });
        let (on_value_slot, on_error_slot) = (slot.clone(), slot.clone());
        StampedReader {
            reader,
            on_value: Closure::new(move |result| on_value_slot.settle(Ok(result))),
            on_error: Closure::new(move |error| on_error_slot.settle(Err(error))),
            slot,
            pending: Cell::new(false),
            done_key: JsValue::from_str("done"),
            value_key: JsValue::from_str("value"),
        }
    }

    /// The next read, with the time it settled.
    fn read(&self) -> impl Future<Output = Settled> + '_ {
        self.pending.set(true);
        let _ = self.reader.read().then2(&self.on_value, &self.on_error);
        poll_fn(move |cx| match self.slot.settled.take() {
            Some(settled) => {
                self.pending.set(false);
                Poll::Ready(settled)
            }
            None => {
                self.slot.waker.set(Some(cx.waker().clone()));
                Poll::Pending
            }
        })
    }
}

impl Drop for StampedReader {
    fn drop(&mut self) {
        // A request cut short leaves its read pending; when the abort
        // settles it, the reactions must still be there to be called. They
        // are two small closures, left behind once per cut request.
        if self.pending.get() {
            let (noop_value, noop_error) =
                (Closure::new(|_: JsValue| {}), Closure::new(|_: JsValue| {}));
            std::mem::replace(&mut self.on_value, noop_value).forget();
            std::mem::replace(&mut self.on_error, noop_error).forget();
        }
    }
}
