//! Synthetic prompts: the target length in characters within one word,
//! whole words of the shipped text, different starts for different
//! requests; the characters-per-token calibration; and the request bodies
//! a plan becomes.

use std::collections::HashSet;

use etalon_core::plan::prepare::plan_bodies;
use etalon_core::plan::workload::{
    calibrate, plan, CalibrationSample, LengthDistribution, RequestLengths, WorkloadConfig,
};
use etalon_core::wire::body::{request_prompt, BodyWriter};
use etalon_core::wire::openai::request::{Api, RequestSettings};
use etalon_core::wire::prompt::{source_text, synthesize_prompt, target_chars};
use serde_json::Value;

fn longest_word() -> usize {
    source_text().split(' ').map(str::len).max().unwrap()
}

#[test]
fn the_shipped_text_is_ascii_prose_of_20_to_40_kb() {
    let text = source_text();
    println!(
        "shipped text: {} characters, {} words, longest word {}",
        text.len(),
        text.split(' ').count(),
        longest_word()
    );
    assert!(text.is_ascii());
    assert!((20_000..40_000).contains(&text.len()));
    assert!(!text.contains("  ") && !text.starts_with(' ') && !text.ends_with(' '));
}

#[test]
fn a_prompt_hits_its_length_within_one_word_in_whole_words() {
    let words: HashSet<&str> = source_text().split(' ').collect();
    let slack = longest_word() + 1;
    let mut worst = 0usize;
    for (i, tokens) in [1u32, 2, 7, 50, 333, 1000, 4096, 10_000]
        .into_iter()
        .enumerate()
    {
        for (j, ratio) in [2.5, 3.7, 4.0, 5.2].into_iter().enumerate() {
            let prompt = synthesize_prompt(tokens, ratio, (i * 10 + j) as u64);
            let target = target_chars(tokens, ratio);
            assert_eq!(target, (f64::from(tokens) * ratio).round() as usize);
            let off = prompt.len().abs_diff(target);
            worst = worst.max(off);
            assert!(
                off <= slack,
                "{tokens} tokens at {ratio}: {} chars for {target}",
                prompt.len()
            );
            assert!(
                prompt.split(' ').all(|w| words.contains(w)),
                "whole words only"
            );
        }
    }
    println!(
        "largest miss of the target length: {worst} characters (longest word {})",
        longest_word()
    );
    // A prompt longer than the text wraps around to its start.
    let long = synthesize_prompt(20_000, 4.0, 1);
    assert!(long.len().abs_diff(80_000) <= slack);
}

#[test]
fn requests_start_at_different_places_and_never_share_a_first_line() {
    let starts: HashSet<String> = (0..100u64)
        .map(|v| {
            synthesize_prompt(50, 4.0, v)
                .split(' ')
                .take(8)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    println!("100 variants: {} different first eight words", starts.len());
    assert!(starts.len() >= 95);
    assert_eq!(
        synthesize_prompt(300, 4.0, 77),
        synthesize_prompt(300, 4.0, 77)
    );

    let config = WorkloadConfig {
        stop_after_requests: Some(500),
        warmup_requests: 2,
        ..WorkloadConfig::default()
    };
    let plan = plan(&config, 1, None).unwrap();
    let first_lines: HashSet<String> = plan
        .warmup
        .iter()
        .chain(&plan.requests)
        .map(|r| {
            request_prompt(&r.body(), 4.0)
                .lines()
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(first_lines.len(), 502);
    let prompt = request_prompt(&plan.requests[0].body(), 4.0);
    assert!(prompt.starts_with(
        "Request 2. Continue this passage in the same style, writing at least 128 words.\n\n"
    ));
    assert!(
        prompt.len().abs_diff(512 * 4) <= longest_word() + 1,
        "{}",
        prompt.len()
    );
}

#[test]
fn calibration_takes_the_median_ratio_within_sane_bounds() {
    let sample = |chars_sent, prompt_tokens_reported| CalibrationSample {
        chars_sent,
        prompt_tokens_reported,
    };
    assert_eq!(
        calibrate(&[sample(4000, 1000), sample(3600, 1000), sample(9000, 1000)]),
        4.0
    );
    assert_eq!(calibrate(&[sample(4000, 1000), sample(3000, 1000)]), 3.5);
    assert_eq!(
        calibrate(&[sample(4000, 0), sample(0, 10), sample(3800, 1000)]),
        3.8
    );
    // Short prompts are dominated by the chat template's tokens: skipped when longer ones exist.
    assert_eq!(calibrate(&[sample(40, 20), sample(4100, 1000)]), 4.1);
    assert_eq!(calibrate(&[sample(40, 20)]), 2.0);
    assert_eq!(calibrate(&[]), 4.0);
    assert_eq!(calibrate(&[sample(100_000, 1000)]), 10.0);
    assert_eq!(calibrate(&[sample(100, 1000)]), 1.0);
    // A calibrated ratio makes the next prompts the asked length by the server's count.
    let server_ratio = calibrate(&[sample(2000, 600), sample(4000, 1190), sample(1000, 305)]);
    let prompt = synthesize_prompt(800, server_ratio, 9);
    let counted = prompt.len() as f64 / (2000.0 / 600.0);
    println!("calibrated {server_ratio:.4} chars/token; an 800-token prompt counts as {counted:.1} tokens");
    assert!((counted / 800.0 - 1.0).abs() < 0.01);
}

#[test]
fn bodies_ask_for_the_planned_output_length() {
    let config = WorkloadConfig {
        stop_after_requests: Some(3),
        warmup_requests: 1,
        lengths: RequestLengths::Separate {
            prompt_tokens: LengthDistribution::Uniform { min: 100, max: 200 },
            output_tokens: LengthDistribution::Uniform { min: 10, max: 90 },
        },
        ..WorkloadConfig::default()
    };
    let plan = plan(&config, 5, None).unwrap();
    let settings = RequestSettings {
        model: "m".into(),
        ignore_eos: true,
        min_tokens: Some(1),
        ..Default::default()
    };
    let bodies = plan_bodies(
        &plan.requests,
        &BodyWriter {
            settings: settings.clone(),
            chars_per_token: 3.5,
        },
    );
    assert_eq!(bodies.len(), 3);
    for (request, planned) in plan.requests.iter().zip(&bodies) {
        assert_eq!((planned.id, planned.at), (request.id, request.at));
        let body: Value = serde_json::from_str(&planned.body).unwrap();
        assert_eq!(body["max_tokens"], request.output_tokens);
        assert_eq!(body["min_tokens"], request.output_tokens);
        assert_eq!(body["ignore_eos"], true);
        assert_eq!(body["stream"], true);
        assert_eq!(
            body["messages"][0]["content"],
            request_prompt(&request.body(), 3.5)
        );
    }
    let plain = RequestSettings {
        api: Api::Completions,
        ..Default::default()
    };
    let body: Value = serde_json::from_str(
        &plan_bodies(
            &plan.warmup,
            &BodyWriter {
                settings: plain.clone(),
                chars_per_token: 4.0,
            },
        )[0]
        .body,
    )
    .unwrap();
    assert_eq!(body["max_tokens"], plan.warmup[0].output_tokens);
    assert!(body.get("min_tokens").is_none() && body.get("ignore_eos").is_none());
    assert_eq!(body["prompt"], request_prompt(&plan.warmup[0].body(), 4.0));
}
