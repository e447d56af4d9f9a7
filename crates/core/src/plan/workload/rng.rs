//! Seeded random numbers for workloads: uniform, exponential, normal and
//! gamma draws, and shuffles, that give the same values for the same seed on
//! every platform.
//!
//! The bits come from ChaCha8 (the `chacha20` crate, never OS entropy). The
//! float functions (ln, pow, cos) come from the `libm` crate, portable Rust,
//! because std's call each platform's own maths library, which may differ
//! in the last bit. One seed gives several independent [`Stream`]s, so that,
//! say, changing the length distribution does not move the arrival times.

use chacha20::rand_core::{Rng, SeedableRng};
use chacha20::ChaCha8Rng;

/// The independent random streams of one plan's seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Arrivals = 1,
    Lengths = 2,
    WarmupLengths = 3,
    PromptText = 4,
    WarmupPromptText = 5,
}

/// A seeded source of random draws.
#[derive(Debug)]
pub struct SeededRandom(ChaCha8Rng);

impl SeededRandom {
    /// The given stream of a seed.
    pub fn new(seed: u64, stream: Stream) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream as u64);
        SeededRandom(rng)
    }

    /// 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1), a multiple of 2^-53.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in (0, 1]: safe to take the logarithm of.
    pub fn unit_above_zero(&mut self) -> f64 {
        1.0 - self.unit()
    }

    /// A whole number uniform in `low..=high` (unbiased: Lemire's method).
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        assert!(low <= high, "between({low}, {high})");
        let range = (high - low).wrapping_add(1);
        if range == 0 {
            return self.next_u64();
        }
        let threshold = range.wrapping_neg() % range;
        loop {
            let product = u128::from(self.next_u64()) * u128::from(range);
            if (product as u64) >= threshold {
                return low + (product >> 64) as u64;
            }
        }
    }

    /// Exponential with the given rate (mean `1 / rate`).
    pub fn exponential(&mut self, rate: f64) -> f64 {
        -libm::log(self.unit_above_zero()) / rate
    }

    /// Standard normal (Box-Muller, one value per pair of uniforms).
    pub fn normal(&mut self) -> f64 {
        let radius = libm::sqrt(-2.0 * libm::log(self.unit_above_zero()));
        radius * libm::cos(2.0 * core::f64::consts::PI * self.unit())
    }

    /// Gamma with the given shape and scale (mean `shape * scale`), by
    /// Marsaglia and Tsang's method; a shape below 1 is boosted by one and
    /// the draw multiplied by `u^(1/shape)`.
    pub fn gamma(&mut self, shape: f64, scale: f64) -> f64 {
        if shape < 1.0 {
            let boosted = self.gamma(shape + 1.0, scale);
            return boosted * libm::pow(self.unit_above_zero(), 1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / libm::sqrt(9.0 * d);
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.unit_above_zero();
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2 || libm::log(u) < 0.5 * x2 + d * (1.0 - v + libm::log(v))
            {
                return d * v * scale;
            }
        }
    }

    /// Puts `items` in a uniformly random order (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.between(0, i as u64) as usize;
            items.swap(i, j);
        }
    }
}
