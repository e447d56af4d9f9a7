//! Cheap distributions for the run screen: TTFT and TBT of the requests
//! finished so far, taken in as batches arrive (each record once) and
//! summarized by selection (no full sort), so the page can refresh them
//! every half second while a large run streams in. Up to
//! [`LIVE_SAMPLE_CAP`] values a figure is exact; past it, the values are
//! thinned evenly (every other one kept, then every fourth, ...), so a
//! summary never costs more than selecting among that many values. The
//! results screen recomputes everything exactly from the recording.

use crate::recording::RequestRecord;

/// The levels of a live CDF: every 5 %, then 99 %.
pub const LIVE_CDF_LEVELS: [f64; 22] = [
    0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8,
    0.85, 0.9, 0.95, 0.99, 1.0,
];

/// Most values a live figure keeps before thinning them.
pub const LIVE_SAMPLE_CAP: usize = 16_384;

/// Evenly spaced quantiles kept as a stand-in sample for a live CDF chart.
pub const LIVE_SKETCH_POINTS: usize = 50;

/// p50, p90 and p99 of a live figure, and a coarse CDF.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSpread {
    /// How many values (requests for TTFT, gaps for TBT), all counted
    /// even when the quantiles come from a thinned sample.
    pub count: usize,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    /// `(value, fraction)` at each of [`LIVE_CDF_LEVELS`].
    pub cdf: Vec<(f64, f64)>,
    /// The quantiles at `(i + 0.5) / LIVE_SKETCH_POINTS`: a small sample
    /// with the same distribution, cheap to draw as an empirical CDF.
    pub sketch: Vec<f64>,
}

impl LiveSpread {
    /// The spread of `values` (reordered); `None` when empty.
    pub fn of(values: &mut [f64]) -> Option<LiveSpread> {
        let count = values.len();
        Self::of_sample(values, count)
    }

    /// The spread of a sample of `count` values (reordered).
    fn of_sample(values: &mut [f64], count: usize) -> Option<LiveSpread> {
        if values.is_empty() {
            return None;
        }
        let sketch_levels =
            (0..LIVE_SKETCH_POINTS).map(|i| (i as f64 + 0.5) / LIVE_SKETCH_POINTS as f64);
        let levels: Vec<f64> = LIVE_CDF_LEVELS
            .iter()
            .copied()
            .chain(sketch_levels)
            .collect();
        let all = quantiles_unsorted(values, &levels);
        let (quantiles, sketch) = all.split_at(LIVE_CDF_LEVELS.len());
        let at = |level: f64| {
            let i = LIVE_CDF_LEVELS
                .iter()
                .position(|&l| l == level)
                .expect("a live level");
            quantiles[i]
        };
        Some(LiveSpread {
            count,
            p50: at(0.5),
            p90: at(0.9),
            p99: at(0.99),
            cdf: quantiles.iter().copied().zip(LIVE_CDF_LEVELS).collect(),
            sketch: sketch.to_vec(),
        })
    }
}

/// What the run screen shows of the finished requests.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveSummary {
    /// Requests finished without error so far.
    pub completed: usize,
    pub failed: usize,
    /// Over the completed requests that produced a token.
    pub ttft: Option<LiveSpread>,
    /// Over every gap between tokens of the completed requests.
    pub tbt: Option<LiveSpread>,
}

/// Values taken in one by one, thinned evenly past [`LIVE_SAMPLE_CAP`].
#[derive(Debug, Clone, Default)]
pub struct ThinnedSample {
    values: Vec<f64>,
    /// Values seen, kept or not.
    count: usize,
    /// One value in `stride` is kept.
    stride: usize,
    /// Values to pass over before keeping the next.
    skip: usize,
}

impl ThinnedSample {
    pub fn push(&mut self, value: f64) {
        self.count += 1;
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        self.values.push(value);
        self.skip = self.stride.max(1) - 1;
        if self.values.len() >= LIVE_SAMPLE_CAP {
            // Keep every other value: the sample stays spread over all
            // the values seen (and over their range, as a selection
            // leaves them roughly in order).
            let mut i = 0;
            self.values.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.stride = self.stride.max(1) * 2;
            self.skip = self.stride - 1;
        }
    }

