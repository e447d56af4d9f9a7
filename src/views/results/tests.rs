//! The results body in a real browser, with a hand-made recording: the
//! headline cards carry the core's values, a new TBT deadline typed in its
//! field recomputes the fluidity figures, the errors table says what
//! failed, a run with failures says so first, and one where every request
//! failed shows only the failure and the errors.

use etalon_core::metrics::DeadlineConfig;
use etalon_core::present::report::{raw_value, Report};
use etalon_core::recording::{
    Chunk, Environment, ErrorKind, Recording, RequestError, RequestRecord, RECORDING_VERSION,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::ResultsBody;

wasm_bindgen_test_configure!(run_in_browser);

/// Eight requests at 20 ms per token, every other one with a 0.3 s stall,
/// and one timeout.
fn recording() -> Recording {
    let mut requests: Vec<RequestRecord> = (0..8u64)
        .map(|id| {
            let mut at = 0.15 + 0.01 * id as f64;
            let chunks = (0..40)
                .map(|k| {
                    if k > 0 {
                        at += 0.02 + if id % 2 == 0 && k == 20 { 0.3 } else { 0.0 };
                    }
                    Chunk {
                        at,
                        tokens: 1,
                        reasoning: false,
                        server_sent_at: None,
                    }
                })
                .collect();
            RequestRecord {
                id,
                sent_at: 0.1 * id as f64,
                ended_at: Some(at),
                chunks,
                ..Default::default()
            }
        })
        .collect();
    requests.push(RequestRecord {
        id: 8,
        error: Some(RequestError {
            kind: ErrorKind::Timeout,
            message: "No answer within 60 s.".into(),
            status: None,
        }),
        ..Default::default()
    });
    Recording {
        version: RECORDING_VERSION,
        started_at_unix_ms: 1.74e12,
        config: serde_json::json!({"setup": {"endpoint": "http://127.0.0.1:8000",
            "request": {"model": "steady"}}}),
        environment: Environment::default(),
        requests,
    }
}

fn host() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host.unchecked_into()
}

fn find(host: &web_sys::HtmlElement, testid: &str) -> web_sys::Element {
    host.query_selector(&format!("[data-testid={testid}]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no [data-testid={testid}]"))
}

fn data_value(host: &web_sys::HtmlElement, testid: &str) -> String {
    find(host, testid).get_attribute("data-value").unwrap()
}

fn present(host: &web_sys::HtmlElement, testid: &str) -> bool {
    host.query_selector(&format!("[data-testid={testid}]"))
        .ok()
        .flatten()
        .is_some()
}

/// The value of the input with this test id ("" when there is none yet).
fn field_value(host: &web_sys::HtmlElement, testid: &str) -> String {
    host.query_selector(&format!("[data-testid={testid}]"))
        .ok()
        .flatten()
        .map(|e| e.unchecked_into::<web_sys::HtmlInputElement>().value())
        .unwrap_or_default()
}

/// Wait until `condition` holds, checking every 5 ms; after 2 s, fail
/// saying what was awaited.
async fn until(what: &str, condition: impl Fn() -> bool) {
    let start = js_sys::Date::now();
    while !condition() {
        assert!(
            js_sys::Date::now() - start < 2000.0,
            "timed out after 2 s waiting for {what}"
        );
        gloo_timers::future::TimeoutFuture::new(5).await;
    }
}

/// Whether the cards `keys` show `report`'s values.
fn shows(host: &web_sys::HtmlElement, report: &Report, keys: &[&str]) -> bool {
    keys.iter().all(|key| {
        host.query_selector(&format!("[data-testid=headline-{key}]"))
            .ok()
            .flatten()
            .and_then(|card| card.get_attribute("data-value"))
            == Some(raw_value(report.headline(key).unwrap().value))
    })
}

/// Whether two reports show the same value on card `key`.
fn shows_same(a: &Report, b: &Report, key: &str) -> bool {
    raw_value(a.headline(key).unwrap().value) == raw_value(b.headline(key).unwrap().value)
}

