//! A small scripting hook for tests and automation: `window.etalonRun(order)`
//! takes a run order (JSON text, as in `etalon_core::wire::messages::RunOrder`),
//! carries it out in the measurement worker exactly as the app does, and
//! resolves with the recording (JSON text). It sends nothing by itself: only
//! a script on the page, such as a WebDriver test, can call it.
//!
//! Under automation the hook starts its measurement worker when the page
//! loads (elsewhere on first use) and keeps it for every run, as the app's
//! runner does: a worker started for each run
//! would measure that run's first streams while its WebAssembly is still
//! being compiled and warmed up (see `measure::warm`). `window.etalonReady`
//! turns true once the worker has warmed up. Each run gets a run id of the
//! hook's own, so runs may overlap; a run ends when the worker says so,
//! after every request of it has ended.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use etalon_core::recording::{Environment, Recording, RECORDING_VERSION};
use etalon_core::wire::messages::{PageMessage, RunOrder, WorkerMessage};
use futures::channel::oneshot;
use wasm_bindgen::prelude::*;

use crate::browser::under_automation;
use crate::worker_client::MeasureWorker;

/// A run under way: its recording so far, and who waits for it.
struct Pending {
    recording: Recording,
    done: oneshot::Sender<Recording>,
}

/// The hook's worker and the runs it carries out.
struct Hook {
    worker: MeasureWorker,
    next_run_id: Cell<u64>,
    pending: Rc<RefCell<HashMap<u64, Pending>>>,
}

thread_local! {
    static HOOK: RefCell<Option<Rc<Hook>>> = const { RefCell::new(None) };
}

/// Put `etalonRun` on `window` and start its worker.
pub fn install() {
    let hook = Closure::<dyn Fn(String) -> js_sys::Promise>::new(etalon_run);
    let _ = js_sys::Reflect::set(&js_sys::global(), &"etalonRun".into(), hook.as_ref());
    hook.forget();
    // Only a page driven by automation (WebDriver sets `navigator.webdriver`)
    // starts the hook's worker ahead of use; a user's page never calls the
    // hook and should not pay for a second worker and its warm-up.
    if under_automation() {
        if let Err(e) = hook_worker() {
            web_sys::console::error_1(&e.into());
        }
    }
}

/// The hook's worker, started on first use.
fn hook_worker() -> Result<Rc<Hook>, String> {
    if let Some(hook) = HOOK.with(|h| h.borrow().clone()) {
        return Ok(hook);
    }
    let pending: Rc<RefCell<HashMap<u64, Pending>>> = Rc::default();
    let environment = Rc::new(RefCell::new(Environment::default()));
    let sink = pending.clone();
    let worker = MeasureWorker::start(move |message| match message {
        WorkerMessage::Ready {
            environment: env, ..
        } => {
            *environment.borrow_mut() = env;
            let _ = js_sys::Reflect::set(&js_sys::global(), &"etalonReady".into(), &true.into());
        }
        WorkerMessage::Batch {
            run_id,
            started_at_unix_ms,
            records,
            ..
        } => {
            if let Some(run) = sink.borrow_mut().get_mut(&run_id) {
                run.recording.started_at_unix_ms = started_at_unix_ms;
                run.recording.requests.extend(records);
            }
        }
        WorkerMessage::Finished { run_id, .. } => {
            if let Some(mut run) = sink.borrow_mut().remove(&run_id) {
                run.recording.environment = environment.borrow().clone();
                let _ = run.done.send(run.recording);
            }
        }
    })?;
    let hook = Rc::new(Hook {
        worker,
        next_run_id: Cell::new(1),
        pending,
    });
    HOOK.with(|h| *h.borrow_mut() = Some(hook.clone()));
    Ok(hook)
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

async fn run(mut order: RunOrder) -> Result<Recording, String> {
    let hook = hook_worker()?;
    order.run_id = hook.next_run_id.get();
    hook.next_run_id.set(order.run_id + 1);
    let (done_sender, done) = oneshot::channel();
    hook.pending.borrow_mut().insert(
        order.run_id,
        Pending {
            recording: Recording {
                version: RECORDING_VERSION,
                started_at_unix_ms: 0.0,
                config: serde_json::json!({ "endpoint": order.endpoint.url }),
                environment: Environment::default(),
                requests: Vec::new(),
            },
            done: done_sender,
        },
    );
    hook.worker.send(&PageMessage::Run(order));
    let mut recording = done
        .await
        .map_err(|_| "The measurement worker stopped before the run ended.".to_string())?;
    recording.requests.sort_by_key(|r| r.id);
    Ok(recording)
}
