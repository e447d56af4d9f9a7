//! A test link can carry only what the set-up shows: a link setting the
//! advanced request fields and extra body fields opens with each of them
//! listed for its banner, and the extra body fields that would override
//! what the set-up shows (the model, several answers per request) are set-up
//! problems that stop the run.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::plan::prepare::PreparedRun;
use etalon_core::plan::setup::{HeaderSetting, TestSetup};
use etalon_core::share::{open_link, setup_changes, test_link, SetupChange, SharedLink};
use serde_json::json;

/// The set-up a link like the carries, opened as a page opens it.
fn opened(extra_body: serde_json::Value) -> TestSetup {
    let mut setup = TestSetup::default();
    setup.request.model = "shown-model".into();
    setup.request.temperature = Some(0.7);
    setup.request.ignore_eos = true;
    setup.request.min_tokens = Some(40);
    setup.request.extra_body = extra_body.as_object().unwrap().clone();
    let fragment = test_link(&setup, None, &[]).unwrap();
    match open_link(&fragment).unwrap().unwrap().link {
        SharedLink::Test { setup, .. } => *setup,
        other => panic!("{other:?}"),
    }
}

fn listed<'a>(changes: &'a [SetupChange], field: &str) -> &'a SetupChange {
    changes
        .iter()
        .find(|c| c.field == field)
        .unwrap_or_else(|| panic!("{field} is not listed: {changes:?}"))
}

#[test]
fn a_hidden_model_and_seven_answers_are_refused_and_listed() {
    let setup = opened(json!({"model": "hidden-model", "n": 7}));
    let problems = setup.problems();
    let refused: Vec<&str> = problems
        .iter()
        .filter(|p| p.field == "extra_body")
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(refused.len(), 2, "{problems:?}");
    assert!(refused
        .iter()
        .any(|m| m.contains("\"model\"") && m.contains("Model field")));
    assert!(refused
        .iter()
        .any(|m| m.contains("\"n\" to 7") && m.contains("one answer per request")));
    assert!(PreparedRun::new(&setup, "", None).is_err());

    let changes = setup_changes(&setup);
    let model = listed(&changes, "request.model");
    assert_eq!(model.value, "shown-model");
    let hidden = listed(&changes, "extra_body.model");
    assert_eq!(
        (hidden.label.as_str(), hidden.value.as_str()),
        ("Extra body field \"model\"", "\"hidden-model\"")
    );
    assert!(hidden.literal && model.literal);
    assert_eq!(listed(&changes, "extra_body.n").value, "7");
    assert_eq!(listed(&changes, "request.temperature").value, "0.7");
    let ignore_eos = listed(&changes, "request.ignore_eos");
    assert_eq!(
        (ignore_eos.label.as_str(), ignore_eos.value.as_str()),
        ("Keep generating past the end of the answer", "on")
    );
    assert!(!ignore_eos.literal);
    assert_eq!(listed(&changes, "request.min_tokens").value, "on");
}

#[test]
fn an_allowed_extra_field_runs_and_is_listed() {
    let setup = opened(json!({"top_k": 5, "n": 1}));
    assert_eq!(setup.problems(), vec![]);
    assert!(PreparedRun::new(&setup, "", None).is_ok());
    let changes = setup_changes(&setup);
    assert_eq!(listed(&changes, "extra_body.top_k").value, "5");
    assert_eq!(listed(&changes, "extra_body.n").value, "1");
}

#[test]
fn every_field_the_set_up_owns_is_refused_with_the_field_to_use() {
    for name in [
        "model",
        "messages",
        "prompt",
        "stream",
        "stream_options",
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "seed",
        "ignore_eos",
        "min_tokens",
    ] {
        let mut setup = TestSetup::default();
        setup.request.extra_body.insert(name.into(), json!(null));
        let problems = setup.problems();
        assert_eq!(problems.len(), 1, "{name}: {problems:?}");
        let problem = &problems[0];
        assert_eq!(problem.field, "extra_body");
        assert!(
            problem
                .message
                .starts_with(&format!("The extra body fields cannot set \"{name}\": ")),
            "{name}: {}",
            problem.message
        );
        assert!(problem.message.ends_with('.'), "{}", problem.message);
    }
}

#[test]
fn text_that_is_not_an_object_is_a_problem_until_it_is_fixed() {
    let mut setup = TestSetup::default();
    setup.type_extra_body("{\"top_k\": 5}");
    setup.type_extra_body("[\"top_k\", 5]");
    assert_eq!(setup.request.extra_body["top_k"], 5);
    assert_eq!(setup.extra_body_text(), "[\"top_k\", 5]");
    let problems = setup.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "extra_body");
    assert!(PreparedRun::new(&setup, "", None).is_err());
    // The text typed is never shared.
    let link = test_link(&setup, None, &[]).unwrap();
    let SharedLink::Test { setup: shared, .. } = open_link(&link).unwrap().unwrap().link else {
        panic!("not a test link");
    };
    assert_eq!(shared.unread_extra_body, None);

    setup.type_extra_body("");
    assert_eq!(setup.problems(), vec![]);
    assert!(setup.request.extra_body.is_empty());
}

#[test]
fn a_negative_temperature_is_a_problem() {
    let mut setup = TestSetup::default();
    setup.request.temperature = Some(-0.5);
    let fields: Vec<&str> = setup.problems().iter().map(|p| p.field).collect();
    assert_eq!(fields, ["temperature"]);
}

#[test]
fn the_listing_never_shows_a_secret() {
    let mut setup = TestSetup::default();
    setup.headers.push(HeaderSetting {
        name: "Authorization".into(),
        value: "Bearer sk-never-shown".into(),
        secret: false,
    });
    let text = format!("{:?}", setup_changes(&setup));
    assert!(!text.contains("sk-never-shown"), "{text}");
    assert!(text.contains("secret, not shown"), "{text}");
}
