//! The deadline inputs: TTFT deadline (or slack over a prefill model), TBT
//! deadline and target miss rate, each a number field and a slider bound
//! to the shared deadlines. A change recomputes every figure from the
//! recording; a dragged slider applies its latest value once per animation
//! frame, so that at most one recompute is under way per frame however
//! fast the input events come. An invalid entry is marked beside its field
//! and changes nothing.

use etalon_core::metrics::DeadlineConfig;
use etalon_core::present::report::{
    format_seconds, log_slider_position, log_slider_seconds, parse_percent, parse_seconds,
    percent_text, seconds_text, ttft_field, with_target_miss_rate, with_tbt_deadline,
    with_ttft_field, Metric, LOG_SLIDER_STEPS,
};
use leptos::prelude::*;

/// How a slider maps its position to the field's value.
#[derive(Clone, Copy, PartialEq)]
enum Slider {
    /// Seconds from `min` to `max` on a log scale (deadlines: fine steps
    /// where they are short).
    LogSeconds { min: f64, max: f64 },
    /// The field's own unit, linear.
    Linear { min: f64, max: f64, step: f64 },
}

impl Slider {
    fn bounds(self) -> (f64, f64, f64) {
        match self {
            Slider::LogSeconds { .. } => (0.0, LOG_SLIDER_STEPS, 1.0),
            Slider::Linear { min, max, step } => (min, max, step),
        }
    }

    /// The slider's position for the field's text.
    fn position(self, text: &str) -> String {
        match self {
            Slider::LogSeconds { min, max } => text
                .parse::<f64>()
                .map(|s| log_slider_position(s, min, max).to_string())
                .unwrap_or_default(),
            Slider::Linear { .. } => text.to_string(),
        }
    }

    /// The field's text for a slider position.
    fn text(self, position: &str) -> String {
        match self {
            Slider::LogSeconds { min, max } => position
                .parse::<f64>()
                .map(|p| seconds_text(log_slider_seconds(p, min, max)))
                .unwrap_or_default(),
            Slider::Linear { .. } => position.to_string(),
        }
    }
}

/// Which field.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Ttft,
    Tbt,
    Target,
}

impl Field {
    fn read(self, config: &DeadlineConfig) -> String {
        match self {
            Field::Ttft => seconds_text(ttft_field(config).seconds),
            Field::Tbt => seconds_text(config.tbt_deadline),
            Field::Target => percent_text(config.target_miss_rate),
        }
    }

    fn apply(self, config: &DeadlineConfig, text: &str) -> Result<DeadlineConfig, String> {
        Ok(match self {
            Field::Ttft => with_ttft_field(config, parse_seconds(text, true)?),
            Field::Tbt => with_tbt_deadline(config, parse_seconds(text, false)?),
            Field::Target => with_target_miss_rate(config, parse_percent(text)?),
        })
    }
}

#[component]
pub fn DeadlineControls(deadlines: RwSignal<DeadlineConfig>) -> impl IntoView {
    let ttft_label = move || deadlines.with(|d| ttft_field(d).label);
    view! {
        <section class="deadlines" aria-labelledby="deadlines-title">
            <h3 id="deadlines-title">"Deadlines"</h3>
            <p class="muted">
                "Change these to see how the same answers score under other promises: every \
                 figure below is recomputed from the recording, nothing is sent again."
            </p>
            <div class="deadline-fields">
                <DeadlineField
                    field=Field::Ttft
                    deadlines
                    id="deadline-ttft"
                    label=Signal::derive(move || format!("{} (seconds)", ttft_label()))
                    hint=Metric::Ttft.explanation()
                    step="0.01"
                    min="0"
                    slider=Slider::LogSeconds { min: 0.01, max: 10.0 }
                />
                <DeadlineField
                    field=Field::Tbt
                    deadlines
                    id="deadline-tbt"
                    label=Signal::stored("TBT deadline (seconds)".to_string())
                    hint="The longest pause allowed between two pieces of an answer, plus any time saved earlier."
                    step="0.001"
                    min="0.001"
                    slider=Slider::LogSeconds { min: 0.001, max: 0.5 }
                />
                <DeadlineField
                    field=Field::Target
                    deadlines
                    id="deadline-target"
                    label=Signal::stored("Target miss rate (%)".to_string())
                    hint="The share of deadlines an answer may miss when the smallest TBT deadline it meets is sought."
                    step="1"
                    min="0"
                    slider=Slider::Linear { min: 0.0, max: 50.0, step: 1.0 }
                />
            </div>
        </section>
    }
}

/// One deadline: a number field (`data-testid` = `id`) and a slider.
#[component]
fn DeadlineField(
    field: Field,
    deadlines: RwSignal<DeadlineConfig>,
    id: &'static str,
    label: Signal<String>,
    hint: &'static str,
    step: &'static str,
    min: &'static str,
    slider: Slider,
) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let text = Memo::new(move |_| deadlines.with(|d| field.read(d)));
    let apply = move |value: String| match deadlines.with_untracked(|d| field.apply(d, &value)) {
        Ok(config) => {
            problem.set(None);
            if deadlines.with_untracked(|d| *d != config) {
                deadlines.set(config);
            }
        }
        Err(message) => problem.set(Some(message)),
    };
    // While a slider is dragged, its value shows at once, and the figures
    // follow: the latest value is applied at the next animation frame
    // (values that came in between are skipped), at most one per frame.
    let dragged = RwSignal::new(None::<String>);
    let pending = StoredValue::new(None::<String>);
    let frame_asked = StoredValue::new(false);
    let drag = move |value: String| {
        dragged.set(Some(value.clone()));
        pending.set_value(Some(value));
        if !frame_asked.get_value() {
            frame_asked.set_value(true);
            request_animation_frame(move || {
                frame_asked.set_value(false);
                let mut latest = None;
                pending.update_value(|p| latest = p.take());
                if let Some(value) = latest {
                    apply(value);
                }
            });
        }
    };
    let let_go = move |value: String| {
        pending.set_value(None);
        dragged.set(None);
        apply(value);
    };
    let shown = move || {
        let value = dragged.get().unwrap_or_else(|| text.get());
        match field {
            Field::Target => dragged.get().map(|v| format!("{v} %")),
            _ => value.parse::<f64>().ok().map(format_seconds),
        }
    };
    let hint_id = format!("{id}-hint");
    let problem_id = format!("{id}-problem");
    let (min_r, max_r, step_r) = slider.bounds();
    view! {
        <div class="deadline-field">
            <label for=id>{move || label.get()}</label>
            <div class="deadline-inputs">
                <input
                    id=id
                    data-testid=id
                    type="number"
                    inputmode="decimal"
                    min=min
                    step=step
                    prop:value=move || text.get()
                    aria-describedby=format!("{hint_id} {problem_id}")
                    aria-invalid=move || problem.with(Option::is_some).then_some("true")
                    on:input=move |ev| apply(event_target_value(&ev))
                    on:change=move |ev| apply(event_target_value(&ev))
                />
                <input
                    type="range"
                    aria-label=move || label.get()
                    min=min_r.to_string()
                    max=max_r.to_string()
                    step=step_r.to_string()
                    prop:value=move || slider.position(&text.get())
                    on:input=move |ev| drag(slider.text(&event_target_value(&ev)))
                    on:change=move |ev| let_go(slider.text(&event_target_value(&ev)))
                />
                <span class="muted deadline-shown">{shown}</span>
            </div>
            <p class="hint" id=hint_id>{hint}</p>
            <p class="field-problem" id=problem_id role="alert">{move || problem.get()}</p>
        </div>
    }
}
