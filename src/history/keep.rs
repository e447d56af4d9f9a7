//! Keeping, listing and reading runs. A run is kept when its book is
//! finished (done, stopped or cut short), one block per task: a block's
//! figures and packing take milliseconds, so a 10,000-request run is stored
//! in the background while the page stays responsive. The blocks are
//! written first and the index entry last, so the list never shows a run
//! whose recording is not all there. What comes back is checked by the
//! core before use.

use std::sync::Arc;

use etalon_core::history::{
    block_ranges, new_run_id, pack_block, FigureGatherer, HistoryEntry, Reassembly,
};
use etalon_core::metrics::{recording_metrics, DeadlineConfig};
use etalon_core::observe::run_book::RunBook;
use etalon_core::recording::{Environment, Recording};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::store::{block_key, Store, BLOCKS, ENTRIES};
use crate::browser::{now_unix_ms, random};
use crate::share::secrets_in_use;
use crate::state::AppState;

use etalon_core::limits::MAX_HISTORY_ENTRY_BYTES as MAX_ENTRY_BYTES;

/// How long keeping a run took: in all, and its longest task.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct KeepTimings {
    pub total_ms: f64,
    pub slowest_task_ms: f64,
    pub blocks: usize,
    pub bytes: u64,
}

/// A task's end: the page paints and handles input between blocks.
async fn next_task() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// The deadlines a recording's set-up names, or the defaults.
pub fn own_deadlines(recording: &Recording) -> DeadlineConfig {
    recording
        .config
        .pointer("/setup/deadlines")
        .and_then(|d| serde_json::from_value::<DeadlineConfig>(d.clone()).ok())
        .filter(|d| d.validate().is_ok())
        .unwrap_or_default()
}

/// Give each new run of the runner a history id, and keep it when it ends.
pub fn keep_finished_runs(app: AppState) {
    let seen = StoredValue::new((0u64, false));
    Effect::new(move |_| {
        let Some((run_id, finished, stopped)) = app
            .book
            .with(|b| b.as_ref().map(|b| (b.run_id, b.finished, b.stopped)))
        else {
            return;
        };
        // Run id 0: a shared, imported or kept run, not one measured here.
        if run_id == 0 {
            return;
        }
        let (last_id, last_kept) = seen.get_value();
        if run_id != last_id {
            app.shown_id.set(Some(new_run_id(now_unix_ms(), random())));
            seen.set_value((run_id, false));
        }
        if !finished || (run_id == last_id && last_kept) {
            return;
        }
        seen.set_value((run_id, true));
        let Some(id) = app.shown_id.get_untracked() else {
            return;
        };
        let Some(recording) = app
            .book
            .with_untracked(|b| b.as_ref().map(|b| b.recording.clone()))
        else {
            return;
        };
        let secrets = secrets_in_use(&app);
        wasm_bindgen_futures::spawn_local(async move {
            match keep_run(&id, recording, stopped, &secrets).await {
                Ok(timings) => {
                    app.history_problem.set(None);
                    app.history_changed.update(|n| *n += 1);
                    web_sys::console::log_1(
                        &format!(
                            "kept run {id}: {} blocks, {} bytes, {:.0} ms in all, longest task {:.1} ms",
                            timings.blocks, timings.bytes, timings.total_ms, timings.slowest_task_ms
                        )
                        .into(),
                    );
                }
                Err(problem) => app.history_problem.set(Some(format!(
                    "{problem} This run was not kept in History; its results stay on screen."
                ))),
            }
        });
    });
}

