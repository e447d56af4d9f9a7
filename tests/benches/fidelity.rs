//! Fidelity benchmark: how closely the app's measurement worker sees the
//! gaps the server made, next to the browser's floor: a minimal
//! plain-JavaScript reader in a worker of its own (fetch, getReader,
//! performance.now() at each read, nothing else) on the same streams.
//! Streams of 50 tokens/s from the testbed: 1 stream, 6 streams, and 24
//! streams over 4 host names (127.0.0.1 .. 127.0.0.4), with the page idle
//! and busy (30 ms long tasks every 50 ms). The two readers take turns of
//! 4 s, [`TURNS`] each per configuration, which one goes first alternating.
//! Prints |browser gap - server gap| at p50, p90, p99 and max per reader and
//! configuration, and checks the targets: the app's p99 within 1.25x of the
//! floor's (with the 90% interval of that ratio over resampled pairs of
//! turns), its p50 within 0.1 ms of the floor's. On Linux it also prints
//! each reader's CPU time per read and its time waiting for a core, from
//! `/proc`.
//!
//! Run: `scripts/bench`, or `cargo bench -p etalon-e2e --bench fidelity`
//! after `scripts/build-app` and `cargo build -p etalon-cli` (about 8
//! minutes per configuration, six configurations).
//!
//! Switches (environment variables):
//! - `FIDELITY_TURNS=<n>`: n turns per reader instead of [`TURNS`], for a
//!   quicker, rougher look.
//! - `FIDELITY_ONLY=<text>`: only the configurations whose label (such as
//!   "1 stream idle") contains the text.
//! - `FIDELITY_AA=1`: a second floor reader in the app's place, to see what
//!   chance alone makes of the comparison. `FIDELITY_AA=wasm`: that second
//!   floor reader in a worker that has also loaded the app's measurement
//!   worker, to tell what hosting the app costs from what it does in a run.
//! - `FIDELITY_WORST=<n>`: also prints each reader's n largest errors with
//!   where they fell, and how many errors exceed 0.5, 1 and 2 ms.
//! - `FIDELITY_DUMP=<dir>`: writes every read's (browser time, server time),
//!   per turn, stream and reader, to `<dir>/<label>.json`.
//! - `FIDELITY_GC=1`, with `ETALON_CHROME_ARGS=--js-flags=--expose-gc`:
//!   collects the page's and the floor worker's garbage between turns (the
//!   app's worker has no such hook): a diagnostic, not a fair verdict.
//! - `ETALON_CHROME_ARGS`: Chromium switches of your own, such as
//!   `--trace-startup=... --trace-startup-file=/tmp/trace.json` to record a
//!   trace of what each thread does (tracing slows every task down).
//!
//! Results and history: docs/BENCHMARKS.md.

use etalon_e2e::{OpenApp, Testbed};
use serde_json::{json, Value};

const RATE: u32 = 50;
/// Tokens per stream and turn: 4 s at [`RATE`].
const TURN_TOKENS: u32 = 200;
/// Turns per reader at every configuration, whatever its number of streams.
/// A p99 is decided by the stalls behind its largest 1%, and a stall (a
/// collection in the reader's worker, a network thread waiting for a core)
/// delays a read of every stream running at that moment: the stalls a p99
/// rests on grow with turns, not with streams.
const TURNS: u32 = 61;

/// Turns per reader and configuration: [`TURNS`], or `FIDELITY_TURNS` for a
/// quicker, rougher look.
fn turns() -> u32 {
    match std::env::var("FIDELITY_TURNS") {
        Ok(turns) => match turns.parse::<u32>() {
            Ok(turns) if turns >= 2 => turns,
            _ => panic!("FIDELITY_TURNS: {turns:?} is not a number of turns (2 or more)"),
        },
        Err(_) => TURNS,
    }
}

/// The first and the last second of a stream, counted apart in the
/// `FIDELITY_WORST` diagnostics: a stream's start (connection, first reads)
/// is where a cold reader would show, its end where records are finished.
const EARLY_SECONDS: f64 = 1.0;

