//! The item repository: an item's row and versions as the server stores them — reading one
//! (`load_item`, `snapshot`), writing one guarded by revision (`write_item`, with the push's
//! revisions, change-log entries and results gathered in [`Pending`]), what the office sees of an
//! item back with its author (`office_content`, `as_seen_by`), the audit line of a step — and
//! what a mutation on an item answers when it cannot be applied as sent (`keep_conflict`,
//! `moved_on`, `not_yours`, `rejected`, `readable_answer`).

use crate::db::{Backend, MAX_PARAMETERS, Sql, Stored, Tx, Value, decode, insert_many, insert_many_then, now_ms, stored_json};
use crate::error::AppError;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};
use std::collections::{HashMap, HashSet};
use xinbao_core::item::DraftContent;
use xinbao_core::review::{may_read_item, reviewing_office};
use xinbao_core::role::Role;
use xinbao_core::sync::{Comment, ItemSnapshot, ItemState, Mutation, MutationResult, Outcome, RejectReason};

/// The text of item `id` as its office last saw it: the newest revision someone other than its
/// author made (the 退回修改 step itself, or the editor's last edit). While an item is back
/// with its author, their revising is theirs alone until they submit again.
pub async fn office_content<'e, E: sqlx::Executor<'e, Database = Any>>(
    ex: E,
    id: &str,
    author_id: i64,
) -> Result<Option<DraftContent>, AppError> {
    let row = sqlx::query("SELECT content FROM item_revisions WHERE item_id = $1 AND actor_id <> $2 ORDER BY rev DESC LIMIT 1")
        .bind(id)
        .bind(author_id)
        .fetch_optional(ex)
        .await?;
    Ok(match row {
        Some(r) => Some(crate::db::stored_json(&r.try_get::<String, _>(0)?, "item_revisions.content", id)?),
        None => None,
    })
}

/// The columns of a new item's row, in [`Pending::new_items`]' order.
const ITEM_COLUMNS: [&str; 12] =
    ["id", "unit_id", "author_id", "item_type", "title", "body", "state", "rev", "content", "created_at", "updated_at", "office_id"];

/// Takes the next change-log sequence number inside the transaction (commit order: the
/// counter row is held until commit).
pub(crate) async fn next_seqs(tx: &mut Tx, n: usize) -> Result<i64, AppError> {
    let row =
        sqlx::query("UPDATE seq_counter SET value = value + $1 WHERE id = 1 RETURNING value").bind(n as i64).fetch_one(&mut **tx).await?;
    let last: i64 = row.try_get(0)?;
    Ok(last - n as i64 + 1)
}

/// What a push writes once every mutation of the batch is decided: each applied version for
/// `item_revisions`, each change for the change log, each result for `mutation_results`. They
/// go in as multi-row INSERTs just before the commit (nothing in a push reads them back), and
/// the change log takes its `seq` range from the counter row then, in the order the changes
/// were made.
#[derive(Default)]
pub(crate) struct Pending {
    /// Whether the mutation being applied may leave its new item's row here
    /// ([`Pending::new_items`]): a draft saved for the first time, in a push that is not careful.
    pub(crate) defer_new: bool,
    /// New items' rows, written together by [`Pending::write_new_items`] before anything reads
    /// an item. Their ids named no item when the batch began; one written meanwhile (another
    /// server, or a copied profile's twin) makes the batch run again carefully.
    pub(crate) new_items: Vec<Vec<Value>>,
    /// Ids of the items this batch created: their only change-log rows are this batch's.
    pub(crate) created: HashSet<String>,
    pub(crate) revisions: Vec<Vec<Value>>,
    /// (item id, at) in the order of the changes.
    pub(crate) changes: Vec<(String, i64)>,
    /// (mid, result, result as stored, the mutation's digest).
    pub(crate) results: Vec<(u64, MutationResult, String, String)>,
}

/// Change-log rows for items that changed without a new revision (an adoption, an
/// instruction, where it went up): their readers take them again at the next pull.
pub(crate) async fn log_changes(tx: &mut Tx, ids: impl IntoIterator<Item = String>) -> Result<(), AppError> {
    let now = now_ms();
    let mut pending = Pending::default();
    pending.changes.extend(ids.into_iter().map(|id| (id, now)));
    pending.flush(tx, "").await
}

