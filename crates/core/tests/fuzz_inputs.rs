//! Fuzzing the entry points that read outside input (issue 19): the SSE
//! parser, the OpenAI chunk reader and reply readers, the stream recorder,
//! the link decoder, the file importer and the recording checker. `cargo
//! fuzz` needs nightly, so the inputs come from proptest: random bytes, and
//! structure-aware inputs (valid streams, links and files, then mutated in
//! their JSON tree or their packed bytes, with hostile numbers) that reach
//! deep code. Each input must give no panic, allocate at most a stated
//! bound, and, when refused, one sentence.
//!
//! `ETALON_FUZZ_CASES` sets the cases per target (256 by default, a few
//! seconds; `scripts/test` runs more under a time budget). The hostile
//! cases once found by hand are regression tests in `hostile_corpus.rs`.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::HashSet;

use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use etalon_core::limits::{MAX_MESSAGE_CHARS, MAX_REQUESTS, MAX_TEXT_CHARS, MAX_TOKENS};
use etalon_core::metrics::DeadlineConfig;
use etalon_core::observe::stream::StreamRecorder;
use etalon_core::plan::setup::TestSetup;
use etalon_core::recording::synthetic::SyntheticRun;
use etalon_core::recording::{
    with_packed_chunks, Chunk, Chunks, ErrorKind, Recording, RequestError, RequestRecord,
    TokenCount, TokenSource, RECORDING_VERSION,
};
use etalon_core::share::{
    check_recording, etalon_json, import_file, open_link, pack_run, parse_fragment, result_link,
    shareable_setup, test_link, SharedLink, SharedRun,
};
use etalon_core::wire::openai::reply::parse_single_response;
use etalon_core::wire::openai::{parse_models, parse_stream_chunk, server_message_from_body};
use etalon_core::wire::sse::SseParser;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

mod sentence;
use sentence::is_sentence;

// ---- Allocation accounting, per thread (tests run side by side) ----

struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn grew(bytes: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + bytes;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn shrank(bytes: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(bytes)));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grew(new_size);
        shrank(layout.size());
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrank(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `work` and returns its result with the most bytes it held at once
/// beyond what was live before it.
fn peak_bytes_of<T>(work: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(base));
    let out = work();
    (out, PEAK.with(Cell::get).saturating_sub(base))
}

/// The allocation bound of one input: 64 MiB plus 64 bytes per input byte.
fn allocation_bound(input_len: usize) -> usize {
    (64 << 20) + 64 * input_len
}

fn runner() -> TestRunner {
    let cases = std::env::var("ETALON_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn the_allocation_count_sees_what_an_input_costs() {
    let (_, peak) = peak_bytes_of(|| std::hint::black_box(vec![1u8; 100 << 20]).len());
    assert!(peak >= 100 << 20, "{peak}");
    assert!(peak > allocation_bound(1000));
    let (_, small) = peak_bytes_of(|| std::hint::black_box(vec![1u8; 1000]).len());
    assert!((1000..1 << 20).contains(&small), "{small}");
}

// ---- Structure-aware inputs ----

/// Numbers a hostile source writes where a count or a time belongs.
fn hostile_number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..1000).prop_map(|n| n.to_string()),
        Just("4294967295".to_string()),
        Just("4294967296".to_string()),
        Just("18446744073709551615".to_string()),
        Just("1e999".to_string()),
        Just("-1".to_string()),
        Just("-0.0".to_string()),
        Just("1e-320".to_string()),
        Just("\"NaN\"".to_string()),
        Just("null".to_string()),
        any::<f64>().prop_map(|x| if x.is_finite() {
            format!("{x:e}")
        } else {
            "0".into()
        }),
    ]
}

