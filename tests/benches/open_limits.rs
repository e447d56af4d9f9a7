//! Opening the largest links and files the page accepts (issue 19's target:
//! any of them opens within 2 s and 512 MB of tab memory). Each case is
//! opened in a fresh headless Chromium, as a user would (a link in the
//! address bar, a file through Import); the bench prints, per case, the
//! time until the results' headline or a problem sentence is on screen,
//! the tab's memory then (its wasm memory, which never shrinks, so the
//! peak, plus the JavaScript heap), the longest task, and what the page
//! said.
//!
//! Run: `cargo bench -p etalon-e2e --bench open_limits` after
//! `scripts/build-app`. `ETALON_OPEN_CASES` picks cases by a part of their
//! name (comma-separated); `ETALON_OPEN_REQUESTS` and `ETALON_OPEN_TOKENS`
//! try other sizes than the bounds (to choose them).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use etalon_core::limits::{MAX_IMPORT_BYTES, MAX_REQUESTS, MAX_TOKENS, MAX_TOKENS_PER_CHUNK};
use etalon_core::present::report::recording_json;
use etalon_core::recording::synthetic::SyntheticRun;
use etalon_core::recording::{Chunk, Recording, RequestRecord, RECORDING_VERSION};
use etalon_core::share::{etalon_json, result_link};
use etalon_e2e::{serve_app, Browser};

/// How a case reaches the page.
enum Opening {
    Link(String),
    File(PathBuf),
}

struct Case {
    name: String,
    opening: Opening,
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn recording_of(requests: Vec<RequestRecord>) -> Recording {
    Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 1.7e12,
        config: serde_json::json!({ "model": "limits" }),
        environment: Default::default(),
        requests,
    }
}

/// `MAX_TOKENS` tokens in the fewest chunks: requests of one chunk of the
/// most tokens a chunk may carry, the cheapest way to claim the most tokens.
fn fewest_chunks_most_tokens() -> Recording {
    let requests = setting("ETALON_OPEN_TOKENS", MAX_TOKENS) / u64::from(MAX_TOKENS_PER_CHUNK);
    let record = |id| RequestRecord {
        id,
        chunks: vec![Chunk::visible(0.1 + id as f64 * 1e-3, MAX_TOKENS_PER_CHUNK)].into(),
        ended_at: Some(1.0),
        ..Default::default()
    };
    recording_of((0..requests).map(record).collect())
}

