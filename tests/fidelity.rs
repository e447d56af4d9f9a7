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
//! # Samples
//! Every configuration draws at least [`MIN_GAPS`] gaps per reader: streams
//! are [`TOKENS`] long, or longer when there are few of them (1 stream gets
//! 751 tokens, 15 s at 50 tokens/s, per turn). A p99 is decided by its
//! largest 1% of gaps: with 300 tokens and 2 turns, 1 stream gave about 600
//! gaps per reader, its p99 was the 6th-largest gap, and two runs of the same
//! build could differ by more than the 1.25x the target allows. Both readers
//! still read the same number of streams of the same length, at the same
//! rate, in alternating turns; nothing is trimmed from either.
//!
//! With 3000 gaps and 4 turns each, one build's app/floor p99 ratio on
//! 1 idle stream still ranged from 0.49 to 1.48 over runs, and about 2 in 10
//! runs missed the target by chance: there the p99 falls where only a few
//! dozen errors pass 0.5 ms, and the 2-core test machine switches between
//! fast and slow stretches within seconds, so whichever reader's 15-second
//! turn met a slow stretch lost. Hence [`MIN_GAPS`] of 6000 (the p99 rests
//! on 60 gaps) and [`ROUNDS`] of 10 shorter turns each (12 s on 1 stream),
//! so that both readers sample the same mix of host states.
//!
//! Measuring starts once the app's worker is ready (`window.etalonReady`)
//! and the page has been quiet 2 s, so that neither reader's first turn
//! shares the cores with the app's start-up.
//!
//! Run: `scripts/bench` (or `cargo bench -p etalon-e2e --bench fidelity`
//! after `scripts/build-app` and building etalon-cli).
//! `FIDELITY_ONLY=<text>` runs only the configurations whose label (such as
//! "1 stream idle") contains the text; `FIDELITY_WORST=<n>` also prints each
//! reader's n largest errors with where they fell in their stream, and how
//! many errors of each reader exceed 0.5, 1 and 2 ms, in all and per turn.

use etalon_e2e::{OpenApp, Testbed};
use serde_json::{json, Value};

const RATE: u32 = 50;
/// Tokens per stream, at least.
const TOKENS: u32 = 300;
/// Gaps per reader and configuration, at least: enough for a stable p99
/// (see the module's doc).
const MIN_GAPS: u32 = 6000;
/// Floor and app take turns this many times per configuration, and each
/// pools its turns: the machine's state drifts within seconds, so many short
/// turns let both readers sample the same mix of it (see the module's doc).
const ROUNDS: u32 = 10;

/// Tokens per stream when `streams` streams run at once: [`TOKENS`], or more
/// so that the configuration yields [`MIN_GAPS`] gaps per reader.
fn tokens_per_stream(streams: u32) -> u32 {
    TOKENS.max(MIN_GAPS.div_ceil(streams * ROUNDS) + 1)
}

/// The first seconds of a stream, counted apart in the `FIDELITY_WORST`
/// diagnostics: the floor reader's large errors gather there.
const EARLY_SECONDS: f64 = 4.0;

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

