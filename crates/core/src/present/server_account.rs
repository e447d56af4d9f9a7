//! What the server said about itself, beside what the browser measured.
//!
//! Some servers report their own side of a request: llama.cpp's final chunk
//! carries `timings` (milliseconds spent reading the prompt, milliseconds
//! per generated token), and most servers report `usage` (prompt and output
//! token counts). Set beside the browser's own figures, they show the
//! network's share of the latency: what the browser waited for that the
//! server did not spend working. Only completed requests count; every
//! figure is a median over the requests that reported it.

use serde::Serialize;

use crate::metrics::quantile_unsorted;
use crate::present::report::format_seconds;
use crate::recording::{Recording, RequestRecord, TokenSource};

/// One figure seen from both ends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountRow {
    /// A stable key ("ttft", "tpot").
    pub key: &'static str,
    /// What the browser measured, in words.
    pub browser_label: &'static str,
    /// What the server reported, in words.
    pub server_label: &'static str,
    /// Median over the requests that reported it, seconds.
    pub browser: f64,
    pub server: f64,
    /// Median of each request's (browser - server), seconds: the part the
    /// server did not account for.
    pub difference: f64,
    /// Requests behind the medians.
    pub requests: usize,
    /// The row in one plain sentence.
    pub sentence: String,
}

/// How the server's token counts compare with what the browser saw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenAgreement {
    /// Completed requests whose server reported the output token count.
    pub requests: usize,
    /// Output tokens the server reported, over those requests.
    pub reported: u64,
    /// Output tokens the browser counted (one per piece, or as usage
    /// deltas said), over the same requests.
    pub counted: u64,
    /// Pieces (network reads with output) the browser received.
    pub pieces: u64,
    /// Prompt tokens the server reported, over the requests that said.
    pub prompt_reported: Option<u64>,
    /// The agreement in one plain sentence.
    pub sentence: String,
}

/// The server's own account of a run, where it gave one.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ServerAccount {
    /// Completed requests in the run.
    pub completed: usize,
    /// Timing rows (empty when the server reports no timings).
    pub rows: Vec<AccountRow>,
    /// Token counts (None when the server reports no usage).
    pub tokens: Option<TokenAgreement>,
}

impl ServerAccount {
    /// Whether the server said anything about itself.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.tokens.is_none()
    }
}

/// The server's account of `recording`, set beside the browser's figures.
pub fn server_account(recording: &Recording) -> ServerAccount {
    let completed: Vec<&RequestRecord> = recording
        .requests
        .iter()
        .filter(|r| r.completed() && !r.chunks.is_empty())
        .collect();
    let mut rows = Vec::new();
    if let Some(row) = ttft_row(&completed) {
        rows.push(row);
    }
    if let Some(row) = tpot_row(&completed) {
        rows.push(row);
    }
    ServerAccount {
        completed: completed.len(),
        rows,
        tokens: token_agreement(&completed),
    }
}

/// (browser, server) pairs in seconds → medians and the median difference.
fn medians(pairs: &[(f64, f64)]) -> Option<(f64, f64, f64)> {
    let mut browser: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let mut server: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let mut difference: Vec<f64> = pairs.iter().map(|p| p.0 - p.1).collect();
    Some((
        quantile_unsorted(&mut browser, 0.5)?,
        quantile_unsorted(&mut server, 0.5)?,
        quantile_unsorted(&mut difference, 0.5)?,
    ))
}

fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite() && *v >= 0.0)
}

