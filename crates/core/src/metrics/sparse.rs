//! The deadline walk for a TBT deadline above all but a few gaps, visiting
//! only those few ("long gaps"): the slack before a long gap is computed
//! from prefix sums instead of gap by gap. That slack differs from the
//! reference's gap-by-gap float sum by at most a rigorous error bound; a
//! decision (on time or late, and how many deadlines a stall misses) is taken
//! only when it holds for every value within the bound, else the caller
//! falls back to the exact walk. So the counts are exact, or not given.
//!
//! Why gaps `t <= D` need no visit: with slack >= 0 they are on time and
//! only add slack; slack is 0 after a late gap and, after a long gap found
//! on time by a margin, positive.

use super::deadline::{AfterFirstToken, DeadlineCount};
use super::quantile::order_key;

/// Long gaps kept per timeline: a deadline above all other gaps is counted
/// with at most this many visits.
const LONG_GAPS: usize = 128;
/// Above this many gaps longer than the deadline, a walk is cheaper.
const MOST_VISITS: usize = 64;
const UNIT_ROUNDOFF: f64 = f64::EPSILON / 2.0;

/// A threshold with at most [`LONG_GAPS`] gaps above it, as low as cheaply
/// found: the lowest of a few multiples of the mean gap that qualifies
/// (a bisection over them, as fewer gaps exceed a larger one: three
/// counting passes), else the exact order statistic (a selection).
fn threshold_for_long_gaps(gaps: &[f64], mean: f64) -> f64 {
    const MULTIPLES: [f64; 8] = [0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0];
    if mean > 0.0 {
        let candidates = MULTIPLES.map(|m| m * mean);
        let above = |candidate: f64| gaps.iter().filter(|&&gap| gap > candidate).count();
        // The lowest qualifying candidate is in lowest..=highest
        // (`MULTIPLES.len()` for none).
        let (mut lowest, mut highest) = (0, MULTIPLES.len());
        while lowest < highest {
            let middle = (lowest + highest) / 2;
            if above(candidates[middle]) <= LONG_GAPS {
                highest = middle;
            } else {
                lowest = middle + 1;
            }
        }
        if lowest < MULTIPLES.len() {
            return candidates[lowest];
        }
    }
    let mut copy = gaps.to_vec();
    let rank = gaps.len() - LONG_GAPS - 1;
    *copy.select_nth_unstable_by(rank, f64::total_cmp).1
}

/// What the sparse walk needs of a timeline's gaps (the gaps themselves
/// are passed to [`SparseGaps::count`]), kept with a recording's profile.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SparseGaps {
    /// For each long gap `j` (in the order of `long_gaps`): the float sum
    /// of `gaps[..j]` and of `gaps[..=j]`, left to right (the prefix sums
    /// the sparse walk reads; no other is needed).
    long_prefix: Vec<(f64, f64)>,
    /// Sum of `|gap|`, for the error bounds.
    magnitude: f64,
    /// Indices (ascending) of every gap longer than `threshold`.
    long_gaps: Vec<u32>,
    /// The long gaps, longest first: `(gap, position in long_gaps)`.
    longest_first: Vec<(f64, u32)>,
    /// Deadlines at or above this are counted sparsely.
    pub threshold: f64,
}

