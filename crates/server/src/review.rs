//! Review on the server: a reviewer's action or anyone's comment on an item, which arrive as
//! sync mutations (`Op::Act`, `Op::Comment`) and are decided by `xinbao_core::review::decide`;
//! an item's revisions (`GET /api/items/{id}/revisions`); the server-side review queue
//! (`GET /api/review/queue`).

use crate::auth::CurrentUser;
use crate::db::{Sql, Stored, Tx, decode, now_ms, stored_at, stored_json};
use crate::error::AppError;
use crate::items::*;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::ErrorCode;
use xinbao_core::item::ItemType;
use xinbao_core::item::{check_submittable, valid_sha256};
use xinbao_core::review::{Action, Actor, decide, may_read_item, may_read_revision};
use xinbao_core::role::Role;
use xinbao_core::signoff;
use xinbao_core::sync::{ItemSnapshot, ItemState, Mutation, Op, Outcome, RejectReason, ReviewNote, Revision};

/// A reviewer's action or anyone's comment: decided by `xinbao_core::review`, recorded with
/// who, when, from, to and the note.
pub(crate) async fn apply(
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
                    return Ok(Outcome::Applied { rev: item.rev, signing: None });
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
                return Ok(Outcome::Applied { rev: item.rev, signing: None });
            }
            audit(tx, me.user_id, "comment", &m.item_id, text).await?;
            pending.changes.push((m.item_id.clone(), now));
            Ok(Outcome::Applied { rev: item.rev, signing: None })
        }
        Op::Act { action, note, content, route } => {
            if item.rev != m.base_rev {
                return keep_conflict(tx, me, client_id, m, &item, office).await;
            }
            if let Err(why) = xinbao_core::review::check_note(note.trim(), false) {
                return Ok(rejected(RejectReason::Invalid, why.zh));
            }
            let urgent = item.content.item_type == ItemType::Urgent;
            let decided = match decide(Actor::of(me, office), item.state, urgent, *action, note) {
                Ok(next) => next,
                Err(denied) => return Ok(rejected(RejectReason::Refused, denied.text().zh)),
            };
            // The sign-off chain: chosen by the office's rules when the item is sent in, each
            // level signed by its own signers, started again after a send-back.
            let signing = if signoff::moves_chain(*action) {
                let office = office.unwrap_or(me.unit_id);
                let (setup, signers) = crate::signing::setup_and_signers(tx, office).await?;
                let eligible = |id: i64| signers.contains(&id);
                let mut waiting = item.signing.clone();
                if let Some(chain) = &mut waiting {
                    chain.refresh(&setup, eligible);
                }
                match action {
                    Action::SendToSignOff => {
                        let mut chain =
                            setup.chain(item.content.item_type, route.or(item.signing.as_ref().map(|s| s.route)).unwrap_or_default());
                        chain.refresh(&setup, eligible);
                        Some(chain)
                    }
                    Action::Sign | Action::SendBack if !signoff::may_sign(waiting.as_ref(), *action, me.user_id) => {
                        return Ok(rejected(RejectReason::Refused, signoff::not_your_level().zh));
                    }
                    Action::Sign => waiting.map(|s| {
                        let mut next = s.signed(me.user_id, &me.display_name, now);
                        next.refresh(&setup, eligible);
                        next
                    }),
                    _ => waiting.map(|s| s.sent_back()),
                }
            } else {
                item.signing.clone()
            };
            let next = signoff::state_after(*action, decided, signing.as_ref());
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
            let signing_json = signing.as_ref().map(serde_json::to_string).transpose().map_err(|e| AppError::Internal(e.into()))?;
            sqlx::query("UPDATE items SET review = $1, signing = $2 WHERE id = $3")
                .bind(note_json)
                .bind(signing_json)
                .bind(&m.item_id)
                .execute(&mut **tx)
                .await?;
            let detail = format!("{} → {}：{}", item.state.as_str(), next.as_str(), note.trim());
            audit(tx, me.user_id, &format!("review:{}", action.as_str()), &m.item_id, &detail).await?;
            Ok(Outcome::Applied { rev, signing: signing.filter(|_| signoff::moves_chain(*action)).map(Box::new) })
        }
        _ => Ok(rejected(RejectReason::BadId, RejectReason::BadId.text().zh)),
    }
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
    // Someone else's item answers as if it did not exist.
    let (item, office) = readable(&mut tx, &me, &id).await?;
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
        let rev_state = stored_at(ItemState::parse(&state), "item_revisions.state", &id, &state)?;
        let by_author = r.try_get::<i64, _>(5)? == item.author_id;
        if !may_read_revision(&me, item.author_id, office, item.state, rev_state, by_author) {
            continue;
        }
        out.push(Revision {
            rev: r.try_get::<i64, _>(0)? as u64,
            state: rev_state,
            content: stored_json(&content, "item_revisions.content", &id)?,
            by: r.try_get(3)?,
            at: r.try_get(4)?,
        });
    }
    Ok(Json(out))
}

/// `GET /api/items/{id}`: one item as `me` sees it, exactly as a pull would carry it — for an
/// editor who opens a queue row this device has not pulled (a new PC: the server pages the
/// queue, and what is opened joins the device's working set).
#[utoipa::path(get, path = "/api/items/{id}", tag = "review",
    params(("id" = String, Path, description = "The item id")),
    responses((status = 200, body = ItemSnapshot), (status = 404, description = "No such item, or not yours to see", body = xinbao_core::api::ErrorBody)))]
