//! Which requests of a result link carry their measured times bit for bit.
//! Rebuilt from clock ticks, a time can differ from the browser's by float
//! rounding; where a deadline comparison was an exact tie on the clock's
//! grid, a request's counts could change. [`pack_faithfully`] packs the run,
//! reads it back, and packs again with exact times for every request whose
//! figures under the shown deadlines differ (missed and total deadlines,
//! the two minimum TBT deadlines), so the recipient sees the sender's
//! figures.

use std::collections::HashSet;

use super::packed::{pack_run, unpack_run, SharedRun};
use crate::metrics::{recording_metrics, DeadlineConfig};
use crate::recording::Recording;

/// `run` packed so that its figures under its deadlines come back equal.
pub fn pack_faithfully(run: &SharedRun) -> Vec<u8> {
    let plain = pack_run(run, &HashSet::new());
    let Some(deadlines) = &run.deadlines else {
        return plain;
    };
    let Ok(back) = unpack_run(&plain) else {
        return plain;
    };
    let differing = requests_with_other_figures(&run.recording, &back.recording, deadlines);
    if differing.is_empty() {
        plain
    } else {
        pack_run(run, &differing)
    }
}

/// The ids of the requests whose deadline figures differ between `a` and
/// `b` (the same requests, in the same order).
fn requests_with_other_figures(
    a: &Recording,
    b: &Recording,
    deadlines: &DeadlineConfig,
) -> HashSet<u64> {
    let (x, y) = (
        recording_metrics(a, deadlines),
        recording_metrics(b, deadlines),
    );
    x.requests
        .iter()
        .zip(&y.requests)
        .filter(|(p, q)| {
            (p.missed_deadlines, p.total_deadlines) != (q.missed_deadlines, q.total_deadlines)
                || p.min_tbt_deadline_to_meet != q.min_tbt_deadline_to_meet
                || p.decode_min_tbt_deadline != q.decode_min_tbt_deadline
        })
        .map(|(p, _)| p.id)
        .collect()
}
