//! Column storage of a request's reads ([`Chunks`]): it gives back every
//! read exactly as it was pushed, keeps the JSON shape of a list of reads,
//! and holds a measured stream in a few bytes per read. In the worker's
//! messages the reads travel packed, and come back exactly; a damaged
//! packed form (real reads' packed forms with bytes or characters flipped,
//! inserted, deleted or cut) is an error in words or reads that hold
//! together, never a panic.

use etalon_core::metrics::{recording_metrics, DeadlineConfig};
use etalon_core::recording::synthetic::SyntheticRun;
use etalon_core::recording::{
    on_tick_grid, with_packed_chunks, Chunk, Chunks, Recording, RequestRecord, RECORDING_VERSION,
};
use etalon_core::share::check_recording;
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

// Damaged packed forms of real reads. Random base64 rarely gets past the
// flags byte; a real packed form with a few bytes or characters changed
// reaches every length, count and index check of the reader. Each damaged
// form must be refused in words or read back as reads that hold together
// (every accessor agrees with the walk, both serial forms give them back
// bit for bit) and that the recording's checks ([`check_recording`]) then
// accept or refuse in words; never a panic. (A changed tick difference is
// another valid time: the packed form has no checksum, so an accepted
// damaged form need not be the original reads, only sound ones.)

/// The packed forms (the base64 inside `{"packed": ...}`) of real reads:
/// a synthetic run's records as the worker stores them (times on the tick
/// grid; 1 read in 10 of 2 or 3 tokens; stalls), the same records as they
/// are (times off the grid: a plain `f64` column), and a measured stream
/// with the testbed's server times and a reasoning run.
fn real_packed_forms() -> Vec<String> {
    let recording = SyntheticRun {
        seed: 11,
        requests: 2,
        tokens_per_request: 24,
        stall_probability: 0.05,
    }
    .recording();
    let mut streams: Vec<Chunks> = Vec::new();
    for record in &recording.requests {
        streams.push(record.chunks.clone());
        streams.push(
            record
                .chunks
                .iter()
                .map(|c| Chunk {
                    at: on_tick_grid(c.at),
                    ..c
                })
                .collect(),
        );
    }
    let mut measured = measured_stream(20).to_vec();
    for read in &mut measured[3..9] {
        read.reasoning = true;
    }
    measured[12].server_sent_at = None;
    streams.push(measured.into());
    streams.iter().map(packed_form).collect()
}

