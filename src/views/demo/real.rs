//! System A as the set-up's own endpoint: the demo's load sent there
//! through the normal runner (warm-up, then the measured run, from this
//! browser), its progress, and its recording taken as A's once it ends.

use std::sync::Arc;

use etalon_core::demo::{demo_deadlines, demo_setup};
use etalon_core::plan::setup::TestSetup;
use leptos::prelude::*;

use super::context::{use_demo, DemoState};
use crate::runner::Phase;
use crate::state::{use_app, AppState, Screen};

/// Takes the demo's real run's recording as A's once the run ends, on any
/// screen. Call once, where the app's state lives.
pub fn follow_real_runs(app: AppState, demo: DemoState) {
    Effect::new(move |_| {
        let Some(before) = demo.real_run.get() else {
            return;
        };
        let done = app.book.with(|b| {
            b.as_ref()
                .filter(|b| b.finished && b.run_id != before)
                .map(|b| b.recording.clone())
        });
        if let Some(recording) = done {
            demo.real.set(Some(Arc::clone(&recording)));
            demo.real_run.set(None);
            demo.replay.update(|n| *n += 1);
        } else if let Phase::Failed(sentence) = app.phase.get() {
            demo.real_problem.set(Some(sentence));
            demo.real_run.set(None);
        }
    });
}

#[component]
pub fn RealEndpoint() -> impl IntoView {
    let app = use_app();
    let demo = use_demo();
    let setup = app.setup;
    let problems = Signal::derive(move || setup.with(TestSetup::problems));
    let under_way =
        Signal::derive(move || matches!(app.phase.get(), Phase::WarmingUp { .. } | Phase::Running));
    let waiting = Signal::derive(move || demo.real_run.get().is_some());
    let load = Memo::new(move |_| demo.choice.with(|c| c.load));
    let run = move |_| {
        if under_way.get_untracked() {
            return;
        }
        let setup = demo_setup(&setup.get_untracked(), &demo.choice.get_untracked());
        let before = app
            .book
            .with_untracked(|b| b.as_ref().map_or(0, |b| b.run_id));
        demo.real.set(None);
        demo.real_problem.set(None);
        // A failure to start an earlier run is not this one's.
        if matches!(app.phase.get_untracked(), Phase::Failed(_)) {
            app.phase.set(Phase::Idle);
        }
        demo.real_run.set(Some(before));
        app.deadlines.set(demo_deadlines());
        let (runner, key) = (app.runner.get_value(), app.api_key.get_untracked());
        wasm_bindgen_futures::spawn_local(async move { runner.run(setup, key).await });
    };
    let progress = move || {
        if !waiting.get() {
            return None;
        }
        Some(match app.phase.get() {
            Phase::WarmingUp { total } => format!("Warming up with {total} questions…"),
            Phase::Running => app.book.with(|b| {
                b.as_ref().map_or_else(String::new, |b| {
                    let ended = b
                        .recording
                        .requests
                        .iter()
                        .filter(|r| r.ended_at.is_some())
                        .count();
                    format!("{ended} of {} answers ended…", load.get().questions())
                })
            }),
            _ => "Starting…".to_string(),
        })
    };
    let failure = move || demo.real_problem.get();
    view! {
        <div class="demo-real" data-testid="demo-real">
            <p>
                "The demo's questions ("
                {move || format!(
                    "{}, about {} minutes",
                    load.get().label().to_lowercase(),
                    (f64::from(load.get().questions()) * load.get().seconds_between_questions() / 60.0).ceil()
                )}
                ") go to " <strong>{move || setup.with(TestSetup::host)}</strong>
                {move || setup.with(|s| (!s.request.model.is_empty()).then(|| format!(", model \"{}\"", s.request.model)))}
                ", measured from this browser as any run is; B stays simulated."
            </p>
            <Show when=move || !problems.with(Vec::is_empty)>
                <ul class="check">
                    {move || problems.get().into_iter().map(|p| view! { <li class="bad">{p.message}</li> }).collect_view()}
                </ul>
                <button class="secondary" on:click=move |_| app.screen.set(Screen::Setup)>"Go to the set-up"</button>
            </Show>
            <div class="actions">
                <button class="primary" data-testid="demo-run-endpoint"
                    disabled=move || !problems.with(Vec::is_empty) || under_way.get()
                    on:click=run>
                    "Send the questions to your endpoint"
                </button>
                <Show when=move || waiting.get() && under_way.get()>
                    <button class="danger" data-testid="demo-stop-endpoint" on:click=move |_| app.stop()>"Stop, and compare what has ended"</button>
                </Show>
            </div>
            {move || progress().map(|p| view! { <p class="muted" role="status" data-testid="demo-real-progress">{p}</p> })}
            {move || failure().map(|f| view! { <p class="problem" role="alert">{f}</p> })}
        </div>
    }
}