pub async fn item(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<ItemSnapshot>, AppError> {
    let mut tx = state.db.pool.begin().await?;
    let (item, _) = readable(&mut tx, &me, &id).await?;
    let seen = as_seen_by(&mut tx, &me, item).await?;
    tx.commit().await?;
    Ok(Json(seen))
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
    /// Words to find in the title, the text or the unit's name (every year).
    pub q: Option<String>,
    /// Changed at or after this moment (milliseconds since the epoch).
    pub since: Option<i64>,
    /// `waiting` (the default: urgent first, then the longest waiting) or `recent` (the latest
    /// changed first).
    pub sort: Option<String>,
    /// Page size (default 50, at most 200) and offset.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A row of the review queue as read.
#[derive(sqlx::FromRow)]
pub struct QueueRecord {
    id: String,
    title: String,
    #[sqlx(try_from = "Stored<ItemState>")]
    state: ItemState,
    #[sqlx(try_from = "Stored<ItemType>")]
    item_type: ItemType,
    unit_name: String,
    author_name: String,
    pub updated_at: i64,
    quality: String,
    author_id: i64,
    signing: Option<String>,
}

/// A queue row read as [`QueueRecord`]: a column that cannot be read names the item.
pub fn queue_record(row: &sqlx::any::AnyRow) -> Result<QueueRecord, AppError> {
    decode(row, "items", "id")
}

/// A queue row as the office sees it: an item back with its author under the title the office
/// returned, an urgent item still with the office with its 事发时间 (its countdown runs from it).
pub async fn shown_row(db: &crate::db::Db, r: QueueRecord) -> Result<xinbao_core::api::QueueRow, AppError> {
    let title = if r.state == ItemState::Returned {
        office_content(&db.pool, &r.id, r.author_id).await?.map(|c| c.title).unwrap_or_default()
    } else {
        r.title
    };
    let event_time =
        if r.item_type == ItemType::Urgent && matches!(r.state, ItemState::Submitted | ItemState::Screening | ItemState::Editing) {
            let row = sqlx::query("SELECT content FROM items WHERE id = $1").bind(&r.id).fetch_one(&db.pool).await?;
            stored_json::<xinbao_core::item::DraftContent>(&row.try_get::<String, _>(0)?, "items.content", &r.id)?.event_time
        } else {
            None
        };
    let waiting_at = match &r.signing {
        Some(chain) => stored_json::<xinbao_core::signoff::Signing>(chain, "items.signing", &r.id)?.waiting_at(),
        None => None,
    };
    Ok(xinbao_core::api::QueueRow {
        id: r.id,
        title,
        state: r.state,
        item_type: r.item_type,
        unit_name: r.unit_name,
        author_name: r.author_name,
        updated_at: r.updated_at,
        quality: serde_json::from_str::<serde_json::Value>(&r.quality).ok().and_then(|v| v["summary"].as_str().map(str::to_owned)),
        event_time,
        waiting_at,
    })
}

/// The columns a [`QueueRecord`] reads, off `items i JOIN units n JOIN users u`.
pub const QUEUE_COLUMNS: &str = "i.id, i.title, i.state, i.item_type, n.name AS unit_name, u.display_name AS author_name, i.updated_at, i.quality, i.author_id, \
     CASE WHEN i.state = 'awaiting_sign_off' THEN i.signing END AS signing \
     FROM items i JOIN units n ON n.id = i.unit_id JOIN users u ON u.id = i.author_id";

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
    let mut sql = Sql::new(&format!("SELECT {QUEUE_COLUMNS} WHERE i.office_id = "));
    sql.bind(me.unit_id);
    match wanted {
        Some(st) => sql.push(" AND i.state = ").bind(st.as_str()),
        None => sql.push(" AND i.state NOT IN ('draft', 'deleted')"),
    };
    if let Some(unit) = unit {
        sql.push(" AND i.unit_id = ").bind(unit);
    }
    if let Some(k) = kind {
        sql.push(" AND i.item_type = ").bind(k.as_str());
    }
    if !text.is_empty() {
        // An item back with its author is searched in the text the office returned: what the
        // author is revising is theirs alone until they submit it again (`office_content`).
        let like = crate::db::like_pattern(text);
        sql.push(" AND ((i.state <> 'returned' AND (i.title LIKE ")
            .bind(like.as_str())
            .push(" ESCAPE '\\' OR i.body LIKE ")
            .bind(like.as_str());
        sql.push(" ESCAPE '\\')) OR (i.state = 'returned' AND (SELECT r.content FROM item_revisions r WHERE r.item_id = i.id AND r.actor_id <> i.author_id \
                  ORDER BY r.rev DESC LIMIT 1) LIKE ").bind(like.as_str());
        sql.push(" ESCAPE '\\') OR n.name LIKE ").bind(like).push(" ESCAPE '\\')");
    }
    if let Some(since) = q.since {
        sql.push(" AND i.updated_at >= ").bind(since);
    }
    match q.sort.as_deref() {
        None | Some("waiting") => sql.push(" ORDER BY CASE WHEN i.item_type = 'urgent' THEN 0 ELSE 1 END, i.updated_at"),
        Some("recent") => sql.push(" ORDER BY i.updated_at DESC"),
        Some(_) => return Err(AppError::bad_request("未知的排序方式")),
    };
    sql.push(" LIMIT ").bind(q.limit.unwrap_or(50).clamp(1, 200)).push(" OFFSET ").bind(q.offset.unwrap_or(0).max(0));
    let rows = sql.query(state.db.backend).fetch_all(&state.db.pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(shown_row(&state.db, queue_record(r)?).await?);
    }
    Ok(Json(out))
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]` (the path, the
/// method and the OpenAPI operation come from the same line).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(item)).routes(routes!(revisions)).routes(routes!(queue))
}
