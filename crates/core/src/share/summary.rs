//! Summary links: a run too large for an exact result link still shares as
//! a link, `#summary=v1.<payload>`, of its figures rather than its
//! recording. The sender's headline cards (with their intervals), the
//! service figures with every percentile table and CDF (the CDFs at 4
//! significant digits), the p99 miss-rate curve, what the first look says,
//! and a sample of its requests (for the charts of single requests). The
//! recipient sees the sender's figures under the sender's deadlines; the
//! page says that it cannot recompute them under others.
//!
//! Payload: 4 bytes (big-endian) of the deflated JSON's length, the
//! deflated JSON, then the sample in a result link's compact form.

use serde::{Deserialize, Serialize};

use super::check::check_recording;
use super::exact::{base64_chars, pack_to_fit};
use super::packed::{unpack_run, SharedRun};
use super::secrets::shareable_recording;
use super::ShareError;
use crate::limits::{MAX_FRAGMENT_CHARS, MAX_INFLATED_BYTES};
use crate::metrics::{DeadlineConfig, Interval, RunMetrics, RunRates, ServiceMetrics};
use crate::present::report::{least_fluid_request, Report, ReportBasis, RunFacts};
use crate::recording::{Environment, Recording};

/// The fragment key of a summary link.
pub const SUMMARY_KEY: &str = "summary";
const VERSION: &str = "v1";
/// Version of the summary's JSON.
pub const SUMMARY_VERSION: u32 = 1;
/// Most requests a summary's sample holds.
pub const MAX_SAMPLE_REQUESTS: usize = 100;
/// Most headline cards a summary holds (a link with more is not ours).
const MAX_CARDS: usize = 64;
/// Most points of one CDF or of the miss-rate curve.
const MAX_CURVE_POINTS: usize = 1_000;

/// One headline card as the sender saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryCard {
    pub key: String,
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
}

/// What a summary link carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub version: u32,
    pub started_at_unix_ms: f64,
    /// The run's configuration, scrubbed as a recording's is for a link.
    pub config: serde_json::Value,
    pub environment: Environment,
    /// The deadlines every figure was computed under.
    pub deadlines: DeadlineConfig,
    /// The whole run's service figures (CDFs rounded).
    pub service: ServiceMetrics,
    pub cards: Vec<SummaryCard>,
    pub rates: Option<RunRates>,
    pub facts: RunFacts,
    /// The sample's requests (not in the JSON: packed after it).
    #[serde(skip)]
    pub sample: Vec<crate::recording::RequestRecord>,
}

impl RunSummary {
    /// The summary of `recording` as its report under `deadlines` shows it.
    pub fn of(recording: &Recording, deadlines: &DeadlineConfig, secrets: &[String]) -> Self {
        let recording = shareable_recording(recording, secrets);
        let basis = ReportBasis::of(&recording);
        let report = Report::from_basis(&basis, deadlines, None);
        let mut service = report.metrics.service.clone();
        round_curves(&mut service);
        let cards = report
            .rate_headlines
            .iter()
            .chain(&report.headlines)
            .map(|h| SummaryCard {
                key: h.key.to_string(),
                value: h.value,
                interval: h.interval,
            })
            .collect();
        RunSummary {
            version: SUMMARY_VERSION,
            started_at_unix_ms: recording.started_at_unix_ms,
            config: recording.config.clone(),
            environment: recording.environment.clone(),
            deadlines: deadlines.clone(),
            service,
            cards,
            rates: report.rates,
            facts: basis.facts.clone(),
            sample: sample(&recording, &report.metrics, MAX_SAMPLE_REQUESTS),
        }
    }

    /// The sample as a recording (for the charts of single requests).
    pub fn sample_recording(&self) -> Recording {
        Recording {
            version: crate::recording::RECORDING_VERSION,
            started_at_unix_ms: self.started_at_unix_ms,
            config: self.config.clone(),
            environment: self.environment.clone(),
            requests: self.sample.clone(),
        }
    }

