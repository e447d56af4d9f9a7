//! etalon-web: the browser app. Browser-only glue; every figure it shows is
//! computed by `etalon-core` from a recording.

pub mod app;
pub mod automation;
pub mod browser;
pub mod components;
pub mod history;
pub mod hooks;
pub mod measure;
pub mod routing;
pub mod runner;
pub mod share;
pub mod state;
pub mod views;
pub mod worker_client;

/// GET `url` and return its body as text (for assets).
pub async fn fetch_text(url: &str) -> Result<String, String> {
    fetch_text_with_headers(url, &[]).await
}

/// GET `url` with `headers` and return its body as text (model lists).
pub async fn fetch_text_with_headers(
    url: &str,
    headers: &[(String, String)],
) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    let sent = web_sys::Headers::new().map_err(|_| "no Headers")?;
    for (name, value) in headers {
        sent.set(name, value)
            .map_err(|_| format!("The header {name} is not valid."))?;
    }
    init.set_headers(&sent);
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| format!("{url} could not be reached"))?;
    let response: web_sys::Response = response.unchecked_into();
    if !response.ok() {
        return Err(format!("{url} answered HTTP {}", response.status()));
    }
    let text = wasm_bindgen_futures::JsFuture::from(response.text().map_err(|_| "no body")?)
        .await
        .map_err(|_| format!("{url} could not be read"))?;
    Ok(text.as_string().unwrap_or_default())
}
