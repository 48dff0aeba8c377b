//! The information section's home page (`GET /api/review/home`): what waits for its editors
//! and signers, each part a link to the filtered list it counts. Every part is read with the
//! same rules as the list it stands for: the queue's rows and titles, the commissions' standing,
//! the scoreboard's quotas.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::office::section_office;
use crate::review::{QUEUE_COLUMNS, queue_record, shown_row};
use crate::scores::{board, unit_nodes};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::{BehindQuota, DueCommission, Home, Me, StateCount};
use xinbao_core::commissions::{InstructionNote, UnitStanding};
use xinbao_core::scores::{By, Level, day_of, day_text, month_index, month_of_index};
use xinbao_core::sync::ItemState;

/// At most this many open urgent items and instructions are listed (the counts are whole).
const LISTED: i64 = 20;
/// "This week": today and the six days after it.
const WEEK_DAYS: i32 = 7;

/// The home page of `office` as `me` (one of its editors or signers) sees it.
pub async fn home_of(state: &AppState, me: &Me, office: i64, now: i64) -> Result<Home, AppError> {
    let pool = &state.db.pool;
    // Counted off `items_queue_state` (office, state, …): an index range per state.
    let mut waiting = Vec::with_capacity(Home::WAITING.len());
    for st in Home::WAITING {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM items WHERE office_id = $1 AND state = $2")
            .bind(office)
            .bind(st.as_str())
            .fetch_one(pool)
            .await?
            .try_get(0)?;
        waiting.push(StateCount { state: st, count: u32::try_from(n).unwrap_or(u32::MAX) });
    }
    // Each open state read off `items_queue_state` (office, state, urgency, updated_at) — the
    // urgency written as the index writes it — the oldest first; then the oldest of the three.
    let mut records = Vec::new();
    for st in [ItemState::Submitted, ItemState::Screening, ItemState::Editing] {
        let rows = sqlx::query(&format!(
            "SELECT {QUEUE_COLUMNS} WHERE i.office_id = $1 AND i.state = $2 AND (CASE WHEN i.item_type = 'urgent' THEN 0 ELSE 1 END) = 0 \
             ORDER BY i.updated_at LIMIT $3"
        ))
        .bind(office)
        .bind(st.as_str())
        .bind(LISTED)
        .fetch_all(pool)
        .await?;
        for r in &rows {
            records.push(queue_record(r)?);
        }
    }
    records.sort_by_key(|r| r.updated_at);
    let mut urgent = Vec::with_capacity(LISTED as usize);
    for r in records.into_iter().take(LISTED as usize) {
        urgent.push(shown_row(&state.db, r).await?);
    }
    let commissions = crate::commissions::due_within(state, me, WEEK_DAYS)
        .await?
        .into_iter()
        .map(|c| DueCommission {
            id: c.id,
            topic: c.fields.topic,
            deadline: c.fields.deadline,
            asked: u32::try_from(c.standing.len()).unwrap_or(u32::MAX),
            not_answered: c.standing.into_iter().filter(|(_, _, s)| *s == UnitStanding::Open).map(|(_, name, _)| name).collect(),
        })
        .collect();
    let month = month_of_index(month_index(day_of(now)));
    let tree = unit_nodes(pool).await?;
    let behind = board(state, &tree, office, month, By::Unit)
        .await?
        .rows
        .into_iter()
        .filter(|r| r.quota_met() == Some(false))
        .map(|r| BehindQuota { unit_id: r.id, name: r.name, submitted: r.tally.submitted, quota: r.quota.unwrap_or(0) })
        .collect();
    let rows = sqlx::query(
        "SELECT n.item_id, i.title, n.level, n.leader, n.day FROM instructions n JOIN items i ON i.id = n.item_id \
         WHERE n.office_id = $1 AND n.feedback IS NULL ORDER BY n.day DESC, n.id DESC LIMIT $2",
    )
    .bind(office)
    .bind(LISTED)
    .fetch_all(pool)
    .await?;
    let mut instructions = Vec::with_capacity(rows.len());
    for r in rows {
        let level: String = r.try_get(2)?;
        instructions.push(InstructionNote {
            item_id: r.try_get(0)?,
            title: r.try_get(1)?,
            level: crate::db::stored(Level::parse(&level), "instructions.level", &level)?,
            leader: r.try_get(3)?,
            date: day_text(r.try_get::<i64, _>(4)? as i32),
        });
    }
    let instructions_waiting: i64 =
        sqlx::query("SELECT COUNT(*) FROM instructions WHERE office_id = $1 AND feedback IS NULL")
            .bind(office)
            .fetch_one(pool)
            .await?
            .try_get(0)?;
    Ok(Home {
        waiting,
        urgent,
        commissions,
        month: month.title(),
        behind,
        instructions,
        instructions_waiting: u32::try_from(instructions_waiting).unwrap_or(u32::MAX),
    })
}

/// `GET /api/review/home`: the home page of the caller's office, for its editors and signers.
#[utoipa::path(get, path = "/api/review/home", tag = "review",
    responses((status = 200, body = Home), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn home(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> Result<Json<Home>, AppError> {
    let office = section_office(&state, &me).await?;
    Ok(Json(home_of(&state, &me, office, crate::db::now_ms()).await?))
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(home))
}
