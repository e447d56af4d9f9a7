//! Browser glue, in one place: what the page (and, where it says so, the
//! measurement worker) asks of the browser itself. Functions that read the
//! global scope through `js_sys::global()` work in both.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Performance, WorkerGlobalScope};

/// A property of `navigator`, page or worker.
fn navigator_property(name: &str) -> Option<JsValue> {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    js_sys::Reflect::get(&navigator, &name.into()).ok()
}

/// Whether this page or worker is cross-origin isolated, which gives
/// `performance.now()` its finest resolution.
pub fn cross_origin_isolated() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// The browser's user agent, page or worker.
pub fn user_agent() -> String {
    navigator_property("userAgent")
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Whether WebDriver drives this browser (`navigator.webdriver`).
pub fn under_automation() -> bool {
    navigator_property("webdriver")
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// The `performance` of this page or worker.
pub fn performance() -> Option<Performance> {
    match js_sys::global().dyn_ref::<WorkerGlobalScope>() {
        Some(worker) => worker.performance(),
        None => web_sys::window().and_then(|w| w.performance()),
    }
}

/// Milliseconds since the Unix epoch at `performance.now()` resolution
/// (`Date.now()` where there is no `performance`).
pub fn now_unix_ms() -> f64 {
    performance().map_or_else(js_sys::Date::now, |p| p.time_origin() + p.now())
}

/// This tab's sessionStorage, when the browser grants it.
pub fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The page's fragment (`#...`), empty when there is none.
pub fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Calls `on_change` whenever the page's fragment changes (a link pasted
/// into the address bar of the open tab), for the page's lifetime.
pub fn on_hash_change(on_change: impl Fn() + 'static) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let listener = Closure::<dyn Fn()>::new(on_change);
    let _ =
        window.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
    listener.forget();
}

/// The address a link starts with: the app's own (its origin and base
/// path, not the screen's, so that `/results/<id>` of this browser's History
/// never travels in a link), without query or fragment.
pub fn page_address() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    let origin = location.origin().unwrap_or_default();
    format!("{origin}{}/", app_base_path())
}

/// The page's full address without its fragment.
fn current_address() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    let href = location.href().unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// Put `text` on the clipboard.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let failed = || {
        "The browser did not let the page use the clipboard: copy the link from the box."
            .to_string()
    };
    let clipboard = navigator_property("clipboard").ok_or_else(failed)?;
    let write: js_sys::Function = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(failed)?;
    let promise: js_sys::Promise = write
        .call1(&clipboard, &JsValue::from_str(text))
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or_else(failed)?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| failed())
}

/// Save `text` as a file called `name`.
pub fn download(name: &str, text: &str, mime: &str) -> Result<(), String> {
    let failed = |_| "The browser refused to save the file.".to_string();
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("The page has no document.")?;
    let body = document.body().ok_or("The page has no body.")?;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(failed)?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    body.append_child(&link).map_err(failed)?;
    link.click();
    let _ = body.remove_child(&link);
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// Whether anything answers at `url` within `timeout_ms`, page or worker:
/// a `no-cors` GET, whose opaque answer shows that a server is there
/// whatever its CORS headers (the probe the worker uses to tell a CORS
/// block from a server that is down). It cannot read what the server said.
pub async fn answers_at_all(url: &str, timeout_ms: u32) -> bool {
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_mode(web_sys::RequestMode::NoCors);
    let abort = web_sys::AbortController::new().ok();
    if let Some(abort) = &abort {
        init.set_signal(Some(&abort.signal()));
    }
    let fetch = match js_sys::global().dyn_ref::<WorkerGlobalScope>() {
        Some(worker) => worker.fetch_with_str_and_init(url, &init),
        None => match web_sys::window() {
            Some(window) => window.fetch_with_str_and_init(url, &init),
            None => return false,
        },
    };
    let _timeout =
        abort.map(|abort| gloo_timers::callback::Timeout::new(timeout_ms, move || abort.abort()));
    wasm_bindgen_futures::JsFuture::from(fetch).await.is_ok()
}

/// The address of the app's own files (ending in `/`): the folder of the
/// script that started it, so that the worker, the traces and the routes
/// are right on any path (`/results/abc`) and under any base (a site at
/// `/etalon-web/`). `./` when no such script is there (wasm tests).
pub fn app_root() -> String {
    let src = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("script[data-app-js]").ok().flatten())
        .and_then(|tag| tag.get_attribute("src"))
        .and_then(|src| web_sys::Url::new_with_base(&src, &current_address()).ok())
        .map(|url| url.href());
    match src {
        Some(href) => match href.rfind('/') {
            Some(end) => href[..=end].to_string(),
            None => "./".into(),
        },
        None => "./".into(),
    }
}

/// The path of the app's base below the origin, without its last `/`
/// (`""` at the root, `/etalon-web` under a project site).
pub fn app_base_path() -> String {
    web_sys::Url::new(&app_root())
        .map(|url| url.pathname().trim_end_matches('/').to_string())
        .unwrap_or_default()
}

/// A random number in 0..1.
pub fn random() -> f64 {
    js_sys::Math::random()
}
