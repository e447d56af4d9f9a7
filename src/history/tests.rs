//! The history store in a real browser's IndexedDB: a kept run reads back
//! equal and is listed; a damaged entry or block gets a sentence; a
//! deleted run is gone.

use std::sync::Arc;

use etalon_core::recording::synthetic::SyntheticRun;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

use super::keep::{delete_run, keep_run, list_runs, load_run};
use super::store::{block_key, sentence, Store, BLOCKS, ENTRIES};

wasm_bindgen_test_configure!(run_in_browser);

fn recording(seed: u64) -> etalon_core::recording::Recording {
    let mut recording = SyntheticRun {
        seed,
        requests: 30,
        tokens_per_request: 400,
        stall_probability: 0.02,
    }
    .recording();
    recording.started_at_unix_ms = 1.7e12 + seed as f64;
    for request in &mut recording.requests {
        request.scheduled_at = (request.scheduled_at * 1e6).round() / 1e6;
    }
    recording
}

#[wasm_bindgen_test]
async fn a_kept_run_reads_back_equal_and_is_listed_until_deleted() {
    let id = format!("t-{}", (js_sys::Math::random() * 1e9) as u64);
    let original = recording(1);
    let timings = keep_run(&id, Arc::new(original.clone()), true, &[])
        .await
        .unwrap();
    assert!(timings.blocks >= 2, "{timings:?}");
    let (entry, back) = load_run(&id).await.unwrap();
    assert_eq!(back, original);
    assert!(entry.stopped);
    assert_eq!(entry.requests, 30);
    let listing = list_runs().await.unwrap();
    assert!(listing.entries.iter().any(|e| e.id == id));
    delete_run(&id).await.unwrap();
    let gone = load_run(&id).await.unwrap_err();
    assert!(gone.contains("No run kept"), "{gone}");
    let store = Store::open().await.unwrap();
    let block = store.get(BLOCKS, &block_key(&id, 0), "read").await.unwrap();
    assert!(block.is_undefined(), "the blocks went with the entry");
}

#[wasm_bindgen_test]
async fn damaged_storage_gets_a_sentence_not_a_panic() {
    let id = format!("d-{}", (js_sys::Math::random() * 1e9) as u64);
    keep_run(&id, Arc::new(recording(2)), false, &[])
        .await
        .unwrap();
    let store = Store::open().await.unwrap();
    // A block overwritten with noise.
    let noise = js_sys::Uint8Array::from(&[2u8, 200, 1, 7, 9][..]);
    store
        .put(BLOCKS, &block_key(&id, 1), &noise.into(), "write")
        .await
        .unwrap();
    let damaged = load_run(&id).await.unwrap_err();
    assert!(damaged.contains("damaged"), "{damaged}");
    // An entry that is not what the page writes is listed as a sentence.
    let bad = format!("{id}-bad");
    store
        .put(
            ENTRIES,
            &bad,
            &JsValue::from_str("{\"version\": 99}"),
            "write",
        )
        .await
        .unwrap();
    let listing = list_runs().await.unwrap();
    assert!(listing.entries.iter().all(|e| e.id != bad));
    assert!(!listing.problems.is_empty());
    delete_run(&id).await.unwrap();
    delete_run(&bad).await.unwrap();
}

#[wasm_bindgen_test]
fn storage_failures_are_told_in_words_the_user_can_act_on() {
    let failure = |name: &str| {
        let error =
            web_sys::DomException::new_with_message_and_name("internal detail", name).unwrap();
        sentence(error.into(), "keep this run in the browser")
    };
    let quota = failure("QuotaExceededError");
    assert!(
        quota.contains("no room left") && quota.contains("delete old runs"),
        "{quota}"
    );
    let private = failure("InvalidStateError");
    assert!(private.contains("private browsing"), "{private}");
    let other = failure("DataError");
    assert!(
        other.contains("could not keep this run") && other.contains("internal detail"),
        "{other}"
    );
}
