//! Stopping a run in the middle, as a user does: Stop is offered only while
//! the measured requests run (never during the warm-up, whose requests are
//! not part of the results); pressing it ends the run at once, and the
//! exported recording holds every request that was measured: each one that
//! finished before the stop, complete, and each one cut off by it, marked
//! "stopped" with the tokens it had received.

use std::time::Duration;

use etalon_e2e::{OpenApp, Testbed};
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
    tokio::time::sleep(Duration::from_millis(800)).await;
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
    // what they had received: they were streaming for 0.8 s at least.
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
    let mut ids: Vec<u64> = requests.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), requests.len(), "a request is recorded twice");
    app.browser.close().await;
}
