//! End-to-end tests of `etalon-cli testbed`: the real binary on a free port,
//! each response read frame by frame with arrival times, for every profile,
//! the faults, CORS and the command line.

use serde_json::{json, Value};
use std::time::Duration;
use support::*;

const PATIENCE: Duration = Duration::from_secs(5);

mod support {
    //! Test support for `etalon-cli testbed`: runs the real binary on a free port
    //! and reads responses frame by frame, with each frame's arrival time.

    #![allow(dead_code)]

    use serde_json::Value;
    use std::io::{BufRead, BufReader};
    use std::process::{Child, ChildStdout, Command, Stdio};
    use std::time::{Duration, Instant};

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

    /// Gaps between successive values.
    pub fn gaps(times: &[f64]) -> Vec<f64> {
        times.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// The q-quantile (0..=1) of some values, nearest rank.
    pub fn quantile(values: &[f64], q: f64) -> f64 {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted[((sorted.len() - 1) as f64 * q).round() as usize]
    }
}

/// The server's send times of the chunks that carry text, in ms.
fn sent_at_ms(chunks: &[(f64, Value)]) -> Vec<f64> {
    chunks
        .iter()
        .map(|(_, c)| c[SENT_AT].as_f64().expect("every chunk has its send time") * 1000.0)
        .collect()
}

fn arrivals(chunks: &[(f64, Value)]) -> Vec<f64> {
    chunks.iter().map(|(at, _)| *at).collect()
}

fn words(chunk: &Value) -> usize {
    chunk_text(chunk).split_whitespace().count()
}

fn summary(errors: &[f64]) -> String {
    format!(
        "p50 {:.3} ms, p90 {:.3} ms, max {:.3} ms",
        quantile(errors, 0.5),
        quantile(errors, 0.9),
        quantile(errors, 1.0)
    )
}

#[tokio::test]
async fn health_and_models_list_every_profile() {
    let testbed = Testbed::start(&[]);
    assert_eq!(testbed.get("/health").await.status, 200);
    let models = testbed.get("/v1/models").await.json();
    assert_eq!(models["object"], "list");
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    for name in [
        "steady",
        "jitter",
        "stalls",
        "multi-token",
        "prefill",
        "bursts",
        "reasoning",
        "rate-limited",
        "server-error",
        "drop-mid-stream",
        "garbage",
        "invalid-utf8",
        "error-event",
        "never-ends",
        "no-finish",
    ] {
        assert!(ids.contains(&name), "{name} missing from {ids:?}");
    }
    for model in models["data"].as_array().unwrap() {
        assert_eq!(model["object"], "model");
        assert_eq!(model["owned_by"], "etalon-testbed");
        assert!(model["etalon_description"]
            .as_str()
            .unwrap()
            .contains("Defaults:"));
    }
}

#[tokio::test]
async fn unknown_model_is_a_404_naming_the_valid_ones() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post("/v1/chat/completions", &chat("gpt-4o", 5), PATIENCE)
        .await;
    assert_eq!(answer.status, 404);
    let error = &answer.json()["error"];
    assert_eq!(error["type"], "invalid_request_error");
    assert_eq!(error["code"], "model_not_found");
    assert!(error["message"].as_str().unwrap().contains("steady"));
    let bad = testbed
        .post(
            "/v1/chat/completions",
            &chat("steady@rate=zero", 5),
            PATIENCE,
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("rate"));
}

