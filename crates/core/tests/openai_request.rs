//! Request bodies and endpoint URLs.

use etalon_core::wire::openai::request::request_body_text;
use etalon_core::wire::openai::{
    request_body, Api, ChatMessage, EndpointUrls, Prompt, RequestSettings, UrlProblem,
};
use serde_json::{json, Map, Value};

fn settings() -> RequestSettings {
    RequestSettings {
        model: "llama".into(),
        max_tokens: Some(128),
        temperature: Some(0.0),
        seed: Some(7),
        ..RequestSettings::default()
    }
}

#[test]
fn a_chat_body_streams_and_asks_for_usage() {
    let body = request_body(&settings(), &"Hello".into());
    assert_eq!(
        body,
        json!({
            "model": "llama",
            "messages": [{"role": "user", "content": "Hello"}],
            "max_tokens": 128,
            "temperature": 0.0,
            "seed": 7,
            "stream": true,
            "stream_options": {"include_usage": true},
        })
    );
}

#[test]
fn a_completions_body_has_a_prompt() {
    let settings = RequestSettings {
        api: Api::Completions,
        ..settings()
    };
    let body = request_body(&settings, &"Once upon".into());
    assert_eq!(body["prompt"], "Once upon");
    assert!(body.get("messages").is_none());
    assert_eq!(body["stream"], true);
}

#[test]
fn a_conversation_goes_whole_to_chat_and_joined_to_completions() {
    let prompt = Prompt::Messages(vec![
        ChatMessage {
            role: "system".into(),
            content: "Be brief.".into(),
        },
        ChatMessage::user("Hi"),
    ]);
    let chat = request_body(&settings(), &prompt);
    assert_eq!(chat["messages"][0]["role"], "system");
    assert_eq!(chat["messages"][1]["content"], "Hi");
    let completions = request_body(
        &RequestSettings {
            api: Api::Completions,
            ..settings()
        },
        &prompt,
    );
    assert_eq!(completions["prompt"], "Be brief.\n\nHi");
}

#[test]
fn unset_options_are_left_out() {
    let settings = RequestSettings {
        model: "m".into(),
        ..RequestSettings::default()
    };
    let body = request_body(&settings, &"x".into());
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["messages", "model", "stream", "stream_options"]);
}

#[test]
fn server_specific_options_are_sent_when_asked() {
    let settings = RequestSettings {
        continuous_usage_stats: true,
        ignore_eos: true,
        min_tokens: Some(128),
        ..settings()
    };
    let body = request_body(&settings, &"x".into());
    assert_eq!(
        body["stream_options"],
        json!({"include_usage": true, "continuous_usage_stats": true})
    );
    assert_eq!(body["ignore_eos"], true);
    assert_eq!(body["min_tokens"], 128);
}

#[test]
fn without_usage_there_are_no_stream_options() {
    let settings = RequestSettings {
        include_usage: false,
        ..settings()
    };
    assert!(request_body(&settings, &"x".into())
        .get("stream_options")
        .is_none());
}

#[test]
fn the_users_extra_json_wins_and_null_removes() {
    let mut extra = Map::new();
    extra.insert("temperature".into(), json!(0.7));
    extra.insert("top_p".into(), json!(0.9));
    extra.insert("stream_options".into(), Value::Null);
    extra.insert("max_completion_tokens".into(), json!(64));
    let settings = RequestSettings {
        extra_body: extra,
        ..settings()
    };
    let body = request_body(&settings, &"x".into());
    assert_eq!(body["temperature"], 0.7);
    assert_eq!(body["top_p"], 0.9);
    assert_eq!(body["max_completion_tokens"], 64);
    assert!(body.get("stream_options").is_none());
    assert_eq!(body["stream"], true);
}

#[test]
fn the_body_text_is_the_same_json() {
    let text = request_body_text(&settings(), &"x".into());
    let parsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed, request_body(&settings(), &"x".into()));
}

#[test]
fn settings_round_trip_and_fill_defaults() {
    let settings: RequestSettings =
        serde_json::from_str(r#"{"model": "m", "api": "completions"}"#).unwrap();
    assert_eq!(settings.api, Api::Completions);
    assert!(settings.include_usage);
    let text = serde_json::to_string(&settings).unwrap();
    assert_eq!(
        serde_json::from_str::<RequestSettings>(&text).unwrap(),
        settings
    );
}

fn urls(typed: &str) -> EndpointUrls {
    EndpointUrls::from_typed(typed).unwrap()
}

#[test]
fn a_base_url_with_or_without_slash_or_v1_gives_the_same_endpoints() {
    for typed in [
        "http://localhost:8000",
        "http://localhost:8000/",
        "http://localhost:8000/v1",
        "http://localhost:8000/v1/",
        " http://localhost:8000/v1/chat/completions ",
        "localhost:8000",
    ] {
        let urls = urls(typed);
        assert_eq!(
            urls.chat_completions(),
            "http://localhost:8000/v1/chat/completions",
            "{typed}"
        );
        assert_eq!(
            urls.completions(),
            "http://localhost:8000/v1/completions",
            "{typed}"
        );
        assert_eq!(urls.models(), "http://localhost:8000/v1/models", "{typed}");
        assert_eq!(urls.origin(), "http://localhost:8000", "{typed}");
    }
}

#[test]
fn hosted_bases_keep_their_path() {
    assert_eq!(
        urls("https://openrouter.ai/api/v1").chat_completions(),
        "https://openrouter.ai/api/v1/chat/completions"
    );
    assert_eq!(
        urls("https://api.groq.com/openai").models(),
        "https://api.groq.com/openai/v1/models"
    );
    assert_eq!(
        urls("https://generativelanguage.googleapis.com/v1beta/openai/").chat_completions(),
        "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions"
    );
    assert_eq!(
        urls("api.openai.com").models(),
        "https://api.openai.com/v1/models"
    );
    assert_eq!(
        urls("https://api.openai.com/v1/models").origin(),
        "https://api.openai.com"
    );
}

#[test]
fn a_query_string_is_kept_on_every_endpoint() {
    let urls = urls("https://example.test/openai/v1?api-version=2024-10-21");
    assert_eq!(
        urls.chat_completions(),
        "https://example.test/openai/v1/chat/completions?api-version=2024-10-21"
    );
    assert_eq!(
        urls.for_api(Api::Completions),
        "https://example.test/openai/v1/completions?api-version=2024-10-21"
    );
}

#[test]
fn unusable_addresses_are_refused_with_a_reason() {
    assert_eq!(EndpointUrls::from_typed("  "), Err(UrlProblem::Empty));
    let problem = EndpointUrls::from_typed("ftp://host/v1").unwrap_err();
    assert_eq!(problem, UrlProblem::UnsupportedScheme("ftp".into()));
    assert!(problem.to_string().contains("http://"));
}
