//! The minimum TBT deadline that meets a target miss rate, found by the
//! reference's own bisection (docs/METRICS.md): same interval, same granularity,
//! same float arithmetic, so the same answer even where the miss rate is not
//! monotone in the deadline.
//!
//! Speed comes from answering most probes without walking the timeline
//! (deadlines above the longest gap: nothing is late after the first token;
//! below the shortest gap with no banked slack: everything is; above all but
//! a few gaps: `sparse` visits only those), from walking the probes of
//! several searches side by side, and from stopping a walk once the rate is
//! certain to exceed the target.

use super::deadline::{first_token, AfterFirstToken, DeadlineCount, FirstToken};
use super::lanes;
use super::sparse::SparseGaps;

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
    let facts = TimelineFacts::of_timeline(itt);
    let timeline = Timeline::new(itt, &facts);
    let mut search = Search::new(&timeline, ttft_deadline, target_miss_rate, first);
    while let Some(walk) = search.next_walk() {
        let exceeds = lanes::exceeds(&[walk], &[target_miss_rate])[0];
        let mid = search.waiting.take().expect("a walk was asked for");
        search.bisection.update(mid, exceeds);
    }
    search.bisection.deadline
}

/// The decode-only walks one request's search made, by TBT deadline. The
/// counted search of a request whose first token is late walks the same
/// gaps from the same state (no slack) at any TBT deadline, so it reuses
/// them: with the default deadlines, most of its walks.
pub(crate) type DecodeWalks = Vec<(f64, lanes::Walked)>;

/// The search with each request's TTFT deadline (`ttft_deadlines[i]`,
/// first token counted) and `target_miss_rate`, for every request, reusing
/// `decode_walks[i]` (from [`decode_min_tbt_deadlines`]; may be empty).
pub(crate) fn counted_min_tbt_deadlines(
    timelines: &[Timeline],
    ttft_deadlines: &[f64],
    target_miss_rate: f64,
    decode_walks: &[DecodeWalks],
) -> Vec<f64> {
    let mut searches: Vec<Search> = timelines
        .iter()
        .zip(ttft_deadlines)
        .enumerate()
        .map(|(i, (timeline, &dp))| {
            let mut search = Search::new(timeline, dp, target_miss_rate, FirstToken::Counted);
            search.reuse = decode_walks.get(i).map_or(&[], Vec::as_slice);
            search
        })
        .collect();
    run_searches(&mut searches);
    searches.iter().map(|s| s.bisection.deadline).collect()
}

/// The decode-only search (first token ignored) behind the fluid token
/// generation rate, with target `target_miss_rate`, for every request: the
/// deadline each found, and the walks each made. No deadline of the
/// configuration plays a part.
pub(crate) fn decode_min_tbt_deadlines(
    timelines: &[Timeline],
    target_miss_rate: f64,
) -> (Vec<f64>, Vec<DecodeWalks>) {
    let mut searches: Vec<Search> = timelines
        .iter()
        .map(|timeline| {
            let mut search = Search::new(timeline, 0.0, target_miss_rate, FirstToken::Ignored);
            search.record = true;
            search
        })
        .collect();
    run_searches(&mut searches);
    searches
        .into_iter()
        .map(|s| (s.bisection.deadline, s.walked))
        .unzip()
}

/// Runs the searches to their ends. The probes that need a walk are walked
/// eight at a time, each lane taking the next probe as soon as its answer
/// is certain.
fn run_searches(searches: &mut [Search]) {
    // Searches waiting to probe again, and the next one not started.
    let mut ready: Vec<usize> = Vec::new();
    let mut next_new = 0;
    let mut stream: lanes::Stream<usize, 8> = lanes::Stream::new();
    let mut answers = Vec::new();
    loop {
        while stream.has_room() {
            let search = match ready.pop() {
                Some(search) => search,
                None if next_new < searches.len() => {
                    next_new += 1;
                    next_new - 1
                }
                None => break,
            };
            if let Some(walk) = searches[search].next_walk() {
                stream.start(walk, searches[search].target, search);
            }
        }
        if stream.is_empty() {
            break;
        }
        stream.advance(&mut answers);
        for (search, walked) in answers.drain(..) {
            searches[search].answer(walked);
            ready.push(search);
        }
    }
}

