//! Runs a benchmark from the page: sends the orders of the core's
//! [`PreparedRun`] to the measurement worker (the warm-up, whose reported
//! prompt tokens calibrate the prompts, then the measured run) and books
//! every message in a [`RunBook`] signal. Also tracks when the tab was hidden, which makes a
//! run untrustworthy.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use etalon_core::observe::run_book::RunBook;
use etalon_core::plan::prepare::{trace_asset, PreparedRun};
use etalon_core::plan::setup::TestSetup;
use etalon_core::plan::workload::Trace;
use etalon_core::recording::{Environment, RequestRecord};
use etalon_core::wire::messages::{PageMessage, RunOrder, WorkerMessage};
use futures::channel::oneshot;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser::now_unix_ms;
use crate::worker_client::MeasureWorker;

/// Where the runner is.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Idle,
    /// Warm-up requests, one at a time, before the measured run.
    WarmingUp {
        total: usize,
    },
    Running,
    Finished,
    /// The run could not start; the sentence says why.
    Failed(String),
    /// The worker failed mid-run; the sentence says so. The requests that
    /// had ended are kept.
    Broken(String),
}

/// What a warm-up or check is waiting for: every record of its run.
type Waiter = (u64, Vec<RequestRecord>, oneshot::Sender<Vec<RequestRecord>>);

/// The page's runner. Cheap to clone.
#[derive(Clone)]
pub struct Runner {
    worker: MeasureWorker,
    pub book: RwSignal<Option<RunBook>, LocalStorage>,
    pub phase: RwSignal<Phase>,
    environment: Rc<RefCell<Environment>>,
    waiter: Rc<RefCell<Option<Waiter>>>,
    next_run_id: Rc<Cell<u64>>,
    hidden_since: Rc<Cell<Option<f64>>>,
}

impl Runner {
    /// Start the measurement worker and listen to the tab's visibility.
    pub fn start() -> Result<Runner, String> {
        let book: RwSignal<Option<RunBook>, LocalStorage> = RwSignal::new_local(None);
        let phase = RwSignal::new(Phase::Idle);
        let environment = Rc::new(RefCell::new(Environment::default()));
        let waiter: Rc<RefCell<Option<Waiter>>> = Rc::new(RefCell::new(None));
        let (env, wait) = (environment.clone(), waiter.clone());
        let worker = MeasureWorker::start(move |message| match message {
            WorkerMessage::Ready { environment, .. } => *env.borrow_mut() = environment,
            message => {
                let mut slot = wait.borrow_mut();
                if let Some((run_id, records, _)) = slot.as_mut() {
                    match &message {
                        WorkerMessage::Batch {
                            run_id: id,
                            records: new,
                            ..
                        } if id == run_id => {
                            records.extend(new.iter().cloned());
                            return;
                        }
                        WorkerMessage::Finished { run_id: id, .. } if id == run_id => {
                            let (_, records, sender) = slot.take().expect("a waiter is set");
                            let _ = sender.send(records);
                            return;
                        }
                        _ => {}
                    }
                }
                drop(slot);
                let finished = matches!(message, WorkerMessage::Finished { .. });
                book.update(|book| {
                    if let Some(book) = book {
                        book.apply(message);
                    }
                });
                if finished && book.with_untracked(|b| b.as_ref().is_some_and(|b| b.finished)) {
                    phase.set(Phase::Finished);
                }
            }
        })?;
        let (wait, broken) = (waiter.clone(), book);
        worker.on_failure(move |sentence| {
            // A warm-up or check waiting on the worker gets what it had.
            if let Some((_, records, sender)) = wait.borrow_mut().take() {
                let _ = sender.send(records);
            }
            let run_id =
                broken.with_untracked(|b| b.as_ref().filter(|b| !b.finished).map(|b| b.run_id));
            if let Some(run_id) = run_id {
                broken.update(|book| {
                    if let Some(book) = book {
                        book.apply(WorkerMessage::Finished {
                            run_id,
                            stopped: true,
                        });
                    }
                });
            }
            phase.set(Phase::Broken(sentence));
        });
        let runner = Runner {
            worker,
            book,
            phase,
            environment,
            waiter,
            next_run_id: Rc::new(Cell::new(1)),
            hidden_since: Rc::new(Cell::new(None)),
        };
        runner.watch_visibility();
        Ok(runner)
    }

