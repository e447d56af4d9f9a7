//! One request, measured: hand it to `fetch`, stamp every read of the body
//! with the worker's clock, and let the core's `StreamRecorder` build the
//! record. Ends in a record whatever happens: answer, error, timeout or stop.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use etalon_core::failure;
use etalon_core::messages::{Endpoint, PlannedRequest, RequestState};
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
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut buffer = Vec::new();
    // The time of each read is taken by a reaction attached to the read's
    // promise, which runs as soon as the promise settles; the awaiting
    // task only runs after the futures queue has polled every task woken
    // in the same turn, so a read of another stream settling at the same
    // moment would otherwise be parsed first and this stamp come late.
    loop {
        let promise = reader.read();
        let stamp = stamp_when_settled(&promise, clock);
        let read = JsFuture::from(promise).await;
        let at = stamp.get().unwrap_or_else(|| clock.now()) - sent;
        let result = match read {
            Ok(result) => result,
            Err(_) => {
                let mut recorder = recorder.borrow_mut();
                let tokens = recorder.record().counted_output_tokens();
                recorder.on_failure(at, failure::connection_lost(tokens));
                return;
            }
        };
        if Reflect::get(&result, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            == Some(true)
        {
            recorder.borrow_mut().on_end(at);
            return;
        }
        let Ok(value) = Reflect::get(&result, &"value".into()) else {
            continue;
        };
        let bytes: Uint8Array = value.unchecked_into();
        buffer.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut buffer);
        let mut recorder = recorder.borrow_mut();
        let outcome = recorder.on_read(at, &buffer);
        if outcome.output_tokens > 0 {
            let tokens = recorder.record().counted_output_tokens();
            let mut outbox = shared.outbox.borrow_mut();
            outbox.progress(id, RequestState::Streaming, tokens);
            if live {
                if let Some(text) = recorder.take_new_text().filter(|t| !t.is_empty()) {
                    outbox.live_text(at, text.answer);
                }
            }
        }
    }
}

/// The clock's time when `promise` settles, read by a reaction of its own
/// (a one-shot closure that frees itself once called; a read abandoned
/// with its request leaves one small closure behind).
fn stamp_when_settled(
    promise: &js_sys::Promise,
    clock: &super::clock::Clock,
) -> Rc<Cell<Option<f64>>> {
    let stamp = Rc::new(Cell::new(None));
    let (at, clock) = (stamp.clone(), clock.clone());
    let reaction: js_sys::Function =
        Closure::once_into_js(move |_: JsValue| at.set(Some(clock.now()))).unchecked_into();
    let then: Option<js_sys::Function> = Reflect::get(promise, &"then".into())
        .ok()
        .and_then(|f| f.dyn_into().ok());
    if let Some(then) = then {
        let _ = then.call2(promise, &reaction, &reaction);
    }
    stamp
}
