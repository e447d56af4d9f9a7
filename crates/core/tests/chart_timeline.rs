//! The request timeline's deadline replay: its missed and total counts are
//! the docs/METRICS.md loop's (transcribed here, and the metrics engine's), on
//! hand-made timelines with stalls whose counts were printed by CPython;
//! deadlines, banked slack and missed deadlines in time; the marks on
//! screen; the explainer's two streams.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::metrics::{deadline_miss_count, floor_div, FirstToken};
use etalon_core::present::chart::{
    answer_end, coord, crowded, deadline_timeline, example_streams, explainer_layout,
    subpath_count, timeline_layout, timeline_summary, token_columns, TokenDeadline, END_MARGIN,
    EXPLAINER_TBT_DEADLINE, TOKEN_COLUMN,
};
use proptest::prelude::*;

/// docs/METRICS.md's pseudocode, line by line.
fn pseudocode(itt: &[f64], dp: f64, dd: f64) -> (u64, u64) {
    let (mut slack, mut total, mut missed) = (0.0, 0.0, 0.0);
    for (i, &t) in itt.iter().enumerate() {
        let d = if i == 0 { dp } else { dd };
        if t <= d + slack {
            slack += d - t;
            total += 1.0;
            continue;
        }
        let m = if i == 0 {
            1.0 + floor_div(t - slack - dp, dd)
        } else {
            floor_div(t - slack, dd)
        };
        missed += m;
        total += m;
        slack = 0.0;
    }
    (missed as u64, total as u64)
}

fn replay_counts(itt: &[f64], dp: f64, dd: f64) -> (u64, u64) {
    let s = timeline_summary(&deadline_timeline(itt, dp, dd));
    (s.missed, s.deadlines)
}

/// A timeline, its TTFT and TBT deadlines, and (missed, total) as printed
/// by CPython running the docs/METRICS.md loop.
type Case = (Vec<f64>, f64, f64, (u64, u64));

fn hand_made() -> Vec<Case> {
    let mut smooth = vec![0.2];
    smooth.extend([0.05; 20]);
    let mut stalling = vec![0.2];
    stalling.extend([0.05; 6]);
    stalling.push(0.57);
    stalling.extend([0.01; 13]);
    vec![
        // Banked slack covers a slow gap.
        (vec![0.05, 0.14, 0.1], 0.1, 0.1, (0, 3)),
        // A stall of 350 ms misses three 100 ms deadlines.
        (vec![0.1, 0.35, 0.1], 0.1, 0.1, (3, 5)),
        // A late first token.
        (vec![0.35], 0.1, 0.1, (3, 3)),
        // Python's floor division: 0.9 // 0.1 == 8.
        (vec![0.0, 1.0], 0.1, 0.1, (8, 9)),
        // Bursts, a long stall, a second one after banking.
        (
            vec![0.3, 0.02, 0.02, 0.9, 0.01, 0.01, 0.01, 0.25, 0.05],
            0.5,
            0.05,
            (14, 21),
        ),
        (smooth, 0.25, 0.06, (0, 21)),
        (stalling, 0.25, 0.06, (7, 27)),
        // Exactly on the deadline is on time; exact multiples.
        (vec![1.0, 0.1, 0.2, 0.3], 1.0, 0.1, (4, 6)),
        // Zero gaps (several tokens in one chunk) around a 2 s stall.
        (vec![0.5, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0], 0.2, 0.1, (19, 24)),
    ]
}

#[test]
fn replay_counts_match_the_pseudocode_and_the_metrics() {
    for (itt, dp, dd, cpython) in hand_made() {
        let replay = replay_counts(&itt, dp, dd);
        assert_eq!(replay, cpython, "{itt:?}");
        assert_eq!(pseudocode(&itt, dp, dd), cpython, "{itt:?}");
        let m = deadline_miss_count(&itt, dp, dd, FirstToken::Counted);
        assert_eq!((m.missed_deadlines, m.total_deadlines), cpython, "{itt:?}");
    }
}

