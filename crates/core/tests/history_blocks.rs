//! How long keeping the largest run takes, block by block (natively; the
//! browser's figures are in docs/BENCHMARKS.md). Run with
//! `cargo test --release -p etalon-core --test history_blocks -- --ignored --nocapture`.

use std::time::Instant;

use etalon_core::history::{block_ranges, pack_block, FigureGatherer, Reassembly};
use etalon_core::metrics::{recording_metrics, DeadlineConfig};
use etalon_core::recording::synthetic::SyntheticRun;
use etalon_core::recording::Recording;

#[test]
#[ignore = "a benchmark: 10,000 requests of 1,000 tokens"]
fn keeping_ten_thousand_requests_of_a_thousand_tokens() {
    let recording = SyntheticRun {
        seed: 5,
        requests: 10_000,
        tokens_per_request: 1_000,
        stall_probability: 0.01,
    }
    .recording();
    let deadlines = DeadlineConfig::default();
    let ranges = block_ranges(&recording).unwrap();
    let (mut slowest, mut bytes) = (0.0f64, 0usize);
    let mut figures = FigureGatherer::default();
    let started = Instant::now();
    let mut blocks = Vec::new();
    for (i, range) in ranges.iter().cloned().enumerate() {
        let t = Instant::now();
        let block = Recording {
            version: recording.version,
            started_at_unix_ms: recording.started_at_unix_ms,
            config: serde_json::Value::Null,
            environment: Default::default(),
            requests: recording.requests[range.clone()].to_vec(),
        };
        figures.add(&recording_metrics(&block, &deadlines));
        let m = t.elapsed().as_secs_f64();
        let packed = pack_block(&recording, i, range, &[]);
        if i < 3 {
            println!(
                "block {i}: metrics {:.0} ms, pack {:.0} ms",
                m * 1e3,
                (t.elapsed().as_secs_f64() - m) * 1e3
            );
        }
        slowest = slowest.max(t.elapsed().as_secs_f64());
        bytes += packed.len();
        blocks.push(packed);
    }
    let total = started.elapsed().as_secs_f64();
    let figures = figures.finish();
    let t = Instant::now();
    let mut back = Reassembly::new(blocks.len());
    let mut slowest_read = 0.0f64;
    for block in &blocks {
        let b = Instant::now();
        back.add(block).unwrap();
        slowest_read = slowest_read.max(b.elapsed().as_secs_f64());
    }
    let read = back.finish().unwrap();
    let read_total = t.elapsed().as_secs_f64();
    println!(
        "kept 10,000 x 1,000: {} blocks, {:.1} MB, packing {total:.2} s in all, slowest block {:.0} ms; \
         read back {read_total:.2} s, slowest block {:.0} ms",
        blocks.len(),
        bytes as f64 / 1e6,
        slowest * 1e3,
        slowest_read * 1e3,
    );
    assert_eq!(read.requests.len(), 10_000);
    assert!(figures.ttft_p50.is_some());
}
