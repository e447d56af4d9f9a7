//! The set-up screen: where to send requests (server, address, model, key,
//! headers), what else each request asks (the advanced request fields),
//! what to send (the workload), what counts as on time (the
//! deadlines), a check of the endpoint, and the Run button (which asks
//! first after a failed check of the same endpoint). Every problem is
//! marked next to its field, in words that say what to do.

mod advanced;
mod check;
mod fields;
mod headers;
mod workload;

use etalon_core::metrics::TtftDeadline;
use etalon_core::plan::server::ServerPreset;
use etalon_core::plan::setup::TestSetup;
use etalon_core::plan::workload::concurrency_warning;
use etalon_core::simulate::Policy;
use etalon_core::wire::openai::{parse_models, Api};
use leptos::prelude::*;

use crate::state::{use_app, CheckTarget};
use fields::{FieldProblems, NumberField};

#[component]
pub fn SetupView() -> impl IntoView {
    let app = use_app();
    let setup = app.setup;
    let problems = Signal::derive(move || setup.with(TestSetup::problems));
    let warning = Signal::derive(move || {
        setup.with(|s| {
            let url = s
                .urls()
                .map(|u| u.for_api(s.request.api))
                .unwrap_or_default();
            concurrency_warning(&s.workload, &url)
        })
    });
    let preset = Signal::derive(move || setup.with(|s| s.server));
    // The question Run asks after a failed check, while it waits for an answer.
    let asking = RwSignal::new(None::<String>);
    // Its Cancel takes the focus when it shows, which also scrolls the
    // question into view below the Run button.
    let cancel = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = cancel.get() {
            let _ = button.focus();
        }
    });
    let run = move |_| {
        let target = setup.with_untracked(|s| CheckTarget::of(s, &app.api_key.get_untracked()));
        match app
            .last_check
            .with_untracked(|c| c.as_ref().and_then(|c| c.question_before(&target)))
        {
            Some(question) => asking.set(Some(question)),
            None => app.run(),
        }
    };
    let choose_preset = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        if let Some(preset) = ServerPreset::ALL
            .into_iter()
            .find(|p| format!("{p:?}") == chosen)
        {
            setup.update(|s| {
                let mut next = preset.setup();
                next.workload = s.workload.clone();
                next.deadlines = s.deadlines.clone();
                next.headers = s.headers.clone();
                // The preset decides what the server understands (ignore_eos,
                // token counts); what the user typed for the body stays.
                next.request.temperature = s.request.temperature;
                next.request.seed = s.request.seed;
                next.request.min_tokens = s.request.min_tokens;
                next.request.extra_body = s.request.extra_body.clone();
                next.unread_extra_body = s.unread_extra_body.clone();
                // The testbed's and a simulated server's models are their own.
                let own_models = [ServerPreset::Testbed, ServerPreset::Simulated];
                if !own_models.contains(&preset) && !own_models.contains(&s.server) {
                    next.request.model = s.request.model.clone();
                }
                *s = next;
            });
        }
    };
    view! {
        <section class="setup" data-testid="setup-view">
            <h2>"Set up a test"</h2>
            <p class="lead">
                "Point the tool at a server. It sends streaming requests from this browser and times every token as it arrives here, \
                 so what you measure is what a user at this computer would experience."
            </p>
            <fieldset class="group">
                <legend>"Endpoint"</legend>
                <label class="field">
                    <span class="field-label">"Server"</span>
                    <select data-testid="setup-server" on:change=choose_preset prop:value=move || format!("{:?}", preset.get())>
                        {ServerPreset::ALL.into_iter().map(|p| view! { <option value=format!("{p:?}")>{p.label()}</option> }).collect_view()}
                    </select>
                    <span class="field-help">{move || preset.get().advice()}</span>
                </label>
                <label class="field">
                    <span class="field-label">"Address"</span>
                    <input type="url" data-testid="setup-endpoint" placeholder="http://127.0.0.1:8000"
                        prop:value=move || setup.with(|s| s.endpoint.clone())
                        on:change=move |ev| setup.update(|s| s.endpoint = event_target_value(&ev))/>
                    <FieldProblems field="endpoint" problems=problems/>
                </label>
                <label class="field">
                    <span class="field-label">"API"</span>
                    <select data-testid="setup-api"
                        prop:value=move || setup.with(|s| if s.request.api == Api::Completions { "completions" } else { "chat" })
                        on:change=move |ev| setup.update(|s| s.request.api = if event_target_value(&ev) == "completions" { Api::Completions } else { Api::ChatCompletions })>
                        <option value="chat">"Chat completions (/v1/chat/completions)"</option>
                        <option value="completions">"Completions (/v1/completions)"</option>
                    </select>
                </label>
                <ModelField/>
                <ApiKeyField/>
                <headers::HeaderFields setup=setup problems=problems/>
            </fieldset>
            <advanced::AdvancedRequestFields setup=setup problems=problems/>
            <workload::WorkloadFields setup=setup/>
            <FieldProblems field="workload" problems=problems/>
            <DeadlineFields/>
            <FieldProblems field="deadlines" problems=problems/>
            <fieldset class="group">
                <legend>"Limits"</legend>
                <NumberField label="Time limit per request" unit="s" testid="setup-timeout"
                    get=Signal::derive(move || setup.with(|s| s.timeout_seconds))
                    set=Callback::new(move |v| setup.update(|s| s.timeout_seconds = v))/>
                <FieldProblems field="timeout" problems=problems/>
                <NumberField label="Seed" testid="setup-seed" step="1"
                    help="The same seed gives the same arrivals, lengths and prompts."
                    get=Signal::derive(move || setup.with(|s| s.seed as f64))
                    set=Callback::new(move |v: f64| setup.update(|s| s.seed = v.max(0.0) as u64))/>
            </fieldset>
            <Show when=move || warning.get().is_some()>
                <p class="warning" role="status" data-testid="setup-concurrency-warning">{move || warning.get()}</p>
            </Show>
            <div class="actions">
                <check::CheckEndpoint/>
                <button class="primary" data-testid="setup-run"
                    disabled=move || !problems.with(Vec::is_empty) || asking.with(Option::is_some)
                    on:click=run>
                    "Run"
                </button>
                <Show when=move || !problems.with(Vec::is_empty)>
                    <span class="field-help">"Fix the marked fields to run."</span>
                </Show>
            </div>
            <Show when=move || asking.with(Option::is_some)>
                <div class="run-confirm" role="alertdialog" aria-labelledby="run-confirm-question" data-testid="run-confirm">
                    <p id="run-confirm-question" data-testid="run-confirm-question">{move || asking.get()}</p>
                    <div class="actions">
                        <button class="primary" data-testid="run-anyway"
                            on:click=move |_| {
                                asking.set(None);
                                app.run();
                            }>
                            "Run anyway"
                        </button>
                        <button class="secondary" data-testid="run-cancel" node_ref=cancel on:click=move |_| asking.set(None)>
                            "Cancel"
                        </button>
                    </div>
                </div>
            </Show>
        </section>
    }
}

