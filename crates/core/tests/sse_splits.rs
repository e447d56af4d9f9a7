//! The parser gives the same events however the bytes are split.

use etalon_core::wire::sse::{SseEnd, SseEvent, SseParser};
use proptest::prelude::*;

/// A stream with every rule in it: BOM, all line ends, comments, multi-line
/// data, event types, ids, retry, multi-byte characters, invalid bytes, an
/// event without data, llama.cpp's `error:` line, bare JSON, `[DONE]`, and
/// an unterminated last event.
const STREAM: &[u8] = b"\xEF\xBB\xBF: hello\r\n\
data: {\"choices\":[{\"delta\":{\"content\":\"caf\xC3\xA9\"}}]}\r\n\r\n\
event: add\rid: 7\rdata: first\rdata:second\r\r\
retry: 300\n\
data:  \xF0\x9F\x98\x80 bad\x80byte\n\n\
event: ping\n\n\
error: {\"message\":\"x\"}\n\
{\"error\":\"bare\"}\n\
data\ndata\n\r\n\
data: [DONE]\n\n\
data: cut";

fn parse_in_pieces(pieces: &[&[u8]]) -> (Vec<SseEvent>, SseEnd) {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    for piece in pieces {
        parser.push_into(piece, &mut events);
    }
    (events, parser.finish())
}

fn whole() -> (Vec<SseEvent>, SseEnd) {
    parse_in_pieces(&[STREAM])
}

#[test]
fn the_whole_stream_gives_the_expected_events() {
    let (events, end) = whole();
    let datas: Vec<&str> = events.iter().map(|e| e.data.as_str()).collect();
    assert_eq!(
        datas,
        [
            "{\"choices\":[{\"delta\":{\"content\":\"caf\u{e9}\"}}]}",
            "first\nsecond",
            " \u{1F600} bad\u{FFFD}byte",
            "{\"message\":\"x\"}",
            "{\"error\":\"bare\"}",
            "\n",
            "[DONE]",
        ]
    );
    assert_eq!(events[1].event, "add");
    assert_eq!(events[1].last_event_id, "7");
    assert_eq!(events[2].event, "");
    assert_eq!(events[2].last_event_id, "7");
    assert_eq!(end.partial_line.as_deref(), Some("data: cut"));
}

#[test]
fn every_single_split_point_gives_the_same_events() {
    let expected = whole();
    for split in 0..=STREAM.len() {
        let got = parse_in_pieces(&[&STREAM[..split], &STREAM[split..]]);
        assert_eq!(got, expected, "split at {split}");
    }
}

#[test]
fn every_pair_of_split_points_gives_the_same_events() {
    let expected = whole();
    for first in 0..=STREAM.len() {
        for second in first..=STREAM.len() {
            let pieces = [&STREAM[..first], &STREAM[first..second], &STREAM[second..]];
            assert_eq!(
                parse_in_pieces(&pieces),
                expected,
                "splits at {first}, {second}"
            );
        }
    }
}

#[test]
fn byte_by_byte_gives_the_same_events() {
    let pieces: Vec<&[u8]> = STREAM.chunks(1).collect();
    assert_eq!(parse_in_pieces(&pieces), whole());
}

/// Cuts `bytes` at the given (unsorted, possibly repeated) positions.
fn cut<'a>(bytes: &'a [u8], positions: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = positions.iter().map(|p| p % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut pieces = Vec::new();
    let mut start = 0;
    for end in cuts.into_iter().chain([bytes.len()]) {
        pieces.push(&bytes[start..end]);
        start = end;
    }
    pieces
}

proptest! {
    #[test]
    fn random_splits_give_the_same_events(positions in prop::collection::vec(any::<usize>(), 0..40)) {
        prop_assert_eq!(parse_in_pieces(&cut(STREAM, &positions)), whole());
    }

    /// Any bytes at all, split anywhere: no panic, and the same events as in one piece.
    #[test]
    fn arbitrary_bytes_split_anywhere_agree(
        bytes in prop::collection::vec(
            prop_oneof![
                Just(b'\n'), Just(b'\r'), Just(b':'), Just(b' '), Just(b'{'),
                Just(0xEF), Just(0xBB), Just(0xBF), Just(0x80), Just(0xC3), Just(0xA9),
                Just(b'd'), Just(b'a'), Just(b't'), any::<u8>(),
            ],
            0..300,
        ),
        positions in prop::collection::vec(any::<usize>(), 0..20),
    ) {
        let expected = parse_in_pieces(&[&bytes]);
        prop_assert_eq!(parse_in_pieces(&cut(&bytes, &positions)), expected);
    }

    /// Arbitrary field lines built from the grammar, split anywhere.
    #[test]
    fn generated_streams_split_anywhere_agree(
        lines in prop::collection::vec(
            (prop::sample::select(vec!["data", "event", "id", "retry", "", ":", "error"]),
             "[a-z\u{e9}\u{1F600} \\[\\]DONE]{0,8}",
             prop::sample::select(vec!["\n", "\r", "\r\n"])),
            0..30,
        ),
        positions in prop::collection::vec(any::<usize>(), 0..20),
    ) {
        let mut text = String::new();
        for (name, value, end) in &lines {
            if !name.is_empty() {
                text.push_str(name);
                text.push(':');
                text.push_str(value);
            }
            text.push_str(end);
        }
        let expected = parse_in_pieces(&[text.as_bytes()]);
        prop_assert_eq!(parse_in_pieces(&cut(text.as_bytes(), &positions)), expected);
    }
}
