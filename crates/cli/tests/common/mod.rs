//! What the command-line tests share.

use std::process::Output;

/// Exit code 2 and one sentence naming the file and the problem; never a
/// panic or an abort, and nothing on stdout.
pub fn refused(output: &Output, path: &str, problem: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one sentence: {stderr}"
    );
    assert!(stderr.contains(path), "names the file: {stderr}");
    assert!(stderr.contains(problem), "says `{problem}`: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.stdout.is_empty());
}
