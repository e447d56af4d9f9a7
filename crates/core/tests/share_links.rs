//! Test links and result links: round trips of every field (property
//! tests), the size of realistic runs of 100 requests of 256 tokens with
//! jitters from 50 µs to 2 ms (printed, with the precision their times were
//! rounded to), the sender's figures after a round trip (rounded or not),
//! links of the first format still opening, no secret in what a link
//! holds, and hostile links (garbage, wrong versions, huge, zip bombs,
//! damaged bytes, script text) answered with a sentence.
#![cfg(not(target_arch = "wasm32"))]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::collections::HashSet;

use etalon_core::metrics::{recording_metrics, DeadlineConfig};
use etalon_core::plan::setup::{HeaderSetting, TestSetup};
use etalon_core::present::report::headlines;
use etalon_core::recording::synthetic::Rng;
use etalon_core::recording::*;
use etalon_core::share::*;
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

/// A run as a browser with a clock of `clock` seconds records it (5 µs
/// cross-origin isolated, 100 µs otherwise): 100 requests of 256 tokens,
/// one token per read, 20 ms between tokens with `jitter` seconds of spread
/// (standard deviation), a stall of 50 to 350 ms before 1 token in 100, a
/// TTFT of 150 to 400 ms, no server send times.
fn realistic_run(jitter: f64, clock: f64) -> Recording {
    run_of(100, 256, jitter, clock)
}

/// The same with `requests` requests of `tokens` tokens.
fn run_of(requests: u64, tokens: u32, jitter: f64, clock: f64) -> Recording {
    seeded_run(7, requests, tokens, jitter, clock)
}

