//! The only module that talks to IndexedDB (through the `idb` crate). Each account has its
//! own database, `xinbao-u<user id>`, so people sharing a PC never see each other's drafts.
//!
//! Schema history — every version lists every store (a store not listed would be deleted), and
//! every bump gets a browser test that upgrades from the previous version with data in it.
//! - v1: `meta` (key `key`), `drafts` (key `id`, index `updated_at`).
//! - v2: + `photos` (key `id`, index `draft_id`): photo Blobs apart from the draft record.
//! - v3: + `outbox` (key `mid`, index `item_id`): mutations waiting for the server's answer;
//!   + `receipts` (auto key, index `at`): what the server acknowledged and when. Drafts gain a
//!     `sync` field (absent in older records: read as "never on the server").
//!
//! When a newer version of the app upgrades the schema in another tab, this tab gets
//! `versionchange`: it lets writes under way finish, closes its connection (so the upgrade is
//! not blocked) and asks the person to reload ([`on_schema_change`]).

use crate::tabs::{DraftSaved, TabChannel, tab_id};
use crate::util::now_ms;
use idb::builder::{DatabaseBuilder, IndexBuilder, ObjectStoreBuilder};
use idb::{Database, KeyPath, TransactionMode};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use xinbao_core::item::DraftContent;
use xinbao_core::sync::LocalSync;

pub const SCHEMA_VERSION: u32 = 3;
pub(crate) const DRAFTS: &str = "drafts";
pub(crate) const META: &str = "meta";
pub const PHOTOS: &str = "photos";
pub(crate) const OUTBOX: &str = "outbox";
pub(crate) const RECEIPTS: &str = "receipts";
/// Grace period between `versionchange` and closing: long enough for a last save.
const CLOSE_GRACE_MS: u32 = 1500;

/// A draft as kept in the browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalDraft {
    pub id: String,
    pub owner: i64,
    #[serde(flatten)]
    pub content: DraftContent,
    pub created_at: f64,
    pub updated_at: f64,
    /// Bumped on every local save; lets two tabs notice each other's writes.
    pub local_rev: u32,
    /// In the trash since (ms): restorable for [`TRASH_DAYS`] days, then purged.
    #[serde(default)]
    pub deleted_at: Option<f64>,
    /// Where the draft stands with the server; only the sync engine changes it (and the
    /// submit request), so an editor's save never overwrites it (see [`save_draft_checked`]).
    #[serde(default)]
    pub sync: LocalSync,
}

/// How long a deleted draft can be restored.
pub const TRASH_DAYS: f64 = 30.0;
const DAY_MS: f64 = 24.0 * 3600.0 * 1000.0;

impl LocalDraft {
    pub fn new(id: String, owner: i64) -> LocalDraft {
        let now = now_ms();
        LocalDraft {
            id,
            owner,
            content: DraftContent::default(),
            created_at: now,
            updated_at: now,
            local_rev: 0,
            deleted_at: None,
            sync: LocalSync::default(),
        }
    }
}

/// Why storage failed. The UI turns each into a Chinese message; nothing is half-written,
/// because every write is one transaction that either commits or aborts.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreError {
    /// The browser's storage for this site is full (`QuotaExceededError` aborts the write).
    Quota,
    /// IndexedDB is missing or refused to open (private mode, blocked, corrupted).
    Unavailable(String),
    /// A write did not commit (quota exceeded arrives as an abort).
    NotCommitted(String),
    /// A stored record could not be read back.
    Corrupt(String),
    /// A newer version of the app changed the schema: this page must reload.
    Stale,
    /// The record is sealed and this tab holds no key: the password must be given first.
    Locked,
}

impl From<idb::Error> for StoreError {
    fn from(e: idb::Error) -> StoreError {
        StoreError::NotCommitted(format!("{e:?}"))
    }
}