/// Store `recording` as run `id`, a block per task, never writing `secrets`.
pub async fn keep_run(
    id: &str,
    recording: Arc<Recording>,
    stopped: bool,
    secrets: &[String],
) -> Result<KeepTimings, String> {
    let started = now_unix_ms();
    let store = Store::open().await?;
    let ranges = block_ranges(&recording)?;
    let deadlines = own_deadlines(&recording);
    let doing = "keep this run in the browser";
    let mut timings = KeepTimings {
        blocks: ranges.len(),
        ..Default::default()
    };
    let mut figures = FigureGatherer::default();
    for (index, range) in ranges.into_iter().enumerate() {
        next_task().await;
        let task = now_unix_ms();
        let block = Recording {
            version: recording.version,
            started_at_unix_ms: recording.started_at_unix_ms,
            config: recording.config.clone(),
            environment: Environment::default(),
            requests: recording.requests[range.clone()].to_vec(),
        };
        figures.add(&recording_metrics(&block, &deadlines));
        drop(block);
        let packed = pack_block(&recording, index, range, secrets);
        timings.bytes += packed.len() as u64;
        let value = js_sys::Uint8Array::from(&packed[..]);
        timings.slowest_task_ms = timings.slowest_task_ms.max(now_unix_ms() - task);
        let written = store
            .put(BLOCKS, &block_key(id, index), &value.into(), doing)
            .await;
        if let Err(problem) = written {
            // What was written of it is of no use alone.
            let _ = store.delete_run(id).await;
            return Err(problem);
        }
    }
    let task = now_unix_ms();
    let mut entry = HistoryEntry::of(id, &recording, figures.finish(), stopped);
    entry.blocks = timings.blocks as u32;
    entry.bytes = timings.bytes;
    let text = serde_json::to_string(&entry).map_err(|e| e.to_string())?;
    timings.slowest_task_ms = timings.slowest_task_ms.max(now_unix_ms() - task);
    if let Err(problem) = store
        .put(ENTRIES, id, &JsValue::from_str(&text), doing)
        .await
    {
        let _ = store.delete_run(id).await;
        return Err(problem);
    }
    timings.total_ms = now_unix_ms() - started;
    Ok(timings)
}

/// What the History list reads: the entries that can be shown, newest
/// first, and a sentence for each that cannot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    pub entries: Vec<HistoryEntry>,
    pub problems: Vec<String>,
}

/// An index entry as stored: JSON text, bounded and checked.
fn read_entry(value: &JsValue) -> Result<HistoryEntry, String> {
    let unreadable = "A kept run's description cannot be read (it is not what this page writes).";
    let text = value.as_string().ok_or(unreadable)?;
    if text.len() > MAX_ENTRY_BYTES {
        return Err(unreadable.into());
    }
    let entry: HistoryEntry = serde_json::from_str(&text).map_err(|_| unreadable)?;
    entry.check()?;
    Ok(entry)
}

/// Every kept run's entry, newest first.
pub async fn list_runs() -> Result<Listing, String> {
    let store = Store::open().await?;
    let values = store
        .all(ENTRIES, "read the runs kept in this browser")
        .await?;
    let mut listing = Listing::default();
    for value in values.iter() {
        match read_entry(&value) {
            Ok(entry) => listing.entries.push(entry),
            Err(problem) => listing.problems.push(problem),
        }
    }
    listing
        .entries
        .sort_by(|a, b| b.started_at_unix_ms.total_cmp(&a.started_at_unix_ms));
    Ok(listing)
}

/// Kept run `id`: its entry and its recording, put back together a block
/// per task and checked.
pub async fn load_run(id: &str) -> Result<(HistoryEntry, Recording), String> {
    let store = Store::open().await?;
    let doing = "read this kept run";
    let value = store.get(ENTRIES, id, doing).await?;
    if value.is_undefined() || value.is_null() {
        return Err(
            "No run kept in this browser has this address: it was deleted, or it \
                    was kept in another browser or profile."
                .into(),
        );
    }
    let entry = read_entry(&value)?;
    let mut reassembly = Reassembly::new(entry.blocks as usize);
    for index in 0..entry.blocks as usize {
        let value = store.get(BLOCKS, &block_key(id, index), doing).await?;
        let bytes = value
            .dyn_into_bytes()
            .ok_or("Part of this kept run is missing, so it cannot be opened.")?;
        reassembly.add(&bytes)?;
        next_task().await;
    }
    Ok((entry, reassembly.finish()?))
}