#[test]
fn a_stall_in_time() {
    let tokens = deadline_timeline(&[0.1, 0.35, 0.1], 0.1, 0.1);
    let t: Vec<(f64, f64, f64, bool, u32)> = tokens
        .iter()
        .map(|t| {
            (
                round(t.arrival),
                round(t.deadline),
                round(t.banked_slack),
                t.late,
                t.missed,
            )
        })
        .collect();
    assert_eq!(
        t,
        vec![
            (0.1, 0.1, 0.0, false, 0),
            // Waited from 0.1, deadline 0.2; missed 0.2, 0.3 and 0.4.
            (0.45, 0.2, 0.0, true, 3),
            // The walk restarts at the late token: next deadline 0.45 + 0.1.
            (0.55, 0.55, 0.0, false, 0),
        ]
    );
    let missed: Vec<f64> = tokens[1].missed_deadlines(0.1).map(round).collect();
    assert_eq!(missed, vec![0.2, 0.3, 0.4]);
    assert_eq!(tokens[1].waited_from, 0.1);
    let summary = timeline_summary(&tokens);
    assert_eq!(summary.stalls.len(), 1);
    assert_eq!(
        (round(summary.stalls[0].start), round(summary.stalls[0].end)),
        (0.1, 0.45)
    );
    assert_eq!(summary.met(), 2);
}

#[test]
fn banked_slack_is_the_lead_on_the_deadline() {
    let tokens = deadline_timeline(&[0.05, 0.02, 0.02], 0.1, 0.05);
    for t in &tokens {
        assert!(!t.late);
        assert!(
            (t.deadline - t.arrival - t.banked_slack).abs() < 1e-12,
            "{t:?}"
        );
    }
    // Deadlines keep their schedule: 0.1, 0.15, 0.2.
    let deadlines: Vec<f64> = tokens.iter().map(|t| round(t.deadline)).collect();
    assert_eq!(deadlines, vec![0.1, 0.15, 0.2]);
}

#[test]
fn a_late_first_token_misses_from_the_ttft_deadline_on() {
    let tokens = deadline_timeline(&[0.35], 0.1, 0.1);
    let missed: Vec<f64> = tokens[0].missed_deadlines(0.1).map(round).collect();
    assert_eq!(missed, vec![0.1, 0.2, 0.3]);
}

#[test]
fn timeline_marks_count_tokens_deadlines_and_stalls() {
    let itt = [0.1, 0.35, 0.1, 0.01, 0.01];
    let tokens = deadline_timeline(&itt, 0.1, 0.1);
    let layout = timeline_layout(&tokens, 0.1, None, 640.0, 140.0);
    let c = layout.marks.counts;
    assert_eq!((c.tokens_on_time, c.tokens_late), (4, 1));
    // The last two tokens' deadlines (0.65 s, 0.75 s) fall after the answer
    // ended (0.57 s): cut with the axis.
    assert_eq!((c.deadlines_met, c.deadlines_missed, c.stalls), (2, 3, 1));
    assert_eq!(subpath_count(&layout.marks.tokens_on_time), 4);
    assert_eq!(subpath_count(&layout.marks.tokens_late), 1);
    assert_eq!(subpath_count(&layout.marks.deadlines_missed), 3);
    assert_eq!(subpath_count(&layout.marks.stalls), 1);
    assert!(layout.x_scale.domain.1 >= 0.57);
    assert_eq!(layout.x.title, "Time since the request was sent (ms)");
    // A window shows only what falls in it.
    let zoomed = timeline_layout(&tokens, 0.1, Some((0.0, 0.3)), 640.0, 140.0);
    assert_eq!(zoomed.marks.counts.tokens_on_time, 1);
    assert_eq!(zoomed.marks.counts.deadlines_missed, 2);
    assert_eq!(zoomed.marks.counts.stalls, 1);
}

/// The testbed's `stalls` shape: a token every 20 ms after 20 ms, with a
/// `pause` before token 20.
fn paused_stream(pause: f64) -> Vec<f64> {
    let mut itt = vec![0.02; 40];
    itt[19] += pause;
    itt
}

