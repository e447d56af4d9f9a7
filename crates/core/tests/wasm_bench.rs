//! The metrics benchmark (benches/metrics.rs) in a browser: the same 1,000
//! synthetic requests of 500 tokens, every figure, timed with the page's
//! clock; prints the median time (and the figures' digest). Also times the
//! results screen's deadline slider (a report from the recording's basis
//! under a new TBT, then TTFT, deadline), which must stay well under 50 ms,
//! one task. And the simulated serving system (benches/simulate.rs) in a
//! browser: 10,000 Poisson requests through the first preset under each
//! policy, in requests and tokens per second. A benchmark only: that the
//! browser computes native code's
//! figures is checked by tests/wasm_parity.rs, which scripts/test runs.
//!
//! Run: `cargo test -p etalon-core --target wasm32-unknown-unknown --release
//! --test wasm_bench -- --nocapture` (needs wasm-bindgen-test-runner and a
//! WebDriver). The workspace's release profile optimizes for size
//! (`opt-level = "z"`), which costs this code about a third of its speed;
//! `CARGO_PROFILE_RELEASE_OPT_LEVEL=3` shows the difference.
#![cfg(target_arch = "wasm32")]

use etalon_core::metrics::{figures_digest, recording_metrics, DeadlineConfig};
use etalon_core::present::report::{Report, ReportBasis};
use etalon_core::recording::synthetic::SyntheticRun;
use etalon_core::simulate::presets::PRESETS;
use etalon_core::simulate::{poisson_workload, simulate, Policy};
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

#[wasm_bindgen_test]
fn simulator_benchmark_in_the_browser() {
    const REQUESTS: usize = 10_000;
    let requests = poisson_workload(REQUESTS, 2.0, 1);
    for name in Policy::NAMES {
        let system = PRESETS[0].system(Policy::named(name).expect("a known policy"));
        let mut tokens = 0;
        let mut times: Vec<f64> = (0..RUNS)
            .map(|_| {
                let start = js_sys::Date::now();
                let out = std::hint::black_box(simulate(
                    &system,
                    1,
                    std::hint::black_box(&requests),
                    None,
                ));
                let ms = js_sys::Date::now() - start;
                tokens = out.iter().map(|r| r.token_times.len()).sum::<usize>();
                ms
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let median = times[RUNS / 2] / 1000.0;
        console_log!(
            "simulate in the browser (wasm) {:>15}: {} requests, {} tokens in {:.3} s (median of {}; fastest {:.3} s): {:.0} requests/s, {:.2} M tokens/s",
            name,
            REQUESTS,
            tokens,
            median,
            RUNS,
            times[0] / 1000.0,
            REQUESTS as f64 / median,
            tokens as f64 / median / 1e6
        );
    }
}
