//! "Check endpoint": one short streaming request through the measurement
//! worker, and what it says about reachability, CORS, streaming, usage
//! reporting and time to first token. The app keeps the last check, so
//! that Run asks first after a check of the same endpoint that failed.

use etalon_core::plan::prepare::endpoint_check_order;
use etalon_core::present::endpoint_check::{check_endpoint, CheckLine};
use leptos::prelude::*;

use crate::state::{use_app, CheckTarget, LastCheck};

#[component]
pub fn CheckEndpoint() -> impl IntoView {
    let app = use_app();
    let last = app.last_check;
    let lines = Signal::derive(move || {
        last.with(|c| c.as_ref().map(|c| c.lines.clone()).unwrap_or_default())
    });
    let checking = RwSignal::new(false);
    let check = move |_| {
        let setup = app.setup.get_untracked();
        let target = CheckTarget::of(&setup, &app.api_key.get_untracked());
        let set_lines = move |lines: Vec<CheckLine>| {
            last.set(Some(LastCheck {
                target: target.clone(),
                lines,
            }))
        };
        let order = match endpoint_check_order(&setup, &app.api_key.get_untracked()) {
            Ok(order) => order,
            Err(problem) => {
                set_lines(vec![CheckLine {
                    what: "Not checked",
                    ok: Some(false),
                    sentence: problem,
                }]);
                return;
            }
        };
        checking.set(true);
        last.set(None);
        let runner = app.runner.get_value();
        wasm_bindgen_futures::spawn_local(async move {
            let records = runner.run_quietly(order).await;
            set_lines(records.first().map(check_endpoint).unwrap_or_default());
            checking.set(false);
        });
    };
    view! {
        <button type="button" data-testid="setup-check" disabled=move || checking.get() on:click=check>
            {move || if checking.get() { "Checking..." } else { "Check endpoint" }}
        </button>
        <Show when=move || !lines.with(Vec::is_empty)>
            <ul class="check" data-testid="setup-check-result" node_ref=crate::hooks::use_brought_into_view(lines)>
                {move || lines.get().into_iter().map(|line| {
                    let mark = match line.ok { Some(true) => "✓", Some(false) => "✗", None => "·" };
                    view! { <li class:bad=line.ok == Some(false)><strong>{mark} " " {line.what}</strong> ": " {line.sentence}</li> }
                }).collect_view()}
            </ul>
        </Show>
    }
}