#[tokio::test]
async fn steady_chat_stream_has_the_openai_shape() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("steady@rate=1000", 5),
            PATIENCE,
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-type").as_deref(),
        Some("text/event-stream")
    );
    assert_eq!(answer.end, BodyEnd::Clean);
    let chunks = answer.chunks();
    let first = &chunks[0].1;
    assert_eq!(first["object"], "chat.completion.chunk");
    assert_eq!(first["choices"][0]["delta"]["role"], "assistant");
    assert_eq!(chunk_text(first), "");
    let text: String = answer
        .text_chunks()
        .iter()
        .map(|(_, c)| chunk_text(c))
        .collect();
    assert_eq!(text, "Alice was beginning to get");
    let finish = &chunks[chunks.len() - 2].1;
    assert_eq!(finish["choices"][0]["finish_reason"], "length");
    let usage = &chunks[chunks.len() - 1].1;
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(
        usage["usage"],
        json!({"prompt_tokens": 4, "completion_tokens": 5, "total_tokens": 9})
    );
    assert!(chunks.iter().all(|(_, c)| c[SENT_AT].is_f64()));
    assert!(answer.ends_with_done());
}

#[tokio::test]
async fn steady_gaps_follow_the_rate() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("steady@rate=100,prefill_ms=30", 50),
            PATIENCE,
        )
        .await;
    let texts = answer.text_chunks();
    assert_eq!(texts.len(), 50);
    let role_sent = answer.chunks()[0].1[SENT_AT].as_f64().unwrap() * 1000.0;
    let server = sent_at_ms(&texts);
    let client = arrivals(&texts);
    let server_errors: Vec<f64> = gaps(&server).iter().map(|g| (g - 10.0).abs()).collect();
    let client_errors: Vec<f64> = gaps(&client).iter().map(|g| (g - 10.0).abs()).collect();
    let seen_vs_sent: Vec<f64> = gaps(&client)
        .iter()
        .zip(gaps(&server))
        .map(|(c, s)| (c - s).abs())
        .collect();
    println!(
        "steady 100 tokens/s, server gap error: {}",
        summary(&server_errors)
    );
    println!(
        "steady 100 tokens/s, client gap error: {}",
        summary(&client_errors)
    );
    println!(
        "steady 100 tokens/s, |client gap - server gap|: {}",
        summary(&seen_vs_sent)
    );
    assert!(
        (server[0] - role_sent - 30.0).abs() < 3.0,
        "prefill {}",
        server[0] - role_sent
    );
    assert!(
        quantile(&server_errors, 0.5) < 0.5,
        "server gaps {}",
        summary(&server_errors)
    );
    assert!(
        quantile(&server_errors, 1.0) < 8.0,
        "server gaps {}",
        summary(&server_errors)
    );
    assert!(
        quantile(&client_errors, 0.5) < 1.5,
        "client gaps {}",
        summary(&client_errors)
    );
}

#[tokio::test]
async fn completions_stream_text_with_continuous_usage() {
    let testbed = Testbed::start(&[]);
    let body = json!({
        "model": "steady@rate=1000",
        "prompt": "Once upon a time",
        "max_tokens": 3,
        "stream": true,
        "stream_options": {"include_usage": true, "continuous_usage_stats": true},
    });
    let answer = testbed.post("/v1/completions", &body, PATIENCE).await;
    let chunks = answer.chunks();
    assert!(chunks.iter().all(|(_, c)| c["object"] == "text_completion"));
    let counts: Vec<u64> = chunks
        .iter()
        .map(|(_, c)| c["usage"]["completion_tokens"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [1, 2, 3, 3, 3]);
    assert_eq!(chunks[0].1["choices"][0]["text"], "Alice");
    assert_eq!(answer.finish_reasons(), ["length"]);
    assert!(answer.ends_with_done());
}

#[tokio::test]
async fn without_max_tokens_the_profile_length_ends_with_stop() {
    let testbed = Testbed::start(&[]);
    let mut body = chat("steady@rate=1000,tokens=4", 0);
    body.as_object_mut().unwrap().remove("max_tokens");
    let answer = testbed.post("/v1/chat/completions", &body, PATIENCE).await;
    assert_eq!(answer.text_chunks().len(), 4);
    assert_eq!(answer.finish_reasons(), ["stop"]);
}

#[tokio::test]
async fn stream_false_answers_one_completion() {
    let testbed = Testbed::start(&[]);
    let mut body = chat("reasoning@rate=1000,reasoning=2", 5);
    body["stream"] = json!(false);
    let answer = testbed.post("/v1/chat/completions", &body, PATIENCE).await;
    assert_eq!(
        answer.header("content-type").as_deref(),
        Some("application/json")
    );
    let completion = answer.json();
    assert_eq!(completion["object"], "chat.completion");
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        "Alice was beginning"
    );
    assert_eq!(
        completion["choices"][0]["message"]["reasoning_content"],
        "Let me"
    );
    assert_eq!(completion["choices"][0]["finish_reason"], "length");
    assert_eq!(completion["usage"]["completion_tokens"], 5);
}

