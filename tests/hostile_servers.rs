//! Hostile servers, through the real worker in headless Chromium (issue
//! 19): a server that claims 2^32 - 1 tokens, never ends an event, sends
//! 10 MB without a line end, or answers 200 with a web page never kills the
//! tab. For each, as a user drives it: the run ends, the page says what
//! happened in one sentence, the results show their figures, or the
//! failure when no request completed (never stuck on "Working out the
//! figures"), a new Run afterwards works, and the tab's memory stays under
//! 512 MB throughout.

use std::cell::Cell;
use std::time::Duration;

use etalon_e2e::{poll, Browser, OpenApp, Testbed};
use serde_json::Value;

/// The tab's memory must stay under this, in MB.
const MEMORY_BOUND_MB: f64 = 512.0;

/// The app opened in a browser that measures memory at once when asked
/// (`performance.measureUserAgentSpecificMemory` otherwise waits for a
/// garbage collection).
async fn open_app() -> OpenApp {
    OpenApp::open_in(&[], &["--enable-blink-features=ForceEagerMeasureMemory"]).await
}

/// The tab's memory in MB: the page's JavaScript heap and its wasm memory,
/// or, where the browser can measure it
/// (`performance.measureUserAgentSpecificMemory`), everything the page and
/// its measurement worker hold, whichever is larger.
async fn tab_memory_mb(browser: &Browser) -> f64 {
    let page = browser.app_memory_mb().await;
    assert!(page.is_finite(), "the page's memory");
    page.max(page_and_worker_bytes(browser).await.0 / 1e6)
}

/// What the page and its worker hold together, and the worker's part, in
/// bytes; zeros where the browser cannot tell.
async fn page_and_worker_bytes(browser: &Browser) -> (f64, f64) {
    let measured = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             if (!self.crossOriginIsolated || !performance.measureUserAgentSpecificMemory) { done([0, 0]); } \
             else { performance.measureUserAgentSpecificMemory().then(m => done([m.bytes, \
               m.breakdown.filter(b => b.attribution.some(a => a.scope === 'DedicatedWorkerGlobalScope')) \
                 .reduce((sum, b) => sum + b.bytes, 0)]), () => done([0, 0])); }",
            vec![],
        )
        .await
        .ok();
    let number = |i: usize| {
        measured
            .as_ref()
            .and_then(|m| m.get(i))
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
    };
    (number(0), number(1))
}

/// How many responses the testbed is still playing (its `GET /health`),
/// asked from the page.
async fn open_responses(browser: &Browser, testbed: &Testbed) -> Result<u64, String> {
    let open = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             fetch(arguments[0] + '/health').then(r => r.json()).then(h => done(h.open_responses), e => done(String(e)));",
            vec![Value::String(testbed.base_url.clone())],
        )
        .await
        .map_err(|e| e.to_string())?;
    open.as_u64().ok_or_else(|| open.to_string())
}

