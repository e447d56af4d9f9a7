//! A simulated endpoint (`sim://PRESET`): its addresses, the bytes its
//! streams are written in (read back by the recorder a real server's are),
//! what it makes of a request, and its schedule in real time, which is the
//! offline one for the same arrivals however late its driver's timer.

use etalon_core::observe::stream::StreamRecorder;
use etalon_core::plan::workload::{concurrency_warning, WorkloadConfig};
use etalon_core::recording::TokenSource;
use etalon_core::simulate::endpoint::{read_call, ErrorAnswer, DEFAULT_SEED};
use etalon_core::simulate::presets::{preset, PRESETS};
use etalon_core::simulate::{
    simulate, Delivery, LiveServer, Policy, Refusal, Submission, MAX_QUEUED,
};
use etalon_core::wire::openai::urls::{simulated_name, simulated_seed, with_simulated_seed};
use etalon_core::wire::openai::{Api, Completion, EndpointUrls, StreamWriter, UrlProblem};
use serde_json::Value;

#[test]
fn a_sim_address_names_a_simulated_server_in_any_case_and_keeps_only_its_name() {
    for typed in [
        "sim://llama-70b-4xa100",
        " SIM://Llama-70B-4xA100/ ",
        "sim://llama-70b-4xa100/v1",
        "sim://llama-70b-4xa100/v1/chat/completions",
        "sim://llama-70b-4xa100?api-version=1",
    ] {
        let urls = EndpointUrls::from_typed(typed).unwrap();
        assert_eq!(
            urls.chat_completions(),
            "sim://llama-70b-4xa100/v1/chat/completions",
            "{typed}"
        );
        assert_eq!(urls.completions(), "sim://llama-70b-4xa100/v1/completions");
        assert_eq!(urls.simulated_name(), Some("llama-70b-4xa100"));
        assert_eq!(urls.origin(), "sim://llama-70b-4xa100");
    }
    assert_eq!(
        EndpointUrls::from_typed("http://127.0.0.1:8000")
            .unwrap()
            .simulated_name(),
        None
    );
}

#[test]
fn a_sim_address_without_a_usable_name_is_refused_in_one_sentence() {
    for typed in [
        "sim://",
        "sim:///v1",
        "sim://a b",
        "sim://user@x",
        "sim://x:80",
    ] {
        let problem = EndpointUrls::from_typed(typed).unwrap_err();
        assert!(
            matches!(problem, UrlProblem::SimulatedName(_)),
            "{typed}: {problem:?}"
        );
        let sentence = problem.to_string();
        assert!(sentence.contains("sim://"), "{sentence}");
    }
    let long = format!("sim://{}", "é".repeat(500));
    let sentence = EndpointUrls::from_typed(&long).unwrap_err().to_string();
    assert!(
        sentence.chars().count() < 300,
        "not echoed whole: {sentence}"
    );
    // Another scheme is still refused, with the simulated one named.
    let ftp = EndpointUrls::from_typed("ftp://host")
        .unwrap_err()
        .to_string();
    assert!(ftp.contains("sim://"), "{ftp}");
}

#[test]
fn a_simulated_server_is_warned_of_no_connection_limit() {
    let config = WorkloadConfig {
        concurrency: Some(32),
        ..WorkloadConfig::default()
    };
    assert!(concurrency_warning(&config, "http://127.0.0.1:8000/v1/chat/completions").is_some());
    assert_eq!(concurrency_warning(&config, CHAT), None);
}

#[test]
fn the_seed_travels_in_the_worker_s_url() {
    let url = with_simulated_seed("sim://llama-8b-a100/v1/chat/completions", 42);
    assert_eq!(url, "sim://llama-8b-a100/v1/chat/completions?seed=42");
    assert_eq!(simulated_seed(&url), Some(42));
    assert_eq!(simulated_name(&url), Some("llama-8b-a100"));
    assert_eq!(simulated_seed(&with_simulated_seed(&url, 7)), Some(7));
    assert_eq!(simulated_seed("sim://x/v1?seed=-1"), None);
    assert_eq!(simulated_seed("sim://x/v1"), None);
    assert_eq!(simulated_name("https://sim.example/v1"), None);
}

fn completion(api: Api, output_tokens: u32, include_usage: bool) -> Completion {
    Completion {
        api,
        number: 3,
        model: "chunked-prefill".into(),
        created: 1_700_000_000,
        prompt_tokens: 57,
        output_tokens,
        finish_reason: "length",
        include_usage,
    }
}

