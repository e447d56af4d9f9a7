//! The banner of a link the page was opened with (where a test link will
//! send requests and everything it sets, a shared result, or why a link
//! could not be opened), and
//! the share bar under the set-up and results screens: copy a test link or a
//! result link, download Etalon's file or a CSV, open a file, compare.
//! Everything from a link or a file is shown as text, never as HTML.

use etalon_core::plan::setup::TestSetup;
use etalon_core::recording::Recording;
use etalon_core::share::{
    export_file, import_file, result_link, summary_link, test_link, ComparedRun, ExportKind,
    SetupChange,
};
use leptos::prelude::*;

use crate::browser;
use crate::share::{self, LinkNotice};
use crate::state::{use_app, AppState, Screen};

#[component]
pub fn LinkBanner(notice: RwSignal<Option<LinkNotice>>) -> impl IntoView {
    let app = use_app();
    // A shared result's banner goes when another run takes its place.
    Effect::new(move |seen: Option<()>| {
        app.book.track();
        if seen.is_some() && matches!(notice.get_untracked(), Some(LinkNotice::Result { .. })) {
            notice.set(None);
        }
    });
    let host = Signal::derive(move || app.setup.with(TestSetup::host));
    let setup_problems = Signal::derive(move || app.setup.with(TestSetup::problems));
    let finished =
        Signal::derive(move || app.book.with(|b| b.as_ref().is_some_and(|b| b.finished)));
    move || {
        let screen = app.screen.get();
        let banner = match notice.get()? {
            LinkNotice::Test { with_baseline, rounded_to, key_held_for, changes, .. } if screen == Screen::Setup => view! {
                <div class="link-banner" data-testid="link-banner" role="region" aria-label="Test link">
                    <p class="link-host">
                        "This link will send requests to "
                        <strong data-testid="link-host">{host}</strong>
                    </p>
                    <p>
                        "It filled in the set-up below. Nothing has been sent: check the address, add \
                         your API key if the server needs one, and press Run to measure from your own network."
                    </p>
                    <LinkSettings changes/>
                    <Show when=move || !setup_problems.with(Vec::is_empty)>
                        <p class="link-needs-fixing" data-testid="link-needs-fixing">
                            "Some of what it sets cannot be sent as it is: fix the marked fields below before Run."
                        </p>
                    </Show>
                    {key_held_for.map(|key_host| view! {
                        <Show when=move || app.held_key.with(Option::is_some)>
                            <p data-testid="link-key-held">
                                "Your API key was typed for " <strong>{key_host.clone()}</strong>
                                ", so it was not filled in for this link's host. "
                                <button type="button" data-testid="link-use-key" on:click=move |_| app.release_held_key()>
                                    "Send my key to " {host}
                                </button>
                            </p>
                        </Show>
                    })}
                    {with_baseline.then(|| view! {
                        <p data-testid="link-baseline">
                            "It also carries the sender's results: when your run ends, compare the two runs."
                        </p>
                    })}
                    {rounded_to.map(|r| view! {
                        <p class="muted" data-testid="link-rounded">{share::rounding_sentence(r)}</p>
                    })}
                </div>
            }
            .into_any(),
            LinkNotice::Test { with_baseline: true, .. } if screen == Screen::Results && finished.get() => view! {
                <div class="link-banner" data-testid="link-banner" role="region" aria-label="Test link">
                    <p>"Your run is done. The link carried the sender's results: see them beside yours."</p>
                    <button class="primary" data-testid="compare-with-sender" on:click=move |_| compare_with_sender(&app)>
                        "Compare with the sender's run"
                    </button>
                </div>
            }
            .into_any(),
            LinkNotice::Result { caption, rounded_to } if screen == Screen::Results => view! {
                <div class="link-banner" data-testid="link-banner" role="region" aria-label="Shared result">
                    <p>
                        "A shared result, read-only: " <span data-testid="link-caption">{caption}</span> "."
                    </p>
                    {rounded_to.map(|r| view! {
                        <p data-testid="link-rounded">{share::rounding_sentence(r)}</p>
                    })}
                    <p class="muted">
                        "The figures are recomputed here from the sender's recording. To measure from your own \
                         network, open the set-up and press Run."
                    </p>
                </div>
            }
            .into_any(),
            LinkNotice::Summary { caption } if screen == Screen::Results => view! {
                <div class="link-banner" data-testid="link-banner" role="region" aria-label="Shared summary">
                    <p>
                        "A shared summary, read-only: " <span data-testid="link-caption">{caption}</span> "."
                    </p>
                    <p class="muted">
                        "To measure from your own network, open the set-up and press Run."
                    </p>
                </div>
            }
            .into_any(),
            LinkNotice::Problem(problem) => view! {
                <div class="link-banner link-problem" role="alert" data-testid="link-problem">
                    <p>{problem}</p>
                    <button class="secondary" on:click=move |_| notice.set(None)>"Dismiss"</button>
                </div>
            }
            .into_any(),
            _ => return None,
        };
        Some(banner)
    }
}

