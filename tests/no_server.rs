//! A run with no server behind the address, as a user meets it: the run
//! and results screens lead with the failure and what to do, in the words
//! Check endpoint gives, never with a green "Finished", and the results
//! show the errors table instead of empty figures. After a Check endpoint
//! that failed, Run asks first, and Cancel runs nothing. Screenshots land
//! in target/e2e-screenshots/no-server-*.png.

use std::time::Duration;

use etalon_e2e::OpenApp;
use serde_json::Value;

/// An address where nothing listens: a loopback port bound, then let go.
fn nothing_listens() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

async fn present(app: &OpenApp, selector: &str) -> bool {
    app.browser
        .eval(&format!("document.querySelector('{selector}') !== null"))
        .await
        == Value::Bool(true)
}

/// The failure's own sentence for `address` (observe/failure's
/// `fetch_failure`), as Check endpoint and the run give it.
fn unreachable_sentence(address: &str) -> String {
    format!(
        "The server could not be reached at {address}: check that it is running, that the \
         address and port are right, and that this computer can reach it."
    )
}

#[tokio::test]
async fn a_run_with_no_server_leads_with_the_failure_and_never_says_finished() {
    let address = nothing_listens();
    let app = OpenApp::open().await;
    let browser = &app.browser;
    // The default set-up: 50 requests after one warm-up request.
    browser.fill("setup-endpoint", &address).await;
    browser.click("setup-run").await;
    browser
        .wait_for_testid("run-see-results", Duration::from_secs(60))
        .await;

    let phase = browser
        .eval(
            "(() => { const p = document.querySelector('[data-testid=run-phase]'); \
             return [p.textContent, p.dataset.outcome || '', p.className, getComputedStyle(p).color]; })()",
        )
        .await;
    let said = phase[0].as_str().unwrap();
    assert_eq!(
        said,
        "No request completed: all 50 failed, so there are no timings to show."
    );
    assert!(!said.contains("Finished"), "{said}");
    assert_eq!(phase[1], "all-failed");
    assert!(
        !phase[2].as_str().unwrap().contains("outcome-completed"),
        "{phase}"
    );
    // The page's green (--ok, #1a7f37) is kept for runs where every
    // request completed.
    assert_ne!(phase[3], "rgb(26, 127, 55)", "{phase}");
    assert_eq!(
        app.browser.text_of("run-fix").await,
        unreachable_sentence(&address)
    );
    assert!(present(&app, "[data-testid=run-failure][role=alert]").await);
    // Nothing arrived: no empty answer or charts under the failure.
    assert!(!present(&app, "[data-testid=live-text]").await);
    assert!(!present(&app, "[data-testid=live-figures]").await);
    browser.screenshot("no-server-run").await;

    browser.click("run-see-results").await;
    browser
        .wait_for_testid("results-failure", Duration::from_secs(30))
        .await;
    assert_eq!(
        app.browser.text_of("results-status").await,
        "No request completed: all 50 failed, so there are no timings to show."
    );
    assert_eq!(
        app.browser.text_of("results-fix").await,
        unreachable_sentence(&address)
    );
    assert_eq!(
        app.browser.text_of("errors-summary").await,
        "50 of 50 requests failed (100 %)."
    );
    let table = app.browser.text_of("errors-table").await;
    assert!(
        table.contains("unreachable") && table.contains("could not be reached"),
        "{table}"
    );
    // The failure comes before the errors table, and no dashes or empty
    // charts are drawn at all.
    let order = browser
        .eval(
            "document.querySelector('[data-testid=results-failure]')\
             .compareDocumentPosition(document.querySelector('[data-testid=errors-table]')) \
             & Node.DOCUMENT_POSITION_FOLLOWING",
        )
        .await;
    assert_ne!(order, 0, "the failure is not above the errors table");
    assert!(!present(&app, "[data-testid^=headline-]").await);
    assert!(!present(&app, ".results-body svg").await);
    assert!(!present(&app, "[data-testid=results-warning]").await);
    browser.screenshot("no-server-results").await;

    browser.client.set_window_size(390, 844).await.unwrap();
    browser
        .wait_for("window.innerWidth <= 390", Duration::from_secs(10))
        .await;
    browser.screenshot("no-server-results-phone").await;
    browser
        .eval(
            "(() => { [...document.querySelectorAll('nav.tabs button')]\
             .find(b => b.textContent.includes('Run')).click(); return true; })()",
        )
        .await;
    browser
        .wait_for_testid("run-failure", Duration::from_secs(10))
        .await;
    browser.screenshot("no-server-run-phone").await;
    app.browser.close().await;
}

