//! What may make a run's figures wrong or partial, said plainly: the tab
//! was hidden (the browser slows hidden tabs), the run was stopped early,
//! streams arrived in bursts (something buffered them), the server claimed
//! more tokens than it sent, no request completed.

use crate::present::chart::format_duration;
use crate::recording::{Environment, Recording};

/// Why a warning is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    Hidden,
    Stopped,
    Bursty,
    Overclaimed,
    NothingCompleted,
}

/// One warning banner.
#[derive(Debug, Clone, PartialEq)]
pub struct RunWarning {
    pub kind: WarningKind,
    pub sentence: String,
}

/// Seconds the tab was hidden during the run.
pub fn hidden_seconds(environment: &Environment) -> f64 {
    environment
        .hidden_intervals
        .iter()
        .map(|(start, end)| (end - start).max(0.0))
        .sum()
}

/// The sentence for a run during which the tab was hidden; `None` when it
/// never was.
pub fn hidden_warning(environment: &Environment) -> Option<String> {
    if environment.trustworthy() {
        return None;
    }
    let seconds = hidden_seconds(environment);
    let how_long = if seconds >= 0.5 {
        format!(" for {}", format_duration(seconds))
    } else {
        String::new()
    };
    Some(format!(
        "This tab was hidden{how_long} during the run. Browsers slow down hidden tabs, so \
         these timings may be worse than the server really is. Run again and keep this tab \
         in front until it finishes."
    ))
}

/// Every warning for `recording`; `stopped` when the user stopped it early.
pub fn run_warnings(recording: &Recording, stopped: bool) -> Vec<RunWarning> {
    let mut warnings = Vec::new();
    if let Some(sentence) = hidden_warning(&recording.environment) {
        warnings.push(RunWarning {
            kind: WarningKind::Hidden,
            sentence,
        });
    }
    let completed = recording.requests.iter().filter(|r| r.completed()).count();
    if stopped {
        warnings.push(RunWarning {
            kind: WarningKind::Stopped,
            sentence: format!(
                "This run was stopped early: the figures cover only the {completed} \
                 request{} that finished before the stop.",
                if completed == 1 { "" } else { "s" }
            ),
        });
    }
    if completed == 0 {
        warnings.push(RunWarning {
            kind: WarningKind::NothingCompleted,
            sentence: "No request completed, so there are no timing figures. The errors \
                       table below says what went wrong."
                .to_string(),
        });
    }
    let with_output: Vec<_> = recording.requests.iter().filter_map(|r| r.bursts).collect();
    let bursty = with_output.iter().filter(|b| b.bursty).count();
    if bursty > 0 && 2 * bursty >= with_output.len() {
        warnings.push(RunWarning {
            kind: WarningKind::Bursty,
            sentence: format!(
                "{bursty} of {} answers arrived in bursts (several pieces at the same \
                 instant): something between the server and this page, such as a proxy or \
                 compression, held the stream back, so the gaps between tokens describe that \
                 buffering more than the server.",
                with_output.len()
            ),
        });
    }
    let overclaimed = recording
        .requests
        .iter()
        .filter(|r| r.overclaimed_tokens > 0)
        .count();
    if overclaimed > 0 {
        warnings.push(RunWarning {
            kind: WarningKind::Overclaimed,
            sentence: format!(
                "For {overclaimed} request{} the server claimed more tokens than it sent, so \
                 {} figures use the tokens actually received.",
                if overclaimed == 1 { "" } else { "s" },
                if overclaimed == 1 { "its" } else { "their" },
            ),
        });
    }
    warnings
}
