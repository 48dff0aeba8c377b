//! The periodical (期刊): the office's editors compose issues from signed items — masthead,
//! numbers proposed from the last issue, the items in order, the circulation list — and publish
//! them; a published issue is read-only and readable by the office and by the units whose items
//! it carries. Placing an item in an issue is its full-text adoption: the adoptions of a draft
//! issue are re-recorded from its fields on every save, so they always say what the issue says.
//! Who may do what is `xinbao_core::periodical`; the Word file is built with `documents`.

use crate::adoption::{publication_of, record_adoption, remove_adoption};
use crate::auth::CurrentUser;
use crate::db::now_ms;
use crate::documents::{self, run};
use crate::error::{ApiJson, AppError};
use crate::scores::{Tx, load, my_office};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use docx_rs::{AlignmentType, BorderType, Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders};
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::{ErrorCode, Me};
use xinbao_core::periodical::{
    Candidate, IssueDeleted, IssueFields, IssueItem, IssueState, IssueSummary, IssueView, NewIssue, issue_label, may_compose,
    may_read_issue, next_numbers, today_field, total_label,
};
use xinbao_core::scores::{Form, day_of, parse_day, ymd};
use xinbao_core::sync::ItemState;

fn refused(t: xinbao_core::i18n::Text) -> AppError {
    AppError::Refused(ErrorCode::Forbidden, Some(t.zh.to_owned()))
}

struct Row0 {
    office: i64,
    state: IssueState,
    fields: IssueFields,
}

