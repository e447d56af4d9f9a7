//! Test links and result links: round trips of every field (property
//! tests), the size of a realistic run of 100 requests of 256 tokens
//! (printed), the same headline figures after a round trip, no secret in
//! what a link holds, and hostile links (garbage, wrong versions, huge,
//! zip bombs, damaged bytes, script text) answered with a sentence.
#![cfg(not(target_arch = "wasm32"))]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::collections::HashSet;

use etalon_core::metrics::{recording_metrics, DeadlineConfig};
use etalon_core::recording::*;
use etalon_core::report::headlines;
use etalon_core::setup::{HeaderSetting, TestSetup};
use etalon_core::share::*;
use etalon_core::synthetic::Rng;
use proptest::prelude::*;

/// About normal, mean 0, standard deviation 1.
fn normal(rng: &mut Rng) -> f64 {
    (0..12).map(|_| rng.unit()).sum::<f64>() - 6.0
}

/// A time as the worker records it, `t` seconds after the run's start: the
/// browser rounds its clock to `clock` seconds and gives milliseconds since
/// the page's time origin (here 83.2 s before the run), the worker divides
/// by 1000 and subtracts the run's start; so the time is on the clock's
/// grid give or take float rounding.
fn browser_time(t: f64, clock: f64) -> f64 {
    let origin_us = 83_200_000.0;
    let seconds = |us: f64| (((us / (clock * 1e6)).round() * clock * 1e6) / 1000.0) / 1000.0;
    seconds(origin_us + t * 1e6) - seconds(origin_us)
}

/// A run as a cross-origin isolated Chromium records it (a 5 µs clock): 100
/// requests of 256 tokens, one token per read, 20 ms between tokens with
/// `jitter` seconds of spread (standard deviation), a stall of 50 to 350 ms
/// before 1 token in 100, a TTFT of 150 to 400 ms, no server send times.
fn realistic_run(jitter: f64, clock: f64) -> Recording {
    let mut rng = Rng::new(7);
    let on_clock = |t: f64| browser_time(t, clock);
    let requests = (0..100u64)
        .map(|id| {
            let mut at = 0.15 + rng.unit() * 0.25;
            let chunks: Vec<Chunk> = (0..256)
                .map(|_| {
                    let chunk = Chunk {
                        at: on_clock(at),
                        tokens: 1,
                        reasoning: false,
                        server_sent_at: None,
                    };
                    at += (0.02 + jitter * normal(&mut rng)).max(0.0002);
                    if rng.unit() < 0.01 {
                        at += 0.05 + rng.unit() * 0.3;
                    }
                    chunk
                })
                .collect();
            let counted = |count| {
                Some(TokenCount {
                    count,
                    source: TokenSource::Server,
                })
            };
            RequestRecord {
                id,
                scheduled_at: id as f64 * 0.1,
                sent_at: on_clock(id as f64 * 0.1 + 0.0003),
                headers_at: Some(on_clock(chunks[0].at * 0.9)),
                ended_at: Some(on_clock(chunks[255].at + 0.0004)),
                chunks,
                prompt_tokens: counted(512),
                output_tokens: counted(256),
                finish_reason: Some("length".into()),
                protocol: Some("http/1.1".into()),
                bursts: Some(Bursts {
                    events: 256,
                    events_in_bursts: 0,
                    largest_burst: 1,
                    bursty: false,
                }),
                ..Default::default()
            }
        })
        .collect();
    Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 1.7e12 + 0.125,
        config: serde_json::json!({ "setup": TestSetup::default(), "chars_per_token": 3.62 }),
        environment: Environment {
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                         Chrome/131.0.0.0 Safari/537.36"
                .into(),
            timer_resolution: Some(clock),
            cross_origin_isolated: clock < 1e-5,
            hidden_intervals: Vec::new(),
        },
        requests,
    }
}

fn opened(fragment: &str) -> Recording {
    match parse_fragment(fragment) {
        Ok(Some(SharedLink::Result { recording, .. })) => recording,
        other => panic!("not a result: {other:?}"),
    }
}