/// The charts of the results (test ids of their figures).
const CHARTS: [&str; 8] = [
    "fluidity-explainer",
    "fluidity-histogram",
    "miss-curve",
    "cdf-ttft",
    "cdf-tbt",
    "cdf-tpot",
    "cdf-normalized-latency",
    "request-timeline",
];

/// Whether every chart is drawn.
fn charts_drawn(host: &web_sys::HtmlElement) -> bool {
    CHARTS.iter().all(|chart| {
        host.query_selector(&format!("[data-testid={chart}] svg"))
            .ok()
            .flatten()
            .is_some()
    })
}

#[wasm_bindgen_test]
async fn headlines_carry_the_cores_values_and_a_tbt_deadline_recomputes_them() {
    let recording = recording();
    let config = DeadlineConfig::fixed(0.2, 0.05, 0.1);
    let expected = Report::of(&recording, &config);
    let deadlines = RwSignal::new(config.clone());
    let host = host();
    let shown = recording.clone();
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        view! { <ResultsBody recording=std::sync::Arc::new(shown) deadlines/> }
    });
    until(
        "the cards, the errors table and the TBT deadline's value",
        || {
            present(&host, "headline-error-rate")
                && present(&host, "errors-table")
                && !field_value(&host, "deadline-tbt").is_empty()
        },
    )
    .await;

    for key in [
        "fluid-rate",
        "ttft-p50",
        "ttft-p99",
        "tpot-p50",
        "fluidity-median",
        "fluidity-p1",
        "error-rate",
    ] {
        let want = raw_value(expected.headline(key).unwrap().value);
        assert!(!want.is_empty(), "{key} has a value");
        assert_eq!(data_value(&host, &format!("headline-{key}")), want, "{key}");
    }
    assert_eq!(
        data_value(&host, "headline-error-rate"),
        raw_value(Some(1.0 / 9.0))
    );
    // One card per figure: its median and p99 rows, each with how sure it
    // is, and the explanation once.
    let card = host
        .query_selector("[data-card=ttft-p50]")
        .unwrap()
        .expect("the TTFT card")
        .text_content()
        .unwrap();
    assert_eq!(
        card.matches("first piece of the answer").count(),
        1,
        "{card}"
    );
    let ttft = find(&host, "headline-ttft-p50").text_content().unwrap();
    assert!(ttft.contains("too few requests to say how sure"), "{ttft}");
    assert!(present(&host, "headline-ttft-p99"));
    for key in ["throughput-tokens", "throughput-requests", "goodput"] {
        let want = raw_value(expected.headline(key).unwrap().value);
        assert!(!want.is_empty(), "{key} has a value");
        assert_eq!(data_value(&host, &format!("headline-{key}")), want, "{key}");
    }
    let first_look = find(&host, "results-first-look").text_content().unwrap();
    assert!(
        first_look
            .contains("this page sent 9 questions to model \"steady\" at http://127.0.0.1:8000")
            && first_look.contains("1 failed (see below)"),
        "{first_look}"
    );
    // The error rate is not drawn in the colour of a good figure.
    assert!(host
        .query_selector("[data-card=error-rate].card-bad")
        .unwrap()
        .is_some());
    let errors = find(&host, "errors-table").text_content().unwrap();
    assert!(
        errors.contains("timed out") && errors.contains("No answer within 60 s."),
        "{errors}"
    );

    let fluidity_before: f64 = data_value(&host, "headline-fluidity-p1").parse().unwrap();
    let ttft_before = data_value(&host, "headline-ttft-p50");
    let input: web_sys::HtmlInputElement = find(&host, "deadline-tbt").unchecked_into();
    assert_eq!(input.value(), "0.05");
    input.set_value("0.005");
    let event = web_sys::Event::new("change").unwrap();
    input.dispatch_event(&event).unwrap();
    let tight = Report::of(&recording, &DeadlineConfig::fixed(0.2, 0.005, 0.1));
    until("the fluidity cards under the new TBT deadline", || {
        shows(&host, &tight, &["fluidity-median", "fluidity-p1"])
    })
    .await;

    assert_eq!(deadlines.get_untracked().tbt_deadline, 0.005);
    let fluidity_after: f64 = data_value(&host, "headline-fluidity-p1").parse().unwrap();
    assert!(
        fluidity_after < fluidity_before,
        "{fluidity_before} -> {fluidity_after}"
    );
    assert_eq!(
        data_value(&host, "headline-fluidity-median"),
        raw_value(tight.headline("fluidity-median").unwrap().value)
    );
    // TTFT does not depend on the deadlines.
    assert_eq!(data_value(&host, "headline-ttft-p50"), ttft_before);

    // An invalid entry is marked and changes nothing.
    input.set_value("-1");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    until("the field marked invalid", || {
        find(&host, "deadline-tbt").get_attribute("aria-invalid") == Some("true".into())
    })
    .await;
    assert_eq!(deadlines.get_untracked().tbt_deadline, 0.005);
}

