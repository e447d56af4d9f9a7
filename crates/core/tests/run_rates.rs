//! Throughput and goodput over a run's window, against hand-computed runs.

use etalon_core::metrics::{recording_metrics, run_rates, DeadlineConfig};
use etalon_core::recording::{
    Chunk, ErrorKind, Recording, RequestError, RequestRecord, RECORDING_VERSION,
};

/// A request sent at `sent` whose tokens arrive at `times` after it.
fn request(id: u64, sent: f64, times: &[f64]) -> RequestRecord {
    RequestRecord {
        id,
        sent_at: sent,
        scheduled_at: sent,
        headers_at: Some(0.0),
        ended_at: times.last().copied(),
        chunks: times
            .iter()
            .map(|&at| Chunk::visible(at, 1))
            .collect::<Vec<_>>()
            .into(),
        ..Default::default()
    }
}

fn recording(requests: Vec<RequestRecord>) -> Recording {
    Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 0.0,
        config: serde_json::Value::Null,
        environment: Default::default(),
        requests,
    }
}

#[test]
fn rates_count_completed_requests_and_their_tokens_over_the_window() {
    // A: sent at 0, 4 tokens, TTFT 0.05 s, gaps 0.02 s: good.
    // B: sent at 1, 3 tokens, TTFT 0.5 s: late first token, not good.
    // C: sent at 2, 3 tokens, gaps 0.1 s: TPOT 0.1 s above 0.05 s, not good.
    // D: sent at 2.5, failed after 0.5 s: not completed.
    // The window runs from A's send at 0 to D's end at 2.5 + 0.5 = 3 s.
    let mut failed = request(3, 2.5, &[]);
    failed.ended_at = Some(0.5);
    failed.error = Some(RequestError {
        kind: ErrorKind::Network,
        message: "The server could not be reached.".into(),
        status: None,
    });
    let run = recording(vec![
        request(0, 0.0, &[0.05, 0.07, 0.09, 0.11]),
        request(1, 1.0, &[0.5, 0.52, 0.54]),
        request(2, 2.0, &[0.05, 0.15, 0.25]),
        failed,
    ]);
    let metrics = recording_metrics(&run, &DeadlineConfig::fixed(0.1, 0.05, 0.1));
    let rates = run_rates(&run.requests, &metrics).unwrap();
    assert!((rates.window_seconds - 3.0).abs() < 1e-12);
    assert!((rates.requests_per_second - 1.0).abs() < 1e-12);
    assert!((rates.output_tokens_per_second - 10.0 / 3.0).abs() < 1e-12);
    assert_eq!(rates.good_requests, 1);
    assert!((rates.goodput - 1.0 / 3.0).abs() < 1e-12);

    // Looser deadlines make B and C good too.
    let loose = recording_metrics(&run, &DeadlineConfig::fixed(1.0, 0.2, 0.1));
    assert_eq!(run_rates(&run.requests, &loose).unwrap().good_requests, 3);
}

#[test]
fn a_run_without_a_window_has_no_rates() {
    let empty = recording(Vec::new());
    let metrics = recording_metrics(&empty, &DeadlineConfig::default());
    assert_eq!(run_rates(&empty.requests, &metrics), None);
    let mut instant = request(0, 1.0, &[]);
    instant.ended_at = Some(0.0);
    let run = recording(vec![instant]);
    let metrics = recording_metrics(&run, &DeadlineConfig::default());
    assert_eq!(run_rates(&run.requests, &metrics), None);
}
