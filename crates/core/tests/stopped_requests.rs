//! Stopped is not failed: a request the user stopped is counted apart from
//! the failures, leaves the error rate alone, and the tokens it received
//! count wherever a figure is defined for part of an answer (TTFT and the
//! gaps between tokens); what needs a whole answer (TPOT, latency,
//! fluidity-index) counts finished requests only. A connection lost after
//! tokens came is named as a drop mid-answer. Hand-computed run.

use etalon_core::metrics::{recording_metrics, DeadlineConfig};
use etalon_core::observe::failure::{
    aborted_error, connection_lost, fetch_failure, http_status_error,
};
use etalon_core::present::report::{error_rate, error_rows, errors_summary, Report};
use etalon_core::recording::{ErrorKind, Recording, RequestError, RequestRecord};

fn with_error(mut record: RequestRecord, error: RequestError) -> RequestRecord {
    record.error = Some(error);
    record
}

/// Three finished answers, two stopped (one after 3 tokens, one before
/// any), one dropped after 2 tokens, one refused with HTTP 500.
fn run() -> Recording {
    let requests = vec![
        RequestRecord::from_arrivals(0, &[0.10, 0.12, 0.14]),
        RequestRecord::from_arrivals(1, &[0.20, 0.23, 0.26]),
        RequestRecord::from_arrivals(2, &[0.30, 0.34, 0.38]),
        with_error(
            RequestRecord::from_arrivals(3, &[0.40, 0.90, 1.40]),
            aborted_error(),
        ),
        with_error(
            RequestRecord {
                id: 4,
                ..Default::default()
            },
            aborted_error(),
        ),
        with_error(
            RequestRecord::from_arrivals(5, &[0.05, 0.06]),
            connection_lost(2),
        ),
        with_error(
            RequestRecord {
                id: 6,
                ..Default::default()
            },
            http_status_error(500, None),
        ),
    ];
    Recording {
        version: 1,
        started_at_unix_ms: 0.0,
        config: serde_json::Value::Null,
        environment: Default::default(),
        requests,
    }
}

#[test]
fn stopped_requests_are_counted_apart_from_failures() {
    let metrics = recording_metrics(&run(), &DeadlineConfig::default());
    let service = &metrics.service;
    assert_eq!(service.launched, 7);
    assert_eq!(service.completed, 3);
    assert_eq!(service.stopped, 2);
    assert_eq!(service.errored, 2);
    assert!(!service.errored_by_kind.contains_key(&ErrorKind::Aborted));
    assert_eq!(service.errored_by_kind[&ErrorKind::Network], 1);
    // 2 failures among the 5 requests that were let finish.
    assert_eq!(error_rate(&metrics), Some(2.0 / 5.0));
}

#[test]
fn a_stopped_answers_first_token_and_gaps_count() {
    let metrics = recording_metrics(&run(), &DeadlineConfig::default());
    let p = &metrics.service.percentiles;
    // TTFT: 0.10, 0.20, 0.30 finished and 0.40 stopped; the dropped and the
    // refused requests do not count.
    let ttft = p.ttft.as_ref().unwrap();
    assert_eq!(ttft.count, 4);
    assert!((ttft.p50 - 0.25).abs() < 1e-12, "{ttft:?}");
    assert!((ttft.max - 0.40).abs() < 1e-12, "{ttft:?}");
    // Gaps: 0.02 x2, 0.03 x2, 0.04 x2 finished, 0.5 x2 stopped.
    let tbt = p.tbt.as_ref().unwrap();
    assert_eq!(tbt.count, 8);
    assert!((tbt.max - 0.5).abs() < 1e-12, "{tbt:?}");
    // What needs a whole answer counts the three finished ones.
    assert_eq!(p.tpot.as_ref().unwrap().count, 3);
    assert_eq!(p.fluidity_index.as_ref().unwrap().count, 3);
    assert_eq!(p.end_to_end_latency.as_ref().unwrap().count, 3);
    // The TBT chart draws the same gaps the table counts.
    let report = Report::of(&run(), &DeadlineConfig::default());
    assert_eq!(report.metrics.service.percentiles.tbt, p.tbt);
}

#[test]
fn a_drop_mid_answer_is_named_and_stopped_requests_are_said_apart() {
    let recording = run();
    let rows = error_rows(&recording.requests);
    let labels: Vec<(&str, u64)> = rows.iter().map(|r| (r.label, r.count)).collect();
    assert_eq!(
        labels,
        vec![("stopped", 2), ("HTTP error", 1), ("dropped mid-answer", 1)]
    );
    let drop = rows.iter().find(|r| r.mid_answer).unwrap();
    assert!(
        drop.sentence()
            .starts_with("1 request lost the connection in the middle of the answer."),
        "{}",
        drop.sentence()
    );
    // A server that cannot be reached at all is still "unreachable".
    let unreachable = with_error(
        RequestRecord {
            id: 9,
            ..Default::default()
        },
        fetch_failure("http://127.0.0.1:9/v1/chat/completions", None, false),
    );
    assert_eq!(error_rows(&[unreachable])[0].label, "unreachable");
    assert_eq!(
        errors_summary(&rows, 7),
        "2 of the 5 requests not stopped failed (40.0 %), and 2 were stopped before they finished."
    );
    let stopped_only: Vec<_> = rows
        .iter()
        .filter(|r| r.kind == ErrorKind::Aborted)
        .cloned()
        .collect();
    assert_eq!(
        errors_summary(&stopped_only, 5),
        "No request failed; 2 were stopped before they finished."
    );
}
