//! What the demo compares: how busy the servers are, and for each of A and
//! B the hardware and the way it forms its batches; A may instead be the
//! endpoint of the set-up, measured for real.

use etalon_core::demo::{policy_title, DemoLoad, DemoSystem, ANSWER_TOKENS, PROMPT_TOKENS};
use etalon_core::plan::setup::TestSetup;
use etalon_core::present::chart::format_count;
use etalon_core::simulate::presets::{preset, PRESETS};
use etalon_core::simulate::Policy;
use leptos::prelude::*;

use super::context::use_demo;
use crate::state::use_app;

/// The hardware option that stands for the set-up's endpoint.
const ENDPOINT: &str = "endpoint";

#[component]
pub fn DemoChoices() -> impl IntoView {
    let demo = use_demo();
    let app = use_app();
    let choice = demo.choice;
    let load = Memo::new(move |_| choice.with(|c| c.load));
    // Other questions make the endpoint's answers those of another load.
    let pending = Signal::derive(move || demo.real_run.get().is_some());
    let set_load = move |ev: leptos::ev::Event| {
        if let Some(load) = DemoLoad::named(&event_target_value(&ev)) {
            demo.real.set(None);
            choice.update(|c| c.load = load);
        }
    };
    let other_questions = move |_| {
        demo.real.set(None);
        choice.update(|c| c.seed = c.seed % etalon_core::limits::MAX_DEMO_SEED + 1);
    };
    let host = Signal::derive(move || app.setup.with(TestSetup::host));
    let side = move |i: usize, name: &'static str| {
        let system = Memo::new(move |_| choice.with(|c| c.systems[i]));
        let real = Signal::derive(move || i == 0 && demo.endpoint_as_a.get());
        let set_hardware = move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            if value == ENDPOINT {
                demo.endpoint_as_a.set(true);
            } else if let Some(preset) = preset(&value) {
                if i == 0 {
                    demo.endpoint_as_a.set(false);
                }
                choice.update(|c| c.systems[i].preset = preset);
            }
        };
        let set_policy = move |ev: leptos::ev::Event| {
            if let Some(policy) = Policy::named(&event_target_value(&ev)) {
                choice.update(|c| c.systems[i].policy = policy);
            }
        };
        let hardware_value = move || {
            if real.get() {
                ENDPOINT.to_string()
            } else {
                system.get().preset.name.to_string()
            }
        };
        view! {
            <fieldset class="demo-choice-side">
                <legend>{name}</legend>
                <label class="field">
                    <span class="field-label">"Hardware and model"</span>
                    <select data-testid=format!("demo-hardware-{i}") on:change=set_hardware prop:value=hardware_value
                        disabled=move || i == 0 && pending.get()>
                        {PRESETS.iter().map(|p| view! { <option value=p.name>{capitalized(p.label)}</option> }).collect_view()}
                        {(i == 0).then(|| view! {
                            <option value=ENDPOINT>{move || format!("Your endpoint ({})", host.get())}</option>
                        })}
                    </select>
                </label>
                <Show when=move || !real.get()>
                    <label class="field">
                        <span class="field-label">"How it fits questions in"</span>
                        <select data-testid=format!("demo-policy-{i}") on:change=set_policy
                            prop:value=move || system.get().policy.name()>
                            {Policy::NAMES.iter().filter_map(|n| Policy::named(n)).map(|p| view! {
                                <option value=p.name()>{format!("{} ({})", policy_title(p), p.name())}</option>
                            }).collect_view()}
                        </select>
                        <span class="field-help">{move || {
                            let s: DemoSystem = system.get();
                            format!("It {}.", s.policy.describe())
                        }}</span>
                    </label>
                </Show>
            </fieldset>
        }
    };
    view! {
        <details class="group-box demo-choices" data-testid="demo-choices">
            <summary><span class="summary-title">"Change what is compared"</span>
                <span class="muted">{move || format!(" ({})", load.get().label())}</span></summary>
            <div class="demo-choice-grid">
                <label class="field">
                    <span class="field-label">"How busy the servers are"</span>
                    <select data-testid="demo-load" on:change=set_load prop:value=move || load.get().name()
                        disabled=pending>
                        {DemoLoad::ALL.iter().map(|l| view! { <option value=l.name()>{l.label()}</option> }).collect_view()}
                    </select>
                    <span class="field-help">{move || load.get().describe()}</span>
                </label>
                {side(0, "A")}
                {side(1, "B")}
                <div class="field">
                    <span class="field-label">"The questions"</span>
                    <span class="field-help">{move || format!(
                        "{} questions, each a document of {} to {} tokens to read and an answer of {} to {} tokens to write, drawn with seed {}.",
                        load.get().questions(), format_count(PROMPT_TOKENS.0.into()), format_count(PROMPT_TOKENS.1.into()),
                        ANSWER_TOKENS.0, ANSWER_TOKENS.1, choice.with(|c| c.seed))}</span>
                    <button type="button" class="secondary demo-other-questions" data-testid="demo-other-questions"
                        disabled=pending on:click=other_questions>
                        "Other questions"
                    </button>
                </div>
            </div>
        </details>
    }
}

/// "A 70B model on four A100 GPUs" from "a 70B model on four A100 GPUs".
fn capitalized(label: &str) -> String {
    let mut chars = label.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
