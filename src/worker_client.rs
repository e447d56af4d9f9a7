//! The page's side of the measurement worker: starts it, sends it orders,
//! and hands each of its messages to a callback. Messages sent before the
//! worker is ready wait in a queue (a wasm worker drops early messages).

use std::cell::RefCell;
use std::rc::Rc;

use etalon_core::wire::messages::{PageMessage, WorkerMessage, REHEARSAL_RUN_ID};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

/// Where Trunk puts the worker's loader (see index.html).
const LOADER_URL: &str = "./measure-loader.js";

struct Inner {
    worker: Worker,
    ready: bool,
    queue: Vec<String>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

/// A running measurement worker.
#[derive(Clone)]
pub struct MeasureWorker {
    inner: Rc<RefCell<Option<Inner>>>,
}

impl MeasureWorker {
    /// Start the worker; `on_message` gets every message it posts.
    pub fn start(on_message: impl Fn(WorkerMessage) + 'static) -> Result<MeasureWorker, String> {
        let worker = Worker::new(LOADER_URL)
            .map_err(|e| format!("The measurement worker could not start: {e:?}"))?;
        let inner: Rc<RefCell<Option<Inner>>> = Rc::new(RefCell::new(None));
        let weak = Rc::downgrade(&inner);
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
        *inner.borrow_mut() = Some(Inner {
            worker,
            ready: false,
            queue: Vec::new(),
            _on_message: handler,
        });
        Ok(MeasureWorker { inner })
    }

    /// Send an order (queued until the worker is ready).
    pub fn send(&self, message: &PageMessage) {
        let text = serde_json::to_string(message).expect("page messages serialize");
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
