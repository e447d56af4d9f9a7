//! The event-stream rules, one at a time (WHATWG "interpreting an event stream").

use etalon_core::wire::sse::{SseEnd, SseEvent, SseEventKind, SseParser};

fn parse(text: &[u8]) -> Vec<SseEvent> {
    SseParser::new().push(text)
}

fn datas(text: &[u8]) -> Vec<String> {
    parse(text).into_iter().map(|e| e.data).collect()
}

#[test]
fn data_lines_are_joined_with_line_feeds() {
    assert_eq!(
        datas(b"data: YHOO\ndata: +2\ndata: 10\n\n"),
        ["YHOO\n+2\n10"]
    );
}

#[test]
fn a_blank_line_dispatches_and_nothing_before_it_does() {
    let mut parser = SseParser::new();
    assert!(parser.push(b"data: a\n").is_empty());
    let events = parser.push(b"\n");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data, "a");
}

#[test]
fn only_one_leading_space_is_stripped() {
    assert_eq!(
        datas(b"data:test\n\ndata: test\n\ndata:  test\n\n"),
        ["test", "test", " test"]
    );
}

#[test]
fn a_field_without_colon_has_an_empty_value() {
    // "data" alone appends an empty line; two of them make one "\n".
    assert_eq!(datas(b"data\n\ndata\ndata\n\ndata:\n"), ["", "\n"]);
}

#[test]
fn an_event_with_no_data_is_not_dispatched() {
    assert!(parse(b"event: ping\n\n: only a comment\n\nid: 4\n\n").is_empty());
    // ... and its type does not leak into the next event.
    let events = parse(b"event: ping\n\ndata: x\n\n");
    assert_eq!(events[0].event_type(), "message");
}

#[test]
fn comments_are_ignored() {
    assert_eq!(
        datas(b": keep-alive\ndata: a\n: between\ndata: b\n\n"),
        ["a\nb"]
    );
}

#[test]
fn event_type_is_kept_per_event() {
    let events = parse(b"event: add\ndata: 1\n\nevent: remove\ndata: 2\n\ndata: 3\n\n");
    let types: Vec<&str> = events.iter().map(SseEvent::event_type).collect();
    assert_eq!(types, ["add", "remove", "message"]);
    assert_eq!(events[2].event, "");
}

#[test]
fn the_last_event_id_persists_and_ignores_values_with_nul() {
    let events = parse(b"id: 1\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\nid\ndata: d\n\n");
    let ids: Vec<&str> = events.iter().map(|e| e.last_event_id.as_str()).collect();
    assert_eq!(ids, ["1", "1", "1", ""]);
}

#[test]
fn retry_takes_only_digits() {
    let mut parser = SseParser::new();
    parser.push(b"retry: 1500\n\nretry: 12a\n\nretry:\n\n");
    assert_eq!(parser.retry_ms(), Some(1500));
}

#[test]
fn unknown_fields_are_ignored() {
    assert_eq!(datas(b"foo: bar\ndata: a\nDATA: no\n\n"), ["a"]);
}

#[test]
fn all_three_line_ends_are_accepted() {
    let expected = ["a\nb", "c"];
    assert_eq!(datas(b"data: a\ndata: b\n\ndata: c\n\n"), expected);
    assert_eq!(
        datas(b"data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"),
        expected
    );
    assert_eq!(datas(b"data: a\rdata: b\r\rdata: c\r\r"), expected);
    assert_eq!(datas(b"data: a\r\ndata: b\r\rdata: c\n\r\n"), expected);
}

#[test]
fn a_crlf_split_across_reads_is_one_line_end() {
    let mut parser = SseParser::new();
    let mut events = parser.push(b"data: A\r\ndata: B\r");
    events.extend(parser.push(b"\n"));
    events.extend(parser.push(b"data: C\r\n"));
    assert!(events.is_empty(), "{events:?}");
    events.extend(parser.push(b"\r\n"));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data, "A\nB\nC");
}

#[test]
fn a_cr_ending_a_read_dispatches_without_waiting_for_the_next() {
    let mut parser = SseParser::new();
    assert_eq!(parser.push(b"data: now\r\r").len(), 1);
    // An empty read between the CR and the LF changes nothing.
    assert!(parser.push(b"data: x\r").is_empty());
    assert!(parser.push(b"").is_empty());
    assert!(parser.push(b"\n").is_empty());
    assert_eq!(parser.push(b"\n")[0].data, "x");
}

