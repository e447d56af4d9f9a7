//! The results' first look: one paragraph a newcomer reads before any
//! figure. What was tested and when, how hard (how many questions, how
//! many at once, how long the prompts and answers were, how long the run
//! took), the verdict (how many answers flowed, how many paused mid-answer,
//! how many met the deadlines) and what the whole run delivered per
//! second. Every word is chosen from the recording and its figures.

use serde::{Deserialize, Serialize};

use crate::metrics::{quantile_unsorted, RunMetrics, RunRates, TtftDeadline};
use crate::plan::workload::{Arrivals, WorkloadConfig};
use crate::present::chart::{format_count, format_seconds, significant};
use crate::present::pause::{pause_length, pauses_in};
use crate::recording::{Recording, RequestRecord};

use super::export::{civil_from_days, simulated_system};

/// What the first look needs of a recording that no deadline changes
/// (a summary link carries it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RunFacts {
    pub started_at_unix_ms: f64,
    /// 'model "m" at http://…', or the simulated system in words.
    pub target: String,
    pub requests: usize,
    /// How the questions were sent, from the set-up: "all at once",
    /// "arriving at random, about 2 a second"; None when it does not say.
    pub arrivals: Option<String>,
    /// The most requests under way at one moment, as measured.
    pub peak_in_flight: usize,
    /// Median prompt and answer lengths, tokens.
    pub prompt_tokens: Option<f64>,
    pub output_tokens: Option<f64>,
    /// From the first request sent to the last one's end, seconds.
    pub window_seconds: Option<f64>,
    /// Finished answers that paused mid-answer, and the longest pause.
    pub paused_answers: usize,
    pub longest_pause: Option<f64>,
    /// Smallest step of the clock, seconds, and whether the page was
    /// cross-origin isolated.
    pub timer_resolution: Option<f64>,
    pub cross_origin_isolated: bool,
}

impl RunFacts {
    pub fn of(recording: &Recording) -> RunFacts {
        let records = &recording.requests;
        let median = |values: Vec<f64>| {
            let mut values = values;
            quantile_unsorted(&mut values, 0.5)
        };
        let finished = || records.iter().filter(|r| r.completed());
        let mut paused_answers = 0;
        let mut longest_pause: Option<f64> = None;
        for record in finished() {
            let itt = record.inter_token_times();
            let at = pauses_in(&itt);
            if !at.is_empty() {
                paused_answers += 1;
            }
            for i in at {
                longest_pause = Some(longest_pause.map_or(itt[i], |l| l.max(itt[i])));
            }
        }
        RunFacts {
            started_at_unix_ms: recording.started_at_unix_ms,
            target: target(recording),
            requests: records.len(),
            arrivals: arrivals(&recording.config),
            peak_in_flight: peak_in_flight(records),
            prompt_tokens: median(
                records
                    .iter()
                    .filter_map(|r| r.prompt_tokens.map(|c| c.count as f64))
                    .collect(),
            ),
            output_tokens: median(finished().map(|r| r.num_output_tokens() as f64).collect()),
            window_seconds: window(records),
            paused_answers,
            longest_pause,
            timer_resolution: recording.environment.timer_resolution,
            cross_origin_isolated: recording.environment.cross_origin_isolated,
        }
    }
}

/// 'model "m" at http://127.0.0.1:8000/v1', or the simulated system.
fn target(recording: &Recording) -> String {
    if let Some(system) = simulated_system(&recording.config) {
        return format!("the simulated server ({system})");
    }
    let setup = &recording.config["setup"];
    let model = setup["request"]["model"].as_str().filter(|m| !m.is_empty());
    let endpoint = setup["endpoint"].as_str().filter(|e| !e.is_empty());
    match (model, endpoint) {
        (Some(model), Some(endpoint)) => format!("model \"{model}\" at {endpoint}"),
        (Some(model), None) => format!("model \"{model}\""),
        (None, Some(endpoint)) => endpoint.to_string(),
        (None, None) => "the server".to_string(),
    }
}

/// How the set-up sent its questions, in words.
fn arrivals(config: &serde_json::Value) -> Option<String> {
    let workload: WorkloadConfig =
        serde_json::from_value(config["setup"]["workload"].clone()).ok()?;
    let rate = |per_second: f64| {
        if per_second >= 1.0 {
            format!("about {} a second", significant(per_second, 2))
        } else {
            format!("about one every {}", format_seconds(1.0 / per_second))
        }
    };
    Some(match workload.arrivals {
        Arrivals::AllAtOnce => "all at once".to_string(),
        Arrivals::FixedInterval { interval_seconds } => {
            format!("one every {}", format_seconds(interval_seconds))
        }
        Arrivals::Poisson {
            requests_per_second,
        } => format!("arriving at random, {}", rate(requests_per_second)),
        Arrivals::Gamma {
            requests_per_second,
            ..
        } => format!("arriving in bursts, {}", rate(requests_per_second)),
        _ => "at the times of a trace".to_string(),
    })
}

