//! The errors table: failed requests grouped by kind, in plain sentences,
//! with how many and the first message of each kind. A connection lost
//! after tokens came is its own row ("dropped mid-answer"), apart from a
//! server that could not be reached; requests the user stopped are a row
//! of their own that [`errors_summary`] counts apart from the failures.

use crate::recording::{ErrorKind, RequestRecord};

/// One kind of failure.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRow {
    pub kind: ErrorKind,
    /// The connection was lost after tokens came (a `Network` failure).
    pub mid_answer: bool,
    /// Short label ("timed out", "HTTP error").
    pub label: &'static str,
    pub count: u64,
    /// The message of the first request (lowest id) that failed this way.
    pub example: String,
    /// That request's id.
    pub example_id: u64,
}

impl ErrorRow {
    /// The row as one sentence: "3 requests timed out, for example: ...".
    pub fn sentence(&self) -> String {
        let requests = if self.count == 1 {
            "1 request".to_string()
        } else {
            format!("{} requests", self.count)
        };
        let what = match self.kind {
            ErrorKind::Network if self.mid_answer => {
                "lost the connection in the middle of the answer"
            }
            ErrorKind::HttpStatus => "got an HTTP error from the server",
            ErrorKind::Cors => "were blocked by the browser (CORS)",
            ErrorKind::Network => "could not reach the server",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Aborted => "were stopped",
            ErrorKind::MalformedStream => "received a malformed stream",
            ErrorKind::ServerError => "received an error from the server mid-stream",
            ErrorKind::NotAStream => "received an answer that was not a stream",
        };
        let what = if self.count == 1 {
            what.replacen("were ", "was ", 1)
        } else {
            what.to_string()
        };
        format!("{requests} {what}. First message: {}", self.example)
    }
}

/// Failed requests by kind, most frequent first (ties in a fixed order).
pub fn error_rows(records: &[RequestRecord]) -> Vec<ErrorRow> {
    let mut rows: Vec<ErrorRow> = Vec::new();
    let mut failed: Vec<&RequestRecord> = records.iter().filter(|r| r.error.is_some()).collect();
    failed.sort_by_key(|r| r.id);
    for record in failed {
        let Some(error) = &record.error else { continue };
        let mid_answer = error.kind == ErrorKind::Network && !record.chunks.is_empty();
        match rows
            .iter_mut()
            .find(|row| row.kind == error.kind && row.mid_answer == mid_answer)
        {
            Some(row) => row.count += 1,
            None => rows.push(ErrorRow {
                kind: error.kind,
                mid_answer,
                label: if mid_answer {
                    "dropped mid-answer"
                } else {
                    error.kind.label()
                },
                count: 1,
                example: error.message.clone(),
                example_id: record.id,
            }),
        }
    }
    rows.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.kind.cmp(&b.kind))
            .then(a.mid_answer.cmp(&b.mid_answer))
    });
    rows
}

/// One sentence over all requests: "No request failed.", "3 of 50
/// requests failed (6.0 %)." The requests the user stopped are said apart
/// and are not in the share: "No request failed; 6 were stopped before
/// they finished."
pub fn errors_summary(rows: &[ErrorRow], launched: u64) -> String {
    let stopped: u64 = rows
        .iter()
        .filter(|r| r.kind == ErrorKind::Aborted)
        .map(|r| r.count)
        .sum();
    let failed: u64 = rows.iter().map(|r| r.count).sum::<u64>() - stopped;
    let judged = launched.saturating_sub(stopped);
    let stopped_part = match stopped {
        0 => String::new(),
        1 => "1 was stopped before it finished".to_string(),
        k => format!("{k} were stopped before they finished"),
    };
    if failed == 0 {
        return if stopped == 0 {
            "No request failed.".to_string()
        } else {
            format!("No request failed; {stopped_part}.")
        };
    }
    let share = if judged > 0 {
        format!(
            " ({})",
            crate::present::chart::format_share(failed as f64 / judged as f64)
        )
    } else {
        String::new()
    };
    if stopped == 0 {
        let noun = if launched == 1 { "request" } else { "requests" };
        format!("{failed} of {launched} {noun} failed{share}.")
    } else {
        let noun = if judged == 1 { "request" } else { "requests" };
        format!("{failed} of the {judged} {noun} not stopped failed{share}, and {stopped_part}.")
    }
}