/// One OpenAI-style stream chunk with hostile fields.
fn chunk_json() -> impl Strategy<Value = String> {
    (
        "[a-z \\\\\"\u{1F600}]{0,12}",
        hostile_number(),
        hostile_number(),
        prop::bool::ANY,
        prop::bool::ANY,
    )
        .prop_map(|(content, completion, prompt, usage, finish)| {
            let content = serde_json::to_string(&content).unwrap();
            let usage = if usage {
                format!(",\"usage\":{{\"prompt_tokens\":{prompt},\"completion_tokens\":{completion}}}")
            } else {
                String::new()
            };
            let finish = if finish { ",\"finish_reason\":\"stop\"" } else { "" };
            format!(
                "{{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{content}}}{finish}}}]{usage}}}"
            )
        })
}

/// Small damage to a valid text: cut it, drop a piece, repeat a piece or
/// change a byte.
fn mutate(text: String) -> impl Strategy<Value = String> {
    let len = text.len().max(1);
    (0..4u8, 0..len, 0..len, any::<u8>()).prop_map(move |(kind, a, b, byte)| {
        let bytes = text.as_bytes();
        let (lo, hi) = (a.min(b).min(bytes.len()), a.max(b).min(bytes.len()));
        let out: Vec<u8> = match kind {
            0 => bytes[..lo].to_vec(),
            1 => [&bytes[..lo], &bytes[hi..]].concat(),
            2 => [&bytes[..hi], &bytes[lo..]].concat(),
            _ => {
                let mut v = bytes.to_vec();
                if let Some(slot) = v.get_mut(lo) {
                    *slot = byte;
                }
                v
            }
        };
        String::from_utf8_lossy(&out).into_owned()
    })
}

/// A stream body of chunks, some garbage lines, and maybe `[DONE]`, cut
/// into reads at arbitrary places.
fn stream_reads() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let line = prop_oneof![
        4 => chunk_json().prop_map(|c| format!("data: {c}\n\n")),
        1 => "[ -~]{0,40}".prop_map(|s| format!("{s}\n")),
        1 => Just("data: [DONE]\n\n".to_string()),
        1 => Just(": keep-alive\n\n".to_string()),
        1 => Just("event: error\ndata: {\"error\":{\"message\":\"boom\"}}\n\n".to_string()),
    ];
    (
        prop::collection::vec(line, 0..40),
        prop::collection::vec(1usize..64, 1..40),
    )
        .prop_map(|(lines, cuts)| {
            let body = lines.concat().into_bytes();
            let mut reads = Vec::new();
            let mut at = 0;
            for cut in cuts.iter().cycle() {
                if at >= body.len() {
                    break;
                }
                let end = (at + cut).min(body.len());
                reads.push(body[at..end].to_vec());
                at = end;
            }
            reads
        })
}

/// A recording's JSON with hostile numbers in its counts and times.
fn recording_json() -> impl Strategy<Value = String> {
    let chunk = (hostile_number(), hostile_number())
        .prop_map(|(at, tokens)| format!("{{\"at\":{at},\"tokens\":{tokens}}}"));
    let request = (
        hostile_number(),
        prop::collection::vec(chunk, 0..6),
        hostile_number(),
    )
        .prop_map(|(id, chunks, output)| {
            format!(
                "{{\"id\":{id},\"chunks\":[{}],\"output_tokens\":{{\"count\":{output},\"source\":\"server\"}}}}",
                chunks.join(",")
            )
        });
    (prop::collection::vec(request, 0..6), hostile_number()).prop_map(|(requests, version)| {
        format!(
            "{{\"version\":{version},\"started_at_unix_ms\":0,\"config\":{{}},\"requests\":[{}]}}",
            requests.join(",")
        )
    })
}