thread_local! {
    static OPEN: RefCell<Option<(String, Rc<Database>)>> = const { RefCell::new(None) };
    /// The drafts as last read or written by this tab: reopening the desk costs no reading.
    static CACHE: RefCell<Option<(i64, Vec<LocalDraft>)>> = const { RefCell::new(None) };
    static CACHE_LISTENER: RefCell<Option<(i64, TabChannel)>> = const { RefCell::new(None) };
    /// Writes of this tab under way: reads wait for them, as IndexedDB itself would order them.
    static PENDING: Cell<usize> = const { Cell::new(0) };
    static STALE: Cell<bool> = const { Cell::new(false) };
    /// The newest drafts read ahead while the app starts ([`read_ahead`]).
    static AHEAD: RefCell<Ahead> = const { RefCell::new(Ahead::Nothing) };
    /// Bumped by every write this tab starts and every cache drop: a read ahead taken before a
    /// change is not used after it.
    static CHANGES: Cell<u64> = const { Cell::new(0) };
    static ON_SCHEMA_CHANGE: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Registers what to do when another tab upgrades the schema (show "please reload").
pub fn on_schema_change(f: impl Fn() + 'static) {
    ON_SCHEMA_CHANGE.with(|h| *h.borrow_mut() = Some(Box::new(f)));
}

fn schema_changed() {
    STALE.with(|s| s.set(true));
    ON_SCHEMA_CHANGE.with(|h| {
        if let Some(f) = h.borrow().as_ref() {
            f();
        }
    });
    gloo_timers::callback::Timeout::new(CLOSE_GRACE_MS, close).forget();
}

pub fn db_name(user_id: i64) -> String {
    format!("xinbao-u{user_id}")
}

/// The schema of version [`SCHEMA_VERSION`].
pub fn schema(name: &str) -> DatabaseBuilder {
    DatabaseBuilder::new(name)
        .version(SCHEMA_VERSION)
        .add_object_store(ObjectStoreBuilder::new(META).key_path(Some(KeyPath::new_single("key"))))
        .add_object_store(
            ObjectStoreBuilder::new(DRAFTS)
                .key_path(Some(KeyPath::new_single("id")))
                .add_index(IndexBuilder::new("updated_at".into(), KeyPath::new_single("updated_at"))),
        )
        .add_object_store(
            ObjectStoreBuilder::new(PHOTOS)
                .key_path(Some(KeyPath::new_single("id")))
                .add_index(IndexBuilder::new("draft_id".into(), KeyPath::new_single("draft_id"))),
        )
        .add_object_store(
            ObjectStoreBuilder::new(OUTBOX)
                .key_path(Some(KeyPath::new_single("mid")))
                .add_index(IndexBuilder::new("item_id".into(), KeyPath::new_single("item_id"))),
        )
        .add_object_store(
            ObjectStoreBuilder::new(RECEIPTS).auto_increment(true).add_index(IndexBuilder::new("at".into(), KeyPath::new_single("at"))),
        )
}

/// Opens (creating or upgrading) the database `name` at the current schema.
pub async fn open_named(name: &str) -> Result<Database, StoreError> {
    let mut db = match schema(name).build().await {
        Ok(db) => db,
        // A newer version of the app (in another tab) upgraded the database past this one's
        // schema: open it as it is, as long as every store this version uses is there — a tab
        // reloaded onto the older version still opens its drafts.
        Err(e) => newer(name).await.ok_or_else(|| StoreError::Unavailable(format!("{e:?}")))?,
    };
    db.on_version_change(|_| schema_changed());
    Ok(db)
}

/// The database `name` at whatever newer version it has, if it still holds this version's stores.
async fn newer(name: &str) -> Option<Database> {
    let db = idb::Factory::new().ok()?.open(name, None).ok()?.await.ok()?;
    let stores = db.store_names();
    if db.version().ok()? > SCHEMA_VERSION && [META, DRAFTS, OUTBOX, RECEIPTS, PHOTOS].iter().all(|s| stores.iter().any(|x| x == s)) {
        Some(db)
    } else {
        db.close();
        None
    }
}

/// The open database of `user_id`, opened once per page.
pub(crate) async fn db(user_id: i64) -> Result<Rc<Database>, StoreError> {
    if STALE.with(Cell::get) && OPEN.with(|o| o.borrow().is_none()) {
        return Err(StoreError::Stale);
    }
    let name = db_name(user_id);
    if let Some(db) = OPEN.with(|o| o.borrow().as_ref().filter(|(n, _)| *n == name).map(|(_, db)| db.clone())) {
        return Ok(db);
    }
    let db = open_named(&name).await?;
    // Several callers may have been opening at once (the sync engine, the desk, the editor):
    // keep one connection. A second one left open would block every later schema upgrade.
    if let Some(first) = OPEN.with(|o| o.borrow().as_ref().filter(|(n, _)| *n == name).map(|(_, db)| db.clone())) {
        db.close();
        return Ok(first);
    }
    let db = Rc::new(db);
    OPEN.with(|o| *o.borrow_mut() = Some((name, db.clone())));
    Ok(db)
}

/// Runs a read-write transaction over `stores`: resolves once it committed. An abort carrying
/// `QuotaExceededError` becomes [`StoreError::Quota`].
pub(crate) async fn commit(tx: idb::Transaction) -> Result<(), StoreError> {
    let raw: web_sys::IdbTransaction = tx.into();
    let result = idb::Transaction::from(raw.clone()).await?;
    if result.is_committed() {
        return Ok(());
    }
    match raw.error() {
        Some(e) if e.name() == "QuotaExceededError" => Err(StoreError::Quota),
        Some(e) => Err(StoreError::NotCommitted(e.name())),
        None => Err(StoreError::NotCommitted("aborted".into())),
    }
}

/// Drops the cached list (another tab wrote): the next read goes to IndexedDB.
pub fn forget_cache() {
    CACHE.with(|c| *c.borrow_mut() = None);
    CHANGES.with(|c| c.set(c.get() + 1));
}

/// Closes and forgets the cached handle (after logout, on a schema change, or when the
/// connection was lost; the next use reopens it).
pub fn close() {
    CACHE.with(|c| *c.borrow_mut() = None);
    CHANGES.with(|c| c.set(c.get() + 1));
    if let Some((_, db)) = OPEN.with(|o| o.borrow_mut().take()) {
        db.close();
    }
}

/// The fields a sealed record keeps readable: key paths and index keys, nothing written by a
/// person.
const CLEAR_FIELDS: &[&str] = &["key", "id", "owner", "updated_at", "mid", "item_id", "draft_id", "at"];

/// A record as IndexedDB keeps it: a plain JS object (key paths and indexes see its fields),
/// made through JSON. Going through `serde_json` — which the API needs anyway — rather than a
/// second serde format keeps one set of (de)serializers in the Wasm: it is smaller, and reading
/// thousands of drafts this way is faster than field-by-field conversion.
///
/// With local encryption on ([`crate::vault`]) the record is its [`CLEAR_FIELDS`] and `sealed`:
/// the whole JSON, AES-GCM sealed, as bytes.
pub(crate) fn to_js<T: Serialize>(v: &T) -> Result<JsValue, StoreError> {
    let json = serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let Some(sealed) = crate::vault::seal(json.as_bytes()) else {
        return js_sys::JSON::parse(&json).map_err(|_| StoreError::Corrupt("JSON.parse".into()));
    };
    let full: serde_json::Value = serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let clear: serde_json::Map<String, serde_json::Value> =
        CLEAR_FIELDS.iter().filter_map(|f| full.get(*f).map(|v| ((*f).to_owned(), v.clone()))).collect();
    let text = serde_json::to_string(&clear).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let out = js_sys::JSON::parse(&text).map_err(|_| StoreError::Corrupt("JSON.parse".into()))?;
    js_sys::Reflect::set(&out, &JsValue::from_str("sealed"), &js_sys::Uint8Array::from(&sealed[..]))
        .map_err(|_| StoreError::Corrupt("sealed".into()))?;
    Ok(out)
}

/// The sealed bytes of a stored record, if it is sealed.
pub(crate) fn sealed_part(v: &JsValue) -> Option<Vec<u8>> {
    let s = js_sys::Reflect::get(v, &JsValue::from_str("sealed")).ok()?;
    s.dyn_ref::<js_sys::Uint8Array>().map(js_sys::Uint8Array::to_vec)
}

/// The plain bytes of a sealed value, or why they cannot be had.
pub(crate) fn open_sealed(bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    crate::vault::open(bytes).map_err(|e| match e {
        crate::vault::OpenError::Locked => StoreError::Locked,
        crate::vault::OpenError::Damaged => StoreError::Corrupt("sealed under another key".into()),
    })
}

/// A stored record back in Rust (see [`to_js`]); sealed or not.
pub(crate) fn from_js<T: serde::de::DeserializeOwned>(v: JsValue) -> Result<T, StoreError> {
    if let Some(bytes) = sealed_part(&v) {
        let plain = open_sealed(&bytes)?;
        return serde_json::from_slice(&plain).map_err(|e| StoreError::Corrupt(e.to_string()));
    }
    let json: String = js_sys::JSON::stringify(&v).map(String::from).map_err(|_| StoreError::Corrupt("JSON.stringify".into()))?;
    serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Rewrites every record of `user`'s drafts, outbox, meta and receipts that is not in the form
/// the setting asks for (sealed when local encryption is on, plain when it is off): after the
/// setting changed, or data written before it existed. Records this tab cannot open are left as
/// they are. Photos are resealed by `photos::reseal_all`; the session calls both.
pub async fn reseal_all(user: i64) -> Result<usize, StoreError> {
    let want_sealed = crate::vault::sealing();
    let db = db(user).await?;
    let mut changed = 0;
    for name in [DRAFTS, OUTBOX, META, RECEIPTS] {
        // A read-only look first: on most logins nothing needs rewriting, and no write lock is
        // taken while the officer starts typing.
        let tx = db.transaction(&[name], TransactionMode::ReadOnly)?;
        let store = tx.object_store(name)?;
        let keys = store.get_all_keys(None, None)?.await?;
        let values = store.get_all(None, None)?.await?;
        // The kept keys ([`keep_keys`]) stay as they are: wrapped already, and read before any
        // key is held.
        let candidates: Vec<JsValue> = keys
            .into_iter()
            .zip(values)
            .filter(|(k, v)| sealed_part(v).is_some() != want_sealed && k.as_string().as_deref() != Some(KEYS_KEY))
            .map(|(k, _)| k)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        // Each record is read again inside the writing transaction: a save made since the look
        // above is never overwritten by the older copy.
        let tx = db.transaction(&[name], TransactionMode::ReadWrite)?;
        let store = tx.object_store(name)?;
        for key in &candidates {
            let Some(value) = store.get(key.clone())?.await? else { continue };
            if sealed_part(&value).is_some() == want_sealed {
                continue;
            }
            let Ok(record) = from_js::<serde_json::Value>(value) else { continue };
            store.put(&to_js(&record)?, (name == RECEIPTS).then_some(key))?.await?;
            changed += 1;
        }
        commit(tx).await?;
    }
    if changed > 0 {
        forget_cache();
    }
    Ok(changed)
}

/// What happened to this device's storage behind the app's back, found on the way; said once,
/// plainly, under the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageEvent {
    /// The browser's localStorage was cleared (the database kept): the keys kept in the database
    /// opened the drafts again.
    LoginRecordCleared,
    /// The account's database was cleared (localStorage kept): a fresh client id; what the server
    /// holds comes back; `unsent` items counted at the last sync could not be kept.
    DatabaseCleared { unsent: usize },
}

thread_local! {
    static STORAGE_EVENT: std::cell::RefCell<Option<StorageEvent>> = const { std::cell::RefCell::new(None) };
}

pub fn note_storage_event(e: StorageEvent) {
    STORAGE_EVENT.with(|s| *s.borrow_mut() = Some(e));
}

pub fn take_storage_event() -> Option<StorageEvent> {
    STORAGE_EVENT.with(|s| s.borrow_mut().take())
}

/// localStorage key of the client id `user`'s database last had: a database found without its
/// meta while this remembers one was cleared.
fn client_key(user: i64) -> String {
    format!("xinbao.client.{user}")
}

/// Remembers the client id of `user`'s database beside it (see [`client_key`]); `made`: the
/// meta record was just made — when another id was remembered, the database had been cleared.
pub fn remember_client(user: i64, client_id: &str, made: bool) {
    use gloo_storage::{LocalStorage, Storage};
    if made && LocalStorage::get::<String>(client_key(user)).is_ok_and(|old| old != client_id) {
        let unsent = LocalStorage::get::<usize>(unsent_key(user)).unwrap_or(0);
        note_storage_event(StorageEvent::DatabaseCleared { unsent });
    }
    let _ = LocalStorage::set(client_key(user), client_id);
}

/// Forgets the remembered client id (the person chose to clear this device's copy).
pub fn forget_client(user: i64) {
    use gloo_storage::{LocalStorage, Storage};
    LocalStorage::delete(client_key(user));
}

/// sessionStorage key of what a tab typed after another tab upgraded the database.
const STASH_KEY: &str = "xinbao.stash";

/// Keeps `content` of draft `id` in this tab's sessionStorage (sealed when records are): the
/// database was upgraded by another tab, this tab's connection is gone, and the reload that
/// follows must not lose what was typed meanwhile.
pub fn stash_draft(id: &str, content: &DraftContent) {
    use gloo_storage::{SessionStorage, Storage};
    let Ok(json) = serde_json::to_vec(content) else { return };
    let mut all: std::collections::HashMap<String, String> = SessionStorage::get(STASH_KEY).unwrap_or_default();
    all.insert(id.to_owned(), crate::vault::to_text(&json));
    let _ = SessionStorage::set(STASH_KEY, &all);
}

/// Takes what [`stash_draft`] kept for draft `id`, if anything (and this tab can open it).
pub fn take_stashed(id: &str) -> Option<DraftContent> {
    use gloo_storage::{SessionStorage, Storage};
    let mut all: std::collections::HashMap<String, String> = SessionStorage::get(STASH_KEY).ok()?;
    let value = all.remove(id)?;
    let _ = SessionStorage::set(STASH_KEY, &all);
    serde_json::from_slice(&crate::vault::from_text(&value)?).ok()
}

/// How many records `user`'s database holds in each of the stores a forgotten password would
/// lose — (frozen mutations waiting to be sent, photos) — countable without the key.
pub async fn sealed_counts(user: i64) -> Result<(u32, u32), StoreError> {
    let db = db(user).await?;
    let tx = db.transaction(&[OUTBOX, PHOTOS], TransactionMode::ReadOnly)?;
    let outbox = tx.object_store(OUTBOX)?.count(None)?.await?;
    let photos = tx.object_store(PHOTOS)?.count(None)?.await?;
    Ok((outbox, photos))
}

/// The `meta` record that keeps the account's wrapped data keys beside the data they open.
const KEYS_KEY: &str = "keys";

/// The account's data key as wrapped under the password and under the device secret
/// ([`crate::session`]), kept in the account's own database too: with the browser's
/// localStorage cleared (and the database kept), the next login still opens the sealed drafts.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct KeptKeys {
    pub key: String,
    pub wrapped: Option<xinbao_core::unlock::WrappedKey>,
    pub escrowed: Option<xinbao_core::unlock::WrappedKey>,
}

