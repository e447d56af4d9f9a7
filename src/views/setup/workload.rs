//! The workload part of the set-up: how many requests, how they arrive,
//! how many at once, and how long prompts and outputs are. Common choices
//! have fields; everything else (Zipf, split totals, replayed arrivals) is
//! in the workload's JSON, which the advanced box edits whole.

use etalon_core::plan::setup::TestSetup;
use etalon_core::plan::workload::{
    Arrivals, LengthDistribution, RequestLengths, WorkloadConfig, SHARED_TRACES,
};
use leptos::prelude::*;

use super::fields::NumberField;

fn field(setup: RwSignal<TestSetup>, read: fn(&WorkloadConfig) -> f64) -> Signal<f64> {
    Signal::derive(move || setup.with(|s| read(&s.workload)))
}

fn setter(setup: RwSignal<TestSetup>, write: fn(&mut WorkloadConfig, f64)) -> Callback<f64> {
    Callback::new(move |value| setup.update(|s| write(&mut s.workload, value)))
}

fn fixed_tokens(distribution: &LengthDistribution) -> f64 {
    match distribution {
        LengthDistribution::Fixed { tokens } => *tokens as f64,
        LengthDistribution::Uniform { min, max } => (*min as f64 + *max as f64) / 2.0,
        LengthDistribution::Zipf { min, .. } => *min as f64,
    }
}

fn set_separate(workload: &mut WorkloadConfig, prompt: Option<u32>, output: Option<u32>) {
    let (old_prompt, old_output) = match &workload.lengths {
        RequestLengths::Separate {
            prompt_tokens,
            output_tokens,
        } => (
            fixed_tokens(prompt_tokens) as u32,
            fixed_tokens(output_tokens) as u32,
        ),
        _ => (512, 128),
    };
    workload.lengths = RequestLengths::Separate {
        prompt_tokens: LengthDistribution::Fixed {
            tokens: prompt.unwrap_or(old_prompt).max(1),
        },
        output_tokens: LengthDistribution::Fixed {
            tokens: output.unwrap_or(old_output).max(1),
        },
    };
}

fn arrivals_kind(arrivals: &Arrivals) -> &'static str {
    match arrivals {
        Arrivals::AllAtOnce => "all_at_once",
        Arrivals::FixedInterval { .. } => "fixed_interval",
        Arrivals::Poisson { .. } => "poisson",
        Arrivals::Gamma { .. } => "gamma",
        Arrivals::Replay { .. } => "replay",
    }
}

fn rate_of(arrivals: &Arrivals) -> f64 {
    match arrivals {
        Arrivals::Poisson {
            requests_per_second,
        }
        | Arrivals::Gamma {
            requests_per_second,
            ..
        } => *requests_per_second,
        Arrivals::FixedInterval { interval_seconds } if *interval_seconds > 0.0 => {
            1.0 / interval_seconds
        }
        _ => 2.0,
    }
}

