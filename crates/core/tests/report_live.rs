//! The run screen's live figures: quantiles by selection agree with the
//! metrics' numpy rule, records are taken in once each, a new run starts
//! over; and the live text's stalls and replay pace.

use etalon_core::metrics::{quantile_sorted, sort_floats};
use etalon_core::present::report::*;
use etalon_core::recording::{ErrorKind, RequestError, RequestRecord};
use proptest::prelude::*;

fn failed(id: u64) -> RequestRecord {
    RequestRecord {
        id,
        error: Some(RequestError {
            kind: ErrorKind::Timeout,
            message: "No answer within 60 s.".into(),
            status: None,
        }),
        ..Default::default()
    }
}

proptest! {
    #[test]
    fn selected_quantiles_equal_sorted_quantiles(
        mut values in prop::collection::vec(0.0f64..10.0, 1..300),
    ) {
        let mut sorted = values.clone();
        sort_floats(&mut sorted);
        let got = quantiles_unsorted(&mut values, &LIVE_CDF_LEVELS);
        for (level, value) in LIVE_CDF_LEVELS.iter().zip(got) {
            prop_assert_eq!(value, quantile_sorted(&sorted, *level).unwrap());
        }
    }
}

#[test]
fn a_large_figure_is_thinned_evenly_and_stays_close() {
    let mut sample = ThinnedSample::default();
    let n = 1_000_000;
    // Values in a scrambled order, uniform on [0, 1).
    for i in 0..n {
        sample.push(((i as u64 * 7919) % n as u64) as f64 / n as f64);
    }
    assert_eq!(sample.count(), n);
    assert!(sample.kept() <= LIVE_SAMPLE_CAP && sample.kept() >= LIVE_SAMPLE_CAP / 4);
    let spread = sample.spread().unwrap();
    assert_eq!(spread.count, n);
    for (got, want) in [(spread.p50, 0.5), (spread.p90, 0.9), (spread.p99, 0.99)] {
        assert!((got - want).abs() < 0.01, "{got} vs {want}");
    }
    // Below the cap, every value is kept: exact.
    let mut small = ThinnedSample::default();
    for v in [3.0, 1.0, 2.0] {
        small.push(v);
    }
    assert_eq!((small.kept(), small.spread().unwrap().p50), (3, 2.0));
}

#[test]
fn the_summary_is_reused_until_new_records_come() {
    let mut live = LiveDistributions::new();
    let records = vec![
        RequestRecord::from_arrivals(0, &[0.5, 0.6]),
        RequestRecord::from_arrivals(1, &[0.2, 0.25]),
    ];
    live.absorb(1, &records[..1]);
    let first = live.summary();
    live.absorb(1, &records[..1]);
    assert_eq!(live.summary(), first);
    live.absorb(1, &records);
    assert_ne!(live.summary(), first);
}

#[test]
fn the_sketch_follows_the_distribution() {
    let mut values: Vec<f64> = (0..1000).map(|i| f64::from(i) / 1000.0).collect();
    let spread = LiveSpread::of(&mut values).unwrap();
    assert_eq!(spread.count, 1000);
    for (i, v) in spread.sketch.iter().enumerate() {
        let level = (i as f64 + 0.5) / LIVE_SKETCH_POINTS as f64;
        assert!((v - level * 0.999).abs() < 1e-9, "{i}: {v}");
    }
}

#[test]
fn quantiles_of_nothing_are_nan() {
    let got = quantiles_unsorted(&mut [], &[0.5]);
    assert!(got[0].is_nan());
    assert!(LiveSpread::of(&mut []).is_none());
}

#[test]
fn live_distributions_take_each_record_once() {
    let records = vec![
        RequestRecord::from_arrivals(0, &[0.5, 0.6, 0.7]),
        failed(1),
        RequestRecord::from_arrivals(2, &[0.3, 0.35]),
    ];
    let mut live = LiveDistributions::new();
    live.absorb(7, &records[..1]);
    let first = live.summary();
    assert_eq!((first.completed, first.failed), (1, 0));
    assert_eq!(first.ttft.as_ref().unwrap().p50, 0.5);
    live.absorb(7, &records);
    live.absorb(7, &records); // again: nothing new
    let summary = live.summary();
    assert_eq!((summary.completed, summary.failed), (2, 1));
    let ttft = summary.ttft.unwrap();
    assert_eq!(ttft.count, 2);
    assert_eq!(ttft.p50, 0.4);
    let tbt = summary.tbt.unwrap();
    assert_eq!(tbt.count, 3);
    assert_eq!(tbt.cdf.len(), LIVE_CDF_LEVELS.len());
    assert_eq!(tbt.sketch.len(), LIVE_SKETCH_POINTS);
    assert!(tbt.sketch.windows(2).all(|w| w[0] <= w[1]));
    assert!((tbt.cdf.last().unwrap().0 - 0.1).abs() < 1e-12);
    assert!((tbt.p50 - 0.1).abs() < 1e-12);

    // Another run starts over.
    live.absorb(8, &records[1..2]);
    let other = live.summary();
    assert_eq!((other.completed, other.failed), (0, 1));
    assert!(other.ttft.is_none() && other.tbt.is_none());
}

