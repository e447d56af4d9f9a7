//! The OpenAI protocol as the testbed speaks it: models, errors, chunk shapes.
use super::support::*;
use serde_json::json;

#[tokio::test]
async fn health_and_models_list_every_profile() {
    let testbed = Testbed::start(&[]);
    assert_eq!(testbed.get("/health").await.status, 200);
    let models = testbed.get("/v1/models").await.json();
    assert_eq!(models["object"], "list");
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    for name in [
        "steady",
        "jitter",
        "stalls",
        "multi-token",
        "prefill",
        "bursts",
        "reasoning",
        "rate-limited",
        "server-error",
        "drop-mid-stream",
        "garbage",
        "invalid-utf8",
        "error-event",
        "never-ends",
        "no-finish",
    ] {
        assert!(ids.contains(&name), "{name} missing from {ids:?}");
    }
    for model in models["data"].as_array().unwrap() {
        assert_eq!(model["object"], "model");
        assert_eq!(model["owned_by"], "etalon-testbed");
        assert!(model["etalon_description"]
            .as_str()
            .unwrap()
            .contains("Defaults:"));
    }
}

#[tokio::test]
async fn unknown_model_is_a_404_naming_the_valid_ones() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post("/v1/chat/completions", &chat("gpt-4o", 5), PATIENCE)
        .await;
    assert_eq!(answer.status, 404);
    let error = &answer.json()["error"];
    assert_eq!(error["type"], "invalid_request_error");
    assert_eq!(error["code"], "model_not_found");
    assert!(error["message"].as_str().unwrap().contains("steady"));
    let bad = testbed
        .post(
            "/v1/chat/completions",
            &chat("steady@rate=zero", 5),
            PATIENCE,
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("rate"));
}

#[tokio::test]
async fn steady_chat_stream_has_the_openai_shape() {
    let testbed = Testbed::start(&[]);
    let answer = testbed
        .post(
            "/v1/chat/completions",
            &chat("steady@rate=1000", 5),
            PATIENCE,
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-type").as_deref(),
        Some("text/event-stream")
    );
    assert_eq!(answer.end, BodyEnd::Clean);
    let chunks = answer.chunks();
    let first = &chunks[0].1;
    assert_eq!(first["object"], "chat.completion.chunk");
    assert_eq!(first["choices"][0]["delta"]["role"], "assistant");
    assert_eq!(chunk_text(first), "");
    let text: String = answer
        .text_chunks()
        .iter()
        .map(|(_, c)| chunk_text(c))
        .collect();
    assert_eq!(text, "Alice was beginning to get");
    let finish = &chunks[chunks.len() - 2].1;
    assert_eq!(finish["choices"][0]["finish_reason"], "length");
    let usage = &chunks[chunks.len() - 1].1;
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(
        usage["usage"],
        json!({"prompt_tokens": 4, "completion_tokens": 5, "total_tokens": 9})
    );
    assert!(chunks.iter().all(|(_, c)| c[SENT_AT].is_f64()));
    assert!(answer.ends_with_done());
}

#[tokio::test]
async fn completions_stream_text_with_continuous_usage() {
    let testbed = Testbed::start(&[]);
    let body = json!({
        "model": "steady@rate=1000",
        "prompt": "Once upon a time",
        "max_tokens": 3,
        "stream": true,
        "stream_options": {"include_usage": true, "continuous_usage_stats": true},
    });
    let answer = testbed.post("/v1/completions", &body, PATIENCE).await;
    let chunks = answer.chunks();
    assert!(chunks.iter().all(|(_, c)| c["object"] == "text_completion"));
    let counts: Vec<u64> = chunks
        .iter()
        .map(|(_, c)| c["usage"]["completion_tokens"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [1, 2, 3, 3, 3]);
    assert_eq!(chunks[0].1["choices"][0]["text"], "Alice");
    assert_eq!(answer.finish_reasons(), ["length"]);
    assert!(answer.ends_with_done());
}

#[tokio::test]
async fn without_max_tokens_the_profile_length_ends_with_stop() {
    let testbed = Testbed::start(&[]);
    let mut body = chat("steady@rate=1000,tokens=4", 0);
    body.as_object_mut().unwrap().remove("max_tokens");
    let answer = testbed.post("/v1/chat/completions", &body, PATIENCE).await;
    assert_eq!(answer.text_chunks().len(), 4);
    assert_eq!(answer.finish_reasons(), ["stop"]);
}

#[tokio::test]
async fn stream_false_answers_one_completion() {
    let testbed = Testbed::start(&[]);
    let mut body = chat("reasoning@rate=1000,reasoning=2", 5);
    body["stream"] = json!(false);
    let answer = testbed.post("/v1/chat/completions", &body, PATIENCE).await;
    assert_eq!(
        answer.header("content-type").as_deref(),
        Some("application/json")
    );
    let completion = answer.json();
    assert_eq!(completion["object"], "chat.completion");
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        "Alice was beginning"
    );
    assert_eq!(
        completion["choices"][0]["message"]["reasoning_content"],
        "Let me"
    );
    assert_eq!(completion["choices"][0]["finish_reason"], "length");
    assert_eq!(completion["usage"]["completion_tokens"], 5);
}
