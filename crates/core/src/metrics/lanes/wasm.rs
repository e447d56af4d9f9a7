//! The lane step of `lanes.rs` for eight lanes in 128-bit wasm SIMD vectors
//! (two lanes each), for wasm builds with `simd128` (every browser the app
//! supports has it; `.cargo/config.toml` enables it for wasm32). Same
//! arithmetic, same order, same results as the portable step, which the
//! browser otherwise runs one lane at a time.

use core::arch::wasm32::*;

use super::eight::EightLanes as State;

/// Walks `chunk` (eight gap slices of equal length; `shared` when they are
/// one and the same) and returns whether a late gap's quotient was too close
/// to an integer to trust (the caller then re-walks the chunk exactly).
///
/// Four lanes (two vectors) walk the whole chunk at a time: two independent
/// chains of additions overlap, and their state and constants fit in the
/// registers the engine has. The floor of a late gap's quotient is taken by
/// `f64x2.floor`; the portable step's rounding trick gives the same integer
/// wherever the quotient is trusted (a finite value below 1e6).
pub(super) fn chunk(chunk: &[&[f64]; 8], shared: bool, state: State) -> bool {
    let length = chunk[0].len();
    let chunk: [&[f64]; 8] = std::array::from_fn(|k| &chunk[k][..length]);
    let mut awkward = false;
    for quarter in [0, 4] {
        let mut pairs = [0, 2].map(|offset| {
            let lanes = quarter + offset;
            Pair {
                deadline: load(state.deadline, lanes),
                inverse: load(state.inverse, lanes),
                slack: load(state.slack, lanes),
                missed: load(state.missed, lanes),
                on_time: load(state.on_time, lanes),
                awkward: f64x2_splat(0.0),
            }
        });
        if shared {
            for &gap in chunk[0] {
                let gap = f64x2_splat(gap);
                pairs[0].step(gap);
                pairs[1].step(gap);
            }
        } else {
            let [a, b, c, d] = [
                chunk[quarter],
                chunk[quarter + 1],
                chunk[quarter + 2],
                chunk[quarter + 3],
            ];
            for i in 0..length {
                pairs[0].step(f64x2(a[i], b[i]));
                pairs[1].step(f64x2(c[i], d[i]));
            }
        }
        for (pair, offset) in pairs.iter().zip([0, 2]) {
            let lanes = quarter + offset;
            store(pair.slack, state.slack, lanes);
            store(pair.missed, state.missed, lanes);
            store(pair.on_time, state.on_time, lanes);
            awkward |= v128_any_true(pair.awkward);
        }
    }
    awkward
}

/// Two lanes' state while a chunk is walked.
struct Pair {
    deadline: v128,
    inverse: v128,
    slack: v128,
    missed: v128,
    on_time: v128,
    awkward: v128,
}

impl Pair {
    /// One gap in each of the two lanes: the portable step's arithmetic.
    #[inline(always)]
    fn step(&mut self, gap: v128) {
        let (s, d) = (self.slack, self.deadline);
        // on time: gap <= d + s
        let on = f64x2_le(gap, f64x2_add(d, s));
        // floor((gap - s) / d) through the reciprocal
        let q = f64x2_mul(f64x2_sub(gap, s), self.inverse);
        let floor = f64x2_floor(q);
        let distance = f64x2_abs(f64x2_sub(f64x2_sub(q, floor), f64x2_splat(0.5)));
        // Not clearly inside (NaN included): `!(x < limit)`.
        let unclear = v128_or(
            v128_not(f64x2_lt(distance, f64x2_splat(0.5 - 1e-9))),
            v128_not(f64x2_lt(q, f64x2_splat(1.0e6))),
        );
        self.awkward = v128_or(self.awkward, v128_andnot(unclear, on));
        self.missed = f64x2_add(self.missed, v128_andnot(floor, on));
        self.on_time = f64x2_add(self.on_time, v128_and(on, f64x2_splat(1.0)));
        self.slack = v128_and(on, f64x2_add(s, f64x2_sub(d, gap)));
    }
}

/// Lanes `lane` and `lane + 1` of `values`.
#[inline(always)]
fn load(values: &[f64; 8], lane: usize) -> v128 {
    f64x2(values[lane], values[lane + 1])
}

/// Stores `vector` in lanes `lane` and `lane + 1` of `out`.
#[inline(always)]
fn store(vector: v128, out: &mut [f64; 8], lane: usize) {
    out[lane] = f64x2_extract_lane::<0>(vector);
    out[lane + 1] = f64x2_extract_lane::<1>(vector);
}
