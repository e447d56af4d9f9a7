//! The p99 miss rate against TBT deadlines from 1 to 100 ms (METRICS.md):
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
use super::service::{curve_tbt_deadlines, THROUGHPUT_QUANTILE};

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
    let mut count = [0u32; BUCKETS + 1];
    let mut sum = [0.0f64; BUCKETS + 1];
    for &gap in gaps {
        if !gap.is_finite() {
            return [f64::INFINITY; POINTS];
        }
        let bucket = ((gap * (1000 * PER_MS) as f64 - 1e-3).max(0.0) as usize).min(BUCKETS);
        count[bucket] += 1;
        sum[bucket] += gap;
    }
    let n = gaps.len() as f64;
    let deadlines = curve_tbt_deadlines();
    let mut bounds = [0.0; POINTS];
    let (mut long_count, mut long_sum) = (0.0, 0.0);
    let mut bucket = BUCKETS + 1;
    for j in (0..POINTS).rev() {
        while bucket > PER_MS * j + PER_MS - 1 {
            bucket -= 1;
            long_count += count[bucket] as f64;
            long_sum += sum[bucket];
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

/// The curve over the requests of `timelines` (their gaps; a first element,
/// if any, plays no part). Empty without requests.
pub(crate) fn p99_curve(timelines: &[&Timeline]) -> Vec<[f64; 2]> {
    let n = timelines.len();
    if n == 0 {
        return Vec::new();
    }
    let deadlines = curve_tbt_deadlines();
    // Per deadline j and request r, at [j * n + r]: the exact rate (NaN
    // while unknown) and an upper bound of it.
    let mut rates = vec![f64::NAN; POINTS * n];
    let mut bounds = vec![f64::INFINITY; POINTS * n];
    for (r, timeline) in timelines.iter().enumerate() {
        let row_bounds = rate_bounds(timeline.gaps);
        for (j, &deadline) in deadlines.iter().enumerate() {
            match timeline.shortcut_count(deadline, decode_start()) {
                QuickCount::Exact(count) => rates[j * n + r] = count.miss_rate(),
                QuickCount::AllMissed => rates[j * n + r] = 1.0,
                QuickCount::Walk => bounds[j * n + r] = row_bounds[j],
            }
        }
    }
    let h = (n - 1) as f64 * THROUGHPUT_QUANTILE;
    let lowest = (h.floor() as usize).min(n - 1);
    // The quantile reads the sorted rates from `lowest` up: the `top`
    // largest.
    let top = n - lowest;
    let mut known = Vec::with_capacity(n);
    let mut unknown: Vec<(f64, usize)> = Vec::with_capacity(n);
    for round in 0.. {
        // First the likeliest requests; then every one the bound cannot spare.
        let most = if round == 0 { top + EXTRA_FIRST } else { n };
        let mut to_settle: Vec<(usize, usize)> = Vec::new();
        for j in 0..POINTS {
            known.clear();
            unknown.clear();
            for r in 0..n {
                let rate = rates[j * n + r];
                if rate.is_nan() {
                    unknown.push((bounds[j * n + r], r));
                } else {
                    known.push(rate);
                }
            }
            let threshold = kth_largest(&mut known, top).unwrap_or(f64::NEG_INFINITY);
            // Keep what may exceed the threshold (a NaN bound too).
            unknown.retain(
                |&(bound, _)| !matches!(bound.partial_cmp(&threshold), Some(o) if o.is_le()),
            );
            if unknown.len() > most {
                unknown.select_nth_unstable_by(most - 1, |a, b| b.0.total_cmp(&a.0));
                unknown.truncate(most);
            }
            to_settle.extend(unknown.iter().map(|&(_, r)| (r, j)));
        }
        if to_settle.is_empty() {
            break;
        }
        to_settle.sort_unstable();
        for group in to_settle.chunk_by(|a, b| a.0 == b.0) {
            let r = group[0].0;
            let timeline = timelines[r];
            // The sparse walk first; the full walk where it cannot tell.
            let mut walks = Vec::with_capacity(group.len());
            for &(_, j) in group {
                match timeline.quick_count(deadlines[j], decode_start()) {
                    QuickCount::Exact(count) => rates[j * n + r] = count.miss_rate(),
                    QuickCount::AllMissed => rates[j * n + r] = 1.0,
                    QuickCount::Walk => walks.push(j),
                }
            }
            if !walks.is_empty() {
                walk_request(&mut rates, &bounds, n, r, timeline.gaps, walks);
            }
        }
    }
    (0..POINTS)
        .map(|j| {
            known.clear();
            known.extend(
                rates[j * n..(j + 1) * n]
                    .iter()
                    .filter(|rate| !rate.is_nan()),
            );
            [deadlines[j], quantile_of_top(&mut known, n, h, lowest)]
        })
        .collect()
}

/// Walks request r's `gaps` at the curve deadlines `points`, eight at a
/// time; a short last group is filled with the request's other unknown
/// deadlines (highest bounds first), which costs nothing more.
fn walk_request(
    rates: &mut [f64],
    bounds: &[f64],
    n: usize,
    r: usize,
    gaps: &[f64],
    mut points: Vec<usize>,
) {
    const K: usize = 8;
    let deadlines = curve_tbt_deadlines();
    if !points.len().is_multiple_of(K) {
        let mut others: Vec<usize> = (0..POINTS)
            .filter(|j| rates[j * n + r].is_nan() && !points.contains(j))
            .collect();
        others.sort_unstable_by(|a, b| bounds[b * n + r].total_cmp(&bounds[a * n + r]));
        let room = K - points.len() % K;
        points.extend(others.into_iter().take(room));
    }
    for group in points.chunks(K) {
        // A group still short repeats its last deadline.
        let walks: [lanes::Walk; K] = std::array::from_fn(|k| lanes::Walk {
            gaps,
            tbt_deadline: deadlines[group[k.min(group.len() - 1)]],
            start: decode_start(),
        });
        let counts = lanes::walk(&walks);
        for (k, &j) in group.iter().enumerate() {
            rates[j * n + r] = counts[k].miss_rate();
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
