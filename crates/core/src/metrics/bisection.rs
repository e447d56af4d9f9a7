//! The minimum TBT deadline that meets a target miss rate, found by the
//! reference's own bisection (METRICS.md): same interval, same granularity,
//! same float arithmetic, so the same answer even where the miss rate is not
//! monotone in the deadline.
//!
//! Speed comes from answering most probes without walking the timeline
//! (deadlines above the longest gap: nothing is late after the first token;
//! below the shortest gap with no banked slack: everything is), from walking
//! two bisections side by side, and from stopping a walk once the rate is
//! certain to exceed the target.

use super::deadline::{first_token, AfterFirstToken, DeadlineCount, FirstToken};
use super::lanes;

/// What the reference returns when no deadline meets the target.
pub const NO_DEADLINE_MEETS_TARGET: f64 = 1e10;
const GRANULARITY: f64 = 1e-4;

/// The smallest TBT deadline (seconds) with which the timeline `itt` misses
/// at most `target_miss_rate` of its deadlines, as Etalon's
/// `find_min_tbt_deadline_to_meet` finds it (granularity 1e-4 s); 1e10 when
/// the search finds none.
pub fn min_tbt_deadline_to_meet(
    itt: &[f64],
    ttft_deadline: f64,
    target_miss_rate: f64,
    first: FirstToken,
) -> f64 {
    let timeline = Timeline::new(itt);
    let mut search = Bisection::new();
    while let Some(mid) = search.mid() {
        let probe = Probe::new(&timeline, ttft_deadline, mid, first);
        let exceeds = match probe.quick_answer(target_miss_rate) {
            Some(answer) => answer,
            None => lanes::exceeds(timeline.gaps, &[mid], &[probe.after], &[target_miss_rate])[0],
        };
        search.update(mid, exceeds);
    }
    search.deadline
}

/// Both searches a request needs, walked side by side: the one with the
/// user's TTFT deadline and target (first token counted), and the decode-only
/// one behind the fluid token generation rate (first token ignored).
/// Returns `(with_ttft, decode_only)`.
pub(crate) fn min_tbt_deadlines(
    itt: &[f64],
    ttft_deadline: f64,
    target_miss_rate: f64,
    decode_target_miss_rate: f64,
) -> (f64, f64) {
    let timeline = Timeline::new(itt);
    let targets = [target_miss_rate, decode_target_miss_rate];
    let firsts = [FirstToken::Counted, FirstToken::Ignored];
    let mut searches = [Bisection::new(), Bisection::new()];
    loop {
        let mids = [searches[0].mid(), searches[1].mid()];
        if mids == [None, None] {
            break;
        }
        // Probes that no shortcut settles: walked together.
        let mut walks: [Option<(f64, AfterFirstToken)>; 2] = [None, None];
        for k in 0..2 {
            let Some(mid) = mids[k] else { continue };
            let probe = Probe::new(&timeline, ttft_deadline, mid, firsts[k]);
            match probe.quick_answer(targets[k]) {
                Some(exceeds) => searches[k].update(mid, exceeds),
                None => walks[k] = Some((mid, probe.after)),
            }
        }
        match walks {
            [None, None] => {}
            [Some((mid0, after0)), Some((mid1, after1))] => {
                let exceeds =
                    lanes::exceeds(timeline.gaps, &[mid0, mid1], &[after0, after1], &targets);
                searches[0].update(mid0, exceeds[0]);
                searches[1].update(mid1, exceeds[1]);
            }
            [Some((mid, after)), None] | [None, Some((mid, after))] => {
                let k = usize::from(walks[0].is_none());
                let exceeds = lanes::exceeds(timeline.gaps, &[mid], &[after], &[targets[k]]);
                searches[k].update(mid, exceeds[0]);
            }
        }
    }
    (searches[0].deadline, searches[1].deadline)
}

/// The reference's bisection state, float for float.
struct Bisection {
    deadline: f64,
    left: f64,
    right: f64,
}

impl Bisection {
    fn new() -> Self {
        Bisection {
            deadline: NO_DEADLINE_MEETS_TARGET,
            left: 0.0,
            right: NO_DEADLINE_MEETS_TARGET,
        }
    }

    fn mid(&self) -> Option<f64> {
        (self.right - self.left > GRANULARITY).then(|| (self.left + self.right) / 2.0)
    }

    fn update(&mut self, mid: f64, exceeds: bool) {
        if exceeds {
            self.left = mid + GRANULARITY;
        } else {
            self.deadline = mid;
            self.right = mid - GRANULARITY;
        }
    }
}

/// A timeline with the facts that settle most probes without a walk.
pub(crate) struct Timeline<'a> {
    /// The whole timeline (empty for a decode-only one).
    pub itt: &'a [f64],
    /// `itt[1..]`.
    pub gaps: &'a [f64],
    /// Longest and shortest gap; (+inf, -inf) when a gap is NaN, so that no
    /// shortcut applies.
    pub longest_gap: f64,
    pub shortest_gap: f64,
}

