//! The built app mounts in headless Chromium and the page is cross-origin
//! isolated (so `performance.now()` has its finest resolution).

use etalon_e2e::{serve_app, Browser};
use std::time::Duration;

#[tokio::test]
async fn app_mounts_cross_origin_isolated() {
    let app = serve_app().await;
    let browser = Browser::start().await;
    browser.client.goto(&app.url).await.unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-testid=app-header]') !== null",
            Duration::from_secs(20),
        )
        .await;
    let title = browser
        .eval("document.querySelector('h1').textContent")
        .await;
    assert_eq!(title, "etalon-web");
    let version = browser
        .eval("document.querySelector('[data-testid=app-version]').textContent")
        .await;
    assert_eq!(version, format!("v{}", env!("CARGO_PKG_VERSION")));
    assert_eq!(browser.eval("self.crossOriginIsolated").await, true);
    let clock = browser
        .eval("document.querySelector('[data-testid=clock-status]').textContent")
        .await;
    assert!(
        clock.as_str().unwrap().starts_with("Precise clock"),
        "{clock}"
    );
    browser.screenshot("app-mounts").await;
    browser.close().await;
}
