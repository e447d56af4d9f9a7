//! Runs kept in the browser and a URL per screen, in headless Chromium
//! against the testbed: a finished run is listed in History after a
//! reload, `/results/<id>` opened afresh (a reload, and a new browser
//! session on the same profile) shows the same figures, Back and Forward
//! move between screens, two kept runs open on the compare screen from
//! `/compare?runs=...`, and a stopped run is kept too and can be renamed
//! and deleted. Screenshots of History at 1366 and 390 px land in
//! target/e2e-screenshots/history-*.png.

use std::path::Path;
use std::time::Duration;

use etalon_e2e::{poll, serve_app, AppServer, Browser, Testbed};

use serde_json::Value;

/// The headline cards compared across a reload.
const HEADLINES: [&str; 4] = [
    "headline-ttft-p50",
    "headline-tpot-p50",
    "headline-fluidity-p1",
    "headline-tbt-p99",
];

/// A session in `profile`, with the app at `path` of `server` mounted.
async fn open_at(server: &AppServer, profile: &Path, path: &str) -> Browser {
    let browser = Browser::start_in_profile(profile).await;
    browser.client.set_window_size(1366, 900).await.unwrap();
    goto(&browser, server, path).await;
    browser
}

async fn goto(browser: &Browser, server: &AppServer, path: &str) {
    let url = format!("{}{}", server.url.trim_end_matches('/'), path);
    browser.client.goto(&url).await.unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-testid=app-header]') !== null",
            Duration::from_secs(30),
        )
        .await;
}

async fn pathname(browser: &Browser) -> String {
    let value = browser.eval("location.pathname + location.search").await;
    value.as_str().unwrap_or_default().to_string()
}

/// Wait until the address is `path` and the screen `view` shows.
async fn at(browser: &Browser, path: &str, view: &str) {
    browser
        .wait_for(
            &format!(
                "location.pathname + location.search === '{path}' \
                 && document.querySelector('[data-testid={view}]') !== null"
            ),
            Duration::from_secs(20),
        )
        .await;
}

/// Fill the set-up for `requests` requests of `tokens` tokens and press Run.
async fn start_run(browser: &Browser, testbed: &Testbed, model: &str, requests: u32, tokens: u32) {
    browser.fill("setup-endpoint", &testbed.base_url).await;
    browser
        .fill_all(&[
            ("setup-model", model),
            ("setup-requests", &requests.to_string()),
            ("setup-concurrency", "3"),
            ("setup-warmup", "0"),
            ("setup-output-tokens", &tokens.to_string()),
        ])
        .await;
    browser.click("setup-run").await;
}

/// The headline cards' full-precision figures.
async fn headlines(browser: &Browser) -> Vec<Value> {
    browser
        .wait_for_testid("headline-ttft-p50", Duration::from_secs(60))
        .await;
    let mut values = Vec::new();
    for testid in HEADLINES {
        values.push(browser.data_value(testid).await);
    }
    assert!(values.iter().all(|v| v.is_string()), "{values:?}");
    values
}

/// The ids of the runs the History list shows, once it has read them.
async fn listed(browser: &Browser) -> Vec<String> {
    browser
        .wait_for(
            "document.querySelector('[data-testid=history-list]')?.dataset.listMs !== undefined",
            Duration::from_secs(20),
        )
        .await;
    let ids = browser
        .eval("[...document.querySelectorAll('[data-testid=history-entry]')].map(e => e.dataset.runId)")
        .await;
    serde_json::from_value(ids).unwrap()
}

/// Wait until History lists `id` (a run is kept a moment after it ends),
/// first in the open page (a reload would cut the keeping short), then
/// after a reload.
async fn wait_until_listed(browser: &Browser, server: &AppServer, id: &str) {
    browser.click("tab-history").await;
    browser
        .wait_for(
            &format!("document.querySelector('[data-run-id=\"{id}\"]') !== null"),
            Duration::from_secs(60),
        )
        .await;
    goto(browser, server, "/history").await;
    let ids = listed(browser).await;
    assert!(
        ids.iter().any(|i| i == id),
        "{id} not in {ids:?} after a reload"
    );
}

