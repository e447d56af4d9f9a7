//! Files: the recording JSON and Etalon's `request_level_metrics.json` read
//! back (by the same reader the import uses) to the same figures, a file
//! shaped as Etalon writes it reproduces the figures of its timelines, the
//! CSV has one row per request, no export holds a secret, and the compare
//! table's changes.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::metrics::{
    recording_metrics, run_metrics, DeadlineConfig, RequestTimeline, RunMetrics,
};
use etalon_core::present::report::recording_json;
use etalon_core::recording::synthetic::SyntheticRun;
use etalon_core::recording::{ErrorKind, Recording, RequestError};
use etalon_core::share::*;
use proptest::prelude::*;
use serde_json::Value;

fn run(seed: u64, requests: usize) -> Recording {
    let mut recording = SyntheticRun {
        seed,
        requests,
        tokens_per_request: 60,
        stall_probability: 0.02,
    }
    .recording();
    // A failed request, with and without tokens.
    recording.requests[1].error = Some(RequestError {
        kind: ErrorKind::Timeout,
        message: "No end within 120 s.".into(),
        status: None,
    });
    recording.requests[2].chunks = Default::default();
    recording.requests[2].output_tokens = None;
    recording.requests[2].error = Some(RequestError {
        kind: ErrorKind::HttpStatus,
        message: "=cmd|' /C calc'!A0, \"quoted\"".into(),
        status: Some(429),
    });
    recording
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-9)
}

/// Every per-request and service figure agrees (counts exactly).
fn assert_same_figures(a: &RunMetrics, b: &RunMetrics) {
    assert_eq!(a.requests.len(), b.requests.len());
    for (x, y) in a.requests.iter().zip(&b.requests) {
        assert_eq!((x.id, x.completed, x.error), (y.id, y.completed, y.error));
        assert_eq!(
            (x.missed_deadlines, x.total_deadlines),
            (y.missed_deadlines, y.total_deadlines),
            "request {}: {:?}",
            x.id,
            (x, y)
        );
        assert_eq!(x.num_output_tokens, y.num_output_tokens);
        for (p, q) in [
            (x.ttft, y.ttft),
            (x.tpot, y.tpot),
            (x.end_to_end_latency, y.end_to_end_latency),
            (
                x.normalized_end_to_end_latency,
                y.normalized_end_to_end_latency,
            ),
            (x.min_tbt_deadline_to_meet, y.min_tbt_deadline_to_meet),
            (x.fluidity_index, y.fluidity_index),
        ] {
            assert!(close(p, q), "request {}: {p} vs {q}", x.id);
        }
    }
    let (s, t) = (&a.service, &b.service);
    assert_eq!(
        (s.launched, s.completed, s.errored),
        (t.launched, t.completed, t.errored)
    );
    assert_eq!(s.errored_by_kind, t.errored_by_kind);
    for (p, q) in [
        (s.fluid_token_generation_rate, t.fluid_token_generation_rate),
        (s.tpot_based_throughput, t.tpot_based_throughput),
        (s.tbt_based_throughput, t.tbt_based_throughput),
    ] {
        assert!(close(p.unwrap(), q.unwrap()), "{p:?} vs {q:?}");
    }
}

#[test]
fn a_recording_file_opens_as_the_same_recording() {
    let recording = run(5, 30);
    let imported = import_file("run.json", &recording_json(&recording)).unwrap();
    assert_eq!(imported.kind, ImportedKind::Recording);
    assert_eq!(imported.recording, recording);
}

#[test]
fn etalons_file_has_the_reference_keys_and_reads_back_to_the_same_figures() {
    let recording = run(6, 40);
    let deadlines = DeadlineConfig::fixed(0.3, 0.03, 0.1);
    let text = etalon_json(&recording, &deadlines);
    let file: Value = serde_json::from_str(&text).unwrap();
    for key in [
        "num_prompt_tokens",
        "num_output_tokens",
        "num_total_tokens",
        "tpot",
        "ttft",
        "tbt",
        "end_to_end_latency",
        "normalized_end_to_end_latency",
        "output_throughput",
        "deadline_miss_rate",
        "min_tbt_deadline_to_meet",
    ] {
        assert_eq!(file[key].as_array().map(Vec::len), Some(40), "{key}");
    }
    assert_eq!(file["num_total_tokens"][0], 512 + 60);
    let imported = import_file("request_level_metrics.json", &text).unwrap();
    assert_eq!(imported.kind, ImportedKind::EtalonRequestLevelMetrics);
    assert_eq!(imported.deadlines.as_ref(), Some(&deadlines));
    assert_same_figures(
        &recording_metrics(&recording, &deadlines),
        &recording_metrics(&imported.recording, &deadlines),
    );
}

