//! How a result link packs a run so that the recipient sees the sender's
//! figures, and the precision of its times.
//!
//! Rebuilt from clock ticks, a time can differ from the browser's by float
//! rounding; where a deadline comparison was an exact tie on the clock's
//! grid, a request's counts could change. [`pack_faithfully`] packs the run,
//! reads it back, and packs again with exact times for every request whose
//! figures under the shown deadlines differ (missed and total deadlines,
//! the two minimum TBT deadlines), so the recipient sees the sender's
//! figures.
//!
//! A run whose times jitter a lot does not fit a link at the clock's
//! precision (a 5 µs clock, 256 tokens per request). [`pack_to_fit`] then
//! rounds the times to the finest of [`PRECISIONS_NS`] at which the link
//! fits, and keeps the figures: the requests whose deadline figures would
//! change travel on the clock's grid (a few bits a time), those that still
//! differ bit for bit; and the headline cards must read the same, or the
//! next precision is tried.

use std::collections::HashSet;

use super::packed::{clock_quantum_ns, pack_run_with, unpack_run, Packing, SharedRun};
use crate::metrics::{recording_metrics, DeadlineConfig, RunMetrics};
use crate::present::report::headlines;
use crate::recording::Recording;

/// The precisions a link's times may be rounded to (ns), finest first:
/// 10, 20, 50 µs, 0.1, 0.2, 0.5, 1, 2 and 5 ms. Only those coarser than
/// the clock and a multiple of it are used.
pub const PRECISIONS_NS: [u64; 9] = [
    10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000,
];

/// Rounds of fixing a packing before a precision is given up.
const FIX_ROUNDS: usize = 4;

/// `run` packed at its clock's precision so that its figures under its
/// deadlines come back equal.
pub fn pack_faithfully(run: &SharedRun) -> Vec<u8> {
    let quantum_ns = clock_quantum_ns(&run.recording);
    let Some(deadlines) = &run.deadlines else {
        return pack_run_with(
            run,
            &Packing {
                quantum_ns,
                ..Default::default()
            },
        );
    };
    let sent = recording_metrics(&run.recording, deadlines);
    faithful_at(run, deadlines, &sent, quantum_ns, false)
        .unwrap_or_else(|| pack_run_with(run, &all_exact(run, quantum_ns)))
}

/// A run packed to fit `max_chars` characters of base64url: at the clock's
/// precision when it fits, else at the finest of [`PRECISIONS_NS`] that
/// fits and keeps the sender's figures (`rounded_to` in what the link opens
/// says which). [`TooLarge`] when no precision does.
///
/// The figures kept are those under the run's deadlines (or, without, the
/// deadlines its set-up names, or the defaults): each request's missed and
/// total deadlines and its two minimum TBT deadlines, and the headline
/// cards as displayed.
pub fn pack_to_fit(run: &SharedRun, max_chars: usize) -> Result<Vec<u8>, TooLarge> {
    let fits = |bytes: &Vec<u8>| base64_chars(bytes.len()) <= max_chars;
    let clock_ns = clock_quantum_ns(&run.recording);
    let plain = |quantum_ns: u64| {
        pack_run_with(
            run,
            &Packing {
                quantum_ns,
                ..Default::default()
            },
        )
    };
    // Carrying requests finely only adds bytes: when the plain packing does
    // not fit, the faithful one does not either.
    let at_clock = plain(clock_ns);
    let mut too_large = TooLarge {
        chars: base64_chars(at_clock.len()),
        rounding_changes_figures: false,
    };
    if fits(&at_clock) {
        let finest = pack_faithfully(run);
        if fits(&finest) {
            return Ok(finest);
        }
        too_large.chars = base64_chars(finest.len());
    }
    let precisions: Vec<u64> = PRECISIONS_NS
        .into_iter()
        .filter(|q| *q > clock_ns && q.is_multiple_of(clock_ns))
        .collect();
    // Coarser times take fewer bytes: when the coarsest does not fit, none
    // does.
    match precisions.last() {
        Some(&coarsest) if fits(&plain(coarsest)) => {}
        _ => return Err(too_large),
    }
    let deadlines = judging_deadlines(run);
    let sent = recording_metrics(&run.recording, &deadlines);
    for quantum_ns in precisions {
        if !fits(&plain(quantum_ns)) {
            continue;
        }
        match faithful_at(run, &deadlines, &sent, quantum_ns, true) {
            Some(packed) if fits(&packed) => return Ok(packed),
            _ => too_large.rounding_changes_figures = true,
        }
    }
    Err(too_large)
}