#[wasm_bindgen_test]
async fn a_stopped_or_hidden_run_is_flagged_and_exports_are_offered() {
    let mut recording = recording();
    recording.environment.hidden_intervals = vec![(1.0, 3.0)];
    let expected_recording = recording.clone();
    let host = host();
    let deadlines = RwSignal::new(DeadlineConfig::default());
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        view! { <ResultsBody recording=std::sync::Arc::new(recording) deadlines stopped=true/> }
    });
    until("every chart drawn", || charts_drawn(&host)).await;
    let text = host.text_content().unwrap();
    assert!(text.contains("This tab was hidden"), "{text}");
    assert!(text.contains("stopped early"), "{text}");
    assert!(find(&host, "export-recording")
        .text_content()
        .unwrap()
        .contains("Export recording (JSON)"));
    assert!(find(&host, "percentile-table")
        .text_content()
        .unwrap()
        .contains("p99"));
    // Every chart is drawn, with its text alternative.
    for chart in CHARTS {
        let figure = find(&host, chart);
        assert!(
            figure.query_selector("svg").unwrap().is_some(),
            "{chart} has no SVG"
        );
    }
    // The picker starts on the least fluid request.
    let pick: web_sys::HtmlSelectElement = find(&host, "request-pick").unchecked_into();
    let least = Report::of(&expected_recording, &DeadlineConfig::default()).least_fluid;
    assert_eq!(pick.value().parse::<u64>().ok(), least);
}

#[wasm_bindgen_test]
async fn a_dragged_slider_recomputes_once_per_frame_with_its_latest_value() {
    let recording = recording();
    let deadlines = RwSignal::new(DeadlineConfig::fixed(0.2, 0.05, 0.1));
    // Every value the deadlines take, in order.
    let seen = StoredValue::new(Vec::<f64>::new());
    Effect::new(move |_| {
        let tbt = deadlines.with(|d| d.tbt_deadline);
        seen.update_value(|s| s.push(tbt));
    });
    let host = host();
    let shown = recording.clone();
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        view! { <ResultsBody recording=std::sync::Arc::new(shown) deadlines/> }
    });
    let slider_selector = "input[type=range][aria-label='TBT deadline (seconds)']";
    until("the TBT slider", || {
        host.query_selector(slider_selector)
            .ok()
            .flatten()
            .is_some()
    })
    .await;
    let slider: web_sys::HtmlInputElement = host
        .query_selector(slider_selector)
        .unwrap()
        .expect("the TBT slider")
        .unchecked_into();
    // Input events faster than frames: only the latest is applied. (The
    // slider is on a log scale: its positions are the values' places.)
    for value in [0.04, 0.03, 0.02, 0.01] {
        let position = etalon_core::present::report::log_slider_position(value, 0.001, 0.5);
        slider.set_value(&position.to_string());
        slider
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
    }
    let moved = Report::of(&recording, &DeadlineConfig::fixed(0.2, 0.01, 0.1));
    let keys = ["fluidity-median", "fluidity-p1", "fluid-rate", "tbt-p99"];
    until("the latest value applied and its figures shown", || {
        deadlines.get_untracked().tbt_deadline == 0.01 && shows(&host, &moved, &keys)
    })
    .await;
    let values = seen.get_value();
    assert_eq!(values.first(), Some(&0.05), "{values:?}");
    assert!(
        !values.contains(&0.04) && !values.contains(&0.03),
        "every input was applied: {values:?}"
    );
    for key in keys {
        assert_eq!(
            data_value(&host, &format!("headline-{key}")),
            raw_value(moved.headline(key).unwrap().value),
            "{key}"
        );
    }
}

