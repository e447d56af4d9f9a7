//! A headless browser session, Chromium through a chromedriver of its own or
//! Firefox through a geckodriver of its own, and [`poll`]: how a test waits
//! for something to happen (never a sleep).

use std::future::Future;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use tokio::process::{Child, Command};

use crate::free_port;

/// How often [`poll`] checks its condition.
pub const POLL_EVERY: Duration = Duration::from_millis(10);

/// Check `check` every [`POLL_EVERY`] until it gives `Ok`, and return that;
/// after `timeout`, panic saying what was awaited (`what`) and what the last
/// check saw (its `Err`).
pub async fn poll<T, F, Fut>(what: &str, timeout: Duration, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    poll_every(POLL_EVERY, what, timeout, check).await
}

/// [`poll`], checking every `every`.
pub(crate) async fn poll_every<T, F, Fut>(
    every: Duration,
    what: &str,
    timeout: Duration,
    mut check: F,
) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(last) if tokio::time::Instant::now() > deadline => {
                panic!("Timed out after {timeout:?} waiting for {what} (last: {last})")
            }
            Err(_) => tokio::time::sleep(every).await,
        }
    }
}

/// Which browser a [`Browser`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Chromium through chromedriver (`CHROMEDRIVER`, `CHROME_BIN`).
    Chromium,
    /// Firefox ESR through geckodriver (`GECKODRIVER`, `FIREFOX_BIN`).
    Firefox,
}

/// A headless browser session, with the WebDriver server that runs it.
pub struct Browser {
    pub client: Client,
    pub engine: Engine,
    driver: Child,
    /// A fresh profile, removed with the session (None: a folder of the
    /// caller's, which outlives it).
    _profile: Option<tempfile::TempDir>,
    /// Where the browser saves downloads.
    pub downloads: tempfile::TempDir,
}

/// A WebDriver server to start and the capabilities of its session.
struct Launch {
    driver: String,
    driver_args: Vec<String>,
    /// Environment of the driver, which the browser it starts inherits.
    driver_env: Vec<(&'static str, &'static str)>,
    capabilities: serde_json::Map<String, serde_json::Value>,
}

impl Browser {
    /// Start chromedriver and a fresh headless Chromium profile.
    pub async fn start() -> Browser {
        Browser::start_with(&[]).await
    }

    /// The same, with Chromium switches of the caller's own.
    pub async fn start_with(extra_args: &[&str]) -> Browser {
        Browser::start_in(Engine::Chromium, extra_args).await
    }

    /// Start geckodriver and a fresh headless Firefox profile.
    pub async fn start_firefox() -> Browser {
        Browser::start_in(Engine::Firefox, &[]).await
    }

    /// A Chromium session in the profile folder `profile` (its storage,
    /// IndexedDB included, outlives the session): a second session in it
    /// sees what the first kept. One session at a time per folder.
    pub async fn start_in_profile(profile: &std::path::Path) -> Browser {
        Browser::launch(Engine::Chromium, &[], Some(profile)).await
    }

    /// Start `engine` on a fresh profile, with browser arguments of the
    /// caller's own besides the usual ones.
    pub async fn start_in(engine: Engine, extra_args: &[&str]) -> Browser {
        Browser::launch(engine, extra_args, None).await
    }

