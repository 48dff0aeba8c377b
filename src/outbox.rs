//! The sync engine's storage: the client's identity and cursor (`meta`), the outbox of
//! mutations waiting for the server's answer, and the receipts of what the server acknowledged.
//!
//! Every step is one IndexedDB transaction, so the cursor never runs ahead of the data it
//! describes and an outbox entry is retired in the same transaction that records its result
//! (guarantee 5 of docs/sync-protocol.md). The decisions themselves — what to send, what an answer means, how a
//! pulled version meets local edits — are `xinbao_core::sync`'s pure functions, the same ones
//! the native tests exercise.
//!
//! Why the outbox is filled when a sync starts rather than at every save: the editor saves
//! every 400 ms while someone types; a mutation per save would send hundreds of versions of one
//! paragraph. Instead a draft is *dirty* while its local revision is ahead of what the server
//! holds (`sync.synced_rev`), durably, in the same record as its text; the syncing tab freezes
//! one mutation per dirty item (fixed `mid`, fixed payload) before sending, so a retry always
//! re-sends exactly what the server may already have applied. Edits made while it is in flight
//! leave the draft dirty, and the next round sends them on top of the acknowledged revision.

use crate::store::{
    DRAFTS, LocalDraft, META, OUTBOX, RECEIPTS, StoreError, Writing, classify, commit, db, from_js, list_drafts, to_js, writes_settled,
};
use crate::util::{now_ms, random_id};
use idb::{Query, TransactionMode};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use wasm_bindgen::JsValue;
use xinbao_core::sync::{
    ItemSnapshot, ItemState, LocalCopy, LocalSync, MutationResult, Op, Outcome, PullAction, PullResponse, forget_unseen, on_pulled,
    on_pulled_rebased, repropose,
};

const META_KEY: &str = "sync";
/// Receipts kept on the device; the oldest go first.
const RECEIPTS_KEPT: u32 = 2000;

/// The client's identity and progress, one record in `meta`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncMeta {
    pub key: String,
    /// Random, made with the database; a new one whenever the numbering must start over.
    pub client_id: String,
    pub next_mid: u64,
    pub cursor: u64,
    #[serde(default)]
    pub last_ok: Option<f64>,
    /// The server's epoch as last heard (a new one means it was restored from a backup).
    #[serde(default)]
    pub epoch: Option<String>,
    /// When this device was found to have gone back in time (its mids were reused: a restore
    /// card, a copied profile) — the desk warns while anything is unsent.
    #[serde(default)]
    pub went_back: Option<f64>,
    /// A start over is under way: until its pull from 0 and its proposals again are done, every
    /// round pulls from 0 and compares (an interrupted one is taken up again, never skipped).
    #[serde(default)]
    pub rebasing: bool,
}

impl SyncMeta {
    fn new() -> SyncMeta {
        SyncMeta {
            key: META_KEY.into(),
            client_id: random_id(),
            next_mid: 1,
            cursor: 0,
            last_ok: None,
            epoch: None,
            went_back: None,
            rebasing: false,
        }
    }
}

/// A mutation frozen for sending: its `mid` and payload never change until the server answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub mid: u64,
    pub item_id: String,
    pub base_rev: u64,
    /// The draft's local revision this payload was taken from.
    pub local_rev: u32,
    pub title: String,
    #[serde(flatten)]
    pub op: Op,
}

impl OutboxEntry {
    pub fn mutation(&self) -> xinbao_core::sync::Mutation {
        xinbao_core::sync::Mutation { mid: self.mid, item_id: self.item_id.clone(), base_rev: self.base_rev, op: self.op.clone() }
    }

    fn content(&self) -> Option<&xinbao_core::item::DraftContent> {
        match &self.op {
            Op::Save { content } | Op::Submit { content } => Some(content),
            _ => None,
        }
    }
}

/// What the server acknowledged, kept so an officer can answer "did my item arrive?" alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub at: f64,
    pub mid: u64,
    pub item_id: String,
    pub title: String,
    /// `save`, `submit` or `delete`.
    pub op: String,
    /// `applied`, `conflict` or `rejected`.
    pub outcome: String,
    #[serde(default)]
    pub rev: u64,
    #[serde(default)]
    pub detail: Option<String>,
}

