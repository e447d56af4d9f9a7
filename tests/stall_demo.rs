//! The testbed's `stalls` profile as a user meets it, at the app's default
//! deadlines: its pauses are long enough that a reader sees them, so the
//! fluidity-index is below 100 % and the results say so in words; the
//! request timeline outlines each pause. At a looser TBT deadline the same
//! pauses are covered by banked slack: the fluidity-index is 100 %, and the
//! results say why and at what stricter deadline a reader would notice.
//! Screenshots land in target/e2e-screenshots/stalls-*.png.

use std::time::Duration;

use etalon_e2e::{poll, OpenApp, Testbed};

/// Scroll the element with `testid` to the middle of the window and save
/// a screenshot of what shows.
async fn screenshot_at(app: &OpenApp, testid: &str, name: &str) {
    app.browser
        .eval(&format!(
            "(() => {{ document.querySelector('[data-testid={testid}]').scrollIntoView({{block: 'center'}}); return true; }})()"
        ))
        .await;
    app.browser.screenshot(name).await;
}

#[tokio::test]
async fn the_stalls_demo_says_whether_a_reader_sees_its_pauses() {
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open().await;
    let browser = &app.browser;
    // The default set-up and deadlines, fewer requests: 6 at once of 128
    // tokens, about 6 s.
    browser.fill("setup-endpoint", &testbed.base_url).await;
    browser
        .fill_all(&[
            ("setup-model", "stalls"),
            ("setup-requests", "6"),
            ("setup-warmup", "0"),
        ])
        .await;
    browser.click("setup-run").await;
    browser
        .wait_for_testid("run-see-results", Duration::from_secs(60))
        .await;
    assert_eq!(
        app.browser.text_of("run-phase").await,
        "Finished: all 6 requests completed."
    );
    browser.click("run-see-results").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=request-timeline] svg') !== null",
            Duration::from_secs(30),
        )
        .await;

    let fluidity = app.browser.figure("headline-fluidity-median").await;
    assert!(fluidity < 0.95, "fluidity-index {fluidity}");
    let note = app.browser.text_of("results-pauses").await;
    assert!(
        note.starts_with(
            "⏸ All 6 answers paused 1.5 s twice each, and a reader would notice: at a reading \
             pace of 50 ms per token, the pauses missed "
        ),
        "{note}"
    );
    // The timeline outlines both pauses of the request it shows, and says
    // how long each was.
    let marks = browser
        .eval(
            "[document.querySelector('[data-testid=request-timeline] .timeline-pauses').getAttribute('d').split('M').length - 1, \
              [...document.querySelectorAll('[data-testid=request-timeline] .timeline-pause-label')].map(t => t.textContent)]",
        )
        .await;
    assert_eq!(marks[0], 2, "{marks}");
    assert_eq!(
        marks[1],
        serde_json::json!(["paused 1.5 s", "paused 1.5 s"]),
        "{marks}"
    );
    screenshot_at(&app, "results-pauses", "stalls-results").await;
    screenshot_at(&app, "request-timeline", "stalls-timeline").await;

    // At 100 ms per token the slack banked before each pause covers it.
    browser.fill("deadline-tbt", "0.1").await;
    let covered = poll(
        "the pause note at 100 ms per token",
        Duration::from_secs(10),
        || async {
            let note = app.browser.text_of("results-pauses").await;
            if note.contains("100 ms per token") {
                Ok(note)
            } else {
                Err(note)
            }
        },
    )
    .await;
    assert!(
        covered.starts_with(
            "⏸ All 6 answers paused 1.5 s twice each, but each time they were at least "
        ),
        "{covered}"
    );
    assert!(
        covered.contains(
            " ahead of a reading pace of 100 ms per token, so a reader would not notice; at "
        ),
        "{covered}"
    );
    assert!(
        covered.ends_with(" ms per token a reader would."),
        "{covered}"
    );
    assert_eq!(app.browser.figure("headline-fluidity-median").await, 1.0);
    screenshot_at(&app, "results-pauses", "stalls-results-covered").await;
    screenshot_at(&app, "request-timeline", "stalls-timeline-covered").await;

    browser.client.set_window_size(390, 844).await.unwrap();
    browser
        .wait_for("window.innerWidth <= 390", Duration::from_secs(10))
        .await;
    screenshot_at(&app, "results-pauses", "stalls-results-phone").await;
    screenshot_at(&app, "request-timeline", "stalls-timeline-phone").await;
    app.browser.close().await;
}