/// Why a run does not fit a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge {
    /// Characters of base64url the run takes at its clock's precision (at
    /// least).
    pub chars: usize,
    /// It would fit with its times rounded, but then a figure the
    /// recipient sees would differ from the sender's.
    pub rounding_changes_figures: bool,
}

/// Characters of base64 without padding of `bytes` bytes.
pub fn base64_chars(bytes: usize) -> usize {
    (bytes * 4).div_ceil(3)
}

/// The deadlines a run's figures are kept under.
fn judging_deadlines(run: &SharedRun) -> DeadlineConfig {
    run.deadlines
        .clone()
        .or_else(|| {
            let value = run.recording.config.pointer("/setup/deadlines")?;
            serde_json::from_value(value.clone()).ok()
        })
        .filter(|d: &DeadlineConfig| d.validate().is_ok())
        .unwrap_or_default()
}

/// `run` packed at `quantum_ns` with the requests whose figures would
/// change carried finely (on the clock's grid, then bit for bit), or
/// `None` when the figures cannot be kept at this precision.
/// `check_headlines`: the headline cards must read the same too.
fn faithful_at(
    run: &SharedRun,
    deadlines: &DeadlineConfig,
    sent: &RunMetrics,
    quantum_ns: u64,
    check_headlines: bool,
) -> Option<Vec<u8>> {
    let mut packing = Packing {
        quantum_ns,
        ..Default::default()
    };
    for _ in 0..FIX_ROUNDS {
        let packed = pack_run_with(run, &packing);
        let back = unpack_run(&packed).ok()?;
        let received = recording_metrics(&back.recording, deadlines);
        let differing = requests_with_other_figures(sent, &received);
        if differing.is_empty() {
            let same_cards = !check_headlines || same_headlines(sent, &received);
            return same_cards.then_some(packed);
        }
        // A request that differs on the grid goes to the clock's grid; one
        // that differs there too, bit for bit.
        for id in differing {
            if packing.fine.contains(&id) || quantum_ns == clock_quantum_ns(&run.recording) {
                packing.exact.insert(id);
            } else {
                packing.fine.insert(id);
            }
        }
    }
    None
}

/// Every request bit for bit (the figures are then the sender's).
fn all_exact(run: &SharedRun, quantum_ns: u64) -> Packing {
    Packing {
        quantum_ns,
        fine: HashSet::new(),
        exact: run.recording.requests.iter().map(|r| r.id).collect(),
    }
}

/// Whether the headline cards read the same.
fn same_headlines(a: &RunMetrics, b: &RunMetrics) -> bool {
    headlines(a)
        .iter()
        .zip(headlines(b).iter())
        .all(|(x, y)| x.display == y.display)
}

/// The ids of the requests whose deadline figures differ between `x` and
/// `y` (the same requests, in the same order).
fn requests_with_other_figures(x: &RunMetrics, y: &RunMetrics) -> HashSet<u64> {
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

/// Whether `received` (what a link opened) gives the figures of `sent`
/// under `deadlines`: each request's deadline counts and minimum TBT
/// deadlines, and the headline cards as displayed.
pub fn same_figures(sent: &Recording, received: &Recording, deadlines: &DeadlineConfig) -> bool {
    let (x, y) = (
        recording_metrics(sent, deadlines),
        recording_metrics(received, deadlines),
    );
    requests_with_other_figures(&x, &y).is_empty() && same_headlines(&x, &y)
}
