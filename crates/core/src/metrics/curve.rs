//! The p99 miss rate against TBT deadlines from 1 to 100 ms (docs/METRICS.md):
//! for each deadline, the 0.99 quantile over requests of the decode-only
//! miss rate. Exact, yet most (request, deadline) walks are skipped: the
//! quantile depends only on the largest rates, and a cheap upper bound on
//! each rate shows which requests cannot be among them.
//!
//! The bound: a gap at most `D - 1e-9` is on time (slack is never below
//! -1e-12), and a late gap `t` misses `floor((t - slack) / D) <= (t + 1e-9) / D`
//! deadlines. So with `c` gaps of at least `D - 1e-9`, summing to `s`,
//! `missed <= m = (s + c 1e-9) / D` and `rate <= m / (n - c + m)`.

use super::bisection::{QuickCount, Timeline};
use super::deadline::{AfterFirstToken, DeadlineCount};
use super::lanes;
use super::quantile::lerp;
use super::standard::{curve_tbt_deadlines, THROUGHPUT_QUANTILE};

const POINTS: usize = 100;
/// Requests walked per deadline in the first round, beyond the ones the
/// quantile takes.
const EXTRA_FIRST: usize = 16;

/// The decode-only walk is the walk of `[0] + gaps` with the first token
/// ignored: it starts with no slack and no count.
fn decode_start() -> AfterFirstToken {
    AfterFirstToken {
        slack: 0.0,
        count: DeadlineCount::default(),
    }
}

/// Upper bounds of the decode-only miss rate at each curve deadline (see the
/// module's first lines); +inf when a gap is not finite.
fn rate_bounds(gaps: &[f64]) -> [f64; POINTS] {
    // Gaps by 0.25 ms bucket (the last one open-ended): a gap of at least
    // (j + 1) ms - 1e-9, the curve's deadline j minus the margin, is in
    // bucket 4 j + 3 or above, even with the rounding of `gap * 4000`.
    const PER_MS: usize = 4;
    const BUCKETS: usize = PER_MS * POINTS;
    // Two sets of buckets, for even and odd gaps: a run's gaps fall in a
    // few buckets, and one set would make each addition wait for the last.
    let mut count = [[0u32; BUCKETS + 1]; 2];
    let mut sum = [[0.0f64; BUCKETS + 1]; 2];
    for pair in gaps.chunks(2) {
        for (set, &gap) in pair.iter().enumerate() {
            if !gap.is_finite() {
                return [f64::INFINITY; POINTS];
            }
            let bucket = ((gap * (1000 * PER_MS) as f64 - 1e-3).max(0.0) as usize).min(BUCKETS);
            count[set][bucket] += 1;
            sum[set][bucket] += gap;
        }
    }
    let n = gaps.len() as f64;
    let deadlines = curve_tbt_deadlines();
    let mut bounds = [0.0; POINTS];
    let (mut long_count, mut long_sum) = (0.0, 0.0);
    let mut bucket = BUCKETS + 1;
    for j in (0..POINTS).rev() {
        while bucket > PER_MS * j + PER_MS - 1 {
            bucket -= 1;
            long_count += (count[0][bucket] + count[1][bucket]) as f64;
            long_sum += sum[0][bucket] + sum[1][bucket];
        }
        let most_missed =
            (long_sum * (1.0 + 1e-9) + long_count * 1e-9) / deadlines[j] * (1.0 + 1e-9);
        let least_on_time = n - long_count;
        bounds[j] = if long_count == 0.0 {
            0.0
        } else {
            most_missed / (least_on_time + most_missed) * (1.0 + 1e-9)
        };
    }
    bounds
}

/// Whether a request (`gaps`, whose magnitudes sum to `magnitude`, as its
/// [`super::bisection::TimelineFacts`] keep it) is small enough for the
/// monotone rule of [`p99_curve`]: every slack and gap below 1e9 s, so
/// that rounding errors (about 1e-7 s at most) stay far below the 1 ms
/// between two curve deadlines.
fn monotone_rule_holds(gaps: &[f64], magnitude: f64) -> bool {
    let largest_deadline = POINTS as f64 * 0.001;
    magnitude.is_finite() && gaps.len() as f64 * largest_deadline + magnitude < 1e9
}

