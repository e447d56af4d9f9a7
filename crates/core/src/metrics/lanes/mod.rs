//! The deadline walk of `deadline.rs` for `K` walks at once ("lanes"): the
//! p99 curve walks many TBT deadlines over one request's gaps, the
//! bisections walk the probes of several requests side by side. Independent
//! lanes let the processor overlap their chains of additions, and the step
//! is branch-free (the compiler turns it into vector code), so an
//! unpredictable on-time/late pattern costs nothing. Results are those of
//! [`super::deadline::deadline_miss_count`], bit for bit.
//!
//! A late gap misses `floor((gap - slack) / D)` deadlines, taken from
//! `(gap - slack) * (1 / D)`; that product is within 2.3e-16 relative of the
//! quotient, so its floor is exact when the product is farther than 1e-9
//! from an integer and below 1e6. When a late gap's product is not, the
//! chunk of gaps it is in is walked again with the exact division.

use super::deadline::{AfterFirstToken, DeadlineCount};
use super::floor_div::floor_div_fast;

#[cfg(target_arch = "x86_64")]
mod avx;
#[cfg(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
))]
mod eight;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm;
#[cfg(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
))]
use eight::EightLanes;

/// Gaps per chunk: the unit of exact re-walks and of early-stop checks.
const CHUNK: usize = 64;
/// Adding and subtracting 2^52 rounds a float in [0, 2^51) to an integer.
pub(super) const ROUNDING: f64 = 4_503_599_627_370_496.0;

/// One walk: the gaps after the first token, a TBT deadline (> 0), and the
/// state after the first token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Walk<'a> {
    pub gaps: &'a [f64],
    pub tbt_deadline: f64,
    pub start: AfterFirstToken,
}

/// The final count of each walk.
pub(crate) fn walk<const K: usize>(walks: &[Walk; K]) -> [DeadlineCount; K] {
    let mut lanes = Lanes::new(walks);
    lanes.run(walks, None);
    lanes.counts()
}

/// Whether each walk's final miss rate exceeds its target; stops early once
/// every answer is certain.
pub(crate) fn exceeds<const K: usize>(walks: &[Walk; K], targets: &[f64; K]) -> [bool; K] {
    let mut lanes = Lanes::new(walks);
    let certain = lanes.run(walks, Some(targets));
    let counts = lanes.counts();
    std::array::from_fn(|k| certain[k] || counts[k].miss_rate() > targets[k])
}

/// What a walk of a [`Stream`] found: its final count, or (stopped early)
/// that its rate certainly exceeds the target it was given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Walked {
    Count(DeadlineCount),
    Exceeds(f64),
}

impl Walked {
    /// Whether the walk's rate exceeds `target`.
    pub fn exceeds(self, target: f64) -> bool {
        match self {
            Walked::Count(count) => count.miss_rate() > target,
            Walked::Exceeds(known) => {
                debug_assert!(target <= known, "asked of a lower target than walked");
                true
            }
        }
    }
}

