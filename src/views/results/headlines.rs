//! The headline cards: each figure with its statistic, its value (the raw
//! value, full precision, in `data-value` for end-to-end tests) and the
//! sentence that explains it; under them, whether a reader would have
//! noticed the answers' pauses.

use etalon_core::present::report::{raw_value, Headline, Report};
use leptos::prelude::*;

#[component]
pub fn HeadlineCards(report: Memo<Report>) -> impl IntoView {
    view! {
        <section class="headlines" aria-labelledby="headlines-title">
            <h3 id="headlines-title">"At a glance"</h3>
            <div class="card-grid">
                {move || report.with(|r| r.headlines.iter().map(card).collect_view())}
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
        </section>
    }
}

fn card(headline: &Headline) -> impl IntoView {
    let Headline {
        metric,
        statistic,
        value,
        display,
        explanation,
        ..
    } = headline.clone();
    view! {
        <article
            class="card"
            class:card-missing=value.is_none()
            data-testid=headline.test_id()
            data-value=raw_value(value)
        >
            <h4 class="card-title">{metric.name()}</h4>
            {(!statistic.is_empty()).then(|| view! { <p class="card-stat">{statistic}</p> })}
            <p class="card-figure">{display}</p>
            <p class="card-explain">{explanation}</p>
        </article>
    }
}
