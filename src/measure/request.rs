//! One request, measured: hand it to `fetch`, have every read of the body
//! stamped with the worker's clock (see [`body`](super::body)), and let the
//! core's `StreamRecorder` build the record. Ends in a record whatever
//! happens: answer, error, timeout or stop.

use std::cell::RefCell;
use std::rc::Rc;

use etalon_core::observe::failure;
use etalon_core::observe::stream::StreamRecorder;
use etalon_core::recording::RequestRecord;
use etalon_core::wire::messages::{Endpoint, Outbox, PlannedRequest, RequestState};
use futures::future::{select, Either};
use futures::FutureExt;
use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use super::run::RunShared;
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

/// One read's bytes, stamped `at`, into request `id`'s recorder, and its
/// progress (and new text, when the page shows this request's text `live`)
/// into the outbox. The drain of measured bodies and the worker's warm-up
/// both run it.
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

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
