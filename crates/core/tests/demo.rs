//! The demo: its default shows the Etalon paper's point (about the same
//! time per token, very different fluidity-index), the same choice plays
//! the same recordings, its sentences follow the figures, the watched
//! answer is short and paused, and its link round-trips and refuses what
//! it cannot play in one sentence.

use etalon_core::demo::*;
use etalon_core::metrics::TtftDeadline;
use etalon_core::plan::setup::TestSetup;
use etalon_core::plan::workload::plan;
use etalon_core::present::report::run_caption;
use etalon_core::share::check_recording;
use etalon_core::simulate::presets::PRESETS;
use etalon_core::simulate::Policy;

fn figures_of(run: &DemoRun) -> [SystemFigures; 2] {
    let deadlines = demo_deadlines();
    [
        SystemFigures::of(&run.recordings[0], &deadlines),
        SystemFigures::of(&run.recordings[1], &deadlines),
    ]
}

fn sentences_of(figures: &[SystemFigures; 2]) -> [String; 3] {
    sentences(["A", "B"], [&figures[0], &figures[1]])
}

#[test]
fn the_default_demo_reads_in_pieces_smoothly_at_about_the_same_speed() {
    let choice = DemoChoice::default();
    assert_eq!(choice.load, DemoLoad::Busy);
    assert_eq!(choice.systems[0].preset.name, "llama-70b-4xa100");
    assert_eq!(choice.systems[0].policy, Policy::PrefillFirst);
    assert_eq!(choice.systems[1].policy, Policy::ChunkedPrefill);
    let run = DemoRun::of(&choice);
    let [prefill_first, chunked] = figures_of(&run);
    for figures in [&prefill_first, &chunked] {
        let service = &figures.metrics.service;
        assert_eq!(service.completed, u64::from(DemoLoad::Busy.questions()));
        assert_eq!(service.errored, 0);
    }
    // The median time per token within 25 %, ...
    let (x, y) = (prefill_first.tpot_p50.unwrap(), chunked.tpot_p50.unwrap());
    assert!(x.max(y) / x.min(y) <= ABOUT_THE_SAME, "TPOT {x} and {y}");
    // ... the worst 1 % of answers at least 10 points apart in fluidity.
    let (p, c) = (
        prefill_first.fluidity_p1.unwrap(),
        chunked.fluidity_p1.unwrap(),
    );
    assert!(p + CLEARLY_SMOOTHER <= c, "fluidity p1 {p} and {c}");
    // Only prefill-first stops mid-answer.
    assert!(prefill_first.pauses.paused_answers > 10);
    assert_eq!(chunked.pauses.paused_answers, 0);
    let [speed, pauses, smooth] = sentences_of(&[prefill_first, chunked]);
    assert!(speed.contains("about the same average speed"), "{speed}");
    assert!(pauses.starts_with("A stopped in the middle of"), "{pauses}");
    assert!(
        pauses.contains("B never stopped in the middle of an answer"),
        "{pauses}"
    );
    assert!(
        smooth.contains("A's answers freeze now and then where B's flow"),
        "{smooth}"
    );
}