impl<'a> Timeline<'a> {
    pub fn new(itt: &'a [f64]) -> Self {
        Timeline::with_gaps(itt, itt.get(1..).unwrap_or(&[]))
    }

    /// A decode-only timeline: the gaps alone (no first element to count).
    pub fn of_gaps(gaps: &'a [f64]) -> Self {
        Timeline::with_gaps(&[], gaps)
    }

    fn with_gaps(itt: &'a [f64], gaps: &'a [f64]) -> Self {
        let mut longest_gap = f64::NEG_INFINITY;
        let mut shortest_gap = f64::INFINITY;
        for &gap in gaps {
            longest_gap = longest_gap.max(gap);
            shortest_gap = shortest_gap.min(gap);
        }
        if gaps.iter().any(|g| g.is_nan()) {
            (longest_gap, shortest_gap) = (f64::INFINITY, f64::NEG_INFINITY);
        }
        Timeline {
            itt,
            gaps,
            longest_gap,
            shortest_gap,
        }
    }

    /// The count for TBT deadline `tbt_deadline` when a shortcut settles it
    /// (`after` is the state after the first token).
    pub fn quick_count(&self, tbt_deadline: f64, after: AfterFirstToken) -> QuickCount {
        let n = self.gaps.len() as u64;
        if tbt_deadline >= self.longest_gap && after.slack >= 0.0 {
            // Slack never drops below 0 and no gap exceeds the deadline.
            let mut count = after.count;
            count.add(DeadlineCount {
                missed_deadlines: 0,
                total_deadlines: n,
            });
            return QuickCount::Exact(count);
        }
        let first_missed = after.count.missed_deadlines == after.count.total_deadlines;
        if tbt_deadline < self.shortest_gap
            && after.slack == 0.0
            && first_missed
            && tbt_deadline > 0.0
        {
            // Every gap is late with no slack and misses >= 1 deadline, the
            // first token (if counted) was late too: every deadline is missed.
            return QuickCount::AllMissed;
        }
        QuickCount::Walk
    }
}

/// What a shortcut knows about a probe.
pub(crate) enum QuickCount {
    Exact(DeadlineCount),
    /// Miss rate exactly 1 (the counts themselves are not computed).
    AllMissed,
    Walk,
}

/// One bisection probe: the timeline at one TBT deadline.
struct Probe<'t, 'a> {
    timeline: &'t Timeline<'a>,
    tbt_deadline: f64,
    after: AfterFirstToken,
}

impl<'t, 'a> Probe<'t, 'a> {
    fn new(
        timeline: &'t Timeline<'a>,
        ttft_deadline: f64,
        tbt_deadline: f64,
        first: FirstToken,
    ) -> Self {
        let after = first_token(timeline.itt, ttft_deadline, tbt_deadline, first);
        Probe {
            timeline,
            tbt_deadline,
            after,
        }
    }

    fn quick_answer(&self, target: f64) -> Option<bool> {
        match self.timeline.quick_count(self.tbt_deadline, self.after) {
            QuickCount::Exact(count) => Some(count.miss_rate() > target),
            QuickCount::AllMissed => Some(1.0 > target),
            QuickCount::Walk => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::deadline::deadline_miss_count;

    /// The reference bisection, with the plain walk at every probe.
    fn reference(itt: &[f64], dp: f64, target: f64, first: FirstToken) -> f64 {
        let mut search = Bisection::new();
        while let Some(mid) = search.mid() {
            let rate = deadline_miss_count(itt, dp, mid, first).miss_rate();
            search.update(mid, rate > target);
        }
        search.deadline
    }

    #[test]
    fn matches_the_plain_search() {
        let itt = [
            0.3, 0.02, 0.0, 0.05, 0.4, 0.021, 0.019, 0.03, 0.0, 0.0, 1.2, 0.02,
        ];
        for target in [0.0, 0.05, 0.1, 0.3, 0.9] {
            for first in [FirstToken::Counted, FirstToken::Ignored] {
                let want = reference(&itt, 0.1, target, first);
                assert_eq!(min_tbt_deadline_to_meet(&itt, 0.1, target, first), want);
            }
            let pair = min_tbt_deadlines(&itt, 0.1, target, 0.1);
            assert_eq!(pair.0, reference(&itt, 0.1, target, FirstToken::Counted));
            assert_eq!(pair.1, reference(&itt, 0.0, 0.1, FirstToken::Ignored));
        }
    }

    #[test]
    fn empty_and_single_token_timelines() {
        for itt in [&[][..], &[0.5][..]] {
            let want = reference(itt, 0.1, 0.1, FirstToken::Counted);
            assert_eq!(
                min_tbt_deadline_to_meet(itt, 0.1, 0.1, FirstToken::Counted),
                want
            );
        }
    }
}