impl SparseGaps {
    /// Prepares `gaps`, given their float sum (left to right) and the sum
    /// of their magnitudes. With a NaN or infinite gap, no deadline is
    /// counted sparsely.
    pub fn new(gaps: &[f64], sum: f64, magnitude: f64) -> Self {
        let threshold = if !magnitude.is_finite() {
            f64::INFINITY
        } else if gaps.len() <= LONG_GAPS {
            f64::NEG_INFINITY
        } else {
            threshold_for_long_gaps(gaps, sum / gaps.len() as f64)
        };
        // At most LONG_GAPS gaps exceed the threshold (it was chosen so):
        // gathered in fixed arrays, the loop makes no call and keeps its
        // running sum in a register. It has no branch either (which gaps
        // are long is unpredictable): every gap is written in the next free
        // slot, which only a long gap takes (slot LONG_GAPS is scratch).
        let mut found = [0u32; LONG_GAPS + 1];
        let mut sums = [(0.0, 0.0); LONG_GAPS + 1];
        let mut taken = 0;
        let mut more = false;
        let mut running = 0.0;
        for (i, &gap) in gaps.iter().enumerate() {
            let next = running + gap;
            let long = gap > threshold;
            found[taken] = i as u32;
            sums[taken] = (running, next);
            more |= long & (taken == LONG_GAPS);
            taken += usize::from(long & (taken < LONG_GAPS));
            running = next;
        }
        // (Never so; were it, no deadline would be counted sparsely.)
        let (threshold, taken) = if more {
            (f64::INFINITY, 0)
        } else {
            (threshold, taken)
        };
        let long_gaps: Vec<u32> = found[..taken].to_vec();
        let long_prefix: Vec<(f64, f64)> = sums[..taken].to_vec();
        // Sorted by an integer key in IEEE total order, longest first.
        let mut keyed: Vec<(u64, u32)> = long_gaps
            .iter()
            .enumerate()
            .map(|(p, &i)| (order_key(gaps[i as usize]), p as u32))
            .collect();
        keyed.sort_unstable_by_key(|&(key, _)| std::cmp::Reverse(key));
        let longest_first: Vec<(f64, u32)> = keyed
            .into_iter()
            .map(|(_, p)| (gaps[long_gaps[p as usize] as usize], p))
            .collect();
        SparseGaps {
            long_prefix,
            magnitude,
            long_gaps,
            longest_first,
            threshold,
        }
    }

    /// The count at TBT deadline `deadline` (>= `threshold`, > 0) from the
    /// state after the first token, or `None` when a decision falls within
    /// the error bound (then walk).
    // `!(a > b)` on purpose: NaN must give up, not decide.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub fn count(
        &self,
        gaps: &[f64],
        deadline: f64,
        start: AfterFirstToken,
    ) -> Option<DeadlineCount> {
        if !(deadline >= self.threshold && deadline > 0.0 && start.slack >= 0.0) {
            return None;
        }
        let u = UNIT_ROUNDOFF;
        let n = gaps.len();
        // Error of the prefix sums against exact sums.
        if matches!(self.longest_first.get(MOST_VISITS), Some(&(gap, _)) if gap > deadline) {
            return None; // more than MOST_VISITS gaps to visit: a walk is cheaper
        }
        let prefix_error = 4.0 * (n + 2) as f64 * u * self.magnitude;
        // The gaps longer than the deadline, in timeline order.
        let mut longer = [0u64; LONG_GAPS / 64];
        for &(gap, position) in &self.longest_first {
            if gap <= deadline {
                break;
            }
            longer[position as usize / 64] |= 1 << (position % 64);
        }
        let mut slack_at_reset = start.slack;
        let mut reset = 0usize;
        // The float sum of `gaps[..reset]`.
        let mut prefix_at_reset = 0.0;
        let mut missed = 0u64;
        let mut late_gaps = 0u64;
        for (word_index, &word) in longer.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                let position = word_index * 64 + word.trailing_zeros() as usize;
                word &= word - 1;
                let j = self.long_gaps[position] as usize;
                let gap = gaps[j];
                let since = (j - reset) as f64;
                let (prefix_before, prefix_after) = self.long_prefix[position];
                let slack = slack_at_reset + (since * deadline - (prefix_before - prefix_at_reset));
                // Bound on |slack - reference slack| (gap-by-gap float sums over
                // `since` gaps, each term and partial sum at most `size`).
                let size = slack_at_reset + since * deadline + self.magnitude + gap;
                let error = 8.0 * (since + 4.0) * u * size + prefix_error;
                let allowed = deadline + slack;
                if gap < allowed - error {
                    continue; // on time, with positive slack left
                }
                if !(gap > allowed + error) {
                    return None;
                }
                // Late: misses floor((gap - slack) / deadline), exactly known if
                // the whole interval of possible quotients has one floor.
                let a = gap - slack;
                let a_error = error + 4.0 * u * a.abs();
                let low = (a - a_error) / deadline * (1.0 - 8.0 * u);
                let high = (a + a_error) / deadline * (1.0 + 8.0 * u);
                let floor = low.floor();
                if !(floor == high.floor() && (0.0..1.0e15).contains(&floor)) {
                    return None;
                }
                missed += floor as u64;
                late_gaps += 1;
                slack_at_reset = 0.0;
                reset = j + 1;
                prefix_at_reset = prefix_after;
            }
        }
        let mut count = start.count;
        count.add(DeadlineCount {
            missed_deadlines: missed,
            total_deadlines: (n as u64 - late_gaps) + missed,
        });
        Some(count)
    }
}