/// The run id in the results' address.
async fn results_id(browser: &Browser) -> String {
    browser
        .wait_for(
            "/^\\/results\\/[a-z0-9-]+$/.test(location.pathname)",
            Duration::from_secs(20),
        )
        .await;
    pathname(browser)
        .await
        .trim_start_matches("/results/")
        .to_string()
}

async fn history_figure(browser: &Browser, id: &str, key: &str) -> Value {
    browser
        .eval(&format!(
            "document.querySelector('[data-run-id=\"{id}\"] [data-testid=history-{key}]')?.dataset.value ?? null"
        ))
        .await
}

#[tokio::test]
async fn a_kept_run_reopens_by_its_address_after_a_reload_and_in_a_new_session() {
    let testbed = Testbed::start(&[]).await;
    let server = serve_app().await;
    let profile = tempfile::tempdir().unwrap();
    let browser = open_at(&server, profile.path(), "/").await;
    at(&browser, "/", "setup-view").await;

    start_run(
        &browser,
        &testbed,
        "stalls@rate=100,stall_at=6,stall_ms=120",
        9,
        16,
    )
    .await;
    at(&browser, "/run", "run-view").await;
    browser.click("run-see-results").await;
    let id = results_id(&browser).await;
    let figures = headlines(&browser).await;

    // Back and Forward move between the screens the user saw.
    browser.click("tab-history").await;
    at(&browser, "/history", "history-view").await;
    browser.eval("history.back()").await;
    at(&browser, &format!("/results/{id}"), "results-view").await;
    browser.eval("history.back()").await;
    at(&browser, "/run", "run-view").await;
    browser.eval("history.back()").await;
    at(&browser, "/", "setup-view").await;
    browser.eval("history.forward()").await;
    at(&browser, "/run", "run-view").await;
    browser.eval("history.forward()").await;
    at(&browser, &format!("/results/{id}"), "results-view").await;
    assert_eq!(headlines(&browser).await, figures);
    browser.eval("history.forward()").await;
    at(&browser, "/history", "history-view").await;

    // Listed after a reload, with the results' own figures.
    wait_until_listed(&browser, &server, &id).await;
    assert_eq!(history_figure(&browser, &id, "ttft-p50").await, figures[0]);
    assert_eq!(history_figure(&browser, &id, "tpot-p50").await, figures[1]);
    assert_eq!(
        history_figure(&browser, &id, "fluidity-p1").await,
        figures[2]
    );
    let workload = browser
        .eval(&format!(
            "document.querySelector('[data-run-id=\"{id}\"] [data-testid=history-workload]').textContent"
        ))
        .await;
    assert!(
        workload
            .as_str()
            .unwrap()
            .starts_with("9 requests, 3 at a time"),
        "{workload}"
    );

    // Open: the results' address, from History.
    browser.click("history-open").await;
    at(&browser, &format!("/results/{id}"), "results-view").await;
    assert_eq!(headlines(&browser).await, figures);
    // The results' address reloaded shows the same figures, from History.
    goto(&browser, &server, &format!("/results/{id}")).await;
    assert_eq!(headlines(&browser).await, figures);

    // A second run, then both on the compare screen from History.
    goto(&browser, &server, "/setup").await;
    start_run(&browser, &testbed, "steady@rate=200", 6, 8).await;
    browser.click("run-see-results").await;
    let second = results_id(&browser).await;
    assert_ne!(second, id);
    wait_until_listed(&browser, &server, &second).await;
    assert_eq!(listed(&browser).await, vec![second.clone(), id.clone()]);
    browser
        .client
        .execute(
            "document.querySelectorAll('[data-testid=history-select]').forEach(c => c.click())",
            vec![],
        )
        .await
        .unwrap();
    browser.screenshot("history-1366").await;
    browser.client.set_window_size(390, 844).await.unwrap();
    browser
        .wait_for("window.innerWidth <= 390", Duration::from_secs(10))
        .await;
    let overflow = browser.overflow().await;
    browser.screenshot("history-390").await;
    assert_eq!(overflow["page"], 0, "History scrolls sideways: {overflow}");
    assert_eq!(overflow["wide"], serde_json::json!([]), "{overflow}");
    browser.client.set_window_size(1366, 900).await.unwrap();
    browser.click("history-compare").await;
    at(
        &browser,
        &format!("/compare?runs={second},{id}"),
        "compare-view",
    )
    .await;
    browser
        .wait_for(
            "document.querySelectorAll('[data-testid=compared-runs] li').length === 2 \
             && document.querySelector('[data-testid=compare-table]') !== null",
            Duration::from_secs(20),
        )
        .await;

    // A new session on the same profile (the same storage) shows the run.
    browser.close().await;
    let again = poll(
        "a second session on the profile",
        Duration::from_secs(30),
        || async {
            // Chromium lets go of the profile a moment after it ends.
            let lock = profile.path().join("SingletonLock");
            if lock.symlink_metadata().is_ok() {
                Err("the profile is still locked".to_string())
            } else {
                Ok(())
            }
        },
    );
    again.await;
    let browser = open_at(&server, profile.path(), &format!("/results/{id}")).await;
    assert_eq!(headlines(&browser).await, figures);
    assert_eq!(pathname(&browser).await, format!("/results/{id}"));
    // An id nothing was kept under: a sentence and the way to History.
    goto(&browser, &server, "/results/nothing-here").await;
    browser
        .wait_for_testid("results-unknown-run", Duration::from_secs(20))
        .await;
    browser.click("results-to-history").await;
    at(&browser, "/history", "history-view").await;
    browser.close().await;
}

