//! `etalon-cli metrics` on files of both kinds (Etalon's
//! request_level_metrics.json, as columns or as a list, and a recording), and
//! on files it must refuse with one sentence and exit code 2.

mod common;
use common::refused;
use etalon_core::metrics::{
    deadline_miss_count, min_tbt_deadline_to_meet, recording_metrics, run_metrics, DeadlineConfig,
    FirstToken, RequestTimeline, RunMetrics,
};
use etalon_core::recording::synthetic::SyntheticRun;
use etalon_core::recording::{ErrorKind, Recording, RequestError};
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

/// Compares `got` with `want` leaf by leaf (numbers bit for bit), naming
/// the first leaf that differs by its path; the number of leaves compared.
fn assert_same_leaves(path: &str, got: &Value, want: &Value) -> usize {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            let (mut gk, mut wk): (Vec<_>, Vec<_>) = (g.keys().collect(), w.keys().collect());
            gk.sort();
            wk.sort();
            assert_eq!(gk, wk, "{path}: keys");
            w.iter()
                .map(|(k, v)| assert_same_leaves(&format!("{path}.{k}"), &g[k], v))
                .sum()
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{path}: length");
            g.iter()
                .zip(w)
                .enumerate()
                .map(|(i, (g, w))| assert_same_leaves(&format!("{path}[{i}]"), g, w))
                .sum()
        }
        (Value::Number(g), Value::Number(w)) => {
            let same = match (g.as_u64(), w.as_u64()) {
                (Some(g), Some(w)) => g == w,
                _ => g.as_f64().map(f64::to_bits) == w.as_f64().map(f64::to_bits),
            };
            assert!(same, "{path}: {g} from etalon-cli, {w} from the engine");
            1
        }
        (g, w) => {
            assert_eq!(g, w, "{path}");
            1
        }
    }
}

/// `etalon-cli metrics --json` gives the engine's every figure on `path`:
/// each request's, the service's (counts, rates, throughputs, the fluid
/// token generation rate, every percentile table, every point of the p99
/// curve) and the deadlines, value for value.
fn assert_cli_gives(path: &Path, flags: &[&str], want: &RunMetrics) {
    let mut args = vec![path.to_str().unwrap(), "--json"];
    args.extend_from_slice(flags);
    let got = json_of(&metrics(&args));
    let want = serde_json::to_value(want).unwrap();
    let leaves = assert_same_leaves("", &got, &want);
    // A real comparison: every request's figures and the whole curve.
    assert!(leaves > 300, "{leaves} figures compared");
    assert!(want["service"]["fluid_token_generation_rate"].is_number());
}

/// The timelines of Etalon's `file`, by hand from its numbers (the reading
/// rule of METRICS.md): `[ttft] + tbt`, none without a first token; the
/// failure etalon-web's export keeps; a prompt length of 0 unknown.
fn timelines_of_etalon_file(file: &Value) -> Vec<RequestTimeline> {
    let n = file["ttft"].as_array().unwrap().len();
    (0..n)
        .map(|i| {
            let ttft = file["ttft"][i].as_f64();
            let gaps: Vec<f64> = file["tbt"][i]
                .as_array()
                .map(|gaps| gaps.iter().map(|g| g.as_f64().unwrap()).collect())
                .unwrap_or_default();
            let output = file["num_output_tokens"][i].as_u64();
            let no_token =
                ttft.is_none() || (ttft == Some(0.0) && gaps.is_empty() && output == Some(0));
            let itt: Vec<f64> = if no_token {
                Vec::new()
            } else {
                std::iter::once(ttft.unwrap()).chain(gaps).collect()
            };
            let exported: Option<RequestError> =
                serde_json::from_value(file["etalon_web"]["error"][i].clone()).unwrap_or(None);
            let error = exported
                .map(|e| e.kind)
                .or(no_token.then_some(ErrorKind::MalformedStream));
            RequestTimeline {
                id: file["etalon_web"]["id"][i].as_u64().unwrap_or(i as u64),
                num_output_tokens: output.unwrap_or(itt.len() as u64),
                num_prompt_tokens: file["num_prompt_tokens"][i].as_u64().filter(|n| *n > 0),
                time_to_first_visible_token: itt.first().copied(),
                inter_token_times: itt,
                error,
            }
        })
        .collect()
}

