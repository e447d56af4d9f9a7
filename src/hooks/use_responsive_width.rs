//! A chart width that follows the window, so that at phone width text
//! stays legible and fewer ticks are drawn.

use leptos::prelude::*;

/// The window's inner width less the page's side padding (`padding`, CSS
/// pixels), between 280 and `max`; pass it as a chart's `width`.
pub fn use_responsive_width(max: f64, padding: f64) -> Signal<f64> {
    let read = || {
        web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|v| v.as_f64())
    };
    let inner = RwSignal::new(read().unwrap_or(max + padding));
    let handle = window_event_listener(leptos::ev::resize, move |_| {
        if let Some(w) = read() {
            inner.set(w);
        }
    });
    on_cleanup(move || handle.remove());
    Signal::derive(move || (inner.get() - padding).clamp(280.0, max.max(280.0)))
}