    /// Requests in the run the summary is of.
    pub fn requests(&self) -> u64 {
        self.service.launched
    }
}

/// At most `n` requests of the run: evenly spread over it, and the least
/// fluid one (the request the results show first).
fn sample(
    recording: &Recording,
    metrics: &RunMetrics,
    n: usize,
) -> Vec<crate::recording::RequestRecord> {
    let all = &recording.requests;
    if all.len() <= n {
        return all.clone();
    }
    let mut picked: Vec<usize> = (0..n).map(|i| i * all.len() / n).collect();
    if let Some(worst) = least_fluid_request(metrics) {
        if let Some(at) = all.iter().position(|r| r.id == worst) {
            if !picked.contains(&at) {
                picked.pop();
                picked.push(at);
                picked.sort_unstable();
            }
        }
    }
    picked.into_iter().map(|i| all[i].clone()).collect()
}

/// CDF values and the curve to 4 significant digits: what a chart draws.
fn round_curves(service: &mut ServiceMetrics) {
    let round = |v: f64| {
        if v == 0.0 || !v.is_finite() {
            return v;
        }
        let scale = 10f64.powf(v.abs().log10().floor() - 3.0);
        (v / scale).round() * scale
    };
    let p = &mut service.percentiles;
    for summary in [
        &mut p.ttft,
        &mut p.time_to_first_visible_token,
        &mut p.tbt,
        &mut p.tpot,
        &mut p.end_to_end_latency,
        &mut p.normalized_end_to_end_latency,
        &mut p.output_throughput,
        &mut p.deadline_miss_rate,
        &mut p.fluidity_index,
        &mut p.min_tbt_deadline_to_meet,
    ]
    .into_iter()
    .flatten()
    {
        for point in &mut summary.cdf {
            point[0] = round(point[0]);
        }
    }
    for point in &mut service.p99_miss_rate_vs_tbt_deadline {
        point[1] = round(point[1]);
    }
}

