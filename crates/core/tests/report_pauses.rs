//! What the results say about a run's pauses, on hand-made recordings
//! shaped like the testbed's `stalls` profile (a token every 20 ms, pauses
//! before tokens 20 and 60): a pause that banked slack covered, one a
//! reader sees, both in one answer, and none. The stricter deadline the
//! note names is checked against the metrics engine itself.

use etalon_core::metrics::{recording_metrics, DeadlineConfig};
use etalon_core::present::report::{PauseNote, Report};
use etalon_core::recording::{Environment, Recording, RequestRecord, RECORDING_VERSION};

/// Arrivals of 100 tokens: the first at 20 ms, then one every 20 ms, with
/// `pause` seconds more before each token (1-based) in `before`.
fn arrivals(pause: f64, before: &[usize]) -> Vec<f64> {
    let mut at = vec![0.02];
    for token in 2..=100 {
        let extra = if before.contains(&token) { pause } else { 0.0 };
        at.push(at[at.len() - 1] + 0.02 + extra);
    }
    at
}

fn recording(answers: Vec<Vec<f64>>) -> Recording {
    Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 1_741_529_107_250.0,
        config: serde_json::json!({}),
        environment: Environment::default(),
        requests: answers
            .iter()
            .enumerate()
            .map(|(id, at)| RequestRecord::from_arrivals(id as u64, at))
            .collect(),
    }
}

fn note(recording: &Recording, deadlines: &DeadlineConfig) -> PauseNote {
    Report::of(recording, deadlines)
        .pauses
        .expect("the answers paused")
}

#[test]
fn a_pause_covered_by_banked_slack_is_told_with_the_deadline_that_would_show_it() {
    let run = recording(vec![arrivals(0.5, &[20, 60])]);
    let defaults = DeadlineConfig::default();
    assert_eq!(
        recording_metrics(&run, &defaults).service.fluidity_index,
        1.0
    );
    let note = note(&run, &defaults);
    assert_eq!(
        (note.pauses, note.covered, note.missed_deadlines),
        (2, 2, 0)
    );
    // Before the first pause: 80 ms from the first token, then 30 ms on each
    // of 18 tokens.
    assert!((note.least_lead.unwrap() - 0.62).abs() < 1e-9, "{note:?}");
    // Slack before it at deadline d: 0.08 + 18 (d - 0.02); the 0.52 s gap
    // is late once d + slack < 0.52, that is below 42.1 ms.
    assert_eq!(note.seen_at, Some(0.042));
    assert_eq!(
        note.sentence,
        "The answer paused 0.52 s twice, but each time it was at least 0.62 s ahead of a \
         reading pace of 50 ms per token, so a reader would not notice; at 42 ms per token a \
         reader would."
    );
    // The metrics engine agrees: deadlines are missed at 42 ms, none at 43 ms.
    let at = |tbt: f64| recording_metrics(&run, &DeadlineConfig::fixed(0.1, tbt, 0.1));
    assert!(at(0.042).service.missed_deadlines > 0);
    assert_eq!(at(0.043).service.missed_deadlines, 0);
}

#[test]
fn a_pause_a_reader_sees_says_how_many_deadlines_it_missed() {
    let run = recording(vec![arrivals(1.5, &[20, 60])]);
    let defaults = DeadlineConfig::default();
    let metrics = recording_metrics(&run, &defaults);
    assert!(
        metrics.service.fluidity_index < 0.9,
        "{}",
        metrics.service.fluidity_index
    );
    let note = note(&run, &defaults);
    assert_eq!((note.pauses, note.covered, note.seen_at), (2, 0, None));
    // Only the pauses miss deadlines: the note's count is the engine's.
    assert_eq!(note.missed_deadlines, metrics.service.missed_deadlines);
    assert_eq!(
        note.sentence,
        format!(
            "The answer paused 1.5 s twice, and a reader would notice: at a reading pace of \
             50 ms per token, the pauses missed {} deadlines.",
            metrics.service.missed_deadlines
        )
    );
}

