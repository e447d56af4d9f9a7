//! Metrics over recordings (docs/METRICS.md), with exact parity with the Etalon
//! reference implementation: per-request TTFT, TBT, TPOT, latency,
//! throughput, deadline miss rate, fluidity-index and minimum TBT deadline;
//! service-level counts, throughputs, fluid token generation rate, the p99
//! miss rate vs TBT deadline curve, and percentile tables.
//!
//! Entry points: [`RunProfile`], the deadline-independent part of a run's
//! figures, computed once, and [`RunProfile::metrics`] /
//! [`RunProfile::metrics_after`], a [`RunMetrics`] under one
//! [`DeadlineConfig`] (what a deadline slider recomputes);
//! [`recording_metrics`] and [`run_metrics`] (timelines from elsewhere,
//! such as Etalon's `request_level_metrics.json`) do both at once. All are
//! pure.
//!
//! Modules: `floor_div` (Python's `//`), `quantile` (numpy's rule),
//! `request` (conventional figures), `deadline` (miss counting), `lanes`,
//! `lanes/avx.rs` and `lanes/wasm.rs` (the same counting, eight walks at once), `sparse` (the
//! same counting visiting only the long gaps), `bisection` (minimum
//! deadline search), `config` and `prefill` (deadlines), `service`
//! (service-level figures), `curve` (the p99 miss rate curve), `rates`
//! (requests, tokens and goodput per second of the run's window),
//! `summary` (percentile tables), `interval` (how sure a percentile is),
//! `profile` (the split between what the deadlines change and what they
//! do not).

mod bisection;
mod config;
mod curve;
mod deadline;
mod digest;
mod floor_div;
mod interval;
mod lanes;
mod prefill;
mod profile;
mod quantile;
mod rates;
mod request;
mod select;
mod service;
mod sparse;
mod standard;
mod summary;

pub use bisection::{min_tbt_deadline_to_meet, NO_DEADLINE_MEETS_TARGET};
pub use config::{DeadlineConfig, TtftDeadline};
pub use deadline::{
    deadline_miss_count, deadline_miss_rate, fluidity_index, DeadlineCount, FirstToken,
};
pub use digest::{figures_digest, json_digest, BENCHMARK_FIGURES_DIGEST};
pub use floor_div::{floor_div, floor_div_by, floor_div_fast};
pub use interval::{quantile_interval, quantile_interval_of_values, Interval, MIN_REQUESTS, Z_95};
pub use prefill::{PrefillFitError, PrefillModel};
pub use profile::RunProfile;
pub use quantile::{accurate_sum, mean, quantile_sorted, quantile_unsorted, sort_floats};
pub use rates::{rates_over, run_rates, RunRates};
pub use request::{conventional_metrics, ConventionalMetrics};
pub use select::quantiles_of_parts;
pub use service::{
    fluid_token_generation_rate, p99_miss_rate_vs_tbt_deadline, tbt_based_throughput,
    tpot_based_throughput,
};
pub use standard::{curve_tbt_deadlines, FLUID_TARGET_MISS_RATE, THROUGHPUT_QUANTILE};
pub use summary::{Percentiles, Summary};

use crate::recording::{ErrorKind, Recording, RequestRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the metrics need of one request, whatever file it came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestTimeline {
    /// The request's id (its position in the plan, or in the file).
    pub id: u64,
    /// `[ttft, gap1, gap2, ...]`, seconds; empty when no token arrived.
    pub inter_token_times: Vec<f64>,
    pub num_output_tokens: u64,
    pub num_prompt_tokens: Option<u64>,
    /// Seconds to the first non-reasoning token, when known.
    pub time_to_first_visible_token: Option<f64>,
    /// Why the request failed; `None` for a completed request.
    pub error: Option<ErrorKind>,
}

impl RequestTimeline {
    /// The timeline of a recorded request.
    pub fn from_record(record: &RequestRecord) -> Self {
        RequestTimeline {
            id: record.id,
            inter_token_times: record.inter_token_times(),
            num_output_tokens: record.num_output_tokens(),
            num_prompt_tokens: record.prompt_tokens.map(|c| c.count),
            time_to_first_visible_token: record.time_to_first_visible_token(),
            error: record.error.as_ref().map(|e| e.kind),
        }
    }
}

/// Every figure of one request. Times in seconds, throughput in tokens/s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestMetrics {
    pub id: u64,
    /// Finished without error; only completed requests enter the service
    /// figures.
    pub completed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorKind>,
    pub num_output_tokens: u64,
    pub num_prompt_tokens: Option<u64>,
    /// 0 when no output token.
    pub ttft: f64,
    /// `None` when no visible token arrived (or the source does not say).
    pub time_to_first_visible_token: Option<f64>,
    pub tpot: f64,
    pub end_to_end_latency: f64,
    pub normalized_end_to_end_latency: f64,
    pub output_throughput: f64,
    /// The TTFT deadline applied to this request (fixed, or predicted).
    pub ttft_deadline: f64,
    pub deadline_miss_rate: f64,
    pub missed_deadlines: u64,
    pub total_deadlines: u64,
    /// `1 - deadline_miss_rate`.
    pub fluidity_index: f64,
    /// Smallest TBT deadline missing at most the target rate; 1e10 if none.
    pub min_tbt_deadline_to_meet: f64,
    /// The same, decode-only with a 10 % target: the input of the fluid
    /// token generation rate.
    pub decode_min_tbt_deadline: f64,
}

