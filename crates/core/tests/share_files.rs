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

/// A recording with every kind of request the export meets: completed
/// ones (1 read in 10 of 2 or 3 tokens, stalls), a failure after tokens, a
/// failure without any, one with an unknown prompt length, one with
/// reasoning tokens first, and one whose only read carried no token.
fn varied_run(seed: u64) -> Recording {
    let mut recording = run(seed, 24);
    recording.requests[3].prompt_tokens = None;
    let mut reads = recording.requests[4].chunks.to_vec();
    for read in &mut reads[..5] {
        read.reasoning = true;
    }
    recording.requests[4].chunks = reads.into();
    recording.requests[5].chunks = vec![etalon_core::recording::Chunk::visible(0.25, 0)].into();
    recording.requests[5].output_tokens = None;
    recording
}

/// The deadlines the export is checked under: fixed (tight and loose) and
/// grown from a prefill model (capacity mode).
fn deadline_configs() -> Vec<DeadlineConfig> {
    let prefill: serde_json::Value = serde_json::json!({
        "ttft_deadline": {"prefill_model": {"coefficients": [0.05, 4e-4]}, "slack": 0.05},
        "tbt_deadline": 0.03,
        "target_miss_rate": 0.05,
    });
    vec![
        DeadlineConfig::default(),
        DeadlineConfig::fixed(0.3, 0.03, 0.1),
        DeadlineConfig::fixed(0.05, 0.02, 0.0),
        serde_json::from_value(prefill).unwrap(),
    ]
}

/// A figure as the export writes it: the number itself (read back bit for
/// bit), or null when it is not finite (JSON has no NaN or infinity).
fn assert_written_as(written: &Value, figure: f64, what: &str) {
    if figure.is_finite() {
        let read = written
            .as_f64()
            .unwrap_or_else(|| panic!("{what}: {written}"));
        assert_eq!(
            read.to_bits(),
            figure.to_bits(),
            "{what}: {read} written for {figure}"
        );
    } else {
        assert!(written.is_null(), "{what}: {written} written for {figure}");
    }
}

