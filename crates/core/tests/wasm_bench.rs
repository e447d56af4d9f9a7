//! The metrics benchmark (benches/metrics.rs) in a browser: the same 1,000
//! synthetic requests of 500 tokens, every figure, timed with the page's
//! clock; prints the median time and checks that the figures are those the
//! native build computes (same digest). Also times the results screen's
//! deadline slider (a report from the recording's basis under a new TBT,
//! then TTFT, deadline), which must stay well under 50 ms, one task. And
//! checks the browser's eight-lane walk (wasm SIMD) against the plain walk
//! where rounding is most delicate.
//!
//! Run: `cargo test -p etalon-core --target wasm32-unknown-unknown --release
//! --test wasm_bench -- --nocapture` (needs wasm-bindgen-test-runner and a
//! WebDriver). The workspace's release profile optimizes for size
//! (`opt-level = "z"`), which costs this code about a third of its speed;
//! `CARGO_PROFILE_RELEASE_OPT_LEVEL=3` shows the difference.
#![cfg(target_arch = "wasm32")]

use etalon_core::metrics::{
    deadline_miss_count, min_tbt_deadline_to_meet, recording_metrics, run_metrics, DeadlineConfig,
    FirstToken, RequestTimeline,
};
use etalon_core::metrics::{figures_digest, BENCHMARK_FIGURES_DIGEST};
use etalon_core::present::report::{Report, ReportBasis};
use etalon_core::recording::synthetic::{Rng, SyntheticRun};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const RUNS: usize = 5;

#[wasm_bindgen_test]
fn metrics_benchmark_in_the_browser() {
    let recording = SyntheticRun::benchmark().recording();
    let deadlines = DeadlineConfig::default();
    let metrics = recording_metrics(&recording, &deadlines);
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = js_sys::Date::now();
            std::hint::black_box(recording_metrics(
                std::hint::black_box(&recording),
                &deadlines,
            ));
            js_sys::Date::now() - start
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let digest = figures_digest(&metrics);
    console_log!(
        "etalon-core metrics in the browser (wasm): 1000 requests x 500 tokens, median of {} runs: {:.1} ms (fastest {:.1} ms); figures digest {:#018x}",
        RUNS,
        times[RUNS / 2],
        times[0],
        digest
    );
    assert_eq!(
        digest, BENCHMARK_FIGURES_DIGEST,
        "the browser computes other figures than native code"
    );

    let basis = ReportBasis::of(&recording);
    let moves = [
        DeadlineConfig::fixed(0.1, 0.05, 0.1),
        DeadlineConfig::fixed(0.1, 0.04, 0.1),
        DeadlineConfig::fixed(0.3, 0.04, 0.1),
    ];
    let mut previous = Report::from_basis(&basis, &moves[0], None);
    let mut tbt = Vec::new();
    let mut ttft = Vec::new();
    for _ in 0..RUNS {
        // 0.05 -> 0.04 s TBT, then a TTFT move there and back.
        for (to, is_tbt) in [(1, true), (2, false), (0, false)] {
            let start = js_sys::Date::now();
            let report = Report::from_basis(&basis, &moves[to], Some(&previous));
            let time = js_sys::Date::now() - start;
            if is_tbt {
                tbt.push(time)
            } else {
                ttft.push(time)
            }
            previous = std::hint::black_box(report);
        }
    }
    tbt.sort_by(f64::total_cmp);
    ttft.sort_by(f64::total_cmp);
    // The page searches a TTFT move 100 requests per task: the longest task.
    let mut longest_slice = 0.0f64;
    for start in (0..1000).step_by(100) {
        let begin = js_sys::Date::now();
        std::hint::black_box(
            basis
                .profile
                .min_tbt_deadlines(&moves[2], start..start + 100),
        );
        longest_slice = longest_slice.max(js_sys::Date::now() - begin);
    }
    console_log!(
        "results screen in the browser (wasm), deadline slider on the same recording: TBT deadline move {:.1} ms, TTFT deadline move {:.1} ms in all (medians), its longest task (100 requests' searches) {:.1} ms",
        tbt[tbt.len() / 2],
        ttft[ttft.len() / 2],
        longest_slice
    );
}

/// The wasm SIMD lane step (lanes_wasm.rs) counts as the plain walk does,
/// on timelines of exact multiples of the deadlines (quotients that land on
/// integers, where the step must hand over to the exact division), zeros
/// and stalls: miss counts and both minimum-deadline searches of 40
/// requests (walked eight at a time) against the one-by-one reference.
#[wasm_bindgen_test]
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