/// Etalon's request-level file, columns or rows, with hostile numbers.
fn etalon_json_text() -> impl Strategy<Value = String> {
    let numbers = || prop::collection::vec(hostile_number(), 0..5);
    prop_oneof![
        (numbers(), prop::collection::vec(numbers(), 0..5), numbers()).prop_map(
            |(ttft, tbt, out)| {
                let tbt: Vec<String> = tbt.iter().map(|t| format!("[{}]", t.join(","))).collect();
                format!(
                    "{{\"ttft\":[{}],\"tbt\":[{}],\"num_output_tokens\":[{}]}}",
                    ttft.join(","),
                    tbt.join(","),
                    out.join(",")
                )
            }
        ),
        prop::collection::vec((hostile_number(), numbers()), 0..5).prop_map(|rows| {
            let rows: Vec<String> = rows
                .iter()
                .map(|(ttft, tbt)| format!("{{\"ttft\":{ttft},\"tbt\":[{}]}}", tbt.join(",")))
                .collect();
            format!("[{}]", rows.join(","))
        }),
    ]
}

/// What a hostile file or link writes where any value belongs, as raw JSON
/// text (some of it, like `1e999`, no JSON value can hold).
fn hostile_raw() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => hostile_number(),
        1 => Just("\"1e999\"".to_string()),
        1 => Just("-1e999".to_string()),
        1 => Just("{}".to_string()),
        1 => Just("[]".to_string()),
        1 => Just("true".to_string()),
        1 => Just(format!("\"{}\"", "x".repeat(MAX_TEXT_CHARS + 1))),
        1 => (1usize..400).prop_map(|depth| format!("{}0{}", "[".repeat(depth), "]".repeat(depth))),
        1 => (1usize..400)
            .prop_map(|depth| format!("{}0{}", "{\"a\":".repeat(depth), "}".repeat(depth))),
    ]
}

/// One change to a JSON tree, at a node the fuzzer picks.
#[derive(Debug, Clone)]
enum Edit {
    /// The node becomes hostile raw text.
    Replace(String),
    /// The node leaves its list or object.
    Remove,
    /// The node, an item of a list, is repeated (duplicate ids, many requests).
    Repeat(usize),
    /// The node swaps places with another item of its list (out of order).
    Swap(Index),
    /// A number changes sign (negative times).
    Negate,
    /// One byte of a packed (base64) string is set.
    SetPackedByte(Index, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => hostile_raw().prop_map(Edit::Replace),
        1 => Just(Edit::Remove),
        1 => (2usize..60).prop_map(Edit::Repeat),
        1 => any::<Index>().prop_map(Edit::Swap),
        1 => Just(Edit::Negate),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Edit::SetPackedByte(at, byte)),
    ]
}

/// Marks a node to be replaced by raw text once the tree is written.
const HOLE: &str = "\u{1}hole\u{1}";

/// The JSON pointer of every node of `value`.
fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_string());
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, &format!("{at}/{i}"), out);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let key = key.replace('~', "~0").replace('/', "~1");
                pointers(item, &format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
}

/// `value` with `edits` applied, written as JSON text.
fn edited(mut value: Value, edits: &[(Index, Edit)]) -> String {
    let mut holes = Vec::new();
    for (at, edit) in edits {
        let mut all = Vec::new();
        pointers(&value, "", &mut all);
        let path = at.get(&all).clone();
        let (parent, key) = path.rsplit_once('/').unwrap_or(("", ""));
        let key = key.replace("~1", "/").replace("~0", "~");
        let index = key.parse::<usize>().ok();
        match (edit, value.pointer_mut(parent)) {
            (Edit::Replace(raw), _) => {
                *value.pointer_mut(&path).unwrap() = Value::from(format!("{HOLE}{}", holes.len()));
                holes.push(raw.clone());
            }
            (Edit::Remove, Some(Value::Array(items))) => {
                if let Some(i) = index.filter(|&i| i < items.len()) {
                    items.remove(i);
                }
            }
            (Edit::Remove, Some(Value::Object(fields))) => {
                fields.remove(&key);
            }
            (Edit::Repeat(times), Some(Value::Array(items))) => {
                if let Some(i) = index.filter(|&i| i < items.len()) {
                    let item = items[i].clone();
                    for _ in 1..*times {
                        items.insert(i, item.clone());
                    }
                }
            }
            (Edit::Swap(other), Some(Value::Array(items))) => {
                if let Some(i) = index.filter(|&i| i < items.len()) {
                    let j = other.index(items.len());
                    items.swap(i, j);
                }
            }
            (Edit::Negate, _) => {
                let node = value.pointer_mut(&path).unwrap();
                if let Some(x) = node.as_f64() {
                    *node = Value::from(-x - 1.0);
                }
            }
            (Edit::SetPackedByte(at, byte), _) => {
                let node = value.pointer_mut(&path).unwrap();
                let packed = node.as_str().and_then(|t| STANDARD_NO_PAD.decode(t).ok());
                if let Some(mut bytes) = packed.filter(|b| !b.is_empty()) {
                    let i = at.index(bytes.len());
                    bytes[i] = *byte;
                    *node = Value::from(STANDARD_NO_PAD.encode(bytes));
                }
            }
            _ => {}
        }
    }
    let mut text = serde_json::to_string(&value).unwrap();
    for (n, raw) in holes.iter().enumerate() {
        let hole = serde_json::to_string(&format!("{HOLE}{n}")).unwrap();
        text = text.replace(&hole, raw);
    }
    text
}

