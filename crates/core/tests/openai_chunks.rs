//! Stream chunks as vLLM, SGLang, llama.cpp, TGI, Ollama and OpenAI send them.

use etalon_core::wire::openai::{parse_stream_chunk, Usage, SERVER_SENT_AT_FIELD};

#[test]
fn chat_content_is_read() {
    let chunk = parse_stream_chunk(
        r#"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}]}"#,
    )
    .unwrap();
    assert_eq!(chunk.content, "Hel");
    assert!(chunk.carries_output());
    assert_eq!(chunk.finish_reason, None);
    assert_eq!(chunk.usage, None);
}

#[test]
fn completions_text_is_read() {
    let chunk =
        parse_stream_chunk(r#"{"choices":[{"index":0,"text":" world","finish_reason":null}]}"#)
            .unwrap();
    assert_eq!(chunk.content, " world");
}

#[test]
fn a_role_only_or_empty_chunk_carries_no_output() {
    for data in [
        r#"{"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}"#,
        r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"content":null,"tool_calls":[]}}]}"#,
        r#"{"choices":[]}"#,
        r#"{}"#,
    ] {
        assert!(
            !parse_stream_chunk(data).unwrap().carries_output(),
            "{data}"
        );
    }
}

#[test]
fn reasoning_is_read_from_both_field_names() {
    let deepseek =
        parse_stream_chunk(r#"{"choices":[{"delta":{"reasoning_content":"Let me"}}]}"#).unwrap();
    assert_eq!(deepseek.reasoning, "Let me");
    assert!(deepseek.is_reasoning_only());
    let vllm =
        parse_stream_chunk(r#"{"choices":[{"delta":{"content":null,"reasoning":"think"}}]}"#)
            .unwrap();
    assert_eq!(vllm.reasoning, "think");
    assert!(vllm.carries_output());
    let both =
        parse_stream_chunk(r#"{"choices":[{"delta":{"content":"A","reasoning":"b"}}]}"#).unwrap();
    assert!(!both.is_reasoning_only());
}

#[test]
fn tool_calls_are_output() {
    let chunk = parse_stream_chunk(
        r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]}}]}"#,
    )
    .unwrap();
    assert!(chunk.tool_call);
    assert!(chunk.carries_output());
    assert!(!chunk.is_reasoning_only());
}

#[test]
fn content_given_as_parts_is_joined() {
    let chunk = parse_stream_chunk(r#"{"choices":[{"delta":{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}}]}"#).unwrap();
    assert_eq!(chunk.content, "ab");
}

#[test]
fn the_final_usage_chunk_has_no_choices() {
    let chunk = parse_stream_chunk(
        r#"{"id":"c","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}}"#,
    )
    .unwrap();
    assert_eq!(
        chunk.usage,
        Some(Usage {
            prompt_tokens: Some(12),
            completion_tokens: Some(34)
        })
    );
    assert!(!chunk.carries_output());
}

#[test]
fn continuous_usage_rides_on_content_chunks() {
    let chunk = parse_stream_chunk(
        r#"{"choices":[{"index":0,"delta":{"content":"x"}}],"usage":{"prompt_tokens":5,"total_tokens":8,"completion_tokens":3}}"#,
    )
    .unwrap();
    assert_eq!(chunk.usage.unwrap().completion_tokens, Some(3));
    assert_eq!(chunk.content, "x");
}

#[test]
fn usage_null_is_no_usage() {
    let chunk =
        parse_stream_chunk(r#"{"choices":[{"delta":{"content":"x"}}],"usage":null}"#).unwrap();
    assert_eq!(chunk.usage, None);
}

#[test]
fn the_finish_reason_is_read_and_empty_means_none() {
    let chunk =
        parse_stream_chunk(r#"{"choices":[{"delta":{},"finish_reason":"length"}]}"#).unwrap();
    assert_eq!(chunk.finish_reason.as_deref(), Some("length"));
    let empty = parse_stream_chunk(r#"{"choices":[{"delta":{"content":"a"},"finish_reason":""}]}"#)
        .unwrap();
    assert_eq!(empty.finish_reason, None);
}

#[test]
fn error_objects_of_every_server_give_their_message() {
    let cases = [
        // OpenAI, vLLM (recent), llama.cpp, Ollama
        (
            r#"{"error":{"message":"context too long","type":"BadRequestError","param":null,"code":400}}"#,
            "context too long",
        ),
        // TGI
        (
            r#"{"error":"Input validation error: too many tokens","error_type":"validation"}"#,
            "Input validation error: too many tokens",
        ),
        // vLLM / SGLang (older), top level
        (
            r#"{"object":"error","message":"The model does not exist.","type":"NotFoundError","code":404}"#,
            "The model does not exist.",
        ),
        // Anthropic
        (
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            "Overloaded",
        ),
    ];
    for (data, message) in cases {
        let chunk = parse_stream_chunk(data).unwrap();
        assert_eq!(chunk.error.as_deref(), Some(message), "{data}");
    }
    let no_error = parse_stream_chunk(r#"{"choices":[],"error":null}"#).unwrap();
    assert_eq!(no_error.error, None);
}

#[test]
fn llama_cpp_timings_are_kept() {
    let chunk = parse_stream_chunk(
        r#"{"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"timings":{"prompt_n":10,"prompt_ms":12.5,"prompt_per_token_ms":1.25,"predicted_n":20,"predicted_ms":400.0,"predicted_per_token_ms":20.0,"predicted_per_second":50.0}}"#,
    )
    .unwrap();
    let timings = chunk.timings.unwrap();
    assert_eq!(timings.prompt_n, Some(10.0));
    assert_eq!(timings.prompt_ms, Some(12.5));
    assert_eq!(timings.predicted_n, Some(20.0));
    assert_eq!(timings.predicted_ms, Some(400.0));
    assert_eq!(timings.predicted_per_token_ms, Some(20.0));
}

#[test]
fn the_testbed_send_time_is_read_from_its_field() {
    let data =
        format!(r#"{{"choices":[{{"delta":{{"content":"a"}}}}],"{SERVER_SENT_AT_FIELD}":12.25}}"#);
    assert_eq!(
        parse_stream_chunk(&data).unwrap().server_sent_at,
        Some(12.25)
    );
}

#[test]
fn odd_field_types_do_not_spoil_the_chunk() {
    let chunk = parse_stream_chunk(
        r#"{"choices":[{"delta":{"content":"a"},"finish_reason":7}],"usage":"n/a","timings":[1],"etalon_server_sent_at":"soon"}"#,
    )
    .unwrap();
    assert_eq!(chunk.content, "a");
    assert_eq!(
        (
            chunk.finish_reason,
            chunk.usage,
            chunk.timings,
            chunk.server_sent_at
        ),
        (None, None, None, None)
    );
    let float_counts =
        parse_stream_chunk(r#"{"usage":{"prompt_tokens":3.0,"completion_tokens":4}}"#).unwrap();
    assert_eq!(float_counts.usage.unwrap().prompt_tokens, Some(3));
}

#[test]
fn text_that_is_not_a_json_object_is_an_error() {
    for data in ["not json", "{\"choices\":[", "[1,2]", "42", ""] {
        assert!(parse_stream_chunk(data).is_err(), "{data}");
    }
}
