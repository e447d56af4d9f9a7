//! Fuzzing the entry points that read outside input (issue 19): the SSE
//! parser, the OpenAI chunk reader, the stream recorder, the link decoder,
//! the file importer and the recording checker behind it. `cargo fuzz`
//! needs nightly, so the inputs come from proptest: random bytes, and
//! structure-aware inputs (valid streams, links and files, then mutated,
//! with hostile numbers) that reach deep code. Each input must give no
//! panic, allocate at most a stated bound, and, when refused, one sentence.
//!
//! `ETALON_FUZZ_CASES` sets the cases per target (256 by default, a few
//! seconds; `scripts/test` runs more under a time budget). The hostile
//! cases once found by hand are regression tests in `hostile_corpus.rs`.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use etalon_core::observe::stream::StreamRecorder;
use etalon_core::plan::setup::TestSetup;
use etalon_core::recording::synthetic::SyntheticRun;
use etalon_core::share::{import_file, open_link, result_link, test_link};
use etalon_core::wire::openai::parse_stream_chunk;
use etalon_core::wire::sse::SseParser;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

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

/// A refusal the user reads: a sentence (it may end on a question, or on a
/// quote of the server's own words), no Rust debug text.
fn is_sentence(text: &str) -> bool {
    let first = text.chars().next();
    let starts = first.is_some_and(|c| c.is_uppercase() || c == '"');
    let ends = text.trim_end().ends_with(['.', '?', '"']);
    let debug = ["Error(", "panicked", "unwrap()", "Some("];
    starts && ends && !debug.iter().any(|d| text.contains(d))
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
fn etalon_json() -> impl Strategy<Value = String> {
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

/// Real links of this app: a test link and a result link.
fn real_fragments() -> Vec<String> {
    let mut setup = TestSetup {
        endpoint: "http://localhost:8000".into(),
        ..TestSetup::default()
    };
    setup.request.model = "m".into();
    let run = SyntheticRun {
        seed: 3,
        requests: 4,
        tokens_per_request: 12,
        stall_probability: 0.1,
    };
    vec![
        test_link(&setup, None, &[]).unwrap(),
        result_link(&run.recording(), None, &[]).unwrap(),
    ]
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
fn the_recorder_keeps_no_more_tokens_than_bytes_and_says_why_it_failed() {
    let content_type = prop_oneof![
        Just(Some("text/event-stream")),
        Just(Some("application/json")),
        Just(Some("text/html")),
        Just(None),
    ];
    let status = prop_oneof![Just(200u16), Just(429), Just(500)];
    runner()
        .run(
            &(stream_reads(), content_type, status),
            |(reads, kind, status)| {
                let total: usize = reads.iter().map(Vec::len).sum();
                let (record, peak) = peak_bytes_of(|| {
                    let mut recorder = StreamRecorder::new(0, 0.0, 0.0);
                    recorder.on_headers(0.05, status, kind);
                    for (i, read) in reads.iter().enumerate() {
                        recorder.on_read(0.1 + 0.01 * i as f64, read);
                    }
                    recorder.on_end(9.0);
                    recorder.finish()
                });
                prop_assert!(peak <= allocation_bound(total), "{peak} bytes");
                prop_assert!(record.counted_output_tokens() <= total.max(1) as u64);
                if let Some(error) = &record.error {
                    prop_assert!(is_sentence(&error.message), "{:?}", error.message);
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn the_link_decoder_takes_any_fragment() {
    let fragments = real_fragments();
    let mutated = prop::sample::select(fragments).prop_flat_map(mutate);
    let input = prop_oneof![
        "#[a-z]{0,8}=v1\\.[A-Za-z0-9_-]{0,300}",
        "\\PC{0,300}",
        mutated,
    ];
    runner()
        .run(&input, |fragment| {
            let (opened, peak) = peak_bytes_of(|| open_link(&fragment));
            prop_assert!(peak <= allocation_bound(fragment.len()), "{peak} bytes");
            if let Err(e) = opened {
                prop_assert!(is_sentence(&e.message), "{:?}", e.message);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_importer_takes_any_file() {
    let input = prop_oneof![
        recording_json(),
        recording_json().prop_flat_map(mutate),
        etalon_json(),
        etalon_json().prop_flat_map(mutate),
        "\\PC{0,200}",
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
                    prop_assert!(tokens <= etalon_core::limits::MAX_TOKENS);
                }
            }
            Ok(())
        })
        .unwrap();
}
