//! The testbed's simulated models, `sim-<policy>@preset=<name>` (see
//! [`super::model_name`]): the page's simulated serving system over HTTP,
//! so that real clients can be pointed at it. One simulated server per (preset, policy), shared by every
//! request that names it, driven in real time on the testbed's clock by one
//! task; each token's chunk is stamped with the server's send time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use etalon_core::simulate::endpoint::{ErrorAnswer, DEFAULT_OUTPUT_TOKENS, DEFAULT_SEED};
use etalon_core::simulate::{Delivery, LiveServer};
use etalon_core::wire::openai::{Api, Completion};
use tokio::sync::{mpsc, Notify};

use super::model_name::SimulatedModel;

/// What a request asks a simulated model for.
pub struct Ask {
    pub api: Api,
    pub model: String,
    pub prompt_tokens: u32,
    pub max_tokens: Option<u32>,
    pub include_usage: bool,
    /// Unix seconds now.
    pub created: u64,
}

/// The simulated servers of one testbed, on its clock.
pub struct SimulatedServers {
    /// Seconds since the testbed started (its `etalon_server_sent_at` clock).
    clock: Arc<dyn Fn() -> f64 + Send + Sync>,
    servers: Mutex<HashMap<(&'static str, &'static str), Arc<Served>>>,
}

/// One simulated server, its open streams, and the wake of its driver.
struct Served {
    state: Mutex<State>,
    wake: Notify,
}

struct State {
    live: LiveServer,
    streams: HashMap<u64, mpsc::UnboundedSender<Bytes>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SimulatedServers {
    pub fn new(clock: Arc<dyn Fn() -> f64 + Send + Sync>) -> SimulatedServers {
        SimulatedServers {
            clock,
            servers: Mutex::default(),
        }
    }

    /// `ask` arrives now at `model`'s server: the body of its stream, whose
    /// client leaving takes it out of the server; or the error to answer.
    /// `on_end` runs once the body is over, whichever way.
    pub fn answer(
        &self,
        model: SimulatedModel,
        ask: Ask,
        on_end: impl FnOnce() + Send + 'static,
    ) -> Result<Body, ErrorAnswer> {
        let served = self.served(model);
        let completion = Completion {
            api: ask.api,
            number: 0,
            model: ask.model,
            created: ask.created,
            prompt_tokens: ask.prompt_tokens,
            output_tokens: ask.max_tokens.unwrap_or(DEFAULT_OUTPUT_TOKENS).max(1),
            finish_reason: if ask.max_tokens.is_some() {
                "length"
            } else {
                "stop"
            },
            include_usage: ask.include_usage,
        };
        let (sender, receiver) = mpsc::unbounded_channel();
        let id = {
            let mut state = lock(&served.state);
            let now = (self.clock)();
            let mut sent = Vec::new();
            let arrived = state.live.arrive(now, completion, |_| Some(now), &mut sent);
            state.deliver(sent);
            let id = arrived.map_err(|refusal| ErrorAnswer::refused(&refusal))?;
            state.streams.insert(id, sender);
            id
        };
        served.wake.notify_one();
        let body = Stream {
            receiver,
            leaving: Some(Leaving {
                served,
                id,
                on_end: Box::new(on_end),
            }),
        };
        Ok(Body::from_stream(futures_util::stream::unfold(
            body,
            |mut body| async move {
                let bytes = body.receiver.recv().await?;
                Some((Ok::<_, std::convert::Infallible>(bytes), body))
            },
        )))
    }

    /// The server of `model`, started (with its driver) on first use.
    fn served(&self, model: SimulatedModel) -> Arc<Served> {
        let key = (model.preset.name, model.policy.name());
        let mut servers = lock(&self.servers);
        if let Some(served) = servers.get(&key) {
            return served.clone();
        }
        let system = model.preset.system(model.policy);
        let served = Arc::new(Served {
            state: Mutex::new(State {
                live: LiveServer::new(system, DEFAULT_SEED),
                streams: HashMap::new(),
            }),
            wake: Notify::new(),
        });
        tokio::spawn(drive(served.clone(), self.clock.clone()));
        servers.insert(key, served.clone());
        served
    }
}

impl State {
    /// Each delivery to its request's body; a finished body's sender is
    /// dropped, which ends it.
    fn deliver(&mut self, sent: Vec<Delivery>) {
        for delivery in sent {
            if let Some(stream) = self.streams.get(&delivery.request) {
                let _ = stream.send(Bytes::from(delivery.bytes));
            }
            if delivery.last {
                self.streams.remove(&delivery.request);
            }
        }
    }
}

/// Runs `served` on the testbed's clock for as long as the testbed runs:
/// to each event's time, or at once when a request arrives.
async fn drive(served: Arc<Served>, clock: Arc<dyn Fn() -> f64 + Send + Sync>) {
    loop {
        let next = {
            let mut state = lock(&served.state);
            let now = clock();
            let mut sent = Vec::new();
            state.live.advance_to(now, |_| Some(now), &mut sent);
            state.deliver(sent);
            state.live.next_event_at().map(|at| at - now)
        };
        match next {
            Some(wait) => {
                let sleep = tokio::time::sleep(Duration::from_secs_f64(wait.max(0.0)));
                tokio::select! {
                    () = sleep => {}
                    () = served.wake.notified() => {}
                }
            }
            None => served.wake.notified().await,
        }
    }
}

/// A stream's body: the bytes its server sends, until the last.
struct Stream {
    receiver: mpsc::UnboundedReceiver<Bytes>,
    leaving: Option<Leaving>,
}

/// What a body does once it is over: take its request out of the server
/// (nothing if it ended), then `on_end`.
struct Leaving {
    served: Arc<Served>,
    id: u64,
    on_end: Box<dyn FnOnce() + Send>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        if let Some(leaving) = self.leaving.take() {
            {
                let mut state = lock(&leaving.served.state);
                state.live.cancel(leaving.id);
                state.streams.remove(&leaving.id);
            }
            leaving.served.wake.notify_one();
            (leaving.on_end)();
        }
    }
}
