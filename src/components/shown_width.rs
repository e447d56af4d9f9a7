//! The width a chart is shown at, measured on its own `<figure>`: a chart
//! lays itself out at that width, so that its `viewBox` is as wide as its
//! box, one SVG unit is one CSS pixel, and 12 px text is 12 px on screen
//! whatever the column or the phone.

use leptos::html::Figure;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The narrowest width a chart is laid out at (px), as the core's frames.
const NARROWEST: f64 = 120.0;

/// The content width of `figure` (whole CSS pixels), following it through
/// a `ResizeObserver`; `fallback` until it is in the page and has a width
/// (a hidden chart keeps the fallback).
pub fn use_shown_width(figure: NodeRef<Figure>, fallback: Signal<f64>) -> Signal<f64> {
    let shown = RwSignal::new(None::<f64>);
    let observer = StoredValue::new_local(None::<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>);
    let disconnect = move || {
        observer.try_update_value(|o| {
            if let Some((observer, _closure)) = o.take() {
                observer.disconnect();
            }
        });
    };
    Effect::new(move |_| {
        let Some(element) = figure.get() else {
            return;
        };
        disconnect();
        let element: web_sys::Element = element.unchecked_into();
        let read = {
            let element = element.clone();
            move || {
                let width = f64::from(element.client_width());
                // Whole pixels, and only on a change: a layout that moved the
                // box by a fraction does not lay the chart out again.
                if width >= 1.0 && shown.get_untracked() != Some(width) {
                    shown.set(Some(width));
                }
            }
        };
        read();
        let closure = Closure::<dyn FnMut()>::new(read);
        if let Ok(o) = web_sys::ResizeObserver::new(closure.as_ref().unchecked_ref()) {
            o.observe(&element);
            observer.set_value(Some((o, closure)));
        }
    });
    on_cleanup(disconnect);
    Signal::derive(move || shown.get().unwrap_or_else(|| fallback.get()).max(NARROWEST))
}
