//! Two runs of the same testbed profile, compared in headless Chromium: a
//! difference that chance explains reads "within noise", never "worse",
//! and "Add the last run" says when it is on the list already.

use std::time::Duration;

use etalon_e2e::{OpenApp, Testbed};

const LONG: Duration = Duration::from_secs(120);

async fn run_once(app: &OpenApp) {
    let browser = &app.browser;
    browser.click("tab-setup").await;
    browser.click("setup-run").await;
    browser.wait_for_testid("run-see-results", LONG).await;
    browser.click("run-see-results").await;
    browser.wait_for_testid("compare-runs", LONG).await;
    browser.click("compare-runs").await;
    browser.wait_for_testid("compare-view", LONG).await;
}

#[tokio::test]
async fn two_runs_of_the_same_server_differ_within_noise() {
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open().await;
    let browser = &app.browser;
    browser
        .fill_all(&[
            ("setup-endpoint", &testbed.base_url),
            ("setup-model", "jitter@rate=100,jitter=0.3"),
            ("setup-requests", "40"),
            ("setup-concurrency", "8"),
            ("setup-warmup", "0"),
            ("setup-output-tokens", "30"),
        ])
        .await;
    run_once(&app).await;
    run_once(&app).await;
    browser.wait_for_testid("compare-ttft-p50-1", LONG).await;
    let verdicts = browser
        .eval(
            "Object.fromEntries([...document.querySelectorAll('[data-testid$=\"-1\"][data-verdict]')]\
             .map(e => [e.dataset.testid, e.dataset.verdict]))",
        )
        .await;
    let table = browser.text_of("compare-table").await;
    println!("verdicts of two runs of one profile: {verdicts}");
    for key in ["ttft-p50", "tbt-p50", "tpot-p50", "fluidity-median"] {
        let verdict = verdicts[format!("compare-{key}-1")]
            .as_str()
            .unwrap_or_default();
        assert!(
            verdict == "within noise" || verdict == "too few requests to tell",
            "{key}: {verdict} in {table}"
        );
    }
    assert!(
        !table.contains("+0.0 % (worse)") && !table.contains("-0.0 % (worse)"),
        "{table}"
    );
    // The last run is on the list: its button says so and is off.
    let button = browser.text_of("compare-add-current").await;
    assert_eq!(button, "The last run is added");
    let off = browser
        .eval("document.querySelector('[data-testid=compare-add-current]').disabled")
        .await;
    assert_eq!(off, true);
}
