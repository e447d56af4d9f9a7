//! Sharing between two browser profiles, in headless Chromium against the
//! testbed: a result link opened in a fresh browser shows the same headline
//! figures; Etalon's file and the CSV download and import; a test link fills
//! the set-up, shows where it sends requests and sends nothing until Run;
//! with the sender's results it ends on the compare screen; no key in any
//! link or file; hostile links get a sentence and script text stays text;
//! the Content-Security-Policy holds and the app still mounts under it;
//! a link's banner lists every field it sets, and extra body fields cannot
//! hide a model.
//! Screenshots land in target/e2e-screenshots/share-*.png.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use etalon_core::metrics::{recording_metrics, DeadlineConfig};
use etalon_core::share::{import_file, parse_fragment, ImportedKind, SharedLink};
use etalon_e2e::page::{assert_same_headlines, finished_download};
use etalon_e2e::{poll, Browser, OpenApp, Testbed, POLL_EVERY};

const KEY: &str = "sk-e2e-do-not-share-0123456789";
const TENANT: &str = "tenant-e2e-secret-42";
const LONG: Duration = Duration::from_secs(120);

fn close(a: f64, b: f64, relative: f64) -> bool {
    (a - b).abs() <= relative * a.abs().max(b.abs()).max(1e-12)
}

async fn present(browser: &Browser, testid: &str) {
    browser
        .wait_for(
            &format!("document.querySelector('[data-testid={testid}]') !== null"),
            LONG,
        )
        .await;
}

