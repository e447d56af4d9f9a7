//! Column storage of a request's reads ([`Chunks`]): it gives back every
//! read exactly as it was pushed, keeps the JSON shape of a list of reads,
//! and holds a measured stream in a few bytes per read. In the worker's
//! messages the reads travel packed, and come back exactly; a damaged
//! packed form is an error, never a panic or a wrong record.

use etalon_core::recording::{on_tick_grid, with_packed_chunks, Chunk, Chunks, RequestRecord};
use etalon_core::wire::messages::{RequestProgress, RequestState, WorkerMessage};
use proptest::prelude::*;

fn chunk(at: f64, tokens: u32) -> Chunk {
    Chunk::visible(at, tokens)
}

fn any_chunk() -> impl Strategy<Value = Chunk> {
    (
        prop_oneof![
            // Measured times, on the grid.
            (0u64..2_000_000_000).prop_map(|ticks| ticks as f64 / 1e7),
            // Anything else a file may hold, negative and huge included.
            any::<f64>().prop_filter("finite", |t| t.is_finite()),
            (0.0..100.0f64),
        ],
        prop_oneof![4 => Just(1u32), 1 => 0u32..5, 1 => any::<u32>()],
        any::<bool>(),
        prop_oneof![
            Just(None),
            (0u64..2_000_000_000).prop_map(|us| Some(us as f64 / 1e6)),
            (0.0..1e6f64).prop_map(Some),
        ],
    )
        .prop_map(|(at, tokens, reasoning, server_sent_at)| Chunk {
            at,
            tokens,
            reasoning,
            server_sent_at,
        })
}

fn bits(chunks: &[Chunk]) -> Vec<(u64, u32, bool, Option<u64>)> {
    chunks
        .iter()
        .map(|c| {
            (
                c.at.to_bits(),
                c.tokens,
                c.reasoning,
                c.server_sent_at.map(f64::to_bits),
            )
        })
        .collect()
}