/// Keeps the wrapped keys in `user`'s database, in the clear (they are sealed already).
pub async fn keep_keys(user: i64, keys: &KeptKeys) -> Result<(), StoreError> {
    let json = serde_json::to_string(&KeptKeys { key: KEYS_KEY.into(), ..keys.clone() }).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let value = js_sys::JSON::parse(&json).map_err(|_| StoreError::Corrupt("JSON.parse".into()))?;
    let db = db(user).await?;
    let tx = db.transaction(&[META], TransactionMode::ReadWrite)?;
    tx.object_store(META)?.put(&value, None)?.await?;
    commit(tx).await
}

/// The wrapped keys kept in `user`'s database, if any.
pub async fn kept_keys(user: i64) -> Result<Option<KeptKeys>, StoreError> {
    let db = db(user).await?;
    let tx = db.transaction(&[META], TransactionMode::ReadOnly)?;
    let found = tx.object_store(META)?.get(JsValue::from_str(KEYS_KEY))?.await?;
    Ok(found.and_then(|v| from_js::<KeptKeys>(v).ok()))
}

/// Deletes `user`'s whole local database (a forgotten password: what it held cannot be opened
/// again; what the server has comes back with the next sync).
pub async fn delete_all(user: i64) -> Result<(), StoreError> {
    close();
    let factory = idb::Factory::new().map_err(|e| StoreError::Unavailable(format!("{e:?}")))?;
    let request = factory.delete(&db_name(user)).map_err(|e| StoreError::Unavailable(format!("{e:?}")))?;
    request.await.map(|_| ()).map_err(|e| StoreError::Unavailable(format!("{e:?}")))
}