/// Figures over the whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceMetrics {
    pub launched: u64,
    pub completed: u64,
    /// Requests that failed (those the user stopped are not failures).
    pub errored: u64,
    /// Requests the user stopped before they finished.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub stopped: u64,
    /// Failed requests by kind (snake_case keys); stopped ones are not here.
    pub errored_by_kind: BTreeMap<ErrorKind, u64>,
    pub missed_deadlines: u64,
    pub total_deadlines: u64,
    /// Sum of missed over sum of total deadlines; 0 when there is none.
    pub deadline_miss_rate: f64,
    /// `1 - deadline_miss_rate`.
    pub fluidity_index: f64,
    /// `1 / mean(tpot)`; `None` (null) without completed request or when
    /// every TPOT is 0.
    pub tpot_based_throughput: Option<f64>,
    /// `1 / p99(all gaps)`; `None` without gaps.
    pub tbt_based_throughput: Option<f64>,
    /// `1 / p99(decode-only minimum TBT deadline at 10 %)`; `None` without
    /// completed request.
    pub fluid_token_generation_rate: Option<f64>,
    /// `[tbt_deadline, p99 miss rate]` for 1..=100 ms; empty without
    /// completed request.
    pub p99_miss_rate_vs_tbt_deadline: Vec<[f64; 2]>,
    pub percentiles: Percentiles,
}

/// The figures of a run under one deadline configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    pub deadlines: DeadlineConfig,
    /// In input order, failed requests included (marked `completed: false`).
    pub requests: Vec<RequestMetrics>,
    pub service: ServiceMetrics,
}

/// Every figure of a recording under `deadlines`. (A page that shows the
/// figures under several configurations keeps the recording's
/// [`RunProfile`] and asks it for each.)
pub fn recording_metrics(recording: &Recording, deadlines: &DeadlineConfig) -> RunMetrics {
    RunProfile::of_recording(recording).metrics(deadlines)
}

/// Every figure of the given requests under `deadlines`.
pub fn run_metrics(timelines: &[RequestTimeline], deadlines: &DeadlineConfig) -> RunMetrics {
    RunProfile::new(timelines.to_vec()).metrics(deadlines)
}

/// Every figure of one request under `deadlines` ([`RunProfile`] computes
/// many faster than one by one).
pub fn request_metrics(timeline: &RequestTimeline, deadlines: &DeadlineConfig) -> RequestMetrics {
    let dp = deadlines.ttft_deadline_for(timeline.num_prompt_tokens);
    let facts = bisection::TimelineFacts::of_timeline(&timeline.inter_token_times);
    let prepared = [bisection::Timeline::new(
        &timeline.inter_token_times,
        &facts,
    )];
    let (decode, walks) = bisection::decode_min_tbt_deadlines(&prepared, FLUID_TARGET_MISS_RATE);
    let counted =
        bisection::counted_min_tbt_deadlines(&prepared, &[dp], deadlines.target_miss_rate, &walks)
            [0];
    let decode = decode[0];
    request_figures(timeline, deadlines, (counted, decode))
}

/// The figures of one request, given its two minimum TBT deadlines.
fn request_figures(
    timeline: &RequestTimeline,
    deadlines: &DeadlineConfig,
    (min_tbt_deadline_to_meet, decode_min_tbt_deadline): (f64, f64),
) -> RequestMetrics {
    let itt = &timeline.inter_token_times;
    let conventional = conventional_metrics(itt, timeline.num_output_tokens);
    let ttft_deadline = deadlines.ttft_deadline_for(timeline.num_prompt_tokens);
    let count = deadline_miss_count(
        itt,
        ttft_deadline,
        deadlines.tbt_deadline,
        FirstToken::Counted,
    );
    RequestMetrics::assemble(
        timeline,
        &conventional,
        ttft_deadline,
        count,
        (min_tbt_deadline_to_meet, decode_min_tbt_deadline),
    )
}

impl RequestMetrics {
    /// A request's figures from its timeline, its conventional metrics, the
    /// TTFT deadline applied to it, its deadline count and its two minimum
    /// TBT deadlines (to meet the target; decode-only at 10 %).
    pub(crate) fn assemble(
        timeline: &RequestTimeline,
        conventional: &ConventionalMetrics,
        ttft_deadline: f64,
        count: DeadlineCount,
        (min_tbt_deadline_to_meet, decode_min_tbt_deadline): (f64, f64),
    ) -> RequestMetrics {
        RequestMetrics {
            id: timeline.id,
            completed: timeline.error.is_none(),
            error: timeline.error,
            num_output_tokens: timeline.num_output_tokens,
            num_prompt_tokens: timeline.num_prompt_tokens,
            ttft: conventional.ttft,
            time_to_first_visible_token: timeline.time_to_first_visible_token,
            tpot: conventional.tpot,
            end_to_end_latency: conventional.end_to_end_latency,
            normalized_end_to_end_latency: conventional.normalized_end_to_end_latency,
            output_throughput: conventional.output_throughput,
            ttft_deadline,
            deadline_miss_rate: count.miss_rate(),
            missed_deadlines: count.missed_deadlines,
            total_deadlines: count.total_deadlines,
            fluidity_index: count.fluidity_index(),
            min_tbt_deadline_to_meet,
            decode_min_tbt_deadline,
        }
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
