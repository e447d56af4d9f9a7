//! Form fields of the set-up screen: a labelled number input that marks
//! what it cannot read next to itself, and the same for text.

use leptos::prelude::*;

/// A labelled number input. `get` reads the value to show; `set` receives
/// every number the user types. Text that is not a number is marked next to
/// the field and the set-up keeps its last good value.
#[component]
pub fn NumberField(
    label: &'static str,
    #[prop(optional)] unit: &'static str,
    #[prop(optional)] help: &'static str,
    #[prop(into)] testid: String,
    #[prop(default = "any")] step: &'static str,
    get: Signal<f64>,
    set: Callback<f64>,
) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        match text.trim().parse::<f64>() {
            Ok(value) if value.is_finite() => {
                problem.set(None);
                set.run(value);
            }
            _ => problem.set(Some(format!(
                "\"{text}\" is not a number: type digits, like 0.05."
            ))),
        }
    };
    view! {
        <label class="field">
            <span class="field-label">{label} {(!unit.is_empty()).then(|| format!(" ({unit})"))}</span>
            <input
                type="number"
                step=step
                data-testid=testid
                prop:value=move || format_number(get.get())
                on:change=on_input
                aria-invalid=move || problem.get().is_some().then_some("true")
            />
            {(!help.is_empty()).then(|| view! { <span class="field-help">{help}</span> })}
            <Show when=move || problem.get().is_some()>
                <span class="field-problem" role="alert">{move || problem.get()}</span>
            </Show>
        </label>
    }
}

/// Numbers as a person would type them (no trailing ".0").
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// A problem of the set-up shown under its field (from `TestSetup::problems`).
#[component]
pub fn FieldProblems(
    field: &'static str,
    problems: Signal<Vec<etalon_core::plan::setup::FieldProblem>>,
) -> impl IntoView {
    move || {
        problems
            .get()
            .into_iter()
            .filter(|p| p.field == field)
            .map(|p| view! { <p class="field-problem" role="alert" data-testid=format!("problem-{field}")>{p.message}</p> })
            .collect_view()
    }
}