/// Valid JSON trees, each mutated by one to three edits.
fn mutated_json(seeds: Vec<Value>) -> impl Strategy<Value = String> {
    (
        prop::sample::select(seeds),
        prop::collection::vec((any::<Index>(), edit()), 1..4),
    )
        .prop_map(|(value, edits)| edited(value, &edits))
}

/// A LEB128 varint of a number a hostile packed form would hold.
fn hostile_varint() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(u64::from(u32::MAX)),
        Just(1u64 << 32),
        Just(u64::MAX),
        Just(1_000_000u64),
        Just(MAX_REQUESTS as u64 + 1),
        any::<u64>(),
    ]
    .prop_map(|mut n| {
        let mut out = Vec::new();
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return out;
            }
            out.push(byte | 0x80);
        }
    })
}

/// Valid bytes changed by one to three edits: cut, set a byte, insert a
/// hostile varint, drop or repeat a range.
fn mutated_bytes(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let edit = (
        0..5u8,
        any::<Index>(),
        any::<Index>(),
        any::<u8>(),
        hostile_varint(),
    );
    prop::collection::vec(edit, 1..4).prop_map(move |edits| {
        let mut bytes = seed.clone();
        for (kind, a, b, byte, varint) in edits {
            let len = bytes.len().max(1);
            let (a, b) = (a.index(len).min(bytes.len()), b.index(len).min(bytes.len()));
            let (lo, hi) = (a.min(b), a.max(b));
            match kind {
                0 => bytes.truncate(lo),
                1 if lo < bytes.len() => bytes[lo] = byte,
                2 => drop(bytes.splice(lo..lo, varint)),
                3 => drop(bytes.drain(lo..hi)),
                _ => {
                    let piece = bytes[lo..hi].to_vec();
                    bytes.splice(lo..lo, piece);
                }
            }
        }
        bytes
    })
}

/// A run like those the page records, with a failed request and the
/// server's counts, so every field of a file has a seed value.
fn real_recording() -> Recording {
    let mut recording = SyntheticRun {
        seed: 3,
        requests: 4,
        tokens_per_request: 12,
        stall_probability: 0.1,
    }
    .recording();
    let first = &mut recording.requests[0];
    first.output_tokens = Some(TokenCount {
        count: 12,
        source: TokenSource::Server,
    });
    first.prompt_tokens = Some(TokenCount {
        count: 30,
        source: TokenSource::Server,
    });
    first.finish_reason = Some("stop".into());
    first.protocol = Some("h2".into());
    recording.requests.push(RequestRecord {
        id: 4,
        sent_at: 0.5,
        headers_at: Some(0.1),
        ended_at: Some(0.1),
        error: Some(RequestError {
            kind: ErrorKind::HttpStatus,
            message: "The server answered 429 (Too Many Requests).".into(),
            status: Some(429),
        }),
        ..RequestRecord::default()
    });
    recording
}