async fn text_of(browser: &Browser, testid: &str) -> String {
    browser
        .eval(&format!(
            "document.querySelector('[data-testid={testid}]').textContent"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The name and text of the next download (then removed, so that the next
/// one is found). Chromium writes to a hidden or `.crdownload` name first.
async fn next_download(browser: &Browser) -> (String, String) {
    poll("a download", Duration::from_secs(30), || async {
        let path = std::fs::read_dir(browser.downloads.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| finished_download(p))
            .ok_or("none")?;
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        std::fs::remove_file(&path).unwrap();
        Ok((
            path.file_name().unwrap().to_string_lossy().to_string(),
            text,
        ))
    })
    .await
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in [KEY, TENANT] {
        assert!(!text.contains(secret), "{what} holds a secret");
    }
}

/// Fill the set-up for a short run against `endpoint`, with a key and a
/// secret header.
async fn fill_setup(browser: &Browser, endpoint: &str, model: &str) {
    browser.fill("setup-endpoint", endpoint).await;
    browser.fill("setup-model", model).await;
    browser.fill("setup-requests", "24").await;
    browser.fill("setup-concurrency", "6").await;
    browser.fill("setup-prompt-tokens", "32").await;
    browser.fill("setup-output-tokens", "40").await;
    browser.fill("setup-api-key", KEY).await;
    if browser
        .eval("document.querySelector('.header-row') === null")
        .await
        == true
    {
        browser.click("setup-add-header").await;
    }
    let filled = browser
        .client
        .execute(
            "const row = document.querySelector('.header-row'); if (!row) return false; \
             const set = (e, v) => { e.value = v; e.dispatchEvent(new Event('change', {bubbles: true})); }; \
             set(row.querySelector('[aria-label=\"Header name\"]'), 'X-Tenant'); \
             set(row.querySelector('[aria-label=\"Header value\"]'), arguments[0]); \
             const box = row.querySelector('input[type=checkbox]'); \
             if (!box.checked) { box.checked = true; box.dispatchEvent(new Event('change', {bubbles: true})); } \
             return true;",
            vec![TENANT.into()],
        )
        .await
        .unwrap();
    assert_eq!(filled, true);
}

/// Run the set-up and open its results.
async fn run_to_results(browser: &Browser) {
    browser.click("setup-run").await;
    present(browser, "run-see-results").await;
    browser.click("run-see-results").await;
    present(browser, "headline-fluid-rate").await;
}

/// What a link holds, decoded as the page decodes it, as JSON text.
fn link_contents(link: &str) -> String {
    let fragment = &link[link.find('#').expect("a fragment")..];
    match parse_fragment(fragment)
        .expect("the link opens")
        .expect("a link")
    {
        SharedLink::Test { setup, baseline } => {
            format!(
                "{} {}",
                serde_json::to_string(&setup).unwrap(),
                serde_json::to_string(&baseline).unwrap()
            )
        }
        SharedLink::Result {
            recording,
            deadlines,
        } => {
            format!(
                "{} {}",
                serde_json::to_string(&recording).unwrap(),
                serde_json::to_string(&deadlines).unwrap()
            )
        }
        SharedLink::Summary(summary) => format!(
            "{} {}",
            serde_json::to_string(&summary).unwrap(),
            serde_json::to_string(&summary.sample_recording()).unwrap()
        ),
    }
}

async fn open(url: &str) -> Browser {
    let browser = Browser::start().await;
    browser.client.goto(url).await.unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-testid=app-header]') !== null",
            LONG,
        )
        .await;
    browser
}

#[tokio::test]
async fn a_result_link_shows_the_same_figures_in_a_fresh_browser_and_files_round_trip() {
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open().await;
    let sender = &app.browser;
    fill_setup(sender, &testbed.base_url, "jitter@rate=150,jitter=0.3").await;
    run_to_results(sender).await;
    // A deadline moved on the results screen travels with the link. Far
    // below the stream's mean gap (6.7 ms), it changes the fluidity figures
    // (the time to first token leaves about 75 ms of slack to run through):
    // the recipient sees them only if the deadline came along.
    let before = sender.data_value("headline-fluidity-median").await;
    sender.fill("deadline-tbt", "0.002").await;
    poll(
        "the sender's figures under the new deadline",
        LONG,
        || async {
            let now = sender.data_value("headline-fluidity-median").await;
            if now != before {
                Ok(())
            } else {
                Err(now.to_string())
            }
        },
    )
    .await;
    let shown = sender.headlines().await;

    let link = sender.share_link("share-result-link").await;
    println!(
        "result link of 24 requests x 40 tokens: {} characters",
        link.len()
    );
    assert!(link.contains("#result=v1."), "{link}");
    assert_no_secret("the result link", &link_contents(&link));
    sender.screenshot("share-sender-results").await;

    // The recording (the results screen's export), Etalon's file and the CSV.
    sender.click("export-recording").await;
    let (_, recording_text) = next_download(sender).await;
    assert_no_secret("the recording", &recording_text);
    sender.click("export-etalon").await;
    let (etalon_name, etalon_text) = next_download(sender).await;
    assert!(
        etalon_name.starts_with("etalon-request_level_metrics-"),
        "{etalon_name}"
    );
    assert_no_secret("Etalon's file", &etalon_text);
    sender.click("export-csv").await;
    let (csv_name, csv_text) = next_download(sender).await;
    assert!(csv_name.ends_with(".csv"), "{csv_name}");
    assert_no_secret("the CSV", &csv_text);
    assert_eq!(csv_text.lines().count(), 25);
    assert!(csv_text.starts_with("id,ttft_s,tpot_s,end_to_end_latency_s,"));

    // The core's reader gives Etalon's file the recording's figures.
    let recording = import_file("recording.json", &recording_text)
        .unwrap()
        .recording;
    let etalon = import_file(&etalon_name, &etalon_text).unwrap();
    assert_eq!(etalon.kind, ImportedKind::EtalonRequestLevelMetrics);
    let deadlines: DeadlineConfig = etalon.deadlines.clone().unwrap();
    assert_eq!(deadlines.tbt_deadline, 0.002);
    let (a, b) = (
        recording_metrics(&recording, &deadlines).service,
        recording_metrics(&etalon.recording, &deadlines).service,
    );
    assert!(close(
        a.fluid_token_generation_rate.unwrap(),
        b.fluid_token_generation_rate.unwrap(),
        1e-9
    ));
    assert_eq!(a.missed_deadlines, b.missed_deadlines);

    // Another profile opens the link: the same figures, read-only.
    let recipient = open(&link).await;
    present(&recipient, "headline-fluid-rate").await;
    present(&recipient, "link-caption").await;
    assert_same_headlines(&shown, &recipient.headlines().await);
    let caption = text_of(&recipient, "link-caption").await;
    assert!(caption.contains("24 requests"), "{caption}");
    recipient.screenshot("share-recipient-results").await;

    // etalon-cli reads the Etalon file to the figures the sender saw.
    let etalon_path = std::env::temp_dir().join(format!("etalon-e2e-{}.json", std::process::id()));
    std::fs::write(&etalon_path, &etalon_text).unwrap();
    let cli = etalon_e2e::cli_metrics_json(&etalon_path, "0.1", "0.002");
    let cli_fluid = cli["service"]["fluid_token_generation_rate"]
        .as_f64()
        .unwrap();
    let shown_fluid = shown["headline-fluid-rate"].parse::<f64>().unwrap();
    assert!(
        close(cli_fluid, shown_fluid, 1e-9),
        "CLI {cli_fluid} vs shown {shown_fluid}"
    );

    // The recipient imports the sender's Etalon file: the same fluid rate.
    recipient
        .client
        .find(fantoccini::Locator::Css("[data-testid=import-file]"))
        .await
        .unwrap()
        .send_keys(&etalon_path.display().to_string())
        .await
        .unwrap();
    recipient
        .wait_for(
            "document.querySelector('[data-testid=link-caption]') === null",
            LONG,
        )
        .await;
    present(&recipient, "headline-fluid-rate").await;
    let imported = recipient.headlines().await;
    let fluid = |h: &BTreeMap<String, String>| h["headline-fluid-rate"].parse::<f64>().unwrap();
    assert!(
        close(fluid(&imported), fluid(&shown), 1e-9),
        "{imported:?} vs {shown:?}"
    );
    let _ = std::fs::remove_file(&etalon_path);

    // A bad file gets a sentence.
    let bad_path = std::env::temp_dir().join(format!("etalon-e2e-bad-{}.json", std::process::id()));
    std::fs::write(&bad_path, "{\"ttft\": [0.1], \"tbt\": []}").unwrap();
    recipient
        .client
        .find(fantoccini::Locator::Css("[data-testid=import-file]"))
        .await
        .unwrap()
        .send_keys(&bad_path.display().to_string())
        .await
        .unwrap();
    present(&recipient, "import-file-problem").await;
    let problem = text_of(&recipient, "import-file-problem").await;
    assert!(
        problem.contains("is Etalon's request-level file, but"),
        "{problem}"
    );
    let _ = std::fs::remove_file(&bad_path);
    recipient.close().await;
    app.browser.close().await;
}

/// No connection reaches `connections` for `window`: watched every few ms,
/// failing at the first (an absence needs a window, not a condition).
async fn no_request_for(connections: &AtomicUsize, window: Duration) {
    let watched = tokio::time::Instant::now() + window;
    while tokio::time::Instant::now() < watched {
        assert_eq!(
            connections.load(Ordering::SeqCst),
            0,
            "a request left without a click"
        );
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// A listener that counts the connections made to it.
async fn counting_endpoint() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (url, count)
}

#[tokio::test]
async fn a_test_link_fills_the_setup_sends_nothing_and_compares_with_the_senders_run() {
    let testbed = Testbed::start(&[]).await;
    let (quiet, connections) = counting_endpoint().await;
    let app = OpenApp::open().await;
    let sender = &app.browser;

    // A test link to an endpoint that counts connections.
    fill_setup(sender, &quiet, "steady@rate=200").await;
    let link = sender.share_link("share-test-link").await;
    assert!(link.contains("#test=v1."), "{link}");
    let contents = link_contents(&link);
    assert_no_secret("the test link", &contents);
    assert!(contents.contains("X-Tenant") && contents.contains("steady@rate=200"));

    let recipient = open(&link).await;
    present(&recipient, "link-host").await;
    let host = text_of(&recipient, "link-host").await;
    assert_eq!(format!("http://{host}"), quiet);
    let banner = text_of(&recipient, "link-banner").await;
    assert!(
        banner.contains("This link will send requests to"),
        "{banner}"
    );
    assert_eq!(
        recipient
            .eval("document.querySelector('[data-testid=setup-endpoint]').value")
            .await,
        quiet.as_str()
    );
    assert_eq!(
        recipient
            .eval("document.querySelector('[data-testid=setup-api-key]').value")
            .await,
        ""
    );
    recipient.screenshot("share-test-link-opened").await;
    // Nothing leaves in the next 3 s either.
    no_request_for(&connections, Duration::from_secs(3)).await;
    recipient.close().await;

    // The sender runs against the testbed and sends the test with results.
    fill_setup(sender, &testbed.base_url, "jitter@rate=200,jitter=0.2").await;
    run_to_results(sender).await;
    let clicked = sender
        .eval("(() => { const tab = [...document.querySelectorAll('nav.tabs button')].find(b => b.textContent.includes('Set up')); tab.click(); return true; })()")
        .await;
    assert_eq!(clicked, true);
    present(sender, "setup-view").await;
    let link = sender.share_link("share-test-link-with-results").await;
    assert!(link.contains("&baseline=v1."), "{link}");
    assert_no_secret("the test link with results", &link_contents(&link));

    let recipient = open(&link).await;
    present(&recipient, "link-baseline").await;
    run_to_results(&recipient).await;
    recipient.click("compare-with-sender").await;
    present(&recipient, "compare-table").await;
    for run in 0..2 {
        let value = recipient
            .eval(&format!(
                "document.querySelector('[data-testid=compare-ttft-p50-{run}]').dataset.value"
            ))
            .await;
        assert!(
            value.as_str().unwrap().parse::<f64>().unwrap() > 0.0,
            "{value}"
        );
    }
    let change = recipient
        .eval("document.querySelector('[data-testid=compare-ttft-p50-1]').dataset.change")
        .await;
    assert!(change.as_str().unwrap().parse::<f64>().is_ok(), "{change}");
    present(&recipient, "compare-charts").await;
    recipient.click("compare-replay-play").await;
    recipient
        .wait_for(
            "[...document.querySelectorAll('[data-testid^=compare-replay-row-]')]\
             .every(r => Number(r.dataset.tokens) > 0)",
            Duration::from_secs(20),
        )
        .await;
    recipient.screenshot("share-compare").await;
    recipient.close().await;
    app.browser.close().await;
}

/// A test link pasted into the address bar of a tab that is already open
/// (only the fragment changes, so the page does not reload) fills the
/// set-up and shows its banner, and still sends nothing.
#[tokio::test]
async fn a_link_pasted_into_the_open_tab_fills_the_setup_and_sends_nothing() {
    let (quiet, connections) = counting_endpoint().await;
    let app = OpenApp::open().await;
    let sender = &app.browser;
    fill_setup(sender, &quiet, "steady@rate=200").await;
    let link = sender.share_link("share-test-link").await;
    let fragment = &link[link.find('#').expect("a fragment")..];

    let server = etalon_e2e::serve_app().await;
    let recipient = open(&server.url).await;
    assert_eq!(
        recipient
            .eval("document.querySelector('[data-testid=link-banner]') === null")
            .await,
        true,
        "no banner before a link"
    );
    recipient
        .eval(&format!(
            "(() => {{ location.hash = {}; return true; }})()",
            serde_json::to_string(fragment).unwrap()
        ))
        .await;
    present(&recipient, "link-host").await;
    assert_eq!(
        format!("http://{}", text_of(&recipient, "link-host").await),
        quiet
    );
    assert_eq!(
        recipient
            .eval("document.querySelector('[data-testid=setup-endpoint]').value")
            .await,
        quiet.as_str()
    );
    no_request_for(&connections, Duration::from_secs(3)).await;
    recipient.close().await;
    app.browser.close().await;
}

/// A key typed (and remembered) for one host is not sent to the host of a
/// test link opened later in the same tab: the field is empty, the banner
/// says whose key it was and offers to send it, and only that click fills it.
#[tokio::test]
async fn a_key_typed_for_one_host_waits_for_a_click_before_a_links_host_gets_it() {
    let (theirs, _) = counting_endpoint().await;
    let (mine, _) = counting_endpoint().await;
    let app = OpenApp::open().await;
    let browser = &app.browser;
    fill_setup(browser, &theirs, "steady@rate=200").await;
    let link = browser.share_link("share-test-link").await;
    let fragment = &link[link.find('#').expect("a fragment")..];

    // The user's own server, their key typed for it and remembered.
    browser.fill("setup-endpoint", &mine).await;
    browser.fill("setup-api-key", KEY).await;
    browser.click("setup-remember-key").await;
    browser
        .eval(&format!(
            "(() => {{ location.hash = {}; return true; }})()",
            serde_json::to_string(fragment).unwrap()
        ))
        .await;
    present(browser, "link-key-held").await;
    let held = text_of(browser, "link-key-held").await;
    assert!(held.contains(mine.trim_start_matches("http://")), "{held}");
    let key_field = "document.querySelector('[data-testid=setup-api-key]').value";
    assert_eq!(browser.eval(key_field).await, "");
    assert_eq!(
        format!("http://{}", text_of(browser, "link-host").await),
        theirs
    );
    browser.click("link-use-key").await;
    assert_eq!(browser.eval(key_field).await, KEY);
    app.browser.close().await;
}

/// The `[data-testid=link-setting]` items of the banner: field -> text.
async fn listed_settings(browser: &Browser) -> BTreeMap<String, String> {
    let value = browser
        .eval(
            "Object.fromEntries([...document.querySelectorAll('[data-testid=link-setting]')]\
             .map(e => [e.dataset.field, e.textContent]))",
        )
        .await;
    serde_json::from_value(value).unwrap()
}

/// Scroll the advanced request fields to the top and save a screenshot.
async fn screenshot_advanced(browser: &Browser, name: &str) {
    browser
        .eval("(() => { document.querySelector('[data-testid=setup-advanced]').scrollIntoView(); return true; })()")
        .await;
    browser.screenshot(name).await;
}

/// A test link can carry only what the set-up shows: the banner lists
/// every field it sets (the advanced request fields and each extra body
/// field among them), the advanced section is open and shows them, and a
/// link whose extra body fields set the model gets the set-up's problem,
/// with neither Run nor "Check endpoint" sending anything.
#[tokio::test]
async fn a_test_link_shows_every_field_it_sets_and_cannot_hide_a_model() {
    let (quiet, connections) = counting_endpoint().await;
    let server = etalon_e2e::serve_app().await;
    let mut setup = etalon_core::plan::setup::TestSetup {
        endpoint: quiet.clone(),
        ..Default::default()
    };
    setup.request.temperature = Some(0.7);
    setup.request.ignore_eos = true;
    setup.request.min_tokens = Some(40);
    setup.request.extra_body.insert("top_k".into(), 5.into());
    let fragment = etalon_core::share::test_link(&setup, None, &[]).unwrap();
    let browser = open(&format!("{}{fragment}", server.url)).await;
    present(&browser, "link-settings").await;

    let listed = listed_settings(&browser).await;
    let expected = [
        ("endpoint", format!("Address: {quiet}")),
        ("request.temperature", "Temperature: 0.7".into()),
        (
            "request.ignore_eos",
            "Keep generating past the end of the answer: on".into(),
        ),
        (
            "request.min_tokens",
            "Never stop before the output length: on".into(),
        ),
        ("extra_body.top_k", "Extra body field \"top_k\": 5".into()),
    ];
    for (field, text) in &expected {
        assert_eq!(listed.get(*field), Some(text), "{field}: {listed:?}");
    }
    assert_eq!(listed.len(), expected.len(), "{listed:?}");

    let shown = browser
        .eval(
            "(() => { const q = id => document.querySelector(`[data-testid=${id}]`); return { \
               open: q('setup-advanced').open, \
               temperature: q('setup-temperature').value, \
               seed: q('setup-request-seed').value, \
               ignore_eos: q('setup-ignore-eos').checked, \
               min_tokens: q('setup-min-tokens').checked, \
               include_usage: q('setup-include-usage').checked, \
               continuous: q('setup-continuous-usage').checked, \
               extra_body: JSON.parse(q('setup-extra-body').value), \
               run_disabled: q('setup-run').disabled }; })()",
        )
        .await;
    assert_eq!(
        shown,
        serde_json::json!({
            "open": true, "temperature": "0.7", "seed": "", "ignore_eos": true,
            "min_tokens": true, "include_usage": true, "continuous": false,
            "extra_body": {"top_k": 5}, "run_disabled": false,
        })
    );
    browser.screenshot("share-advanced-banner").await;
    screenshot_advanced(&browser, "share-advanced-desktop").await;
    browser.client.set_window_size(390, 844).await.unwrap();
    browser
        .wait_for("window.innerWidth <= 390", Duration::from_secs(10))
        .await;
    assert_eq!(
        browser
            .eval("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            .await,
        0,
        "the set-up scrolls sideways on a phone"
    );
    browser
        .eval("(() => { window.scrollTo(0, 0); return true; })()")
        .await;
    browser.screenshot("share-advanced-phone-banner").await;
    screenshot_advanced(&browser, "share-advanced-phone").await;
    browser
        .eval("(() => { document.querySelector('[data-testid=setup-extra-body]').scrollIntoView(); return true; })()")
        .await;
    browser.screenshot("share-advanced-phone-extra-body").await;
    browser.client.set_window_size(1280, 900).await.unwrap();

    // The same link with the model hidden in the extra body fields, and
    // seven answers per request.
    setup
        .request
        .extra_body
        .insert("model".into(), "hidden-model".into());
    setup.request.extra_body.insert("n".into(), 7.into());
    let fragment = etalon_core::share::test_link(&setup, None, &[]).unwrap();
    browser.client.goto("about:blank").await.unwrap();
    browser
        .client
        .goto(&format!("{}?case=hidden{fragment}", server.url))
        .await
        .unwrap();
    present(&browser, "problem-extra_body").await;
    let problems = browser
        .eval(
            "[...document.querySelectorAll('[data-testid=problem-extra_body]')].map(e => e.textContent)",
        )
        .await;
    let problems: Vec<String> = serde_json::from_value(problems).unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p
                == "The extra body fields cannot set \"model\": choose it in the Model field."),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("\"n\" to 7")),
        "{problems:?}"
    );
    let listed = listed_settings(&browser).await;
    assert_eq!(
        listed.get("extra_body.model").map(String::as_str),
        Some("Extra body field \"model\": \"hidden-model\"")
    );
    assert_eq!(
        listed.get("extra_body.n").map(String::as_str),
        Some("Extra body field \"n\": 7")
    );
    present(&browser, "link-needs-fixing").await;
    assert_eq!(
        browser
            .eval("document.querySelector('[data-testid=setup-run]').disabled")
            .await,
        true
    );
    // Neither a click on Run nor the endpoint check sends anything.
    browser
        .eval(
            "(() => { document.querySelector('[data-testid=setup-run]').click(); return true; })()",
        )
        .await;
    browser.click("setup-check").await;
    present(&browser, "setup-check-result").await;
    let check = text_of(&browser, "setup-check-result").await;
    assert!(check.contains("cannot set \"model\""), "{check}");
    screenshot_advanced(&browser, "share-advanced-refused").await;
    no_request_for(&connections, Duration::from_secs(2)).await;
    browser.close().await;
}

#[tokio::test]
async fn hostile_links_get_a_sentence_and_script_text_stays_text() {
    let server = etalon_e2e::serve_app().await;
    let browser = open(&server.url).await;
    // The policy is in force, and the app mounted under it.
    assert_eq!(
        browser
            .eval("document.querySelector('meta[http-equiv=Content-Security-Policy]').content.includes(\"script-src 'self' 'wasm-unsafe-eval'\")")
            .await,
        true
    );
    // An inline script (what an injection would add) does not run.
    let inline_ran = browser
        .eval(
            "(() => { const s = document.createElement('script'); s.textContent = 'window.inlineRan = 1'; \
             document.body.appendChild(s); return window.inlineRan === 1; })()",
        )
        .await;
    assert_eq!(inline_ran, false, "the policy let an inline script run");
    let cases = [
        ("#result=garbage", "lacks its version mark"),
        ("#result=v9.AAAA", "newer etalon-web"),
        ("#test=v1.!!!!", "characters an etalon-web link never has"),
        ("#test=v1.AAAA", "cannot be unpacked"),
    ];
    for (i, (fragment, expected)) in cases.iter().enumerate() {
        browser.client.goto("about:blank").await.unwrap();
        browser
            .client
            .goto(&format!("{}?case={i}{fragment}", server.url))
            .await
            .unwrap();
        present(&browser, "link-problem").await;
        let problem = text_of(&browser, "link-problem").await;
        assert!(problem.contains(expected), "{fragment}: {problem}");
        present(&browser, "setup-view").await;
    }
    browser.screenshot("share-hostile-link").await;

    // A set-up whose text is markup: shown as text, nothing injected.
    let mut setup = etalon_core::plan::setup::TestSetup::default();
    setup.request.model = "<img src=x onerror=\"window.pwned=1\">".into();
    setup.endpoint = "http://127.0.0.1:9/<b>bold</b>".into();
    let fragment = etalon_core::share::test_link(&setup, None, &[]).unwrap();
    browser.client.goto("about:blank").await.unwrap();
    browser
        .client
        .goto(&format!("{}?case=markup{fragment}", server.url))
        .await
        .unwrap();
    present(&browser, "link-host").await;
    assert_eq!(
        browser
            .eval("document.querySelector('[data-testid=setup-model]').value")
            .await,
        "<img src=x onerror=\"window.pwned=1\">"
    );
    // An injected `<img src=x>` would have run its onerror by the time an
    // image of our own with that source has failed to load.
    browser
        .eval(
            "(() => { window.probeFailed = false; const probe = new Image(); \
             probe.onerror = () => { window.probeFailed = true; }; probe.src = 'x'; return true; })()",
        )
        .await;
    browser
        .wait_for("window.probeFailed === true", Duration::from_secs(10))
        .await;
    assert_eq!(
        browser
            .eval("document.querySelectorAll('img, b').length")
            .await,
        0
    );
    assert_eq!(browser.eval("window.pwned === undefined").await, true);
    browser.close().await;
}
