//! The set-up screen: being written.

use leptos::prelude::*;

#[component]
pub fn SetupView() -> impl IntoView {
    view! { <section data-testid="setup-view"></section> }
}
