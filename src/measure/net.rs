//! Thin wrappers over the worker's fetch: the `no-cors` probe that tells a
//! CORS block from an unreachable server, and the HTTP protocol a response
//! came over (Resource Timing `nextHopProtocol`).

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{PerformanceResourceTiming, RequestInit, RequestMode, WorkerGlobalScope};

pub fn scope() -> WorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Whether the server answers at all when the browser is not asked to let
/// the page read the answer: an opaque answer means it is up, so a failed
/// CORS request was blocked by CORS, not by the network.
pub async fn reachable_without_cors(url: &str) -> bool {
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_mode(RequestMode::NoCors);
    JsFuture::from(scope().fetch_with_str_and_init(url, &init))
        .await
        .is_ok()
}

/// The origin of this worker's page (`location.origin`).
pub fn page_origin() -> Option<String> {
    Some(scope().location().origin())
}

/// The protocol of the latest finished fetch of `url`, when the browser
/// tells it ("http/1.1", "h2", "h3").
pub fn protocol_of(url: &str) -> Option<String> {
    let performance = crate::browser::performance()?;
    let entries = performance.get_entries_by_name_with_entry_type(url, "resource");
    let last = entries.get(entries.length().checked_sub(1)?);
    let protocol = last
        .dyn_into::<PerformanceResourceTiming>()
        .ok()?
        .next_hop_protocol();
    (!protocol.is_empty()).then_some(protocol)
}

/// Make room for one Resource Timing entry per request of a long run.
pub fn prepare_resource_timing(requests: usize) {
    if let Some(performance) = crate::browser::performance() {
        performance.clear_resource_timings();
        performance.set_resource_timing_buffer_size((requests as u32).saturating_mul(2).max(250));
    }
}
