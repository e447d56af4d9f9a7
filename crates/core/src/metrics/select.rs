//! Order statistics of many values without sorting them all: the few ranks
//! a percentile table reads (101 CDF points need at most 202 of a run's
//! half million gaps) are found by a radix selection, which reads the
//! values three times and sorts only the handful around each rank.
//!
//! How: values become their IEEE total-order keys (`order_key`), so the
//! ranks are those of `f64::total_cmp` and of [`super::sort_floats`]. A
//! histogram of about 65,536 buckets (each binade split in proportion to
//! the values it holds) tells which bucket holds each wanted rank; only
//! those buckets' keys are gathered, and each is searched again (linearly
//! over its range) or, when small, sorted. A clump of equal or near-equal
//! keys costs one more level, never a comparison sort of the clump. It is
//! faster than gathering and sorting every gap (docs/BENCHMARKS.md).

use super::quantile::{from_order_key, lerp, order_key};

/// Buckets of the first level, about; and most buckets of a later level.
const BUCKETS: usize = 1 << 16;
/// A bucket this small is searched by comparisons.
const SMALL: usize = 512;
const MANTISSA_BITS: u32 = 52;
const BINADES: usize = 1 << (64 - MANTISSA_BITS);

/// The keys at `ranks` (ascending, each < the number of values) of the
/// values of `parts` taken together, in IEEE total order: `keys[i]` is the
/// key of the value that sorting would put at `ranks[i]`.
fn keys_at_ranks(parts: &[&[f64]], ranks: &[usize]) -> Vec<u64> {
    let mut found = vec![0; ranks.len()];
    let keys = Keys::Values(parts);
    // The first level's buckets follow the values' binades (sign and
    // exponent), each split in proportion to how many values it holds:
    // 0.0 and 0.02 are a whole key range apart, which one linear digit
    // would split too coarsely.
    let mut per_binade = vec![0usize; BINADES];
    keys.for_each(|key| per_binade[(key >> MANTISSA_BITS) as usize] += 1);
    let n: usize = per_binade.iter().sum();
    let mut first = vec![0u32; BINADES];
    let mut shift = vec![0u8; BINADES];
    let mut buckets = 0usize;
    for binade in 0..BINADES {
        let count = per_binade[binade];
        // About count / n of the buckets, a power of two of them.
        let share = (count as f64 / n as f64 * BUCKETS as f64).max(1.0);
        let bits = (share.log2().floor() as u32).min(MANTISSA_BITS);
        first[binade] = buckets as u32;
        shift[binade] = (MANTISSA_BITS - bits) as u8;
        buckets += if count == 0 { 1 } else { 1 << bits };
    }
    const MANTISSA: u64 = (1 << MANTISSA_BITS) - 1;
    let bucket_of = |key: u64| {
        let binade = (key >> MANTISSA_BITS) as usize;
        first[binade] as usize + ((key & MANTISSA) >> shift[binade]) as usize
    };
    split(&keys, bucket_of, buckets, ranks, 0, &mut found);
    found
}

/// The keys one level searches: the values' (first level), or those a
/// bucket gathered.
enum Keys<'a> {
    Values(&'a [&'a [f64]]),
    Gathered(&'a [u64]),
}

impl Keys<'_> {
    #[inline(always)]
    fn for_each(&self, mut f: impl FnMut(u64)) {
        match self {
            Keys::Values(parts) => {
                for part in *parts {
                    for &value in *part {
                        f(order_key(value));
                    }
                }
            }
            Keys::Gathered(keys) => {
                for &key in *keys {
                    f(key);
                }
            }
        }
    }
}

