//! What a test does on the page: evaluate a script, wait for a condition,
//! fill and click by test id, save screenshots, find downloads.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::browser::{poll, poll_every, Browser};
use crate::workspace_root;

/// Elements wider than the viewport (the outermost of each, as
/// `parent > element right-edge`), and how far the page itself scrolls
/// sideways: what a phone-width test holds to nothing.
const OVERFLOW: &str = "(() => { \
    const width = document.documentElement.clientWidth; \
    const scrolls = e => { for (let a = e.parentElement; a; a = a.parentElement) \
                             if (getComputedStyle(a).overflowX !== 'visible') return true; \
                           return false; }; \
    const over = e => { const r = e.getBoundingClientRect(); \
                        return r.width > 0 && (r.right > width + 1 || r.left < -1) && !scrolls(e); }; \
    const name = e => e.tagName.toLowerCase() \
      + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.') : '') \
      + (e.dataset && e.dataset.testid ? '[' + e.dataset.testid + ']' : ''); \
    const wide = [...document.querySelectorAll('body *')] \
      .filter(e => over(e) && !(e.parentElement && over(e.parentElement))) \
      .map(e => name(e.parentElement) + ' > ' + name(e) + ' ' + Math.round(e.getBoundingClientRect().right)); \
    return { page: document.documentElement.scrollWidth - width, wide: wide.slice(0, 8) }; \
  })()";

impl Browser {
    /// Wait until `script` (a JavaScript expression) is true, or panic after
    /// `timeout`. Checks every 50 ms: a script on the page every few
    /// milliseconds would take its share of the cores the run measures on.
    pub async fn wait_for(&self, script: &str, timeout: Duration) {
        poll_every(
            Duration::from_millis(50),
            &format!("`{script}`"),
            timeout,
            || async {
                let value = self.eval(script).await;
                match value.as_bool() {
                    Some(true) => Ok(()),
                    _ => Err(value.to_string()),
                }
            },
        )
        .await
    }

    /// Evaluate a JavaScript expression in the page.
    pub async fn eval(&self, expression: &str) -> serde_json::Value {
        self.client
            .execute(&format!("return ({expression});"), vec![])
            .await
            .unwrap_or_else(|e| panic!("Script `{expression}` failed: {e}"))
    }

    /// The app's memory in MB: its wasm memory (it grows and never
    /// shrinks, so this is the peak so far) plus the page's JavaScript heap
    /// where the browser tells it (Chromium's `performance.memory`; Firefox
    /// has none, so there it is the wasm memory alone).
    pub async fn app_memory_mb(&self) -> f64 {
        let bytes = self
            .eval("window.etalonWasmBytes() + (performance.memory ? performance.memory.usedJSHeapSize : 0)")
            .await;
        bytes.as_f64().unwrap_or(f64::NAN) / 1e6
    }

    /// Start noting the page's long tasks (see [`Browser::long_tasks`]).
    pub async fn watch_long_tasks(&self) {
        self.eval(
            "(() => { window.__longTasks = []; new PerformanceObserver(list => { \
               for (const e of list.getEntries()) window.__longTasks.push(e.duration); \
             }).observe({ type: 'longtask' }); return true; })()",
        )
        .await;
    }

    /// How many long tasks the page ran since [`Browser::watch_long_tasks`],
    /// and the longest, in ms.
    pub async fn long_tasks(&self) -> (u64, f64) {
        let v = self
            .eval("[window.__longTasks.length, Math.max(0, ...window.__longTasks)]")
            .await;
        (
            v[0].as_u64().unwrap_or(0),
            v[1].as_f64().unwrap_or(f64::NAN),
        )
    }

    /// Save a screenshot under target/e2e-screenshots/NAME.png.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = workspace_root().join("target/e2e-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Set an input's value as a user would (then `change` fires).
    pub async fn fill(&self, testid: &str, value: &str) {
        let script = "const e = document.querySelector(`[data-testid=${arguments[0]}]`); \
                      if (!e) return false; e.value = arguments[1]; \
                      e.dispatchEvent(new Event('input', {bubbles: true})); \
                      e.dispatchEvent(new Event('change', {bubbles: true})); return true;";
        let found = self
            .client
            .execute(script, vec![testid.into(), value.into()])
            .await
            .unwrap();
        assert_eq!(found, true, "no element [data-testid={testid}]");
    }

