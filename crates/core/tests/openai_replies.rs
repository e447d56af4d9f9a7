//! Error bodies, model lists and single (non-stream) completions.

use etalon_core::wire::openai::reply::parse_single_response;
use etalon_core::wire::openai::{parse_models, server_message_from_body, ModelEntry, Usage};

#[test]
fn error_bodies_of_every_server_give_their_message() {
    let cases = [
        (
            r#"{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","code":"invalid_api_key"}}"#,
            "Incorrect API key provided.",
        ),
        (
            r#"{"error":"Model not loaded","error_type":"generation"}"#,
            "Model not loaded",
        ),
        (
            r#"{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","param":null,"code":404}"#,
            "The model `x` does not exist.",
        ),
        (r#"{"detail":"Not Found"}"#, "Not Found"),
        (
            r#"{"detail":[{"loc":["body","messages"],"msg":"Field required","type":"missing"}]}"#,
            "body.messages: Field required",
        ),
        (
            r#"{"error":{"code":401,"message":"Invalid API Key","type":"authentication_error"}}"#,
            "Invalid API Key",
        ),
        (
            r#"{"error":{"message":"Provider returned error","code":429,"metadata":{"raw":"rate limited"}}}"#,
            "Provider returned error",
        ),
        (
            r#"{"error":{"code":"rate_limit","detail":"slow down"}}"#,
            "slow down",
        ),
        (
            "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            "502 Bad Gateway",
        ),
        (
            "<html><body><h1>Service Unavailable</h1></body></html>",
            "Service Unavailable",
        ),
        (
            "  model is loading, retry later \n",
            "model is loading, retry later",
        ),
        (r#""just a string""#, "just a string"),
    ];
    for (body, message) in cases {
        assert_eq!(
            server_message_from_body(body).as_deref(),
            Some(message),
            "{body}"
        );
    }
}

#[test]
fn empty_or_messageless_bodies_give_none() {
    assert_eq!(server_message_from_body(""), None);
    assert_eq!(server_message_from_body("  \n"), None);
    assert_eq!(server_message_from_body(r#"{"ok":false}"#), None);
    assert_eq!(server_message_from_body("<html></html>"), None);
}

#[test]
fn long_messages_are_shortened() {
    let body = format!(r#"{{"error":"{}"}}"#, "é".repeat(5000));
    let message = server_message_from_body(&body).unwrap();
    assert!(message.chars().count() <= 403, "{}", message.len());
    assert!(message.ends_with("..."));
}

fn ids(models: &[ModelEntry]) -> Vec<&str> {
    models.iter().map(|m| m.id.as_str()).collect()
}

#[test]
fn the_openai_model_list_is_read() {
    let body = r#"{"object":"list","data":[{"id":"meta-llama/Llama-3.1-8B","object":"model","owned_by":"vllm","max_model_len":8192},{"id":"steady","object":"model"}]}"#;
    let models = parse_models(body).unwrap();
    assert_eq!(ids(&models), ["meta-llama/Llama-3.1-8B", "steady"]);
    assert_eq!(models[0].context_length, Some(8192));
    assert_eq!(models[1].context_length, None);
}

#[test]
fn ollama_and_llama_cpp_lists_are_read_without_duplicates() {
    let ollama = r#"{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","size":1}]}"#;
    assert_eq!(ids(&parse_models(ollama).unwrap()), ["llama3.2:latest"]);
    let llama_cpp = r#"{"models":[{"name":"qwen.gguf","model":"qwen.gguf"}],"object":"list","data":[{"id":"qwen.gguf","object":"model","meta":{"n_ctx_train":32768}}]}"#;
    assert_eq!(ids(&parse_models(llama_cpp).unwrap()), ["qwen.gguf"]);
}

#[test]
fn bare_arrays_single_objects_and_empty_lists_are_read() {
    assert_eq!(
        ids(&parse_models(r#"[{"id":"a"},"b"]"#).unwrap()),
        ["a", "b"]
    );
    assert_eq!(
        ids(&parse_models(r#"{"model_id":"bigscience/bloom","max_total_tokens":2048}"#).unwrap()),
        ["bigscience/bloom"]
    );
    assert_eq!(parse_models(r#"{"object":"list","data":[]}"#).unwrap(), []);
    assert_eq!(
        ids(
            &parse_models(r#"{"data":[{"id":"x","context_length":4096},{"object":"model"}]}"#)
                .unwrap()
        ),
        ["x"]
    );
}

#[test]
fn what_is_not_a_model_list_gives_none() {
    assert_eq!(parse_models("<html>"), None);
    assert_eq!(parse_models(r#"{"error":"nope"}"#), None);
    assert_eq!(parse_models("42"), None);
}

#[test]
fn a_single_json_completion_is_recognised() {
    let body = r#"{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#;
    let single = parse_single_response(body).unwrap();
    assert_eq!(single.finish_reason.as_deref(), Some("stop"));
    assert_eq!(
        single.usage,
        Some(Usage {
            prompt_tokens: Some(3),
            completion_tokens: Some(2)
        })
    );
    assert_eq!(parse_single_response(r#"{"error":"x"}"#), None);
    assert_eq!(parse_single_response("data: {}"), None);
}

#[test]
fn a_model_list_gives_each_models_description_cut_at_its_bound() {
    let long = "x".repeat(1000);
    let body = serde_json::json!({"object": "list", "data": [
        {"id": "jitter", "etalon_description": "Tokens with a random spread around 50 ms."},
        {"id": "openrouter/x", "description": long},
        {"id": "plain"},
    ]})
    .to_string();
    let models = parse_models(&body).unwrap();
    assert_eq!(
        models[0].description.as_deref(),
        Some("Tokens with a random spread around 50 ms.")
    );
    let cut = models[1].description.as_deref().unwrap();
    assert_eq!(
        cut.chars().count(),
        etalon_core::wire::openai::MAX_MODEL_DESCRIPTION_CHARS + 1
    );
    assert!(cut.ends_with('…'));
    assert_eq!(models[2].description, None);
}