/// The fragment (`#summary=v1....`) of a summary link of `recording` under
/// `deadlines`: as many sampled requests as fit [`MAX_FRAGMENT_CHARS`]
/// (down to none).
pub fn summary_link(
    recording: &Recording,
    deadlines: &DeadlineConfig,
    secrets: &[String],
) -> Result<(String, RunSummary), ShareError> {
    let mut summary = RunSummary::of(recording, deadlines, secrets);
    let json = serde_json::to_vec(&summary)
        .map_err(|e| ShareError::new(format!("The summary could not be written ({e}).")))?;
    let head = miniz_oxide::deflate::compress_to_vec(&json, 10);
    let prefix = format!("#{SUMMARY_KEY}={VERSION}.");
    let budget = MAX_FRAGMENT_CHARS.saturating_sub(prefix.len());
    let mut sample = std::mem::take(&mut summary.sample);
    loop {
        let run = SharedRun {
            recording: Recording {
                requests: sample.clone(),
                ..summary.sample_recording()
            },
            deadlines: Some(deadlines.clone()),
            rounded_to: None,
        };
        let room = budget.saturating_sub(base64_chars(4 + head.len()));
        if let Ok(packed) = pack_to_fit(&run, room) {
            let mut bytes = Vec::with_capacity(4 + head.len() + packed.len());
            bytes.extend_from_slice(&(head.len() as u32).to_be_bytes());
            bytes.extend_from_slice(&head);
            bytes.extend_from_slice(&packed);
            let fragment = format!("{prefix}{}", base64(&bytes));
            if fragment.len() <= MAX_FRAGMENT_CHARS {
                summary.sample = sample;
                return Ok((fragment, summary));
            }
        }
        if sample.is_empty() {
            return Err(ShareError::new(
                "Even a summary of this run is too large for a link: download the recording file and send it instead.",
            ));
        }
        sample.truncate(sample.len() / 2);
    }
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The summary a `v1.<payload>` value holds, checked: its JSON inflates to
/// at most [`MAX_INFLATED_BYTES`], its counts and curves are within their
/// bounds and finite, its sample is a valid recording.
pub fn read_summary(value: &str) -> Result<RunSummary, ShareError> {
    use base64::Engine;
    let damaged = || {
        ShareError::new(
            "This summary link is damaged: its data cannot be read. Was it cut short when it was copied?",
        )
    };
    let Some(data) = value.strip_prefix("v1.") else {
        return Err(ShareError::new(
            "This summary link has an unknown format: it was not made by this etalon-web, or it was changed.",
        ));
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .map_err(|_| damaged())?;
    let (length, rest) = bytes.split_first_chunk::<4>().ok_or_else(damaged)?;
    let length = u32::from_be_bytes(*length) as usize;
    if length > rest.len() {
        return Err(damaged());
    }
    let (head, packed) = rest.split_at(length);
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(head, MAX_INFLATED_BYTES)
        .map_err(|_| damaged())?;
    let mut summary: RunSummary = serde_json::from_slice(&json).map_err(|e| {
        ShareError::new(format!(
            "This summary link's figures are not valid ({e}): ask for the link again."
        ))
    })?;
    if summary.version != SUMMARY_VERSION {
        return Err(ShareError::new(format!(
            "This summary link was made by another version of etalon-web (summary format {}; this page reads {SUMMARY_VERSION}).",
            summary.version
        )));
    }
    check_summary(&summary)?;
    let run = unpack_run(packed)?;
    check_recording(&run.recording)?;
    if run.recording.requests.len() > MAX_SAMPLE_REQUESTS {
        return Err(ShareError::new(format!(
            "This summary link's sample holds {} requests, more than the {MAX_SAMPLE_REQUESTS} a summary has: it was not opened.",
            run.recording.requests.len()
        )));
    }
    summary.sample = run.recording.requests;
    Ok(summary)
}

/// The bounds of what a summary's JSON may hold.
fn check_summary(summary: &RunSummary) -> Result<(), ShareError> {
    let bad = |what: &str| {
        Err(ShareError::new(format!(
            "This summary link's {what} is not valid: it was not opened."
        )))
    };
    if summary.cards.len() > MAX_CARDS
        || summary.environment.hidden_intervals.len() > MAX_CURVE_POINTS
        || summary.environment.user_agent.len() > 1_000
    {
        return bad("list of figures");
    }
    let finite = |v: f64| v.is_finite();
    if summary
        .cards
        .iter()
        .any(|c| c.value.is_some_and(|v| !finite(v)) || c.key.len() > 64)
    {
        return bad("list of figures");
    }
    let service = &summary.service;
    if service.launched > crate::limits::MAX_REQUESTS as u64
        || service.completed + service.errored + service.stopped > service.launched
    {
        return bad("count of requests");
    }
    if service.p99_miss_rate_vs_tbt_deadline.len() > MAX_CURVE_POINTS
        || service
            .p99_miss_rate_vs_tbt_deadline
            .iter()
            .any(|p| !p.iter().all(|v| v.is_finite()))
    {
        return bad("miss-rate curve");
    }
    let p = &service.percentiles;
    for summary in [
        &p.ttft,
        &p.time_to_first_visible_token,
        &p.tbt,
        &p.tpot,
        &p.end_to_end_latency,
        &p.normalized_end_to_end_latency,
        &p.output_throughput,
        &p.deadline_miss_rate,
        &p.fluidity_index,
        &p.min_tbt_deadline_to_meet,
    ]
    .into_iter()
    .flatten()
    {
        let values = [
            summary.mean,
            summary.min,
            summary.max,
            summary.p50,
            summary.p99,
        ];
        if summary.cdf.len() > MAX_CURVE_POINTS
            || !values.into_iter().all(finite)
            || !summary.cdf.iter().all(|p| p.iter().all(|v| v.is_finite()))
        {
            return bad("percentile table");
        }
    }
    if let Err(message) = summary.deadlines.validate() {
        return Err(ShareError::new(format!(
            "This summary link's deadlines cannot be used: {message}."
        )));
    }
    Ok(())
}