/// Writes `draft` durably: resolves only once the transaction has committed.
pub async fn save_draft(draft: &LocalDraft) -> Result<(), StoreError> {
    let _writing = Writing::start();
    let result = put_draft(draft).await;
    classify(result).await
}

async fn put_draft(draft: &LocalDraft) -> Result<(), StoreError> {
    let db = db(draft.owner).await?;
    let value = to_js(draft)?;
    let tx = db.transaction(&[DRAFTS], TransactionMode::ReadWrite)?;
    tx.object_store(DRAFTS)?.put(&value, None)?.await?;
    commit(tx).await?;
    wrote(draft);
    Ok(())
}

/// What a checked save did.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveOutcome {
    /// Written; this is the record as stored (its `local_rev` is the new base).
    Saved(LocalDraft),
    /// Another tab saved this draft since `base_rev`: nothing was written; here is its version.
    Conflict(LocalDraft),
}

/// Saves `draft` only if the stored copy is still at `base_rev` (compare and set, in one
/// read-write transaction), so one tab never silently overwrites another tab's text.
pub async fn save_draft_checked(draft: &LocalDraft, base_rev: u32) -> Result<SaveOutcome, StoreError> {
    let _writing = Writing::start();
    let result = checked_put(draft, base_rev).await;
    classify(result).await
}