#[test]
fn a_pause_covered_by_banked_slack_is_marked_as_a_pause() {
    // 0.52 s after 0.62 s banked: no deadline missed, still a pause.
    let tokens = deadline_timeline(&paused_stream(0.5), 0.1, 0.05);
    let summary = timeline_summary(&tokens);
    assert_eq!(summary.missed, 0);
    assert!(summary.stalls.is_empty());
    assert_eq!(summary.pauses.len(), 1);
    assert_eq!(summary.covered_pauses(), 1);
    let pause = summary.pauses[0];
    assert_eq!((pause.token, pause.late), (19, false));
    assert_eq!((round(pause.start), round(pause.end)), (0.38, 0.9));
    assert_eq!(round(pause.lead), 0.62);

    let layout = timeline_layout(&tokens, 0.05, None, 640.0, 140.0);
    let m = &layout.marks;
    assert_eq!((m.counts.pauses, m.counts.stalls), (1, 0));
    assert_eq!(subpath_count(&m.pauses), 1);
    assert_eq!(m.stalls, "");
    // The outline spans the pause over the token row, with its label inside.
    let (x0, x1) = (layout.x_scale.apply(0.38), layout.x_scale.apply(0.9));
    assert!(
        m.pauses.starts_with(&format!("M{},", coord(x0))),
        "{}",
        m.pauses
    );
    assert_eq!(m.pause_labels.len(), 1);
    let label = &m.pause_labels[0];
    assert_eq!(label.text, "paused 0.52 s");
    assert!((label.x - (x0 + x1) / 2.0).abs() < 1e-9);
    assert!(label.y > layout.lane.deadline_y && label.y < layout.lane.bottom);
    // Too narrow for its words, the pause keeps its outline.
    let narrow = timeline_layout(&tokens, 0.05, None, 160.0, 140.0);
    assert_eq!(narrow.marks.counts.pauses, 1);
    assert!(narrow.marks.pause_labels.is_empty());
}

#[test]
fn a_pause_that_misses_deadlines_is_a_pause_and_a_stall() {
    let tokens = deadline_timeline(&paused_stream(1.5), 0.1, 0.05);
    let summary = timeline_summary(&tokens);
    assert_eq!(summary.pauses.len(), 1);
    assert_eq!(summary.covered_pauses(), 0);
    assert!(summary.pauses[0].late);
    assert_eq!(summary.stalls.len(), 1);
    let m = timeline_layout(&tokens, 0.05, None, 640.0, 140.0).marks;
    assert_eq!((m.counts.pauses, m.counts.stalls), (1, 1));
    // A steady stream has neither.
    let steady = deadline_timeline(&[0.02; 40], 0.1, 0.05);
    assert!(timeline_summary(&steady).pauses.is_empty());
    let m = timeline_layout(&steady, 0.05, None, 640.0, 140.0).marks;
    assert_eq!((m.counts.pauses, m.pauses.as_str()), (0, ""));
    assert!(m.pause_labels.is_empty());
}

#[test]
fn the_explainer_streams_have_equal_speed_and_different_fluidity() {
    let [smooth, stalling] = example_streams();
    assert_eq!(smooth.tokens.len(), stalling.tokens.len());
    assert!((smooth.duration() - stalling.duration()).abs() < 1e-9);
    assert_eq!((smooth.summary.missed, smooth.summary.deadlines), (0, 21));
    assert_eq!(
        (stalling.summary.missed, stalling.summary.deadlines),
        (7, 27)
    );
    assert_eq!(smooth.share_met(), 1.0);
    let m = deadline_miss_count(
        &stalling.itt,
        0.25,
        EXPLAINER_TBT_DEADLINE,
        FirstToken::Counted,
    );
    assert!((stalling.share_met() - m.fluidity_index()).abs() < 1e-15);
    let layout = explainer_layout(640.0, 200.0);
    assert_eq!(layout.lanes.len(), 2);
    assert!(layout.lanes[0].0.bottom < layout.lanes[1].0.top);
    assert_eq!(layout.lanes[0].1.counts.tokens_on_time, 21);
    assert_eq!(layout.lanes[1].1.counts.deadlines_missed, 7);
}

fn round(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}