fn body(tokens: u32) -> String {
    json!({
        "model": format!("steady@rate={RATE}"),
        "messages": [{"role": "user", "content": "Tell me a long story."}],
        "max_tokens": tokens, "stream": true, "stream_options": {"include_usage": true},
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

/// The `n` largest errors as (error, stream, gap index, seconds into the
/// stream), largest first: where a reader's tail comes from.
fn worst_gaps(streams: &[Vec<(f64, f64)>], n: usize) -> Vec<(f64, usize, usize, f64)> {
    let mut all: Vec<(f64, usize, usize, f64)> = streams
        .iter()
        .enumerate()
        .flat_map(|(s, events)| {
            let start = events.first().map_or(0.0, |e| e.0);
            events.windows(2).enumerate().map(move |(i, w)| {
                let error = ((w[1].0 - w[0].0) - (w[1].1 - w[0].1)).abs();
                (error, s, i, w[1].0 - start)
            })
        })
        .collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    all.truncate(n);
    all
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

async fn app_streams(app: &OpenApp, urls: &[String], tokens: u32) -> Vec<Vec<(f64, f64)>> {
    let requests: Vec<Value> = urls
        .iter()
        .enumerate()
        .map(|(id, url)| json!({"id": id, "at": 0.0, "body": body(tokens), "url": url}))
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

async fn floor_streams(app: &OpenApp, urls: &[String], tokens: u32) -> Vec<Vec<(f64, f64)>> {
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
            vec![json!(FLOOR_WORKER_PATH), json!(urls), json!(body(tokens))],
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
    // Start measuring once the page has settled: the app's worker has
    // warmed up (`etalonReady`) and its optimizing compiles have had time
    // to end, so neither reader's first turn shares the cores with them.
    for _ in 0..100 {
        let ready = app
            .browser
            .client
            .execute("return window.etalonReady === true;", vec![])
            .await
            .unwrap();
        if ready == json!(true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
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
    let only = std::env::var("FIDELITY_ONLY").ok();
    let worst: usize = std::env::var("FIDELITY_WORST")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    println!(
        "fidelity: |browser gap - server gap| in ms, {RATE} tokens/s, at least {TOKENS} tokens \
         per stream and {MIN_GAPS} gaps per reader, floor and app taking {ROUNDS} turns each"
    );
    println!(
        "{:<22} {:<6} {:<6} {:>6} {:>8} {:>8} {:>8} {:>8}  targets",
        "streams", "page", "reader", "gaps", "p50", "p90", "p99", "max"
    );
    let mut all_met = true;
    for busy in [false, true] {
        let page = if busy { "busy" } else { "idle" };
        for (name, urls) in &configurations {
            let label = format!("{} {page}", name.split(',').next().unwrap_or(name));
            if only
                .as_ref()
                .is_some_and(|only| !label.contains(only.as_str()))
            {
                continue;
            }
            let tokens = tokens_per_stream(urls.len() as u32);
            set_busy(&app, busy).await;
            let (mut floor_streams_seen, mut app_streams_seen) = (Vec::new(), Vec::new());
            // Each turn's streams, for the diagnostics.
            let (mut floor_turns, mut app_turns) = (Vec::new(), Vec::new());
            for _ in 0..ROUNDS {
                let floor_turn = floor_streams(&app, urls, tokens).await;
                let app_turn = app_streams(&app, urls, tokens).await;
                floor_streams_seen.extend(floor_turn.iter().cloned());
                app_streams_seen.extend(app_turn.iter().cloned());
                floor_turns.push(floor_turn);
                app_turns.push(app_turn);
            }
            let floor = gap_errors(&floor_streams_seen);
            let ours = gap_errors(&app_streams_seen);
            set_busy(&app, false).await;
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
                    "{:<22} {:<6} {:<6} {:>6} {:>8.3} {:>8.3} {:>8.3} {:>8.3}  {}",
                    name,
                    page,
                    reader,
                    errors.len(),
                    1e3 * percentile(errors, 0.5),
                    1e3 * percentile(errors, 0.9),
                    1e3 * percentile(errors, 0.99),
                    1e3 * errors.last().copied().unwrap_or(f64::NAN),
                    verdict
                );
            }
            if worst > 0 {
                for (reader, streams) in
                    [("floor", &floor_streams_seen), ("app", &app_streams_seen)]
                {
                    let list: Vec<String> = worst_gaps(streams, worst)
                        .iter()
                        .map(|(e, s, i, t)| format!("{:.2}ms@s{s}#{i}({t:.1}s)", 1e3 * e))
                        .collect();
                    println!("  worst {reader}: {}", list.join(" "));
                }
                // A p99 of a few thousand gaps sits where errors are sparse:
                // how many pass each bound, and how many of those fall in a
                // stream's first seconds, say more than the p99 alone.
                for (reader, streams) in
                    [("floor", &floor_streams_seen), ("app", &app_streams_seen)]
                {
                    let all = worst_gaps(streams, usize::MAX);
                    let counts: Vec<String> = [0.5e-3, 1e-3, 2e-3]
                        .iter()
                        .map(|&bound| {
                            let over: Vec<_> = all.iter().filter(|g| g.0 > bound).collect();
                            let early = over.iter().filter(|g| g.3 < EARLY_SECONDS).count();
                            format!("{}ms: {} ({early} early)", 1e3 * bound, over.len())
                        })
                        .collect();
                    println!("  errors over {reader}: {}", counts.join(", "));
                }
                // Errors over 0.5 ms per turn, in a stream's first second,
                // up to EARLY_SECONDS, and after: whether a reader's early
                // errors come with each turn's start (a fresh worker) or
                // with the host's state at the time.
                for (reader, turns) in [("floor", &floor_turns), ("app", &app_turns)] {
                    let per_turn: Vec<String> = turns
                        .iter()
                        .map(|streams| {
                            let over: Vec<_> = worst_gaps(streams, usize::MAX)
                                .into_iter()
                                .filter(|g| g.0 > 0.5e-3)
                                .collect();
                            let first = over.iter().filter(|g| g.3 < 1.0).count();
                            let early = over.iter().filter(|g| g.3 < EARLY_SECONDS).count();
                            format!("{first}/{}/{}", early - first, over.len() - early)
                        })
                        .collect();
                    println!(
                        "  over 0.5ms per turn, <1s/<{EARLY_SECONDS}s/later, {reader}: {}",
                        per_turn.join(" ")
                    );
                }
            }
        }
    }
    println!(
        "fidelity: targets {}",
        if all_met { "met" } else { "NOT met" }
    );
    app.browser.close().await;
}
