//! The app opened in a fresh headless browser, and its automation hook:
//! `window.etalonRun(order)` carries out a run order in the app's real
//! measurement worker and resolves with the recording (see the app's
//! `src/automation.rs`).

use std::time::Duration;

use crate::app_server::{serve_app_with, AppServer};
use crate::browser::{Browser, Engine};

/// The app opened in a fresh headless browser, ready to measure.
pub struct OpenApp {
    pub browser: Browser,
    pub server: AppServer,
}

impl OpenApp {
    pub async fn open() -> OpenApp {
        OpenApp::open_with(&[]).await
    }

    /// Open the app served with scripts of the test's own (see
    /// [`serve_app_with`]).
    pub async fn open_with(scripts: &[(&'static str, &'static str)]) -> OpenApp {
        OpenApp::open_in(scripts, &[]).await
    }

    /// Open the app served with `scripts` in a Chromium started with
    /// `browser_args` besides the usual ones.
    pub async fn open_in(
        scripts: &[(&'static str, &'static str)],
        browser_args: &[&str],
    ) -> OpenApp {
        OpenApp::open_on(Engine::Chromium, scripts, browser_args).await
    }

    /// Open the app in a fresh headless Firefox.
    pub async fn open_firefox() -> OpenApp {
        OpenApp::open_on(Engine::Firefox, &[], &[]).await
    }

    /// Open the app served with `scripts` in `engine`, started with
    /// `browser_args` besides the usual ones.
    pub async fn open_on(
        engine: Engine,
        scripts: &[(&'static str, &'static str)],
        browser_args: &[&str],
    ) -> OpenApp {
        let server = serve_app_with(scripts).await;
        let browser = Browser::start_in(engine, browser_args).await;
        // A run order can take minutes against a real server on CPU (20
        // requests one at a time): WebDriver's 30 s script limit would cut
        // it off. Every run ends by its own time limit anyway.
        browser
            .client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                Some(Duration::from_secs(900)),
                None,
                None,
            ))
            .await
            .unwrap();
        browser.client.goto(&server.url).await.unwrap();
        browser
            .wait_for(
                "typeof window.etalonRun === 'function'",
                Duration::from_secs(30),
            )
            .await;
        OpenApp { browser, server }
    }

    /// Carry out a run order (see `etalon_core::wire::messages::RunOrder`) in
    /// the app's measurement worker; returns the recording as JSON.
    pub async fn run(&self, order: &serde_json::Value) -> serde_json::Value {
        let result = self
            .browser
            .client
            .execute(
                "return window.etalonRun(arguments[0]).then(JSON.parse, e => ({ failed: String(e) }));",
                vec![serde_json::Value::String(order.to_string())],
            )
            .await
            .unwrap_or_else(|e| panic!("the run failed in the page: {e}"));
        assert!(
            result.get("failed").is_none(),
            "the run failed in the page: {result}"
        );
        result
    }
}