async fn checked_put(draft: &LocalDraft, base_rev: u32) -> Result<SaveOutcome, StoreError> {
    let db = db(draft.owner).await?;
    let tx = db.transaction(&[DRAFTS], TransactionMode::ReadWrite)?;
    let store = tx.object_store(DRAFTS)?;
    let stored = store.get(JsValue::from_str(&draft.id))?.await?;
    let mut stored_sync = draft.sync.clone();
    if let Some(v) = stored {
        let stored: LocalDraft = from_js(v)?;
        if stored.local_rev != base_rev {
            let _ = commit(tx).await;
            return Ok(SaveOutcome::Conflict(stored));
        }
        stored_sync = stored.sync;
    }
    let mut next = draft.clone();
    next.local_rev = base_rev + 1;
    // The sync state is the sync engine's: keep what is stored, whatever the editor holds.
    next.sync = stored_sync;
    store.put(&to_js(&next)?, None)?.await?;
    commit(tx).await?;
    wrote(&next);
    Ok(SaveOutcome::Saved(next))
}

/// Turns a failed write into `Quota` when the site's storage is (nearly) full: IndexedDB
/// reports quota exhaustion only as an aborted transaction. A lost connection is forgotten so
/// the next write reopens it.
pub(crate) async fn classify<T>(result: Result<T, StoreError>) -> Result<T, StoreError> {
    match result {
        Err(StoreError::NotCommitted(why)) => {
            if !STALE.with(Cell::get) {
                close();
            }
            if why.contains("Quota") || storage_nearly_full().await { Err(StoreError::Quota) } else { Err(StoreError::NotCommitted(why)) }
        }
        other => other,
    }
}

