//! One request up close: pick a request (the least fluid one first) and
//! see its tokens against their deadlines, the slack it banked and the
//! deadlines it missed.
//!
//! FALLBACK: until the RequestTimeline component lands, the request's
//! figures are a short list.

use etalon_core::metrics::DeadlineConfig;
use etalon_core::recording::Recording;
use etalon_core::report::{format_seconds, format_share, request_timeline, Report};
use leptos::prelude::*;

#[component]
pub fn RequestSection(
    recording: Signal<Recording>,
    report: Memo<Report>,
    deadlines: RwSignal<DeadlineConfig>,
) -> impl IntoView {
    let _ = deadlines;
    let chosen = RwSignal::new(None::<u64>);
    // The request shown: the user's choice, else the least fluid.
    let shown = Memo::new(move |_| chosen.get().or_else(|| report.with(|r| r.least_fluid)));
    let timeline = Memo::new(move |_| {
        let id = shown.get()?;
        report.with(|r| recording.with(|rec| request_timeline(rec, &r.metrics, id)))
    });
    let figures = Memo::new(move |_| {
        let id = shown.get()?;
        report.with(|r| r.metrics.requests.iter().find(|m| m.id == id).cloned())
    });
    view! {
        <section class="one-request" aria-labelledby="one-request-title">
            <h3 id="one-request-title">"One request, token by token"</h3>
            <p class="muted">
                "Each piece of the answer has a deadline: the first one the TTFT deadline, \
                 each next one the TBT deadline after the previous piece, plus any time saved \
                 by early pieces. A late piece misses every deadline its pause spans."
            </p>
            <label for="request-pick">"Request"</label>
            <select
                id="request-pick"
                data-testid="request-pick"
                on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())
            >
                {move || {
                    let current = shown.get();
                    report
                        .with(|r| {
                            r.choices
                                .iter()
                                .map(|c| {
                                    view! {
                                        <option value=c.id.to_string() selected=current == Some(c.id)>
                                            {c.label.clone()}
                                        </option>
                                    }
                                })
                                .collect_view()
                        })
                }}
            </select>
            <div class="chart chart-fallback" data-testid="request-timeline">
                {move || {
                    let (Some(m), Some((itt, _))) = (figures.get(), timeline.get()) else {
                        return view! { <p class="muted">"No completed request to show."</p> }
                            .into_any();
                    };
                    view! {
                        <ul class="request-facts">
                            <li>{format!("{} tokens; the first after {}", itt.len(), format_seconds(m.ttft))}</li>
                            <li>{format!("TTFT deadline {}", format_seconds(m.ttft_deadline))}</li>
                            <li>
                                {format!(
                                    "{} of {} deadlines missed; fluidity-index {}",
                                    m.missed_deadlines,
                                    m.total_deadlines,
                                    format_share(m.fluidity_index),
                                )}
                            </li>
                            <li>{format!("TPOT {}", format_seconds(m.tpot))}</li>
                        </ul>
                    }
                        .into_any()
                }}
            </div>
        </section>
    }
}
