//! The app's shared state, provided as a Leptos context: the set-up being
//! edited, the API key (memory only, unless the user asks for this tab's
//! sessionStorage), which screen shows, the runner (with the current run's
//! book and phase), and the deadlines the results are judged against.

use etalon_core::metrics::DeadlineConfig;
use etalon_core::plan::setup::TestSetup;
use etalon_core::recording::Recording;
use etalon_core::share::ComparedRun;
use leptos::prelude::*;

use etalon_core::observe::run_book::RunBook;

use crate::browser::session_storage;
use crate::runner::{Phase, Runner};

/// The screens of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Setup,
    Run,
    Results,
    Compare,
}

/// Everything the screens share.
#[derive(Clone, Copy)]
pub struct AppState {
    pub setup: RwSignal<TestSetup>,
    /// Never in a link, a file or a recording.
    pub api_key: RwSignal<String>,
    /// Keep the key in this tab's sessionStorage (the user's choice).
    pub remember_key: RwSignal<bool>,
    pub screen: RwSignal<Screen>,
    /// The page's runner (it holds browser objects, so it stays on this thread).
    pub runner: StoredValue<Runner, LocalStorage>,
    /// The current (or last) run's book: recording, progress, live text.
    pub book: RwSignal<Option<RunBook>, LocalStorage>,
    pub phase: RwSignal<Phase>,
    /// The deadlines of the results view: start as the set-up's, moved by
    /// its sliders; every figure is recomputed from the recording.
    pub deadlines: RwSignal<DeadlineConfig>,
    /// The sender's run that came with a test link, to compare with.
    pub baseline: RwSignal<Option<Recording>>,
    /// The runs on the compare screen.
    pub compared: RwSignal<Vec<ComparedRun>>,
}

const KEY_STORAGE: &str = "etalon-web.api-key";

impl AppState {
    pub fn new(runner: Runner) -> AppState {
        let stored_key = session_storage().and_then(|s| s.get_item(KEY_STORAGE).ok().flatten());
        let setup = TestSetup::default();
        let deadlines = setup.deadlines.clone();
        let state = AppState {
            remember_key: RwSignal::new(stored_key.is_some()),
            api_key: RwSignal::new(stored_key.unwrap_or_default()),
            setup: RwSignal::new(setup),
            screen: RwSignal::new(Screen::Setup),
            book: runner.book,
            phase: runner.phase,
            runner: StoredValue::new_local(runner),
            deadlines: RwSignal::new(deadlines),
            baseline: RwSignal::new(None),
            compared: RwSignal::new(Vec::new()),
        };
        let (key, remember) = (state.api_key, state.remember_key);
        Effect::new(move |_| {
            let Some(storage) = session_storage() else {
                return;
            };
            if remember.get() {
                let _ = storage.set_item(KEY_STORAGE, &key.get());
            } else {
                let _ = storage.remove_item(KEY_STORAGE);
            }
        });
        state
    }

    /// Start a run of the current set-up and show it.
    pub fn run(&self) {
        if matches!(
            self.phase.get_untracked(),
            Phase::WarmingUp { .. } | Phase::Running
        ) {
            return;
        }
        let setup = self.setup.get_untracked();
        self.deadlines.set(setup.deadlines.clone());
        self.screen.set(Screen::Run);
        let (runner, key) = (self.runner.get_value(), self.api_key.get_untracked());
        // Plan and start in a later task: leaving the set-up for the run
        // screen is already a task's worth of work.
        wasm_bindgen_futures::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            runner.run(setup, key).await
        });
    }

    /// Stop the run under way, keeping everything measured.
    pub fn stop(&self) {
        self.runner.with_value(Runner::stop);
    }
}

/// The app's state, from any component.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
