//! Fidelity benchmark: how closely the app's measurement worker sees the gaps
//! the server made, next to the browser's floor (a minimal plain-JavaScript
//! reader in a worker: fetch, getReader, performance.now() at each read,
//! nothing else) on the same streams. Streams of 50 tokens/s from the
//! testbed: 1 stream, 6 streams, and 24 streams over 4 host names
//! (127.0.0.1 .. 127.0.0.4), with the page idle and with the page busy
//! (30 ms long tasks every 50 ms). Prints |browser gap - server gap| at p50,
//! p90, p99 and max per configuration, and checks the targets: app p99
//! within 1.25x of the floor's, app p50 within 0.1 ms of the floor's.
//!
//! Run: `scripts/bench` (or `cargo bench -p etalon-e2e --bench fidelity`
//! after `scripts/build-app` and building etalon-cli).

use etalon_e2e::{OpenApp, Testbed};
use serde_json::{json, Value};

const RATE: u32 = 50;
const TOKENS: u32 = 300;
/// Floor and app take turns this many times per configuration, and each
/// pools its turns: the machine's state drifts over a minute, and a p99
/// over a few hundred gaps is decided by a handful of them.
const ROUNDS: usize = 2;

/// Where the harness serves the floor reader (a same-origin script: the
/// page's CSP allows workers from 'self' only).
const FLOOR_WORKER_PATH: &str = "/bench/floor-worker.js";

/// Plain-JavaScript floor reader, run in a worker of its own.
const FLOOR_WORKER: &str = r#"
onmessage = async (event) => {
  const { urls, body } = event.data;
  const streams = await Promise.all(urls.map(async (url) => {
    const reads = [];
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      const t = performance.now();
      if (done) break;
      reads.push([t, value]);
    }
    const decoder = new TextDecoder();
    const events = [];
    let buffer = "";
    for (const [t, bytes] of reads) {
      buffer += decoder.decode(bytes, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!line.startsWith("data: {")) continue;
        const chunk = JSON.parse(line.slice(6));
        const content = chunk.choices && chunk.choices[0] && chunk.choices[0].delta && chunk.choices[0].delta.content;
        if (content) events.push([t / 1000, chunk.etalon_server_sent_at]);
      }
    }
    return events;
  }));
  postMessage(streams);
};
"#;

fn body() -> String {
    json!({
        "model": format!("steady@rate={RATE}"),
        "messages": [{"role": "user", "content": "Tell me a long story."}],
        "max_tokens": TOKENS, "stream": true, "stream_options": {"include_usage": true},
    })
    .to_string()
}

/// |browser gap - server gap| of every pair of consecutive tokens.
fn gap_errors(streams: &[Vec<(f64, f64)>]) -> Vec<f64> {
    let mut errors: Vec<f64> = streams
        .iter()
        .flat_map(|events| {
            events
                .windows(2)
                .map(|w| ((w[1].0 - w[0].0) - (w[1].1 - w[0].1)).abs())
        })
        .collect();
    errors.sort_by(f64::total_cmp);
    errors
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

async fn app_streams(app: &OpenApp, urls: &[String]) -> Vec<Vec<(f64, f64)>> {
    let requests: Vec<Value> = urls
        .iter()
        .enumerate()
        .map(|(id, url)| json!({"id": id, "at": 0.0, "body": body(), "url": url}))
        .collect();
    let order = json!({"run_id": 1, "endpoint": {"url": urls[0], "headers": []},
                       "requests": requests, "timeout_seconds": 60.0});
    let recording = app.run(&order).await;
    recording["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| {
            assert!(
                record["error"].is_null(),
                "a benchmark stream failed: {record}"
            );
            record["chunks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["at"].as_f64().unwrap(),
                        c["server_sent_at"].as_f64().unwrap(),
                    )
                })
                .collect()
        })
        .collect()
}

