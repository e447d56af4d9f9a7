//! One request, measured: hand it to `fetch` (or, for a `sim://` address,
//! to the run's simulated server), have every read of the body stamped
//! with the worker's clock (see [`body`](super::body)), and let the core's
//! `StreamRecorder` build the record. Ends in a record whatever happens:
//! answer, error, timeout or stop.

use std::cell::RefCell;
use std::rc::Rc;

use etalon_core::observe::failure;
use etalon_core::observe::stream::StreamRecorder;
use etalon_core::recording::RequestRecord;
use etalon_core::wire::messages::{Endpoint, PlannedRequest, RequestState};
use etalon_core::wire::openai::urls::simulated_name;
use futures::future::{select, Either};
use futures::FutureExt;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use super::shared::RunShared;
use super::{body, net};

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
    let recorder = Rc::new(RefCell::new(recorder));
    shared
        .outbox
        .borrow_mut()
        .progress(planned.id, RequestState::Sent, 0);
    let url = planned.url.as_deref().unwrap_or(&endpoint.url);
    let fetch = if simulated_name(url).is_some() {
        let at = sent - shared.started;
        shared
            .simulated
            .fetch(url, &planned, at, &controller.signal())
    } else {
        net::scope().fetch_with_str_and_init(url, &init)
    };

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
    } else if recorder.borrow().reading_done() {
        // The recorder wants no more of the body: cancel it, so that the
        // server's bytes stop coming.
        controller.abort();
    }
    // The exchange, and with it the body's reading, is over: take what the
    // recorder holds.
    let recorder = recorder.replace(StreamRecorder::new(planned.id, planned.at, 0.0));
    let mut record = recorder.finish();
    if record.protocol.is_none() {
        record.protocol = net::protocol_of(url);
    }
    record
}

/// Await the response and read its body to the end, stamping each read.
async fn read_response(
    shared: &Rc<RunShared>,
    url: &str,
    fetch: js_sys::Promise,
    sent: f64,
    recorder: &Rc<RefCell<StreamRecorder>>,
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
    let recipient = body::Recipient {
        recorder: recorder.clone(),
        shared: shared.clone(),
        id,
        live,
        sent,
    };
    let (_reading, ended) = body::read(body.get_reader().unchecked_into(), recipient);
    // The drain records every read, and the end; dropping `_reading` (here,
    // or when a timeout or stop drops this future) stops it.
    let _ = ended.await;
}