#[tokio::test]
async fn jitter_spreads_gaps_around_the_mean_and_repeats_with_its_seed() {
    let testbed = Testbed::start(&[]);
    let model = "jitter@rate=200,jitter=0.8,seed=3";
    let first = testbed
        .post("/v1/chat/completions", &chat(model, 60), PATIENCE)
        .await;
    let second = testbed
        .post("/v1/chat/completions", &chat(model, 60), PATIENCE)
        .await;
    let gaps_first = gaps(&sent_at_ms(&first.text_chunks()));
    let gaps_second = gaps(&sent_at_ms(&second.text_chunks()));
    let mean = gaps_first.iter().sum::<f64>() / gaps_first.len() as f64;
    assert!((mean - 5.0).abs() < 0.5, "mean gap {mean}");
    assert!(
        quantile(&gaps_first, 0.9) - quantile(&gaps_first, 0.1) > 3.0,
        "gaps barely vary"
    );
    let differences: Vec<f64> = gaps_first
        .iter()
        .zip(&gaps_second)
        .map(|(a, b)| (a - b).abs())
        .collect();
    assert!(
        quantile(&differences, 0.5) < 1.0,
        "same seed, other gaps: {}",
        summary(&differences)
    );
}

#[tokio::test]
async fn stalls_pause_before_the_chosen_tokens() {
    let testbed = Testbed::start(&[]);
    let model = "stalls@rate=200,stall_at=5+15,stall_ms=150";
    let answer = testbed
        .post("/v1/chat/completions", &chat(model, 20), PATIENCE)
        .await;
    let arrival_gaps = gaps(&arrivals(&answer.text_chunks()));
    assert_eq!(arrival_gaps.len(), 19);
    for (index, gap) in arrival_gaps.iter().enumerate() {
        // arrival_gaps[i] precedes token i + 2 (1-based).
        let expected = if index + 2 == 5 || index + 2 == 15 {
            155.0
        } else {
            5.0
        };
        assert!(
            (gap - expected).abs() < 4.0,
            "gap before token {}: {gap} ms",
            index + 2
        );
    }
}

#[tokio::test]
async fn multi_token_chunks_carry_several_tokens_counted_by_usage() {
    let testbed = Testbed::start(&[]);
    let mut body = chat("multi-token@rate=200,per_chunk=4", 18);
    body["stream_options"]["continuous_usage_stats"] = json!(true);
    let answer = testbed.post("/v1/chat/completions", &body, PATIENCE).await;
    let texts = answer.text_chunks();
    let sizes: Vec<usize> = texts.iter().map(|(_, c)| words(c)).collect();
    assert_eq!(sizes, [4, 4, 4, 4, 2]);
    let counts: Vec<u64> = texts
        .iter()
        .map(|(_, c)| c["usage"]["completion_tokens"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [4, 8, 12, 16, 18]);
    let chunk_gaps = gaps(&sent_at_ms(&texts));
    assert!(
        (chunk_gaps[0] - 20.0).abs() < 3.0 && (chunk_gaps[3] - 10.0).abs() < 3.0,
        "{chunk_gaps:?}"
    );
}

#[tokio::test]
async fn prefill_grows_with_the_prompt() {
    let testbed = Testbed::start(&[]);
    let model = "prefill@prefill_ms=10,prefill_ms_per_token=2,rate=500";
    let mut ttft = Vec::new();
    for words in [4, 104] {
        let mut body = chat(model, 2);
        body["messages"][0]["content"] = json!(vec!["word"; words].join(" "));
        let answer = testbed.post("/v1/chat/completions", &body, PATIENCE).await;
        assert_eq!(
            answer.chunks().last().unwrap().1["usage"]["prompt_tokens"],
            words
        );
        ttft.push(answer.text_chunks()[0].0);
    }
    let growth = ttft[1] - ttft[0];
    assert!((growth - 200.0).abs() < 15.0, "ttft {ttft:?}");
}

#[tokio::test]
async fn bursts_arrive_together() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("bursts@rate=200,burst=5", 20),
            PATIENCE,
        )
        .await;
    let texts = answer.text_chunks();
    assert_eq!(texts.len(), 20);
    let mut releases = sent_at_ms(&texts);
    releases.dedup();
    assert_eq!(releases.len(), 4, "send times {releases:?}");
    let mut arrivals = arrivals(&texts);
    arrivals.dedup();
    assert_eq!(arrivals.len(), 4, "arrivals {arrivals:?}");
    assert!(
        gaps(&releases).iter().all(|gap| (gap - 25.0).abs() < 3.0),
        "{releases:?}"
    );
    assert!(answer.ends_with_done());
}

