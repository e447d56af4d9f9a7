//! The app in headless Firefox ESR (through geckodriver) against the
//! testbed, the way a user drives it: the page loads cross-origin isolated,
//! a run set up on the page streams through the measurement worker, the
//! results show timings that fit the testbed's profile, the recording
//! downloads with Firefox's clock in it, and a result link opened in a fresh
//! Firefox profile shows the same figures. Screenshots land in
//! target/e2e-screenshots/firefox-*.png (desktop width, 1366 px).

use std::time::{Duration, Instant};

use etalon_e2e::page::assert_same_headlines;
use etalon_e2e::{Browser, OpenApp, Testbed};
use serde_json::Value;

const LONG: Duration = Duration::from_secs(60);
/// The testbed's profile: the first token 80 ms after the request, then one
/// token every 10 ms.
const MODEL: &str = "steady@rate=100,prefill_ms=80";
const PREFILL_S: f64 = 0.080;
const GAP_S: f64 = 0.010;
const REQUESTS: usize = 12;

#[tokio::test]
async fn firefox_loads_isolated_runs_shows_results_and_opens_a_result_link() {
    let started = Instant::now();
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open_firefox().await;
    let sender = &app.browser;
    let agent = sender.eval("navigator.userAgent").await;
    assert!(
        agent.as_str().unwrap_or_default().contains("Firefox/"),
        "not Firefox: {agent}"
    );
    assert_eq!(
        sender.eval("window.crossOriginIsolated").await,
        true,
        "Firefox did not isolate the page (COOP same-origin, COEP credentialless)"
    );
    let clock = sender.text_of("clock-status").await;
    assert!(clock.starts_with("Precise clock"), "{clock}");

    sender.fill("setup-endpoint", &testbed.base_url).await;
    sender.fill("setup-model", MODEL).await;
    sender.fill("setup-requests", &REQUESTS.to_string()).await;
    sender.fill("setup-concurrency", "4").await;
    sender.fill("setup-prompt-tokens", "32").await;
    sender.fill("setup-output-tokens", "30").await;
    sender.click("setup-run").await;
    sender.wait_for_testid("run-see-results", LONG).await;
    let progress = sender.text_of("run-progress").await;
    assert!(
        progress.contains(&format!("{REQUESTS} / {REQUESTS}")),
        "progress: {progress}"
    );
    sender.click("run-see-results").await;
    sender.wait_for_testid("headline-ttft-p50", LONG).await;

    // Timings that fit the profile: the first token no sooner than the
    // prefill and not much later (a loaded 2-core machine adds tens of ms);
    // the time per output token near the 10 ms gap.
    let ttft = sender.figure("headline-ttft-p50").await;
    assert!(
        (PREFILL_S..PREFILL_S + 0.15).contains(&ttft),
        "TTFT p50 {ttft} s, the profile's prefill is {PREFILL_S} s"
    );
    let tpot = sender.figure("headline-tpot-p50").await;
    assert!(
        (GAP_S * 0.8..GAP_S * 1.5).contains(&tpot),
        "TPOT p50 {tpot} s, the profile's gap is {GAP_S} s"
    );
    assert_eq!(sender.figure("headline-error-rate").await, 0.0);

    sender.client.set_window_size(1366, 900).await.unwrap();
    let width = sender.eval("window.innerWidth").await;
    assert_eq!(width, 1366, "the viewport is not desktop width");
    sender.screenshot("firefox-results").await;
    // The charts lay out in Firefox: each drawn at a real size.
    let charts = sender
        .eval(
            "(() => { const e = document.querySelector('[data-testid=fluidity-histogram]'); \
               e.scrollIntoView(); \
               return ['fluidity-histogram', 'miss-curve', 'request-timeline'].map(id => { \
                 const svg = document.querySelector(`[data-testid=${id}] svg`); \
                 return svg ? Math.round(svg.getBoundingClientRect().width) : 0; }); })()",
        )
        .await;
    let widths: Vec<u64> = serde_json::from_value(charts).unwrap();
    assert!(widths.iter().all(|&w| w >= 300), "chart widths {widths:?}");
    sender.screenshot("firefox-results-charts").await;

    // The recording downloads, and says it was measured in an isolated
    // Firefox with its fine clock (20 µs; 1 ms or coarser when not isolated).
    sender.click("export-recording").await;
    let file = sender.downloaded_file(Duration::from_secs(20)).await;
    let recording: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let environment = &recording["environment"];
    assert_eq!(environment["cross_origin_isolated"], true, "{environment}");
    assert!(
        environment["user_agent"]
            .as_str()
            .is_some_and(|a| a.contains("Firefox/")),
        "{environment}"
    );
    let resolution = environment["timer_resolution"].as_f64().unwrap_or(1.0);
    assert!(
        resolution > 0.0 && resolution <= 100e-6,
        "clock step {resolution} s"
    );
    let requests = recording["requests"].as_array().unwrap();
    assert_eq!(requests.len(), REQUESTS);
    for request in requests {
        assert_eq!(request["chunks"].as_array().map(Vec::len), Some(30));
    }

    // A result link opened in a fresh Firefox profile shows the same figures.
    let shown = sender.headlines().await;
    let link = sender.share_link("share-result-link").await;
    assert!(link.contains("#result=v1."), "{link}");
    let recipient = Browser::start_firefox().await;
    recipient.client.goto(&link).await.unwrap();
    recipient.wait_for_testid("link-caption", LONG).await;
    recipient.wait_for_testid("headline-ttft-p50", LONG).await;
    assert_same_headlines(&shown, &recipient.headlines().await);
    let caption = recipient.text_of("link-caption").await;
    assert!(
        caption.contains(&format!("{REQUESTS} requests")),
        "{caption}"
    );
    recipient.client.set_window_size(1366, 900).await.unwrap();
    recipient.screenshot("firefox-result-link").await;

    recipient.close().await;
    app.browser.close().await;
    println!(
        "Firefox smoke path: {:.1} s (TTFT p50 {:.1} ms, TPOT p50 {:.2} ms, clock step {:.0} us)",
        started.elapsed().as_secs_f64(),
        ttft * 1e3,
        tpot * 1e3,
        resolution * 1e6
    );
}