/// The model, typed or picked from the server's list.
#[component]
fn ModelField() -> impl IntoView {
    let app = use_app();
    let setup = app.setup;
    // Each model, with what it is when the server says (a simulated one's).
    let models = RwSignal::new(Vec::<(String, Option<String>)>::new());
    let status = RwSignal::new(None::<String>);
    let list = move |_| {
        let s = setup.get_untracked();
        let Ok(urls) = s.urls() else {
            status.set(Some("Fix the address first.".into()));
            return;
        };
        if urls.simulated_name().is_some() {
            // A simulated server's models are its policies: nothing to ask.
            let policies: Vec<(String, &str)> = Policy::NAMES
                .iter()
                .filter_map(|name| Some((name.to_string(), Policy::named(name)?.describe())))
                .collect();
            let said: Vec<String> = policies
                .iter()
                .map(|(name, what)| format!("{name} {what}"))
                .collect();
            status.set(Some(format!(
                "{} models, one per way the simulated server schedules requests: {}.",
                policies.len(),
                said.join("; ")
            )));
            if setup.with_untracked(|s| s.request.model.trim().is_empty()) {
                setup.update(|s| s.request.model = policies[0].0.clone());
            }
            models.set(
                policies
                    .into_iter()
                    .map(|(name, what)| (name, Some(what.to_string())))
                    .collect(),
            );
            return;
        }
        let headers = s.request_headers(&app.api_key.get_untracked());
        status.set(Some("Asking the server for its models...".into()));
        wasm_bindgen_futures::spawn_local(async move {
            match crate::fetch_text_with_headers(&urls.models(), &headers).await {
                Ok(body) => match parse_models(&body) {
                    Some(found) if !found.is_empty() => {
                        status.set(Some(format!("{} models.", found.len())));
                        if setup.with_untracked(|s| s.request.model.trim().is_empty()) {
                            setup.update(|s| s.request.model = found[0].id.clone());
                        }
                        models.set(found.into_iter().map(|m| (m.id, m.description)).collect());
                    }
                    _ => status.set(Some("The server's answer holds no model list: type the model name.".into())),
                },
                Err(e) => status.set(Some(format!("The model list could not be read ({e}). Check the address, CORS and the key, or type the model name."))),
            }
        });
    };
    view! {
        <label class="field">
            <span class="field-label">"Model"</span>
            <span class="field-row">
                <input type="text" list="model-list" data-testid="setup-model"
                    prop:value=move || setup.with(|s| s.request.model.clone())
                    on:change=move |ev| setup.update(|s| s.request.model = event_target_value(&ev).trim().to_string())/>
                <button type="button" data-testid="setup-list-models" on:click=list>"List models"</button>
            </span>
            <datalist id="model-list">
                {move || models.get().into_iter().map(|(m, what)| view! { <option value=m label=what/> }).collect_view()}
            </datalist>
            <Show when=move || status.get().is_some()>
                <span class="field-help" role="status" data-testid="setup-model-status">{move || status.get()}</span>
            </Show>
            // What the server says of the chosen model, when its list says.
            {move || {
                let chosen = setup.with(|s| s.request.model.clone());
                models
                    .with(|m| m.iter().find(|(id, _)| *id == chosen).and_then(|(_, what)| what.clone()))
                    .map(|what| view! { <span class="field-help" data-testid="setup-model-description">{what}</span> })
            }}
            <FieldProblems field="model" problems=Signal::derive(move || setup.with(TestSetup::problems))/>
        </label>
    }
}

