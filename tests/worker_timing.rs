//! The measurement worker stamps each read when it arrives, not later: in
//! headless Chromium, the app's real worker (through the page's automation
//! hook) reads testbed streams whose send times are known, one request at a
//! time, and its stamps are checked against the schedule itself, not only
//! against each other. Gaps alone would miss a worker that stamps every
//! read late by the same few milliseconds (say, at the drain that parses
//! it, 10 ms later): the delay cancels out of every gap, not out of the
//! time since the request was sent.
//!
//! The testbed's `steady@rate=50,prefill_ms=40` sends token `i` (from 0)
//! at 40 ms + i x 20 ms after the request arrived, which is after the
//! browser sent it: no chunk can be seen before its scheduled offset from
//! the send, and on loopback the best-placed reads come a few milliseconds
//! after it (the request's trip there, the chunk's back).
//!
//! Not checked here: that each stamp is earlier than the drain that parsed
//! it. Neither the recording nor the automation hook says when a drain ran.

use std::time::Duration;

use etalon_e2e::{OpenApp, Testbed};
use serde_json::{json, Value};

/// The profile, and its prefill and gap in seconds.
const MODEL: &str = "steady@rate=50,prefill_ms=40";
const PREFILL: f64 = 0.040;
const GAP: f64 = 0.020;
const TOKENS: usize = 20;
const REQUESTS: usize = 12;

/// Bounds, seconds, with what 20 runs on the 2-core test machine gave
/// (most under a load average of 6 to 10, other builds running). Every
/// chunk's offset from its schedule (its stamp less the send, less
/// PREFILL + i x GAP) is at least 0 by causality: a stamp 10 ms late makes
/// every offset at least 10 ms, so any upper bound below 10 ms fails it
/// whatever the machine's load. A stamp before its schedule (less the
/// timer's resolution) was taken early.
const EARLIEST: f64 = -0.000_1;
/// The smallest offset of the run: the best-placed read's trip (request
/// there, chunk back, stamp). Measured 2.8-4.1 ms; 13.0-13.2 ms with
/// stamps 10 ms late, 8.1 ms with stamps 5 ms late.
const BEST_LATEST: f64 = 0.008;
/// The first token's time after the response's headers (stamped when
/// `fetch` resolved), less the prefill, median over requests: the request's
/// own trip cancels out (the headers leave the server when it arrived).
/// Measured -0.4 to 0.8 ms; 10.4-11.0 ms with stamps 10 ms late.
const AFTER_HEADERS: (f64, f64) = (-0.003, 0.004);
/// The median of |browser gap - profile gap|: the testbed's timer is part
/// of it (its own gaps are off the profile's by 0.2-0.4 ms at the median).
/// Measured 0.28-0.82 ms (once 3.6 ms, at a load average near 10).
const PROFILE_GAP_ERROR: f64 = 0.002;
/// The median of |browser gap - server gap|, the gap the testbed says it
/// made (`server_sent_at`). Measured 0.06-0.10 ms, late stamps or not.
const SERVER_GAP_ERROR: f64 = 0.0005;

fn order(url: &str, requests: usize) -> Value {
    let body = json!({
        "model": MODEL,
        "messages": [{"role": "user", "content": "Count to twenty."}],
        "max_tokens": TOKENS, "stream": true, "stream_options": {"include_usage": true},
    })
    .to_string();
    let requests: Vec<Value> = (0..requests)
        .map(|id| json!({"id": id, "at": 0.0, "body": body}))
        .collect();
    json!({
        "run_id": 1,
        "endpoint": {"url": url, "headers": []},
        "requests": requests,
        "concurrency": 1,
        "timeout_seconds": 10.0,
    })
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    }
}

fn percentile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn ms(values: &[f64]) -> String {
    let shown: Vec<String> = values.iter().map(|v| format!("{:.2}", v * 1e3)).collect();
    format!("[{}] ms", shown.join(", "))
}