/// The files the page makes: a recording (chunks listed, and packed as in
/// the worker's messages) and Etalon's request-level file.
fn file_seeds() -> Vec<Value> {
    let recording = real_recording();
    let etalon = etalon_json(&recording, &DeadlineConfig::default());
    vec![
        serde_json::to_value(&recording).unwrap(),
        with_packed_chunks(|| serde_json::to_value(&recording).unwrap()),
        serde_json::from_str(&etalon).unwrap(),
    ]
}

fn real_setup() -> TestSetup {
    let mut setup = TestSetup {
        endpoint: "http://localhost:8000".into(),
        ..TestSetup::default()
    };
    setup.request.model = "m".into();
    setup
}

/// Real links of this app: a test link, one with a baseline, a result link.
fn real_fragments() -> Vec<String> {
    let recording = real_recording();
    vec![
        test_link(&real_setup(), None, &[]).unwrap(),
        test_link(&real_setup(), Some(&recording), &[]).unwrap(),
        result_link(&recording, None, &[]).unwrap(),
    ]
}

/// The packed run a real result link carries.
fn real_packed_run() -> Vec<u8> {
    let link = result_link(&real_recording(), None, &[]).unwrap();
    let payload = link.strip_prefix("#result=v1.").unwrap();
    URL_SAFE_NO_PAD.decode(payload).unwrap()
}

fn link_payload(bytes: &[u8]) -> String {
    format!("v1.{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A test link whose set-up is `json`, deflated as the page does.
fn test_link_of(json: &str) -> String {
    let deflated = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 6);
    format!("#test={}", link_payload(&deflated))
}

/// A time a file or a link may hold: sane, or hostile.
fn hostile_time() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => 0.0..30.0f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(-1.0),
        1 => Just(-0.0),
        1 => Just(1e300),
        1 => Just(7.0 * 86_400.0),
        1 => Just(7.0 * 86_400.0 + 1.0),
        1 => any::<f64>(),
    ]
}

fn hostile_tokens() -> impl Strategy<Value = u32> {
    prop_oneof![
        8 => 0u32..4,
        1 => Just(1_000_000),
        1 => Just(1_000_001),
        1 => Just(u32::MAX),
        1 => any::<u32>(),
    ]
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z ]{0,20}\\.",
        1 => Just("\u{e9}".repeat(MAX_TEXT_CHARS)),
        1 => Just("x".repeat(MAX_TEXT_CHARS + 1)),
    ]
}

/// A request's chunks: any, or in order of time (which reaches the checks
/// after the order).
fn hostile_chunks() -> impl Strategy<Value = Chunks> {
    let chunk = (
        hostile_time(),
        hostile_tokens(),
        any::<bool>(),
        prop::option::weighted(0.2, hostile_time()),
    )
        .prop_map(|(at, tokens, reasoning, server_sent_at)| Chunk {
            at,
            tokens,
            reasoning,
            server_sent_at,
        });
    (prop::collection::vec(chunk, 0..24), any::<bool>()).prop_map(|(mut chunks, sort)| {
        if sort {
            chunks.sort_by(|a, b| a.at.total_cmp(&b.at));
        }
        Chunks::from(chunks)
    })
}

