//! The lane step of `lanes.rs` for eight lanes in two 256-bit AVX vectors,
//! on x86-64 processors that have AVX (checked at run time by the caller).
//! Same arithmetic, same order, same results as the portable step; about
//! four times fewer instructions.

use std::arch::x86_64::*;

/// Eight lanes' state, as the portable step keeps it.
pub(super) struct State<'s> {
    pub deadline: &'s [f64; 8],
    pub inverse: &'s [f64; 8],
    pub slack: &'s mut [f64; 8],
    pub missed: &'s mut [f64; 8],
    pub on_time: &'s mut [f64; 8],
}

/// Walks `chunk` (eight gap slices of equal length; `shared` when they are
/// one and the same) and returns whether a late gap's quotient was too close
/// to an integer to trust (the caller then re-walks the chunk exactly).
// Lanes and gaps are indexed in step, on purpose.
#[allow(clippy::needless_range_loop)]
#[target_feature(enable = "avx")]
pub(super) fn chunk(chunk: &[&[f64]; 8], shared: bool, state: State) -> bool {
    let length = chunk[0].len();
    let chunk: [&[f64]; 8] = std::array::from_fn(|k| &chunk[k][..length]);
    let rounding = _mm256_set1_pd(super::lanes::ROUNDING);
    let one = _mm256_set1_pd(1.0);
    let half = _mm256_set1_pd(0.5);
    let sign = _mm256_set1_pd(-0.0);
    let limit = _mm256_set1_pd(0.5 - 1e-9);
    let largest = _mm256_set1_pd(1.0e6);
    let deadline = [load(&state.deadline[..4]), load(&state.deadline[4..])];
    let inverse = [load(&state.inverse[..4]), load(&state.inverse[4..])];
    let mut slack = [load(&state.slack[..4]), load(&state.slack[4..])];
    let mut missed = [load(&state.missed[..4]), load(&state.missed[4..])];
    let mut on_time = [load(&state.on_time[..4]), load(&state.on_time[4..])];
    let mut awkward = _mm256_setzero_pd();
    for i in 0..length {
        let gaps = if shared {
            let gap = _mm256_broadcast_sd(&chunk[0][i]);
            [gap, gap]
        } else {
            [
                _mm256_set_pd(chunk[3][i], chunk[2][i], chunk[1][i], chunk[0][i]),
                _mm256_set_pd(chunk[7][i], chunk[6][i], chunk[5][i], chunk[4][i]),
            ]
        };
        for v in 0..2 {
            let (gap, s, d) = (gaps[v], slack[v], deadline[v]);
            // on time: gap <= d + s
            let on = _mm256_cmp_pd::<_CMP_LE_OQ>(gap, _mm256_add_pd(d, s));
            // floor((gap - s) / d) through the reciprocal
            let q = _mm256_mul_pd(_mm256_sub_pd(gap, s), inverse[v]);
            let nearest = _mm256_sub_pd(_mm256_add_pd(q, rounding), rounding);
            let above = _mm256_and_pd(_mm256_cmp_pd::<_CMP_GT_OQ>(nearest, q), one);
            let floor = _mm256_sub_pd(nearest, above);
            let distance = _mm256_andnot_pd(sign, _mm256_sub_pd(_mm256_sub_pd(q, floor), half));
            let unclear = _mm256_or_pd(
                _mm256_cmp_pd::<_CMP_NLT_UQ>(distance, limit),
                _mm256_cmp_pd::<_CMP_NLT_UQ>(q, largest),
            );
            awkward = _mm256_or_pd(awkward, _mm256_andnot_pd(on, unclear));
            missed[v] = _mm256_add_pd(missed[v], _mm256_andnot_pd(on, floor));
            on_time[v] = _mm256_add_pd(on_time[v], _mm256_and_pd(on, one));
            slack[v] = _mm256_and_pd(on, _mm256_add_pd(s, _mm256_sub_pd(d, gap)));
        }
    }
    store(slack, state.slack);
    store(missed, state.missed);
    store(on_time, state.on_time);
    _mm256_movemask_pd(awkward) != 0
}

#[target_feature(enable = "avx")]
fn load(values: &[f64]) -> __m256d {
    _mm256_set_pd(values[3], values[2], values[1], values[0])
}

#[target_feature(enable = "avx")]
fn store(vectors: [__m256d; 2], out: &mut [f64; 8]) {
    for (v, vector) in vectors.into_iter().enumerate() {
        let low = _mm256_castpd256_pd128(vector);
        let high = _mm256_extractf128_pd::<1>(vector);
        out[4 * v] = _mm_cvtsd_f64(low);
        out[4 * v + 1] = _mm_cvtsd_f64(_mm_unpackhi_pd(low, low));
        out[4 * v + 2] = _mm_cvtsd_f64(high);
        out[4 * v + 3] = _mm_cvtsd_f64(_mm_unpackhi_pd(high, high));
    }
}
