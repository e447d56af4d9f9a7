//! The links: everything rides in the URL fragment (after `#`), which the
//! browser never sends to a server.
//!
//! - test link: `#test=v1.<payload>`, the set-up as JSON
//!   ([`shareable_setup`]: never a key or a secret header value); with the
//!   sender's results as a baseline: `#test=v1.<payload>&baseline=v1.<payload>`;
//! - result link: `#result=v1.<payload>`, a recording and the deadlines it
//!   was shown under, in their compact form (`packed.rs`), packed so that
//!   the figures come back equal (`exact.rs`); when the run is too large
//!   at the clock's precision, its times rounded to the finest precision at
//!   which it fits, the figures still the sender's ([`OpenedLink`] says to
//!   what).
//!
//! A payload is base64url without padding of: for a set-up, its JSON
//! compressed with raw deflate (miniz_oxide); for a recording, its compact
//! form (which compresses its parts itself).
//! A link this page makes is at most [`MAX_FRAGMENT_CHARS`] long (32,000
//! characters: with the page's address it fits in 32 KB of URL); it reads
//! fragments of up to [`MAX_READ_CHARS`], inflates at most
//! [`MAX_INFLATED_BYTES`](super::MAX_INFLATED_BYTES) in all (64 KiB for a
//! set-up), and checks the schema.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use miniz_oxide::inflate::TINFLStatus;

use super::check::{check_recording, check_setup};
use super::exact::{pack_to_fit, TooLarge};
use super::packed::{unpack_run, SharedRun};
use super::secrets::{shareable_recording, shareable_setup};
use super::summary::{read_summary, RunSummary, SUMMARY_KEY};
use super::{ShareError, MAX_SETUP_BYTES};
use crate::metrics::DeadlineConfig;
use crate::plan::setup::TestSetup;
use crate::recording::Recording;

pub const TEST_KEY: &str = "test";
pub const RESULT_KEY: &str = "result";
pub const BASELINE_KEY: &str = "baseline";
const VERSION: &str = "v1";

pub use crate::limits::MAX_FRAGMENT_CHARS;
pub use crate::limits::MAX_READ_CHARS;

/// What a link opens.
#[derive(Debug, Clone, PartialEq)]
pub enum SharedLink {
    /// Fill the set-up (and show the sender's run beside the recipient's).
    Test {
        setup: Box<TestSetup>,
        baseline: Option<Recording>,
    },
    /// Show a run's results, read-only, under the deadlines the sender saw
    /// (when the link says).
    Result {
        recording: Recording,
        deadlines: Option<DeadlineConfig>,
    },
    /// Show the summary of a run too large for a result link.
    Summary(Box<RunSummary>),
}

/// What a link opens, and the precision of its times when they were
/// rounded to fit the link.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedLink {
    pub link: SharedLink,
    /// Seconds the times of the run (a result, or a test link's baseline)
    /// were rounded to, when coarser than the sender's clock.
    pub rounded_to: Option<f64>,
}

/// The fragment (`#test=...`) of a test link for `setup`, with `baseline`
/// (the sender's run) when given. `secrets` (the API key, secret header
/// values) are redacted from the baseline wherever they appear.
pub fn test_link(
    setup: &TestSetup,
    baseline: Option<&Recording>,
    secrets: &[String],
) -> Result<String, ShareError> {
    let setup_json = serde_json::to_vec(&shareable_setup(setup))
        .map_err(|e| ShareError::new(format!("The set-up could not be written ({e}).")))?;
    let mut fragment = format!("#{TEST_KEY}={}", payload(&deflate(&setup_json)));
    if let Some(baseline) = baseline {
        let run = SharedRun {
            recording: shareable_recording(baseline, secrets),
            deadlines: Some(setup.deadlines.clone()),
            rounded_to: None,
        };
        check_recording(&run.recording)?;
        let prefix = format!("&{BASELINE_KEY}={VERSION}.");
        let room = MAX_FRAGMENT_CHARS.saturating_sub(fragment.len() + prefix.len());
        match pack_to_fit(&run, room) {
            Ok(packed) => fragment.push_str(&format!("&{BASELINE_KEY}={}", payload(&packed))),
            Err(too_large) => {
                return Err(ShareError::new(format!(
                    "Your results make the test link too long ({}; a link holds at most {}{}): share the test link without them and send the recording file.",
                    size_text(fragment.len() + prefix.len() + too_large.chars),
                    size_text(MAX_FRAGMENT_CHARS),
                    rounding_note(&too_large)
                )))
            }
        }
    }
    if fragment.len() > MAX_FRAGMENT_CHARS {
        return Err(ShareError::new("This set-up is too large for a link."));
    }
    Ok(fragment)
}

/// The fragment (`#result=...`) of a result link for `recording` shown
/// under `deadlines`, or why there cannot be one (too large even with its
/// times rounded: send the file instead).
pub fn result_link(
    recording: &Recording,
    deadlines: Option<&DeadlineConfig>,
    secrets: &[String],
) -> Result<String, ShareError> {
    let run = SharedRun {
        recording: shareable_recording(recording, secrets),
        deadlines: deadlines.cloned(),
        rounded_to: None,
    };
    check_recording(&run.recording)?;
    let prefix = format!("#{RESULT_KEY}={VERSION}.");
    match pack_to_fit(&run, MAX_FRAGMENT_CHARS.saturating_sub(prefix.len())) {
        Ok(packed) => Ok(format!("#{RESULT_KEY}={}", payload(&packed))),
        Err(too_large) => Err(ShareError::new(format!(
            "This run is too large for a link ({}; a link holds at most {}{}): download the recording file and send it instead.",
            size_text(prefix.len() + too_large.chars),
            size_text(MAX_FRAGMENT_CHARS),
            rounding_note(&too_large)
        ))),
    }
}

