//! A run's figures in two parts: what no deadline changes ([`RunProfile`],
//! computed once per recording: conventional figures, percentile tables of
//! TTFT, TBT, TPOT and latency with their CDF points, the sorted gaps, the
//! decode-only minimum deadlines behind the fluid token generation rate,
//! the p99 miss rate curve, and the facts that make deadline counting
//! fast), and what the deadline configuration decides
//! ([`RunProfile::metrics`]: miss counts, miss rates and fluidity, the
//! minimum TBT deadline to meet the target, and their percentiles).
//!
//! A deadline slider recomputes only the second part. The TBT deadline
//! changes only the miss counts (the minimum-deadline search does not
//! depend on it), so [`RunProfile::metrics_after`] keeps the searches of
//! the previous configuration when its TTFT deadline and target are the
//! same. The figures are those of a computation from scratch, bit for bit.

use super::bisection::{
    counted_min_tbt_deadlines, decode_min_tbt_deadlines, gaps_of, DecodeWalks, QuickCount,
    Timeline, TimelineFacts,
};
use super::deadline::{deadline_miss_count, first_token, DeadlineCount, FirstToken};
use super::lanes;
use super::quantile::sort_floats;
use super::request::{conventional_metrics, ConventionalMetrics};
use super::service::{fluid_token_generation_rate, tbt_based_throughput_of, tpot_based_throughput};
use super::standard::FLUID_TARGET_MISS_RATE;
use super::summary::{Percentiles, Summary};
use super::{curve, DeadlineConfig, RequestMetrics, RequestTimeline, RunMetrics, ServiceMetrics};
use crate::recording::{ErrorKind, Recording};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// The figures of a run that no deadline changes, and what makes the
/// deadline figures fast to compute again.
#[derive(Debug, Clone, PartialEq)]
pub struct RunProfile {
    timelines: Vec<RequestTimeline>,
    facts: Vec<TimelineFacts>,
    conventional: Vec<ConventionalMetrics>,
    decode_min_deadlines: Vec<f64>,
    /// The walks of those searches, which the searches under a deadline
    /// configuration reuse.
    decode_walks: Vec<DecodeWalks>,
    /// Indices of the completed requests.
    completed: Vec<usize>,
    /// Indices of the completed requests and of those the user stopped
    /// after a token came: the requests whose TTFT and gaps count (a
    /// stopped answer's first token and gaps are as real as a finished
    /// one's; what needs a whole answer counts completed ones only).
    with_tokens: Vec<usize>,
    /// Every gap between tokens of those requests, ascending, sorted
    /// when first asked for (the figures do not need it); shared with the
    /// charts that draw them (millions in a long run).
    sorted_gaps: SortedGaps,
    /// The service figures, the deadline-dependent ones left empty.
    service: ServiceMetrics,
}

impl RunProfile {
    /// The profile of a recording.
    pub fn of_recording(recording: &Recording) -> Self {
        RunProfile::new(
            recording
                .requests
                .iter()
                .map(RequestTimeline::from_record)
                .collect(),
        )
    }

