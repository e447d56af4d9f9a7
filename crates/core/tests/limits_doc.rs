//! docs/LIMITS.md lists every bound of `etalon_core::limits`, so that a
//! bound added in the code is written down for users too.
#![cfg(not(target_arch = "wasm32"))]

#[test]
fn every_bound_is_in_the_limits_doc() {
    let code = include_str!("../src/limits.rs");
    let doc = include_str!("../../../docs/LIMITS.md");
    let names: Vec<&str> = code
        .lines()
        .filter_map(|line| line.strip_prefix("pub const "))
        .filter_map(|rest| rest.split(':').next())
        .collect();
    assert!(names.len() >= 20, "{names:?}");
    let missing: Vec<&&str> = names
        .iter()
        .filter(|name| !doc.contains(&format!("| `{name}` |")))
        .collect();
    assert!(missing.is_empty(), "docs/LIMITS.md lacks {missing:?}");
}