/// (used, quota) in bytes for this site, when the browser tells.
pub async fn storage_estimate() -> Option<(f64, f64)> {
    let storage = web_sys::window()?.navigator().storage();
    let promise = storage.estimate().ok()?;
    let est: web_sys::StorageEstimate = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?.into();
    Some((est.get_usage()?, est.get_quota()?))
}

async fn storage_nearly_full() -> bool {
    storage_estimate().await.is_some_and(|(used, quota)| quota <= 0.0 || used / quota > 0.95)
}

pub async fn load_draft(user_id: i64, id: &str) -> Result<Option<LocalDraft>, StoreError> {
    let db = db(user_id).await?;
    let tx = db.transaction(&[DRAFTS], TransactionMode::ReadOnly)?;
    let value = tx.object_store(DRAFTS)?.get(JsValue::from_str(id))?.await?;
    value.map(from_js).transpose()
}

/// Every draft of `user_id`, newest first. Records that cannot be read are skipped, not fatal.
pub async fn list_drafts(user_id: i64) -> Result<Vec<LocalDraft>, StoreError> {
    writes_settled().await;
    if let Some(list) = CACHE.with(|c| c.borrow().as_ref().filter(|(u, _)| *u == user_id).map(|(_, l)| l.clone())) {
        return Ok(list);
    }
    let db = db(user_id).await?;
    let tx = db.transaction(&[DRAFTS], TransactionMode::ReadOnly)?;
    let values = tx.object_store(DRAFTS)?.get_all(None, None)?.await?;
    let mut drafts: Vec<LocalDraft> = values.into_iter().filter_map(|v| from_js(v).ok()).collect();
    drafts.sort_by(|a, b| b.updated_at.total_cmp(&a.updated_at));
    CACHE.with(|c| *c.borrow_mut() = Some((user_id, drafts.clone())));
    listen_to_other_tabs(user_id);
    Ok(drafts)
}