/// The curve over the requests of `timelines` (their gaps; a first element,
/// if any, plays no part). Empty without requests.
///
/// Deadlines are taken in increasing order, and a request's miss rate at a
/// deadline bounds its rate at every larger one: with a deadline 1 ms
/// longer, every on-time gap stays on time with at least as much slack
/// (the extra millisecond dwarfs any rounding), and a late gap misses no
/// more deadlines, so fewer misses over more on-time gaps (exact integer
/// counts, and a correctly rounded division is monotone). So the exact
/// rate found at one deadline, or the bound that let a request be passed
/// over there, carries on to the next deadlines, where it usually shows
/// at once that the request is not among the largest rates.
pub(crate) fn p99_curve(timelines: &[&Timeline]) -> Vec<[f64; 2]> {
    let n = timelines.len();
    if n == 0 {
        return Vec::new();
    }
    let deadlines = curve_tbt_deadlines();
    // Per deadline j and request r, at [j * n + r]: the exact rate (NaN
    // while unknown). Deadline-major, as each deadline reads its rates
    // again and again while a walk writes a few deadlines of one request.
    let mut rates = vec![f64::NAN; POINTS * n];
    // The bounds of the module's first lines, deadline-major too: at
    // [j * n + r].
    let mut static_bounds = vec![0.0; POINTS * n];
    for (r, timeline) in timelines.iter().enumerate() {
        for (j, bound) in rate_bounds(timeline.gaps).into_iter().enumerate() {
            static_bounds[j * n + r] = bound;
        }
    }
    let monotone: Vec<bool> = timelines
        .iter()
        .map(|t| monotone_rule_holds(t.gaps, t.facts().magnitude))
        .collect();
    // The smallest bound known so far from the deadlines already done.
    let mut carried = vec![f64::INFINITY; n];
    let h = (n - 1) as f64 * THROUGHPUT_QUANTILE;
    let lowest = (h.floor() as usize).min(n - 1);
    // The quantile reads the sorted rates from `lowest` up: the `top`
    // largest.
    let top = n - lowest;
    let mut known = Vec::with_capacity(n);
    let mut unknown: Vec<(f64, usize)> = Vec::with_capacity(n);
    let mut curve = Vec::with_capacity(POINTS);
    let mut bounds = vec![0.0; n];
    for (j, &deadline) in deadlines.iter().enumerate() {
        for r in 0..n {
            bounds[r] = if monotone[r] {
                static_bounds[j * n + r].min(carried[r])
            } else {
                static_bounds[j * n + r]
            };
        }
        for round in 0.. {
            known.clear();
            unknown.clear();
            for r in 0..n {
                let rate = rates[j * n + r];
                if rate.is_nan() {
                    unknown.push((bounds[r], r));
                } else {
                    known.push(rate);
                }
            }
            let threshold = kth_largest(&mut known, top).unwrap_or(f64::NEG_INFINITY);
            // Keep what may exceed the threshold (a NaN bound too).
            unknown.retain(
                |&(bound, _)| !matches!(bound.partial_cmp(&threshold), Some(o) if o.is_le()),
            );
            if unknown.is_empty() {
                break;
            }
            // First the likeliest requests; then every one the bound
            // cannot spare.
            let most = if round == 0 { top + EXTRA_FIRST } else { n };
            if unknown.len() > most {
                unknown.select_nth_unstable_by(most - 1, |a, b| b.0.total_cmp(&a.0));
                unknown.truncate(most);
            }
            for &(_, r) in &unknown {
                settle(&mut rates, n, r, timelines[r], j);
            }
        }
        // Every rate still unknown is at most its bound, which is at most
        // the threshold: carried on.
        for r in 0..n {
            let rate = rates[j * n + r];
            carried[r] = if rate.is_nan() { bounds[r] } else { rate };
        }
        known.clear();
        known.extend(
            rates[j * n..(j + 1) * n]
                .iter()
                .copied()
                .filter(|rate| !rate.is_nan()),
        );
        curve.push([deadline, quantile_of_top(&mut known, n, h, lowest)]);
    }
    curve
}

