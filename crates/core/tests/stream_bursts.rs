//! Burst detection: a stream whose output events arrive several per read is
//! flagged (see `recording::Bursts` for the definition).

use etalon_core::observe::stream::StreamRecorder;
use etalon_core::recording::Bursts;

const TOKEN: &str = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n";
const ROLE: &str = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n";

/// Reads carrying the given numbers of output events.
fn bursts_of(events_per_read: &[usize]) -> Option<Bursts> {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
    recorder.on_headers(0.0, 200, Some("text/event-stream"));
    for (i, &events) in events_per_read.iter().enumerate() {
        let read = format!("{ROLE}{}", TOKEN.repeat(events));
        recorder.on_read(i as f64, read.as_bytes());
    }
    recorder.finish().bursts
}

#[test]
fn one_event_per_read_is_not_bursty() {
    let bursts = bursts_of(&[1; 50]).unwrap();
    assert_eq!(
        bursts,
        Bursts {
            events: 50,
            events_in_bursts: 0,
            largest_burst: 1,
            bursty: false
        }
    );
}

#[test]
fn a_proxy_that_delivers_everything_at_once_is_bursty() {
    let bursts = bursts_of(&[40]).unwrap();
    assert_eq!(
        bursts,
        Bursts {
            events: 40,
            events_in_bursts: 40,
            largest_burst: 40,
            bursty: true
        }
    );
}

#[test]
fn half_of_the_events_in_bursts_is_the_threshold() {
    // 2 + 2 shared, 4 alone: 4 of 8 in bursts.
    assert!(bursts_of(&[2, 2, 1, 1, 1, 1]).unwrap().bursty);
    // 2 shared, 5 alone: 2 of 7.
    assert!(!bursts_of(&[2, 1, 1, 1, 1, 1]).unwrap().bursty);
}

#[test]
fn too_few_events_are_never_bursty() {
    let bursts = bursts_of(&[3]).unwrap();
    assert_eq!(bursts.events_in_bursts, 3);
    assert!(!bursts.bursty);
    assert!(bursts_of(&[2, 2]).unwrap().bursty, "4 events is enough");
}

#[test]
fn reads_without_output_are_not_counted() {
    assert_eq!(bursts_of(&[0, 0]), None);
    let bursts = bursts_of(&[0, 1, 0, 1]).unwrap();
    assert_eq!(bursts.events, 2);
}

#[test]
fn several_tokens_in_one_event_are_not_a_burst() {
    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
    recorder.on_headers(0.0, 200, Some("text/event-stream"));
    for i in 1..=10u64 {
        let event = format!(
            "data: {{\"choices\":[{{\"delta\":{{\"content\":\"abc\"}}}}],\"usage\":{{\"completion_tokens\":{}}}}}\n\n",
            3 * i
        );
        recorder.on_read(i as f64, event.as_bytes());
    }
    let record = recorder.finish();
    assert_eq!(record.counted_output_tokens(), 30);
    assert!(!record.bursts.unwrap().bursty);
}

#[test]
fn counting_reads_by_hand_matches_the_definition() {
    let mut bursts = Bursts::default();
    bursts.count_read(0);
    assert_eq!(bursts, Bursts::default());
    bursts.count_read(1);
    bursts.count_read(3);
    assert_eq!(
        bursts,
        Bursts {
            events: 4,
            events_in_bursts: 3,
            largest_burst: 3,
            bursty: true
        }
    );
    bursts.count_read(1);
    bursts.count_read(1);
    assert!(bursts.bursty, "3 of 6 in bursts is half: bursty");
    bursts.count_read(1);
    assert!(!bursts.bursty, "3 of 7 is less than half");
    assert_eq!(bursts.largest_burst, 3);
}
