//! The browser computes the figures native code does. The metrics
//! benchmark's run (1,000 synthetic requests of 500 tokens), every figure
//! computed once, has the digest the native build pins
//! ([`BENCHMARK_FIGURES_DIGEST`], which `benches/metrics.rs` checks); and
//! the eight-lane walk (wasm SIMD in the browser, AVX or the portable step
//! natively) counts as the plain walk does where rounding is most delicate.
//!
//! Runs natively with the other tests and, in a browser, as wasm
//! (`cargo test -p etalon-core --target wasm32-unknown-unknown --test
//! wasm_parity`, which scripts/test runs; needs wasm-bindgen-test-runner and
//! a WebDriver). The timed benchmark in the browser is tests/wasm_bench.rs.

use etalon_core::metrics::{
    deadline_miss_count, figures_digest, min_tbt_deadline_to_meet, recording_metrics, run_metrics,
    DeadlineConfig, FirstToken, RequestTimeline, BENCHMARK_FIGURES_DIGEST,
};
use etalon_core::recording::synthetic::{Rng, SyntheticRun};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[test]
fn the_benchmarks_figures_are_those_of_native_code() {
    let recording = SyntheticRun::benchmark().recording();
    let metrics = recording_metrics(&recording, &DeadlineConfig::default());
    assert_eq!(metrics.requests.len(), 1000);
    let digest = figures_digest(&metrics);
    assert_eq!(
        digest, BENCHMARK_FIGURES_DIGEST,
        "figures digest {digest:#018x}: this build computes other figures than native code pinned"
    );
}

/// The lane step counts as the plain walk does, on timelines of exact
/// multiples of the deadlines (quotients that land on integers, where the
/// step must hand over to the exact division), zeros and stalls: miss
/// counts and both minimum-deadline searches of 40 requests (walked eight
/// at a time) against the one-by-one reference.
#[test]
fn simd_lanes_count_as_the_plain_walk() {
    let mut rng = Rng::new(7);
    let bases = [0.005, 0.01, 0.025, 0.05, 0.1];
    let timelines: Vec<RequestTimeline> = (0..40)
        .map(|id| {
            let len = 150 + (rng.next_u64() % 150) as usize;
            let itt: Vec<f64> = (0..len)
                .map(|_| match rng.next_u64() % 8 {
                    0..=2 => {
                        (1 + rng.next_u64() % 11) as f64 * bases[(rng.next_u64() % 5) as usize]
                    }
                    3 => 0.0,
                    4 => rng.between(0.2, 3.0),
                    _ => rng.between(0.0, 0.2),
                })
                .collect();
            RequestTimeline {
                id,
                num_output_tokens: itt.len() as u64,
                inter_token_times: itt,
                ..Default::default()
            }
        })
        .collect();
    for (dp, dd, target) in [(0.1, 0.05, 0.1), (0.3, 0.025, 0.05), (0.05, 0.1, 0.0)] {
        let config = DeadlineConfig::fixed(dp, dd, target);
        let metrics = run_metrics(&timelines, &config);
        for (request, timeline) in metrics.requests.iter().zip(&timelines) {
            let itt = &timeline.inter_token_times;
            let count = deadline_miss_count(itt, dp, dd, FirstToken::Counted);
            assert_eq!(
                (request.missed_deadlines, request.total_deadlines),
                (count.missed_deadlines, count.total_deadlines),
                "request {} at {dd}",
                request.id
            );
            assert_eq!(
                request.min_tbt_deadline_to_meet,
                min_tbt_deadline_to_meet(itt, dp, target, FirstToken::Counted)
            );
            assert_eq!(
                request.decode_min_tbt_deadline,
                min_tbt_deadline_to_meet(itt, 0.0, 0.1, FirstToken::Ignored)
            );
        }
    }
}