proptest! {
    #[test]
    fn every_read_comes_back_bit_for_bit(reads in prop::collection::vec(any_chunk(), 0..200)) {
        let stored: Chunks = reads.iter().copied().collect();
        prop_assert_eq!(stored.len(), reads.len());
        prop_assert_eq!(bits(&stored.to_vec()), bits(&reads));
        prop_assert_eq!(bits(&stored.last().into_iter().collect::<Vec<_>>()), bits(&reads.last().copied().into_iter().collect::<Vec<_>>()));
        let total: u64 = reads.iter().map(|c| u64::from(c.tokens)).sum();
        prop_assert_eq!(stored.total_tokens(), total);
        let arrivals: Vec<u64> = stored.arrival_times().map(f64::to_bits).collect();
        prop_assert_eq!(arrivals, reads.iter().map(|c| c.at.to_bits()).collect::<Vec<_>>());
    }

    #[test]
    fn json_keeps_the_shape_of_a_list_of_reads(reads in prop::collection::vec(any_chunk(), 0..50)) {
        let stored: Chunks = reads.iter().copied().collect();
        let text = serde_json::to_string(&stored).unwrap();
        prop_assert_eq!(&text, &serde_json::to_string(&reads).unwrap());
        let back: Chunks = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(bits(&back.to_vec()), bits(&reads));
    }

    #[test]
    fn packed_reads_come_back_bit_for_bit(reads in prop::collection::vec(any_chunk(), 0..200)) {
        let stored: Chunks = reads.iter().copied().collect();
        let text = with_packed_chunks(|| serde_json::to_string(&stored).unwrap());
        prop_assert!(text.starts_with(r#"{"packed":""#), "{}", text);
        let back: Chunks = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(bits(&back.to_vec()), bits(&reads));
        // Outside `with_packed_chunks`, the list of reads again.
        prop_assert_eq!(serde_json::to_string(&stored).unwrap(), serde_json::to_string(&reads).unwrap());
    }

    #[test]
    fn any_packed_text_is_read_or_refused_without_a_panic(text in "[A-Za-z0-9+/]{0,64}") {
        let _ = serde_json::from_str::<Chunks>(&format!(r#"{{"packed":"{text}"}}"#));
    }

    #[test]
    fn merging_into_the_last_read_adds_its_tokens(
        reads in prop::collection::vec(any_chunk(), 1..30),
        extra in 0u32..1000,
    ) {
        let mut stored: Chunks = reads.iter().copied().collect();
        stored.add_tokens_to_last(extra);
        let mut expected = reads.clone();
        let last = expected.last_mut().unwrap();
        last.tokens = last.tokens.saturating_add(extra);
        prop_assert_eq!(bits(&stored.to_vec()), bits(&expected));
    }
}

#[test]
fn a_measured_stream_takes_a_few_bytes_per_read() {
    // 1,000 reads at about 20 ms apart, stamped by a 5 µs clock, with the
    // testbed's microsecond send times: what a real run stores.
    let mut stored = Chunks::new();
    let (mut at, mut sent) = (0.35, 12.5);
    for i in 0..1000u32 {
        let jitter = f64::from(i % 7) * 5e-6;
        stored.push(Chunk {
            server_sent_at: Some((sent * 1e6_f64).round() / 1e6),
            ..chunk(on_tick_grid(at + jitter), 1)
        });
        at += 0.02;
        sent += 0.02;
    }
    stored.shrink_to_fit();
    let per_read = stored.heap_bytes() as f64 / 1000.0;
    println!("{per_read:.2} bytes per read with server times");
    assert!(per_read <= 6.5, "{per_read} bytes per read");
    // Without the server's times (every real server): half that.
    let plain: Chunks = stored
        .iter()
        .map(|c| Chunk {
            server_sent_at: None,
            ..c
        })
        .collect();
    assert!(plain.heap_bytes() <= 3200, "{} bytes", plain.heap_bytes());
}

#[test]
fn a_time_off_the_grid_is_kept_exactly_and_the_rest_with_it() {
    let mut stored = Chunks::new();
    stored.push(chunk(0.25, 1));
    stored.push(chunk(0.1 + 0.2, 1)); // 0.30000000000000004: not on the grid
    stored.push(chunk(0.5, 2));
    let times: Vec<f64> = stored.arrival_times().collect();
    assert_eq!(times, [0.25, 0.1 + 0.2, 0.5]);
    assert_eq!(stored.last(), Some(chunk(0.5, 2)));
}

#[test]
fn reasoning_runs_and_missing_server_times_come_back_per_read() {
    let reads = [
        Chunk {
            reasoning: true,
            ..chunk(0.1, 1)
        },
        Chunk {
            reasoning: true,
            server_sent_at: Some(3.0),
            ..chunk(0.2, 1)
        },
        chunk(0.3, 1),
        Chunk {
            reasoning: true,
            ..chunk(0.4, 2)
        },
        chunk(0.5, 0),
    ];
    let stored: Chunks = reads.iter().copied().collect();
    assert_eq!(stored.to_vec(), reads);
    assert_eq!(stored.get(3), Some(reads[3]));
    assert_eq!(stored.get(5), None);
    assert_eq!(stored.last(), Some(reads[4]));
}

#[test]
fn a_record_of_single_tokens_gives_its_gaps_from_the_arrival_times() {
    let record = RequestRecord::from_arrivals(1, &[0.5, 0.52, 0.6]);
    let gaps = record.inter_token_times();
    assert_eq!(gaps, [0.5, 0.52 - 0.5, 0.6 - 0.52]);
    let mut chunks = record.chunks.to_vec();
    chunks[1].tokens = 2;
    let record = RequestRecord {
        chunks: chunks.into(),
        ..record
    };
    assert_eq!(
        record.inter_token_times(),
        [0.5, 0.52 - 0.5, 0.0, 0.6 - 0.52]
    );
}

/// A measured stream as the worker records it: `reads` reads about 20 ms
/// apart on a 5 µs clock, with the testbed's microsecond send times, and a
/// few reads of several tokens.
fn measured_stream(reads: u32) -> Chunks {
    let (mut at, mut sent) = (0.35, 12.5);
    (0..reads)
        .map(|i| {
            let read = Chunk {
                server_sent_at: Some((sent * 1e6_f64).round() / 1e6),
                ..chunk(
                    on_tick_grid(at + f64::from(i % 7) * 5e-6),
                    1 + u32::from(i % 50 == 0),
                )
            };
            at += 0.02;
            sent += 0.02;
            read
        })
        .collect()
}

#[test]
fn a_batch_of_records_travels_packed_and_comes_back_equal() {
    let mut measured = RequestRecord::from_arrivals(1, &[0.5]);
    measured.chunks = measured_stream(250);
    let off_grid = RequestRecord::from_arrivals(2, &[0.25, 0.1 + 0.2, 0.5]);
    let batch = WorkerMessage::Batch {
        run_id: 7,
        started_at_unix_ms: 1.7e12,
        progress: vec![RequestProgress {
            id: 1,
            state: RequestState::Done,
            tokens: 255,
        }],
        records: vec![measured.clone(), off_grid],
        live_text: vec![(0.5, "Hello".into())],
    };
    let packed = batch.to_json();
    assert_eq!(WorkerMessage::from_json(&packed).unwrap(), batch);
    // The list form, as files hold it, is read the same.
    let listed = serde_json::to_string(&batch).unwrap();
    assert_eq!(WorkerMessage::from_json(&listed).unwrap(), batch);
    // A record's reads take a fraction of the text (and of the time to
    // write it) in the packed form.
    let one = |text: &str| text.len();
    let (packed_record, listed_record) = (
        with_packed_chunks(|| serde_json::to_string(&measured.chunks).unwrap()),
        serde_json::to_string(&measured.chunks).unwrap(),
    );
    println!(
        "250 reads: packed {} bytes, listed {} bytes",
        one(&packed_record),
        one(&listed_record)
    );
    assert!(one(&packed_record) * 5 <= one(&listed_record));
}

#[test]
fn a_damaged_packed_form_is_refused_in_words() {
    let text = with_packed_chunks(|| serde_json::to_string(&measured_stream(40)).unwrap());
    let inner = text
        .strip_prefix(r#"{"packed":""#)
        .and_then(|t| t.strip_suffix(r#""}"#))
        .unwrap();
    // Every shortened form is refused: lengths and counts are checked.
    for end in 0..inner.len() {
        let cut = format!(r#"{{"packed":"{}"}}"#, &inner[..end]);
        let error = serde_json::from_str::<Chunks>(&cut)
            .unwrap_err()
            .to_string();
        assert!(error.contains("packed reads"), "{end}: {error}");
    }
    // No reads at all is a valid packed form.
    let empty: Chunks = serde_json::from_str(r#"{"packed":"AAAAAAA"}"#).unwrap();
    assert!(empty.is_empty());
    // Bytes left over.
    let longer = format!(r#"{{"packed":"{inner}AAAA"}}"#);
    let error = serde_json::from_str::<Chunks>(&longer)
        .unwrap_err()
        .to_string();
    assert!(error.contains("left over"), "{error}");
    for (damaged, words) in [
        (r#"{"packed":"@@@@"}"#, "not base64"),
        // Unknown flags.
        (r#"{"packed":"gA"}"#, "unknown flags"),
        // One read of ticks, its column holding two times.
        (r#"{"packed":"AQEBAgICAAA"}"#, "one time per read"),
        // Two reads (seconds), token counts listed out of order.
        (
            r#"{"packed":"AAICAAAAAAAAAAAAAAAAAAAAAAIBBQACAA"}"#,
            "out of order",
        ),
        (r#"{"packed":"AAAAAAA","extra":1}"#, "unexpected field"),
        (r#"{"other":"AA"}"#, "unexpected field"),
        (r#"{}"#, "missing field"),
        (r#"{"packed":5}"#, "invalid type"),
    ] {
        let error = serde_json::from_str::<Chunks>(damaged)
            .err()
            .unwrap_or_else(|| panic!("{damaged} was accepted"))
            .to_string();
        assert!(error.contains(words), "{damaged}: {error}");
    }
}
