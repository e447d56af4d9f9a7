//! When a stream paused: a gap much longer than the stream's usual rhythm.
//! One rule for every screen: the run screen's live text marks these gaps
//! with ⏸, the results say whether a reader would have noticed them, and
//! the request timeline draws them.

/// A gap is a pause when it is at least this many times the typical gap ...
pub const STALL_FACTOR: f64 = 4.0;
/// ... and at least this long (a reader notices a pause from about a
/// tenth of a second; shorter ones are jitter).
pub const MIN_STALL_SECONDS: f64 = 0.1;

/// The typical gap of a stream: the median of its positive gaps (pieces
/// that arrived together say nothing of the rhythm). `None` without a
/// positive gap.
pub fn typical_gap_of(gaps: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut gaps: Vec<f64> = gaps.into_iter().filter(|g| *g > 0.0).collect();
    if gaps.is_empty() {
        return None;
    }
    let middle = gaps.len() / 2;
    let (_, median, _) = gaps.select_nth_unstable_by(middle, f64::total_cmp);
    Some(*median)
}

/// Whether a gap of `gap` seconds is a pause in a stream whose typical gap
/// is `typical`.
pub fn is_stall(gap: f64, typical: Option<f64>) -> bool {
    gap >= MIN_STALL_SECONDS && typical.is_some_and(|t| gap >= STALL_FACTOR * t)
}

/// The positions in `itt` (`itt[0]` the TTFT, then the gaps between
/// tokens) of the tokens that came after a pause. The wait for the first
/// token is the time to first token, not a pause.
pub fn pauses_in(itt: &[f64]) -> Vec<usize> {
    let gaps = itt.get(1..).unwrap_or(&[]);
    let typical = typical_gap_of(gaps.iter().copied());
    (1..itt.len())
        .filter(|&i| is_stall(itt[i], typical))
        .collect()
}

/// A pause's length as the live text shows it: "0.15 s", "0.8 s", "12 s".
pub fn pause_length(seconds: f64) -> String {
    if seconds < 1.0 {
        let text = format!("{seconds:.2}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        format!("{text} s")
    } else if seconds < 10.0 {
        format!("{seconds:.1} s")
    } else {
        format!("{seconds:.0} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_gap_in_a_steady_stream_is_a_pause() {
        let mut itt = vec![0.3];
        itt.extend([0.02; 10]);
        itt.push(0.52);
        itt.extend([0.02; 5]);
        assert_eq!(pauses_in(&itt), vec![11]);
        // A slow first token is not a pause.
        itt[0] = 5.0;
        assert_eq!(pauses_in(&itt), vec![11]);
        assert!(pauses_in(&[0.1]).is_empty());
        assert!(pauses_in(&[]).is_empty());
    }

    #[test]
    fn zero_gaps_of_multi_token_chunks_do_not_lower_the_rhythm() {
        // Four tokens per chunk every 80 ms: the typical gap is 80 ms, so a
        // 200 ms gap is no pause.
        let itt = [0.1, 0.0, 0.0, 0.0, 0.08, 0.0, 0.0, 0.0, 0.2, 0.0, 0.08];
        assert_eq!(typical_gap_of(itt[1..].iter().copied()), Some(0.08));
        assert!(pauses_in(&itt).is_empty());
    }

    #[test]
    fn lengths_read_like_the_live_text() {
        assert_eq!(pause_length(0.52), "0.52 s");
        assert_eq!(pause_length(0.5), "0.5 s");
        assert_eq!(pause_length(1.52), "1.5 s");
        assert_eq!(pause_length(12.4), "12 s");
    }
}