async fn get_meta(store: &idb::ObjectStore) -> Result<Option<SyncMeta>, StoreError> {
    store.get(JsValue::from_str(META_KEY))?.await?.map(from_js).transpose()
}

/// The client's identity and cursor (made on first use).
pub async fn meta(user: i64) -> Result<SyncMeta, StoreError> {
    let db = db(user).await?;
    let tx = db.transaction(&[META], TransactionMode::ReadWrite)?;
    let store = tx.object_store(META)?;
    let (meta, made) = match get_meta(&store).await? {
        Some(m) => (m, false),
        None => {
            let m = SyncMeta::new();
            store.put(&to_js(&m)?, None)?.await?;
            (m, true)
        }
    };
    commit(tx).await?;
    crate::store::remember_client(user, &meta.client_id, made);
    Ok(meta)
}

/// Freezes one mutation for every dirty item that has none waiting (urgent items first, then
/// oldest change first), and returns the whole outbox in `mid` order with the client id.
pub async fn freeze(user: i64) -> Result<(SyncMeta, Vec<OutboxEntry>), StoreError> {
    let candidates: Vec<String> = list_drafts(user)
        .await?
        .into_iter()
        .filter(|d| d.sync.next_op(&d.content, d.local_rev, d.deleted_at.is_some()).is_some())
        .map(|d| d.id)
        .collect();
    let _writing = Writing::start();
    let result = async {
        let db = db(user).await?;
        let tx = db.transaction(&[META, DRAFTS, OUTBOX], TransactionMode::ReadWrite)?;
        let meta_store = tx.object_store(META)?;
        let mut meta = get_meta(&meta_store).await?.unwrap_or_else(SyncMeta::new);
        let outbox = tx.object_store(OUTBOX)?;
        let mut entries: Vec<OutboxEntry> = outbox.get_all(None, None)?.await?.into_iter().filter_map(|v| from_js(v).ok()).collect();
        let waiting: HashSet<String> = entries.iter().map(|e| e.item_id.clone()).collect();
        // Only the drafts with something to send are read again, inside the transaction (the
        // candidates come from the cached list: a round over 5,000 drafts reads a handful).
        let store = tx.object_store(DRAFTS)?;
        let mut drafts: Vec<LocalDraft> = Vec::new();
        for id in candidates.iter().filter(|id| !waiting.contains(*id)) {
            if let Some(v) = store.get(JsValue::from_str(id))?.await?
                && let Ok(d) = from_js::<LocalDraft>(v)
                && d.owner == user
            {
                drafts.push(d);
            }
        }
        drafts.sort_by(|a, b| {
            let urgent = |d: &LocalDraft| d.content.item_type != xinbao_core::item::ItemType::Urgent;
            urgent(a).cmp(&urgent(b)).then(a.updated_at.total_cmp(&b.updated_at))
        });
        let mut refused = Vec::new();
        for mut d in drafts {
            let Some((base_rev, op)) = d.sync.next_op(&d.content, d.local_rev, d.deleted_at.is_some()) else { continue };
            // What no server would store (a pasted book, a NUL) is refused here, with the same
            // reason the server would give, and never jams the queue.
            if let Op::Save { content } | Op::Submit { content } = &op
                && let Err(why) = xinbao_core::item::check_storable(content)
            {
                let outcome = Outcome::Rejected { reason: xinbao_core::sync::RejectReason::Invalid, detail: why.zh.to_owned() };
                d.sync.on_result(&op, d.local_rev, &outcome, now_ms());
                store.put(&to_js(&d)?, None)?.await?;
                refused.push(d);
                continue;
            }
            let entry = OutboxEntry { mid: meta.next_mid, item_id: d.id, base_rev, local_rev: d.local_rev, title: d.content.title, op };
            meta.next_mid += 1;
            outbox.put(&to_js(&entry)?, None)?.await?;
            entries.push(entry);
        }
        meta_store.put(&to_js(&meta)?, None)?.await?;
        commit(tx).await?;
        for d in &refused {
            crate::store::wrote(d);
        }
        entries.sort_by_key(|e| e.mid);
        Ok((meta, entries))
    }
    .await;
    classify(result).await
}

