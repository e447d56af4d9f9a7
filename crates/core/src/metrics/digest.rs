//! Digests of a run's figures, float for float: equal digests on two
//! platforms (natively and in the browser) mean the same results.

use super::RunMetrics;

/// The digest of [`figures_digest`] for the benchmark's run
/// ([`SyntheticRun::benchmark`](crate::recording::synthetic::SyntheticRun::benchmark), default deadlines), natively: the browser
/// build must find the same.
pub const BENCHMARK_FIGURES_DIGEST: u64 = 0x0fb4_1915_8166_2fa0;

/// A 64-bit FNV-1a digest of the deadline figures of every request and of
/// the service figures, float for float: equal digests on two platforms mean
/// the same results.
pub fn figures_digest(metrics: &RunMetrics) -> u64 {
    let mut words: Vec<u64> = Vec::new();
    for r in &metrics.requests {
        words.extend([r.missed_deadlines, r.total_deadlines]);
        words.extend(
            [
                r.ttft,
                r.tpot,
                r.end_to_end_latency,
                r.min_tbt_deadline_to_meet,
                r.decode_min_tbt_deadline,
            ]
            .map(f64::to_bits),
        );
    }
    let s = &metrics.service;
    words.extend([s.missed_deadlines, s.total_deadlines]);
    for figure in [
        s.tpot_based_throughput,
        s.tbt_based_throughput,
        s.fluid_token_generation_rate,
    ] {
        words.push(figure.map_or(u64::MAX, f64::to_bits));
    }
    words.extend(
        s.p99_miss_rate_vs_tbt_deadline
            .iter()
            .flatten()
            .map(|v| v.to_bits()),
    );
    if let Some(tbt) = &s.percentiles.tbt {
        words.extend(tbt.cdf.iter().map(|point| point[0].to_bits()));
    }
    words
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// A 64-bit FNV-1a digest of a value's JSON: equal digests on two platforms
/// mean the same figures, float for float.
pub fn json_digest<T: serde::Serialize>(value: &T) -> u64 {
    let text = serde_json::to_string(value).unwrap_or_default();
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