    /// The profile of requests' timelines (from a recording or from
    /// Etalon's files).
    pub fn new(timelines: Vec<RequestTimeline>) -> Self {
        let facts: Vec<TimelineFacts> = timelines
            .iter()
            .map(|t| TimelineFacts::of_timeline(&t.inter_token_times))
            .collect();
        let conventional: Vec<ConventionalMetrics> = timelines
            .iter()
            .map(|t| conventional_metrics(&t.inter_token_times, t.num_output_tokens))
            .collect();
        let completed: Vec<usize> = (0..timelines.len())
            .filter(|&i| timelines[i].error.is_none())
            .collect();
        let with_tokens: Vec<usize> = (0..timelines.len())
            .filter(|&i| match timelines[i].error {
                None => true,
                Some(kind) => {
                    kind == ErrorKind::Aborted && !timelines[i].inter_token_times.is_empty()
                }
            })
            .collect();
        let stopped = timelines
            .iter()
            .filter(|t| t.error == Some(ErrorKind::Aborted))
            .count();
        let prepared = prepare(&timelines, &facts);
        let (decode_min_deadlines, decode_walks) =
            decode_min_tbt_deadlines(&prepared, FLUID_TARGET_MISS_RATE);
        let done: Vec<&Timeline> = completed.iter().map(|&i| &prepared[i]).collect();
        let p99_miss_rate_vs_tbt_deadline = curve::p99_curve(&done);
        let gaps: Vec<&[f64]> = with_tokens.iter().map(|&i| prepared[i].gaps).collect();
        let tbt = Summary::of_parts(&gaps);

        let mut errored_by_kind = BTreeMap::new();
        let failures = timelines.iter().filter_map(|t| t.error);
        for kind in failures.filter(|&kind| kind != ErrorKind::Aborted) {
            *errored_by_kind.entry(kind).or_insert(0) += 1;
        }
        let figure = |f: fn(&ConventionalMetrics) -> f64| -> Vec<f64> {
            completed.iter().map(|&i| f(&conventional[i])).collect()
        };
        let tpots = figure(|c| c.tpot);
        let mut decode_deadlines: Vec<f64> =
            completed.iter().map(|&i| decode_min_deadlines[i]).collect();
        let percentiles = Percentiles {
            ttft: Summary::of(with_tokens.iter().map(|&i| conventional[i].ttft).collect()),
            time_to_first_visible_token: Summary::of(
                with_tokens
                    .iter()
                    .filter_map(|&i| timelines[i].time_to_first_visible_token)
                    .collect(),
            ),
            tbt,
            tpot: Summary::of(tpots.clone()),
            end_to_end_latency: Summary::of(figure(|c| c.end_to_end_latency)),
            normalized_end_to_end_latency: Summary::of(figure(|c| c.normalized_end_to_end_latency)),
            output_throughput: Summary::of(figure(|c| c.output_throughput)),
            deadline_miss_rate: None,
            fluidity_index: None,
            min_tbt_deadline_to_meet: None,
        };
        let service = ServiceMetrics {
            launched: timelines.len() as u64,
            completed: completed.len() as u64,
            errored: (timelines.len() - completed.len() - stopped) as u64,
            stopped: stopped as u64,
            errored_by_kind,
            missed_deadlines: 0,
            total_deadlines: 0,
            deadline_miss_rate: 0.0,
            fluidity_index: 1.0,
            tpot_based_throughput: tpot_based_throughput(&tpots),
            tbt_based_throughput: tbt_based_throughput_of(percentiles.tbt.as_ref()),
            fluid_token_generation_rate: fluid_token_generation_rate(&mut decode_deadlines),
            p99_miss_rate_vs_tbt_deadline,
            percentiles,
        };
        RunProfile {
            timelines,
            facts,
            conventional,
            decode_min_deadlines,
            decode_walks,
            completed,
            with_tokens,
            sorted_gaps: SortedGaps::default(),
            service,
        }
    }

    /// The requests' timelines, in input order.
    pub fn timelines(&self) -> &[RequestTimeline] {
        &self.timelines
    }

    /// Every gap between tokens of the completed requests and of those
    /// stopped after a token, ascending (the TBT samples).
    pub fn sorted_gaps(&self) -> &[f64] {
        self.sorted_gaps_arc()
    }

    /// [`RunProfile::sorted_gaps`], shared rather than copied.
    pub fn shared_sorted_gaps(&self) -> Arc<Vec<f64>> {
        Arc::clone(self.sorted_gaps_arc())
    }

    fn sorted_gaps_arc(&self) -> &Arc<Vec<f64>> {
        self.sorted_gaps.0.get_or_init(|| {
            let done = || {
                self.with_tokens
                    .iter()
                    .map(|&i| gaps_of(&self.timelines[i].inter_token_times))
            };
            let mut sorted = Vec::with_capacity(done().map(<[f64]>::len).sum());
            for gaps in done() {
                sorted.extend_from_slice(gaps);
            }
            sort_floats(&mut sorted);
            Arc::new(sorted)
        })
    }

    /// The gaps between tokens that TBT counts, one slice per request (the
    /// completed ones, and those stopped after a token): the clusters of a
    /// TBT percentile's interval.
    pub fn gaps_by_request(&self) -> Vec<&[f64]> {
        self.with_tokens
            .iter()
            .map(|&i| gaps_of(&self.timelines[i].inter_token_times))
            .collect()
    }

    /// Every figure under `deadlines`.
    pub fn metrics(&self, deadlines: &DeadlineConfig) -> RunMetrics {
        self.metrics_after(deadlines, None)
    }

