//! Adoption (采用), leader instructions (批示) and scores: the endpoints that record the facts,
//! store the point events `xinbao_core::scoring` derives from them, and read the scoreboard and
//! its drill-down. Who may record what is decided in `xinbao_core::review`; what a fact is worth
//! in `xinbao_core::scoring`. Every record is audited.

use crate::AppState;
use crate::auth::{Admin, CurrentUser};
use crate::db::now_ms;
use crate::error::{ApiJson, AppError};
use axum::Json;
use axum::extract::{Path, Query, State};
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeMap;
use xinbao_core::api::{ErrorCode, Me};
use xinbao_core::review::{Actor, Denied, UnitNode, home_office, may_record_adoption, may_record_instruction, reviewing_office};
use xinbao_core::role::Role;
use xinbao_core::scoring::{
    AdoptionFact, AdoptionView, By, Credit, EventRow, Feedback, Form, InstructionFact, InstructionView, ItemScoring, Level, NewAdoption,
    NewInstruction, Period, PubKind, Publication, Rule, ScoreEvent, Scoreboard, ScoringTable, Source, SubmissionFact, adoption_events,
    day_of, day_text, default_publications, instruction_events, parse_day, submission_events,
};
use xinbao_core::sync::ItemState;

type Tx = Transaction<'static, Any>;

/// Longest publication name, issue, leader and instruction text accepted.
const MAX_SHORT: usize = 100;
const MAX_TEXT: usize = 2000;

/// The unit tree, for working out offices.
pub async fn unit_nodes<'e, E: sqlx::Executor<'e, Database = Any>>(ex: E) -> Result<Vec<UnitNode>, AppError> {
    let rows = sqlx::query("SELECT id, parent_id, kind FROM units").fetch_all(ex).await?;
    let mut tree = Vec::with_capacity(rows.len());
    for r in rows {
        let kind: String = r.try_get(2)?;
        tree.push(UnitNode { id: r.try_get(0)?, parent: r.try_get(1)?, is_office: kind == "office" });
    }
    Ok(tree)
}

/// The office whose scores `me` sees.
async fn my_office(state: &AppState, me: &Me) -> Result<i64, AppError> {
    let tree = unit_nodes(&state.db.pool).await?;
    home_office(&tree, me.unit_id).ok_or(AppError::refused(ErrorCode::NotFound))
}

/// The office's scoring table versions (none stored: the defaults).
pub async fn tables<'e, E: sqlx::Executor<'e, Database = Any>>(ex: E, office: i64) -> Result<Vec<ScoringTable>, AppError> {
    let rows =
        sqlx::query("SELECT body FROM scoring_tables WHERE office_id = $1 ORDER BY effective_from").bind(office).fetch_all(ex).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let body: String = r.try_get(0)?;
        out.push(serde_json::from_str(&body).map_err(|e| AppError::Internal(e.into()))?);
    }
    Ok(out)
}