fn gaps() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![
            4 => 0.0f64..0.08,
            1 => Just(0.0),
            1 => Just(0.05),
            1 => 0.1f64..2.0,
        ],
        0..300,
    )
}

proptest! {
    #[test]
    fn replay_matches_the_metrics_on_any_timeline(
        itt in gaps(),
        dp in prop_oneof![Just(0.1), Just(0.25), 0.01f64..2.0],
        dd in prop_oneof![Just(0.05), Just(0.1), 0.005f64..0.2],
    ) {
        let tokens: Vec<TokenDeadline> = deadline_timeline(&itt, dp, dd);
        prop_assert_eq!(tokens.len(), itt.len());
        let m = deadline_miss_count(&itt, dp, dd, FirstToken::Counted);
        prop_assert_eq!(replay_counts(&itt, dp, dd), (m.missed_deadlines, m.total_deadlines));
        prop_assert_eq!(pseudocode(&itt, dp, dd), (m.missed_deadlines, m.total_deadlines));
        for t in &tokens {
            prop_assert!(t.banked_slack >= 0.0);
            if t.late {
                // Every missed deadline passed before the token came.
                for d in t.missed_deadlines(dd) {
                    prop_assert!(d <= t.arrival + 1e-9);
                }
            } else {
                prop_assert!(t.arrival <= t.deadline + 1e-9);
            }
        }
    }
}

// Hostile sizes (issue 19, item 2): marks stay bounded by the chart's
// width, however many tokens or missed deadlines the timeline holds.

#[test]
fn a_million_tokens_at_one_instant_draw_a_bounded_timeline() {
    let mut itt = vec![0.0; 1_000_000];
    itt[0] = 0.1;
    let tokens = deadline_timeline(&itt, 1.0, 0.05);
    let layout = timeline_layout(&tokens, 0.05, None, 640.0, 140.0);
    let m = &layout.marks;
    // All at one instant: counted, into one column.
    assert_eq!(subpath_count(&m.token_columns), 1);
    assert_eq!(m.tokens_on_time, "");
    // The deadlines spread over 50,000 s: at most one marker per quarter
    // of a unit of the chart's width.
    assert!(
        subpath_count(&m.deadlines_met) <= 4 * 640,
        "{}",
        subpath_count(&m.deadlines_met)
    );
    assert_eq!(subpath_count(&m.slack), 1);
    assert_eq!(m.counts.tokens_on_time, 1_000_000);
}

#[test]
fn a_stall_of_days_at_a_millisecond_deadline_draws_a_bounded_timeline() {
    // 6 days late at 1 ms: about 5e8 missed deadlines.
    let tokens = deadline_timeline(&[0.1, 6.0 * 86_400.0], 1.0, 0.001);
    assert!(tokens[1].missed > 500_000_000);
    let layout = timeline_layout(&tokens, 0.001, None, 640.0, 140.0);
    let drawn = subpath_count(&layout.marks.deadlines_missed);
    assert!((1..=4 * 640 + 4).contains(&drawn), "{drawn}");
    assert!(layout.x_scale.domain.1 >= 6.0 * 86_400.0);
}

/// A 128-token answer at 20 ms a token, with `pause` more before token 64.
fn long_answer(pause: f64) -> Vec<f64> {
    let mut itt = vec![0.02; 128];
    itt[0] = 0.08;
    itt[64] += pause;
    itt
}

#[test]
fn the_timeline_ends_with_the_answer_not_with_its_banked_deadlines() {
    // 30 ms banked per token at a 50 ms deadline: the last deadline falls
    // about 3.8 s after the last token.
    let tokens = deadline_timeline(&long_answer(0.0), 0.1, 0.05);
    let last = tokens.last().unwrap();
    assert!(last.deadline - last.arrival > 3.0);
    let layout = timeline_layout(&tokens, 0.05, None, 900.0, 150.0);
    let end = answer_end(&tokens);
    assert!((end - 2.62).abs() < 1e-9, "{end}");
    assert_eq!(layout.x_scale.domain.0, 0.0);
    assert!((layout.x_scale.domain.1 - end * (1.0 + END_MARGIN)).abs() < 1e-9);
    // The last token sits near the right edge, and every tick is inside.
    let x = layout.x_scale.apply(end);
    assert!(layout.frame.right - x < 0.04 * layout.frame.plot_width());
    assert!(layout
        .x
        .ticks
        .iter()
        .all(|t| t.value <= layout.x_scale.domain.1));
    // No answer: a bounded, non-empty axis.
    let empty = timeline_layout(&[], 0.05, None, 900.0, 150.0);
    assert!(empty.x_scale.domain.1 > 0.0);
}