/// Where the harness serves the floor reader (a same-origin script: the
/// page's CSP allows workers from 'self' only).
const FLOOR_WORKER_PATH: &str = "/bench/floor-worker.js";

/// Plain-JavaScript floor reader, run in a worker of its own. It only
/// stamps reads while streams run; it decodes them once every stream of the
/// turn has ended, so that decoding one stream delays no read of another.
const FLOOR_WORKER: &str = r#"
addEventListener("message", async (event) => {
  if (typeof event.data === "string") return;
  const { urls, body, collect } = event.data;
  self.__collect = collect;
  const allReads = await Promise.all(urls.map(async (url) => {
    const reads = [];
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      const t = performance.now();
      if (done) break;
      reads.push([t, value]);
    }
    return reads;
  }));
  const streams = allReads.map((reads) => {
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
  });
  // Started with --js-flags=--expose-gc (FIDELITY_GC): collect this
  // turn's reads now, not during the other reader's turn.
  allReads.length = 0;
  if (self.__collect && typeof gc === "function") gc();
  postMessage(streams);
});
"#;

/// Where the harness serves the floor reader hosted by a worker that has
/// also loaded the app's measurement worker (its wasm, warm-up, message
/// handler): `FIDELITY_AA=wasm` puts it in the app's place, to tell what
/// the app's worker does during a run from what merely hosting it costs.
const HOSTED_FLOOR_PATH: &str = "/bench/hosted-floor-worker.js";

fn body(tokens: u32) -> String {
    json!({
        "model": format!("steady@rate={RATE}"),
        "messages": [{"role": "user", "content": "Tell me a long story."}],
        "max_tokens": tokens, "stream": true, "stream_options": {"include_usage": true},
    })
    .to_string()
}

/// What the CPUs have done so far, from Linux's `/proc`.
///
/// - `machine_ticks` and `stolen_ticks`: the whole machine's busy time, and
///   the time the hypervisor ran something else while this machine's
///   vCPUs wanted to run (clock ticks, USER_HZ: 100 a second on every Linux
///   ABI).
/// - `worker`: Chromium's worker threads ("DedicatedWorker", in renderer
///   processes). During one reader's turn the other readers' workers sit
///   idle, so the workers' time in a turn is that reader's: reading,
///   stamping, parsing, and (the floor) decoding at the turn's end.
/// - `delivery`: the threads a read passes through before the worker: the
///   testbed's (etalon-cli), the network service's and the renderer's IO
///   thread ("Chrome_ChildIOT").
///
/// Threads' figures are the scheduler's own (`schedstat`, nanoseconds):
/// time on a core, and time spent runnable waiting for one, which is the
/// delay a busy machine adds to a read.
#[derive(Clone, Copy, Default)]
struct CpuUse {
    machine_ticks: u64,
    stolen_ticks: u64,
    worker: ThreadTime,
    delivery: ThreadTime,
}

/// Nanoseconds on a core, and runnable but waiting for one.
#[derive(Clone, Copy, Default)]
struct ThreadTime {
    running: u64,
    waiting: u64,
}

impl ThreadTime {
    fn add(&mut self, other: ThreadTime) {
        self.running += other.running;
        self.waiting += other.waiting;
    }

    fn since(self, before: ThreadTime) -> ThreadTime {
        ThreadTime {
            running: self.running.saturating_sub(before.running),
            waiting: self.waiting.saturating_sub(before.waiting),
        }
    }
}

const TICKS_PER_SECOND: f64 = 100.0;

