//! "Export recording (JSON)": the recording as a file,
//! `etalon-recording-<date>.json`, through a Blob, an object URL and a
//! temporary `<a download>`. A recording never holds the API key (the
//! runner stores only the shareable set-up).

use etalon_core::recording::Recording;
use etalon_core::report::{recording_file_name, recording_json};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

#[component]
pub fn ExportButton(recording: Signal<Recording>) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let export = move |_| {
        let (name, text) = recording
            .with_untracked(|r| (recording_file_name(r.started_at_unix_ms), recording_json(r)));
        problem.set(
            download(&name, &text, "application/json")
                .err()
                .map(|_| "The browser refused to save the file.".to_string()),
        );
    };
    view! {
        <div class="export">
            <button class="secondary" data-testid="export-recording" on:click=export>
                "Export recording (JSON)"
            </button>
            {move || problem.get().map(|p| view! { <span class="field-problem" role="alert">{p}</span> })}
        </div>
    }
}

/// Save `text` as a file called `name`.
pub fn download(name: &str, text: &str, mime: &str) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let body = document.body().ok_or("no body")?;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    body.append_child(&link)?;
    link.click();
    body.remove_child(&link)?;
    // The download has started from the URL by the next task; free it later.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
