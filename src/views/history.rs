//! The History screen: the runs kept in this browser, newest first, as
//! cards (they fit a phone): date, endpoint, model, workload and three
//! headline figures, with Open, Rename, Export and Delete, and checkboxes
//! to compare two or more. It reads only the index entries; a recording
//! is read when a run is opened, exported or compared.

use etalon_core::history::{checked_name, HistoryEntry};
use etalon_core::present::chart::{format_seconds, raw_value};
use etalon_core::present::report::NO_FIGURE;
use etalon_core::share::{export_file, ExportKind};
use leptos::prelude::*;

use crate::browser::{app_base_path, download, now_unix_ms};
use crate::history::{delete_run, list_runs, load_run, own_deadlines, rename_run, Listing};
use crate::routing::follow_link;
use crate::state::use_app;

#[component]
pub fn HistoryView() -> impl IntoView {
    let app = use_app();
    let listing = RwSignal::new(None::<Result<Listing, String>>);
    let list_ms = RwSignal::new(None::<f64>);
    let selected = RwSignal::new(Vec::<String>::new());
    // Read the entries when the screen opens and after each run is kept.
    Effect::new(move |_| {
        app.history_changed.track();
        let started = now_unix_ms();
        wasm_bindgen_futures::spawn_local(async move {
            let read = list_runs().await;
            list_ms.set(Some(now_unix_ms() - started));
            listing.set(Some(read));
        });
    });
    let base = app_base_path();
    let compare_href = {
        let base = base.clone();
        move || format!("{base}/compare?runs={}", selected.get().join(","))
    };
    let navigate = leptos_router::hooks::use_navigate();
    let compare = move |event: leptos::ev::MouseEvent| {
        let href = format!("{base}/compare?runs={}", selected.get_untracked().join(","));
        follow_link(&event, &href, &navigate);
    };
    view! {
        <section class="history-view" data-testid="history-view" aria-labelledby="history-title">
            <h2 id="history-title">"History"</h2>
            <p class="lead">
                "Every run you finish or stop is kept here, in this browser only (not on any server), \
                 with its set-up but never your API key or secret headers."
            </p>
            {move || app.history_problem.get().map(|p| view! {
                <p class="banner warning" role="alert" data-testid="history-problem">{p}</p>
            })}
            <div class="actions history-compare">
                <a class="button secondary" data-testid="history-compare" href=compare_href on:click=compare
                    aria-disabled=move || (selected.with(Vec::len) < 2).then_some("true")
                    class:disabled=move || selected.with(Vec::len) < 2>
                    {move || format!("Compare the selected runs ({})", selected.with(Vec::len))}
                </a>
                <span class="muted">"Tick two or more runs to compare them."</span>
            </div>
            {move || match listing.get() {
                None => view! { <p class="muted" role="status">"Reading the kept runs…"</p> }.into_any(),
                Some(Err(problem)) => view! {
                    <p class="banner warning" role="alert" data-testid="history-problem">{problem}</p>
                }.into_any(),
                Some(Ok(Listing { entries, problems })) => {
                    let empty = entries.is_empty();
                    view! {
                        {problems.into_iter().map(|p| view! {
                            <p class="banner warning" role="alert" data-testid="history-entry-problem">{p}</p>
                        }).collect_view()}
                        {empty.then(|| view! {
                            <p class="muted" data-testid="history-empty">
                                "No run kept yet. Run a test from the set-up: when it finishes, or when you stop it, it is kept here."
                            </p>
                        })}
                        <ul class="history-list" data-testid="history-list"
                            data-list-ms=move || list_ms.get().map(|ms| format!("{ms:.1}"))>
                            {entries.into_iter().map(|entry| view! { <HistoryCard entry selected listing/> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// "8 Dec 2026, 01:17" in the reader's own locale and time zone.
fn local_date(unix_ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix_ms));
    let text = date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED);
    String::from(text)
}

/// One kept run.
#[component]
fn HistoryCard(
    entry: HistoryEntry,
    selected: RwSignal<Vec<String>>,
    listing: RwSignal<Option<Result<Listing, String>>>,
) -> impl IntoView {
    let app = use_app();
    let id = entry.id.clone();
    let name = RwSignal::new(entry.name.clone());
    let renaming = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let typed = RwSignal::new(entry.name.clone());
    let href = format!("{}/results/{}", app_base_path(), entry.id);
    let navigate = leptos_router::hooks::use_navigate();
    let open = {
        let href = href.clone();
        move |event: leptos::ev::MouseEvent| follow_link(&event, &href, &navigate)
    };
    let checked = {
        let id = id.clone();
        move || selected.with(|s| s.contains(&id))
    };
    let toggle = {
        let id = id.clone();
        move |_| {
            selected.update(|s| match s.iter().position(|x| *x == id) {
                Some(i) => {
                    s.remove(i);
                }
                None => s.push(id.clone()),
            })
        }
    };
    let save_name = {
        let id = id.clone();
        move || match checked_name(&typed.get_untracked()) {
            Err(sentence) => problem.set(Some(sentence)),
            Ok(new) => {
                let id = id.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match rename_run(&id, new).await {
                        Ok(entry) => {
                            name.set(entry.name);
                            renaming.set(false);
                            problem.set(None);
                        }
                        Err(sentence) => problem.set(Some(sentence)),
                    }
                });
            }
        }
    };
    let delete = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match delete_run(&id).await {
                    Ok(()) => {
                        selected.update(|s| s.retain(|x| *x != id));
                        listing.update(|l| {
                            if let Some(Ok(l)) = l {
                                l.entries.retain(|e| e.id != id);
                            }
                        });
                        if app.shown_id.get_untracked().as_deref() == Some(id.as_str()) {
                            // The results on screen stay; they are only no longer kept.
                            app.shown_id.set(None);
                        }
                    }
                    Err(sentence) => problem.set(Some(sentence)),
                }
            });
        }
    };
    let export = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = match load_run(&id).await {
                    Ok((_, recording)) => {
                        let file = export_file(
                            ExportKind::Recording,
                            &recording,
                            &own_deadlines(&recording),
                            &crate::share::secrets_in_use(&app),
                        );
                        download(&file.name, &file.text, file.mime)
                    }
                    Err(sentence) => Err(sentence),
                };
                problem.set(outcome.err());
            });
        }
    };
    let figure = |key: &'static str, label: &'static str, value: Option<f64>, text: String| {
        view! {
            <div class="history-figure">
                <dt>{label}</dt>
                <dd data-testid=format!("history-{key}") data-value=raw_value(value)>{text}</dd>
            </div>
        }
    };
    let f = entry.figures.clone();
    let seconds = |v: Option<f64>| v.map_or_else(|| NO_FIGURE.to_string(), format_seconds);
    let fluidity = f
        .fluidity_p1
        .map_or_else(|| NO_FIGURE.to_string(), |v| format!("{:.0} %", v * 100.0));
    let endpoint = if entry.endpoint.is_empty() {
        "a simulated server".to_string()
    } else {
        entry.endpoint.clone()
    };
    let model = (!entry.model.is_empty()).then(|| format!("model \"{}\"", entry.model));
    view! {
        <li class="history-card" data-testid="history-entry" data-run-id=entry.id.clone()>
            <div class="history-card-head">
                <label class="history-select">
                    <input type="checkbox" data-testid="history-select" prop:checked=checked on:change=toggle/>
                    <span class="visually-hidden">"Select for comparison"</span>
                </label>
                <Show when=move || renaming.get() fallback=move || view! {
                    <strong class="history-name" data-testid="history-name">{move || name.get()}</strong>
                }>
                    <input class="history-rename" data-testid="history-rename-input" aria-label="New name"
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev))/>
                </Show>
            </div>
            <p class="history-meta muted">
                <span data-testid="history-date">{local_date(entry.started_at_unix_ms)}</span>
                " · " <span class="history-endpoint">{endpoint}</span>
                {model.map(|m| view! { " · " <span>{m}</span> })}
            </p>
            <p class="history-workload" data-testid="history-workload">{entry.workload_words()}</p>
            <dl class="history-figures">
                {figure("ttft-p50", "Median time to first token", f.ttft_p50, seconds(f.ttft_p50))}
                {figure("tpot-p50", "Median time per token", f.tpot_p50, seconds(f.tpot_p50))}
                {figure("fluidity-p1", "Fluidity of the worst 1 %", f.fluidity_p1, fluidity)}
            </dl>
            <div class="actions history-actions">
                <a class="button" data-testid="history-open" href=href on:click=open>"Open"</a>
                <Show when=move || renaming.get() fallback=move || view! {
                    <button class="secondary" data-testid="history-rename" on:click=move |_| {
                        typed.set(name.get_untracked());
                        renaming.set(true);
                    }>"Rename"</button>
                }>
                    {
                        let save_name = save_name.clone();
                        view! {
                            <button data-testid="history-rename-save" on:click=move |_| save_name()>"Save name"</button>
                            <button class="secondary" on:click=move |_| { renaming.set(false); problem.set(None); }>"Cancel"</button>
                        }
                    }
                </Show>
                <button class="secondary" data-testid="history-export" on:click=export>"Export recording (JSON)"</button>
                <Show when=move || confirming.get() fallback=move || view! {
                    <button class="secondary" data-testid="history-delete" on:click=move |_| confirming.set(true)>"Delete"</button>
                }>
                    {
                        let delete = delete.clone();
                        view! {
                            <span class="history-confirm" role="alert">"Delete this run for good?"</span>
                            <button class="danger" data-testid="history-delete-confirm" on:click=delete>"Delete it"</button>
                            <button class="secondary" on:click=move |_| confirming.set(false)>"Keep it"</button>
                        }
                    }
                </Show>
            </div>
            {move || problem.get().map(|p| view! { <p class="field-problem" role="alert" data-testid="history-card-problem">{p}</p> })}
        </li>
    }
}