/// The API key: in memory only, or this tab's sessionStorage when ticked.
#[component]
fn ApiKeyField() -> impl IntoView {
    let app = use_app();
    view! {
        <label class="field">
            <span class="field-label">"API key (optional)"</span>
            <input type="password" autocomplete="off" data-testid="setup-api-key"
                prop:value=move || app.api_key.get()
                on:change=move |ev| app.type_key(event_target_value(&ev))/>
            <span class="field-help">"Sent as Authorization: Bearer. Kept in this page's memory only; never put in a link or a file."</span>
        </label>
        <label class="field checkbox">
            <input type="checkbox" data-testid="setup-remember-key"
                prop:checked=move || app.remember_key.get()
                on:change=move |ev| app.remember_key.set(event_target_checked(&ev))/>
            <span>"Remember the key in this tab until it is closed (sessionStorage)"</span>
        </label>
    }
}

/// What counts as on time: the deadlines of the fluidity-index.
#[component]
fn DeadlineFields() -> impl IntoView {
    let setup = use_app().setup;
    view! {
        <fieldset class="group">
            <legend>"Deadlines"</legend>
            <p class="field-help">
                "The fluidity-index gives every token a deadline: the first within the TTFT deadline, each next one within the TBT deadline of the previous. \
                 Time saved early is banked as slack; a stall misses every deadline it spans."
            </p>
            <NumberField label="First token (TTFT) deadline" unit="s" testid="setup-ttft-deadline"
                get=Signal::derive(move || setup.with(|s| s.fixed_ttft_deadline().unwrap_or(f64::NAN)))
                set=Callback::new(move |v| setup.update(|s| s.deadlines.ttft_deadline = TtftDeadline::Fixed(v)))/>
            <NumberField label="Between tokens (TBT) deadline" unit="s" testid="setup-tbt-deadline"
                get=Signal::derive(move || setup.with(|s| s.deadlines.tbt_deadline))
                set=Callback::new(move |v| setup.update(|s| s.deadlines.tbt_deadline = v))/>
            <NumberField label="Target miss rate" unit="%" testid="setup-target-miss-rate"
                help="The share of its deadlines an answer may miss and still count as keeping up: the results give, for each answer, the tightest TBT deadline it keeps up with."
                get=Signal::derive(move || setup.with(|s| (s.deadlines.target_miss_rate * 1e11).round() / 1e9))
                set=Callback::new(move |v: f64| setup.update(|s| s.deadlines.target_miss_rate = v / 100.0))/>
        </fieldset>
    }
}