#[wasm_bindgen_test]
async fn a_ttft_deadline_move_searches_in_slices_and_shows_every_figure_at_once() {
    // More requests than one task searches.
    let mut recording = recording();
    let steady = recording.requests[1].clone();
    for id in 9..260u64 {
        recording.requests.push(RequestRecord {
            id,
            ..steady.clone()
        });
    }
    let deadlines = RwSignal::new(DeadlineConfig::fixed(0.2, 0.05, 0.1));
    let host = host();
    let shown = recording.clone();
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        view! { <ResultsBody recording=std::sync::Arc::new(shown) deadlines/> }
    });
    until("the TTFT deadline field", || {
        present(&host, "deadline-ttft")
    })
    .await;
    let before = Report::of(&recording, &DeadlineConfig::fixed(0.2, 0.05, 0.1));
    let moved = Report::of(&recording, &DeadlineConfig::fixed(0.16, 0.05, 0.1));
    let changing = ["fluidity-median", "fluidity-p1", "fluid-rate"];
    assert!(
        changing.iter().any(|key| !shows_same(&before, &moved, key)),
        "the move should change a card"
    );
    let input: web_sys::HtmlInputElement = find(&host, "deadline-ttft").unchecked_into();
    input.set_value("0.16");
    input
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    // Until any card has moved; then every one must show its new value.
    until("a card to show the moved deadline's figures", || {
        changing.iter().any(|key| !shows(&host, &before, &[key]))
    })
    .await;
    for key in ["fluidity-median", "fluidity-p1", "fluid-rate", "ttft-p50"] {
        assert_eq!(
            data_value(&host, &format!("headline-{key}")),
            raw_value(moved.headline(key).unwrap().value),
            "{key}"
        );
    }
    let table = find(&host, "percentile-table").text_content().unwrap();
    let smallest = moved
        .percentile_rows
        .iter()
        .find(|row| row.metric == etalon_core::present::report::Metric::MinTbtDeadline)
        .unwrap();
    assert!(table.contains(&smallest.cells[0]), "{table}");
}

#[wasm_bindgen_test]
async fn a_run_where_some_failed_says_so_first_and_its_pauses_are_told() {
    let host = host();
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        let deadlines = RwSignal::new(DeadlineConfig::fixed(0.2, 0.05, 0.1));
        view! { <ResultsBody recording=std::sync::Arc::new(recording()) deadlines/> }
    });
    until("the cards and the pause note", || {
        present(&host, "headline-error-rate") && present(&host, "results-pauses")
    })
    .await;
    let text = |testid: &str| find(&host, testid).text_content().unwrap_or_default();
    assert_eq!(
        text("results-status"),
        "Finished, but 1 of 9 requests failed (11.1 %); the figures cover the 8 that completed."
    );
    assert_eq!(text("results-fix"), "No answer within 60 s.");
    let report = Report::of(&recording(), &DeadlineConfig::fixed(0.2, 0.05, 0.1));
    let note = report.pauses.expect("every other answer paused");
    assert!(text("results-pauses").ends_with(&note.sentence));
}

#[wasm_bindgen_test]
async fn a_run_where_every_request_failed_shows_the_failure_and_the_errors_only() {
    let mut failed = recording();
    failed.requests.retain(|r| r.error.is_some());
    let host = host();
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        let deadlines = RwSignal::new(DeadlineConfig::default());
        view! { <ResultsBody recording=std::sync::Arc::new(failed.clone()) deadlines/> }
    });
    until("the failure and the errors table", || {
        present(&host, "results-failure") && present(&host, "errors-table")
    })
    .await;
    let text = |testid: &str| find(&host, testid).text_content().unwrap_or_default();
    assert_eq!(
        text("results-status"),
        "No request completed: the request failed, so there are no timings to show."
    );
    assert_eq!(text("results-fix"), "No answer within 60 s.");
    assert!(!present(&host, "headline-error-rate"));
    assert!(!present(&host, "results-warning"));
    assert!(host.query_selector("svg").unwrap().is_none());
}
