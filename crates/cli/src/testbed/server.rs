//! The testbed's HTTP side: routes, CORS, error answers, and playing a
//! schedule as a streamed body, one frame per write, each stamped with the
//! server's clock just before it is handed to the connection; then the
//! bytes of a hostile ending, as fast as the client takes them.

use super::chunks::{
    self, endless_event_line, error_body, long_line_piece, model_list, stamp, OVERFLOWED_COUNT,
    WEB_PAGE,
};
use super::model_name::{
    described_simulated_models, resolve, resolve_simulated, ModelError, SimulatedModel,
};
use super::profiles::{Fault, PROFILES};
use super::request::{self, CompletionRequest};
use super::schedule::{plan, Ending, Endpoint, Event, Frame, Job, Plan, Script};
use super::simulated::{Ask, SimulatedServers};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use etalon_core::wire::openai::Api;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tower_http::cors::{AllowHeaders, Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// The endless event sends one line this often: 16 KiB every 5 ms, about
/// 3 MB/s, so a client's bound of a few MiB is reached within seconds.
const ENDLESS_EVERY: Duration = Duration::from_millis(5);

/// State shared by all requests: the server's clock, a request counter,
/// and the responses being played.
pub struct Testbed {
    /// Time zero of every `etalon_server_sent_at`.
    started: Instant,
    requests: AtomicU64,
    /// Responses still being played: a client that gave up on one (or
    /// cancelled it) closes it, which `GET /health` shows.
    open_responses: Arc<AtomicU64>,
    /// The simulated models' servers, on the same clock.
    simulated: SimulatedServers,
}

impl Testbed {
    /// Seconds since the server started, on a monotonic clock, in whole
    /// microseconds: finer than any browser's timer, and a time the
    /// browser's recording stores in a few bytes (it keeps times on a
    /// 0.1 µs grid; a nanosecond figure would cost it a full `f64`).
    fn now(&self) -> f64 {
        seconds_since(self.started)
    }
}

fn seconds_since(started: Instant) -> f64 {
    started.elapsed().as_micros() as f64 / 1e6
}

/// All routes; CORS for any origin unless `cors` is false. Every response
/// says `Cross-Origin-Resource-Policy: cross-origin` for cross-origin isolated pages.
pub fn router(cors: bool) -> Router {
    let started = Instant::now();
    let testbed = Arc::new(Testbed {
        started,
        requests: AtomicU64::new(0),
        open_responses: Arc::new(AtomicU64::new(0)),
        simulated: SimulatedServers::new(Arc::new(move || seconds_since(started))),
    });
    let mut router = Router::new()
        .route("/v1/chat/completions", post(chat_completions))
        .route("/v1/completions", post(completions))
        .route("/v1/models", get(models))
        .route("/health", get(health))
        .fallback(unknown_route)
        .with_state(testbed);
    if cors {
        router = router.layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods(Any)
                // Echo what the preflight asks: `*` would not cover Authorization.
                .allow_headers(AllowHeaders::mirror_request())
                .expose_headers(Any)
                .max_age(Duration::from_secs(600)),
        );
    }
    router.layer(SetResponseHeaderLayer::overriding(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    ))
}

async fn chat_completions(State(testbed): State<Arc<Testbed>>, body: Bytes) -> Response {
    answer(testbed, Endpoint::Chat, &body).await
}

async fn completions(State(testbed): State<Arc<Testbed>>, body: Bytes) -> Response {
    answer(testbed, Endpoint::Completions, &body).await
}

async fn models() -> Json<serde_json::Value> {
    Json(model_list(PROFILES, &described_simulated_models()))
}

async fn health(State(testbed): State<Arc<Testbed>>) -> Json<serde_json::Value> {
    let open = testbed.open_responses.load(Ordering::Relaxed);
    Json(serde_json::json!({"status": "ok", "open_responses": open}))
}

async fn unknown_route() -> Response {
    let message = "No such route on the testbed: use POST /v1/chat/completions, POST /v1/completions, GET /v1/models or GET /health.";
    error(
        StatusCode::NOT_FOUND,
        message,
        "invalid_request_error",
        None,
    )
}

fn error(status: StatusCode, message: &str, kind: &str, code: Option<&str>) -> Response {
    (status, Json(error_body(message, kind, code))).into_response()
}

