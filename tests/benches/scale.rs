//! Scale benchmark: a long run driven through the page as a user would
//! (set-up, Run, results), watched for memory and responsiveness. Prints,
//! every 15 s, the requests ended, the tokens received, the app's memory
//! (its wasm memory, where the recording lives, and the page's JavaScript
//! heap) and the long tasks so far; then the same once the
//! results are on screen, and the memory per token received.
//!
//! Issue 5's target: 10,000 requests of 1,000 tokens; the recording stays
//! under 100 MB in the tab and the page stays responsive. The full run
//! takes about half an hour (6 streams of 1,000 tokens/s, one token per
//! network read, as a real server streams), so the size can be chosen:
//! `ETALON_SCALE_REQUESTS` (10000), `ETALON_SCALE_TOKENS` (1000),
//! `ETALON_SCALE_RATE` (tokens/s per stream, 1000).
//!
//! Run: `cargo bench -p etalon-e2e --bench scale` after `scripts/build-app`
//! and building etalon-cli.

use std::time::{Duration, Instant};

use etalon_e2e::{Browser, OpenApp, Testbed};
use serde_json::Value;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn progress(browser: &Browser) -> String {
    let text = browser
        .eval(
            "(() => { const p = document.querySelector('[data-testid=run-progress]'); \
               if (!p) return ''; \
               const count = p.querySelector('.progress-count').textContent; \
               const facts = [...p.querySelectorAll('.progress-facts li')].map(l => l.textContent); \
               return count + ' (' + facts.join(', ') + ')'; })()",
        )
        .await;
    text.as_str().unwrap_or_default().to_string()
}

async fn tokens_received(browser: &Browser) -> f64 {
    browser
        .eval(
            "(() => { const li = [...document.querySelectorAll('[data-testid=run-progress] .progress-facts li')] \
               .find(l => l.textContent.endsWith(' tokens')); \
               return li ? Number(li.textContent.split(' ')[0]) : 0; })()",
        )
        .await
        .as_f64()
        .unwrap_or(0.0)
}

#[tokio::main]
async fn main() {
    let requests = setting("ETALON_SCALE_REQUESTS", 10_000);
    let tokens = setting("ETALON_SCALE_TOKENS", 1_000);
    let rate = setting("ETALON_SCALE_RATE", 1_000);
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open().await;
    let browser = &app.browser;
    browser.fill("setup-endpoint", &testbed.base_url).await;
    browser
        .fill("setup-model", &format!("steady@rate={rate}"))
        .await;
    browser
        .fill_all(&[
            ("setup-requests", &requests.to_string()),
            ("setup-concurrency", "6"),
            ("setup-warmup", "0"),
            ("setup-prompt-tokens", "32"),
        ])
        .await;
    browser
        .fill("setup-output-tokens", &tokens.to_string())
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = browser.app_memory_mb().await;
    browser.watch_long_tasks().await;
    println!(
        "scale: {requests} requests of {tokens} tokens, 6 at once, {rate} tokens/s per stream; \
         the tab holds {idle:.1} MB before the run"
    );
    let started = Instant::now();
    browser.click("setup-run").await;
    let mut peak: f64 = idle;
    loop {
        tokio::time::sleep(Duration::from_secs(15)).await;
        let memory = browser.app_memory_mb().await;
        peak = peak.max(memory);
        let (count, longest) = browser.long_tasks().await;
        println!(
            "{:>6.0} s  {}  tab {memory:.1} MB  long tasks {count} (longest {longest:.0} ms)",
            started.elapsed().as_secs_f64(),
            progress(browser).await,
        );
        let done: Value = browser
            .eval("document.querySelector('[data-testid=run-see-results]') !== null")
            .await;
        if done == Value::Bool(true) {
            break;
        }
    }
    let received = tokens_received(browser).await;
    let run_memory = browser.app_memory_mb().await;
    let (run_long, run_longest) = browser.long_tasks().await;
    let shown = Instant::now();
    browser.click("run-see-results").await;
    browser
        .wait_for_testid("headline-fluid-rate", Duration::from_secs(600))
        .await;
    let results_after = shown.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let results_memory = browser.app_memory_mb().await;
    let (all_long, all_longest) = browser.long_tasks().await;
    println!(
        "run over in {:.0} s: {received} tokens received; tab {run_memory:.1} MB at the end of the \
         run (peak {peak:.1} MB), {:.1} bytes per token over the idle tab; {run_long} long tasks \
         during the run (longest {run_longest:.0} ms)",
        started.elapsed().as_secs_f64() - results_after,
        (run_memory - idle) * 1e6 / received.max(1.0),
    );
    println!(
        "results on screen {results_after:.1} s after the click; tab {results_memory:.1} MB; \
         {} more long tasks (longest {all_longest:.0} ms)",
        all_long - run_long
    );
    println!(
        "scale: target under 100 MB for the recording: {}",
        if run_memory - idle < 100.0 {
            "met"
        } else {
            "NOT met"
        }
    );
    app.browser.close().await;
}