/// One level of the radix selection: `keys` go into `buckets` buckets by
/// `bucket_of` (monotone in the key); writes into `found[i]` the key at
/// rank `ranks[i] - base` among them (`ranks` ascending). Only the buckets
/// holding wanted ranks are gathered, and each is searched further.
fn split(
    keys: &Keys,
    bucket_of: impl Fn(u64) -> usize,
    buckets: usize,
    ranks: &[usize],
    base: usize,
    found: &mut [u64],
) {
    let mut starts = vec![0usize; buckets + 1];
    keys.for_each(|key| starts[bucket_of(key) + 1] += 1);
    for b in 0..buckets {
        starts[b + 1] += starts[b];
    }
    // The buckets holding wanted ranks, in ascending order, with the range
    // of `ranks` each answers.
    let mut wanted: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    for (i, &rank) in ranks.iter().enumerate() {
        let rank = rank - base;
        let bucket = starts.partition_point(|&start| start <= rank) - 1;
        match wanted.last_mut() {
            Some((last, range)) if *last == bucket => range.end = i + 1,
            _ => wanted.push((bucket, i..i + 1)),
        }
    }
    // Slot of each wanted bucket (0: not wanted), and where its keys go.
    let mut slot = vec![0u32; buckets];
    let mut offsets = Vec::with_capacity(wanted.len());
    let mut total = 0;
    for (s, (bucket, _)) in wanted.iter().enumerate() {
        slot[*bucket] = s as u32 + 1;
        offsets.push(total);
        total += starts[bucket + 1] - starts[*bucket];
    }
    let mut gathered = vec![0u64; total];
    keys.for_each(|key| {
        let s = slot[bucket_of(key)];
        if s != 0 {
            let at = &mut offsets[s as usize - 1];
            gathered[*at] = key;
            *at += 1;
        }
    });
    let mut begin = 0;
    for (bucket, range) in wanted {
        let size = starts[bucket + 1] - starts[bucket];
        let members = &mut gathered[begin..begin + size];
        begin += size;
        refine(
            members,
            &ranks[range.clone()],
            base + starts[bucket],
            &mut found[range],
        );
    }
}

/// The keys at `ranks[i] - base` of `members` into `found[i]`: by sorting
/// when they are few, else by one more level, linear over their range.
fn refine(members: &mut [u64], ranks: &[usize], base: usize, found: &mut [u64]) {
    if members.len() <= SMALL {
        members.sort_unstable();
        for (rank, key) in ranks.iter().zip(found.iter_mut()) {
            *key = members[rank - base];
        }
        return;
    }
    let (low, high) = members.iter().fold((u64::MAX, 0), |(low, high), &key| {
        (low.min(key), high.max(key))
    });
    if low == high {
        found.fill(low);
        return;
    }
    let span = high - low;
    // About as many buckets as keys: a level costs two passes over the
    // keys and one over the buckets.
    let bits = (usize::BITS - members.len().leading_zeros()).min(BUCKETS.trailing_zeros());
    let shift = (64 - span.leading_zeros()).saturating_sub(bits);
    let buckets = (span >> shift) as usize + 1;
    let bucket_of = move |key: u64| ((key - low) >> shift) as usize;
    split(
        &Keys::Gathered(members),
        bucket_of,
        buckets,
        ranks,
        base,
        found,
    );
}

/// numpy's `q`-quantile (as [`super::quantile_sorted`] computes it on the
/// sorted values) of the values of `parts` taken together, for each `q` of
/// `qs`, without sorting them: the same floats, bit for bit. `None` when
/// there is no value; NaN for every `q` when a NaN is among the values.
pub fn quantiles_of_parts(parts: &[&[f64]], qs: &[f64]) -> Option<Vec<f64>> {
    let n: usize = parts.iter().map(|part| part.len()).sum();
    if n == 0 {
        return None;
    }
    let last = (n - 1) as f64;
    // What each quantile reads: one rank, or two to interpolate between.
    let reads: Vec<Read> = qs
        .iter()
        .map(|&q| {
            let h = last * q;
            if h.is_nan() {
                Read::Nan
            } else if h >= last {
                Read::At(n - 1)
            } else if h <= 0.0 {
                Read::At(0)
            } else {
                let lo = h.floor();
                Read::Between(lo as usize, h - lo)
            }
        })
        .collect();
    let mut ranks: Vec<usize> = vec![0, n - 1];
    for read in &reads {
        match *read {
            Read::At(i) => ranks.push(i),
            Read::Between(i, _) => ranks.extend([i, i + 1]),
            Read::Nan => {}
        }
    }
    ranks.sort_unstable();
    ranks.dedup();
    let keys = keys_at_ranks(parts, &ranks);
    let value_at = |rank: usize| from_order_key(keys[ranks.binary_search(&rank).expect("a rank")]);
    // NaN sorts first (negative) or last (positive) in total order.
    if value_at(0).is_nan() || value_at(n - 1).is_nan() {
        return Some(vec![f64::NAN; qs.len()]);
    }
    Some(
        reads
            .iter()
            .map(|read| match *read {
                Read::Nan => f64::NAN,
                Read::At(i) => value_at(i),
                Read::Between(i, t) => lerp(value_at(i), value_at(i + 1), t),
            })
            .collect(),
    )
}

