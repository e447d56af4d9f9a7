//! What a user of each system would feel, from the figures: each system's
//! headline figures and pauses, the three sentences the demo says about
//! them, and which answer to watch. Every word that compares is chosen
//! from the figures; nothing here knows which system is "meant" to win.

use crate::metrics::{quantile_unsorted, recording_metrics, DeadlineConfig, RunMetrics};
use crate::present::report::{
    format_seconds, format_share, live_segments, worst_percent_fluidity, LiveSegment,
};
use crate::recording::{Recording, RequestRecord};

/// Two figures this close (the larger over the smaller at most this) are
/// "about the same" to a reader.
pub const ABOUT_THE_SAME: f64 = 1.25;
/// Fluidity-indexes this far apart (0.1 is 10 points) read differently.
pub const CLEARLY_SMOOTHER: f64 = 0.1;
/// The longest a watched answer may take, from its question to its last
/// piece, on either system: the demo plays in seconds, not minutes.
pub const MAX_WATCH_SECONDS: f64 = 20.0;

/// Where the answers of one system paused.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pauses {
    /// Completed answers.
    pub answers: usize,
    /// Completed answers that paused at least once.
    pub paused_answers: usize,
    /// Every pause of every completed answer, in seconds.
    pub lengths: Vec<f64>,
}

impl Pauses {
    /// The pauses of `recording`'s completed answers, by the rule the run
    /// screen's live text marks them with.
    pub fn of(recording: &Recording) -> Pauses {
        let mut pauses = Pauses::default();
        for record in recording.requests.iter().filter(|r| r.completed()) {
            let of_answer = pauses_of(record);
            pauses.answers += 1;
            pauses.paused_answers += usize::from(!of_answer.is_empty());
            pauses.lengths.extend(of_answer);
        }
        pauses
    }

    pub fn longest(&self) -> Option<f64> {
        self.lengths.iter().copied().reduce(f64::max)
    }

    /// The median pause.
    pub fn typical(&self) -> Option<f64> {
        quantile_unsorted(&mut self.lengths.clone(), 0.5)
    }
}

/// The pauses of one answer, in seconds (the wait for its first piece is
/// its time to first token, not a pause).
pub fn pauses_of(record: &RequestRecord) -> Vec<f64> {
    let pieces: Vec<(f64, String)> = record
        .chunks
        .arrival_times()
        .map(|at| (at, String::new()))
        .collect();
    live_segments(&pieces)
        .into_iter()
        .filter_map(|segment| match segment {
            LiveSegment::Stall(gap) => Some(gap),
            LiveSegment::Text(_) => None,
        })
        .collect()
}

/// The figures the demo shows of one system.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemFigures {
    pub metrics: RunMetrics,
    /// Median time per output token, seconds.
    pub tpot_p50: Option<f64>,
    /// Median time to first token, seconds.
    pub ttft_p50: Option<f64>,
    /// Fluidity-index of the median answer.
    pub fluidity_p50: Option<f64>,
    /// Fluidity-index of the worst 1 % of answers.
    pub fluidity_p1: Option<f64>,
    pub pauses: Pauses,
}

impl SystemFigures {
    pub fn of(recording: &Recording, deadlines: &DeadlineConfig) -> SystemFigures {
        let metrics = recording_metrics(recording, deadlines);
        let p = &metrics.service.percentiles;
        SystemFigures {
            tpot_p50: p.tpot.as_ref().map(|s| s.p50),
            ttft_p50: p.ttft.as_ref().map(|s| s.p50),
            fluidity_p50: p.fluidity_index.as_ref().map(|s| s.p50),
            fluidity_p1: worst_percent_fluidity(&metrics),
            pauses: Pauses::of(recording),
            metrics,
        }
    }

    /// Tokens a second at the median time per token.
    pub fn tokens_per_second(&self) -> Option<f64> {
        self.tpot_p50.filter(|t| *t > 0.0).map(|t| 1.0 / t)
    }
}

/// "33", "8.5": a speed in tokens a second as a sentence says it.
fn speed_text(tokens_per_second: f64) -> String {
    if tokens_per_second >= 10.0 {
        format!("{tokens_per_second:.0}")
    } else {
        format!("{tokens_per_second:.1}")
    }
}

/// The three sentences on what a user of each system feels: the average
/// speed, the pauses, and how smooth the least smooth answers were.
/// `names` are what the page calls the systems ("A", "B").
pub fn sentences(names: [&str; 2], figures: [&SystemFigures; 2]) -> [String; 3] {
    [
        speed_sentence(names, figures),
        pause_sentence(names, figures),
        smoothness_sentence(names, figures),
    ]
}

/// Whether two positive figures are within [`ABOUT_THE_SAME`].
fn about_the_same(a: f64, b: f64) -> bool {
    a > 0.0 && b > 0.0 && a.max(b) / a.min(b) <= ABOUT_THE_SAME
}