#[tokio::test]
async fn reasoning_comes_before_the_visible_answer() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("reasoning@reasoning=3,rate=500", 6),
            PATIENCE,
        )
        .await;
    let kinds: Vec<bool> = answer
        .text_chunks()
        .iter()
        .map(|(_, c)| c["choices"][0]["delta"]["reasoning_content"].is_string())
        .collect();
    assert_eq!(kinds, [true, true, true, false, false, false]);
    assert_eq!(
        answer.chunks().last().unwrap().1["usage"]["completion_tokens"],
        6
    );
}

#[tokio::test]
async fn rate_limited_and_server_error_answer_json_errors() {
    let testbed = Testbed::start(&[]);
    let limited = testbed
        .post(
            "/v1/chat/completions",
            &chat("rate-limited@retry_after=2", 5),
            PATIENCE,
        )
        .await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after").as_deref(), Some("2"));
    assert_eq!(limited.json()["error"]["code"], "rate_limit_exceeded");
    let failed = testbed
        .post("/v1/completions", &chat("server-error", 5), PATIENCE)
        .await;
    assert_eq!(failed.status, 500);
    assert_eq!(failed.json()["error"]["type"], "server_error");
}

#[tokio::test]
async fn drop_mid_stream_breaks_the_connection() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("drop-mid-stream@after=5,rate=500", 20),
            PATIENCE,
        )
        .await;
    assert!(matches!(answer.end, BodyEnd::Broken(_)), "{:?}", answer.end);
    assert_eq!(answer.text_chunks().len(), 5);
    assert!(!answer.ends_with_done());
}

#[tokio::test]
async fn garbage_is_one_line_that_is_not_json_and_the_stream_goes_on() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("garbage@after=3,rate=500", 8),
            PATIENCE,
        )
        .await;
    let events = answer.events();
    let not_json: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, (_, data))| {
            data != b"[DONE]" && serde_json::from_slice::<Value>(data).is_err()
        })
        .map(|(index, _)| index)
        .collect();
    // role, three tokens, then the garbage
    assert_eq!(not_json, [4]);
    assert_eq!(answer.text_chunks().len(), 8);
    assert!(answer.ends_with_done());
}

#[tokio::test]
async fn invalid_utf8_sits_inside_a_content_string() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("invalid-utf8@after=2,rate=500", 6),
            PATIENCE,
        )
        .await;
    let bad: Vec<Vec<u8>> = answer
        .events()
        .into_iter()
        .map(|(_, d)| d)
        .filter(|d| std::str::from_utf8(d).is_err())
        .collect();
    assert_eq!(bad.len(), 1);
    let needle = b"\"content\":\" \x80\xffbeginning\"";
    assert!(
        bad[0].windows(needle.len()).any(|w| w == needle),
        "{}",
        String::from_utf8_lossy(&bad[0])
    );
    assert_eq!(answer.text_chunks().len(), 5);
    assert!(answer.ends_with_done());
}

