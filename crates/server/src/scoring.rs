//! The scoring table's versions, applying one to the past (an explicit, audited action), and
//! the unit classes with their quotas. Administrators only, through the `Admin` extractor.

use crate::auth::Admin;
use crate::db::now_ms;
use crate::error::{ApiJson, AppError};
use crate::scores::{insert_events, my_office, rebuild_months, tables, unit_nodes};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::ErrorCode;
use xinbao_core::review::reviewing_office;
use xinbao_core::scores::{
    AdoptionFact, Credit, Facts, Form, InstructionFact, Level, PubKind, Publication, PublicationChange, RateFloor, Recompute,
    RecomputeReport, ScoringTable, SubmissionFact, UnitClass, UnitClassChoice, all_events, day_of, day_text, month_index,
};

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
    let mut tx = state.db.begin_write().await?;
    replace_version(&mut tx, office, &req, &body, me.user_id).await?;
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "scoring_table", &day_text(req.effective_from), &body).await?;
    tx.commit().await?;
    Ok(Json(tables(&state.db.pool, office).await?))
}

/// Every fact the office's points come from: submissions, adoptions (with their credited
/// items), instructions.
pub(crate) async fn facts<E>(ex: &mut E, office: i64) -> Result<Facts, AppError>
where
    for<'c> &'c mut E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let mut submissions = Vec::new();
    for r in sqlx::query("SELECT item_id, author_id, unit_id, day, late_minutes FROM submissions WHERE office_id = $1")
        .bind(office)
        .fetch_all(&mut *ex)
        .await?
    {
        submissions.push(SubmissionFact {
            credit: Credit { item_id: r.try_get(0)?, author_id: r.try_get(1)?, unit_id: r.try_get(2)? },
            day: r.try_get::<i64, _>(3)? as i32,
            late_minutes: r.try_get(4)?,
        });
    }
    let mut adoptions: Vec<AdoptionFact> = Vec::new();
    for r in sqlx::query(
        "SELECT a.id, p.name, p.level, p.kind, a.form, a.day, a.issue, s.item_id, s.author_id, s.unit_id \
         FROM adoptions a JOIN publications p ON p.id = a.publication_id JOIN adoption_items ai ON ai.adoption_id = a.id \
         JOIN submissions s ON s.item_id = ai.item_id WHERE a.office_id = $1 ORDER BY a.id",
    )
    .bind(office)
    .fetch_all(&mut *ex)
    .await?
    {
        let id: i64 = r.try_get(0)?;
        let credit = Credit { item_id: r.try_get(7)?, author_id: r.try_get(8)?, unit_id: r.try_get(9)? };
        match adoptions.last_mut() {
            Some(a) if a.id == id => a.items.push(credit),
            _ => {
                let (name, level, kind, form, issue): (String, String, String, String, String) =
                    (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(6)?);
                adoptions.push(AdoptionFact {
                    id,
                    items: vec![credit],
                    level: crate::db::stored(Level::parse(&level), "publications.level", &level)?,
                    kind: crate::db::stored(PubKind::parse(&kind), "publications.kind", &kind)?,
                    form: crate::db::stored(Form::parse(&form), "adoptions.form", &form)?,
                    day: r.try_get::<i64, _>(5)? as i32,
                    label: format!("《{name}》{issue}"),
                });
            }
        }
    }
    let mut instructions = Vec::new();
    for r in sqlx::query(
        "SELECT n.id, s.item_id, s.author_id, s.unit_id, n.level, n.day, n.leader FROM instructions n \
         JOIN submissions s ON s.item_id = n.item_id WHERE s.office_id = $1",
    )
    .bind(office)
    .fetch_all(&mut *ex)
    .await?
    {
        let level: String = r.try_get(4)?;
        instructions.push(InstructionFact {
            id: r.try_get(0)?,
            credit: Credit { item_id: r.try_get(1)?, author_id: r.try_get(2)?, unit_id: r.try_get(3)? },
            level: crate::db::stored(Level::parse(&level), "instructions.level", &level)?,
            day: r.try_get::<i64, _>(5)? as i32,
            leader: r.try_get(6)?,
        });
    }
    let commissions = crate::commissions::facts(&mut *ex, office).await?;
    Ok(Facts { submissions, adoptions, instructions, commissions })
}

