//! The server's half of sync (docs/sync-protocol.md): `POST /api/sync/push` applies a batch of mutations in one
//! transaction — client row locked first, replays answered from stored results, gaps refused,
//! stale bases kept as conflicts, invalid content rejected (still advancing `last_mid`) — and
//! `POST /api/sync/pull` pages through a commit-ordered change log in one snapshot. The author's
//! own operations are applied here; reviewer actions and comments go to [`crate::review::apply`],
//! and both write through the item repository ([`crate::items`]).

use crate::auth::CurrentUser;
use crate::db::{Backend, now_ms};
use crate::error::{ApiJson, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::ErrorCode;
use xinbao_core::item::{check_storable, check_submittable, valid_sha256};
use xinbao_core::review::{may_read_item, submission_office};
use xinbao_core::sync::{
    ItemSnapshot, ItemState, MAX_BATCH, Mutation, MutationResult, Op, Outcome, PULL_PAGE, PullRequest, PullResponse, PushRequest,
    PushResponse, RejectReason, valid_client_id, valid_item_id,
};

use crate::access::reviewed_office;
use crate::db::Tx;
use crate::items::*;
use std::collections::HashSet;

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

/// The writing checks' report on `content` as JSON, with the report it follows (for a 续报)
/// as context — the very function the officer's editor runs.
fn check_client_id(id: &str) -> Result<(), AppError> {
    if valid_client_id(id) { Ok(()) } else { Err(AppError::bad_request("client_id must be 32 hex digits")) }
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
    absent: &HashSet<&str>,
) -> Result<Outcome, AppError> {
    if !valid_item_id(&m.item_id) {
        return Ok(rejected(RejectReason::BadId, RejectReason::BadId.text().zh));
    }
    if let Op::Save { content } | Op::Submit { content } | Op::Act { content: Some(content), .. } = &m.op
        && let Err(why) = check_storable(content)
    {
        return Ok(rejected(RejectReason::Invalid, why.zh));
    }
    // An item absent when the batch began is not read again for a save or a submit: their write
    // is guarded in the SQL (an insert only where no item has the id), so one created meanwhile
    // by another server answers a conflict. Anything else reads it.
    let guarded = matches!(m.op, Op::Save { .. } | Op::Submit { .. });
    let loaded = if guarded && absent.contains(m.item_id.as_str()) { None } else { load_item(tx, &m.item_id).await? };
    if let Op::Act { .. } | Op::Comment { .. } = &m.op {
        return crate::review::apply(tx, pending, me, client_id, m, loaded).await;
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
            let report = crate::quality::on_submission(tx, me, &m.item_id, content).await?;
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
            None => return Ok(Outcome::Applied { rev: 0, signing: None }),
        },
        Op::Act { .. } | Op::Comment { .. } => return Ok(rejected(RejectReason::BadId, RejectReason::BadId.text().zh)),
    }
    Ok(Outcome::Applied { rev, signing: None })
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
    //
    // It runs without a savepoint per mutation first (the common case: nothing the database
    // refuses). A mutation the database refuses for what it holds rolls that attempt back, and
    // the batch runs again with a savepoint around each mutation, so that one is rejected with
    // its reason and the rest go on.
    let (tx, done) = match process(&state, &me, &req, false).await? {
        Some(done) => done,
        None => process(&state, &me, &req, true).await?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("a careful push gave up")))?,
    };
    let Processed { results, last_mid, expected, reused, replayed, epoch } = done;
    // Acknowledged only once durable (WAL + synchronous=FULL, or a PostgreSQL commit).
    tx.commit().await?;
    // An urgent item among them is announced now, not at the announcer's next poll.
    state.announcer.nudge();
    let fresh: Vec<&Outcome> = results.iter().skip(replayed).map(|r| &r.outcome).collect();
    state.metrics.pushed(&fresh, replayed);
    Ok(Json(PushResponse { results, last_mid, expected, reused, epoch, server_time: now_ms() }))
}

/// What a push did, before it is committed.
struct Processed {
    results: Vec<MutationResult>,
    last_mid: u64,
    expected: Option<u64>,
    reused: Option<u64>,
    /// How many of `results` were answered from the store.
    replayed: usize,
    epoch: String,
}

