//! Sharing runs: test links and result links in the URL fragment, files to
//! export (the recording, Etalon's `request_level_metrics.json`, a CSV of
//! requests), files to import, and the deltas between compared runs.
//!
//! Everything that comes from outside (a link, a file) is untrusted: it is
//! size-bounded before and after inflating, schema-checked (versions,
//! finite values, sane counts), and every failure is a [`ShareError`]
//! holding one sentence for the user, never a panic. Nothing shared holds
//! a secret: set-ups go through [`TestSetup::shareable`], and every link
//! and every exported file through [`shareable_recording`] (the
//! configuration scrubbed, the API key and secret header values redacted
//! wherever they appear).
//!
//! Modules: `link` (the fragment formats), `packed` (the compact binary
//! form of a recording a result link carries), `exact` (the precision of a
//! link's times, rounded to fit when the clock's does not, and which
//! requests travel more finely so that the figures stay the sender's),
//! `bytes` (varints),
//! `check` (the schema checks), `secrets`, `setup_changes` (what a test
//! link changes from a fresh set-up, for its banner), `export`, `import`,
//! `compare`.
//!
//! [`TestSetup::shareable`]: crate::plan::setup::TestSetup::shareable

mod bytes;
mod check;
mod compare;
mod exact;
mod export;
mod import;
mod link;
mod packed;
mod secrets;
mod setup_changes;
mod summary;

pub use check::{check_recording, check_setup};
pub use compare::{
    compare_runs, percent_change, tokens_arrived_by, typical_request, ComparedRun, Comparison,
    MetricDelta, COMPARED_METRICS,
};
pub use exact::{
    base64_chars, pack_faithfully, pack_to_fit, same_figures, TooLarge, PRECISIONS_NS,
};
pub use export::{
    etalon_file_name, etalon_json, export_file, requests_csv, requests_csv_name, ExportFile,
    ExportKind,
};
pub use import::{
    etalon_failure, import_file, is_etalon_file, probe, read_etalon_file, EtalonFile,
    EtalonRequest, FileShape, Imported, ImportedKind,
};
pub use link::{
    open_link, parse_fragment, result_link, test_link, OpenedLink, SharedLink, BASELINE_KEY,
    MAX_FRAGMENT_CHARS, MAX_READ_CHARS, RESULT_KEY, TEST_KEY,
};
pub use packed::{
    clock_quantum_ns, pack_run, pack_run_with, unpack_run, Packing, SharedRun, PACKED_VERSION,
};
pub use secrets::{shareable_config, shareable_endpoint, shareable_recording, shareable_setup};
pub use setup_changes::{setup_changes, SetupChange};
pub use summary::{
    read_summary, summary_link, RunSummary, SummaryCard, MAX_SAMPLE_REQUESTS, SUMMARY_KEY,
};

pub use crate::limits::MAX_INFLATED_BYTES;

pub use crate::limits::MAX_SETUP_BYTES;

pub use crate::limits::MAX_IMPORT_BYTES;

pub use crate::limits::MAX_REQUESTS;

pub use crate::limits::MAX_TOKENS;

/// Why a link or a file could not be read or made, in one sentence for
/// the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareError {
    pub message: String,
}

impl ShareError {
    pub fn new(message: impl Into<String>) -> Self {
        ShareError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ShareError {}
