//! Prompt and output lengths of generated plans against their
//! distributions (each test prints what it measured): uniform within its
//! bounds with its mean within 2%; Zipf with the rank law's exact ratio
//! 2^theta between its two most common values (within 3%), the most common
//! value's share 1/zeta(n) within 2%, the next ranks within 20% of the
//! law (the Gray et al. method is an approximation past rank 2), and a
//! chi-square test against the method's own probabilities; Etalon's split
//! of a total; fixed lengths.

use etalon_core::plan::workload::{
    plan, LengthDistribution, Plan, RequestLengths, WorkloadConfig, MAX_PLANNED_REQUESTS,
};

fn plan_lengths(lengths: RequestLengths, requests: u32, seed: u64) -> Plan {
    let config = WorkloadConfig {
        stop_after_requests: Some(requests),
        warmup_requests: 0,
        lengths,
        ..WorkloadConfig::default()
    };
    plan(&config, seed, None).expect("a valid workload")
}

/// The prompt lengths of `draws` requests, from as many plans of at most
/// [`MAX_PLANNED_REQUESTS`] as it takes (seeds from `seed` on).
fn prompt_lengths(lengths: RequestLengths, draws: u32, seed: u64) -> Vec<u32> {
    let most = MAX_PLANNED_REQUESTS as u32;
    (0..draws.div_ceil(most))
        .flat_map(|part| {
            let count = (draws - part * most).min(most);
            plan_lengths(lengths.clone(), count, seed + u64::from(part)).requests
        })
        .map(|r| r.prompt_tokens)
        .collect()
}

fn separate(prompt: LengthDistribution, output: LengthDistribution) -> RequestLengths {
    RequestLengths::Separate {
        prompt_tokens: prompt,
        output_tokens: output,
    }
}

#[test]
fn uniform_lengths_stay_in_bounds_with_the_middle_as_mean() {
    let plan = plan_lengths(
        separate(
            LengthDistribution::Uniform {
                min: 100,
                max: 2000,
            },
            LengthDistribution::Uniform { min: 16, max: 64 },
        ),
        20_000,
        21,
    );
    let prompts: Vec<u32> = plan.requests.iter().map(|r| r.prompt_tokens).collect();
    let outputs: Vec<u32> = plan.requests.iter().map(|r| r.output_tokens).collect();
    let mean = |v: &[u32]| v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len() as f64;
    println!(
        "uniform 100..=2000: mean {:.2} (expected 1050), min {}, max {}; 16..=64: mean {:.3} (expected 40)",
        mean(&prompts),
        prompts.iter().min().unwrap(),
        prompts.iter().max().unwrap(),
        mean(&outputs)
    );
    assert!(prompts.iter().all(|&p| (100..=2000).contains(&p)));
    assert!(outputs.iter().all(|&o| (16..=64).contains(&o)));
    assert!((mean(&prompts) / 1050.0 - 1.0).abs() < 0.02);
    assert!((mean(&outputs) / 40.0 - 1.0).abs() < 0.02);
    assert!(prompts.contains(&100) && prompts.contains(&2000));
}

/// The probability of each offset 0..n under Gray et al.'s method.
fn gray_probabilities(n: u64, theta: f64) -> Vec<f64> {
    let zeta = |count: u64| (1..=count).map(|i| (i as f64).powf(-theta)).sum::<f64>();
    let zeta_n = zeta(n);
    let eta = (1.0 - (2.0 / n as f64).powf(1.0 - theta)) / (1.0 - zeta(2) / zeta_n);
    let threshold = (1.0 + 0.5f64.powf(theta)) / zeta_n;
    // The uniform draw at which n * (eta * u - eta + 1)^(1/(1-theta)) reaches y.
    let u_at =
        |y: f64| (((y / n as f64).powf(1.0 - theta) - 1.0 + eta) / eta).clamp(threshold, 1.0);
    let mut p = vec![1.0 / zeta_n, 0.5f64.powf(theta) / zeta_n];
    p.extend((2..n).map(|j| u_at(j as f64 + 1.0) - u_at(j as f64)));
    p
}