/// The text of every element with `testid`, joined.
async fn texts(browser: &Browser, testid: &str) -> String {
    browser
        .eval(&format!(
            "[...document.querySelectorAll('[data-testid={testid}]')].map(e => e.textContent).join(' | ')"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Go to one of the screens by its tab ("Set up", "Results"...).
async fn go_to(browser: &Browser, tab: &str) {
    let clicked = browser
        .eval(&format!(
            "(() => {{ const b = [...document.querySelectorAll('nav.tabs button')] \
             .find(b => b.textContent.includes('{tab}')); if (b) b.click(); return !!b; }})()"
        ))
        .await;
    assert_eq!(clicked, true, "no tab {tab}");
}

/// What a run showed: the results' warnings, how the run went (when some
/// or all requests failed) and errors, and the tab's largest memory seen
/// while it ran and while its results were drawn.
struct Shown {
    warnings: String,
    status: String,
    errors: String,
    peak_mb: f64,
}

/// Set up `requests` requests of `model` with a time limit of
/// `timeout_s`, press Run, wait for the end (watching the tab's memory),
/// open the results and wait for their figures.
async fn run(
    app: &OpenApp,
    testbed: &Testbed,
    model: &str,
    requests: u32,
    timeout_s: u32,
) -> Shown {
    let browser = &app.browser;
    go_to(browser, "Set up").await;
    browser
        .wait_for_testid("setup-run", Duration::from_secs(10))
        .await;
    browser
        .fill_all(&[
            ("setup-endpoint", &testbed.base_url),
            ("setup-model", model),
            ("setup-requests", &requests.to_string()),
            ("setup-concurrency", "2"),
            ("setup-warmup", "0"),
            ("setup-output-tokens", "40"),
            ("setup-timeout", &timeout_s.to_string()),
        ])
        .await;
    browser.click("setup-run").await;
    let peak_mb = Cell::new(0.0_f64);
    let watch = || async {
        let memory = tab_memory_mb(browser).await;
        peak_mb.set(peak_mb.get().max(memory));
        memory
    };
    // This run's count of ended requests, so that the end of an earlier
    // run is never taken for its own.
    let all_ended = format!("{requests} / {requests}");
    let ended = poll(
        &format!("the run of {model} to end"),
        Duration::from_secs(u64::from(timeout_s) * u64::from(requests) + 60),
        || async {
            let memory = watch().await;
            // Read at once, so that they describe the same moment.
            let seen = browser
                .eval(
                    "[document.querySelector('[data-testid=run-phase]')?.dataset.phase || '', \
                      document.querySelector('[data-testid=run-see-results]') !== null, \
                      document.querySelector('[data-testid=run-progress]')?.textContent || '']",
                )
                .await;
            let phase = seen[0].as_str().unwrap_or_default().to_string();
            let finished = seen[1] == true;
            let progress = seen[2].as_str().unwrap_or_default();
            if (finished && progress.contains(&all_ended)) || phase == "broken" {
                Ok(phase)
            } else {
                Err(format!("phase {phase:?}, {memory:.0} MB"))
            }
        },
    )
    .await;
    assert_eq!(
        ended,
        "finished",
        "{model}: {}",
        texts(browser, "run-phase").await
    );
    // Every body is over, those the worker gave up on cancelled: the
    // testbed plays no response any more.
    poll(
        &format!("the testbed to close every response of {model}"),
        Duration::from_secs(5),
        || async {
            match open_responses(browser, testbed).await? {
                0 => Ok(()),
                open => Err(format!("{open} open")),
            }
        },
    )
    .await;
    browser.click("run-see-results").await;
    // The figures (or, when no request completed, the failure), not
    // "Working out the figures" for ever.
    poll(
        &format!("the results of {model} to show their figures"),
        Duration::from_secs(30),
        || async {
            watch().await;
            let drawn = browser
                .eval(
                    "document.querySelector('[data-testid=results-working]') === null \
                     && (document.querySelector('[data-testid=headline-error-rate]')?.dataset.value !== undefined \
                         || document.querySelector('[data-testid=results-failure]') !== null) \
                     && document.querySelector('[data-testid=errors-table]') !== null",
                )
                .await;
            if drawn == true {
                Ok(())
            } else {
                Err(texts(browser, "results-view").await.chars().take(200).collect())
            }
        },
    )
    .await;
    watch().await;
    let shown = Shown {
        warnings: texts(browser, "results-warning").await,
        status: texts(browser, "results-status").await,
        errors: texts(browser, "errors-table").await,
        peak_mb: peak_mb.get(),
    };
    let (all, worker) = page_and_worker_bytes(browser).await;
    println!(
        "{model}: peak tab memory {:.1} MB (at the end: page and worker {:.1} MB, of which \
         the worker {:.1} MB); warnings: {}; errors: {}",
        shown.peak_mb,
        all / 1e6,
        worker / 1e6,
        shown.warnings,
        shown.errors
    );
    assert!(
        shown.peak_mb < MEMORY_BOUND_MB,
        "{model}: the tab grew to {:.0} MB",
        shown.peak_mb
    );
    shown
}

/// After a hostile run, a new Run against an honest profile works and its
/// results show every request completed.
async fn a_new_run_still_works(app: &OpenApp, testbed: &Testbed) {
    let shown = run(app, testbed, "steady@rate=400,prefill_ms=5", 3, 30).await;
    assert!(
        shown.errors.contains("None: every request completed."),
        "{}",
        shown.errors
    );
    let error_rate = app.browser.data_value("headline-error-rate").await;
    assert_eq!(
        error_rate.as_str().and_then(|v| v.parse::<f64>().ok()),
        Some(0.0),
        "{error_rate}"
    );
}

#[tokio::test]
async fn a_server_claiming_two_to_the_32_tokens_is_not_believed_and_the_figures_show() {
    let testbed = Testbed::start(&[]).await;
    let app = open_app().await;
    let shown = run(&app, &testbed, "usage-overflow@rate=400,after=5", 4, 30).await;
    assert!(
        shown.warnings.contains(
            "For 4 requests the server claimed more tokens than it sent, so their figures use \
             the tokens actually received."
        ),
        "{}",
        shown.warnings
    );
    assert!(
        shown.errors.contains("None: every request completed."),
        "{}",
        shown.errors
    );
    // The export holds the server's claim and the tokens really counted.
    app.browser.click("export-recording").await;
    let file = app.browser.downloaded_file(Duration::from_secs(20)).await;
    let recording: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    std::fs::remove_file(&file).unwrap();
    for record in recording["requests"].as_array().unwrap() {
        assert_eq!(record["output_tokens"]["count"], 4_294_967_295_u64);
        assert!(record["overclaimed_tokens"].as_u64().unwrap() > 4_000_000_000);
        let counted: u64 = record["chunks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["tokens"].as_u64().unwrap_or(1))
            .sum();
        assert!(
            (40..1000).contains(&counted),
            "{counted} tokens on the timeline"
        );
    }
    a_new_run_still_works(&app, &testbed).await;
    app.browser.close().await;
}

/// A run against `profile` (whose fifth token's event never ends) ends its
/// requests in the event-size sentence before `time_limit` seconds, and a
/// new run works.
async fn an_endless_event_ends_its_request(profile: &str, time_limit: u32) {
    let testbed = Testbed::start(&[]).await;
    let app = open_app().await;
    let shown = run(&app, &testbed, profile, 2, time_limit).await;
    assert!(
        shown.errors.contains(
            "The server sent an event of more than 1 MiB without ending it; the 5 tokens \
             received before it are kept."
        ),
        "{}",
        shown.errors
    );
    assert!(!shown.errors.contains("timed out"), "{}", shown.errors);
    assert_eq!(
        shown.status,
        "No request completed: all 2 failed, so there are no timings to show."
    );
    a_new_run_still_works(&app, &testbed).await;
    app.browser.close().await;
}

#[tokio::test]
async fn an_event_that_never_ends_ends_its_request_in_one_sentence() {
    // A short time limit, in case the bound did not hold.
    an_endless_event_ends_its_request("endless-event@rate=400,after=5", 15).await;
}

#[tokio::test]
async fn ten_megabytes_without_a_line_end_end_the_request_in_one_sentence() {
    an_endless_event_ends_its_request("long-line@rate=400,after=5", 30).await;
}

#[tokio::test]
async fn a_web_page_instead_of_a_stream_is_said_in_one_sentence() {
    let testbed = Testbed::start(&[]).await;
    let app = open_app().await;
    let shown = run(&app, &testbed, "html-page", 2, 30).await;
    assert_eq!(
        shown.status,
        "No request completed: all 2 failed, so there are no timings to show."
    );
    assert!(
        shown.errors.contains(
            "The server answered with a web page (\"text/html; charset=utf-8\") instead of a \
             stream: the address probably points at a web interface rather than the API."
        ),
        "{}",
        shown.errors
    );
    a_new_run_still_works(&app, &testbed).await;
    app.browser.close().await;
}
