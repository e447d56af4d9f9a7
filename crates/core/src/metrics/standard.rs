//! The fixed choices of the service-level figures, as the reference makes
//! them: which quantile the throughputs take, the fluid rate's target miss
//! rate, and the TBT deadlines of the p99 curve (docs/METRICS.md).

/// Quantile of the TBT and of the per-request figures behind the throughputs.
pub const THROUGHPUT_QUANTILE: f64 = 0.99;
/// Target miss rate of the fluid token generation rate.
pub const FLUID_TARGET_MISS_RATE: f64 = 0.1;

/// The TBT deadlines of the p99 curve: `i * 0.001` s for i in 1..=100, the
/// same floats as the reference's list.
pub fn curve_tbt_deadlines() -> [f64; 100] {
    std::array::from_fn(|i| (i + 1) as f64 * 0.001)
}