/// The most requests under way at once: each is under way from its send
/// to its end (or its send alone, when it never ended).
fn peak_in_flight(records: &[RequestRecord]) -> usize {
    let mut events: Vec<(f64, i32)> = Vec::with_capacity(records.len() * 2);
    for r in records {
        events.push((r.sent_at, 1));
        events.push((r.sent_at + r.ended_at.unwrap_or(0.0), -1));
    }
    // Ends before starts at the same instant: back-to-back is not overlap.
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut peak) = (0i32, 0i32);
    for (_, step) in events {
        now += step;
        peak = peak.max(now);
    }
    peak.max(0) as usize
}

/// From the first send to the last end, seconds; None without length.
pub(crate) fn window(records: &[RequestRecord]) -> Option<f64> {
    let start = records.iter().map(|r| r.sent_at).min_by(f64::total_cmp)?;
    let end = records
        .iter()
        .map(|r| r.sent_at + r.ended_at.unwrap_or(0.0))
        .max_by(f64::total_cmp)?;
    let seconds = end - start;
    (seconds.is_finite() && seconds > 0.0).then_some(seconds)
}

/// "8 Dec 2026 at 02:31", at `offset_minutes` east of UTC.
pub fn local_time_text(unix_ms: f64, offset_minutes: i32) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let unix_ms = if unix_ms.is_finite() { unix_ms } else { 0.0 };
    let minutes = (unix_ms / 60_000.0).floor() as i64 + i64::from(offset_minutes);
    let (days, minute_of_day) = (minutes.div_euclid(1440), minutes.rem_euclid(1440));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{day} {} {year} at {:02}:{:02}",
        MONTHS[(month - 1) as usize],
        minute_of_day / 60,
        minute_of_day % 60
    )
}

/// "3,800": a count to 2 significant digits, grouped (a typical length).
fn rounded_count(value: f64) -> String {
    if !(value.is_finite() && value >= 1.0) {
        return significant(value.max(0.0), 2);
    }
    let scale = 10f64.powf((value.log10().floor() - 1.0).max(0.0));
    format_count(((value / scale).round() * scale) as u64)
}

/// "6,500 tokens a second", "3.38 good answers a second", "6.0 good
/// answers a minute": a rate below one a second is said per minute.
fn per_time(per_second: f64, what: &str) -> String {
    if per_second >= 1000.0 {
        format!("{} {what} a second", rounded_count(per_second))
    } else if per_second >= 1.0 || per_second <= 0.0 {
        format!("{} {what} a second", significant(per_second, 3))
    } else {
        format!("{} {what} a minute", significant(per_second * 60.0, 2))
    }
}

/// "41", "8.5": a speed as a sentence says it.
fn speed_text(tokens_per_second: f64) -> String {
    if tokens_per_second >= 10.0 {
        format!("{}", tokens_per_second.round())
    } else {
        significant(tokens_per_second, 2)
    }
}

/// "a question" / "100 questions".
fn count_of(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", format_count(n as u64))
    }
}

