//! The demo screen: two simulated serving systems (or the set-up's own
//! endpoint against a simulated one) answer the same questions. One
//! answer of each appears at its true pace, side by side, its pauses
//! marked; then the figures of every answer and three sentences on what a
//! user of each feels. Either result opens on the results screen, both on
//! the compare screen, and the demo travels as a link. Everything is
//! computed in the page (`etalon_core::demo`): no server, no network.

mod choose;
mod context;
mod figures;
mod offer;
mod real;
mod watch;

use std::sync::Arc;

use etalon_core::demo::{
    answer_pieces, demo_deadlines, sentences, watched_answer, watched_caption, DemoRun,
    SystemFigures, WatchReason,
};
use etalon_core::plan::setup::TestSetup;
use etalon_core::recording::Recording;
use leptos::prelude::*;

pub use context::{open_link_in_address, probe_endpoint_at_start, use_demo, DemoState, Probe};
pub use offer::DemoOffer;
pub use real::follow_real_runs;

use crate::browser::now_unix_ms;
use crate::hooks::use_ticking_clock;
use crate::state::{use_app, Screen};
use figures::{DemoFigures, Side};
use watch::{Pieces, WatchPanel};

/// The replay's frame interval (about 30 frames a second).
const FRAME_MS: u32 = 33;

/// The two systems as shown: their recordings and figures, the sentences,
/// and the answer both replay.
struct Shown {
    sides: Arc<[Side; 2]>,
    sentences: Vec<String>,
    watched: Option<Watched>,
}

/// The answer watched on both sides.
struct Watched {
    index: usize,
    reason: WatchReason,
    count: usize,
    sent_at: f64,
    prompt_tokens: u64,
    pieces: [Pieces; 2],
    /// When the later of the two ended, seconds after the question.
    ends: f64,
}

impl Shown {
    /// `run`'s systems, with A's recording replaced by `real` when given.
    fn new(run: &DemoRun, real: Option<Arc<Recording>>, host: &str) -> Shown {
        let deadlines = demo_deadlines();
        let title = |i: usize| {
            let system = &run.choice.systems[i];
            format!("{}, {}", system.title(), system.preset.label)
        };
        let a = match real {
            Some(recording) => Side {
                name: "A",
                title: format!("your endpoint ({host})"),
                figures: SystemFigures::of(&recording, &deadlines),
                recording,
            },
            None => Side {
                name: "A",
                title: title(0),
                figures: SystemFigures::of(&run.recordings[0], &deadlines),
                recording: Arc::new(run.recordings[0].clone()),
            },
        };
        let b = Side {
            name: "B",
            title: title(1),
            figures: SystemFigures::of(&run.recordings[1], &deadlines),
            recording: Arc::new(run.recordings[1].clone()),
        };
        let sentences = sentences(["A", "B"], [&a.figures, &b.figures]).to_vec();
        let watched = watched_answer([&a.recording, &b.recording]).map(|(index, reason)| {
            let pieces = [&a, &b]
                .map(|side| Arc::new(answer_pieces(&side.recording.requests[index], index as u64)));
            let record = &b.recording.requests[index];
            Watched {
                index,
                reason,
                count: a.recording.requests.len().min(b.recording.requests.len()),
                sent_at: record.scheduled_at,
                prompt_tokens: record.prompt_tokens.map_or(0, |t| t.count),
                ends: pieces
                    .iter()
                    .filter_map(|p| p.last().map(|(at, _)| *at))
                    .fold(0.0, f64::max),
                pieces,
            }
        });
        Shown {
            sides: Arc::new([a, b]),
            sentences,
            watched,
        }
    }
}

