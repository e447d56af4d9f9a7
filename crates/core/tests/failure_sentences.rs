//! Every kind of failure gets a sentence a user can act on.

use etalon_core::observe::failure::{
    aborted_error, connection_lost, cors_advice, cors_error, fetch_failure, http_status_error,
    not_a_stream, server_error_event, stream_ended_early, timeout_error, NonStreamBody, ServerKind,
    TimeoutPhase,
};
use etalon_core::recording::ErrorKind;

#[test]
fn http_statuses_say_what_to_check_and_quote_the_server() {
    let cases = [
        (400, "rejected the request"),
        (401, "refused the API key"),
        (402, "payment"),
        (403, "refused access"),
        (404, "check the URL and model name"),
        (405, "/v1"),
        (408, "gave up waiting"),
        (413, "shorter prompt"),
        (422, "could not use the request"),
        (429, "lower the concurrency"),
        (500, "failed while answering"),
        (502, "gateway"),
        (503, "starting up"),
        (504, "gateway"),
        (507, "HTTP 507"),
        (418, "HTTP 418"),
    ];
    for (status, words) in cases {
        let error = http_status_error(status, None);
        assert_eq!(error.kind, ErrorKind::HttpStatus);
        assert_eq!(error.status, Some(status));
        assert!(error.message.contains(words), "{status}: {}", error.message);
        assert!(!error.message.contains("The server said"), "{status}");
    }
    let with_message = http_status_error(404, Some(" The model `x` does not exist. "));
    assert!(
        with_message
            .message
            .ends_with("The server said: \"The model `x` does not exist.\""),
        "{}",
        with_message.message
    );
    assert!(!http_status_error(401, Some("  ")).message.contains("said"));
}

#[test]
fn a_reachable_server_that_blocks_the_page_is_cors() {
    let error = fetch_failure(
        "http://localhost:11434/v1/chat/completions",
        Some("http://localhost:8080"),
        true,
    );
    assert_eq!(error.kind, ErrorKind::Cors);
    assert!(
        error.message.contains("http://localhost:11434"),
        "{}",
        error.message
    );
    assert!(
        error
            .message
            .contains("OLLAMA_ORIGINS=\"http://localhost:8080\""),
        "{}",
        error.message
    );
}

#[test]
fn an_unreachable_server_is_a_network_failure() {
    let error = fetch_failure(
        "http://10.0.0.9:8000/v1/chat/completions",
        Some("http://localhost:8080"),
        false,
    );
    assert_eq!(error.kind, ErrorKind::Network);
    assert!(
        error
            .message
            .contains("could not be reached at http://10.0.0.9:8000"),
        "{}",
        error.message
    );
}

#[test]
fn an_https_page_calling_plain_http_is_told_about_mixed_content() {
    let error = fetch_failure(
        "http://gpu-box:8000/v1/chat/completions",
        Some("https://etalon.example"),
        false,
    );
    assert_eq!(error.kind, ErrorKind::Network);
    assert!(error.message.contains("https"), "{}", error.message);
    // localhost is allowed from https pages: that is a plain network failure.
    let local = fetch_failure(
        "http://localhost:8000/v1/chat/completions",
        Some("https://etalon.example"),
        false,
    );
    assert!(
        local.message.contains("could not be reached"),
        "{}",
        local.message
    );
}

#[test]
fn cors_advice_names_each_servers_switch() {
    let page = Some("http://localhost:8080");
    let cases = [
        (
            ServerKind::Vllm,
            "--allowed-origins '[\"http://localhost:8080\"]'",
        ),
        (ServerKind::Sglang, "allows every page"),
        (ServerKind::LlamaCpp, "allows every page"),
        (
            ServerKind::Ollama,
            "OLLAMA_ORIGINS=\"http://localhost:8080\"",
        ),
        (ServerKind::Tgi, "--cors-allow-origin http://localhost:8080"),
        (
            ServerKind::Anthropic,
            "anthropic-dangerous-direct-browser-access: true",
        ),
        (ServerKind::OpenAi, "OpenAI allows browser pages"),
        (ServerKind::OpenRouter, "OpenRouter allows browser pages"),
        (
            ServerKind::HostedApi,
            "This hosted API allows browser pages",
        ),
        (ServerKind::Unknown, "OLLAMA_ORIGINS"),
    ];
    for (server, words) in cases {
        let advice = cors_advice(server, page);
        assert!(advice.contains(words), "{server:?}: {advice}");
    }
    assert!(cors_advice(ServerKind::Tgi, page).contains("API key empty"));
    assert!(cors_advice(ServerKind::Ollama, None).contains("this page's address"));
    let unknown = cors_advice(ServerKind::Unknown, page);
    for switch in [
        "--allowed-origins",
        "--cors-allow-origin",
        "anthropic-dangerous-direct-browser-access",
    ] {
        assert!(unknown.contains(switch), "{unknown}");
    }
}

