//! Times the simulated serving system: 10,000 requests (prompts of 1,000 to
//! 4,000 tokens, answers of 200 to 300, two a second) through an 8B model
//! on one GPU, under each policy. Target: under a second each. Prints the
//! median of several runs, in requests and tokens per second.
//!
//! Run: `cargo bench -p etalon-core --bench simulate`

use etalon_core::simulate::presets::PRESETS;
use etalon_core::simulate::{poisson_workload, simulate, Policy};
use std::hint::black_box;
use std::time::Instant;

const REQUESTS: usize = 10_000;
const RUNS: usize = 5;
const TARGET_SECONDS: f64 = 1.0;

fn main() {
    let requests = poisson_workload(REQUESTS, 2.0, 1);
    for name in Policy::NAMES {
        let system = PRESETS[0].system(Policy::named(name).expect("a known policy"));
        let mut tokens = 0;
        let mut times: Vec<f64> = (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let out = black_box(simulate(&system, 1, black_box(&requests), None));
                let seconds = start.elapsed().as_secs_f64();
                tokens = out.iter().map(|r| r.token_times.len()).sum::<usize>();
                seconds
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let median = times[RUNS / 2];
        println!(
            "simulate {name:>15}: {REQUESTS} requests, {tokens} tokens in {:.3} s (median of {RUNS}; fastest {:.3} s): {:.0} requests/s, {:.2} M tokens/s; target under {TARGET_SECONDS} s: {}",
            median,
            times[0],
            REQUESTS as f64 / median,
            tokens as f64 / median / 1e6,
            if median < TARGET_SECONDS { "met" } else { "MISSED" }
        );
    }
}