fn seeded_run(seed: u64, requests: u64, tokens: u32, jitter: f64, clock: f64) -> Recording {
    let mut rng = Rng::new(seed);
    let on_clock = |t: f64| browser_time(t, clock);
    let last = tokens as usize - 1;
    let requests = (0..requests)
        .map(|id| {
            let mut at = 0.15 + rng.unit() * 0.25;
            let chunks: Vec<Chunk> = (0..tokens)
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
                ended_at: Some(on_clock(chunks[last].at + 0.0004)),
                chunks: chunks.into(),
                prompt_tokens: counted(512),
                output_tokens: counted(u64::from(tokens)),
                finish_reason: Some("length".into()),
                protocol: Some("http/1.1".into()),
                bursts: Some(Bursts {
                    events: tokens,
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

/// Panics unless `received` gives the figures of `sent` under `deadlines`:
/// the headline cards as displayed, each request's missed and total
/// deadlines and minimum TBT deadline.
fn assert_same_figures(sent: &Recording, received: &Recording, deadlines: &DeadlineConfig) {
    let (a, b) = (
        recording_metrics(sent, deadlines),
        recording_metrics(received, deadlines),
    );
    for (x, y) in headlines(&a).iter().zip(headlines(&b).iter()) {
        assert_eq!(x.display, y.display, "{}", x.key);
    }
    assert_eq!(a.requests.len(), b.requests.len());
    for (x, y) in a.requests.iter().zip(&b.requests) {
        assert_eq!(
            (
                x.missed_deadlines,
                x.total_deadlines,
                x.min_tbt_deadline_to_meet
            ),
            (
                y.missed_deadlines,
                y.total_deadlines,
                y.min_tbt_deadline_to_meet
            ),
            "request {}",
            x.id
        );
    }
}

fn precision_text(rounded_to: Option<f64>) -> String {
    match rounded_to {
        None => "the clock's".into(),
        Some(s) if s < 1e-3 => format!("{} us", s * 1e6),
        Some(s) => format!("{} ms", s * 1e3),
    }
}

/// Realistic jitters, from a quiet LAN to a busy network: each link fits
/// in 32 KB of URL, at the finest precision that fits, and the recipient
/// sees the sender's figures.
#[test]
fn a_realistic_run_of_100_requests_of_256_tokens_fits_in_32_kb() {
    let origin = "https://etalon-web.example.org/";
    let deadlines = TestSetup::default().deadlines;
    println!("result link of 100 requests x 256 tokens (URL length with {origin}):");
    for (jitter, clock) in [
        (50e-6, 5e-6),
        (100e-6, 5e-6),
        (200e-6, 5e-6),
        (500e-6, 5e-6),
        (1e-3, 5e-6),
        (2e-3, 5e-6),
        (1e-3, 100e-6),
    ] {
        let recording = realistic_run(jitter, clock);
        let link = result_link(&recording, Some(&deadlines), &[]).unwrap_or_else(|e| {
            panic!("jitter {} us, clock {} us: {e}", jitter * 1e6, clock * 1e6)
        });
        let url_length = origin.len() + link.len();
        let Ok(Some(OpenedLink {
            link:
                SharedLink::Result {
                    recording: back,
                    deadlines: Some(shown),
                },
            rounded_to,
        })) = open_link(&link)
        else {
            panic!("not a result link with deadlines");
        };
        println!(
            "  jitter {:>4} us, clock {:>3} us: {url_length} characters, times at {} precision",
            jitter * 1e6,
            clock * 1e6,
            precision_text(rounded_to)
        );
        assert!(url_length <= 32 * 1024, "{url_length}");
        assert_eq!(shown, deadlines);
        assert_same_figures(&recording, &back, &deadlines);
        // Rounded only when the clock's precision does not fit.
        let at_clock = base64_chars(
            pack_faithfully(&SharedRun {
                recording: recording.clone(),
                deadlines: Some(deadlines.clone()),
                rounded_to: None,
            })
            .len(),
        );
        assert_eq!(rounded_to.is_some(), at_clock + 11 > MAX_FRAGMENT_CHARS);
        if let Some(precision) = rounded_to {
            assert!(precision > clock && precision <= 1e-3, "{precision}");
            for (a, b) in recording.requests.iter().zip(&back.requests) {
                for (x, y) in a.chunks.iter().zip(&b.chunks) {
                    assert!((x.at - y.at).abs() <= precision / 2.0 + 1e-9);
                }
            }
        }
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
        let first = record.chunks.first().unwrap().at;
        let start = (first / 5e-6).round() * 5e-6;
        let mut chunks = record.chunks.to_vec();
        for (i, chunk) in chunks.iter_mut().enumerate() {
            chunk.at = browser_time(start + record.sent_at + i as f64 * 0.05, 5e-6)
                - browser_time(record.sent_at, 5e-6);
        }
        record.chunks = chunks.into();
        record.ended_at = record.chunks.last().map(|c| c.at);
    }
    // A TTFT deadline of 0 banks no slack: each gap meets its deadline
    // exactly.
    let deadlines = DeadlineConfig::fixed(0.0, 0.05, 0.1);
    let run = SharedRun {
        recording: recording.clone(),
        deadlines: Some(deadlines.clone()),
        rounded_to: None,
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

/// 1,000 requests of 1,000 tokens do not fit even at the coarsest
/// precision.
#[test]
fn a_run_too_large_for_a_link_says_so_and_offers_the_file() {
    let deadlines = TestSetup::default().deadlines;
    let error = result_link(&run_of(1000, 1000, 1e-3, 5e-6), Some(&deadlines), &[]).unwrap_err();
    println!("1,000 requests x 1,000 tokens: {error}");
    assert!(error.message.contains("too large for a link"), "{error}");
    assert!(
        error.message.contains("download the recording file"),
        "{error}"
    );
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
        let run = SharedRun { recording, deadlines: None, rounded_to: None };
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
            requests: vec![RequestRecord { sent_at: 0.123_456_789, chunks: chunks.into(), ..Default::default() }],
        };
        let run = SharedRun { recording, deadlines: None, rounded_to: None };
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
        r.chunks = r.chunks.iter().take(20).collect();
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
    let too_large = test_link(
        &TestSetup::default(),
        Some(&run_of(1000, 1000, 1e-3, 5e-6)),
        &[],
    );
    assert!(too_large.unwrap_err().message.contains("without them"));
}

/// A result link made before times could be rounded (packed format 1):
/// `realistic_small()` under the default deadlines, as etalon-web made it
/// at commit 49f4d55.
const FORMAT_1_LINK: &str = concat!(
    "#result=v1.AbAF7VTdbtMwFH6VyFdMKmmdrd0UrhAXIG27AgkkNFluctqYOnawj7uOKu_OsZN26zYkHmC5Ss6fz_f",
    "j7FkNstbKgGflniGuUBwirJzlfMJweRqazSkm3RpQtMp74SQOpf2EOaisq5VZx2FbcF5Zw0oa4qkDoRYSRTBqJ1o6j",
    "l_OHp-cFzS3smalUnPVSOdFB06g3QANOc8XBc0BDF3Mn6792jr_2PwFQlobTN1ZZZCVrEHsyumUF5c5NeS8vKLl2IQ",
    "11EJ4WPnzLsL8HcBjPFp2irpoWxSVbTsNSJA9S1BQmWCDF8HLNQiiAKl_JbUHOnKHToqlrR9oCq2g1sY6EGAfS5Spd",
    "KhhaGclukDBVu4GRqjOBK0poszziK1B01a_FCI4FlmD-pBEaIlVicHBEOoP-SgTOFKNWpHgLSlI9aoFG1B4ktbUUba",
    "CiJmcqHtv3UZbWSdCnFNbAhDfN8pQjEmto_DWVMDotBfSXsR5NL0KzoGpiJHFhGkwa2yejvHQyaTuhNFCHe10gH0sW",
    "andsPSY4MUVHdg5UuY_que86CMbaDshV0SdGIWOudlJ4sjGQOq9dG3onpTzvk--2ipnTQsmeSUQvYK0TEa7tX-U1nI",
    "6z2fZux-cf8huyC67bHe1EIuLs-xjR2b6DstrhdP5-WV-vsjeXX_5dnszybTaQPYZqo09yz41BA6m_Jwnv86yr3Iln",
    "RpbRv0iEG91wCTYHN4Tv5WzdFusU2vyj6IsMVsPLuuPDo9-3zNF8Qi_aqAOOt3idJ2iXww-flVNMJvxirzgvLIh4ia",
    "Oqc0GR14oD37rX1F0rC_mi1frV8oo3xAu6SOm0S4sHYy2snq8y1Oec4oug0to9gy2tLMfBw8fghg4FBAMHf8mHodQ8",
    "nd6exgvJgk7UMLfKHlOSfFGyZGSu77_Cz0BOADH_4gnAHgD_LcFFKaFBrw-2s52wJoMwLgCA6aoBhSOggfEPviac8C",
    "aDMC4AgPohggUrPkIwj6oyoMBPgE5AMb_DTwDDg0uACheBBEuJRMmIRMRBiwqCAAfIBkMPRAXEjEdDAkfAQgZEBtHL",
    "g8ROB1OHxwIMz4vJgwAD53AgQAAAACAoPypdzimAAIDABCdwCEBAAAAgKDC_81-EL4AAgMAAgMA",
);

#[test]
fn a_link_of_the_first_format_still_opens() {
    let Ok(Some(OpenedLink {
        link:
            SharedLink::Result {
                recording,
                deadlines: Some(deadlines),
            },
        rounded_to: None,
    })) = open_link(FORMAT_1_LINK)
    else {
        panic!("not a result link with deadlines");
    };
    let sent = realistic_small();
    assert_eq!(deadlines, TestSetup::default().deadlines);
    assert_eq!(recording.config, sent.config);
    assert_eq!(recording.requests.len(), sent.requests.len());
    for (a, b) in recording.requests.iter().zip(&sent.requests) {
        assert_eq!(a.chunks.len(), b.chunks.len());
        for (x, y) in a.chunks.iter().zip(&b.chunks) {
            assert!((x.at - y.at).abs() < 1e-12);
        }
    }
    assert_same_figures(&sent, &recording, &deadlines);
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
    edit_chunk(&mut recording, 3, |c| c.tokens = 3_000_000_000);
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
    edit_chunk(&mut recording, 5, |c| c.at = 1e12);
    assert!(check_recording(&recording)
        .unwrap_err()
        .message
        .contains("not in order"));
    edit_chunk(&mut recording, 5, |c| c.at = f64::NAN);
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

/// Edits read `index` of the first request.
fn edit_chunk(recording: &mut Recording, index: usize, edit: impl FnOnce(&mut Chunk)) {
    let record = &mut recording.requests[0];
    let mut chunks = record.chunks.to_vec();
    edit(&mut chunks[index]);
    record.chunks = chunks.into();
}

/// A run packed into less room than it takes at its clock's precision
/// has its times rounded (never finer than the clock), and whoever opens it
/// sees the sender's figures: each request's deadline counts and minimum
/// TBT deadline, and the headline cards as displayed. A run too noisy to
/// fit is refused with its size; at least a quarter of the cases must pack,
/// so that a packer that refused every run would fail here.
#[test]
fn a_rounded_link_keeps_the_senders_figures() {
    const CASES: u32 = 200;
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(CASES));
    let packed_cases = std::cell::Cell::new(0u32);
    let strategy = (
        any::<u64>(),
        2u64..12,
        60u32..200,
        20e-6f64..4e-3,
        prop::sample::select(vec![5e-6, 100e-6]),
        0.015f64..0.06,
        0.8f64..0.99,
    );
    runner
        .run(
            &strategy,
            |(seed, requests, tokens, jitter, clock, tbt_deadline, room)| {
                let recording = seeded_run(seed, requests, tokens, jitter, clock);
                let deadlines = DeadlineConfig::fixed(0.3, tbt_deadline, 0.1);
                let run = SharedRun {
                    recording,
                    deadlines: Some(deadlines.clone()),
                    rounded_to: None,
                };
                let at_clock = base64_chars(pack_faithfully(&run).len());
                match pack_to_fit(&run, (at_clock as f64 * room) as usize) {
                    Ok(packed) => {
                        packed_cases.set(packed_cases.get() + 1);
                        prop_assert!(base64_chars(packed.len()) as f64 <= at_clock as f64 * room);
                        let back = unpack_run(&packed).unwrap();
                        let precision = back.rounded_to.expect("rounded to fit");
                        prop_assert!(precision > clock * 1.5);
                        assert_same_figures(&run.recording, &back.recording, &deadlines);
                        let link = format!("#result=v1.{}", URL_SAFE_NO_PAD.encode(&packed));
                        prop_assert_eq!(
                            open_link(&link).unwrap().unwrap().rounded_to,
                            Some(precision)
                        );
                    }
                    Err(too_large) => prop_assert_eq!(too_large.chars, at_clock),
                }
                Ok(())
            },
        )
        .unwrap();
    println!(
        "{} of {CASES} runs packed into less room",
        packed_cases.get()
    );
    assert!(
        packed_cases.get() >= CASES / 4,
        "only {} of {CASES} runs packed into less room",
        packed_cases.get()
    );
}

/// A run too large for an exact link (1,000 requests of 128 tokens with
/// 1 ms of jitter) shares as a summary link within 32,000 characters; the
/// recipient reads the sender's cards, percentile table and first look,
/// and a sample of its requests. Printed: the link's length and sample.
#[test]
fn a_run_too_large_for_a_link_shares_as_a_summary_with_the_senders_figures() {
    use etalon_core::present::report::{percentile_rows, Report, ReportBasis};
    let run = run_of(1_000, 128, 0.001, 5e-6);
    let deadlines = DeadlineConfig::fixed(2.0, 0.05, 0.1);
    let exact = result_link(&run, Some(&deadlines), &[]);
    assert!(
        exact
            .as_ref()
            .is_err_and(|e| e.message.contains("too large")),
        "the run fits an exact link: {:?}",
        exact.map(|l| l.len())
    );
    let (fragment, sent) = summary_link(&run, &deadlines, &[]).unwrap();
    println!(
        "summary link of 1,000 x 128 tokens: {} characters, {} requests sampled",
        fragment.len(),
        sent.sample.len()
    );
    assert!(fragment.len() <= MAX_FRAGMENT_CHARS, "{}", fragment.len());
    assert!(sent.sample.len() >= 10, "{}", sent.sample.len());

    let Some(OpenedLink {
        link: SharedLink::Summary(received),
        ..
    }) = open_link(&fragment).unwrap()
    else {
        panic!("not a summary link");
    };
    assert_eq!(received.requests(), 1_000);
    assert_eq!(received.sample.len(), sent.sample.len());
    // The cards are the sender's, figure for figure.
    let basis = ReportBasis::of(&run);
    let sender = Report::from_basis(&basis, &deadlines, None);
    let cards: Vec<_> = received
        .cards
        .iter()
        .map(|c| (c.key.clone(), c.value, c.interval))
        .collect();
    let shown = Report::summarised(
        &received.deadlines,
        received.service.clone(),
        &cards,
        received.rates,
        &received.sample_recording(),
    );
    for card in sender.rate_headlines.iter().chain(&sender.headlines) {
        let theirs = shown.headline(card.key).unwrap();
        assert_eq!(theirs.display, card.display, "{}", card.key);
        assert_eq!(theirs.sureness(), card.sureness(), "{}", card.key);
    }
    // The percentile table too (its CDFs are rounded, its figures not).
    assert_eq!(
        percentile_rows(&received.service.percentiles),
        percentile_rows(&sender.metrics.service.percentiles)
    );
    // And the first look.
    assert_eq!(
        etalon_core::present::report::first_look(
            &received.facts,
            &shown.metrics,
            shown.rates.as_ref(),
            "today"
        ),
        sender.first_look(&basis, "today")
    );
}

#[test]
fn a_damaged_or_hostile_summary_link_gets_a_sentence() {
    let run = run_of(200, 64, 0.001, 5e-6);
    let (fragment, _) = summary_link(&run, &DeadlineConfig::fixed(2.0, 0.05, 0.1), &[]).unwrap();
    let cut = &fragment[..fragment.len() / 2];
    let said = open_link(cut).unwrap_err().message;
    assert!(
        said.contains("damaged") || said.contains("cannot"),
        "{said}"
    );
    // A summary whose counts do not add up.
    let (_, mut summary) = summary_link(&run, &DeadlineConfig::fixed(2.0, 0.05, 0.1), &[]).unwrap();
    summary.service.completed = summary.service.launched + 5;
    let json = serde_json::to_vec(&summary).unwrap();
    let head = miniz_oxide::deflate::compress_to_vec(&json, 6);
    let mut bytes = (head.len() as u32).to_be_bytes().to_vec();
    bytes.extend_from_slice(&head);
    let forged = format!("#summary=v1.{}", URL_SAFE_NO_PAD.encode(&bytes));
    let said = open_link(&forged).unwrap_err().message;
    assert_eq!(
        said,
        "This summary link's count of requests is not valid: it was not opened."
    );
    // A length that points past the end.
    let forged = format!(
        "#summary=v1.{}",
        URL_SAFE_NO_PAD.encode([0xff, 0xff, 0xff, 0xff, 1, 2])
    );
    assert!(open_link(&forged).unwrap_err().message.contains("damaged"));
}