/// One bisection over one timeline, settling what probes it can by
/// shortcuts and asking for a walk when it cannot.
struct Search<'t, 'a> {
    timeline: &'t Timeline<'a>,
    ttft_deadline: f64,
    target: f64,
    first: FirstToken,
    bisection: Bisection,
    /// The probe waiting for a walk.
    waiting: Option<f64>,
    /// Decode-only walks of the same gaps, to reuse (see [`DecodeWalks`]).
    reuse: &'t [(f64, lanes::Walked)],
    /// Whether to keep the walks made, in `walked`.
    record: bool,
    walked: DecodeWalks,
}

impl<'t, 'a> Search<'t, 'a> {
    fn new(timeline: &'t Timeline<'a>, ttft_deadline: f64, target: f64, first: FirstToken) -> Self {
        Search {
            timeline,
            ttft_deadline,
            target,
            first,
            bisection: Bisection::new(),
            waiting: None,
            reuse: &[],
            record: false,
            walked: Vec::new(),
        }
    }

    /// Advances through the probes that shortcuts settle; returns the walk
    /// the next probe needs, or `None` when the search is over.
    fn next_walk(&mut self) -> Option<lanes::Walk<'a>> {
        while let Some(mid) = self.bisection.mid() {
            let after = first_token(self.timeline.itt, self.ttft_deadline, mid, self.first);
            let exceeds = match self.timeline.quick_count(mid, after) {
                QuickCount::Exact(count) => count.miss_rate() > self.target,
                QuickCount::AllMissed => 1.0 > self.target,
                QuickCount::Walk => match self.reused(mid, after) {
                    Some(exceeds) => exceeds,
                    None => {
                        self.waiting = Some(mid);
                        return Some(lanes::Walk {
                            gaps: self.timeline.gaps,
                            tbt_deadline: mid,
                            start: after,
                        });
                    }
                },
            };
            self.bisection.update(mid, exceeds);
        }
        None
    }

    /// Whether the rate at TBT deadline `mid` exceeds the target, from a
    /// decode-only walk of the same gaps, when one settles it. It does when
    /// the walk after the first token starts as a decode-only walk does (no
    /// slack) and every deadline the first token set was missed: then the
    /// count is the first token's plus the walk's, and that rate is at
    /// least the walk's (`(m + a) / (t + a) >= m / t` for `m <= t`; a
    /// correctly rounded division keeps the order).
    fn reused(&self, mid: f64, after: AfterFirstToken) -> Option<bool> {
        let first = after.count;
        if !(after.slack == 0.0 && first.missed_deadlines == first.total_deadlines) {
            return None;
        }
        let &(_, walked) = self
            .reuse
            .iter()
            .find(|(at, _)| at.to_bits() == mid.to_bits())?;
        match walked {
            lanes::Walked::Count(count) => {
                let mut total = first;
                total.add(count);
                Some(total.miss_rate() > self.target)
            }
            lanes::Walked::Exceeds(known) => (self.target <= known).then_some(true),
        }
    }

    /// What the walk asked for found.
    fn answer(&mut self, walked: lanes::Walked) {
        let mid = self.waiting.take().expect("a walk was asked for");
        if self.record {
            self.walked.push((mid, walked));
        }
        self.bisection.update(mid, walked.exceeds(self.target));
    }
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

/// The facts of a timeline's gaps that settle most probes without a walk,
/// computed once (a recording's profile keeps them).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimelineFacts {
    /// Longest and shortest gap; (+inf, -inf) when a gap is NaN, so that no
    /// shortcut applies.
    pub longest_gap: f64,
    pub shortest_gap: f64,
    /// Sum of `|gap|`, left to right (NaN when a gap is NaN).
    pub magnitude: f64,
    /// For deadlines above all but a few gaps.
    sparse: SparseGaps,
}

impl TimelineFacts {
    /// The facts of a whole timeline (`itt[0]`, the TTFT, plays no part).
    pub fn of_timeline(itt: &[f64]) -> Self {
        TimelineFacts::of_gaps(gaps_of(itt))
    }

