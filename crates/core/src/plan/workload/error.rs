//! What is wrong with a workload or a trace, said as one sentence a user can
//! act on.

use std::fmt;

/// A workload that cannot be planned, or a trace that cannot be read. The
/// text is a whole sentence for the setup screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadError(pub String);

impl WorkloadError {
    pub(crate) fn new(sentence: impl Into<String>) -> Self {
        WorkloadError(sentence.into())
    }
}

impl fmt::Display for WorkloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WorkloadError {}