/// Held while a write is under way (see `PENDING`).
pub(crate) struct Writing;

impl Writing {
    pub(crate) fn start() -> Writing {
        PENDING.with(|p| p.set(p.get() + 1));
        CHANGES.with(|c| c.set(c.get() + 1));
        Writing
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        PENDING.with(|p| p.set(p.get().saturating_sub(1)));
    }
}

pub(crate) async fn writes_settled() {
    while PENDING.with(Cell::get) > 0 {
        gloo_timers::future::TimeoutFuture::new(5).await;
    }
}

/// A read ahead of the newest drafts: under way for an account, or done (with the change count
/// it was read at).
enum Ahead {
    Nothing,
    Reading(i64),
    /// (account, change count when it began, how many were asked for, what was read)
    Read(i64, u64, usize, Vec<LocalDraft>),
}

/// Starts reading the account's `n` newest drafts while the app starts (the desk's module is
/// still being fetched and compiled); [`recent_drafts`] takes the result once, unless anything
/// was written or dropped from the cache meanwhile. Only with the data key at hand: a sealed
/// draft read without it would be left out.
pub fn read_ahead(user_id: i64, n: usize) {
    // Another tab's writes drop the cache and count as changes from now on.
    listen_to_other_tabs(user_id);
    let at = CHANGES.with(Cell::get);
    AHEAD.with(|a| *a.borrow_mut() = Ahead::Reading(user_id));
    wasm_bindgen_futures::spawn_local(async move {
        let read = read_recent(user_id, n).await;
        AHEAD.with(|a| {
            let mut a = a.borrow_mut();
            if matches!(*a, Ahead::Reading(u) if u == user_id) {
                *a = match read {
                    Ok(list) => Ahead::Read(user_id, at, n, list),
                    Err(_) => Ahead::Nothing,
                };
            }
        });
    });
}