    /// The facts of `gaps`, in one pass (plus the sparse walk's selection).
    pub fn of_gaps(gaps: &[f64]) -> Self {
        let mut longest_gap = f64::NEG_INFINITY;
        let mut shortest_gap = f64::INFINITY;
        let mut sum = 0.0;
        let mut magnitude = 0.0;
        for &gap in gaps {
            longest_gap = longest_gap.max(gap);
            shortest_gap = shortest_gap.min(gap);
            sum += gap;
            magnitude += gap.abs();
        }
        // The sum of magnitudes is NaN exactly when a gap is.
        if magnitude.is_nan() {
            (longest_gap, shortest_gap) = (f64::INFINITY, f64::NEG_INFINITY);
        }
        TimelineFacts {
            longest_gap,
            shortest_gap,
            magnitude,
            sparse: SparseGaps::new(gaps, sum, magnitude),
        }
    }
}

/// `itt[1..]`: the gaps between tokens.
pub(crate) fn gaps_of(itt: &[f64]) -> &[f64] {
    itt.get(1..).unwrap_or(&[])
}

/// A timeline with the facts that settle most probes without a walk.
#[derive(Clone, Copy)]
pub(crate) struct Timeline<'a> {
    /// The whole timeline (empty for a decode-only one).
    pub itt: &'a [f64],
    /// `itt[1..]`.
    pub gaps: &'a [f64],
    facts: &'a TimelineFacts,
}

impl<'a> Timeline<'a> {
    /// A whole timeline and the facts of its gaps.
    pub fn new(itt: &'a [f64], facts: &'a TimelineFacts) -> Self {
        Timeline {
            itt,
            gaps: gaps_of(itt),
            facts,
        }
    }

    /// A decode-only timeline: the gaps alone (no first element to count).
    pub fn of_gaps(gaps: &'a [f64], facts: &'a TimelineFacts) -> Self {
        Timeline {
            itt: &[],
            gaps,
            facts,
        }
    }

    /// The facts of the gaps.
    pub fn facts(&self) -> &'a TimelineFacts {
        self.facts
    }

    /// The count for TBT deadline `tbt_deadline` when a shortcut settles it
    /// (`after` is the state after the first token).
    pub fn quick_count(&self, tbt_deadline: f64, after: AfterFirstToken) -> QuickCount {
        match self.shortcut_count(tbt_deadline, after) {
            QuickCount::Walk => match self.facts.sparse.count(self.gaps, tbt_deadline, after) {
                Some(count) => QuickCount::Exact(count),
                None => QuickCount::Walk,
            },
            settled => settled,
        }
    }

    /// The instant shortcuts only (no sparse walk).
    pub fn shortcut_count(&self, tbt_deadline: f64, after: AfterFirstToken) -> QuickCount {
        let n = self.gaps.len() as u64;
        if tbt_deadline >= self.facts.longest_gap && after.slack >= 0.0 {
            // Slack never drops below 0 and no gap exceeds the deadline.
            let mut count = after.count;
            count.add(DeadlineCount {
                missed_deadlines: 0,
                total_deadlines: n,
            });
            return QuickCount::Exact(count);
        }
        let first_missed = after.count.missed_deadlines == after.count.total_deadlines;
        if tbt_deadline < self.facts.shortest_gap
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
            let facts = TimelineFacts::of_timeline(&itt);
            let timelines = [Timeline::new(&itt, &facts)];
            let counted = counted_min_tbt_deadlines(&timelines, &[0.1], target, &[])[0];
            assert_eq!(counted, reference(&itt, 0.1, target, FirstToken::Counted));
            let (decode, walks) = decode_min_tbt_deadlines(&timelines, target);
            assert_eq!(decode[0], reference(&itt, 0.0, target, FirstToken::Ignored));
            // Reusing the decode-only walks changes nothing, whatever the
            // TTFT deadline (the first token late, on time, or just so).
            for dp in [0.1, 0.3, 0.29, 0.31, 0.0] {
                for counted_target in [target, target / 2.0, (target * 2.0).min(1.0)] {
                    let reused =
                        counted_min_tbt_deadlines(&timelines, &[dp], counted_target, &walks);
                    let want = reference(&itt, dp, counted_target, FirstToken::Counted);
                    assert_eq!(reused[0], want, "dp {dp} target {counted_target}");
                }
            }
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
