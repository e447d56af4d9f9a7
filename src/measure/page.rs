//! What the worker tells the page: its messages, and the browser and clock
//! it measures with.

use etalon_core::recording::Environment;
use etalon_core::wire::messages::WorkerMessage;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::DedicatedWorkerGlobalScope;

use super::clock::Clock;
use crate::browser;

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
    Environment {
        user_agent: browser::user_agent(),
        timer_resolution: Some(clock.resolution()),
        cross_origin_isolated: browser::cross_origin_isolated(),
        hidden_intervals: Vec::new(),
    }
}
