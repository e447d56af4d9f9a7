//! The top of the app: the page frame and its header.

use leptos::prelude::*;

/// The app's version, from Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Whether the page is cross-origin isolated (finer `performance.now()`).
pub fn cross_origin_isolated() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

#[component]
pub fn App() -> impl IntoView {
    let isolated = cross_origin_isolated();
    view! {
        <header class="app-header" data-testid="app-header">
            <h1>"etalon-web"</h1>
            <span class="version" data-testid="app-version">"v" {VERSION}</span>
        </header>
        <main class="app-main">
            <p class="tagline">
                "How does an LLM endpoint feel from where you sit? Time to first token, \
                 time between tokens, and the fluidity-index, measured in your browser."
            </p>
            <p class="clock" data-testid="clock-status">
                {if isolated {
                    "Precise clock: this page is cross-origin isolated."
                } else {
                    "Coarse clock: this page is not cross-origin isolated, so timings are rounded more."
                }}
            </p>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn app_renders_its_name_and_version() {
        let document = web_sys::window().unwrap().document().unwrap();
        let host = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&host).unwrap();
        let host: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(host);
        let _handle = leptos::mount::mount_to(host.clone(), App);
        let text = host.text_content().unwrap();
        assert!(text.contains("etalon-web"), "{text}");
        assert!(text.contains(VERSION), "{text}");
    }
}