impl CpuUse {
    /// Now, or `None` where `/proc` does not tell.
    fn now() -> Option<CpuUse> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let times: Vec<u64> = stat
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .take(8)
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        // user nice system idle iowait irq softirq steal: busy is all but
        // idle, iowait and steal.
        let stolen_ticks = *times.get(7)?;
        let machine_ticks =
            times.iter().sum::<u64>() - times.get(3)? - times.get(4)? - stolen_ticks;
        let mut cpu = CpuUse {
            machine_ticks,
            stolen_ticks,
            ..CpuUse::default()
        };
        for process in std::fs::read_dir("/proc").ok()?.flatten() {
            let cmdline = std::fs::read(process.path().join("cmdline")).unwrap_or_default();
            let has = |text: &[u8]| cmdline.windows(text.len()).any(|w| w == text);
            let (renderer, network, testbed) = (
                has(b"--type=renderer"),
                has(b"network.mojom.NetworkService"),
                has(b"etalon-cli"),
            );
            if !(renderer || network || testbed) {
                continue;
            }
            let Ok(threads) = std::fs::read_dir(process.path().join("task")) else {
                continue;
            };
            for thread in threads.flatten() {
                let path = thread.path();
                let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
                let name = name.trim_end();
                let Ok(schedstat) = std::fs::read_to_string(path.join("schedstat")) else {
                    continue;
                };
                let mut fields = schedstat.split_whitespace().map(|f| f.parse().unwrap_or(0));
                let time = ThreadTime {
                    running: fields.next().unwrap_or(0),
                    waiting: fields.next().unwrap_or(0),
                };
                if renderer && name == "DedicatedWorker" {
                    cpu.worker.add(time);
                } else if testbed || network || (renderer && name == "Chrome_ChildIOT") {
                    cpu.delivery.add(time);
                }
            }
        }
        Some(cpu)
    }
}

/// One reader's CPU over its turns.
#[derive(Default)]
struct ReaderCpu {
    machine_ticks: u64,
    stolen_ticks: u64,
    worker: ThreadTime,
    delivery: ThreadTime,
    seconds: f64,
    reads: usize,
}

impl ReaderCpu {
    /// Run `turn`, adding its CPU, wall time and reads.
    async fn measure<F>(&mut self, turn: F) -> Vec<Vec<(f64, f64)>>
    where
        F: std::future::Future<Output = Vec<Vec<(f64, f64)>>>,
    {
        let (before, start) = (CpuUse::now(), std::time::Instant::now());
        let streams = turn.await;
        if let (Some(before), Some(after)) = (before, CpuUse::now()) {
            self.machine_ticks += after.machine_ticks.saturating_sub(before.machine_ticks);
            self.stolen_ticks += after.stolen_ticks.saturating_sub(before.stolen_ticks);
            self.worker.add(after.worker.since(before.worker));
            self.delivery.add(after.delivery.since(before.delivery));
        }
        self.seconds += start.elapsed().as_secs_f64();
        self.reads += streams.iter().map(Vec::len).sum::<usize>();
        streams
    }

    /// Microseconds per read of `nanoseconds`.
    fn per_read(&self, nanoseconds: u64) -> f64 {
        nanoseconds as f64 / 1e3 / self.reads.max(1) as f64
    }

    /// Cores busy on average over the turns, of `ticks`.
    fn cores(&self, ticks: u64) -> f64 {
        ticks as f64 / TICKS_PER_SECOND / self.seconds.max(1e-9)
    }
}

