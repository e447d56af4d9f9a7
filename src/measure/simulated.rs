//! Requests to a `sim://` address: no fetch, but a `Response` whose body
//! streams the bytes a simulated server writes (the core's `LiveServer`),
//! each token's event enqueued when the simulated server emits it. The
//! rest of the request's path (stamping, the recorder) is a real server's.
//!
//! A run holds one simulated server per system its requests name (nearly
//! always one), shared by all of them and driven by one timer that runs it
//! to the run's clock and enqueues what it sent. A request's abort signal
//! (a stop, a timeout, or a recorder that wants no more) takes it out.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use etalon_core::simulate::endpoint::{read_call, ErrorAnswer, SimulatedCall};
use etalon_core::simulate::{Delivery, LiveServer};
use etalon_core::wire::messages::PlannedRequest;
use js_sys::{Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    AbortSignal, Headers, ReadableStream, ReadableStreamDefaultController, Response, ResponseInit,
};

use super::clock::Clock;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: f64) -> f64;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: f64);
}

/// The simulated servers of one run.
pub struct SimulatedServers {
    clock: Clock,
    /// The run's start on the worker clock, seconds: time 0 of its servers.
    started: f64,
    servers: RefCell<Vec<Rc<Served>>>,
}

/// Which simulated server: preset, policy and seed.
type System = (&'static str, &'static str, u64);

/// One simulated server, the streams it is writing, and its timer.
struct Served {
    system: System,
    live: RefCell<LiveServer>,
    streams: RefCell<HashMap<u64, Stream>>,
    clock: Clock,
    started: f64,
    /// Runs the server to now and enqueues what it sent.
    on_timer: Closure<dyn FnMut()>,
    /// The timer set, and the simulated time it is set for.
    timer: Cell<Option<(f64, f64)>>,
}

/// A response body being written.
struct Stream {
    controller: ReadableStreamDefaultController,
    signal: AbortSignal,
    on_abort: Closure<dyn FnMut()>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        let _ = self
            .signal
            .remove_event_listener_with_callback("abort", self.on_abort.as_ref().unchecked_ref());
    }
}

impl SimulatedServers {
    pub fn new(clock: Clock, started: f64) -> SimulatedServers {
        SimulatedServers {
            clock,
            started,
            servers: RefCell::default(),
        }
    }

    /// What `fetch` would give for `planned` POSTed to the `sim://` URL
    /// `url`, sent `at` seconds into the run: a promise of its response.
    /// `signal` aborting takes the request out of the server.
    pub fn fetch(
        &self,
        url: &str,
        planned: &PlannedRequest,
        at: f64,
        signal: &AbortSignal,
    ) -> Promise {
        let lengths = planned
            .spec
            .as_ref()
            .map(|s| (s.prompt_tokens, s.output_tokens));
        let created = (self.clock.unix_ms() / 1000.0) as u64;
        let response = match read_call(url, &planned.body, lengths, created) {
            Ok(call) => self.served(&call).arrive(at, call, signal),
            Err(answer) => error_response(&answer),
        };
        Promise::resolve(response.unchecked_ref::<JsValue>())
    }

    /// The run's server of `call`'s system, started on first use.
    fn served(&self, call: &SimulatedCall) -> Rc<Served> {
        let system = (call.preset.name, call.policy.name(), call.seed);
        let mut servers = self.servers.borrow_mut();
        if let Some(served) = servers.iter().find(|s| s.system == system) {
            return served.clone();
        }
        let live = LiveServer::new(call.preset.system(call.policy), call.seed);
        let served = Rc::new_cyclic(|me: &Weak<Served>| {
            let me = me.clone();
            Served {
                system,
                live: RefCell::new(live),
                streams: RefCell::default(),
                clock: self.clock.clone(),
                started: self.started,
                on_timer: Closure::new(move || {
                    if let Some(served) = me.upgrade() {
                        served.timer.set(None);
                        served.run_to_now();
                    }
                }),
                timer: Cell::new(None),
            }
        });
        servers.push(served.clone());
        served
    }
}

impl Drop for SimulatedServers {
    fn drop(&mut self) {
        for served in self.servers.borrow().iter() {
            if let Some((handle, _)) = served.timer.take() {
                clear_timeout(handle);
            }
        }
    }
}

impl Served {
    /// The request of `call` arrives at `at`: its response, whose body the
    /// server writes from now on, or the error the server answers.
    fn arrive(self: &Rc<Self>, at: f64, call: SimulatedCall, signal: &AbortSignal) -> Response {
        let mut sent = Vec::new();
        let arrived = self
            .live
            .borrow_mut()
            .arrive(at, call.completion, Some, &mut sent);
        self.enqueue(sent);
        let id = match arrived {
            Ok(id) => id,
            Err(refusal) => return error_response(&ErrorAnswer::refused(&refusal)),
        };
        let (stream, controller) = readable_stream();
        let me = Rc::downgrade(self);
        let on_abort = Closure::<dyn FnMut()>::new(move || {
            if let Some(served) = me.upgrade() {
                served.abort(id);
            }
        });
        let _ = signal.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        self.streams.borrow_mut().insert(
            id,
            Stream {
                controller,
                signal: signal.clone(),
                on_abort,
            },
        );
        self.set_timer();
        let init = ResponseInit::new();
        init.set_status(200);
        init.set_headers(&headers("text/event-stream"));
        Response::new_with_opt_readable_stream_and_init(Some(&stream), &init)
            .expect("a response of a stream")
    }

