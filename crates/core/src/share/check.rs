//! Schema checks of what arrives from a link or a file: the right version,
//! finite times in sane ranges, counts a page can hold. Each failure is a
//! sentence that names the problem.

use std::collections::HashSet;

use super::{ShareError, MAX_REQUESTS, MAX_TOKENS};
use crate::plan::setup::{TestSetup, SETUP_VERSION};
use crate::recording::{Recording, RECORDING_VERSION};

use crate::limits::{
    MAX_HEADERS, MAX_SECONDS, MAX_TEXT_CHARS, MAX_TIMEOUT_SECONDS, MAX_TOKENS_PER_CHUNK,
    MAX_TOKENS_PER_REQUEST,
};

/// Whether a recording from outside can be shown; if not, why.
pub fn check_recording(recording: &Recording) -> Result<(), ShareError> {
    if recording.version != RECORDING_VERSION {
        return Err(version_problem(
            "recording",
            recording.version,
            RECORDING_VERSION,
        ));
    }
    if recording.requests.len() > MAX_REQUESTS {
        return Err(ShareError::new(format!(
            "This run holds {} requests; this page shows at most {MAX_REQUESTS}.",
            recording.requests.len()
        )));
    }
    if !recording.started_at_unix_ms.is_finite() {
        return Err(ShareError::new("The run's start time is not a number."));
    }
    let environment = &recording.environment;
    let resolution_ok = environment
        .timer_resolution
        .is_none_or(|r| r.is_finite() && r >= 0.0);
    let hidden_ok = environment
        .hidden_intervals
        .iter()
        .all(|(from, to)| from.is_finite() && to.is_finite());
    if !resolution_ok || !hidden_ok {
        return Err(ShareError::new(
            "The run's environment holds a time that is not a number.",
        ));
    }
    let mut ids = HashSet::with_capacity(recording.requests.len());
    let mut tokens = 0u64;
    for record in &recording.requests {
        if !ids.insert(record.id) {
            return Err(ShareError::new(format!(
                "Request {} appears twice in this run.",
                record.id
            )));
        }
        let problem = |what: &str| {
            ShareError::new(format!(
                "Request {}: {what}, so this run cannot be shown.",
                record.id
            ))
        };
        let times = [
            Some(record.scheduled_at),
            Some(record.sent_at),
            record.headers_at,
            record.ended_at,
        ];
        if !times.into_iter().flatten().all(sane_time) {
            return Err(problem("a time is negative, too large or not a number"));
        }
        let mut previous = 0.0;
        for chunk in &record.chunks {
            if !sane_time(chunk.at) || chunk.at < previous {
                return Err(problem("its tokens' arrival times are not in order from 0"));
            }
            previous = chunk.at;
            if chunk.tokens > MAX_TOKENS_PER_CHUNK {
                return Err(problem("one piece carries an impossible number of tokens"));
            }
            if chunk.server_sent_at.is_some_and(|t| !t.is_finite()) {
                return Err(problem("a server time is not a number"));
            }
            tokens += u64::from(chunk.tokens);
        }
        let counted = record.counted_output_tokens();
        if counted > MAX_TOKENS_PER_REQUEST {
            return Err(problem(&format!(
                "it holds {counted} tokens, more than one request can ask for ({MAX_TOKENS_PER_REQUEST})"
            )));
        }
        let long_text = record
            .error
            .as_ref()
            .is_some_and(|e| e.message.len() > MAX_TEXT_CHARS)
            || record
                .finish_reason
                .as_ref()
                .is_some_and(|t| t.len() > MAX_TEXT_CHARS)
            || record
                .protocol
                .as_ref()
                .is_some_and(|t| t.len() > MAX_TEXT_CHARS);
        if long_text {
            return Err(problem("a text is longer than any server writes"));
        }
    }
    if tokens > MAX_TOKENS {
        return Err(ShareError::new(format!(
            "This run holds {tokens} tokens; this page shows at most {MAX_TOKENS}."
        )));
    }
    Ok(())
}

fn sane_time(seconds: f64) -> bool {
    seconds.is_finite() && (0.0..=MAX_SECONDS).contains(&seconds)
}

/// Whether a set-up from a link can fill the set-up screen; if not, why.
pub fn check_setup(setup: &TestSetup) -> Result<(), ShareError> {
    if setup.version != SETUP_VERSION {
        return Err(version_problem("test set-up", setup.version, SETUP_VERSION));
    }
    setup.urls().map_err(|problem| {
        ShareError::new(format!("The link's address cannot be used: {problem}"))
    })?;
    if setup.endpoint.len() > MAX_TEXT_CHARS || setup.request.model.len() > MAX_TEXT_CHARS {
        return Err(ShareError::new(
            "The link's address or model name is longer than any server's.",
        ));
    }
    if setup.headers.len() > MAX_HEADERS {
        return Err(ShareError::new(format!(
            "The link sets {} headers; a set-up holds at most {MAX_HEADERS}.",
            setup.headers.len()
        )));
    }
    if let Err(e) = setup.workload.check() {
        return Err(ShareError::new(format!(
            "The link's workload cannot run: {e}"
        )));
    }
    if let Err(message) = setup.deadlines.validate() {
        return Err(ShareError::new(format!(
            "The link's deadlines cannot be used: {message}."
        )));
    }
    if !(setup.timeout_seconds.is_finite()
        && setup.timeout_seconds > 0.0
        && setup.timeout_seconds <= MAX_TIMEOUT_SECONDS)
    {
        return Err(ShareError::new(
            "The link's time limit per request is not a number of seconds between 0 and a day.",
        ));
    }
    Ok(())
}

fn version_problem(what: &str, found: u32, known: u32) -> ShareError {
    if found > known {
        ShareError::new(format!(
            "This {what} was made by a newer etalon-web (version {found}; this page reads version {known}): open it with a newer etalon-web."
        ))
    } else {
        ShareError::new(format!(
            "This {what} has version {found}, which this page does not read (it reads version {known})."
        ))
    }
}