/// What one quantile reads of the sorted values.
enum Read {
    At(usize),
    Between(usize, f64),
    Nan,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::quantile::{quantile_sorted, sort_floats};

    fn fractions() -> Vec<f64> {
        let mut qs: Vec<f64> = (0..=100).map(|i| i as f64 / 100.0).collect();
        qs.extend([0.999, 0.0001, 0.123_456, 1.5, -0.5, f64::NAN]);
        qs
    }

    /// The quantiles of the sorted concatenation, one by one.
    fn by_sorting(parts: &[Vec<f64>], qs: &[f64]) -> Option<Vec<f64>> {
        let mut all: Vec<f64> = parts.concat();
        sort_floats(&mut all);
        qs.iter().map(|&q| quantile_sorted(&all, q)).collect()
    }

    fn check(parts: &[Vec<f64>]) {
        let slices: Vec<&[f64]> = parts.iter().map(Vec::as_slice).collect();
        let qs = fractions();
        let got = quantiles_of_parts(&slices, &qs);
        let want = by_sorting(parts, &qs);
        let bits =
            |v: Option<Vec<f64>>| v.map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        assert_eq!(bits(got), bits(want));
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn the_quantiles_of_the_sorted_values_bit_for_bit() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        // Gaps like a run's: a pace with jitter, zeros, stalls, in parts.
        let run: Vec<Vec<f64>> = (0..300)
            .map(|_| {
                let pace = 0.015 + rng.unit() * 0.025;
                (0..500)
                    .map(|_| match rng.next() % 50 {
                        0..=4 => 0.0,
                        5 => 0.5 + rng.unit(),
                        _ => pace * (0.6 + 0.8 * rng.unit()),
                    })
                    .collect()
            })
            .collect();
        check(&run);
        // A huge clump of one value, near-equal values, negatives, signed
        // zeros, infinities, subnormals, a single value, few values.
        let mut clump = vec![0.02; 100_000];
        clump.extend((0..50_000).map(|i| 0.02 + i as f64 * 1e-18));
        clump.extend([
            -0.0,
            0.0,
            -1.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            5e-324,
            1e300,
        ]);
        check(&[clump.clone()]);
        check(&[vec![3.0]]);
        check(&[vec![2.0, 1.0], vec![], vec![7.0]]);
        let spread: Vec<f64> = (0..20_000)
            .map(|_| f64::from_bits(rng.next()))
            .filter(|v| !v.is_nan())
            .collect();
        check(&[spread]);
    }

    #[test]
    fn nan_and_empty() {
        assert_eq!(quantiles_of_parts(&[&[][..], &[][..]], &[0.5]), None);
        let got = quantiles_of_parts(&[&[1.0, f64::NAN, 3.0][..]], &[0.0, 0.5]).unwrap();
        assert!(got.iter().all(|v| v.is_nan()));
        let negative_nan = -f64::NAN;
        let got = quantiles_of_parts(&[&[1.0, negative_nan, 3.0][..]], &[1.0]).unwrap();
        assert!(got[0].is_nan());
    }
}
