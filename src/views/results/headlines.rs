//! The headline cards: one card per figure, each statistic of it on a row
//! (its value, the raw value at full precision in `data-value` for
//! end-to-end tests, and how sure it is), the explanation said once under
//! them. The run's throughput and goodput come first. Under the cards:
//! whether a reader would have noticed the answers' pauses, and the clock
//! the times were read with.

use etalon_core::present::report::{raw_value, Headline, Metric, Report};
use leptos::prelude::*;

#[component]
pub fn HeadlineCards(
    report: Memo<Report>,
    /// The clock the times were read with, in a sentence.
    #[prop(into)]
    clock: Signal<String>,
) -> impl IntoView {
    view! {
        <section class="headlines" aria-labelledby="headlines-title">
            <h3 id="headlines-title">"The figures"</h3>
            <div class="card-grid">
                {move || {
                    report
                        .with(|r| {
                            groups(r.rate_headlines.iter().chain(&r.headlines))
                                .into_iter()
                                .map(card)
                                .collect_view()
                        })
                }}
            </div>
            {move || {
                report
                    .with(|r| r.pauses.as_ref().map(|note| (note.sentence.clone(), note.covered == note.pauses)))
                    .map(|(sentence, covered)| {
                        view! {
                            <p class="pause-note" class:pause-note-seen=!covered data-testid="results-pauses">
                                <span class="pause-icon" aria-hidden="true">"⏸ "</span>
                                {sentence}
                            </p>
                        }
                    })
            }}
            <p class="muted clock-note" data-testid="results-clock">{clock}</p>
        </section>
    }
}

/// The headlines of each figure together, in order.
fn groups<'a>(headlines: impl Iterator<Item = &'a Headline>) -> Vec<Vec<Headline>> {
    let mut groups: Vec<Vec<Headline>> = Vec::new();
    for headline in headlines {
        match groups.last_mut() {
            Some(group) if group[0].metric == headline.metric => group.push(headline.clone()),
            _ => groups.push(vec![headline.clone()]),
        }
    }
    groups
}

fn card(group: Vec<Headline>) -> impl IntoView {
    let metric = group[0].metric;
    // A failure is never shown in the colour of a good figure.
    let bad = metric == Metric::ErrorRate && group.iter().any(|h| h.value.is_some_and(|v| v > 0.0));
    let key = group[0].key;
    view! {
        <article
            class="card"
            class:card-featured=key == "fluid-rate"
            class:card-bad=bad
            data-card=key
        >
            <h4 class="card-title">{metric.name()}</h4>
            {group.iter().map(row).collect_view()}
            <p class="card-explain">{metric.explanation()}</p>
        </article>
    }
}

fn row(headline: &Headline) -> impl IntoView {
    let sureness = headline.sureness();
    view! {
        <div
            class="card-row"
            class:card-missing=headline.value.is_none()
            data-testid=headline.test_id()
            data-value=raw_value(headline.value)
        >
            {(!headline.statistic.is_empty()).then(|| view! { <p class="card-stat">{headline.statistic}</p> })}
            <p class="card-figure">{headline.display.clone()}</p>
            {(!sureness.is_empty()).then(|| view! { <p class="card-sure">{sureness}</p> })}
        </div>
    }
}
