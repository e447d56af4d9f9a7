//! Tests of the schedule: every profile's timing shape and ending, without a socket.

use super::*;
use crate::testbed::model_name::resolve;

fn params(model: &str) -> Params {
    resolve(model).unwrap().1
}

fn chat(max_tokens: Option<u32>) -> Job {
    Job {
        endpoint: Endpoint::Chat,
        prompt_tokens: 10,
        max_tokens,
        include_usage: true,
        seed: None,
    }
}

fn script(model: &str, job: &Job) -> Script {
    match plan(&params(model), job) {
        Plan::Respond(script) => script,
        refused => panic!("{model} refused: {refused:?}"),
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn gaps_ms(times: &[Duration]) -> Vec<f64> {
    times.windows(2).map(|w| ms(w[1] - w[0])).collect()
}

fn texts(script: &Script) -> Vec<(Duration, u32)> {
    let mut texts = Vec::new();
    for frame in &script.frames {
        for event in &frame.events {
            if let Event::Text { count, .. } = event {
                texts.push((frame.at, *count));
            }
        }
    }
    texts
}

fn all_events(script: &Script) -> Vec<Event> {
    script
        .frames
        .iter()
        .flat_map(|f| f.events.clone())
        .collect()
}

#[test]
fn steady_gaps_are_exactly_one_over_rate() {
    let times = token_times(&params("steady@rate=200,prefill_ms=30"), 0, 50, 1);
    assert_eq!(times.len(), 50);
    assert!((ms(times[0]) - 30.0).abs() < 1e-6);
    assert!(gaps_ms(&times).iter().all(|gap| (gap - 5.0).abs() < 1e-6));
}

#[test]
fn jitter_spreads_gaps_around_the_mean_and_repeats_with_its_seed() {
    let jitter = params("jitter@rate=100,jitter=0.5");
    let times = token_times(&jitter, 0, 1001, 7);
    let gaps = gaps_ms(&times);
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    assert!((mean - 10.0).abs() < 0.3, "mean gap {mean}");
    assert!(gaps.iter().all(|&g| (5.0..=15.0).contains(&g)));
    assert!(gaps.iter().any(|&g| g < 6.0) && gaps.iter().any(|&g| g > 14.0));
    assert_eq!(times, token_times(&jitter, 0, 1001, 7));
    assert_ne!(times, token_times(&jitter, 0, 1001, 8));
}

#[test]
fn stalls_pause_before_the_chosen_positions() {
    let times = token_times(&params("stalls"), 0, 100, 1);
    let gaps = gaps_ms(&times);
    // gaps[i] precedes token i + 2 (1-based).
    for (index, gap) in gaps.iter().enumerate() {
        let position = index as u32 + 2;
        let expected = if position == 20 || position == 60 {
            1520.0
        } else {
            20.0
        };
        assert!(
            (gap - expected).abs() < 1e-6,
            "gap before token {position}: {gap}"
        );
    }
}

/// The fluidity-index of one answer of `model` with the app's default set-up
/// (its output length and deadlines), and its per-request miss count.
fn fluidity_with_app_defaults(model: &str) -> (f64, u64) {
    use etalon_core::metrics::{deadline_miss_count, FirstToken};
    use etalon_core::plan::setup::TestSetup;
    use etalon_core::plan::workload::{LengthDistribution, RequestLengths};
    let setup = TestSetup::default();
    let RequestLengths::Separate {
        output_tokens: LengthDistribution::Fixed { tokens },
        ..
    } = setup.workload.lengths
    else {
        panic!("the app's default output length is no longer fixed");
    };
    let times = token_times(&params(model), 0, tokens, 1);
    let mut itt = vec![times[0].as_secs_f64()];
    itt.extend(times.windows(2).map(|w| (w[1] - w[0]).as_secs_f64()));
    let ttft_deadline = setup.deadlines.ttft_deadline_for(None);
    let count = deadline_miss_count(
        &itt,
        ttft_deadline,
        setup.deadlines.tbt_deadline,
        FirstToken::Counted,
    );
    (count.fluidity_index(), count.missed_deadlines)
}

#[test]
fn stalls_are_seen_at_the_apps_default_deadlines() {
    // Each pause outlasts the slack banked before it (0.62 s, then 1.17 s
    // at 20 ms per token against 50 ms), so both miss deadlines.
    let (fluidity, missed) = fluidity_with_app_defaults("stalls");
    assert!(fluidity < 0.9, "fluidity-index {fluidity}");
    assert!(missed >= 20, "{missed} deadlines missed");
    // Half a second is covered by the slack: the pauses show, no deadline
    // is missed.
    assert_eq!(fluidity_with_app_defaults("stalls@stall_ms=500"), (1.0, 0));
}

#[test]
fn prefill_grows_linearly_with_the_prompt() {
    let prefill = params("prefill@prefill_ms=10,prefill_ms_per_token=2");
    let first = |prompt| ms(token_times(&prefill, prompt, 1, 1)[0]);
    assert!((first(0) - 10.0).abs() < 1e-6);
    assert!((first(100) - 210.0).abs() < 1e-6);
    assert!((first(1000) - 2010.0).abs() < 1e-6);
}

#[test]
fn steady_chat_stream_has_role_tokens_finish_usage_done() {
    let script = script("steady", &chat(Some(3)));
    let events = all_events(&script);
    assert_eq!(events[0], Event::Role);
    assert_eq!(
        events[4..],
        [
            Event::Finish(FinishReason::Length),
            Event::Usage,
            Event::Done
        ]
    );
    assert_eq!(script.output_tokens, 3);
    assert_eq!(script.frames[0].at, Duration::ZERO);
    assert_eq!(script.ending, Ending::Close);
}

#[test]
fn without_max_tokens_the_profile_length_ends_with_stop() {
    let script = script("steady@tokens=7", &chat(None));
    assert_eq!(script.output_tokens, 7);
    assert_eq!(script.finish, Some(FinishReason::Stop));
}

#[test]
fn completions_have_no_role_chunk_and_usage_only_when_asked() {
    let job = Job {
        endpoint: Endpoint::Completions,
        include_usage: false,
        ..chat(Some(2))
    };
    let events = all_events(&script("steady", &job));
    assert!(matches!(events[0], Event::Text { .. }));
    assert!(!events.contains(&Event::Usage) && !events.contains(&Event::Role));
}

#[test]
fn multi_token_chunks_carry_several_tokens_and_the_remainder() {
    let script = script("multi-token@per_chunk=4", &chat(Some(10)));
    let counts: Vec<u32> = texts(&script).iter().map(|t| t.1).collect();
    assert_eq!(counts, [4, 4, 2]);
}

#[test]
fn bursts_release_several_chunks_at_once_when_the_last_is_generated() {
    let script = script("bursts@burst=4,rate=100", &chat(Some(10)));
    let sizes: Vec<usize> = script.frames.iter().map(|f| f.events.len()).collect();
    // role + 4 texts, 4 texts, 2 texts + finish + usage + done
    assert_eq!(sizes, [5, 4, 5]);
    let times = token_times(&params("bursts@rate=100"), 10, 10, 1);
    assert_eq!(script.frames[0].at, times[3]);
    assert_eq!(script.frames[1].at, times[7]);
    assert_eq!(script.frames[2].at, times[9]);
}

#[test]
fn reasoning_comes_first_and_chunks_do_not_mix_parts() {
    let script = script("reasoning@reasoning=3,per_chunk=2", &chat(Some(6)));
    let parts: Vec<(Part, u32, u32)> = all_events(&script)
        .into_iter()
        .filter_map(|e| match e {
            Event::Text {
                part, first, count, ..
            } => Some((part, first, count)),
            _ => None,
        })
        .collect();
    assert_eq!(
        parts,
        [
            (Part::Reasoning, 0, 2),
            (Part::Reasoning, 2, 1),
            (Part::Answer, 0, 2),
            (Part::Answer, 2, 1)
        ]
    );
    assert_eq!(script.reasoning_tokens, 3);
}

#[test]
fn status_faults_refuse() {
    assert_eq!(
        plan(&params("rate-limited@retry_after=3"), &chat(Some(5))),
        Plan::Refuse {
            fault: Fault::RateLimited,
            retry_after_s: 3
        }
    );
    assert!(matches!(
        plan(&params("server-error"), &chat(Some(5))),
        Plan::Refuse {
            fault: Fault::ServerError,
            ..
        }
    ));
}

#[test]
fn streams_cut_short_stop_after_the_chosen_token_when_the_next_was_due() {
    for (model, ending) in [
        ("drop-mid-stream@after=4", Ending::Drop),
        ("never-ends@after=4", Ending::Hang),
        ("no-finish@after=4", Ending::Close),
    ] {
        let script = script(model, &chat(Some(10)));
        assert_eq!(script.output_tokens, 4, "{model}");
        assert_eq!(script.ending, ending, "{model}");
        assert_eq!(script.finish, None, "{model}");
        let events = all_events(&script);
        assert!(
            !events.contains(&Event::Done) && !events.iter().any(|e| matches!(e, Event::Finish(_))),
            "{model}"
        );
        let times = token_times(&params(model), 10, 10, 1);
        assert_eq!(script.ending_at, times[4], "{model}");
    }
}

#[test]
fn error_event_is_followed_by_done_only() {
    let events = all_events(&script("error-event@after=2", &chat(Some(10))));
    assert_eq!(events[3..], [Event::Error, Event::Done]);
}

#[test]
fn garbage_comes_after_the_chosen_token_and_the_stream_goes_on() {
    let script = script("garbage@after=2", &chat(Some(5)));
    let events = all_events(&script);
    assert_eq!(events[3], Event::Garbage);
    assert_eq!(script.output_tokens, 5);
    assert_eq!(events.last(), Some(&Event::Done));
}

#[test]
fn invalid_utf8_marks_exactly_one_token_and_keeps_the_count() {
    let script = script("invalid-utf8@after=2", &chat(Some(5)));
    let marked: Vec<u32> = all_events(&script)
        .into_iter()
        .filter_map(|e| match e {
            Event::Text {
                first,
                invalid_utf8: true,
                ..
            } => Some(first),
            _ => None,
        })
        .collect();
    assert_eq!(marked, [2]);
    assert_eq!(script.output_tokens, 5);
}

#[test]
fn faults_past_the_end_happen_at_the_end() {
    let script = script("drop-mid-stream@after=50", &chat(Some(3)));
    assert_eq!(script.output_tokens, 3);
    assert_eq!(script.ending, Ending::Drop);
}

#[test]
fn hostile_streams_stop_after_the_chosen_token_and_end_their_own_way() {
    for (model, ending) in [
        ("endless-event@after=4", Ending::EndlessEvent),
        ("long-line@after=4", Ending::LongLine),
    ] {
        let script = script(model, &chat(Some(10)));
        assert_eq!(script.output_tokens, 4, "{model}");
        assert_eq!(script.ending, ending, "{model}");
        assert_eq!(script.finish, None, "{model}");
        let times = token_times(&params(model), 10, 10, 1);
        assert_eq!(script.ending_at, times[4], "{model}");
    }
}

#[test]
fn usage_overflow_marks_one_chunk_and_the_stream_finishes() {
    let script = script("usage-overflow@after=2", &chat(Some(5)));
    let marked: Vec<u32> = all_events(&script)
        .into_iter()
        .filter_map(|e| match e {
            Event::Text {
                first,
                usage_overflow: true,
                ..
            } => Some(first),
            _ => None,
        })
        .collect();
    assert_eq!(marked, [2]);
    assert_eq!(script.output_tokens, 5);
    assert_eq!(script.ending, Ending::Close);
    assert_eq!(
        all_events(&script)[6..],
        [
            Event::Finish(FinishReason::Length),
            Event::Usage,
            Event::Done
        ]
    );
}

#[test]
fn html_page_answers_a_web_page() {
    assert_eq!(plan(&params("html-page"), &chat(Some(5))), Plan::WebPage);
}
