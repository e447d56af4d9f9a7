//! The advanced request fields of the set-up: temperature, the server's
//! random seed, ignore_eos, min_tokens, the token counts asked for, and the
//! extra body fields as JSON. A link can set every one of them, so the
//! section opens by itself whenever one differs from a fresh page's. The
//! rules (what the extra body fields may not set) are the core's.

use etalon_core::plan::body_fields::{
    advanced_fields_set, CONTINUOUS_USAGE_LABEL, EXTRA_BODY_LABEL, IGNORE_EOS_LABEL,
    INCLUDE_USAGE_LABEL, MIN_TOKENS_LABEL, SAMPLING_SEED_LABEL, TEMPERATURE_LABEL,
};
use etalon_core::plan::setup::{FieldProblem, TestSetup};
use etalon_core::wire::openai::RequestSettings;
use leptos::prelude::*;

use super::fields::{format_number, FieldProblems};

#[component]
pub fn AdvancedRequestFields(
    setup: RwSignal<TestSetup>,
    problems: Signal<Vec<FieldProblem>>,
) -> impl IntoView {
    let changed = Signal::derive(move || {
        setup.with(|s| advanced_fields_set(&s.request) || s.unread_extra_body.is_some())
    });
    // Opens when a field comes to differ (a link, a server preset, a typed
    // value); closing it is the user's choice until the next such change.
    let open = RwSignal::new(changed.get_untracked());
    Effect::new(move |was: Option<bool>| {
        let now = changed.get();
        if now && was != Some(true) {
            open.set(true);
        }
        now
    });
    let on_toggle = move |ev: leptos::ev::Event| {
        if let Some(target) = ev.target() {
            let shown = js_sys::Reflect::get(&target, &"open".into()).ok();
            open.set(shown.and_then(|v| v.as_bool()).unwrap_or(false));
        }
    };
    let edit = move |change: fn(&mut RequestSettings, bool)| {
        Callback::new(move |on: bool| setup.update(|s| change(&mut s.request, on)))
    };
    // Tall enough for the fields it holds, up to a dozen lines.
    let rows = move || setup.with(|s| s.extra_body_text().lines().count().clamp(3, 12));
    let checked = move |read: fn(&RequestSettings) -> bool| {
        Signal::derive(move || setup.with(|s| read(&s.request)))
    };
    view! {
        <details class="group-box" data-testid="setup-advanced" prop:open=move || open.get() on:toggle=on_toggle>
            <summary>
                <span class="summary-title">"Advanced request fields"</span>
                <Show when=move || changed.get()>
                    <span class="field-help">" (changed from the defaults)"</span>
                </Show>
            </summary>
            <p class="field-help">
                "What every request asks the server besides its prompt. Left empty or as they are, the server \
                 uses its own defaults. A test link can set any of these, so look them over before you press Run."
            </p>
            <div class="advanced-fields">
                <OptionalNumber label=TEMPERATURE_LABEL testid="setup-temperature" inputmode="decimal"
                    field="temperature" problems=problems
                    help="How freely the model picks each next word: 0 always takes the likeliest, higher values vary more. \
                          Leave it empty to let the server decide."
                    sent="temperature"
                    get=Signal::derive(move || setup.with(|s| s.request.temperature.map(format_number).unwrap_or_default()))
                    set=Callback::new(move |text: String| {
                        let value = parse_optional::<f64>(&text).filter(|v| v.is_none_or(f64::is_finite));
                        match value {
                            Some(value) => { setup.update(|s| s.request.temperature = value); Ok(()) }
                            None => Err(format!("\"{text}\" is not a number: type one like 0.7, or leave the field empty.")),
                        }
                    })/>
                <OptionalNumber label=SAMPLING_SEED_LABEL testid="setup-request-seed" inputmode="numeric"
                    field="request_seed" problems=problems
                    help="Makes the server's random choices repeat from run to run, where it supports that. Leave it \
                          empty to send none. Not the Seed under Limits, which decides when requests are sent and how \
                          long they are."
                    sent="seed"
                    get=Signal::derive(move || setup.with(|s| s.request.seed.map(|v| v.to_string()).unwrap_or_default()))
                    set=Callback::new(move |text: String| match parse_optional::<u64>(&text) {
                        Some(value) => { setup.update(|s| s.request.seed = value); Ok(()) }
                        None => Err(format!("\"{text}\" is not a whole number of 0 or more: type one like 42, or leave the field empty.")),
                    })/>
                <Checkbox label=IGNORE_EOS_LABEL testid="setup-ignore-eos"
                    help="The model goes on writing after it would have finished, so that every answer is as long as \
                          the output length asked for and runs compare fairly. vLLM, SGLang and llama.cpp understand \
                          it; some other servers refuse the request."
                    sent="ignore_eos: true"
                    checked=checked(|r| r.ignore_eos)
                    on_change=edit(|r, on| r.ignore_eos = on)/>
                // The value is a flag: each request sends its own output length (wire/body.rs).
                <Checkbox label=MIN_TOKENS_LABEL testid="setup-min-tokens"
                    help="The server may not end an answer before the request's output length. vLLM and SGLang \
                          understand it; other servers may refuse the request."
                    sent="min_tokens: the output length"
                    checked=checked(|r| r.min_tokens.is_some())
                    on_change=edit(|r, on| r.min_tokens = on.then_some(1))/>
                <Checkbox label=INCLUDE_USAGE_LABEL testid="setup-include-usage"
                    help="The server then says how many tokens it read and wrote: the results count with it, and the \
                          warm-up sizes the prompts with it. Without it, each piece of the stream counts as one token."
                    sent="stream_options.include_usage: true"
                    checked=checked(|r| r.include_usage)
                    on_change=edit(|r, on| r.include_usage = on)/>
                <Checkbox label=CONTINUOUS_USAGE_LABEL testid="setup-continuous-usage"
                    help="Each piece of the stream then says how many tokens it carried, so that pieces holding several \
                          tokens are counted right. vLLM understands it."
                    sent="stream_options.continuous_usage_stats: true"
                    checked=checked(|r| r.continuous_usage_stats)
                    on_change=edit(|r, on| r.continuous_usage_stats = on)/>
                <label class="field wide">
                    <span class="field-label">{EXTRA_BODY_LABEL}</span>
                    <textarea rows=rows spellcheck="false" data-testid="setup-extra-body"
                        placeholder="{\"top_k\": 5}"
                        aria-invalid=move || problems.with(|p| p.iter().any(|p| p.field == "extra_body")).then_some("true")
                        prop:value=move || setup.with(TestSetup::extra_body_text)
                        on:change=move |ev| { let text = event_target_value(&ev); setup.update(|s| s.type_extra_body(&text)) }>
                    </textarea>
                    <span class="field-help">
                        "Added to the top level of every request's JSON, for server options that have no field here, \
                         like {\"top_k\": 5}. A field set to null is left out. The model, the prompt, streaming, the output \
                         length and the fields above have their own fields and cannot be set here, nor more than one \
                         answer per request (n, best_of)."
                    </span>
                    <FieldProblems field="extra_body" problems=problems/>
                </label>
            </div>
        </details>
    }
}