#[test]
fn each_load_shows_what_it_says() {
    for load in DemoLoad::ALL {
        let run = DemoRun::of(&DemoChoice {
            load,
            ..DemoChoice::default()
        });
        let [a, b] = figures_of(&run);
        let f = |x: Option<f64>| x.unwrap_or(f64::NAN);
        eprintln!(
            "{}: TPOT {:.1} ms / {:.1} ms, fluidity-index worst 1 % {:.3} / {:.3}, median {:.3} / {:.3}, TTFT {:.2} s / {:.2} s",
            load.name(),
            f(a.tpot_p50) * 1e3,
            f(b.tpot_p50) * 1e3,
            f(a.fluidity_p1),
            f(b.fluidity_p1),
            f(a.fluidity_p50),
            f(b.fluidity_p50),
            f(a.ttft_p50),
            f(b.ttft_p50),
        );
        for sentence in sentences_of(&[a.clone(), b.clone()]) {
            eprintln!("  {sentence}");
        }
        let [_, _, smooth] = sentences_of(&[a.clone(), b.clone()]);
        match load {
            // Questions rarely overlap: both about as smooth.
            DemoLoad::Quiet => {
                assert!((f(a.fluidity_p1) - f(b.fluidity_p1)).abs() < CLEARLY_SMOOTHER);
                assert!(
                    smooth.contains("would find both about as smooth: A's pauses came while"),
                    "{smooth}"
                );
            }
            DemoLoad::Busy => assert!(smooth.contains("freeze now and then"), "{smooth}"),
            // More questions than prefill-first can keep up with: its
            // answers crawl, so the speeds are no longer alike.
            DemoLoad::Overloaded => {
                assert!(f(a.tpot_p50) > ABOUT_THE_SAME * f(b.tpot_p50));
                assert!(
                    smooth.contains("B's answers read more smoothly than A's"),
                    "{smooth}"
                );
            }
        }
    }
}

#[test]
fn the_sentences_follow_the_figures_not_the_order_of_the_systems() {
    let default = DemoChoice::default();
    let swapped = DemoChoice {
        systems: [default.systems[1], default.systems[0]],
        ..default
    };
    let [speed, pauses, smooth] = sentences_of(&figures_of(&DemoRun::of(&swapped)));
    assert!(speed.contains("about the same average speed"), "{speed}");
    assert!(
        pauses.starts_with("A never stopped in the middle of an answer; B stopped"),
        "{pauses}"
    );
    assert!(
        smooth.contains("B's answers freeze now and then where A's flow"),
        "{smooth}"
    );
    // The same system twice: the same figures, nothing to tell apart.
    let same = DemoChoice {
        systems: [default.systems[1], default.systems[1]],
        ..default
    };
    let [speed, pauses, smooth] = sentences_of(&figures_of(&DemoRun::of(&same)));
    assert!(speed.contains("about the same"), "{speed}");
    assert_eq!(
        pauses,
        "Neither A nor B stopped in the middle of an answer."
    );
    assert!(
        smooth.ends_with(", so a reader would find both about as smooth."),
        "{smooth}"
    );
    for sentence in [speed, pauses, smooth] {
        assert!(
            sentence.ends_with('.') && !sentence.contains('{'),
            "{sentence}"
        );
    }
}

#[test]
fn the_same_choice_plays_the_same_recordings_and_another_seed_others() {
    let choice = DemoChoice::default();
    let run = DemoRun::of(&choice);
    assert_eq!(run, DemoRun::of(&choice));
    let other = DemoRun::of(&DemoChoice { seed: 2, ..choice });
    assert_ne!(run.recordings[0].requests, other.recordings[0].requests);
}

#[test]
fn both_systems_answer_the_workload_modules_questions() {
    let choice = DemoChoice::default();
    let run = DemoRun::of(&choice);
    let planned = plan(&choice.load.workload(), choice.seed, None).unwrap();
    assert_eq!(planned, demo_plan(choice.load, choice.seed));
    for recording in &run.recordings {
        assert_eq!(recording.requests.len(), planned.requests.len());
        for (record, spec) in recording.requests.iter().zip(&planned.requests) {
            assert_eq!(record.scheduled_at, spec.at);
            assert_eq!(
                record.prompt_tokens.map(|t| t.count),
                Some(u64::from(spec.prompt_tokens))
            );
            assert_eq!(record.num_output_tokens(), u64::from(spec.output_tokens));
        }
        // Poisson arrivals about 5 s apart, lengths within the stated ranges.
        let last = planned.last_arrival() / (planned.requests.len() - 1) as f64;
        assert!((3.5..7.0).contains(&last), "mean gap {last}");
        assert!(planned.requests.iter().all(|r| {
            (PROMPT_TOKENS.0..=PROMPT_TOKENS.1).contains(&r.prompt_tokens)
                && (ANSWER_TOKENS.0..=ANSWER_TOKENS.1).contains(&r.output_tokens)
        }));
    }
}

