//! `etalon-cli metrics` on files of both kinds (Etalon's
//! request_level_metrics.json, as columns or as a list, and a recording), and
//! on files it must refuse with one sentence and exit code 2.

use etalon_core::metrics::{deadline_miss_count, min_tbt_deadline_to_meet, FirstToken};
use etalon_core::recording::synthetic::SyntheticRun;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A file of this test process's own, removed when the test is done with
/// it (a test that fails leaves it, to be looked at).
struct TestFile(PathBuf);

impl std::ops::Deref for TestFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TestFile {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

/// Writes `contents` to a file of this test process's own.
fn file(name: &str, contents: &str) -> TestFile {
    let path =
        std::env::temp_dir().join(format!("etalon-cli-metrics-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    TestFile(path)
}

fn metrics(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_etalon-cli"))
        .arg("metrics")
        .args(args)
        .output()
        .unwrap()
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object on stdout")
}

/// Exit code 2 and one sentence naming the file; never a panic.
fn refused(output: &Output, path: &str, problem: &str) {
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one sentence: {stderr}"
    );
    assert!(stderr.contains(path), "names the file: {stderr}");
    assert!(stderr.contains(problem), "says `{problem}`: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.stdout.is_empty());
}

fn etalon_columns() -> Value {
    json!({
        "num_prompt_tokens": [100, 200, 300],
        "num_output_tokens": [4, 3, 1],
        "num_total_tokens": [104, 203, 301],
        "tpot": [0.0, 0.0, 0.0],
        "ttft": [0.2, 0.05, 0.5],
        "tbt": [[0.02, 0.03, 0.2], [0.01, 0.0], []],
        "end_to_end_latency": [0.45, 0.06, 0.5],
        "deadline_miss_rate": [0.0, 0.0, 0.0],
    })
}

#[test]
fn etalon_columns_give_every_figure() {
    let path = file("columns.json", &etalon_columns().to_string());
    let out = json_of(&metrics(&[
        path.to_str().unwrap(),
        "--json",
        "--tbt-deadline",
        "0.03",
    ]));
    let requests = out["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 3);
    let itt = [0.2, 0.02, 0.03, 0.2];
    let count = deadline_miss_count(&itt, 0.1, 0.03, FirstToken::Counted);
    let first = &requests[0];
    assert_eq!(first["missed_deadlines"], count.missed_deadlines);
    assert_eq!(first["total_deadlines"], count.total_deadlines);
    assert_eq!(first["deadline_miss_rate"], count.miss_rate());
    assert_eq!(first["fluidity_index"], 1.0 - count.miss_rate());
    assert_eq!(
        first["min_tbt_deadline_to_meet"],
        min_tbt_deadline_to_meet(&itt, 0.1, 0.1, FirstToken::Counted)
    );
    assert_eq!(first["ttft"], 0.2);
    assert!((first["end_to_end_latency"].as_f64().unwrap() - 0.45).abs() < 1e-12);
    assert!((first["normalized_end_to_end_latency"].as_f64().unwrap() - 0.45 / 4.0).abs() < 1e-12);
    assert!((first["output_throughput"].as_f64().unwrap() - 4.0 / 0.45).abs() < 1e-9);
    assert!((first["tpot"].as_f64().unwrap() - 0.25 / 3.0).abs() < 1e-12);
    for key in [
        "tpot_based_throughput",
        "tbt_based_throughput",
        "fluid_token_generation_rate",
        "deadline_miss_rate",
    ] {
        assert!(out["service"][key].is_number(), "service.{key}");
    }
    let curve = out["service"]["p99_miss_rate_vs_tbt_deadline"]
        .as_array()
        .unwrap();
    assert_eq!(curve.len(), 100);
    assert_eq!(curve[0][0], 0.001);
    assert!(out["service"]["percentiles"]["ttft"]["p99"].is_number());
    assert_eq!(out["service"]["percentiles"]["ttft"]["max"], 0.5);
}

#[test]
fn etalon_list_of_requests_reads_the_same() {
    let columns = file("same-columns.json", &etalon_columns().to_string());
    let list = json!([
        {"ttft": 0.2, "tbt": [0.02, 0.03, 0.2], "num_output_tokens": 4, "num_prompt_tokens": 100},
        {"ttft": 0.05, "tbt": [0.01, 0.0], "num_output_tokens": 3, "num_prompt_tokens": 200},
        {"ttft": 0.5, "tbt": [], "num_output_tokens": 1, "num_prompt_tokens": 300},
    ]);
    let list = file("list.json", &list.to_string());
    let a = json_of(&metrics(&[columns.to_str().unwrap(), "--json"]));
    let b = json_of(&metrics(&[list.to_str().unwrap(), "--json"]));
    assert_eq!(a, b);
}

#[test]
fn a_recording_gives_a_table_and_json() {
    let recording = SyntheticRun {
        requests: 20,
        tokens_per_request: 60,
        ..SyntheticRun::benchmark()
    }
    .recording();
    let path = file(
        "recording.json",
        &serde_json::to_string(&recording).unwrap(),
    );
    let table = metrics(&[path.to_str().unwrap()]);
    assert!(table.status.success());
    let text = String::from_utf8(table.stdout).unwrap();
    for words in [
        "20 requests",
        "TTFT (s)",
        "fluidity-index",
        "fluid token generation rate",
        "p99 miss rate",
    ] {
        assert!(text.contains(words), "table shows {words}:\n{text}");
    }
    let out = json_of(&metrics(&[
        path.to_str().unwrap(),
        "--json",
        "--ttft-deadline",
        "0.5",
        "--target-miss-rate",
        "0.2",
    ]));
    assert_eq!(out["requests"].as_array().unwrap().len(), 20);
    assert_eq!(out["deadlines"]["ttft_deadline"], 0.5);
    assert_eq!(out["deadlines"]["target_miss_rate"], 0.2);
    assert_eq!(out["service"]["completed"], 20);
}

#[test]
fn unusable_files_get_one_sentence_and_exit_code_2() {
    let missing = std::env::temp_dir().join("etalon-cli-metrics-does-not-exist.json");
    let name = missing.to_str().unwrap();
    refused(&metrics(&[name]), name, "Cannot read");

    let cases = [
        (
            "truncated.json",
            "{\"ttft\": [0.1,".to_string(),
            "not valid JSON",
        ),
        (
            "newer.json",
            json!({"version": 99, "requests": []}).to_string(),
            "version 99",
        ),
        (
            "other.json",
            json!({"hello": 1}).to_string(),
            "neither a recording",
        ),
        (
            "short.json",
            json!({"ttft": [0.1, 0.2], "tbt": [[0.01]]}).to_string(),
            "2 \"ttft\" values but 1",
        ),
        (
            "words.json",
            json!({"ttft": ["fast"], "tbt": [[]]}).to_string(),
            "not a number",
        ),
        (
            "broken-recording.json",
            json!({"version": 1, "requests": [{"chunks": 3}]}).to_string(),
            "not a valid recording",
        ),
    ];
    for (name, contents, problem) in cases {
        let path = file(name, &contents);
        let path = path.to_str().unwrap();
        refused(&metrics(&[path, "--json"]), path, problem);
    }
}

#[test]
fn meaningless_deadlines_are_refused() {
    let path = file("deadlines.json", &etalon_columns().to_string());
    let output = metrics(&[path.to_str().unwrap(), "--tbt-deadline", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("TBT deadline"));
}

/// Failed requests in Etalon's file count as failed, not completed, and
/// stay out of the service figures: a null TTFT (Etalon has no first token
/// for it), no token at all (TTFT 0 and no gap), and the failure
/// etalon-web's own export keeps under `etalon_web.error` (here a request
/// that failed after two tokens). The page's import counts them the same.
#[test]
fn failed_requests_in_etalon_files_count_as_failed() {
    let columns = json!({
        "num_prompt_tokens": [100, 200, 300, 400, 500],
        "num_output_tokens": [4, 0, 0, 2, 1],
        "ttft": [0.2, null, 0.0, 0.3, 0.5],
        "tbt": [[0.02, 0.03, 0.2], [], [], [0.04], []],
        "etalon_web": {
            "version": 1,
            "id": [0, 1, 2, 3, 4],
            "error": [null, null, null,
                {"kind": "timeout", "message": "No end within 120 s.", "status": null}, null],
        },
    });
    let list = json!([
        {"ttft": 0.2, "tbt": [0.02, 0.03, 0.2], "num_output_tokens": 4},
        {"ttft": null, "tbt": null, "num_output_tokens": 0},
        {"ttft": 0.0, "tbt": [], "num_output_tokens": 0},
        {"ttft": 0.5, "tbt": [], "num_output_tokens": 1},
    ]);
    for (name, contents, launched, failed) in [
        ("failed-columns.json", &columns, 5, vec![1, 2, 3]),
        ("failed-list.json", &list, 4, vec![1, 2]),
    ] {
        let path = file(name, &contents.to_string());
        let out = json_of(&metrics(&[path.to_str().unwrap(), "--json"]));
        let service = &out["service"];
        println!(
            "{name}: launched {}, completed {}, errored {}, by kind {}",
            service["launched"],
            service["completed"],
            service["errored"],
            service["errored_by_kind"]
        );
        assert_eq!(service["launched"], launched, "{name}");
        assert_eq!(service["errored"], failed.len(), "{name}");
        assert_eq!(service["completed"], launched - failed.len(), "{name}");
        let requests = out["requests"].as_array().unwrap();
        for (i, request) in requests.iter().enumerate() {
            assert_eq!(
                request["completed"],
                !failed.contains(&i),
                "{name}: request {i}"
            );
        }
        // Only the completed requests enter the service figures.
        assert_eq!(service["percentiles"]["ttft"]["min"], 0.2, "{name}");
        assert_eq!(
            service["percentiles"]["ttft"]["count"],
            launched - failed.len()
        );
        // The page reads the file the same way.
        let imported = etalon_core::share::import_file(name, &contents.to_string()).unwrap();
        let page = etalon_core::metrics::recording_metrics(
            &imported.recording,
            &etalon_core::metrics::DeadlineConfig::default(),
        );
        assert_eq!(
            (page.service.completed, page.service.errored),
            (
                service["completed"].as_u64().unwrap(),
                service["errored"].as_u64().unwrap()
            ),
            "{name}"
        );
    }
    let text = table_of(&file("failed-table.json", &columns.to_string()));
    assert!(text.contains("5 requests, 2 completed, 3 failed"), "{text}");
}

fn table_of(path: &Path) -> String {
    let output = metrics(&[path.to_str().unwrap()]);
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}