/// Time to first token against the server's prompt (prefill) time.
fn ttft_row(requests: &[&RequestRecord]) -> Option<AccountRow> {
    let pairs: Vec<(f64, f64)> = requests
        .iter()
        .filter_map(|r| {
            let prefill = finite(r.server_timings.as_ref()?.prompt_ms)? / 1000.0;
            Some((r.chunks.first()?.at, prefill))
        })
        .collect();
    let (browser, server, difference) = medians(&pairs)?;
    Some(AccountRow {
        key: "ttft",
        browser_label: "Time to first token",
        server_label: "Reading the prompt (prefill)",
        browser,
        server,
        difference,
        requests: pairs.len(),
        sentence: format!(
            "Of the {} the browser waited for the first token (median), the server says it \
             spent {} reading the prompt; the other {} went to the network, waiting in the \
             server's queue and producing that first token.",
            format_seconds(browser),
            format_seconds(server),
            format_seconds(difference.max(0.0)),
        ),
    })
}

/// The browser's time per output token against the server's decode time
/// per token.
fn tpot_row(requests: &[&RequestRecord]) -> Option<AccountRow> {
    let pairs: Vec<(f64, f64)> = requests
        .iter()
        .filter_map(|r| {
            let per_token = finite(r.server_timings.as_ref()?.predicted_per_token_ms)? / 1000.0;
            let (first, last) = (r.chunks.first()?, r.chunks.last()?);
            let tokens = r.counted_output_tokens();
            (tokens >= 2).then(|| ((last.at - first.at) / (tokens - 1) as f64, per_token))
        })
        .collect();
    let (browser, server, difference) = medians(&pairs)?;
    let share = if server > 0.0 {
        difference / server
    } else {
        0.0
    };
    Some(AccountRow {
        key: "tpot",
        browser_label: "Time per output token",
        server_label: "Generating one token (decode)",
        browser,
        server,
        difference,
        requests: pairs.len(),
        sentence: format!(
            "After the first token the browser received one every {} (median); the server says \
             it took {} to generate each, so the network and streaming {} {} per token ({:+.0} %).",
            format_seconds(browser),
            format_seconds(server),
            if difference >= 0.0 { "added" } else { "saved" },
            format_seconds(difference.abs()),
            100.0 * share,
        ),
    })
}

/// The server's usage figures against the browser's count.
fn token_agreement(requests: &[&RequestRecord]) -> Option<TokenAgreement> {
    let reporting: Vec<&&RequestRecord> = requests
        .iter()
        .filter(|r| {
            r.output_tokens
                .is_some_and(|t| matches!(t.source, TokenSource::Server))
        })
        .collect();
    if reporting.is_empty() {
        return None;
    }
    let reported: u64 = reporting.iter().map(|r| r.num_output_tokens()).sum();
    let counted: u64 = reporting.iter().map(|r| r.counted_output_tokens()).sum();
    let prompts: Vec<u64> = reporting
        .iter()
        .filter_map(|r| {
            r.prompt_tokens
                .filter(|t| matches!(t.source, TokenSource::Server))
                .map(|t| t.count)
        })
        .collect();
    let prompt_reported = (!prompts.is_empty()).then(|| prompts.iter().sum());
    let n = reporting.len();
    let plural = if n == 1 { "" } else { "s" };
    let pieces: u64 = reporting.iter().map(|r| r.chunks.len() as u64).sum();
    let sentence = if reported == counted && pieces == counted {
        format!(
            "The server reported {reported} output tokens over {n} request{plural}, and each \
             arrived as a piece of its own: every token was timed."
        )
    } else if reported == counted {
        format!(
            "The server reported {reported} output tokens over {n} request{plural}, and said \
             how many each piece carried, so the counts agree; but they came in {pieces} \
             pieces, so tokens that shared a piece count as arriving together."
        )
    } else if counted < reported {
        format!(
            "The server reported {reported} output tokens over {n} request{plural}, but the \
             browser saw only {counted} pieces: some pieces carried several tokens, whose own \
             times the browser cannot see (the figures count them as arriving together)."
        )
    } else {
        format!(
            "The server reported {reported} output tokens over {n} request{plural}, fewer than \
             the {counted} the browser counted: the server's usage figures do not cover every \
             piece it sent."
        )
    };
    Some(TokenAgreement {
        requests: n,
        reported,
        counted,
        pieces,
        prompt_reported,
        sentence,
    })
}
