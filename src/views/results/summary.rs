//! The results of a summary link: a run too large for an exact link, shown
//! from the sender's figures. The same sections as a recording's results
//! (the first look, the cards with their intervals, the fluidity charts,
//! the percentile table, the CDFs, single requests of the sample, the
//! errors), under the sender's deadlines; the deadline controls are there
//! but locked, and say why.

use etalon_core::present::report::{clock_sentence, first_look, local_time_text, Report};
use etalon_core::share::RunSummary;
use leptos::prelude::*;
use std::sync::Arc;

use super::{
    local_offset_minutes, DeadlineControls, Distributions, ErrorsTable, FirstLook, FluiditySection,
    HeadlineCards, PercentileTable, RequestSection,
};
use etalon_core::present::chart::format_count;

#[component]
pub fn SummaryBody(summary: Arc<RunSummary>) -> impl IntoView {
    let deadlines = RwSignal::new(summary.deadlines.clone());
    let sample = Arc::new(summary.sample_recording());
    let report = {
        let (summary, sample) = (summary.clone(), sample.clone());
        Memo::new(move |_| {
            let cards: Vec<_> = summary
                .cards
                .iter()
                .map(|c| (c.key.clone(), c.value, c.interval))
                .collect();
            Report::summarised(
                &summary.deadlines,
                summary.service.clone(),
                &cards,
                summary.rates,
                &sample,
            )
        })
    };
    let gaps = Memo::new(move |_| {
        report.with(|r| {
            Arc::new(
                r.metrics
                    .service
                    .percentiles
                    .tbt
                    .as_ref()
                    .map(|s| s.cdf.iter().map(|[v, _]| *v).collect())
                    .unwrap_or_default(),
            )
        })
    });
    let when = local_time_text(
        summary.started_at_unix_ms,
        local_offset_minutes(summary.started_at_unix_ms),
    );
    let said = {
        let summary = summary.clone();
        move || report.with(|r| first_look(&summary.facts, &r.metrics, r.rates.as_ref(), &when))
    };
    let clock = Signal::stored(clock_sentence(&summary.facts));
    let note = format!(
        "A summary of a run of {} requests, shared as a link because its whole recording is too \
         large for one. Every figure is the sender's, under the sender's deadlines; the charts of \
         single requests show {} of its requests.",
        format_count(summary.requests()),
        format_count(summary.sample.len() as u64)
    );
    view! {
        <div class="results-body">
            <p class="banner summary-note" role="note" data-testid="results-summary-note">{note}</p>
            <FirstLook sentences=Signal::derive(said)/>
            <HeadlineCards report clock/>
            <div class="summary-deadlines" data-testid="summary-deadlines">
                <p class="muted">
                    "These are the deadlines the sender judged the run by. A summary cannot work its \
                     figures out again under other deadlines: for that, ask the sender for the \
                     recording file and open it here."
                </p>
                <fieldset disabled class="locked">
                    <DeadlineControls deadlines/>
                </fieldset>
            </div>
            <FluiditySection report deadlines/>
            <PercentileTable report/>
            <Distributions report gaps deadlines/>
            <RequestSection recording=Signal::stored(sample) report deadlines/>
            <ErrorsTable report/>
        </div>
    }
}