/// Answers one chat or completions request as its profile says.
async fn answer(testbed: Arc<Testbed>, endpoint: Endpoint, body: &[u8]) -> Response {
    let arrived = tokio::time::Instant::now();
    let request = match request::parse(body) {
        Ok(request) => request,
        Err(why) => return error(StatusCode::BAD_REQUEST, &why, "invalid_request_error", None),
    };
    if let Some(model) = resolve_simulated(&request.model) {
        return match model {
            Ok(model) => simulated(&testbed, endpoint, request, model),
            Err(error) => model_error(error),
        };
    }
    let params = match resolve(&request.model) {
        Ok((_, params)) => params,
        Err(why) => return model_error(why),
    };
    let job = Job {
        endpoint,
        prompt_tokens: request.prompt_tokens,
        max_tokens: request.max_tokens,
        include_usage: request.include_usage,
        seed: request.seed,
    };
    let mut script = match plan(&params, &job) {
        Plan::Refuse {
            fault,
            retry_after_s,
        } => return refuse(fault, retry_after_s),
        Plan::WebPage => return web_page(),
        Plan::Respond(script) => script,
    };
    let response = describe(&testbed, endpoint, &request);
    testbed.open_responses.fetch_add(1, Ordering::Relaxed);
    let player = Player {
        testbed,
        response,
        arrived,
        frames: std::mem::take(&mut script.frames).into_iter(),
        script,
        tokens_so_far: 0,
        overclaimed: false,
        tail_sent: 0,
        ended: false,
    };
    // A hostile ending is played whatever the request asked for.
    let hostile = matches!(
        player.script.ending,
        Ending::EndlessEvent | Ending::LongLine
    );
    if request.stream || hostile {
        stream(player)
    } else {
        whole(player).await
    }
}

/// The 404 of a model that does not exist, or the 400 of a malformed one.
fn model_error(why: ModelError) -> Response {
    match why {
        ModelError::UnknownProfile(why) => error(
            StatusCode::NOT_FOUND,
            &why,
            "invalid_request_error",
            Some("model_not_found"),
        ),
        ModelError::BadParameter(why) => error(
            StatusCode::BAD_REQUEST,
            &why,
            "invalid_request_error",
            Some("invalid_model_parameters"),
        ),
    }
}

/// A simulated model's answer: its stream, fed by the simulated server
/// that model names, or the error it answers.
fn simulated(
    testbed: &Testbed,
    endpoint: Endpoint,
    request: CompletionRequest,
    model: SimulatedModel,
) -> Response {
    if !request.stream {
        let message = "A simulated model only streams: ask with \"stream\": true.";
        return error(
            StatusCode::BAD_REQUEST,
            message,
            "invalid_request_error",
            Some("stream_required"),
        );
    }
    let ask = Ask {
        api: match endpoint {
            Endpoint::Chat => Api::ChatCompletions,
            Endpoint::Completions => Api::Completions,
        },
        model: request.model,
        prompt_tokens: request.prompt_tokens,
        max_tokens: request.max_tokens,
        include_usage: request.include_usage,
        created: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    };
    let open = testbed.open_responses.clone();
    open.fetch_add(1, Ordering::Relaxed);
    let on_end = {
        let open = open.clone();
        move || {
            open.fetch_sub(1, Ordering::Relaxed);
        }
    };
    match testbed.simulated.answer(model, ask, on_end) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/event-stream"),
                (header::CACHE_CONTROL, "no-cache"),
                (HeaderName::from_static("x-accel-buffering"), "no"),
            ],
            body,
        )
            .into_response(),
        Err(answer) => {
            open.fetch_sub(1, Ordering::Relaxed);
            let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST);
            (
                status,
                [(header::CONTENT_TYPE, "application/json")],
                answer.body,
            )
                .into_response()
        }
    }
}

/// The constant parts of every chunk of one response.
fn describe(
    testbed: &Testbed,
    endpoint: Endpoint,
    request: &CompletionRequest,
) -> chunks::Response {
    let number = testbed.requests.fetch_add(1, Ordering::Relaxed) + 1;
    let prefix = match endpoint {
        Endpoint::Chat => "chatcmpl",
        Endpoint::Completions => "cmpl",
    };
    chunks::Response {
        endpoint,
        id: format!("{prefix}-etalon-{number}"),
        created: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        model: request.model.clone(),
        prompt_tokens: request.prompt_tokens,
        include_usage: request.include_usage,
        continuous_usage: request.continuous_usage,
    }
}

