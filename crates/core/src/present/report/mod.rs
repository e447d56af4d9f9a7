//! What the run and results screens say, as pure functions of a recording
//! (the screens only lay it out): the headline cards, the percentile
//! table, the errors table, how the run went, warnings, plain explanations
//! of every metric, number formats, the live text with its stalls, whether
//! a reader would have noticed the run's pauses, cheap live distributions,
//! deadline inputs, the request picker and the export file's name.
//!
//! [`Report::of`] gathers every figure of the results screen for one
//! deadline configuration. The page computes a recording's
//! [`ReportBasis`] once and, when a deadline moves, only the figures that
//! depend on it ([`Report::from_basis`]).

mod deadlines;
mod errors;
mod explain;
mod export;
mod first_look;
mod headline;
mod live;
mod live_text;
mod pauses;
mod requests;
mod spread;
mod status;
mod table;
mod warnings;

/// The figures' formats, from their one home (`chart::format`).
pub use crate::present::chart::{
    format_duration, format_rate, format_seconds, format_share, raw_value, significant, NO_FIGURE,
};
pub use deadlines::{
    log_slider_position, log_slider_seconds, parse_percent, parse_seconds, percent_text,
    seconds_text, ttft_field, with_target_miss_rate, with_tbt_deadline, with_ttft_field, TtftField,
    LOG_SLIDER_STEPS,
};
pub use errors::{error_rows, errors_summary, ErrorRow};
pub use explain::{Metric, Unit, TOKEN_EXPLANATION};
pub use export::{caption_of, recording_file_name, recording_json, run_caption};
pub use first_look::{clock_sentence, first_look, local_time_text, RunFacts};
pub use headline::{
    error_rate, headlines, rate_headlines, worst_percent_fluidity, Headline, WORST_PERCENT_QUANTILE,
};
pub use live::{
    quantiles_unsorted, LiveDistributions, LiveSpread, LiveSummary, ThinnedSample, LIVE_CDF_LEVELS,
    LIVE_SAMPLE_CAP, LIVE_SKETCH_POINTS,
};
pub use live_text::{
    is_stall, live_segments, pieces_due, stall_marker, tail_start, typical_gap, LiveSegment,
    LIVE_TEXT_MAX_CHARS, MIN_STALL_SECONDS, STALL_FACTOR,
};
pub use pauses::{pause_note, PauseNote, RunPauses};
pub use requests::{least_fluid_request, request_choices, request_timeline, RequestChoice};
pub use spread::figure_interval;
pub use status::{RunOutcome, RunStatus};
pub use table::{percentile_rows, PercentileRow, PERCENTILE_COLUMNS};
pub use warnings::{hidden_seconds, hidden_warning, run_warnings, RunWarning, WarningKind};

use crate::metrics::{
    quantile_interval, rates_over, DeadlineConfig, Interval, RunMetrics, RunProfile, RunRates,
    ServiceMetrics,
};
use crate::observe::failure::aborted_error;
use crate::recording::{ErrorKind, Recording, RequestRecord};
use std::sync::atomic::{AtomicU64, Ordering};

/// Per-request values of the completed requests, for distribution charts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricSamples {
    pub ttft: Vec<f64>,
    pub tpot: Vec<f64>,
    pub normalized_latency: Vec<f64>,
    pub fluidity_index: Vec<f64>,
}

impl MetricSamples {
    /// The values of the completed requests of `metrics`.
    pub fn of(metrics: &RunMetrics) -> Self {
        let done = || metrics.requests.iter().filter(|r| r.completed);
        MetricSamples {
            ttft: done().map(|r| r.ttft).collect(),
            tpot: done().map(|r| r.tpot).collect(),
            normalized_latency: done().map(|r| r.normalized_end_to_end_latency).collect(),
            fluidity_index: done().map(|r| r.fluidity_index).collect(),
        }
    }
}

/// Every gap between tokens of the completed requests and of those the
/// user stopped (the TBT samples, as the metrics count them). Independent
/// of the deadlines.
pub fn tbt_gaps(recording: &Recording) -> Vec<f64> {
    let mut gaps = Vec::new();
    let counted = |r: &&RequestRecord| {
        r.completed()
            || r.error
                .as_ref()
                .is_some_and(|e| e.kind == ErrorKind::Aborted)
    };
    for record in recording.requests.iter().filter(counted) {
        let itt = record.inter_token_times();
        gaps.extend_from_slice(itt.get(1..).unwrap_or(&[]));
    }
    gaps
}

/// The p99 miss-rate curve's `(TBT deadline, p99 miss rate)` points.
fn miss_curve(service: &ServiceMetrics) -> Vec<(f64, f64)> {
    service
        .p99_miss_rate_vs_tbt_deadline
        .iter()
        .map(|[d, rate]| (*d, *rate))
        .collect()
}