/// Everything the link set that a fresh page sets otherwise, label and
/// value, as text.
#[component]
fn LinkSettings(changes: Vec<SetupChange>) -> impl IntoView {
    if changes.is_empty() {
        return view! {
            <p data-testid="link-settings-none">"It sets nothing that a fresh page does not already have."</p>
        }
        .into_any();
    }
    view! {
        <p>"What it sets, where a fresh page would have something else:"</p>
        <ul class="link-settings" data-testid="link-settings">
            {changes.into_iter().map(|change| view! {
                <li data-testid="link-setting" data-field=change.field>
                    <span class="link-setting-label">{change.label}</span>
                    ": "
                    <span class="link-setting-value" class:literal=change.literal>{change.value}</span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Put the sender's run and the current run on the compare screen.
fn compare_with_sender(app: &AppState) {
    let mut runs = Vec::new();
    if let Some(baseline) = app.baseline.get_untracked() {
        runs.push(ComparedRun {
            label: "Sender's run".into(),
            recording: baseline,
        });
    }
    if let Some(recording) = finished_recording(app) {
        runs.push(ComparedRun {
            label: "Your run".into(),
            recording,
        });
    }
    app.compared.set(runs);
    app.screen.set(Screen::Compare);
}

/// The last finished run's recording.
pub fn finished_recording(app: &AppState) -> Option<Recording> {
    app.book.with_untracked(|b| {
        b.as_ref()
            .filter(|b| b.finished)
            .map(|b| Recording::clone(&b.recording))
    })
}

#[component]
pub fn ShareBar() -> impl IntoView {
    let app = use_app();
    let link = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let too_large = RwSignal::new(false);
    // What a summary link holds, when the result link had to be one.
    let summary_said = RwSignal::new(None::<String>);
    let finished =
        Signal::derive(move || app.book.with(|b| b.as_ref().is_some_and(|b| b.finished)));
    Effect::new(move |_| {
        app.screen.track();
        link.set(None);
        status.set(None);
        too_large.set(false);
        summary_said.set(None);
    });
    let offer = move |made: Result<String, etalon_core::share::ShareError>, what: &'static str| {
        too_large.set(false);
        summary_said.set(None);
        match made {
            Ok(fragment) => {
                let url = format!("{}{fragment}", browser::page_address());
                link.set(Some(url.clone()));
                status.set(Some(format!("Copying the {what}...")));
                wasm_bindgen_futures::spawn_local(async move {
                    status.set(Some(match browser::copy_text(&url).await {
                        Ok(()) => {
                            format!("The {what} is on the clipboard ({} characters).", url.len())
                        }
                        Err(problem) => problem,
                    }));
                });
            }
            Err(problem) => {
                link.set(None);
                too_large.set(problem.message.contains("too large"));
                status.set(Some(problem.message));
            }
        }
    };
    let copy_test = move |with_results: bool| {
        let secrets = share::secrets_in_use(&app);
        let baseline = with_results.then(|| finished_recording(&app)).flatten();
        let made = app
            .setup
            .with_untracked(|s| test_link(s, baseline.as_ref(), &secrets));
        offer(made, "test link");
    };
    let copy_result = move |_| {
        let Some(recording) = finished_recording(&app) else {
            return;
        };
        let secrets = share::secrets_in_use(&app);
        let deadlines = app.deadlines.get_untracked();
        match result_link(&recording, Some(&deadlines), &secrets) {
            Err(problem) if problem.message.contains("too large") => {
                // Too large to be exact: the link holds a summary, and the
                // file still holds everything.
                match summary_link(&recording, &deadlines, &secrets) {
                    Ok((fragment, summary)) => {
                        offer(Ok(fragment), "summary link");
                        too_large.set(true);
                        summary_said.set(Some(format!(
                            "This run is too large for an exact link, so the link holds a summary: its figures, \
                             charts and percentile table, and {} of its {} requests. The recipient sees your \
                             figures but cannot move the deadlines; the recording file holds everything.",
                            summary.sample.len(),
                            summary.requests()
                        )));
                    }
                    Err(problem) => offer(Err(problem), "summary link"),
                }
            }
            made => offer(made, "result link"),
        }
    };
    // Every file goes through `export_file`, which redacts the secrets.
    let save = move |kind: ExportKind| {
        let Some(recording) = finished_recording(&app) else {
            return;
        };
        let secrets = share::secrets_in_use(&app);
        let deadlines = app.deadlines.get_untracked();
        let file = export_file(kind, &recording, &deadlines, &secrets);
        status.set(browser::download(&file.name, &file.text, file.mime).err());
    };
    let compare_more = move |_| {
        if let Some(recording) = finished_recording(&app) {
            app.compared.update(|runs| {
                if !runs.iter().any(|r| r.recording == recording) {
                    runs.push(ComparedRun {
                        label: "This run".into(),
                        recording,
                    });
                }
            });
        }
        app.screen.set(Screen::Compare);
    };
    move || {
        match app.screen.get() {
        Screen::Setup => view! {
            <section class="share-bar" data-testid="share-bar" aria-label="Share this test">
                <h3>"Share this test"</h3>
                <p class="field-help">
                    "A test link holds this set-up (never your API key or secret header values). Whoever opens it \
                     sees where it sends requests, and measures from their own network when they press Run."
                </p>
                <div class="actions">
                    <button class="secondary" data-testid="share-test-link" on:click=move |_| copy_test(false)>
                        "Copy test link"
                    </button>
                    <button class="secondary" data-testid="share-test-link-with-results"
                        disabled=move || !finished.get() on:click=move |_| copy_test(true)
                        title="The link also carries your last run, shown beside theirs.">
                        "Copy test link with my results"
                    </button>
                </div>
                <LinkOutput link status/>
            </section>
        }
        .into_any(),
        Screen::Results => view! {
            <section class="share-bar" data-testid="share-bar" aria-label="Share and export the results">
                <h3>"Share, export, import"</h3>
                <Show when=move || finished.get()>
                    <div class="actions">
                        <button class="secondary" data-testid="share-result-link" on:click=copy_result>
                            "Copy result link"
                        </button>
                        <button class="secondary" data-testid="export-etalon" on:click=move |_| save(ExportKind::Etalon)>
                            "Download Etalon request_level_metrics.json"
                        </button>
                        <button class="secondary" data-testid="export-csv" on:click=move |_| save(ExportKind::Csv)>
                            "Download CSV (one row per request)"
                        </button>
                        <button class="secondary" data-testid="compare-runs" on:click=compare_more>
                            "Compare with other runs"
                        </button>
                    </div>
                </Show>
                {move || summary_said.get().map(|said| view! {
                    <p class="field-help" data-testid="share-summary-note">{said}</p>
                })}
                <Show when=move || too_large.get()>
                    <button class="primary" data-testid="share-download-recording" on:click=move |_| save(ExportKind::Recording)>
                        "Download the recording file instead"
                    </button>
                </Show>
                <LinkOutput link status/>
                <ImportFile label="Open a recording or Etalon's request_level_metrics.json" testid="import-file"
                    on_import=Callback::new(move |(_, imported): (String, etalon_core::share::Imported)| {
                        share::show_recording(&app, imported.recording, imported.deadlines);
                    })/>
            </section>
        }
        .into_any(),
        _ => ().into_any(),
    }
    }
}

/// The link made (in a box to copy by hand) and what happened.
#[component]
fn LinkOutput(link: RwSignal<Option<String>>, status: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || link.with(Option::is_some)>
            <input class="link-text" type="text" readonly data-testid="share-link-text"
                aria-label="The link" prop:value=move || link.get().unwrap_or_default()
                on:focus=move |ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                }/>
        </Show>
        <Show when=move || status.with(Option::is_some)>
            <p class="field-help" role="status" data-testid="share-status"
                node_ref=crate::hooks::use_brought_into_view(Signal::derive(move || status.get()))>
                {move || status.get()}
            </p>
        </Show>
    }
}

/// A file picker that reads a recording or Etalon's file; a file that
/// cannot be read gets its sentence here.
#[component]
pub fn ImportFile(
    label: &'static str,
    testid: &'static str,
    on_import: Callback<(String, etalon_core::share::Imported)>,
) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let picked = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        problem.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            let read = share::read_picked_file(&input).await;
            input.set_value("");
            match read {
                None => {}
                Some(Err(sentence)) => problem.set(Some(sentence)),
                Some(Ok((name, text))) => match import_file(&name, &text) {
                    Ok(imported) => on_import.run((name, imported)),
                    Err(e) => problem.set(Some(e.message)),
                },
            }
        });
    };
    view! {
        <label class="field import-file">
            <span class="field-label">{label}</span>
            <input type="file" accept=".json,application/json" data-testid=testid on:change=picked/>
            <Show when=move || problem.with(Option::is_some)>
                <span class="field-problem" role="alert" data-testid=format!("{testid}-problem")>{move || problem.get()}</span>
            </Show>
        </label>
    }
}