/// The 429 or 500 of the status-fault profiles.
fn refuse(fault: Fault, retry_after_s: u32) -> Response {
    if fault == Fault::RateLimited {
        let message = format!("Rate limit reached (testbed profile rate-limited). Please retry after {retry_after_s} s.");
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            &message,
            "rate_limit_error",
            Some("rate_limit_exceeded"),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
        response
    } else {
        let message =
            "The server had an error while processing your request (testbed profile server-error).";
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            message,
            "server_error",
            Some("internal_error"),
        )
    }
}

/// The `html-page` profile's answer: status 200, a web page.
fn web_page() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        WEB_PAGE,
    )
        .into_response()
}

/// A response being played: its script, when the request arrived, and how far it got.
struct Player {
    testbed: Arc<Testbed>,
    response: chunks::Response,
    arrived: tokio::time::Instant,
    /// The script; its frames moved to `frames`.
    script: Script,
    frames: std::vec::IntoIter<Frame>,
    tokens_so_far: u32,
    /// A chunk claimed 2^32 - 1 tokens: every later usage says so too.
    overclaimed: bool,
    /// Bytes of the hostile ending sent so far.
    tail_sent: usize,
    ended: bool,
}

impl Drop for Player {
    /// The response is over: played to its end, or its client left.
    fn drop(&mut self) {
        self.testbed.open_responses.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Player {
    /// Waits for the next frame's time, renders its events, then stamps them
    /// with the clock read last, just before the frame goes to the connection.
    async fn next_frame(&mut self) -> Option<Bytes> {
        let frame = self.frames.next()?;
        tokio::time::sleep_until(self.arrived + frame.at).await;
        let mut bytes = Vec::new();
        for event in &frame.events {
            if let Event::Text {
                count,
                usage_overflow,
                ..
            } = event
            {
                self.tokens_so_far += count;
                self.overclaimed |= *usage_overflow;
            }
            let reported = if self.overclaimed {
                OVERFLOWED_COUNT
            } else {
                u64::from(self.tokens_so_far)
            };
            bytes.extend(self.response.sse_event(event, reported));
        }
        Some(Bytes::from(stamp(&bytes, self.testbed.now())))
    }

    /// The next piece of a hostile ending, once its time has come: a line of
    /// the endless event every [`ENDLESS_EVERY`], or the next piece of the
    /// long line; None when the ending sends no (more) bytes.
    async fn next_hostile_piece(&mut self) -> Option<Bytes> {
        let piece = match self.script.ending {
            Ending::EndlessEvent => endless_event_line(),
            Ending::LongLine => long_line_piece(self.tail_sent),
            _ => return None,
        };
        if piece.is_empty() {
            return None;
        }
        if self.tail_sent == 0 {
            tokio::time::sleep_until(self.arrived + self.script.ending_at).await;
        } else if self.script.ending == Ending::EndlessEvent {
            tokio::time::sleep(ENDLESS_EVERY).await;
        }
        self.tail_sent += piece.len();
        Some(Bytes::from(piece))
    }

    /// Waits for the ending's time, then ends as the script says.
    async fn end(&mut self) -> Option<std::io::Error> {
        tokio::time::sleep_until(self.arrived + self.script.ending_at).await;
        match self.script.ending {
            Ending::Close | Ending::LongLine => None,
            Ending::Drop => Some(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "the drop-mid-stream profile closes the connection",
            )),
            Ending::Hang | Ending::EndlessEvent => std::future::pending().await,
        }
    }
}

/// `stream: true`: an SSE body, each frame its own write, flushed when the
/// next frame is not yet due.
fn stream(player: Player) -> Response {
    let frames = futures_util::stream::unfold(player, |mut player| async move {
        if let Some(bytes) = player.next_frame().await {
            return Some((Ok(bytes), player));
        }
        if let Some(bytes) = player.next_hostile_piece().await {
            return Some((Ok(bytes), player));
        }
        if player.ended {
            return None;
        }
        player.ended = true;
        let failure = player.end().await?;
        Some((Err(failure), player))
    });
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
            (HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Body::from_stream(frames),
    )
        .into_response()
}

/// `stream: false`: one JSON completion once generation would be over. A
/// stream that would hang or drop does so here too.
async fn whole(mut player: Player) -> Response {
    if let Some(failure) = player.end().await {
        return Body::from_stream(futures_util::stream::once(async {
            Err::<Bytes, _>(failure)
        }))
        .into_response();
    }
    let script = &player.script;
    let answer_tokens = script.output_tokens - script.reasoning_tokens;
    let body = player
        .response
        .whole(script.reasoning_tokens, answer_tokens, script.finish);
    let body = stamp(&body, player.testbed.now());
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
