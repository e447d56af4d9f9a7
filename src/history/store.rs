//! The browser's IndexedDB, through web-sys directly: one database with
//! two object stores, `entries` (a run's index entry as JSON, keyed by
//! its id: the History list reads only these) and `blocks` (a recording's
//! packed blocks, keyed `<id>/<index>`). A request or a transaction
//! becomes a future; every failure becomes a sentence for the page
//! (quota full, storage turned off, an older tab holding the database).

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    DomException, IdbDatabase, IdbKeyRange, IdbObjectStore, IdbOpenDbRequest, IdbRequest,
    IdbTransaction, IdbTransactionMode,
};

const DATABASE: &str = "etalon-web";
const DATABASE_VERSION: u32 = 1;
pub const ENTRIES: &str = "entries";
pub const BLOCKS: &str = "blocks";

/// The key of block `index` of run `id`; zero-padded so that a run's blocks
/// sort in order.
pub fn block_key(id: &str, index: usize) -> String {
    format!("{id}/{index:05}")
}

/// A storage failure in words the user can act on.
pub(super) fn sentence(error: JsValue, doing: &str) -> String {
    let name = error
        .dyn_ref::<DomException>()
        .map(|e| e.name())
        .unwrap_or_default();
    match name.as_str() {
        "QuotaExceededError" => format!(
            "The browser has no room left to {doing} (its storage for this site is full): \
             delete old runs in History, or export this run as a file."
        ),
        "InvalidStateError" | "SecurityError" | "UnknownError" => format!(
            "This browser does not let the page {doing} (private browsing, or site storage \
             turned off); export the run as a file to keep it."
        ),
        "VersionError" => format!(
            "A newer etalon-web in another tab changed this browser's history, so this page \
             cannot {doing}: reload it."
        ),
        _ => format!("The browser could not {doing} ({}).", error_text(&error)),
    }
}

fn error_text(error: &JsValue) -> String {
    error
        .dyn_ref::<DomException>()
        .map(|e| e.message())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "no reason given".into())
}

/// The result of `request`, once it succeeds or fails.
async fn done(request: &IdbRequest, doing: &str) -> Result<JsValue, String> {
    let (sender, receiver) = oneshot::channel::<Result<JsValue, JsValue>>();
    let sender = Rc::new(RefCell::new(Some(sender)));
    let (ok, fail) = (sender.clone(), sender);
    let target = request.clone();
    let on_success = Closure::once(move |_: web_sys::Event| {
        if let Some(s) = ok.borrow_mut().take() {
            let _ = s.send(target.result());
        }
    });
    let target = request.clone();
    let on_error = Closure::once(move |event: web_sys::Event| {
        event.prevent_default();
        let error = target
            .error()
            .ok()
            .flatten()
            .map(JsValue::from)
            .unwrap_or(JsValue::NULL);
        if let Some(s) = fail.borrow_mut().take() {
            let _ = s.send(Err(error));
        }
    });
    request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let outcome = receiver.await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(sentence(error, doing)),
        Err(_) => Err(format!("The browser could not {doing}.")),
    }
}

/// Where a transaction's outcome is sent, once.
type Outcome = Rc<RefCell<Option<oneshot::Sender<Result<(), JsValue>>>>>;

/// Waits until `transaction` has committed (a write is on disk then).
async fn committed(transaction: &IdbTransaction, doing: &str) -> Result<(), String> {
    let (sender, receiver) = oneshot::channel::<Result<(), JsValue>>();
    let sender = Rc::new(RefCell::new(Some(sender)));
    let (ok, fail, abort) = (sender.clone(), sender.clone(), sender);
    let on_complete = Closure::once(move |_: web_sys::Event| {
        if let Some(s) = ok.borrow_mut().take() {
            let _ = s.send(Ok(()));
        }
    });
    let target = transaction.clone();
    let failed = move |slot: &Outcome| {
        let error = target.error().map(JsValue::from).unwrap_or(JsValue::NULL);
        if let Some(s) = slot.borrow_mut().take() {
            let _ = s.send(Err(error));
        }
    };
    let failed_too = failed.clone();
    let on_error = Closure::once(move |_: web_sys::Event| failed(&fail));
    let on_abort = Closure::once(move |_: web_sys::Event| failed_too(&abort));
    transaction.set_oncomplete(Some(on_complete.as_ref().unchecked_ref()));
    transaction.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    transaction.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
    let outcome = receiver.await;
    transaction.set_oncomplete(None);
    transaction.set_onerror(None);
    transaction.set_onabort(None);
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(sentence(error, doing)),
        Err(_) => Err(format!("The browser could not {doing}.")),
    }
}

/// The history database, opened (and made, the first time).
#[derive(Clone)]
pub struct Store {
    db: IdbDatabase,
}

