//! Whether a run asks for more streams to one host than a browser will
//! open: over HTTP/1.1 a browser keeps at most 6 connections per host, and
//! each streaming request holds one for its whole length.

use super::{Arrivals, WorkloadConfig};
use crate::wire::openai::urls::simulated_name;

/// Connections a browser opens to one host over HTTP/1.1.
pub const HTTP1_CONNECTIONS_PER_HOST: u32 = 6;

/// The most requests a run can have under way at once, if that is known
/// before it runs: the concurrency cap (or the request count, if smaller),
/// or for all-at-once arrivals the request count. Without a cap, other
/// arrivals overlap as much as the server is slow, which is unknown: None.
pub fn peak_concurrency(config: &WorkloadConfig) -> Option<u32> {
    let count = match &config.arrivals {
        Arrivals::Replay { arrival_times, .. } => {
            Some(config.stop_after_requests.map_or(arrival_times.len(), |n| {
                (n as usize).min(arrival_times.len())
            }) as u32)
        }
        _ => config.stop_after_requests,
    };
    match (config.concurrency, &config.arrivals, count) {
        (Some(cap), _, Some(count)) => Some(cap.min(count)),
        (Some(cap), _, None) => Some(cap),
        (None, Arrivals::AllAtOnce, count) => count,
        (None, _, _) => None,
    }
}

/// A warning to show before a run that may want more than 6 streams at
/// once to one host, saying why it matters; None when the run stays within
/// 6, or its server is simulated in the page (it needs no connection).
pub fn concurrency_warning(config: &WorkloadConfig, endpoint_url: &str) -> Option<String> {
    if simulated_name(endpoint_url).is_some() {
        return None;
    }
    let limit = HTTP1_CONNECTIONS_PER_HOST;
    let asked = match peak_concurrency(config) {
        Some(peak) if peak <= limit => return None,
        Some(peak) => format!("This run asks for up to {peak} requests under way at once"),
        None => "This run sets no concurrency cap, so requests pile up whenever the server falls \
                 behind the arrivals"
            .into(),
    };
    let https = endpoint_url
        .trim_start()
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"));
    let (consequence, advice) = if https {
        (
            format!(
                "If this server speaks only HTTP/1.1, it will see at most {limit} streams at once \
                 and the rest wait in the browser for a free connection; over HTTP/2, which \
                 browsers use only on https, many streams share one connection and the limit does \
                 not apply (each request's protocol is recorded)."
            ),
            format!("If the server speaks only HTTP/1.1, set a concurrency of {limit} or less."),
        )
    } else {
        (
            format!(
                "A plain http:// server is always reached over HTTP/1.1, so it will see at most \
                 {limit} streams at once and the rest wait in the browser for a free connection."
            ),
            format!(
                "Set a concurrency of {limit} or less, or serve the endpoint over https with HTTP/2."
            ),
        )
    };
    Some(format!(
        "{asked}, but a browser opens at most {limit} connections to one host over HTTP/1.1, and a \
         streaming request holds its connection until its last token. {consequence} Time waiting \
         there is recorded as queued in the browser, not as server latency, but the server does \
         not get the load asked for. {advice}"
    ))
}