/// The outbox as it is, in `mid` order, without freezing anything new (read only: with the disk
/// full, what is already frozen still goes out).
pub async fn waiting(user: i64) -> Result<Vec<OutboxEntry>, StoreError> {
    let db = db(user).await?;
    let tx = db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
    let mut entries: Vec<OutboxEntry> =
        tx.object_store(OUTBOX)?.get_all(None, None)?.await?.into_iter().filter_map(|v| from_js(v).ok()).collect();
    entries.sort_by_key(|e| e.mid);
    Ok(entries)
}

/// Freezes what it can; with the disk full, the outbox as it is (see [`waiting`]).
pub async fn freeze_or_waiting(user: i64) -> Result<Vec<OutboxEntry>, StoreError> {
    match freeze(user).await {
        Ok((_, entries)) => Ok(entries),
        Err(StoreError::Quota) => waiting(user).await,
        Err(e) => Err(e),
    }
}

/// Records the server's answers: each draft's sync state, its outbox entry retired and a
/// receipt written — all in one transaction. An answer that names another item than the one
/// this device sent under that mid is not applied (the numbering went back: the caller starts
/// over); returns whether any did.
pub async fn apply_results(user: i64, results: &[MutationResult]) -> Result<bool, StoreError> {
    match record_results(user, results, true).await {
        // The disk is full: the answers matter more than the receipts — record them without.
        Err(StoreError::Quota) => record_results(user, results, false).await,
        other => other,
    }
}

async fn record_results(user: i64, results: &[MutationResult], with_receipts: bool) -> Result<bool, StoreError> {
    let _writing = Writing::start();
    let result = async {
        let db = db(user).await?;
        let tx = db.transaction(&[DRAFTS, OUTBOX, RECEIPTS], TransactionMode::ReadWrite)?;
        let (drafts, outbox, receipts) = (tx.object_store(DRAFTS)?, tx.object_store(OUTBOX)?, tx.object_store(RECEIPTS)?);
        let now = now_ms();
        let mut changed = Vec::new();
        let mut mismatched = false;
        for r in results {
            let key = JsValue::from_f64(r.mid as f64);
            let Some(entry) = outbox.get(key.clone())?.await?.map(from_js::<OutboxEntry>).transpose()? else { continue };
            if !r.item_id.is_empty() && r.item_id != entry.item_id {
                mismatched = true;
                continue;
            }
            if let Some(v) = drafts.get(JsValue::from_str(&entry.item_id))?.await? {
                let mut d: LocalDraft = from_js(v)?;
                d.sync.on_result(&entry.op, entry.local_rev, &r.outcome, now);
                if let (Op::Act { .. }, Outcome::Conflict { server }) = (&entry.op, &r.outcome) {
                    // A reviewer's action on an item that moved on: the server's version here.
                    d.content = server.content.clone();
                    d.local_rev += 1;
                    d.sync.synced_rev = d.local_rev;
                }
                drafts.put(&to_js(&d)?, None)?.await?;
                changed.push(d);
            }
            outbox.delete(key)?.await?;
            let (outcome, rev, detail) = match &r.outcome {
                Outcome::Applied { rev, .. } => ("applied", *rev, None),
                Outcome::Conflict { server } => ("conflict", server.rev, None),
                Outcome::Rejected { detail, .. } => ("rejected", 0, Some(detail.clone())),
            };
            let receipt = Receipt {
                at: now,
                mid: r.mid,
                item_id: entry.item_id.clone(),
                title: entry.title.clone(),
                op: entry.op.name().into(),
                outcome: outcome.into(),
                rev,
                detail,
            };
            if with_receipts {
                receipts.add(&to_js(&receipt)?, None)?.await?;
            }
        }
        if with_receipts {
            trim_receipts(&receipts).await?;
        }
        commit(tx).await?;
        for d in &changed {
            crate::store::wrote(d);
        }
        Ok(mismatched)
    }
    .await;
    classify(result).await
}

