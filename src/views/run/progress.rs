//! The run's progress bar: ended / planned requests, how many failed, are
//! under way or waiting, tokens so far, elapsed time and time left, from
//! `RunBook::progress` at the screen's clock.

use etalon_core::report::format_duration;
use leptos::prelude::*;

use super::BookSignal;

#[component]
pub fn RunProgressBar(book: BookSignal, now: Signal<f64>) -> impl IntoView {
    let progress = Memo::new(move |_| {
        let now = now.get();
        book.with(|b| b.as_ref().map(|b| (b.progress(now), b.finished)))
    });
    move || {
        progress.get().map(|(p, finished)| {
            let ended = p.ended();
            let time_left = match p.time_left {
                _ if finished => "done".to_string(),
                Some(left) => format!("about {} left", format_duration(left)),
                None => "time left: estimating…".to_string(),
            };
            view! {
                <div class="run-progress" data-testid="run-progress">
                    <div class="progress-head">
                        <span class="progress-count">
                            <strong>{format!("{ended} / {}", p.total)}</strong>
                            " requests ended"
                        </span>
                        <span class="muted">{time_left}</span>
                    </div>
                    <progress
                        max=p.total.max(1).to_string()
                        value=ended.to_string()
                        aria-label=format!("{ended} of {} requests ended", p.total)
                    ></progress>
                    <ul class="progress-facts">
                        <li>{format!("{} done", p.done)}</li>
                        <li class:bad={p.failed > 0}>
                            {format!("{} error{}", p.failed, if p.failed == 1 { "" } else { "s" })}
                        </li>
                        <li>{format!("{} under way", p.under_way)}</li>
                        <li>{format!("{} waiting", p.waiting)}</li>
                        <li>{format!("{} tokens", p.tokens)}</li>
                        <li>{format!("elapsed {}", format_duration(p.elapsed))}</li>
                    </ul>
                </div>
            }
        })
    }
}
