//! A run in the worker: send each planned request at its time, at most
//! `concurrency` at once, post what happened every [`BATCH_INTERVAL`], and
//! stop everything at once when the page says so, keeping every record.
//!
//! Posting rides on the reads: the drain (see [`body`](super::body)) posts
//! a due batch right after parsing, when the worker is awake anyway; a
//! timer posts only when no read has for a while, since a post on its own
//! clock can hold the worker just as a read arrives and delay its stamp.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use etalon_core::wire::messages::{RequestState, RunOrder, WorkerMessage};
use futures::channel::mpsc;
use futures::future::{select, Either};
use futures::{FutureExt, StreamExt};
use wasm_bindgen_futures::spawn_local;

use super::page::post;
use super::shared::{RunShared, BATCH_INTERVAL};
use super::{net, request};

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
