//! Chart text as a reader sees it, at 1366 px (a laptop) and 390 px (a
//! phone): every text of every chart of the results screen and of the
//! compare screen (and of the run screen's live distributions, at 1366 px)
//! is at least 12 px on screen (its computed font size times
//! the SVG's scale on screen), and inside its chart. Each chart is laid out
//! at the width it is shown (its `viewBox` as wide as its box). The request
//! timeline ends with its answer, and at phone width counts the tokens that
//! would merge. Screenshots of each chart land in
//! target/e2e-screenshots/charts-{desktop,phone}-*.png.

use std::time::Duration;

use etalon_e2e::{OpenApp, Testbed};
use serde_json::Value;

/// The charts of the results screen (test ids of their figures).
const RESULT_CHARTS: [&str; 8] = [
    "fluidity-explainer",
    "fluidity-histogram",
    "miss-curve",
    "cdf-ttft",
    "cdf-tbt",
    "cdf-tpot",
    "cdf-normalized-latency",
    "request-timeline",
];

/// Smallest text a reader should have to read (CSS px on screen).
const MIN_TEXT_PX: f64 = 12.0;

/// For every SVG under `root` (a CSS selector): its text elements' size on
/// screen and whether they stick out of the SVG's box; the SVG's own
/// `viewBox` width against its width on screen.
const MEASURE: &str = r#"
const [rootSelector] = arguments;
const svgs = [...document.querySelectorAll(rootSelector)]
  .flatMap(root => [...root.querySelectorAll('svg.chart-svg')].map(svg => [root, svg]));
return svgs.map(([root, svg]) => {
  const box = svg.getBoundingClientRect();
  const scale = svg.getScreenCTM().a;
  const texts = [...svg.querySelectorAll('text')]
    .filter(t => t.textContent.trim() !== '')
    .map(t => {
      const r = t.getBoundingClientRect();
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      const out = r.left < box.left - 1 || r.right > box.right + 1
        || r.top < box.top - 1 || r.bottom > box.bottom + 1;
      return { text: t.textContent, px, height: r.height, out };
    });
  return {
    chart: root.dataset.testid || root.className,
    viewBox: svg.viewBox.baseVal.width,
    shown: box.width,
    texts,
  };
});
"#;

/// Measures every chart under `root`; asserts the rules; returns the
/// smallest text size seen (px).
async fn check_charts(app: &OpenApp, root: &str, label: &str) -> f64 {
    let charts = app
        .browser
        .client
        .execute(MEASURE, vec![Value::from(root)])
        .await
        .unwrap();
    let charts = charts.as_array().unwrap();
    assert!(!charts.is_empty(), "{label}: no chart under {root}");
    let mut smallest = f64::INFINITY;
    let mut texts = 0;
    for chart in charts {
        let name = chart["chart"].as_str().unwrap_or("?");
        let (view_box, shown) = (
            chart["viewBox"].as_f64().unwrap(),
            chart["shown"].as_f64().unwrap(),
        );
        for t in chart["texts"].as_array().unwrap() {
            let px = t["px"].as_f64().unwrap();
            let text = t["text"].as_str().unwrap_or("");
            assert!(
                px >= MIN_TEXT_PX - 0.01,
                "{label} {name}: '{text}' is {px:.1} px"
            );
            assert!(
                t["height"].as_f64().unwrap() >= MIN_TEXT_PX - 0.01,
                "{label} {name}: '{text}' is {} px tall",
                t["height"]
            );
            assert_eq!(
                t["out"],
                Value::Bool(false),
                "{label} {name}: '{text}' sticks out of its chart"
            );
            smallest = smallest.min(px);
            texts += 1;
        }
        assert!(
            (view_box - shown).abs() <= 1.5,
            "{label} {name}: laid out {view_box} wide, shown {shown} wide"
        );
    }
    eprintln!(
        "{label}: {} charts, {texts} texts, the smallest {smallest:.1} px",
        charts.len()
    );
    smallest
}