/// Replaces the events of `source` (for instructions: of every instruction on `item`) with
/// `events`.
async fn store_events(tx: &mut Tx, office: i64, events: &[ScoreEvent]) -> Result<(), AppError> {
    for e in events {
        sqlx::query(
            "INSERT INTO score_events (office_id, day, source_kind, source_id, item_id, author_id, unit_id, rule, centi, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(office)
        .bind(i64::from(e.day))
        .bind(e.source.kind())
        .bind(e.source.id())
        .bind(&e.credit.item_id)
        .bind(e.credit.author_id)
        .bind(e.credit.unit_id)
        .bind(e.rule.as_str())
        .bind(e.centi)
        .bind(&e.note)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Records an item's first submission as a scored event (called inside the push transaction;
/// a resubmission adds nothing).
pub async fn record_submission(tx: &mut Tx, item_id: &str, now: i64) -> Result<(), AppError> {
    let done = sqlx::query("SELECT 1 FROM score_events WHERE item_id = $1 AND source_kind = 'submission'")
        .bind(item_id)
        .fetch_optional(&mut **tx)
        .await?;
    if done.is_some() {
        return Ok(());
    }
    let Some(item) = load(tx, item_id).await? else { return Ok(()) };
    let Some(office) = item.office else { return Ok(()) };
    let tables = tables(&mut **tx, office).await?;
    store_events(tx, office, &submission_events(&SubmissionFact { credit: item.credit, day: day_of(now) }, &tables)).await
}

struct Loaded {
    credit: Credit,
    state: ItemState,
    office: Option<i64>,
    title: String,
}

async fn load(tx: &mut Tx, id: &str) -> Result<Option<Loaded>, AppError> {
    let row = sqlx::query("SELECT author_id, unit_id, state, office_id, title FROM items WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let state: String = r.try_get(2)?;
    Ok(Some(Loaded {
        credit: Credit { item_id: id.to_owned(), author_id: r.try_get(0)?, unit_id: r.try_get(1)? },
        state: ItemState::parse(&state).unwrap_or(ItemState::Draft),
        office: r.try_get(3)?,
        title: r.try_get(4)?,
    }))
}

fn actor(me: &Me, office: Option<i64>) -> Actor {
    Actor { role: me.role, reviews_it: office == Some(me.unit_id) }
}

fn denied(d: Denied) -> AppError {
    AppError::Refused(ErrorCode::Forbidden, Some(d.text().zh.to_owned()))
}

fn bounded(text: &str, max: usize, what: &str) -> Result<String, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AppError::bad_request(format!("请填写{what}")));
    }
    if t.chars().count() > max {
        return Err(AppError::bad_request(format!("{what}不能超过{max}字")));
    }
    Ok(t.to_owned())
}

fn date(text: &str) -> Result<i32, AppError> {
    parse_day(text).ok_or_else(|| AppError::bad_request("日期格式应为 2026-11-25"))
}

/// `GET /api/publications`: the publications of the caller's office (the defaults, the first
/// time anyone asks).
#[utoipa::path(get, path = "/api/publications", tag = "scores", responses((status = 200, body = Vec<Publication>)))]
pub async fn publications(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> Result<Json<Vec<Publication>>, AppError> {
    let office = my_office(&state, &me).await?;
    Ok(Json(publications_of(&state, office).await?))
}

async fn publications_of(state: &AppState, office: i64) -> Result<Vec<Publication>, AppError> {
    let read = || async {
        let rows = sqlx::query("SELECT id, name, level, kind FROM publications WHERE office_id = $1 ORDER BY id")
            .bind(office)
            .fetch_all(&state.db.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (level, kind): (String, String) = (r.try_get(2)?, r.try_get(3)?);
            out.push(Publication {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                level: Level::parse(&level).unwrap_or(Level::County),
                kind: PubKind::parse(&kind).unwrap_or(PubKind::Periodical),
            });
        }
        Ok::<_, AppError>(out)
    };
    let found = read().await?;
    if !found.is_empty() {
        return Ok(found);
    }
    let name: String = sqlx::query("SELECT name FROM units WHERE id = $1").bind(office).fetch_one(&state.db.pool).await?.try_get(0)?;
    // 林双县人民政府办公室 → 林双政务信息
    let place: String = name.split(['县', '市', '省', '区']).next().unwrap_or("").chars().take(4).collect();
    let own = format!("{}政务信息", if place.is_empty() { "本级" } else { &place });
    for (n, level, kind) in default_publications(&own) {
        sqlx::query("INSERT INTO publications (office_id, name, level, kind) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(office)
            .bind(n)
            .bind(level.as_str())
            .bind(kind.as_str())
            .execute(&state.db.pool)
            .await?;
    }
    read().await
}

/// `POST /api/items/{id}/adoptions`: records that the item (and, for a combined piece, the
/// items in `with`) was used in a publication; the points follow at once.
#[utoipa::path(post, path = "/api/items/{id}/adoptions", tag = "scores", request_body = NewAdoption,
    params(("id" = String, Path, description = "The item id")),
    responses((status = 200, body = AdoptionView), (status = 403, body = xinbao_core::api::ErrorBody), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn adopt(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<NewAdoption>,
) -> Result<Json<AdoptionView>, AppError> {
    let day = date(&req.date)?;
    let issue = bounded(&req.issue, MAX_SHORT, "期号")?;
    if req.with.len() > 50 {
        return Err(AppError::bad_request("一篇综合稿最多合编50篇"));
    }
    if req.form != Form::Combined && !req.with.is_empty() {
        return Err(AppError::bad_request("只有综合采用才能合编多篇稿件"));
    }
    let mut tx = state.db.pool.begin().await?;
    let mut ids = vec![id.clone()];
    ids.extend(req.with.iter().filter(|w| **w != id).cloned());
    ids.dedup();
    let mut credits = Vec::with_capacity(ids.len());
    let mut titles = Vec::with_capacity(ids.len());
    let mut office = None;
    for item_id in &ids {
        // Someone else's item answers as if it did not exist.
        let item = load(&mut tx, item_id).await?.ok_or(AppError::refused(ErrorCode::NotFound))?;
        if !actor(&me, item.office).may_read(item.credit.author_id == me.user_id, item.state) {
            return Err(AppError::refused(ErrorCode::NotFound));
        }
        may_record_adoption(actor(&me, item.office), item.state).map_err(denied)?;
        office = item.office;
        credits.push(item.credit);
        titles.push(item.title);
    }
    let office = office.ok_or(AppError::refused(ErrorCode::NotFound))?;
    let publication = sqlx::query("SELECT name, level, kind FROM publications WHERE id = $1 AND office_id = $2")
        .bind(req.publication_id)
        .bind(office)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::bad_request("没有这个刊物"))?;
    let (pub_name, level, kind): (String, String, String) = (publication.try_get(0)?, publication.try_get(1)?, publication.try_get(2)?);
    let (level, kind) = (Level::parse(&level).unwrap_or(Level::County), PubKind::parse(&kind).unwrap_or(PubKind::Periodical));
    let adoption_id: i64 = sqlx::query(
        "INSERT INTO adoptions (office_id, publication_id, form, day, issue, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(office)
    .bind(req.publication_id)
    .bind(req.form.as_str())
    .bind(i64::from(day))
    .bind(&issue)
    .bind(me.user_id)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    for item_id in &ids {
        sqlx::query("INSERT INTO adoption_items (adoption_id, item_id) VALUES ($1, $2)")
            .bind(adoption_id)
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
    }
    let fact =
        AdoptionFact { id: adoption_id, items: credits, level, kind, form: req.form, day, label: format!("《{pub_name}》{issue}") };
    let tables = tables(&mut *tx, office).await?;
    store_events(&mut tx, office, &adoption_events(&fact, &tables)).await?;
    let detail = format!("《{pub_name}》{issue} {} {}篇", req.form.label().zh, ids.len());
    for item_id in &ids {
        crate::accounts::audit_in(&mut *tx, Some(me.user_id), "adoption", item_id, &detail).await?;
    }
    tx.commit().await?;
    Ok(Json(AdoptionView {
        id: adoption_id,
        publication: pub_name,
        level,
        form: req.form,
        date: day_text(day),
        issue,
        items: titles,
        recorded_by: me.display_name,
    }))
}

/// Recomputes the instruction events of `item` (the same level counts once, so one new
/// instruction can change which one scores).
async fn rescore_instructions(tx: &mut Tx, item: &Loaded, office: i64) -> Result<(), AppError> {
    let rows = sqlx::query("SELECT id, level, day, leader FROM instructions WHERE item_id = $1")
        .bind(&item.credit.item_id)
        .fetch_all(&mut **tx)
        .await?;
    let mut facts = Vec::with_capacity(rows.len());
    for r in rows {
        let level: String = r.try_get(1)?;
        facts.push(InstructionFact {
            id: r.try_get(0)?,
            credit: item.credit.clone(),
            level: Level::parse(&level).unwrap_or(Level::County),
            day: r.try_get::<i64, _>(2)? as i32,
            leader: r.try_get(3)?,
        });
    }
    sqlx::query("DELETE FROM score_events WHERE item_id = $1 AND source_kind = 'instruction'")
        .bind(&item.credit.item_id)
        .execute(&mut **tx)
        .await?;
    let tables = tables(&mut **tx, office).await?;
    store_events(tx, office, &instruction_events(&facts, &tables)).await
}

/// `POST /api/items/{id}/instructions`: a leader's instruction on the item.
#[utoipa::path(post, path = "/api/items/{id}/instructions", tag = "scores", request_body = NewInstruction,
    params(("id" = String, Path, description = "The item id")),
    responses((status = 200, body = InstructionView), (status = 403, body = xinbao_core::api::ErrorBody), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn instruct(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<NewInstruction>,
) -> Result<Json<InstructionView>, AppError> {
    let day = date(&req.date)?;
    let leader = bounded(&req.leader, MAX_SHORT, "批示领导")?;
    let text = bounded(&req.text, MAX_TEXT, "批示内容")?;
    let mut tx = state.db.pool.begin().await?;
    let item = load(&mut tx, &id).await?.ok_or(AppError::refused(ErrorCode::NotFound))?;
    let who = actor(&me, item.office);
    if !who.may_read_scores(item.credit.author_id == me.user_id, item.state) {
        return Err(AppError::refused(ErrorCode::NotFound));
    }
    may_record_instruction(who, item.state).map_err(denied)?;
    let office = item.office.ok_or(AppError::refused(ErrorCode::NotFound))?;
    let new_id: i64 = sqlx::query(
        "INSERT INTO instructions (item_id, level, day, leader, text, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&id)
    .bind(req.level.as_str())
    .bind(i64::from(day))
    .bind(&leader)
    .bind(&text)
    .bind(me.user_id)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    rescore_instructions(&mut tx, &item, office).await?;
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "instruction", &id, &format!("{} {leader}", req.level.label().zh)).await?;
    tx.commit().await?;
    Ok(Json(InstructionView {
        id: new_id,
        level: req.level,
        date: day_text(day),
        leader,
        text,
        recorded_by: me.display_name,
        feedback: None,
    }))
}

/// `POST /api/instructions/{id}/feedback`: what was done about an instruction (已反馈).
#[utoipa::path(post, path = "/api/instructions/{id}/feedback", tag = "scores", request_body = Feedback,
    params(("id" = i64, Path, description = "The instruction id")),
    responses((status = 200, body = InstructionView), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn feedback(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(instruction): Path<i64>,
    ApiJson(req): ApiJson<Feedback>,
) -> Result<Json<InstructionView>, AppError> {
    let note = bounded(&req.note, MAX_TEXT, "反馈情况")?;
    let mut tx = state.db.pool.begin().await?;
    let row = sqlx::query("SELECT item_id FROM instructions WHERE id = $1")
        .bind(instruction)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::refused(ErrorCode::NotFound))?;
    let item_id: String = row.try_get(0)?;
    let item = load(&mut tx, &item_id).await?.ok_or(AppError::refused(ErrorCode::NotFound))?;
    let who = actor(&me, item.office);
    if !who.reviews_it {
        return Err(AppError::refused(ErrorCode::NotFound));
    }
    may_record_instruction(who, item.state).map_err(denied)?;
    sqlx::query("UPDATE instructions SET feedback = $1, feedback_at = $2 WHERE id = $3")
        .bind(&note)
        .bind(now_ms())
        .bind(instruction)
        .execute(&mut *tx)
        .await?;
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "instruction_feedback", &item_id, &note).await?;
    let view = instructions_of(&mut tx, &item_id)
        .await?
        .into_iter()
        .find(|i| i.id == instruction)
        .ok_or(AppError::refused(ErrorCode::NotFound))?;
    tx.commit().await?;
    Ok(Json(view))
}

async fn instructions_of(tx: &mut Tx, item_id: &str) -> Result<Vec<InstructionView>, AppError> {
    let rows = sqlx::query(
        "SELECT i.id, i.level, i.day, i.leader, i.text, u.display_name, i.feedback FROM instructions i JOIN users u ON u.id = i.recorded_by \
         WHERE i.item_id = $1 ORDER BY i.day, i.id",
    )
    .bind(item_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let level: String = r.try_get(1)?;
        out.push(InstructionView {
            id: r.try_get(0)?,
            level: Level::parse(&level).unwrap_or(Level::County),
            date: day_text(r.try_get::<i64, _>(2)? as i32),
            leader: r.try_get(3)?,
            text: r.try_get(4)?,
            recorded_by: r.try_get(5)?,
            feedback: r.try_get(6)?,
        });
    }
    Ok(out)
}

const EVENT_COLUMNS: &str = "e.day, e.item_id, i.title, u.display_name, n.name, e.rule, e.centi, e.source_kind, e.source_id, e.note \
     FROM score_events e JOIN items i ON i.id = e.item_id JOIN users u ON u.id = e.author_id JOIN units n ON n.id = e.unit_id";

fn event_row(r: &sqlx::any::AnyRow) -> Result<EventRow, AppError> {
    let (rule, kind): (String, String) = (r.try_get(5)?, r.try_get(7)?);
    Ok(EventRow {
        date: day_text(r.try_get::<i64, _>(0)? as i32),
        item_id: r.try_get(1)?,
        title: r.try_get(2)?,
        author: r.try_get(3)?,
        unit: r.try_get(4)?,
        rule: Rule::parse(&rule).unwrap_or(Rule::Submission),
        centi: r.try_get(6)?,
        source: Source::from_parts(&kind, r.try_get(8)?).unwrap_or(Source::Submission),
        note: r.try_get(9)?,
    })
}

/// `GET /api/items/{id}/scoring`: the item's adoptions, instructions and every point it earned.
#[utoipa::path(get, path = "/api/items/{id}/scoring", tag = "scores",
    params(("id" = String, Path, description = "The item id")),
    responses((status = 200, body = ItemScoring), (status = 404, body = xinbao_core::api::ErrorBody)))]
pub async fn item_scoring(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<ItemScoring>, AppError> {
    let mut tx = state.db.pool.begin().await?;
    let item = load(&mut tx, &id).await?.ok_or(AppError::refused(ErrorCode::NotFound))?;
    let who = actor(&me, item.office);
    if !who.may_read_scores(item.credit.author_id == me.user_id, item.state) {
        return Err(AppError::refused(ErrorCode::NotFound));
    }
    let rows = sqlx::query(
        "SELECT a.id, p.name, p.level, a.form, a.day, a.issue, u.display_name FROM adoptions a JOIN adoption_items ai ON ai.adoption_id = a.id \
         JOIN publications p ON p.id = a.publication_id JOIN users u ON u.id = a.recorded_by WHERE ai.item_id = $1 ORDER BY a.day, a.id",
    )
    .bind(&id)
    .fetch_all(&mut *tx)
    .await?;
    let mut adoptions = Vec::with_capacity(rows.len());
    for r in rows {
        let adoption_id: i64 = r.try_get(0)?;
        let titles = sqlx::query(
            "SELECT i.title FROM adoption_items ai JOIN items i ON i.id = ai.item_id WHERE ai.adoption_id = $1 ORDER BY i.title",
        )
        .bind(adoption_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|t| t.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
        let (level, form): (String, String) = (r.try_get(2)?, r.try_get(3)?);
        adoptions.push(AdoptionView {
            id: adoption_id,
            publication: r.try_get(1)?,
            level: Level::parse(&level).unwrap_or(Level::County),
            form: Form::parse(&form).unwrap_or(Form::Full),
            date: day_text(r.try_get::<i64, _>(4)? as i32),
            issue: r.try_get(5)?,
            items: titles,
            recorded_by: r.try_get(6)?,
        });
    }
    let instructions = instructions_of(&mut tx, &id).await?;
    let events = sqlx::query(&format!("SELECT {EVENT_COLUMNS} WHERE e.item_id = $1 ORDER BY e.day, e.id"))
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(event_row)
        .collect::<Result<Vec<_>, _>>()?;
    tx.commit().await?;
    Ok(Json(ItemScoring { adoptions, instructions, events }))
}

/// The period and grouping of a scoreboard request.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ScoresQuery {
    /// First day, `YYYY-MM-DD` (default: the first of this month).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today).
    pub to: Option<String>,
    /// `unit` (default) or `person`.
    pub by: Option<String>,
    /// Drill-down: one unit's events.
    pub unit: Option<i64>,
    /// Drill-down: one person's events.
    pub person: Option<i64>,
}

fn period(q: &ScoresQuery) -> Result<Period, AppError> {
    let today = day_of(now_ms());
    let (y, m, _) = xinbao_core::scoring::ymd(today);
    let from = match q.from.as_deref() {
        Some(f) => date(f)?,
        None => Period::month(y, m).from,
    };
    let to = match q.to.as_deref() {
        Some(t) => date(t)?,
        None => today,
    };
    if to < from || to - from > 3660 {
        return Err(AppError::bad_request("时间范围应在十年以内，且起始不晚于结束"));
    }
    Ok(Period { from, to })
}

async fn floor_percent(state: &AppState) -> Result<u32, AppError> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = 'adoption_rate_floor'").fetch_optional(&state.db.pool).await?;
    Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?.and_then(|v| v.parse().ok()).unwrap_or(30))
}

/// The SQL form of `xinbao_core::scoring::tally` for one office and period, grouped by
/// `column` (`unit_id` or `author_id`): submissions, distinct adopted items, points.
pub async fn tally_sql(state: &AppState, office: i64, p: Period, by: By) -> Result<BTreeMap<i64, xinbao_core::scoring::Tally>, AppError> {
    let column = match by {
        By::Unit => "unit_id",
        By::Person => "author_id",
    };
    let adoption_rules: Vec<String> = Rule::ALL.into_iter().filter(|r| r.is_adoption()).map(|r| format!("'{}'", r.as_str())).collect();
    let sql = format!(
        "SELECT {column}, SUM(CASE WHEN rule = 'submission' THEN 1 ELSE 0 END), \
                COUNT(DISTINCT CASE WHEN rule IN ({}) THEN item_id END), CAST(SUM(centi) AS BIGINT) \
         FROM score_events WHERE office_id = $1 AND day BETWEEN $2 AND $3 GROUP BY {column}",
        adoption_rules.join(", ")
    );
    let rows = sqlx::query(&sql).bind(office).bind(i64::from(p.from)).bind(i64::from(p.to)).fetch_all(&state.db.pool).await?;
    let mut out = BTreeMap::new();
    for r in rows {
        out.insert(
            r.try_get::<i64, _>(0)?,
            xinbao_core::scoring::Tally {
                submitted: r.try_get::<i64, _>(1)? as u32,
                adopted: r.try_get::<i64, _>(2)? as u32,
                centi: r.try_get(3)?,
            },
        );
    }
    Ok(out)
}

/// `GET /api/scores`: the scoreboard of the caller's office for a period, by unit (ranked within
/// each unit class) or by person (ranked within each unit). Everyone in the office's tree reads
/// it: it is what the monthly notice prints.
#[utoipa::path(get, path = "/api/scores", tag = "scores", params(ScoresQuery), responses((status = 200, body = Scoreboard)))]
pub async fn scores(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ScoresQuery>,
) -> Result<Json<Scoreboard>, AppError> {
    let p = period(&q)?;
    let tree = unit_nodes(&state.db.pool).await?;
    let office = home_office(&tree, me.unit_id).ok_or(AppError::refused(ErrorCode::NotFound))?;
    let by = if q.by.as_deref() == Some("person") { By::Person } else { By::Unit };
    let tallies = tally_sql(&state, office, p, by).await?;
    let units: Vec<i64> = tree.iter().filter(|u| reviewing_office(&tree, u.id) == Some(office)).map(|u| u.id).collect();
    let mut keys = Vec::new();
    match by {
        By::Unit => {
            let rows = sqlx::query(
                "SELECT n.id, n.name, COALESCE(c.name, ''), c.monthly_quota FROM units n LEFT JOIN unit_classes c ON c.id = n.class_id ORDER BY n.id",
            )
            .fetch_all(&state.db.pool)
            .await?;
            for r in rows {
                let id: i64 = r.try_get(0)?;
                if units.contains(&id) || tallies.contains_key(&id) {
                    let quota: Option<i64> = r.try_get(3)?;
                    keys.push((id, r.try_get(1)?, r.try_get(2)?, quota.map(|q| q.max(0) as u32)));
                }
            }
        }
        By::Person => {
            let rows = sqlx::query(
                "SELECT u.id, u.display_name, n.name, u.unit_id, u.role FROM users u JOIN units n ON n.id = u.unit_id ORDER BY u.id",
            )
            .fetch_all(&state.db.pool)
            .await?;
            for r in rows {
                let (id, unit): (i64, i64) = (r.try_get(0)?, r.try_get(3)?);
                let role: String = r.try_get(4)?;
                if (units.contains(&unit) && role == "officer") || tallies.contains_key(&id) {
                    keys.push((id, r.try_get(1)?, r.try_get(2)?, None));
                }
            }
        }
    }
    Ok(Json(Scoreboard::build(p.title(), p, floor_percent(&state).await?, &keys, &tallies)))
}

/// `GET /api/scores/events`: the events behind one row of the scoreboard (`unit` or `person`),
/// for the same period. Officers drill into their own unit and themselves; the office's
/// editors, signers, readers and administrators into any row.
#[utoipa::path(get, path = "/api/scores/events", tag = "scores", params(ScoresQuery),
    responses((status = 200, body = Vec<EventRow>), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ScoresQuery>,
) -> Result<Json<Vec<EventRow>>, AppError> {
    let p = period(&q)?;
    let office = my_office(&state, &me).await?;
    let (column, key) = match (q.unit, q.person) {
        (Some(u), None) => ("e.unit_id", u),
        (None, Some(p)) => ("e.author_id", p),
        _ => return Err(AppError::bad_request("请指定一个单位或一个人")),
    };
    let office_wide = me.unit_id == office && me.role != Role::Officer;
    let own = (q.unit == Some(me.unit_id)) || (q.person == Some(me.user_id));
    if !office_wide && !own {
        return Err(AppError::refused(ErrorCode::Forbidden));
    }
    let rows = sqlx::query(&format!(
        "SELECT {EVENT_COLUMNS} WHERE e.office_id = $1 AND {column} = $2 AND e.day BETWEEN $3 AND $4 ORDER BY e.day, e.id LIMIT 5000"
    ))
    .bind(office)
    .bind(key)
    .bind(i64::from(p.from))
    .bind(i64::from(p.to))
    .fetch_all(&state.db.pool)
    .await?;
    Ok(Json(rows.iter().map(event_row).collect::<Result<Vec<_>, _>>()?))
}

/// `GET /api/admin/scoring`: the office's scoring table versions (the defaults when none).
#[utoipa::path(get, path = "/api/admin/scoring", tag = "admin", responses((status = 200, body = Vec<ScoringTable>)))]
pub async fn scoring_tables(State(state): State<AppState>, Admin(me): Admin) -> Result<Json<Vec<ScoringTable>>, AppError> {
    let office = my_office(&state, &me).await?;
    let found = tables(&state.db.pool, office).await?;
    Ok(Json(if found.is_empty() { vec![ScoringTable::defaults(0)] } else { found }))
}

/// `POST /api/admin/scoring`: a new version of the scoring table, in force from its
/// `effective_from` day on. Only future days: what was scored stays scored (recomputing the
/// past is another, explicit action).
#[utoipa::path(post, path = "/api/admin/scoring", tag = "admin", request_body = ScoringTable,
    responses((status = 200, body = Vec<ScoringTable>), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn change_scoring(
    State(state): State<AppState>,
    Admin(me): Admin,
    ApiJson(req): ApiJson<ScoringTable>,
) -> Result<Json<Vec<ScoringTable>>, AppError> {
    if let Some(problem) = req.problem() {
        return Err(AppError::bad_request(problem.zh));
    }
    let today = day_of(now_ms());
    if req.effective_from <= today {
        return Err(AppError::bad_request("新的计分标准只能从明天或以后生效；已计的分不因此改变"));
    }
    let office = my_office(&state, &me).await?;
    let body = serde_json::to_string(&req).map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = state.db.pool.begin().await?;
    sqlx::query("DELETE FROM scoring_tables WHERE office_id = $1 AND effective_from = $2")
        .bind(office)
        .bind(i64::from(req.effective_from))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO scoring_tables (office_id, effective_from, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(office)
        .bind(i64::from(req.effective_from))
        .bind(&body)
        .bind(me.user_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "scoring_table", &day_text(req.effective_from), &body).await?;
    tx.commit().await?;
    Ok(Json(tables(&state.db.pool, office).await?))
}
