//! The measurement worker: runs in a dedicated Web Worker so that nothing the
//! page does (rendering, reactive updates, GC) delays the read that
//! timestamps a token. It takes a [`RunOrder`](etalon_core::wire::messages::RunOrder),
//! sends the requests on schedule, stamps every network read with the
//! worker's `performance.now()`, lets `etalon-core`'s `StreamRecorder` turn
//! reads into records, and posts batched progress to the page.
//!
//! Its modules, each importing only those below it: [`warm`] (warm-up and
//! rehearsal) and [`run`] (a run's schedule), then `request` (one request),
//! `body` (reading its body), `read` (one read into the recorder), `shared`
//! (what a run's requests share), `simulated` (the run's `sim://` servers),
//! `page` (what is posted to the page), and at the bottom `clock` and `net`.

mod body;
mod clock;
mod net;
mod page;
mod read;
mod request;
mod run;
mod shared;
mod simulated;
mod warm;

use etalon_core::wire::messages::{PageMessage, WorkerMessage, PROTOCOL_VERSION};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use clock::Clock;
use page::{environment, post};

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
