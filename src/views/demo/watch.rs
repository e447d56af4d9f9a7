//! One system's watched answer, replayed at its true pace: each read shows
//! once as much time has passed since the question as had when it arrived,
//! so the two systems' answers to the same question race side by side.
//! Pauses are marked as the run screen's live text marks them ("⏸ 0.8 s"),
//! and a pause under way shows as it grows.

use std::sync::Arc;

use etalon_core::present::report::{
    format_seconds, is_stall, live_segments, stall_marker, tail_start, typical_gap, LiveSegment,
    LIVE_TEXT_MAX_CHARS,
};
use leptos::prelude::*;

/// A watched answer: when each read arrived (seconds after its question)
/// and its text.
pub type Pieces = Arc<Vec<(f64, String)>>;

/// Where a replayed answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Waiting,
    Writing,
    Paused,
    Done,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Waiting => "waiting",
            Stage::Writing => "writing",
            Stage::Paused => "paused",
            Stage::Done => "done",
        }
    }
}

/// The pause sign, drawn by CSS as two bars (see the run screen's live text).
fn pause_icon() -> impl IntoView {
    view! { <span class="pause-icon" aria-hidden="true">"⏸"</span> }
}

#[component]
pub fn WatchPanel(
    /// 0 for A, 1 for B: the panel's test ids end with it.
    side: usize,
    pieces: Signal<Option<Pieces>>,
    /// Seconds since both questions were sent.
    elapsed: Signal<f64>,
) -> impl IntoView {
    let total = Memo::new(move |_| pieces.with(|p| p.as_ref().map_or(0, |p| p.len())));
    let due = Memo::new(move |_| {
        let t = elapsed.get();
        pieces.with(|p| {
            p.as_ref()
                .map_or(0, |p| p.partition_point(|(at, _)| *at <= t))
        })
    });
    // A pause under way: how long since the last read, once that is a pause.
    let pausing = Memo::new(move |_| {
        let (n, t) = (due.get(), elapsed.get());
        pieces.with(|p| {
            let p = p.as_ref()?;
            if n == 0 || n >= p.len() {
                return None;
            }
            let gap = t - p[n - 1].0;
            is_stall(gap, typical_gap(&p[..n])).then_some(gap)
        })
    });
    let stage = Memo::new(move |_| match (due.get(), total.get()) {
        (_, 0) | (0, _) => Stage::Waiting,
        (n, all) if n >= all => Stage::Done,
        _ if pausing.get().is_some() => Stage::Paused,
        _ => Stage::Writing,
    });
    let segments = Memo::new(move |_| {
        let n = due.get();
        pieces.with(|p| {
            let Some(p) = p.as_ref() else {
                return (false, Vec::new());
            };
            let shown = &p[..n.min(p.len())];
            let start = tail_start(shown, LIVE_TEXT_MAX_CHARS);
            (start > 0, live_segments(&shown[start..]))
        })
    });
    let tokens_shown = Memo::new(move |_| {
        let n = due.get();
        pieces.with(|p| {
            p.as_ref().map_or(0, |p| {
                p[..n.min(p.len())]
                    .iter()
                    .map(|(_, t)| t.len())
                    .sum::<usize>()
            })
        })
    });
    let summary = Memo::new(move |_| {
        pieces.with(|p| {
            let p = p.as_ref()?;
            let first = p.first()?.0;
            let last = p.last()?.0;
            let stops: Vec<f64> = live_segments(p)
                .into_iter()
                .filter_map(|s| match s {
                    LiveSegment::Stall(gap) => Some(gap),
                    LiveSegment::Text(_) => None,
                })
                .collect();
            let stops = match stops.len() {
                0 => "It never stopped mid-answer.".to_string(),
                1 => format!(
                    "It stopped once mid-answer, for {}.",
                    format_seconds(stops[0])
                ),
                n => format!(
                    "It stopped {n} times mid-answer, {} in all.",
                    format_seconds(stops.iter().sum())
                ),
            };
            Some(format!(
                "Done after {}: the first word came after {}. {stops}",
                format_seconds(last),
                format_seconds(first)
            ))
        })
    });
    // Keep the newest words in view unless the reader scrolled up. Only a
    // scroll soon after the reader's own wheel, touch or key counts: the
    // text's front is cut as it grows, which moves the scroll position too.
    let text_box = NodeRef::<leptos::html::Div>::new();
    let follow = RwSignal::new(true);
    let touched_at = StoredValue::new(f64::NEG_INFINITY);
    let touched = move || touched_at.set_value(js_sys::Date::now());
    let on_scroll = move |_| {
        if js_sys::Date::now() - touched_at.get_value() > 1000.0 {
            return;
        }
        if let Some(el) = text_box.get_untracked() {
            let below = el.scroll_height() - el.scroll_top() - el.client_height();
            follow.set(below < 26);
        }
    };
    Effect::new(move |_| {
        due.track();
        stage.track();
        request_animation_frame(move || {
            if let Some(el) = text_box.get_untracked() {
                if follow.get_untracked() {
                    el.set_scroll_top(el.scroll_height());
                }
            }
        });
    });
    let status = move || match stage.get() {
        Stage::Waiting => format!(
            "Waiting for the first word… {}",
            format_seconds(elapsed.get().max(0.0))
        ),
        Stage::Done => summary.get().unwrap_or_default(),
        Stage::Paused => format!(
            "Stopped for {} so far…",
            format_seconds(pausing.get().unwrap_or(0.0))
        ),
        Stage::Writing => format!("Writing… {:.1} s since the question", elapsed.get()),
    };
    view! {
        <div class="demo-watch" data-testid=format!("demo-watch-{side}")
            data-stage=move || stage.get().name() data-pieces=move || due.get().to_string()
            data-chars=move || tokens_shown.get().to_string()>
            <p class="demo-watch-status" class:demo-watch-paused=move || stage.get() == Stage::Paused
                aria-live="polite" data-testid=format!("demo-watch-status-{side}")>
                {status}
            </p>
            <div class="live-text demo-live-text" aria-live="off" node_ref=text_box on:scroll=on_scroll
                on:wheel=move |_| touched() on:touchstart=move |_| touched()
                on:keydown=move |_| touched() on:pointerdown=move |_| touched()>
                {move || {
                    let (cut, segments) = segments.get();
                    if segments.is_empty() {
                        return view! { <span class="muted">"…"</span> }.into_any();
                    }
                    let cut = cut.then(|| view! { <span class="muted">"… "</span> });
                    let runs = segments
                        .into_iter()
                        .map(|segment| match segment {
                            LiveSegment::Text(text) => view! { <span>{text}</span> }.into_any(),
                            LiveSegment::Stall(gap) => view! {
                                <mark class="stall" title=format!("The text stopped for {}", format_seconds(gap))
                                    aria-label=format!("stopped for {}", format_seconds(gap))>
                                    {pause_icon()}
                                    {stall_marker(gap).trim_start_matches('⏸').to_string()}
                                </mark>
                            }.into_any(),
                        })
                        .collect_view();
                    view! { {cut} {runs} }.into_any()
                }}
                {move || pausing.get().map(|gap| view! {
                    <mark class="stall demo-stall-now" aria-hidden="true">
                        {pause_icon()} {format!(" {}…", format_seconds(gap))}
                    </mark>
                })}
                <Show when=move || matches!(stage.get(), Stage::Writing | Stage::Paused | Stage::Waiting)>
                    <span class="caret" aria-hidden="true">"▍"</span>
                </Show>
            </div>
        </div>
    }
}