async fn trim_receipts(receipts: &idb::ObjectStore) -> Result<(), StoreError> {
    let n = receipts.count(None)?.await?;
    if n <= RECEIPTS_KEPT + 200 {
        return Ok(());
    }
    let keys = receipts.get_all_keys(None, Some(n - RECEIPTS_KEPT))?.await?;
    for k in keys {
        receipts.delete(k)?.await?;
    }
    Ok(())
}

/// Starts the numbering over under a new client id (the server lost track of this client: a
/// restore from backup, storage of another account's id; or this device went back in time,
/// `went_back`), keeping every waiting mutation in order, renumbered from 1, and the cursor
/// reset so everything is pulled again.
pub async fn start_over(user: i64, went_back: bool, epoch: Option<&str>) -> Result<SyncMeta, StoreError> {
    let _writing = Writing::start();
    let result = async {
        let db = db(user).await?;
        let tx = db.transaction(&[META, OUTBOX], TransactionMode::ReadWrite)?;
        let outbox = tx.object_store(OUTBOX)?;
        let mut entries: Vec<OutboxEntry> = outbox.get_all(None, None)?.await?.into_iter().filter_map(|v| from_js(v).ok()).collect();
        entries.sort_by_key(|e| e.mid);
        outbox.clear()?.await?;
        let meta_store = tx.object_store(META)?;
        let old = get_meta(&meta_store).await?;
        // The new epoch is written with the start over (not before): a shutdown in between
        // must not lose the signal.
        let mut meta = SyncMeta {
            last_ok: old.as_ref().and_then(|m| m.last_ok),
            epoch: epoch.map(str::to_owned).or_else(|| old.as_ref().and_then(|m| m.epoch.clone())),
            went_back: if went_back { Some(now_ms()) } else { old.as_ref().and_then(|m| m.went_back) },
            rebasing: true,
            ..SyncMeta::new()
        };
        for mut e in entries {
            e.mid = meta.next_mid;
            meta.next_mid += 1;
            outbox.put(&to_js(&e)?, None)?.await?;
        }
        meta_store.put(&to_js(&meta)?, None)?.await?;
        commit(tx).await?;
        crate::store::remember_client(user, &meta.client_id, false);
        Ok(meta)
    }
    .await;
    classify(result).await
}

fn from_snapshot(user: i64, s: &ItemSnapshot) -> LocalDraft {
    let mut d = LocalDraft::new(s.id.clone(), user);
    d.content = s.content.clone();
    d.created_at = s.updated_at as f64;
    d.updated_at = s.updated_at as f64;
    d.local_rev = 1;
    d.sync = LocalSync { rev: s.rev, state: Some(s.state), synced_rev: 1, acked_at: Some(s.updated_at as f64), ..LocalSync::default() };
    d.sync.learn(s);
    d
}

/// Keeps an item the office's queue showed and this device had not pulled (a new editor PC
/// opening a row, or taking it in): stored as a pulled base version, so the item view and the
/// review actions work on it as on any other, offline too. An item already here is left to the
/// pull, which alone moves its base. Returns the item as stored here.
pub async fn keep_fetched(user: i64, s: &ItemSnapshot) -> Result<LocalDraft, StoreError> {
    let _writing = Writing::start();
    let result = async {
        let db = db(user).await?;
        let tx = db.transaction(&[DRAFTS], TransactionMode::ReadWrite)?;
        let drafts = tx.object_store(DRAFTS)?;
        let local: Option<LocalDraft> = drafts.get(JsValue::from_str(&s.id))?.await?.map(from_js).transpose()?;
        let (kept, new) = match local {
            Some(d) => (d, false),
            None => {
                let d = from_snapshot(user, s);
                drafts.put(&to_js(&d)?, None)?.await?;
                (d, true)
            }
        };
        commit(tx).await?;
        if new {
            crate::store::wrote(&kept);
        }
        Ok(kept)
    }
    .await;
    classify(result).await
}