/// Walks that come and go: each of `K` lanes takes a walk, and gives it
/// back as soon as its answer (exceeds its target or not) is certain, then
/// takes the next one. Keeps every lane busy however long each walk lasts.
pub(crate) struct Stream<'a, T, const K: usize> {
    lanes: Lanes<K>,
    slots: [Option<(Walk<'a>, f64, T)>; K],
}

// Lanes are indexed in step with their slots, on purpose.
#[allow(clippy::needless_range_loop)]
impl<'a, T: Copy, const K: usize> Stream<'a, T, K> {
    pub fn new() -> Self {
        let idle = Walk {
            gaps: &[],
            tbt_deadline: 1.0,
            start: AfterFirstToken {
                slack: 0.0,
                count: DeadlineCount::default(),
            },
        };
        Stream {
            lanes: Lanes::new(&[idle; K]),
            slots: [None; K],
        }
    }

    /// Whether a lane is free.
    pub fn has_room(&self) -> bool {
        self.slots.iter().any(Option::is_none)
    }

    /// Whether no walk is under way.
    pub fn is_empty(&self) -> bool {
        self.slots.iter().all(Option::is_none)
    }

    /// Starts `walk` (asking whether its rate exceeds `target`) in a free
    /// lane; `tag` comes back with the answer.
    pub fn start(&mut self, walk: Walk<'a>, target: f64, tag: T) {
        let k = self
            .slots
            .iter()
            .position(Option::is_none)
            .expect("a free lane");
        self.lanes.load(k, &walk);
        self.slots[k] = Some((walk, target, tag));
    }

    /// Walks every busy lane one chunk on; answers the walks now certain.
    pub fn advance(&mut self, answers: &mut Vec<(T, Walked)>) {
        let Some(busy) = self.slots.iter().flatten().next().map(|slot| slot.0) else {
            return;
        };
        let remaining = |k: usize, walk: &Walk| walk.gaps.len() - self.lanes.walked[k];
        let length = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(k, slot)| slot.as_ref().map(|(walk, _, _)| remaining(k, walk)))
            .fold(CHUNK, usize::min);
        if length > 0 {
            // Free lanes walk a busy lane's gaps; their state is dropped.
            let chunk: [&[f64]; K] = std::array::from_fn(|k| match &self.slots[k] {
                Some((walk, _, _)) => &walk.gaps[self.lanes.walked[k]..][..length],
                None => &busy.gaps[..length.min(busy.gaps.len())],
            });
            let chunk: [&[f64]; K] = std::array::from_fn(|k| &chunk[k][..length]);
            self.lanes.chunk(&chunk);
        }
        let counts = self.lanes.counts();
        for k in 0..K {
            let Some((walk, target, tag)) = self.slots[k] else {
                continue;
            };
            let left = (walk.gaps.len() - self.lanes.walked[k]) as u64;
            let count = counts[k];
            let answer = if left == 0 {
                Some(Walked::Count(count))
            } else {
                // Certain to exceed: see `Lanes::certainly_exceed`.
                let most = count.total_deadlines.saturating_add(left);
                (most > 0 && count.missed_deadlines as f64 / most as f64 > target)
                    .then_some(Walked::Exceeds(target))
            };
            if let Some(walked) = answer {
                answers.push((tag, walked));
                self.slots[k] = None;
            }
        }
    }
}

/// The state of `K` walks.
struct Lanes<const K: usize> {
    deadline: [f64; K],
    inverse: [f64; K],
    slack: [f64; K],
    /// Deadlines missed, counted by the vector step (whole numbers < 2^53).
    missed: [f64; K],
    /// Deadlines missed, counted by exact re-walks.
    missed_exact: [u64; K],
    /// On-time gaps.
    on_time: [u64; K],
    /// Gaps walked.
    walked: [usize; K],
    first: [DeadlineCount; K],
}

// Lanes are indexed in step with their deadlines, on purpose.
#[allow(clippy::needless_range_loop)]
impl<const K: usize> Lanes<K> {
    fn new(walks: &[Walk; K]) -> Self {
        Lanes {
            deadline: walks.map(|w| w.tbt_deadline),
            inverse: walks.map(|w| 1.0 / w.tbt_deadline),
            slack: walks.map(|w| w.start.slack),
            missed: [0.0; K],
            missed_exact: [0; K],
            on_time: [0; K],
            walked: [0; K],
            first: walks.map(|w| w.start.count),
        }
    }

    /// Puts a new walk in lane `k`.
    fn load(&mut self, k: usize, walk: &Walk) {
        self.deadline[k] = walk.tbt_deadline;
        self.inverse[k] = 1.0 / walk.tbt_deadline;
        self.slack[k] = walk.start.slack;
        self.missed[k] = 0.0;
        self.missed_exact[k] = 0;
        self.on_time[k] = 0;
        self.walked[k] = 0;
        self.first[k] = walk.start.count;
    }

    /// Walks every lane to its end, in chunks. With `targets`, stops when
    /// every lane certainly exceeds its target; returns which lanes do.
    fn run(&mut self, walks: &[Walk; K], targets: Option<&[f64; K]>) -> [bool; K] {
        let common = walks.iter().map(|w| w.gaps.len()).min().unwrap_or(0);
        let mut done = 0;
        while done < common {
            let end = (done + CHUNK).min(common);
            let chunk: [&[f64]; K] = std::array::from_fn(|k| &walks[k].gaps[done..end]);
            self.chunk(&chunk);
            done = end;
            if let Some(targets) = targets {
                let certain = self.certainly_exceed(walks, targets);
                if certain.iter().all(|&c| c) {
                    return certain;
                }
            }
        }
        // Lanes longer than the shortest finish one by one.
        for (k, walk) in walks.iter().enumerate() {
            for &gap in &walk.gaps[done..] {
                self.exact_step(k, gap);
            }
        }
        [false; K]
    }