/// `POST /api/admin/scoring/recompute`: puts a scoring-table version in force from a day that
/// has passed and scores every event from that day on again under it. The one way points
/// already given change; the reason, the day and the totals before and after are audited.
#[utoipa::path(post, path = "/api/admin/scoring/recompute", tag = "admin", request_body = Recompute,
    responses((status = 200, body = RecomputeReport), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn recompute(
    State(state): State<AppState>,
    Admin(me): Admin,
    ApiJson(req): ApiJson<Recompute>,
) -> Result<Json<RecomputeReport>, AppError> {
    if let Some(problem) = req.table.problem() {
        return Err(AppError::bad_request(problem.zh));
    }
    let reason = crate::scores::bounded(&req.reason, 500, "重新计分的理由")?;
    let from = req.table.effective_from;
    if from > day_of(now_ms()) {
        return Err(AppError::bad_request("从今天以后生效的标准不需要重新计分，请直接保存为新版本"));
    }
    let office = my_office(&state, &me).await?;
    let body = serde_json::to_string(&req.table).map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = state.db.begin_write().await?;
    crate::scores::lock_closing(&mut tx, office).await?;
    // Scoring the past again stops at the last issued notice: those periods are closed.
    if let Some(p) = crate::scores::closed_periods(&mut *tx, office).await?.into_iter().filter(|p| p.to >= from).max_by_key(|p| p.to) {
        return Err(AppError::bad_request(format!("{}；重新计分最早只能从{}起", xinbao_core::scores::closed_text(p), day_text(p.to + 1))));
    }
    replace_version(&mut tx, office, &req.table, &body, me.user_id).await?;
    let before =
        sqlx::query("SELECT COUNT(*), CAST(COALESCE(SUM(centi), 0) AS BIGINT) FROM score_events WHERE office_id = $1 AND day >= $2")
            .bind(office)
            .bind(i64::from(from))
            .fetch_one(&mut *tx)
            .await?;
    let centi_before: i64 = before.try_get(1)?;
    let facts = facts(&mut *tx, office).await?;
    let versions = tables(&mut *tx, office).await?;
    // Derived from every fact (one leader level counts once across the boundary), kept from `from` on.
    let events: Vec<_> = all_events(&facts, &versions).into_iter().filter(|e| e.day >= from).collect();
    sqlx::query("DELETE FROM score_events WHERE office_id = $1 AND day >= $2").bind(office).bind(i64::from(from)).execute(&mut *tx).await?;
    insert_events(&mut tx, office, &events).await?;
    rebuild_months(&mut *tx, office, month_index(from)).await?;
    let report = RecomputeReport { events: events.len() as u64, centi_before, centi_after: events.iter().map(|e| e.centi).sum() };
    let detail = format!(
        "自{}起重新计分：{}条计分记录，合计 {} → {}（单位：0.01分）；理由：{reason}",
        day_text(from),
        report.events,
        report.centi_before,
        report.centi_after
    );
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "scores_recomputed", &day_text(from), &detail).await?;
    tx.commit().await?;
    Ok(Json(report))
}

