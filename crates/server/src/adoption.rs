//! Adoption (采用) and leader instructions (批示) on an item: the publications an office records
//! in, the records, the feedback on instructions, and what an item earned. Every record is
//! audited.

use crate::auth::CurrentUser;
use crate::db::{Stored, decode, now_ms};
use crate::error::{ApiJson, AppError};
use crate::scores::{EVENT_COLUMNS, Loaded, Tx, bounded, date, denied, event_row, load, my_office, store_events, tables};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::ErrorCode;
use xinbao_core::review::{Actor, may_read_item, may_record_adoption, may_record_instruction};
use xinbao_core::scores::{
    AdoptionFact, AdoptionView, Credit, Feedback, Form, InstructionFact, InstructionView, ItemScoring, Level, NewAdoption, NewInstruction,
    PubKind, Publication, adoption_events, day_text, default_publications, instruction_events,
};

/// Longest publication name, issue, leader and instruction text accepted (also what is taken
/// from a destination that sends them back, `forward.rs`).
pub(crate) const MAX_SHORT: usize = 100;
pub(crate) const MAX_TEXT: usize = 2000;

/// `GET /api/publications`: the publications of the caller's office (the defaults, the first
/// time anyone asks).
#[utoipa::path(get, path = "/api/publications", tag = "scores", responses((status = 200, body = Vec<Publication>)))]
pub async fn publications(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> Result<Json<Vec<Publication>>, AppError> {
    let office = my_office(&state, &me).await?;
    Ok(Json(publications_of(&state, office).await?))
}

/// A publication as stored.
#[derive(sqlx::FromRow)]
struct PublicationRecord {
    id: i64,
    name: String,
    #[sqlx(try_from = "Stored<Level>")]
    level: Level,
    #[sqlx(try_from = "Stored<PubKind>")]
    kind: PubKind,
}

impl From<PublicationRecord> for Publication {
    fn from(p: PublicationRecord) -> Publication {
        Publication { id: p.id, name: p.name, level: p.level, kind: p.kind }
    }
}

/// A leader's instruction as scored.
#[derive(sqlx::FromRow)]
struct InstructionRecord {
    id: i64,
    #[sqlx(try_from = "Stored<Level>")]
    level: Level,
    day: i64,
    leader: String,
}

/// What an item's page shows of an instruction beside [`InstructionRecord`].
#[derive(sqlx::FromRow)]
struct InstructionShown {
    text: String,
    recorded_by: String,
    feedback: Option<String>,
}

/// An adoption of an item as its page shows it.
#[derive(sqlx::FromRow)]
struct AdoptionRecord {
    id: i64,
    publication: String,
    #[sqlx(try_from = "Stored<Level>")]
    level: Level,
    #[sqlx(try_from = "Stored<Form>")]
    form: Form,
    day: i64,
    issue: String,
    recorded_by: String,
}

pub(crate) async fn publications_of(state: &AppState, office: i64) -> Result<Vec<Publication>, AppError> {
    let read = || async {
        let rows = sqlx::query("SELECT id, name, level, kind FROM publications WHERE office_id = $1 ORDER BY id")
            .bind(office)
            .fetch_all(&state.db.pool)
            .await?;
        rows.iter().map(|r| decode::<PublicationRecord>(r, "publications", "id").map(Publication::from)).collect::<Result<Vec<_>, _>>()
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

/// An adoption of the item at `level` with the same issue (or the same number in it) that a
/// destination running Xinbao sent back (`forward.rs`): typing it in again would count it twice.
async fn came_back(tx: &mut crate::db::Tx, item: &str, office: i64, level: Level, issue: &str) -> Result<Option<String>, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.name, a.issue FROM adoptions a JOIN adoption_items ai ON ai.adoption_id = a.id \
         JOIN publications p ON p.id = a.publication_id \
         WHERE ai.item_id = $1 AND a.office_id = $2 AND p.level = $3 \
         AND EXISTS (SELECT 1 FROM forward_facts f WHERE f.kind = 'adoption' AND f.local_id = a.id)",
    )
    .bind(item)
    .bind(office)
    .bind(level.as_str())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().find(|(_, other)| xinbao_core::upward::same_issue(other, issue)).map(|(name, other)| format!("《{name}》{other}")))
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
    let mut tx = state.db.begin_write().await?;
    let mut ids = vec![id.clone()];
    ids.extend(req.with.iter().filter(|w| **w != id).cloned());
    ids.dedup();
    let mut credits = Vec::with_capacity(ids.len());
    let mut titles = Vec::with_capacity(ids.len());
    let mut office = None;
    for item_id in &ids {
        // Someone else's item answers as if it did not exist.
        let item = load(&mut tx, item_id).await?.ok_or(AppError::refused(ErrorCode::NotFound))?;
        if !may_read_item(&me, item.credit.author_id, item.office, item.state) {
            return Err(AppError::refused(ErrorCode::NotFound));
        }
        may_record_adoption(Actor::of(&me, item.office), item.state).map_err(denied)?;
        office = item.office;
        credits.push(item.credit);
        titles.push(item.title);
    }
    let office = office.ok_or(AppError::refused(ErrorCode::NotFound))?;
    let publication = publication_of(&mut tx, office, req.publication_id).await?.ok_or_else(|| AppError::bad_request("没有这个刊物"))?;
    let (pub_name, level) = (publication.name.clone(), publication.level);
    crate::scores::check_fact_day(&mut tx, office, day, &ids).await?;
    if let Some(already) = came_back(&mut tx, &id, office, level, &issue).await? {
        return Err(AppError::bad_request(format!("上级信报已回传这次采用（{already}），无需再登记")));
    }
    let adoption_id = record_adoption(&mut tx, me.user_id, office, &publication, req.form, day, &issue, credits).await?;
    crate::commissions::rescore_answers(&mut tx, office, &ids).await?;
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

/// The office's publication `id`, if it has one by that id.
pub(crate) async fn publication_of(tx: &mut Tx, office: i64, id: i64) -> Result<Option<Publication>, AppError> {
    let Some(r) = sqlx::query("SELECT id, name, level, kind FROM publications WHERE id = $1 AND office_id = $2")
        .bind(id)
        .bind(office)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(decode::<PublicationRecord>(&r, "publications", "id")?.into()))
}