/// The bytes of `writer`'s whole answer, a read per token, through a
/// recorder as the worker feeds it; each token sent at 0.1 s + 20 ms per
/// token, and read a millisecond later.
fn record_of(mut writer: StreamWriter) -> (etalon_core::recording::RequestRecord, String) {
    let mut recorder = StreamRecorder::new(3, 0.0, 0.0);
    recorder.on_headers(0.01, 200, Some("text/event-stream"));
    let mut i = 0;
    while !writer.finished() {
        let mut bytes = Vec::new();
        let sent = 0.1 + 0.02 * f64::from(i);
        writer.next_token(Some(sent), &mut bytes);
        recorder.on_read(sent + 0.001, &bytes);
        i += 1;
    }
    let mut more = Vec::new();
    writer.next_token(Some(9.0), &mut more);
    assert!(more.is_empty(), "nothing is written after the end");
    recorder.on_end(1.0);
    let text = recorder
        .text()
        .map(|t| t.answer.clone())
        .unwrap_or_default();
    (recorder.finish(), text)
}

#[test]
fn the_recorder_reads_back_exactly_the_tokens_and_the_usage_written() {
    for api in [Api::ChatCompletions, Api::Completions] {
        let (record, text) = record_of(StreamWriter::new(completion(api, 12, true)));
        assert!(record.completed(), "{api:?}: {record:?}");
        assert_eq!(record.chunks.len(), 12, "{api:?}: a chunk per token");
        assert!(record.chunks.iter().all(|c| c.tokens == 1));
        assert_eq!(record.counted_output_tokens(), 12);
        let output = record.output_tokens.unwrap();
        assert_eq!(
            (output.count, output.source),
            (12, TokenSource::Server),
            "{api:?}"
        );
        assert_eq!(record.prompt_tokens.unwrap().count, 57);
        assert_eq!(record.finish_reason.as_deref(), Some("length"));
        // Each chunk carries the send time it was written with.
        for (i, chunk) in record.chunks.iter().enumerate() {
            let sent = 0.1 + 0.02 * i as f64;
            assert_eq!(chunk.server_sent_at, Some(sent), "{api:?} token {i}");
            assert!((chunk.at - (sent + 0.001)).abs() < 1e-9);
        }
        // Twelve words of the shipped text, one per token.
        assert_eq!(text.split(' ').count(), 12, "{text:?}");
        assert!(!text.starts_with(' '), "{text:?}");
    }
}

#[test]
fn without_usage_the_stream_ends_with_its_last_token_and_done() {
    let mut writer = StreamWriter::new(completion(Api::ChatCompletions, 2, false));
    let mut bytes = Vec::new();
    writer.next_token(None, &mut bytes);
    writer.next_token(None, &mut bytes);
    let text = String::from_utf8(bytes).unwrap();
    let events: Vec<&str> = text.split_terminator("\n\n").collect();
    assert_eq!(events.len(), 3, "{text}");
    assert_eq!(events[2], "data: [DONE]");
    let last: Value = serde_json::from_str(events[1].strip_prefix("data: ").unwrap()).unwrap();
    assert_eq!(last["object"], "chat.completion.chunk");
    assert_eq!(last["id"], "chatcmpl-sim-3");
    assert_eq!(last["model"], "chunked-prefill");
    assert_eq!(last["choices"][0]["finish_reason"], "length");
    assert!(last.get("usage").is_none() && last.get("etalon_server_sent_at").is_none());
    let (record, _) = record_of(StreamWriter::new(completion(
        Api::ChatCompletions,
        5,
        false,
    )));
    assert_eq!(record.counted_output_tokens(), 5);
    assert_ne!(
        record.output_tokens.map(|c| c.source),
        Some(TokenSource::Server)
    );
}

const CHAT: &str = "sim://llama-70b-4xa100/v1/chat/completions";

fn body(model: &str, max_tokens: Option<u64>) -> String {
    let mut body = serde_json::json!({
        "model": model,
        "stream": true,
        "stream_options": {"include_usage": true},
        "messages": [{"role": "user", "content": "x".repeat(400)}],
    });
    if let Some(n) = max_tokens {
        body["max_tokens"] = n.into();
    }
    body.to_string()
}

