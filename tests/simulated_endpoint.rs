//! The simulated server is an endpoint like any other, with no server at
//! all: a user picks "Simulated server", types `sim://llama-70b-4xa100`
//! and the model `prefill-first`, lists its models and checks it without a
//! network request, runs 8 requests, reads the figures, and exports a recording
//! that says it was simulated. The tokens the worker recorded come when the
//! offline simulator says a server with the same arrivals sends them: each
//! at most [`LATE`] after its simulated time (the worker's timer fires a
//! few milliseconds late, never early), and each gap within [`LATE`] of the
//! simulated gap. No testbed is started.

use std::time::Duration;

use etalon_core::simulate::presets::preset;
use etalon_core::simulate::{simulate, Policy, Submission};
use etalon_e2e::OpenApp;
use serde_json::Value;

/// How late a token may arrive after its simulated send time, and how far a
/// gap between two tokens may be from the simulated one: browser timers
/// fire up to a few milliseconds late (whole milliseconds, 4 ms at least
/// once nested), more on a busy 2-core machine.
const LATE: f64 = 0.025;

/// A token may seem this early: the recording keeps times on a 0.1 µs grid.
const EARLY: f64 = 1e-6;

#[tokio::test]
async fn a_simulated_server_in_the_page_runs_a_workload_on_the_offline_schedule() {
    let app = OpenApp::open().await;
    let browser = &app.browser;
    // The "Simulated server" preset fills in a simulated address and policy,
    // and says it needs no network.
    browser.fill("setup-server", "Simulated").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=setup-endpoint]').value === 'sim://llama-8b-a100'",
            Duration::from_secs(10),
        )
        .await;
    let model = browser
        .eval("document.querySelector('[data-testid=setup-model]').value")
        .await;
    assert_eq!(model, "chunked-prefill");
    let advice = browser
        .eval("document.querySelector('[data-testid=setup-server]').parentElement.textContent")
        .await;
    assert!(
        advice.as_str().unwrap().contains("needs no network"),
        "{advice}"
    );
    browser
        .fill("setup-endpoint", "sim://llama-70b-4xa100")
        .await;
    browser.fill("setup-model", "").await;
    // The models are the policies, listed without a request.
    browser.click("setup-list-models").await;
    browser
        .wait_for(
            "(document.querySelector('[data-testid=setup-model-status]')?.textContent ?? '').includes('4 models')",
            Duration::from_secs(10),
        )
        .await;
    let status = browser
        .eval("document.querySelector('[data-testid=setup-model-status]').textContent")
        .await;
    let status = status.as_str().unwrap();
    for name in Policy::NAMES {
        let policy = Policy::named(name).unwrap();
        assert!(
            status.contains(&format!("{name} {}", policy.describe())),
            "{status}"
        );
    }
    browser
        .fill_all(&[
            ("setup-model", "prefill-first"),
            ("setup-requests", "8"),
            ("setup-concurrency", "8"),
            ("setup-prompt-tokens", "1000"),
            ("setup-output-tokens", "20"),
        ])
        .await;
    // The check goes through the worker, to the simulated server.
    browser.click("setup-check").await;
    browser
        .wait_for(
            "(document.querySelector('[data-testid=setup-check-result]')?.textContent ?? '').includes('Tokens arrived as a stream')",
            Duration::from_secs(30),
        )
        .await;
    let check = browser
        .eval("document.querySelector('[data-testid=setup-check-result]').textContent")
        .await;
    assert!(
        check.as_str().unwrap().contains("reports token counts"),
        "{check}"
    );
    browser.screenshot("simulated-setup").await;

    browser.click("setup-run").await;
    browser
        .wait_for_testid("run-see-results", Duration::from_secs(60))
        .await;
    let progress = browser
        .eval("document.querySelector('[data-testid=run-progress]').textContent")
        .await;
    assert!(
        progress.as_str().unwrap().contains("8 / 8"),
        "progress: {progress}"
    );
    browser.click("run-see-results").await;
    browser
        .wait_for_testid("headline-fluid-rate", Duration::from_secs(30))
        .await;
    let fluid = browser.data_value("headline-fluid-rate").await;
    let fluid: f64 = fluid.as_str().unwrap().parse().unwrap();
    assert!(fluid.is_finite() && fluid > 0.0, "fluid rate {fluid}");
    let caption = browser
        .eval("document.querySelector('[data-testid=results-caption]').textContent")
        .await;
    assert_eq!(
        caption.as_str().unwrap(),
        "8 requests to the simulated server: a 70B model on four A100 GPUs, prefills first"
    );
    browser.screenshot("simulated-results").await;

    browser.click("export-recording").await;
    let file = browser.downloaded_file(Duration::from_secs(20)).await;
    let recording: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let simulated = &recording["config"]["simulated"];
    assert_eq!(
        simulated,
        &serde_json::json!({
            "preset": "llama-70b-4xa100",
            "label": "a 70B model on four A100 GPUs",
            "policy": "prefill-first",
            "seed": recording["config"]["setup"]["seed"],
        })
    );
    let records = recording["requests"].as_array().unwrap();
    assert_eq!(records.len(), 8);
    for record in records {
        assert!(record["error"].is_null(), "{record}");
        assert_eq!(record["output_tokens"]["count"], 20, "{record}");
        assert_eq!(record["output_tokens"]["source"], "server");
        assert_eq!(record["prompt_tokens"]["count"], 1000, "{record}");
    }

    // The offline schedule for the sends the worker recorded.
    let system = preset("llama-70b-4xa100")
        .unwrap()
        .system(Policy::PrefillFirst);
    let seed = simulated["seed"].as_u64().unwrap();
    let submissions: Vec<Submission> = records
        .iter()
        .map(|r| Submission {
            at: r["sent_at"].as_f64().unwrap(),
            prompt_tokens: 1000,
            output_tokens: 20,
        })
        .collect();
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&a, &b| submissions[a].at.total_cmp(&submissions[b].at));
    let sorted: Vec<Submission> = order.iter().map(|&i| submissions[i]).collect();
    let offline = simulate(&system, seed, &sorted, None);
    let (mut latest, mut widest): (f64, f64) = (0.0, 0.0);
    for (schedule, &i) in offline.iter().zip(&order) {
        let record = &records[i];
        let sent = record["sent_at"].as_f64().unwrap();
        let chunks = record["chunks"].as_array().unwrap();
        assert_eq!(chunks.len(), schedule.token_times.len(), "{record}");
        let mut previous: Option<(f64, f64)> = None;
        for (chunk, &due) in chunks.iter().zip(&schedule.token_times) {
            // The simulated server says it sent the token on the schedule.
            let said = chunk["server_sent_at"].as_f64().unwrap();
            assert!((said - due).abs() < 1e-6, "sent at {said}, due {due}");
            let arrived = sent + chunk["at"].as_f64().unwrap();
            let late = arrived - due;
            assert!(late > -EARLY, "a token {late} s before its time: {record}");
            latest = latest.max(late);
            if let Some((arrived_before, due_before)) = previous {
                widest = widest.max(((arrived - arrived_before) - (due - due_before)).abs());
            }
            previous = Some((arrived, due));
        }
    }
    println!(
        "simulated endpoint: tokens at most {:.1} ms after their simulated times, gaps within {:.1} ms of the simulated gaps (bound {:.0} ms)",
        latest * 1e3,
        widest * 1e3,
        LATE * 1e3
    );
    assert!(latest <= LATE, "a token {latest} s late");
    assert!(widest <= LATE, "a gap {widest} s off");
    // Prefill first: the last prompts' prefill pauses the first streams.
    let longest_gap = offline
        .iter()
        .flat_map(|r| r.token_times.windows(2).map(|w| w[1] - w[0]))
        .fold(0.0, f64::max);
    assert!(longest_gap > 0.1, "{longest_gap}");
    app.browser.close().await;
}
