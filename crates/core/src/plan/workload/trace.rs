//! Request-length traces: CSV files with one row per request of a real data
//! set (`num_prefill_tokens,num_decode_tokens,num_total_tokens,pd_ratio`),
//! read from text so the app can fetch them as static files; their scaling
//! and clipping as Etalon does it; and arrival-time traces to replay.

use serde::{Deserialize, Serialize};

use super::csv::CsvColumns;
use super::WorkloadError;

/// One request of a length trace, as the file gives it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TraceRequest {
    pub prefill_tokens: f64,
    pub decode_tokens: f64,
}

/// Prompt and output lengths of one request, in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestTokens {
    pub prompt_tokens: u32,
    pub output_tokens: u32,
}

/// A request-length trace.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Trace {
    pub requests: Vec<TraceRequest>,
}

/// Counts and means of a trace, for the setup screen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TraceSummary {
    pub requests: usize,
    pub mean_prefill_tokens: f64,
    pub mean_decode_tokens: f64,
    pub max_total_tokens: f64,
}

impl Trace {
    /// Reads a trace from CSV text. Columns `num_prefill_tokens` and
    /// `num_decode_tokens` are needed, in any order; others (such as
    /// `num_total_tokens` and `pd_ratio`, which Etalon recomputes too) are
    /// ignored. A missing column or a value that is not a number of 0 or
    /// more is an error naming the line.
    pub fn from_csv(text: &str) -> Result<Trace, WorkloadError> {
        let mut csv = CsvColumns::new(
            text,
            "length trace",
            &["num_prefill_tokens", "num_decode_tokens"],
        )?;
        let mut requests = Vec::new();
        while let Some(row) = csv.next_row() {
            let (_, values) = row?;
            requests.push(TraceRequest {
                prefill_tokens: values[0],
                decode_tokens: values[1],
            });
        }
        if requests.is_empty() {
            return Err(WorkloadError::new(
                "The length trace names its columns but has no requests.",
            ));
        }
        Ok(Trace { requests })
    }

    /// The requests as Etalon's `TraceRequestLengthGenerator` turns them
    /// into lengths, step for step: (1) multiply prefill by
    /// `prefill_scale_factor` and decode by `decode_scale_factor`, then
    /// truncate each toward zero (pandas `astype(int)`); (2) where
    /// `total = prefill + decode` exceeds `max_total_tokens` by `excess`,
    /// take `ceil(excess * prefill / total)` off the prefill and
    /// `ceil(excess * decode / total)` off the decode, both shares computed
    /// before either is taken (so the total may land one under the limit);
    /// (3) raise each to at least 1. Two cases where Etalon fails are
    /// settled: a row whose scaled total is 0 becomes 1 and 1 (Etalon
    /// divides by zero), and where raising a part to 1 pushed the total over
    /// the limit (Etalon's assertion fails), the larger part gives way, so
    /// every total is within `max_total_tokens`.
    pub fn scaled(
        &self,
        prefill_scale_factor: f64,
        decode_scale_factor: f64,
        max_total_tokens: u32,
    ) -> Vec<RequestTokens> {
        let max_total = i64::from(max_total_tokens);
        self.requests
            .iter()
            .map(|request| {
                let prefill = (request.prefill_tokens * prefill_scale_factor).trunc() as i64;
                let decode = (request.decode_tokens * decode_scale_factor).trunc() as i64;
                let total = prefill.saturating_add(decode);
                let excess = total - max_total;
                let (mut prefill, mut decode) = (prefill, decode);
                if excess > 0 {
                    let prefill_share = prefill as f64 / total as f64;
                    let decode_share = decode as f64 / total as f64;
                    prefill -= (excess as f64 * prefill_share).ceil() as i64;
                    decode -= (excess as f64 * decode_share).ceil() as i64;
                }
                let (mut prefill, mut decode) = (prefill.max(1), decode.max(1));
                let over = prefill + decode - max_total;
                if over > 0 {
                    if prefill >= decode {
                        prefill -= over;
                    } else {
                        decode -= over;
                    }
                }
                let tokens = |n: i64| n.clamp(1, i64::from(u32::MAX)) as u32;
                RequestTokens {
                    prompt_tokens: tokens(prefill),
                    output_tokens: tokens(decode),
                }
            })
            .collect()
    }

    /// Counts and means of the trace as read (before scaling).
    pub fn summary(&self) -> TraceSummary {
        let n = self.requests.len().max(1) as f64;
        TraceSummary {
            requests: self.requests.len(),
            mean_prefill_tokens: self.requests.iter().map(|r| r.prefill_tokens).sum::<f64>() / n,
            mean_decode_tokens: self.requests.iter().map(|r| r.decode_tokens).sum::<f64>() / n,
            max_total_tokens: self
                .requests
                .iter()
                .map(|r| r.prefill_tokens + r.decode_tokens)
                .fold(0.0, f64::max),
        }
    }
}

/// Reads arrival times (seconds) for [`super::Arrivals::Replay`] from CSV
/// text with a column named `arrival_time`, or `arrived_at` as Etalon's
/// request traces name it.
pub fn arrival_times_from_csv(text: &str) -> Result<Vec<f64>, WorkloadError> {
    let column = if text
        .lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|h| h.contains("arrived_at"))
    {
        "arrived_at"
    } else {
        "arrival_time"
    };
    let mut csv = CsvColumns::new(text, "arrival trace", &[column])?;
    let mut times = Vec::new();
    while let Some(row) = csv.next_row() {
        times.push(row?.1[0]);
    }
    if times.is_empty() {
        return Err(WorkloadError::new(
            "The arrival trace names its column but has no arrival times.",
        ));
    }
    Ok(times)
}

/// A trace shipped beside the app (in `shared/traces`, served as a static
/// file), with its figures so the setup screen can describe it unloaded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharedTrace {
    /// What the user picks.
    pub name: &'static str,
    /// The file to fetch.
    pub file: &'static str,
    pub requests: usize,
    pub mean_prefill_tokens: f64,
    pub mean_decode_tokens: f64,
    pub max_total_tokens: u32,
}

/// The three traces of Etalon's `data/processed_traces` (Llama-2 tokenizer
/// counts). A test checks these figures against the files.
pub const SHARED_TRACES: [SharedTrace; 3] = [
    SharedTrace {
        name: "ShareGPT conversations",
        file: "sharegpt_8k_filtered_stats_llama2_tokenizer.csv",
        requests: 30731,
        mean_prefill_tokens: 2340.03,
        mean_decode_tokens: 438.71,
        max_total_tokens: 8149,
    },
    SharedTrace {
        name: "arXiv summarization",
        file: "arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv",
        requests: 28257,
        mean_prefill_tokens: 2588.08,
        mean_decode_tokens: 291.43,
        max_total_tokens: 4096,
    },
    SharedTrace {
        name: "BWB translation",
        file: "bwb_stats_llama2_tokenizer_filtered_v2.csv",
        requests: 33768,
        mean_prefill_tokens: 1067.18,
        mean_decode_tokens: 1612.83,
        max_total_tokens: 4096,
    },
];
