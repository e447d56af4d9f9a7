//! One request up close: pick a request (the least fluid one first) and
//! see its tokens against their deadlines, the slack it banked and the
//! deadlines it missed (the RequestTimeline component), with its figures.

use etalon_core::metrics::DeadlineConfig;
use etalon_core::present::report::{format_seconds, format_share, request_timeline, Report};
use etalon_core::recording::Recording;
use leptos::prelude::*;
use std::sync::Arc;

use crate::components::RequestTimeline;
use crate::hooks::use_responsive_width;

#[component]
pub fn RequestSection(
    recording: Signal<Arc<Recording>>,
    report: Memo<Report>,
    deadlines: RwSignal<DeadlineConfig>,
) -> impl IntoView {
    let width = use_responsive_width(1000.0, 48.0);
    let chosen = RwSignal::new(None::<u64>);
    // The request shown: the user's choice, else the least fluid.
    let shown = Memo::new(move |_| {
        let valid = |id: u64| report.with(|r| r.choices.iter().any(|c| c.id == id));
        chosen
            .get()
            .filter(|&id| valid(id))
            .or_else(|| report.with(|r| r.least_fluid))
    });
    let timeline = Memo::new(move |_| {
        let id = shown.get()?;
        report.with(|r| recording.with(|rec| request_timeline(rec, &r.metrics, id)))
    });
    let figures = Memo::new(move |_| {
        let id = shown.get()?;
        report.with(|r| r.metrics.requests.iter().find(|m| m.id == id).cloned())
    });
    let itt = Signal::derive(move || {
        timeline.with(|t| t.as_ref().map(|t| t.0.clone()).unwrap_or_default())
    });
    let ttft_deadline = Signal::derive(move || timeline.with(|t| t.as_ref().map_or(0.0, |t| t.1)));
    let tbt_deadline = Signal::derive(move || deadlines.with(|d| d.tbt_deadline));
    view! {
        <section class="one-request" aria-labelledby="one-request-title">
            <h3 id="one-request-title">"One request, token by token"</h3>
            <p class="muted">
                "Each piece of the answer has a deadline: the first one the TTFT deadline, \
                 each next one the TBT deadline after the previous piece, plus any time saved \
                 by early pieces (banked slack). A piece that comes after a long pause misses \
                 every deadline the pause spans. The chart ends with the answer's last piece."
            </p>
            <div class="request-pick">
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
                <span class="muted">"The least fluid request is shown first."</span>
            </div>
            {move || {
                let Some(m) = figures.get() else {
                    return view! { <p class="muted">"No completed request to show."</p> }.into_any();
                };
                view! {
                    <ul class="request-facts" data-testid="request-facts">
                        <li>
                            {format!("{} tokens; the first after {} (deadline {})", m.num_output_tokens, format_seconds(m.ttft), format_seconds(m.ttft_deadline))}
                        </li>
                        <li>
                            {format!(
                                "{} of {} deadlines missed: fluidity-index {}",
                                m.missed_deadlines,
                                m.total_deadlines,
                                format_share(m.fluidity_index),
                            )}
                        </li>
                        <li>{format!("TPOT {}, whole answer {}", format_seconds(m.tpot), format_seconds(m.end_to_end_latency))}</li>
                    </ul>
                    <figure class="plot wide" data-testid="request-timeline">
                        <RequestTimeline
                            title=format!("Request #{}: tokens against their deadlines", m.id)
                            itt
                            ttft_deadline
                            tbt_deadline
                            width
                        />
                    </figure>
                }
                    .into_any()
            }}
        </section>
    }
}
