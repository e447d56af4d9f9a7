//! Choosing one request to look at on the per-request timeline: the list
//! of requests with a token, labelled with how fluid each was, and the
//! least fluid one to show first.

use crate::metrics::RunMetrics;
use crate::present::chart::format_share;
use crate::recording::Recording;

/// One entry of the request picker.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestChoice {
    pub id: u64,
    /// "#12: 92.0 % on time, 240 tokens".
    pub label: String,
}

/// The completed requests that produced a token, by id.
pub fn request_choices(metrics: &RunMetrics) -> Vec<RequestChoice> {
    let mut choices: Vec<RequestChoice> = metrics
        .requests
        .iter()
        .filter(|r| r.completed && r.num_output_tokens > 0)
        .map(|r| RequestChoice {
            id: r.id,
            label: format!(
                "#{}: {} on time, {} token{}",
                r.id,
                format_share(r.fluidity_index),
                r.num_output_tokens,
                if r.num_output_tokens == 1 { "" } else { "s" }
            ),
        })
        .collect();
    choices.sort_by_key(|c| c.id);
    choices
}

/// The completed request with the lowest fluidity-index (the lowest id
/// among equals): the most telling one to show first.
pub fn least_fluid_request(metrics: &RunMetrics) -> Option<u64> {
    metrics
        .requests
        .iter()
        .filter(|r| r.completed && r.num_output_tokens > 0)
        .min_by(|a, b| {
            a.fluidity_index
                .total_cmp(&b.fluidity_index)
                .then(a.id.cmp(&b.id))
        })
        .map(|r| r.id)
}

/// The inter-token times of request `id` (TTFT first), and its TTFT
/// deadline under `metrics`' configuration.
pub fn request_timeline(
    recording: &Recording,
    metrics: &RunMetrics,
    id: u64,
) -> Option<(Vec<f64>, f64)> {
    let record = recording.requests.iter().find(|r| r.id == id)?;
    let figures = metrics.requests.iter().find(|r| r.id == id)?;
    Some((record.inter_token_times(), figures.ttft_deadline))
}