    /// Start `engine` on the profile folder `kept`, or a fresh one.
    async fn launch(
        engine: Engine,
        extra_args: &[&str],
        kept: Option<&std::path::Path>,
    ) -> Browser {
        let port = free_port();
        let fresh = kept.is_none().then(|| tempfile::tempdir().unwrap());
        let profile = kept.map_or_else(
            || fresh.as_ref().unwrap().path().to_path_buf(),
            |p| p.to_path_buf(),
        );
        let downloads = tempfile::tempdir().unwrap();
        let launch = match engine {
            Engine::Chromium => chromium(port, &profile, &downloads, extra_args),
            Engine::Firefox => firefox(port, &profile, &downloads, extra_args),
        };
        // The driver leads a process group of its own, which the browser
        // it starts joins: dropping the Browser (a test that panicked
        // before `close`) kills the whole group, so no orphaned browser
        // keeps measuring itself against the next test.
        let driver = Command::new(&launch.driver)
            .process_group(0)
            .args(&launch.driver_args)
            .envs(launch.driver_env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("Cannot start {engine:?}'s driver {}: {e}", launch.driver));
        let url = format!("http://127.0.0.1:{port}");
        // The driver takes a moment to listen: try again until it does.
        let client = poll_every(
            Duration::from_millis(100),
            &format!("{engine:?} to start through {} at {url}", launch.driver),
            Duration::from_secs(30),
            || async {
                let connector = hyper_util::client::legacy::connect::HttpConnector::new();
                ClientBuilder::new(connector)
                    .capabilities(launch.capabilities.clone())
                    .connect(&url)
                    .await
                    .map_err(|e| e.to_string())
            },
        )
        .await;
        if engine == Engine::Firefox {
            // Chromium's size comes from its switches; Firefox's window is
            // set through WebDriver, to the same size.
            client.set_window_size(WINDOW.0, WINDOW.1).await.unwrap();
        }
        Browser {
            client,
            engine,
            driver,
            _profile: fresh,
            downloads,
        }
    }

    /// End the session and the driver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        // Drop kills the driver's process group.
    }
}

/// Every session's window size, in CSS pixels.
const WINDOW: (u32, u32) = (1280, 900);

/// chromedriver on `port`, and a headless Chromium on `profile`.
fn chromium(
    port: u16,
    profile: &std::path::Path,
    downloads: &tempfile::TempDir,
    extra_args: &[&str],
) -> Launch {
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let chrome = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let window = format!("--window-size={},{}", WINDOW.0, WINDOW.1);
    let mut args: Vec<String> = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        &window,
    ]
    .iter()
    .chain(extra_args)
    .map(|a| a.to_string())
    .chain(
        std::env::var("ETALON_CHROME_ARGS")
            .unwrap_or_default()
            .split_whitespace()
            .map(String::from),
    )
    .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chrome,
            "args": args,
            "prefs": {
                "download.default_directory": downloads.path().display().to_string(),
                "download.prompt_for_download": false,
            },
        }),
    );
    Launch {
        driver,
        driver_args: vec![format!("--port={port}")],
        driver_env: vec![],
        capabilities,
    }
}

/// geckodriver on `port`, and a headless Firefox on `profile`.
fn firefox(
    port: u16,
    profile: &std::path::Path,
    downloads: &tempfile::TempDir,
    extra_args: &[&str],
) -> Launch {
    // `cargo install geckodriver` (scripts/bootstrap) puts it in ~/.cargo/bin.
    let driver = std::env::var("GECKODRIVER").unwrap_or_else(|_| "geckodriver".into());
    let firefox = std::env::var("FIREFOX_BIN").unwrap_or_else(|_| "/usr/bin/firefox-esr".into());
    let args: Vec<String> = ["-headless", "-profile", &profile.display().to_string()]
        .iter()
        .chain(extra_args)
        .map(|a| a.to_string())
        .collect();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), "firefox".into());
    capabilities.insert(
        "moz:firefoxOptions".into(),
        serde_json::json!({
            "binary": firefox,
            "args": args,
            "prefs": {
                // Downloads go to the test's folder, without asking.
                "browser.download.folderList": 2,
                "browser.download.dir": downloads.path().display().to_string(),
                "browser.download.useDownloadDir": true,
                "browser.download.always_ask_before_handling_new_types": false,
            },
        }),
    );
    Launch {
        driver,
        // The port of geckodriver's own WebSocket (WebDriver BiDi, unused
        // here) is system-assigned too, so two sessions never clash.
        driver_args: vec![
            "--host=127.0.0.1".into(),
            format!("--port={port}"),
            "--websocket-port=0".into(),
        ],
        // Firefox connects to nothing but this machine (as in Mozilla's own
        // test runs): no update, telemetry or Remote Settings traffic, and
        // Remote Settings keeps geckodriver's dummy server. geckodriver
        // passes its own environment on (not moz:firefoxOptions' `env`).
        driver_env: vec![("MOZ_DISABLE_NONLOCAL_CONNECTIONS", "1")],
        capabilities,
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}
