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

/// `requests` requests of `tokens` one-token chunks, 20 ms apart.
fn one_token_chunks(requests: usize, tokens: usize) -> Recording {
    let one = |id| RequestRecord {
        id,
        chunks: (0..tokens)
            .map(|k| Chunk::visible(0.25 + 0.02 * k as f64, 1))
            .collect::<Vec<_>>()
            .into(),
        ended_at: Some(0.25 + 0.02 * tokens as f64),
        ..Default::default()
    };
    recording_of((0..requests as u64).map(one).collect())
}

/// The most requests a run may hold, each with as many one-token chunks as
/// fill nine tenths of the largest file when written by `write`.
fn fullest_file(write: impl Fn(&Recording) -> String) -> (Recording, String) {
    let requests = setting("ETALON_OPEN_REQUESTS", MAX_REQUESTS as u64) as usize;
    let size = |tokens| write(&one_token_chunks(10, tokens)).len() as f64 / 10.0;
    let per_token = size(101) - size(100);
    let budget = MAX_IMPORT_BYTES as f64 * 0.9 / requests as f64 - size(1);
    let most_tokens = MAX_TOKENS as usize / requests;
    let tokens = ((budget / per_token) as usize).clamp(1, most_tokens);
    let recording = one_token_chunks(requests, tokens);
    let text = write(&recording);
    (recording, text)
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn file_case(
    dir: &std::path::Path,
    what: &str,
    name: &str,
    recording: &Recording,
    text: &str,
) -> Case {
    let tokens: u64 = recording
        .requests
        .iter()
        .map(|r| r.counted_output_tokens())
        .sum();
    Case {
        name: format!(
            "file: {what}, {} requests, {tokens} tokens ({:.1} MB)",
            recording.requests.len(),
            text.len() as f64 / 1e6
        ),
        opening: Opening::File(write(dir, name, text)),
    }
}

fn cases(dir: &std::path::Path) -> Vec<Case> {
    let claimed = fewest_chunks_most_tokens();
    let deadlines = Default::default();
    let mut cases = vec![Case {
        name: format!(
            "link: {} requests of one chunk of {MAX_TOKENS_PER_CHUNK} tokens",
            claimed.requests.len()
        ),
        opening: Opening::Link(result_link(&claimed, None, &[]).unwrap()),
    }];
    cases.push(file_case(
        dir,
        "recording, chunks of a million",
        "claimed.json",
        &claimed,
        &recording_json(&claimed),
    ));
    let (full, text) = fullest_file(recording_json);
    cases.push(file_case(dir, "recording", "full.json", &full, &text));
    let (full, text) = fullest_file(|r| etalon_json(r, &deadlines));
    cases.push(file_case(dir, "Etalon's", "full_etalon.json", &full, &text));
    let requests = setting("ETALON_OPEN_REQUESTS", MAX_REQUESTS as u64) as usize;
    let many = one_token_chunks(requests, 1);
    cases.push(file_case(
        dir,
        "recording",
        "many.json",
        &many,
        &recording_json(&many),
    ));
    let over = one_token_chunks(MAX_REQUESTS + 1, 1);
    cases.push(file_case(
        dir,
        "recording, one request too many",
        "over.json",
        &over,
        &recording_json(&over),
    ));
    cases
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
    browser.watch_long_tasks().await;
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
    let memory = browser.app_memory_mb().await;
    let (_, longest) = browser.long_tasks().await;
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
        let status = match (said == "results", seconds <= 2.0 && memory <= 512.0) {
            (false, _) => "refused",
            (true, true) => "met",
            (true, false) => "NOT met",
        };
        println!(
            "{:<58} {seconds:>6.2} s {memory:>7.1} MB  longest task {longest:>5.0} ms  {}  {said}",
            case.name, status
        );
    }
}
