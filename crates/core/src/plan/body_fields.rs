//! The advanced request fields of a set-up, in plain words, and what its
//! extra body fields may not set: a field the set-up writes itself (model,
//! prompt, stream, output length, the advanced fields) would be overridden
//! where nobody sees it, and several answers in one stream break the
//! measurement and multiply the cost.

use serde_json::{Map, Value};

use crate::wire::openai::RequestSettings;

/// The set-up's names for its advanced request fields: the set-up screen's
/// labels, its problem sentences and a link's banner all use these.
pub const TEMPERATURE_LABEL: &str = "Temperature";
pub const SAMPLING_SEED_LABEL: &str = "Server's random seed";
pub const IGNORE_EOS_LABEL: &str = "Keep generating past the end of the answer";
pub const MIN_TOKENS_LABEL: &str = "Never stop before the output length";
pub const INCLUDE_USAGE_LABEL: &str = "Ask for token counts at the end of each answer";
pub const CONTINUOUS_USAGE_LABEL: &str = "Ask for token counts on every chunk";
pub const EXTRA_BODY_LABEL: &str = "Extra body fields (JSON)";

/// What to use instead of a body field the set-up writes itself, or `None`
/// when the extra body fields may set `name`.
pub fn field_to_use_instead(name: &str) -> Option<String> {
    let quoted = |label: &str| format!("use \"{label}\" in the advanced request fields");
    Some(match name {
        "model" => "choose it in the Model field".into(),
        "messages" | "prompt" => {
            "the test writes every prompt itself, at the length set under Workload".into()
        }
        "stream" => "every request of a test is streamed, so that each token can be timed".into(),
        "stream_options" | "include_usage" => format!(
            "use \"{INCLUDE_USAGE_LABEL}\" and \"{CONTINUOUS_USAGE_LABEL}\" in the advanced request fields"
        ),
        "continuous_usage_stats" => quoted(CONTINUOUS_USAGE_LABEL),
        "max_tokens" | "max_completion_tokens" => "set the Output length under Workload".into(),
        "temperature" => quoted(TEMPERATURE_LABEL),
        "seed" => quoted(SAMPLING_SEED_LABEL),
        "ignore_eos" => quoted(IGNORE_EOS_LABEL),
        "min_tokens" => quoted(MIN_TOKENS_LABEL),
        _ => return None,
    })
}

/// Body fields that ask for several answers to one request.
const ANSWER_COUNTS: [&str; 2] = ["n", "best_of"];

/// Why the extra body fields cannot be sent as they are, one sentence per
/// field; empty when they can.
pub fn extra_body_problems(extra_body: &Map<String, Value>) -> Vec<String> {
    extra_body
        .iter()
        .filter_map(|(name, value)| {
            let shown = shown_name(name);
            if let Some(instead) = field_to_use_instead(name) {
                return Some(format!(
                    "The extra body fields cannot set \"{shown}\": {instead}."
                ));
            }
            let one_answer = value.is_null() || value.as_f64() == Some(1.0);
            (ANSWER_COUNTS.contains(&name.as_str()) && !one_answer).then(|| {
                format!(
                    "The extra body fields cannot set \"{shown}\" to {}: a test measures one answer \
                     per request, and several in one stream would mix their tokens and multiply the cost.",
                    shown_value(value)
                )
            })
        })
        .collect()
}

/// The extra body fields typed as `text`: a JSON object (empty text is no
/// field), or one sentence saying what is wrong with it.
pub fn parse_extra_body(text: &str) -> Result<Map<String, Value>, String> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(other) => Err(format!(
            "The extra body fields must be a JSON object in braces, like {{\"top_k\": 5}}, not {}.",
            json_kind(&other)
        )),
        Err(e) => Err(format!(
            "The extra body fields are not valid JSON ({e}): write an object like {{\"top_k\": 5}}."
        )),
    }
}

/// The extra body fields as the text area shows them.
pub fn extra_body_text(extra_body: &Map<String, Value>) -> String {
    if extra_body.is_empty() {
        String::new()
    } else {
        serde_json::to_string_pretty(extra_body).unwrap_or_default()
    }
}

/// Whether any advanced request field differs from a fresh page's: the
/// set-up screen then opens their section by itself.
pub fn advanced_fields_set(request: &RequestSettings) -> bool {
    let fresh = RequestSettings::default();
    request.temperature != fresh.temperature
        || request.seed != fresh.seed
        || request.ignore_eos != fresh.ignore_eos
        || request.min_tokens.is_some() != fresh.min_tokens.is_some()
        || request.include_usage != fresh.include_usage
        || request.continuous_usage_stats != fresh.continuous_usage_stats
        || request.extra_body != fresh.extra_body
}