async fn floor_streams(app: &OpenApp, urls: &[String]) -> Vec<Vec<(f64, f64)>> {
    let script = r#"
        const [path, urls, body] = arguments;
        const worker = new Worker(path);
        return new Promise((resolve) => {
          worker.onmessage = (e) => { worker.terminate(); resolve(e.data); };
          worker.onerror = (e) => { worker.terminate(); resolve({ failed: String(e.message || e) }); };
          worker.postMessage({ urls, body });
        });
    "#;
    let result = app
        .browser
        .client
        .execute(
            script,
            vec![json!(FLOOR_WORKER_PATH), json!(urls), json!(body())],
        )
        .await
        .expect("the floor reader ran");
    assert!(
        result.get("failed").is_none(),
        "the floor reader failed: {result}"
    );
    serde_json::from_value(result).expect("floor events are [time, server time] pairs")
}

async fn set_busy(app: &OpenApp, busy: bool) {
    let script = if busy {
        "window.__busy = setInterval(() => { const t = performance.now(); while (performance.now() - t < 30) {} }, 50); return true;"
    } else {
        "clearInterval(window.__busy); return true;"
    };
    app.browser.client.execute(script, vec![]).await.unwrap();
}

#[tokio::main]
async fn main() {
    let hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"];
    let mut testbeds = Vec::new();
    for host in hosts {
        testbeds.push(Testbed::start_on(&format!("{host}:0"), &[]).await);
    }
    let app = OpenApp::open_with(&[(FLOOR_WORKER_PATH, FLOOR_WORKER)]).await;
    let url = |i: usize| {
        format!(
            "{}/v1/chat/completions",
            testbeds[i % testbeds.len()].base_url
        )
    };
    let configurations: [(&str, Vec<String>); 3] = [
        ("1 stream", vec![url(0)]),
        ("6 streams", (0..6).map(|_| url(0)).collect()),
        ("24 streams, 4 hosts", (0..24).map(url).collect()),
    ];
    println!(
        "fidelity: |browser gap - server gap| in ms, {RATE} tokens/s, {TOKENS} tokens per stream, \
         floor and app taking {ROUNDS} turns each"
    );
    println!(
        "{:<22} {:<6} {:<6} {:>8} {:>8} {:>8} {:>8}  targets",
        "streams", "page", "reader", "p50", "p90", "p99", "max"
    );
    let mut all_met = true;
    for busy in [false, true] {
        for (name, urls) in &configurations {
            set_busy(&app, busy).await;
            let (mut floor_streams_seen, mut app_streams_seen) = (Vec::new(), Vec::new());
            for _ in 0..ROUNDS {
                floor_streams_seen.extend(floor_streams(&app, urls).await);
                app_streams_seen.extend(app_streams(&app, urls).await);
            }
            let floor = gap_errors(&floor_streams_seen);
            let ours = gap_errors(&app_streams_seen);
            set_busy(&app, false).await;
            let page = if busy { "busy" } else { "idle" };
            for (reader, errors) in [("floor", &floor), ("app", &ours)] {
                let verdict = if reader == "app" {
                    let p99_ok = percentile(&ours, 0.99) <= 1.25 * percentile(&floor, 0.99);
                    let p50_ok = percentile(&ours, 0.5) <= percentile(&floor, 0.5) + 1e-4;
                    all_met &= p99_ok && p50_ok;
                    format!(
                        "p99 {} 1.25x floor, p50 {} floor+0.1ms",
                        if p99_ok { "<=" } else { "OVER" },
                        if p50_ok { "<=" } else { "OVER" }
                    )
                } else {
                    String::new()
                };
                println!(
                    "{:<22} {:<6} {:<6} {:>8.3} {:>8.3} {:>8.3} {:>8.3}  {}",
                    name,
                    page,
                    reader,
                    1e3 * percentile(errors, 0.5),
                    1e3 * percentile(errors, 0.9),
                    1e3 * percentile(errors, 0.99),
                    1e3 * errors.last().copied().unwrap_or(f64::NAN),
                    verdict
                );
            }
        }
    }
    println!(
        "fidelity: targets {}",
        if all_met { "met" } else { "NOT met" }
    );
    app.browser.close().await;
}
