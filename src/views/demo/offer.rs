//! The landing screen's first offer: the demo, one click away, and when
//! the set-up's endpoint did not answer at start, a plain sentence saying
//! so. The set-up stays below it.

use leptos::prelude::*;

use super::context::{use_demo, Probe};
use crate::state::{use_app, Screen};

#[component]
pub fn DemoOffer() -> impl IntoView {
    let app = use_app();
    let demo = use_demo();
    let no_answer = move || match demo.probe.get() {
        Probe::NoAnswer(host) => Some(host),
        _ => None,
    };
    let watch = move |_| {
        demo.replay.update(|n| *n += 1);
        app.screen.set(Screen::Demo);
    };
    view! {
        <Show when=move || app.screen.get() == Screen::Setup>
            <aside class="demo-offer" class:demo-offer-urgent=move || no_answer().is_some()
                data-testid="demo-offer" aria-label="The demo">
                {move || match no_answer() {
                    Some(host) => view! {
                        <p data-testid="demo-offer-unreachable">
                            "Nothing answered at " <strong>{host}</strong>
                            ", the address in the set-up below, so a test would fail until a server runs there. \
                             Watch the demo to see what this page measures, with no server at all, or enter your server's address below."
                        </p>
                    }.into_any(),
                    None => view! {
                        <p>
                            "New here? Watch two simulated AI servers answer the same questions side by side, \
                             and see what the figures say about them. No server needed."
                        </p>
                    }.into_any(),
                }}
                <button class="primary" data-testid="demo-offer-watch" on:click=watch>"Watch the demo"</button>
            </aside>
        </Show>
    }
}