/// The CPU lines of a configuration: `floor` against `app` (named `second`).
fn cpu_report(floor: &ReaderCpu, app: &ReaderCpu, second: &str) -> String {
    let line = |what: &str, unit: &str, f: &dyn Fn(&ReaderCpu) -> f64| {
        let (a, b) = (f(floor), f(app));
        format!(
            "  cpu, {what}: floor {a:.2}{unit}, {second} {b:.2}{unit} ({:.2}x)",
            b / a
        )
    };
    [
        line("worker on a core", " us/read", &|r| {
            r.per_read(r.worker.running)
        }),
        line("worker waiting for a core", " us/read", &|r| {
            r.per_read(r.worker.waiting)
        }),
        line("delivery threads on a core", " us/read", &|r| {
            r.per_read(r.delivery.running)
        }),
        line("delivery threads waiting for a core", " us/read", &|r| {
            r.per_read(r.delivery.waiting)
        }),
        line("machine busy", " cores", &|r| r.cores(r.machine_ticks)),
        line("stolen by the host", " cores", &|r| r.cores(r.stolen_ticks)),
    ]
    .join("\n")
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

/// One gap's error and where it fell: stream, gap index, seconds into the
/// stream and seconds before its end.
type PlacedError = (f64, usize, usize, f64, f64);

/// The `n` largest errors, largest first: where a reader's tail comes from.
fn worst_gaps(streams: &[Vec<(f64, f64)>], n: usize) -> Vec<PlacedError> {
    let mut all: Vec<PlacedError> = streams
        .iter()
        .enumerate()
        .flat_map(|(s, events)| {
            let start = events.first().map_or(0.0, |e| e.0);
            let end = events.last().map_or(0.0, |e| e.0);
            events.windows(2).enumerate().map(move |(i, w)| {
                let error = ((w[1].0 - w[0].0) - (w[1].1 - w[0].1)).abs();
                (error, s, i, w[1].0 - start, end - w[1].0)
            })
        })
        .collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    all.truncate(n);
    all
}

/// The 5th and 95th percentiles of the app/floor p99 ratio over resamples
/// of pairs of turns (a floor turn and the app turn after it, drawn with
/// replacement and pooled as the benchmark pools them): how much of a ratio
/// the machine's changing state could make or hide.
fn p99_ratio_interval(
    floor_turns: &[Vec<Vec<(f64, f64)>>],
    app_turns: &[Vec<Vec<(f64, f64)>>],
) -> (f64, f64) {
    const RESAMPLES: usize = 1000;
    let errors_of = |turns: &[Vec<Vec<(f64, f64)>>]| -> Vec<Vec<f64>> {
        turns.iter().map(|streams| gap_errors(streams)).collect()
    };
    let (floor, app) = (errors_of(floor_turns), errors_of(app_turns));
    let turns = floor.len().min(app.len());
    // splitmix64: a fixed seed, so a run's interval can be reproduced.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % turns as u64) as usize
    };
    let (mut floor_pool, mut app_pool) = (Vec::new(), Vec::new());
    let mut ratios: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            floor_pool.clear();
            app_pool.clear();
            for _ in 0..turns {
                let turn = next();
                floor_pool.extend_from_slice(&floor[turn]);
                app_pool.extend_from_slice(&app[turn]);
            }
            unsorted_percentile(&mut app_pool, 0.99) / unsorted_percentile(&mut floor_pool, 0.99)
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    (percentile(&ratios, 0.05), percentile(&ratios, 0.95))
}