/// What the results screen shows that no deadline changes, computed once
/// per recording: the run's [`RunProfile`] (distributions, sorted gaps,
/// the p99 curve, the fluid rate, ...) and the errors table. Each deadline
/// configuration then takes [`Report::from_basis`], a small part of the
/// work.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportBasis {
    /// Tells bases apart: a report reuses the searches of a previous report
    /// only when both come from the same basis.
    id: u64,
    pub profile: RunProfile,
    pub errors: Vec<ErrorRow>,
    /// Where the completed requests paused.
    pub pauses: RunPauses,
    /// What the first look says that no deadline changes.
    pub facts: RunFacts,
    /// The 95 % intervals of the TBT median and p99 (the gaps do not
    /// depend on the deadlines, and there may be millions).
    tbt_intervals: [Option<Interval>; 2],
}

impl ReportBasis {
    /// The basis of `recording`'s reports.
    pub fn of(recording: &Recording) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let profile = RunProfile::of_recording(recording);
        let tbt_intervals = {
            let gaps = profile.gaps_by_request();
            [0.5, 0.99].map(|q| quantile_interval(&gaps, q))
        };
        ReportBasis {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            pauses: RunPauses::of(&profile),
            profile,
            errors: error_rows(&recording.requests),
            facts: RunFacts::of(recording),
            tbt_intervals,
        }
    }

    /// Whether `report` was computed from this basis.
    pub fn made(&self, report: &Report) -> bool {
        report.basis_id == self.id
    }

    /// Whether the report under `deadlines` can keep the minimum-deadline
    /// searches of `previous` (a TBT deadline move: cheap), or must search
    /// again (a TTFT deadline or target move: see
    /// [`Report::from_basis_with_searches`]).
    pub fn reuses_searches(&self, deadlines: &DeadlineConfig, previous: &Report) -> bool {
        self.made(previous) && self.profile.reuses_searches(deadlines, &previous.metrics)
    }
}

/// Everything the results screen shows under one deadline configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub metrics: RunMetrics,
    /// Throughput and goodput over the run's measured window.
    pub rates: Option<RunRates>,
    /// Throughput (tokens/s, answers/s) and goodput cards.
    pub rate_headlines: Vec<Headline>,
    /// The metric cards, each percentile with its 95 % interval.
    pub headlines: Vec<Headline>,
    pub percentile_rows: Vec<PercentileRow>,
    pub errors: Vec<ErrorRow>,
    /// "No request failed." or "3 of 50 requests failed (6.0 %)."
    pub errors_summary: String,
    pub samples: MetricSamples,
    /// `(TBT deadline, p99 miss rate)`, 1 to 100 ms.
    pub miss_curve: Vec<(f64, f64)>,
    pub choices: Vec<RequestChoice>,
    pub least_fluid: Option<u64>,
    /// Whether a reader would have noticed the run's pauses; `None` when no
    /// completed request paused.
    pub pauses: Option<PauseNote>,
    /// The [`ReportBasis`] it was computed from.
    basis_id: u64,
}

impl Report {
    /// The report of `recording` under `deadlines`, from scratch.
    pub fn of(recording: &Recording, deadlines: &DeadlineConfig) -> Report {
        Report::from_basis(&ReportBasis::of(recording), deadlines, None)
    }

    /// The report under `deadlines` from a recording's `basis`: only the
    /// figures that depend on the deadlines are computed. With the
    /// `previous` report of the same basis under the same TTFT deadline and
    /// target miss rate (a TBT deadline move), its minimum-deadline searches
    /// are kept and only the miss counts are new. The same report as
    /// [`Report::of`], figure for figure.
    pub fn from_basis(
        basis: &ReportBasis,
        deadlines: &DeadlineConfig,
        previous: Option<&Report>,
    ) -> Report {
        let previous = previous
            .filter(|p| p.basis_id == basis.id)
            .map(|p| &p.metrics);
        Report::of_metrics(basis, basis.profile.metrics_after(deadlines, previous))
    }

    /// The report under `deadlines` from `basis`, given every request's
    /// minimum TBT deadline under them (`basis.profile.min_tbt_deadlines`,
    /// which a page may compute a slice of requests per task).
    pub fn from_basis_with_searches(
        basis: &ReportBasis,
        deadlines: &DeadlineConfig,
        min_deadlines: Vec<f64>,
    ) -> Report {
        Report::of_metrics(
            basis,
            basis
                .profile
                .metrics_with_searches(deadlines, min_deadlines),
        )
    }