trait IntoBytes {
    fn dyn_into_bytes(self) -> Option<Vec<u8>>;
}

impl IntoBytes for JsValue {
    fn dyn_into_bytes(self) -> Option<Vec<u8>> {
        use wasm_bindgen::JsCast;
        self.dyn_into::<js_sys::Uint8Array>()
            .ok()
            .map(|a| a.to_vec())
    }
}

/// Give kept run `id` a new name (already checked by the core).
pub async fn rename_run(id: &str, name: String) -> Result<HistoryEntry, String> {
    let store = Store::open().await?;
    let doing = "rename this run";
    let value = store.get(ENTRIES, id, doing).await?;
    let mut entry = read_entry(&value)?;
    entry.name = name;
    let text = serde_json::to_string(&entry).map_err(|e| e.to_string())?;
    store
        .put(ENTRIES, id, &JsValue::from_str(&text), doing)
        .await?;
    Ok(entry)
}

/// Forget kept run `id`.
pub async fn delete_run(id: &str) -> Result<(), String> {
    Store::open().await?.delete_run(id).await
}

/// Show kept run `id` on the results screen, as the run in the book.
pub fn show_kept_run(app: &AppState, id: &str, entry: &HistoryEntry, recording: Recording) {
    app.deadlines.set(own_deadlines(&recording));
    let mut book = RunBook::new(
        0,
        recording.config.clone(),
        recording.environment.clone(),
        [],
    );
    book.recording = Arc::new(recording);
    book.finished = true;
    book.stopped = entry.stopped;
    app.summary.set(None);
    app.book.set(Some(book));
    app.shown_id.set(Some(id.to_string()));
}

thread_local! {
    static MADE: std::cell::RefCell<Option<Arc<Recording>>> = const { std::cell::RefCell::new(None) };
}

/// For the history benchmark, under automation only:
/// `etalonMakeSynthetic(requests, tokens)` makes a synthetic run in the
/// page (a long task of its own, before the measurement), and
/// `etalonKeepMade()` keeps it as a finished run is kept, resolving with
/// the timings as JSON (`total_ms`, `slowest_task_ms`, `blocks`, `bytes`).
pub fn install_bench_hooks() {
    use wasm_bindgen::closure::Closure;
    if !crate::browser::under_automation() {
        return;
    }
    let make = Closure::<dyn Fn(u32, u32)>::new(|requests: u32, tokens: u32| {
        let recording = etalon_core::recording::synthetic::SyntheticRun {
            seed: 9,
            requests: requests.min(etalon_core::limits::MAX_REQUESTS as u32) as usize,
            tokens_per_request: tokens.min(etalon_core::limits::MAX_OUTPUT_TOKENS),
            stall_probability: 0.01,
        }
        .recording();
        let mut recording = recording;
        recording.started_at_unix_ms = now_unix_ms();
        MADE.with(|m| *m.borrow_mut() = Some(Arc::new(recording)));
    });
    let keep = Closure::<dyn Fn() -> js_sys::Promise>::new(|| {
        let made = MADE.with(|m| m.borrow_mut().take());
        wasm_bindgen_futures::future_to_promise(async move {
            let recording = made.ok_or_else(|| JsValue::from_str("nothing made"))?;
            let id = new_run_id(now_unix_ms(), random());
            let timings = keep_run(&id, recording, false, &[])
                .await
                .map_err(|e| JsValue::from_str(&e))?;
            Ok(JsValue::from_str(&format!(
                "{{\"id\":\"{id}\",\"total_ms\":{},\"slowest_task_ms\":{},\"blocks\":{},\"bytes\":{}}}",
                timings.total_ms, timings.slowest_task_ms, timings.blocks, timings.bytes
            )))
        })
    });
    let global = js_sys::global();
    let _ = js_sys::Reflect::set(&global, &"etalonMakeSynthetic".into(), make.as_ref());
    let _ = js_sys::Reflect::set(&global, &"etalonKeepMade".into(), keep.as_ref());
    make.forget();
    keep.forget();
}