#[test]
fn a_leading_bom_is_stripped_once() {
    assert_eq!(datas(b"\xEF\xBB\xBFdata: a\n\n"), ["a"]);
    // A second BOM is content: it makes the field name "\u{feff}data", ignored.
    assert!(datas(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\n").is_empty());
    // A BOM mid-stream is content too.
    assert_eq!(datas(b"data: \xEF\xBB\xBFa\n\n"), ["\u{feff}a"]);
}

#[test]
fn a_bom_split_byte_by_byte_is_still_stripped() {
    let mut parser = SseParser::new();
    for byte in b"\xEF\xBB\xBFdata: a\n\n".chunks(1) {
        let events = parser.push(byte);
        if !events.is_empty() {
            assert_eq!(events[0].data, "a");
            return;
        }
    }
    panic!("no event");
}

#[test]
fn a_partial_bom_is_content() {
    // EF BB then 'd': not a BOM; the two bytes decode to one U+FFFD.
    let events = parse(b"\xEF\xBBdata: a\n\ndata: b\n\n");
    assert_eq!(
        events.len(),
        1,
        "the first line's field name is garbled: {events:?}"
    );
    assert_eq!(events[0].data, "b");
}

#[test]
fn invalid_utf8_becomes_replacement_characters_like_text_decoder() {
    // Lone continuation byte, truncated 3-byte sequence, overlong encoding.
    let events = parse(b"data: a\x80b\xE2\x82c\xC0\xAFd\n\n");
    assert_eq!(events[0].data, "a\u{FFFD}b\u{FFFD}c\u{FFFD}\u{FFFD}d");
}

#[test]
fn a_character_split_across_reads_comes_out_whole() {
    let text = "data: d\u{e9}j\u{e0} \u{1F600}\n\n".as_bytes();
    for split in 1..text.len() {
        let mut parser = SseParser::new();
        let mut events = parser.push(&text[..split]);
        events.extend(parser.push(&text[split..]));
        assert_eq!(
            events[0].data, "d\u{e9}j\u{e0} \u{1F600}",
            "split at {split}"
        );
    }
}

#[test]
fn done_is_recognised() {
    let events = parse(b"data: {\"a\":1}\n\ndata: [DONE]\n\n");
    assert!(!events[0].is_done());
    assert!(events[1].is_done());
}

#[test]
fn an_unterminated_final_event_is_not_dispatched_but_reported() {
    let mut parser = SseParser::new();
    assert!(parser.push(b"data: a\n\ndata: b\ndata: c").len() == 1);
    let end = parser.finish();
    assert!(end.ended_mid_event());
    assert_eq!(end.undispatched_data.as_deref(), Some("b"));
    assert_eq!(end.partial_line.as_deref(), Some("data: c"));
}

#[test]
fn a_clean_end_reports_nothing_left() {
    let mut parser = SseParser::new();
    parser.push(b"data: a\n\n: bye\n");
    assert_eq!(parser.finish(), SseEnd::default());
    assert!(!SseEnd::default().ended_mid_event());
}

#[test]
fn a_data_line_without_its_blank_line_is_reported() {
    let mut parser = SseParser::new();
    parser.push(b"data: [DONE]\n");
    let end = parser.finish();
    assert_eq!(end.undispatched_data.as_deref(), Some("[DONE]"));
    assert_eq!(end.partial_line, None);
}

#[test]
fn llama_cpp_error_lines_are_surfaced() {
    let events = parse(b"data: {\"x\":1}\n\nerror: {\"code\":500,\"message\":\"boom\"}\n\n");
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].kind, SseEventKind::ErrorField);
    assert_eq!(events[1].data, "{\"code\":500,\"message\":\"boom\"}");
}

#[test]
fn bare_json_lines_are_surfaced_without_touching_the_pending_event() {
    let events = parse(b"data: a\n{\"error\":{\"message\":\"oops\"}}\ndata: b\n\n");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].kind, SseEventKind::BareJsonLine);
    assert_eq!(events[0].data, "{\"error\":{\"message\":\"oops\"}}");
    assert_eq!(events[1].kind, SseEventKind::Message);
    assert_eq!(events[1].data, "a\nb");
}

#[test]
fn long_lines_across_many_reads_are_joined() {
    let payload = "x".repeat(100_000);
    let text = format!("data: {payload}\n\n");
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    for piece in text.as_bytes().chunks(997) {
        parser.push_into(piece, &mut events);
    }
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data, payload);
}