    /// One chunk, all lanes in step; re-walked exactly if a late gap's
    /// quotient was too close to call.
    fn chunk(&mut self, chunk: &[&[f64]; K]) {
        let length = chunk[0].len();
        let chunk: [&[f64]; K] = std::array::from_fn(|k| &chunk[k][..length]);
        let mut slack = self.slack;
        let mut missed = self.missed;
        let mut on_time = [0.0f64; K];
        let awkward = self.vector_step(&chunk, &mut slack, &mut missed, &mut on_time);
        if awkward {
            for (k, gaps) in chunk.iter().enumerate() {
                for &gap in gaps.iter() {
                    self.exact_step(k, gap);
                }
            }
        } else {
            self.slack = slack;
            self.missed = missed;
            for k in 0..K {
                self.on_time[k] += on_time[k] as u64;
                self.walked[k] += length;
            }
        }
    }

    /// The branch-free step over a chunk, on copies of the state; returns
    /// whether the result cannot be trusted. Eight lanes use AVX where the
    /// processor has it, and wasm SIMD in a wasm build with `simd128`.
    fn vector_step(
        &self,
        chunk: &[&[f64]; K],
        slack: &mut [f64; K],
        missed: &mut [f64; K],
        on_time: &mut [f64; K],
    ) -> bool {
        #[cfg(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        ))]
        if let (Ok(chunk8), Ok(slack), Ok(missed), Ok(on_time), Ok(deadline), Ok(inverse)) = (
            <&[&[f64]; 8]>::try_from(&chunk[..]),
            <&mut [f64; 8]>::try_from(&mut slack[..]),
            <&mut [f64; 8]>::try_from(&mut missed[..]),
            <&mut [f64; 8]>::try_from(&mut on_time[..]),
            <&[f64; 8]>::try_from(&self.deadline[..]),
            <&[f64; 8]>::try_from(&self.inverse[..]),
        ) {
            let shared = chunk8.iter().all(|c| std::ptr::eq(*c, chunk8[0]));
            let state = EightLanes {
                deadline,
                inverse,
                slack,
                missed,
                on_time,
            };
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx") {
                // SAFETY: the processor has AVX, checked just above.
                return unsafe { avx::chunk(chunk8, shared, state) };
            }
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            return wasm::chunk(chunk8, shared, state);
        }
        let length = chunk[0].len();
        let (deadline, inverse) = (self.deadline, self.inverse);
        let mut awkward = false;
        for i in 0..length {
            let gap: [f64; K] = std::array::from_fn(|k| chunk[k][i]);
            for k in 0..K {
                let s = slack[k];
                let on = gap[k] <= deadline[k] + s;
                let q = (gap[k] - s) * inverse[k];
                let nearest = (q + ROUNDING) - ROUNDING;
                let floor = if nearest > q { nearest - 1.0 } else { nearest };
                let clean = ((q - floor - 0.5).abs() < 0.5 - 1e-9) & (q < 1.0e6);
                missed[k] += if on { 0.0 } else { floor };
                on_time[k] += if on { 1.0 } else { 0.0 };
                slack[k] = if on { s + (deadline[k] - gap[k]) } else { 0.0 };
                awkward |= !on & !clean;
            }
        }
        awkward
    }

    /// The reference step for one lane.
    fn exact_step(&mut self, k: usize, gap: f64) {
        let deadline = self.deadline[k];
        let slack = self.slack[k];
        if gap <= deadline + slack {
            self.slack[k] = slack + (deadline - gap);
            self.on_time[k] += 1;
        } else {
            let missed = floor_div_fast(gap - slack, deadline) as u64;
            self.missed_exact[k] = self.missed_exact[k].saturating_add(missed);
            self.slack[k] = 0.0;
        }
        self.walked[k] += 1;
    }

    fn counts(&self) -> [DeadlineCount; K] {
        std::array::from_fn(|k| {
            let missed = (self.missed[k] as u64).saturating_add(self.missed_exact[k]);
            let mut count = self.first[k];
            count.add(DeadlineCount {
                missed_deadlines: missed,
                total_deadlines: self.on_time[k].saturating_add(missed),
            });
            count
        })
    }

    /// Which lanes' final rates exceed their targets whatever their
    /// remaining gaps bring: the final rate is at least
    /// `missed / (total + remaining)` (more misses only raise a rate <= 1),
    /// and rounding is monotone, so the comparison holds for the final rate.
    fn certainly_exceed(&self, walks: &[Walk; K], targets: &[f64; K]) -> [bool; K] {
        let counts = self.counts();
        std::array::from_fn(|k| {
            let remaining = (walks[k].gaps.len() - self.walked[k]) as u64;
            let most = counts[k].total_deadlines.saturating_add(remaining);
            most > 0 && counts[k].missed_deadlines as f64 / most as f64 > targets[k]
        })
    }
}