#[test]
fn zipf_lengths_follow_the_rank_law() {
    let (n, theta, draws) = (100u64, 0.9, 400_000u32);
    let prompts = prompt_lengths(
        separate(
            LengthDistribution::Zipf {
                theta,
                min: 1,
                max: n as u32,
                scramble: false,
            },
            LengthDistribution::Fixed { tokens: 8 },
        ),
        draws,
        31,
    );
    assert_eq!(prompts.len(), draws as usize);
    let mut counts = vec![0f64; n as usize];
    for prompt in prompts {
        assert!((1..=n as u32).contains(&prompt));
        counts[prompt as usize - 1] += 1.0;
    }
    let total = f64::from(draws);
    let zeta_n: f64 = (1..=n).map(|i| (i as f64).powf(-theta)).sum();
    let top_share = counts[0] / total;
    let ratio = counts[0] / counts[1];
    println!(
        "zipf theta {theta} over 1..={n}, {draws} draws: P(1) {top_share:.5} (law {:.5}), \
         count(1)/count(2) {ratio:.4} (law 2^theta = {:.4})",
        1.0 / zeta_n,
        2f64.powf(theta)
    );
    assert!((top_share * zeta_n - 1.0).abs() < 0.02);
    assert!((ratio / 2f64.powf(theta) - 1.0).abs() < 0.03);
    for rank in 3..=10usize {
        let law = (rank as f64).powf(-theta) / zeta_n;
        let measured = counts[rank - 1] / total;
        println!(
            "  rank {rank}: {measured:.5} vs law {law:.5} ({:+.1}%)",
            (measured / law - 1.0) * 100.0
        );
        assert!((measured / law - 1.0).abs() < 0.20, "rank {rank}");
    }

    let expected = gray_probabilities(n, theta);
    let (mut chi_square, mut cells) = (0.0, 0);
    for (count, p) in counts.iter().zip(&expected) {
        let e = p * total;
        if e >= 5.0 {
            chi_square += (count - e).powi(2) / e;
            cells += 1;
        }
    }
    println!("  chi-square against the method's probabilities: {chi_square:.1} over {cells} cells");
    // The 99.9th percentile of chi-square with 99 degrees of freedom is 149.
    assert!(
        cells >= 90 && chi_square < 149.0,
        "chi-square {chi_square} over {cells}"
    );
}

#[test]
fn scrambled_zipf_keeps_the_top_share_but_moves_it() {
    let plan = plan_lengths(
        separate(
            LengthDistribution::Fixed { tokens: 8 },
            LengthDistribution::Zipf {
                theta: 0.6,
                min: 1000,
                max: 1999,
                scramble: true,
            },
        ),
        MAX_PLANNED_REQUESTS as u32,
        5,
    );
    let mut counts = std::collections::HashMap::new();
    for request in &plan.requests {
        assert!((1000..=1999).contains(&request.output_tokens));
        *counts.entry(request.output_tokens).or_insert(0u32) += 1;
    }
    let (&top_value, &top_count) = counts.iter().max_by_key(|(_, &c)| c).unwrap();
    let zeta_n: f64 = (1..=1000).map(|i| f64::from(i).powf(-0.6)).sum();
    let share = f64::from(top_count) / MAX_PLANNED_REQUESTS as f64;
    println!(
        "scrambled zipf: most common {top_value} with share {share:.4} (unscrambled law {:.4})",
        1.0 / zeta_n
    );
    assert_ne!(top_value, 1000);
    assert!(share * zeta_n > 0.97);
}

#[test]
fn a_split_total_follows_etalon_truncation() {
    let split = |tokens, ratio| RequestLengths::SplitTotal {
        total_tokens: LengthDistribution::Fixed { tokens },
        prefill_to_decode_ratio: ratio,
    };
    let first = |lengths| {
        let request = plan_lengths(lengths, 1, 0).requests[0];
        (request.prompt_tokens, request.output_tokens)
    };
    assert_eq!(first(split(1000, 3.0)), (750, 250));
    // 1000 / 3 = 333.3 output, 666.7 prompt: both truncated, as Etalon's int().
    assert_eq!(first(split(1000, 2.0)), (666, 333));
    assert_eq!(first(split(1, 0.0)), (1, 1), "never 0 tokens");
    let fixed = separate(
        LengthDistribution::Fixed { tokens: 321 },
        LengthDistribution::Fixed { tokens: 12 },
    );
    assert!(plan_lengths(fixed, 50, 0)
        .requests
        .iter()
        .all(|r| (r.prompt_tokens, r.output_tokens) == (321, 12)));
}

#[test]
fn bad_length_settings_are_refused_with_a_sentence() {
    let cases = [
        (
            separate(
                LengthDistribution::Uniform { min: 10, max: 5 },
                LengthDistribution::Fixed { tokens: 1 },
            ),
            "above the largest",
        ),
        (
            separate(
                LengthDistribution::Fixed { tokens: 0 },
                LengthDistribution::Fixed { tokens: 1 },
            ),
            "at least 1 token",
        ),
        (
            separate(
                LengthDistribution::Fixed { tokens: 5 },
                LengthDistribution::Zipf {
                    theta: 1.0,
                    min: 1,
                    max: 9,
                    scramble: false,
                },
            ),
            "theta of the output length",
        ),
        (
            separate(
                LengthDistribution::Zipf {
                    theta: 0.5,
                    min: 1,
                    max: u32::MAX,
                    scramble: false,
                },
                LengthDistribution::Fixed { tokens: 1 },
            ),
            "can span at most 1000000 values",
        ),
    ];
    for (lengths, expected) in cases {
        let config = WorkloadConfig {
            lengths,
            ..WorkloadConfig::default()
        };
        let error = plan(&config, 0, None).expect_err("refused").to_string();
        println!("{error}");
        assert!(error.contains(expected), "{error}");
    }
}
