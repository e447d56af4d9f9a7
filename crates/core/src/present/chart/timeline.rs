//! One request's tokens against their deadlines, for the request timeline
//! and the fluidity explainer: a replay of the deadline walk of docs/METRICS.md
//! ("Deadline miss rate and fluidity-index") that keeps, for every token,
//! when it arrived, which deadline it was held to, the slack banked after
//! it and the deadlines it missed; its pauses (long gaps, whether or not
//! slack covered them); and those tokens laid out on a time axis.
//!
//! The replay performs the same float operations, in the same order, as the
//! reference loop, so its missed and total counts are the metrics' counts
//! (a test checks it against `metrics::deadline_miss_count`).

use super::axis::{axis_layout, sane_size, AxisLayout, Frame, FONT_SIZE, X_TICK_SPACING};
use super::format::Unit;
use super::path::{markers_path, rects_path, ticks_path};
use super::scale::Scale;
use super::ticks::tick_target;
use crate::metrics::floor_div;
use crate::present::pause::{pause_length, pauses_in};

/// Width of one character of a pause label (12 px text), about.
const LABEL_CHAR_WIDTH: f64 = 6.5;

/// Closest two token ticks may come (px) before they read as one mark; when
/// most neighbours are closer, tokens are counted per column instead.
pub const MIN_TOKEN_SPACING: f64 = 3.0;
/// Width of a column of counted tokens (px), its last pixel left blank so
/// that columns stay apart.
pub const TOKEN_COLUMN: f64 = 4.0;
/// Width of a column of deadline markers when tokens are counted (px).
const DEADLINE_COLUMN: f64 = 6.0;
/// Shortest counted column, as a share of the token row: a lone token stays
/// visible beside a column of many.
const MIN_COLUMN_SHARE: f64 = 0.35;

/// One token of a request's timeline, times in seconds since the request
/// was sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenDeadline {
    /// Position in the timeline (0 is the first token).
    pub index: usize,
    /// Its entry of the inter-token times (the TTFT for token 0).
    pub gap: f64,
    /// When the wait for it began: the previous arrival (0 for the first
    /// token). For a late token, the start of the stall.
    pub waited_from: f64,
    /// When it arrived: the running sum of the gaps.
    pub arrival: f64,
    /// The deadline it was held to: the TTFT deadline for token 0; for
    /// token i, the previous arrival plus the TBT deadline plus the slack
    /// banked so far. For a late token, the first deadline it missed.
    pub deadline: f64,
    /// Slack banked after this token (0 after a late token: the walk
    /// restarts).
    pub banked_slack: f64,
    /// Whether it came after its deadline (the walk's `t > D + slack`).
    pub late: bool,
    /// Deadlines it missed (0 when on time).
    pub missed: u32,
}

impl TokenDeadline {
    /// The times of the deadlines it missed: its deadline, then every TBT
    /// deadline after it, `missed` of them.
    pub fn missed_deadlines(&self, tbt_deadline: f64) -> impl Iterator<Item = f64> + '_ {
        self.missed_deadlines_within(tbt_deadline, f64::NEG_INFINITY, f64::INFINITY, 1)
    }

    /// The last deadline it missed (its deadline when on time).
    pub fn last_missed_deadline(&self, tbt_deadline: f64) -> f64 {
        self.deadline + f64::from(self.missed.saturating_sub(1)) * tbt_deadline
    }

    /// Every `step`-th deadline it missed between `lo` and `hi` (give or take
    /// one): a stall of days at a 1 ms deadline misses billions, and a
    /// chart needs only those it can tell apart.
    fn missed_deadlines_within(
        &self,
        tbt_deadline: f64,
        lo: f64,
        hi: f64,
        step: u32,
    ) -> impl Iterator<Item = f64> + '_ {
        let start = self.deadline;
        let index = |t: f64| ((t - start) / tbt_deadline).clamp(0.0, f64::from(self.missed));
        let first = if lo.is_finite() { index(lo) as u32 } else { 0 };
        let first = first.saturating_sub(1) / step.max(1) * step.max(1);
        let end = if hi.is_finite() {
            (index(hi) as u32).saturating_add(2).min(self.missed)
        } else {
            self.missed
        };
        (first..end)
            .step_by(step.max(1) as usize)
            .map(move |k| start + f64::from(k) * tbt_deadline)
    }

    /// Deadlines this token counts for: 1 when on time, its misses when late.
    pub fn deadlines(&self) -> u64 {
        if self.late {
            u64::from(self.missed)
        } else {
            1
        }
    }
}

