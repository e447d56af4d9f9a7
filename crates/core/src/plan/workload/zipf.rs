//! Zipf-distributed whole numbers in `min..=max`: `min` is the most common
//! value, and the k-th value is drawn with probability about `k^-theta`
//! times the first's.
//!
//! The method is Etalon's `ZipfGenerator` (from Sarathi), which is Gray et
//! al.'s "Quickly generating billion-record synthetic databases" (SIGMOD
//! 1994), as in YCSB: one uniform draw `u`; `min` if `u * zeta(n) < 1`,
//! `min + 1` if below `1 + 0.5^theta`, else
//! `min + floor(n * (eta * u - eta + 1)^(1 / (1 - theta)))`, with
//! `n = max - min + 1` and `eta = (1 - (2/n)^(1-theta)) / (1 - zeta(2)/zeta(n))`.
//! The first two values have exactly the Zipf ratio `2^theta`; the rest
//! follow the law within about 17%.
//!
//! One difference, on purpose: Etalon's `_zeta(count)` sums `1/i^theta` for
//! `i` in `1..count`, one term short, so its `zeta(2)` is 1 and its
//! generator never returns `min + 2`. Here `zeta(count)` sums `i = 1..=count`
//! as Gray et al. define it. Etalon's `scramble` hashes with Python's
//! per-process string hash, which cannot be reproduced; here it is a fixed
//! 64-bit hash of the value and the seed, taken modulo `n`, like Etalon's.

use super::rng::SeededRandom;
use crate::wire::prompt::mix;

/// A prepared Zipf sampler (the sums cost one pass over `n` values).
#[derive(Debug, Clone)]
pub struct ZipfSampler {
    min: u64,
    items: u64,
    theta: f64,
    alpha: f64,
    zeta_n: f64,
    eta: f64,
    scramble_seed: Option<u64>,
}

fn zeta(count: u64, theta: f64) -> f64 {
    (1..=count).map(|i| 1.0 / libm::pow(i as f64, theta)).sum()
}

impl ZipfSampler {
    /// Values in `min..=max` (`min <= max`), skew `theta` in (0, 1); with
    /// `scramble_seed`, the popular values are spread over the range
    /// instead of sitting at its low end.
    pub fn new(min: u64, max: u64, theta: f64, scramble_seed: Option<u64>) -> Self {
        let items = max - min + 1;
        let zeta_n = zeta(items, theta);
        let zeta_2 = zeta(2.min(items), theta);
        let eta = if items > 2 {
            (1.0 - libm::pow(2.0 / items as f64, 1.0 - theta)) / (1.0 - zeta_2 / zeta_n)
        } else {
            0.0
        };
        ZipfSampler {
            min,
            items,
            theta,
            alpha: 1.0 / (1.0 - theta),
            zeta_n,
            eta,
            scramble_seed,
        }
    }

    /// The probability of `min`, the most common value: `1 / zeta(n)`.
    pub fn top_probability(&self) -> f64 {
        1.0 / self.zeta_n
    }

    /// One draw.
    pub fn sample(&self, rng: &mut SeededRandom) -> u64 {
        let u = rng.unit();
        let uz = u * self.zeta_n;
        let offset = if uz < 1.0 {
            0
        } else if uz < 1.0 + libm::pow(0.5, self.theta) {
            1
        } else {
            let scaled = self.items as f64 * libm::pow(self.eta * u - self.eta + 1.0, self.alpha);
            (scaled as u64).min(self.items - 1)
        };
        match self.scramble_seed {
            Some(seed) => self.min + mix(offset, seed) % self.items,
            None => self.min + offset,
        }
    }
}
