//! What a refusal the user reads must look like, shared by the fuzz targets
//! and the hostile corpus: one sentence, never Rust's debug text.

/// Whether `text` is a sentence: non-empty, starting with a capital letter
/// or a quote (a file's name), ending with '.', or with '?' or '"' (a
/// question, or a quote of the server's own words), with no Rust debug
/// text, and no brace outside what it quotes: the server's words (after
/// "The server said:"), a name in quotes, or a JSON token in backticks as
/// the JSON reader names one.
pub fn is_sentence(text: &str) -> bool {
    let first = text.chars().next();
    let starts = first.is_some_and(|c| c.is_uppercase() || c == '"');
    let ends = text.ends_with(['.', '?', '"']) && text.trim_end() == text;
    let ours = text
        .split(" The server said: \"")
        .next()
        .unwrap_or_default();
    let debug = ["Error(", "panicked", "unwrap", "Some(", "None)", "\\\""];
    let unquoted: String = ours
        .split('"')
        .step_by(2)
        .flat_map(|part| part.split('`').step_by(2))
        .collect();
    starts && ends && !debug.iter().any(|d| ours.contains(d)) && !unquoted.contains(['{', '}'])
}

#[test]
fn sentences_are_told_from_debug_text() {
    assert!(is_sentence("The server answered with a web page."));
    assert!(is_sentence("\"f.json\" is empty."));
    assert!(is_sentence("Was it cut when it was copied?"));
    assert!(is_sentence(
        "It failed. The server said: \"{\"a\":\"\\\"\"}\""
    ));
    assert!(is_sentence(
        "It is not valid (expected `,` or `}` at line 1)."
    ));
    for bad in [
        "",
        "lower case.",
        "No end",
        "Error(\"x\").",
        "It failed: Some(3).",
        "It failed: { code: 5 }.",
        "It failed: \\\"x\\\".",
        "Trailing space. ",
    ] {
        assert!(!is_sentence(bad), "{bad}");
    }
}