/// Every column of the Etalon export holds the engine's figure, request by
/// request, value for value (bit for bit): the prompt, output and total
/// token counts, TPOT, TTFT, every gap, the latencies, the throughput, the
/// deadline miss rate and the minimum TBT deadline under the deadlines
/// exported; and under `etalon_web` each request's id and failure and the
/// deadlines. No other key. Both as `etalon_json` writes it and as the
/// page downloads it (`export_file`, redacted).
#[test]
fn etalons_file_holds_the_engines_figures_request_by_request() {
    for seed in [6, 21] {
        let recording = varied_run(seed);
        for deadlines in deadline_configs() {
            let metrics = recording_metrics(&recording, &deadlines);
            let texts = [
                etalon_json(&recording, &deadlines),
                export_file(ExportKind::Etalon, &recording, &deadlines, &[]).text,
            ];
            for text in texts {
                let file: Value = serde_json::from_str(&text).unwrap();
                let mut keys: Vec<&str> = file
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect();
                keys.sort_unstable();
                assert_eq!(
                    keys,
                    [
                        "deadline_miss_rate",
                        "end_to_end_latency",
                        "etalon_web",
                        "min_tbt_deadline_to_meet",
                        "normalized_end_to_end_latency",
                        "num_output_tokens",
                        "num_prompt_tokens",
                        "num_total_tokens",
                        "output_throughput",
                        "tbt",
                        "tpot",
                        "ttft",
                    ]
                );
                let n = recording.requests.len();
                for key in &keys {
                    if *key != "etalon_web" {
                        assert_eq!(file[key].as_array().map(Vec::len), Some(n), "{key}");
                    }
                }
                for (i, (record, figures)) in
                    recording.requests.iter().zip(&metrics.requests).enumerate()
                {
                    let at = |key: &str| &file[key][i];
                    let prompt = figures.num_prompt_tokens.unwrap_or(0);
                    assert_eq!(
                        at("num_prompt_tokens").as_u64(),
                        Some(prompt),
                        "request {i}"
                    );
                    assert_eq!(
                        at("num_output_tokens").as_u64(),
                        Some(figures.num_output_tokens),
                        "request {i}"
                    );
                    assert_eq!(
                        at("num_total_tokens").as_u64(),
                        Some(prompt + figures.num_output_tokens),
                        "request {i}"
                    );
                    for (key, figure) in [
                        ("tpot", figures.tpot),
                        ("ttft", figures.ttft),
                        ("end_to_end_latency", figures.end_to_end_latency),
                        (
                            "normalized_end_to_end_latency",
                            figures.normalized_end_to_end_latency,
                        ),
                        ("output_throughput", figures.output_throughput),
                        ("deadline_miss_rate", figures.deadline_miss_rate),
                        ("min_tbt_deadline_to_meet", figures.min_tbt_deadline_to_meet),
                    ] {
                        assert_written_as(at(key), figure, &format!("{key} of request {i}"));
                    }
                    // The gaps the engine walks: its timeline after the TTFT.
                    let itt = RequestTimeline::from_record(record).inter_token_times;
                    let gaps = at("tbt").as_array().unwrap();
                    assert_eq!(
                        gaps.len(),
                        itt.len().saturating_sub(1),
                        "tbt of request {i}"
                    );
                    for (j, (written, gap)) in gaps.iter().zip(itt.iter().skip(1)).enumerate() {
                        assert_written_as(written, *gap, &format!("gap {j} of request {i}"));
                    }
                    let extra = &file["etalon_web"];
                    assert_eq!(extra["id"][i].as_u64(), Some(record.id));
                    assert_eq!(extra["id"][i].as_u64(), Some(figures.id));
                    assert_eq!(
                        extra["error"][i],
                        serde_json::to_value(&record.error).unwrap(),
                        "error of request {i}"
                    );
                    assert_eq!(record.error.is_none(), figures.completed);
                }
                assert_eq!(
                    file["etalon_web"]["deadlines"],
                    serde_json::to_value(&deadlines).unwrap()
                );
                assert_eq!(file["etalon_web"]["version"], 1);
            }
        }
    }
}

/// The one reader of Etalon's file gives `etalon-cli metrics` the file's
/// timelines exactly and the page a recording of them: the same ids, token
/// counts, prompt lengths, first visible tokens and failures either way, the
/// timelines equal to the rounding of the sums, and so the same figures.
#[test]
fn one_reader_gives_the_cli_the_files_times_and_the_page_their_recording() {
    let recording = varied_run(14);
    let deadlines = DeadlineConfig::fixed(0.3, 0.03, 0.1);
    let text = etalon_json(&recording, &deadlines);
    let value: Value = serde_json::from_str(&text).unwrap();
    assert!(is_etalon_file(&value));
    let file = read_etalon_file(&value).unwrap();
    assert_eq!(file.deadlines.as_ref(), Some(&deadlines));
    let imported = import_file("request_level_metrics.json", &text).unwrap();
    assert_eq!(imported.recording, file.recording());
    assert_eq!(file.requests.len(), recording.requests.len());
    for (i, request) in file.requests.iter().enumerate() {
        // The file's numbers, bit for bit.
        let ttft = value["ttft"][i].as_f64().unwrap();
        let gaps = value["tbt"][i]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_f64().unwrap());
        let written: Vec<f64> = std::iter::once(ttft).chain(gaps).collect();
        let timeline = request.timeline();
        let no_token = recording.requests[i].chunks.total_tokens() == 0;
        if no_token {
            assert!(timeline.inter_token_times.is_empty(), "request {i}");
        } else {
            assert_eq!(timeline.inter_token_times, written, "request {i}");
        }
        // The page's record: the same but for the sums' rounding.
        let mut from_record = RequestTimeline::from_record(&request.record());
        assert_eq!(
            from_record.inter_token_times.len(),
            timeline.inter_token_times.len()
        );
        for (a, b) in from_record
            .inter_token_times
            .iter()
            .zip(&timeline.inter_token_times)
        {
            assert!((a - b).abs() <= 1e-12, "request {i}: {a} vs {b}");
        }
        from_record.inter_token_times = timeline.inter_token_times.clone();
        assert_eq!(from_record, timeline, "request {i}");
        assert_eq!(timeline.id, recording.requests[i].id);
        // A request without any token (here one whose only read carried
        // none) reads back as failed, whatever the recording said.
        match (&recording.requests[i].error, no_token) {
            (None, true) => assert_eq!(
                request.error.as_ref().map(|e| e.kind),
                Some(ErrorKind::MalformedStream),
                "request {i}"
            ),
            (error, _) => assert_eq!(&request.error, error, "request {i}"),
        }
        assert_eq!(
            timeline.num_prompt_tokens,
            recording.requests[i].prompt_tokens.map(|c| c.count)
        );
    }
    let timelines: Vec<RequestTimeline> =
        file.requests.iter().map(EtalonRequest::timeline).collect();
    assert_same_figures(
        &run_metrics(&timelines, &deadlines),
        &recording_metrics(&imported.recording, &deadlines),
    );
    // Not Etalon's file: a recording, a list of something else, a number.
    for other in [
        serde_json::json!({"requests": [], "ttft": [1]}),
        serde_json::json!([{"id": 1}]),
        serde_json::json!([]),
        serde_json::json!(3),
    ] {
        assert!(!is_etalon_file(&other), "{other}");
    }
    assert!(is_etalon_file(&serde_json::json!({"tbt": []})));
}