/// A file as Etalon itself writes it (no `etalon_web` key; ints and floats;
/// k-token chunks as k-1 gaps of 0) reproduces the figures of its
/// timelines. (Gaps are measured times, as in Etalon's files: a made-up gap
/// of exactly a deadline, 0.05 s against 50 ms, can come back one unit in
/// the last place larger, since times are rebuilt as sums, and then miss.)
#[test]
fn a_file_written_by_etalon_gives_the_figures_of_its_timelines() {
    let timelines: Vec<Vec<f64>> = vec![
        vec![
            0.2123419,
            0.0201133,
            0.0,
            0.0,
            0.0512871,
            0.1002411,
            0.019999999999999997,
        ],
        vec![0.0, 0.0493312, 0.0514018, 0.0488113],
        vec![1.5123114, 0.3021377],
        vec![0.4012203],
    ];
    let file = serde_json::json!({
        "num_prompt_tokens": [128, 128, 64, 0],
        "num_output_tokens": timelines.iter().map(Vec::len).collect::<Vec<_>>(),
        "num_total_tokens": [135, 132, 66, 1],
        "ttft": timelines.iter().map(|t| t[0]).collect::<Vec<_>>(),
        "tbt": timelines.iter().map(|t| t[1..].to_vec()).collect::<Vec<_>>(),
        "tpot": [0, 0, 0, 0], "end_to_end_latency": [0, 0, 0, 0],
    });
    let imported = import_file("request_level_metrics.json", &file.to_string()).unwrap();
    let deadlines = DeadlineConfig::default();
    let expected = run_metrics(
        &timelines
            .iter()
            .enumerate()
            .map(|(i, itt)| RequestTimeline {
                id: i as u64,
                inter_token_times: itt.clone(),
                num_output_tokens: itt.len() as u64,
                num_prompt_tokens: [Some(128), Some(128), Some(64), None][i],
                ..Default::default()
            })
            .collect::<Vec<_>>(),
        &deadlines,
    );
    assert_same_figures(
        &expected,
        &recording_metrics(&imported.recording, &deadlines),
    );
}

/// The other shape `etalon-cli metrics` reads, a list of per-request
/// objects, gives the same recording as the columns.
#[test]
fn a_list_of_requests_reads_as_the_columns_do() {
    let recording = run(9, 6);
    let columns: Value =
        serde_json::from_str(&etalon_json(&recording, &DeadlineConfig::default())).unwrap();
    let rows: Vec<Value> = (0..6)
        .map(|i| {
            serde_json::json!({
                "ttft": columns["ttft"][i], "tbt": columns["tbt"][i],
                "num_prompt_tokens": columns["num_prompt_tokens"][i],
                "num_output_tokens": columns["num_output_tokens"][i],
            })
        })
        .collect();
    let from_rows = import_file("rows.json", &Value::from(rows).to_string()).unwrap();
    let mut plain = columns.clone();
    plain.as_object_mut().unwrap().remove("etalon_web");
    let from_columns = import_file("columns.json", &plain.to_string()).unwrap();
    assert_eq!(from_rows.kind, ImportedKind::EtalonRequestLevelMetrics);
    assert_eq!(from_rows.recording, from_columns.recording);
}

#[test]
fn the_csv_has_one_row_per_request() {
    let recording = run(7, 12);
    let deadlines = DeadlineConfig::default();
    let csv = requests_csv(&recording, &deadlines);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 13);
    assert!(lines[0].starts_with("id,ttft_s,tpot_s,end_to_end_latency_s,"));
    let metrics = recording_metrics(&recording, &deadlines);
    let first: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(first.len(), 12);
    assert_eq!(first[1].parse::<f64>().unwrap(), metrics.requests[0].ttft);
    assert_eq!(
        first[7].parse::<f64>().unwrap(),
        metrics.requests[0].fluidity_index
    );
    assert!(lines[2].ends_with(",false,timeout,No end within 120 s."));
    // Quoted, and never a spreadsheet formula.
    assert!(
        lines[3].ends_with(",false,http_status,\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\""),
        "{}",
        lines[3]
    );
}

