//! Extra request headers: name, value, and whether the value is a secret
//! (a secret never goes into a link, a file or a recording).

use etalon_core::plan::setup::{FieldProblem, HeaderSetting, TestSetup};
use leptos::prelude::*;

use super::fields::FieldProblems;

#[component]
pub fn HeaderFields(
    setup: RwSignal<TestSetup>,
    problems: Signal<Vec<FieldProblem>>,
) -> impl IntoView {
    let count = Signal::derive(move || setup.with(|s| s.headers.len()));
    let edit = move |index: usize, change: Box<dyn Fn(&mut HeaderSetting)>| {
        setup.update(|s| {
            if let Some(header) = s.headers.get_mut(index) {
                change(header);
            }
        })
    };
    view! {
        <div class="headers">
            <span class="field-label">"Extra headers"</span>
            {move || (0..count.get()).map(|i| {
                let header = setup.with_untracked(|s| s.headers[i].clone());
                view! {
                    <div class="field-row header-row">
                        <input type="text" placeholder="Name" aria-label="Header name" value=header.name
                            on:change=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |h| h.name = v.clone())) }/>
                        <input type=if header.secret { "password" } else { "text" } placeholder="Value" aria-label="Header value" value=header.value
                            on:change=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |h| h.value = v.clone())) }/>
                        <label class="checkbox"><input type="checkbox" checked=header.secret
                            on:change=move |ev| { let v = event_target_checked(&ev); edit(i, Box::new(move |h| h.secret = v)) }/>"secret"</label>
                        <button type="button" aria-label="Remove this header" on:click=move |_| setup.update(|s| { s.headers.remove(i); })>"✕"</button>
                    </div>
                }
            }).collect_view()}
            <button type="button" data-testid="setup-add-header" on:click=move |_| setup.update(|s| s.headers.push(HeaderSetting::default()))>"Add a header"</button>
            <FieldProblems field="headers" problems=problems/>
        </div>
    }
}