/// The most requests of one token each that fit in the largest file.
fn most_requests() -> Recording {
    let one = |id| RequestRecord {
        id,
        chunks: vec![Chunk::visible(0.25, 1)].into(),
        ended_at: Some(0.25),
        ..Default::default()
    };
    let per_request = recording_json(&recording_of(vec![one(999_999)])).len()
        - recording_json(&recording_of(vec![])).len();
    let most = setting("ETALON_OPEN_REQUESTS", MAX_REQUESTS as u64) as usize;
    let fit = (MAX_IMPORT_BYTES * 9 / 10 / per_request).min(most);
    recording_of((0..fit as u64).map(one).collect())
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn cases(dir: &std::path::Path) -> Vec<Case> {
    let claimed = fewest_chunks_most_tokens();
    let big_run = SyntheticRun {
        seed: 7,
        requests: 10_000,
        tokens_per_request: 1_000,
        stall_probability: 0.01,
    }
    .recording();
    let many = most_requests();
    let deadlines = Default::default();
    let mut cases = vec![Case {
        name: format!(
            "link: {} requests of one chunk of {MAX_TOKENS_PER_CHUNK} tokens",
            claimed.requests.len()
        ),
        opening: Opening::Link(result_link(&claimed, None, &[]).unwrap()),
    }];
    cases.push(Case {
        name: "file: recording, the same tokens in the same chunks".into(),
        opening: Opening::File(write(dir, "claimed.json", &recording_json(&claimed))),
    });
    let text = recording_json(&big_run);
    cases.push(Case {
        name: format!(
            "file: recording, 10,000 x 1,000 tokens ({} MB)",
            text.len() / 1_000_000
        ),
        opening: Opening::File(write(dir, "big_run.json", &text)),
    });
    let text = etalon_json(&big_run, &deadlines);
    cases.push(Case {
        name: format!(
            "file: Etalon's, 10,000 x 1,000 tokens ({} MB)",
            text.len() / 1_000_000
        ),
        opening: Opening::File(write(dir, "big_run_etalon.json", &text)),
    });
    let text = recording_json(&many);
    cases.push(Case {
        name: format!(
            "file: recording, {} requests of 1 token ({} MB)",
            many.requests.len(),
            text.len() / 1_000_000
        ),
        opening: Opening::File(write(dir, "many.json", &text)),
    });
    let text = etalon_json(&many, &deadlines);
    cases.push(Case {
        name: format!(
            "file: Etalon's, {} requests of 1 token ({} MB)",
            many.requests.len(),
            text.len() / 1_000_000
        ),
        opening: Opening::File(write(dir, "many_etalon.json", &text)),
    });
    cases
}

/// The tab's memory in MB: wasm memory (the peak) plus the JavaScript heap.
async fn tab_memory_mb(browser: &Browser) -> f64 {
    let bytes = browser
        .eval("window.etalonWasmBytes() + performance.memory.usedJSHeapSize")
        .await;
    bytes.as_f64().unwrap_or(f64::NAN) / 1e6
}

/// What a link made the page show: results, a problem, or nothing yet.
const SHOWN: &str = "(() => { \
    if (document.querySelector('[data-testid=headline-fluid-rate]')) return 'results'; \
    const alert = document.querySelector('[role=alert]'); \
    return alert ? 'problem: ' + alert.textContent : null; })()";

/// What an import made the page show: results under a caption other than
/// the small run's (kept in `window.__before`), or the import's problem.
const IMPORTED: &str = "(() => { \
    const problem = document.querySelector('[data-testid=import-file-problem]'); \
    if (problem) return 'problem: ' + problem.textContent; \
    const caption = document.querySelector('[data-testid=results-caption]'); \
    const changed = caption && caption.textContent !== window.__before; \
    return changed && document.querySelector('[data-testid=headline-fluid-rate]') ? 'results' : null; })()";

/// A small run's result link: the import is offered beside a run's results.
fn small_run_link() -> String {
    let run = SyntheticRun {
        seed: 1,
        requests: 3,
        tokens_per_request: 10,
        stall_probability: 0.0,
    };
    result_link(&run.recording(), None, &[]).unwrap()
}

async fn open(url: &str, case: &Case) -> (f64, f64, f64, String) {
    let browser = Browser::start().await;
    browser.client.goto(url).await.unwrap();
    browser
        .wait_for(
            "typeof window.etalonWasmBytes === 'function'",
            Duration::from_secs(30),
        )
        .await;
    browser
        .eval(
            "(() => { window.__longTasks = []; new PerformanceObserver(list => { \
               for (const e of list.getEntries()) window.__longTasks.push(e.duration); \
             }).observe({ type: 'longtask' }); return true; })()",
        )
        .await;
    let go_to = |fragment: &str| {
        format!(
            "(() => {{ location.hash = {}; return true; }})()",
            serde_json::to_string(&fragment[1..]).unwrap()
        )
    };
    if let Opening::File(_) = &case.opening {
        browser.eval(&go_to(&small_run_link())).await;
        browser
            .wait_for_testid("import-file", Duration::from_secs(30))
            .await;
        browser
            .eval(
                "(() => { window.__before = document.querySelector('[data-testid=results-caption]')\
                 .textContent; return true; })()",
            )
            .await;
    }
    let started = Instant::now();
    let shown = match &case.opening {
        Opening::Link(fragment) => {
            browser.eval(&go_to(fragment)).await;
            SHOWN
        }
        Opening::File(path) => {
            browser
                .client
                .find(fantoccini::Locator::Css("[data-testid=import-file]"))
                .await
                .unwrap()
                .send_keys(&path.display().to_string())
                .await
                .unwrap();
            IMPORTED
        }
    };
    let mut said = String::new();
    while started.elapsed() < Duration::from_secs(180) {
        if let Some(text) = browser.eval(shown).await.as_str() {
            said = text.to_string();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    if said.is_empty() {
        said = "nothing after 180 s".into();
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let memory = tab_memory_mb(&browser).await;
    let longest = browser
        .eval("Math.max(0, ...window.__longTasks)")
        .await
        .as_f64()
        .unwrap_or(f64::NAN);
    browser.close().await;
    (seconds, memory, longest, said)
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join("etalon-open-limits");
    std::fs::create_dir_all(&dir).unwrap();
    let wanted: Vec<String> = std::env::var("ETALON_OPEN_CASES")
        .map(|v| v.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let server = serve_app().await;
    println!("open_limits: target within 2 s and 512 MB");
    for case in cases(&dir) {
        if !wanted.is_empty() && !wanted.iter().any(|w| case.name.contains(w.as_str())) {
            continue;
        }
        let (seconds, memory, longest, said) = open(&server.url, &case).await;
        let said: String = said.chars().take(160).collect();
        let met = seconds <= 2.0 && memory <= 512.0 && said == "results";
        println!(
            "{:<58} {seconds:>6.2} s {memory:>7.1} MB  longest task {longest:>5.0} ms  {}  {said}",
            case.name,
            if met { "met" } else { "NOT met" }
        );
    }
}