/// Applies one page of a pull — new base versions, conflicts marked, outbox entries the server
/// has processed retired, and the new cursor — in one transaction. Returns each item it saw
/// with the server's revision and state. `rebase`: a pull from the start after starting over,
/// when an equal revision with other text is another history (`on_pulled_rebased`).
pub async fn apply_pull(user: i64, page: &PullResponse, rebase: bool) -> Result<Vec<(String, u64, ItemState)>, StoreError> {
    let _writing = Writing::start();
    let result = async {
        let db = db(user).await?;
        let tx = db.transaction(&[META, DRAFTS, OUTBOX], TransactionMode::ReadWrite)?;
        let (meta_store, drafts, outbox) = (tx.object_store(META)?, tx.object_store(DRAFTS)?, tx.object_store(OUTBOX)?);
        let by_item = outbox.index("item_id")?;
        let now = now_ms();
        let mut changed = Vec::new();
        for s in &page.changes {
            let local: Option<LocalDraft> = drafts.get(JsValue::from_str(&s.id))?.await?.map(from_js).transpose()?;
            let waiting: Option<OutboxEntry> = by_item
                .get_all(Some(Query::from(JsValue::from_str(&s.id))), Some(1))?
                .await?
                .into_iter()
                .next()
                .map(from_js)
                .transpose()?;
            let copy = local.as_ref().map(|d| LocalCopy {
                sync: &d.sync,
                local_rev: d.local_rev,
                content: &d.content,
                in_outbox: waiting.as_ref().and_then(|e| e.content()),
                mine: d.sync.author_id.is_none_or(|a| a == user),
            });
            let action = if rebase { on_pulled_rebased(copy, s, user) } else { on_pulled(copy, s) };
            let next = match (action, local) {
                (PullAction::Ignore, Some(mut d)) => {
                    // Same text, but maybe a new comment or review note.
                    let before = d.sync.clone();
                    d.sync.learn(s);
                    if rebase {
                        // A conflict noted before starting over belonged to another history.
                        d.sync.conflict = None;
                    }
                    (d.sync != before).then_some(d)
                }
                (PullAction::Ignore, None) => None,
                (PullAction::Insert, _) => Some(from_snapshot(user, s)),
                (PullAction::Take, Some(mut d)) => {
                    d.content = s.content.clone();
                    d.local_rev += 1;
                    let queued = std::mem::take(&mut d.sync);
                    d.sync = LocalSync {
                        rev: s.rev,
                        state: Some(s.state),
                        synced_rev: d.local_rev,
                        acked_at: Some(now),
                        ..LocalSync::default()
                    };
                    // A reviewer's queued action and comments are never dropped by a pull.
                    d.sync.carry_queue(&queued);
                    d.sync.learn(s);
                    d.updated_at = now;
                    if s.state == ItemState::Deleted && d.deleted_at.is_none() {
                        d.deleted_at = Some(now);
                    }
                    Some(d)
                }
                (PullAction::Converged, Some(mut d)) => {
                    d.sync.learn(s);
                    d.sync.rev = s.rev;
                    d.sync.state = Some(s.state);
                    d.sync.conflict = None;
                    if let Some(e) = waiting.as_ref().filter(|e| e.content() == Some(&s.content)) {
                        // Our own mutation, applied while its answer was lost: retire it.
                        d.sync.synced_rev = e.local_rev;
                        outbox.delete(JsValue::from_f64(e.mid as f64))?.await?;
                    } else if d.content == s.content {
                        d.sync.synced_rev = d.local_rev;
                    }
                    Some(d)
                }
                (PullAction::Conflict, Some(mut d)) => {
                    d.sync.learn(s);
                    d.sync.conflict = Some(s.clone());
                    Some(d)
                }
                (_, None) => None,
            };
            if let Some(d) = next {
                drafts.put(&to_js(&d)?, None)?.await?;
                changed.push(d);
            }
        }
        // Anything the server processed whose answer never arrived: retired; its draft stays
        // dirty and is proposed again against the fresh revision.
        let stale = outbox
            .get_all_keys(Some(Query::from(idb::KeyRange::upper_bound(&JsValue::from_f64(page.last_mid as f64), Some(false))?)), None)?
            .await?;
        for k in stale {
            outbox.delete(k)?.await?;
        }
        let mut meta = get_meta(&meta_store).await?.unwrap_or_else(SyncMeta::new);
        meta.cursor = page.cursor;
        meta_store.put(&to_js(&meta)?, None)?.await?;
        commit(tx).await?;
        for d in &changed {
            crate::store::wrote(d);
        }
        Ok(page.changes.iter().map(|c| (c.id.clone(), c.rev, c.state)).collect())
    }
    .await;
    classify(result).await
}

