//! The app's addresses, one per screen: `/setup`, `/run`, `/results/<id>`,
//! `/compare?runs=<id>,<id>`, `/history`, `/demo`; `/` is the set-up. Paths,
//! not fragments: a link's fragment (`#result=...`) is the share links', and
//! stays on any path.

use super::entry::valid_run_id;

use crate::limits::MAX_COMPARED_RUNS as MAX_COMPARED;

/// Where an address points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Setup,
    Run,
    /// A kept run, or (no id) the run shown last: a shared or imported one.
    Results(Option<String>),
    /// The runs named in `?runs=` (none: the compare screen as it is).
    Compare(Vec<String>),
    History,
    Demo,
    /// An address the app does not know.
    Unknown,
}

impl Route {
    /// The route of `path` (below the app's base) and `query` (with or
    /// without its `?`).
    pub fn parse(path: &str, query: &str) -> Route {
        let path = path.trim_end_matches('/');
        let mut parts = path.trim_start_matches('/').splitn(2, '/');
        let first = parts.next().unwrap_or("");
        let rest = parts.next();
        match (first, rest) {
            ("" | "setup", None) => Route::Setup,
            ("run", None) => Route::Run,
            ("history", None) => Route::History,
            ("demo", None) => Route::Demo,
            ("results", None) => Route::Results(None),
            ("results", Some(id)) if valid_run_id(id) => Route::Results(Some(id.to_string())),
            ("compare", None) => Route::Compare(compared_ids(query)),
            _ => Route::Unknown,
        }
    }

    /// The address of this route (below the app's base).
    pub fn path(&self) -> String {
        match self {
            Route::Setup | Route::Unknown => "/setup".into(),
            Route::Run => "/run".into(),
            Route::History => "/history".into(),
            Route::Demo => "/demo".into(),
            Route::Results(None) => "/results".into(),
            Route::Results(Some(id)) => format!("/results/{id}"),
            Route::Compare(ids) if ids.is_empty() => "/compare".into(),
            Route::Compare(ids) => format!("/compare?runs={}", ids.join(",")),
        }
    }
}

/// The valid ids of `runs=` in `query`, each once, at most [`MAX_COMPARED`].
fn compared_ids(query: &str) -> Vec<String> {
    let query = query.trim_start_matches('?');
    let Some(runs) = query.split('&').find_map(|pair| pair.strip_prefix("runs=")) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = Vec::new();
    for id in runs.split([',', '+']).map(|id| id.replace("%2C", "")) {
        if valid_run_id(&id) && !ids.contains(&id) && ids.len() < MAX_COMPARED {
            ids.push(id);
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_has_an_address_that_reads_back() {
        for route in [
            Route::Setup,
            Route::Run,
            Route::History,
            Route::Demo,
            Route::Results(None),
            Route::Results(Some("m1abc-x7".into())),
            Route::Compare(vec![]),
            Route::Compare(vec!["a1".into(), "b2".into()]),
        ] {
            let path = route.path();
            let (path, query) = path.split_once('?').unwrap_or((&path, ""));
            assert_eq!(Route::parse(path, query), route, "{path}?{query}");
        }
        assert_eq!(Route::parse("/", ""), Route::Setup);
        assert_eq!(Route::parse("", ""), Route::Setup);
        assert_eq!(Route::parse("/history/", ""), Route::History);
    }

    #[test]
    fn odd_addresses_are_unknown_or_cleaned() {
        assert_eq!(Route::parse("/results/../etc", ""), Route::Unknown);
        assert_eq!(Route::parse("/results/a/b", ""), Route::Unknown);
        assert_eq!(Route::parse("/nowhere", ""), Route::Unknown);
        assert_eq!(
            Route::parse("/compare", "?x=1&runs=a1,a1,<b>,c3"),
            Route::Compare(vec!["a1".into(), "c3".into()])
        );
        let many: Vec<String> = (0..40).map(|i| format!("r{i}")).collect();
        let Route::Compare(ids) = Route::parse("/compare", &format!("runs={}", many.join(",")))
        else {
            panic!("not compare")
        };
        assert_eq!(ids.len(), MAX_COMPARED);
    }
}