/// Runs a push's mutations in a new transaction, left open for the caller to commit. Not
/// `careful`, it gives up (None, everything rolled back) at the first mutation the database
/// refuses for what it holds; `careful`, it rejects that one and goes on.
async fn process(
    state: &AppState,
    me: &xinbao_core::api::Me,
    req: &PushRequest,
    careful: bool,
) -> Result<Option<(Tx, Processed)>, AppError> {
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
    // The items this batch names that do not exist yet: a new item is not looked up again
    // (until a mutation of the batch may have written it).
    let mut absent = absent_items(&mut tx, req.mutations.iter().map(|m| m.item_id.as_str())).await?;
    for m in &req.mutations {
        // Not careful, a new draft's row waits to be written with the others (one statement for
        // many instead of one each) until a mutation that may read an item comes.
        pending.defer_new = !careful && matches!(m.op, Op::Save { .. }) && absent.contains(m.item_id.as_str());
        if !pending.defer_new && !settled(&mut tx, &mut pending).await? {
            tx.rollback().await?;
            return Ok(None);
        }
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
                    r.outcome = readable_answer(&mut tx, me, r.outcome).await?;
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
        // Carefully, each mutation in its own savepoint: one the database refuses for what it
        // holds (a NUL character PostgreSQL will not store, a value out of range) is rejected
        // with its reason, and the rest of the batch goes on.
        if careful {
            sqlx::query("SAVEPOINT mutation").execute(&mut *tx).await?;
        }
        let mark = pending.mark();
        let applied = apply(&mut tx, &mut pending, me, &req.client_id, m, office, &absent).await;
        absent.remove(m.item_id.as_str());
        let outcome = match applied {
            Ok(outcome) => {
                if careful {
                    sqlx::query("RELEASE SAVEPOINT mutation").execute(&mut *tx).await?;
                }
                outcome
            }
            Err(AppError::Db(e)) if crate::error::deterministic(&e) && !careful => {
                tx.rollback().await?;
                return Ok(None);
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
    if !settled(&mut tx, &mut pending).await? {
        tx.rollback().await?;
        return Ok(None);
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
    Ok(Some((tx, Processed { results, last_mid, expected, reused, replayed, epoch })))
}

/// Writes the new items `pending` holds ([`Pending::write_new_items`]). False when the batch
/// must run again carefully: one of them exists after all, or the database refused a row (the
/// careful run finds which mutation, and rejects that one alone).
async fn settled(tx: &mut Tx, pending: &mut Pending) -> Result<bool, AppError> {
    match pending.write_new_items(tx).await {
        Ok(all) => Ok(all),
        Err(AppError::Db(e)) if crate::error::deterministic(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Which of `ids` name no item yet (one query per few hundred).
async fn absent_items<'a>(tx: &mut Tx, ids: impl Iterator<Item = &'a str>) -> Result<HashSet<&'a str>, AppError> {
    let mut absent: HashSet<&str> = ids.filter(|id| valid_item_id(id)).collect();
    let asked: Vec<&str> = absent.iter().copied().collect();
    for chunk in asked.chunks(crate::db::MAX_PARAMETERS) {
        let mut sql = crate::db::Sql::new("SELECT id FROM items WHERE id IN (");
        sql.list(chunk.iter().copied()).push(")");
        for row in sql.query(crate::db::Backend::of(tx)).fetch_all(&mut **tx).await? {
            let id: String = row.try_get(0)?;
            absent.remove(id.as_str());
        }
    }
    Ok(absent)
}

/// How far back a reviewer's pull reaches for the office's items that no longer wait.
pub const WORKING_SET_MS: i64 = 30 * 24 * 3600 * 1000;

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
    // One row per item (older changes are dropped as new ones are logged), read off the
    // (author_id, seq) and (office_id, seq) indexes a page at a time: the work is the page's,
    // however long the log after the cursor. Of the office's items a reviewer's device takes
    // its working set only — those waiting and those changed (a comment too) in the last 30 days — not the
    // office's history, which the desk pages through on the server; an older item comes again
    // the moment it changes.
    let waiting = xinbao_core::home::Home::WAITING.map(|s| format!("'{}'", s.as_str())).join(", ");
    let rows = sqlx::query(&format!(
        "SELECT item_id, seq FROM ( \
           SELECT item_id, seq FROM (SELECT item_id, seq FROM change_log WHERE author_id = $1 AND seq > $3 ORDER BY seq LIMIT $4) mine \
           UNION \
           SELECT item_id, seq FROM (SELECT c.item_id, c.seq FROM change_log c JOIN items i ON i.id = c.item_id \
             WHERE c.office_id = $2 AND c.seq > $3 AND (i.state IN ({waiting}) OR c.at >= $5) ORDER BY c.seq LIMIT $4) office \
         ) page ORDER BY seq LIMIT $4"
    ))
    .bind(me.user_id)
    .bind(office)
    .bind(cursor)
    .bind(PULL_PAGE as i64 + 1)
    .bind(now_ms() - WORKING_SET_MS)
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

/// This module's routes, each declared once by its handler's `#[utoipa::path]` (the path, the
/// method and the OpenAPI operation come from the same line).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(push)).routes(routes!(pull))
}
