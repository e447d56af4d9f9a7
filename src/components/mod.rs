//! Reusable pieces of the page. The charts are SVG drawn from layouts that
//! `etalon_core::present::chart` computes (scales, ticks, paths, bins, the deadline
//! replay); a component only turns a layout into elements, adds its
//! accessible name, legend and data table, and never computes a metric.
//!
//! - [`LineChart`]: named series on two labelled axes (log x optional),
//!   reference lines, legend, optional hover readout.
//! - [`CdfChart`]: distributions of several runs overlaid, as step CDFs.
//! - [`Histogram`]: one distribution in bins (the fluidity-index).
//! - [`RequestTimeline`]: one request's tokens against their deadlines.
//! - [`FluidityExplainer`]: two streams of equal speed, one stalling.
//! - [`WideTable`]: a table that scrolls sideways and says so on a phone.
//!
//! Each chart measures the `<figure>` it is drawn in and lays itself out
//! at that width ([`use_shown_width`]): its `width` prop is only the width
//! before it is in the page.
//!
//! Colours come from `style/charts.css` (Okabe–Ito, light and dark); every
//! series also has its own dash pattern.

mod axes;
mod cdf_chart;
mod fluidity_explainer;
mod histogram;
mod line_chart;
mod request_timeline;
mod shown_width;
mod wide_table;

pub use cdf_chart::CdfChart;
pub use fluidity_explainer::FluidityExplainer;
pub use histogram::Histogram;
pub use line_chart::LineChart;
pub use request_timeline::RequestTimeline;
pub(crate) use shown_width::use_shown_width;
pub use wide_table::WideTable;

use std::sync::atomic::{AtomicU32, Ordering};

/// An id unique on the page, for `clipPath`s and `aria-describedby`.
pub(crate) fn unique_id(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Test helpers: mount a view into a fresh element of the document.
#[cfg(test)]
pub(crate) mod testing {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    /// Mounts `view` into a new `<div>` appended to `<body>`; returns the
    /// element and the mount handle (keep it alive while inspecting).
    pub fn mount<F, V>(view: F) -> (web_sys::HtmlElement, Box<dyn std::any::Any>)
    where
        F: FnOnce() -> V + 'static,
        V: IntoView + 'static,
    {
        let document = web_sys::window().unwrap().document().unwrap();
        let host = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&host).unwrap();
        let host: web_sys::HtmlElement = host.unchecked_into();
        let handle = leptos::mount::mount_to(host.clone(), view);
        (host, Box::new(handle))
    }

    /// Lets the reactive system re-render after a signal changed.
    pub async fn settle() {
        leptos::task::tick().await;
        gloo_timers::future::TimeoutFuture::new(0).await;
    }

    /// Settles until `done` holds (a resize is observed after layout, a
    /// frame or two later); panics after about two seconds.
    pub async fn settle_until(done: impl Fn() -> bool) {
        for _ in 0..100 {
            if done() {
                return;
            }
            settle().await;
            gloo_timers::future::TimeoutFuture::new(20).await;
        }
        panic!("the condition did not come true");
    }

    /// How many elements under `host` have the class `class`.
    pub fn count(host: &web_sys::HtmlElement, class: &str) -> u32 {
        host.get_elements_by_class_name(class).length()
    }

    /// An attribute of the first element under `host` with class `class`.
    pub fn attribute(host: &web_sys::HtmlElement, class: &str, name: &str) -> Option<String> {
        host.get_elements_by_class_name(class)
            .item(0)
            .and_then(|e| e.get_attribute(name))
    }

    /// Whether every `<title>` under `host` is an SVG title (the accessible
    /// name of its chart), not an HTML one.
    pub fn titles_are_svg(host: &web_sys::HtmlElement) -> bool {
        let titles = host.get_elements_by_tag_name("title");
        titles.length() > 0
            && (0..titles.length()).all(|i| {
                titles.item(i).and_then(|t| t.namespace_uri()).as_deref()
                    == Some("http://www.w3.org/2000/svg")
            })
    }

    /// The text of the first element under `host` with class `class`.
    pub fn text(host: &web_sys::HtmlElement, class: &str) -> String {
        host.get_elements_by_class_name(class)
            .item(0)
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }
}