fn hostile_record() -> impl Strategy<Value = RequestRecord> {
    let count = prop::option::of((any::<u64>(), any::<bool>())).prop_map(|count| {
        count.map(|(count, server)| TokenCount {
            count,
            source: if server {
                TokenSource::Server
            } else {
                TokenSource::Counted
            },
        })
    });
    (
        (
            prop_oneof![0u64..6, any::<u64>()],
            hostile_time(),
            hostile_time(),
        ),
        (
            prop::option::of(hostile_time()),
            prop::option::of(hostile_time()),
        ),
        hostile_chunks(),
        (count.clone(), count, any::<u64>()),
        (
            prop::option::of(hostile_text()),
            prop::option::of(hostile_text()),
            prop::option::of(hostile_text()),
        ),
    )
        .prop_map(
            |((id, scheduled_at, sent_at), (headers_at, ended_at), chunks, counts, texts)| {
                RequestRecord {
                    id,
                    scheduled_at,
                    sent_at,
                    headers_at,
                    ended_at,
                    chunks,
                    prompt_tokens: counts.0,
                    output_tokens: counts.1,
                    overclaimed_tokens: counts.2,
                    finish_reason: texts.0,
                    protocol: texts.1,
                    error: texts.2.map(|message| RequestError {
                        kind: ErrorKind::MalformedStream,
                        message,
                        status: None,
                    }),
                    ..RequestRecord::default()
                }
            },
        )
}

/// A recording as a hostile file or link could make one, now and then
/// with one request more than a run may hold.
fn hostile_recording() -> impl Strategy<Value = Recording> {
    (
        prop::collection::vec(hostile_record(), 0..12),
        prop_oneof![4 => Just(RECORDING_VERSION), 1 => any::<u32>()],
        hostile_time(),
        prop::option::of(hostile_time()),
        prop::collection::vec((hostile_time(), hostile_time()), 0..3),
        prop::bool::weighted(0.02),
    )
        .prop_map(|(requests, version, started, resolution, hidden, many)| {
            let mut recording = real_recording();
            recording.version = version;
            recording.started_at_unix_ms = started;
            recording.environment.timer_resolution = resolution;
            recording.environment.hidden_intervals = hidden;
            recording.requests = requests;
            if many {
                recording.requests = (0..=MAX_REQUESTS as u64)
                    .map(|id| RequestRecord {
                        id,
                        ..RequestRecord::default()
                    })
                    .collect();
            }
            recording
        })
}

/// Bodies servers answer with outside a stream: an error, the model list,
/// a whole (non-stream) answer, and stream chunks of every dialect.
fn reply_seeds() -> Vec<Value> {
    [
        r#"{"error":{"message":"CUDA out of memory","type":"server_error","code":500}}"#,
        r#"{"detail":[{"msg":"field required","loc":["body","model"]}]}"#,
        r#"{"object":"list","data":[{"id":"m","object":"model","owned_by":"me","meta":{"n_ctx_train":8192}}]}"#,
        r#"{"models":[{"name":"llama3:8b","model":"llama3:8b"}]}"#,
        r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":5}}"#,
        r#"{"choices":[{"index":0,"delta":{"content":"a","reasoning_content":"b"},"finish_reason":null}],"usage":{"prompt_tokens":3,"completion_tokens":4294967295},"timings":{"prompt_n":3,"predicted_n":5}}"#,
        r#"{"choices":[{"index":0,"text":"a","logprobs":{"tokens":["a"]}}],"etalon_server_sent_at":1.5}"#,
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"f","arguments":"{}"}}]}}]}"#,
    ]
    .iter()
    .map(|text| serde_json::from_str(text).unwrap())
    .collect()
}

// ---- Targets ----