/// Empty text is `Some(None)` (nothing sent), a number `Some(Some(n))`,
/// anything else `None`.
fn parse_optional<T: std::str::FromStr>(text: &str) -> Option<Option<T>> {
    let text = text.trim();
    if text.is_empty() {
        Some(None)
    } else {
        text.parse().ok().map(Some)
    }
}

/// A labelled number input that may be left empty. `set` takes the text
/// typed and says what is wrong with it; the set-up then keeps its value.
#[component]
fn OptionalNumber(
    label: &'static str,
    help: &'static str,
    /// What the request body carries, as JSON names it.
    sent: &'static str,
    testid: &'static str,
    inputmode: &'static str,
    /// The set-up's field whose problems show here.
    field: &'static str,
    problems: Signal<Vec<FieldProblem>>,
    get: Signal<String>,
    set: Callback<String, Result<(), String>>,
) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    // Text, not type="number": a number input reads unreadable text as
    // empty, which here would mean "not sent".
    view! {
        <label class="field">
            <span class="field-label">{label}</span>
            <input type="text" inputmode=inputmode autocomplete="off" data-testid=testid
                prop:value=move || get.get()
                aria-invalid=move || problem.get().is_some().then_some("true")
                on:change=move |ev| problem.set(set.run(event_target_value(&ev)).err())/>
            <span class="field-help">{help}</span>
            <span class="field-help">"Sent as " <code>{sent}</code></span>
            <Show when=move || problem.get().is_some()>
                <span class="field-problem" role="alert">{move || problem.get()}</span>
            </Show>
            <FieldProblems field=field problems=problems/>
        </label>
    }
}

/// A checkbox with its label beside it and its help below.
#[component]
fn Checkbox(
    label: &'static str,
    help: &'static str,
    /// What the request body carries when it is ticked.
    sent: &'static str,
    testid: &'static str,
    checked: Signal<bool>,
    on_change: Callback<bool>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label class="checkbox">
                <input type="checkbox" data-testid=testid prop:checked=move || checked.get()
                    on:change=move |ev| on_change.run(event_target_checked(&ev))/>
                <span class="field-label">{label}</span>
            </label>
            <span class="field-help">{help}</span>
            <span class="field-help">"When ticked, sent as " <code>{sent}</code></span>
        </div>
    }
}
