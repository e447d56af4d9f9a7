//! The demo, in headless Chromium with no LLM server anywhere: the landing
//! screen offers it (saying so when the set-up's address does not answer),
//! both systems' answers play at their pace and finish, and the figures on
//! the page are the core's for the same choice, in the expected order
//! (about the same time per token, chunked prefills clearly smoother).
//! Either result opens on the results and compare screens, and a demo link
//! plays on open without a single request leaving the page's own origin.
//! Screenshots (desktop and phone width, playing and finished) land in
//! target/e2e-screenshots/demo-*.png.

use std::time::Duration;

use etalon_core::demo::{
    demo_deadlines, open_demo_link, DemoChoice, DemoLoad, DemoRun, SystemFigures, ABOUT_THE_SAME,
    CLEARLY_SMOOTHER,
};
use etalon_e2e::{Browser, OpenApp, Testbed};
use serde_json::Value;

const LONG: Duration = Duration::from_secs(90);

async fn stage(browser: &Browser, side: usize) -> String {
    browser
        .eval(&format!(
            "(document.querySelector('[data-testid=demo-watch-{side}]') || {{dataset: {{}}}}).dataset.stage || ''"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A figure cell's full-precision value.
async fn figure(browser: &Browser, key: &str, side: usize) -> f64 {
    browser.figure(&format!("demo-{key}-{side}")).await
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12)
}

/// Waits until both answers have ended and the figures show; they must be
/// the core's for `choice`. Returns A's and B's TPOT and worst-1 %
/// fluidity-index, in that order.
async fn both_finish_with_the_cores_figures(browser: &Browser, choice: &DemoChoice) -> [f64; 4] {
    browser
        .wait_for(
            "document.querySelector('[data-testid=demo-watch-0]')?.dataset.stage === 'done' \
             && document.querySelector('[data-testid=demo-watch-1]')?.dataset.stage === 'done' \
             && document.querySelector('[data-testid=demo-figures]') !== null",
            LONG,
        )
        .await;
    let run = DemoRun::of(choice);
    let deadlines = demo_deadlines();
    let native = run
        .recordings
        .iter()
        .map(|r| SystemFigures::of(r, &deadlines))
        .collect::<Vec<_>>();
    let mut shown = [0.0; 4];
    for side in 0..2 {
        let tpot = figure(browser, "tpot-p50", side).await;
        let fluidity = figure(browser, "fluidity-p1", side).await;
        assert!(
            close(tpot, native[side].tpot_p50.unwrap()),
            "TPOT {side}: {tpot}"
        );
        assert!(
            close(fluidity, native[side].fluidity_p1.unwrap()),
            "fluidity {side}: {fluidity}"
        );
        shown[2 * side] = tpot;
        shown[2 * side + 1] = fluidity;
    }
    let sentences = browser
        .eval("[...document.querySelectorAll('[data-testid=demo-sentences] li')].map(l => l.textContent)")
        .await;
    assert_eq!(sentences.as_array().map(Vec::len), Some(3), "{sentences}");
    shown
}

#[tokio::test]
async fn with_no_server_the_landing_screen_offers_the_demo_and_both_systems_finish() {
    let app = OpenApp::open().await;
    let browser = &app.browser;
    browser.wait_for_testid("demo-offer", LONG).await;
    // The set-up's default address is the testbed's; when nothing listens
    // there, the offer says so in a sentence.
    let nothing_at_default = std::net::TcpStream::connect("127.0.0.1:8000").is_err();
    if nothing_at_default {
        browser
            .wait_for_testid("demo-offer-unreachable", Duration::from_secs(10))
            .await;
        let sentence = browser.text_of("demo-offer-unreachable").await;
        assert!(
            sentence.contains("Nothing answered at 127.0.0.1:8000")
                && sentence.contains("Watch the demo"),
            "{sentence}"
        );
    }
    // The set-up is still the landing screen, one click from the demo.
    assert!(
        browser
            .eval("document.querySelector('[data-testid=setup-view]') !== null")
            .await
            == Value::Bool(true)
    );
    browser.screenshot("demo-landing").await;
    browser.watch_long_tasks().await;
    browser.click("demo-offer-watch").await;
    browser.wait_for_testid("demo-view", LONG).await;
    browser.wait_for_testid("demo-watch-0", LONG).await;
    // Both systems simulated and their figures worked out, in the page.
    let (count, longest) = browser.long_tasks().await;
    eprintln!("opening the demo: {count} long tasks, the longest {longest:.0} ms");

    // Playing: the first words of both, then A stopped mid-answer while B
    // writes on.
    browser
        .wait_for(
            "Number(document.querySelector('[data-testid=demo-watch-0]')?.dataset.chars) > 0 \
             && Number(document.querySelector('[data-testid=demo-watch-1]')?.dataset.chars) > 0",
            LONG,
        )
        .await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=demo-watch-0]')?.dataset.stage === 'paused'",
            LONG,
        )
        .await;
    assert_ne!(stage(browser, 1).await, "paused");
    let status = browser.text_of("demo-watch-status-0").await;
    assert!(status.starts_with("Stopped for"), "{status}");
    browser.screenshot("demo-playing").await;
    // No figures before both answers have ended.
    assert!(
        browser
            .eval("document.querySelector('[data-testid=demo-figures]') === null")
            .await
            == Value::Bool(true)
    );

    let [tpot_a, fluidity_a, tpot_b, fluidity_b] =
        both_finish_with_the_cores_figures(browser, &DemoChoice::default()).await;
    eprintln!(
        "default demo on the page: TPOT {:.1} ms and {:.1} ms, worst-1% fluidity-index {:.3} and {:.3}",
        tpot_a * 1e3,
        tpot_b * 1e3,
        fluidity_a,
        fluidity_b
    );
    assert!(tpot_a.max(tpot_b) / tpot_a.min(tpot_b) <= ABOUT_THE_SAME);
    assert!(fluidity_a + CLEARLY_SMOOTHER <= fluidity_b);
    // A's answer, finished, shows its stops marked as the live text does.
    let marks = browser
        .eval("document.querySelectorAll('[data-testid=demo-watch-0] mark.stall').length")
        .await;
    assert!(marks.as_u64().unwrap_or(0) >= 1, "{marks}");
    let sentences = browser.text_of("demo-sentences").await;
    assert!(
        sentences.contains("A stopped in the middle of"),
        "{sentences}"
    );
    browser.screenshot("demo-finished").await;
    browser
        .eval("document.querySelector('[data-testid=demo-results]').scrollIntoView() || true")
        .await;
    browser.screenshot("demo-finished-figures").await;
    browser
        .eval("document.querySelector('[data-testid=demo-choices]').open = true")
        .await;
    browser
        .eval("document.querySelector('[data-testid=demo-choices]').scrollIntoView() || true")
        .await;
    browser.screenshot("demo-choices").await;

    // The link of this demo is the default demo's.
    let link = browser
        .eval("document.querySelector('[data-testid=demo-link]').value")
        .await;
    let fragment = link.as_str().unwrap().split_once('#').unwrap().1;
    assert_eq!(
        open_demo_link(fragment).unwrap(),
        Some(DemoChoice::default())
    );

    // Both on the compare screen, judged by the demo's deadlines.
    browser.click("demo-compare").await;
    browser.wait_for_testid("compare-table", LONG).await;
    let compared = browser
        .eval("document.querySelectorAll('[data-testid=compared-runs] li').length")
        .await;
    assert_eq!(compared, 2);
    browser.screenshot("demo-compare").await;
    // A on the results screen: its worst-1% card is the demo's figure.
    browser
        .eval("[...document.querySelectorAll('nav.tabs button')].find(b => b.textContent === 'Demo').click() || true")
        .await;
    browser.wait_for_testid("demo-view", LONG).await;
    browser.click("demo-skip").await;
    browser.click("demo-open-0").await;
    browser.wait_for_testid("headline-fluidity-p1", LONG).await;
    let card = browser.data_value("headline-fluidity-p1").await;
    let card: f64 = card.as_str().unwrap().parse().unwrap();
    assert!(close(card, fluidity_a), "{card} vs {fluidity_a}");
    let caption = browser.text_of("results-caption").await;
    assert!(caption.contains("simulated"), "{caption}");
    browser.screenshot("demo-results-a").await;

    // At phone width: the demo fits, playing and finished.
    browser.client.set_window_size(390, 844).await.unwrap();
    browser
        .wait_for("window.innerWidth <= 390", Duration::from_secs(10))
        .await;
    // The landing screen's offer fits too.
    browser
        .eval("[...document.querySelectorAll('nav.tabs button')].find(b => b.textContent.includes('Set up')).click() || true")
        .await;
    browser.wait_for_testid("demo-offer", LONG).await;
    let overflow = browser.overflow().await;
    browser.screenshot("demo-phone-offer").await;
    assert_eq!(overflow["page"], 0, "the offer at phone width: {overflow}");
    browser
        .eval("[...document.querySelectorAll('nav.tabs button')].find(b => b.textContent === 'Demo').click() || true")
        .await;
    browser.wait_for_testid("demo-view", LONG).await;
    browser.click("demo-replay").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=demo-watch-0]')?.dataset.stage === 'paused'",
            LONG,
        )
        .await;
    let overflow = browser.overflow().await;
    browser.screenshot("demo-phone-playing").await;
    browser
        .eval("document.querySelector('[data-testid=demo-side-0]').scrollIntoView() || true")
        .await;
    browser.screenshot("demo-phone-playing-sides").await;
    assert_eq!(overflow["page"], 0, "playing at phone width: {overflow}");
    assert_eq!(overflow["wide"], serde_json::json!([]), "{overflow}");
    browser.click("demo-skip").await;
    browser.wait_for_testid("demo-figures", LONG).await;
    let overflow = browser.overflow().await;
    browser.screenshot("demo-phone-finished").await;
    browser
        .eval("document.querySelector('[data-testid=demo-results]').scrollIntoView() || true")
        .await;
    browser.screenshot("demo-phone-finished-figures").await;
    assert_eq!(overflow["page"], 0, "finished at phone width: {overflow}");
    assert_eq!(overflow["wide"], serde_json::json!([]), "{overflow}");
    app.browser.close().await;
}

