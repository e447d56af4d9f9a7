//! End-to-end harness: the built app in a real headless Chromium, driven
//! through chromedriver (WebDriver, via fantoccini), or in a headless
//! Firefox through geckodriver, against the project's scripted streaming
//! server or a real one. One module per thing it drives:
//!
//! - [`app_server`]: serves the built app (`dist/`) with the headers that
//!   make the page cross-origin isolated;
//! - [`browser`]: a headless Chromium session through chromedriver or a
//!   headless Firefox one through geckodriver, and
//!   [`poll`], the wait every test uses instead of a sleep;
//! - [`page`]: what a test does on the page (evaluate, wait, fill, click,
//!   screenshots, downloads);
//! - [`open_app`]: the app opened in a fresh browser, and its automation
//!   hook (`window.etalonRun`), which runs orders in the real measurement
//!   worker;
//! - [`testbed`]: `etalon-cli testbed` on a free port, and
//!   `etalon-cli metrics --json`;
//! - [`llama`]: llama.cpp's `llama-server` with a small model.
//!
//! The app must be built first (`scripts/build-app`; `scripts/test` does
//! it). `ETALON_DIST` names another build folder; `CHROMEDRIVER` and
//! `CHROME_BIN` name other driver and browser binaries, `GECKODRIVER` and
//! `FIREFOX_BIN` Firefox's (by default `geckodriver` on PATH and
//! `/usr/bin/firefox-esr`); `ETALON_CHROME_ARGS`
//! adds Chromium switches of its own (space-separated), for instance to
//! record a trace of a benchmark (`--trace-startup=...`); `ETALON_CLI`
//! names another etalon-cli binary.

use std::path::PathBuf;

pub mod app_server;
pub mod browser;
pub mod llama;
pub mod open_app;
pub mod page;
pub mod testbed;

pub use app_server::{dist_dir, serve_app, serve_app_with, AppServer, ISOLATION_HEADERS};
pub use browser::{poll, Browser, Engine, POLL_EVERY};
pub use llama::LlamaServer;
pub use open_app::OpenApp;
pub use testbed::{cli_binary, cli_metrics_json, Testbed};

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A free TCP port on 127.0.0.1 (free when asked; the caller binds it next).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
