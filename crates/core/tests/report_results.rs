//! The results screen's figures: headline cards read the metrics engine's
//! values exactly, the percentile table, the errors table in sentences,
//! warnings, the request picker, the export file's name, and a deadline
//! change recomputing the report from the recording.

use etalon_core::metrics::{quantile_sorted, recording_metrics, sort_floats, DeadlineConfig};
use etalon_core::present::report::*;
use etalon_core::recording::{
    Bursts, Environment, ErrorKind, Recording, RequestError, RequestRecord, RECORDING_VERSION,
};

fn failed(id: u64, kind: ErrorKind, message: &str) -> RequestRecord {
    RequestRecord {
        id,
        error: Some(RequestError {
            kind,
            message: message.into(),
            status: None,
        }),
        ..Default::default()
    }
}

/// Ten requests: steady ones at 20 ms per token, some with a stall; one
/// timeout and two HTTP errors.
fn recording() -> Recording {
    let mut requests = Vec::new();
    for id in 0..10u64 {
        let ttft = 0.1 + 0.01 * id as f64;
        let mut arrivals = vec![ttft];
        for k in 1..30 {
            let stall = if id % 3 == 0 && k == 15 { 1.0 } else { 0.0 };
            arrivals.push(arrivals[k - 1] + 0.02 + stall);
        }
        requests.push(RequestRecord::from_arrivals(id, &arrivals));
    }
    requests.push(failed(10, ErrorKind::Timeout, "No answer within 60 s."));
    requests.push(failed(
        12,
        ErrorKind::HttpStatus,
        "The server said 429: slow down.",
    ));
    requests.push(failed(11, ErrorKind::HttpStatus, "The server said 500."));
    Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 1_741_529_107_250.0,
        config: serde_json::json!({"setup": {"endpoint": "http://127.0.0.1:8000",
            "request": {"model": "steady"}}}),
        environment: Environment::default(),
        requests,
    }
}

