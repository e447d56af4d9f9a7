//! "Export recording (JSON)": the recording as a file,
//! `etalon-recording-<date>.json`. Like every export and link, it goes
//! through `etalon_core::share::export_file`, which replaces the API key and
//! secret header values by `***` wherever they appear (a server may echo
//! them in an error message) and scrubs the configuration.

use etalon_core::recording::Recording;
use etalon_core::share::{export_file, ExportKind};
use leptos::prelude::*;
use std::sync::Arc;

use crate::browser::download;
use crate::share::secrets_in_use;
use crate::state::AppState;

#[component]
pub fn ExportButton(recording: Signal<Arc<Recording>>) -> impl IntoView {
    let app = use_context::<AppState>();
    let problem = RwSignal::new(None::<String>);
    let export = move |_| {
        let (secrets, deadlines) = match &app {
            Some(app) => (secrets_in_use(app), app.deadlines.get_untracked()),
            None => Default::default(),
        };
        let file = recording
            .with_untracked(|r| export_file(ExportKind::Recording, r, &deadlines, &secrets));
        problem.set(download(&file.name, &file.text, file.mime).err());
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
