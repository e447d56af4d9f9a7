//! The run's progress bar: ended / planned requests, how many failed, are
//! under way or waiting, tokens so far, elapsed time and time left, from
//! `RunBook::progress` at the screen's clock. Built once; each batch only
//! changes its texts.

use etalon_core::observe::run_book::RunProgress;
use etalon_core::present::report::format_duration;
use leptos::prelude::*;

use super::BookSignal;

#[component]
pub fn RunProgressBar(book: BookSignal, now: Signal<f64>) -> impl IntoView {
    let state = Memo::new(move |_| {
        let now = now.get();
        book.with(|b| b.as_ref().map(|b| (b.progress(now), b.finished)))
    });
    let p = move || state.get().map(|(p, _)| p).unwrap_or_default();
    let text = move |f: fn(&RunProgress) -> String| move || f(&p());
    let time_left = move || match state.get() {
        Some((_, true)) => "done".to_string(),
        Some((
            RunProgress {
                time_left: Some(left),
                ..
            },
            _,
        )) => {
            format!("about {} left", format_duration(left))
        }
        _ => "time left: estimating…".to_string(),
    };
    view! {
        <Show when=move || state.with(Option::is_some)>
            <div class="run-progress" data-testid="run-progress">
                <div class="progress-head">
                    <span class="progress-count">
                        <strong>{text(|p| format!("{} / {}", p.ended(), p.total))}</strong>
                        " requests ended"
                    </span>
                    <span class="muted">{time_left}</span>
                </div>
                <progress
                    max=move || p().total.max(1).to_string()
                    value=move || p().ended().to_string()
                    aria-label=text(|p| format!("{} of {} requests ended", p.ended(), p.total))
                ></progress>
                <ul class="progress-facts">
                    <li>{text(|p| format!("{} done", p.done))}</li>
                    <li class:bad={move || p().failed > 0}>
                        {text(|p| format!("{} error{}", p.failed, if p.failed == 1 { "" } else { "s" }))}
                    </li>
                    <li>{text(|p| format!("{} under way", p.under_way))}</li>
                    <li>{text(|p| format!("{} waiting", p.waiting))}</li>
                    <li>{text(|p| format!("{} tokens", p.tokens))}</li>
                    <li>{text(|p| format!("elapsed {}", format_duration(p.elapsed)))}</li>
                </ul>
            </div>
        </Show>
    }
}