fn refused(answer: Result<impl std::fmt::Debug, ErrorAnswer>) -> (u16, String) {
    let answer = answer.unwrap_err();
    let body: Value = serde_json::from_str(&answer.body).unwrap();
    let message = body["error"]["message"].as_str().unwrap().to_owned();
    (answer.status, message)
}

#[test]
fn a_request_names_its_policy_by_its_model_and_its_lengths_by_the_plan_or_the_body() {
    let call = read_call(CHAT, &body("chunked-prefill", Some(30)), None, 5).unwrap();
    assert_eq!(call.preset.name, "llama-70b-4xa100");
    assert_eq!(call.policy, Policy::ChunkedPrefill);
    assert_eq!(call.seed, DEFAULT_SEED);
    let c = &call.completion;
    assert_eq!((c.prompt_tokens, c.output_tokens), (100, 30));
    assert_eq!(
        (c.api, c.created, c.include_usage),
        (Api::ChatCompletions, 5, true)
    );
    assert_eq!(c.finish_reason, "length");
    // The plan's lengths win; the seed comes from the address.
    let seeded = with_simulated_seed(CHAT, 9);
    let call = read_call(&seeded, &body("static", Some(30)), Some((2000, 250)), 5).unwrap();
    assert_eq!(call.seed, 9);
    assert_eq!(
        (call.completion.prompt_tokens, call.completion.output_tokens),
        (2000, 250)
    );
    assert!(matches!(call.policy, Policy::Static { .. }));
    let completions = CHAT.replace("/chat/completions", "/completions");
    let call = read_call(&completions, &body("decode-first", None), None, 5).unwrap();
    assert_eq!(call.completion.api, Api::Completions);
    assert_eq!(call.completion.finish_reason, "stop");
}

#[test]
fn a_request_a_simulated_server_cannot_serve_gets_a_server_s_error() {
    let (status, message) = refused(read_call(CHAT, &body("gpt-4", None), None, 0));
    assert_eq!(status, 404);
    for name in Policy::NAMES {
        assert!(message.contains(name), "{message}");
    }
    let nowhere = "sim://nowhere/v1/chat/completions";
    let (status, message) = refused(read_call(nowhere, &body("static", None), None, 0));
    assert_eq!(status, 404);
    assert!(message.contains("\"nowhere\""), "{message}");
    for p in PRESETS {
        assert!(
            message.contains(p.name) && message.contains(p.label),
            "{message}"
        );
    }
    let (status, message) = refused(read_call(CHAT, &body("static", Some(1 << 21)), None, 0));
    assert_eq!(status, 400);
    assert!(message.contains("at most"), "{message}");
    let (status, _) = refused(read_call(CHAT, "not json", None, 0));
    assert_eq!(status, 400);
    let not_streamed = body("static", None).replace("\"stream\":true", "\"stream\":false");
    let (status, message) = refused(read_call(CHAT, &not_streamed, None, 0));
    assert_eq!(status, 400);
    assert!(message.contains("stream"), "{message}");
    let long = format!("\"model\":\"{}\"", "m".repeat(500));
    let (_, message) = refused(read_call(
        CHAT,
        &body("static", None).replace("\"model\":\"static\"", &long),
        None,
        0,
    ));
    assert!(
        message.chars().count() < 300,
        "a long name is not echoed whole: {message}"
    );
    // The simulator's own refusals.
    let too_long = ErrorAnswer::refused(&Refusal::TooLong {
        tokens: 10,
        kv_cache_tokens: 5,
    });
    assert_eq!(too_long.status, 400);
    let full = ErrorAnswer::refused(&Refusal::QueueFull);
    assert_eq!(full.status, 503);
    assert!(full.body.contains(&MAX_QUEUED.to_string()), "{}", full.body);
}

fn chat(prompt_tokens: u32, output_tokens: u32) -> Completion {
    Completion {
        prompt_tokens,
        output_tokens,
        ..completion(Api::ChatCompletions, 0, true)
    }
}

/// The requests of the live tests: two at the same instant on an idle
/// server (they share its first iteration), then two while it streams;
/// prompts of 500 to 2,000 tokens, answers of 20 to 40.
fn submissions() -> Vec<Submission> {
    [
        (0.0, 2000, 40),
        (0.0, 500, 20),
        (0.613, 1200, 30),
        (0.9, 800, 25),
    ]
    .into_iter()
    .map(|(at, prompt_tokens, output_tokens)| Submission {
        at,
        prompt_tokens,
        output_tokens,
    })
    .collect()
}

