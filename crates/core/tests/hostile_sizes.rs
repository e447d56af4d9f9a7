//! Hostile sizes (issue 19, items 1, 2 and 7): a number from a link, a file
//! or a server never sizes an allocation beyond the bounds of
//! `etalon_core::limits`; beyond them, one sentence.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::limits::{MAX_OUTPUT_TOKENS, MAX_PROMPT_TOKENS};
use etalon_core::plan::prepare::PreparedRun;
use etalon_core::plan::setup::TestSetup;
use etalon_core::plan::workload::{LengthDistribution, RequestLengths};

fn setup_with(lengths: RequestLengths) -> TestSetup {
    let mut setup = TestSetup {
        endpoint: "http://localhost:8000".into(),
        ..TestSetup::default()
    };
    setup.request.model = "m".into();
    setup.workload.lengths = lengths;
    setup
}

fn workload_problem(setup: &TestSetup) -> Option<String> {
    setup
        .problems()
        .into_iter()
        .find(|p| p.field == "workload")
        .map(|p| p.message)
}

// Item 7: a prompt length of 2^32 - 1 in a link once made the worker try to
// write a prompt of 40 GB.

#[test]
fn a_prompt_longer_than_the_bound_is_refused_before_anything_is_planned() {
    let fixed = |tokens| LengthDistribution::Fixed { tokens };
    let setup = setup_with(RequestLengths::Separate {
        prompt_tokens: fixed(u32::MAX),
        output_tokens: fixed(16),
    });
    let problem = workload_problem(&setup).expect("refused");
    assert_eq!(
        problem,
        format!("The prompt length can be at most {MAX_PROMPT_TOKENS} tokens, not 4294967295.")
    );
    assert_eq!(
        PreparedRun::new(&setup, "", None).err().as_deref(),
        Some(problem.as_str())
    );
}

#[test]
fn every_length_kind_is_bounded() {
    let cases = [
        RequestLengths::Separate {
            prompt_tokens: LengthDistribution::Fixed { tokens: 10 },
            output_tokens: LengthDistribution::Uniform {
                min: 1,
                max: MAX_OUTPUT_TOKENS + 1,
            },
        },
        RequestLengths::SplitTotal {
            total_tokens: LengthDistribution::Zipf {
                theta: 0.5,
                min: u32::MAX - 10,
                max: u32::MAX,
                scramble: false,
            },
            prefill_to_decode_ratio: 2.0,
        },
        RequestLengths::Trace {
            trace: "t".into(),
            prefill_scale_factor: 1.0,
            decode_scale_factor: 1.0,
            max_total_tokens: u32::MAX,
        },
    ];
    for lengths in cases {
        let setup = setup_with(lengths.clone());
        let problem = workload_problem(&setup).unwrap_or_else(|| panic!("{lengths:?} accepted"));
        assert!(problem.contains("at most"), "{problem}");
        assert!(problem.ends_with('.'), "{problem}");
    }
}

#[test]
fn lengths_at_the_bound_are_accepted() {
    let setup = setup_with(RequestLengths::Separate {
        prompt_tokens: LengthDistribution::Fixed {
            tokens: MAX_PROMPT_TOKENS,
        },
        output_tokens: LengthDistribution::Fixed {
            tokens: MAX_OUTPUT_TOKENS,
        },
    });
    assert_eq!(workload_problem(&setup), None);
}

// Item 2: a link of a few hundred characters once claimed 20 chunks of
// 1,000,000 tokens in one request, and the page drew every token.

#[test]
fn a_request_holding_more_than_a_request_can_ask_for_is_refused() {
    use etalon_core::limits::{MAX_TOKENS_PER_CHUNK, MAX_TOKENS_PER_REQUEST};
    use etalon_core::recording::{Chunk, Recording, RequestRecord, RECORDING_VERSION};
    use etalon_core::share::{check_recording, result_link};
    let recording = |chunks: u32| Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 0.0,
        config: serde_json::json!({}),
        environment: Default::default(),
        requests: vec![RequestRecord {
            chunks: (0..chunks)
                .map(|k| Chunk::visible(0.1 * f64::from(k + 1), MAX_TOKENS_PER_CHUNK))
                .collect::<Vec<_>>()
                .into(),
            ..Default::default()
        }],
    };
    let expected = format!(
        "Request 0: it holds 20000000 tokens, more than one request can ask for \
         ({MAX_TOKENS_PER_REQUEST}), so this run cannot be shown."
    );
    let claimed = recording(20);
    assert_eq!(check_recording(&claimed).unwrap_err().message, expected);
    assert_eq!(
        result_link(&claimed, None, &[]).unwrap_err().message,
        expected
    );
    assert!(check_recording(&recording(1)).is_ok());
}

#[test]
fn a_time_limit_beyond_a_day_is_refused() {
    let mut setup = setup_with(RequestLengths::default());
    setup.timeout_seconds = 1e12;
    let problem = setup.problems().into_iter().find(|p| p.field == "timeout");
    assert_eq!(
        problem.map(|p| p.message).as_deref(),
        Some("The time limit per request can be at most a day (86400 seconds).")
    );
    setup.timeout_seconds = 86_400.0;
    assert!(setup.problems().is_empty());
    assert!(etalon_core::share::check_setup(&setup).is_ok());
    // A link holds the set-up screen's bound too.
    setup.timeout_seconds = 2.0 * 86_400.0;
    assert_eq!(
        etalon_core::share::check_setup(&setup).unwrap_err().message,
        "The link's time limit per request is not a number of seconds between 0 and a day."
    );
}
