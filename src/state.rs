//! The app's shared state, provided as a Leptos context: the set-up being
//! edited, the API key (memory only, unless the user asks for this tab's
//! sessionStorage), which screen shows, the runner (with the current run's
//! book and phase), the deadlines the results are judged against, and the
//! last Check endpoint.

use etalon_core::metrics::DeadlineConfig;
use etalon_core::plan::setup::{HeaderSetting, TestSetup};
use etalon_core::present::endpoint_check::{run_anyway_question, CheckLine};
use etalon_core::recording::Recording;
use etalon_core::share::{ComparedRun, RunSummary};
use etalon_core::wire::openai::RequestSettings;
use leptos::prelude::*;

use etalon_core::observe::run_book::RunBook;

use crate::browser::session_storage;
use crate::runner::{Phase, Runner};

/// The screens of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Two simulated systems side by side (`views::demo`).
    Demo,
    Setup,
    Run,
    Results,
    Compare,
    /// The runs kept in this browser (`views::history`).
    History,
}

/// Everything the screens share.
#[derive(Clone, Copy)]
pub struct AppState {
    pub setup: RwSignal<TestSetup>,
    /// Never in a link, a file or a recording.
    pub api_key: RwSignal<String>,
    /// The host the key was typed for: a link that points elsewhere does
    /// not get it unasked.
    pub key_host: RwSignal<String>,
    /// A key held back from a link's host, with the host it was for, until
    /// the user says to send it there.
    pub held_key: RwSignal<Option<(String, String)>>,
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
    /// A summary link's run, shown on the results screen instead of the
    /// book until a run or a recording takes its place.
    pub summary: RwSignal<Option<std::sync::Arc<RunSummary>>>,
    /// The runs on the compare screen.
    pub compared: RwSignal<Vec<ComparedRun>>,
    /// The last Check endpoint, kept across screens: Run asks first after
    /// one that failed for the same endpoint.
    pub last_check: RwSignal<Option<LastCheck>>,
    /// The history id of the run in `book` (`None`: a shared or imported
    /// run, or none); its results' address is `/results/<id>`.
    pub shown_id: RwSignal<Option<String>>,
    /// The run the address names (`/results/<id>`); `None` for `/results`.
    pub results_id: RwSignal<Option<String>>,
    /// What went wrong keeping or reading runs, in a sentence.
    pub history_problem: RwSignal<Option<String>>,
    /// Counts the runs kept since the page opened: the History list reads
    /// the store again when it changes.
    pub history_changed: RwSignal<u32>,
}

/// What a check sent its request to: a run of another address, model or
/// key is not the one it checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckTarget {
    endpoint: String,
    request: RequestSettings,
    headers: Vec<HeaderSetting>,
    api_key: String,
}

impl CheckTarget {
    pub fn of(setup: &TestSetup, api_key: &str) -> Self {
        CheckTarget {
            endpoint: setup.endpoint.clone(),
            request: setup.request.clone(),
            headers: setup.headers.clone(),
            api_key: api_key.to_string(),
        }
    }
}

/// The last check: what it checked, and its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct LastCheck {
    pub target: CheckTarget,
    pub lines: Vec<CheckLine>,
}

impl LastCheck {
    /// What to ask before running `target`, when this check of the same
    /// target failed.
    pub fn question_before(&self, target: &CheckTarget) -> Option<String> {
        (self.target == *target)
            .then(|| run_anyway_question(&self.lines))
            .flatten()
    }
}

const KEY_STORAGE: &str = "etalon-web.api-key";
const KEY_HOST_STORAGE: &str = "etalon-web.api-key-host";

impl AppState {
    pub fn new(runner: Runner) -> AppState {
        let stored = |name: &str| session_storage().and_then(|s| s.get_item(name).ok().flatten());
        let stored_key = stored(KEY_STORAGE);
        let setup = TestSetup::default();
        let key_host = stored(KEY_HOST_STORAGE).unwrap_or_else(|| setup.host());
        let deadlines = setup.deadlines.clone();
        let state = AppState {
            remember_key: RwSignal::new(stored_key.is_some()),
            api_key: RwSignal::new(stored_key.unwrap_or_default()),
            key_host: RwSignal::new(key_host),
            held_key: RwSignal::new(None),
            setup: RwSignal::new(setup),
            screen: RwSignal::new(Screen::Setup),
            book: runner.book,
            phase: runner.phase,
            runner: StoredValue::new_local(runner),
            deadlines: RwSignal::new(deadlines),
            baseline: RwSignal::new(None),
            summary: RwSignal::new(None),
            compared: RwSignal::new(Vec::new()),
            last_check: RwSignal::new(None),
            shown_id: RwSignal::new(None),
            results_id: RwSignal::new(None),
            history_problem: RwSignal::new(None),
            history_changed: RwSignal::new(0),
        };
        let (key, key_host, held, remember) = (
            state.api_key,
            state.key_host,
            state.held_key,
            state.remember_key,
        );
        Effect::new(move |_| {
            let Some(storage) = session_storage() else {
                return;
            };
            if !remember.get() {
                let _ = storage.remove_item(KEY_STORAGE);
                let _ = storage.remove_item(KEY_HOST_STORAGE);
                return;
            }
            // A key held back from a link stays remembered for its own host.
            let (key, host) = match held.get() {
                Some((host, held_key)) if key.with(String::is_empty) => (held_key, host),
                _ => (key.get(), key_host.get()),
            };
            let _ = storage.set_item(KEY_STORAGE, &key);
            let _ = storage.set_item(KEY_HOST_STORAGE, &host);
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
        self.summary.set(None);
        self.screen.set(Screen::Run);
        let (runner, key) = (self.runner.get_value(), self.api_key.get_untracked());
        // Plan and start in a later task: leaving the set-up for the run
        // screen is already a task's worth of work.
        wasm_bindgen_futures::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            runner.run(setup, key).await
        });
    }

    /// The key the user typed, for the set-up's current host.
    pub fn type_key(&self, key: String) {
        self.held_key.set(None);
        self.key_host
            .set(self.setup.with_untracked(TestSetup::host));
        self.api_key.set(key);
    }

    /// A set-up from a link: the key typed for another host is held back
    /// (the banner offers to send it); returns that host, if so.
    pub fn take_setup_from_link(&self, setup: TestSetup) -> Option<String> {
        let host = setup.host();
        self.setup.set(setup);
        let key = self.api_key.get_untracked();
        let key_host = self.key_host.get_untracked();
        if key.is_empty() || key_host == host {
            return None;
        }
        self.api_key.set(String::new());
        self.held_key.set(Some((key_host.clone(), key)));
        Some(key_host)
    }

    /// Send the held-back key to the set-up's current host after all.
    pub fn release_held_key(&self) {
        if let Some((_, key)) = self.held_key.get_untracked() {
            self.type_key(key);
        }
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