#[tokio::test]
async fn error_event_comes_mid_stream_then_done() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("error-event@after=4,rate=500", 10),
            PATIENCE,
        )
        .await;
    let chunks = answer.chunks();
    assert_eq!(answer.text_chunks().len(), 4);
    let error = &chunks.last().unwrap().1;
    assert!(error["error"]["message"].is_string(), "{error}");
    assert!(error[SENT_AT].is_f64());
    assert!(answer.finish_reasons().is_empty());
    assert!(answer.ends_with_done());
}

#[tokio::test]
async fn never_ends_goes_silent_with_the_connection_open() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("never-ends@after=3,rate=500", 10),
            Duration::from_millis(400),
        )
        .await;
    assert_eq!(answer.end, BodyEnd::GaveUp);
    assert_eq!(answer.text_chunks().len(), 3);
    assert!(!answer.ends_with_done());
}

#[tokio::test]
async fn no_finish_ends_cleanly_without_finish_reason_nor_done() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("no-finish@after=4,rate=500", 10),
            PATIENCE,
        )
        .await;
    assert_eq!(answer.end, BodyEnd::Clean);
    assert_eq!(answer.text_chunks().len(), 4);
    assert!(answer.finish_reasons().is_empty());
    assert!(!answer.ends_with_done());
}

async fn cross_origin(testbed: &Testbed) -> (reqwest::Response, reqwest::Response) {
    let client = Testbed::client();
    let url = format!("{}/v1/chat/completions", testbed.url);
    let preflight = client
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://app.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    let post = client
        .post(&url)
        .header("origin", "http://app.example")
        .header("authorization", "Bearer test")
        .header("content-type", "application/json")
        .body(chat("steady@rate=1000", 1).to_string())
        .send()
        .await
        .unwrap();
    (preflight, post)
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_lowercase())
}

#[tokio::test]
async fn cors_is_on_by_default_and_answers_preflight() {
    let testbed = Testbed::start(&[]);
    let (preflight, post) = cross_origin(&testbed).await;
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        header(&preflight, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(header(&preflight, "access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
    assert!(header(&preflight, "access-control-allow-methods").is_some());
    assert_eq!(
        header(&preflight, "cross-origin-resource-policy").as_deref(),
        Some("cross-origin")
    );
    assert_eq!(
        header(&post, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(header(&post, "access-control-expose-headers").is_some());
    assert_eq!(
        header(&post, "cross-origin-resource-policy").as_deref(),
        Some("cross-origin")
    );
}

#[tokio::test]
async fn no_cors_sends_no_cors_headers() {
    let testbed = Testbed::start(&["--no-cors"]);
    let (preflight, post) = cross_origin(&testbed).await;
    assert!(header(&preflight, "access-control-allow-origin").is_none());
    assert!(
        !preflight.status().is_success()
            || header(&preflight, "access-control-allow-headers").is_none()
    );
    assert!(header(&post, "access-control-allow-origin").is_none());
    assert_eq!(post.status(), 200);
}

#[test]
fn address_in_use_is_one_sentence_and_exit_code_2() {
    let testbed = Testbed::start(&[]);
    let addr = testbed.url.strip_prefix("http://").unwrap();
    let second = std::process::Command::new(env!("CARGO_BIN_EXE_etalon-cli"))
        .args(["testbed", "--addr", addr])
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8(second.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("already in use"), "{stderr}");
}

#[test]
fn help_lists_the_profiles_and_the_parameter_scheme() {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_etalon-cli"))
        .args(["testbed", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8(help.stdout).unwrap();
    assert!(
        text.contains("drop-mid-stream")
            && text.contains("PROFILE@key=value")
            && text.contains("--no-cors"),
        "{text}"
    );
}