impl Pending {
    /// Writes the new items' rows gathered so far. False when one of them exists after all:
    /// nothing is answered from this attempt, and the batch runs again carefully.
    pub(crate) async fn write_new_items(&mut self, tx: &mut Tx) -> Result<bool, AppError> {
        if self.new_items.is_empty() {
            return Ok(true);
        }
        let rows = std::mem::take(&mut self.new_items);
        let written = insert_many_then(tx, "items", &ITEM_COLUMNS, &rows, " ON CONFLICT (id) DO NOTHING").await?;
        Ok(written == rows.len() as u64)
    }

    /// Writes what the batch gathered; the new items' rows must be written already.
    pub(crate) async fn flush(self, tx: &mut Tx, client_id: &str) -> Result<(), AppError> {
        debug_assert!(self.new_items.is_empty());
        insert_many(tx, "item_revisions", &["item_id", "rev", "state", "content", "actor_id", "at"], &self.revisions).await?;
        if !self.changes.is_empty() {
            let first = next_seqs(tx, self.changes.len()).await?;
            // Author and reviewing office from the item as it now stands (so both pull it).
            for (k, chunk) in self.changes.chunks(MAX_PARAMETERS / 3).enumerate() {
                let base = first + (k * (MAX_PARAMETERS / 3)) as i64;
                let rows: Vec<[Value; 3]> = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, (id, at))| [Value::Int(base + i as i64), Value::from(id.as_str()), Value::Int(*at)])
                    .collect();
                let mut sql = Sql::new("WITH v(seq, item_id, at) AS (VALUES ");
                sql.rows(rows.iter().map(|r| r.as_slice())).push(
                    ") INSERT INTO change_log (seq, item_id, author_id, office_id, at) \
                     SELECT v.seq, i.id, i.author_id, i.office_id, v.at FROM v JOIN items i ON i.id = v.item_id",
                );
                sql.query(Backend::of(tx)).execute(&mut **tx).await?;
            }
            // Only each item's newest change stays: a pull reads as many rows as it returns.
            // An item this batch created and changed once has nothing older to drop.
            let mut changes: HashMap<&str, usize> = HashMap::new();
            for (id, _) in &self.changes {
                *changes.entry(id.as_str()).or_default() += 1;
            }
            let mut ids: Vec<&str> =
                changes.into_iter().filter(|(id, n)| *n > 1 || !self.created.contains(*id)).map(|(id, _)| id).collect();
            ids.sort_unstable();
            for chunk in ids.chunks(MAX_PARAMETERS) {
                let mut sql = Sql::new("DELETE FROM change_log WHERE item_id IN (");
                sql.list(chunk.iter().copied())
                    .push(") AND seq < (SELECT MAX(c.seq) FROM change_log c WHERE c.item_id = change_log.item_id)");
                sql.query(Backend::of(tx)).execute(&mut **tx).await?;
            }
        }
        let results: Vec<Vec<Value>> = self
            .results
            .into_iter()
            .map(|(mid, _, stored, digest)| {
                vec![Value::Text(client_id.to_owned()), Value::Int(mid as i64), Value::Text(stored), Value::Text(digest)]
            })
            .collect();
        insert_many(tx, "mutation_results", &["client_id", "mid", "result", "digest"], &results).await?;
        Ok(())
    }

    /// How much is collected, to undo a mutation that failed halfway ([`Pending::truncate`]).
    pub(crate) fn mark(&self) -> (usize, usize, usize) {
        (self.new_items.len(), self.revisions.len(), self.changes.len())
    }

    pub(crate) fn truncate(&mut self, (new_items, revisions, changes): (usize, usize, usize)) {
        self.new_items.truncate(new_items);
        self.revisions.truncate(revisions);
        self.changes.truncate(changes);
    }
}

/// An item as stored, with its author's and unit's names, its lateness, and its office.
#[derive(sqlx::FromRow)]
struct ItemRecord {
    id: String,
    rev: i64,
    #[sqlx(try_from = "Stored<ItemState>")]
    state: ItemState,
    content: String,
    review: String,
    author_id: i64,
    unit_id: i64,
    updated_at: i64,
    author_name: String,
    unit_name: String,
    quality: String,
    late_minutes: Option<i64>,
    office_id: Option<i64>,
    signing: Option<String>,
}

