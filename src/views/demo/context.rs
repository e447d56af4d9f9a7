//! The demo's state, shared by its screen and the landing screen's offer
//! (a Leptos context beside the app's): the choice being shown, its two
//! simulated recordings (computed once per choice), the user's own
//! endpoint as system A when asked for, and whether the set-up's endpoint
//! answered at start.

use std::sync::Arc;

use etalon_core::demo::{open_demo_link, DemoChoice, DemoRun};
use etalon_core::recording::Recording;
use leptos::prelude::*;

use crate::browser::location_hash;
use crate::share::LinkNotice;
use crate::state::{AppState, Screen};

/// What the start-up probe of the set-up's endpoint found.
#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// Not probed (a link opened the page, or the probe is under way).
    Unknown,
    Answered,
    /// Nothing answered at this address (as the set-up shows it).
    NoAnswer(String),
}

/// The demo's state.
#[derive(Clone, Copy)]
pub struct DemoState {
    pub choice: RwSignal<DemoChoice>,
    /// The choice's two simulated recordings, computed when first shown.
    pub run: Memo<Arc<DemoRun>>,
    /// System A is the set-up's endpoint, measured for real.
    pub endpoint_as_a: RwSignal<bool>,
    /// While the demo waits for the real run it started: the id of the run
    /// the page held before, so that the demo knows its own run's book.
    pub real_run: RwSignal<Option<u64>>,
    /// The real run's recording, once it finished.
    pub real: RwSignal<Option<Arc<Recording>>>,
    /// Why the real run could not start.
    pub real_problem: RwSignal<Option<String>>,
    /// Bumped to replay the watched answers from the start.
    pub replay: RwSignal<u64>,
    pub probe: RwSignal<Probe>,
}

impl DemoState {
    pub fn new() -> DemoState {
        let choice = RwSignal::new(DemoChoice::default());
        DemoState {
            choice,
            run: Memo::new_with_compare(
                move |_| Arc::new(DemoRun::of(&choice.get())),
                |old, new| match (old, new) {
                    (Some(old), Some(new)) => old.choice != new.choice,
                    _ => true,
                },
            ),
            endpoint_as_a: RwSignal::new(false),
            real_run: RwSignal::new(None),
            real: RwSignal::new(None),
            real_problem: RwSignal::new(None),
            replay: RwSignal::new(0),
            probe: RwSignal::new(Probe::Unknown),
        }
    }

    /// Show `choice` on the demo screen, simulated on both sides, from the start.
    pub fn show(&self, app: &AppState, choice: DemoChoice) {
        self.endpoint_as_a.set(false);
        self.choice.set(choice);
        self.replay.update(|n| *n += 1);
        app.screen.set(Screen::Demo);
    }
}

impl Default for DemoState {
    fn default() -> Self {
        DemoState::new()
    }
}

/// The demo's state, from any component.
pub fn use_demo() -> DemoState {
    expect_context::<DemoState>()
}

/// Open the link in the page's address: a demo link plays its demo (with
/// no server), a bad one gets its sentence; any other link is the share
/// module's. At start, and again when a link is pasted into the open tab.
pub fn open_link_in_address(app: &AppState, demo: &DemoState) -> Option<LinkNotice> {
    match open_demo_link(&location_hash()) {
        Ok(None) => crate::share::open_link_in_address(app),
        Ok(Some(choice)) => {
            demo.show(app, choice);
            None
        }
        Err(problem) => Some(LinkNotice::Problem(problem.message)),
    }
}

/// How long the start-up probe waits for an answer.
const PROBE_TIMEOUT_MS: u32 = 3000;

/// At start, when no link opened the page: whether the set-up's endpoint
/// answers at all, so that the landing screen can offer the demo when it
/// does not. The page does not wait for it, and a simulated endpoint needs
/// no probe.
pub fn probe_endpoint_at_start(app: &AppState, demo: &DemoState) {
    let setup = app.setup.get_untracked();
    if setup.simulated().is_some() || !location_hash().trim_start_matches('#').is_empty() {
        return;
    }
    let Ok(urls) = setup.urls() else {
        return;
    };
    let (url, host, probe, current) = (urls.models(), setup.host(), demo.probe, app.setup);
    wasm_bindgen_futures::spawn_local(async move {
        let answered = crate::browser::answers_at_all(&url, PROBE_TIMEOUT_MS).await;
        // The user may have typed another address meanwhile.
        if current.with_untracked(|s| s.host()) == host {
            probe.set(if answered {
                Probe::Answered
            } else {
                Probe::NoAnswer(host)
            });
        }
    });
}