#[tokio::test]
async fn a_stopped_run_is_kept_and_can_be_renamed_and_deleted() {
    let testbed = Testbed::start(&[]).await;
    let server = serve_app().await;
    let profile = tempfile::tempdir().unwrap();
    let browser = open_at(&server, profile.path(), "/setup").await;
    // 30 requests of 40 tokens at 20 tokens/s, 3 at a time: 20 s in all.
    start_run(&browser, &testbed, "steady@rate=20", 30, 40).await;
    browser
        .wait_for_testid("run-stop", Duration::from_secs(20))
        .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    browser.click("run-stop").await;
    browser.click("run-see-results").await;
    let id = results_id(&browser).await;
    wait_until_listed(&browser, &server, &id).await;
    let card = format!("[data-run-id=\"{id}\"]");
    let workload = browser
        .eval(&format!(
            "document.querySelector('{card} [data-testid=history-workload]').textContent"
        ))
        .await;
    assert!(
        workload.as_str().unwrap().ends_with("stopped early"),
        "{workload}"
    );

    // Rename: kept across a reload; an empty name is refused in words.
    browser.click("history-rename").await;
    browser.fill("history-rename-input", "   ").await;
    browser.click("history-rename-save").await;
    browser
        .wait_for_testid("history-card-problem", Duration::from_secs(10))
        .await;
    browser.fill("history-rename-input", "before the fix").await;
    browser.click("history-rename-save").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=history-name]')?.textContent === 'before the fix'",
            Duration::from_secs(10),
        )
        .await;
    goto(&browser, &server, "/history").await;
    assert_eq!(listed(&browser).await, vec![id.clone()]);
    assert_eq!(browser.text_of("history-name").await, "before the fix");

    // Delete asks first, then the run is gone for good.
    browser.click("history-delete").await;
    assert_eq!(listed(&browser).await, vec![id.clone()]);
    browser.click("history-delete-confirm").await;
    browser
        .wait_for(
            "document.querySelectorAll('[data-testid=history-entry]').length === 0",
            Duration::from_secs(10),
        )
        .await;
    goto(&browser, &server, "/history").await;
    assert_eq!(listed(&browser).await, Vec::<String>::new());
    browser
        .wait_for_testid("history-empty", Duration::from_secs(5))
        .await;
    goto(&browser, &server, &format!("/results/{id}")).await;
    browser
        .wait_for_testid("results-unknown-run", Duration::from_secs(20))
        .await;
    browser.close().await;
}