    /// Every figure under `deadlines`, reusing the minimum-deadline
    /// searches of `previous` (figures computed from this same profile)
    /// when its TTFT deadline and target miss rate are those of
    /// `deadlines`: then only the miss counts are computed again.
    pub fn metrics_after(
        &self,
        deadlines: &DeadlineConfig,
        previous: Option<&RunMetrics>,
    ) -> RunMetrics {
        let min_deadlines = match previous.filter(|p| self.reuses_searches(deadlines, p)) {
            Some(previous) => previous
                .requests
                .iter()
                .map(|r| r.min_tbt_deadline_to_meet)
                .collect(),
            None => self.min_tbt_deadlines(deadlines, 0..self.timelines.len()),
        };
        self.metrics_with_searches(deadlines, min_deadlines)
    }

    /// Whether figures under `deadlines` can keep the minimum-deadline
    /// searches of `previous` (computed from this same profile): same TTFT
    /// deadline and target miss rate (the TBT deadline plays no part).
    pub fn reuses_searches(&self, deadlines: &DeadlineConfig, previous: &RunMetrics) -> bool {
        previous.requests.len() == self.timelines.len()
            && previous.deadlines.ttft_deadline == deadlines.ttft_deadline
            && previous.deadlines.target_miss_rate.to_bits() == deadlines.target_miss_rate.to_bits()
    }

    /// The minimum TBT deadline to meet the target of `deadlines`, for the
    /// requests in `requests` (indices in input order): the costly part of
    /// a TTFT deadline or target move, which a page may spread over several
    /// tasks before [`RunProfile::metrics_with_searches`].
    pub fn min_tbt_deadlines(
        &self,
        deadlines: &DeadlineConfig,
        requests: Range<usize>,
    ) -> Vec<f64> {
        let timelines = &self.timelines[requests.clone()];
        let prepared = prepare(timelines, &self.facts[requests.clone()]);
        let ttft_deadlines: Vec<f64> = timelines
            .iter()
            .map(|t| deadlines.ttft_deadline_for(t.num_prompt_tokens))
            .collect();
        counted_min_tbt_deadlines(
            &prepared,
            &ttft_deadlines,
            deadlines.target_miss_rate,
            &self.decode_walks[requests],
        )
    }

    /// Every figure under `deadlines`, given every request's minimum TBT
    /// deadline under them ([`RunProfile::min_tbt_deadlines`] over all
    /// requests).
    pub fn metrics_with_searches(
        &self,
        deadlines: &DeadlineConfig,
        min_deadlines: Vec<f64>,
    ) -> RunMetrics {
        assert_eq!(
            min_deadlines.len(),
            self.timelines.len(),
            "one search per request"
        );
        let prepared = prepare(&self.timelines, &self.facts);
        let ttft_deadlines: Vec<f64> = self
            .timelines
            .iter()
            .map(|t| deadlines.ttft_deadline_for(t.num_prompt_tokens))
            .collect();
        let counts = miss_counts(&prepared, &ttft_deadlines, deadlines.tbt_deadline);
        let requests: Vec<RequestMetrics> = (0..self.timelines.len())
            .map(|i| {
                RequestMetrics::assemble(
                    &self.timelines[i],
                    &self.conventional[i],
                    ttft_deadlines[i],
                    counts[i],
                    (min_deadlines[i], self.decode_min_deadlines[i]),
                )
            })
            .collect();
        let mut service = self.service.clone();
        let mut count = DeadlineCount::default();
        for &i in &self.completed {
            count.add(counts[i]);
        }
        service.missed_deadlines = count.missed_deadlines;
        service.total_deadlines = count.total_deadlines;
        service.deadline_miss_rate = count.miss_rate();
        service.fluidity_index = count.fluidity_index();
        let figure = |f: fn(&RequestMetrics) -> f64| -> Option<Summary> {
            Summary::of(self.completed.iter().map(|&i| f(&requests[i])).collect())
        };
        service.percentiles.deadline_miss_rate = figure(|r| r.deadline_miss_rate);
        service.percentiles.fluidity_index = figure(|r| r.fluidity_index);
        service.percentiles.min_tbt_deadline_to_meet = figure(|r| r.min_tbt_deadline_to_meet);
        RunMetrics {
            deadlines: deadlines.clone(),
            requests,
            service,
        }
    }
}