/// After a full pull that followed a start over (a server restored from an older backup, this
/// device rolled back or copied): the account's items this device was told the server holds,
/// but which the server lacks or holds at an older revision, are proposed again — as drafts,
/// or submitted if they were (`xinbao_core::sync::repropose` decides). `seen` is every item of
/// the full pull with the server's revision and state.
pub async fn repropose_missing(user: i64, seen: &HashMap<String, (u64, ItemState)>) -> Result<usize, StoreError> {
    let _writing = Writing::start();
    let result = async {
        let db = db(user).await?;
        let tx = db.transaction(&[DRAFTS], TransactionMode::ReadWrite)?;
        let drafts = tx.object_store(DRAFTS)?;
        let all: Vec<LocalDraft> = drafts.get_all(None, None)?.await?.into_iter().filter_map(|v| from_js(v).ok()).collect();
        let mut n = 0;
        for mut d in all {
            if d.owner != user {
                continue;
            }
            if !seen.contains_key(&d.id) && forget_unseen(&d.sync, user) {
                // Someone else's item the server no longer shows this device.
                drafts.delete(JsValue::from_str(&d.id))?.await?;
                n += 1;
                continue;
            }
            let Some(sync) = repropose(&d.sync, d.local_rev, user, seen.get(&d.id).copied()) else { continue };
            d.sync = sync;
            drafts.put(&to_js(&d)?, None)?.await?;
            n += 1;
        }
        commit(tx).await?;
        if n > 0 {
            // Many drafts changed at once: the cached list is read again rather than patched.
            crate::store::forget_cache();
        }
        Ok(n)
    }
    .await;
    classify(result).await
}

/// Records the server's epoch when this device knew none; true when it knew another one (the
/// server was restored from a backup since): the caller starts over, which records the new one.
pub async fn note_epoch(user: i64, epoch: &str) -> Result<bool, StoreError> {
    if epoch.is_empty() {
        return Ok(false);
    }
    let db = db(user).await?;
    let tx = db.transaction(&[META], TransactionMode::ReadWrite)?;
    let store = tx.object_store(META)?;
    let mut meta = get_meta(&store).await?.unwrap_or_else(SyncMeta::new);
    let changed = meta.epoch.as_deref().is_some_and(|e| e != epoch);
    if meta.epoch.is_none() {
        meta.epoch = Some(epoch.to_owned());
        store.put(&to_js(&meta)?, None)?.await?;
    }
    commit(tx).await?;
    Ok(changed)
}

/// The end of a start over, after its pull from 0 and its proposals again: the mutations frozen
/// before it are dropped (their drafts are still dirty, submitted or queued, and are frozen again
/// on the bases the server now holds — never sent on a base from the other history), and rounds
/// go back to pulling by cursor. Nothing was sent under the new client id yet.
pub async fn finish_rebase(user: i64) -> Result<(), StoreError> {
    let _writing = Writing::start();
    let result = async {
        let db = db(user).await?;
        let tx = db.transaction(&[META, OUTBOX], TransactionMode::ReadWrite)?;
        let meta_store = tx.object_store(META)?;
        let mut meta = get_meta(&meta_store).await?.unwrap_or_else(SyncMeta::new);
        tx.object_store(OUTBOX)?.clear()?.await?;
        meta.rebasing = false;
        meta.next_mid = 1;
        meta_store.put(&to_js(&meta)?, None)?.await?;
        commit(tx).await
    }
    .await;
    classify(result).await
}