/// The exact rate of request `r` (of `n`) at curve deadline `j` (`rates`
/// holds every rate, deadline-major): by the sparse walk if it can tell,
/// else by a full walk, which takes the next unknown deadlines along (eight
/// walks cost about as much as one).
fn settle(rates: &mut [f64], n: usize, r: usize, timeline: &Timeline, j: usize) {
    const K: usize = 8;
    let deadlines = curve_tbt_deadlines();
    let at = |point: usize| point * n + r;
    match timeline.quick_count(deadlines[j], decode_start()) {
        QuickCount::Exact(count) => rates[at(j)] = count.miss_rate(),
        QuickCount::AllMissed => rates[at(j)] = 1.0,
        QuickCount::Walk => {
            let mut points = [j; K];
            let mut taken = 1;
            let later = (j + 1..POINTS).filter(|&later| rates[at(later)].is_nan());
            for point in later.take(K - 1) {
                points[taken] = point;
                taken += 1;
            }
            // A group still short repeats its first deadline.
            let walks: [lanes::Walk; K] = std::array::from_fn(|k| lanes::Walk {
                gaps: timeline.gaps,
                tbt_deadline: deadlines[points[k]],
                start: decode_start(),
            });
            let counts = lanes::walk(&walks);
            for (k, &point) in points.iter().enumerate().take(taken) {
                rates[at(point)] = counts[k].miss_rate();
            }
        }
    }
}

/// The k-th largest value (k >= 1), reordering `values`; `None` if fewer.
fn kth_largest(values: &mut [f64], k: usize) -> Option<f64> {
    let len = values.len();
    if len < k {
        return None;
    }
    Some(*values.select_nth_unstable_by(len - k, f64::total_cmp).1)
}

/// numpy's quantile of all `n` rates at position `h` (`lowest = floor(h)`),
/// from the known ones, which include the `n - lowest` largest of all
/// (every unknown rate is below them).
fn quantile_of_top(known: &mut [f64], n: usize, h: f64, lowest: usize) -> f64 {
    let start = known.len() - (n - lowest);
    known.select_nth_unstable_by(start, f64::total_cmp);
    // `largest[i]` is element `lowest + i` of all rates sorted.
    let largest = &mut known[start..];
    largest.sort_unstable_by(f64::total_cmp);
    if h >= (n - 1) as f64 {
        largest[largest.len() - 1]
    } else if h <= 0.0 {
        largest[0]
    } else {
        lerp(largest[0], largest[1], h - lowest as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::deadline::{deadline_miss_count, FirstToken};
    use crate::metrics::quantile::quantile_unsorted;

    /// The curve as docs/METRICS.md defines it: every rate walked, numpy's
    /// quantile.
    fn plain(gaps: &[Vec<f64>]) -> Vec<[f64; 2]> {
        curve_tbt_deadlines()
            .iter()
            .map(|&deadline| {
                let mut rates: Vec<f64> = gaps
                    .iter()
                    .map(|g| {
                        let itt: Vec<f64> = std::iter::once(0.0).chain(g.iter().copied()).collect();
                        deadline_miss_count(&itt, 0.0, deadline, FirstToken::Ignored).miss_rate()
                    })
                    .collect();
                [
                    deadline,
                    quantile_unsorted(&mut rates, THROUGHPUT_QUANTILE).unwrap(),
                ]
            })
            .collect()
    }

    #[test]
    fn carried_bounds_give_the_plain_curve() {
        // Gaps on the millisecond grid (every comparison at a curve deadline
        // is an exact tie somewhere), zeros, stalls, and paces that make the
        // top rates close at every deadline.
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) as usize
        };
        let gaps: Vec<Vec<f64>> = (0..300)
            .map(|r| {
                (0..200)
                    .map(|_| match next() % 20 {
                        0 | 1 => 0.0,
                        2 => (next() % 1500) as f64 * 0.001,
                        _ => ((r % 40) + 10 + next() % 30) as f64 * 0.001,
                    })
                    .collect()
            })
            .collect();
        let slices: Vec<&[f64]> = gaps.iter().map(Vec::as_slice).collect();
        let curve = crate::metrics::service::p99_miss_rate_vs_tbt_deadline(&slices);
        let want = plain(&gaps);
        for (got, want) in curve.iter().zip(&want) {
            assert_eq!(got[1].to_bits(), want[1].to_bits(), "at {}", want[0]);
        }
    }
}