fn packed_form(chunks: &Chunks) -> String {
    let text = with_packed_chunks(|| serde_json::to_string(chunks).unwrap());
    text.strip_prefix(r#"{"packed":""#)
        .and_then(|t| t.strip_suffix(r#""}"#))
        .expect("the packed form")
        .to_string()
}

/// Reads `packed` as the page reads a worker message's reads.
fn read_packed(packed: &str) -> Result<Chunks, String> {
    let text = serde_json::json!({ "packed": packed }).to_string();
    serde_json::from_str::<Chunks>(&text).map_err(|e| e.to_string())
}

/// What one damage does to a packed form.
#[derive(Debug, Clone)]
enum Damage {
    /// On the decoded bytes (then encoded again).
    FlipBit(prop::sample::Index, u8),
    SetByte(prop::sample::Index, u8),
    InsertByte(prop::sample::Index, u8),
    DeleteByte(prop::sample::Index),
    CutBytes(prop::sample::Index),
    /// On the base64 text itself.
    SetChar(prop::sample::Index, char),
    InsertChar(prop::sample::Index, char),
    DeleteChar(prop::sample::Index),
    CutChars(prop::sample::Index),
}

fn a_char() -> impl Strategy<Value = char> {
    prop_oneof![
        8 => prop::sample::select(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                .chars()
                .collect::<Vec<_>>()
        ),
        1 => prop::sample::select(vec!['=', '-', '_', ' ', '\n', '"', '\\', 'é', '\0']),
    ]
}

fn damage() -> impl Strategy<Value = Damage> {
    use prop::sample::Index;
    prop_oneof![
        3 => (any::<Index>(), 0u8..8).prop_map(|(i, bit)| Damage::FlipBit(i, bit)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Damage::SetByte(i, b)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Damage::InsertByte(i, b)),
        2 => any::<Index>().prop_map(Damage::DeleteByte),
        1 => any::<Index>().prop_map(Damage::CutBytes),
        2 => (any::<Index>(), a_char()).prop_map(|(i, c)| Damage::SetChar(i, c)),
        1 => (any::<Index>(), a_char()).prop_map(|(i, c)| Damage::InsertChar(i, c)),
        1 => any::<Index>().prop_map(Damage::DeleteChar),
        1 => any::<Index>().prop_map(Damage::CutChars),
    ]
}

/// `packed` with `damage` done to it.
fn damaged(packed: &str, damage: &Damage) -> String {
    use base64::engine::general_purpose::STANDARD_NO_PAD;
    use base64::Engine;
    // A text that is no longer base64 (an earlier damage) takes only
    // damages to its characters.
    let bytes = STANDARD_NO_PAD.decode(packed).ok();
    let on_bytes = |edit: &dyn Fn(&mut Vec<u8>)| match bytes.clone() {
        Some(mut bytes) => {
            edit(&mut bytes);
            STANDARD_NO_PAD.encode(bytes)
        }
        None => packed.to_string(),
    };
    let mut chars: Vec<char> = packed.chars().collect();
    let n = chars.len();
    match *damage {
        Damage::FlipBit(i, bit) => on_bytes(&|b| {
            if !b.is_empty() {
                let i = i.index(b.len());
                b[i] ^= 1 << bit;
            }
        }),
        Damage::SetByte(i, value) => on_bytes(&|b| {
            if !b.is_empty() {
                let i = i.index(b.len());
                b[i] = value;
            }
        }),
        Damage::InsertByte(i, value) => on_bytes(&|b| {
            let i = i.index(b.len() + 1);
            b.insert(i, value);
        }),
        Damage::DeleteByte(i) => on_bytes(&|b| {
            if !b.is_empty() {
                let i = i.index(b.len());
                b.remove(i);
            }
        }),
        Damage::CutBytes(i) => on_bytes(&|b| {
            let i = i.index(b.len() + 1);
            b.truncate(i);
        }),
        Damage::SetChar(i, c) if n > 0 => {
            chars[i.index(n)] = c;
            chars.into_iter().collect()
        }
        Damage::InsertChar(i, c) => {
            chars.insert(i.index(n + 1), c);
            chars.into_iter().collect()
        }
        Damage::DeleteChar(i) if n > 0 => {
            chars.remove(i.index(n));
            chars.into_iter().collect()
        }
        Damage::CutChars(i) => {
            chars.truncate(i.index(n + 1));
            chars.into_iter().collect()
        }
        Damage::SetChar(..) | Damage::DeleteChar(_) => packed.to_string(),
    }
}

/// Reads that hold together: every accessor agrees with the walk; the
/// packed form and (times being numbers) the list form give them back bit
/// for bit; and, in a record, the recording's checks accept or refuse them
/// in words, and the accepted ones give their figures (when `figures`).
fn assert_sound(chunks: &Chunks, figures: bool) {
    let reads = chunks.to_vec();
    assert_eq!(chunks.len(), reads.len());
    assert_eq!(chunks.iter().count(), reads.len());
    assert_eq!(chunks.is_empty(), reads.is_empty());
    let times: Vec<u64> = chunks.arrival_times().map(f64::to_bits).collect();
    assert_eq!(
        times,
        reads.iter().map(|c| c.at.to_bits()).collect::<Vec<_>>()
    );
    let pairs: Vec<(u64, u32)> = chunks
        .arrivals_and_tokens()
        .map(|(at, tokens)| (at.to_bits(), tokens))
        .collect();
    let expected: Vec<(u64, u32)> = reads.iter().map(|c| (c.at.to_bits(), c.tokens)).collect();
    assert_eq!(pairs, expected);
    let total: u64 = reads.iter().map(|c| u64::from(c.tokens)).sum();
    assert_eq!(chunks.total_tokens(), total);
    assert_eq!(chunks.one_token_each(), reads.iter().all(|c| c.tokens == 1));
    assert_eq!(
        bits(&chunks.last().into_iter().collect::<Vec<_>>()),
        bits(&reads[reads.len().saturating_sub(1)..])
    );
    assert_eq!(
        bits(&chunks.first().into_iter().collect::<Vec<_>>()),
        bits(&reads[..reads.len().min(1)])
    );
    assert!(chunks.get(reads.len()).is_none());
    assert!(reads
        .iter()
        .all(|c| c.server_sent_at.is_none_or(|t| !t.is_nan())));
    // The packed form again.
    let again = read_packed(&packed_form(chunks)).expect("its own packed form is read");
    assert_eq!(bits(&again.to_vec()), bits(&reads));
    // The list form, when every time is a number (JSON has no NaN).
    let numbers = reads
        .iter()
        .all(|c| c.at.is_finite() && c.server_sent_at.is_none_or(f64::is_finite));
    if numbers {
        let listed: Chunks = serde_json::from_str(&serde_json::to_string(chunks).unwrap()).unwrap();
        assert_eq!(bits(&listed.to_vec()), bits(&reads));
    }
    // In a record: the recording's checks answer; when they accept, the
    // figures are computed (a page could show them).
    let record = RequestRecord {
        id: 1,
        ended_at: reads
            .last()
            .map(|c| c.at)
            .filter(|t| t.is_finite() && *t >= 0.0),
        chunks: chunks.clone(),
        ..Default::default()
    };
    let recording = Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 0.0,
        config: serde_json::Value::Null,
        environment: Default::default(),
        requests: vec![record],
    };
    match check_recording(&recording) {
        Err(problem) => assert!(problem.message.starts_with("Request 1: "), "{problem}"),
        // Bounded so that one case stays quick (the checks allow 20
        // million tokens).
        Ok(()) if figures && total <= 100_000 => {
            let metrics = recording_metrics(&recording, &DeadlineConfig::default());
            assert_eq!(metrics.requests[0].num_output_tokens, total);
            assert_eq!(
                recording.requests[0].inter_token_times().len() as u64,
                total
            );
            let rate = metrics.requests[0].deadline_miss_rate;
            assert!((0.0..=1.0).contains(&rate), "{rate}");
        }
        Ok(()) => {}
    }
}

/// The answer to a damaged form: an error that says the packed reads are
/// damaged or not base64, or sound reads (with their figures when
/// `figures`). Whether the reads were accepted.
fn assert_refused_in_words_or_sound(packed: &str, figures: bool) -> bool {
    match read_packed(packed) {
        Err(error) => {
            assert!(error.contains("packed reads"), "{packed}: {error}");
            false
        }
        Ok(chunks) => {
            assert_sound(&chunks, figures);
            true
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn damaged_real_packed_forms_are_refused_or_sound(
        which in any::<prop::sample::Index>(),
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let forms = real_packed_forms();
        let mut packed = forms[which.index(forms.len())].clone();
        for damage in &damages {
            packed = damaged(&packed, damage);
        }
        assert_refused_in_words_or_sound(&packed, true);
    }
}

/// Every single-bit flip and every one-byte deletion of each real packed
/// form: each refused in words or read as sound reads, and both answers
/// occur often (the damage reaches past the first byte, into the columns).
#[test]
fn every_bit_flip_and_byte_deletion_of_real_packed_forms() {
    use base64::engine::general_purpose::STANDARD_NO_PAD;
    use base64::Engine;
    let (mut accepted, mut refused) = (0, 0);
    for packed in real_packed_forms() {
        let bytes = STANDARD_NO_PAD.decode(&packed).unwrap();
        for i in 0..bytes.len() {
            let mut forms = Vec::new();
            for bit in 0..8 {
                let mut flipped = bytes.clone();
                flipped[i] ^= 1 << bit;
                forms.push(flipped);
            }
            let mut deleted = bytes.clone();
            deleted.remove(i);
            forms.push(deleted);
            for form in forms {
                // The figures of one accepted form in 8 (they take the time).
                let figures = accepted % 8 == 0;
                if assert_refused_in_words_or_sound(&STANDARD_NO_PAD.encode(form), figures) {
                    accepted += 1;
                } else {
                    refused += 1;
                }
            }
        }
    }
    println!("{accepted} damaged forms read as sound reads, {refused} refused");
    assert!(
        accepted > 100 && refused > 100,
        "{accepted} read, {refused} refused"
    );
}