    fn new_run_id(&self) -> u64 {
        let id = self.next_run_id.get();
        self.next_run_id.set(id + 1);
        id
    }

    /// Record the intervals when the tab is hidden during a run.
    fn watch_visibility(&self) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let runner = self.clone();
        let on_change = Closure::<dyn Fn()>::new(move || {
            let Some(document) = web_sys::window().and_then(|w| w.document()) else {
                return;
            };
            let now = now_unix_ms();
            if document.hidden() {
                runner.hidden_since.set(Some(now));
            } else if let Some(since) = runner.hidden_since.take() {
                runner.book.update(|book| {
                    if let Some(book) = book.as_mut().filter(|b| !b.finished) {
                        let start = book.recording.started_at_unix_ms;
                        std::sync::Arc::make_mut(&mut book.recording)
                            .environment
                            .hidden_intervals
                            .push(((since - start).max(0.0) / 1000.0, (now - start) / 1000.0));
                    }
                });
            }
        });
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_change.as_ref().unchecked_ref(),
        );
        on_change.forget();
    }

    /// Carry out `order` in the worker and return every record (for the
    /// warm-up and the endpoint check; not booked).
    pub async fn run_quietly(&self, mut order: RunOrder) -> Vec<RequestRecord> {
        order.run_id = self.new_run_id();
        let (sender, receiver) = oneshot::channel();
        *self.waiter.borrow_mut() = Some((order.run_id, Vec::new(), sender));
        self.worker.send(&PageMessage::Run(order));
        let mut records = receiver.await.unwrap_or_default();
        records.sort_by_key(|r| r.id);
        records
    }

    /// Prepare, warm up and run `setup`, with `api_key` (never stored).
    pub async fn run(&self, setup: TestSetup, api_key: String) {
        let trace = match load_trace(&setup).await {
            Ok(trace) => trace,
            Err(message) => return self.phase.set(Phase::Failed(message)),
        };
        let prepared = match PreparedRun::new(&setup, &api_key, trace.as_ref()) {
            Ok(prepared) => prepared,
            Err(message) => return self.phase.set(Phase::Failed(message)),
        };
        let mut chars_per_token = setup.workload.chars_per_token;
        if let Some(warmup) = prepared.warmup_order() {
            self.phase.set(Phase::WarmingUp {
                total: warmup.requests.len(),
            });
            let records = self.run_quietly(warmup).await;
            let reported: Vec<Option<u64>> = records
                .iter()
                .map(|r| r.prompt_tokens.map(|t| t.count))
                .collect();
            chars_per_token = prepared.calibrated_chars_per_token(&reported);
        }
        let run_id = self.new_run_id();
        // The worker writes each body just before sending it.
        let order = PageMessage::Run(prepared.measured_order(run_id, chars_per_token));
        let book = RunBook::new(
            run_id,
            prepared.recording_config(chars_per_token),
            self.environment.borrow().clone(),
            prepared.measured_ids(),
        );
        // Send first, so the run starts on time; the screen renders after.
        self.worker.send(&order);
        self.book.set(Some(book));
        self.phase.set(Phase::Running);
    }

    /// Stop the run under way; everything measured is kept.
    pub fn stop(&self) {
        if let Some(run_id) = self.book.with_untracked(|b| b.as_ref().map(|b| b.run_id)) {
            self.worker.send(&PageMessage::Stop { run_id });
        }
    }
}

/// The length trace the workload names, fetched from the app's assets.
async fn load_trace(setup: &TestSetup) -> Result<Option<Trace>, String> {
    let Some(asset) = trace_asset(setup) else {
        return Ok(None);
    };
    let text = crate::fetch_text(&format!(
        "{}traces/{}",
        crate::browser::app_root(),
        asset.file
    ))
    .await
    .map_err(|e| {
        format!(
            "The length trace \"{}\" could not be loaded: {e}",
            asset.name
        )
    })?;
    Trace::from_csv(&text).map(Some).map_err(|e| e.to_string())
}
