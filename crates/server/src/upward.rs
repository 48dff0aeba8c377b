//! 上报 on the server (issue 24): the office's destinations, the batches its section sends up
//! (`POST /api/upward/send`: signed items only, an urgent one alone, each once to a destination,
//! recorded once under the page's key), the list of what went up with what came back adopted
//! (`GET /api/upward`), and the statistics by level and month (`GET /api/upward/stats`). The
//! rules are `xinbao_core::upward`; the Word files are the sheets (`crate::sheet`).

use crate::auth::{Admin, CurrentUser, Editor};
use crate::db::{Stored, decode, now_ms};
use crate::error::{ApiJson, AppError};
use crate::office::section_office;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::item::ItemType;
use xinbao_core::scores::{Level, day_of, from_ymd, ymd};
use xinbao_core::sync::ItemState;
use xinbao_core::upward::{
    Candidate, Destination, Forward, ForwardStatus, Method, NewLink, NewSend, Send, SentItem, Stats, UpwardList, check_link, check_request,
    check_send, default_destinations, stats,
};

/// The most recent batches the list shows.
const LIST_SENDS: i64 = 100;

#[derive(sqlx::FromRow)]
struct DestinationRecord {
    id: i64,
    name: String,
    #[sqlx(try_from = "Stored<Level>")]
    level: Level,
}

/// The office's destinations as stored.
async fn destinations_of(tx: &mut sqlx::AnyConnection, office: i64) -> Result<Vec<Destination>, AppError> {
    let rows =
        sqlx::query("SELECT id, name, level FROM upward_destinations WHERE office_id = $1 ORDER BY id").bind(office).fetch_all(tx).await?;
    rows.iter()
        .map(|r| {
            let d: DestinationRecord = decode(r, "upward_destinations", "id")?;
            Ok(Destination { id: d.id, name: d.name, level: d.level })
        })
        .collect()
}

