//! The page stays responsive while it measures: with 6 streams at 100
//! tokens/s and the run screen showing the live text and figures, no task
//! on the page takes longer than 50 ms (Chromium reports every such task to
//! a `longtask` PerformanceObserver).

use std::time::Duration;

use etalon_e2e::{OpenApp, Testbed};

#[tokio::test]
async fn no_long_task_while_six_streams_run_at_100_tokens_per_second() {
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open().await;
    let browser = &app.browser;
    browser
        .fill_all(&[
            ("setup-endpoint", &testbed.base_url),
            ("setup-model", "steady@rate=100"),
            ("setup-requests", "6"),
            ("setup-concurrency", "6"),
            ("setup-warmup", "0"),
            ("setup-output-tokens", "400"),
        ])
        .await;
    // Let the page settle after the edits, then start watching.
    tokio::time::sleep(Duration::from_millis(500)).await;
    browser
        .eval(
            "(() => { window.__longTasks = []; new PerformanceObserver(list => { \
               for (const e of list.getEntries()) window.__longTasks.push({ ms: Math.round(e.duration), after_run_ms: Math.round(e.startTime - window.__t0) }); \
             }).observe({ type: 'longtask' }); return true; })()",
        )
        .await;
    // Long tasks are listed with when they began, counted from the click.
    browser
        .eval("(window.__t0 = performance.now(), true)")
        .await;
    browser.click("setup-run").await;
    browser
        .wait_for_testid("run-see-results", Duration::from_secs(60))
        .await;
    let long_tasks = browser.eval("window.__longTasks").await;
    println!("long tasks during the run: {long_tasks}");
    assert_eq!(
        long_tasks,
        serde_json::json!([]),
        "tasks over 50 ms on the page"
    );
    app.browser.close().await;
}