#[test]
fn the_server_kind_is_guessed_from_the_address() {
    let cases = [
        ("https://api.openai.com/v1", ServerKind::OpenAi),
        ("https://api.anthropic.com/v1/", ServerKind::Anthropic),
        ("https://openrouter.ai/api/v1", ServerKind::OpenRouter),
        ("https://api.groq.com/openai/v1", ServerKind::HostedApi),
        ("https://api.together.xyz/v1", ServerKind::HostedApi),
        ("http://localhost:11434/v1", ServerKind::Ollama),
        ("http://127.0.0.1:30000", ServerKind::Sglang),
        ("http://localhost:8000/v1", ServerKind::Unknown),
        ("http://[::1]:8080/v1", ServerKind::Unknown),
        ("https://notopenai.com/v1", ServerKind::Unknown),
    ];
    for (url, kind) in cases {
        assert_eq!(ServerKind::guess_from_url(url), kind, "{url}");
    }
}

#[test]
fn cors_errors_carry_the_advice() {
    let error = cors_error(
        "https://api.anthropic.com/v1/chat/completions",
        None,
        ServerKind::Anthropic,
    );
    assert_eq!(error.kind, ErrorKind::Cors);
    assert!(
        error
            .message
            .starts_with("The server at https://api.anthropic.com is up"),
        "{}",
        error.message
    );
    assert!(error
        .message
        .contains("anthropic-dangerous-direct-browser-access"));
}

#[test]
fn timeouts_say_which_wait_ran_out() {
    let before = timeout_error(30.0, TimeoutPhase::WaitingForResponse);
    assert_eq!(before.kind, ErrorKind::Timeout);
    assert!(
        before
            .message
            .starts_with("No answer from the server within 30 s"),
        "{}",
        before.message
    );
    let first = timeout_error(2.5, TimeoutPhase::WaitingForFirstToken);
    assert!(
        first.message.contains("sent no token within 2.5 s"),
        "{}",
        first.message
    );
    let streaming = timeout_error(60.0, TimeoutPhase::Streaming { tokens_received: 1 });
    assert!(
        streaming.message.contains("the 1 token received"),
        "{}",
        streaming.message
    );
}

#[test]
fn aborts_server_errors_and_early_ends_have_their_kinds() {
    assert_eq!(aborted_error().kind, ErrorKind::Aborted);
    let server = server_error_event("out of memory ");
    assert_eq!(server.kind, ErrorKind::ServerError);
    assert!(
        server.message.ends_with("\"out of memory\""),
        "{}",
        server.message
    );
    let early = stream_ended_early(17, true);
    assert_eq!(early.kind, ErrorKind::MalformedStream);
    assert!(early
        .message
        .starts_with("The stream ended before the server said it was done"));
    assert!(early.message.contains("in the middle of an event"));
    assert!(early.message.contains("17 tokens received are kept"));
    assert!(!stream_ended_early(0, false).message.contains("middle"));
}

#[test]
fn non_streams_say_what_came_instead() {
    let json = not_a_stream(NonStreamBody::JsonCompletion, Some("application/json"));
    assert_eq!(json.kind, ErrorKind::NotAStream);
    assert!(json
        .message
        .starts_with("The server answered with a single JSON response instead of a stream"));
    assert!(json.message.contains("stream"));
    let page = not_a_stream(NonStreamBody::WebPage, Some("text/html; charset=utf-8"));
    assert!(
        page.message
            .contains("web page (\"text/html; charset=utf-8\")"),
        "{}",
        page.message
    );
    assert!(not_a_stream(NonStreamBody::Other, None)
        .message
        .contains("no content type"));
}

#[test]
fn a_connection_cut_mid_stream_is_a_network_failure_that_keeps_the_tokens() {
    let error = connection_lost(12);
    assert_eq!(error.kind, ErrorKind::Network);
    assert!(error
        .message
        .starts_with("The connection was cut while the answer was streaming"));
    assert!(
        error
            .message
            .contains("The 12 tokens received are kept in the recording (Export)"),
        "{}",
        error.message
    );
    assert!(connection_lost(1).message.contains("The 1 token received"));
}
