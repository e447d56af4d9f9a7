//! The same config and seed give the same plan on every platform: the
//! fingerprints of a few plans (every arrival time's bits, every length and
//! prompt offset) are pinned here. The test runs natively and, in a
//! browser, as wasm (`cargo test -p etalon-core --target
//! wasm32-unknown-unknown --test workload_golden`); a change of random
//! stream or of float maths shows up as a changed fingerprint on either.

use etalon_core::plan::workload::{
    plan, Arrivals, LengthDistribution, Plan, RequestLengths, WorkloadConfig,
};
use etalon_core::wire::prompt::synthesize_prompt;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// FNV-1a over every field of every request.
fn fingerprint(plan: &Plan) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for request in plan.warmup.iter().chain(&plan.requests) {
        for word in [
            request.id,
            request.at.to_bits(),
            u64::from(request.prompt_tokens),
            u64::from(request.output_tokens),
            request.text_variant,
        ] {
            for byte in word.to_le_bytes() {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    hash
}

fn workload(arrivals: Arrivals, lengths: RequestLengths) -> WorkloadConfig {
    WorkloadConfig {
        arrivals,
        stop_after_requests: Some(2000),
        warmup_requests: 2,
        lengths,
        ..WorkloadConfig::default()
    }
}

#[test]
fn plans_have_pinned_fingerprints() {
    let zipf_and_uniform = RequestLengths::Separate {
        prompt_tokens: LengthDistribution::Zipf {
            theta: 0.7,
            min: 16,
            max: 8000,
            scramble: true,
        },
        output_tokens: LengthDistribution::Uniform { min: 1, max: 1024 },
    };
    let split = RequestLengths::SplitTotal {
        total_tokens: LengthDistribution::Zipf {
            theta: 0.4,
            min: 100,
            max: 5000,
            scramble: false,
        },
        prefill_to_decode_ratio: 3.0,
    };
    let cases = [
        (
            workload(
                Arrivals::Poisson {
                    requests_per_second: 7.5,
                },
                zipf_and_uniform.clone(),
            ),
            1u64,
        ),
        (
            workload(
                Arrivals::Gamma {
                    requests_per_second: 3.0,
                    cv: 0.5,
                },
                split.clone(),
            ),
            2,
        ),
        (
            workload(
                Arrivals::Gamma {
                    requests_per_second: 3.0,
                    cv: 4.0,
                },
                zipf_and_uniform,
            ),
            3,
        ),
        (
            workload(
                Arrivals::FixedInterval {
                    interval_seconds: 0.3,
                },
                split,
            ),
            4,
        ),
    ];
    let found: Vec<u64> = cases
        .iter()
        .map(|(config, seed)| fingerprint(&plan(config, *seed, None).unwrap()))
        .collect();
    println!("fingerprints: {found:x?}");
    let pinned: [u64; 4] = [
        0x1a92_5577_940b_d4e4,
        0x0ac0_79f2_f218_db50,
        0x21ae_48e5_3906_bb5a,
        0xc7d2_9e64_cafb_9de0,
    ];
    assert_eq!(found, pinned);
}

#[test]
fn prompts_are_pinned() {
    let prompt = synthesize_prompt(12, 4.0, 12345);
    println!("{prompt:?}");
    assert_eq!(
        prompt,
        r#"me?" I asked. He answered, "That is all." I turned"#
    );
}
