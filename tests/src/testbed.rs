//! The project's command-line tool as the tests use it: its scripted
//! streaming server (`etalon-cli testbed`) on a free loopback port, and
//! `etalon-cli metrics --json` to check the app's figures against.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::workspace_root;

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
