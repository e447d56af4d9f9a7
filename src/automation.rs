//! A small scripting hook for tests and automation: `window.etalonRun(order)`
//! takes a run order (JSON text, as in `etalon_core::messages::RunOrder`),
//! carries it out in the measurement worker exactly as the app does, and
//! resolves with the recording (JSON text). It sends nothing by itself: only
//! a script on the page, such as a WebDriver test, can call it.

use std::cell::RefCell;
use std::rc::Rc;

use etalon_core::messages::{PageMessage, RunOrder, WorkerMessage};
use etalon_core::recording::{Environment, Recording, RECORDING_VERSION};
use wasm_bindgen::prelude::*;

use crate::worker_client::MeasureWorker;

/// Put `etalonRun` on `window`.
pub fn install() {
    let hook = Closure::<dyn Fn(String) -> js_sys::Promise>::new(etalon_run);
    let _ = js_sys::Reflect::set(&js_sys::global(), &"etalonRun".into(), hook.as_ref());
    hook.forget();
}

/// Carry out `order_json` and resolve with the recording's JSON.
pub fn etalon_run(order_json: String) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let order: RunOrder = serde_json::from_str(&order_json)
            .map_err(|e| JsValue::from_str(&format!("The run order is not valid: {e}")))?;
        let recording = run(order).await.map_err(|e| JsValue::from_str(&e))?;
        Ok(JsValue::from_str(
            &serde_json::to_string(&recording).expect("recordings serialize"),
        ))
    })
}

async fn run(order: RunOrder) -> Result<Recording, String> {
    let (done_sender, done) = futures::channel::oneshot::channel::<()>();
    let done_sender = RefCell::new(Some(done_sender));
    let recording = Rc::new(RefCell::new(Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 0.0,
        config: serde_json::json!({ "endpoint": order.endpoint.url }),
        environment: Environment::default(),
        requests: Vec::new(),
    }));
    let sink = recording.clone();
    let run_id = order.run_id;
    let worker = MeasureWorker::start(move |message| match message {
        WorkerMessage::Ready { environment, .. } => sink.borrow_mut().environment = environment,
        WorkerMessage::Batch {
            run_id: id,
            started_at_unix_ms,
            records,
            ..
        } if id == run_id => {
            let mut recording = sink.borrow_mut();
            recording.started_at_unix_ms = started_at_unix_ms;
            recording.requests.extend(records);
        }
        WorkerMessage::Finished { run_id: id, .. } if id == run_id => {
            if let Some(sender) = done_sender.borrow_mut().take() {
                let _ = sender.send(());
            }
        }
        _ => {}
    })?;
    worker.send(&PageMessage::Run(order));
    let _ = done.await;
    worker.terminate();
    let mut recording = recording.borrow().clone();
    recording.requests.sort_by_key(|r| r.id);
    Ok(recording)
}
