//! The app at phone width (390 x 844 CSS pixels, an ordinary phone): the
//! set-up, the live run and the results fit the screen's width (wide
//! tables scroll inside a box of their own; the page itself never scrolls
//! sideways, and nothing sticks out of it), charts included. Screenshots of each screen land in
//! target/e2e-screenshots/phone-*.png.

use std::time::Duration;

use etalon_e2e::{OpenApp, Testbed};

/// The charts of the results screen (test ids of their figures).
const RESULT_CHARTS: [&str; 8] = [
    "fluidity-explainer",
    "fluidity-histogram",
    "miss-curve",
    "cdf-ttft",
    "cdf-tbt",
    "cdf-tpot",
    "cdf-normalized-latency",
    "request-timeline",
];

async fn assert_fits(app: &OpenApp, screen: &str) {
    let overflow = app.browser.overflow().await;
    // The header and every tab hold one line, with no tab scrolled away.
    let tabs = app
        .browser
        .eval(
            "(() => { const n = document.querySelector('nav.tabs'); \
             const h = document.querySelector('.app-header'); \
             return [n.scrollWidth - n.clientWidth, n.getBoundingClientRect().height, \
                     h.getBoundingClientRect().height]; })()",
        )
        .await;
    assert_eq!(
        tabs[0], 0,
        "{screen}: the tabs scroll sideways at phone width: {tabs}"
    );
    assert!(
        tabs[1].as_f64().unwrap() < 60.0,
        "{screen}: the tabs wrap: {tabs}"
    );
    assert!(
        tabs[2].as_f64().unwrap() < 60.0,
        "{screen}: the header wraps: {tabs}"
    );
    app.browser.screenshot(&format!("phone-{screen}")).await;
    assert_eq!(
        overflow["page"], 0,
        "{screen}: the page scrolls sideways at phone width: {overflow}"
    );
    assert_eq!(
        overflow["wide"],
        serde_json::json!([]),
        "{screen}: elements wider than the phone: {overflow}"
    );
}

#[tokio::test]
async fn every_screen_fits_a_phone() {
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open().await;
    let browser = &app.browser;
    browser.client.set_window_size(390, 844).await.unwrap();
    browser
        .wait_for("window.innerWidth <= 390", Duration::from_secs(10))
        .await;
    assert_fits(&app, "setup").await;

    browser.fill("setup-endpoint", &testbed.base_url).await;
    browser
        .fill("setup-model", "stalls@rate=60,stall_at=8,stall_ms=300")
        .await;
    browser
        .fill_all(&[
            ("setup-requests", "8"),
            ("setup-concurrency", "4"),
            ("setup-warmup", "0"),
            ("setup-output-tokens", "40"),
        ])
        .await;
    browser.click("setup-run").await;
    browser
        .wait_for_testid("live-figures", Duration::from_secs(30))
        .await;
    // The live distributions drawn: the widest things on the run screen.
    browser
        .wait_for(
            "document.querySelectorAll('[data-testid^=live-cdf-] svg').length >= 2",
            Duration::from_secs(30),
        )
        .await;
    assert_fits(&app, "run").await;

    browser
        .wait_for_testid("run-see-results", Duration::from_secs(60))
        .await;
    browser.click("run-see-results").await;
    // Every chart of the results drawn.
    browser
        .wait_for(
            &format!(
                "document.querySelector('[data-testid=headline-fluid-rate]') !== null \
                 && {RESULT_CHARTS:?}.every(id => document.querySelector(`[data-testid=${{id}}] svg`))"
            ),
            Duration::from_secs(30),
        )
        .await;
    assert_fits(&app, "results").await;
    app.browser.close().await;
}
