//! The first request's answer, replayed at the pace its pieces arrived:
//! each piece shows once its arrival time (counted from the first piece)
//! has elapsed since the first piece was shown. Stalls (gaps much longer
//! than the stream's usual rhythm) are marked inline, "⏸ 0.8 s". Only the
//! latest 2,000 characters are laid out, so a frame costs the same however
//! long the answer grows.

use etalon_core::present::report::{
    format_seconds, live_segments, pieces_due, stall_marker, tail_start, LiveSegment, Metric,
    LIVE_TEXT_MAX_CHARS,
};
use leptos::prelude::*;

use super::BookSignal;
use crate::browser::now_unix_ms;
use crate::hooks::use_ticking_clock;

/// The replay's frame interval (about 30 frames a second).
const FRAME_MS: u32 = 33;

#[component]
pub fn LiveText(book: BookSignal) -> impl IntoView {
    let run_id = Memo::new(move |_| book.with(|b| b.as_ref().map(|b| b.run_id)));
    let total = Memo::new(move |_| book.with(|b| b.as_ref().map_or(0, |b| b.live_text.len())));
    // When the first piece was shown (ms); a run already over when this
    // screen opens shows at once.
    let already_over = book.with_untracked(|b| b.as_ref().is_some_and(|b| b.finished));
    let shown_since = RwSignal::new(None::<f64>);
    let clock = RwSignal::new(now_unix_ms());
    Effect::new(move |previous_run: Option<Option<u64>>| {
        let run = run_id.get();
        if previous_run.is_some_and(|p| p != run) {
            shown_since.set(None);
        }
        if total.get() > 0 && shown_since.get_untracked().is_none() {
            let start = if already_over && previous_run.is_none() {
                f64::NEG_INFINITY
            } else {
                now_unix_ms()
            };
            shown_since.set(Some(start));
        }
        run
    });
    let due = Memo::new(move |_| {
        let (Some(since), now) = (shown_since.get(), clock.get()) else {
            return 0;
        };
        book.with(|b| {
            b.as_ref()
                .map_or(0, |b| pieces_due(&b.live_text, (now - since) / 1000.0))
        })
    });
    // Tick only while pieces wait to be shown.
    let replaying = Memo::new(move |_| due.get() < total.get());
    use_ticking_clock(clock, replaying, FRAME_MS);
    // The latest LIVE_TEXT_MAX_CHARS characters of what is due, as text
    // runs and stall markers; and whether earlier text was left out.
    let segments = Memo::new(move |_| {
        let (n, _) = (due.get(), run_id.get());
        book.with_untracked(|b| {
            let Some(b) = b.as_ref() else {
                return (false, Vec::new());
            };
            let shown = &b.live_text[..n.min(b.live_text.len())];
            let start = tail_start(shown, LIVE_TEXT_MAX_CHARS);
            (start > 0, live_segments(&shown[start..]))
        })
    });
    let first_after = Memo::new(move |_| {
        (due.get() > 0)
            .then(|| {
                book.with_untracked(|b| b.as_ref().and_then(|b| b.live_text.first().map(|p| p.0)))
            })
            .flatten()
    });
    view! {
        <section class="live-answer" aria-labelledby="live-answer-title">
            <h3 id="live-answer-title">"The first answer, as it arrived"</h3>
            <p class="muted">
                "Replayed at the pace its pieces arrived. "
                <mark class="stall" aria-label="stall marker">
                    <PauseIcon/>
                </mark>
                " marks a stall. "
                {Metric::Stall.explanation()}
            </p>
            {move || {
                first_after
                    .get()
                    .map(|at| {
                        view! {
                            <p class="first-token">
                                "First piece after " <strong>{format_seconds(at)}</strong>
                                " (its time to first token)."
                            </p>
                        }
                    })
            }}
            <div class="live-text" data-testid="live-text" aria-live="off">
                {move || {
                    let (cut, segments) = segments.get();
                    if segments.is_empty() {
                        return view! { <span class="muted">"Waiting for the first piece…"</span> }
                            .into_any();
                    }
                    let cut = cut.then(|| view! { <span class="muted">"… "</span> });
                    let runs = segments
                        .into_iter()
                        .map(|segment| match segment {
                            LiveSegment::Text(text) => view! { <span>{text}</span> }.into_any(),
                            LiveSegment::Stall(gap) => {
                                view! {
                                    <mark
                                        class="stall"
                                        title=format!("The text stopped for {}", format_seconds(gap))
                                        aria-label=format!("stall of {}", format_seconds(gap))
                                    >
                                        <PauseIcon/>
                                        {stall_marker(gap).trim_start_matches('⏸').to_string()}
                                    </mark>
                                }
                                    .into_any()
                            }
                        })
                        .collect_view();
                    view! { {cut} {runs} }.into_any()
                }}
                <Show when=move || replaying.get()>
                    <span class="caret" aria-hidden="true">"▍"</span>
                </Show>
            </div>
        </section>
    }
}

/// The pause sign of a stall marker, drawn by CSS as two bars: not every
/// system has a font with "⏸" (U+23F8), and a missing glyph shows as an
/// empty box. The character stays in the text, hidden, so copied text and
/// the marker's text content still read "⏸ 0.8 s".
#[component]
fn PauseIcon() -> impl IntoView {
    view! { <span class="pause-icon" aria-hidden="true">"⏸"</span> }
}
