//! The live text of the run screen: the first request's answer replayed at
//! the pace its pieces arrived, with stalls marked where a gap was much
//! longer than the stream's usual rhythm.
//!
//! Pieces are `(arrival, text)`, arrival in seconds since the request was
//! sent (the [`crate::observe::run_book::RunBook::live_text`] entries).

pub use crate::present::pause::{is_stall, MIN_STALL_SECONDS, STALL_FACTOR};
use crate::present::pause::{pause_length, typical_gap_of};

/// A run of text, or a stall between two pieces.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveSegment {
    Text(String),
    /// The text stopped for this many seconds.
    Stall(f64),
}

/// The typical gap between pieces: the median of the positive gaps after
/// the first piece (the rule of [`crate::present::pause`]). `None` with
/// fewer than two distinct arrival times.
pub fn typical_gap(pieces: &[(f64, String)]) -> Option<f64> {
    typical_gap_of(pieces.windows(2).map(|w| w[1].0 - w[0].0))
}

/// The pieces as text runs split by stall markers. The wait for the first
/// piece is the time to first token, not a stall.
pub fn live_segments(pieces: &[(f64, String)]) -> Vec<LiveSegment> {
    let typical = typical_gap(pieces);
    let mut segments = Vec::new();
    let mut text = String::new();
    for (i, (at, piece)) in pieces.iter().enumerate() {
        if i > 0 {
            let gap = at - pieces[i - 1].0;
            if is_stall(gap, typical) {
                if !text.is_empty() {
                    segments.push(LiveSegment::Text(std::mem::take(&mut text)));
                }
                segments.push(LiveSegment::Stall(gap));
            }
        }
        text.push_str(piece);
    }
    if !text.is_empty() {
        segments.push(LiveSegment::Text(text));
    }
    segments
}

pub use crate::limits::LIVE_TEXT_MAX_CHARS;

/// Where the shown tail of `pieces` starts: the first piece such that the
/// pieces from it to the end hold at most `max_chars` characters (the last
/// piece is always shown).
pub fn tail_start(pieces: &[(f64, String)], max_chars: usize) -> usize {
    let mut chars = 0;
    for (i, (_, text)) in pieces.iter().enumerate().rev() {
        chars += text.chars().count();
        if chars > max_chars && i + 1 < pieces.len() {
            return i + 1;
        }
    }
    0
}

/// How many pieces to show `shown_for` seconds after the first piece was
/// shown: those that arrived at most that long after the first one.
pub fn pieces_due(pieces: &[(f64, String)], shown_for: f64) -> usize {
    let Some((first, _)) = pieces.first() else {
        return 0;
    };
    let until = first + shown_for.max(0.0);
    pieces.partition_point(|(at, _)| *at <= until)
}

/// The text of a stall marker: "⏸ 0.15 s", "⏸ 0.8 s", "⏸ 12 s".
pub fn stall_marker(seconds: f64) -> String {
    format!("⏸ {}", pause_length(seconds))
}
