//! "Check endpoint": what one short streaming request tells about a server
//! before a run: can the page reach it, does CORS let the page read it, does
//! it stream, does it report token usage, and how long the first token took.

use serde::{Deserialize, Serialize};

use crate::recording::{ErrorKind, RequestRecord, TokenSource};

/// One line of the check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckLine {
    /// What was checked ("Reachable", "CORS", "Streaming", "Usage", "First token").
    pub what: &'static str,
    /// None when the check could not get that far.
    pub ok: Option<bool>,
    pub sentence: String,
}

impl CheckLine {
    /// Whether this line says a run would fail: a check that did not pass,
    /// other than a server that does not report token usage (a run still
    /// measures it, counting one token per chunk).
    pub fn stops_a_run(&self) -> bool {
        self.ok == Some(false) && self.what != "Usage"
    }
}

/// What the page asks before a run after a check that failed: the
/// failure in the check's own words, and what running anyway means.
/// `None` when no line of `lines` says a run would fail.
pub fn run_anyway_question(lines: &[CheckLine]) -> Option<String> {
    let failed = lines.iter().find(|l| l.stops_a_run())?;
    Some(format!(
        "Check endpoint failed just now: {} If you run now, the requests will most likely fail \
         the same way.",
        failed.sentence
    ))
}

/// The lines of a check from the record of its one request.
pub fn check_endpoint(record: &RequestRecord) -> Vec<CheckLine> {
    let kind = record.error.as_ref().map(|e| e.kind);
    let message = record
        .error
        .as_ref()
        .map(|e| e.message.clone())
        .unwrap_or_default();
    let line = |what, ok, sentence: String| CheckLine { what, ok, sentence };
    let mut lines = Vec::new();
    match kind {
        Some(ErrorKind::Network) if record.headers_at.is_none() => {
            lines.push(line("Reachable", Some(false), message));
            return lines;
        }
        Some(ErrorKind::Cors) => {
            lines.push(line("Reachable", Some(true), "The server answered.".into()));
            lines.push(line("CORS", Some(false), message));
            return lines;
        }
        Some(ErrorKind::Timeout) if record.headers_at.is_none() => {
            lines.push(line("Reachable", Some(false), message));
            return lines;
        }
        _ => {}
    }
    lines.push(line("Reachable", Some(true), "The server answered.".into()));
    lines.push(line(
        "CORS",
        Some(true),
        "The server lets this page read its answers.".into(),
    ));
    if let Some(ErrorKind::HttpStatus | ErrorKind::NotAStream | ErrorKind::ServerError) = kind {
        lines.push(line("Streaming", Some(false), message));
        return lines;
    }
    let streamed = !record.chunks.is_empty();
    lines.push(line(
        "Streaming",
        Some(streamed && kind.is_none()),
        if streamed && kind.is_none() {
            format!(
                "Tokens arrived as a stream ({} chunks).",
                record.chunks.len()
            )
        } else if streamed {
            format!("Tokens streamed, but: {message}")
        } else {
            format!("No token arrived. {message}")
        },
    ));
    let usage = matches!(record.output_tokens, Some(c) if c.source == TokenSource::Server);
    lines.push(line(
        "Usage",
        Some(usage),
        if usage {
            "The server reports token counts, so output tokens are counted exactly.".into()
        } else {
            "The server did not report token usage: tokens are counted one per chunk, which undercounts servers that send several tokens at once.".into()
        },
    ));
    if let Some(first) = record.chunks.first() {
        lines.push(line(
            "First token",
            Some(true),
            format!(
                "The first token arrived {:.0} ms after the request was sent.",
                first.at * 1000.0
            ),
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::{Chunk, RequestError, TokenCount};

    #[test]
    fn a_good_stream_passes_every_line() {
        let record = RequestRecord {
            headers_at: Some(0.01),
            chunks: vec![
                Chunk {
                    at: 0.05,
                    tokens: 1,
                    reasoning: false,
                    server_sent_at: None,
                },
                Chunk {
                    at: 0.07,
                    tokens: 1,
                    reasoning: false,
                    server_sent_at: None,
                },
            ]
            .into(),
            output_tokens: Some(TokenCount {
                count: 2,
                source: TokenSource::Server,
            }),
            ..Default::default()
        };
        let lines = check_endpoint(&record);
        assert!(lines.iter().all(|l| l.ok == Some(true)), "{lines:?}");
        assert!(lines.last().unwrap().sentence.contains("50 ms"));
    }

    #[test]
    fn a_failed_check_asks_before_a_run_in_its_own_words() {
        let down = RequestRecord {
            error: Some(crate::observe::failure::fetch_failure(
                "http://127.0.0.1:9/v1/chat/completions",
                None,
                false,
            )),
            ..Default::default()
        };
        let lines = check_endpoint(&down);
        assert!(lines[0].stops_a_run());
        assert_eq!(
            run_anyway_question(&lines).unwrap(),
            format!(
                "Check endpoint failed just now: {} If you run now, the requests will most \
                 likely fail the same way.",
                down.error.as_ref().unwrap().message
            )
        );
        assert!(lines[0].sentence.starts_with(
            "The server could not be reached at http://127.0.0.1:9: check that it is running"
        ));
        // No usage figures is no reason to hold a run back.
        let no_usage = RequestRecord {
            headers_at: Some(0.01),
            chunks: vec![Chunk {
                at: 0.05,
                tokens: 1,
                reasoning: false,
                server_sent_at: None,
            }]
            .into(),
            ..Default::default()
        };
        let lines = check_endpoint(&no_usage);
        assert!(lines
            .iter()
            .any(|l| l.what == "Usage" && l.ok == Some(false)));
        assert_eq!(run_anyway_question(&lines), None);
    }

    #[test]
    fn cors_and_unreachable_stop_the_check_early() {
        let failed = |kind| RequestRecord {
            error: Some(RequestError {
                kind,
                message: "why".into(),
                status: None,
            }),
            ..Default::default()
        };
        let cors = check_endpoint(&failed(ErrorKind::Cors));
        assert_eq!(
            cors.iter().map(|l| (l.what, l.ok)).collect::<Vec<_>>(),
            vec![("Reachable", Some(true)), ("CORS", Some(false))]
        );
        let down = check_endpoint(&failed(ErrorKind::Network));
        assert_eq!(down.len(), 1);
        assert_eq!(down[0].ok, Some(false));
        let mut no_usage = failed(ErrorKind::NotAStream);
        no_usage.headers_at = Some(0.1);
        let lines = check_endpoint(&no_usage);
        assert_eq!(lines.last().unwrap().what, "Streaming");
        assert_eq!(lines.last().unwrap().ok, Some(false));
    }
}
