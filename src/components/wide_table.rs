//! A table that may be wider than the screen: it scrolls sideways inside
//! its own box, and on a narrow screen says so above it.

use leptos::prelude::*;

#[component]
pub fn WideTable(children: Children) -> impl IntoView {
    view! {
        <p class="scroll-hint" aria-hidden="true">"Scroll the table sideways to see every column."</p>
        <div class="table-scroll">{children()}</div>
    }
}
