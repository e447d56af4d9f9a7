//! Keeping the largest run in the browser's History (issue 21's target: a
//! 10,000 requests x 1,000 tokens recording is stored without freezing the
//! page, no task longer than about 200 ms). In a fresh headless Chromium,
//! the page makes a synthetic run of that size (not measured), then keeps
//! it as a finished run is kept; the bench prints the time in all, the
//! longest task the page's own loop saw and the longest the browser
//! reported (PerformanceObserver `longtask`), the blocks and bytes stored,
//! the time the History list takes to open with that run in it, and the
//! time `/results/<id>` takes to show the run's figures (reading it back a
//! block per task, then the results screen's own work).
//!
//! Run: `cargo bench -p etalon-e2e --bench history_store` after
//! `scripts/build-app`. `ETALON_KEEP_REQUESTS` and `ETALON_KEEP_TOKENS`
//! try other sizes.

use std::time::Duration;

use etalon_e2e::OpenApp;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let requests = setting("ETALON_KEEP_REQUESTS", 10_000);
    let tokens = setting("ETALON_KEEP_TOKENS", 1_000);
    // The app as every e2e test opens it (long script time-outs included).
    let app = OpenApp::open().await;
    let (browser, server) = (&app.browser, &app.server);
    browser
        .wait_for(
            "typeof window.etalonKeepMade === 'function'",
            Duration::from_secs(30),
        )
        .await;
    browser
        .eval(&format!("window.etalonMakeSynthetic({requests}, {tokens})"))
        .await;
    browser.watch_long_tasks().await;
    let timings = browser
        .client
        .execute(
            "return window.etalonKeepMade().then(JSON.parse, e => ({ failed: String(e) }));",
            vec![],
        )
        .await
        .unwrap();
    assert!(timings.get("failed").is_none(), "{timings}");
    let (long_tasks, longest) = browser.long_tasks().await;
    // The list with that run in it, opened afresh.
    let url = format!("{}history", server.url);
    browser.client.goto(&url).await.unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-testid=history-list]')?.dataset.listMs !== undefined",
            Duration::from_secs(30),
        )
        .await;
    let list_ms = browser
        .eval("Number(document.querySelector('[data-testid=history-list]').dataset.listMs)")
        .await;
    // The run opened by its address: read back a block per task, then
    // its figures worked out (the results screen's own work).
    let id = timings["id"].as_str().unwrap_or_default().to_string();
    let started = std::time::Instant::now();
    browser
        .client
        .goto(&format!("{}results/{id}", server.url))
        .await
        .unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-testid=headline-ttft-p50]') !== null \
             || document.querySelector('[data-testid=results-unknown-run]') !== null",
            Duration::from_secs(600),
        )
        .await;
    let opened_s = started.elapsed().as_secs_f64();
    let shown = browser
        .eval("document.querySelector('[data-testid=headline-ttft-p50]') !== null")
        .await;
    assert_eq!(shown, true, "the kept run did not open");
    println!(
        "kept {requests} x {tokens}: {:.1} s in all, longest task of the loop {:.0} ms, \
         browser long tasks {long_tasks} (longest {longest:.0} ms), {} blocks, {:.1} MB; \
         History list opened in {list_ms} ms; /results/<id> showed its figures after {opened_s:.1} s",
        timings["total_ms"].as_f64().unwrap_or(f64::NAN) / 1000.0,
        timings["slowest_task_ms"].as_f64().unwrap_or(f64::NAN),
        timings["blocks"],
        timings["bytes"].as_f64().unwrap_or(f64::NAN) / 1e6,
    );
}
