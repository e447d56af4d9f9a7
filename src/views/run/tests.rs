//! The run screen's pieces in a real browser, with a hand-made book: the
//! progress counts, and the live text of a finished run with its stall
//! marked.

use etalon_core::observe::run_book::RunBook;
use etalon_core::recording::{Environment, RequestRecord};
use etalon_core::wire::messages::WorkerMessage;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::{LiveFigures, LiveText, RunProgressBar};

wasm_bindgen_test_configure!(run_in_browser);

fn host() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host.unchecked_into()
}

/// Two planned requests, one finished; the live text has a 0.8 s stall.
fn book(finished: bool) -> RunBook {
    let mut book = RunBook::new(4, serde_json::json!({}), Environment::default(), 0..2);
    let live_text = [0.3, 0.31, 0.32, 0.33, 0.34, 1.14, 1.15]
        .iter()
        .enumerate()
        .map(|(i, &at)| (at, format!("word{i} ")))
        .collect();
    book.apply(WorkerMessage::Batch {
        run_id: 4,
        started_at_unix_ms: 1000.0,
        progress: vec![],
        records: vec![RequestRecord::from_arrivals(
            0,
            &[0.3, 0.31, 0.32, 0.33, 0.34, 1.14, 1.15],
        )],
        live_text,
    });
    if finished {
        book.apply(WorkerMessage::Finished {
            run_id: 4,
            stopped: false,
        });
    }
    book
}

#[wasm_bindgen_test]
async fn progress_counts_ended_requests() {
    let host = host();
    let book = RwSignal::new_local(Some(book(false)));
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        view! { <RunProgressBar book now=Signal::stored(3000.0)/> }
    });
    gloo_timers::future::TimeoutFuture::new(20).await;
    let text = host.text_content().unwrap();
    assert!(text.contains("1 / 2"), "{text}");
    assert!(text.contains("elapsed 2 s"), "{text}");
    assert!(text.contains("about 2 s left"), "{text}");
}

#[wasm_bindgen_test]
async fn a_finished_runs_text_shows_at_once_with_its_stall() {
    let host = host();
    let book = RwSignal::new_local(Some(book(true)));
    let _mounted = leptos::mount::mount_to(host.clone(), move || view! { <LiveText book/> });
    gloo_timers::future::TimeoutFuture::new(50).await;
    let text = host
        .query_selector("[data-testid=live-text]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(text.contains("word0 word1"), "{text}");
    assert!(text.contains("⏸ 0.8 s"), "{text}");
    assert!(text.contains("word6"), "{text}");
    assert!(host
        .text_content()
        .unwrap()
        .contains("First piece after 300 ms"));
}

#[wasm_bindgen_test]
async fn a_running_streams_text_is_replayed_at_its_pace() {
    let host = host();
    let book = RwSignal::new_local(Some(book(false)));
    let _mounted = leptos::mount::mount_to(host.clone(), move || view! { <LiveText book/> });
    let live = || {
        host.query_selector("[data-testid=live-text]")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
    };
    gloo_timers::future::TimeoutFuture::new(150).await;
    let early = live();
    assert!(early.contains("word4"), "{early}");
    assert!(
        !early.contains("word5"),
        "the piece after the stall is not due yet: {early}"
    );
    gloo_timers::future::TimeoutFuture::new(1000).await;
    let late = live();
    assert!(late.contains("word6") && late.contains("⏸"), "{late}");
}

#[wasm_bindgen_test]
async fn live_figures_summarize_the_finished_records() {
    let host = host();
    let book = RwSignal::new_local(Some(book(false)));
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        view! { <LiveFigures book now=Signal::stored(0.0)/> }
    });
    gloo_timers::future::TimeoutFuture::new(20).await;
    let text = host.text_content().unwrap();
    assert!(
        text.contains("Over the 1 request finished so far"),
        "{text}"
    );
    assert!(text.contains("300 ms"), "TTFT p50: {text}");
}
