//! Stopping a run in the middle, as a user does: Stop is offered only while
//! the measured requests run (never during the warm-up, whose requests are
//! not part of the results); pressing it ends the run at once, and the
//! exported recording holds every request that was measured: each one that
//! finished before the stop, complete, and each one cut off by it, marked
//! "stopped" with the tokens it had received.

use std::collections::HashSet;
use std::time::Duration;

use etalon_e2e::{poll, OpenApp, Testbed};
use serde_json::Value;

/// The text of the element with `testid`, or null when there is none.
async fn text(app: &OpenApp, testid: &str) -> Value {
    app.browser
        .eval(&format!(
            "(document.querySelector('[data-testid={testid}]') || {{}}).textContent || null"
        ))
        .await
}

/// "N / M" in the progress line: requests ended so far.
fn ended(progress: &str) -> usize {
    let before = progress.split(" / ").next().expect("an 'N / M' count");
    before
        .rsplit(|c: char| !c.is_ascii_digit())
        .find(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no count in {progress:?}"))
}

/// The progress line's facts: requests done, under way, and tokens so far.
async fn facts(app: &OpenApp) -> Result<(u64, u64, u64), String> {
    let items = app
        .browser
        .eval(
            "[...document.querySelectorAll('[data-testid=run-progress] .progress-facts li')]\
             .map(li => li.textContent)",
        )
        .await;
    let items: Vec<String> =
        serde_json::from_value(items.clone()).map_err(|_| items.to_string())?;
    let count = |suffix: &str| {
        items
            .iter()
            .find_map(|item| item.strip_suffix(suffix)?.trim().parse::<u64>().ok())
            .ok_or_else(|| format!("no '{suffix}' in {items:?}"))
    };
    Ok((count(" done")?, count(" under way")?, count(" tokens")?))
}

#[tokio::test]
async fn stop_keeps_every_measured_request_and_is_offered_only_while_running() {
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open().await;
    let browser = &app.browser;
    browser.fill("setup-endpoint", &testbed.base_url).await;
    // 40 requests of 40 tokens at 20 tokens/s, 4 at once: about 20 s in
    // all; one warm-up request of 2 s first.
    browser
        .fill_all(&[
            ("setup-model", "steady@rate=20"),
            ("setup-requests", "40"),
            ("setup-concurrency", "4"),
            ("setup-warmup", "1"),
            ("setup-output-tokens", "40"),
        ])
        .await;
    browser.click("setup-run").await;

    browser
        .wait_for(
            "document.querySelector('[data-testid=run-phase]')?.dataset.phase === 'warming-up'",
            Duration::from_secs(10),
        )
        .await;
    assert_eq!(
        text(&app, "run-stop").await,
        Value::Null,
        "Stop is offered during the warm-up"
    );

    browser
        .wait_for(
            "document.querySelector('[data-testid=run-phase]')?.dataset.phase === 'running'",
            Duration::from_secs(30),
        )
        .await;
    // Let the first wave of 4 end and the second get under way.
    browser
        .wait_for(
            "/(^|\\D)([4-9]|\\d\\d) \\/ 40/.test(document.querySelector('[data-testid=run-progress]').textContent)",
            Duration::from_secs(30),
        )
        .await;
    // Then until the requests under way have streamed for a while: about
    // 12 tokens each (0.6 s at 20 tokens/s) beyond those of the requests done.
    poll(
        "the requests under way to have 12 tokens each",
        Duration::from_secs(10),
        || async {
            let (done, under_way, tokens) = facts(&app).await?;
            if under_way >= 1 && tokens >= 40 * done + 12 * under_way {
                Ok(())
            } else {
                Err(format!(
                    "{done} done, {under_way} under way, {tokens} tokens"
                ))
            }
        },
    )
    .await;
    assert!(
        text(&app, "run-stop").await.is_string(),
        "no Stop while running"
    );
    let before = text(&app, "run-progress").await;
    let ended_before = ended(before.as_str().unwrap());
    browser.click("run-stop").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=run-phase]')?.dataset.phase === 'stopped'",
            Duration::from_secs(10),
        )
        .await;
    assert_eq!(
        text(&app, "run-stop").await,
        Value::Null,
        "Stop is still offered after the run stopped"
    );

    browser.click("run-see-results").await;
    browser
        .wait_for_testid("export-recording", Duration::from_secs(30))
        .await;
    browser.click("export-recording").await;
    let file = browser.downloaded_file(Duration::from_secs(20)).await;
    let recording: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let requests = recording["requests"].as_array().unwrap();
    let finished: Vec<&Value> = requests.iter().filter(|r| r["error"].is_null()).collect();
    let stopped: Vec<&Value> = requests
        .iter()
        .filter(|r| r["error"]["kind"] == "aborted")
        .collect();
    println!(
        "stopped with {ended_before} ended on screen: the recording holds {} finished and {} \
         stopped requests",
        finished.len(),
        stopped.len()
    );
    assert_eq!(
        finished.len() + stopped.len(),
        requests.len(),
        "records that neither finished nor were stopped: {recording}"
    );
    assert!(
        finished.len() >= ended_before,
        "{ended_before} had ended on screen before Stop, the recording has {}",
        finished.len()
    );
    assert!(finished.len() < 40, "the run was not stopped early");
    for record in &finished {
        let tokens: u64 = record["chunks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["tokens"].as_u64().unwrap_or(1))
            .sum();
        assert_eq!(tokens, 40, "a finished request lost tokens: {record}");
    }
    // The ones under way when Stop was pressed (at most 4 at once) keep
    // what they had received: about 12 tokens each.
    assert!(
        (1..=4).contains(&stopped.len()),
        "{} requests stopped",
        stopped.len()
    );
    for record in &stopped {
        let chunks = record["chunks"].as_array().unwrap();
        assert!(
            !chunks.is_empty() && chunks.len() < 40,
            "a stopped request should keep its partial answer: {record}"
        );
    }
    // Stopped is not failed: the results say so apart, the error rate is
    // 0, and the stopped answers' first tokens count in the TTFT shown.
    let summary = text(&app, "errors-summary").await;
    let summary = summary.as_str().unwrap();
    assert!(
        summary.starts_with("No request failed; ") && summary.contains("stopped before"),
        "{summary}"
    );
    assert_eq!(browser.figure("headline-error-rate").await, 0.0);
    let parsed: etalon_core::recording::Recording =
        serde_json::from_value(recording.clone()).unwrap();
    let metrics = etalon_core::metrics::recording_metrics(
        &parsed,
        &etalon_core::metrics::DeadlineConfig::default(),
    );
    let ttft = metrics.service.percentiles.ttft.as_ref().unwrap();
    assert_eq!(ttft.count, finished.len() + stopped.len());
    assert_eq!(metrics.service.stopped as usize, stopped.len());
    assert_eq!(browser.figure("headline-ttft-p50").await, ttft.p50);
    // Each id once, wherever its duplicate would be in the list.
    let ids: Vec<u64> = requests.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    let distinct: HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        ids.len(),
        "a request is recorded twice: ids {ids:?}"
    );
    app.browser.close().await;
}