#[component]
pub fn WorkloadFields(setup: RwSignal<TestSetup>) -> impl IntoView {
    let kind = Signal::derive(move || setup.with(|s| arrivals_kind(&s.workload.arrivals)));
    let set_kind = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        setup.update(|s| {
            let rate = rate_of(&s.workload.arrivals);
            s.workload.arrivals = match chosen.as_str() {
                "fixed_interval" => Arrivals::FixedInterval {
                    interval_seconds: 1.0 / rate,
                },
                "poisson" => Arrivals::Poisson {
                    requests_per_second: rate,
                },
                "gamma" => Arrivals::Gamma {
                    requests_per_second: rate,
                    cv: 2.0,
                },
                _ => Arrivals::AllAtOnce,
            };
        });
    };
    let lengths_kind = Signal::derive(move || {
        setup.with(|s| match &s.workload.lengths {
            RequestLengths::Separate { .. } => "fixed".to_string(),
            RequestLengths::Trace { trace, .. } => trace.clone(),
            RequestLengths::SplitTotal { .. } => "json".to_string(),
        })
    });
    let set_lengths = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        setup.update(|s| {
            if chosen == "fixed" {
                set_separate(&mut s.workload, None, None);
            } else if let Some(trace) = SHARED_TRACES.iter().find(|t| t.file == chosen) {
                s.workload.lengths = RequestLengths::Trace {
                    trace: trace.file.to_string(),
                    prefill_scale_factor: 1.0,
                    decode_scale_factor: 1.0,
                    max_total_tokens: 8192,
                };
            }
        });
    };
    view! {
        <fieldset class="group">
            <legend>"Workload"</legend>
            <NumberField label="Requests" testid="setup-requests" step="1"
                help="How many measured requests the run sends (warm-ups not counted)."
                get=field(setup, |w| w.stop_after_requests.unwrap_or(0) as f64)
                set=setter(setup, |w, v| w.stop_after_requests = (v >= 1.0).then_some(v as u32).or(Some(0)))/>
            <label class="field">
                <span class="field-label">"Arrivals"</span>
                <select data-testid="setup-arrivals" on:change=set_kind prop:value=move || kind.get()>
                    <option value="all_at_once">"All at once (a closed loop at the concurrency cap)"</option>
                    <option value="fixed_interval">"At a fixed interval"</option>
                    <option value="poisson">"Poisson (random, at a rate)"</option>
                    <option value="gamma">"Gamma (burstier or steadier than Poisson)"</option>
                    <option value="replay" disabled=true>"Replayed from a trace (edit the JSON)"</option>
                </select>
            </label>
            <Show when=move || kind.get() != "all_at_once" && kind.get() != "replay">
                <NumberField label="Rate" unit="requests/s" testid="setup-rate"
                    get=Signal::derive(move || setup.with(|s| rate_of(&s.workload.arrivals)))
                    set=Callback::new(move |rate: f64| setup.update(|s| match &mut s.workload.arrivals {
                        Arrivals::Poisson { requests_per_second } | Arrivals::Gamma { requests_per_second, .. } => *requests_per_second = rate,
                        Arrivals::FixedInterval { interval_seconds } => *interval_seconds = if rate > 0.0 { 1.0 / rate } else { f64::NAN },
                        _ => {}
                    }))/>
            </Show>
            <Show when=move || kind.get() == "gamma">
                <NumberField label="Burstiness (CV)" testid="setup-cv"
                    help="1 is Poisson; above 1 burstier, below 1 steadier."
                    get=Signal::derive(move || setup.with(|s| match s.workload.arrivals { Arrivals::Gamma { cv, .. } => cv, _ => 1.0 }))
                    set=Callback::new(move |value: f64| setup.update(|s| if let Arrivals::Gamma { cv, .. } = &mut s.workload.arrivals { *cv = value }))/>
            </Show>
            <NumberField label="At most at once" testid="setup-concurrency" step="1"
                help="Concurrency cap; 0 for none. Browsers open at most 6 connections per host over HTTP/1.1."
                get=field(setup, |w| w.concurrency.unwrap_or(0) as f64)
                set=setter(setup, |w, v| w.concurrency = (v >= 1.0).then_some(v as u32))/>
            <NumberField label="Warm-up requests" testid="setup-warmup" step="1"
                help="Sent one at a time first and not measured; they also calibrate prompt lengths."
                get=field(setup, |w| w.warmup_requests as f64)
                set=setter(setup, |w, v| w.warmup_requests = v.max(0.0) as u32)/>
            <label class="field">
                <span class="field-label">"Prompt and output lengths"</span>
                <select data-testid="setup-lengths" on:change=set_lengths prop:value=move || lengths_kind.get()>
                    <option value="fixed">"Fixed lengths"</option>
                    {SHARED_TRACES.iter().map(|t| view! {
                        <option value=t.file>{format!("{} (mean {:.0} in, {:.0} out)", t.name, t.mean_prefill_tokens, t.mean_decode_tokens)}</option>
                    }).collect_view()}
                    <option value="json" disabled=true>"Other (edit the JSON)"</option>
                </select>
            </label>
            <Show when=move || lengths_kind.get() == "fixed">
                <NumberField label="Prompt" unit="tokens" testid="setup-prompt-tokens" step="1"
                    get=Signal::derive(move || setup.with(|s| match &s.workload.lengths { RequestLengths::Separate { prompt_tokens, .. } => fixed_tokens(prompt_tokens), _ => 0.0 }))
                    set=Callback::new(move |v: f64| setup.update(|s| set_separate(&mut s.workload, Some(v.max(1.0) as u32), None)))/>
                <NumberField label="Output" unit="tokens" testid="setup-output-tokens" step="1"
                    help="Asked for with max_tokens."
                    get=Signal::derive(move || setup.with(|s| match &s.workload.lengths { RequestLengths::Separate { output_tokens, .. } => fixed_tokens(output_tokens), _ => 0.0 }))
                    set=Callback::new(move |v: f64| setup.update(|s| set_separate(&mut s.workload, None, Some(v.max(1.0) as u32))))/>
            </Show>
            <WorkloadJson setup=setup/>
        </fieldset>
    }
}

/// The whole workload as JSON, for what the fields do not cover.
#[component]
fn WorkloadJson(setup: RwSignal<TestSetup>) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let text = Signal::derive(move || {
        setup.with(|s| serde_json::to_string_pretty(&s.workload).unwrap_or_default())
    });
    let on_change = move |ev: leptos::ev::Event| match serde_json::from_str::<WorkloadConfig>(
        &event_target_value(&ev),
    ) {
        Ok(workload) => {
            problem.set(None);
            setup.update(|s| s.workload = workload);
        }
        Err(e) => problem.set(Some(format!(
            "This JSON is not a workload: {e}. Nothing was changed."
        ))),
    };
    view! {
        <details class="advanced">
            <summary>"Advanced: the workload as JSON (Zipf lengths, replayed arrivals, stop after a duration, ...)"</summary>
            <textarea rows="12" spellcheck="false" data-testid="setup-workload-json" prop:value=text on:change=on_change></textarea>
            <Show when=move || problem.get().is_some()>
                <p class="field-problem" role="alert">{move || problem.get()}</p>
            </Show>
        </details>
    }
}
