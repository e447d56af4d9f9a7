//! Quantiles as numpy computes them by default (`np.quantile`, method
//! "linear"), and the sorting and summing they need, fast enough for the
//! half million gaps of a large run.
//!
//! Rule: with `n` values sorted ascending, `h = (n - 1) * q`, `lo = floor(h)`,
//! and the result interpolates between `x[lo]` and `x[lo + 1]` with numpy's
//! `_lerp` (which computes from the upper end when the weight is 0.5 or more).

/// The `q`-quantile (0 <= q <= 1) of values sorted ascending, as numpy's
/// default. `None` for an empty slice; NaN when a NaN is among the values
/// (numpy propagates NaN too).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    if sorted[0].is_nan() || sorted[n - 1].is_nan() {
        return Some(f64::NAN);
    }
    let h = (n - 1) as f64 * q;
    if h.is_nan() {
        return Some(f64::NAN);
    }
    if h >= (n - 1) as f64 {
        return Some(sorted[n - 1]);
    }
    if h <= 0.0 {
        return Some(sorted[0]);
    }
    let lo = h.floor();
    let i = lo as usize;
    Some(lerp(sorted[i], sorted[i + 1], h - lo))
}

/// The `q`-quantile of unsorted values, as numpy's default; reorders `values`
/// (a selection, not a full sort). `None` when empty, NaN when any is NaN.
pub fn quantile_unsorted(values: &mut [f64], q: f64) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    if values.iter().any(|v| v.is_nan()) {
        return Some(f64::NAN);
    }
    let h = (n - 1) as f64 * q;
    if h.is_nan() {
        return Some(f64::NAN);
    }
    let i = if h <= 0.0 {
        0
    } else {
        (h.floor() as usize).min(n - 1)
    };
    let (_, &mut below, above) = values.select_nth_unstable_by(i, f64::total_cmp);
    if h <= 0.0 || i == n - 1 {
        return Some(below);
    }
    let next = above.iter().copied().fold(f64::INFINITY, f64::min);
    Some(lerp(below, next, h - i as f64))
}

/// numpy's `_lerp(a, b, t)`.
pub(crate) fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// Sum with Neumaier's compensation: within an ulp or two of the exact sum,
/// whatever the order (Python's `statistics.mean` sums exactly).
pub fn accurate_sum(values: &[f64]) -> f64 {
    accurate_sum_of_parts(&[values])
}

/// [`accurate_sum`] of the values of `parts`, one after the other.
pub(crate) fn accurate_sum_of_parts(parts: &[&[f64]]) -> f64 {
    let mut sum = Neumaier::default();
    for part in parts {
        for &v in *part {
            sum.add(v);
        }
    }
    sum.total()
}

/// [`accurate_sum`] of `values` and of `values[1..]` (0 for both when
/// empty), in one pass: the two running sums are independent chains of
/// additions, which the processor overlaps.
pub(crate) fn accurate_sums_with_and_without_first(values: &[f64]) -> (f64, f64) {
    let mut whole = Neumaier::default();
    let mut tail = Neumaier::default();
    if let Some((&first, rest)) = values.split_first() {
        whole.add(first);
        for &v in rest {
            whole.add(v);
            tail.add(v);
        }
    }
    (whole.total(), tail.total())
}

/// A running sum with Neumaier's compensation.
#[derive(Default)]
struct Neumaier {
    sum: f64,
    compensation: f64,
}

impl Neumaier {
    #[inline(always)]
    fn add(&mut self, v: f64) {
        let t = self.sum + v;
        // The larger addend first (a select, not a branch: the order of
        // magnitudes is unpredictable).
        let (large, small) = if self.sum.abs() >= v.abs() {
            (self.sum, v)
        } else {
            (v, self.sum)
        };
        self.compensation += (large - t) + small;
        self.sum = t;
    }

    fn total(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// Arithmetic mean through [`accurate_sum`]; `None` when empty.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(accurate_sum(values) / values.len() as f64)
    }
}

/// Sorts floats ascending in IEEE total order (NaN last when positive).
/// Large inputs use a radix sort on the bit patterns: four passes of eight
/// bits over the top 32 bits (sign, exponent, 20 bits of mantissa), then a
/// comparison sort of each run of keys that share them (rare, short in
/// practice; a single long run costs no more than a comparison sort of
/// everything). Several times faster than a comparison sort for the
/// flattened gaps of a run.
///
/// The keys live in `values` itself (as bit patterns) and in a scratch
/// buffer kept by the thread for the next sort: fresh memory would cost a
/// page fault every 4 KiB, as much as the sort itself.
pub fn sort_floats(values: &mut [f64]) {
    if values.len() < 4096 {
        values.sort_unstable_by(f64::total_cmp);
        return;
    }
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => radix_sort(values, &mut scratch),
        Err(_) => radix_sort(values, &mut Vec::new()),
    });
}