async fn replace_version(tx: &mut crate::scores::Tx, office: i64, table: &ScoringTable, body: &str, by: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM scoring_tables WHERE office_id = $1 AND effective_from = $2")
        .bind(office)
        .bind(i64::from(table.effective_from))
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO scoring_tables (office_id, effective_from, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(office)
        .bind(i64::from(table.effective_from))
        .bind(body)
        .bind(by)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether another row (not `id`) of the office's `table` already has `name`.
async fn name_taken(state: &AppState, table: &'static str, office: i64, name: &str, id: i64) -> Result<bool, AppError> {
    let sql = format!("SELECT id FROM {table} WHERE office_id = $1 AND name = $2 AND id <> $3");
    Ok(sqlx::query(&sql).bind(office).bind(name).bind(id).fetch_optional(&state.db.pool).await?.is_some())
}

async fn classes_of(state: &AppState, office: i64) -> Result<Vec<UnitClass>, AppError> {
    let rows = sqlx::query("SELECT id, name, monthly_quota, weekly_per_person FROM unit_classes WHERE office_id = $1 ORDER BY id")
        .bind(office)
        .fetch_all(&state.db.pool)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(UnitClass {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            monthly_quota: r.try_get::<i64, _>(2)?.max(0) as u32,
            weekly_per_person: r.try_get::<i64, _>(3)?.max(0) as u32,
        });
    }
    Ok(out)
}

/// `GET /api/admin/classes`: the office's unit classes and their quotas.
#[utoipa::path(get, path = "/api/admin/classes", tag = "admin", responses((status = 200, body = Vec<UnitClass>)))]
pub async fn classes(State(state): State<AppState>, Admin(me): Admin) -> Result<Json<Vec<UnitClass>>, AppError> {
    let office = my_office(&state, &me).await?;
    Ok(Json(classes_of(&state, office).await?))
}

/// `POST /api/admin/classes`: a new unit class (`id` 0) or a change to one; audited.
#[utoipa::path(post, path = "/api/admin/classes", tag = "admin", request_body = UnitClass,
    responses((status = 200, body = Vec<UnitClass>), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn save_class(
    State(state): State<AppState>,
    Admin(me): Admin,
    ApiJson(req): ApiJson<UnitClass>,
) -> Result<Json<Vec<UnitClass>>, AppError> {
    if let Some(problem) = req.problem() {
        return Err(AppError::bad_request(problem.zh));
    }
    let office = my_office(&state, &me).await?;
    let name = req.name.trim().to_owned();
    if name_taken(&state, "unit_classes", office, &name, req.id).await? {
        return Err(AppError::bad_request("已有同名的单位类别"));
    }
    let mut tx = state.db.begin_write().await?;
    // Quotas are versioned: the past keeps the ones in force then.
    crate::scores::keep_rules_before(&mut tx, office, me.user_id).await?;
    if req.id == 0 {
        sqlx::query("INSERT INTO unit_classes (office_id, name, monthly_quota, weekly_per_person) VALUES ($1, $2, $3, $4)")
            .bind(office)
            .bind(&name)
            .bind(i64::from(req.monthly_quota))
            .bind(i64::from(req.weekly_per_person))
            .execute(&mut *tx)
            .await?;
    } else {
        let changed =
            sqlx::query("UPDATE unit_classes SET name = $1, monthly_quota = $2, weekly_per_person = $3 WHERE id = $4 AND office_id = $5")
                .bind(&name)
                .bind(i64::from(req.monthly_quota))
                .bind(i64::from(req.weekly_per_person))
                .bind(req.id)
                .bind(office)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 0 {
            return Err(AppError::refused(ErrorCode::NotFound));
        }
    }
    crate::scores::keep_rules_after(&mut tx, office, me.user_id).await?;
    let detail = format!("{name}：每月{}条，每人每周{}条", req.monthly_quota, req.weekly_per_person);
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "unit_class_saved", &name, &detail).await?;
    tx.commit().await?;
    Ok(Json(classes_of(&state, office).await?))
}

/// `POST /api/admin/units/{id}/class`: puts a unit the office reviews in a class (or none).
#[utoipa::path(post, path = "/api/admin/units/{id}/class", tag = "admin", request_body = UnitClassChoice,
    params(("id" = i64, Path, description = "The unit id")),
    responses((status = 200, body = UnitClassChoice), (status = 404, body = xinbao_core::api::ErrorBody)))]
pub async fn set_unit_class(
    State(state): State<AppState>,
    Admin(me): Admin,
    Path(unit): Path<i64>,
    ApiJson(req): ApiJson<UnitClassChoice>,
) -> Result<Json<UnitClassChoice>, AppError> {
    let office = my_office(&state, &me).await?;
    let tree = unit_nodes(&state.db.pool).await?;
    if reviewing_office(&tree, unit) != Some(office) {
        return Err(AppError::refused(ErrorCode::NotFound));
    }
    let class_name = match req.class_id {
        None => "无".to_owned(),
        Some(c) => sqlx::query("SELECT name FROM unit_classes WHERE id = $1 AND office_id = $2")
            .bind(c)
            .bind(office)
            .fetch_optional(&state.db.pool)
            .await?
            .ok_or_else(|| AppError::bad_request("没有这个单位类别"))?
            .try_get(0)?,
    };
    let mut tx = state.db.begin_write().await?;
    crate::scores::keep_rules_before(&mut tx, office, me.user_id).await?;
    sqlx::query("UPDATE units SET class_id = $1 WHERE id = $2").bind(req.class_id).bind(unit).execute(&mut *tx).await?;
    crate::scores::keep_rules_after(&mut tx, office, me.user_id).await?;
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "unit_class_set", &unit.to_string(), &class_name).await?;
    tx.commit().await?;
    Ok(Json(req))
}