fn pieces(arrivals: &[f64]) -> Vec<(f64, String)> {
    arrivals
        .iter()
        .enumerate()
        .map(|(i, &at)| (at, format!("w{i} ")))
        .collect()
}

#[test]
fn a_long_pause_is_marked_as_a_stall() {
    // Steady 10 ms gaps, one 0.8 s pause before the 6th piece.
    let arrivals = [0.5, 0.51, 0.52, 0.53, 0.54, 1.34, 1.35, 1.36];
    let live = pieces(&arrivals);
    assert!((typical_gap(&live).unwrap() - 0.01).abs() < 1e-9);
    let segments = live_segments(&live);
    assert_eq!(segments.len(), 3, "{segments:?}");
    assert_eq!(segments[0], LiveSegment::Text("w0 w1 w2 w3 w4 ".into()));
    match segments[1] {
        LiveSegment::Stall(gap) => {
            assert!((gap - 0.8).abs() < 1e-9);
            assert_eq!(stall_marker(gap), "⏸ 0.8 s");
        }
        ref other => panic!("{other:?}"),
    }
    assert_eq!(segments[2], LiveSegment::Text("w5 w6 w7 ".into()));
}

#[test]
fn no_stall_in_a_steady_or_short_stream() {
    // The wait for the first piece is the TTFT, not a stall.
    let steady = pieces(&[2.0, 2.05, 2.1, 2.15]);
    assert_eq!(live_segments(&steady).len(), 1);
    // A pause 4x the rhythm but under a tenth of a second goes unnoticed.
    let jitter = pieces(&[0.1, 0.11, 0.12, 0.2, 0.21]);
    assert_eq!(live_segments(&jitter).len(), 1);
    assert!(!is_stall(0.08, Some(0.01)));
    assert!(is_stall(0.15, Some(0.01)));
    assert_eq!(stall_marker(0.15), "⏸ 0.15 s");
    assert_eq!(stall_marker(0.5), "⏸ 0.5 s");
    assert_eq!(stall_marker(1.25), "⏸ 1.2 s");
    assert!(!is_stall(0.3, Some(0.1)));
    assert!(!is_stall(5.0, None));
    assert!(live_segments(&[]).is_empty());
    // Pieces that came together do not make the rhythm 0.
    let bursts = pieces(&[0.1, 0.1, 0.1, 0.2, 0.2, 0.3]);
    assert!((typical_gap(&bursts).unwrap() - 0.1).abs() < 1e-9);
    assert_eq!(stall_marker(12.4), "⏸ 12 s");
}

#[test]
fn only_the_latest_text_is_laid_out() {
    let live = pieces(&[0.1, 0.2, 0.3, 0.4]); // "w0 " .. "w3 ": 3 chars each
    assert_eq!(tail_start(&live, 100), 0);
    assert_eq!(tail_start(&live, 6), 2);
    assert_eq!(tail_start(&live, 7), 2);
    // The last piece shows even when it alone is too long.
    assert_eq!(tail_start(&live, 1), 3);
    assert_eq!(tail_start(&[], 10), 0);
}

#[test]
fn pieces_are_due_at_their_pace_after_the_first() {
    let live = pieces(&[0.5, 0.51, 0.6, 1.5]);
    assert_eq!(pieces_due(&live, 0.0), 1);
    assert_eq!(pieces_due(&live, 0.01), 2);
    assert_eq!(pieces_due(&live, 0.5), 3);
    assert_eq!(pieces_due(&live, 1.0), 4);
    assert_eq!(pieces_due(&live, -3.0), 1);
    assert_eq!(pieces_due(&[], 5.0), 0);
}