#[test]
fn a_realistic_run_of_100_requests_of_256_tokens_fits_in_32_kb() {
    let origin = "https://etalon-web.example.org/";
    println!("result link of 100 requests x 256 tokens (URL length with {origin}):");
    for (jitter, clock) in [
        (50e-6, 5e-6),
        (100e-6, 5e-6),
        (200e-6, 5e-6),
        (500e-6, 5e-6),
        (1e-3, 100e-6),
    ] {
        let size = match result_link(&realistic_run(jitter, clock), None, &[]) {
            Ok(link) => format!("{} characters", origin.len() + link.len()),
            Err(e) => e.message,
        };
        println!(
            "  jitter {:>4} us, clock {:>3} us: {size}",
            jitter * 1e6,
            clock * 1e6
        );
    }
    let recording = realistic_run(100e-6, 5e-6);
    let deadlines = TestSetup::default().deadlines;
    let link = result_link(&recording, Some(&deadlines), &[]).expect("fits");
    let url_length = origin.len() + link.len();
    println!(
        "the realistic run (100 us of jitter on a 5 us clock): {url_length} characters of URL"
    );
    assert!(url_length <= 32 * 1024, "{url_length}");
    let Ok(Some(SharedLink::Result {
        recording: back,
        deadlines: Some(shown),
    })) = parse_fragment(&link)
    else {
        panic!("not a result link with deadlines");
    };
    assert_eq!(shown, deadlines);
    let (sent, received) = (
        recording_metrics(&recording, &deadlines),
        recording_metrics(&back, &deadlines),
    );
    // The browser's times differ from the reconstructed ones by float
    // rounding only (1e-16 s): the same figures.
    for (a, b) in headlines(&sent).iter().zip(headlines(&received).iter()) {
        let (x, y) = (a.value.unwrap(), b.value.unwrap());
        assert!(
            (x - y).abs() <= 1e-12 * x.abs().max(1e-9),
            "{}: {x} vs {y}",
            a.key
        );
        assert_eq!(a.display, b.display);
    }
    for (a, b) in sent.requests.iter().zip(&received.requests) {
        assert_eq!(
            (a.missed_deadlines, a.total_deadlines),
            (b.missed_deadlines, b.total_deadlines)
        );
        assert_eq!(a.min_tbt_deadline_to_meet, b.min_tbt_deadline_to_meet);
    }
}

/// Requests with gaps of exactly 50 ms on the clock's grid, against a 50
/// ms deadline: every comparison is a tie that float rounding decides.
/// Rebuilt from ticks alone they would count differently; the link carries
/// those requests' times bit for bit, and every figure comes back equal.
#[test]
fn ties_on_the_clock_grid_keep_the_senders_figures() {
    let mut recording = realistic_run(100e-6, 5e-6);
    recording.requests.truncate(50);
    for record in recording.requests.iter_mut().take(4) {
        let first = record.chunks[0].at;
        let start = (first / 5e-6).round() * 5e-6;
        for (i, chunk) in record.chunks.iter_mut().enumerate() {
            chunk.at = browser_time(start + record.sent_at + i as f64 * 0.05, 5e-6)
                - browser_time(record.sent_at, 5e-6);
        }
        record.ended_at = record.chunks.last().map(|c| c.at);
    }
    // A TTFT deadline of 0 banks no slack: each gap meets its deadline
    // exactly.
    let deadlines = DeadlineConfig::fixed(0.0, 0.05, 0.1);
    let run = SharedRun {
        recording: recording.clone(),
        deadlines: Some(deadlines.clone()),
    };
    let plain = unpack_run(&pack_run(&run, &HashSet::new()))
        .unwrap()
        .recording;
    let sent = recording_metrics(&recording, &deadlines);
    let counts = |m: &etalon_core::metrics::RunMetrics| -> Vec<(u64, u64)> {
        m.requests
            .iter()
            .map(|r| (r.missed_deadlines, r.total_deadlines))
            .collect()
    };
    let differing = counts(&sent)
        .iter()
        .zip(counts(&recording_metrics(&plain, &deadlines)))
        .filter(|(a, b)| **a != *b)
        .count();
    let faithful = pack_faithfully(&run);
    println!(
        "ties: {differing} of 50 requests would count differently from ticks alone; \
         {} bytes instead of {}",
        faithful.len(),
        pack_run(&run, &HashSet::new()).len()
    );
    let link = result_link(&recording, Some(&deadlines), &[]).unwrap();
    let received = recording_metrics(&opened(&link), &deadlines);
    assert!(
        differing > 0,
        "the test should make ties that ticks alone change"
    );
    assert_eq!(counts(&sent), counts(&received));
    assert_eq!(
        sent.service.fluid_token_generation_rate,
        received.service.fluid_token_generation_rate
    );
}