    /// Run the server to the run's clock, enqueue what it sent, and set the
    /// timer for its next event.
    fn run_to_now(&self) {
        let now = self.clock.now() - self.started;
        let mut sent = Vec::new();
        self.live.borrow_mut().advance_to(now, Some, &mut sent);
        self.enqueue(sent);
        self.set_timer();
    }

    /// Each delivery's bytes into its request's body; a body whose last
    /// bytes these are is closed.
    fn enqueue(&self, sent: Vec<Delivery>) {
        let mut streams = self.streams.borrow_mut();
        for delivery in sent {
            let Some(stream) = streams.get(&delivery.request) else {
                continue;
            };
            let chunk = Uint8Array::from(delivery.bytes.as_slice());
            let _ = stream.controller.enqueue_with_chunk(&chunk);
            if delivery.last {
                let _ = stream.controller.close();
                streams.remove(&delivery.request);
            }
        }
    }

    /// The request's client went away: no more of it, and its body fails
    /// as an aborted fetch's does.
    fn abort(&self, id: u64) {
        self.live.borrow_mut().cancel(id);
        let stream = self.streams.borrow_mut().remove(&id);
        if let Some(stream) = stream {
            let error = js_sys::Error::new("The request was aborted.");
            error.set_name("AbortError");
            stream.controller.error_with_e(&error);
        }
        self.set_timer();
    }

    /// Set the timer for the server's next event (at once if it is due),
    /// or clear it when the server has nothing to do.
    fn set_timer(&self) {
        let next = self.live.borrow().next_event_at();
        match (self.timer.get(), next) {
            (Some((_, set_for)), Some(next)) if set_for == next => return,
            (Some((handle, _)), _) => {
                clear_timeout(handle);
                self.timer.set(None);
            }
            _ => {}
        }
        let Some(next) = next else {
            return;
        };
        let now = self.clock.now() - self.started;
        // Whole milliseconds, rounded up: a timer never fires early, so
        // this one fires at the event or just after it.
        let ms = ((next - now) * 1000.0).ceil().max(0.0);
        let handle = set_timeout(self.on_timer.as_ref().unchecked_ref(), ms);
        self.timer.set(Some((handle, next)));
    }
}

/// A readable stream and the controller that writes it.
fn readable_stream() -> (ReadableStream, ReadableStreamDefaultController) {
    let controller: Rc<RefCell<Option<ReadableStreamDefaultController>>> = Rc::default();
    let keep = controller.clone();
    // `start` runs within the constructor, handing over the controller.
    let start = Closure::once_into_js(move |c: ReadableStreamDefaultController| {
        *keep.borrow_mut() = Some(c);
    });
    let source = Object::new();
    let _ = Reflect::set(&source, &"start".into(), &start);
    let stream = ReadableStream::new_with_underlying_source(&source).expect("a readable stream");
    let controller = controller.take().expect("start has run");
    (stream, controller)
}

/// A response with an error status and its OpenAI-style body.
fn error_response(answer: &ErrorAnswer) -> Response {
    let init = ResponseInit::new();
    init.set_status(answer.status);
    init.set_headers(&headers("application/json"));
    Response::new_with_opt_str_and_init(Some(&answer.body), &init).expect("an error response")
}

fn headers(content_type: &str) -> Headers {
    let headers = Headers::new().expect("Headers exists");
    let _ = headers.set("content-type", content_type);
    headers
}

#[cfg(test)]
mod tests {
    use super::super::request::measure;
    use super::super::shared::RunShared;
    use etalon_core::recording::{ErrorKind, RequestRecord, TokenSource};
    use etalon_core::simulate::presets::preset;
    use etalon_core::simulate::{simulate, Policy, Submission};
    use etalon_core::wire::body::{BodySpec, BodyWriter};
    use etalon_core::wire::messages::{Endpoint, PlannedRequest};
    use etalon_core::wire::openai::RequestSettings;
    use std::rc::Rc;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    const URL: &str = "sim://llama-70b-4xa100/v1/chat/completions?seed=3";

    fn planned(id: u64, model: &str, prompt_tokens: u32, output_tokens: u32) -> PlannedRequest {
        let writer = BodyWriter {
            settings: RequestSettings {
                model: model.into(),
                ..RequestSettings::default()
            },
            chars_per_token: 4.0,
        };
        PlannedRequest {
            id,
            at: 0.0,
            body: String::new(),
            spec: Some(BodySpec {
                id,
                prompt_tokens,
                output_tokens,
                text_variant: id,
            }),
            url: None,
        }
        .written(Some(&writer))
    }

    fn endpoint() -> Rc<Endpoint> {
        Rc::new(Endpoint {
            url: URL.into(),
            headers: vec![],
        })
    }