/// The sorted gaps of a profile, once asked for. Derived from the profile's
/// timelines, so two profiles of the same timelines are equal whether or
/// not either has sorted them yet.
#[derive(Debug, Clone, Default)]
struct SortedGaps(OnceLock<Arc<Vec<f64>>>);

impl PartialEq for SortedGaps {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The timelines with their facts, ready for the searches and counts.
fn prepare<'a>(timelines: &'a [RequestTimeline], facts: &'a [TimelineFacts]) -> Vec<Timeline<'a>> {
    timelines
        .iter()
        .zip(facts)
        .map(|(t, f)| Timeline::new(&t.inter_token_times, f))
        .collect()
}

/// Each request's deadline count (first token counted, TTFT deadline
/// `ttft_deadlines[i]`) at TBT deadline `tbt_deadline`: by a shortcut or
/// the sparse walk when they tell, else walked eight requests at a time.
/// The same counts as [`deadline_miss_count`].
fn miss_counts(
    timelines: &[Timeline],
    ttft_deadlines: &[f64],
    tbt_deadline: f64,
) -> Vec<DeadlineCount> {
    const K: usize = 8;
    let mut counts = vec![DeadlineCount::default(); timelines.len()];
    if !(tbt_deadline.is_finite() && tbt_deadline > 0.0) {
        // Meaningless deadlines: the plain walk decides what they give.
        for (i, timeline) in timelines.iter().enumerate() {
            counts[i] = deadline_miss_count(
                timeline.itt,
                ttft_deadlines[i],
                tbt_deadline,
                FirstToken::Counted,
            );
        }
        return counts;
    }
    let mut to_walk: Vec<(usize, lanes::Walk)> = Vec::new();
    for (i, timeline) in timelines.iter().enumerate() {
        let after = first_token(
            timeline.itt,
            ttft_deadlines[i],
            tbt_deadline,
            FirstToken::Counted,
        );
        match timeline.quick_count(tbt_deadline, after) {
            QuickCount::Exact(count) => counts[i] = count,
            // The rate is known, the counts are not: walk.
            QuickCount::AllMissed | QuickCount::Walk => to_walk.push((
                i,
                lanes::Walk {
                    gaps: timeline.gaps,
                    tbt_deadline,
                    start: after,
                },
            )),
        }
    }
    // Walks of like lengths side by side (the lanes walk in step as far as
    // the shortest goes).
    to_walk.sort_by_key(|(_, walk)| walk.gaps.len());
    for group in to_walk.chunks(K) {
        // A short group repeats its last walk; its counts are dropped.
        let walks: [lanes::Walk; K] = std::array::from_fn(|k| group[k.min(group.len() - 1)].1);
        let found = lanes::walk(&walks);
        for (k, &(i, _)) in group.iter().enumerate() {
            counts[i] = found[k];
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::synthetic::SyntheticRun;

    #[test]
    fn reused_searches_give_the_figures_from_scratch() {
        let recording = SyntheticRun {
            requests: 60,
            tokens_per_request: 120,
            stall_probability: 0.05,
            ..SyntheticRun::benchmark()
        }
        .recording();
        let profile = RunProfile::of_recording(&recording);
        let mut previous = profile.metrics(&DeadlineConfig::default());
        for (ttft, tbt, target) in [
            (0.1, 0.02, 0.1),
            (0.1, 0.005, 0.1),
            (0.3, 0.005, 0.1),
            (0.3, 0.05, 0.02),
            (0.3, 0.031, 0.02),
        ] {
            let deadlines = DeadlineConfig::fixed(ttft, tbt, target);
            let again = profile.metrics_after(&deadlines, Some(&previous));
            let scratch = RunProfile::of_recording(&recording).metrics(&deadlines);
            assert_eq!(again, scratch, "{deadlines:?}");
            for (r, t) in again.requests.iter().zip(profile.timelines()) {
                let plain =
                    deadline_miss_count(&t.inter_token_times, ttft, tbt, FirstToken::Counted);
                assert_eq!(
                    (r.missed_deadlines, r.total_deadlines),
                    (plain.missed_deadlines, plain.total_deadlines)
                );
            }
            let mut split = profile.min_tbt_deadlines(&deadlines, 0..25);
            split.extend(profile.min_tbt_deadlines(&deadlines, 25..60));
            assert_eq!(profile.metrics_with_searches(&deadlines, split), scratch);
            previous = again;
        }
    }
}
