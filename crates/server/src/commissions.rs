//! Commissions (约稿) and reporting priorities (信息报送要点): the office's editors publish them;
//! officers read them (on their desk after each sync, and offline from the last copy) and answer
//! with a draft that names one; the office sees, per unit asked, who answered on time or late.
//! Answers are recorded at an item's first submission; an answer in time that is adopted
//! scores, and a unit that missed a closed commission is penalised — events derived by
//! `xinbao_core::commissions` and stored like every other point.

use crate::auth::CurrentUser;
use crate::db::{Stored, decode, now_ms};
use crate::error::{ApiJson, AppError};
use crate::scores::{Tx, my_office, store_events, tables, unit_nodes};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use sqlx::{Any, Row};
use std::collections::{BTreeMap, BTreeSet};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::{ErrorCode, Me};
use xinbao_core::commissions::{
    Answer, CommissionFact, CommissionFields, CommissionKind, CommissionView, Inbox, InstructionNote, UnitName, answer_counts,
    commission_events, missed_at_close, on_time, standing, standing_at_close, used_day,
};
use xinbao_core::item::DraftContent;
use xinbao_core::review::{Actor, reviewing_office};
use xinbao_core::role::Role;
use xinbao_core::scores::{Credit, Level, day_of, day_text, parse_day};
use xinbao_core::sync::ItemState;

/// How far back the desk and the office list reach (days past the deadline).
const RECENT_DAYS: i32 = 90;

/// Records that an item answers the commission its content names, at its first submission
/// (inside the push transaction). Only a commission of the item's office counts, and a
/// targeted one only from a unit it asked.
pub async fn record_answer(tx: &mut Tx, office: i64, credit: &Credit, content: &DraftContent, now: i64) -> Result<(), AppError> {
    let Some(id) = content.commission.as_deref().and_then(|c| c.trim().parse::<i64>().ok()) else { return Ok(()) };
    let Some(row) = sqlx::query("SELECT kind FROM commissions WHERE id = $1 AND office_id = $2 AND withdrawn_at IS NULL")
        .bind(id)
        .bind(office)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(());
    };
    let kind: String = row.try_get(0)?;
    if CommissionKind::parse(&kind) == Some(CommissionKind::Targeted) {
        let asked = sqlx::query("SELECT 1 FROM commission_units WHERE commission_id = $1 AND unit_id = $2")
            .bind(id)
            .bind(credit.unit_id)
            .fetch_optional(&mut **tx)
            .await?;
        if asked.is_none() {
            return Ok(());
        }
    }
    sqlx::query(
        "INSERT INTO commission_answers (commission_id, item_id, unit_id, author_id, submitted_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (commission_id, item_id) DO NOTHING",
    )
    .bind(id)
    .bind(&credit.item_id)
    .bind(credit.unit_id)
    .bind(credit.author_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `xinbao_core::commissions::used_day` in SQL, for the answer `a`: its item's earliest adoption.
const USED_DAY: &str =
    "(SELECT MIN(ad.day) FROM adoption_items ai JOIN adoptions ad ON ad.id = ai.adoption_id WHERE ai.item_id = a.item_id)";

/// Scores again the commission answers `items` gave, after one of their adoptions was recorded
/// or taken back: each answer in time whose item still counts and is adopted earns the
/// commission's points once, dated by its earliest adoption — the same events a recompute
/// derives, whatever order the adoptions were recorded in.
pub async fn rescore_answers(tx: &mut Tx, office: i64, items: &[String]) -> Result<(), AppError> {
    let versions = tables(&mut **tx, office).await?;
    for item in items {
        let days = sqlx::query("SELECT ad.day FROM adoption_items ai JOIN adoptions ad ON ad.id = ai.adoption_id WHERE ai.item_id = $1")
            .bind(item)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0).map(|d| d as i32))
            .collect::<Result<Vec<_>, _>>()?;
        let mut events = Vec::new();
        if let Some(day) = used_day(days) {
            let rows = sqlx::query(
                "SELECT c.id, c.topic, c.deadline_day, a.item_id, a.submitted_at, a.author_id, a.unit_id, i.state \
                 FROM commission_answers a JOIN commissions c ON c.id = a.commission_id JOIN items i ON i.id = a.item_id \
                 WHERE a.item_id = $1 AND c.kind = 'targeted' AND c.office_id = $2 AND c.withdrawn_at IS NULL",
            )
            .bind(item)
            .bind(office)
            .fetch_all(&mut **tx)
            .await?;
            for r in &rows {
                let (c, a): (CommissionRecord, AnswerRecord) =
                    (decode(r, "commission_answers", "item_id")?, decode(r, "commission_answers", "item_id")?);
                let deadline = c.deadline_day as i32;
                if !on_time(a.submitted_at, deadline) || !answer_counts(a.state) {
                    continue;
                }
                let credit = Credit { item_id: a.item_id, author_id: a.author_id, unit_id: a.unit_id };
                let fact = CommissionFact { id: c.id, topic: c.topic, deadline, used: vec![(credit, day)], missed: vec![] };
                events.extend(commission_events(&fact, &versions));
            }
        }
        crate::scores::replace_events(
            tx,
            office,
            "source_kind = 'commission' AND rule = 'commission_used' AND item_id = $1",
            &[crate::db::Value::Text(item.clone())],
            &events,
        )
        .await?;
    }
    Ok(())
}

