//! Whether a reader would have noticed a run's pauses. A pause (the rule
//! the live text marks with ⏸, [`crate::present::pause`]) misses no
//! deadline when the stream was far enough ahead of its deadlines: then
//! the fluidity-index stays at 100 % and the results say why, and at what
//! stricter TBT deadline a reader would notice it. Each pause is judged by
//! the metrics' deadline walk, replayed ([`deadline_walk`]).

use crate::metrics::{RunMetrics, RunProfile};
use crate::present::chart::{deadline_walk, format_count, format_value, Unit};
use crate::present::pause::{pause_length, pauses_in};

/// Where the completed requests paused: what no deadline changes, found
/// once per recording.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunPauses {
    /// `(request's index in the profile, positions of its paused tokens)`,
    /// for the completed requests that paused.
    requests: Vec<(usize, Vec<usize>)>,
    /// Completed requests with at least one token.
    answers: usize,
}

impl RunPauses {
    /// The pauses of `profile`'s completed requests.
    pub fn of(profile: &RunProfile) -> Self {
        let done = profile
            .timelines()
            .iter()
            .enumerate()
            .filter(|(_, t)| t.error.is_none() && !t.inter_token_times.is_empty());
        let mut pauses = RunPauses::default();
        for (i, timeline) in done {
            pauses.answers += 1;
            let at = pauses_in(&timeline.inter_token_times);
            if !at.is_empty() {
                pauses.requests.push((i, at));
            }
        }
        pauses
    }

    /// How many completed requests paused.
    pub fn requests(&self) -> usize {
        self.requests.len()
    }
}

/// What the results say about a run's pauses under one deadline
/// configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct PauseNote {
    /// Pauses in all.
    pub pauses: usize,
    /// Those that missed no deadline.
    pub covered: usize,
    /// Deadlines the other pauses missed.
    pub missed_deadlines: u64,
    /// The longest pause, seconds.
    pub longest: f64,
    /// The least slack banked before a covered pause that needed slack (one
    /// longer than the TBT deadline), seconds.
    pub least_lead: Option<f64>,
    /// When every pause was covered: the largest whole-millisecond TBT
    /// deadline at which at least one of them misses deadlines (`None` when
    /// none does, down to 1 ms).
    pub seen_at: Option<f64>,
    /// The note in words.
    pub sentence: String,
}

/// What a pause did under one TBT deadline.
#[derive(Debug, Clone, Copy)]
struct Judged {
    length: f64,
    lead: f64,
    late: bool,
    missed: u32,
}

