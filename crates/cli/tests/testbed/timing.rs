//! The timing shape of each profile, seen by a client and by the server's stamps.
//! Single gaps get [`SLACK_MS`] (a busy 2-core machine may wake a task late);
//! medians are held tighter. Each test times streams, so they run one at a
//! time ([`alone`]), in a test binary of their own (../testbed_timing.rs).

use super::support::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};

/// Taken by each test first and held to its end. A tokio mutex, held
/// across the awaits of the test's own runtime (each `#[tokio::test]` has
/// one; a std guard held across awaits is what clippy warns of); a test
/// that fails releases it as it unwinds, so the next one still runs. (The
/// `serial_test` crate would do the same with an attribute, for a
/// dependency and its own dependencies; one static does it here.)
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Set while a test holds [`ONE_AT_A_TIME`]: two tests timing at once fail.
static TIMING: AtomicBool = AtomicBool::new(false);

/// The right to time streams, until dropped.
struct Alone {
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Drop for Alone {
    fn drop(&mut self) {
        TIMING.store(false, Ordering::SeqCst);
    }
}

/// Waits until no other timing test runs.
async fn alone() -> Alone {
    let turn = ONE_AT_A_TIME.lock().await;
    assert!(
        !TIMING.swap(true, Ordering::SeqCst),
        "another timing test is running"
    );
    Alone { _turn: turn }
}

/// Gaps between successive values.
fn gaps(times: &[f64]) -> Vec<f64> {
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

/// The q-quantile (0..=1) of some values, nearest rank.
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// The server's send times of the chunks that carry text, in ms.
fn sent_at_ms(chunks: &[(f64, Value)]) -> Vec<f64> {
    chunks
        .iter()
        .map(|(_, c)| c[SENT_AT].as_f64().expect("every chunk has its send time") * 1000.0)
        .collect()
}

fn arrivals(chunks: &[(f64, Value)]) -> Vec<f64> {
    chunks.iter().map(|(at, _)| *at).collect()
}

fn words(chunk: &Value) -> usize {
    chunk_text(chunk).split_whitespace().count()
}

fn summary(errors: &[f64]) -> String {
    format!(
        "p50 {:.3} ms, p90 {:.3} ms, max {:.3} ms",
        quantile(errors, 0.5),
        quantile(errors, 0.9),
        quantile(errors, 1.0)
    )
}

/// How late one chunk may be on a busy machine.
const SLACK_MS: f64 = 10.0;

#[tokio::test]
async fn steady_gaps_follow_the_rate() {
    let _alone = alone().await;
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("steady@rate=100,prefill_ms=30", 50),
            PATIENCE,
        )
        .await;
    let texts = answer.text_chunks();
    assert_eq!(texts.len(), 50);
    let role_sent = answer.chunks()[0].1[SENT_AT].as_f64().unwrap() * 1000.0;
    let server = sent_at_ms(&texts);
    let client = arrivals(&texts);
    let server_errors: Vec<f64> = gaps(&server).iter().map(|g| (g - 10.0).abs()).collect();
    let client_errors: Vec<f64> = gaps(&client).iter().map(|g| (g - 10.0).abs()).collect();
    let seen_vs_sent: Vec<f64> = gaps(&client)
        .iter()
        .zip(gaps(&server))
        .map(|(c, s)| (c - s).abs())
        .collect();
    println!(
        "steady 100 tokens/s, server gap error: {}",
        summary(&server_errors)
    );
    println!(
        "steady 100 tokens/s, client gap error: {}",
        summary(&client_errors)
    );
    println!(
        "steady 100 tokens/s, |client gap - server gap|: {}",
        summary(&seen_vs_sent)
    );
    assert!(
        (server[0] - role_sent - 30.0).abs() < SLACK_MS,
        "prefill {}",
        server[0] - role_sent
    );
    assert!(
        quantile(&server_errors, 0.5) < 1.5,
        "server gaps {}",
        summary(&server_errors)
    );
    assert!(
        quantile(&server_errors, 0.9) < SLACK_MS,
        "server gaps {}",
        summary(&server_errors)
    );
    assert!(
        quantile(&client_errors, 0.5) < 2.0,
        "client gaps {}",
        summary(&client_errors)
    );
}

#[tokio::test]
async fn jitter_spreads_gaps_around_the_mean_and_repeats_with_its_seed() {
    let _alone = alone().await;
    let testbed = Testbed::start(&[]);
    let model = "jitter@rate=200,jitter=0.8,seed=3";
    let first = testbed
        .post("/v1/chat/completions", &chat(model, 60), PATIENCE)
        .await;
    let second = testbed
        .post("/v1/chat/completions", &chat(model, 60), PATIENCE)
        .await;
    let gaps_first = gaps(&sent_at_ms(&first.text_chunks()));
    let gaps_second = gaps(&sent_at_ms(&second.text_chunks()));
    let mean = gaps_first.iter().sum::<f64>() / gaps_first.len() as f64;
    assert!((mean - 5.0).abs() < 1.0, "mean gap {mean}");
    assert!(
        quantile(&gaps_first, 0.9) - quantile(&gaps_first, 0.1) > 3.0,
        "gaps barely vary"
    );
    let differences: Vec<f64> = gaps_first
        .iter()
        .zip(&gaps_second)
        .map(|(a, b)| (a - b).abs())
        .collect();
    assert!(
        quantile(&differences, 0.5) < 1.5,
        "same seed, other gaps: {}",
        summary(&differences)
    );
}

#[tokio::test]
async fn stalls_pause_before_the_chosen_tokens() {
    let _alone = alone().await;
    let testbed = Testbed::start(&[]);
    let model = "stalls@rate=200,stall_at=5+15,stall_ms=150";
    let answer = testbed
        .post("/v1/chat/completions", &chat(model, 20), PATIENCE)
        .await;
    let arrival_gaps = gaps(&arrivals(&answer.text_chunks()));
    assert_eq!(arrival_gaps.len(), 19);
    // arrival_gaps[i] precedes token i + 2 (1-based).
    let mut longest: Vec<usize> = (0..arrival_gaps.len()).collect();
    longest.sort_by(|&a, &b| arrival_gaps[b].total_cmp(&arrival_gaps[a]));
    let mut stalled: Vec<usize> = longest[..2].iter().map(|i| i + 2).collect();
    stalled.sort();
    assert_eq!(stalled, [5, 15], "gaps {arrival_gaps:?}");
    for position in [5, 15] {
        let gap = arrival_gaps[position - 2];
        assert!(
            (gap - 155.0).abs() < SLACK_MS,
            "gap before token {position}: {gap} ms"
        );
    }
    let mut others: Vec<f64> = longest[2..].iter().map(|&i| arrival_gaps[i]).collect();
    others.sort_by(f64::total_cmp);
    assert!(
        (quantile(&others, 0.5) - 5.0).abs() < 2.0,
        "gaps {others:?}"
    );
}

#[tokio::test]
async fn multi_token_chunks_carry_several_tokens_counted_by_usage() {
    let _alone = alone().await;
    let testbed = Testbed::start(&[]);
    let mut body = chat("multi-token@rate=100,per_chunk=4", 18);
    body["stream_options"]["continuous_usage_stats"] = json!(true);
    let answer = testbed.post("/v1/chat/completions", &body, PATIENCE).await;
    let texts = answer.text_chunks();
    let sizes: Vec<usize> = texts.iter().map(|(_, c)| words(c)).collect();
    assert_eq!(sizes, [4, 4, 4, 4, 2]);
    let counts: Vec<u64> = texts
        .iter()
        .map(|(_, c)| c["usage"]["completion_tokens"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [4, 8, 12, 16, 18]);
    let chunk_gaps = gaps(&sent_at_ms(&texts));
    // 4 tokens at 100 tokens/s apart, then the last 2.
    assert!(
        (quantile(&chunk_gaps[..3], 0.5) - 40.0).abs() < 2.0,
        "{chunk_gaps:?}"
    );
    assert!((chunk_gaps[3] - 20.0).abs() < SLACK_MS, "{chunk_gaps:?}");
}

#[tokio::test]
async fn prefill_grows_with_the_prompt() {
    let _alone = alone().await;
    let testbed = Testbed::start(&[]);
    let model = "prefill@prefill_ms=10,prefill_ms_per_token=2,rate=500";
    let mut ttft = Vec::new();
    for words in [4, 104] {
        let mut body = chat(model, 2);
        body["messages"][0]["content"] = json!(vec!["word"; words].join(" "));
        let answer = testbed.post("/v1/chat/completions", &body, PATIENCE).await;
        assert_eq!(
            answer.chunks().last().unwrap().1["usage"]["prompt_tokens"],
            words
        );
        ttft.push(answer.text_chunks()[0].0);
    }
    let growth = ttft[1] - ttft[0];
    assert!((growth - 200.0).abs() < 2.0 * SLACK_MS, "ttft {ttft:?}");
}

#[tokio::test]
async fn bursts_arrive_together() {
    let _alone = alone().await;
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("bursts@rate=200,burst=5", 20),
            PATIENCE,
        )
        .await;
    let texts = answer.text_chunks();
    assert_eq!(texts.len(), 20);
    let mut releases = sent_at_ms(&texts);
    releases.dedup();
    assert_eq!(releases.len(), 4, "send times {releases:?}");
    let mut arrivals = arrivals(&texts);
    arrivals.dedup();
    assert_eq!(arrivals.len(), 4, "arrivals {arrivals:?}");
    let release_gaps = gaps(&releases);
    assert!(
        (quantile(&release_gaps, 0.5) - 25.0).abs() < 2.0,
        "{releases:?}"
    );
    assert!(
        release_gaps.iter().all(|gap| (gap - 25.0).abs() < SLACK_MS),
        "{releases:?}"
    );
    assert!(answer.ends_with_done());
}

#[tokio::test]
async fn reasoning_comes_before_the_visible_answer() {
    let _alone = alone().await;
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("reasoning@reasoning=3,rate=500", 6),
            PATIENCE,
        )
        .await;
    let kinds: Vec<bool> = answer
        .text_chunks()
        .iter()
        .map(|(_, c)| c["choices"][0]["delta"]["reasoning_content"].is_string())
        .collect();
    assert_eq!(kinds, [true, true, true, false, false, false]);
    assert_eq!(
        answer.chunks().last().unwrap().1["usage"]["completion_tokens"],
        6
    );
}