#[component]
pub fn DemoView() -> impl IntoView {
    let app = use_app();
    let demo = use_demo();
    let waiting_for_endpoint =
        Memo::new(move |_| demo.endpoint_as_a.get() && demo.real.with(Option::is_none));
    let shown = Memo::new_with_compare(
        move |_| {
            if waiting_for_endpoint.get() {
                return None;
            }
            let run = demo.run.get();
            let real = demo.endpoint_as_a.get().then(|| demo.real.get()).flatten();
            let host = app.setup.with_untracked(TestSetup::host);
            Some(Arc::new(Shown::new(&run, real, &host)))
        },
        |old, new| match (old, new) {
            (Some(Some(old)), Some(new)) => !new.as_ref().is_some_and(|new| Arc::ptr_eq(old, new)),
            _ => true,
        },
    );
    // The replay: both questions sent at `started`, the clock ticking
    // until both answers have ended.
    let started = RwSignal::new(now_unix_ms());
    Effect::new(move |_| {
        shown.track();
        demo.replay.track();
        started.set(now_unix_ms());
    });
    let clock = RwSignal::new(now_unix_ms());
    let elapsed = Signal::derive(move || ((clock.get() - started.get()) / 1000.0).max(0.0));
    let ends = Memo::new(move |_| {
        shown.with(|s| {
            s.as_ref()
                .and_then(|s| s.watched.as_ref().map(|w| w.ends))
                .unwrap_or(0.0)
        })
    });
    let finished = Memo::new(move |_| elapsed.get() >= ends.get());
    let playing = Memo::new(move |_| shown.with(Option::is_some) && !finished.get());
    use_ticking_clock(clock, playing, FRAME_MS);
    let pieces = move |i: usize| {
        Signal::derive(move || {
            shown.with(|s| {
                s.as_ref()
                    .and_then(|s| s.watched.as_ref().map(|w| w.pieces[i].clone()))
            })
        })
    };
    let sides = Signal::derive(move || shown.with(|s| s.as_ref().map(|s| s.sides.clone())));
    let sentences = Signal::derive(move || {
        shown.with(|s| s.as_ref().map_or(Vec::new(), |s| s.sentences.clone()))
    });
    let question = move || {
        shown.with(|s| {
            let s = s.as_ref()?;
            Some(match &s.watched {
                Some(w) => watched_caption(
                    Some((w.index, w.reason)),
                    w.count,
                    w.sent_at,
                    w.prompt_tokens,
                ),
                None => watched_caption(None, 0, 0.0, 0),
            })
        })
    };
    let side_head = move |i: usize| {
        move || {
            let real = i == 0 && demo.endpoint_as_a.get();
            if real {
                let host = app.setup.with(TestSetup::host);
                return view! {
                    <h3>{format!("{} · Your endpoint", ["A", "B"][i])}</h3>
                    <p class="muted demo-side-detail">{format!("{host}, measured from this browser.")}</p>
                }
                .into_any();
            }
            let system = demo.choice.with(|c| c.systems[i]);
            view! {
                <h3>{format!("{} · {}", ["A", "B"][i], system.title())}</h3>
                <p class="muted demo-side-detail">
                    {format!("Simulated: {}.", system.describe())}
                    " " <span class="demo-technical">{format!("({})", system.policy.name())}</span>
                </p>
            }
            .into_any()
        }
    };
    view! {
        <section class="demo-view" data-testid="demo-view" aria-labelledby="demo-title">
            <h2 id="demo-title">"Demo: two servers, the same questions"</h2>
            <p class="lead">
                "This page measures how an AI model's answers reach you while they are being written. Here \
                 two simulated servers get the same questions at the same moments: watch one answer from each \
                 appear at its real pace, then see what the figures say about all of their answers. \
                 Everything runs in this page; nothing is sent anywhere."
            </p>
            <choose::DemoChoices/>
            <div class="demo-pair">
                {[0usize, 1].into_iter().map(|i| view! {
                    <article class="demo-side" data-testid=format!("demo-side-{i}")>
                        {side_head(i)}
                        {move || {
                            if i == 0 && waiting_for_endpoint.get() {
                                view! { <real::RealEndpoint/> }.into_any()
                            } else if i == 1 && waiting_for_endpoint.get() {
                                view! {
                                    <p class="muted">"B's answer plays beside yours once your endpoint has answered the demo's questions."</p>
                                }.into_any()
                            } else {
                                view! { <WatchPanel side=i pieces=pieces(i) elapsed/> }.into_any()
                            }
                        }}
                    </article>
                }).collect_view()}
            </div>
            {move || question().map(|q| view! { <p class="demo-question muted" data-testid="demo-question">{q}</p> })}
            <div class="actions">
                <button class="secondary" data-testid="demo-replay" disabled=move || shown.with(Option::is_none)
                    on:click=move |_| demo.replay.update(|n| *n += 1)>"Play again"</button>
                <Show when=move || playing.get()>
                    <button class="secondary" data-testid="demo-skip"
                        on:click=move |_| started.set(f64::NEG_INFINITY)>"Skip to the results"</button>
                </Show>
                <button class="secondary" on:click=move |_| app.screen.set(Screen::Setup)>"Set up a test of your own"</button>
            </div>
            <Show when=move || shown.with(Option::is_some) && finished.get()>
                <DemoFigures sides sentences/>
            </Show>
            <Show when=move || shown.with(Option::is_some) && !finished.get()>
                <p class="muted" data-testid="demo-results-soon">
                    "The figures of every answer show here when both answers have ended."
                </p>
            </Show>
        </section>
    }
}