    fn of_metrics(basis: &ReportBasis, metrics: RunMetrics) -> Report {
        let errors = basis.errors.clone();
        let rates = basis
            .facts
            .window_seconds
            .and_then(|w| rates_over(w, &metrics));
        let mut cards = headlines(&metrics);
        for card in cards.iter_mut().filter(|c| c.percentile) {
            card.interval = match card.key {
                "tbt-p50" => basis.tbt_intervals[0],
                "tbt-p99" => basis.tbt_intervals[1],
                key => figure_interval(key, &metrics, &[]),
            };
        }
        Report {
            rate_headlines: rate_headlines(rates.as_ref()),
            rates,
            headlines: cards,
            percentile_rows: percentile_rows(&metrics.service.percentiles),
            errors_summary: errors_summary(&errors, metrics.service.launched),
            errors,
            samples: MetricSamples::of(&metrics),
            miss_curve: miss_curve(&metrics.service),
            choices: request_choices(&metrics),
            least_fluid: least_fluid_request(&metrics),
            pauses: pause_note(&basis.profile, &basis.pauses, &metrics),
            metrics,
            basis_id: basis.id,
        }
    }

    /// The report a summary link shows: the sender's `service` figures
    /// under `deadlines`, its cards as `(key, value, interval)`, its
    /// `rates`, and the metrics of the sampled requests (for the charts of
    /// single requests). The distributions are the summary's CDF points;
    /// there is no pause note (that needs every request).
    pub fn summarised(
        deadlines: &DeadlineConfig,
        service: ServiceMetrics,
        cards: &[(String, Option<f64>, Option<Interval>)],
        rates: Option<RunRates>,
        sample: &Recording,
    ) -> Report {
        let sampled = RunProfile::of_recording(sample).metrics(deadlines);
        let metrics = RunMetrics {
            deadlines: deadlines.clone(),
            requests: sampled.requests,
            service,
        };
        let card_of = |key: &str| cards.iter().find(|(k, _, _)| k == key);
        let fill = |mut h: Headline| {
            let (value, interval) = card_of(h.key).map_or((None, None), |(_, v, i)| (*v, *i));
            h.value = value.filter(|v| v.is_finite());
            h.display = h
                .value
                .map_or_else(|| NO_FIGURE.to_string(), |v| h.metric.unit().format(v));
            h.interval = interval;
            h
        };
        let p = &metrics.service.percentiles;
        let cdf_values = |s: &Option<crate::metrics::Summary>| {
            s.as_ref()
                .map(|s| s.cdf.iter().map(|[v, _]| *v).collect())
                .unwrap_or_default()
        };
        let samples = MetricSamples {
            ttft: cdf_values(&p.ttft),
            tpot: cdf_values(&p.tpot),
            normalized_latency: cdf_values(&p.normalized_end_to_end_latency),
            fluidity_index: cdf_values(&p.fluidity_index),
        };
        let examples = error_rows(&sample.requests);
        let mut errors: Vec<ErrorRow> = metrics
            .service
            .errored_by_kind
            .iter()
            .map(|(&kind, &count)| {
                let example = examples.iter().find(|r| r.kind == kind);
                ErrorRow {
                    kind,
                    mid_answer: example.is_some_and(|e| e.mid_answer),
                    label: example.map_or(kind.label(), |e| e.label),
                    count,
                    example: example.map_or_else(String::new, |e| e.example.clone()),
                    example_id: example.map_or(0, |e| e.example_id),
                }
            })
            .collect();
        if metrics.service.stopped > 0 {
            errors.push(ErrorRow {
                kind: ErrorKind::Aborted,
                mid_answer: false,
                label: ErrorKind::Aborted.label(),
                count: metrics.service.stopped,
                example: aborted_error().message,
                example_id: 0,
            });
        }
        errors.sort_by(|a, b| b.count.cmp(&a.count).then(a.kind.cmp(&b.kind)));
        Report {
            rate_headlines: rate_headlines(rates.as_ref()),
            rates,
            headlines: headlines(&metrics).into_iter().map(fill).collect(),
            percentile_rows: percentile_rows(&metrics.service.percentiles),
            errors_summary: errors_summary(&errors, metrics.service.launched),
            errors,
            samples,
            miss_curve: miss_curve(&metrics.service),
            choices: request_choices(&metrics),
            least_fluid: least_fluid_request(&metrics),
            pauses: None,
            metrics,
            basis_id: 0,
        }
    }

    /// The headline card with `key` ("ttft-p50").
    pub fn headline(&self, key: &str) -> Option<&Headline> {
        self.headlines
            .iter()
            .chain(&self.rate_headlines)
            .find(|h| h.key == key)
    }

    /// The first look's paragraph, sentence by sentence, with the run's
    /// start as `when` ([`local_time_text`]).
    pub fn first_look(&self, basis: &ReportBasis, when: &str) -> Vec<String> {
        first_look(&basis.facts, &self.metrics, self.rates.as_ref(), when)
    }

    /// Whether two reports show the same figures (whatever basis each was
    /// computed from).
    pub fn same_figures(&self, other: &Report) -> bool {
        Report {
            basis_id: other.basis_id,
            ..self.clone()
        } == *other
    }
}