/// The worker's loader, with a fault a trap would cause: a measured run of
/// 3 requests at once fails the worker 1.5 s after its order (an uncaught
/// error in the worker, as a wasm trap is). Other orders run as usual.
const FAILING_LOADER: &str = r#"
importScripts("./stamp.js", "./measure_worker.js");
self.addEventListener("message", (event) => {
  const order = String(event.data);
  if (order.includes('"type":"run"') && order.includes('"concurrency":3')) {
    setTimeout(() => { throw new Error("a test fault"); }, 1500);
  }
});
wasm_bindgen("./measure_worker_bg.wasm");
"#;

#[tokio::test]
async fn a_worker_that_fails_mid_run_is_reported_and_the_next_run_works() {
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open_with(&[("/measure-loader.js", FAILING_LOADER)]).await;
    let browser = &app.browser;
    browser.fill("setup-endpoint", &testbed.base_url).await;
    // 12 requests of 20 tokens at 40 tokens/s, 3 at once: 4 waves of 0.5 s,
    // so some requests end before the fault and some are under way.
    browser
        .fill_all(&[
            ("setup-model", "steady@rate=40"),
            ("setup-requests", "12"),
            ("setup-concurrency", "3"),
            ("setup-warmup", "0"),
            ("setup-output-tokens", "20"),
        ])
        .await;
    browser.click("setup-run").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=run-phase]')?.dataset.phase === 'broken'",
            Duration::from_secs(20),
        )
        .await;
    let said = text(&app, "run-phase").await;
    let said = said.as_str().unwrap_or_default();
    assert!(
        said.starts_with("The measurement stopped unexpectedly (")
            && said.ends_with("The requests that had ended are kept; press Run to start again."),
        "{said}"
    );
    assert_eq!(text(&app, "run-stop").await, Value::Null, "nothing to stop");
    browser.screenshot("run-worker-failed").await;
    // What had ended is on the results screen.
    browser.click("run-see-results").await;
    browser
        .wait_for_testid("headline-fluid-rate", Duration::from_secs(30))
        .await;

    // A new run starts a new worker and runs to its end.
    browser
        .eval(
            "(() => { [...document.querySelectorAll('nav.tabs button')]\
             .find(b => b.textContent.includes('Set up')).click(); return true; })()",
        )
        .await;
    browser.fill("setup-concurrency", "2").await;
    browser.fill("setup-requests", "4").await;
    browser.click("setup-run").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=run-phase]')?.dataset.phase === 'finished'",
            Duration::from_secs(30),
        )
        .await;
    let progress = text(&app, "run-progress").await;
    let progress = progress.as_str().unwrap_or_default();
    assert_eq!(ended(progress), 4, "{progress}");
}