/// Records an adoption of `credits` (already checked) in `publication`: the record, its items,
/// the points and the audit rows. The caller then scores the items' commission answers again
/// (`commissions::rescore_answers`), once, after all the adoptions it records or removes.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_adoption(
    tx: &mut Tx,
    by: i64,
    office: i64,
    publication: &Publication,
    form: Form,
    day: i32,
    issue: &str,
    credits: Vec<Credit>,
) -> Result<i64, AppError> {
    let adoption_id: i64 = sqlx::query(
        "INSERT INTO adoptions (office_id, publication_id, form, day, issue, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(office)
    .bind(publication.id)
    .bind(form.as_str())
    .bind(i64::from(day))
    .bind(issue)
    .bind(by)
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    for c in &credits {
        sqlx::query("INSERT INTO adoption_items (adoption_id, item_id) VALUES ($1, $2)")
            .bind(adoption_id)
            .bind(&c.item_id)
            .execute(&mut **tx)
            .await?;
    }
    let fact = AdoptionFact {
        id: adoption_id,
        items: credits,
        level: publication.level,
        kind: publication.kind,
        form,
        day,
        label: format!("《{}》{issue}", publication.name),
    };
    let tables = tables(&mut **tx, office).await?;
    store_events(tx, office, &adoption_events(&fact, &tables)).await?;
    let detail = format!("《{}》{issue} {} {}篇", publication.name, form.label().zh, fact.items.len());
    for c in &fact.items {
        crate::accounts::audit_in(&mut **tx, Some(by), "adoption", &c.item_id, &detail).await?;
    }
    // Its author learns at the next pull (an office that forwarded it, too).
    crate::items::log_changes(tx, fact.items.iter().map(|c| c.item_id.clone())).await?;
    Ok(adoption_id)
}

/// Takes an adoption back (an item removed from a draft issue): the record and its points;
/// audited. Returns its items, whose commission answers the caller scores again once it has
/// recorded and removed all it will (a commission's points follow the earliest adoption left).
pub(crate) async fn remove_adoption(tx: &mut Tx, by: i64, office: i64, adoption_id: i64) -> Result<Vec<String>, AppError> {
    let items: Vec<String> = sqlx::query("SELECT item_id FROM adoption_items WHERE adoption_id = $1")
        .bind(adoption_id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    crate::scores::remove_events(tx, office, "source_kind = 'adoption' AND source_id = $1", &[crate::db::Value::Int(adoption_id)]).await?;
    sqlx::query("DELETE FROM adoption_items WHERE adoption_id = $1").bind(adoption_id).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM adoptions WHERE id = $1").bind(adoption_id).execute(&mut **tx).await?;
    for item in &items {
        crate::accounts::audit_in(&mut **tx, Some(by), "adoption_removed", item, &adoption_id.to_string()).await?;
    }
    crate::items::log_changes(tx, items.iter().cloned()).await?;
    Ok(items)
}

/// [`remove_adoption`] for the tests of an office that takes an adoption back (the forwarding
/// tests' city), which otherwise only a draft issue's composer does.
#[doc(hidden)]
pub async fn remove_adoption_for_tests(tx: &mut Tx, by: i64, office: i64, adoption_id: i64) -> Result<(), AppError> {
    let items = remove_adoption(tx, by, office, adoption_id).await?;
    crate::commissions::rescore_answers(tx, office, &items).await
}

/// Recomputes the instruction events of `item` (the same level counts once, so one new
/// instruction can change which one scores).
pub(crate) async fn rescore_instructions(tx: &mut Tx, item: &Loaded, office: i64) -> Result<(), AppError> {
    let rows = sqlx::query("SELECT id, level, day, leader FROM instructions WHERE item_id = $1")
        .bind(&item.credit.item_id)
        .fetch_all(&mut **tx)
        .await?;
    let mut facts = Vec::with_capacity(rows.len());
    for r in &rows {
        let i: InstructionRecord = decode(r, "instructions", "id")?;
        facts.push(InstructionFact { id: i.id, credit: item.credit.clone(), level: i.level, day: i.day as i32, leader: i.leader });
    }
    let tables = tables(&mut **tx, office).await?;
    crate::scores::replace_events(
        tx,
        office,
        "item_id = $1 AND source_kind = 'instruction'",
        &[crate::db::Value::Text(item.credit.item_id.clone())],
        &instruction_events(&facts, &tables),
    )
    .await
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
    let mut tx = state.db.begin_write().await?;
    let item = load(&mut tx, &id).await?.ok_or(AppError::refused(ErrorCode::NotFound))?;
    let who = Actor::of(&me, item.office);
    if !who.may_read_scores(item.credit.author_id == me.user_id, item.state) {
        return Err(AppError::refused(ErrorCode::NotFound));
    }
    may_record_instruction(who, item.state).map_err(denied)?;
    let office = item.office.ok_or(AppError::refused(ErrorCode::NotFound))?;
    crate::scores::check_fact_day(&mut tx, office, day, std::slice::from_ref(&item.credit.item_id)).await?;
    let new_id: i64 = sqlx::query(
        "INSERT INTO instructions (item_id, level, day, leader, text, recorded_by, recorded_at, office_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT office_id FROM items WHERE id = $1)) RETURNING id",
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
    crate::items::log_changes(&mut tx, [id.clone()]).await?;
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
    let mut tx = state.db.begin_write().await?;
    let row = sqlx::query("SELECT item_id FROM instructions WHERE id = $1")
        .bind(instruction)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::refused(ErrorCode::NotFound))?;
    let item_id: String = row.try_get(0)?;
    let item = load(&mut tx, &item_id).await?.ok_or(AppError::refused(ErrorCode::NotFound))?;
    let who = Actor::of(&me, item.office);
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
        "SELECT i.id, i.level, i.day, i.leader, i.text, u.display_name AS recorded_by, i.feedback FROM instructions i \
         JOIN users u ON u.id = i.recorded_by WHERE i.item_id = $1 ORDER BY i.day, i.id",
    )
    .bind(item_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let (i, shown): (InstructionRecord, InstructionShown) = (decode(r, "instructions", "id")?, decode(r, "instructions", "id")?);
        out.push(InstructionView {
            id: i.id,
            level: i.level,
            date: day_text(i.day as i32),
            leader: i.leader,
            text: shown.text,
            recorded_by: shown.recorded_by,
            feedback: shown.feedback,
        });
    }
    Ok(out)
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
    let who = Actor::of(&me, item.office);
    if !who.may_read_scores(item.credit.author_id == me.user_id, item.state) {
        return Err(AppError::refused(ErrorCode::NotFound));
    }
    let rows = sqlx::query(
        "SELECT a.id, p.name AS publication, p.level, a.form, a.day, a.issue, u.display_name AS recorded_by FROM adoptions a JOIN adoption_items ai ON ai.adoption_id = a.id \
         JOIN publications p ON p.id = a.publication_id JOIN users u ON u.id = a.recorded_by WHERE ai.item_id = $1 ORDER BY a.day, a.id",
    )
    .bind(&id)
    .fetch_all(&mut *tx)
    .await?;
    let mut adoptions = Vec::with_capacity(rows.len());
    for r in &rows {
        let a: AdoptionRecord = decode(r, "adoptions", "id")?;
        let adoption_id = a.id;
        let titles = sqlx::query(
            "SELECT i.title FROM adoption_items ai JOIN items i ON i.id = ai.item_id WHERE ai.adoption_id = $1 ORDER BY i.title",
        )
        .bind(adoption_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|t| t.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
        adoptions.push(AdoptionView {
            id: adoption_id,
            publication: a.publication,
            level: a.level,
            form: a.form,
            date: day_text(a.day as i32),
            issue: a.issue,
            items: titles,
            recorded_by: a.recorded_by,
        });
    }
    let instructions = instructions_of(&mut tx, &id).await?;
    let events = sqlx::query(&format!("SELECT {EVENT_COLUMNS} WHERE e.item_id = $1 ORDER BY e.day, e.id"))
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| event_row(&me, r))
        .collect::<Result<Vec<_>, _>>()?;
    tx.commit().await?;
    Ok(Json(ItemScoring { adoptions, instructions, events }))
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]` (the path, the
/// method and the OpenAPI operation come from the same line).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(publications))
        .routes(routes!(adopt))
        .routes(routes!(instruct))
        .routes(routes!(item_scoring))
        .routes(routes!(feedback))
}