/// The office's destinations, the two defaults written first when it has none (in a write
/// transaction).
async fn destinations(tx: &mut sqlx::AnyConnection, office: i64) -> Result<Vec<Destination>, AppError> {
    let found = destinations_of(&mut *tx, office).await?;
    if !found.is_empty() {
        return Ok(found);
    }
    for (name, level) in default_destinations() {
        sqlx::query("INSERT INTO upward_destinations (office_id, name, level) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(office)
            .bind(name)
            .bind(level.as_str())
            .execute(&mut *tx)
            .await?;
    }
    destinations_of(tx, office).await
}

#[derive(sqlx::FromRow)]
struct SendRecord {
    id: i64,
    destination_id: i64,
    #[sqlx(try_from = "Stored<Method>")]
    method: Method,
    sent_at: i64,
    sent_by: String,
    note: String,
}

#[derive(sqlx::FromRow)]
struct SentItemRecord {
    send_id: i64,
    id: String,
    title: String,
    unit_name: String,
    #[sqlx(try_from = "Stored<ItemType>")]
    item_type: ItemType,
    content: String,
    adopted: i64,
    forward_status: Option<String>,
    forward_detail: Option<String>,
    remote_state: Option<String>,
    remote_note: Option<String>,
}

async fn list(tx: &mut sqlx::AnyConnection, office: i64, destinations: Vec<Destination>) -> Result<UpwardList, AppError> {
    let rows = sqlx::query(
        "SELECT s.id, s.destination_id, s.method, s.sent_at, u.display_name AS sent_by, s.note FROM upward_sends s \
         JOIN users u ON u.id = s.sent_by WHERE s.office_id = $1 ORDER BY s.sent_at DESC, s.id DESC LIMIT $2",
    )
    .bind(office)
    .bind(LIST_SENDS)
    .fetch_all(&mut *tx)
    .await?;
    let mut sends = Vec::with_capacity(rows.len());
    for r in &rows {
        let s: SendRecord = decode(r, "upward_sends", "id")?;
        let Some(destination) = destinations.iter().find(|d| d.id == s.destination_id).cloned() else { continue };
        sends.push(Send {
            id: s.id,
            destination,
            method: s.method,
            sent_at: s.sent_at,
            sent_by: s.sent_by,
            note: s.note,
            items: Vec::new(),
        });
    }
    if let (Some(low), Some(high)) = (sends.iter().map(|s| s.id).min(), sends.iter().map(|s| s.id).max()) {
        // Adopted at the destination's level: an adoption of the item in a publication of
        // that level, whenever it was recorded.
        let items = sqlx::query(
            "SELECT ui.send_id, i.id, i.title, n.name AS unit_name, i.item_type, CASE WHEN i.item_type = 'urgent' THEN i.content ELSE '' END AS content, \
             (SELECT COUNT(*) FROM adoption_items ai JOIN adoptions a ON a.id = ai.adoption_id JOIN publications p ON p.id = a.publication_id \
              WHERE ai.item_id = i.id AND p.level = d.level) AS adopted, \
             f.status AS forward_status, f.detail AS forward_detail, f.remote_state, f.remote_note \
             FROM upward_items ui JOIN upward_sends s ON s.id = ui.send_id JOIN upward_destinations d ON d.id = ui.destination_id \
             JOIN items i ON i.id = ui.item_id JOIN units n ON n.id = i.unit_id \
             LEFT JOIN forwards f ON f.destination_id = ui.destination_id AND f.item_id = ui.item_id \
             WHERE s.office_id = $1 AND ui.send_id BETWEEN $2 AND $3 ORDER BY i.title",
        )
        .bind(office)
        .bind(low)
        .bind(high)
        .fetch_all(&mut *tx)
        .await?;
        for r in &items {
            let i: SentItemRecord = decode(r, "upward_items", "item_id")?;
            let event_time = serde_json::from_str::<xinbao_core::item::DraftContent>(&i.content).ok().and_then(|c| c.event_time);
            let forward = match &i.forward_status {
                Some(status) => Some(Forward {
                    status: crate::db::stored(ForwardStatus::parse(status), "forwards.status", status)?,
                    detail: i.forward_detail.clone().unwrap_or_default(),
                    remote_state: i.remote_state.as_deref().and_then(ItemState::parse),
                    remote_note: i.remote_note.clone().unwrap_or_default(),
                }),
                None => None,
            };
            if let Some(send) = sends.iter_mut().find(|s| s.id == i.send_id) {
                send.items.push(SentItem {
                    id: i.id,
                    title: i.title,
                    unit_name: i.unit_name,
                    item_type: i.item_type,
                    event_time: event_time.filter(|_| i.item_type == ItemType::Urgent),
                    adopted: i.adopted > 0,
                    forward,
                });
            }
        }
    }
    let links = crate::forward::links_of(tx, office, false).await?;
    Ok(UpwardList { destinations, sends, links })
}

/// `GET /api/upward`: the office's destinations and the batches it sent up, newest first (the
/// latest 100), each item with whether the level it went to adopted it.
#[utoipa::path(get, path = "/api/upward", tag = "review", responses((status = 200, body = UpwardList), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn upward(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> Result<Json<UpwardList>, AppError> {
    let office = section_office(&state, &me).await?;
    // Read without holding the writer; the two default destinations written once, the first
    // time anyone of the office looks.
    let mut conn = state.db.pool.acquire().await?;
    let mut found = destinations_of(&mut conn, office).await?;
    if found.is_empty() {
        let mut tx = state.db.begin_write().await?;
        found = destinations(&mut tx, office).await?;
        tx.commit().await?;
    }
    Ok(Json(list(&mut conn, office, found).await?))
}

/// One batch at a time per office, on every server of a database: SQLite's writer is one
/// already; on PostgreSQL a transaction-scoped advisory lock in 上报's own key space.
async fn lock_office(tx: &mut crate::db::Tx, office: i64) -> Result<(), AppError> {
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT pg_advisory_xact_lock(25, CAST($1 AS INTEGER))").bind(office).execute(&mut **tx).await?;
    }
    Ok(())
}

