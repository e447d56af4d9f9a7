//! Times the whole metrics engine: every per-request figure (min TBT deadline
//! included) and every service figure (fluid rate, the 100-point p99 curve,
//! percentile tables) for 1,000 synthetic requests of 500 tokens with
//! stalls. Target: 50 ms or less on one core. Prints the median of several
//! runs and a digest of the figures, which the wasm benchmark
//! (tests/wasm_bench.rs) must reproduce.
//!
//! Run: `cargo bench -p etalon-core --bench metrics`

use etalon_core::metrics::{
    p99_miss_rate_vs_tbt_deadline, recording_metrics, request_metrics, DeadlineConfig,
    RequestTimeline,
};
use etalon_core::synthetic::{json_digest, SyntheticRun};
use std::hint::black_box;
use std::time::Instant;

const TARGET_MS: f64 = 50.0;
const RUNS: usize = 9;

fn median_ms(mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

fn main() {
    let recording = SyntheticRun::benchmark().recording();
    let deadlines = DeadlineConfig::default();

    let total = median_ms(|| {
        black_box(recording_metrics(black_box(&recording), &deadlines));
    });
    let metrics = recording_metrics(&recording, &deadlines);

    // Where the time goes.
    let timelines: Vec<RequestTimeline> = recording
        .requests
        .iter()
        .map(RequestTimeline::from_record)
        .collect();
    let per_request = median_ms(|| {
        for t in &timelines {
            black_box(request_metrics(t, &deadlines));
        }
    });
    let gaps: Vec<&[f64]> = timelines
        .iter()
        .map(|t| &t.inter_token_times[1..])
        .collect();
    let curve = median_ms(|| {
        black_box(p99_miss_rate_vs_tbt_deadline(&gaps));
    });

    let service = &metrics.service;
    println!("etalon-core metrics: 1000 requests x 500 tokens (seed 42), median of {RUNS} runs");
    println!("  everything:                {total:8.2} ms   (target <= {TARGET_MS} ms native)");
    println!("  per-request figures:       {per_request:8.2} ms   (incl. both bisections)");
    println!("  p99 miss rate curve:       {curve:8.2} ms");
    println!(
        "  fluid rate {:.4} tok/s, tbt-based {:.4} tok/s, tpot-based {:.4} tok/s",
        service.fluid_token_generation_rate.unwrap_or(f64::NAN),
        service.tbt_based_throughput.unwrap_or(f64::NAN),
        service.tpot_based_throughput.unwrap_or(f64::NAN),
    );
    println!("  digest {:016x}", json_digest(&metrics));
    println!(
        "{}",
        if total <= TARGET_MS {
            "  within target"
        } else {
            "  OVER TARGET"
        }
    );
}
