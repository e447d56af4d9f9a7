//! Hostile or careless addresses and secrets (issue 19, items 4, 8, 9 and
//! 11): a `user:password@` never reaches a link, a message or an export; the
//! query secrets are a fixed list of names that never takes `max_tokens`;
//! only http(s) addresses are accepted, and a bad one is not echoed whole;
//! a secret that would break the recording's JSON is still removed.
#![cfg(not(target_arch = "wasm32"))]

use etalon_core::observe::failure::ServerKind;
use etalon_core::observe::failure::{cors_error, fetch_failure};
use etalon_core::plan::setup::TestSetup;
use etalon_core::recording::synthetic::SyntheticRun;
use etalon_core::recording::{ErrorKind, RequestError};
use etalon_core::share::{
    shareable_config, shareable_endpoint, shareable_recording, shareable_setup,
};
use etalon_core::wire::openai::{EndpointUrls, UrlProblem};

fn endpoint_problem(endpoint: &str) -> Option<String> {
    let setup = TestSetup {
        endpoint: endpoint.into(),
        ..TestSetup::default()
    };
    setup
        .problems()
        .into_iter()
        .find(|p| p.field == "endpoint")
        .map(|p| p.message)
}

// Item 4.

#[test]
fn an_address_with_user_info_is_refused_and_says_why() {
    for typed in [
        "https://bob:hunter2@api.example.com/v1",
        "http://bob@localhost:8000",
        "bob:hunter2@localhost:8000",
    ] {
        assert_eq!(
            EndpointUrls::from_typed(typed),
            Err(UrlProblem::UserInfo),
            "{typed}"
        );
        let message = endpoint_problem(typed).expect(typed);
        assert!(message.contains("user:password@"), "{message}");
        assert!(message.contains("API key"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
    // An @ in the path is not user info.
    assert!(EndpointUrls::from_typed("https://api.example.com/v1/@team").is_ok());
}

#[test]
fn failure_messages_never_repeat_user_info() {
    let url = "https://bob:hunter2@api.example.com/v1/chat/completions";
    let messages = [
        fetch_failure(url, Some("http://localhost:8080"), false).message,
        fetch_failure(url, Some("https://app.example"), true).message,
        fetch_failure(
            "http://bob:hunter2@10.0.0.5:8000/v1",
            Some("https://app.example"),
            false,
        )
        .message,
        cors_error(url, Some("http://localhost:8080"), ServerKind::Vllm).message,
    ];
    for message in messages {
        assert!(!message.contains("hunter2"), "{message}");
        assert!(!message.contains("bob"), "{message}");
        assert!(
            message.contains("https://api.example.com") || message.contains("http://10.0.0.5:8000"),
            "{message}"
        );
    }
}

#[test]
fn user_info_is_removed_wherever_an_address_is_written() {
    let mut setup = TestSetup {
        endpoint: "https://bob:hunter2@api.example.com/v1".into(),
        ..TestSetup::default()
    };
    assert_eq!(
        shareable_setup(&setup).endpoint,
        "https://api.example.com/v1"
    );
    setup.endpoint = "bob:hunter2@localhost:8000".into();
    assert_eq!(shareable_setup(&setup).endpoint, "localhost:8000");

    let mut recording = SyntheticRun {
        seed: 1,
        requests: 2,
        tokens_per_request: 3,
        stall_probability: 0.0,
    }
    .recording();
    recording.config = serde_json::json!({
        "setup": setup,
        "base": "http://bob:hunter2@10.0.0.5:8000/v1",
        "note": "called https://bob:hunter2@api.example.com/v1 twice",
    });
    recording.requests[0].error = Some(RequestError {
        kind: ErrorKind::Network,
        message:
            "The server could not be reached at https://bob:hunter2@api.example.com: check it."
                .into(),
        status: None,
    });
    let text = serde_json::to_string(&shareable_recording(&recording, &[])).unwrap();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        text.contains("reached at https://api.example.com: check it."),
        "{text}"
    );
    assert!(text.contains("http://10.0.0.5:8000/v1"), "{text}");
}

// Item 8.

#[test]
fn the_listed_query_secrets_are_emptied_case_insensitively() {
    for name in [
        "key",
        "api_key",
        "apikey",
        "api-key",
        "x-api-key",
        "token",
        "access_token",
        "sig",
        "signature",
        "auth",
        "code",
        "password",
        "secret",
        "Code",
        "SIG",
        "Api_Key",
    ] {
        let typed = format!("https://fn.example.net/api/v1?{name}=S3CRET-value&region=eu");
        let shared = shareable_endpoint(&typed);
        assert_eq!(
            shared,
            format!("https://fn.example.net/api/v1?{name}=&region=eu"),
            "{name}"
        );
    }
    // Percent-encoded names are recognised too.
    assert_eq!(
        shareable_endpoint("https://h.example/v1?api%5Fkey=abc"),
        "https://h.example/v1?api%5Fkey="
    );
}

#[test]
fn token_counts_and_ordinary_parameters_are_kept() {
    let typed = "https://h.example/v1?api-version=2024-10-21&max_tokens=64&max_completion_tokens=128&tokenizer=x&keyword=y&deployment=blue";
    assert_eq!(shareable_endpoint(typed), typed);

    let mut setup = TestSetup::default();
    for (name, value) in [
        ("max_tokens", serde_json::json!(64)),
        ("max_completion_tokens", serde_json::json!(128)),
        ("min_tokens", serde_json::json!(8)),
        ("skip_special_tokens", serde_json::json!(false)),
        ("top_k", serde_json::json!(5)),
        ("api_key", serde_json::json!("abc")),
        ("Password", serde_json::json!("pw")),
        ("sig", serde_json::json!("s")),
    ] {
        setup.request.extra_body.insert(name.into(), value);
    }
    let shared = shareable_setup(&setup);
    let kept: Vec<&str> = shared
        .request
        .extra_body
        .keys()
        .map(String::as_str)
        .collect();
    for name in [
        "max_tokens",
        "max_completion_tokens",
        "min_tokens",
        "skip_special_tokens",
        "top_k",
    ] {
        assert!(kept.contains(&name), "{name} dropped: {kept:?}");
    }
    for name in ["api_key", "Password", "sig"] {
        assert!(!kept.contains(&name), "{name} kept: {kept:?}");
    }
}

#[test]
fn a_configuration_keeps_token_settings_but_loses_listed_secrets() {
    let config = serde_json::json!({
        "extra": {"max_tokens": 64, "stop_token": "</s>", "code": "azure-fn-key", "sig": "sv-sig"},
        "headers": [{"name": "X-Api-Key", "value": "hdr-secret"}],
    });
    let text = shareable_config(&config).to_string();
    for secret in ["azure-fn-key", "sv-sig", "hdr-secret"] {
        assert!(!text.contains(secret), "{text}");
    }
    assert!(text.contains("64"), "{text}");
}

// Item 9.

#[test]
fn only_http_addresses_are_accepted() {
    for (typed, scheme) in [
        ("javascript:alert(1)", "javascript"),
        ("javascript:alert", "javascript"),
        ("data:x", "data"),
        ("data:text/html,<script>alert(1)</script>", "data"),
        ("file:///etc/passwd", "file"),
        ("ws://localhost:8000", "ws"),
        ("mailto:someone", "mailto"),
    ] {
        assert_eq!(
            EndpointUrls::from_typed(typed),
            Err(UrlProblem::UnsupportedScheme(scheme.into())),
            "{typed}"
        );
        let message = endpoint_problem(typed).expect(typed);
        assert!(message.contains("http://"), "{message}");
    }
    // A typed host:port still means http://, and a host alone https://.
    for (typed, base) in [
        ("localhost:8000", "http://localhost:8000/v1"),
        ("10.0.0.5:8000/v1", "http://10.0.0.5:8000/v1"),
        ("[::1]:8000", "http://[::1]:8000/v1"),
        ("api.example.com", "https://api.example.com/v1"),
    ] {
        assert_eq!(
            EndpointUrls::from_typed(typed).unwrap().base,
            base,
            "{typed}"
        );
    }
    // A port is digits.
    assert!(matches!(
        EndpointUrls::from_typed("http://localhost:abc"),
        Err(UrlProblem::BadHost(_))
    ));
}

#[test]
fn a_bad_address_is_never_echoed_whole() {
    let long_host = format!("evil{}", "<i>x".repeat(200));
    let typed = format!("https://{long_host}/v1/chat/completions?q=1");
    let message = endpoint_problem(&typed).unwrap();
    assert!(message.chars().count() < 300, "{message}");
    assert!(!message.contains("/v1/chat"), "{message}");
    assert!(message.contains("\"evil<i>x"), "{message}");
    assert!(message.contains('…'), "{message}");

    let long_scheme = format!("{}://host/v1", "x".repeat(500));
    let message = endpoint_problem(&long_scheme).unwrap();
    assert!(message.chars().count() < 300, "{message}");
}

// Item 11.

#[test]
fn a_secret_that_would_break_the_json_is_still_removed() {
    let mut recording = SyntheticRun {
        seed: 2,
        requests: 3,
        tokens_per_request: 4,
        stall_probability: 0.0,
    }
    .recording();
    recording.started_at_unix_ms = 1_712_345_678_000.0;
    // A digits-only key also appears inside a number; a key equal to a
    // field name appears as a JSON key. Replacing either in the JSON text
    // breaks it; the copy must not fall back to the unredacted messages.
    for secret in ["345678", "sent_at"] {
        let mut leaky = recording.clone();
        leaky.requests[0].error = Some(RequestError {
            kind: ErrorKind::HttpStatus,
            message: format!("Invalid key {secret}"),
            status: Some(401),
        });
        let shared = shareable_recording(&leaky, &[secret.to_string()]);
        let message = &shared.requests[0].error.as_ref().unwrap().message;
        assert_eq!(message, "Invalid key ***", "{secret}");
        // And the rest of the recording is intact.
        assert_eq!(shared.started_at_unix_ms, recording.started_at_unix_ms);
        assert_eq!(shared.requests.len(), 3);
        assert_eq!(shared.requests[1].sent_at, recording.requests[1].sent_at);
    }
}

#[test]
fn every_text_of_a_recording_is_redacted() {
    const KEY: &str = "sk-every-where-0042";
    let mut recording = SyntheticRun {
        seed: 4,
        requests: 1,
        tokens_per_request: 2,
        stall_probability: 0.0,
    }
    .recording();
    recording.environment.user_agent = format!("agent {KEY}");
    recording.config = serde_json::json!({ KEY: [format!("x{KEY}x")] });
    let request = &mut recording.requests[0];
    request.finish_reason = Some(format!("stop {KEY}"));
    request.protocol = Some(format!("h2 {KEY}"));
    request.error = Some(RequestError {
        kind: ErrorKind::ServerError,
        message: format!("echo {KEY}"),
        status: Some(500),
    });
    let text = serde_json::to_string(&shareable_recording(&recording, &[KEY.into()])).unwrap();
    assert!(!text.contains(KEY), "{text}");
    for kept in ["agent ***", "stop ***", "h2 ***", "echo ***", "x***x"] {
        assert!(text.contains(kept), "{kept}: {text}");
    }
}

/// A banner names a set-up's host, or at most 60 characters of an address
/// that is not usable: a link cannot write its own sentence there.
#[test]
fn a_banner_names_the_host_or_a_short_part_of_a_bad_address() {
    let setup = |endpoint: &str| TestSetup {
        endpoint: endpoint.into(),
        ..TestSetup::default()
    };
    assert_eq!(setup("http://127.0.0.1:8000/v1").host(), "127.0.0.1:8000");
    assert_eq!(
        setup("https://api.example.com/v1").host(),
        "api.example.com"
    );
    let sentence = format!(
        "javascript:{}",
        "Your account is locked, call us now. ".repeat(10)
    );
    let shown = setup(&sentence).host();
    assert!(shown.chars().count() <= 63, "{shown}");
    assert!(shown.ends_with("..."), "{shown}");
    assert!(sentence.starts_with(shown.trim_end_matches("...")));
}
