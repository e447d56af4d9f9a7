//! One read of a body, into its request's recorder and the run's outbox.
//! The drain of measured bodies and the worker's warm-up both run it.

use std::cell::RefCell;

use etalon_core::observe::stream::StreamRecorder;
use etalon_core::wire::messages::{Outbox, RequestState};
use js_sys::Uint8Array;
use wasm_bindgen::JsCast;

/// One read's bytes, stamped `at`, into request `id`'s recorder, and its
/// progress (and new text, when the page shows this request's text `live`)
/// into the outbox. The drain of measured bodies and the worker's warm-up
/// both run it.
pub fn take_read(
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
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

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
