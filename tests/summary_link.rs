//! Sharing a run too large for an exact link (1,000 requests of 128
//! tokens), in headless Chromium: the result link becomes a summary link
//! of at most 32,000 characters, and a fresh browser that opens it shows
//! the sender's figures, labelled as a summary, with the deadlines locked.
//! Screenshot: target/e2e-screenshots/summary-link.png.

use std::collections::BTreeMap;
use std::time::Duration;

use etalon_core::recording::synthetic::SyntheticRun;
use etalon_core::share::MAX_FRAGMENT_CHARS;
use etalon_e2e::{Browser, OpenApp};

const LONG: Duration = Duration::from_secs(120);

/// Every headline figure on the page, by test id.
async fn figures(browser: &Browser) -> BTreeMap<String, String> {
    let shown = browser
        .eval(
            "Object.fromEntries([...document.querySelectorAll('[data-testid^=headline-]')]\
             .map(e => [e.dataset.testid, e.dataset.value]))",
        )
        .await;
    serde_json::from_value(shown).unwrap()
}

#[tokio::test]
async fn a_run_too_large_for_a_link_shares_as_a_summary_with_the_senders_figures() {
    let run = SyntheticRun {
        requests: 1_000,
        tokens_per_request: 128,
        ..SyntheticRun::benchmark()
    }
    .recording();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big-run.json");
    std::fs::write(&path, serde_json::to_string(&run).unwrap()).unwrap();

    let app = OpenApp::open().await;
    let sender = &app.browser;
    sender.click("tab-results").await;
    sender
        .client
        .find(fantoccini::Locator::Css("[data-testid=import-file]"))
        .await
        .unwrap()
        .send_keys(&path.display().to_string())
        .await
        .unwrap();
    sender.wait_for_testid("headline-ttft-p50", LONG).await;
    let sent = figures(sender).await;
    sender.click("share-result-link").await;
    sender.wait_for_testid("share-link-text", LONG).await;
    let link = sender
        .eval("document.querySelector('[data-testid=share-link-text]').value")
        .await
        .as_str()
        .unwrap()
        .to_string();
    let fragment = &link[link.find('#').unwrap()..];
    println!("summary link: {} characters", fragment.len());
    assert!(fragment.starts_with("#summary="), "{}", &fragment[..20]);
    assert!(fragment.len() <= MAX_FRAGMENT_CHARS, "{}", fragment.len());
    let said = sender.text_of("share-summary-note").await;
    assert!(said.contains("of its 1000 requests"), "{said}");

    let recipient = Browser::start().await;
    recipient.client.goto(&link).await.unwrap();
    recipient
        .wait_for_testid("results-summary-note", LONG)
        .await;
    recipient.wait_for_testid("headline-ttft-p50", LONG).await;
    let note = recipient.text_of("results-summary-note").await;
    assert!(
        note.contains("A summary of a run of 1,000 requests"),
        "{note}"
    );
    let received = figures(&recipient).await;
    for key in [
        "headline-throughput-tokens",
        "headline-goodput",
        "headline-ttft-p50",
        "headline-ttft-p99",
        "headline-tbt-p99",
        "headline-tpot-p50",
        "headline-fluidity-p1",
        "headline-fluid-rate",
        "headline-error-rate",
    ] {
        assert_eq!(received.get(key), sent.get(key), "{key}");
    }
    // The deadlines are the sender's, and locked.
    let locked = recipient
        .eval("document.querySelector('[data-testid=deadline-tbt]').matches(':disabled')")
        .await;
    assert_eq!(locked, true);
    recipient.screenshot("summary-link").await;
}