/// [`percentile`] of values in any order (it reorders them).
fn unsorted_percentile(values: &mut [f64], q: f64) -> f64 {
    let h = (values.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let (_, &mut low, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let high = above.iter().copied().min_by(f64::total_cmp).unwrap_or(low);
    low + (h - lo as f64) * (high - low)
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

async fn floor_streams(
    app: &OpenApp,
    path: &str,
    slot: u32,
    urls: &[String],
    tokens: u32,
) -> Vec<Vec<(f64, f64)>> {
    // One worker per floor reader for the whole benchmark, as the app keeps
    // one measurement worker: a fresh worker each turn would start every
    // turn cold (its code not yet optimized), which handicaps the floor.
    let script = r#"
        const [path, slot, urls, body] = arguments;
        window.__floorWorkers = window.__floorWorkers || {};
        const worker = window.__floorWorkers[slot] || (window.__floorWorkers[slot] = new Worker(path));
        return new Promise((resolve) => {
          // A string is the hosted app worker's own message ("ready").
          worker.onmessage = (e) => { if (typeof e.data !== "string") resolve(e.data); };
          worker.onerror = (e) => resolve({ failed: String(e.message || e) });
          worker.postMessage({ urls, body, collect: !!window.__collect });
        });
    "#;
    let result = app
        .browser
        .client
        .execute(
            script,
            vec![json!(path), json!(slot), json!(urls), json!(body(tokens))],
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
    // Read first: a bad value stops the run before it starts.
    let turns = turns();
    let hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"];
    let mut testbeds = Vec::new();
    for host in hosts {
        testbeds.push(Testbed::start_on(&format!("{host}:0"), &[]).await);
    }
    let hosted_floor: &'static str = Box::leak(
        format!(
            "importScripts('/stamp.js', '/measure_worker.js');\n\
             wasm_bindgen('/measure_worker_bg.wasm');\n{FLOOR_WORKER}"
        )
        .into_boxed_str(),
    );
    let app = OpenApp::open_with(&[
        (FLOOR_WORKER_PATH, FLOOR_WORKER),
        (HOSTED_FLOOR_PATH, hosted_floor),
    ])
    .await;
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
    // An A/A run: a second floor reader stands in for the app, so the
    // figures show how far two identical readers differ by chance alone.
    let same_readers = std::env::var_os("FIDELITY_AA").is_some();
    let hosted = std::env::var("FIDELITY_AA").is_ok_and(|aa| aa == "wasm");
    // With Chromium started with `--js-flags=--expose-gc` (through
    // ETALON_CHROME_ARGS): collect the page's and the floor's garbage
    // between turns, so that neither lands in the other reader's turn.
    let collect = std::env::var_os("FIDELITY_GC").is_some();
    let second = if same_readers { "floor2" } else { "app" };
    let worst: usize = std::env::var("FIDELITY_WORST")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    // Made now, so that a bad directory stops the run before it starts
    // rather than after half an hour of measuring.
    let dump_dir = std::env::var_os("FIDELITY_DUMP").map(std::path::PathBuf::from);
    if let Some(dir) = &dump_dir {
        if let Err(e) = std::fs::create_dir_all(dir) {
            panic!("FIDELITY_DUMP: cannot make {}: {e}", dir.display());
        }
    }
    println!(
        "fidelity: |browser gap - server gap| in ms, {RATE} tokens/s, turns of {TURN_TOKENS} \
         tokens per stream, floor and {second} taking {turns} turns each{}",
        if turns == TURNS {
            String::new()
        } else {
            format!(" (FIDELITY_TURNS; the verdict's figures take {TURNS})")
        }
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
            let tokens = TURN_TOKENS;
            set_busy(&app, busy).await;
            let (mut floor_streams_seen, mut app_streams_seen) = (Vec::new(), Vec::new());
            // Each turn's streams, for the diagnostics.
            let (mut floor_turns, mut app_turns) = (Vec::new(), Vec::new());
            let (mut floor_cpu, mut app_cpu) = (ReaderCpu::default(), ReaderCpu::default());
            for turn in 0..turns {
                if collect {
                    // The page's garbage of the last turn (results, the
                    // recording's JSON), collected before the next.
                    app.browser
                        .client
                        .execute(
                            "window.__collect = true; if (typeof gc === 'function') gc(); return true;",
                            vec![],
                        )
                        .await
                        .unwrap();
                }
                let second_reading = async {
                    if same_readers {
                        let path = if hosted {
                            HOSTED_FLOOR_PATH
                        } else {
                            FLOOR_WORKER_PATH
                        };
                        floor_streams(&app, path, 1, urls, tokens).await
                    } else {
                        app_streams(&app, urls, tokens).await
                    }
                };
                // Which reader goes first alternates from turn to turn, so
                // that neither always follows the other's end of turn.
                let floor_reading = floor_streams(&app, FLOOR_WORKER_PATH, 0, urls, tokens);
                let (floor_turn, app_turn) = if turn % 2 == 0 {
                    let floor_turn = floor_cpu.measure(floor_reading).await;
                    (floor_turn, app_cpu.measure(second_reading).await)
                } else {
                    let app_turn = app_cpu.measure(second_reading).await;
                    (floor_cpu.measure(floor_reading).await, app_turn)
                };
                floor_streams_seen.extend(floor_turn.iter().cloned());
                app_streams_seen.extend(app_turn.iter().cloned());
                floor_turns.push(floor_turn);
                app_turns.push(app_turn);
            }
            if let Some(dir) = &dump_dir {
                // Every turn's (browser time, server time) pairs, for study.
                let dump = json!({"label": label, "floor": floor_turns, "app": app_turns});
                let path = dir.join(format!("{label}.json"));
                if let Err(e) = std::fs::write(&path, dump.to_string()) {
                    panic!("FIDELITY_DUMP: cannot write {}: {e}", path.display());
                }
            }
            let floor = gap_errors(&floor_streams_seen);
            let ours = gap_errors(&app_streams_seen);
            // The resampled interval's percentile must be the verdict's.
            assert_eq!(
                unsorted_percentile(&mut ours.clone(), 0.99),
                percentile(&ours, 0.99)
            );
            set_busy(&app, false).await;
            for (reader, errors) in [("floor", &floor), (second, &ours)] {
                let verdict = if reader == second {
                    let ratio = percentile(&ours, 0.99) / percentile(&floor, 0.99);
                    let p99_ok = ratio <= 1.25;
                    let p50_ok = percentile(&ours, 0.5) <= percentile(&floor, 0.5) + 1e-4;
                    all_met &= p99_ok && p50_ok;
                    let (low, high) = p99_ratio_interval(&floor_turns, &app_turns);
                    format!(
                        "p99 {ratio:.2}x floor {} 1.25x (90% of resamples {low:.2}-{high:.2}), \
                         p50 {} floor+0.1ms",
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
            if CpuUse::now().is_some() {
                println!("{}", cpu_report(&floor_cpu, &app_cpu, second));
            }
            if worst > 0 {
                for (reader, streams) in
                    [("floor", &floor_streams_seen), (second, &app_streams_seen)]
                {
                    let list: Vec<String> = worst_gaps(streams, worst)
                        .iter()
                        .map(|(e, s, i, t, _)| format!("{:.2}ms@s{s}#{i}({t:.1}s)", 1e3 * e))
                        .collect();
                    println!("  worst {reader}: {}", list.join(" "));
                }
                // A p99 of a few thousand gaps sits where errors are sparse:
                // how many pass each bound, and how many of those fall in a
                // stream's first seconds, say more than the p99 alone.
                for (reader, streams) in
                    [("floor", &floor_streams_seen), (second, &app_streams_seen)]
                {
                    let all = worst_gaps(streams, usize::MAX);
                    let counts: Vec<String> = [0.5e-3, 1e-3, 2e-3]
                        .iter()
                        .map(|&bound| {
                            let over: Vec<_> = all.iter().filter(|g| g.0 > bound).collect();
                            let early = over.iter().filter(|g| g.3 < EARLY_SECONDS).count();
                            let late = over.iter().filter(|g| g.4 < EARLY_SECONDS).count();
                            format!(
                                "{}ms: {} ({early} early, {late} late)",
                                1e3 * bound,
                                over.len()
                            )
                        })
                        .collect();
                    println!("  errors over {reader}: {}", counts.join(", "));
                }
                // Where before a stream's end its errors over 1 ms fall:
                // the end of one stream is work for its reader while the
                // other streams of the turn still run.
                for (reader, streams) in
                    [("floor", &floor_streams_seen), (second, &app_streams_seen)]
                {
                    let bounds = [0.0, 0.02, 0.1, 0.5, EARLY_SECONDS];
                    let counts: Vec<String> = bounds
                        .windows(2)
                        .map(|b| {
                            let n = worst_gaps(streams, usize::MAX)
                                .iter()
                                .filter(|g| g.0 > 1e-3 && g.4 >= b[0] && g.4 < b[1])
                                .count();
                            format!("{}-{} ms: {n}", 1e3 * b[0], 1e3 * b[1])
                        })
                        .collect();
                    println!(
                        "  errors over 1 ms by time before the stream's end, {reader}: {}",
                        counts.join(", ")
                    );
                }
                // Errors over 0.5 ms per turn, in a stream's first second
                // and after: whether a reader's errors come with each
                // turn's start or with the machine's state at the time.
                for (reader, turns) in [("floor", &floor_turns), (second, &app_turns)] {
                    let per_turn: Vec<String> = turns
                        .iter()
                        .map(|streams| {
                            let over: Vec<_> = worst_gaps(streams, usize::MAX)
                                .into_iter()
                                .filter(|g| g.0 > 0.5e-3)
                                .collect();
                            let early = over.iter().filter(|g| g.3 < EARLY_SECONDS).count();
                            format!("{early}/{}", over.len() - early)
                        })
                        .collect();
                    println!(
                        "  over 0.5ms per turn, <{EARLY_SECONDS}s/later, {reader}: {}",
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
