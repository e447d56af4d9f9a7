//! Test support for `etalon-cli testbed`: runs the real binary on a free port
//! and reads responses frame by frame, with each frame's arrival time.

use serde_json::Value;

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a test waits for a whole response.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// The name of the extra field with the server's send time.
pub const SENT_AT: &str = "etalon_server_sent_at";

/// A testbed process, killed when dropped.
pub struct Testbed {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    /// `http://127.0.0.1:PORT`
    pub url: String,
}

impl Testbed {
    /// Starts `etalon-cli testbed --addr 127.0.0.1:0 EXTRA...` and waits for its address.
    pub fn start(extra: &[&str]) -> Testbed {
        let mut child = Command::new(env!("CARGO_BIN_EXE_etalon-cli"))
            .args(["testbed", "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the etalon-cli binary starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("testbed listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        Testbed {
            child,
            _stdout: stdout,
            url,
        }
    }

    pub fn client() -> reqwest::Client {
        reqwest::Client::new()
    }

    /// POSTs `body` to `path` and reads the whole response, giving up after `patience`.
    pub async fn post(&self, path: &str, body: &Value, patience: Duration) -> Observed {
        let request = Self::client()
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(body.to_string());
        observe(request, patience).await
    }

    pub async fn get(&self, path: &str) -> Observed {
        observe(
            Self::client().get(format!("{}{path}", self.url)),
            Duration::from_secs(5),
        )
        .await
    }
}

impl Drop for Testbed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How the body ended.
#[derive(Debug, PartialEq)]
pub enum BodyEnd {
    /// The body ended as HTTP says it should.
    Clean,
    /// The connection failed mid-body.
    Broken(String),
    /// Nothing more came before the patience ran out.
    GaveUp,
}

/// A response as the client saw it.
pub struct Observed {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    /// Each body frame with its arrival, in ms after the request was sent.
    pub reads: Vec<(f64, Vec<u8>)>,
    pub end: BodyEnd,
}

async fn observe(request: reqwest::RequestBuilder, patience: Duration) -> Observed {
    let sent = Instant::now();
    let mut response = request.send().await.expect("the testbed answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut reads = Vec::new();
    let end = loop {
        let left = patience.saturating_sub(sent.elapsed());
        match tokio::time::timeout(left, response.chunk()).await {
            Err(_) => break BodyEnd::GaveUp,
            Ok(Err(err)) => break BodyEnd::Broken(format!("{err:?}")),
            Ok(Ok(None)) => break BodyEnd::Clean,
            Ok(Ok(Some(bytes))) => {
                reads.push((sent.elapsed().as_secs_f64() * 1000.0, bytes.to_vec()))
            }
        }
    };
    Observed {
        status,
        headers,
        reads,
        end,
    }
}

impl Observed {
    pub fn bytes(&self) -> Vec<u8> {
        self.reads
            .iter()
            .flat_map(|(_, bytes)| bytes.clone())
            .collect()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes()).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }

    /// Each SSE event's `data:` payload, with the arrival of its last byte.
    pub fn events(&self) -> Vec<(f64, Vec<u8>)> {
        let mut events = Vec::new();
        let mut pending: Vec<u8> = Vec::new();
        for (at, bytes) in &self.reads {
            pending.extend(bytes);
            while let Some(end) = pending.windows(2).position(|w| w == b"\n\n") {
                let event: Vec<u8> = pending.drain(..end + 2).collect();
                let data = event
                    .strip_prefix(b"data: ")
                    .expect("events are data lines");
                events.push((*at, data[..data.len() - 2].to_vec()));
            }
        }
        events
    }

    /// The events that are JSON chunks, in order, with their arrival.
    pub fn chunks(&self) -> Vec<(f64, Value)> {
        self.events()
            .into_iter()
            .filter_map(|(at, data)| serde_json::from_slice(&data).ok().map(|json| (at, json)))
            .collect()
    }

    /// The chunks that carry output text (content, reasoning or completion text).
    pub fn text_chunks(&self) -> Vec<(f64, Value)> {
        self.chunks()
            .into_iter()
            .filter(|(_, chunk)| !chunk_text(chunk).is_empty())
            .collect()
    }

    pub fn ends_with_done(&self) -> bool {
        self.events()
            .last()
            .is_some_and(|(_, data)| data == b"[DONE]")
    }

    pub fn finish_reasons(&self) -> Vec<String> {
        self.chunks()
            .iter()
            .filter_map(|(_, c)| c["choices"][0]["finish_reason"].as_str().map(String::from))
            .collect()
    }
}

/// The output text of one chunk, whatever field carries it.
pub fn chunk_text(chunk: &Value) -> String {
    let choice = &chunk["choices"][0];
    ["/delta/content", "/delta/reasoning_content", "/text"]
        .iter()
        .filter_map(|path| choice.pointer(path).and_then(Value::as_str))
        .collect()
}

/// A streaming chat request with usage.
pub fn chat(model: &str, max_tokens: u32) -> Value {
    serde_json::json!({
        "model": model,
        "messages": [{"role": "user", "content": "Tell me a story."}],
        "max_tokens": max_tokens,
        "stream": true,
        "stream_options": {"include_usage": true},
    })
}