/// Replays the deadline walk of docs/METRICS.md over `itt` (`itt[0]` the TTFT,
/// then the gaps between tokens, seconds) with TTFT deadline
/// `ttft_deadline` and TBT deadline `tbt_deadline`.
pub fn deadline_timeline(itt: &[f64], ttft_deadline: f64, tbt_deadline: f64) -> Vec<TokenDeadline> {
    deadline_walk(itt, ttft_deadline, tbt_deadline).collect()
}

/// [`deadline_timeline`] one token at a time, without keeping them: for
/// callers that only look at some tokens of many timelines.
pub fn deadline_walk(
    itt: &[f64],
    ttft_deadline: f64,
    tbt_deadline: f64,
) -> impl Iterator<Item = TokenDeadline> + '_ {
    let mut slack = 0.0;
    let mut arrival = 0.0;
    itt.iter().enumerate().map(move |(index, &t)| {
        let d = if index == 0 {
            ttft_deadline
        } else {
            tbt_deadline
        };
        let waited_from = arrival;
        arrival += t;
        let allowed = d + slack;
        let deadline = waited_from + allowed;
        // On time exactly when the walk's `t <= D + slack` holds (a NaN gap
        // is late).
        let on_time = t <= allowed;
        let late = !on_time;
        let missed = if late {
            let m = if index == 0 {
                1.0 + floor_div(t - slack - ttft_deadline, tbt_deadline)
            } else {
                floor_div(t - slack, tbt_deadline)
            };
            slack = 0.0;
            // As the metrics do (`as u64`): NaN and negatives count 0.
            m as u32
        } else {
            slack += d - t;
            0
        };
        TokenDeadline {
            index,
            gap: t,
            waited_from,
            arrival,
            deadline,
            banked_slack: slack,
            late,
            missed,
        }
    })
}

/// A stretch of waiting that missed deadlines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stall {
    /// The token that ended it.
    pub token: usize,
    pub start: f64,
    pub end: f64,
    pub missed: u32,
}

/// A pause in the stream (the rule of [`crate::present::pause`]): a gap
/// much longer than its usual rhythm, whether or not it missed a deadline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pause {
    /// The token that ended it.
    pub token: usize,
    pub start: f64,
    pub end: f64,
    /// Slack banked before it: how far the stream was ahead of its
    /// deadlines when it paused.
    pub lead: f64,
    /// Whether it missed deadlines (it is then a stall too).
    pub late: bool,
}

impl Pause {
    pub fn length(&self) -> f64 {
        self.end - self.start
    }
}

/// The pauses of a replayed timeline, in order.
pub fn timeline_pauses(tokens: &[TokenDeadline]) -> Vec<Pause> {
    let itt: Vec<f64> = tokens.iter().map(|t| t.gap).collect();
    pauses_in(&itt)
        .into_iter()
        .map(|i| Pause {
            token: i,
            start: tokens[i].waited_from,
            end: tokens[i].arrival,
            lead: tokens[i - 1].banked_slack,
            late: tokens[i].late,
        })
        .collect()
}

/// Counts over a replayed timeline.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimelineSummary {
    pub tokens: usize,
    /// Deadlines in all (the walk's `total`).
    pub deadlines: u64,
    /// Deadlines missed (the walk's `missed`).
    pub missed: u64,
    /// The late tokens' waits, in order.
    pub stalls: Vec<Stall>,
    /// The pauses, late or not, in order.
    pub pauses: Vec<Pause>,
}

impl TimelineSummary {
    /// Deadlines met.
    pub fn met(&self) -> u64 {
        self.deadlines - self.missed
    }

    /// Pauses that missed no deadline: banked slack covered them.
    pub fn covered_pauses(&self) -> usize {
        self.pauses.iter().filter(|p| !p.late).count()
    }
}

/// Counts of a replayed timeline.
pub fn timeline_summary(tokens: &[TokenDeadline]) -> TimelineSummary {
    let mut summary = TimelineSummary {
        tokens: tokens.len(),
        pauses: timeline_pauses(tokens),
        ..TimelineSummary::default()
    };
    for t in tokens {
        summary.deadlines += t.deadlines();
        if t.late {
            summary.missed += u64::from(t.missed);
            summary.stalls.push(Stall {
                token: t.index,
                start: t.waited_from,
                end: t.arrival,
                missed: t.missed,
            });
        }
    }
    summary
}