#[test]
fn headlines_show_the_engines_figures_exactly() {
    let recording = recording();
    let deadlines = DeadlineConfig::fixed(0.2, 0.05, 0.1);
    let metrics = recording_metrics(&recording, &deadlines);
    let cards = headlines(&metrics);
    let keys: Vec<&str> = cards.iter().map(|c| c.key).collect();
    for key in [
        "fluid-rate",
        "fluidity-median",
        "fluidity-p1",
        "ttft-p50",
        "ttft-p99",
        "tbt-p50",
        "tpot-p50",
        "normalized-latency-p50",
        "error-rate",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    let card = |key: &str| cards.iter().find(|c| c.key == key).unwrap();
    let p = &metrics.service.percentiles;
    assert_eq!(
        card("fluid-rate").value,
        metrics.service.fluid_token_generation_rate
    );
    assert_eq!(card("ttft-p50").value, Some(p.ttft.as_ref().unwrap().p50));
    assert_eq!(card("ttft-p99").value, Some(p.ttft.as_ref().unwrap().p99));
    assert_eq!(card("tpot-p50").value, Some(p.tpot.as_ref().unwrap().p50));
    assert_eq!(
        card("fluidity-median").value,
        Some(p.fluidity_index.as_ref().unwrap().p50)
    );
    assert_eq!(card("error-rate").value, Some(3.0 / 13.0));
    assert_eq!(card("error-rate").display, "23.1 %");
    assert_eq!(card("ttft-p50").test_id(), "headline-ttft-p50");
    assert_eq!(card("ttft-p50").statistic, "median (p50)");

    // p1 fluidity: the numpy 1 % quantile of the completed requests' values.
    let mut fluidity: Vec<f64> = metrics
        .requests
        .iter()
        .filter(|r| r.completed)
        .map(|r| r.fluidity_index)
        .collect();
    sort_floats(&mut fluidity);
    assert_eq!(card("fluidity-p1").value, quantile_sorted(&fluidity, 0.01));
    assert!(card("fluidity-p1").value < card("fluidity-median").value);
    for c in &cards {
        assert!(!c.explanation.is_empty());
        assert_eq!(c.explanation, c.metric.explanation());
    }
}

#[test]
fn a_run_with_nothing_completed_has_dashes_not_zeros() {
    let mut recording = recording();
    recording.requests.retain(|r| r.error.is_some());
    let report = Report::of(&recording, &DeadlineConfig::default());
    let fluid = report.headline("fluid-rate").unwrap();
    assert_eq!((fluid.value, fluid.display.as_str()), (None, NO_FIGURE));
    assert_eq!(report.headline("error-rate").unwrap().value, Some(1.0));
    assert!(report.percentile_rows.iter().all(|r| r.values.is_none()));
    assert!(report.choices.is_empty() && report.least_fluid.is_none());
    let warnings = run_warnings(&recording, false);
    assert!(warnings
        .iter()
        .any(|w| w.kind == WarningKind::NothingCompleted));
}

#[test]
fn moving_the_tbt_deadline_recomputes_fluidity() {
    let recording = recording();
    let loose = Report::of(&recording, &DeadlineConfig::fixed(0.2, 0.05, 0.1));
    let tight = Report::of(
        &recording,
        &with_tbt_deadline(&DeadlineConfig::fixed(0.2, 0.05, 0.1), 0.005),
    );
    let median = |r: &Report| r.headline("fluidity-median").unwrap().value.unwrap();
    assert!(
        median(&tight) < median(&loose),
        "{} vs {}",
        median(&tight),
        median(&loose)
    );
    // Figures that do not depend on the deadlines stay.
    assert_eq!(
        tight.headline("ttft-p50").unwrap().value,
        loose.headline("ttft-p50").unwrap().value
    );
    assert_eq!(tight.miss_curve, loose.miss_curve);
    assert_eq!(loose.miss_curve.len(), 100);
    assert_eq!(loose.samples.ttft.len(), 10);
    assert_eq!(loose.samples.fluidity_index.len(), 10);
    assert_eq!(tbt_gaps(&recording).len(), 10 * 29);
}

#[test]
fn the_percentile_table_has_every_column_of_every_metric() {
    let report = Report::of(&recording(), &DeadlineConfig::fixed(0.2, 0.05, 0.1));
    assert_eq!(
        PERCENTILE_COLUMNS,
        ["p50", "p90", "p95", "p99", "mean", "min", "max"]
    );
    let names: Vec<Metric> = report.percentile_rows.iter().map(|r| r.metric).collect();
    for metric in [
        Metric::Ttft,
        Metric::Tbt,
        Metric::Tpot,
        Metric::NormalizedLatency,
        Metric::FluidityIndex,
    ] {
        assert!(names.contains(&metric), "{metric:?}");
    }
    // No reasoning: the first visible token is the first token, not repeated.
    assert!(!names.contains(&Metric::TimeToFirstVisibleToken));
    let ttft = &report.percentile_rows[0];
    assert_eq!(ttft.count, 10);
    let values = ttft.values.unwrap();
    assert_eq!(values[5], 0.1); // min
    assert_eq!(ttft.cells[5], "100 ms");
    let tbt = report
        .percentile_rows
        .iter()
        .find(|r| r.metric == Metric::Tbt)
        .unwrap();
    assert_eq!(tbt.count, 290);
}

#[test]
fn errors_are_grouped_in_plain_sentences() {
    let recording = recording();
    let rows = error_rows(&recording.requests);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].kind, ErrorKind::HttpStatus);
    assert_eq!(rows[0].count, 2);
    // The first message is the lowest id's, whatever the order of records.
    assert_eq!(rows[0].example, "The server said 500.");
    assert_eq!(rows[0].example_id, 11);
    assert_eq!(rows[0].label, "HTTP error");
    assert_eq!(
        rows[1].sentence(),
        "1 request timed out. First message: No answer within 60 s."
    );
    assert!(rows[0]
        .sentence()
        .starts_with("2 requests got an HTTP error from the server."));
    assert_eq!(
        errors_summary(&rows, 13),
        "3 of 13 requests failed (23.1 %)."
    );
    assert_eq!(errors_summary(&[], 13), "No request failed.");
}

