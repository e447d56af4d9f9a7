//! Invariants of plans, traces, prompts and calibration over generated
//! settings: plans are ordered, bounded by their stops and lengths, and
//! reproducible; clipped trace rows respect the limit; prompts are within a
//! word of their target; calibration stays in bounds and scales with the text.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::plan::workload::{
    calibrate, plan, Arrivals, CalibrationSample, LengthDistribution, RequestLengths, Trace,
    TraceRequest, WorkloadConfig,
};
use etalon_core::wire::prompt::{
    source_text, synthesize_prompt, target_chars, MAX_CHARS_PER_TOKEN, MIN_CHARS_PER_TOKEN,
};
use proptest::prelude::*;

fn arrivals() -> impl Strategy<Value = Arrivals> {
    prop_oneof![
        Just(Arrivals::AllAtOnce),
        (0.0..2.0f64).prop_map(|interval_seconds| Arrivals::FixedInterval { interval_seconds }),
        (0.1..100.0f64).prop_map(|requests_per_second| Arrivals::Poisson {
            requests_per_second
        }),
        (0.1..100.0f64, 0.1..5.0f64).prop_map(|(requests_per_second, cv)| Arrivals::Gamma {
            requests_per_second,
            cv
        }),
        (prop::collection::vec(-1e3..1e3f64, 1..50), 0.1..10.0f64).prop_map(
            |(arrival_times, time_scale)| Arrivals::Replay {
                arrival_times,
                time_scale
            }
        ),
    ]
}

fn distribution() -> impl Strategy<Value = LengthDistribution> {
    (1u32..3000, 0u32..3000, 0.01..0.99f64, 0..3u8).prop_map(|(min, extra, theta, kind)| match kind
    {
        0 => LengthDistribution::Fixed { tokens: min },
        1 => LengthDistribution::Uniform {
            min,
            max: min + extra,
        },
        _ => LengthDistribution::Zipf {
            theta,
            min,
            max: min + extra,
            scramble: extra % 2 == 0,
        },
    })
}

fn bounds(distribution: &LengthDistribution) -> (u32, u32) {
    match *distribution {
        LengthDistribution::Fixed { tokens } => (tokens, tokens),
        LengthDistribution::Uniform { min, max } | LengthDistribution::Zipf { min, max, .. } => {
            (min, max)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn plans_are_ordered_bounded_and_reproducible(
        arrivals in arrivals(),
        requests in 1u32..300,
        seconds in prop::option::of(0.5..50.0f64),
        warmup_requests in 0u32..4,
        prompt in distribution(),
        output in distribution(),
        seed in any::<u64>(),
    ) {
        let config = WorkloadConfig {
            arrivals,
            stop_after_requests: Some(requests),
            stop_after_seconds: seconds,
            warmup_requests,
            lengths: RequestLengths::Separate { prompt_tokens: prompt.clone(), output_tokens: output.clone() },
            ..WorkloadConfig::default()
        };
        let planned = plan(&config, seed, None).unwrap();
        prop_assert_eq!(&planned, &plan(&config, seed, None).unwrap());
        prop_assert_eq!(planned.warmup.len(), warmup_requests as usize);
        prop_assert!(!planned.requests.is_empty() && planned.requests.len() <= requests as usize);
        prop_assert_eq!(planned.requests[0].at, 0.0);
        prop_assert!(planned.requests.windows(2).all(|w| w[0].at <= w[1].at));
        prop_assert!(planned.requests.iter().all(|r| r.at < seconds.unwrap_or(f64::INFINITY)));
        let ids: Vec<u64> = planned.warmup.iter().chain(&planned.requests).map(|r| r.id).collect();
        prop_assert_eq!(ids, (0..(warmup_requests as usize + planned.requests.len()) as u64).collect::<Vec<_>>());
        let ((pmin, pmax), (omin, omax)) = (bounds(&prompt), bounds(&output));
        for r in planned.warmup.iter().chain(&planned.requests) {
            prop_assert!((pmin..=pmax).contains(&r.prompt_tokens) && (omin..=omax).contains(&r.output_tokens));
        }
    }

    #[test]
    fn clipped_trace_rows_stay_within_the_limit(
        rows in prop::collection::vec((0.0..20_000.0f64, 0.0..20_000.0f64), 1..40),
        prefill_scale in 0.05..4.0f64,
        decode_scale in 0.05..4.0f64,
        max_total in 2u32..10_000,
    ) {
        let trace = Trace {
            requests: rows.iter().map(|&(prefill_tokens, decode_tokens)| TraceRequest { prefill_tokens, decode_tokens }).collect(),
        };
        let scaled = trace.scaled(prefill_scale, decode_scale, max_total);
        prop_assert_eq!(scaled.len(), rows.len());
        for (row, tokens) in rows.iter().zip(&scaled) {
            prop_assert!(tokens.prompt_tokens >= 1 && tokens.output_tokens >= 1);
            prop_assert!(tokens.prompt_tokens + tokens.output_tokens <= max_total);
            let (p, d) = ((row.0 * prefill_scale) as u32, (row.1 * decode_scale) as u32);
            if p + d <= max_total && p >= 1 && d >= 1 {
                prop_assert_eq!((tokens.prompt_tokens, tokens.output_tokens), (p, d));
            }
        }
    }

    #[test]
    fn prompts_are_within_a_word_of_their_target(tokens in 1u32..5000, ratio in 0.5..12.0f64, variant in any::<u64>()) {
        let prompt = synthesize_prompt(tokens, ratio, variant);
        let slack = source_text().split(' ').map(str::len).max().unwrap() + 1;
        prop_assert!(!prompt.is_empty() && !prompt.starts_with(' ') && !prompt.ends_with(' '));
        prop_assert!(prompt.len().abs_diff(target_chars(tokens, ratio)) <= slack);
    }

    #[test]
    fn calibration_stays_in_bounds_and_scales_with_the_text(
        samples in prop::collection::vec((1usize..100_000, 1u64..20_000), 1..12),
        factor in 1u64..4,
    ) {
        let as_samples = |k: u64| -> Vec<CalibrationSample> {
            samples.iter().map(|&(chars_sent, tokens)| CalibrationSample {
                chars_sent: chars_sent * k as usize, prompt_tokens_reported: tokens,
            }).collect()
        };
        let ratio = calibrate(&as_samples(1));
        prop_assert!((MIN_CHARS_PER_TOKEN..=MAX_CHARS_PER_TOKEN).contains(&ratio));
        let scaled = calibrate(&as_samples(factor));
        if ratio > MIN_CHARS_PER_TOKEN && ratio * (factor as f64) < MAX_CHARS_PER_TOKEN {
            prop_assert!((scaled / (ratio * factor as f64) - 1.0).abs() < 1e-12);
        }
    }
}