/// A run with failures (after tokens, and without any) and an unknown
/// prompt length.
fn run_with_failures() -> Recording {
    let mut recording = SyntheticRun {
        seed: 3,
        requests: 30,
        tokens_per_request: 80,
        stall_probability: 0.02,
    }
    .recording();
    recording.requests[4].error = Some(RequestError {
        kind: ErrorKind::Timeout,
        message: "No end within 120 s.".into(),
        status: None,
    });
    recording.requests[7].chunks = Default::default();
    recording.requests[7].output_tokens = None;
    recording.requests[7].error = Some(RequestError {
        kind: ErrorKind::HttpStatus,
        message: "Too many requests.".into(),
        status: Some(429),
    });
    recording.requests[9].prompt_tokens = None;
    recording
}

/// On a recording, `etalon-cli metrics --json` gives exactly the figures
/// the page computes from it (`recording_metrics`), under the deadlines of
/// its flags.
#[test]
fn a_recordings_figures_are_the_engines_value_for_value() {
    let recording = run_with_failures();
    let path = file(
        "engine-recording.json",
        &serde_json::to_string(&recording).unwrap(),
    );
    for (flags, deadlines) in [
        (vec![], DeadlineConfig::default()),
        (
            vec![
                "--ttft-deadline",
                "0.3",
                "--tbt-deadline",
                "0.03",
                "--target-miss-rate",
                "0.05",
            ],
            DeadlineConfig::fixed(0.3, 0.03, 0.05),
        ),
    ] {
        assert_cli_gives(&path, &flags, &recording_metrics(&recording, &deadlines));
    }
}

/// On Etalon's file (as etalon-web exports it, and as Etalon writes it,
/// without `etalon_web`), `etalon-cli metrics --json` gives exactly the
/// engine's figures of the file's timelines, taken by hand from its
/// numbers; and the page's import of the same file the same figures to the
/// rounding of its sums.
#[test]
fn an_etalon_files_figures_are_the_engines_value_for_value() {
    let recording = run_with_failures();
    let exported: Value = serde_json::from_str(&etalon_core::share::etalon_json(
        &recording,
        &DeadlineConfig::default(),
    ))
    .unwrap();
    let mut plain = exported.clone();
    plain.as_object_mut().unwrap().remove("etalon_web");
    let flags = [
        "--ttft-deadline",
        "0.5",
        "--tbt-deadline",
        "0.04",
        "--target-miss-rate",
        "0.2",
    ];
    let deadlines = DeadlineConfig::fixed(0.5, 0.04, 0.2);
    for (name, contents) in [
        ("engine-exported.json", &exported),
        ("engine-plain.json", &plain),
    ] {
        let path = file(name, &contents.to_string());
        let want = run_metrics(&timelines_of_etalon_file(contents), &deadlines);
        // Without `etalon_web`, the failure after tokens is not in the file.
        let failed = if contents.get("etalon_web").is_some() {
            2
        } else {
            1
        };
        assert_eq!(want.service.errored, failed, "{name}");
        assert_cli_gives(&path, &flags, &want);

        let page = etalon_core::share::import_file(name, &contents.to_string()).unwrap();
        let page = recording_metrics(&page.recording, &deadlines);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-9);
        for (a, b) in want.requests.iter().zip(&page.requests) {
            assert_eq!(
                (a.id, a.completed, a.num_output_tokens, a.num_prompt_tokens),
                (b.id, b.completed, b.num_output_tokens, b.num_prompt_tokens)
            );
            assert_eq!(
                (a.missed_deadlines, a.total_deadlines),
                (b.missed_deadlines, b.total_deadlines)
            );
            for (x, y) in [
                (a.ttft, b.ttft),
                (a.tpot, b.tpot),
                (a.end_to_end_latency, b.end_to_end_latency),
                (a.min_tbt_deadline_to_meet, b.min_tbt_deadline_to_meet),
            ] {
                assert!(close(x, y), "{name}, request {}: {x} vs {y}", a.id);
            }
        }
    }
    // The small hand-made file too, under other deadlines.
    let path = file("engine-columns.json", &etalon_columns().to_string());
    let want = run_metrics(
        &timelines_of_etalon_file(&etalon_columns()),
        &DeadlineConfig::fixed(0.1, 0.03, 0.1),
    );
    let got = json_of(&metrics(&[
        path.to_str().unwrap(),
        "--json",
        "--tbt-deadline",
        "0.03",
    ]));
    assert!(assert_same_leaves("", &got, &serde_json::to_value(&want).unwrap()) > 100);
}