#[test]
fn warnings_say_what_may_be_wrong() {
    let mut recording = recording();
    assert!(run_warnings(&recording, false).is_empty());
    recording.environment.hidden_intervals = vec![(1.0, 4.0), (10.0, 12.5)];
    assert_eq!(hidden_seconds(&recording.environment), 5.5);
    let warnings = run_warnings(&recording, true);
    let kinds: Vec<WarningKind> = warnings.iter().map(|w| w.kind).collect();
    assert_eq!(kinds, [WarningKind::Hidden, WarningKind::Stopped]);
    assert!(
        warnings[0].sentence.contains("hidden for 6 s"),
        "{}",
        warnings[0].sentence
    );
    assert!(warnings[1].sentence.contains("only the 10 requests"));
    for record in &mut recording.requests {
        let mut bursts = Bursts::default();
        bursts.count_read(3);
        bursts.count_read(3);
        record.bursts = Some(bursts);
    }
    let warnings = run_warnings(&recording, false);
    assert!(warnings.iter().any(|w| w.kind == WarningKind::Bursty));
}

#[test]
fn the_request_picker_starts_with_the_least_fluid_request() {
    let report = Report::of(&recording(), &DeadlineConfig::fixed(0.2, 0.05, 0.1));
    assert_eq!(report.choices.len(), 10);
    assert_eq!(report.choices[0].id, 0);
    assert!(
        report.choices[0].label.starts_with("#0: "),
        "{}",
        report.choices[0].label
    );
    assert!(report.choices[0].label.ends_with("30 tokens"));
    // Requests 0, 3, 6, 9 stall; the picker starts on the least fluid.
    let least = report.least_fluid.unwrap();
    assert!([0, 3, 6, 9].contains(&least), "{least}");
    let fluidity = |id: u64| {
        report
            .metrics
            .requests
            .iter()
            .find(|r| r.id == id)
            .unwrap()
            .fluidity_index
    };
    assert!(report
        .metrics
        .requests
        .iter()
        .filter(|r| r.completed)
        .all(|r| r.fluidity_index >= fluidity(least)));
    assert!(fluidity(least) < 1.0);
    let (itt, ttft_deadline) = request_timeline(&recording(), &report.metrics, 3).unwrap();
    assert_eq!(itt.len(), 30);
    assert_eq!(ttft_deadline, 0.2);
    assert!(request_timeline(&recording(), &report.metrics, 99).is_none());
}

#[test]
fn the_export_file_is_named_by_the_runs_start() {
    // 2025-03-09 14:05:07.250 UTC.
    assert_eq!(
        recording_file_name(1_741_529_107_250.0),
        "etalon-recording-2025-03-09T14-05-07Z.json"
    );
    assert_eq!(
        recording_file_name(0.0),
        "etalon-recording-1970-01-01T00-00-00Z.json"
    );
    // A leap day.
    assert_eq!(
        recording_file_name(951_782_400_000.0),
        "etalon-recording-2000-02-29T00-00-00Z.json"
    );
    let recording = recording();
    let text = recording_json(&recording);
    let back: Recording = serde_json::from_str(&text).unwrap();
    assert_eq!(back.requests.len(), recording.requests.len());
    assert_eq!(back.config, recording.config);
    assert!(
        text.contains("\"started_at_unix_ms\": 1741529107250.0"),
        "{text}"
    );
    assert_eq!(
        run_caption(&recording),
        "13 requests to model \"steady\" at http://127.0.0.1:8000"
    );
}
