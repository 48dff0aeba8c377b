//! The server's half of sync (docs/sync-protocol.md): `POST /api/sync/push` applies a batch of mutations in one
//! transaction — client row locked first, replays answered from stored results, gaps refused,
//! stale bases kept as conflicts, invalid content rejected (still advancing `last_mid`) — and
//! `POST /api/sync/pull` pages through a commit-ordered change log in one snapshot.

use crate::auth::CurrentUser;
use crate::db::{Backend, MAX_PARAMETERS, Value, insert_many, now_ms};
use crate::error::{ApiJson, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use sqlx::Row;
use sqlx::any::AnyRow;
use xinbao_core::api::ErrorCode;
use xinbao_core::item::ItemType;
use xinbao_core::item::{DraftContent, check_storable, check_submittable, valid_sha256};
use xinbao_core::quality::{self, Rules};
use xinbao_core::review::{Actor, decide, may_read_item, may_read_revision, reviewing_office, submission_office};
use xinbao_core::role::Role;
use xinbao_core::sync::{
    Comment, ItemSnapshot, ItemState, MAX_BATCH, Mutation, MutationResult, Op, Outcome, PULL_PAGE, PullRequest, PullResponse, PushRequest,
    PushResponse, RejectReason, ReviewNote, Revision, valid_client_id, valid_item_id,
};

use crate::access::reviewed_office;
use crate::db::{Tx, stored, stored_json};

/// Locks the client's row for this transaction (PostgreSQL's row lock; SQLite's write lock was
/// taken by `BEGIN IMMEDIATE`) and returns its `last_mid`. A client seen for the first time
/// starts at 0: one whose first mid is above 1 has a past this server does not know (a restore
/// lost it, or its profile was copied from elsewhere), so it is told to expect 1, starts over
/// under a new id and proposes again what the server lacks.
async fn lock_client(tx: &mut Tx, client_id: &str, user_id: i64) -> Result<u64, AppError> {
    let now = now_ms();
    for _ in 0..2 {
        let row = sqlx::query("UPDATE sync_clients SET last_seen_at = $1 WHERE client_id = $2 RETURNING user_id, last_mid")
            .bind(now)
            .bind(client_id)
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(row) = row {
            let owner: i64 = row.try_get(0)?;
            if owner != user_id {
                return Err(AppError::refused(ErrorCode::Forbidden));
            }
            return Ok(row.try_get::<i64, _>(1)? as u64);
        }
        sqlx::query(
            "INSERT INTO sync_clients (client_id, user_id, last_mid, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (client_id) DO NOTHING",
        )
        .bind(client_id)
        .bind(user_id)
        .bind(0i64)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Err(AppError::Internal(anyhow::anyhow!("client row for {client_id} could not be locked")))
}

/// Takes the next change-log sequence number inside the transaction (commit order: the
/// counter row is held until commit).
async fn next_seqs(tx: &mut Tx, n: usize) -> Result<i64, AppError> {
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
struct Pending {
    revisions: Vec<Vec<Value>>,
    /// (item id, at) in the order of the changes.
    changes: Vec<(String, i64)>,
    /// (mid, result, result as stored, the mutation's digest).
    results: Vec<(u64, MutationResult, String, String)>,
}

impl Pending {
    async fn flush(self, tx: &mut Tx, client_id: &str) -> Result<(), AppError> {
        insert_many(&mut **tx, "item_revisions", &["item_id", "rev", "state", "content", "actor_id", "at"], &self.revisions).await?;
        if !self.changes.is_empty() {
            let first = next_seqs(tx, self.changes.len()).await?;
            // Author and reviewing office from the item as it now stands (so both pull it).
            for (k, chunk) in self.changes.chunks(MAX_PARAMETERS / 3).enumerate() {
                let base = first + (k * (MAX_PARAMETERS / 3)) as i64;
                let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3)).collect();
                let sql = format!(
                    "WITH v(seq, item_id, at) AS (VALUES {}) INSERT INTO change_log (seq, item_id, author_id, office_id, at) \
                     SELECT v.seq, i.id, i.author_id, i.office_id, v.at FROM v JOIN items i ON i.id = v.item_id",
                    values.join(", ")
                );
                let mut q = sqlx::query(&sql);
                for (i, (id, at)) in chunk.iter().enumerate() {
                    q = q.bind(base + i as i64).bind(id.as_str()).bind(*at);
                }
                q.execute(&mut **tx).await?;
            }
        }
        let results: Vec<Vec<Value>> = self
            .results
            .into_iter()
            .map(|(mid, _, stored, digest)| {
                vec![Value::Text(client_id.to_owned()), Value::Int(mid as i64), Value::Text(stored), Value::Text(digest)]
            })
            .collect();
        insert_many(&mut **tx, "mutation_results", &["client_id", "mid", "result", "digest"], &results).await?;
        Ok(())
    }

    /// How much is collected, to undo a mutation that failed halfway ([`Pending::truncate`]).
    fn mark(&self) -> (usize, usize) {
        (self.revisions.len(), self.changes.len())
    }

    fn truncate(&mut self, (revisions, changes): (usize, usize)) {
        self.revisions.truncate(revisions);
        self.changes.truncate(changes);
    }
}

fn snapshot(row: &AnyRow) -> Result<(ItemSnapshot, Option<i64>), AppError> {
    let state: String = row.try_get("state")?;
    let content: String = row.try_get("content")?;
    let review: String = row.try_get("review")?;
    let snap = ItemSnapshot {
        id: row.try_get("id")?,
        rev: row.try_get::<i64, _>("rev")? as u64,
        state: stored(ItemState::parse(&state), "items.state", &state)?,
        content: stored_json(&content, "items.content")?,
        author_id: row.try_get("author_id")?,
        unit_id: row.try_get("unit_id")?,
        updated_at: row.try_get("updated_at")?,
        author_name: row.try_get("author_name")?,
        unit_name: row.try_get("unit_name")?,
        review: serde_json::from_str(&review).ok(),
        comments: Vec::new(),
        quality: serde_json::from_str::<serde_json::Value>(&row.try_get::<String, _>("quality")?)
            .ok()
            .and_then(|q| q["summary"].as_str().map(str::to_owned)),
        late_minutes: row.try_get("late_minutes")?,
    };
    Ok((snap, row.try_get("office_id")?))
}

/// An item as clients see it, with its comment thread, and the office that reviews it.
async fn load_item(tx: &mut Tx, id: &str) -> Result<Option<(ItemSnapshot, Option<i64>)>, AppError> {
    let row = sqlx::query(
        "SELECT i.id, i.rev, i.state, i.content, i.author_id, i.unit_id, i.updated_at, i.review, i.office_id, i.quality, \
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
    Ok(Some((item, office)))
}

/// The office that reviews items written in `unit` (the nearest office above it).
async fn office_of(tx: &mut Tx, unit: i64) -> Result<Option<i64>, AppError> {
    Ok(reviewing_office(&crate::office::unit_nodes(&mut **tx).await?, unit))
}

/// Writes the item's new state and content at `rev`, and logs the change. A new item (`exists`
/// false) is recorded under `office`, the reviewing office of its author's unit. The write is
/// guarded in the SQL itself — an update only from `rev - 1`, an insert only where no item has
/// the id — so two servers deciding on one item at once never both write: the one that finds
/// the item moved on gets `false` (nothing written) and answers a conflict.
#[allow(clippy::too_many_arguments)]
async fn write_item(
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
    let written = if exists {
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

use crate::items::office_content;

/// `item` as `me` may see it ([`may_read_item`] already passed): the author sees it as it is;
/// anyone else, while it is back with its author, sees the text the office returned.
async fn as_seen_by(tx: &mut Tx, me: &xinbao_core::api::Me, mut item: ItemSnapshot) -> Result<ItemSnapshot, AppError> {
    if item.author_id != me.user_id && item.state == ItemState::Returned {
        match office_content(&mut **tx, &item.id, item.author_id).await? {
            Some(c) => item.content = c,
            None => item.content = DraftContent::default(),
        }
    }
    Ok(item)
}

/// The item as it now stands, after a guarded write found it moved on: answered as a conflict
/// (the proposal kept), or as not the caller's.
async fn moved_on(tx: &mut Tx, client_id: &str, m: &Mutation, me: &xinbao_core::api::Me) -> Result<Outcome, AppError> {
    match load_item(tx, &m.item_id).await? {
        Some((item, office)) => keep_conflict(tx, me, client_id, m, &item, office).await,
        None => Ok(not_yours()),
    }
}

/// The writing checks' report on `content` as JSON, with the report it follows (for a 续报)
/// as context — the very function the officer's editor runs.
async fn quality_report(tx: &mut Tx, me: &xinbao_core::api::Me, content: &DraftContent) -> Result<String, AppError> {
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    let rules = RULES.get_or_init(Rules::default);
    let follows = match &content.follows {
        Some(id) => sqlx::query("SELECT body FROM items WHERE id = $1 AND author_id = $2")
            .bind(id)
            .bind(me.user_id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get::<String, _>(0))
            .transpose()?,
        None => None,
    };
    let report = quality::check(
        quality::Input { title: &content.title, body: &content.body, item_type: content.item_type },
        quality::Context { follows: follows.as_deref(), others: &[] },
        rules,
    );
    let summary = report.summary(xinbao_core::i18n::Lang::Zh);
    let mut json = serde_json::to_value(&report).map_err(|e| AppError::Internal(e.into()))?;
    json["summary"] = serde_json::Value::String(summary);
    Ok(json.to_string())
}

fn check_client_id(id: &str) -> Result<(), AppError> {
    if valid_client_id(id) { Ok(()) } else { Err(AppError::bad_request("client_id must be 32 hex digits")) }
}

fn rejected(reason: RejectReason, detail: impl Into<String>) -> Outcome {
    Outcome::Rejected { reason, detail: detail.into() }
}

/// The answer about an item the caller may not read: the same whether it exists or not.
fn not_yours() -> Outcome {
    rejected(RejectReason::NotYours, RejectReason::NotYours.text().zh)
}

/// A stored answer, replayed, passes the read rule ([`may_read_item`]) again as the item stands
/// now (a fresh one passed it in [`keep_conflict`], the only place a conflict is made). Only a
/// conflict carries an item's words; one the caller may no longer read (the item deleted, the
/// caller moved to another unit since) is answered as not theirs.
async fn readable_answer(tx: &mut Tx, me: &xinbao_core::api::Me, outcome: Outcome) -> Result<Outcome, AppError> {
    let Outcome::Conflict { server } = &outcome else { return Ok(outcome) };
    Ok(match load_item(tx, &server.id).await? {
        Some((now, office)) if may_read_item(me, now.author_id, office, now.state) && now.author_id == server.author_id => outcome,
        _ => not_yours(),
    })
}

/// Decides and writes one mutation (the client row is already locked).
/// `office` is the reviewing office of the author's unit, worked out once per push for the items
/// the push creates.
async fn apply(
    tx: &mut Tx,
    pending: &mut Pending,
    me: &xinbao_core::api::Me,
    client_id: &str,
    m: &Mutation,
    office: Option<i64>,
) -> Result<Outcome, AppError> {
    if !valid_item_id(&m.item_id) {
        return Ok(rejected(RejectReason::BadId, RejectReason::BadId.text().zh));
    }
    if let Op::Save { content } | Op::Submit { content } | Op::Act { content: Some(content), .. } = &m.op
        && let Err(why) = check_storable(content)
    {
        return Ok(rejected(RejectReason::Invalid, why.zh));
    }
    let loaded = load_item(tx, &m.item_id).await?;
    if let Op::Act { .. } | Op::Comment { .. } = &m.op {
        return review(tx, pending, me, client_id, m, loaded).await;
    }
    let (current, item_office) = match loaded {
        Some((item, office)) => (Some(item), office),
        None => (None, None),
    };
    if let Some(item) = &current {
        if item.author_id != me.user_id {
            return Ok(not_yours());
        }
        if item.rev != m.base_rev {
            return keep_conflict(tx, me, client_id, m, item, item_office).await;
        }
        // A withdrawn draft can be restored (saved or submitted again), a returned one revised;
        // anything else is with the office.
        if !item.state.authors_turn() {
            return Ok(rejected(RejectReason::WrongState, RejectReason::WrongState.text().zh));
        }
    }
    apply_authors(tx, pending, me, client_id, m, current, office).await
}

/// Keeps a proposal made on a stale revision, and answers with the server's version — to
/// someone who may read it ([`may_read_item`]); anyone else learns nothing and leaves nothing.
async fn keep_conflict(
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

/// The author's own operations: save, submit, delete.
async fn apply_authors(
    tx: &mut Tx,
    pending: &mut Pending,
    me: &xinbao_core::api::Me,
    client_id: &str,
    m: &Mutation,
    current: Option<ItemSnapshot>,
    office: Option<i64>,
) -> Result<Outcome, AppError> {
    // Photos travel first (`/api/attachments`); a mutation naming one that never arrived — or
    // one the author may not read — is refused rather than stored with a hole in it.
    if let Op::Save { content } | Op::Submit { content } = &m.op {
        for photo in &content.photos {
            let found = if valid_sha256(&photo.sha256) {
                sqlx::query(&crate::access::readable_sql("1"))
                    .bind(&photo.sha256)
                    .bind(me.user_id)
                    .bind(reviewed_office(me))
                    .fetch_optional(&mut **tx)
                    .await?
                    .is_some()
            } else {
                false
            };
            if !found {
                return Ok(rejected(RejectReason::MissingAttachment, RejectReason::MissingAttachment.text().zh));
            }
        }
    }
    let exists = current.is_some();
    let rev = current.as_ref().map_or(0, |i| i.rev) + 1;
    match &m.op {
        Op::Save { content } => {
            // A returned item being revised stays returned until it is submitted again.
            let state =
                if current.as_ref().is_some_and(|i| i.state == ItemState::Returned) { ItemState::Returned } else { ItemState::Draft };
            if !write_item(tx, pending, me, &m.item_id, rev, state, content, exists, office).await? {
                return moved_on(tx, client_id, m, me).await;
            }
        }
        Op::Submit { content } => {
            let problems = check_submittable(content);
            if !problems.is_empty() {
                let detail = problems.iter().map(|p| p.message.zh).collect::<Vec<_>>().join("；");
                return Ok(rejected(RejectReason::Invalid, detail));
            }
            if !write_item(tx, pending, me, &m.item_id, rev, ItemState::Submitted, content, exists, office).await? {
                return moved_on(tx, client_id, m, me).await;
            }
            // Its office is decided now: a draft begun before its unit moved to another office
            // goes to the office that oversees the unit today (`submission_office`).
            if let Some(item) = &current {
                let first =
                    sqlx::query("SELECT 1 FROM submissions WHERE item_id = $1").bind(&m.item_id).fetch_optional(&mut **tx).await?.is_none();
                let recorded = load_item(tx, &m.item_id).await?.and_then(|(_, o)| o);
                let now = office_of(tx, item.unit_id).await?;
                let decided = submission_office(first, recorded, now);
                if decided != recorded {
                    sqlx::query("UPDATE items SET office_id = $1 WHERE id = $2").bind(decided).bind(&m.item_id).execute(&mut **tx).await?;
                }
            }
            // The editor's queue shows what the officer saw while writing: the same checks.
            let report = quality_report(tx, me, content).await?;
            sqlx::query("UPDATE items SET quality = $1 WHERE id = $2").bind(report).bind(&m.item_id).execute(&mut **tx).await?;
            audit(tx, me.user_id, "submit", &m.item_id, &content.title).await?;
            // A submitted item counts as a submission (报送数) whatever becomes of it.
            let now = now_ms();
            if let Some((office, credit)) = crate::scores::record_submission(tx, &m.item_id, content, now).await? {
                crate::commissions::record_answer(tx, office, &credit, content, now).await?;
            }
        }
        Op::Delete => match &current {
            Some(item) => {
                if !write_item(tx, pending, me, &m.item_id, rev, ItemState::Deleted, &item.content, true, None).await? {
                    return moved_on(tx, client_id, m, me).await;
                }
                // Withdrawn, it answers no commission (submitted again, it answers anew).
                sqlx::query("DELETE FROM commission_answers WHERE item_id = $1").bind(&m.item_id).execute(&mut **tx).await?;
            }
            None => return Ok(Outcome::Applied { rev: 0 }),
        },
        Op::Act { .. } | Op::Comment { .. } => return Ok(rejected(RejectReason::BadId, RejectReason::BadId.text().zh)),
    }
    Ok(Outcome::Applied { rev })
}

/// A reviewer's action or anyone's comment: decided by `xinbao_core::review`, recorded with
/// who, when, from, to and the note.
async fn review(
    tx: &mut Tx,
    pending: &mut Pending,
    me: &xinbao_core::api::Me,
    client_id: &str,
    m: &Mutation,
    loaded: Option<(ItemSnapshot, Option<i64>)>,
) -> Result<Outcome, AppError> {
    // Whether the item exists, and what it is, is told only to someone who may read it.
    let Some((item, office)) = loaded.filter(|(item, office)| may_read_item(me, item.author_id, *office, item.state)) else {
        return Ok(not_yours());
    };
    let now = now_ms();
    match &m.op {
        Op::Comment { text, key } => {
            // Refused with the reason, never cut short: the author keeps every word.
            let text = text.trim();
            if let Err(why) = xinbao_core::review::check_note(text, true) {
                return Ok(rejected(RejectReason::Invalid, why.zh));
            }
            // One comment per key, however often it is sent (a lost answer, then a start over
            // under a new client id).
            let key = key.trim();
            if !key.is_empty() && key.len() <= 64 {
                let known = sqlx::query("SELECT 1 FROM comments WHERE item_id = $1 AND author_id = $2 AND comment_key = $3")
                    .bind(&m.item_id)
                    .bind(me.user_id)
                    .bind(key)
                    .fetch_optional(&mut **tx)
                    .await?;
                if known.is_some() {
                    return Ok(Outcome::Applied { rev: item.rev });
                }
            }
            // The unique index on (item, author, key) keeps it one even when two copies of a
            // profile send it at the same moment (NULL keys, from older clients, never collide).
            let inserted = sqlx::query(
                "INSERT INTO comments (item_id, author_id, at, text, comment_key) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(&m.item_id)
            .bind(me.user_id)
            .bind(now)
            .bind(text)
            .bind((!key.is_empty() && key.len() <= 64).then_some(key))
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(Outcome::Applied { rev: item.rev });
            }
            audit(tx, me.user_id, "comment", &m.item_id, text).await?;
            pending.changes.push((m.item_id.clone(), now));
            Ok(Outcome::Applied { rev: item.rev })
        }
        Op::Act { action, note, content } => {
            if item.rev != m.base_rev {
                return keep_conflict(tx, me, client_id, m, &item, office).await;
            }
            if let Err(why) = xinbao_core::review::check_note(note.trim(), false) {
                return Ok(rejected(RejectReason::Invalid, why.zh));
            }
            let urgent = item.content.item_type == ItemType::Urgent;
            let next = match decide(Actor::of(me, office), item.state, urgent, *action, note) {
                Ok(next) => next,
                Err(denied) => return Ok(rejected(RejectReason::Refused, denied.text().zh)),
            };
            let text = match content {
                Some(c) if action.carries_text() => {
                    // The editor's text is held to what the author's was held to on submission,
                    // and names only photos already on the item or sent by its author or by
                    // this editor — never a hash from another item the editor happens to read.
                    let problems = check_submittable(c);
                    if !problems.is_empty() {
                        let detail = problems.iter().map(|p| p.message.zh).collect::<Vec<_>>().join("；");
                        return Ok(rejected(RejectReason::Invalid, detail));
                    }
                    for photo in &c.photos {
                        if item.content.photos.iter().any(|p| p.sha256 == photo.sha256) {
                            continue;
                        }
                        let held = valid_sha256(&photo.sha256)
                            && sqlx::query("SELECT 1 FROM attachment_holders WHERE sha256 = $1 AND user_id IN ($2, $3)")
                                .bind(&photo.sha256)
                                .bind(item.author_id)
                                .bind(me.user_id)
                                .fetch_optional(&mut **tx)
                                .await?
                                .is_some();
                        if !held {
                            return Ok(rejected(RejectReason::MissingAttachment, RejectReason::MissingAttachment.text().zh));
                        }
                    }
                    c
                }
                _ => &item.content,
            };
            let rev = item.rev + 1;
            if !write_item(tx, pending, me, &m.item_id, rev, next, text, true, None).await? {
                return moved_on(tx, client_id, m, me).await;
            }
            let note_json =
                serde_json::to_string(&ReviewNote { action: *action, note: note.trim().to_owned(), by: me.display_name.clone(), at: now })
                    .map_err(|e| AppError::Internal(e.into()))?;
            sqlx::query("UPDATE items SET review = $1 WHERE id = $2").bind(note_json).bind(&m.item_id).execute(&mut **tx).await?;
            let detail = format!("{} → {}：{}", item.state.as_str(), next.as_str(), note.trim());
            audit(tx, me.user_id, &format!("review:{}", action.as_str()), &m.item_id, &detail).await?;
            Ok(Outcome::Applied { rev })
        }
        _ => Ok(rejected(RejectReason::BadId, RejectReason::BadId.text().zh)),
    }
}

async fn audit(tx: &mut Tx, actor: i64, action: &str, subject: &str, detail: &str) -> Result<(), AppError> {
    Ok(crate::accounts::audit_in(&mut **tx, Some(actor), action, subject, detail).await?)
}

/// `POST /api/sync/push`
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", request_body = PushRequest,
    responses((status = 200, description = "One result per mutation processed; `expected` on a gap", body = PushResponse),
              (status = 403, description = "The client id belongs to another account", body = xinbao_core::api::ErrorBody),
              (status = 413, description = "More than 200 mutations, or a body over the limit", body = xinbao_core::api::ErrorBody),
              (status = 503, description = "Database unavailable: retry with backoff", body = xinbao_core::api::ErrorBody)))]
pub async fn push(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    ApiJson(req): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, AppError> {
    check_client_id(&req.client_id)?;
    if req.mutations.len() > MAX_BATCH {
        return Err(AppError::Refused(ErrorCode::TooLarge, Some(format!("一次最多报送{MAX_BATCH}条修改，请分批发送"))));
    }
    // The whole batch is one transaction: the client row is locked first (a concurrent push of
    // the same batch waits, then finds every mid already processed), and one commit makes the
    // batch durable before anything is acknowledged. A failure rolls everything back; the
    // client sends the same mids again.
    let mut tx = state.db.begin_write().await?;
    let known = lock_client(&mut tx, &req.client_id, me.user_id).await?;
    let epoch = crate::db::Db::epoch(&mut *tx).await?;
    let office = office_of(&mut tx, me.unit_id).await?;
    let mut last_mid = known;
    let mut results = Vec::with_capacity(req.mutations.len());
    let mut expected = None;
    let mut reused = None;
    let mut replayed = 0;
    let mut pending = Pending::default();
    for m in &req.mutations {
        let digest = m.digest();
        if let Some((_, r, _, d)) = pending.results.iter().find(|(mid, ..)| *mid == m.mid) {
            // The same mid twice in one batch: its result, once — if it asks the same.
            if *d != digest {
                reused = Some(m.mid);
                break;
            }
            results.push(r.clone());
            replayed += 1;
            continue;
        }
        if m.mid <= last_mid {
            // Processed before: its stored result, nothing done twice — but only for the very
            // mutation that was answered. Another one under a used mid means the client went back
            // in time; answering it from the store would tell it the server holds what it never got.
            let row = sqlx::query("SELECT result, digest FROM mutation_results WHERE client_id = $1 AND mid = $2")
                .bind(&req.client_id)
                .bind(m.mid as i64)
                .fetch_optional(&mut *tx)
                .await?;
            let stored = match &row {
                Some(row) => {
                    // A result stored before digests were kept cannot be told apart from another
                    // mutation under the same mid: never trusted (a genuine retry costs one start over).
                    let same = row.try_get::<Option<String>, _>(1)?.is_some_and(|d| d == digest);
                    let result = serde_json::from_str::<MutationResult>(&row.try_get::<String, _>(0)?).ok();
                    result.filter(|r| same && (r.item_id.is_empty() || r.item_id == m.item_id))
                }
                None => None,
            };
            match stored {
                Some(mut r) => {
                    r.item_id = m.item_id.clone();
                    r.outcome = readable_answer(&mut tx, &me, r.outcome).await?;
                    results.push(r);
                    replayed += 1;
                    continue;
                }
                None => {
                    reused = Some(m.mid);
                    break;
                }
            }
        }
        if m.mid > last_mid + 1 {
            expected = Some(last_mid + 1);
            break;
        }
        // Each mutation in its own savepoint: one the database refuses for what it holds (a NUL
        // character PostgreSQL will not store, a value out of range) is rejected with its
        // reason, and the rest of the batch goes on.
        sqlx::query("SAVEPOINT mutation").execute(&mut *tx).await?;
        let mark = pending.mark();
        let outcome = match apply(&mut tx, &mut pending, &me, &req.client_id, m, office).await {
            Ok(outcome) => {
                sqlx::query("RELEASE SAVEPOINT mutation").execute(&mut *tx).await?;
                outcome
            }
            Err(AppError::Db(e)) if crate::error::deterministic(&e) => {
                tracing::warn!(error = %e, mid = m.mid, item = %m.item_id, "mutation refused by the database");
                sqlx::query("ROLLBACK TO SAVEPOINT mutation").execute(&mut *tx).await?;
                sqlx::query("RELEASE SAVEPOINT mutation").execute(&mut *tx).await?;
                pending.truncate(mark);
                rejected(RejectReason::Invalid, "服务器无法保存这条修改（内容含有数据库不接受的字符或数值），请检查后重新编辑")
            }
            Err(e) => return Err(e),
        };
        let result = MutationResult { mid: m.mid, item_id: m.item_id.clone(), outcome };
        let stored = serde_json::to_string(&result).map_err(|e| AppError::Internal(e.into()))?;
        last_mid = m.mid;
        results.push(result.clone());
        pending.results.push((m.mid, result, stored, digest));
    }
    pending.flush(&mut tx, &req.client_id).await?;
    if last_mid != known {
        sqlx::query("UPDATE sync_clients SET last_mid = $1 WHERE client_id = $2")
            .bind(last_mid as i64)
            .bind(&req.client_id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(mid) = reused {
        // Remembered beside the client: the PC will come back with this id after its next reboot
        // (its disk goes back to the image), and its first pull says so.
        sqlx::query("UPDATE sync_clients SET went_back_at = $1 WHERE client_id = $2")
            .bind(now_ms())
            .bind(&req.client_id)
            .execute(&mut *tx)
            .await?;
        tracing::warn!(client = %req.client_id, user = me.user_id, mid, last_mid, "a client reused a mutation id: its device went back in time");
    }
    // Acknowledged only once durable (WAL + synchronous=FULL, or a PostgreSQL commit).
    tx.commit().await?;
    let fresh: Vec<&Outcome> = results.iter().skip(replayed).map(|r| &r.outcome).collect();
    state.metrics.pushed(&fresh, replayed);
    Ok(Json(PushResponse { results, last_mid, expected, reused, epoch, server_time: now_ms() }))
}

/// `POST /api/sync/pull`: the current version of every item of the account changed after the
/// cursor, a page at a time, read in one snapshot.
#[utoipa::path(post, path = "/api/sync/pull", tag = "sync", request_body = PullRequest,
    responses((status = 200, description = "Changes after the cursor, a page at a time", body = PullResponse),
              (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn pull(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    ApiJson(req): ApiJson<PullRequest>,
) -> Result<Json<PullResponse>, AppError> {
    check_client_id(&req.client_id)?;
    let mut tx = state.db.pool.begin().await?;
    if state.db.backend == Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
    }
    let client = sqlx::query("SELECT user_id, last_mid, went_back_at FROM sync_clients WHERE client_id = $1")
        .bind(&req.client_id)
        .fetch_optional(&mut *tx)
        .await?;
    let (last_mid, went_back) = match client {
        Some(row) => {
            if row.try_get::<i64, _>(0)? != me.user_id {
                return Err(AppError::refused(ErrorCode::Forbidden));
            }
            (row.try_get::<i64, _>(1)? as u64, row.try_get::<Option<i64>, _>(2)?.is_some())
        }
        None => (0, false),
    };
    let head: i64 = sqlx::query("SELECT value FROM seq_counter WHERE id = 1").fetch_one(&mut *tx).await?.try_get(0)?;
    let epoch = crate::db::Db::epoch(&mut *tx).await?;
    let (cursor, reset) = if req.cursor as i64 > head { (0, true) } else { (req.cursor as i64, false) };
    // An officer pulls their own items; an editor or signer also those their office reviews.
    let office = reviewed_office(&me);
    let rows = sqlx::query(
        "SELECT item_id, MAX(seq) AS s FROM change_log WHERE (author_id = $1 OR office_id = $2) AND seq > $3 \
         GROUP BY item_id ORDER BY s LIMIT $4",
    )
    .bind(me.user_id)
    .bind(office)
    .bind(cursor)
    .bind(PULL_PAGE as i64 + 1)
    .fetch_all(&mut *tx)
    .await?;
    let has_more = rows.len() > PULL_PAGE;
    let mut changes = Vec::new();
    let mut next_cursor = if has_more { cursor } else { head.max(cursor) };
    for row in rows.iter().take(PULL_PAGE) {
        let id: String = row.try_get(0)?;
        let seq: i64 = row.try_get(1)?;
        // Drafts are their author's alone, even in the office's log.
        if let Some((item, item_office)) = load_item(&mut tx, &id).await?
            && may_read_item(&me, item.author_id, item_office, item.state)
        {
            changes.push(as_seen_by(&mut tx, &me, item).await?);
        }
        if has_more {
            next_cursor = seq;
        }
    }
    tx.commit().await?;
    Ok(Json(PullResponse { changes, cursor: next_cursor as u64, last_mid, has_more, reset, epoch, server_time: now_ms(), went_back }))
}

/// `GET /api/items/{id}/revisions`: every version of an item, oldest first — for its author and
/// for the editors and signers of the office that reviews it (the character diff between any
/// two is drawn in the browser with `xinbao_core::diff`).
#[utoipa::path(get, path = "/api/items/{id}/revisions", tag = "review",
    params(("id" = String, Path, description = "The item id")),
    responses((status = 200, body = Vec<Revision>), (status = 404, description = "No such item, or not yours to see", body = xinbao_core::api::ErrorBody)))]
pub async fn revisions(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<Vec<Revision>>, AppError> {
    let mut tx = state.db.pool.begin().await?;
    let Some((item, office)) = load_item(&mut tx, &id).await? else { return Err(AppError::refused(ErrorCode::NotFound)) };
    // Someone else's item answers as if it did not exist.
    if !may_read_item(&me, item.author_id, office, item.state) {
        return Err(AppError::refused(ErrorCode::NotFound));
    }
    let rows = sqlx::query(
        "SELECT r.rev, r.state, r.content, u.display_name, r.at, r.actor_id FROM item_revisions r JOIN users u ON u.id = r.actor_id \
         WHERE r.item_id = $1 ORDER BY r.rev",
    )
    .bind(&id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let state: String = r.try_get(1)?;
        let content: String = r.try_get(2)?;
        let rev_state = stored(ItemState::parse(&state), "item_revisions.state", &state)?;
        let by_author = r.try_get::<i64, _>(5)? == item.author_id;
        if !may_read_revision(&me, item.author_id, office, item.state, rev_state, by_author) {
            continue;
        }
        out.push(Revision {
            rev: r.try_get::<i64, _>(0)? as u64,
            state: rev_state,
            content: stored_json(&content, "item_revisions.content")?,
            by: r.try_get(3)?,
            at: r.try_get(4)?,
        });
    }
    Ok(Json(out))
}

/// Filters of the review queue.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct QueueQuery {
    /// One state (e.g. `submitted`); default: every state after submission.
    pub state: Option<String>,
    /// One reporting unit.
    pub unit: Option<i64>,
    /// One item type (e.g. `urgent`).
    pub item_type: Option<String>,
    /// Substring of the title.
    pub q: Option<String>,
    /// Page size (default 50, at most 200) and offset.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// `GET /api/review/queue`: the items the caller's office reviews, filtered and paged on the
/// server (an office with a hundred thousand items does not pull them all to screen a page).
#[utoipa::path(get, path = "/api/review/queue", tag = "review", params(QueueQuery),
    responses((status = 200, body = Vec<xinbao_core::api::QueueRow>), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    axum::extract::Query(q): axum::extract::Query<QueueQuery>,
) -> Result<Json<Vec<xinbao_core::api::QueueRow>>, AppError> {
    if !matches!(me.role, Role::Editor | Role::Signer) {
        return Err(AppError::refused(ErrorCode::Forbidden));
    }
    let wanted = match q.state.as_deref() {
        Some(s) => match ItemState::parse(s) {
            Some(st) if !matches!(st, ItemState::Draft | ItemState::Deleted) => Some(st),
            _ => return Err(AppError::bad_request("未知的稿件状态")),
        },
        None => None,
    };
    let kind = match q.item_type.as_deref() {
        Some(t) => Some(ItemType::parse(t).ok_or_else(|| AppError::bad_request("未知的信息类型"))?),
        None => None,
    };
    // Only the filters asked for go into the SQL, so the planner can read the page in order
    // off `items_queue_state` / `items_queue_all` (migration 12) instead of sorting every match.
    let text = q.q.as_deref().unwrap_or("");
    let unit = q.unit.filter(|u| *u != 0);
    let mut sql = String::from(
        "SELECT i.id, i.title, i.state, i.item_type, n.name, u.display_name, i.updated_at, i.quality, i.author_id \
         FROM items i JOIN units n ON n.id = i.unit_id JOIN users u ON u.id = i.author_id WHERE i.office_id = $1",
    );
    let mut n = 1;
    let mut next = || {
        n += 1;
        n
    };
    match wanted {
        Some(_) => sql.push_str(&format!(" AND i.state = ${}", next())),
        None => sql.push_str(" AND i.state NOT IN ('draft', 'deleted')"),
    }
    if unit.is_some() {
        sql.push_str(&format!(" AND i.unit_id = ${}", next()));
    }
    if kind.is_some() {
        sql.push_str(&format!(" AND i.item_type = ${}", next()));
    }
    if !text.is_empty() {
        sql.push_str(&format!(" AND i.title LIKE ${} ESCAPE '\\'", next()));
    }
    let (limit, offset) = (next(), next());
    sql.push_str(&format!(" ORDER BY CASE WHEN i.item_type = 'urgent' THEN 0 ELSE 1 END, i.updated_at LIMIT ${limit} OFFSET ${offset}"));
    let mut query = sqlx::query(&sql).bind(me.unit_id);
    if let Some(st) = wanted {
        query = query.bind(st.as_str());
    }
    if let Some(unit) = unit {
        query = query.bind(unit);
    }
    if let Some(k) = kind {
        query = query.bind(k.as_str());
    }
    if !text.is_empty() {
        query = query.bind(crate::db::like_pattern(text));
    }
    let rows = query.bind(q.limit.unwrap_or(50).clamp(1, 200)).bind(q.offset.unwrap_or(0).max(0)).fetch_all(&state.db.pool).await?;
    let state_db = &state.db;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let quality: String = r.try_get(7)?;
        let raw_state: String = r.try_get(2)?;
        let (id, state): (String, ItemState) = (r.try_get(0)?, stored(ItemState::parse(&raw_state), "items.state", &raw_state)?);
        // Back with its author: the title as the office returned it, not as it is being revised.
        let title = if state == ItemState::Returned {
            let author: i64 = r.try_get(8)?;
            office_content(&state_db.pool, &id, author).await?.map(|c| c.title).unwrap_or_default()
        } else {
            r.try_get(1)?
        };
        out.push(xinbao_core::api::QueueRow {
            id,
            title,
            state,
            item_type: {
                let raw: String = r.try_get(3)?;
                stored(ItemType::parse(&raw), "items.item_type", &raw)?
            },
            unit_name: r.try_get(4)?,
            author_name: r.try_get(5)?,
            updated_at: r.try_get(6)?,
            quality: serde_json::from_str::<serde_json::Value>(&quality).ok().and_then(|v| v["summary"].as_str().map(str::to_owned)),
        });
    }
    Ok(Json(out))
}