#[tokio::test]
async fn a_demo_link_plays_on_open_with_no_server_and_a_bad_one_gets_a_sentence() {
    let app = OpenApp::open().await;
    let browser = &app.browser;
    // Not the default: a quiet load, an 8B model on an H100 that runs new
    // questions first against the 70B one reading them in pieces, seed 3.
    let fragment = "#demo=v1.quiet.llama-8b-h100.prefill-first.llama-70b-4xa100.chunked-prefill.3";
    let choice = open_demo_link(fragment).unwrap().unwrap();
    browser.client.goto("about:blank").await.unwrap();
    browser
        .client
        .goto(&format!("{}{fragment}", app.server.url))
        .await
        .unwrap();
    browser.wait_for_testid("demo-view", LONG).await;
    let load = browser
        .eval("document.querySelector('[data-testid=demo-load]').value")
        .await;
    assert_eq!(load, "quiet");
    let hardware = browser
        .eval("document.querySelector('[data-testid=demo-hardware-0]').value")
        .await;
    assert_eq!(hardware, "llama-8b-h100");
    both_finish_with_the_cores_figures(browser, &choice).await;
    // Nothing left the page's own origin: no probe, no server.
    let elsewhere = browser
        .eval(&format!(
            "performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('{}'))",
            app.server.url
        ))
        .await;
    assert_eq!(elsewhere, serde_json::json!([]), "{elsewhere}");
    browser.screenshot("demo-link-finished").await;

    // A damaged demo link: one sentence, and the set-up as a fresh page has it.
    browser.client.goto("about:blank").await.unwrap();
    browser
        .client
        .goto(&format!(
            "{}#demo=v1.quiet.llama-8b-h100.prefill-first.gpt-9.chunked-prefill.3",
            app.server.url
        ))
        .await
        .unwrap();
    browser.wait_for_testid("link-problem", LONG).await;
    let problem = browser.text_of("link-problem").await;
    assert!(
        problem
            .contains("This demo link is damaged: it names hardware this page does not simulate"),
        "{problem}"
    );
    browser.wait_for_testid("setup-view", LONG).await;
    app.browser.close().await;
}