#[test]
fn one_pause_seen_and_one_covered_are_both_told() {
    // 1 s: the first pause outlasts the 0.62 s banked before it; the second
    // comes 1.17 s ahead and is covered.
    let run = recording(vec![arrivals(1.0, &[20, 60])]);
    let defaults = DeadlineConfig::default();
    let metrics = recording_metrics(&run, &defaults);
    let note = note(&run, &defaults);
    assert_eq!((note.pauses, note.covered), (2, 1));
    assert_eq!(note.missed_deadlines, metrics.service.missed_deadlines);
    assert_eq!(
        note.sentence,
        format!(
            "The answer paused 1.0 s twice. At a reading pace of 50 ms per token, 1 of the 2 \
             pauses came while the answer was far enough ahead that a reader would not notice; \
             the other 1 missed {} deadlines.",
            metrics.service.missed_deadlines
        )
    );
}

#[test]
fn a_steady_answer_has_no_pause_note() {
    let run = recording(vec![arrivals(0.0, &[]), arrivals(0.0, &[])]);
    assert_eq!(Report::of(&run, &DeadlineConfig::default()).pauses, None);
    // A slow first token is a slow start, not a pause.
    let mut late_start = arrivals(0.0, &[]);
    for at in &mut late_start {
        *at += 2.0;
    }
    assert_eq!(
        Report::of(&recording(vec![late_start]), &DeadlineConfig::default()).pauses,
        None
    );
}

#[test]
fn several_answers_are_counted_in_the_note() {
    let paused = arrivals(0.5, &[20, 60]);
    let all = recording(vec![paused.clone(), paused.clone(), paused.clone()]);
    assert_eq!(
        note(&all, &DeadlineConfig::default()).sentence,
        "All 3 answers paused 0.52 s twice each, but each time they were at least 0.62 s ahead \
         of a reading pace of 50 ms per token, so a reader would not notice; at 42 ms per \
         token a reader would."
    );
    let some = recording(vec![
        paused.clone(),
        arrivals(0.0, &[]),
        arrivals(0.5, &[20]),
    ]);
    let note = note(&some, &DeadlineConfig::default());
    assert_eq!(note.pauses, 3);
    assert!(
        note.sentence
            .starts_with("2 of 3 answers paused 0.52 s, 3 times in all, but each time they"),
        "{}",
        note.sentence
    );
}

#[test]
fn a_pause_no_per_token_deadline_would_show_says_so() {
    // A first token 9.98 s ahead of a 10 s TTFT deadline covers the pauses
    // at any TBT deadline.
    let run = recording(vec![arrivals(0.5, &[20, 60])]);
    let note = note(&run, &DeadlineConfig::fixed(10.0, 0.05, 0.1));
    assert_eq!((note.covered, note.seen_at), (2, None));
    assert!(
        note.sentence
            .ends_with("so a reader would not notice; even at 1 ms per token a reader would not."),
        "{}",
        note.sentence
    );
    assert_eq!(
        recording_metrics(&run, &DeadlineConfig::fixed(10.0, 0.001, 0.1))
            .service
            .missed_deadlines,
        0
    );
}

#[test]
fn a_pause_shorter_than_the_deadline_is_allowed_by_the_pace() {
    let run = recording(vec![arrivals(0.2, &[50])]);
    let deadlines = DeadlineConfig::fixed(0.1, 0.5, 0.1);
    let note = note(&run, &deadlines);
    assert_eq!(note.least_lead, None);
    assert!(
        note.sentence.starts_with(
            "The answer paused 0.22 s once, but a reading pace of 500 ms per token allows a \
             pause that long, so a reader would not notice; at "
        ),
        "{}",
        note.sentence
    );
    let seen_at = note.seen_at.unwrap();
    let at = |tbt: f64| recording_metrics(&run, &DeadlineConfig::fixed(0.1, tbt, 0.1));
    assert!(at(seen_at).service.missed_deadlines > 0);
    assert_eq!(at(seen_at + 0.001).service.missed_deadlines, 0);
}