fn speed_sentence([a, b]: [&str; 2], [fa, fb]: [&SystemFigures; 2]) -> String {
    let waits = match (fa.ttft_p50, fb.ttft_p50) {
        (Some(x), Some(y)) => format!(
            "Typically {a} began an answer {} after its question and {b} after {}; ",
            format_seconds(x),
            format_seconds(y)
        ),
        _ => String::new(),
    };
    match (fa.tokens_per_second(), fb.tokens_per_second()) {
        (Some(x), Some(y)) if about_the_same(x, y) => format!(
            "{waits}once started, both wrote at about the same average speed: {} and {} \
             tokens a second (a token is a piece of a word).",
            speed_text(x),
            speed_text(y)
        ),
        (Some(x), Some(y)) => {
            let ((fast, f), (slow, s)) = if x > y {
                ((a, x), (b, y))
            } else {
                ((b, y), (a, x))
            };
            format!(
                "{waits}once started, {fast} wrote faster on average than {slow}: {} tokens a \
                 second against {} (a token is a piece of a word).",
                speed_text(f),
                speed_text(s)
            )
        }
        (Some(_), None) => format!("{b} finished no answer, so only {a} has a speed."),
        (None, Some(_)) => format!("{a} finished no answer, so only {b} has a speed."),
        (None, None) => "Neither system finished an answer.".to_string(),
    }
}

/// "A stopped in the middle of 24 of 100 answers, for 0.6 s at a time
/// (up to 1.2 s)", or "B never stopped in the middle of an answer".
fn pauses_phrase(name: &str, pauses: &Pauses) -> String {
    let (Some(typical), Some(longest)) = (pauses.typical(), pauses.longest()) else {
        return format!("{name} never stopped in the middle of an answer");
    };
    let times = pauses.lengths.len();
    let at_a_time = if times == 1 {
        format!("once, for {}", format_seconds(typical))
    } else {
        format!(
            "{times} times in all, typically for {} (the longest {})",
            format_seconds(typical),
            format_seconds(longest)
        )
    };
    format!(
        "{name} stopped in the middle of {} of its {} answers, {at_a_time}",
        pauses.paused_answers, pauses.answers
    )
}

fn pause_sentence([a, b]: [&str; 2], [fa, fb]: [&SystemFigures; 2]) -> String {
    if fa.pauses.lengths.is_empty() && fb.pauses.lengths.is_empty() {
        return format!("Neither {a} nor {b} stopped in the middle of an answer.");
    }
    format!(
        "{}; {}.",
        pauses_phrase(a, &fa.pauses),
        pauses_phrase(b, &fb.pauses)
    )
}

fn smoothness_sentence([a, b]: [&str; 2], [fa, fb]: [&SystemFigures; 2]) -> String {
    let (Some(x), Some(y)) = (fa.fluidity_p1, fb.fluidity_p1) else {
        return "Without finished answers on both, their smoothness cannot be compared.".into();
    };
    let figures = format!(
        "In the least smooth 1 % of answers, {} of the pieces came in time to keep a steady \
         reading pace of a piece every {} on {a}, and {} on {b} (their fluidity-index)",
        format_share(x),
        format_seconds(fa.metrics.deadlines.tbt_deadline),
        format_share(y)
    );
    let speeds_alike = match (fa.tokens_per_second(), fb.tokens_per_second()) {
        (Some(s), Some(t)) => about_the_same(s, t),
        _ => false,
    };
    let paused = |f: &SystemFigures| !f.pauses.lengths.is_empty();
    let who_paused = match (paused(fa), paused(fb)) {
        (true, true) => Some("both systems' pauses came".to_string()),
        (true, false) => Some(format!("{a}'s pauses came")),
        (false, true) => Some(format!("{b}'s pauses came")),
        (false, false) => None,
    };
    let ending = if let (true, Some(who)) = ((x - y).abs() < CLEARLY_SMOOTHER, &who_paused) {
        format!(
            "so a reader keeping a steady pace would find both about as smooth: {who} while the \
             text was well ahead of them"
        )
    } else if (x - y).abs() < CLEARLY_SMOOTHER {
        "so a reader would find both about as smooth".to_string()
    } else {
        let (rough, smooth) = if x < y { (a, b) } else { (b, a) };
        if speeds_alike {
            format!(
                "so {rough}'s answers freeze now and then where {smooth}'s flow, which the \
                 average speed does not show"
            )
        } else {
            format!("so {smooth}'s answers read more smoothly than {rough}'s")
        }
    };
    format!("{figures}, {ending}.")
}

/// Why the demo watches the answer it watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchReason {
    /// Of the answers short enough to watch, it paused longest in all, on
    /// either system.
    PausedMost,
    /// No answer short enough to watch paused: one from the middle of the load.
    NoPause,
}

/// The answer to watch on both systems (the same question sent to each),
/// by index into the recordings' requests: of those completed on both
/// within [`MAX_WATCH_SECONDS`], the one that paused longest in all on
/// either system (the nearest the middle of the load on a tie); `None`
/// when no answer qualifies.
pub fn watched_answer(recordings: [&Recording; 2]) -> Option<(usize, WatchReason)> {
    let count = recordings[0]
        .requests
        .len()
        .min(recordings[1].requests.len());
    let watchable = |i: usize| {
        recordings.iter().all(|r| {
            let record = &r.requests[i];
            record.completed()
                && !record.chunks.is_empty()
                && record.ended_at.is_some_and(|end| end <= MAX_WATCH_SECONDS)
        })
    };
    let paused_for = |i: usize| -> f64 {
        recordings
            .iter()
            .map(|r| pauses_of(&r.requests[i]).iter().sum::<f64>())
            .fold(0.0, f64::max)
    };
    let middle = count / 2;
    let best = (0..count)
        .filter(|&i| watchable(i))
        .map(|i| (i, paused_for(i)))
        .max_by(|(i, p), (j, q)| {
            p.total_cmp(q)
                .then_with(|| i.abs_diff(middle).cmp(&j.abs_diff(middle)).reverse())
        })?;
    let reason = if best.1 > 0.0 {
        WatchReason::PausedMost
    } else {
        WatchReason::NoPause
    };
    Some((best.0, reason))
}
