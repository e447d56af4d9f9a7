//! Deadline miss counting (docs/METRICS.md, "Deadline miss rate and
//! fluidity-index"): every token has a deadline, on-time tokens bank their
//! slack, and a stall misses every deadline it spans. This is the plain,
//! one-deadline-at-a-time walk, exactly in the reference's order of
//! operations; `lanes` runs the same walk for several deadlines at once.

use super::floor_div::floor_div_fast;
use serde::{Deserialize, Serialize};

/// How the first element of a timeline (the TTFT) is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstToken {
    /// The TTFT has its own deadline (the TTFT deadline).
    Counted,
    /// The TTFT is skipped entirely (Etalon's `should_ignore_first_token`,
    /// used for the decode-only throughput figures).
    Ignored,
}

/// Deadlines missed and deadlines in all, for one request or many.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineCount {
    pub missed_deadlines: u64,
    pub total_deadlines: u64,
}

impl DeadlineCount {
    /// `missed / total`, or 0 when there was no deadline at all (as the
    /// reference returns).
    pub fn miss_rate(&self) -> f64 {
        if self.total_deadlines == 0 {
            0.0
        } else {
            self.missed_deadlines as f64 / self.total_deadlines as f64
        }
    }

    /// `1 - miss_rate`: the share of deadlines met.
    pub fn fluidity_index(&self) -> f64 {
        1.0 - self.miss_rate()
    }

    /// Adds another count (for service-level sums).
    pub fn add(&mut self, other: DeadlineCount) {
        self.missed_deadlines = self.missed_deadlines.saturating_add(other.missed_deadlines);
        self.total_deadlines = self.total_deadlines.saturating_add(other.total_deadlines);
    }
}

/// Where the walk stands after the first token: the slack it banked and the
/// deadlines it counted. Shared with the faster multi-deadline walk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AfterFirstToken {
    pub slack: f64,
    pub count: DeadlineCount,
}

/// Handles `itt[0]` with the TTFT deadline `ttft_deadline` and TBT deadline
/// `tbt_deadline` (a late first token misses `1 + (ttft - Dp) // Dd`).
pub(crate) fn first_token(
    itt: &[f64],
    ttft_deadline: f64,
    tbt_deadline: f64,
    first: FirstToken,
) -> AfterFirstToken {
    let mut after = AfterFirstToken {
        slack: 0.0,
        count: DeadlineCount::default(),
    };
    let Some(&ttft) = itt.first() else {
        return after;
    };
    if first == FirstToken::Ignored {
        return after;
    }
    if ttft <= ttft_deadline + 0.0 {
        after.slack = 0.0 + (ttft_deadline - ttft);
        after.count.total_deadlines = 1;
    } else {
        let missed = 1.0 + floor_div_fast(ttft - 0.0 - ttft_deadline, tbt_deadline);
        let missed = missed as u64;
        after.count = DeadlineCount {
            missed_deadlines: missed,
            total_deadlines: missed,
        };
    }
    after
}

/// Deadlines missed over a timeline `itt` (`itt[0]` = TTFT, then the gaps
/// between tokens, seconds), with TTFT deadline `ttft_deadline` and TBT
/// deadline `tbt_deadline` (seconds, positive), exactly as the reference
/// counts them (`get_request_level_deadline_miss_rate`).
pub fn deadline_miss_count(
    itt: &[f64],
    ttft_deadline: f64,
    tbt_deadline: f64,
    first: FirstToken,
) -> DeadlineCount {
    let AfterFirstToken {
        mut slack,
        mut count,
    } = first_token(itt, ttft_deadline, tbt_deadline, first);
    for &gap in itt.iter().skip(1) {
        if gap <= tbt_deadline + slack {
            slack += tbt_deadline - gap;
            count.total_deadlines += 1;
        } else {
            let missed = floor_div_fast(gap - slack, tbt_deadline) as u64;
            count.missed_deadlines = count.missed_deadlines.saturating_add(missed);
            count.total_deadlines = count.total_deadlines.saturating_add(missed);
            slack = 0.0;
        }
    }
    count
}

/// Deadline miss rate of a timeline: [`deadline_miss_count`]`.miss_rate()`.
pub fn deadline_miss_rate(itt: &[f64], ttft_deadline: f64, tbt_deadline: f64) -> f64 {
    deadline_miss_count(itt, ttft_deadline, tbt_deadline, FirstToken::Counted).miss_rate()
}

/// fluidity-index of a timeline: `1 - deadline_miss_rate`.
pub fn fluidity_index(itt: &[f64], ttft_deadline: f64, tbt_deadline: f64) -> f64 {
    1.0 - deadline_miss_rate(itt, ttft_deadline, tbt_deadline)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(itt: &[f64], dp: f64, dd: f64) -> (u64, u64) {
        let c = deadline_miss_count(itt, dp, dd, FirstToken::Counted);
        (c.missed_deadlines, c.total_deadlines)
    }

    #[test]
    fn on_time_tokens_bank_slack() {
        // 0.05 banked on the first token covers the 0.14 gap (0.1 + 0.05).
        assert_eq!(count(&[0.05, 0.14, 0.1], 0.1, 0.1), (0, 3));
    }

    #[test]
    fn a_stall_misses_every_deadline_it_spans() {
        // 0.35 // 0.1 = 3 missed deadlines, then the slack restarts at 0.
        assert_eq!(count(&[0.1, 0.35, 0.1], 0.1, 0.1), (3, 5));
        // A late first token: 1 + (0.35 - 0.1) // 0.1 = 3.
        assert_eq!(count(&[0.35], 0.1, 0.1), (3, 3));
    }

    #[test]
    fn empty_timeline_has_no_deadline() {
        let c = deadline_miss_count(&[], 0.1, 0.05, FirstToken::Counted);
        assert_eq!(c, DeadlineCount::default());
        assert_eq!(c.miss_rate(), 0.0);
        assert_eq!(c.fluidity_index(), 1.0);
    }

    #[test]
    fn ignored_first_token_counts_nothing() {
        let c = deadline_miss_count(&[5.0, 0.01], 0.0, 0.05, FirstToken::Ignored);
        assert_eq!((c.missed_deadlines, c.total_deadlines), (0, 1));
    }
}
