//! The deadline walk of `deadline.rs` for several TBT deadlines at once over
//! the same gaps ("lanes"): the p99-vs-deadline curve walks 100 deadlines,
//! the two bisections walk theirs side by side. Independent lanes let the
//! processor overlap their chains of additions, and gaps that no lane can
//! miss take a branch-free path. Results are bit-for-bit those of
//! [`super::deadline::deadline_miss_count`] (checked by the property tests).
//!
//! Why the fast path is exact: while every lane's slack is >= 0, a gap
//! `t <= D` satisfies `t <= fl(D + slack)`, so the lane is on time and its
//! slack only grows. Slack can turn (very slightly) negative only after an
//! on-time gap longer than `D`, which goes through the full step.

use super::deadline::{AfterFirstToken, DeadlineCount};
use super::floor_div::floor_div_fast;

/// How often (in gaps) a bisection walk checks whether it can stop early.
const CHECK_EVERY: usize = 64;

/// Walks `gaps` (a timeline without its first element) for `K` TBT deadlines,
/// each lane starting from its state after the first token. Returns each
/// lane's final count.
pub(crate) fn walk<const K: usize>(
    gaps: &[f64],
    tbt_deadlines: &[f64; K],
    starts: &[AfterFirstToken; K],
) -> [DeadlineCount; K] {
    let mut lanes = Lanes::new(tbt_deadlines, starts);
    lanes.run(gaps);
    lanes.counts(gaps.len())
}

/// Like [`walk`], but only answers, per lane, whether the final miss rate
/// exceeds that lane's `targets[k]`; stops as soon as every lane's answer is
/// certain.
pub(crate) fn exceeds<const K: usize>(
    gaps: &[f64],
    tbt_deadlines: &[f64; K],
    starts: &[AfterFirstToken; K],
    targets: &[f64; K],
) -> [bool; K] {
    let mut lanes = Lanes::new(tbt_deadlines, starts);
    let mut done = 0;
    for chunk in gaps.chunks(CHECK_EVERY) {
        lanes.run(chunk);
        done += chunk.len();
        let remaining = (gaps.len() - done) as u64;
        if done < gaps.len() && lanes.certainly_exceed(done, remaining, targets) {
            return [true; K];
        }
    }
    let counts = lanes.counts(gaps.len());
    std::array::from_fn(|k| counts[k].miss_rate() > targets[k])
}

/// The state of `K` walks in step.
struct Lanes<const K: usize> {
    deadline: [f64; K],
    inverse: [f64; K],
    smallest: f64,
    slack: [f64; K],
    /// Deadlines missed by the gaps so far (whole numbers, kept as floats
    /// so the step stays branch-free; exact below 2^53).
    missed: [f64; K],
    /// Gaps that missed (each missed `floor_div(gap - slack, D)`, maybe 0).
    late_gaps: [f64; K],
    /// What the first token counted.
    first: [DeadlineCount; K],
    slack_nonnegative: bool,
}

/// Adding and subtracting 2^52 rounds a float in [0, 2^51) to an integer.
const ROUNDING: f64 = 4_503_599_627_370_496.0;

impl<const K: usize> Lanes<K> {
    fn new(tbt_deadlines: &[f64; K], starts: &[AfterFirstToken; K]) -> Self {
        let slack = starts.map(|s| s.slack);
        Lanes {
            deadline: *tbt_deadlines,
            inverse: tbt_deadlines.map(|d| 1.0 / d),
            smallest: tbt_deadlines.iter().copied().fold(f64::INFINITY, f64::min),
            slack,
            missed: [0.0; K],
            late_gaps: [0.0; K],
            first: starts.map(|s| s.count),
            slack_nonnegative: slack.iter().all(|&s| s >= 0.0),
        }
    }

    /// Walks `gaps`. The state lives in locals (registers) during the loop.
    #[inline(always)]
    fn run(&mut self, gaps: &[f64]) {
        let deadline = self.deadline;
        let inverse = self.inverse;
        let smallest = self.smallest;
        let mut slack = self.slack;
        let mut missed = self.missed;
        let mut late_gaps = self.late_gaps;
        let mut nonnegative = self.slack_nonnegative;
        for &gap in gaps {
            if gap <= smallest && nonnegative {
                // On time in every lane: bank the slack, in the reference's order.
                for k in 0..K {
                    slack[k] += deadline[k] - gap;
                }
                continue;
            }
            let before = slack;
            let mut floor = [0.0; K];
            let mut clean = [false; K];
            let mut on_time = [false; K];
            for k in 0..K {
                on_time[k] = gap <= deadline[k] + before[k];
            }
            for k in 0..K {
                (floor[k], clean[k]) = quotient_floor(gap - before[k], inverse[k]);
            }
            for k in 0..K {
                missed[k] += if on_time[k] { 0.0 } else { floor[k] };
                late_gaps[k] += if on_time[k] { 0.0 } else { 1.0 };
                slack[k] = if on_time[k] {
                    before[k] + (deadline[k] - gap)
                } else {
                    0.0
                };
            }
            nonnegative = slack.iter().fold(true, |all, &s| all & (s >= 0.0));
            let awkward = (0..K).fold(false, |any, k| any | (!on_time[k] & !clean[k]));
            if awkward {
                // Rare: a quotient too close to an integer to trust the
                // product; redo those lanes' counts with the exact division.
                for k in 0..K {
                    if !on_time[k] && !clean[k] {
                        missed[k] += floor_div_fast(gap - before[k], deadline[k]) - floor[k];
                    }
                }
            }
        }
        self.slack = slack;
        self.missed = missed;
        self.late_gaps = late_gaps;
        self.slack_nonnegative = nonnegative;
    }

    /// Counts after `walked` gaps: on-time gaps count one deadline each,
    /// late gaps the deadlines they missed.
    fn counts(&self, walked: usize) -> [DeadlineCount; K] {
        std::array::from_fn(|k| {
            let missed = self.missed[k] as u64;
            let on_time = walked as u64 - self.late_gaps[k] as u64;
            let mut count = self.first[k];
            count.add(DeadlineCount {
                missed_deadlines: missed,
                total_deadlines: on_time.saturating_add(missed),
            });
            count
        })
    }

    /// Whether every lane's final rate exceeds its target whatever the
    /// `remaining` gaps bring: the final rate is at least
    /// `missed / (total + remaining)` (more misses only raise a rate <= 1),
    /// and rounding is monotone, so the comparison holds for the final rate.
    fn certainly_exceed(&self, walked: usize, remaining: u64, targets: &[f64; K]) -> bool {
        self.counts(walked)
            .iter()
            .zip(targets)
            .all(|(count, &target)| {
                let most = count.total_deadlines.saturating_add(remaining);
                most > 0 && count.missed_deadlines as f64 / most as f64 > target
            })
    }
}

/// `floor(a * inverse)` without branches, and whether it is certainly the
/// floor of the exact quotient (see [`super::floor_div::floor_div_by`]: the
/// product is within 2.3e-16 relative of the quotient).
#[inline(always)]
fn quotient_floor(a: f64, inverse: f64) -> (f64, bool) {
    let q = a * inverse;
    let nearest = (q + ROUNDING) - ROUNDING;
    let floor = if nearest > q { nearest - 1.0 } else { nearest };
    let margin = q * 1.0e-15;
    // `&`, not `&&`: no branches.
    let clean = (q > 0.0) & (q < 1.0e15) & (q - floor > margin) & ((floor + 1.0) - q > margin);
    (floor, clean)
}