/// The paragraph, sentence by sentence, for a run of `facts` whose
/// figures under the deadlines are `metrics` and `rates`. `when` is the
/// run's start as the reader's clock says it ([`local_time_text`]).
pub fn first_look(
    facts: &RunFacts,
    metrics: &RunMetrics,
    rates: Option<&RunRates>,
    when: &str,
) -> Vec<String> {
    let service = &metrics.service;
    let mut sentences = Vec::new();

    // What, when and how hard.
    // A run with no clock of its own (a simulated demo's) says no date.
    let when = if when.is_empty() || facts.started_at_unix_ms <= 0.0 {
        String::new()
    } else {
        format!("On {when}, t")
    };
    let mut how = format!(
        "{}his page sent {} to {}",
        if when.is_empty() { "T" } else { &when },
        count_of(facts.requests, "question", "questions"),
        facts.target
    );
    match (facts.arrivals.as_deref(), facts.peak_in_flight) {
        (Some("all at once"), peak) if peak > 1 && peak == facts.requests => {
            how.push_str(", all at once")
        }
        (Some("all at once"), peak) if peak > 1 => {
            how.push_str(&format!(", up to {peak} at a time"))
        }
        (Some(arrivals), peak) if peak > 1 => how.push_str(&format!(
            ", {arrivals}, with up to {peak} under way together"
        )),
        (Some(arrivals), _) if facts.requests > 1 => {
            how.push_str(&format!(", {arrivals}, one at a time"))
        }
        (None, peak) if peak > 1 => how.push_str(&format!(", up to {peak} at a time")),
        _ => {}
    }
    let tokens = |t: f64| format!("{} tokens", rounded_count(t));
    match (facts.prompt_tokens, facts.output_tokens) {
        (Some(p), Some(o)) => how.push_str(&format!(
            "; a typical prompt was {} long and a typical answer {}",
            tokens(p),
            tokens(o)
        )),
        (None, Some(o)) => how.push_str(&format!("; a typical answer was {} long", tokens(o))),
        _ => {}
    }
    if let Some(seconds) = facts.window_seconds {
        how.push_str(&format!(", and the run took {}", format_seconds(seconds)));
    }
    how.push('.');
    sentences.push(how);

    // The verdict: how the answers flowed.
    let finished = service.completed as usize;
    let smooth = finished - facts.paused_answers.min(finished);
    let speed = service
        .percentiles
        .tpot
        .as_ref()
        .map(|s| s.p50)
        .filter(|t| *t > 0.0)
        .map(|t| speed_text(1.0 / t));
    let paused = facts.paused_answers.min(finished);
    let longest = facts
        .longest_pause
        .map(|l| format!(" (the longest pause {})", pause_length(l)))
        .unwrap_or_default();
    let mut verdict = if finished == 0 {
        "No answer finished".to_string()
    } else if smooth == finished {
        let all = match finished {
            1 => "The answer".to_string(),
            2 => "Both answers".to_string(),
            n => format!("All {} answers", format_count(n as u64)),
        };
        format!("{all} streamed without a pause")
    } else if smooth == 0 {
        let all = match finished {
            1 => "The answer".to_string(),
            2 => "Both answers".to_string(),
            n => format!("All {} answers", format_count(n as u64)),
        };
        format!("{all} froze mid-answer{longest}")
    } else {
        format!(
            "{} of {} answers streamed without a pause; {} froze mid-answer{longest}",
            format_count(smooth as u64),
            format_count(finished as u64),
            format_count(paused as u64)
        )
    };
    let failed = service.errored;
    if failed > 0 {
        verdict.push_str(&format!("; {} failed (see below)", format_count(failed)));
    }
    if service.stopped > 0 {
        verdict.push_str(&format!(
            "; you stopped {} before {} finished",
            count_of(service.stopped as usize, "question", "questions"),
            if service.stopped == 1 { "it" } else { "they" }
        ));
    }
    verdict.push('.');
    if let Some(speed) = speed.filter(|_| finished > 0) {
        verdict.push_str(&format!(
            " Once an answer had started, its pieces came at about {speed} tokens a second (the median)."
        ));
    }
    sentences.push(verdict);

    // Against the deadlines.
    if let Some(rates) = rates.filter(|_| finished > 0) {
        let deadlines = &metrics.deadlines;
        let ttft = match deadlines.ttft_deadline {
            TtftDeadline::Fixed(d) => format!("the first piece within {}", format_seconds(d)),
            TtftDeadline::Prefill { .. } => {
                "the first piece within the time its prompt's length allows".to_string()
            }
        };
        sentences.push(format!(
            "Against the deadlines below ({ttft}, then on average a piece at least every {}), {} of {} finished answers were on time: {}.",
            format_seconds(deadlines.tbt_deadline),
            format_count(rates.good_requests),
            format_count(finished as u64),
            per_time(rates.goodput, "good answers")
        ));
        sentences.push(format!(
            "In all, the server delivered {} and {} to this page.",
            per_time(rates.output_tokens_per_second, "tokens"),
            per_time(rates.requests_per_second, "whole answers")
        ));
    }
    sentences
}

/// The clock the times were taken with, in a sentence.
pub fn clock_sentence(facts: &RunFacts) -> String {
    let isolation = if facts.cross_origin_isolated {
        "the page was cross-origin isolated, which gives the finest clock"
    } else {
        "the page was not cross-origin isolated, so the browser rounds its clock more"
    };
    match facts.timer_resolution.filter(|r| r.is_finite() && *r > 0.0) {
        Some(step) => format!(
            "Times are read from the browser's clock, which moved in steps of {} during this run ({isolation}); differences smaller than that are not measured.",
            format_seconds(step)
        ),
        None => format!("Times are read from the browser's clock ({isolation})."),
    }
}