    /// Fill several fields, in order: (test id, value).
    pub async fn fill_all(&self, fields: &[(&str, &str)]) {
        for (testid, value) in fields {
            self.fill(testid, value).await;
        }
    }

    /// Wait until an element with this test id is on the page.
    pub async fn wait_for_testid(&self, testid: &str, timeout: Duration) {
        self.wait_for(
            &format!("document.querySelector('[data-testid={testid}]') !== null"),
            timeout,
        )
        .await;
    }

    /// The `data-value` of the element with this test id (a headline
    /// card's full-precision figure), or null.
    pub async fn data_value(&self, testid: &str) -> serde_json::Value {
        self.eval(&format!(
            "(document.querySelector('[data-testid={testid}]') || {{dataset: {{}}}}).dataset.value ?? null"
        ))
        .await
    }

    /// What sticks out of the viewport: `{page, wide}` (see [`OVERFLOW`]).
    pub async fn overflow(&self) -> serde_json::Value {
        self.eval(OVERFLOW).await
    }

    /// The text of the element with this test id, or "" when there is none.
    pub async fn text_of(&self, testid: &str) -> String {
        self.eval(&format!(
            "(document.querySelector('[data-testid={testid}]') || {{}}).textContent || ''"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// The full-precision figure (`data-value`) of the element with this
    /// test id; panics when it shows none.
    pub async fn figure(&self, testid: &str) -> f64 {
        let value = self.data_value(testid).await;
        value
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{testid} has no figure: {value}"))
    }

    /// Every headline card's full-precision value (`data-value`), by test id.
    pub async fn headlines(&self) -> BTreeMap<String, String> {
        let value = self
            .eval(
                "Object.fromEntries([...document.querySelectorAll('[data-testid^=headline-]')]\
                 .map(e => [e.dataset.testid, e.dataset.value]))",
            )
            .await;
        serde_json::from_value(value).unwrap()
    }

    /// Press a share button (by test id) and read the link it made.
    pub async fn share_link(&self, button: &str) -> String {
        self.eval("(() => { const e = document.querySelector('[data-testid=share-link-text]'); if (e) e.remove(); return true; })()")
            .await;
        self.click(button).await;
        self.wait_for_testid("share-link-text", Duration::from_secs(120))
            .await;
        self.eval("document.querySelector('[data-testid=share-link-text]').value")
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Click the element with this test id.
    pub async fn click(&self, testid: &str) {
        let selector = format!("[data-testid={testid}]");
        self.wait_for(
            &format!("document.querySelector('{selector}') !== null"),
            Duration::from_secs(30),
        )
        .await;
        self.client
            .find(fantoccini::Locator::Css(&selector))
            .await
            .unwrap()
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {selector}: {e}"));
    }

    /// The first file that appears in the downloads folder within `timeout`.
    pub async fn downloaded_file(&self, timeout: Duration) -> PathBuf {
        poll("a download", timeout, || async {
            std::fs::read_dir(self.downloads.path())
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| finished_download(p))
                .ok_or_else(|| "none".to_string())
        })
        .await
    }
}

/// Two browsers' [`Browser::headlines`] are the same cards with the same
/// figures (to 1e-9 relative; text values exactly).
pub fn assert_same_headlines(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) {
    assert!(a.len() >= 10, "headline cards: {a:?}");
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (key, x) in a {
        let y = &b[key];
        match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(x), Ok(y)) => assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1e-12),
                "{key}: {x} vs {y}"
            ),
            _ => assert_eq!(x, y, "{key}"),
        }
    }
}

/// Whether `path` is a whole download: Chromium writes a hidden or
/// `.crdownload` (or `.tmp`) file first, then renames it; Firefox writes
/// `.part`.
pub fn finished_download(path: &std::path::Path) -> bool {
    let hidden = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
    // Chromium may show the final name before the bytes: every file the
    // app downloads holds something.
    let written = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
    !hidden
        && written
        && !path
            .extension()
            .is_some_and(|e| e == "crdownload" || e == "tmp" || e == "part")
}