async fn issue_row(tx: &mut Tx, id: i64) -> Result<Option<Row0>, AppError> {
    let Some(r) = sqlx::query("SELECT office_id, state, fields, rev FROM issues WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?
    else {
        return Ok(None);
    };
    let (state, fields): (String, String) = (r.try_get(1)?, r.try_get(2)?);
    let mut fields: IssueFields = serde_json::from_str(&fields).map_err(|e| AppError::Internal(e.into()))?;
    fields.rev = r.try_get::<i64, _>(3)?.clamp(0, i64::from(u32::MAX)) as u32;
    Ok(Some(Row0 { office: r.try_get(0)?, state: crate::db::stored(IssueState::parse(&state), "issues.state", &state)?, fields }))
}

/// Claims an issue's 期号 and 总期号 for it (releasing what it held before), in the tables whose
/// keys make them unique in the database itself: refused in words when another issue of the
/// publication holds either (the caller's transaction then keeps nothing).
async fn claim_numbers(tx: &mut Tx, id: i64, f: &IssueFields) -> Result<(), AppError> {
    sqlx::query("DELETE FROM issue_numbers WHERE issue_id = $1").bind(id).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM issue_totals WHERE issue_id = $1").bind(id).execute(&mut **tx).await?;
    let number =
        sqlx::query("INSERT INTO issue_numbers (publication_id, year, number, issue_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(f.publication_id)
            .bind(i64::from(f.year))
            .bind(i64::from(f.number))
            .bind(id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    if number == 0 {
        return Err(AppError::bad_request(format!("{}已经用过，请换一个期号", issue_label(f.year, f.number))));
    }
    let total = sqlx::query("INSERT INTO issue_totals (publication_id, total_number, issue_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(f.publication_id)
        .bind(i64::from(f.total_number))
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if total == 0 {
        return Err(AppError::bad_request(format!("{}已经用过，请换一个总期号", total_label(f.total_number))));
    }
    Ok(())
}

/// Takes issue `id`'s items out with their adoptions (their day must not be in a closed
/// period); returns the items, whose commission answers the caller scores again once.
async fn take_out(tx: &mut Tx, by: i64, id: i64, row: &Row0) -> Result<Vec<String>, AppError> {
    let adoptions: Vec<i64> =
        sqlx::query_scalar("SELECT adoption_id FROM issue_items WHERE issue_id = $1").bind(id).fetch_all(&mut **tx).await?;
    if !adoptions.is_empty() {
        let day = parse_day(&row.fields.date).unwrap_or_else(|| day_of(now_ms()));
        crate::scores::ensure_open(tx, row.office, &[day]).await?;
    }
    sqlx::query("DELETE FROM issue_items WHERE issue_id = $1").bind(id).execute(&mut **tx).await?;
    let mut items = Vec::new();
    for a in adoptions {
        items.extend(remove_adoption(tx, by, row.office, a).await?);
    }
    Ok(items)
}

/// Whether `me`'s unit has an item in issue `id`.
async fn carries_unit(tx: &mut Tx, id: i64, unit: i64) -> Result<bool, AppError> {
    Ok(sqlx::query("SELECT 1 FROM issue_items ii JOIN items i ON i.id = ii.item_id WHERE ii.issue_id = $1 AND i.unit_id = $2")
        .bind(id)
        .bind(unit)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

/// The issue as `me` may see it (the same 404 for "not there" and "not yours").
async fn view(tx: &mut Tx, me: &Me, id: i64) -> Result<IssueView, AppError> {
    let row = issue_row(tx, id).await?.ok_or(AppError::refused(ErrorCode::NotFound))?;
    let in_office = me.unit_id == row.office;
    if !may_read_issue(me.role, in_office, carries_unit(tx, id, me.unit_id).await?, row.state) {
        return Err(AppError::refused(ErrorCode::NotFound));
    }
    let publication = publication_of(tx, row.office, row.fields.publication_id).await?.map(|p| p.name).unwrap_or_default();
    let office: String = sqlx::query("SELECT name FROM units WHERE id = $1").bind(row.office).fetch_one(&mut **tx).await?.try_get(0)?;
    let rows = sqlx::query(
        "SELECT i.id, i.title, i.body, n.name, u.display_name FROM issue_items ii JOIN items i ON i.id = ii.item_id \
         JOIN units n ON n.id = i.unit_id JOIN users u ON u.id = i.author_id WHERE ii.issue_id = $1 ORDER BY ii.position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        items.push(IssueItem { id: r.try_get(0)?, title: r.try_get(1)?, body: r.try_get(2)?, unit: r.try_get(3)?, author: r.try_get(4)? });
    }
    Ok(IssueView { id, state: row.state, publication, office, fields: row.fields, items })
}

/// `GET /api/periodical/issues`: the issues the caller may read, newest first.
#[utoipa::path(get, path = "/api/periodical/issues", tag = "periodical", responses((status = 200, body = Vec<IssueSummary>)))]
pub async fn list(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> Result<Json<Vec<IssueSummary>>, AppError> {
    let office = my_office(&state, &me).await?;
    let rows = sqlx::query(
        "SELECT s.id, s.state, p.name, s.year, s.number, s.total_number, s.fields, \
                (SELECT COUNT(*) FROM issue_items ii WHERE ii.issue_id = s.id), \
                (SELECT COUNT(*) FROM issue_items ii JOIN items i ON i.id = ii.item_id WHERE ii.issue_id = s.id AND i.unit_id = $2) \
         FROM issues s JOIN publications p ON p.id = s.publication_id WHERE s.office_id = $1 ORDER BY s.total_number DESC, s.id DESC LIMIT 200",
    )
    .bind(office)
    .bind(me.unit_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let st: String = r.try_get(1)?;
        let st = crate::db::stored(IssueState::parse(&st), "issues.state", &st)?;
        let mine: i64 = r.try_get(8)?;
        if !may_read_issue(me.role, me.unit_id == office, mine > 0, st) {
            continue;
        }
        let fields: IssueFields = serde_json::from_str(&r.try_get::<String, _>(6)?).map_err(|e| AppError::Internal(e.into()))?;
        out.push(IssueSummary {
            id: r.try_get(0)?,
            state: st,
            publication: r.try_get(2)?,
            label: issue_label(r.try_get::<i64, _>(3)? as i32, r.try_get::<i64, _>(4)? as u32),
            total_number: r.try_get::<i64, _>(5)? as u32,
            date: fields.date,
            items: r.try_get::<i64, _>(7)?.max(0) as u32,
        });
    }
    Ok(Json(out))
}

/// `POST /api/periodical/issues`: a new draft issue of one of the office's publications,
/// numbered after its last issue, dated today.
#[utoipa::path(post, path = "/api/periodical/issues", tag = "periodical", request_body = NewIssue,
    responses((status = 200, body = IssueView), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    ApiJson(req): ApiJson<NewIssue>,
) -> Result<Json<IssueView>, AppError> {
    let office = my_office(&state, &me).await?;
    may_compose(me.role, me.unit_id == office, IssueState::Draft).map_err(refused)?;
    crate::adoption::publications_of(&state, office).await?;
    let mut tx = state.db.begin_write().await?;
    publication_of(&mut tx, office, req.publication_id).await?.ok_or_else(|| AppError::bad_request("没有这个刊物"))?;
    let today = day_of(now_ms());
    let used = sqlx::query(
        "SELECT (SELECT MAX(number) FROM issues WHERE publication_id = $1 AND year = $2), (SELECT MAX(total_number) FROM issues WHERE publication_id = $1)",
    )
    .bind(req.publication_id)
    .bind(i64::from(ymd(today).0))
    .fetch_one(&mut *tx)
    .await?;
    let max = |i: usize| used.try_get::<Option<i64>, _>(i).map(|n| n.map(|n| n.clamp(0, i64::from(u32::MAX)) as u32));
    let (year, number, total_number) = next_numbers(max(0)?, max(1)?, today);
    let fields =
        IssueFields { publication_id: req.publication_id, year, number, total_number, date: today_field(today), ..IssueFields::default() };
    let body = serde_json::to_string(&fields).map_err(|e| AppError::Internal(e.into()))?;
    let id: i64 = sqlx::query(
        "INSERT INTO issues (office_id, publication_id, year, number, total_number, day, fields, state, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9) RETURNING id",
    )
    .bind(office)
    .bind(req.publication_id)
    .bind(i64::from(year))
    .bind(i64::from(number))
    .bind(i64::from(total_number))
    .bind(i64::from(today))
    .bind(&body)
    .bind(me.user_id)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    // Another editor creating at the same moment took these numbers first.
    claim_numbers(&mut tx, id, &fields).await.map_err(|e| match e {
        AppError::Refused(ErrorCode::BadRequest, _) => {
            AppError::Refused(ErrorCode::Conflict, Some("另一位编辑刚新建了一期，占用了这个期号，请再点一次“新建一期”".into()))
        }
        other => other,
    })?;
    crate::accounts::audit_in(
        &mut *tx,
        Some(me.user_id),
        "issue_created",
        &id.to_string(),
        &format!("{}（{}）", issue_label(year, number), total_label(total_number)),
    )
    .await?;
    let v = view(&mut tx, &me, id).await?;
    tx.commit().await?;
    Ok(Json(v))
}

/// `GET /api/periodical/issues/{id}`
#[utoipa::path(get, path = "/api/periodical/issues/{id}", tag = "periodical", params(("id" = i64, Path, description = "The issue id")),
    responses((status = 200, body = IssueView), (status = 404, body = xinbao_core::api::ErrorBody)))]
pub async fn get(State(state): State<AppState>, CurrentUser(me): CurrentUser, Path(id): Path<i64>) -> Result<Json<IssueView>, AppError> {
    let mut tx = state.db.pool.begin().await?;
    let v = view(&mut tx, &me, id).await?;
    tx.commit().await?;
    Ok(Json(v))
}

/// `POST /api/periodical/issues/{id}`: saves a draft issue — masthead fields and items in order.
/// Every item must be a signed item of the office; the issue's adoptions are recorded again
/// from what it now says (an item taken out loses the adoption it had from this issue).
#[utoipa::path(post, path = "/api/periodical/issues/{id}", tag = "periodical", request_body = IssueFields,
    params(("id" = i64, Path, description = "The issue id")),
    responses((status = 200, body = IssueView), (status = 403, body = xinbao_core::api::ErrorBody), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn save(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(mut req): ApiJson<IssueFields>,
) -> Result<Json<IssueView>, AppError> {
    if let Some(p) = req.problems().first() {
        return Err(AppError::bad_request(p.zh));
    }
    let mut tx = state.db.begin_write().await?;
    let row = issue_row(&mut tx, id).await?.ok_or(AppError::refused(ErrorCode::NotFound))?;
    if me.unit_id != row.office {
        return Err(AppError::refused(ErrorCode::NotFound));
    }
    may_compose(me.role, true, row.state).map_err(refused)?;
    // Compare-and-set on the revision the editor read: the first statement of the transaction,
    // so of two editors saving at once the second waits and then finds the revision moved on.
    let won = sqlx::query("UPDATE issues SET rev = rev + 1 WHERE id = $1 AND rev = $2 AND state = 'draft'")
        .bind(id)
        .bind(i64::from(req.rev))
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    if !won {
        return Err(AppError::Refused(
            ErrorCode::Conflict,
            Some("另一位编辑在您之后打开、在您之前保存了这一期；请核对他的改动，您的编排仍保留在页面上".into()),
        ));
    }
    req.rev += 1;
    let publication =
        publication_of(&mut tx, row.office, req.publication_id).await?.ok_or_else(|| AppError::bad_request("没有这个刊物"))?;
    claim_numbers(&mut tx, id, &req).await?;
    let day = parse_day(&req.date).unwrap_or_else(|| day_of(now_ms()));
    let mut credits = Vec::with_capacity(req.items.len());
    for item_id in &req.items {
        // Only an item the composer may read is named in any answer (the read rule).
        let item = load(&mut tx, item_id)
            .await?
            .filter(|i| i.office == Some(row.office) && xinbao_core::review::may_read_item(&me, i.credit.author_id, i.office, i.state))
            .ok_or_else(|| AppError::bad_request("稿件不存在或不属于本级"))?;
        if item.state != ItemState::Signed {
            return Err(AppError::bad_request(format!("“{}”尚未签发，不能编入期刊", item.title)));
        }
        credits.push(item.credit);
    }
    // The issue's adoptions, recorded again from what it says now: off the day it said, onto
    // the day it says now — neither in a closed period, never before an item's submission or
    // after today.
    if !req.items.is_empty() {
        crate::scores::check_fact_day(&mut tx, row.office, day, &req.items).await?;
    }
    let mut touched: Vec<String> = req.items.clone();
    touched.extend(take_out(&mut tx, me.user_id, id, &row).await?);
    let issue = format!("{}（{}）", issue_label(req.year, req.number), total_label(req.total_number));
    for (position, credit) in credits.into_iter().enumerate() {
        let item_id = credit.item_id.clone();
        let adoption = record_adoption(&mut tx, me.user_id, row.office, &publication, Form::Full, day, &issue, vec![credit]).await?;
        sqlx::query("INSERT INTO issue_items (issue_id, position, item_id, adoption_id) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(position as i64)
            .bind(&item_id)
            .bind(adoption)
            .execute(&mut *tx)
            .await?;
    }
    // Commission answers scored again once, from the adoptions as they now stand.
    touched.sort();
    touched.dedup();
    crate::commissions::rescore_answers(&mut tx, row.office, &touched).await?;
    req.signer = req.signer.trim().to_owned();
    let body = serde_json::to_string(&req).map_err(|e| AppError::Internal(e.into()))?;
    sqlx::query("UPDATE issues SET publication_id = $1, year = $2, number = $3, total_number = $4, day = $5, fields = $6 WHERE id = $7")
        .bind(req.publication_id)
        .bind(i64::from(req.year))
        .bind(i64::from(req.number))
        .bind(i64::from(req.total_number))
        .bind(i64::from(day))
        .bind(&body)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "issue_saved", &id.to_string(), &format!("{issue}：{}篇", req.items.len()))
        .await?;
    let v = view(&mut tx, &me, id).await?;
    tx.commit().await?;
    Ok(Json(v))
}

/// `POST /api/periodical/issues/{id}/publish`: the issue is printed (印发): read-only from now
/// on, readable by the office and by the units whose items it carries.
#[utoipa::path(post, path = "/api/periodical/issues/{id}/publish", tag = "periodical", params(("id" = i64, Path, description = "The issue id")),
    responses((status = 200, body = IssueView), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<IssueView>, AppError> {
    let mut tx = state.db.begin_write().await?;
    let row = issue_row(&mut tx, id).await?.ok_or(AppError::refused(ErrorCode::NotFound))?;
    if me.unit_id != row.office {
        return Err(AppError::refused(ErrorCode::NotFound));
    }
    may_compose(me.role, true, row.state).map_err(refused)?;
    let count: i64 = sqlx::query("SELECT COUNT(*) FROM issue_items WHERE issue_id = $1").bind(id).fetch_one(&mut *tx).await?.try_get(0)?;
    if count == 0 {
        return Err(AppError::bad_request("这一期还没有编入稿件"));
    }
    sqlx::query("UPDATE issues SET state = 'published', published_at = $1 WHERE id = $2 AND state = 'draft'")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let label = format!("{}（{}）", issue_label(row.fields.year, row.fields.number), total_label(row.fields.total_number));
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "issue_published", &id.to_string(), &label).await?;
    let v = view(&mut tx, &me, id).await?;
    tx.commit().await?;
    Ok(Json(v))
}

/// `POST /api/periodical/issues/{id}/delete`: deletes a draft issue — its numbers are free
/// again and its items lose the full-text adoptions it gave them; audited. A published issue
/// is a record and stays.
#[utoipa::path(post, path = "/api/periodical/issues/{id}/delete", tag = "periodical", params(("id" = i64, Path, description = "The issue id")),
    responses((status = 200, body = IssueDeleted), (status = 403, body = xinbao_core::api::ErrorBody), (status = 404, body = xinbao_core::api::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<IssueDeleted>, AppError> {
    let mut tx = state.db.begin_write().await?;
    // The issue's row first (as a save takes it): a save and a delete of one draft queue up.
    sqlx::query("UPDATE issues SET rev = rev + 1 WHERE id = $1 AND state = 'draft'").bind(id).execute(&mut *tx).await?;
    let row = issue_row(&mut tx, id).await?.ok_or(AppError::refused(ErrorCode::NotFound))?;
    if me.unit_id != row.office {
        return Err(AppError::refused(ErrorCode::NotFound));
    }
    may_compose(me.role, true, row.state).map_err(refused)?;
    let touched = take_out(&mut tx, me.user_id, id, &row).await?;
    crate::commissions::rescore_answers(&mut tx, row.office, &touched).await?;
    sqlx::query("DELETE FROM issue_numbers WHERE issue_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM issue_totals WHERE issue_id = $1").bind(id).execute(&mut *tx).await?;
    let gone = sqlx::query("DELETE FROM issues WHERE id = $1 AND state = 'draft'").bind(id).execute(&mut *tx).await?.rows_affected();
    if gone != 1 {
        return Err(AppError::refused(ErrorCode::NotFound));
    }
    let label = format!("{}（{}）", issue_label(row.fields.year, row.fields.number), total_label(row.fields.total_number));
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "issue_deleted", &id.to_string(), &label).await?;
    tx.commit().await?;
    Ok(Json(IssueDeleted { id }))
}

/// `GET /api/periodical/candidates`: the office's signed items, newest first, with the issues
/// each is already in (for the editor composing an issue).
#[utoipa::path(get, path = "/api/periodical/candidates", tag = "periodical", responses((status = 200, body = Vec<Candidate>), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn candidates(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> Result<Json<Vec<Candidate>>, AppError> {
    let office = my_office(&state, &me).await?;
    may_compose(me.role, me.unit_id == office, IssueState::Draft).map_err(refused)?;
    let rows = sqlx::query(
        "SELECT i.id, i.title, n.name FROM items i JOIN units n ON n.id = i.unit_id WHERE i.office_id = $1 AND i.state = 'signed' \
         ORDER BY i.updated_at DESC LIMIT 300",
    )
    .bind(office)
    .fetch_all(&state.db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: String = r.try_get(0)?;
        let in_issues = sqlx::query(
            "SELECT s.year, s.number FROM issue_items ii JOIN issues s ON s.id = ii.issue_id WHERE ii.item_id = $1 ORDER BY s.id",
        )
        .bind(&id)
        .fetch_all(&state.db.pool)
        .await?
        .iter()
        .map(|s| Ok::<_, sqlx::Error>(issue_label(s.try_get::<i64, _>(0)? as i32, s.try_get::<i64, _>(1)? as u32)))
        .collect::<Result<_, _>>()?;
        out.push(Candidate { id, title: r.try_get(1)?, unit: r.try_get(2)?, in_issues });
    }
    Ok(Json(out))
}

/// `GET /api/periodical/issues/{id}/docx`: the issue as a Word document.
#[utoipa::path(get, path = "/api/periodical/issues/{id}/docx", tag = "periodical", params(("id" = i64, Path, description = "The issue id")),
    responses((status = 200, description = "The issue (.docx)", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
pub async fn docx(State(state): State<AppState>, CurrentUser(me): CurrentUser, Path(id): Path<i64>) -> Result<Response, AppError> {
    let mut tx = state.db.pool.begin().await?;
    let v = view(&mut tx, &me, id).await?;
    tx.commit().await?;
    let bytes = documents::docx_bytes(issue_docx(&v))?;
    Ok(documents::download(bytes, documents::DOCX, &format!("{}{}.docx", v.publication, v.label())))
}

fn red_rule() -> Paragraph {
    let mut p = Paragraph::new();
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty()
            .set(ParagraphBorder::new(ParagraphBorderPosition::Bottom).val(BorderType::Single).size(18).color("C8102E")),
    );
    p
}

/// The issue as offices print it: the red masthead (publication, 期 and 总第 numbers, office and
/// date over a red rule), the editor's note, each item (title, text, unit and author), and the
/// circulation and signer at the end.
pub fn issue_docx(v: &IssueView) -> docx_rs::Docx {
    let red = |text: &str, size: usize| run(text, documents::TITLE_FONT, size).bold().color("C8102E");
    let mut doc = documents::a4()
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(red(&v.publication, 72)))
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
            &format!("{}　{}", v.label(), total_label(v.fields.total_number)),
            documents::BODY_FONT,
            documents::SIZE_BODY,
        )))
        .add_paragraph(Paragraph::new().add_run(run(&v.office, documents::BODY_FONT, documents::SIZE_SMALL)).add_run(run(
            &format!("　　　　　　　　{}", v.date_text()),
            documents::BODY_FONT,
            documents::SIZE_SMALL,
        )))
        .add_paragraph(red_rule());
    if !v.fields.editor_note.trim().is_empty() {
        doc = doc.add_paragraph(documents::body(&format!("【编者按】{}", v.fields.editor_note.trim())));
    }
    for item in &v.items {
        doc = doc.add_paragraph(Paragraph::new()).add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(run(&item.title, documents::HEADING_FONT, documents::SIZE_BODY).bold()),
        );
        for para in item.body.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
            doc = doc.add_paragraph(documents::body(para));
        }
        doc = doc.add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(run(
            &format!("（{}　{}）", item.unit, item.author),
            documents::BODY_FONT,
            documents::SIZE_SMALL,
        )));
    }
    doc = doc.add_paragraph(Paragraph::new()).add_paragraph(red_rule());
    let c = &v.fields.circulation;
    for (label, text) in [("报：", &c.report_to), ("送：", &c.copy_to), ("发：", &c.send_to)] {
        if !text.trim().is_empty() {
            doc = doc.add_paragraph(Paragraph::new().add_run(run(
                &format!("{label}{}", text.trim()),
                documents::BODY_FONT,
                documents::SIZE_SMALL,
            )));
        }
    }
    if !v.fields.signer.is_empty() {
        doc = doc.add_paragraph(Paragraph::new().add_run(run(
            &format!("签发：{}", v.fields.signer),
            documents::BODY_FONT,
            documents::SIZE_SMALL,
        )));
    }
    doc
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]` (the path, the
/// method and the OpenAPI operation come from the same line).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list, create))
        .routes(routes!(get, save))
        .routes(routes!(publish))
        .routes(routes!(delete))
        .routes(routes!(docx))
        .routes(routes!(candidates))
}