/// The marks of one timeline lane, each kind gathered into one path.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimelineMarks {
    /// Ticks of tokens that arrived by their deadline.
    pub tokens_on_time: String,
    /// Columns of on-time tokens counted per [`TOKEN_COLUMN`] pixels, a
    /// bar each whose height is its count against the fullest column's;
    /// drawn instead of `tokens_on_time` when the ticks would merge.
    pub token_columns: String,
    /// Ticks of late tokens (never counted into columns: each is a stall's
    /// end).
    pub tokens_late: String,
    /// Markers of deadlines met.
    pub deadlines_met: String,
    /// Markers of deadlines missed.
    pub deadlines_missed: String,
    /// Shaded spans from each on-time token to its deadline (ahead of time,
    /// slack banked).
    pub slack: String,
    /// Spans of the stalls: from the first deadline a late token missed to
    /// its arrival (the wait past a deadline).
    pub stalls: String,
    /// Outlines of the pauses over the token row, from the token before to
    /// the token after, late or not: a pause covered by banked slack is
    /// still a pause.
    pub pauses: String,
    /// "paused 0.52 s" inside each pause wide enough to hold it.
    pub pause_labels: Vec<PauseLabel>,
    pub counts: MarkCounts,
}

/// A label drawn inside a pause's outline, centred at `(x, y)`.
#[derive(Debug, Clone, PartialEq)]
pub struct PauseLabel {
    pub x: f64,
    pub y: f64,
    pub text: String,
}

/// How many of each mark a lane has (within its time window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarkCounts {
    pub tokens_on_time: usize,
    /// Columns the on-time tokens were counted into (0 when drawn one by one).
    pub token_columns: usize,
    pub tokens_late: usize,
    pub deadlines_met: usize,
    pub deadlines_missed: usize,
    pub stalls: usize,
    pub pauses: usize,
}

/// Vertical placement of a lane: a row of deadline markers above a row of
/// token ticks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lane {
    /// Top of the deadline row; markers point down to `deadline_y`.
    pub top: f64,
    /// Where deadline markers' tips sit (the top of the token row).
    pub deadline_y: f64,
    /// Bottom of the token row.
    pub bottom: f64,
}

impl Lane {
    /// A lane from `top`, `height` tall (markers take the upper third).
    pub fn new(top: f64, height: f64) -> Self {
        Lane {
            top,
            deadline_y: top + (height / 3.0).clamp(8.0, 14.0),
            bottom: top + height,
        }
    }
}