/// The server said this client id once reused a mid: this device goes back in time.
pub async fn mark_went_back(user: i64) -> Result<(), StoreError> {
    let db = db(user).await?;
    let tx = db.transaction(&[META], TransactionMode::ReadWrite)?;
    let store = tx.object_store(META)?;
    let mut meta = get_meta(&store).await?.unwrap_or_else(SyncMeta::new);
    if meta.went_back.is_none() {
        meta.went_back = Some(now_ms());
        store.put(&to_js(&meta)?, None)?.await?;
    }
    commit(tx).await
}

/// Sets aside the one mutation `mid` the server cannot take at all (larger than its body limit):
/// its draft is marked failed with `reason`, as if refused, and not sent again until edited; the
/// mutations after it move down one mid, so the numbering the server expects stays contiguous
/// (the server never processed `mid` nor anything after it: pushes are contiguous).
pub async fn set_aside(user: i64, mid: u64, reason: &str) -> Result<(), StoreError> {
    let _writing = Writing::start();
    let result = async {
        let db = db(user).await?;
        let tx = db.transaction(&[META, DRAFTS, OUTBOX], TransactionMode::ReadWrite)?;
        let (meta_store, drafts, outbox) = (tx.object_store(META)?, tx.object_store(DRAFTS)?, tx.object_store(OUTBOX)?);
        let mut entries: Vec<OutboxEntry> = outbox.get_all(None, None)?.await?.into_iter().filter_map(|v| from_js(v).ok()).collect();
        entries.sort_by_key(|e| e.mid);
        let Some(entry) = entries.iter().find(|e| e.mid == mid).cloned() else {
            let _ = commit(tx).await;
            return Ok(None);
        };
        let mut changed = None;
        if let Some(v) = drafts.get(JsValue::from_str(&entry.item_id))?.await? {
            let mut d: LocalDraft = from_js(v)?;
            let refused = Outcome::Rejected { reason: xinbao_core::sync::RejectReason::Invalid, detail: reason.to_owned() };
            d.sync.on_result(&entry.op, entry.local_rev, &refused, now_ms());
            drafts.put(&to_js(&d)?, None)?.await?;
            changed = Some(d);
        }
        for e in entries.iter().filter(|e| e.mid >= mid) {
            outbox.delete(JsValue::from_f64(e.mid as f64))?.await?;
        }
        for e in entries.into_iter().filter(|e| e.mid > mid) {
            outbox.put(&to_js(&OutboxEntry { mid: e.mid - 1, ..e })?, None)?.await?;
        }
        let mut meta = get_meta(&meta_store).await?.unwrap_or_else(SyncMeta::new);
        meta.next_mid = meta.next_mid.saturating_sub(1).max(1);
        meta_store.put(&to_js(&meta)?, None)?.await?;
        commit(tx).await?;
        Ok(changed)
    }
    .await;
    if let Some(d) = classify(result).await? {
        crate::store::wrote(&d);
    }
    Ok(())
}

/// Records when the last sync round finished without error.
pub async fn set_last_ok(user: i64, at: f64) -> Result<(), StoreError> {
    let db = db(user).await?;
    let tx = db.transaction(&[META], TransactionMode::ReadWrite)?;
    let store = tx.object_store(META)?;
    let mut meta = get_meta(&store).await?.unwrap_or_else(SyncMeta::new);
    meta.last_ok = Some(at);
    store.put(&to_js(&meta)?, None)?.await?;
    commit(tx).await
}