#[tokio::test]
async fn the_set_ups_endpoint_answers_the_demos_questions_beside_a_simulated_system() {
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open().await;
    let browser = &app.browser;
    browser.fill("setup-endpoint", &testbed.base_url).await;
    // 200 tokens a second, so that answers of 200 to 300 tokens end soon.
    browser.fill("setup-model", "jitter@rate=200").await;
    browser.click("demo-offer-watch").await;
    browser.wait_for_testid("demo-view", LONG).await;
    browser
        .eval("document.querySelector('[data-testid=demo-choices]').open = true")
        .await;
    browser.fill("demo-load", "overloaded").await;
    browser.fill("demo-hardware-0", "endpoint").await;
    browser.wait_for_testid("demo-run-endpoint", LONG).await;
    let offer = browser.text_of("demo-real").await;
    let host = testbed.base_url.trim_start_matches("http://");
    assert!(
        offer.contains(host) && offer.contains("jitter@rate=200"),
        "{offer}"
    );
    // A real run's demo is not a demo link.
    assert!(
        browser
            .eval("document.querySelector('[data-testid=demo-copy-link]') === null")
            .await
            == Value::Bool(true)
    );
    browser.click("demo-run-endpoint").await;
    // A few answers in, stop: what ended is A's run.
    browser
        .wait_for(
            "(() => { const p = document.querySelector('[data-testid=demo-real-progress]'); \
               const m = p && p.textContent.match(/^(\\d+) of 100 answers ended/); \
               return m !== null && Number(m[1]) >= 6; })()",
            LONG,
        )
        .await;
    browser.screenshot("demo-real-running").await;
    browser.click("demo-stop-endpoint").await;
    browser
        .wait_for(
            "document.querySelector('[data-testid=demo-watch-0]')?.dataset.stage === 'done' \
             && document.querySelector('[data-testid=demo-figures]') !== null",
            LONG,
        )
        .await;
    // A's time per token is the testbed's (5 ms at 200 tokens a second,
    // jittered); B's is the simulated system's, as the core computes it.
    let tpot_a = figure(browser, "tpot-p50", 0).await;
    assert!((0.003..0.008).contains(&tpot_a), "A's TPOT {tpot_a}");
    let choice = DemoChoice {
        load: DemoLoad::Overloaded,
        ..DemoChoice::default()
    };
    let simulated = SystemFigures::of(&DemoRun::of(&choice).recordings[1], &demo_deadlines());
    let tpot_b = figure(browser, "tpot-p50", 1).await;
    assert!(
        close(tpot_b, simulated.tpot_p50.unwrap()),
        "B's TPOT {tpot_b}"
    );
    browser.screenshot("demo-real-finished").await;
    browser.click("demo-open-0").await;
    browser.wait_for_testid("results-caption", LONG).await;
    let caption = browser.text_of("results-caption").await;
    assert!(caption.contains(host), "{caption}");
    app.browser.close().await;
}