/// The `n` most recently changed drafts, read through the `updated_at` index newest first —
/// what the desk shows first, before the whole list is read.
pub async fn recent_drafts(user_id: i64, n: usize) -> Result<Vec<LocalDraft>, StoreError> {
    writes_settled().await;
    if let Some(list) = CACHE.with(|c| c.borrow().as_ref().filter(|(u, _)| *u == user_id).map(|(_, l)| l.iter().take(n).cloned().collect()))
    {
        return Ok(list);
    }
    // The read ahead, when it is this account's and nothing changed since it began (waited for
    // two seconds at most: a database open held up by another tab's upgrade is not waited on
    // twice).
    for _ in 0..1000 {
        if !AHEAD.with(|a| matches!(*a.borrow(), Ahead::Reading(u) if u == user_id)) {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(2).await;
    }
    let ahead = AHEAD.with(|a| std::mem::replace(&mut *a.borrow_mut(), Ahead::Nothing));
    if let Ahead::Read(u, at, asked, list) = ahead
        && u == user_id
        && at == CHANGES.with(Cell::get)
        && asked >= n
    {
        return Ok(list.into_iter().take(n).collect());
    }
    read_recent(user_id, n).await
}

/// The `n` newest drafts in two requests whatever `n`: a key cursor (no values read) steps
/// back to the `n`-th newest change, then one `getAll` reads everything from there on. (A value
/// cursor costs an event-loop turn a draft, each waiting behind whatever else the page is doing
/// while it starts.)
async fn read_recent(user_id: i64, n: usize) -> Result<Vec<LocalDraft>, StoreError> {
    let db = db(user_id).await?;
    let tx = db.transaction(&[DRAFTS], TransactionMode::ReadOnly)?;
    let index = tx.object_store(DRAFTS)?.index("updated_at")?;
    let Some(cursor) = index.open_key_cursor(None, Some(idb::CursorDirection::Prev))?.await? else { return Ok(Vec::new()) };
    let mut cursor = cursor.into_managed();
    if n > 1 {
        cursor.advance((n - 1) as u32).await?;
    }
    // Fewer than `n` drafts: the cursor ran out, and every draft is read.
    let from = match cursor.key()? {
        Some(key) => Some(idb::Query::from(idb::KeyRange::lower_bound(&key, None)?)),
        None => None,
    };
    let mut out: Vec<LocalDraft> = index.get_all(from, None)?.await?.into_iter().filter_map(|v| from_js(v).ok()).collect();
    // Oldest first from `getAll`; newest first as the cursor gave them (ties by key, descending).
    out.reverse();
    out.truncate(n);
    Ok(out)
}

/// Keeps the cached list in step with a write this tab made, and tells other tabs.
pub(crate) fn wrote(d: &LocalDraft) {
    CACHE.with(|c| {
        if let Some((_, list)) = c.borrow_mut().as_mut().filter(|(u, _)| *u == d.owner) {
            list.retain(|x| x.id != d.id);
            let at = list.iter().position(|x| x.updated_at <= d.updated_at).unwrap_or(list.len());
            list.insert(at, d.clone());
        }
    });
    if let Some(c) = TabChannel::open(d.owner) {
        c.post(&DraftSaved { id: d.id.clone(), rev: d.local_rev, tab: tab_id().to_owned() });
    }
}

/// Another tab's write makes the cached list stale: drop it (the next read reloads).
fn listen_to_other_tabs(user_id: i64) {
    CACHE_LISTENER.with(|l| {
        if l.borrow().as_ref().is_some_and(|(u, _)| *u == user_id) {
            return;
        }
        let channel = TabChannel::open(user_id).map(|mut c| {
            c.listen(|_| forget_cache());
            c
        });
        *l.borrow_mut() = channel.map(|c| (user_id, c));
    });
}

/// Moves a draft to the trash (`deleted = true`) or back out of it, in one transaction; the
/// local revision moves on so other tabs notice. Returns the stored record.
pub async fn set_trashed(user_id: i64, id: &str, deleted: bool) -> Result<LocalDraft, StoreError> {
    let _writing = Writing::start();
    let result = async {
        let db = db(user_id).await?;
        let tx = db.transaction(&[DRAFTS], TransactionMode::ReadWrite)?;
        let store = tx.object_store(DRAFTS)?;
        let value = store.get(JsValue::from_str(id))?.await?.ok_or_else(|| StoreError::Corrupt(format!("no draft {id}")))?;
        let mut d: LocalDraft = from_js(value)?;
        d.deleted_at = deleted.then(now_ms);
        d.local_rev += 1;
        store.put(&to_js(&d)?, None)?.await?;
        commit(tx).await?;
        wrote(&d);
        Ok(d)
    }
    .await;
    classify(result).await
}

/// Deletes for good the drafts that have been in the trash longer than [`TRASH_DAYS`].
/// Returns how many went.
pub async fn purge_trash(user_id: i64, now: f64) -> Result<usize, StoreError> {
    let expired: Vec<String> = list_drafts(user_id)
        .await?
        .into_iter()
        .filter(|d| d.deleted_at.is_some_and(|at| now - at > TRASH_DAYS * DAY_MS))
        .map(|d| d.id)
        .collect();
    if expired.is_empty() {
        return Ok(0);
    }
    let db = db(user_id).await?;
    let tx = db.transaction(&[DRAFTS, PHOTOS], TransactionMode::ReadWrite)?;
    let store = tx.object_store(DRAFTS)?;
    let photos = tx.object_store(PHOTOS)?;
    let by_draft = photos.index("draft_id")?;
    for id in &expired {
        store.delete(JsValue::from_str(id))?.await?;
        for key in by_draft.get_all_keys(Some(JsValue::from_str(id).into()), None)?.await? {
            photos.delete(key)?.await?;
        }
    }
    commit(tx).await?;
    CACHE.with(|c| {
        if let Some((_, list)) = c.borrow_mut().as_mut() {
            list.retain(|d| !expired.contains(&d.id));
        }
    });
    Ok(expired.len())
}

/// Days left before a trashed draft is purged (rounded up).
pub fn trash_days_left(deleted_at: f64, now: f64) -> u32 {
    (TRASH_DAYS - (now - deleted_at) / DAY_MS).ceil().max(0.0) as u32
}

/// localStorage key of the last known number of unsent drafts of `user_id`.
pub fn unsent_key(user_id: i64) -> String {
    format!("xinbao.unsent.{user_id}")
}