#[test]
fn a_simulated_recording_says_what_ran_and_the_deadlines_it_is_judged_by() {
    let choice = DemoChoice::default();
    let run = DemoRun::of(&choice);
    for (recording, system) in run.recordings.iter().zip(&choice.systems) {
        assert!(is_simulated(recording));
        let simulated = &recording.config["simulated"];
        assert_eq!(simulated["preset"], system.preset.name);
        assert_eq!(simulated["policy"], system.policy.name());
        assert_eq!(simulated["load"], "busy");
        let setup: TestSetup = serde_json::from_value(recording.config["setup"].clone()).unwrap();
        assert_eq!(setup.deadlines, demo_deadlines());
        assert_eq!(setup.workload, choice.load.workload());
        // The set-up that runs the same system in the page's worker.
        assert_eq!(
            setup.simulated(),
            Some((system.preset, system.policy)),
            "{}",
            setup.endpoint
        );
        assert!(setup.problems().is_empty(), "{:?}", setup.problems());
        let caption = run_caption(recording);
        assert!(
            caption.starts_with("100 requests to the simulated server: a 70B model"),
            "{caption}"
        );
        // It passes the checks every shared or imported recording passes.
        check_recording(recording).unwrap();
    }
    assert_eq!(demo_deadlines().ttft_deadline, TtftDeadline::Fixed(2.0));
}

#[test]
fn a_real_run_of_the_demo_sends_its_load_to_the_users_endpoint() {
    let mut mine = TestSetup {
        endpoint: "http://127.0.0.1:9999".into(),
        ..TestSetup::default()
    };
    mine.request.model = "my-model".into();
    let choice = DemoChoice::default();
    let setup = demo_setup(&mine, &choice);
    assert_eq!(setup.endpoint, mine.endpoint);
    assert_eq!(setup.request.model, "my-model");
    assert_eq!(setup.deadlines, demo_deadlines());
    assert_eq!(setup.seed, choice.seed);
    assert_eq!(setup.workload.arrivals, choice.load.workload().arrivals);
    assert_eq!(setup.workload.lengths, choice.load.workload().lengths);
    assert!(setup.problems().is_empty(), "{:?}", setup.problems());
}

#[test]
fn the_watched_answer_is_short_and_is_the_one_that_paused_most() {
    let run = DemoRun::of(&DemoChoice::default());
    let recordings = [&run.recordings[0], &run.recordings[1]];
    let (index, reason) = watched_answer(recordings).unwrap();
    assert_eq!(reason, WatchReason::PausedMost);
    // From the middle of the load, not its first quiet seconds.
    assert!(index >= 10, "watched {index}");
    let paused: Vec<f64> = pauses_of(&run.recordings[0].requests[index]);
    assert!(!paused.is_empty());
    for recording in recordings {
        let record = &recording.requests[index];
        assert!(record.ended_at.unwrap() <= MAX_WATCH_SECONDS);
    }
    let most = paused.iter().sum::<f64>();
    for record in &run.recordings[0].requests {
        if record.ended_at.unwrap() <= MAX_WATCH_SECONDS
            && run.recordings[1].requests[record.id as usize]
                .ended_at
                .unwrap()
                <= MAX_WATCH_SECONDS
        {
            assert!(pauses_of(record).iter().sum::<f64>() <= most);
        }
    }
    // Its words: one piece per token, at the tokens' times.
    let record = &run.recordings[0].requests[index];
    let pieces = answer_pieces(record, index as u64);
    assert_eq!(pieces.len(), record.chunks.len());
    assert_eq!(pieces[0].0, record.chunks.first().unwrap().at);
    assert!(pieces
        .iter()
        .all(|(_, text)| !text.is_empty() && text.len() <= 5));
    let text: String = pieces.iter().map(|(_, t)| t.as_str()).collect();
    assert!(text.split(' ').count() > 20, "{text}");
    // With no pause anywhere, the middle of the load.
    let same = DemoChoice {
        systems: [DemoChoice::default().systems[1]; 2],
        ..DemoChoice::default()
    };
    let calm = DemoRun::of(&same);
    let (index, reason) = watched_answer([&calm.recordings[0], &calm.recordings[1]]).unwrap();
    assert_eq!(reason, WatchReason::NoPause);
    assert_eq!(index, calm.recordings[0].requests.len() / 2);
}