/// `POST /api/upward/send`: a batch sent up by an editor of the office. The same key again (the
/// answer was lost) is the batch already recorded, if it asks the same; a different batch
/// under a used key is refused.
#[utoipa::path(post, path = "/api/upward/send", tag = "review", request_body = NewSend,
    responses((status = 200, body = UpwardList), (status = 403, body = xinbao_core::api::ErrorBody), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn send_up(
    State(state): State<AppState>,
    Editor(me): Editor,
    ApiJson(req): ApiJson<NewSend>,
) -> Result<Json<UpwardList>, AppError> {
    let office = section_office(&state, &me).await?;
    let (day, ids) = check_request(&req, day_of(now_ms())).map_err(|why| AppError::bad_request(why.zh))?;
    let key = req.key.trim().to_owned();
    let mut forwarding = false;
    let mut tx = state.db.begin_write().await?;
    lock_office(&mut tx, office).await?;
    let mut known_destinations = destinations(&mut tx, office).await?;
    let destination = match req.destination_id {
        Some(id) => {
            known_destinations.iter().find(|d| d.id == id).map(|d| d.id).ok_or_else(|| AppError::bad_request("没有这个上报去向"))?
        }
        None => known_destinations.iter().find(|d| d.name == req.destination_name.trim()).map(|d| d.id).unwrap_or(0),
    };
    let known: Option<(i64, i64)> = sqlx::query_as("SELECT id, destination_id FROM upward_sends WHERE office_id = $1 AND send_key = $2")
        .bind(office)
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some((send, sent_to)) = known {
        let mut held: Vec<String> =
            sqlx::query_scalar("SELECT item_id FROM upward_items WHERE send_id = $1").bind(send).fetch_all(&mut *tx).await?;
        let mut asked = ids.clone();
        held.sort();
        asked.sort();
        if held != asked || sent_to != destination {
            return Err(AppError::bad_request("这批上报已按原来的内容记录，请刷新页面后重新选择"));
        }
    } else {
        let mut items = Vec::with_capacity(ids.len());
        for id in &ids {
            // Only the office's own items, as it holds them; another's is "no such item".
            let row = sqlx::query(
                "SELECT i.title, i.state, i.item_type, (SELECT COUNT(*) FROM upward_items ui WHERE ui.item_id = i.id AND ui.destination_id = $3) AS sent_there \
                 FROM items i WHERE i.id = $1 AND i.office_id = $2",
            )
            .bind(id)
            .bind(office)
            .bind(destination)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::bad_request("所选稿件中有不存在或不归本单位审核的稿件"))?;
            let (state_name, type_name): (String, String) = (row.try_get(1)?, row.try_get(2)?);
            items.push(Candidate {
                title: row.try_get(0)?,
                state: crate::db::stored(ItemState::parse(&state_name), "items.state", &state_name)?,
                item_type: crate::db::stored(ItemType::parse(&type_name), "items.item_type", &type_name)?,
                sent_there: row.try_get::<i64, _>(3)? > 0,
            });
        }
        check_send(&items).map_err(AppError::bad_request)?;
        let destination = if destination > 0 {
            destination
        } else {
            let name = req.destination_name.trim().to_owned();
            let id = sqlx::query_scalar("INSERT INTO upward_destinations (office_id, name, level) VALUES ($1, $2, $3) RETURNING id")
                .bind(office)
                .bind(&name)
                .bind(req.level.as_str())
                .fetch_one(&mut *tx)
                .await?;
            known_destinations.push(Destination { id, name, level: req.level });
            id
        };
        let now = now_ms();
        let send: i64 = sqlx::query_scalar(
            "INSERT INTO upward_sends (office_id, destination_id, method, sent_at, day, sent_by, note, send_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(office)
        .bind(destination)
        .bind(req.method.as_str())
        .bind(now)
        .bind(i64::from(day))
        .bind(me.user_id)
        .bind(req.note.trim())
        .bind(&key)
        .fetch_one(&mut *tx)
        .await?;
        for id in &ids {
            sqlx::query("INSERT INTO upward_items (send_id, item_id, destination_id) VALUES ($1, $2, $3)")
                .bind(send)
                .bind(id)
                .bind(destination)
                .execute(&mut *tx)
                .await?;
        }
        // The item's readers learn where it went at their next pull.
        crate::items::log_changes(&mut tx, ids.iter().cloned()).await?;
        // Sent by system to a destination that runs Xinbao: it goes there itself.
        if req.method == Method::System {
            forwarding = crate::forward::enqueue(&mut tx, destination, &ids).await?;
        }
        let detail = format!("{}：{}", req.method.label().zh, ids.join(","));
        crate::accounts::audit_in(&mut *tx, Some(me.user_id), "upward_sent", &destination.to_string(), &detail).await?;
    }
    let found = list(&mut tx, office, known_destinations).await?;
    tx.commit().await?;
    if forwarding {
        state.forwarder.nudge();
    }
    Ok(Json(found))
}

/// The office's destinations and which of them are connected, for its administrator.
async fn links_view(state: &AppState, office: i64) -> Result<UpwardList, AppError> {
    let mut tx = state.db.begin_write().await?;
    let destinations = destinations(&mut tx, office).await?;
    let links = crate::forward::links_of(&mut tx, office, true).await?;
    tx.commit().await?;
    Ok(UpwardList { destinations, sends: Vec::new(), links })
}

/// `GET /api/admin/upward-links`: the office's destinations and their connections to
/// destinations that run Xinbao (the account named; never its password).
#[utoipa::path(get, path = "/api/admin/upward-links", tag = "admin", responses((status = 200, body = UpwardList), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn upward_links(State(state): State<AppState>, Admin(me): Admin) -> Result<Json<UpwardList>, AppError> {
    let office = crate::signing::managed_office(&state, &me).await?;
    Ok(Json(links_view(&state, office).await?))
}