#[test]
fn at_phone_width_tokens_are_counted_per_column_and_the_stall_stays_apart() {
    // 2.5 s of pause after 1.9 s banked: a stall.
    let tokens = deadline_timeline(&long_answer(2.5), 0.1, 0.05);
    assert_eq!(timeline_summary(&tokens).stalls.len(), 1);
    // A phone: 342 px wide, about 258 px of plot for 5.1 s, 1 px a token.
    let phone = timeline_layout(&tokens, 0.05, None, 342.0, 150.0);
    let m = &phone.marks;
    assert_eq!(m.tokens_on_time, "", "ticks would merge: counted instead");
    assert_eq!(m.counts.tokens_on_time, 127);
    assert_eq!(subpath_count(&m.token_columns), m.counts.token_columns);
    assert!(m.counts.token_columns <= (phone.frame.plot_width() / TOKEN_COLUMN) as usize + 2);
    // The tokens flow for 2.6 s of the 5.3 s shown: half the plot, about
    // 30 columns.
    assert!(
        (25..=40).contains(&m.counts.token_columns),
        "{}",
        m.counts.token_columns
    );
    // The late token keeps its own tick, its stall its hatch, its missed
    // deadlines their markers.
    assert_eq!(subpath_count(&m.tokens_late), 1);
    assert_eq!(subpath_count(&m.stalls), 1);
    assert!(subpath_count(&m.deadlines_missed) >= 1);
    // The pause is a blank stretch between columns.
    let lane = phone.lane;
    let xs: Vec<f64> = tokens
        .iter()
        .filter(|t| !t.late)
        .map(|t| phone.x_scale.apply(t.arrival))
        .collect();
    let columns = token_columns(&xs, lane.deadline_y + 2.0, lane.bottom);
    let widest_gap = columns
        .windows(2)
        .map(|w| w[1].0 - (w[0].0 + w[0].2))
        .fold(0.0, f64::max);
    let pause_px = phone.x_scale.apply(2.5) - phone.x_scale.apply(0.0);
    assert!(
        widest_gap > pause_px - 2.0 * TOKEN_COLUMN,
        "{widest_gap} vs {pause_px}"
    );
    // Columns stay apart even when all hold as many tokens.
    assert!(columns.windows(2).all(|w| w[1].0 >= w[0].0 + w[0].2 + 0.5));
    // On a desktop the same answer is drawn token by token.
    let desktop = timeline_layout(&tokens, 0.05, None, 1300.0, 150.0);
    assert_eq!(desktop.marks.counts.token_columns, 0);
    assert_eq!(subpath_count(&desktop.marks.tokens_on_time), 127);
}

#[test]
fn a_column_height_is_its_count_against_the_fullest() {
    // Three tokens in one 4 px column, one alone in another.
    let bars = token_columns(&[100.5, 101.0, 102.0, 120.0], 10.0, 40.0);
    assert_eq!(bars.len(), 2);
    assert_eq!(bars[0], (100.0, 10.0, 3.0, 30.0));
    let (x, y, w, h) = bars[1];
    assert_eq!((x, w), (120.0, 3.0));
    assert!(
        (h - 10.5).abs() < 1e-9 && (y + h - 40.0).abs() < 1e-9,
        "{h}"
    );
    assert!(crowded(&[0.0, 1.0, 2.0, 3.0]));
    assert!(
        !crowded(&[0.0, 5.0, 10.0, 15.0, 16.0]),
        "one close pair in four"
    );
    assert!(crowded(&[0.0, 5.0, 10.0, 11.0]), "one in three");
    assert!(!crowded(&[3.0]));
}