/// Closes every commission whose deadline has passed: the units it asked that sent nothing in
/// time are penalised, once (a closed commission is never closed again, whichever server
/// process gets there first).
pub async fn close_due(state: &AppState) -> Result<usize, AppError> {
    let now = now_ms();
    let due = sqlx::query("SELECT id, office_id FROM commissions WHERE closed_at IS NULL AND withdrawn_at IS NULL AND kind = 'targeted' AND deadline_day < $1")
        .bind(i64::from(day_of(now)))
        .fetch_all(&state.db.pool)
        .await?;
    let mut closed = 0;
    for r in due {
        let (id, office): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
        // One commission's failure (its penalty would fall in a period already closed, say)
        // leaves the others to close, and every list that called this to answer.
        match close_one(state, id, office, now).await {
            Ok(true) => closed += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(commission = id, "closing a commission: {e:?}"),
        }
    }
    Ok(closed)
}

/// Closes commission `id` if it is still due, penalising the units that missed it.
async fn close_one(state: &AppState, id: i64, office: i64, now: i64) -> Result<bool, AppError> {
    let mut tx = state.db.begin_write().await?;
    crate::scores::lock_closing(&mut tx, office).await?;
    // Still due when the row is ours: a change committed since the list was read (the deadline
    // extended, withdrawn) is respected.
    let won = sqlx::query(
        "UPDATE commissions SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL AND withdrawn_at IS NULL AND deadline_day < $3",
    )
    .bind(now)
    .bind(id)
    .bind(i64::from(day_of(now)))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !won {
        return Ok(false);
    }
    // Who missed it is decided now, once, and kept: the units asked that this office still
    // oversees and that sent nothing counting in time.
    let tree = unit_nodes(&mut *tx).await?;
    let deadline: i64 = sqlx::query_scalar("SELECT deadline_day FROM commissions WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
    let asked: Vec<i64> = sqlx::query_scalar("SELECT unit_id FROM commission_units WHERE commission_id = $1 ORDER BY unit_id")
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
    let answered: Vec<i64> = answered_in_time(&mut *tx, id, deadline as i32).await?.into_iter().collect();
    for unit in missed_at_close(&asked, &answered, |u| reviewing_office(&tree, u) == Some(office)) {
        sqlx::query("INSERT INTO commission_missed (commission_id, unit_id) VALUES ($1, $2)").bind(id).bind(unit).execute(&mut *tx).await?;
    }
    let facts = facts_of(&mut *tx, office, Some(id)).await?;
    let versions = tables(&mut *tx, office).await?;
    let missed: Vec<CommissionFact> = facts.into_iter().map(|f| CommissionFact { used: vec![], ..f }).collect();
    let events: Vec<_> = missed.iter().flat_map(|f| commission_events(f, &versions)).collect();
    store_events(&mut tx, office, &events).await?;
    tx.commit().await?;
    Ok(true)
}

/// The scoring facts of the office's targeted commissions (or one): answers in time that were
/// adopted (at their first adoption's day), and — for closed commissions — the units that
/// missed them.
pub async fn facts<E>(ex: &mut E, office: i64) -> Result<Vec<CommissionFact>, AppError>
where
    for<'c> &'c mut E: sqlx::Executor<'c, Database = Any>,
{
    facts_of(ex, office, None).await
}

/// A targeted commission as scored.
#[derive(sqlx::FromRow)]
struct CommissionRecord {
    id: i64,
    topic: String,
    deadline_day: i64,
}

/// An item given in answer to a commission, with its state now.
#[derive(sqlx::FromRow)]
struct AnswerRecord {
    item_id: String,
    author_id: i64,
    unit_id: i64,
    submitted_at: i64,
    #[sqlx(try_from = "Stored<ItemState>")]
    state: ItemState,
}

async fn facts_of<E>(ex: &mut E, office: i64, only: Option<i64>) -> Result<Vec<CommissionFact>, AppError>
where
    for<'c> &'c mut E: sqlx::Executor<'c, Database = Any>,
{
    let rows =
        sqlx::query(
            "SELECT id, topic, deadline_day, closed_at FROM commissions WHERE office_id = $1 AND kind = 'targeted' AND withdrawn_at IS NULL ORDER BY id",
        )
            .bind(office)
            .fetch_all(&mut *ex)
            .await?;
    let mut out = Vec::new();
    for r in &rows {
        let (c, closed): (CommissionRecord, Option<i64>) = (decode(r, "commissions", "id")?, r.try_get("closed_at")?);
        let id = c.id;
        if only.is_some_and(|o| o != id) {
            continue;
        }
        let deadline = c.deadline_day as i32;
        let answers = sqlx::query(&format!(
            "SELECT a.item_id, a.author_id, a.unit_id, a.submitted_at, {USED_DAY} AS used_day, i.state \
             FROM commission_answers a JOIN items i ON i.id = a.item_id WHERE a.commission_id = $1"
        ))
        .bind(id)
        .fetch_all(&mut *ex)
        .await?;
        let mut used = Vec::new();
        let mut answered: BTreeSet<i64> = BTreeSet::new();
        for row in &answers {
            let (a, used_day): (AnswerRecord, Option<i64>) = (decode(row, "commission_answers", "item_id")?, row.try_get("used_day")?);
            if !on_time(a.submitted_at, deadline) || !answer_counts(a.state) {
                continue;
            }
            answered.insert(a.unit_id);
            if let Some(day) = used_day {
                used.push((Credit { item_id: a.item_id, author_id: a.author_id, unit_id: a.unit_id }, day as i32));
            }
        }
        // As decided when it closed (`close_due`), never again from today's unit tree.
        let missed = if closed.is_some() {
            sqlx::query_scalar("SELECT unit_id FROM commission_missed WHERE commission_id = $1 ORDER BY unit_id")
                .bind(id)
                .fetch_all(&mut *ex)
                .await?
        } else {
            Vec::new()
        };
        out.push(CommissionFact { id, topic: c.topic, deadline, used, missed });
    }
    Ok(out)
}

/// The units that answered commission `id` in time with an item that still counts.
async fn answered_in_time<E>(ex: &mut E, id: i64, deadline: i32) -> Result<BTreeSet<i64>, AppError>
where
    for<'c> &'c mut E: sqlx::Executor<'c, Database = Any>,
{
    let rows = sqlx::query(
        "SELECT a.unit_id, a.submitted_at, i.state FROM commission_answers a JOIN items i ON i.id = a.item_id WHERE a.commission_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *ex)
    .await?;
    let mut out = BTreeSet::new();
    for r in rows {
        let raw: String = r.try_get(2)?;
        if on_time(r.try_get(1)?, deadline) && answer_counts(crate::db::stored(ItemState::parse(&raw), "items.state", &raw)?) {
            out.insert(r.try_get::<i64, _>(0)?);
        }
    }
    Ok(out)
}

/// The commissions `me` sees, newest first: the office's people every one of the office's;
/// an officer the priorities and the commissions that ask their unit (with their unit's
/// standing only).
pub async fn visible(state: &AppState, me: &Me) -> Result<Vec<CommissionView>, AppError> {
    visible_of(state, me, Which::Recent).await
}

/// The commissions `me` sees whose deadline falls within the next `days` days, today included
/// (none withdrawn): the home page's "falling due this week".
pub async fn due_within(state: &AppState, me: &Me, days: i32) -> Result<Vec<CommissionView>, AppError> {
    visible_of(state, me, Which::DueWithin(days)).await
}

/// Which commissions a list is of.
#[derive(Clone, Copy)]
enum Which {
    /// Those whose deadline is at most [`RECENT_DAYS`] ago.
    Recent,
    One(i64),
    DueWithin(i32),
}

/// One commission as `me` sees it (however old: the answer to changing or withdrawing it).
async fn one(state: &AppState, me: &Me, id: i64) -> Result<CommissionView, AppError> {
    visible_of(state, me, Which::One(id)).await?.into_iter().next().ok_or(AppError::refused(ErrorCode::NotFound))
}

/// A commission as its list shows it.
#[derive(sqlx::FromRow)]
struct CommissionShown {
    id: i64,
    fields: String,
    created_at: i64,
    withdrawn_at: Option<i64>,
    closed_at: Option<i64>,
}

/// An answer to a commission as its list shows it (the title only to whoever may read it).
#[derive(sqlx::FromRow)]
struct AnswerShown {
    unit_id: i64,
    item_id: String,
    title: String,
    submitted_at: i64,
    author_id: i64,
    office_id: Option<i64>,
    #[sqlx(try_from = "Stored<ItemState>")]
    state: ItemState,
}

async fn visible_of(state: &AppState, me: &Me, only: Which) -> Result<Vec<CommissionView>, AppError> {
    let office = my_office(state, me).await?;
    let office_wide = me.unit_id == office;
    let today = day_of(now_ms());
    let tree = unit_nodes(&state.db.pool).await?;
    let (which, from, to) = match only {
        Which::One(id) => ("id = $2 AND id = $3", id, id),
        Which::Recent => ("deadline_day >= $2 AND deadline_day <= $3", i64::from(today - RECENT_DAYS), i64::MAX),
        Which::DueWithin(days) => {
            ("deadline_day >= $2 AND deadline_day <= $3 AND withdrawn_at IS NULL", i64::from(today), i64::from(today + days - 1))
        }
    };
    let rows = sqlx::query(&format!(
        "SELECT id, fields, created_at, kind, withdrawn_at, closed_at FROM commissions WHERE office_id = $1 AND {which} ORDER BY id DESC LIMIT 200"
    ))
    .bind(office)
    .bind(from)
    .bind(to)
    .fetch_all(&state.db.pool)
    .await?;
    let names: BTreeMap<i64, String> = sqlx::query("SELECT id, name FROM units")
        .fetch_all(&state.db.pool)
        .await?
        .iter()
        .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for r in &rows {
        let c: CommissionShown = decode(r, "commissions", "id")?;
        let id = c.id;
        let fields: CommissionFields = crate::db::stored_json(&c.fields, "commissions.fields", &id.to_string())?;
        let targeted = fields.kind == CommissionKind::Targeted;
        let withdrawn = c.withdrawn_at.is_some();
        if !office_wide && (withdrawn || (targeted && !fields.units.contains(&me.unit_id))) {
            continue;
        }
        let answers = sqlx::query(
            "SELECT a.unit_id, a.item_id, i.title, a.submitted_at, i.author_id, i.office_id, i.state FROM commission_answers a \
             JOIN items i ON i.id = a.item_id WHERE a.commission_id = $1 ORDER BY a.submitted_at",
        )
        .bind(id)
        .fetch_all(&state.db.pool)
        .await?;
        let deadline = parse_day(&fields.deadline).unwrap_or(today);
        let mut list = Vec::new();
        for row in &answers {
            let a: AnswerShown = decode(row, "commission_answers", "item_id")?;
            if !office_wide && a.unit_id != me.unit_id {
                continue;
            }
            // That the unit answered is the commission's standing, open to the unit; what it
            // answered is the item's, told only to whoever reads the item or its points.
            if !answer_counts(a.state) {
                // Withdrawn by its author: it answers nothing.
                continue;
            }
            let author = a.author_id;
            let shown = Actor::of(me, a.office_id).may_read_scores(author == me.user_id, a.state);
            let title = match (shown, a.state == ItemState::Returned && author != me.user_id) {
                (false, _) => String::new(),
                // Back with its author: the title as the office returned it.
                (true, true) => {
                    crate::items::office_content(&state.db.pool, &a.item_id, author).await?.map(|c| c.title).unwrap_or_default()
                }
                (true, false) => a.title,
            };
            list.push(Answer {
                unit_id: a.unit_id,
                unit: names.get(&a.unit_id).cloned().unwrap_or_default(),
                item_id: a.item_id,
                title,
                submitted_at: a.submitted_at,
                on_time: on_time(a.submitted_at, deadline),
            });
        }
        let asked: Vec<(i64, String)> = if targeted {
            fields
                .units
                .iter()
                .filter(|u| office_wide || **u == me.unit_id)
                .map(|u| (*u, names.get(u).cloned().unwrap_or_default()))
                .collect()
        } else {
            Vec::new()
        };
        let overseen = |u: i64| reviewing_office(&tree, u) == Some(office);
        let standing = if c.closed_at.is_some() && targeted && !withdrawn {
            // Closed: as decided when it closed (`commission_missed`), whatever moved since.
            let missed: Vec<i64> = sqlx::query_scalar("SELECT unit_id FROM commission_missed WHERE commission_id = $1")
                .bind(id)
                .fetch_all(&state.db.pool)
                .await?;
            standing_at_close(&asked, &list, deadline, &missed, overseen)
        } else {
            standing(&asked, &list, deadline, now_ms(), overseen)
        };
        out.push(CommissionView { id, fields, created_at: c.created_at, answers: list, standing, withdrawn });
    }
    Ok(out)
}

/// `GET /api/commissions`: the commissions and priorities the caller sees.
#[utoipa::path(get, path = "/api/commissions", tag = "commissions", responses((status = 200, body = Vec<CommissionView>)))]
pub async fn list(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> Result<Json<Vec<CommissionView>>, AppError> {
    close_due(&state).await?;
    Ok(Json(visible(&state, &me).await?))
}

/// `POST /api/commissions`: the office's editor publishes a commission or a priority; audited.
#[utoipa::path(post, path = "/api/commissions", tag = "commissions", request_body = CommissionFields,
    responses((status = 200, body = CommissionView), (status = 403, body = xinbao_core::api::ErrorBody), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    ApiJson(mut req): ApiJson<CommissionFields>,
) -> Result<Json<CommissionView>, AppError> {
    let office = editors_office(&state, &me).await?;
    if let Some(p) = req.problems_on(day_of(now_ms())).first() {
        return Err(AppError::bad_request(p.zh));
    }
    tidy(&mut req);
    asks_own_units(&state, office, &req).await?;
    let (from, deadline) = (parse_day(&req.from).unwrap_or(0), parse_day(&req.deadline).unwrap_or(0));
    let body = serde_json::to_string(&req).map_err(|e| AppError::Internal(e.into()))?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO commissions (office_id, kind, topic, fields, from_day, deadline_day, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(office)
    .bind(req.kind.as_str())
    .bind(&req.topic)
    .bind(&body)
    .bind(i64::from(from))
    .bind(i64::from(deadline))
    .bind(me.user_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    for u in &req.units {
        sqlx::query("INSERT INTO commission_units (commission_id, unit_id) VALUES ($1, $2)").bind(id).bind(*u).execute(&mut *tx).await?;
    }
    let detail = format!("{}：{}（截止{}，{}个单位）", req.kind.label().zh, req.topic, day_text(deadline), req.units.len());
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "commission", &id.to_string(), &detail).await?;
    tx.commit().await?;
    let view = one(&state, &me, id).await?;
    Ok(Json(view))
}

/// The office of `me` if they are one of its editors (who publish, change and withdraw).
async fn editors_office(state: &AppState, me: &Me) -> Result<i64, AppError> {
    let office = my_office(state, me).await?;
    if me.role != Role::Editor || me.unit_id != office {
        return Err(AppError::Refused(ErrorCode::Forbidden, Some("只有本级信息科的编辑可以发布约稿和报送要点".into())));
    }
    Ok(office)
}

fn tidy(req: &mut CommissionFields) {
    req.topic = req.topic.trim().to_owned();
    req.units.sort_unstable();
    req.units.dedup();
}

async fn asks_own_units(state: &AppState, office: i64, req: &CommissionFields) -> Result<(), AppError> {
    let tree = unit_nodes(&state.db.pool).await?;
    if req.units.iter().any(|u| reviewing_office(&tree, *u) != Some(office)) {
        return Err(AppError::bad_request("约稿单位须是本级所辖单位"));
    }
    Ok(())
}

/// A commission of the office, as stored, for a change: its fields, whether it was closed. Its
/// row is locked first (a no-op update), so a `close_due` on another server either finished
/// before — and is seen — or waits for the change and finds the new deadline.
async fn stored(tx: &mut Tx, office: i64, id: i64) -> Result<(CommissionFields, bool), AppError> {
    sqlx::query("UPDATE commissions SET closed_at = closed_at WHERE id = $1 AND office_id = $2")
        .bind(id)
        .bind(office)
        .execute(&mut **tx)
        .await?;
    let row = sqlx::query("SELECT fields, closed_at, withdrawn_at FROM commissions WHERE id = $1 AND office_id = $2")
        .bind(id)
        .bind(office)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::refused(ErrorCode::NotFound))?;
    if row.try_get::<Option<i64>, _>(2)?.is_some() {
        return Err(AppError::bad_request("这个约稿已经撤回"));
    }
    let fields = serde_json::from_str(&row.try_get::<String, _>(0)?).map_err(|e| AppError::Internal(e.into()))?;
    Ok((fields, row.try_get::<Option<i64>, _>(1)?.is_some()))
}

/// The items that answered commission `id`.
async fn answering_items(tx: &mut Tx, id: i64) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query("SELECT item_id FROM commission_answers WHERE commission_id = $1")
        .bind(id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?)
}

/// `POST /api/commissions/{id}`: the office's editor changes a commission — the deadline
/// extended (never into the past), units added (never dropped), the topic or description
/// reworded; audited. Points follow the final version: a commission already closed opens
/// again (its penalties are taken back until it closes on the new deadline), and answers are
/// scored again against the new deadline.
#[utoipa::path(post, path = "/api/commissions/{id}", tag = "commissions", request_body = CommissionFields,
    params(("id" = i64, Path, description = "The commission id")),
    responses((status = 200, body = CommissionView), (status = 403, body = xinbao_core::api::ErrorBody), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn change(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(mut req): ApiJson<CommissionFields>,
) -> Result<Json<CommissionView>, AppError> {
    let office = editors_office(&state, &me).await?;
    tidy(&mut req);
    asks_own_units(&state, office, &req).await?;
    let mut tx = state.db.begin_write().await?;
    crate::scores::lock_closing(&mut tx, office).await?;
    let (before, closed) = stored(&mut tx, office, id).await?;
    if let Some(p) = req.change_problems(&before, day_of(now_ms())).first() {
        return Err(AppError::bad_request(p.zh));
    }
    let (from, deadline) = (parse_day(&req.from).unwrap_or(0), parse_day(&req.deadline).unwrap_or(0));
    let body = serde_json::to_string(&req).map_err(|e| AppError::Internal(e.into()))?;
    sqlx::query("UPDATE commissions SET topic = $1, fields = $2, from_day = $3, deadline_day = $4, closed_at = NULL WHERE id = $5")
        .bind(&req.topic)
        .bind(&body)
        .bind(i64::from(from))
        .bind(i64::from(deadline))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for u in req.units.iter().filter(|u| !before.units.contains(u)) {
        sqlx::query("INSERT INTO commission_units (commission_id, unit_id) VALUES ($1, $2)").bind(id).bind(*u).execute(&mut *tx).await?;
    }
    if closed {
        sqlx::query("DELETE FROM commission_missed WHERE commission_id = $1").bind(id).execute(&mut *tx).await?;
        crate::scores::remove_events(
            &mut tx,
            office,
            "source_kind = 'commission' AND source_id = $1 AND rule = 'commission_missed'",
            &[crate::db::Value::Int(id)],
        )
        .await?;
    }
    let items = answering_items(&mut tx, id).await?;
    rescore_answers(&mut tx, office, &items).await?;
    let detail =
        format!("{}：截止{} → {}，{}个单位 → {}个单位", req.topic, before.deadline, req.deadline, before.units.len(), req.units.len());
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "commission_changed", &id.to_string(), &detail).await?;
    tx.commit().await?;
    let view = one(&state, &me, id).await?;
    Ok(Json(view))
}

/// `POST /api/commissions/{id}/withdraw`: the office's editor withdraws a commission — it asks
/// nothing from now on, and whatever it scored (answers used, units penalised) is taken back;
/// audited.
#[utoipa::path(post, path = "/api/commissions/{id}/withdraw", tag = "commissions",
    params(("id" = i64, Path, description = "The commission id")),
    responses((status = 200, body = CommissionView), (status = 403, body = xinbao_core::api::ErrorBody), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<CommissionView>, AppError> {
    let office = editors_office(&state, &me).await?;
    let mut tx = state.db.begin_write().await?;
    crate::scores::lock_closing(&mut tx, office).await?;
    let (before, _) = stored(&mut tx, office, id).await?;
    let now = now_ms();
    sqlx::query("UPDATE commissions SET withdrawn_at = $1, closed_at = COALESCE(closed_at, $1) WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    // What it scored in periods still open goes; what an issued notice already counted stays
    // (nothing reaches into a closed period, a recompute included).
    let open_only = crate::scores::outside_closed(&mut tx, office).await?;
    crate::scores::remove_events(
        &mut tx,
        office,
        &format!("source_kind = 'commission' AND source_id = $1{open_only}"),
        &[crate::db::Value::Int(id)],
    )
    .await?;
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "commission_withdrawn", &id.to_string(), &before.topic).await?;
    tx.commit().await?;
    let view = one(&state, &me, id).await?;
    Ok(Json(view))
}

/// `GET /api/inbox`: the commissions the caller sees and the leader instructions on their
/// items in the last 90 days.
#[utoipa::path(get, path = "/api/inbox", tag = "commissions", responses((status = 200, body = Inbox)))]
pub async fn inbox(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> Result<Json<Inbox>, AppError> {
    close_due(&state).await?;
    let commissions = visible(&state, &me).await?;
    let rows = sqlx::query(
        "SELECT n.item_id, i.title, n.level, n.leader, n.day FROM instructions n JOIN items i ON i.id = n.item_id \
         WHERE i.author_id = $1 AND n.day >= $2 ORDER BY n.day DESC, n.id DESC LIMIT 50",
    )
    .bind(me.user_id)
    .bind(i64::from(day_of(now_ms()) - RECENT_DAYS))
    .fetch_all(&state.db.pool)
    .await?;
    let instructions = rows.iter().map(instruction_note).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(Inbox { commissions, instructions }))
}

/// An instruction as a notice lists it, from a row of (item id, title, level, leader, day).
pub(crate) fn instruction_note(r: &sqlx::any::AnyRow) -> Result<InstructionNote, AppError> {
    let level: String = r.try_get(2)?;
    Ok(InstructionNote {
        item_id: r.try_get(0)?,
        title: r.try_get(1)?,
        level: crate::db::stored(Level::parse(&level), "instructions.level", &level)?,
        leader: r.try_get(3)?,
        date: day_text(r.try_get::<i64, _>(4)? as i32),
    })
}

/// `GET /api/commissions/units`: the units the caller's office reviews (whom a commission can
/// ask; the review queue's unit filter), for the office's editors and signers.
#[utoipa::path(get, path = "/api/commissions/units", tag = "commissions", responses((status = 200, body = Vec<UnitName>), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn units(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> Result<Json<Vec<UnitName>>, AppError> {
    let office = crate::office::section_office(&state, &me).await?;
    let tree = unit_nodes(&state.db.pool).await?;
    let rows = sqlx::query("SELECT id, name FROM units ORDER BY id").fetch_all(&state.db.pool).await?;
    let mut out = Vec::new();
    for r in rows {
        let id: i64 = r.try_get(0)?;
        if reviewing_office(&tree, id) == Some(office) {
            out.push(UnitName { id, name: r.try_get(1)? });
        }
    }
    Ok(Json(out))
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]` (the path, the
/// method and the OpenAPI operation come from the same line).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list, create))
        .routes(routes!(inbox))
        .routes(routes!(units))
        .routes(routes!(change))
        .routes(routes!(withdraw))
}