#[test]
fn a_demo_link_round_trips() {
    let default = DemoChoice::default();
    let link = demo_link(&default);
    assert_eq!(
        link,
        "#demo=v1.busy.llama-70b-4xa100.prefill-first.llama-70b-4xa100.chunked-prefill.1"
    );
    assert_eq!(open_demo_link(&link).unwrap(), Some(default));
    for load in DemoLoad::ALL {
        for preset in &PRESETS {
            for name in Policy::NAMES {
                let choice = DemoChoice {
                    load,
                    systems: [
                        DemoSystem {
                            preset,
                            policy: Policy::named(name).unwrap(),
                        },
                        default.systems[1],
                    ],
                    seed: 4_294_967_295,
                };
                let link = demo_link(&choice);
                assert_eq!(open_demo_link(&link).unwrap(), Some(choice), "{link}");
            }
        }
    }
    // Not a demo link: nothing to play, nothing to refuse.
    for fragment in ["", "#", "#results", "#result=v1.abc", "#test=v1.x"] {
        assert_eq!(open_demo_link(fragment).unwrap(), None, "{fragment}");
    }
}

#[test]
fn a_bad_demo_link_is_refused_in_a_sentence() {
    let good = "v1.busy.llama-70b-4xa100.prefill-first.llama-70b-4xa100.chunked-prefill.1";
    let cases = [
        ("#demo=".to_string(), "version mark"),
        ("#demo=busy.llama-70b-4xa100".to_string(), "version mark"),
        (
            format!("#demo={}", good.replace("v1.", "v2.")),
            "newer etalon-web",
        ),
        (
            format!("#demo={}", good.replace("v1.", "x1.")),
            "version mark",
        ),
        ("#demo=v1.busy.llama-70b-4xa100".to_string(), "3 parts"),
        (format!("#demo={good}.7"), "8 parts"),
        (
            format!("#demo={}", good.replace("busy", "frantic")),
            "no load",
        ),
        (
            format!("#demo={}", good.replacen("llama-70b-4xa100", "gpt-9", 1)),
            "hardware",
        ),
        (
            format!("#demo={}", good.replace("chunked-prefill", "magic")),
            "batching",
        ),
        (
            format!("#demo={}", good.replace(".1", ".4294967296")),
            "seed",
        ),
        (format!("#demo={}", good.replace(".1", ".-1")), "seed"),
        (format!("#demo={}", good.replace(".1", ".+1")), "seed"),
        (format!("#demo={}", good.replace(".1", ".")), "seed"),
        (
            format!("#demo={good}{}", "x".repeat(200)),
            "longer than any demo link",
        ),
        (format!("#demo={}<script>", good), "seed"),
    ];
    for (fragment, says) in cases {
        let error = open_demo_link(&fragment).unwrap_err().message;
        assert!(error.contains(says), "{fragment}: {error}");
        assert!(error.ends_with('.') || error.ends_with('?'), "{error}");
        assert!(
            !error.contains('{') && !error.contains("<script>"),
            "{error}"
        );
        // A sentence, and at most a question on what to do.
        assert!(error.matches(". ").count() < 2, "{error}");
    }
}