/// The marks of `tokens` in `lane` on time scale `x` (only those inside its
/// domain are drawn; spans are cut to it).
pub fn timeline_marks(
    tokens: &[TokenDeadline],
    tbt_deadline: f64,
    x: &Scale,
    lane: Lane,
) -> TimelineMarks {
    let inside = |t: f64| x.contains(t);
    let (lo, hi) = x.domain;
    let span = |a: f64, b: f64| -> Option<(f64, f64, f64, f64)> {
        let (a, b) = (a.max(lo), b.min(hi));
        (b > a).then(|| {
            let (xa, xb) = (x.apply(a), x.apply(b));
            (xa, lane.deadline_y, xb - xa, lane.bottom - lane.deadline_y)
        })
    };
    let on_time: Vec<f64> = tokens
        .iter()
        .filter(|t| !t.late && inside(t.arrival))
        .map(|t| t.arrival)
        .collect();
    let late: Vec<f64> = tokens
        .iter()
        .filter(|t| t.late && inside(t.arrival))
        .map(|t| t.arrival)
        .collect();
    let met: Vec<f64> = tokens
        .iter()
        .filter(|t| !t.late && inside(t.deadline))
        .map(|t| t.deadline)
        .collect();
    // Missed deadlines closer than a quarter of a unit look like one.
    let per_second = (x.apply(hi) - x.apply(lo)).abs() / (hi - lo);
    let step = (0.25 / per_second / tbt_deadline).ceil();
    let step = if step.is_finite() && step >= 1.0 {
        step.min(f64::from(u32::MAX)) as u32
    } else {
        1
    };
    let missed: Vec<f64> = tokens
        .iter()
        .flat_map(|t| t.missed_deadlines_within(tbt_deadline, lo, hi, step))
        .filter(|&d| inside(d))
        .collect();
    let slack: Vec<_> = tokens
        .iter()
        .filter(|t| !t.late)
        .filter_map(|t| span(t.arrival, t.deadline))
        .collect();
    // A stall is drawn from the first deadline it missed to the token that
    // ended it: the time the reader spent waiting past a deadline.
    let stalls: Vec<_> = tokens
        .iter()
        .filter(|t| t.late)
        .filter_map(|t| {
            span(t.deadline.min(t.arrival), t.arrival)
                .map(|(sx, _, w, _)| (sx, lane.top, w, lane.bottom - lane.top))
        })
        .collect();
    // Inset a little, so that the outline shows inside the slack's shading.
    let pauses: Vec<_> = timeline_pauses(tokens)
        .into_iter()
        .filter_map(|p| span(p.start, p.end).map(|(x, y, w, h)| (p, (x, y + 2.0, w, h - 3.0))))
        .collect();
    let pause_labels = pauses
        .iter()
        .filter_map(|(p, (px, py, w, h))| {
            let text = format!("paused {}", pause_length(p.length()));
            (text.chars().count() as f64 * LABEL_CHAR_WIDTH + 8.0 <= *w).then(|| PauseLabel {
                x: px + w / 2.0,
                y: py + h / 2.0 + FONT_SIZE / 3.0,
                text,
            })
        })
        .collect();
    let on_time_xs: Vec<f64> = on_time.iter().map(|&t| x.apply(t)).collect();
    let counted = crowded(&on_time_xs);
    // Counted, deadlines crowd as much: one marker per column, a missed one
    // before a met one, so that no stall is hidden among met deadlines.
    let (met_xs, missed_xs) = if counted {
        thin_deadlines(
            met.iter().map(|&t| x.apply(t)),
            missed.iter().map(|&t| x.apply(t)),
        )
    } else {
        (
            met.iter().map(|&t| x.apply(t)).collect(),
            missed.iter().map(|&t| x.apply(t)).collect(),
        )
    };
    // Markers as wide as the row allows, narrower where deadlines crowd.
    let mut marker_xs: Vec<f64> = met_xs.iter().chain(&missed_xs).copied().collect();
    marker_xs.sort_by(f64::total_cmp);
    let closest = marker_xs
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|gap| *gap > 0.5)
        .fold(f64::INFINITY, f64::min);
    let marker = (lane.deadline_y - lane.top)
        .clamp(4.0, 10.0)
        .min(closest * 0.9)
        .max(4.0);
    let tick_top = lane.deadline_y + 2.0;
    let columns = if counted {
        token_columns(&on_time_xs, tick_top, lane.bottom)
    } else {
        Vec::new()
    };
    TimelineMarks {
        tokens_on_time: if counted {
            String::new()
        } else {
            ticks_path(on_time_xs.iter().copied(), tick_top, lane.bottom)
        },
        token_columns: rects_path(columns.iter().copied()),
        tokens_late: ticks_path(late.iter().map(|&t| x.apply(t)), tick_top, lane.bottom),
        deadlines_met: markers_path(met_xs, lane.deadline_y, marker),
        deadlines_missed: markers_path(missed_xs, lane.deadline_y, marker),
        slack: rects_path(slack.iter().copied()),
        stalls: rects_path(stalls.iter().copied()),
        pauses: rects_path(pauses.iter().map(|(_, rect)| *rect)),
        pause_labels,
        counts: MarkCounts {
            tokens_on_time: on_time.len(),
            token_columns: columns.len(),
            tokens_late: late.len(),
            deadlines_met: met.len(),
            deadlines_missed: missed.len(),
            stalls: stalls.len(),
            pauses: pauses.len(),
        },
    }
}

/// Whether ticks at screen positions `xs` (ascending) would merge: more
/// than a quarter of neighbours closer than [`MIN_TOKEN_SPACING`].
pub fn crowded(xs: &[f64]) -> bool {
    let close = xs
        .windows(2)
        .filter(|w| w[1] - w[0] < MIN_TOKEN_SPACING)
        .count();
    xs.len() > 1 && close * 4 > xs.len() - 1
}

