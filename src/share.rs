//! The app's side of sharing: read the link in the page's address at start
//! (and apply it: fill the set-up, or show a result, never send anything),
//! and read a file the user picked. Every format and check is in
//! `etalon_core::share`; the clipboard and downloads are in
//! [`browser`](crate::browser).

use etalon_core::metrics::DeadlineConfig;
use etalon_core::observe::run_book::RunBook;
use etalon_core::plan::setup::is_secret_header;
use etalon_core::recording::Recording;
use etalon_core::share::{
    open_link, setup_changes, OpenedLink, RunSummary, SetupChange, SharedLink,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser::location_hash;
use crate::state::{AppState, Screen};

/// What the link the page was opened with did, for the banner.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkNotice {
    /// A test link filled the set-up; nothing was sent.
    Test {
        /// Where a run will send requests (`host:port`).
        host: String,
        /// The sender's results came along.
        with_baseline: bool,
        /// Seconds the sender's times were rounded to so that they fit.
        rounded_to: Option<f64>,
        /// The host the user's key was for, when it was held back because
        /// the link points elsewhere.
        key_held_for: Option<String>,
        /// Every field the link set that a fresh page sets otherwise.
        changes: Vec<SetupChange>,
    },
    /// A summary link is shown, read-only.
    Summary { caption: String },
    /// A result link is shown, read-only.
    Result {
        caption: String,
        /// Seconds the times were rounded to so that the run fits the link.
        rounded_to: Option<f64>,
    },
    /// The link could not be opened; the sentence says why.
    Problem(String),
}

/// Open the link in the page's address, if any: at start, and again when
/// one is pasted into the open tab. A test link fills the set-up and stops
/// there: a request leaves only when the user presses a button.
pub fn open_link_in_address(app: &AppState) -> Option<LinkNotice> {
    let OpenedLink { link, rounded_to } = match open_link(&location_hash()) {
        Ok(opened) => opened?,
        Err(problem) => return Some(LinkNotice::Problem(problem.message)),
    };
    Some(match link {
        SharedLink::Test { setup, baseline } => {
            let with_baseline = baseline.is_some();
            app.deadlines.set(setup.deadlines.clone());
            let host = setup.host();
            let changes = setup_changes(&setup);
            let key_held_for = app.take_setup_from_link(*setup);
            app.baseline.set(baseline);
            app.screen.set(Screen::Setup);
            LinkNotice::Test {
                host,
                with_baseline,
                rounded_to,
                key_held_for,
                changes,
            }
        }
        SharedLink::Summary(summary) => {
            let caption = etalon_core::present::report::caption_of(
                &summary.config,
                summary.requests() as usize,
            );
            show_summary(app, *summary);
            LinkNotice::Summary { caption }
        }
        SharedLink::Result {
            recording,
            deadlines,
        } => {
            let caption = etalon_core::present::report::run_caption(&recording);
            show_recording(app, recording, deadlines);
            LinkNotice::Result {
                caption,
                rounded_to,
            }
        }
    })
}

/// "Times in this link are rounded to 0.1 ms; ...": what the recipient
/// must know of a run whose times were rounded to fit the link.
pub fn rounding_sentence(rounded_to: f64) -> String {
    let micros = (rounded_to * 1e6).round() as u64;
    let precision = if micros < 100 {
        format!("{micros} µs")
    } else {
        format!("{} ms", micros as f64 / 1000.0)
    };
    format!(
        "Times in this link are rounded to {precision} to fit it; the headline figures and each \
         request's deadline counts are the sender's."
    )
}

/// Show `recording` on the results screen as a finished run (a shared
/// result or an imported file), judged against `deadlines` or, without,
/// the deadlines its set-up names.
pub fn show_recording(app: &AppState, recording: Recording, deadlines: Option<DeadlineConfig>) {
    let deadlines = deadlines
        .or_else(|| {
            let value = recording.config.pointer("/setup/deadlines")?;
            serde_json::from_value(value.clone()).ok()
        })
        .filter(|d: &DeadlineConfig| d.validate().is_ok());
    if let Some(deadlines) = deadlines {
        app.deadlines.set(deadlines);
    }
    let mut book = RunBook::new(
        0,
        recording.config.clone(),
        recording.environment.clone(),
        [],
    );
    book.recording = std::sync::Arc::new(recording);
    book.finished = true;
    app.summary.set(None);
    app.book.set(Some(book));
    // Not a kept run: its address is `/results`.
    app.shown_id.set(None);
    app.results_id.set(None);
    app.screen.set(Screen::Results);
}

/// Show a summary link's run on the results screen, under the sender's
/// deadlines (which it cannot change).
pub fn show_summary(app: &AppState, summary: RunSummary) {
    app.deadlines.set(summary.deadlines.clone());
    app.summary.set(Some(std::sync::Arc::new(summary)));
    app.screen.set(Screen::Results);
}

/// What must never appear in a link or a file: the API key and the values
/// of secret headers (marked, or named like one).
pub fn secrets_in_use(app: &AppState) -> Vec<String> {
    let mut secrets = vec![app.api_key.get_untracked()];
    app.setup.with_untracked(|setup| {
        secrets.extend(
            setup
                .headers
                .iter()
                .filter(|h| h.secret || is_secret_header(&h.name))
                .map(|h| h.value.clone()),
        )
    });
    secrets.retain(|s| !s.trim().is_empty());
    secrets
}

/// The name and text of the file picked in `input` (`None` when none is).
pub async fn read_picked_file(
    input: &web_sys::HtmlInputElement,
) -> Option<Result<(String, String), String>> {
    let files = js_sys::Reflect::get(input, &"files".into()).ok()?;
    let file = js_sys::Reflect::get(&files, &0.into())
        .ok()
        .filter(|f| f.is_object())?;
    let name = js_sys::Reflect::get(&file, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_else(|| "the file".into());
    let size = js_sys::Reflect::get(&file, &"size".into())
        .ok()
        .and_then(|s| s.as_f64())
        .unwrap_or(0.0);
    if size > etalon_core::share::MAX_IMPORT_BYTES as f64 {
        return Some(Err(format!(
            "\"{name}\" is larger than {} MiB, more than this page opens.",
            etalon_core::share::MAX_IMPORT_BYTES >> 20
        )));
    }
    let unreadable = format!("\"{name}\" could not be read.");
    let text = js_sys::Reflect::get(&file, &"text".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(&file).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    let Some(text) = text else {
        return Some(Err(unreadable));
    };
    Some(match wasm_bindgen_futures::JsFuture::from(text).await {
        Ok(text) => text.as_string().map(|t| (name, t)).ok_or(unreadable),
        Err(_) => Err(unreadable),
    })
}
