//! The page's side of the measurement worker: starts it, sends it orders,
//! and hands each of its messages to a callback. Messages sent before the
//! worker is ready wait in a queue (a wasm worker drops early messages).
//! A worker that fails (a wasm trap is an uncaught error in it) is ended and
//! reported once; the next order starts a fresh one.

use std::cell::RefCell;
use std::rc::Rc;

use etalon_core::wire::messages::{PageMessage, WorkerMessage, REHEARSAL_RUN_ID};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// The worker's loader, which Trunk puts beside the app (see index.html).
fn loader_url() -> String {
    format!("{}measure-loader.js", crate::browser::app_root())
}

struct Inner {
    worker: Worker,
    ready: bool,
    queue: Vec<String>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

type OnMessage = Rc<dyn Fn(WorkerMessage)>;
type OnFailure = Rc<RefCell<Option<Box<dyn Fn(String)>>>>;

/// A running measurement worker.
#[derive(Clone)]
pub struct MeasureWorker {
    inner: Rc<RefCell<Option<Inner>>>,
    on_message: OnMessage,
    on_failure: OnFailure,
}

impl MeasureWorker {
    /// Start the worker; `on_message` gets every message it posts.
    pub fn start(on_message: impl Fn(WorkerMessage) + 'static) -> Result<MeasureWorker, String> {
        let worker = MeasureWorker {
            inner: Rc::new(RefCell::new(None)),
            on_message: Rc::new(on_message),
            on_failure: Rc::default(),
        };
        worker.spawn()?;
        Ok(worker)
    }

    /// Call `on_failure` with a sentence when the worker fails; it is ended
    /// then, and the next [`send`](Self::send) starts a new one.
    pub fn on_failure(&self, on_failure: impl Fn(String) + 'static) {
        *self.on_failure.borrow_mut() = Some(Box::new(on_failure));
    }

    fn spawn(&self) -> Result<(), String> {
        let worker = Worker::new(&loader_url())
            .map_err(|e| format!("The measurement worker could not start: {e:?}"))?;
        let inner = self.inner.clone();
        let weak = Rc::downgrade(&inner);
        let on_message = self.on_message.clone();
        let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            let message = match WorkerMessage::from_json(&text) {
                Ok(message) => message,
                Err(e) => {
                    web_sys::console::error_1(&format!("bad message from the worker: {e}").into());
                    return;
                }
            };
            // The worker's rehearsal: parsed (which is its point), not kept.
            if message.run_id() == Some(REHEARSAL_RUN_ID) {
                return;
            }
            if let (WorkerMessage::Ready { .. }, Some(inner)) = (&message, weak.upgrade()) {
                if let Some(inner) = inner.borrow_mut().as_mut() {
                    inner.ready = true;
                    for queued in inner.queue.drain(..) {
                        let _ = inner.worker.post_message(&JsValue::from_str(&queued));
                    }
                }
            }
            on_message(message);
        });
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        let (dead, on_failure) = (Rc::downgrade(&inner), self.on_failure.clone());
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            // Ended once; a second error of the same worker says no more.
            let Some(ended) = dead.upgrade().and_then(|inner| inner.borrow_mut().take()) else {
                return;
            };
            ended.worker.terminate();
            // Dropped after this handler returns, not while it runs.
            wasm_bindgen_futures::spawn_local(async move { drop(ended) });
            let detail = event.message();
            web_sys::console::error_1(&format!("the measurement worker failed: {detail}").into());
            if let Some(report) = on_failure.borrow().as_ref() {
                report(format!(
                    "The measurement stopped unexpectedly ({}).",
                    detail.trim_end_matches('.')
                ));
            }
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *inner.borrow_mut() = Some(Inner {
            worker,
            ready: false,
            queue: Vec::new(),
            _on_message: handler,
            _on_error: on_error,
        });
        Ok(())
    }

    /// Send an order (queued until the worker is ready); after a failure, a
    /// new worker is started for it.
    pub fn send(&self, message: &PageMessage) {
        let text = serde_json::to_string(message).expect("page messages serialize");
        if self.inner.borrow().is_none() {
            if let Err(e) = self.spawn() {
                web_sys::console::error_1(&e.into());
                return;
            }
        }
        if let Some(inner) = self.inner.borrow_mut().as_mut() {
            if inner.ready {
                let _ = inner.worker.post_message(&JsValue::from_str(&text));
            } else {
                inner.queue.push(text);
            }
        }
    }

    /// End the worker (and every request it has under way).
    pub fn terminate(&self) {
        if let Some(inner) = self.inner.borrow_mut().take() {
            inner.worker.terminate();
        }
    }
}
