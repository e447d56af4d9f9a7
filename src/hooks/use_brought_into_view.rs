//! Feedback that appears where the user is not looking (below the fold, at
//! the end of a long screen) is scrolled into view, just enough to be seen.

use leptos::html::ElementType;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A node ref whose element is brought into view each time `what` changes
/// (and once it is mounted); only as far as needed to see it.
pub fn use_brought_into_view<E, T>(what: Signal<T>) -> NodeRef<E>
where
    E: ElementType,
    E::Output: JsCast + Clone + 'static,
    T: Send + Sync + 'static,
{
    let node = NodeRef::<E>::new();
    Effect::new(move |_| {
        what.track();
        if let Some(element) = node.get() {
            let element: web_sys::Element = element.unchecked_into();
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Nearest);
            element.scroll_into_view_with_scroll_into_view_options(&options);
        }
    });
    node
}