/// Serves `submissions()` live, its driver waking every `tick` seconds
/// (a late timer), and returns each request's token times.
fn serve_live(policy: Policy, tick: f64) -> Vec<Vec<f64>> {
    let system = preset("llama-70b-4xa100").unwrap().system(policy);
    let mut server = LiveServer::new(system, 4);
    let requests = submissions();
    let mut times = vec![Vec::new(); requests.len()];
    let mut out: Vec<Delivery> = Vec::new();
    let mut next = 0;
    let mut now = 0.0;
    while next < requests.len() || server.open_streams() > 0 {
        // Arrivals come on their own time, between the driver's wakes.
        while next < requests.len() && requests[next].at <= now + tick {
            let r = requests[next];
            let id = server
                .arrive(r.at, chat(r.prompt_tokens, r.output_tokens), Some, &mut out)
                .unwrap();
            assert_eq!(id, next as u64);
            next += 1;
        }
        now += tick;
        server.advance_to(now, Some, &mut out);
        for delivery in out.drain(..) {
            assert!(delivery.at <= now, "nothing is sent before its time");
            times[delivery.request as usize].push(delivery.at);
            let text = String::from_utf8(delivery.bytes).unwrap();
            assert_eq!(text.ends_with("data: [DONE]\n\n"), delivery.last);
        }
        assert!(now < 100.0, "the server ends");
    }
    times
}

#[test]
fn served_live_the_schedule_is_the_offline_one_however_late_the_driver() {
    for name in Policy::NAMES {
        let policy = Policy::named(name).unwrap();
        let system = preset("llama-70b-4xa100").unwrap().system(policy);
        let offline = simulate(&system, 4, &submissions(), None);
        for tick in [0.0005, 0.004, 0.037] {
            let live = serve_live(policy, tick);
            for (i, (live, offline)) in live.iter().zip(&offline).enumerate() {
                assert_eq!(
                    live, &offline.token_times,
                    "{name}, driver every {tick} s, request {i}"
                );
            }
        }
    }
}

#[test]
fn a_cancelled_request_gets_no_more_bytes_and_frees_the_server() {
    let system = preset("llama-8b-a100")
        .unwrap()
        .system(Policy::ChunkedPrefill);
    let mut server = LiveServer::new(system, 1);
    let mut out = Vec::new();
    let a = server
        .arrive(0.0, chat(100, 50), |_| None, &mut out)
        .unwrap();
    let b = server
        .arrive(0.0, chat(100, 50), |_| None, &mut out)
        .unwrap();
    server.advance_to(0.1, |_| None, &mut out);
    assert!(out.iter().any(|d| d.request == a));
    out.clear();
    server.cancel(a);
    server.advance_to(0.2, |_| None, &mut out);
    assert!(!out.is_empty() && out.iter().all(|d| d.request == b));
    assert_eq!(server.open_streams(), 1);
    server.cancel(b);
    assert_eq!(server.open_streams(), 0);
    out.clear();
    server.advance_to(10.0, |_| None, &mut out);
    assert!(out.is_empty());
    assert_eq!(server.next_event_at(), None, "the server is idle");
}

#[test]
fn a_simulated_run_s_caption_names_its_system_in_plain_words() {
    use etalon_core::plan::prepare::PreparedRun;
    use etalon_core::plan::server::ServerPreset;
    use etalon_core::present::report::run_caption;
    use etalon_core::recording::{Recording, RequestRecord, RECORDING_VERSION};

    let mut setup = ServerPreset::Simulated.setup();
    setup.endpoint = "sim://llama-70b-4xa100".into();
    setup.request.model = "chunked-prefill".into();
    let prepared = PreparedRun::new(&setup, "", None).unwrap();
    let mut recording = Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 0.0,
        config: prepared.recording_config(4.0),
        environment: Default::default(),
        requests: vec![RequestRecord::default(); 8],
    };
    assert_eq!(
        run_caption(&recording),
        "8 requests to the simulated server: a 70B model on four A100 GPUs, chunked prefills"
    );
    // A file naming a system this page does not know is captioned as any
    // server's run, never with the file's own words for it.
    recording.config["simulated"]["preset"] = "<b>a label of its own</b>".into();
    recording.config["simulated"]["label"] = "<b>a label of its own</b>".into();
    let caption = run_caption(&recording);
    assert!(!caption.contains("label of its own"), "{caption}");
    assert!(caption.contains("sim://llama-70b-4xa100"), "{caption}");
}
