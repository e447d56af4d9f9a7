//! The run screen: being written.

use leptos::prelude::*;

#[component]
pub fn RunView() -> impl IntoView {
    view! { <section data-testid="run-view"></section> }
}