/// The newest `limit` receipts, newest first.
pub async fn receipts(user: i64, limit: u32) -> Result<Vec<Receipt>, StoreError> {
    let db = db(user).await?;
    let tx = db.transaction(&[RECEIPTS], TransactionMode::ReadOnly)?;
    let index = tx.object_store(RECEIPTS)?.index("at")?;
    let mut out = Vec::new();
    let Some(cursor) = index.open_cursor(None, Some(idb::CursorDirection::Prev))?.await? else { return Ok(out) };
    let mut cursor = cursor.into_managed();
    while out.len() < limit as usize {
        let Ok(Some(v)) = cursor.value() else { break };
        if let Ok(r) = from_js::<Receipt>(v) {
            out.push(r);
        }
        if cursor.next(None).await.is_err() {
            break;
        }
    }
    Ok(out)
}

/// What of `user`'s the server does not have: drafts with something to send, in conflict or
/// refused, mutations waiting in the outbox (a reviewer's steps), and records this tab cannot
/// read (sealed under a key it does not hold). Leaving this origin strands every one of them.
pub async fn unsettled_count(user: i64) -> Result<usize, StoreError> {
    writes_settled().await;
    let db = db(user).await?;
    let tx = db.transaction(&[DRAFTS, OUTBOX], TransactionMode::ReadOnly)?;
    let values = tx.object_store(DRAFTS)?.get_all(None, None)?.await?;
    let waiting = tx.object_store(OUTBOX)?.count(None)?.await? as usize;
    let total = values.len();
    let drafts: Vec<LocalDraft> = values.into_iter().filter_map(|v| from_js(v).ok()).collect();
    let unreadable = total - drafts.len();
    let unsent = drafts
        .iter()
        .filter(|d| {
            d.sync.conflict.is_some()
                || d.sync.failed.is_some()
                || d.sync.next_op(&d.content, d.local_rev, d.deleted_at.is_some()).is_some()
        })
        .count();
    Ok(unreadable + unsent + waiting)
}

/// How many items have something to send.
pub async fn pending_count(user: i64) -> Result<usize, StoreError> {
    writes_settled().await;
    Ok(list_drafts(user).await?.iter().filter(|d| d.sync.next_op(&d.content, d.local_rev, d.deleted_at.is_some()).is_some()).count())
}

/// Changes a draft's sync state in one transaction (the author asks to submit, withdraws the
/// request, or resolves a conflict). `f` sees the draft and the mutations of it waiting in the
/// outbox, and returns false to leave the record untouched.
pub async fn update_sync(
    user: i64,
    id: &str,
    f: impl FnOnce(&mut LocalDraft, &[OutboxEntry]) -> bool,
) -> Result<Option<LocalDraft>, StoreError> {
    let _writing = Writing::start();
    let result = async {
        let db = db(user).await?;
        let tx = db.transaction(&[DRAFTS, OUTBOX], TransactionMode::ReadWrite)?;
        let drafts = tx.object_store(DRAFTS)?;
        let waiting: Vec<OutboxEntry> = tx
            .object_store(OUTBOX)?
            .index("item_id")?
            .get_all(Some(Query::from(JsValue::from_str(id))), None)?
            .await?
            .into_iter()
            .filter_map(|v| from_js(v).ok())
            .collect();
        let Some(v) = drafts.get(JsValue::from_str(id))?.await? else {
            let _ = commit(tx).await;
            return Ok(None);
        };
        let mut d: LocalDraft = from_js(v)?;
        if !f(&mut d, &waiting) {
            let _ = commit(tx).await;
            return Ok(Some(d));
        }
        drafts.put(&to_js(&d)?, None)?.await?;
        commit(tx).await?;
        crate::store::wrote(&d);
        Ok(Some(d))
    }
    .await;
    classify(result).await
}

/// Withdraws the author's request to submit — unless it is already on its way (frozen in the
/// outbox) or arrived, when the office has it and withdrawing here would be a lie.
pub async fn withdraw_submit(user: i64, id: &str) -> Result<Option<LocalDraft>, StoreError> {
    update_sync(user, id, |d, waiting| {
        let on_its_way = waiting.iter().any(|e| matches!(e.op, Op::Submit { .. }));
        if on_its_way || d.sync.state == Some(ItemState::Submitted) {
            return false;
        }
        d.sync.submit = false;
        true
    })
    .await
}
