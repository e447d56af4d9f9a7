//! The lane step of `lanes.rs` for eight lanes in two 256-bit AVX vectors,
//! on x86-64 processors that have AVX (checked at run time by the caller).
//! Same arithmetic, same order, same results as the portable step; about
//! four times fewer instructions.

use std::arch::x86_64::*;

use super::eight::EightLanes as State;

/// Walks `chunk` (eight gap slices of equal length; `shared` when they are
/// one and the same) and returns whether a late gap's quotient was too close
/// to an integer to trust (the caller then re-walks the chunk exactly).
///
/// Each half (four lanes) walks the whole chunk in turn, so that its state
/// and constants stay in registers. The floor of a late gap's quotient is
/// taken by `vroundpd`; the portable step's rounding trick gives the same
/// integer wherever the quotient is trusted (a finite value below 1e6).
#[target_feature(enable = "avx")]
pub(super) fn chunk(chunk: &[&[f64]; 8], shared: bool, state: State) -> bool {
    let length = chunk[0].len();
    let chunk: [&[f64]; 8] = std::array::from_fn(|k| &chunk[k][..length]);
    let mut awkward = false;
    for v in 0..2 {
        let lanes = 4 * v..4 * v + 4;
        let mut half = Half {
            deadline: load(&state.deadline[lanes.clone()]),
            inverse: load(&state.inverse[lanes.clone()]),
            slack: load(&state.slack[lanes.clone()]),
            missed: load(&state.missed[lanes.clone()]),
            on_time: load(&state.on_time[lanes.clone()]),
            awkward: _mm256_setzero_pd(),
        };
        if shared {
            for &gap in chunk[0] {
                half.step(_mm256_set1_pd(gap));
            }
        } else {
            let [a, b, c, d] = [
                chunk[4 * v],
                chunk[4 * v + 1],
                chunk[4 * v + 2],
                chunk[4 * v + 3],
            ];
            for i in 0..length {
                half.step(_mm256_set_pd(d[i], c[i], b[i], a[i]));
            }
        }
        store(half.slack, &mut state.slack[lanes.clone()]);
        store(half.missed, &mut state.missed[lanes.clone()]);
        store(half.on_time, &mut state.on_time[lanes.clone()]);
        awkward |= _mm256_movemask_pd(half.awkward) != 0;
    }
    awkward
}

/// Four lanes' state while a chunk is walked.
struct Half {
    deadline: __m256d,
    inverse: __m256d,
    slack: __m256d,
    missed: __m256d,
    on_time: __m256d,
    awkward: __m256d,
}

impl Half {
    /// One gap in each of the four lanes: the portable step's arithmetic.
    #[inline]
    #[target_feature(enable = "avx")]
    fn step(&mut self, gap: __m256d) {
        let (s, d) = (self.slack, self.deadline);
        // on time: gap <= d + s
        let on = _mm256_cmp_pd::<_CMP_LE_OQ>(gap, _mm256_add_pd(d, s));
        // floor((gap - s) / d) through the reciprocal
        let q = _mm256_mul_pd(_mm256_sub_pd(gap, s), self.inverse);
        let floor = _mm256_round_pd::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(q);
        let distance = _mm256_andnot_pd(
            _mm256_set1_pd(-0.0),
            _mm256_sub_pd(_mm256_sub_pd(q, floor), _mm256_set1_pd(0.5)),
        );
        let unclear = _mm256_or_pd(
            _mm256_cmp_pd::<_CMP_NLT_UQ>(distance, _mm256_set1_pd(0.5 - 1e-9)),
            _mm256_cmp_pd::<_CMP_NLT_UQ>(q, _mm256_set1_pd(1.0e6)),
        );
        self.awkward = _mm256_or_pd(self.awkward, _mm256_andnot_pd(on, unclear));
        self.missed = _mm256_add_pd(self.missed, _mm256_andnot_pd(on, floor));
        self.on_time = _mm256_add_pd(self.on_time, _mm256_and_pd(on, _mm256_set1_pd(1.0)));
        self.slack = _mm256_and_pd(on, _mm256_add_pd(s, _mm256_sub_pd(d, gap)));
    }
}

#[target_feature(enable = "avx")]
fn load(values: &[f64]) -> __m256d {
    let values = &values[..4];
    // SAFETY: `values` holds the four values read, just checked.
    unsafe { _mm256_loadu_pd(values.as_ptr()) }
}

#[target_feature(enable = "avx")]
fn store(vector: __m256d, out: &mut [f64]) {
    let out = &mut out[..4];
    // SAFETY: `out` has room for the four values just checked.
    unsafe { _mm256_storeu_pd(out.as_mut_ptr(), vector) }
}