#[test]
fn a_run_too_large_for_a_link_says_so_and_offers_the_file() {
    let error = result_link(&realistic_run(3e-3, 5e-6), None, &[]).unwrap_err();
    assert!(error.message.contains("too large for a link"), "{error}");
    assert!(error.message.contains("recording file"), "{error}");
}

/// Times on a clock of `quantum_ns`, as the page reconstructs them.
fn on_grid(ticks: i64, quantum_ns: u64) -> f64 {
    (ticks as f64 * quantum_ns as f64) / 1e9
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<script>alert(1)</script>".to_string()),
        Just("\"}]&result=v1.x#".to_string()),
        "\\PC{0,40}",
    ]
}

prop_compose! {
    fn chunk()(ticks in 0i64..400_000, tokens in 0u32..5, reasoning in any::<bool>(),
            server in prop::option::of(0i64..10_000_000)) -> (i64, Chunk) {
        let chunk = Chunk {
            at: 0.0,
            tokens,
            reasoning,
            server_sent_at: server.map(|us| 12_345.678 + us as f64 / 1e6),
        };
        (ticks, chunk)
    }
}

prop_compose! {
    fn record(quantum_ns: u64, always_ordered: bool)(
        due_us in 0i64..100_000_000,
        sent in 0i64..100_000_000,
        headers in prop::option::of(0i64..1_000_000),
        end in prop::option::of(0i64..1_000_000),
        mut chunks in prop::collection::vec(chunk(), 0..40),
        ordered in any::<bool>(),
        error in prop::option::of((text(), prop::option::of(100u16..600))),
        finish_reason in prop::option::of(text()),
    ) -> RequestRecord {
        if ordered || always_ordered {
            chunks.sort_by_key(|(t, _)| *t);
        }
        let chunks: Vec<Chunk> = chunks
            .into_iter()
            .map(|(ticks, c)| Chunk { at: on_grid(ticks, quantum_ns), ..c })
            .collect();
        let first_server = chunks.iter().find_map(|c| c.server_sent_at);
        let chunks = chunks
            .into_iter()
            .map(|c| Chunk {
                server_sent_at: c.server_sent_at.map(|s| {
                    let first = first_server.unwrap();
                    first + ((s - first) * 1e6).round() * 1e3 / 1e9
                }),
                ..c
            })
            .collect();
        RequestRecord {
            id: 0,
            scheduled_at: on_grid(due_us, 1_000),
            sent_at: on_grid(sent, quantum_ns),
            headers_at: headers.map(|t| on_grid(t, quantum_ns)),
            ended_at: end.map(|t| on_grid(t, quantum_ns)),
            chunks,
            error: error.map(|(message, status)| RequestError { kind: ErrorKind::ServerError, message, status }),
            finish_reason,
            ..Default::default()
        }
    }
}

