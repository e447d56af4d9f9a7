//! `etalon-cli metrics` on hostile files (issue 19, item 6): it reads at
//! most the page's import limit, with a bounded reader (`/dev/zero` and a
//! sparse file are refused, not read whole), and checks every file with
//! the page's checker before computing a figure, so a chunk claiming
//! `u32::MAX` tokens is refused at once instead of allocating a gap per
//! claimed token.

mod common;
use common::refused;
use etalon_core::limits::{MAX_IMPORT_BYTES, MAX_TOKENS, MAX_TOKENS_PER_REQUEST};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A file of this test process's own, removed when dropped (a test that
/// fails leaves it, to be looked at).
struct TestFile(PathBuf);

impl TestFile {
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TestFile {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("etalon-cli-hostile-{}-{name}", std::process::id()))
}

fn file(name: &str, contents: &str) -> TestFile {
    let path = temp_path(name);
    std::fs::write(&path, contents).unwrap();
    TestFile(path)
}

/// Runs `etalon-cli metrics PATH --json`, and how long it took.
fn metrics(path: &str) -> (Output, Duration) {
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_etalon-cli"))
        .args(["metrics", path, "--json"])
        .output()
        .unwrap();
    (output, start.elapsed())
}

fn too_large() -> String {
    format!(
        "is larger than {} MiB, the most etalon-cli metrics reads.",
        MAX_IMPORT_BYTES >> 20
    )
}

/// A recording of one request with these chunks.
fn recording(requests: Value) -> String {
    json!({
        "version": 1,
        "started_at_unix_ms": 0,
        "config": {},
        "environment": {"user_agent": "x"},
        "requests": requests,
    })
    .to_string()
}

fn request(id: u64, chunks: Value) -> Value {
    json!({"id": id, "scheduled_at": 0, "sent_at": 0, "ended_at": 1, "chunks": chunks})
}