/// The cells of one CSV line (quoted cells unquoted).
fn csv_cells(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// Every cell of the CSV holds the engine's figure, row by row: numbers
/// read back bit for bit, an unknown prompt length an empty cell, the
/// failure's kind and message (a formula kept from starting one).
#[test]
fn the_csv_holds_the_engines_figures_row_by_row() {
    let recording = varied_run(12);
    for deadlines in deadline_configs() {
        let metrics = recording_metrics(&recording, &deadlines);
        let csv = requests_csv(&recording, &deadlines);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), recording.requests.len() + 1);
        for (i, (record, figures)) in recording.requests.iter().zip(&metrics.requests).enumerate() {
            let cells = csv_cells(lines[i + 1]);
            assert_eq!(cells.len(), 12, "row {i}: {}", lines[i + 1]);
            assert_eq!(cells[0], record.id.to_string());
            for (cell, figure) in [
                (1, figures.ttft),
                (2, figures.tpot),
                (3, figures.end_to_end_latency),
                (4, figures.normalized_end_to_end_latency),
                (7, figures.fluidity_index),
                (8, figures.deadline_miss_rate),
            ] {
                let read: f64 = cells[cell].parse().unwrap();
                assert!(
                    read.to_bits() == figure.to_bits() || (read.is_nan() && figure.is_nan()),
                    "row {i}, cell {cell}: {} for {figure}",
                    cells[cell]
                );
            }
            assert_eq!(cells[5], figures.num_output_tokens.to_string());
            assert_eq!(
                cells[6],
                figures
                    .num_prompt_tokens
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            );
            assert_eq!(cells[9], figures.completed.to_string());
            let kind = record
                .error
                .as_ref()
                .map(|e| serde_json::to_value(e.kind).unwrap());
            assert_eq!(
                cells[10],
                kind.as_ref().and_then(Value::as_str).unwrap_or("")
            );
            let message = record.error.as_ref().map_or("", |e| e.message.as_str());
            let formula = message.starts_with(['=', '+', '-', '@']);
            assert_eq!(
                cells[11],
                if formula {
                    format!("'{message}")
                } else {
                    message.to_string()
                }
            );
        }
    }
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
        // 20 requests are too few to say where their worst 1 % lies.
        assert_eq!(fluid.better(i), None);
        assert_eq!(fluid.intervals[i], None);
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
