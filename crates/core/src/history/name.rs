//! A kept run's name: the default one, and what a rename may hold.

use crate::present::report::run_caption;
use crate::recording::Recording;

pub use crate::limits::MAX_RUN_NAME_CHARS as MAX_NAME_CHARS;

/// A run's name until the user renames it: its caption ("20 requests to
/// model "x" at ...").
pub fn default_name(recording: &Recording) -> String {
    let caption = run_caption(recording);
    caption.chars().take(MAX_NAME_CHARS).collect()
}

/// `typed` as a name: trimmed, control characters turned into spaces; an
/// empty or too long name gets a sentence.
pub fn checked_name(typed: &str) -> Result<String, String> {
    let name: String = typed
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if name.is_empty() {
        return Err("A name needs at least one letter or digit.".into());
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(format!(
            "A name may hold at most {MAX_NAME_CHARS} characters; this one has {chars}."
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            checked_name("  before\tthe fix \n").unwrap(),
            "before the fix"
        );
        assert!(checked_name("   ").unwrap_err().contains("at least one"));
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert!(checked_name(&long).unwrap_err().contains("121"));
        assert_eq!(
            checked_name(&"é".repeat(MAX_NAME_CHARS))
                .unwrap()
                .chars()
                .count(),
            MAX_NAME_CHARS
        );
    }
}