    /// Values seen.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Values kept (at most [`LIVE_SAMPLE_CAP`]).
    pub fn kept(&self) -> usize {
        self.values.len()
    }

    /// The spread of the values seen (from the kept ones).
    pub fn spread(&mut self) -> Option<LiveSpread> {
        LiveSpread::of_sample(&mut self.values, self.count)
    }
}

/// The values behind a [`LiveSummary`], gathered as records arrive.
#[derive(Debug, Clone, Default)]
pub struct LiveDistributions {
    run_id: Option<u64>,
    /// Records of the run taken in so far.
    seen: usize,
    completed: usize,
    failed: usize,
    ttfts: ThinnedSample,
    gaps: ThinnedSample,
    /// The last summary, while nothing new was taken in.
    cached: Option<LiveSummary>,
}

impl LiveDistributions {
    pub fn new() -> Self {
        Self::default()
    }

    /// Take in the records of run `run_id` not seen yet. `records` is the
    /// run's list so far, in the order they arrived (a book only appends
    /// while it runs). Another run, or a shorter list, starts over.
    pub fn absorb(&mut self, run_id: u64, records: &[RequestRecord]) {
        if self.run_id != Some(run_id) || records.len() < self.seen {
            *self = LiveDistributions {
                run_id: Some(run_id),
                ..Self::default()
            };
        }
        if records.len() > self.seen {
            self.cached = None;
        }
        for record in &records[self.seen..] {
            if !record.completed() {
                self.failed += 1;
                continue;
            }
            self.completed += 1;
            let itt = record.inter_token_times();
            if let Some((&ttft, gaps)) = itt.split_first() {
                self.ttfts.push(ttft);
                for &gap in gaps {
                    self.gaps.push(gap);
                }
            }
        }
        self.seen = records.len();
    }

    /// The summary of everything taken in (reorders the stored values,
    /// which is harmless: their order means nothing). Computed again only
    /// when something new was taken in.
    pub fn summary(&mut self) -> LiveSummary {
        if let Some(cached) = &self.cached {
            return cached.clone();
        }
        let summary = LiveSummary {
            completed: self.completed,
            failed: self.failed,
            ttft: self.ttfts.spread(),
            tbt: self.gaps.spread(),
        };
        self.cached = Some(summary.clone());
        summary
    }
}

/// Quantiles of unsorted `values` at each of `levels` (in 0..=1, any
/// order), with numpy's linear rule, by selecting only the order
/// statistics they need (O(n log k) for k levels). Reorders `values`.
/// Empty `values` give NaNs.
pub fn quantiles_unsorted(values: &mut [f64], levels: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return vec![f64::NAN; levels.len()];
    }
    // The ranks each level reads: floor(h) and the next one.
    let positions: Vec<(usize, f64)> = levels
        .iter()
        .map(|&q| {
            let h = ((n - 1) as f64 * q).clamp(0.0, (n - 1) as f64);
            let lo = h.floor();
            (lo as usize, h - lo)
        })
        .collect();
    let mut ranks: Vec<usize> = positions
        .iter()
        .flat_map(|&(lo, _)| [lo, (lo + 1).min(n - 1)])
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    select_ranks(values, 0, &ranks);
    positions
        .iter()
        .map(|&(lo, t)| {
            let hi = (lo + 1).min(n - 1);
            lerp(values[lo], values[hi], t)
        })
        .collect()
}

/// Put the order statistic of every rank in `ranks` (ascending, relative
/// to the whole slice; `offset` is where `values` starts) in its place.
fn select_ranks(values: &mut [f64], offset: usize, ranks: &[usize]) {
    if ranks.is_empty() || values.is_empty() {
        return;
    }
    let middle = ranks.len() / 2;
    let rank = ranks[middle] - offset;
    let (below, _, above) = values.select_nth_unstable_by(rank, f64::total_cmp);
    select_ranks(below, offset, &ranks[..middle]);
    select_ranks(above, offset + rank + 1, &ranks[middle + 1..]);
}

/// numpy's `_lerp(a, b, t)` (computed from the upper end for t >= 0.5).
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}