/// `POST /api/admin/publications`: adds a publication to the office's list, or renames one or
/// changes its level and kind (what it scores from now on; recorded adoptions keep theirs until
/// the past is scored again); audited.
#[utoipa::path(post, path = "/api/admin/publications", tag = "admin", request_body = PublicationChange,
    responses((status = 200, body = Vec<Publication>), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn save_publication(
    State(state): State<AppState>,
    Admin(me): Admin,
    ApiJson(req): ApiJson<PublicationChange>,
) -> Result<Json<Vec<Publication>>, AppError> {
    if let Some(problem) = req.problem() {
        return Err(AppError::bad_request(problem.zh));
    }
    let office = my_office(&state, &me).await?;
    // The office's list exists (with its defaults) before it is changed.
    crate::adoption::publications_of(&state, office).await?;
    let name = req.name.trim().to_owned();
    if name_taken(&state, "publications", office, &name, req.id).await? {
        return Err(AppError::bad_request("已有同名的刊物"));
    }
    let mut tx = state.db.begin_write().await?;
    if req.id == 0 {
        sqlx::query("INSERT INTO publications (office_id, name, level, kind) VALUES ($1, $2, $3, $4)")
            .bind(office)
            .bind(&name)
            .bind(req.level.as_str())
            .bind(req.kind.as_str())
            .execute(&mut *tx)
            .await?;
    } else {
        let changed = sqlx::query("UPDATE publications SET name = $1, level = $2, kind = $3 WHERE id = $4 AND office_id = $5")
            .bind(&name)
            .bind(req.level.as_str())
            .bind(req.kind.as_str())
            .bind(req.id)
            .bind(office)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(AppError::refused(ErrorCode::NotFound));
        }
    }
    let detail = format!("{name}：{} {}", req.level.label().zh, req.kind.label().zh);
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "publication_saved", &name, &detail).await?;
    tx.commit().await?;
    Ok(Json(crate::adoption::publications_of(&state, office).await?))
}

/// `POST /api/admin/scoring/floor`: the adoption-rate floor (percent) under which the
/// scoreboard and the notice flag a unit; audited.
#[utoipa::path(post, path = "/api/admin/scoring/floor", tag = "admin", request_body = RateFloor,
    responses((status = 200, body = RateFloor), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn set_floor(
    State(state): State<AppState>,
    Admin(me): Admin,
    ApiJson(req): ApiJson<RateFloor>,
) -> Result<Json<RateFloor>, AppError> {
    // The adoption-rate floor is one setting for the whole server.
    crate::office::Scope::of(&state, &me).await?.check_server_setting()?;
    if req.percent > 100 {
        return Err(AppError::bad_request("采用率下限应在0到100之间"));
    }
    let before = crate::scores::floor_percent(&state).await?;
    let mut tx = state.db.begin_write().await?;
    // Every office's rules carry the floor: each keeps the one in force before, from today the new.
    let offices: Vec<i64> = sqlx::query_scalar("SELECT id FROM units WHERE kind = 'office' ORDER BY id").fetch_all(&mut *tx).await?;
    for office in &offices {
        crate::scores::keep_rules_before(&mut tx, *office, me.user_id).await?;
    }
    sqlx::query("UPDATE settings SET value = $1 WHERE key = 'adoption_rate_floor'").bind(req.percent.to_string()).execute(&mut *tx).await?;
    for office in &offices {
        crate::scores::keep_rules_after(&mut tx, *office, me.user_id).await?;
    }
    crate::accounts::audit_in(
        &mut *tx,
        Some(me.user_id),
        "settings_changed",
        "adoption_rate_floor",
        &format!("{before}% → {}%", req.percent),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(req))
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]` (the path, the
/// method and the OpenAPI operation come from the same line).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(scoring_tables, change_scoring))
        .routes(routes!(recompute))
        .routes(routes!(classes, save_class))
        .routes(routes!(save_publication))
        .routes(routes!(set_floor))
        .routes(routes!(set_unit_class))
}