/// Tokens at screen positions `xs` counted per [`TOKEN_COLUMN`] pixels, as
/// bars `(x, y, width, height)` standing on `bottom`: the fullest column
/// reaches `top`, a column of one at least [`MIN_COLUMN_SHARE`] of the way.
/// Empty columns (a pause) are not drawn.
pub fn token_columns(xs: &[f64], top: f64, bottom: f64) -> Vec<(f64, f64, f64, f64)> {
    let mut counts: Vec<(i64, u64)> = Vec::new();
    for &x in xs.iter().filter(|x| x.is_finite()) {
        let column = (x / TOKEN_COLUMN).floor() as i64;
        match counts.last_mut() {
            Some((c, n)) if *c == column => *n += 1,
            _ => counts.push((column, 1)),
        }
    }
    let fullest = counts.iter().map(|&(_, n)| n).max().unwrap_or(1) as f64;
    let row = (bottom - top).max(0.0);
    counts
        .into_iter()
        .map(|(column, n)| {
            let share = (n as f64 / fullest).max(MIN_COLUMN_SHARE);
            let height = row * share;
            (
                column as f64 * TOKEN_COLUMN,
                bottom - height,
                TOKEN_COLUMN - 1.0,
                height,
            )
        })
        .collect()
}

/// One marker per [`DEADLINE_COLUMN`] pixels: a missed deadline's where
/// the column has one, else a met one's. Returns (met, missed) positions.
fn thin_deadlines(
    met: impl Iterator<Item = f64>,
    missed: impl Iterator<Item = f64>,
) -> (Vec<f64>, Vec<f64>) {
    let column = |x: f64| (x / DEADLINE_COLUMN).floor() as i64;
    let centre = |c: i64| (c as f64 + 0.5) * DEADLINE_COLUMN;
    let mut missed_columns: Vec<i64> = missed.filter(|x| x.is_finite()).map(column).collect();
    missed_columns.sort_unstable();
    missed_columns.dedup();
    let mut met_columns: Vec<i64> = met
        .filter(|x| x.is_finite())
        .map(column)
        .filter(|c| missed_columns.binary_search(c).is_err())
        .collect();
    met_columns.sort_unstable();
    met_columns.dedup();
    (
        met_columns.into_iter().map(centre).collect(),
        missed_columns.into_iter().map(centre).collect(),
    )
}

/// Share of the answer's length left blank after its last token.
pub const END_MARGIN: f64 = 0.03;

/// When the answer ended: its last token's arrival (every missed deadline
/// lies before the token that ended the stall). Deadlines the answer was
/// ahead of run on past it and are cut there: after the last token there
/// is nothing left to wait for.
pub fn answer_end(tokens: &[TokenDeadline]) -> f64 {
    tokens
        .iter()
        .map(|t| t.arrival)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// A request timeline ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineLayout {
    pub frame: Frame,
    pub x: AxisLayout,
    pub x_scale: Scale,
    pub lane: Lane,
    pub marks: TimelineMarks,
}

/// Width of the lane labels ("deadlines", "tokens") left of the plot.
pub const LANE_LABEL_WIDTH: f64 = 74.0;

/// Lays out a request's `tokens` in a chart `width` × `height`, over
/// `window` (seconds since the request was sent) or from 0 to the answer's
/// end ([`answer_end`]) and a margin of [`END_MARGIN`].
pub fn timeline_layout(
    tokens: &[TokenDeadline],
    tbt_deadline: f64,
    window: Option<(f64, f64)>,
    width: f64,
    height: f64,
) -> TimelineLayout {
    let width = sane_size(width, 640.0);
    let height = sane_size(height, 140.0);
    let frame = Frame {
        width,
        height,
        left: LANE_LABEL_WIDTH,
        right: width - 16.0,
        top: 8.0,
        bottom: height - (2.0 * FONT_SIZE + 18.0),
    };
    let target = tick_target(frame.plot_width(), X_TICK_SPACING);
    let x_scale = match window {
        Some((a, b)) if a.is_finite() && b.is_finite() && a < b => {
            Scale::linear((a, b), (frame.left, frame.right))
        }
        _ => {
            let end = answer_end(tokens).max(1e-3);
            Scale::linear((0.0, end * (1.0 + END_MARGIN)), (frame.left, frame.right))
        }
    };
    let x = axis_layout(
        &x_scale,
        Unit::Seconds,
        "Time since the request was sent",
        target,
    );
    let lane = Lane::new(frame.top, frame.plot_height() - 6.0);
    let marks = timeline_marks(tokens, tbt_deadline, &x_scale, lane);
    TimelineLayout {
        frame,
        x,
        x_scale,
        lane,
        marks,
    }
}
