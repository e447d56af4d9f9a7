//! A headless Chromium session, started through a chromedriver of its own,
//! and [`poll`]: how a test waits for something to happen (never a sleep).

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

/// A headless Chromium session, with the chromedriver that runs it.
pub struct Browser {
    pub client: Client,
    driver: Child,
    /// A fresh profile, removed with the session (none when the caller
    /// gave a profile of its own).
    _profile: Option<tempfile::TempDir>,
    /// Where the browser saves downloads.
    pub downloads: tempfile::TempDir,
}

impl Browser {
    /// Start chromedriver and a fresh headless Chromium profile.
    pub async fn start() -> Browser {
        Browser::start_with(&[]).await
    }

    /// The same, with Chromium switches of the caller's own.
    pub async fn start_with(extra_args: &[&str]) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let path = profile.path().to_path_buf();
        Browser::start_in(extra_args, &path, Some(profile)).await
    }

    /// A session in the profile folder `profile` (its storage, IndexedDB
    /// included, outlives the session): a second session in it sees what
    /// the first kept. One session at a time per folder.
    pub async fn start_in_profile(profile: &std::path::Path) -> Browser {
        Browser::start_in(&[], profile, None).await
    }

    async fn start_in(
        extra_args: &[&str],
        profile_dir: &std::path::Path,
        profile: Option<tempfile::TempDir>,
    ) -> Browser {
        let driver_path =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port();
        // chromedriver leads a process group of its own, which the
        // Chromium it starts joins: dropping the Browser (a test that
        // panicked before `close`) kills the whole group, so no orphaned
        // Chromium keeps measuring itself against the next test.
        let driver = Command::new(&driver_path)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("Cannot start chromedriver at {driver_path}: {e}"));
        let downloads = tempfile::tempdir().unwrap();
        let chrome = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
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
            "--window-size=1280,900",
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
        args.push(format!("--user-data-dir={}", profile_dir.display()));
        let mut caps = serde_json::Map::new();
        caps.insert(
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
        let url = format!("http://127.0.0.1:{port}");
        // chromedriver takes a moment to listen: try again until it does.
        let client = poll_every(
            Duration::from_millis(100),
            &format!("Chromium to start through chromedriver at {url}"),
            Duration::from_secs(30),
            || async {
                let connector = hyper_util::client::legacy::connect::HttpConnector::new();
                ClientBuilder::new(connector)
                    .capabilities(caps.clone())
                    .connect(&url)
                    .await
                    .map_err(|e| e.to_string())
            },
        )
        .await;
        Browser {
            client,
            driver,
            _profile: profile,
            downloads,
        }
    }

    /// End the session and the driver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        // Drop kills chromedriver's process group.
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
