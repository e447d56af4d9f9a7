//! The app as a user drives it, in headless Chromium against the testbed:
//! fill the set-up, run 50 requests, watch the run, read the results, export
//! the recording, and check the headline figures against
//! `etalon-cli metrics --json` on that exported file. Saves screenshots of
//! the set-up, live and results views in target/e2e-screenshots/.

use std::time::Duration;

use etalon_e2e::{poll, OpenApp, Testbed};
use serde_json::Value;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12)
}

#[tokio::test]
async fn a_user_runs_fifty_requests_and_reads_the_same_figures_as_the_cli() {
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open().await;
    let browser = &app.browser;
    browser.fill("setup-endpoint", &testbed.base_url).await;
    browser
        .fill("setup-model", "stalls@rate=100,stall_at=10,stall_ms=150")
        .await;
    browser.fill("setup-requests", "50").await;
    browser.fill("setup-concurrency", "6").await;
    browser.fill("setup-prompt-tokens", "64").await;
    browser.fill("setup-output-tokens", "24").await;
    browser.fill("setup-ttft-deadline", "0.2").await;
    browser.fill("setup-tbt-deadline", "0.05").await;
    browser.screenshot("setup").await;
    browser.click("setup-run").await;

    browser
        .wait_for(
            "document.querySelector('[data-testid=run-progress]') !== null",
            Duration::from_secs(30),
        )
        .await;
    // The live view with something to show: the first answer's text and
    // the distributions drawn.
    browser
        .wait_for(
            "document.querySelector('[data-testid=live-text]')?.textContent.includes('Waiting for the first piece') === false \
             && document.querySelectorAll('[data-testid^=live-cdf-] svg').length >= 2",
            Duration::from_secs(30),
        )
        .await;
    browser.screenshot("live").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=run-see-results]') !== null",
            Duration::from_secs(120),
        )
        .await;
    let progress = browser
        .eval("document.querySelector('[data-testid=run-progress]').textContent")
        .await;
    assert!(
        progress.as_str().unwrap().contains("50 / 50"),
        "progress: {progress}"
    );
    browser.click("run-see-results").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=headline-fluid-rate]') !== null",
            Duration::from_secs(30),
        )
        .await;
    browser.screenshot("results").await;

    browser.click("export-recording").await;
    let file = browser.downloaded_file(Duration::from_secs(20)).await;
    let recording: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(recording["requests"].as_array().unwrap().len(), 50);
    assert!(!std::fs::read_to_string(&file)
        .unwrap()
        .to_lowercase()
        .contains("bearer"));

    let cli = etalon_e2e::cli_metrics_json(&file, "0.2", "0.05");
    let service = &cli["service"];

    let shown = |testid: &str| {
        let testid = testid.to_string();
        async move {
            let value = browser
                .eval(&format!(
                    "document.querySelector('[data-testid={testid}]').dataset.value"
                ))
                .await;
            value
                .as_str()
                .unwrap_or_else(|| panic!("{testid} has no data-value"))
                .parse::<f64>()
                .unwrap()
        }
    };
    let fluid = shown("headline-fluid-rate").await;
    assert!(
        close(
            fluid,
            service["fluid_token_generation_rate"].as_f64().unwrap()
        ),
        "fluid rate {fluid} vs {service}"
    );
    let ttft: Vec<f64> = cli["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ttft"].as_f64().unwrap())
        .collect();
    let mut sorted = ttft.clone();
    sorted.sort_by(f64::total_cmp);
    let p50 = (sorted[24] + sorted[25]) / 2.0;
    let shown_p50 = shown("headline-ttft-p50").await;
    assert!(close(shown_p50, p50), "TTFT p50 {shown_p50} vs {p50}");
    let error_rate = shown("headline-error-rate").await;
    assert_eq!(error_rate, 0.0);
    let fluidity_before = shown("headline-fluidity-median").await;

    // A tighter TBT deadline recomputes the figures from the recording.
    let before = browser.data_value("headline-fluidity-median").await;
    browser.fill("deadline-tbt", "0.005").await;
    poll(
        "the fluidity card to be recomputed",
        Duration::from_secs(10),
        || async {
            let now = browser.data_value("headline-fluidity-median").await;
            if now != before {
                Ok(())
            } else {
                Err(now.to_string())
            }
        },
    )
    .await;
    let fluidity_after = shown("headline-fluidity-median").await;
    assert!(
        fluidity_after < fluidity_before,
        "fluidity {fluidity_before} -> {fluidity_after}"
    );
    app.browser.close().await;
}