#[test]
fn no_export_holds_a_secret() {
    let key = "sk-test-abcdefghijkl".to_string();
    let mut recording = run(8, 5);
    recording.requests[2].error.as_mut().unwrap().message = format!("bad key {key}");
    recording.config = serde_json::json!({"setup": {"headers": [{"name": "X-Api-Key", "value": key.clone(), "secret": false}]}});
    let deadlines = DeadlineConfig::default();
    for kind in ExportKind::ALL {
        let file = export_file(kind, &recording, &deadlines, std::slice::from_ref(&key));
        assert!(!file.text.contains(&key), "{}", file.text);
    }
}

#[test]
fn the_compare_table_gives_each_runs_change_from_the_first() {
    let runs: Vec<ComparedRun> = (1..=3)
        .map(|seed| ComparedRun {
            label: format!("run {seed}"),
            recording: run(seed, 20),
        })
        .collect();
    let deadlines = DeadlineConfig::default();
    let comparison = compare_runs(&runs, &deadlines);
    assert_eq!(comparison.rows.len(), COMPARED_METRICS.len());
    let fluid = comparison
        .rows
        .iter()
        .find(|r| r.key == "fluid-rate")
        .unwrap();
    let rates: Vec<f64> = runs
        .iter()
        .map(|r| {
            recording_metrics(&r.recording, &deadlines)
                .service
                .fluid_token_generation_rate
                .unwrap()
        })
        .collect();
    for i in 1..3 {
        let change = fluid.changes[i].unwrap();
        assert!(close(change, (rates[i] - rates[0]) / rates[0] * 100.0));
        assert_eq!(fluid.better(i), Some(rates[i] > rates[0]));
    }
    let errors = comparison
        .rows
        .iter()
        .find(|r| r.key == "error-rate")
        .unwrap();
    assert!(!errors.higher_is_better);
    assert!(typical_request(&runs[0].recording).is_some());
}

proptest! {
    /// Any timelines written as Etalon's file read back to the same
    /// timelines (each gap to 1e-12 s: times are rebuilt as sums).
    #[test]
    fn etalon_files_round_trip(timelines in prop::collection::vec(
        prop::collection::vec(prop_oneof![Just(0.0), 0.0f64..0.3, 0.3f64..3.0], 0..30), 1..12)) {
        let file = serde_json::json!({
            "ttft": timelines.iter().map(|t| t.first().copied().unwrap_or(0.0)).collect::<Vec<_>>(),
            "tbt": timelines.iter().map(|t| t.get(1..).unwrap_or(&[]).to_vec()).collect::<Vec<_>>(),
            "num_output_tokens": timelines.iter().map(Vec::len).collect::<Vec<_>>(),
        });
        let imported = import_file("f.json", &file.to_string()).unwrap();
        for (record, itt) in imported.recording.requests.iter().zip(&timelines) {
            let back = record.inter_token_times();
            prop_assert_eq!(back.len(), itt.len());
            for (a, b) in back.iter().zip(itt) {
                prop_assert!((a - b).abs() <= 1e-12, "{} vs {}", a, b);
            }
        }
    }

    /// Whatever a file holds, the import answers with a recording or a
    /// sentence naming the file, never a panic.
    #[test]
    fn any_file_gets_an_answer(text in prop_oneof![
        "\\PC{0,200}",
        Just("{\"ttft\": [1e308, 2], \"tbt\": [[1e308], []], \"num_output_tokens\": [1, 1e30]}".to_string()),
        Just("{\"ttft\": [0.1], \"tbt\": [[null]], \"num_output_tokens\": [2]}".to_string()),
        Just("{\"version\": 1, \"requests\": [{\"id\": 1, \"chunks\": [{\"at\": -1, \"tokens\": 1}]}], \"started_at_unix_ms\": 0}".to_string()),
    ]) {
        if let Err(e) = import_file("x.json", &text) {
            prop_assert!(e.message.starts_with("\"x.json\" "), "{}", e.message);
        }
    }
}
