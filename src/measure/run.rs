//! A run in the worker: send each planned request at its time, at most
//! `concurrency` at once, post what happened every [`BATCH_INTERVAL`], and
//! stop everything at once when the page says so, keeping every record.
//!
//! Posting rides on the reads: the drain of the bodies' reads (see
//! [`body`](super::body)) posts the outbox right after it has parsed them,
//! when a batch is due. The worker is awake then anyway. A timer
//! posts only when no read has for a while (before the first token, after
//! the last, or when streams stall): a timer that posts on its own clock can
//! hold the worker just as a read arrives, and delay that read's stamp by
//! the time serializing and posting the batch takes.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use etalon_core::wire::messages::{Outbox, RequestState, RunOrder, WorkerMessage};
use futures::channel::{mpsc, oneshot};
use futures::future::{select, Either};
use futures::{FutureExt, StreamExt};
use wasm_bindgen_futures::spawn_local;

use super::{net, post, request, Clock};

/// How often progress goes to the page: five times a second, plenty for
/// a progress bar and the live text. Each batch costs the page a parse
/// (and, on the run screen, a render), which on a machine with few cores
/// competes with the worker for a core.
///
/// Posting is not what once put the app's p99 stamp error at 1.6x the
/// floor reader's on one idle stream (fidelity benchmark, 3000 gaps per
/// reader). Six runs of this build gave app/floor p99 ratios of 1.15,
/// 1.48, 0.67, 0.49, 0.59 and 0.52; a build that posted nothing until the
/// run ended gave 0.96 and 0.79. That p99 falls where errors are sparse
/// (a few dozen pass 0.5 ms), so one run decides little.
pub const BATCH_INTERVAL: Duration = Duration::from_millis(200);

/// Fires once; every waiter wakes.
#[derive(Default)]
pub struct StopSignal {
    stopped: Cell<bool>,
    waiters: RefCell<Vec<oneshot::Sender<()>>>,
}

impl StopSignal {
    pub fn fire(&self) {
        self.stopped.set(true);
        for waiter in self.waiters.borrow_mut().drain(..) {
            let _ = waiter.send(());
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.get()
    }

    /// Resolves when the signal fires (at once if it has).
    pub fn wait(&self) -> impl Future<Output = ()> {
        let (sender, receiver) = oneshot::channel();
        if self.stopped.get() {
            let _ = sender.send(());
        } else {
            self.waiters.borrow_mut().push(sender);
        }
        receiver.map(|_| ())
    }
}

/// What the requests of one run share.
pub struct RunShared {
    pub run_id: u64,
    pub clock: Clock,
    /// The run's start on the worker clock, seconds.
    pub started: f64,
    pub started_at_unix_ms: f64,
    pub timeout_seconds: f64,
    pub live_text_of: Option<u64>,
    pub outbox: RefCell<Outbox>,
    pub stop: StopSignal,
    /// When the outbox was last posted, on the worker clock, seconds.
    last_flush: Cell<f64>,
}

impl RunShared {
    /// A run starting now.
    pub fn new(run_id: u64, timeout_seconds: f64, live_text_of: Option<u64>) -> RunShared {
        let clock = Clock::here();
        let started = clock.now();
        RunShared {
            run_id,
            started,
            last_flush: Cell::new(started),
            started_at_unix_ms: clock.unix_ms(),
            clock,
            timeout_seconds,
            live_text_of,
            outbox: RefCell::new(Outbox::default()),
            stop: StopSignal::default(),
        }
    }

    fn flush(&self) {
        self.last_flush.set(self.clock.now());
        let batch = self
            .outbox
            .borrow_mut()
            .take_batch(self.run_id, self.started_at_unix_ms);
        if let Some(batch) = batch {
            post(&batch);
        }
    }

    /// Seconds since the outbox was last posted.
    fn since_flush(&self) -> f64 {
        self.clock.now() - self.last_flush.get()
    }

    /// Post the outbox if the last post is [`BATCH_INTERVAL`] old.
    pub fn flush_if_due(&self) {
        if self.since_flush() >= BATCH_INTERVAL.as_secs_f64() {
            self.flush();
        }
    }
}

/// The runs under way in this worker.
#[derive(Default, Clone)]
pub struct Runs {
    active: Rc<RefCell<HashMap<u64, Rc<RunShared>>>>,
}

impl Runs {
    /// Carry out `order` in the background.
    pub fn start(&self, order: RunOrder) {
        spawn_local(self.clone().run(order));
    }

    /// Carry out `order`: post its batches as it goes, then `Finished`
    /// once every request of it has ended.
    pub async fn run(self, order: RunOrder) {
        net::prepare_resource_timing(order.requests.len());
        let shared = Rc::new(RunShared::new(
            order.run_id,
            order.timeout_seconds,
            order.live_text_of,
        ));
        self.active
            .borrow_mut()
            .insert(order.run_id, shared.clone());
        spawn_local(keep_posting(shared.clone()));
        carry_out(shared.clone(), order).await;
        self.active.borrow_mut().remove(&shared.run_id);
        shared.flush();
        post(&WorkerMessage::Finished {
            run_id: shared.run_id,
            stopped: shared.stop.is_stopped(),
        });
    }

    pub fn stop(&self, run_id: u64) {
        if let Some(run) = self.active.borrow().get(&run_id) {
            run.stop.fire();
        }
    }
}

/// Post the outbox when reads have not for two intervals, until the run
/// has ended. While reads post, this only wakes to look, about once per
/// interval.
async fn keep_posting(shared: Rc<RunShared>) {
    let quiet = 2.0 * BATCH_INTERVAL.as_secs_f64();
    loop {
        let wait = (quiet - shared.since_flush()).max(BATCH_INTERVAL.as_secs_f64() / 2.0);
        gloo_timers::future::sleep(Duration::from_secs_f64(wait)).await;
        if shared.since_flush() >= quiet {
            shared.flush();
        }
        if Rc::strong_count(&shared) <= 1 {
            return;
        }
    }
}

/// Send every planned request on schedule and wait for all to end.
async fn carry_out(shared: Rc<RunShared>, order: RunOrder) {
    let cap = order.concurrency.map_or(usize::MAX, |c| c.max(1) as usize);
    let endpoint = Rc::new(order.endpoint);
    let (ended_sender, mut ended) = mpsc::unbounded::<()>();
    let writer = order.writer;
    let mut under_way = 0usize;
    for planned in &order.requests {
        shared
            .outbox
            .borrow_mut()
            .progress(planned.id, RequestState::Waiting, 0);
    }
    for planned in order.requests {
        let wait = planned.at - (shared.clock.now() - shared.started);
        if wait > 0.0 {
            let sleep = gloo_timers::future::sleep(Duration::from_secs_f64(wait));
            if let Either::Right(_) = select(sleep, shared.stop.wait().boxed_local()).await {
                break;
            }
        }
        while under_way >= cap {
            match select(ended.next(), shared.stop.wait().boxed_local()).await {
                Either::Left(_) => under_way -= 1,
                Either::Right(_) => break,
            }
        }
        if shared.stop.is_stopped() {
            break;
        }
        under_way += 1;
        let planned = planned.written(writer.as_ref());
        let (shared, endpoint, ended_sender) =
            (shared.clone(), endpoint.clone(), ended_sender.clone());
        spawn_local(async move {
            let record = request::measure(shared.clone(), endpoint, planned).await;
            shared.outbox.borrow_mut().record(record);
            let _ = ended_sender.unbounded_send(());
        });
    }
    while under_way > 0 {
        ended.next().await;
        under_way -= 1;
    }
}