#[test]
fn the_sse_parser_takes_any_bytes_in_any_pieces() {
    let input = prop_oneof![
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 0..20),
        stream_reads(),
    ];
    runner()
        .run(&input, |reads| {
            let total: usize = reads.iter().map(Vec::len).sum();
            let (_, peak) = peak_bytes_of(|| {
                let mut parser = SseParser::new();
                for read in &reads {
                    for event in parser.push(read) {
                        prop_assert!(event.data.len() <= total);
                    }
                }
                Ok(())
            });
            prop_assert!(peak <= allocation_bound(total), "{peak} bytes");
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_chunk_reader_takes_any_text() {
    let input = prop_oneof![
        "\\PC{0,200}",
        chunk_json(),
        chunk_json().prop_flat_map(mutate),
        mutated_json(reply_seeds()),
    ];
    runner()
        .run(&input, |text| {
            let (_, peak) = peak_bytes_of(|| parse_stream_chunk(&text).map(|_| ()));
            prop_assert!(peak <= allocation_bound(text.len()), "{peak} bytes");
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_reply_readers_take_any_body_and_keep_a_short_message() {
    let input = prop_oneof!["\\PC{0,200}", mutated_json(reply_seeds())];
    runner()
        .run(&input, |text| {
            let (message, peak) = peak_bytes_of(|| {
                let message = server_message_from_body(&text);
                let models = parse_models(&text).map(|m| m.len());
                let single = parse_single_response(&text).is_some();
                (message, models, single)
            });
            prop_assert!(peak <= allocation_bound(text.len()), "{peak} bytes");
            if let Some(message) = message.0 {
                prop_assert!(
                    message.chars().count() <= MAX_MESSAGE_CHARS + 3,
                    "{message}"
                );
            }
            prop_assert!(message.1.unwrap_or(0) <= text.len());
            Ok(())
        })
        .unwrap();
}

/// A stream's reads: a realistic body cut anywhere, or random bytes.
fn any_reads() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop_oneof![
        3 => stream_reads(),
        1 => prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 0..20),
    ]
}

#[test]
fn the_recorder_keeps_no_more_tokens_than_bytes_and_says_why_it_failed() {
    let content_type = prop_oneof![
        Just(Some("text/event-stream".to_string())),
        Just(Some("text/event-stream; charset=utf-8".to_string())),
        Just(Some("application/json".to_string())),
        Just(Some("text/html".to_string())),
        Just(None),
        "[ -~]{0,30}".prop_map(Some),
    ];
    let status = prop_oneof![Just(200u16), Just(429), Just(500), any::<u16>()];
    let gaps = prop::collection::vec(0.0..2.0f64, 40);
    runner()
        .run(
            &(any_reads(), content_type, status, gaps),
            |(reads, kind, status, gaps)| {
                let total: usize = reads.iter().map(Vec::len).sum();
                let (record, peak) = peak_bytes_of(|| {
                    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
                    let mut at = 0.05;
                    recorder.on_headers(at, status, kind.as_deref());
                    for (read, gap) in reads.iter().zip(gaps.iter().cycle()) {
                        at += gap;
                        recorder.on_read(at, read);
                    }
                    recorder.on_end(at + 0.01);
                    recorder.finish()
                });
                prop_assert!(peak <= allocation_bound(total), "{peak} bytes");
                prop_assert!(record.counted_output_tokens() <= total.max(1) as u64);
                if let Some(error) = &record.error {
                    prop_assert!(is_sentence(&error.message), "{:?}", error.message);
                }
                // Every record the page makes can be opened again.
                let mut recording = real_recording();
                recording.requests = vec![record];
                if let Err(e) = check_recording(&recording) {
                    prop_assert!(false, "a recorded request is refused: {}", e.message);
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn the_link_decoder_takes_any_fragment() {
    let setup = serde_json::to_value(shareable_setup(&real_setup())).unwrap();
    let packed = real_packed_run();
    let hostile_run = hostile_recording().prop_map(|recording| {
        let run = SharedRun {
            recording,
            deadlines: None,
            rounded_to: None,
        };
        pack_run(&run, &HashSet::new())
    });
    // A real summary link's bytes, to mutate.
    let summary = {
        let recording = real_recording();
        let deadlines = etalon_core::metrics::DeadlineConfig::fixed(2.0, 0.05, 0.1);
        let (fragment, _) = etalon_core::share::summary_link(&recording, &deadlines, &[]).unwrap();
        URL_SAFE_NO_PAD
            .decode(fragment.trim_start_matches("#summary=v1."))
            .unwrap()
    };
    let input = prop_oneof![
        "#[a-z]{0,8}=v1\\.[A-Za-z0-9_-]{0,300}",
        "\\PC{0,300}",
        prop::sample::select(real_fragments()).prop_flat_map(mutate),
        mutated_json(vec![setup.clone()]).prop_map(|json| test_link_of(&json)),
        (mutated_json(vec![setup]), mutated_bytes(packed.clone())).prop_map(|(json, run)| {
            format!("{}&baseline={}", test_link_of(&json), link_payload(&run))
        }),
        mutated_bytes(packed).prop_map(|run| format!("#result={}", link_payload(&run))),
        hostile_run.prop_map(|run| format!("#result={}", link_payload(&run))),
        mutated_bytes(summary).prop_map(|bytes| format!("#summary={}", link_payload(&bytes))),
    ];
    runner()
        .run(&input, |fragment| {
            let (opened, peak) = peak_bytes_of(|| open_link(&fragment));
            prop_assert!(peak <= allocation_bound(fragment.len()), "{peak} bytes");
            match opened {
                Err(e) => prop_assert!(is_sentence(&e.message), "{:?}", e.message),
                Ok(Some(opened)) => {
                    let recording = match opened.link {
                        SharedLink::Result { recording, .. } => Some(recording),
                        SharedLink::Test { baseline, .. } => baseline,
                        SharedLink::Summary(summary) => Some(summary.sample_recording()),
                    };
                    if let Some(recording) = recording {
                        prop_assert!(check_recording(&recording).is_ok());
                    }
                }
                Ok(None) => {}
            }
            prop_assert_eq!(
                parse_fragment(&fragment).map(|link| link.is_some()),
                open_link(&fragment).map(|opened| opened.is_some())
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_importer_takes_any_file() {
    let input = prop_oneof![
        1 => recording_json(),
        1 => recording_json().prop_flat_map(mutate),
        1 => etalon_json_text(),
        1 => etalon_json_text().prop_flat_map(mutate),
        3 => mutated_json(file_seeds()),
        1 => "\\PC{0,200}",
        1 => (1usize..20_000).prop_map(|depth| format!("{{\"requests\":{}", "[".repeat(depth))),
        1 => (1usize..20_000).prop_map(|depth| format!("{}{}", "{\"ttft\":".repeat(depth), "}".repeat(depth))),
    ];
    runner()
        .run(&input, |text| {
            let (imported, peak) = peak_bytes_of(|| import_file("f.json", &text));
            prop_assert!(peak <= allocation_bound(text.len()), "{peak} bytes");
            match imported {
                Err(e) => prop_assert!(is_sentence(&e.message), "{:?}", e.message),
                Ok(imported) => {
                    let tokens: u64 = imported
                        .recording
                        .requests
                        .iter()
                        .map(|r| r.counted_output_tokens())
                        .sum();
                    prop_assert!(tokens <= MAX_TOKENS);
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_checker_takes_any_recording_and_what_it_passes_travels() {
    runner()
        .run(&hostile_recording(), |recording| {
            let size = serde_json::to_vec(&recording).map_or(0, |v| v.len());
            let (checked, peak) = peak_bytes_of(|| check_recording(&recording));
            prop_assert!(peak <= allocation_bound(size), "{peak} bytes");
            match checked {
                Err(e) => prop_assert!(is_sentence(&e.message), "{:?}", e.message),
                Ok(()) => {
                    let sane = |t: f64| t.is_finite() && (0.0..=7.0 * 86_400.0).contains(&t);
                    let mut ids = HashSet::new();
                    let mut tokens = 0;
                    for record in &recording.requests {
                        prop_assert!(ids.insert(record.id));
                        prop_assert!(sane(record.sent_at) && sane(record.scheduled_at));
                        prop_assert!(record.chunks.iter().all(|c| sane(c.at)));
                        tokens += record.counted_output_tokens();
                    }
                    prop_assert!(tokens <= MAX_TOKENS);
                    // What the checker passes, a result link carries.
                    if let Ok(link) = result_link(&recording, None, &[]) {
                        let opened = open_link(&link);
                        prop_assert!(opened.is_ok(), "{:?}", opened.err());
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}