#[test]
fn dev_zero_is_refused_after_the_limit() {
    let path = "/dev/zero";
    if !Path::new(path).exists() {
        return;
    }
    let (output, took) = metrics(path);
    refused(&output, path, &too_large());
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn a_sparse_file_over_the_limit_is_refused_fast() {
    let sparse = TestFile(temp_path("sparse.json"));
    std::fs::File::create(&sparse.0)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let (output, took) = metrics(sparse.path());
    refused(&output, sparse.path(), &too_large());
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn a_file_one_byte_over_the_limit_is_refused_and_one_at_it_is_read() {
    // Valid JSON padded with spaces: at the limit it is read (and refused
    // for what it holds), one byte more and it is too large.
    let body = recording(json!([]));
    let mut at_limit = body.clone();
    at_limit.push_str(&" ".repeat(MAX_IMPORT_BYTES - body.len()));
    let at = file("at-limit.json", &at_limit);
    let (output, _) = metrics(at.path());
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("larger than"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    at_limit.push(' ');
    let over = file("over-limit.json", &at_limit);
    let (output, _) = metrics(over.path());
    refused(&output, over.path(), &too_large());
}

#[test]
fn a_chunk_of_u32_max_tokens_is_refused_at_once() {
    // The 179-byte file of the issue, which aborted (exit 134) asking for
    // 68 GB.
    let text = recording(json!([request(
        0,
        json!([{"at": 0.1, "tokens": u32::MAX}])
    )]));
    assert!(text.len() < 200, "{}", text.len());
    let path = file("u32-max.json", &text);
    let (output, took) = metrics(path.path());
    refused(
        &output,
        path.path(),
        "one piece carries an impossible number of tokens",
    );
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[test]
fn a_billion_tokens_in_legal_chunks_is_refused_at_once() {
    // 1,000 requests of one chunk of 1,000,000 tokens: each chunk and each
    // request within bounds, the run over the page's total.
    let requests: Vec<Value> = (0..1000)
        .map(|i| request(i, json!([{"at": 0.1, "tokens": 1_000_000}])))
        .collect();
    let path = file("billion.json", &recording(json!(requests)));
    let (output, took) = metrics(path.path());
    refused(
        &output,
        path.path(),
        &format!("This run holds 1000000000 tokens; this page shows at most {MAX_TOKENS}."),
    );
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[test]
fn one_request_beyond_what_a_request_can_ask_for_is_refused() {
    // Two chunks of 1,000,000 tokens: each within bounds, the request not.
    let chunks = json!([{"at": 0.1, "tokens": 1_000_000}, {"at": 0.2, "tokens": 1_000_000}]);
    let path = file("claims.json", &recording(json!([request(0, chunks)])));
    let (output, _) = metrics(path.path());
    refused(
        &output,
        path.path(),
        &format!(
            "Request 0: it holds 2000000 tokens, more than one request can ask for \
             ({MAX_TOKENS_PER_REQUEST}), so this run cannot be shown."
        ),
    );
}

#[test]
fn recordings_the_page_refuses_are_refused_with_its_sentence() {
    let one = |at: f64| json!([{"at": at, "tokens": 1}]);
    let with_sent_at = |time: &str| {
        // A placeholder time, then the text JSON cannot be made of.
        let mut record = request(0, one(0.1));
        record["sent_at"] = json!(987_654_321);
        let text = recording(json!([record]));
        assert!(text.contains("987654321"), "{text}");
        text.replace("987654321", time)
    };
    let cases = [
        (
            "negative-ttft.json",
            recording(json!([request(0, one(-0.5))])),
            "Request 0: its tokens' arrival times are not in order from 0",
        ),
        (
            "out-of-order.json",
            recording(json!([request(
                3,
                json!([{"at": 0.2, "tokens": 1}, {"at": 0.1, "tokens": 1}])
            )])),
            "Request 3: its tokens' arrival times are not in order from 0",
        ),
        (
            "duplicate-ids.json",
            recording(json!([request(7, one(0.1)), request(7, one(0.2))])),
            "Request 7 appears twice in this run.",
        ),
        (
            // JSON has no NaN or infinity: 1e999 is out of range for the
            // reader, and a NaN written by serde is null, not a time.
            "infinite-time.json",
            with_sent_at("1e999"),
            "is not valid JSON: number out of range",
        ),
        (
            "nan-time.json",
            with_sent_at("null"),
            "is not a valid recording",
        ),
        (
            // Finite, but beyond a week: differences of such times overflow.
            "huge-time.json",
            with_sent_at("1.7e308"),
            "Request 0: a time is negative, too large or not a number",
        ),
        (
            "huge-chunk.json",
            recording(json!([request(0, one(0.1))])).replace("\"at\":0.1,", "\"at\":1.7e308,"),
            "Request 0: its tokens' arrival times are not in order from 0",
        ),
        (
            "negative-sent.json",
            with_sent_at("-1"),
            "Request 0: a time is negative, too large or not a number",
        ),
    ];
    for (name, contents, problem) in cases {
        let path = file(name, &contents);
        let (output, _) = metrics(path.path());
        refused(&output, path.path(), problem);
    }
}

#[test]
fn etalon_files_the_page_refuses_are_refused_with_its_sentence() {
    let cases = [
        (
            // The page's reader refuses it.
            "etalon-negative.json",
            json!({"ttft": [-1.0], "tbt": [[0.01]], "num_output_tokens": [2]}),
            "\"ttft\" of request 0 is not a number of 0 or more.",
        ),
        (
            // The reader takes it; the page's checker, run on the recording
            // the page makes of it, does not (the CLI printed figures).
            "etalon-huge-gap.json",
            json!({"ttft": [0.1], "tbt": [[1.7e308]], "num_output_tokens": [2]}),
            "cannot be used: Request 0: a time is negative, too large or not a number",
        ),
    ];
    for (name, contents, problem) in cases {
        let path = file(name, &contents.to_string());
        let (output, _) = metrics(path.path());
        refused(&output, path.path(), problem);
    }
}

#[test]
fn a_good_recording_still_gives_its_figures() {
    let path = file(
        "good.json",
        &recording(json!([request(
            0,
            json!([{"at": 0.1, "tokens": 1}, {"at": 0.15, "tokens": 2}])
        )])),
    );
    let (output, _) = metrics(path.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(out["service"]["completed"], 1);
    assert_eq!(out["requests"][0]["num_output_tokens"], 3);
}