/// Characters of a name or a value a problem sentence repeats.
const SHOWN_CHARS: usize = 40;

fn shown_name(name: &str) -> String {
    cut(name, SHOWN_CHARS)
}

fn shown_value(value: &Value) -> String {
    cut(&value.to_string(), SHOWN_CHARS)
}

/// `text` cut to at most `most` characters, with "..." where it was cut.
fn cut(text: &str, most: usize) -> String {
    match text.char_indices().nth(most) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "a list",
        Value::String(_) => "a text",
        Value::Number(_) => "a number",
        Value::Bool(_) => "true or false",
        Value::Null => "null",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn every_field_the_request_body_writes_is_refused() {
        let settings = RequestSettings {
            model: "m".into(),
            max_tokens: Some(8),
            temperature: Some(0.5),
            seed: Some(3),
            include_usage: true,
            continuous_usage_stats: true,
            ignore_eos: true,
            min_tokens: Some(8),
            ..RequestSettings::default()
        };
        for api in [
            crate::wire::openai::Api::ChatCompletions,
            crate::wire::openai::Api::Completions,
        ] {
            let body = crate::wire::openai::request_body(
                &RequestSettings {
                    api,
                    ..settings.clone()
                },
                &"x".into(),
            );
            for name in body.as_object().unwrap().keys() {
                assert!(field_to_use_instead(name).is_some(), "{name} is allowed");
            }
        }
        assert!(field_to_use_instead("max_completion_tokens").is_some());
        assert!(field_to_use_instead("top_k").is_none());
    }

    #[test]
    fn one_answer_per_request_is_allowed_and_more_is_refused() {
        assert!(
            extra_body_problems(&fields(json!({"n": 1, "best_of": 1.0, "top_k": 5}))).is_empty()
        );
        let problems = extra_body_problems(&fields(json!({"n": 7, "best_of": "2"}))).join(" ");
        assert!(
            problems.contains("\"best_of\" to \"2\": a test"),
            "{problems}"
        );
        assert!(problems.contains("\"n\" to 7: a test"), "{problems}");
    }

    #[test]
    fn an_owned_field_names_the_field_to_use() {
        let model = extra_body_problems(&fields(json!({"model": "hidden-model"})));
        assert_eq!(
            model,
            ["The extra body fields cannot set \"model\": choose it in the Model field."]
        );
        let stream = extra_body_problems(&fields(json!({"stream": null})));
        assert!(
            stream[0].contains("every request of a test is streamed"),
            "{stream:?}"
        );
    }

    #[test]
    fn the_text_must_be_an_object() {
        assert_eq!(parse_extra_body("  ").unwrap(), Map::new());
        assert_eq!(
            parse_extra_body("{\"top_k\": 5}").unwrap(),
            fields(json!({"top_k": 5}))
        );
        let list = parse_extra_body("[1]").unwrap_err();
        assert!(list.ends_with("not a list."), "{list}");
        let broken = parse_extra_body("{top_k: 5}").unwrap_err();
        assert!(
            broken.starts_with("The extra body fields are not valid JSON ("),
            "{broken}"
        );
        assert_eq!(
            parse_extra_body(&extra_body_text(&fields(json!({"a": [1, 2]})))).unwrap(),
            fields(json!({"a": [1, 2]}))
        );
    }

    #[test]
    fn a_long_name_is_cut_in_its_sentence() {
        let long = "n".repeat(500);
        let mut extra = Map::new();
        extra.insert("model".into(), json!("x".repeat(500)));
        extra.insert("n".into(), json!(long));
        for problem in extra_body_problems(&extra) {
            assert!(problem.len() < 300, "{problem}");
        }
    }

    #[test]
    fn the_section_opens_when_an_advanced_field_is_set() {
        let fresh = RequestSettings::default();
        assert!(!advanced_fields_set(&fresh));
        assert!(!advanced_fields_set(&RequestSettings {
            model: "other".into(),
            max_tokens: Some(5),
            ..fresh.clone()
        }));
        assert!(advanced_fields_set(&RequestSettings {
            min_tokens: Some(1),
            ..fresh.clone()
        }));
        assert!(advanced_fields_set(&RequestSettings {
            include_usage: false,
            ..fresh
        }));
    }
}