/// Waits (at most 10 s) until every chart under `root` is laid out at its
/// shown width: after a resize, the observer runs and the charts are drawn
/// again. A chart that never is fails in [`check_charts`], with its widths.
async fn wait_laid_out(app: &OpenApp, root: &str) {
    let script = format!(
        "return [...document.querySelectorAll({root:?})].every(r => [...r.querySelectorAll('svg.chart-svg')]\
         .every(s => Math.abs(s.viewBox.baseVal.width - s.getBoundingClientRect().width) <= 1.5))"
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tokio::time::Instant::now() < deadline {
        let done = app.browser.client.execute(&script, vec![]).await.ok();
        if done == Some(Value::Bool(true)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Screenshots of each chart's figure under `root`, named `charts-dark-*`
/// when the browser prefers dark (`ETALON_CHROME_ARGS=--force-dark-mode`).
async fn screenshot_charts(app: &OpenApp, root: &str, prefix: &str) {
    let dark = app
        .browser
        .eval("matchMedia('(prefers-color-scheme: dark)').matches")
        .await
        == Value::Bool(true);
    let prefix = if dark {
        prefix.replacen("charts-", "charts-dark-", 1)
    } else {
        prefix.to_string()
    };
    let figures = app
        .browser
        .client
        .find_all(fantoccini::Locator::Css(root))
        .await
        .unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, figure) in figures.iter().enumerate() {
        let name = figure
            .attr("data-testid")
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| i.to_string());
        if let Ok(png) = figure.screenshot().await {
            std::fs::write(dir.join(format!("{prefix}-{name}.png")), png).unwrap();
        }
    }
}

async fn set_width(app: &OpenApp, width: u32, height: u32) {
    app.browser
        .client
        .set_window_size(width, height)
        .await
        .unwrap();
    app.browser
        .wait_for(
            &format!("window.innerWidth <= {width}"),
            Duration::from_secs(10),
        )
        .await;
}

/// The request timeline's axis against its answer: the last tick, the end
/// of the axis, and whether the tokens were counted per column.
async fn timeline_facts(app: &OpenApp) -> Value {
    app.browser
        .eval(
            "(() => { const f = document.querySelector('[data-testid=request-timeline]'); \
             const cols = f.querySelector('.timeline-token-columns').getAttribute('d') || ''; \
             const ticks = f.querySelector('.timeline-tokens').getAttribute('d') || ''; \
             return { columns: cols.length > 0, ticks: ticks.length > 0, \
                      facts: f.parentElement.querySelector('[data-testid=request-facts]').textContent }; })()",
        )
        .await
}

#[tokio::test]
async fn chart_text_is_legible_at_laptop_and_phone_width() {
    let testbed = Testbed::start(&[]).await;
    let app = OpenApp::open().await;
    let browser = &app.browser;
    set_width(&app, 1366, 900).await;
    browser.fill("setup-endpoint", &testbed.base_url).await;
    // 128 tokens an answer at 100 tokens/s, one stall in each.
    browser
        .fill("setup-model", "stalls@rate=100,stall_at=40,stall_ms=400")
        .await;
    browser
        .fill_all(&[
            ("setup-requests", "8"),
            ("setup-concurrency", "4"),
            ("setup-warmup", "0"),
            ("setup-output-tokens", "128"),
        ])
        .await;
    browser.click("setup-run").await;
    browser
        .wait_for_testid("run-see-results", Duration::from_secs(90))
        .await;
    // The run screen's live distributions, as the run ended.
    let live = "[data-testid^=live-cdf-]";
    wait_laid_out(&app, live).await;
    let live_desktop = check_charts(&app, live, "live at 1366 px").await;
    screenshot_charts(&app, live, "charts-desktop-live").await;
    browser.click("run-see-results").await;
    let all_drawn = format!(
        "document.querySelector('[data-testid=headline-fluid-rate]') !== null \
         && {RESULT_CHARTS:?}.every(id => document.querySelector(`[data-testid=${{id}}] svg`))"
    );
    browser.wait_for(&all_drawn, Duration::from_secs(30)).await;
    let results = "[data-testid=results-view] figure.plot";

    wait_laid_out(&app, results).await;
    let desktop = check_charts(&app, results, "results at 1366 px").await;
    screenshot_charts(&app, results, "charts-desktop").await;
    // The miss-rate curve marks its target and, on it, the fluid rate.
    let miss = browser.text_of("miss-curve").await;
    assert!(miss.contains("target: 10 % of deadlines missed"), "{miss}");
    let fluid = browser.text_of("miss-curve-fluid-rate").await;
    if fluid.contains("meets the 10 % target") {
        assert!(
            miss.contains("fluid rate") && miss.contains("tokens/s"),
            "{miss}"
        );
        let dots = browser
            .eval("document.querySelectorAll('[data-testid=miss-curve] .chart-marker-dot').length")
            .await;
        assert_eq!(dots, 1);
    }
    // On a laptop, the timeline draws each token.
    let wide = timeline_facts(&app).await;
    assert_eq!(wide["ticks"], Value::Bool(true), "{wide}");

    set_width(&app, 390, 844).await;
    wait_laid_out(&app, results).await;
    let phone = check_charts(&app, results, "results at 390 px").await;
    screenshot_charts(&app, results, "charts-phone").await;
    // 128 tokens in about 260 px: counted per column, not merged into one
    // block.
    let narrow = timeline_facts(&app).await;
    assert_eq!(narrow["columns"], Value::Bool(true), "{narrow}");
    assert_eq!(narrow["ticks"], Value::Bool(false), "{narrow}");
    let key = browser
        .eval("document.querySelector('[data-testid=timeline-columns-key]') !== null")
        .await;
    assert_eq!(key, Value::Bool(true));

    // The compare screen's charts: the demo's two systems side by side.
    browser
        .eval("[...document.querySelectorAll('nav.tabs button')].find(b => b.textContent.includes('Set up')).click() || true")
        .await;
    browser.click("demo-offer-watch").await;
    browser
        .wait_for_testid("demo-watch-0", Duration::from_secs(90))
        .await;
    browser.click("demo-skip").await;
    browser
        .wait_for_testid("demo-figures", Duration::from_secs(90))
        .await;
    browser.click("demo-compare").await;
    browser
        .wait_for(
            "document.querySelectorAll('[data-testid=compare-charts] svg').length >= 4",
            Duration::from_secs(30),
        )
        .await;
    let compare = "[data-testid=compare-charts] figure.plot";
    wait_laid_out(&app, compare).await;
    let compare_phone = check_charts(&app, compare, "compare at 390 px").await;
    screenshot_charts(&app, compare, "charts-phone-compare").await;
    set_width(&app, 1366, 900).await;
    wait_laid_out(&app, compare).await;
    let compare_desktop = check_charts(&app, compare, "compare at 1366 px").await;
    screenshot_charts(&app, compare, "charts-desktop-compare").await;
    // The fluidity-index is a share: its axis ends at 100 %.
    let fluidity_axis = browser
        .eval(
            "[...document.querySelectorAll('[data-testid=compare-charts] svg.chart-svg')]\
             .find(s => s.getAttribute('aria-label').startsWith('Fluidity'))\
             .querySelector('.chart-axis-x').textContent",
        )
        .await;
    let fluidity_axis = fluidity_axis.as_str().unwrap_or("");
    assert!(
        fluidity_axis.contains("100") && !fluidity_axis.contains("110"),
        "{fluidity_axis}"
    );
    eprintln!(
        "smallest chart text: results {desktop:.1} px at 1366, {phone:.1} px at 390; \
         compare {compare_desktop:.1} px at 1366, {compare_phone:.1} px at 390; \
         live {live_desktop:.1} px at 1366"
    );
    app.browser.close().await;
}
