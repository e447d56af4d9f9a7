//! Runs a benchmark from the page: plans it with the core, warms the server
//! up (and calibrates characters per token from its `prompt_tokens`), hands
//! the plan to the measurement worker, and books every message in a
//! [`RunBook`] signal. Also tracks when the tab was hidden, which makes a
//! run untrustworthy.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use etalon_core::observe::run_book::RunBook;
use etalon_core::plan::setup::TestSetup;
use etalon_core::plan::workload::{self, BodyWriter, CalibrationSample, RequestSpec};
use etalon_core::recording::{Environment, RequestRecord};
use etalon_core::wire::messages::{Endpoint, PageMessage, RunOrder, WorkerMessage};
use futures::channel::oneshot;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

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

    /// Plan, warm up and run `setup`, with `api_key` (never stored).
    pub async fn run(&self, setup: TestSetup, api_key: String) {
        if let Some(problem) = setup.problems().into_iter().next() {
            self.phase.set(Phase::Failed(problem.message));
            return;
        }
        let url = match setup.urls() {
            Ok(urls) => urls.for_api(setup.request.api),
            Err(message) => return self.phase.set(Phase::Failed(message)),
        };
        let trace = match load_trace(&setup).await {
            Ok(trace) => trace,
            Err(message) => return self.phase.set(Phase::Failed(message)),
        };
        let plan = match workload::plan(&setup.workload, setup.seed, trace.as_ref()) {
            Ok(plan) => plan,
            Err(e) => return self.phase.set(Phase::Failed(e.to_string())),
        };
        let endpoint = Endpoint {
            url,
            headers: setup.request_headers(&api_key),
        };
        let mut chars_per_token = setup.workload.chars_per_token;
        if !plan.warmup.is_empty() {
            self.phase.set(Phase::WarmingUp {
                total: plan.warmup.len(),
            });
            let records = self
                .run_quietly(RunOrder {
                    run_id: 0,
                    endpoint: endpoint.clone(),
                    requests: workload::plan_bodies(&plan.warmup, &setup.request, chars_per_token),
                    concurrency: Some(1),
                    timeout_seconds: setup.timeout_seconds,
                    live_text_of: None,
                    writer: None,
                })
                .await;
            chars_per_token = calibrated(&plan.warmup, &records, chars_per_token);
        }
        let run_id = self.new_run_id();
        let config = serde_json::json!({
            "setup": setup.shareable(),
            "chars_per_token": chars_per_token,
        });
        let book = RunBook::new(
            run_id,
            config,
            self.environment.borrow().clone(),
            plan.requests.iter().map(|r| r.id),
        );
        // Send first, so the run starts on time; the screen renders after.
        // The worker writes each body just before sending it.
        self.worker.send(&PageMessage::Run(RunOrder {
            run_id,
            endpoint,
            requests: workload::plan_unwritten(&plan.requests),
            concurrency: setup.workload.concurrency,
            timeout_seconds: setup.timeout_seconds,
            live_text_of: plan.requests.first().map(|r| r.id),
            writer: Some(BodyWriter {
                settings: setup.request.clone(),
                chars_per_token,
            }),
        }));
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

/// The characters-per-token ratio the warm-up measured (or `fallback`).
fn calibrated(warmup: &[RequestSpec], records: &[RequestRecord], fallback: f64) -> f64 {
    let samples: Vec<CalibrationSample> = warmup
        .iter()
        .zip(records)
        .filter_map(|(spec, record)| {
            let reported = record.prompt_tokens?;
            Some(CalibrationSample {
                chars_sent: workload::request_prompt(spec, fallback).chars().count(),
                prompt_tokens_reported: reported.count,
            })
        })
        .collect();
    if samples.is_empty() {
        fallback
    } else {
        workload::calibrate(&samples)
    }
}

/// The length trace the workload names, fetched from the app's assets.
async fn load_trace(setup: &TestSetup) -> Result<Option<workload::Trace>, String> {
    let Some(name) = setup.workload.lengths.trace_name() else {
        return Ok(None);
    };
    let file = workload::SHARED_TRACES
        .iter()
        .find(|t| t.name == name || t.file == name)
        .map_or(name, |t| t.file);
    let text = crate::fetch_text(&format!("./traces/{file}"))
        .await
        .map_err(|e| format!("The length trace \"{name}\" could not be loaded: {e}"))?;
    workload::Trace::from_csv(&text)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Milliseconds since the Unix epoch at `performance.now()` resolution.
pub fn now_unix_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.time_origin() + p.now())
}