/// Why rounding the times did not make the run fit, when it would have.
fn rounding_note(too_large: &TooLarge) -> &'static str {
    if too_large.rounding_changes_figures {
        ", and rounding its times to fit would change its figures"
    } else {
        ""
    }
}

fn size_text(chars: usize) -> String {
    format!("{:.1} KB", chars as f64 / 1000.0)
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec(bytes, 10)
}

fn payload(bytes: &[u8]) -> String {
    format!("{VERSION}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What the fragment of the page's address opens: `Ok(None)` when it is
/// not a link of this app (empty, or an anchor), an error sentence when it
/// is one that cannot be opened.
pub fn parse_fragment(fragment: &str) -> Result<Option<SharedLink>, ShareError> {
    Ok(open_link(fragment)?.map(|opened| opened.link))
}

/// As [`parse_fragment`], with the precision of the run's times when they
/// were rounded to fit the link.
pub fn open_link(fragment: &str) -> Result<Option<OpenedLink>, ShareError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let value_of = |key: &str| {
        fragment
            .split('&')
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
    };
    let (test, result) = (value_of(TEST_KEY), value_of(RESULT_KEY));
    let summary = value_of(SUMMARY_KEY);
    if test.is_none() && result.is_none() && summary.is_none() {
        return Ok(None);
    }
    if fragment.len() > MAX_READ_CHARS {
        return Err(ShareError::new(format!(
            "This link is {} characters long, longer than any link etalon-web makes ({MAX_READ_CHARS} at most): it was not opened.",
            fragment.len()
        )));
    }
    if let Some(summary) = summary {
        return Ok(Some(OpenedLink {
            link: SharedLink::Summary(Box::new(read_summary(summary)?)),
            rounded_to: None,
        }));
    }
    if let Some(result) = result {
        let SharedRun {
            recording,
            deadlines,
            rounded_to,
        } = read_run(result)?;
        return Ok(Some(OpenedLink {
            link: SharedLink::Result {
                recording,
                deadlines,
            },
            rounded_to,
        }));
    }
    let setup_json = inflate(test.unwrap_or_default(), MAX_SETUP_BYTES)?;
    let setup: TestSetup = serde_json::from_slice(&setup_json).map_err(|e| {
        ShareError::new(format!(
            "This test link's set-up is not valid ({e}): ask for the link again."
        ))
    })?;
    check_setup(&setup)?;
    let baseline = match value_of(BASELINE_KEY) {
        Some(value) => Some(read_run(value).map_err(|e| {
            ShareError::new(format!(
                "The sender's results in this link cannot be read: {e}"
            ))
        })?),
        None => None,
    };
    let rounded_to = baseline.as_ref().and_then(|run| run.rounded_to);
    Ok(Some(OpenedLink {
        link: SharedLink::Test {
            setup: Box::new(shareable_setup(&setup)),
            baseline: baseline.map(|run| run.recording),
        },
        rounded_to,
    }))
}

fn read_run(value: &str) -> Result<SharedRun, ShareError> {
    let run = unpack_run(&decode(value)?)?;
    check_recording(&run.recording)?;
    if let Some(Err(message)) = run.deadlines.as_ref().map(DeadlineConfig::validate) {
        return Err(ShareError::new(format!(
            "The link's deadlines cannot be used: {message}."
        )));
    }
    Ok(run)
}

/// The bytes of a `v1.<base64url>` payload.
fn decode(value: &str) -> Result<Vec<u8>, ShareError> {
    let Some((version, data)) = value.split_once('.') else {
        return Err(ShareError::new(
            "This link is damaged: it lacks its version mark (\"v1.\"). Was it cut when it was copied?",
        ));
    };
    if version != VERSION {
        let newer = version
            .strip_prefix('v')
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| n > 1);
        return Err(ShareError::new(if newer {
            format!("This link was made by a newer etalon-web (link format {version}; this page reads {VERSION}): open it with a newer etalon-web.")
        } else {
            format!("This link has an unknown format (\"{}\"): it was not made by etalon-web, or it was changed.", version.chars().take(12).collect::<String>())
        }));
    }
    URL_SAFE_NO_PAD.decode(data.trim_end_matches('=')).map_err(|_| {
        ShareError::new(
            "This link is damaged: it holds characters an etalon-web link never has. Was it changed when it was copied?",
        )
    })
}

/// A deflated `v1.<base64url>` payload, inflated to at most `limit` bytes.
fn inflate(value: &str, limit: usize) -> Result<Vec<u8>, ShareError> {
    let compressed = decode(value)?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, limit).map_err(|e| {
        ShareError::new(if e.status == TINFLStatus::HasMoreOutput {
            format!("This link unpacks to more than {} KiB, more than any link etalon-web makes: it was not opened.", limit >> 10)
        } else {
            "This link is damaged: its data cannot be unpacked. Was it cut short when it was copied?".to_string()
        })
    })
}