/// The radix sort of [`sort_floats`], with `scratch` as the second buffer.
fn radix_sort(values: &mut [f64], scratch: &mut Vec<f64>) {
    const BITS: usize = 11;
    const PASSES: usize = 3;
    const BUCKETS: usize = 1 << BITS;
    const LOW: usize = 64 - PASSES * BITS;
    let n = values.len();
    let mut counts = [[0u32; BUCKETS]; PASSES];
    for value in values.iter_mut() {
        let key = order_key(*value);
        for (pass, count) in counts.iter_mut().enumerate() {
            count[((key >> (LOW + pass * BITS)) as usize) & (BUCKETS - 1)] += 1;
        }
        // The key's bits, kept as a float: a bit pattern moved, not a number.
        *value = f64::from_bits(key);
    }
    // Every element of the scratch is written before it is read: it grows
    // when too small, is never filled again.
    if scratch.len() < n {
        scratch.resize(n, 0.0);
    }
    let (mut keys, mut other): (&mut [f64], &mut [f64]) = (values, &mut scratch[..n]);
    let mut in_scratch = false;
    for (pass, count) in counts.iter().enumerate() {
        // A digit that every key shares sorts nothing: skip its pass.
        if count.iter().any(|&c| c as usize == n) {
            continue;
        }
        let mut offsets = [0u32; BUCKETS];
        let mut running = 0u32;
        for (offset, &c) in offsets.iter_mut().zip(count.iter()) {
            *offset = running;
            running += c;
        }
        let shift = LOW + pass * BITS;
        for &key in keys.iter() {
            let digit = ((key.to_bits() >> shift) as usize) & (BUCKETS - 1);
            other[offsets[digit] as usize] = key;
            offsets[digit] += 1;
        }
        std::mem::swap(&mut keys, &mut other);
        in_scratch = !in_scratch;
    }
    if in_scratch {
        other.copy_from_slice(keys);
        keys = other;
    }
    // Keys sharing their top bits are adjacent now; order each such run:
    // short runs (most are one to three keys) by an insertion in place, a
    // long one by a comparison sort (a call per run would cost more than
    // the radix passes).
    const SHORT_RUN: usize = 16;
    let mut start = 0;
    while start < n {
        let high = keys[start].to_bits() >> LOW;
        let mut end = start + 1;
        while end < n && keys[end].to_bits() >> LOW == high {
            end += 1;
        }
        let run = &mut keys[start..end];
        if run.len() > SHORT_RUN {
            run.sort_unstable_by_key(|key| key.to_bits());
        } else {
            insertion_sort_keys(run);
        }
        start = end;
    }
    for key in keys.iter_mut() {
        *key = from_order_key(key.to_bits());
    }
}

/// Sorts a few keys (bit patterns kept as floats) by their bits.
fn insertion_sort_keys(keys: &mut [f64]) {
    for i in 1..keys.len() {
        let key = keys[i];
        let mut j = i;
        while j > 0 && keys[j - 1].to_bits() > key.to_bits() {
            keys[j] = keys[j - 1];
            j -= 1;
        }
        keys[j] = key;
    }
}

/// Maps a float to an integer whose unsigned order is the IEEE total order.
pub(crate) fn order_key(value: f64) -> u64 {
    let bits = value.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The value of an IEEE total-order key (the inverse of [`order_key`]).
pub(crate) fn from_order_key(key: u64) -> f64 {
    if key >> 63 == 1 {
        f64::from_bits(key & !(1 << 63))
    } else {
        f64::from_bits(!key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_quantile_matches_numpy() {
        let x = [1.0, 2.0, 3.0, 4.0];
        // np.quantile([1,2,3,4], [0, .25, .5, .99, 1]) -> 1, 1.75, 2.5, 3.97, 4
        assert_eq!(quantile_sorted(&x, 0.0), Some(1.0));
        assert_eq!(quantile_sorted(&x, 0.25), Some(1.75));
        assert_eq!(quantile_sorted(&x, 0.5), Some(2.5));
        assert!((quantile_sorted(&x, 0.99).unwrap() - 3.97).abs() < 1e-12);
        assert_eq!(quantile_sorted(&x, 1.0), Some(4.0));
        assert_eq!(quantile_sorted(&[], 0.5), None);
        assert_eq!(quantile_sorted(&[7.0], 0.99), Some(7.0));
    }

    #[test]
    fn unsorted_quantile_agrees_with_sorted() {
        let mut x: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1009) as f64 * 0.37)
            .collect();
        let mut sorted = x.clone();
        sort_floats(&mut sorted);
        for q in [0.0, 0.01, 0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(
                quantile_unsorted(&mut x, q),
                quantile_sorted(&sorted, q),
                "q={q}"
            );
        }
    }

    #[test]
    fn radix_sort_sorts_like_total_cmp() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut values: Vec<f64> = (0..20_000)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let v = (state >> 11) as f64 / (1u64 << 53) as f64;
                match i % 5 {
                    0 => 0.0,
                    1 => -v,
                    2 => v * 1e-3,
                    _ => v * 10.0,
                }
            })
            .collect();
        let mut expected = values.clone();
        expected.sort_unstable_by(f64::total_cmp);
        sort_floats(&mut values);
        assert!(values
            .iter()
            .zip(&expected)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn sums_with_and_without_first_are_the_two_sums() {
        let values = [0.3, 1e-17, 0.1, -0.2, 1e16, 0.7, -1e16, 0.0, 2.5];
        for len in 0..=values.len() {
            let v = &values[..len];
            let tail = accurate_sum(v.get(1..).unwrap_or(&[]));
            let (whole_got, tail_got) = accurate_sums_with_and_without_first(v);
            assert_eq!(whole_got.to_bits(), accurate_sum(v).to_bits());
            assert_eq!(tail_got.to_bits(), tail.to_bits());
        }
    }

    #[test]
    fn nan_propagates() {
        let mut x = vec![1.0, f64::NAN, 3.0];
        assert!(quantile_unsorted(&mut x, 0.5).unwrap().is_nan());
        sort_floats(&mut x);
        assert!(quantile_sorted(&x, 0.5).unwrap().is_nan());
    }
}