#[tokio::test]
async fn run_after_a_failed_check_asks_first_and_cancel_does_not_run() {
    let address = nothing_listens();
    let app = OpenApp::open().await;
    let browser = &app.browser;
    browser.fill("setup-endpoint", &address).await;
    browser.click("setup-check").await;
    browser
        .wait_for(
            "(document.querySelector('[data-testid=setup-check-result]') || {}).textContent?.includes('Reachable')",
            Duration::from_secs(30),
        )
        .await;
    let check = app.browser.text_of("setup-check-result").await;
    let sentence = unreachable_sentence(&address);
    assert_eq!(check, format!("✗ Reachable: {sentence}"));

    browser.click("setup-run").await;
    browser
        .wait_for_testid("run-confirm", Duration::from_secs(10))
        .await;
    assert_eq!(
        app.browser.text_of("run-confirm-question").await,
        format!(
            "Check endpoint failed just now: {sentence} If you run now, the requests will \
             most likely fail the same way."
        )
    );
    assert_eq!(app.browser.text_of("run-anyway").await, "Run anyway");
    assert_eq!(app.browser.text_of("run-cancel").await, "Cancel");
    // The question is in view, its Cancel ready for the keyboard.
    browser
        .wait_for(
            "(() => { const r = document.querySelector('[data-testid=run-confirm]').getBoundingClientRect(); \
             return r.top >= 0 && r.bottom <= window.innerHeight; })() \
             && document.activeElement === document.querySelector('[data-testid=run-cancel]')",
            Duration::from_secs(10),
        )
        .await;
    browser.screenshot("no-server-confirm").await;

    browser.click("run-cancel").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=run-confirm]') === null",
            Duration::from_secs(10),
        )
        .await;
    // Still on the set-up; no run was started.
    assert!(present(&app, "[data-testid=setup-view]").await);
    assert!(!present(&app, "[data-testid=run-view]").await);
    browser
        .eval(
            "(() => { [...document.querySelectorAll('nav.tabs button')]\
             .find(b => b.textContent.includes('Run')).click(); return true; })()",
        )
        .await;
    browser
        .wait_for_testid("run-view", Duration::from_secs(10))
        .await;
    assert!(
        !present(&app, "[data-testid=run-phase]").await,
        "a run started after Cancel: {}",
        app.browser.text_of("run-phase").await
    );
    assert!(!present(&app, "[data-testid=run-progress]").await);

    // Back on the set-up, Run asks again; Run anyway runs into the failure.
    browser
        .eval(
            "(() => { [...document.querySelectorAll('nav.tabs button')]\
             .find(b => b.textContent.includes('Set up')).click(); return true; })()",
        )
        .await;
    browser.fill("setup-requests", "5").await;
    browser.click("setup-run").await;
    browser
        .wait_for_testid("run-confirm", Duration::from_secs(10))
        .await;
    browser.click("run-anyway").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=run-phase]')?.dataset.outcome === 'all-failed'",
            Duration::from_secs(60),
        )
        .await;
    assert_eq!(app.browser.text_of("run-fix").await, sentence);

    // A check of another address says nothing about this one: Run runs.
    browser
        .eval(
            "(() => { [...document.querySelectorAll('nav.tabs button')]\
             .find(b => b.textContent.includes('Set up')).click(); return true; })()",
        )
        .await;
    let elsewhere = nothing_listens();
    browser.fill("setup-endpoint", &elsewhere).await;
    browser.click("setup-run").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=run-phase]')?.dataset.outcome === 'all-failed'",
            Duration::from_secs(60),
        )
        .await;
    assert_eq!(
        app.browser.text_of("run-fix").await,
        unreachable_sentence(&elsewhere)
    );
    app.browser.close().await;
}