impl Store {
    pub async fn open() -> Result<Store, String> {
        let doing = "keep runs in this browser";
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or_else(|| sentence(JsValue::NULL, doing))
            .map_err(|_| {
                "This browser does not let the page keep runs (private browsing, or site \
                 storage turned off); export a run as a file to keep it."
                    .to_string()
            })?;
        let request: IdbOpenDbRequest = factory
            .open_with_u32(DATABASE, DATABASE_VERSION)
            .map_err(|e| sentence(e, doing))?;
        let on_upgrade = Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(
            move |event: web_sys::IdbVersionChangeEvent| {
                let Some(request) = event
                    .target()
                    .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
                else {
                    return;
                };
                let Ok(db) = request.result().and_then(|r| r.dyn_into::<IdbDatabase>()) else {
                    return;
                };
                let names = db.object_store_names();
                for store in [ENTRIES, BLOCKS] {
                    if !names.contains(store) {
                        let _ = db.create_object_store(store);
                    }
                }
            },
        );
        request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        let blocked = Rc::new(RefCell::new(false));
        let noted = blocked.clone();
        let on_blocked = Closure::<dyn FnMut()>::new(move || *noted.borrow_mut() = true);
        request.set_onblocked(Some(on_blocked.as_ref().unchecked_ref()));
        let opened = done(&request, doing).await;
        request.set_onupgradeneeded(None);
        request.set_onblocked(None);
        let db: IdbDatabase = match opened {
            Ok(db) => db.unchecked_into(),
            Err(_) if *blocked.borrow() => {
                return Err(
                    "Another tab of etalon-web holds this browser's history open: \
                            close it and reload this page to keep runs."
                        .into(),
                )
            }
            Err(e) => return Err(e),
        };
        // A newer page in another tab wants to upgrade: let it.
        let closing = db.clone();
        let on_version = Closure::<dyn FnMut()>::new(move || closing.close());
        db.set_onversionchange(Some(on_version.as_ref().unchecked_ref()));
        on_version.forget();
        Ok(Store { db })
    }

    fn transaction(
        &self,
        stores: &[&str],
        mode: IdbTransactionMode,
        doing: &str,
    ) -> Result<IdbTransaction, String> {
        let names = js_sys::Array::new();
        for store in stores {
            names.push(&JsValue::from_str(store));
        }
        self.db
            .transaction_with_str_sequence_and_mode(&names, mode)
            .map_err(|e| sentence(e, doing))
    }

    fn store(
        transaction: &IdbTransaction,
        name: &str,
        doing: &str,
    ) -> Result<IdbObjectStore, String> {
        transaction
            .object_store(name)
            .map_err(|e| sentence(e, doing))
    }

    /// Write `value` under `key` in `store`, and wait until it is committed.
    pub async fn put(
        &self,
        store: &str,
        key: &str,
        value: &JsValue,
        doing: &str,
    ) -> Result<(), String> {
        let transaction = self.transaction(&[store], IdbTransactionMode::Readwrite, doing)?;
        Self::store(&transaction, store, doing)?
            .put_with_key(value, &JsValue::from_str(key))
            .map_err(|e| sentence(e, doing))?;
        committed(&transaction, doing).await
    }

    /// The value under `key` in `store` (`undefined` when there is none).
    pub async fn get(&self, store: &str, key: &str, doing: &str) -> Result<JsValue, String> {
        let transaction = self.transaction(&[store], IdbTransactionMode::Readonly, doing)?;
        let request = Self::store(&transaction, store, doing)?
            .get(&JsValue::from_str(key))
            .map_err(|e| sentence(e, doing))?;
        done(&request, doing).await
    }

    /// Every value of `store`.
    pub async fn all(&self, store: &str, doing: &str) -> Result<js_sys::Array, String> {
        let transaction = self.transaction(&[store], IdbTransactionMode::Readonly, doing)?;
        let request = Self::store(&transaction, store, doing)?
            .get_all()
            .map_err(|e| sentence(e, doing))?;
        Ok(done(&request, doing).await?.unchecked_into())
    }

    /// Delete run `id`: its entry and every block, in one transaction.
    pub async fn delete_run(&self, id: &str) -> Result<(), String> {
        let doing = "delete this run";
        let transaction =
            self.transaction(&[ENTRIES, BLOCKS], IdbTransactionMode::Readwrite, doing)?;
        Self::store(&transaction, ENTRIES, doing)?
            .delete(&JsValue::from_str(id))
            .map_err(|e| sentence(e, doing))?;
        // Every key `<id>/...`: `/` is followed by `0` in key order.
        let range = IdbKeyRange::bound(
            &JsValue::from_str(&format!("{id}/")),
            &JsValue::from_str(&format!("{id}0")),
        )
        .map_err(|e| sentence(e, doing))?;
        Self::store(&transaction, BLOCKS, doing)?
            .delete(&range)
            .map_err(|e| sentence(e, doing))?;
        committed(&transaction, doing).await
    }
}
