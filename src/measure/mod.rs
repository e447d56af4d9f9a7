//! The measurement worker: runs in a dedicated Web Worker so that nothing the
//! page does (rendering, reactive updates, GC) delays the read that
//! timestamps a token. It takes a [`RunOrder`](etalon_core::wire::messages::RunOrder),
//! sends the requests on schedule, stamps every network read with the
//! worker's `performance.now()`, lets `etalon-core`'s `StreamRecorder` turn
//! reads into records, and posts batched progress to the page.

mod body;
mod clock;
mod net;
mod request;
mod run;
mod warm;

pub use clock::Clock;

use etalon_core::recording::Environment;
use etalon_core::wire::messages::{PageMessage, WorkerMessage, PROTOCOL_VERSION};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Post one message to the page, as a JSON string.
pub(crate) fn post(message: &WorkerMessage) {
    post_text(&message.to_json());
}

/// Post a message's JSON text to the page.
pub(crate) fn post_text(text: &str) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    // A failed post means the page is gone: nothing left to tell.
    let _ = scope.post_message(&JsValue::from_str(text));
}

/// What this worker's browser and clock are.
pub fn environment(clock: &Clock) -> Environment {
    let global = js_sys::global();
    let user_agent = js_sys::Reflect::get(&global, &"navigator".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"userAgent".into()))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let cross_origin_isolated = js_sys::Reflect::get(&global, &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    Environment {
        user_agent,
        timer_resolution: Some(clock.resolution()),
        cross_origin_isolated,
        hidden_intervals: Vec::new(),
    }
}

/// Entry point of the worker: listen to the page, warm the hot path up and
/// rehearse a run (see [`warm`]), then say we are ready. The page sends no
/// order before that.
pub fn start_worker() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let runs = run::Runs::default();
    let rehearsing = runs.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(text) = event.data().as_string() else {
            return;
        };
        match serde_json::from_str::<PageMessage>(&text) {
            Ok(PageMessage::Run(order)) => runs.start(order),
            Ok(PageMessage::Stop { run_id }) => runs.stop(run_id),
            Err(e) => {
                web_sys::console::error_1(&format!("measurement worker: bad message: {e}").into())
            }
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let clock = Clock::here();
    warm::warm_up(&clock);
    wasm_bindgen_futures::spawn_local(async move {
        warm::rehearse(rehearsing).await;
        post(&WorkerMessage::Ready {
            protocol: PROTOCOL_VERSION,
            environment: environment(&clock),
        });
    });
}
