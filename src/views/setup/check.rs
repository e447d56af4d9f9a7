//! "Check endpoint": one short streaming request through the measurement
//! worker, and what it says about reachability, CORS, streaming, usage
//! reporting and time to first token.

use etalon_core::plan::prepare::endpoint_check_order;
use etalon_core::present::endpoint_check::{check_endpoint, CheckLine};
use leptos::prelude::*;

use crate::state::use_app;

#[component]
pub fn CheckEndpoint() -> impl IntoView {
    let app = use_app();
    let lines = RwSignal::new(Vec::<CheckLine>::new());
    let checking = RwSignal::new(false);
    let check = move |_| {
        let setup = app.setup.get_untracked();
        let order = match endpoint_check_order(&setup, &app.api_key.get_untracked()) {
            Ok(order) => order,
            Err(problem) => {
                lines.set(vec![CheckLine {
                    what: "Not checked",
                    ok: Some(false),
                    sentence: problem,
                }]);
                return;
            }
        };
        checking.set(true);
        lines.set(Vec::new());
        let runner = app.runner.get_value();
        wasm_bindgen_futures::spawn_local(async move {
            let records = runner.run_quietly(order).await;
            lines.set(records.first().map(check_endpoint).unwrap_or_default());
            checking.set(false);
        });
    };
    view! {
        <button type="button" data-testid="setup-check" disabled=move || checking.get() on:click=check>
            {move || if checking.get() { "Checking..." } else { "Check endpoint" }}
        </button>
        <Show when=move || !lines.with(Vec::is_empty)>
            <ul class="check" data-testid="setup-check-result">
                {move || lines.get().into_iter().map(|line| {
                    let mark = match line.ok { Some(true) => "✓", Some(false) => "✗", None => "·" };
                    view! { <li class:bad=line.ok == Some(false)><strong>{mark} " " {line.what}</strong> ": " {line.sentence}</li> }
                }).collect_view()}
            </ul>
        </Show>
    }
}