/// Recordings on a clock of 1, 5 or 100 µs; with chunks in arrival order
/// when `ordered` (as a browser records them), else in any order.
fn recording(ordered: bool) -> impl Strategy<Value = Recording> {
    prop::sample::select(vec![1_000u64, 5_000, 100_000]).prop_flat_map(move |quantum_ns| {
        (
            prop::collection::vec(record(quantum_ns, ordered), 0..12),
            text(),
        )
            .prop_map(move |(requests, agent)| Recording {
                version: RECORDING_VERSION,
                started_at_unix_ms: 1.7e12 + 0.005,
                config: serde_json::json!({ "setup": { "endpoint": "http://h:1" }, "note": agent }),
                environment: Environment {
                    user_agent: agent,
                    timer_resolution: Some(quantum_ns as f64 / 1e9),
                    cross_origin_isolated: true,
                    hidden_intervals: vec![(1.0, 2.5)],
                },
                requests: requests
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| RequestRecord {
                        id: 3 * i as u64,
                        ..r
                    })
                    .collect(),
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every field of a recording on its clock's grid comes back exactly.
    #[test]
    fn a_recording_packs_and_unpacks_exactly(recording in recording(false)) {
        let run = SharedRun { recording, deadlines: None };
        let back = unpack_run(&pack_run(&run, &HashSet::new())).unwrap();
        prop_assert_eq!(back, run);
    }

    /// Through a whole result link (checks included) when its chunks are in
    /// order, as a browser records them.
    #[test]
    fn a_result_link_round_trips(recording in recording(true)) {
        let link = result_link(&recording, Some(&DeadlineConfig::default()), &[]).unwrap();
        prop_assert!(link.starts_with("#result=v1."));
        prop_assert_eq!(opened(&link), recording);
    }

    /// Times on no grid come back within half a microsecond.
    #[test]
    fn times_off_the_grid_come_back_to_the_microsecond(gaps in prop::collection::vec(0.0f64..0.5, 1..50)) {
        let mut at = 0.0;
        let chunks: Vec<Chunk> = gaps.iter().map(|g| { at += g; Chunk { at, tokens: 1, reasoning: false, server_sent_at: None } }).collect();
        let recording = Recording {
            version: RECORDING_VERSION,
            started_at_unix_ms: 0.0,
            config: serde_json::Value::Null,
            environment: Environment::default(),
            requests: vec![RequestRecord { sent_at: 0.123_456_789, chunks, ..Default::default() }],
        };
        let run = SharedRun { recording, deadlines: None };
        let back = unpack_run(&pack_run(&run, &HashSet::new())).unwrap().recording;
        let recording = run.recording;
        for (a, b) in recording.requests[0].chunks.iter().zip(&back.requests[0].chunks) {
            prop_assert!((a.at - b.at).abs() <= 0.5e-6 + 1e-12);
        }
    }

    /// A test link fills the same set-up, never with a secret.
    #[test]
    fn a_test_link_round_trips_without_secrets(
        model in text(),
        seed in any::<u64>(),
        tbt in 0.001f64..1.0,
        secret in "[a-zA-Z0-9]{12,30}",
        header_name in "X-[A-Za-z]{1,10}",
        header_value in "[a-z]{4,12}",
    ) {
        let mut setup = TestSetup {
            endpoint: "https://user:pw-secret-1@api.example.com/v1?api_key=".to_string() + &secret,
            ..Default::default()
        };
        setup.request.model = model;
        setup.seed = seed;
        setup.deadlines.tbt_deadline = tbt;
        setup.headers = vec![
            HeaderSetting { name: header_name.clone(), value: secret.clone(), secret: true },
            HeaderSetting { name: "X-Region".into(), value: header_value.clone(), secret: false },
            HeaderSetting { name: "Authorization".into(), value: format!("Bearer {secret}"), secret: false },
        ];
        let link = test_link(&setup, None, &[]).unwrap();
        let Ok(Some(SharedLink::Test { setup: back, baseline: None })) = parse_fragment(&link) else {
            panic!("not a test link");
        };
        prop_assert_eq!(&*back, &shareable_setup(&setup));
        prop_assert_eq!(back.headers[1].value.as_str(), header_value.as_str());
        prop_assert_eq!(back.headers[0].name.as_str(), header_name.as_str());
        prop_assert_eq!(&back.request.model, &setup.request.model);
        let held = serde_json::to_string(&back).unwrap();
        prop_assert!(!held.contains(&secret) && !held.contains("pw-secret-1"), "{}", held);
    }

    /// Any damage to a link gives an answer (a sentence or a run), never a
    /// panic.
    #[test]
    fn damaged_links_never_panic(position in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        let link = result_link(&realistic_small(), None, &[]).unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(&link["#result=v1.".len()..]).unwrap();
        let i = position.index(bytes.len());
        bytes[i] ^= byte | 1;
        bytes.truncate(1 + cut.index(bytes.len()));
        let damaged = format!("#result=v1.{}", URL_SAFE_NO_PAD.encode(&bytes));
        if let Err(e) = parse_fragment(&damaged) {
            prop_assert!(e.message.ends_with('.') || e.message.ends_with('?'), "{}", e.message);
        }
    }
}

fn realistic_small() -> Recording {
    let mut recording = realistic_run(100e-6, 5e-6);
    recording.requests.truncate(3);
    for r in &mut recording.requests {
        r.chunks.truncate(20);
    }
    recording
}

#[test]
fn a_test_link_carries_the_senders_results_as_a_baseline() {
    let baseline = realistic_small();
    let link = test_link(&TestSetup::default(), Some(&baseline), &[]).unwrap();
    assert!(link.starts_with("#test=v1.") && link.contains("&baseline=v1."));
    match parse_fragment(&link) {
        Ok(Some(SharedLink::Test {
            setup,
            baseline: Some(back),
        })) => {
            assert_eq!(*setup, shareable_setup(&TestSetup::default()));
            assert_eq!(back.requests.len(), baseline.requests.len());
            assert_eq!(back.config, baseline.config);
            for (a, b) in back.requests.iter().zip(&baseline.requests) {
                for (x, y) in a.chunks.iter().zip(&b.chunks) {
                    assert!((x.at - y.at).abs() < 1e-12);
                }
            }
        }
        other => panic!("{other:?}"),
    }
    let too_large = test_link(&TestSetup::default(), Some(&realistic_run(3e-3, 5e-6)), &[]);
    assert!(too_large.unwrap_err().message.contains("without them"));
}

#[test]
fn no_secret_in_a_result_link() {
    let key = "sk-proj-0123456789abcdef".to_string();
    let tenant = "tenant-secret-42".to_string();
    let mut setup = TestSetup::default();
    setup.headers.push(HeaderSetting {
        name: "X-Tenant".into(),
        value: tenant.clone(),
        secret: true,
    });
    let mut recording = realistic_small();
    // A configuration written carelessly, and a server that echoes the key.
    recording.config =
        serde_json::json!({ "setup": setup, "authorization": format!("Bearer {key}") });
    recording.requests[1].error = Some(RequestError {
        kind: ErrorKind::HttpStatus,
        message: format!("Incorrect API key provided: {key}."),
        status: Some(401),
    });
    let link = result_link(&recording, None, &[key.clone(), tenant.clone()]).unwrap();
    let held = serde_json::to_string(&opened(&link)).unwrap();
    assert!(!held.contains(&key) && !held.contains(&tenant), "{held}");
    assert!(held.contains("Incorrect API key provided: ***."));
}

fn problem(fragment: &str) -> String {
    match parse_fragment(fragment) {
        Err(e) => e.message,
        other => panic!("{fragment:.80} opened: {other:?}"),
    }
}

#[test]
fn hostile_links_get_a_sentence() {
    assert_eq!(parse_fragment(""), Ok(None));
    assert_eq!(parse_fragment("#section-2"), Ok(None));
    let cases: Vec<(String, &str)> = vec![
        ("#result=garbage".into(), "lacks its version mark"),
        (
            "#result=v1.***".into(),
            "characters an etalon-web link never has",
        ),
        ("#result=v2.AAAA".into(), "newer etalon-web"),
        ("#test=x9.AAAA".into(), "unknown format"),
        ("#test=v1.AAAA".into(), "cannot be unpacked"),
        (
            format!("#result=v1.{}", "A".repeat(70_000)),
            "longer than any link",
        ),
        (
            format!("#result=v1.{}", URL_SAFE_NO_PAD.encode([9u8, 1, 2])),
            "version 9",
        ),
        (
            format!("#result=v1.{}", URL_SAFE_NO_PAD.encode([1u8, 200])),
            "damaged",
        ),
    ];
    for (fragment, expected) in cases {
        let message = problem(&fragment);
        assert!(message.contains(expected), "{fragment:.40}: {message}");
    }
}

#[test]
fn zip_bombs_are_stopped_at_the_cap() {
    let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 8 << 20], 10);
    println!("an 8 MiB bomb deflates to {} bytes", bomb.len());
    let message = problem(&format!("#test=v1.{}", URL_SAFE_NO_PAD.encode(&bomb)));
    assert!(message.contains("more than 64 KiB"), "{message}");
    let mut framed = vec![PACKED_VERSION];
    framed.push(0x80 | (bomb.len() & 0x7f) as u8);
    framed.push((bomb.len() >> 7) as u8);
    framed.extend_from_slice(&bomb);
    let message = problem(&format!("#result=v1.{}", URL_SAFE_NO_PAD.encode(&framed)));
    assert!(message.contains("more than 1024 KiB"), "{message}");
}

#[test]
fn schema_checks_refuse_absurd_values() {
    let mut recording = realistic_small();
    recording.requests[0].chunks[3].tokens = 3_000_000_000;
    assert!(result_link(&recording, None, &[])
        .unwrap_err()
        .message
        .contains("impossible number of tokens"));
    let mut recording = realistic_small();
    recording.requests[1].id = recording.requests[0].id;
    assert!(result_link(&recording, None, &[])
        .unwrap_err()
        .message
        .contains("appears twice"));
    let mut recording = realistic_small();
    recording.requests[0].chunks[5].at = 1e12;
    assert!(check_recording(&recording)
        .unwrap_err()
        .message
        .contains("not in order"));
    recording.requests[0].chunks[5].at = f64::NAN;
    assert!(check_recording(&recording).is_err());
    let mut recording = realistic_small();
    recording.version = 2;
    assert!(check_recording(&recording)
        .unwrap_err()
        .message
        .contains("newer etalon-web"));

    let setup = TestSetup {
        endpoint: "javascript:alert(1)".into(),
        ..Default::default()
    };
    assert!(check_setup(&setup)
        .unwrap_err()
        .message
        .contains("address cannot be used"));
    let mut setup = TestSetup::default();
    setup.workload.stop_after_requests = Some(0);
    assert!(check_setup(&setup)
        .unwrap_err()
        .message
        .contains("workload"));
    let setup = TestSetup {
        timeout_seconds: 1e300,
        ..Default::default()
    };
    assert!(check_setup(&setup).is_err());
    // A test link with a number JSON cannot hold is refused with a sentence.
    let json = serde_json::to_string(&TestSetup::default())
        .unwrap()
        .replace("120.0", "1e999");
    let bytes = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10);
    assert!(problem(&format!("#test=v1.{}", URL_SAFE_NO_PAD.encode(bytes))).contains("not valid"));
}

#[test]
fn script_text_travels_as_text() {
    let mut setup = TestSetup::default();
    setup.request.model = "<img src=x onerror=alert(1)>".into();
    let link = test_link(&setup, None, &[]).unwrap();
    assert!(
        !link.contains('<') && !link.contains('"'),
        "a link is base64url: {link}"
    );
    let Ok(Some(SharedLink::Test { setup: back, .. })) = parse_fragment(&link) else {
        panic!()
    };
    assert_eq!(back.request.model, "<img src=x onerror=alert(1)>");
}