/// `POST /api/admin/upward-links`: connects a destination that runs Xinbao, with the service
/// account its office gave this one. The account is tried there first; a link that cannot log
/// in is not stored.
#[utoipa::path(post, path = "/api/admin/upward-links", tag = "admin", request_body = NewLink,
    responses((status = 200, body = UpwardList), (status = 403, body = xinbao_core::api::ErrorBody), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn link_upward(
    State(state): State<AppState>,
    Admin(me): Admin,
    ApiJson(req): ApiJson<NewLink>,
) -> Result<Json<UpwardList>, AppError> {
    let office = crate::signing::managed_office(&state, &me).await?;
    let url = check_link(&req).map_err(|why| AppError::bad_request(why.zh))?;
    let destination = links_view(&state, office)
        .await?
        .destinations
        .into_iter()
        .find(|d| d.id == req.destination_id)
        .ok_or_else(|| AppError::bad_request("没有这个上报去向"))?;
    if let Some(why) = crate::forward::try_link(&state, destination.id, &url, &req).await? {
        return Err(AppError::bad_request(why));
    }
    let mut tx = state.db.begin_write().await?;
    // Whom what comes back is recorded by: an account of the office that cannot log in.
    let local_user: Option<i64> = sqlx::query_scalar("SELECT local_user FROM upward_links WHERE destination_id = $1")
        .bind(destination.id)
        .fetch_optional(&mut *tx)
        .await?;
    let local_user = match local_user {
        Some(u) => u,
        None => {
            sqlx::query_scalar(
                "INSERT INTO users (username, display_name, role, unit_id, password_hash, disabled, created_at) VALUES ($1, $2, 'officer', $3, '!', 1, $4) RETURNING id",
            )
            .bind(format!("#upward-{}", destination.id))
            .bind(format!("{}（系统回传）", destination.name))
            .bind(office)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?
        }
    };
    crate::forward::store_link(&mut tx, destination.id, &url, &req, local_user).await?;
    crate::accounts::audit_in(
        &mut *tx,
        Some(me.user_id),
        "upward_link",
        &destination.id.to_string(),
        &format!("{url} {}", req.username.trim()),
    )
    .await?;
    tx.commit().await?;
    state.forwarder.nudge();
    Ok(Json(links_view(&state, office).await?))
}

/// The year asked for.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct StatsQuery {
    /// Default: this year.
    pub year: Option<i32>,
}

/// `GET /api/upward/stats?year=`: 上报数, 上级采用数 and 采用率 of the office by level, for
/// each month and the year.
#[utoipa::path(get, path = "/api/upward/stats", tag = "review", params(StatsQuery), responses((status = 200, body = Stats), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn upward_stats(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<StatsQuery>,
) -> Result<Json<Stats>, AppError> {
    let office = section_office(&state, &me).await?;
    let year = q.year.unwrap_or_else(|| ymd(day_of(now_ms())).0);
    if !(2000..=2100).contains(&year) {
        return Err(AppError::bad_request("年份不正确"));
    }
    let (first, last) = (from_ymd(year, 1, 1), from_ymd(year, 12, 31));
    let month = |day: i64| i32::try_from(day).map(|d| ymd(d).1).unwrap_or(0);
    let facts = |rows: Vec<sqlx::any::AnyRow>| -> Result<Vec<(String, Level, u32)>, AppError> {
        rows.iter()
            .map(|r| {
                let level: String = r.try_get(1)?;
                Ok((r.try_get(0)?, crate::db::stored(Level::parse(&level), "level", &level)?, month(r.try_get(2)?)))
            })
            .collect()
    };
    let sent = sqlx::query(
        "SELECT ui.item_id, d.level, s.day FROM upward_items ui JOIN upward_sends s ON s.id = ui.send_id \
         JOIN upward_destinations d ON d.id = s.destination_id WHERE s.office_id = $1 AND s.day BETWEEN $2 AND $3",
    )
    .bind(office)
    .bind(i64::from(first))
    .bind(i64::from(last))
    .fetch_all(&state.db.pool)
    .await?;
    let adopted = sqlx::query(
        "SELECT ai.item_id, p.level, a.day FROM adoptions a JOIN adoption_items ai ON ai.adoption_id = a.id \
         JOIN publications p ON p.id = a.publication_id WHERE a.office_id = $1 AND p.level <> 'county' AND a.day BETWEEN $2 AND $3 \
         AND EXISTS (SELECT 1 FROM upward_items ui JOIN upward_destinations d ON d.id = ui.destination_id WHERE ui.item_id = ai.item_id AND d.level = p.level)",
    )
    .bind(office)
    .bind(i64::from(first))
    .bind(i64::from(last))
    .fetch_all(&state.db.pool)
    .await?;
    Ok(Json(stats(year, &facts(sent)?, &facts(adopted)?)))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(upward))
        .routes(routes!(send_up))
        .routes(routes!(upward_stats))
        .routes(routes!(upward_links, link_upward))
}
