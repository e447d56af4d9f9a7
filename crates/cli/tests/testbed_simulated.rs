//! `etalon-cli testbed`'s simulated models over HTTP, in a test binary of
//! its own (cargo runs test binaries one after another, so no other test
//! streams while this one times its streams): two concurrent requests to
//! one simulated server get their tokens when the offline simulator says a
//! server with the same arrivals sends them: every gap between two tokens
//! within [`GAP_SLACK_MS`] of the offline gap, every token within
//! [`SLACK_MS`] of its offline time counted from the first send. The model
//! list names every simulated model; what the testbed cannot simulate gets
//! a server's error.

#[allow(dead_code)]
#[path = "testbed/support.rs"]
mod support;

use etalon_core::simulate::endpoint::DEFAULT_SEED;
use etalon_core::simulate::presets::preset;
use etalon_core::simulate::{simulate, Policy, Submission};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::*;

/// How far a gap between two tokens of a request may be from the offline
/// gap: the testbed's timer wakes within a millisecond or two, a client's
/// read adds as much, and a busy 2-core machine more.
const GAP_SLACK_MS: f64 = 15.0;

/// How far a token may arrive from its offline time, counted from the
/// first request's send: the gaps' slack, and each request's connection
/// and its reading before it arrives at the server.
const SLACK_MS: f64 = 30.0;

/// Taken by each test first: the timed streams run alone.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const MODEL: &str = "sim-prefill-first@preset=llama-70b-4xa100";

/// A streaming chat request whose prompt is `words` words (the testbed's
/// prompt tokens) for `max_tokens` tokens.
fn ask(words: usize, max_tokens: u32) -> Value {
    json!({
        "model": MODEL,
        "messages": [{"role": "user", "content": vec!["w"; words].join(" ")}],
        "max_tokens": max_tokens,
        "stream": true,
        "stream_options": {"include_usage": true},
    })
}

#[tokio::test]
async fn two_concurrent_requests_share_a_simulated_server_on_the_offline_schedule() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let testbed = Testbed::start(&[]);
    let patience = Duration::from_secs(10);
    // A long prompt first; a second one arrives while it is prefilled, and
    // its own prefill then pauses the first stream (prefill first).
    let (first_ask, second_ask) = (ask(2000, 20), ask(1000, 10));
    let started = Instant::now();
    let first = testbed.post("/v1/chat/completions", &first_ask, patience);
    let second = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let offset = started.elapsed().as_secs_f64();
        (
            offset,
            testbed
                .post("/v1/chat/completions", &second_ask, patience)
                .await,
        )
    };
    let (first, (offset, second)) = tokio::join!(first, second);
    for observed in [&first, &second] {
        assert_eq!(observed.status, 200);
        assert_eq!(observed.end, BodyEnd::Clean);
        assert!(observed.ends_with_done());
    }
    let system = preset("llama-70b-4xa100")
        .unwrap()
        .system(Policy::PrefillFirst);
    let offline = simulate(
        &system,
        DEFAULT_SEED,
        &[
            Submission {
                at: 0.0,
                prompt_tokens: 2000,
                output_tokens: 20,
            },
            Submission {
                at: offset,
                prompt_tokens: 1000,
                output_tokens: 10,
            },
        ],
        None,
    );
    let (mut worst, mut widest): (f64, f64) = (0.0, 0.0);
    for (observed, schedule, sent_ms) in [
        (&first, &offline[0], 0.0),
        (&second, &offline[1], offset * 1e3),
    ] {
        let tokens = observed.text_chunks();
        assert_eq!(tokens.len(), schedule.token_times.len());
        // Each chunk carries the server's send time, like every testbed chunk.
        assert!(tokens.iter().all(|(_, c)| c[SENT_AT].as_f64().is_some()));
        let usage = observed
            .chunks()
            .into_iter()
            .find_map(|(_, c)| c.get("usage").filter(|u| !u.is_null()).cloned())
            .expect("a usage chunk");
        assert_eq!(usage["completion_tokens"], schedule.token_times.len());
        let arrived: Vec<f64> = tokens.iter().map(|(at, _)| sent_ms + at).collect();
        let due: Vec<f64> = schedule.token_times.iter().map(|t| t * 1e3).collect();
        for (arrived, due) in arrived.iter().zip(&due) {
            worst = worst.max((arrived - due).abs());
        }
        for (a, d) in arrived.windows(2).zip(due.windows(2)) {
            widest = widest.max(((a[1] - a[0]) - (d[1] - d[0])).abs());
        }
    }
    println!(
        "simulated testbed: every gap within {widest:.1} ms of the offline gap (bound {GAP_SLACK_MS} ms), \
         every token within {worst:.1} ms of its offline time (bound {SLACK_MS} ms)"
    );
    assert!(
        widest <= GAP_SLACK_MS,
        "a gap {widest} ms off the offline one"
    );
    assert!(worst <= SLACK_MS, "a token {worst} ms off its offline time");
    // The second prefill paused the first stream: a gap of about 0.2 s.
    let gaps: Vec<f64> = offline[0]
        .token_times
        .windows(2)
        .map(|w| w[1] - w[0])
        .collect();
    assert!(gaps.iter().any(|&g| g > 0.15), "{gaps:?}");
}

#[tokio::test]
async fn the_simulated_models_are_listed_and_what_they_cannot_serve_is_refused() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let testbed = Testbed::start(&[]);
    let models = testbed.get("/v1/models").await.json();
    for name in Policy::NAMES {
        let id = format!("sim-{name}");
        let listed = models["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} is not listed"));
        let description = listed["etalon_description"].as_str().unwrap();
        assert!(
            description.contains(Policy::named(name).unwrap().describe()),
            "{description}"
        );
        assert!(description.contains("llama-70b-4xa100"), "{description}");
    }
    let patience = Duration::from_secs(5);
    let mut unknown = ask(10, 5);
    unknown["model"] = "sim-fastest".into();
    let answer = testbed
        .post("/v1/chat/completions", &unknown, patience)
        .await;
    assert_eq!(answer.status, 404);
    let mut bad = ask(10, 5);
    bad["model"] = "sim-static@preset=abacus".into();
    let answer = testbed.post("/v1/chat/completions", &bad, patience).await;
    assert_eq!(answer.status, 400);
    assert!(answer.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("abacus"));
    let mut whole = ask(10, 5);
    whole["stream"] = false.into();
    let answer = testbed.post("/v1/chat/completions", &whole, patience).await;
    assert_eq!(answer.status, 400);
    // A prompt larger than the server's memory is refused by the simulator.
    let huge = ask(500_000, 5);
    let answer = testbed.post("/v1/chat/completions", &huge, patience).await;
    assert_eq!(answer.status, 400);
    assert!(
        answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot hold"),
        "{}",
        answer.json()
    );
    // Every response has ended: none is left open.
    let health = testbed.get("/health").await.json();
    assert_eq!(health["open_responses"], 0, "{health}");
}