#[tokio::test]
async fn stamps_are_as_early_as_the_schedule_allows() {
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open().await;
    let url = format!("{}/v1/chat/completions", testbed.base_url);
    // The worker warmed up, and one short run first (connection, CORS
    // preflight, the stamping loop's first calls), as a user's warm-up does.
    app.browser
        .wait_for("window.etalonReady === true", Duration::from_secs(30))
        .await;
    app.run(&order(&url, 2)).await;

    let recording = app.run(&order(&url, REQUESTS)).await;
    let records = recording["requests"].as_array().unwrap();
    assert_eq!(records.len(), REQUESTS, "{recording}");
    let (mut offsets, mut firsts, mut gap_errors) = (Vec::new(), Vec::new(), Vec::new());
    let (mut after_headers, mut trips) = (Vec::new(), Vec::new());
    let (mut server_errors, mut versus_server) = (Vec::new(), Vec::new());
    for record in records {
        assert!(record["error"].is_null(), "{record}");
        let chunks = record["chunks"].as_array().unwrap();
        let at: Vec<f64> = chunks.iter().map(|c| c["at"].as_f64().unwrap()).collect();
        let tokens: u64 = chunks.iter().map(|c| c["tokens"].as_u64().unwrap()).sum();
        assert_eq!(tokens, TOKENS as u64, "{record}");
        // One token per chunk on this profile; two chunks sharing a read
        // share its stamp, each still has its own schedule.
        assert_eq!(at.len(), TOKENS, "{record}");
        firsts.push(at[0] - PREFILL);
        after_headers.push(at[0] - record["headers_at"].as_f64().unwrap() - PREFILL);
        let own: Vec<f64> = at
            .iter()
            .enumerate()
            .map(|(i, t)| t - (PREFILL + i as f64 * GAP))
            .collect();
        trips.push(own.iter().copied().fold(f64::INFINITY, f64::min));
        offsets.extend(own);
        gap_errors.extend(at.windows(2).map(|w| (w[1] - w[0] - GAP).abs()));
        let sent: Vec<f64> = chunks
            .iter()
            .map(|c| c["server_sent_at"].as_f64().unwrap())
            .collect();
        server_errors.extend(sent.windows(2).map(|w| (w[1] - w[0] - GAP).abs()));
        versus_server.extend(
            at.windows(2)
                .zip(sent.windows(2))
                .map(|(b, s)| ((b[1] - b[0]) - (s[1] - s[0])).abs()),
        );
    }
    let earliest = offsets.iter().copied().fold(f64::INFINITY, f64::min);
    let typical_trip = median(&trips);
    let after_headers_median = median(&after_headers);
    let profile_gap_error = median(&gap_errors);
    let server_gap_error = (median(&versus_server), percentile(&versus_server, 0.9));
    println!(
        "worker timing, {REQUESTS} requests of {TOKENS} tokens at {:.0} ms gaps after {:.0} ms: \
         offset from schedule min {:.2} ms (median over all chunks {:.2} ms), requests' \
         smallest at the median {:.2} ms; first token after headers less prefill, median \
         {:.2} ms; |browser gap - profile gap| median {:.3} ms (the server's own {:.3} ms); \
         |browser gap - server gap| median {:.3} ms, p90 {:.3} ms\n  \
         first token's offset by request {}\n  after headers less prefill {}",
        GAP * 1e3,
        PREFILL * 1e3,
        earliest * 1e3,
        median(&offsets) * 1e3,
        typical_trip * 1e3,
        after_headers_median * 1e3,
        profile_gap_error * 1e3,
        median(&server_errors) * 1e3,
        server_gap_error.0 * 1e3,
        server_gap_error.1 * 1e3,
        ms(&firsts),
        ms(&after_headers),
    );

    // (b) Absolute: from the send, never before the schedule, and soon after.
    assert!(
        earliest >= EARLIEST,
        "a chunk stamped {:.2} ms before the server could have sent it",
        -earliest * 1e3
    );
    assert!(
        earliest <= BEST_LATEST,
        "even the best-placed chunk was stamped {:.2} ms after its schedule (at most {:.1} ms): \
         are reads stamped late?",
        earliest * 1e3,
        BEST_LATEST * 1e3
    );
    assert!(
        (AFTER_HEADERS.0..=AFTER_HEADERS.1).contains(&after_headers_median),
        "the first token {:.2} ms after the headers and the prefill at the median \
         (from {:.0} to {:.0} ms): {}",
        after_headers_median * 1e3,
        AFTER_HEADERS.0 * 1e3,
        AFTER_HEADERS.1 * 1e3,
        ms(&after_headers)
    );
    // (a) Gaps: the profile's, and read for read the server's.
    assert!(
        profile_gap_error <= PROFILE_GAP_ERROR,
        "median |gap - profile gap| {:.3} ms (at most {:.1} ms)",
        profile_gap_error * 1e3,
        PROFILE_GAP_ERROR * 1e3
    );
    assert!(
        server_gap_error.0 <= SERVER_GAP_ERROR,
        "|browser gap - server gap| median {:.3} ms (at most {:.1} ms)",
        server_gap_error.0 * 1e3,
        SERVER_GAP_ERROR * 1e3
    );
    app.browser.close().await;
}
