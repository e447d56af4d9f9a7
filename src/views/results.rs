//! The results screen: being written.

use leptos::prelude::*;

#[component]
pub fn ResultsView() -> impl IntoView {
    view! { <section data-testid="results-view"></section> }
}