fn snapshot(row: &AnyRow) -> Result<(ItemSnapshot, Option<i64>), AppError> {
    let r: ItemRecord = decode(row, "items", "id")?;
    let signing = r.signing.as_deref().map(|s| stored_json(s, "items.signing", &r.id)).transpose()?;
    let snap = ItemSnapshot {
        rev: r.rev as u64,
        state: r.state,
        content: stored_json(&r.content, "items.content", &r.id)?,
        id: r.id,
        author_id: r.author_id,
        unit_id: r.unit_id,
        updated_at: r.updated_at,
        author_name: r.author_name,
        unit_name: r.unit_name,
        review: serde_json::from_str(&r.review).ok(),
        comments: Vec::new(),
        quality: serde_json::from_str::<serde_json::Value>(&r.quality).ok().and_then(|q| q["summary"].as_str().map(str::to_owned)),
        late_minutes: r.late_minutes,
        signing,
        upward: Vec::new(),
    };
    Ok((snap, r.office_id))
}

/// An item as clients see it, with its comment thread, and the office that reviews it.
pub(crate) async fn load_item(tx: &mut Tx, id: &str) -> Result<Option<(ItemSnapshot, Option<i64>)>, AppError> {
    let row = sqlx::query(
        "SELECT i.id, i.rev, i.state, i.content, i.author_id, i.unit_id, i.updated_at, i.review, i.office_id, i.quality, i.signing, \
         u.display_name AS author_name, n.name AS unit_name, (SELECT s.late_minutes FROM submissions s WHERE s.item_id = i.id) AS late_minutes \
         FROM items i JOIN users u ON u.id = i.author_id JOIN units n ON n.id = i.unit_id WHERE i.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((mut item, office)) = row.as_ref().map(snapshot).transpose()? else { return Ok(None) };
    let comments = sqlx::query(
        "SELECT u.display_name, c.at, c.text FROM comments c JOIN users u ON u.id = c.author_id WHERE c.item_id = $1 ORDER BY c.id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    for c in comments {
        item.comments.push(Comment { by: c.try_get(0)?, at: c.try_get(1)?, text: c.try_get(2)? });
    }
    if item.state == ItemState::Signed {
        item.upward = upward_marks(tx, id).await?;
    }
    Ok(Some((item, office)))
}

/// The office that reviews items written in `unit` (the nearest office above it).
pub(crate) async fn office_of(tx: &mut Tx, unit: i64) -> Result<Option<i64>, AppError> {
    Ok(reviewing_office(&crate::office::unit_nodes(&mut **tx).await?, unit))
}

/// Writes the item's new state and content at `rev`, and logs the change. A new item (`exists`
/// false) is recorded under `office`, the reviewing office of its author's unit. The write is
/// guarded in the SQL itself — an update only from `rev - 1`, an insert only where no item has
/// the id — so two servers deciding on one item at once never both write: the one that finds
/// the item moved on gets `false` (nothing written) and answers a conflict.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_item(
    tx: &mut Tx,
    pending: &mut Pending,
    me: &xinbao_core::api::Me,
    id: &str,
    rev: u64,
    state: ItemState,
    content: &DraftContent,
    exists: bool,
    office: Option<i64>,
) -> Result<bool, AppError> {
    let now = now_ms();
    let json = serde_json::to_string(content).map_err(|e| AppError::Internal(e.into()))?;
    let written = if !exists && pending.defer_new && content.photos.is_empty() {
        pending.new_items.push(vec![
            Value::from(id),
            Value::Int(me.unit_id),
            Value::Int(me.user_id),
            Value::from(content.item_type.as_str()),
            Value::from(content.title.as_str()),
            Value::from(content.body.as_str()),
            Value::from(state.as_str()),
            Value::Int(rev as i64),
            Value::Text(json.clone()),
            Value::Int(now),
            Value::Int(now),
            office.map_or(Value::Null, Value::Int),
        ]);
        1
    } else if exists {
        sqlx::query(
            "UPDATE items SET rev = $1, state = $2, content = $3, title = $4, body = $5, item_type = $6, updated_at = $7 \
             WHERE id = $8 AND rev = $9",
        )
        .bind(rev as i64)
        .bind(state.as_str())
        .bind(&json)
        .bind(&content.title)
        .bind(&content.body)
        .bind(content.item_type.as_str())
        .bind(now)
        .bind(id)
        .bind(rev as i64 - 1)
        .execute(&mut **tx)
        .await?
        .rows_affected()
    } else {
        sqlx::query(
            "INSERT INTO items (id, unit_id, author_id, item_type, title, body, state, rev, content, created_at, updated_at, office_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(me.unit_id)
        .bind(me.user_id)
        .bind(content.item_type.as_str())
        .bind(&content.title)
        .bind(&content.body)
        .bind(state.as_str())
        .bind(rev as i64)
        .bind(&json)
        .bind(now)
        .bind(office)
        .execute(&mut **tx)
        .await?
        .rows_affected()
    };
    if written == 0 {
        return Ok(false);
    }
    if !exists {
        pending.created.insert(id.to_owned());
    }
    // Whoever may read this item may read the photos any of its versions names.
    for photo in &content.photos {
        sqlx::query("INSERT INTO item_attachments (item_id, sha256) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(&photo.sha256)
            .execute(&mut **tx)
            .await?;
    }
    pending.revisions.push(vec![
        Value::Text(id.to_owned()),
        Value::Int(rev as i64),
        Value::Text(state.as_str().to_owned()),
        Value::Text(json),
        Value::Int(me.user_id),
        Value::Int(now),
    ]);
    pending.changes.push((id.to_owned(), now));
    Ok(true)
}

/// Item `id` with its office, if `me` may read it ([`may_read_item`]); anyone else — and an id
/// that names nothing — gets the same "not found", so an answer never tells that an item exists.
pub(crate) async fn readable(tx: &mut Tx, me: &xinbao_core::api::Me, id: &str) -> Result<(ItemSnapshot, Option<i64>), AppError> {
    match load_item(tx, id).await? {
        Some((item, office)) if may_read_item(me, item.author_id, office, item.state) => Ok((item, office)),
        _ => Err(AppError::refused(xinbao_core::api::ErrorCode::NotFound)),
    }
}

/// `item` as `me` may see it ([`may_read_item`] already passed): the author sees it as it is;
/// anyone else, while it is back with its author, sees the text the office returned.
///
/// Its sign-off chain: the office's editors and signers are told who may sign where it waits,
/// worked out from the setup as it is now (what `crate::review::apply` will hold them to);
/// anyone else sees who signed and where it waits, not which accounts may sign. Called only
/// once `may_read_item` has passed.
pub(crate) async fn as_seen_by(tx: &mut Tx, me: &xinbao_core::api::Me, mut item: ItemSnapshot) -> Result<ItemSnapshot, AppError> {
    if item.author_id != me.user_id && item.state == ItemState::Returned {
        match office_content(&mut **tx, &item.id, item.author_id).await? {
            Some(c) => item.content = c,
            None => item.content = DraftContent::default(),
        }
    }
    // (Whoever reads someone else's item as an editor or signer reviews it: `may_read_item`.)
    let section = matches!(me.role, Role::Editor | Role::Signer) && item.author_id != me.user_id;
    if !section && item.quality.is_some() {
        // The author's own hint: earlier items of other units it resembles are not named.
        let stored: Option<String> =
            sqlx::query_scalar("SELECT quality FROM items WHERE id = $1").bind(&item.id).fetch_optional(&mut **tx).await?;
        if let Some(hint) = stored
            .and_then(|q| serde_json::from_str::<serde_json::Value>(&q).ok())
            .and_then(|q| q["author_summary"].as_str().map(str::to_owned))
        {
            item.quality = Some(hint);
        }
    }
    if let Some(chain) = item.signing.take() {
        item.signing = Some(if section && item.state == ItemState::AwaitingSignOff {
            let (setup, signers) = crate::signing::setup_and_signers(tx, me.unit_id).await?;
            let mut chain = chain;
            chain.refresh(&setup, |id| signers.contains(&id));
            chain
        } else if section {
            chain
        } else {
            chain.without_holders()
        });
    }
    Ok(item)
}

/// The item as it now stands, after a guarded write found it moved on: answered as a conflict
/// (the proposal kept), or as not the caller's.
pub(crate) async fn moved_on(tx: &mut Tx, client_id: &str, m: &Mutation, me: &xinbao_core::api::Me) -> Result<Outcome, AppError> {
    match load_item(tx, &m.item_id).await? {
        Some((item, office)) => keep_conflict(tx, me, client_id, m, &item, office).await,
        None => Ok(not_yours()),
    }
}

pub(crate) fn rejected(reason: RejectReason, detail: impl Into<String>) -> Outcome {
    Outcome::Rejected { reason, detail: detail.into() }
}

/// The answer about an item the caller may not read: the same whether it exists or not.
pub(crate) fn not_yours() -> Outcome {
    rejected(RejectReason::NotYours, RejectReason::NotYours.text().zh)
}

/// A stored answer, replayed, passes the read rule ([`may_read_item`]) again as the item stands
/// now (a fresh one passed it in [`keep_conflict`], the only place a conflict is made). Only a
/// conflict carries an item's words; one the caller may no longer read (the item deleted, the
/// caller moved to another unit since) is answered as not theirs.
pub(crate) async fn readable_answer(tx: &mut Tx, me: &xinbao_core::api::Me, outcome: Outcome) -> Result<Outcome, AppError> {
    let Outcome::Conflict { server } = &outcome else { return Ok(outcome) };
    Ok(match load_item(tx, &server.id).await? {
        Some((now, office)) if may_read_item(me, now.author_id, office, now.state) && now.author_id == server.author_id => outcome,
        _ => not_yours(),
    })
}

/// Keeps a proposal made on a stale revision, and answers with the server's version — to
/// someone who may read it ([`may_read_item`]); anyone else learns nothing and leaves nothing.
pub(crate) async fn keep_conflict(
    tx: &mut Tx,
    me: &xinbao_core::api::Me,
    client_id: &str,
    m: &Mutation,
    item: &ItemSnapshot,
    office: Option<i64>,
) -> Result<Outcome, AppError> {
    if !may_read_item(me, item.author_id, office, item.state) {
        return Ok(not_yours());
    }
    {
        {
            let proposal = serde_json::to_string(m).map_err(|e| AppError::Internal(e.into()))?;
            sqlx::query(
                "INSERT INTO conflicts (item_id, client_id, mid, base_rev, server_rev, proposal, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&m.item_id)
            .bind(client_id)
            .bind(m.mid as i64)
            .bind(m.base_rev as i64)
            .bind(item.rev as i64)
            .bind(proposal)
            .bind(now_ms())
            .execute(&mut **tx)
            .await?;
            Ok(Outcome::Conflict { server: Box::new(as_seen_by(tx, me, item.clone()).await?) })
        }
    }
}

pub(crate) async fn audit(tx: &mut Tx, actor: i64, action: &str, subject: &str, detail: &str) -> Result<(), AppError> {
    Ok(crate::accounts::audit_in(&mut **tx, Some(actor), action, subject, detail).await?)
}

/// Where `item` went up (上报, `crate::upward`), oldest first: on the item as everyone who
/// reads it sees it.
async fn upward_marks(tx: &mut sqlx::AnyConnection, item: &str) -> Result<Vec<xinbao_core::upward::Mark>, AppError> {
    let rows = sqlx::query(
        "SELECT d.name, d.level, s.method, s.sent_at FROM upward_items ui JOIN upward_sends s ON s.id = ui.send_id \
         JOIN upward_destinations d ON d.id = s.destination_id WHERE ui.item_id = $1 ORDER BY s.sent_at, s.id",
    )
    .bind(item)
    .fetch_all(tx)
    .await?;
    rows.iter()
        .map(|r| {
            let (level, method): (String, String) = (r.try_get(1)?, r.try_get(2)?);
            Ok(xinbao_core::upward::Mark {
                destination: r.try_get(0)?,
                level: crate::db::stored(xinbao_core::scores::Level::parse(&level), "upward_destinations.level", &level)?,
                method: crate::db::stored(xinbao_core::upward::Method::parse(&method), "upward_sends.method", &method)?,
                sent_at: r.try_get(3)?,
            })
        })
        .collect()
}
