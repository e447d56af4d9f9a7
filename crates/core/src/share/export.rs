//! Files to download: the recording (which `report::recording_json`
//! writes), Etalon's `request_level_metrics.json` and a CSV with one row per
//! request. The page makes every one through [`export_file`], which first
//! takes the secrets out of the recording ([`shareable_recording`], as the
//! links do): a server may echo the API key or a header's value in an
//! error message.
//!
//! The Etalon file has exactly the reference's keys (`num_prompt_tokens`,
//! `num_output_tokens`, `num_total_tokens`, `tpot`, `ttft`, `tbt`,
//! `end_to_end_latency`, `normalized_end_to_end_latency`,
//! `output_throughput`, `deadline_miss_rate`, `min_tbt_deadline_to_meet`),
//! one entry per request in the recording's order, failed requests
//! included as Etalon includes them; an unknown prompt length is written as
//! 0. One more key, `etalon_web`, keeps what Etalon's format has no place
//! for (request ids, failures, the deadlines): Etalon's tools ignore it, and
//! [`import_file`](super::import_file) reads it back.

use serde_json::{json, Value};

use super::secrets::shareable_recording;
use crate::metrics::{recording_metrics, DeadlineConfig};
use crate::present::report::{recording_file_name, recording_json};
use crate::recording::Recording;

/// The files a run can be downloaded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// The recording itself (JSON), which the page and `etalon-cli` open.
    Recording,
    /// Etalon's `request_level_metrics.json`.
    Etalon,
    /// One row per request.
    Csv,
}

impl ExportKind {
    pub const ALL: [ExportKind; 3] = [ExportKind::Recording, ExportKind::Etalon, ExportKind::Csv];
}

/// A file to download.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportFile {
    pub name: String,
    pub text: String,
    pub mime: &'static str,
}

/// The file of `kind` for `recording` under `deadlines`, with `secrets` (the
/// API key, secret header values) replaced by `***` wherever they appear
/// and the configuration scrubbed, as in a link.
pub fn export_file(
    kind: ExportKind,
    recording: &Recording,
    deadlines: &DeadlineConfig,
    secrets: &[String],
) -> ExportFile {
    let recording = shareable_recording(recording, secrets);
    let started = recording.started_at_unix_ms;
    match kind {
        ExportKind::Recording => ExportFile {
            name: recording_file_name(started),
            text: recording_json(&recording),
            mime: "application/json",
        },
        ExportKind::Etalon => ExportFile {
            name: etalon_file_name(started),
            text: etalon_json(&recording, deadlines),
            mime: "application/json",
        },
        ExportKind::Csv => ExportFile {
            name: requests_csv_name(started),
            text: requests_csv(&recording, deadlines),
            mime: "text/csv",
        },
    }
}

/// Etalon's `request_level_metrics.json` of `recording` under `deadlines`,
/// as it stands (the page goes through [`export_file`], which redacts).
pub fn etalon_json(recording: &Recording, deadlines: &DeadlineConfig) -> String {
    let metrics = recording_metrics(recording, deadlines);
    let column =
        |f: &dyn Fn(usize) -> Value| -> Value { (0..recording.requests.len()).map(f).collect() };
    let figures = &metrics.requests;
    let prompt = |i: usize| figures[i].num_prompt_tokens.unwrap_or(0);
    let file = json!({
        "num_prompt_tokens": column(&|i| prompt(i).into()),
        "num_output_tokens": column(&|i| figures[i].num_output_tokens.into()),
        "num_total_tokens": column(&|i| (prompt(i) + figures[i].num_output_tokens).into()),
        "tpot": column(&|i| figures[i].tpot.into()),
        "ttft": column(&|i| figures[i].ttft.into()),
        "tbt": column(&|i| {
            let itt = recording.requests[i].inter_token_times();
            itt.get(1..).unwrap_or(&[]).to_vec().into()
        }),
        "end_to_end_latency": column(&|i| figures[i].end_to_end_latency.into()),
        "normalized_end_to_end_latency": column(&|i| figures[i].normalized_end_to_end_latency.into()),
        "output_throughput": column(&|i| figures[i].output_throughput.into()),
        "deadline_miss_rate": column(&|i| figures[i].deadline_miss_rate.into()),
        "min_tbt_deadline_to_meet": column(&|i| figures[i].min_tbt_deadline_to_meet.into()),
        "etalon_web": {
            "version": 1,
            "id": column(&|i| recording.requests[i].id.into()),
            "error": column(&|i| serde_json::to_value(&recording.requests[i].error).unwrap_or(Value::Null)),
            "deadlines": deadlines,
        },
    });
    serde_json::to_string(&file).unwrap_or_else(|_| "{}".into())
}

/// One row per request: `id, ttft_s, tpot_s, end_to_end_latency_s,
/// normalized_latency_s_per_token, output_tokens, prompt_tokens,
/// fluidity_index, deadline_miss_rate, completed, error_kind,
/// error_message`. Numbers in full precision (seconds, shares 0..1); an
/// unknown figure is an empty cell. As it stands (the page goes through
/// [`export_file`], which redacts).
pub fn requests_csv(recording: &Recording, deadlines: &DeadlineConfig) -> String {
    let metrics = recording_metrics(recording, deadlines);
    let mut csv = String::from(
        "id,ttft_s,tpot_s,end_to_end_latency_s,normalized_latency_s_per_token,output_tokens,\
         prompt_tokens,fluidity_index,deadline_miss_rate,completed,error_kind,error_message\n",
    );
    for (record, figures) in recording.requests.iter().zip(&metrics.requests) {
        let error = record.error.as_ref();
        let kind = error
            .and_then(|e| serde_json::to_value(e.kind).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let cells = [
            record.id.to_string(),
            figures.ttft.to_string(),
            figures.tpot.to_string(),
            figures.end_to_end_latency.to_string(),
            figures.normalized_end_to_end_latency.to_string(),
            figures.num_output_tokens.to_string(),
            figures
                .num_prompt_tokens
                .map(|n| n.to_string())
                .unwrap_or_default(),
            figures.fluidity_index.to_string(),
            figures.deadline_miss_rate.to_string(),
            figures.completed.to_string(),
            kind,
            csv_text(error.map_or("", |e| e.message.as_str())),
        ];
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    csv
}

/// A text cell: quoted when it holds a comma, quote or line break, and
/// kept from starting a spreadsheet formula (`=`, `+`, `-`, `@`).
fn csv_text(text: &str) -> String {
    let mut cell = text.to_string();
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.insert(0, '\'');
    }
    if cell.contains([',', '"', '\n', '\r']) {
        cell = format!("\"{}\"", cell.replace('"', "\"\""));
    }
    cell
}

/// `etalon-request_level_metrics-<date>.json`.
pub fn etalon_file_name(started_at_unix_ms: f64) -> String {
    recording_file_name(started_at_unix_ms).replacen("recording", "request_level_metrics", 1)
}

/// `etalon-requests-<date>.csv`.
pub fn requests_csv_name(started_at_unix_ms: f64) -> String {
    recording_file_name(started_at_unix_ms)
        .replacen("recording", "requests", 1)
        .replace(".json", ".csv")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_text("plain"), "plain");
        assert_eq!(csv_text("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(csv_text("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(
            etalon_file_name(0.0),
            "etalon-request_level_metrics-1970-01-01T00-00-00Z.json"
        );
        assert_eq!(
            requests_csv_name(0.0),
            "etalon-requests-1970-01-01T00-00-00Z.csv"
        );
    }
}