/// The note on `pauses` (of `profile`) under `metrics`' deadlines; `None`
/// when no completed request paused.
pub fn pause_note(
    profile: &RunProfile,
    pauses: &RunPauses,
    metrics: &RunMetrics,
) -> Option<PauseNote> {
    if pauses.requests.is_empty() {
        return None;
    }
    let tbt = metrics.deadlines.tbt_deadline;
    let judged: Vec<Vec<Judged>> = pauses
        .requests
        .iter()
        .map(|(i, at)| judge(profile, metrics, *i, at, tbt))
        .collect();
    let all = || judged.iter().flatten();
    let count = all().count();
    let covered = all().filter(|j| !j.late).count();
    let missed_deadlines = all().filter(|j| j.late).map(|j| u64::from(j.missed)).sum();
    let longest = all().map(|j| j.length).fold(0.0, f64::max);
    let shortest = all().map(|j| j.length).fold(f64::INFINITY, f64::min);
    let least_lead = all()
        .filter(|j| !j.late && j.length > tbt)
        .map(|j| j.lead)
        .reduce(f64::min);
    let seen_at = (covered == count)
        .then(|| seen_at(profile, pauses, metrics))
        .flatten();

    // "All 50 answers paused 0.52 s twice each"
    let subject = match (pauses.answers, pauses.requests.len()) {
        (1, _) => "The answer".to_string(),
        (2, 2) => "Both answers".to_string(),
        (n, k) if n == k => format!("All {} answers", format_count(n as u64)),
        (n, k) => format!(
            "{} of {} answers",
            format_count(k as u64),
            format_count(n as u64)
        ),
    };
    let length = if pause_length(shortest) == pause_length(longest) {
        pause_length(longest)
    } else {
        format!("up to {}", pause_length(longest))
    };
    let per_request = judged[0].len();
    let what = if judged.iter().all(|j| j.len() == per_request) {
        let times = match per_request {
            1 => "once".to_string(),
            2 => "twice".to_string(),
            n => format!("{n} times"),
        };
        let each = if judged.len() > 1 { " each" } else { "" };
        format!("{length} {times}{each}")
    } else {
        format!("{length}, {} times in all", format_count(count as u64))
    };
    let pace = format!("a reading pace of {} per token", seconds(tbt));
    let one_answer = judged.len() == 1;
    let deadlines = |n: u64| {
        format!(
            "{} deadline{}",
            format_count(n),
            if n == 1 { "" } else { "s" }
        )
    };
    let sentence = if covered == count {
        let why = match least_lead {
            Some(lead) => {
                let who = match (count, one_answer) {
                    (1, _) => "it was".to_string(),
                    (_, true) => "each time it was at least".to_string(),
                    (_, false) => "each time they were at least".to_string(),
                };
                format!("{who} {} ahead of {pace}", lead_text(lead))
            }
            None => format!(
                "{pace} allows {} that long",
                if count == 1 { "a pause" } else { "pauses" }
            ),
        };
        let stricter = match seen_at {
            Some(at) => format!("; at {} per token a reader would", seconds(at)),
            None => "; even at 1 ms per token a reader would not".to_string(),
        };
        format!("{subject} paused {what}, but {why}, so a reader would not notice{stricter}.")
    } else if covered == 0 {
        format!(
            "{subject} paused {what}, and a reader would notice: at {pace}, {} missed {}.",
            if count == 1 {
                "the pause"
            } else {
                "the pauses"
            },
            deadlines(missed_deadlines)
        )
    } else {
        format!(
            "{subject} paused {what}. At {pace}, {} of the {} pauses came while the answer was \
             far enough ahead that a reader would not notice; the other {} missed {}.",
            format_count(covered as u64),
            format_count(count as u64),
            format_count((count - covered) as u64),
            deadlines(missed_deadlines)
        )
    };
    Some(PauseNote {
        pauses: count,
        covered,
        missed_deadlines,
        longest,
        least_lead,
        seen_at,
        sentence,
    })
}

/// How far ahead a stream was: "0.62 s", "4 ms".
fn lead_text(lead: f64) -> String {
    if lead < 0.1 {
        seconds(lead)
    } else {
        pause_length(lead)
    }
}

/// The pauses at positions `at` of request `i` under TBT deadline `tbt`,
/// by the deadline walk up to its last pause.
fn judge(
    profile: &RunProfile,
    metrics: &RunMetrics,
    i: usize,
    at: &[usize],
    tbt: f64,
) -> Vec<Judged> {
    let itt = &profile.timelines()[i].inter_token_times;
    let last = *at.last().expect("a request that paused");
    let mut judged = Vec::with_capacity(at.len());
    let mut lead = 0.0;
    let mut next = at.iter().peekable();
    for token in deadline_walk(&itt[..=last], metrics.requests[i].ttft_deadline, tbt) {
        if next.peek() == Some(&&token.index) {
            next.next();
            judged.push(Judged {
                length: token.gap,
                lead,
                late: token.late,
                missed: token.missed,
            });
        }
        lead = token.banked_slack;
    }
    judged
}

/// The largest whole-millisecond TBT deadline, below `metrics`' own, at
/// which at least one pause misses deadlines. A pause missed at some
/// deadline is missed at every stricter one (less slack is banked before
/// it), so each request needs one walk to tell whether it beats the best
/// so far, and a bisection only when it does.
fn seen_at(profile: &RunProfile, pauses: &RunPauses, metrics: &RunMetrics) -> Option<f64> {
    let tbt_ms = metrics.deadlines.tbt_deadline * 1000.0;
    if !(tbt_ms.is_finite() && tbt_ms > 1.0) {
        return None;
    }
    let most = ((tbt_ms - 1e-9).ceil() as u64)
        .saturating_sub(1)
        .min(1 << 20);
    let mut best = 0;
    for (i, at) in &pauses.requests {
        let seen = |ms: u64| {
            judge(profile, metrics, *i, at, ms as f64 / 1000.0)
                .iter()
                .any(|j| j.late)
        };
        if best >= most || !seen(best + 1) {
            continue;
        }
        let (mut lo, mut hi) = (best + 1, most);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if seen(mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        best = lo;
    }
    (best > 0).then(|| best as f64 / 1000.0)
}

/// A deadline or a short lead: "50 ms", "1.5 s".
fn seconds(v: f64) -> String {
    format_value(v, Unit::Seconds)
}
