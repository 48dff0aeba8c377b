//! The information section's home page (`GET /api/review/home`): what waits for its editors
//! and signers, each part a link to the filtered list it counts; and the urgent items announced
//! to their open pages (`GET /api/review/announcements`, fed by [`crate::announce`]). Every part is read with the
//! same rules as the list it stands for: the queue's rows and titles, the commissions' standing,
//! the scoreboard's quotas.

use crate::announce::{Heard, KEEP_ALIVE, RECHECK, REPLAY, event, head, urgent_after};
use crate::auth::{CurrentUser, session_still};
use crate::error::AppError;
use crate::office::section_office;
use crate::review::{QUEUE_COLUMNS, queue_record, shown_row};
use crate::scores::{board, unit_nodes};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::request::Parts;
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use sqlx::Row;
use std::collections::VecDeque;
use std::convert::Infallible;
use tokio::sync::{broadcast, watch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::{Announcement, Me};
use xinbao_core::commissions::UnitStanding;
use xinbao_core::home::{BehindQuota, DueCommission, Home, StateCount};
use xinbao_core::scores::{By, day_of, month_index, month_of_index};
use xinbao_core::sync::ItemState;

/// At most this many open urgent items and instructions are listed (the counts are whole).
const LISTED: i64 = 20;
/// "This week": today and the six days after it.
const WEEK_DAYS: i32 = 7;

/// The home page of `office` as `me` (one of its editors or signers) sees it. Its parts are
/// read at once, each on its own connection (the month's scoreboard is the longest).
pub async fn home_of(state: &AppState, me: &Me, office: i64, now: i64) -> Result<Home, AppError> {
    let month = month_of_index(month_index(day_of(now)));
    let (waiting, urgent, commissions, behind, (instructions, instructions_waiting)) = tokio::try_join!(
        waiting(state, office),
        urgent(state, office),
        due(state, me),
        behind(state, office, month),
        instructions(state, office),
    )?;
    Ok(Home { waiting, urgent, commissions, month: month.title(), behind, instructions, instructions_waiting })
}

/// How many items wait in each state, counted off `items_queue_state` (office, state, …): an
/// index range per state, up to [`StateCount::CAP`], the states counted at once.
async fn waiting(state: &AppState, office: i64) -> Result<Vec<StateCount>, AppError> {
    let counts = futures_util::future::try_join_all(Home::WAITING.map(|st| async move {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM (SELECT 1 FROM items WHERE office_id = $1 AND state = $2 LIMIT $3) capped")
            .bind(office)
            .bind(st.as_str())
            .bind(i64::from(StateCount::CAP))
            .fetch_one(&state.db.pool)
            .await?
            .try_get(0)?;
        let count = u32::try_from(n).unwrap_or(u32::MAX).min(StateCount::CAP);
        Ok::<_, AppError>(StateCount { state: st, count, more: count == StateCount::CAP })
    }))
    .await?;
    Ok(counts)
}

/// The oldest open urgent items: each open state read off `items_queue_state` (office, state,
/// urgency, updated_at) — the urgency written as the index writes it —, then the oldest of all.
async fn urgent(state: &AppState, office: i64) -> Result<Vec<xinbao_core::api::QueueRow>, AppError> {
    let mut records = Vec::new();
    for st in [ItemState::Submitted, ItemState::Screening, ItemState::Editing] {
        let rows = sqlx::query(&format!(
            "SELECT {QUEUE_COLUMNS} WHERE i.office_id = $1 AND i.state = $2 AND (CASE WHEN i.item_type = 'urgent' THEN 0 ELSE 1 END) = 0 \
             ORDER BY i.updated_at LIMIT $3"
        ))
        .bind(office)
        .bind(st.as_str())
        .bind(LISTED)
        .fetch_all(&state.db.pool)
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
    Ok(urgent)
}

/// Commissions falling due this week, and the asked units that have sent nothing yet.
async fn due(state: &AppState, me: &Me) -> Result<Vec<DueCommission>, AppError> {
    Ok(crate::commissions::due_within(state, me, WEEK_DAYS)
        .await?
        .into_iter()
        .map(|c| DueCommission {
            id: c.id,
            topic: c.fields.topic,
            deadline: c.fields.deadline,
            asked: u32::try_from(c.standing.len()).unwrap_or(u32::MAX),
            not_answered: c.standing.into_iter().filter(|(_, _, s)| *s == UnitStanding::Open).map(|(_, name, _)| name).collect(),
        })
        .collect())
}

/// The month's scoreboard rows whose quota is not met.
async fn behind(state: &AppState, office: i64, month: xinbao_core::scores::Period) -> Result<Vec<BehindQuota>, AppError> {
    let tree = unit_nodes(&state.db.pool).await?;
    Ok(board(state, &tree, office, month, By::Unit)
        .await?
        .rows
        .into_iter()
        .filter(|r| r.quota_met() == Some(false))
        .map(|r| BehindQuota { unit_id: r.id, name: r.name, submitted: r.tally.submitted, quota: r.quota.unwrap_or(0) })
        .collect())
}

/// The newest instructions without feedback, off `instructions_waiting`, and how many there are.
async fn instructions(state: &AppState, office: i64) -> Result<(Vec<xinbao_core::commissions::InstructionNote>, u32), AppError> {
    let rows = sqlx::query(
        "SELECT n.item_id, i.title, n.level, n.leader, n.day FROM instructions n JOIN items i ON i.id = n.item_id \
         WHERE n.office_id = $1 AND n.feedback IS NULL ORDER BY n.day DESC, n.id DESC LIMIT $2",
    )
    .bind(office)
    .bind(LISTED)
    .fetch_all(&state.db.pool)
    .await?;
    let list = rows.iter().map(crate::commissions::instruction_note).collect::<Result<Vec<_>, _>>()?;
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM instructions WHERE office_id = $1 AND feedback IS NULL")
        .bind(office)
        .fetch_one(&state.db.pool)
        .await?
        .try_get(0)?;
    Ok((list, u32::try_from(n).unwrap_or(u32::MAX)))
}

/// `GET /api/review/home`: the home page of the caller's office, for its editors and signers.
#[utoipa::path(get, path = "/api/review/home", tag = "review",
    responses((status = 200, body = Home), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn home(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> Result<Json<Home>, AppError> {
    let office = section_office(&state, &me).await?;
    Ok(Json(home_of(&state, &me, office, crate::db::now_ms()).await?))
}

/// `GET /api/review/announcements`: server-sent events for the office's editors and signers, one
/// `urgent` event ([`Announcement`]) for each urgent item submitted to the office while the
/// page listens. Idle, a comment every 25 s.
#[utoipa::path(get, path = "/api/review/announcements", tag = "review",
    responses((status = 200, content_type = "text/event-stream", body = Announcement), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn announcements(State(state): State<AppState>, parts: Parts, CurrentUser(me): CurrentUser) -> Result<Response, AppError> {
    let office = section_office(&state, &me).await?;
    let (rx, closing) = state.announcer.subscribe(&state.db);
    // Reconnecting after a dropped line: what was announced since the last event it had.
    let missed_since = parts.headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok());
    let mut missed: VecDeque<(i64, String)> = VecDeque::new();
    if let Some(after) = missed_since.filter(|n| *n >= 0) {
        let upto = head(&state.db).await?;
        let mut found = urgent_after(&state.db, after, upto, Some(office)).await?;
        let skip = found.len().saturating_sub(REPLAY);
        missed.extend(found.drain(skip..).map(|(seq, _, id, _)| (seq, id)));
    }
    let told = missed.back().map_or(i64::MIN, |m| m.0);
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + RECHECK, RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let start = Stream { rx, closing, state, parts, missed, told, recheck };
    let stream = futures_util::stream::unfold(start, move |mut st| async move {
        loop {
            if *st.closing.borrow() {
                return None;
            }
            let (seq, id) = match st.missed.pop_front() {
                Some(m) => m,
                None => {
                    let got = tokio::select! {
                        _ = st.closing.changed() => return None,
                        _ = st.recheck.tick() => {
                            // A session that ended while nothing was announced ends its stream
                            // too (a failed read is asked again next time, not taken for a no).
                            if st.still(me.user_id, office).await == Some(false) {
                                return None;
                            }
                            continue;
                        }
                        got = st.rx.recv() => got,
                    };
                    match got {
                        Ok((o, seq, id)) if o == office && seq > st.told => (seq, id),
                        Ok(_) => continue,
                        // Fell behind (hundreds at once): nothing is said for them; the page's
                        // home and queue show them.
                        Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            };
            // Still this person, still signed in, still of this office's section.
            if st.still(me.user_id, office).await != Some(true) {
                return None;
            }
            let event = event(seq, id)?;
            return Some((Ok::<_, Infallible>(event), st));
        }
    });
    let sse = Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE));
    // nginx passes it on as it comes instead of buffering it.
    Ok(([("x-accel-buffering", "no")], sse).into_response())
}

/// One held stream's state.
struct Stream {
    rx: broadcast::Receiver<Heard>,
    closing: watch::Receiver<bool>,
    state: AppState,
    parts: Parts,
    /// Announcements missed while disconnected, told first.
    missed: VecDeque<(i64, String)>,
    /// The last change-log number told from `missed` (the broadcast may carry it again).
    told: i64,
    recheck: tokio::time::Interval,
}

impl Stream {
    async fn still(&self, user: i64, office: i64) -> Option<bool> {
        session_still(&self.state, &self.parts, user, office).await
    }
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(home)).routes(routes!(announcements))
}