    /// Each token's arrival, seconds since the run's start.
    fn arrivals(record: &RequestRecord) -> Vec<f64> {
        record
            .chunks
            .iter()
            .map(|c| record.sent_at + c.at)
            .collect()
    }

    #[wasm_bindgen_test]
    async fn two_simulated_requests_stream_their_tokens_at_the_simulated_times() {
        super::super::body::tests::load_stamp_js();
        let shared = Rc::new(RunShared::new(1, 60.0, None));
        let first = measure(
            shared.clone(),
            endpoint(),
            planned(0, "prefill-first", 1500, 12),
        );
        let second = async {
            gloo_timers::future::sleep(std::time::Duration::from_millis(100)).await;
            measure(
                shared.clone(),
                endpoint(),
                planned(1, "prefill-first", 1000, 8),
            )
            .await
        };
        let (first, second) = futures::join!(first, second);
        let system = preset("llama-70b-4xa100")
            .unwrap()
            .system(Policy::PrefillFirst);
        let submissions: Vec<Submission> = [(&first, 1500, 12), (&second, 1000, 8)]
            .iter()
            .map(|(r, prompt_tokens, output_tokens)| Submission {
                at: r.sent_at,
                prompt_tokens: *prompt_tokens,
                output_tokens: *output_tokens,
            })
            .collect();
        let offline = simulate(&system, 3, &submissions, None);
        let mut latest: f64 = 0.0;
        for (record, expected) in [(&first, &offline[0]), (&second, &offline[1])] {
            assert!(record.completed(), "{record:?}");
            let output = record.output_tokens.unwrap();
            assert_eq!(output.source, TokenSource::Server);
            assert_eq!(output.count as usize, expected.token_times.len());
            assert_eq!(
                record.prompt_tokens.unwrap().count,
                u64::from(submissions[record.id as usize].prompt_tokens)
            );
            // The server says when it sent each token: the offline schedule.
            let said: Vec<f64> = record
                .chunks
                .iter()
                .map(|c| c.server_sent_at.unwrap())
                .collect();
            for (s, e) in said.iter().zip(&expected.token_times) {
                assert!((s - e).abs() < 1e-6, "{said:?} against {expected:?}");
            }
            // Each token arrives when it was sent, a timer's lateness after.
            for (arrived, sent) in arrivals(record).iter().zip(&expected.token_times) {
                let late = arrived - sent;
                assert!(late > -0.001, "token {late} s early");
                latest = latest.max(late);
            }
        }
        web_sys::console::log_1(&format!("simulated tokens at most {latest:.4} s late").into());
        assert!(latest < 0.05, "a token {latest} s late");
        // The second prompt paused the first stream (prefill first).
        let gaps: Vec<f64> = first
            .chunks
            .iter()
            .map(|c| c.at)
            .collect::<Vec<_>>()
            .windows(2)
            .map(|w| w[1] - w[0])
            .collect();
        assert!(gaps.iter().any(|&g| g > 0.15), "{gaps:?}");
    }

    #[wasm_bindgen_test]
    async fn a_request_the_simulated_server_cannot_serve_is_an_http_error_in_its_words() {
        super::super::body::tests::load_stamp_js();
        let shared = Rc::new(RunShared::new(2, 60.0, None));
        let record = measure(shared.clone(), endpoint(), planned(0, "fastest", 100, 4)).await;
        let error = record.error.expect("an error");
        assert_eq!(
            (error.kind, error.status),
            (ErrorKind::HttpStatus, Some(404))
        );
        assert!(
            error.message.contains("chunked-prefill"),
            "{}",
            error.message
        );
        // A prompt bigger than the whole KV cache is refused by the simulator.
        let record = measure(shared, endpoint(), planned(1, "static", 1 << 20, 4)).await;
        let error = record.error.expect("an error");
        assert_eq!(error.status, Some(400));
        assert!(error.message.contains("cannot hold"), "{}", error.message);
    }

    #[wasm_bindgen_test]
    async fn a_stop_cuts_a_simulated_stream_and_frees_its_server() {
        super::super::body::tests::load_stamp_js();
        let shared = Rc::new(RunShared::new(3, 60.0, None));
        let stopper = shared.clone();
        let stop = async move {
            gloo_timers::future::sleep(std::time::Duration::from_millis(300)).await;
            stopper.stop.fire();
        };
        let request = measure(
            shared.clone(),
            endpoint(),
            planned(0, "decode-first", 200, 500),
        );
        let (record, ()) = futures::join!(request, stop);
        let error = record.error.as_ref().expect("stopped");
        assert_eq!(error.kind, ErrorKind::Aborted, "{record:?}");
        let tokens = record.counted_output_tokens();
        assert!(tokens > 0 && tokens < 500, "{tokens} tokens");
        // The iteration under way ends; then the server is idle.
        gloo_timers::future::sleep(std::time::Duration::from_millis(200)).await;
        let servers = shared.simulated.servers.borrow();
        assert_eq!(servers.len(), 1);
        assert_eq!(servers[0].live.borrow().open_streams(), 0);
        assert!(servers[0].streams.borrow().is_empty());
        assert!(
            servers[0].timer.get().is_none(),
            "an idle server sets no timer"
        );
    }
}
