//! The server's own account beside the browser's: llama.cpp's timings give
//! the network's share of TTFT and of each token; usage figures are set
//! against the browser's count.

use etalon_core::present::server_account::server_account;
use etalon_core::recording::{
    Chunk, Environment, ErrorKind, Recording, RequestError, RequestRecord, ServerTimings,
    TokenCount, TokenSource, RECORDING_VERSION,
};

fn chunk(at: f64, tokens: u32) -> Chunk {
    Chunk::visible(at, tokens)
}

/// A request whose first token came at `ttft` s, then one every `gap` s.
fn request(id: u64, ttft: f64, gap: f64, tokens: u32) -> RequestRecord {
    RequestRecord {
        id,
        chunks: (0..tokens)
            .map(|i| chunk(ttft + gap * f64::from(i), 1))
            .collect(),
        ..RequestRecord::default()
    }
}

fn server_tokens(count: u64) -> Option<TokenCount> {
    Some(TokenCount {
        count,
        source: TokenSource::Server,
    })
}

fn recording(requests: Vec<RequestRecord>) -> Recording {
    Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 0.0,
        config: serde_json::Value::Null,
        environment: Environment::default(),
        requests,
    }
}

#[test]
fn llama_timings_give_the_networks_share_of_ttft_and_of_each_token() {
    // Three requests: the browser saw TTFT 0.30, 0.50, 0.70 s and 20 ms
    // gaps; the server says prefill took 0.25, 0.45, 0.65 s and 19 ms per
    // token. A failed request with timings is left out.
    let mut requests: Vec<RequestRecord> = [0.30, 0.50, 0.70]
        .iter()
        .enumerate()
        .map(|(i, &ttft)| {
            let mut r = request(i as u64, ttft, 0.020, 11);
            r.server_timings = Some(ServerTimings {
                prompt_ms: Some(1000.0 * (ttft - 0.05)),
                predicted_per_token_ms: Some(19.0),
                ..ServerTimings::default()
            });
            r.output_tokens = server_tokens(11);
            r.prompt_tokens = server_tokens(100 * (i as u64 + 1));
            r
        })
        .collect();
    let mut failed = request(9, 5.0, 1.0, 3);
    failed.error = Some(RequestError {
        kind: ErrorKind::Timeout,
        message: "timed out".into(),
        status: None,
    });
    failed.server_timings = Some(ServerTimings {
        prompt_ms: Some(1.0),
        predicted_per_token_ms: Some(1.0),
        ..ServerTimings::default()
    });
    requests.push(failed);
    let account = server_account(&recording(requests));
    assert_eq!(account.completed, 3);
    let ttft = &account.rows[0];
    assert_eq!(ttft.key, "ttft");
    assert!((ttft.browser - 0.50).abs() < 1e-12, "{ttft:?}");
    assert!((ttft.server - 0.45).abs() < 1e-9, "{ttft:?}");
    assert!((ttft.difference - 0.05).abs() < 1e-9, "{ttft:?}");
    assert_eq!(ttft.requests, 3);
    assert!(
        ttft.sentence.contains("reading the prompt"),
        "{}",
        ttft.sentence
    );
    let tpot = &account.rows[1];
    assert_eq!(tpot.key, "tpot");
    assert!((tpot.browser - 0.020).abs() < 1e-12, "{tpot:?}");
    assert!((tpot.server - 0.019).abs() < 1e-12, "{tpot:?}");
    assert!((tpot.difference - 0.001).abs() < 1e-12, "{tpot:?}");
    assert!(tpot.sentence.contains("+5 %"), "{}", tpot.sentence);
    let tokens = account.tokens.expect("usage was reported");
    assert_eq!(
        (tokens.requests, tokens.reported, tokens.counted),
        (3, 33, 33)
    );
    assert_eq!(tokens.prompt_reported, Some(600));
    assert!(
        tokens.sentence.contains("every token was timed"),
        "{}",
        tokens.sentence
    );
}

#[test]
fn usage_without_timings_is_set_against_the_count() {
    // vLLM-like: usage only. The server counted 12 tokens where the
    // browser saw 8 pieces.
    let mut r = request(0, 0.1, 0.01, 8);
    r.output_tokens = server_tokens(12);
    let account = server_account(&recording(vec![r]));
    assert!(account.rows.is_empty());
    assert!(!account.is_empty());
    let tokens = account.tokens.expect("usage was reported");
    assert_eq!((tokens.reported, tokens.counted, tokens.pieces), (12, 8, 8));
    assert!(
        tokens.sentence.contains("only 8 pieces"),
        "{}",
        tokens.sentence
    );
}

#[test]
fn pieces_of_several_tokens_are_told_apart_from_single_tokens() {
    let mut r = RequestRecord {
        chunks: vec![chunk(0.1, 1), chunk(0.2, 3), chunk(0.3, 2)].into(),
        ..RequestRecord::default()
    };
    r.output_tokens = server_tokens(6);
    let tokens = server_account(&recording(vec![r])).tokens.unwrap();
    assert_eq!((tokens.reported, tokens.counted, tokens.pieces), (6, 6, 3));
    assert!(tokens.sentence.contains("3 pieces"), "{}", tokens.sentence);
}

#[test]
fn a_server_that_says_nothing_gives_an_empty_account() {
    let mut counted = request(0, 0.1, 0.01, 5);
    counted.output_tokens = Some(TokenCount {
        count: 5,
        source: TokenSource::Counted,
    });
    let account = server_account(&recording(vec![counted, request(1, 0.2, 0.01, 5)]));
    assert!(account.is_empty(), "{account:?}");
    assert_eq!(account.completed, 2);
    assert!(server_account(&recording(Vec::new())).is_empty());
}
