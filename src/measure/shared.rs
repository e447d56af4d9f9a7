//! What the requests of one run share, and what the body reader and the
//! request need of their run: its clock and start, its outbox and when it is
//! posted, the signal that stops it, and its simulated servers.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::time::Duration;

use etalon_core::wire::messages::Outbox;
use futures::channel::oneshot;
use futures::FutureExt;

use super::clock::Clock;
use super::page::post;
use super::simulated::SimulatedServers;

/// How often progress goes to the page: five times a second, enough for a
/// progress bar and the live text; each batch costs the page a parse that
/// competes with the worker for a core (figures in `docs/BENCHMARKS.md`).
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
    /// The servers its `sim://` requests go to, started on first use.
    pub simulated: SimulatedServers,
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
            simulated: SimulatedServers::new(clock.clone(), started),
            clock,
            timeout_seconds,
            live_text_of,
            outbox: RefCell::new(Outbox::default()),
            stop: StopSignal::default(),
        }
    }

    /// Post the outbox now.
    pub fn flush(&self) {
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
    pub fn since_flush(&self) -> f64 {
        self.clock.now() - self.last_flush.get()
    }

    /// Post the outbox if the last post is [`BATCH_INTERVAL`] old.
    pub fn flush_if_due(&self) {
        if self.since_flush() >= BATCH_INTERVAL.as_secs_f64() {
            self.flush();
        }
    }
}
