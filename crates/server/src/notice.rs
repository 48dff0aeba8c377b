//! The notice (月通报, 季度通报, 年度通报): `xinbao_core::scores::Notice` built from the office's
//! scoreboards, served as JSON (the printable page renders it) and as Word and Excel files
//! with the same title, tables, remarks and awards. Everyone in the office's tree reads it.

use crate::auth::{Admin, CurrentUser};
use crate::documents::{self, cell, heading, run};
use crate::error::{ApiJson, AppError};
use crate::scores::{ScoresQuery, board, period, unit_nodes};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use docx_rs::{AlignmentType, Paragraph, Table, TableRow};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::ErrorCode;
use xinbao_core::review::home_office;
use xinbao_core::scores::{
    Award, By, Notice, NoticeReopen, NoticeRow, PEOPLE_COLUMNS, UNIT_COLUMNS, day_of, issue_problem, may_issue_notice, ordinal,
};

/// The notice for the period the query names (default: this month so far).
pub async fn build_notice(state: &AppState, unit_id: i64, q: &ScoresQuery) -> Result<Notice, AppError> {
    let p = period(q)?;
    let tree = unit_nodes(&state.db.pool).await?;
    let office = home_office(&tree, unit_id).ok_or(AppError::refused(ErrorCode::NotFound))?;
    let name: String = sqlx::query("SELECT name FROM units WHERE id = $1").bind(office).fetch_one(&state.db.pool).await?.try_get(0)?;
    // Three scoreboards, computed side by side; a notice for a whole year (to date) is its own
    // running total and needs only two.
    let ytd = p.year_to_date();
    let (units, year, people) = tokio::try_join!(
        board(state, &tree, office, p, By::Unit),
        async { if ytd == p { Ok(None) } else { board(state, &tree, office, ytd, By::Unit).await.map(Some) } },
        board(state, &tree, office, p, By::Person),
    )?;
    let year = year.unwrap_or_else(|| units.clone());
    Ok(Notice::build(&name, p, day_of(crate::db::now_ms()), &units, &year, &people))
}

/// The notice of exactly this period as the section issued it, if it did: its data, its Word
/// and its Excel file, as stored.
struct Issued {
    body: String,
    docx: Vec<u8>,
    xlsx: Vec<u8>,
}

async fn issued(state: &AppState, unit_id: i64, q: &ScoresQuery) -> Result<Option<Issued>, AppError> {
    let p = period(q)?;
    let tree = unit_nodes(&state.db.pool).await?;
    let office = home_office(&tree, unit_id).ok_or(AppError::refused(ErrorCode::NotFound))?;
    let row = sqlx::query("SELECT body, docx, xlsx FROM issued_notices WHERE office_id = $1 AND from_day = $2 AND to_day = $3")
        .bind(office)
        .bind(i64::from(p.from))
        .bind(i64::from(p.to))
        .fetch_optional(&state.db.pool)
        .await?;
    row.map(|r| Ok(Issued { body: r.try_get(0)?, docx: r.try_get(1)?, xlsx: r.try_get(2)? })).transpose()
}

/// `GET /api/notice`: the notice for a period, as data — as issued, once the section issued it.
#[utoipa::path(get, path = "/api/notice", tag = "scores", params(ScoresQuery), responses((status = 200, body = Notice)))]
pub async fn notice(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ScoresQuery>,
) -> Result<Response, AppError> {
    if let Some(stored) = issued(&state, me.unit_id, &q).await? {
        return Ok(([(header::CONTENT_TYPE, "application/json")], stored.body).into_response());
    }
    Ok(Json(build_notice(&state, me.unit_id, &q).await?).into_response())
}

/// `POST /api/notice/issue`: the section issues (签发) the notice of a period that has ended —
/// its data, Word and Excel file are stored as they are now and served as stored from then on,
/// and the period is closed: nothing dated inside it changes its points any more. Once per
/// period; audited.
#[utoipa::path(post, path = "/api/notice/issue", tag = "scores", params(ScoresQuery),
    responses((status = 200, body = Notice), (status = 403, body = xinbao_core::api::ErrorBody), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn issue(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ScoresQuery>,
) -> Result<Response, AppError> {
    let p = period(&q)?;
    let tree = unit_nodes(&state.db.pool).await?;
    let office = home_office(&tree, me.unit_id).ok_or(AppError::refused(ErrorCode::NotFound))?;
    if !may_issue_notice(me.role, me.unit_id == office) {
        return Err(AppError::Refused(ErrorCode::Forbidden, Some("只有本级信息科的编辑和签发人可以签发通报".into())));
    }
    let now = crate::db::now_ms();
    if let Some(problem) = issue_problem(p, day_of(now)) {
        return Err(AppError::bad_request(problem.zh));
    }
    // Commissions due inside the period are closed (their penalties scored) before it is.
    crate::commissions::close_due(&state).await?;
    let mut tx = state.db.begin_write().await?;
    crate::scores::lock_closing(&mut tx, office).await?;
    let taken = sqlx::query("SELECT 1 FROM issued_notices WHERE office_id = $1 AND from_day = $2 AND to_day = $3")
        .bind(office)
        .bind(i64::from(p.from))
        .bind(i64::from(p.to))
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(AppError::bad_request("这一期的通报已经签发"));
    }
    // A commission due inside the period that has not closed (its close failed, or is under
    // way) would have its penalties shut out for good.
    let unsettled: Option<String> = sqlx::query_scalar(
        "SELECT topic FROM commissions WHERE office_id = $1 AND kind = 'targeted' AND withdrawn_at IS NULL AND closed_at IS NULL \
         AND deadline_day BETWEEN $2 AND $3 LIMIT 1",
    )
    .bind(office)
    .bind(i64::from(p.from))
    .bind(i64::from(p.to))
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(topic) = unsettled {
        return Err(AppError::bad_request(format!("约稿“{topic}”尚未结算，请稍后再签发")));
    }
    // Built from what is committed; facts wait on the closing lock until this commits.
    let mut n = build_notice(&state, me.unit_id, &q).await?;
    n.issued_by = Some(format!("{}（{}签发）", me.display_name, n.issued));
    let body = serde_json::to_string(&n).map_err(|e| AppError::Internal(e.into()))?;
    let docx_file = documents::docx_bytes(docx(&n))?;
    let xlsx_file = xlsx(&n).map_err(|e| AppError::Internal(anyhow::anyhow!("writing xlsx: {e}")))?;
    sqlx::query(
        "INSERT INTO issued_notices (office_id, from_day, to_day, body, docx, xlsx, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(office)
    .bind(i64::from(p.from))
    .bind(i64::from(p.to))
    .bind(&body)
    .bind(docx_file)
    .bind(xlsx_file)
    .bind(me.user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "notice_issued", &n.period_title, &n.title).await?;
    tx.commit().await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `POST /api/admin/notice/reopen`: an office administrator withdraws an issued notice (issued
/// by mistake, or to be corrected and issued again): the stored notice is removed and its
/// period opens; the reason, and the notice as it was issued, are kept in the audit trail.
#[utoipa::path(post, path = "/api/admin/notice/reopen", tag = "admin", request_body = NoticeReopen,
    responses((status = 200, body = Notice), (status = 404, body = xinbao_core::api::ErrorBody), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    Admin(me): Admin,
    ApiJson(req): ApiJson<NoticeReopen>,
) -> Result<Json<Notice>, AppError> {
    let reason = crate::scores::bounded(&req.reason, 500, "撤销签发的理由")?;
    let q = ScoresQuery { from: Some(req.from.clone()), to: Some(req.to.clone()), ..ScoresQuery::default() };
    let p = period(&q)?;
    let office = crate::scores::my_office(&state, &me).await?;
    let mut tx = state.db.begin_write().await?;
    crate::scores::lock_closing(&mut tx, office).await?;
    let body: String = sqlx::query_scalar("SELECT body FROM issued_notices WHERE office_id = $1 AND from_day = $2 AND to_day = $3")
        .bind(office)
        .bind(i64::from(p.from))
        .bind(i64::from(p.to))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::refused(ErrorCode::NotFound))?;
    sqlx::query("DELETE FROM issued_notices WHERE office_id = $1 AND from_day = $2 AND to_day = $3")
        .bind(office)
        .bind(i64::from(p.from))
        .bind(i64::from(p.to))
        .execute(&mut *tx)
        .await?;
    let n: Notice = serde_json::from_str(&body).map_err(|e| AppError::Internal(e.into()))?;
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "notice_reopened", &n.period_title, &format!("理由：{reason}；原通报：{body}"))
        .await?;
    tx.commit().await?;
    Ok(Json(build_notice(&state, me.unit_id, &q).await?))
}

/// `GET /api/notice.docx`: the notice as a Word document.
#[utoipa::path(get, path = "/api/notice.docx", tag = "scores", params(ScoresQuery),
    responses((status = 200, description = "The notice (.docx)", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
pub async fn notice_docx(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ScoresQuery>,
) -> Result<Response, AppError> {
    if let Some(stored) = issued(&state, me.unit_id, &q).await? {
        let n: Notice = serde_json::from_str(&stored.body).map_err(|e| AppError::Internal(e.into()))?;
        return Ok(documents::download(stored.docx, documents::DOCX, &format!("{}.docx", n.title)));
    }
    let n = build_notice(&state, me.unit_id, &q).await?;
    let bytes = documents::docx_bytes(docx(&n))?;
    Ok(documents::download(bytes, documents::DOCX, &format!("{}.docx", n.title)))
}

/// `GET /api/notice.xlsx`: the notice's tables as an Excel workbook.
#[utoipa::path(get, path = "/api/notice.xlsx", tag = "scores", params(ScoresQuery),
    responses((status = 200, description = "The notice (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn notice_xlsx(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ScoresQuery>,
) -> Result<Response, AppError> {
    if let Some(stored) = issued(&state, me.unit_id, &q).await? {
        let n: Notice = serde_json::from_str(&stored.body).map_err(|e| AppError::Internal(e.into()))?;
        return Ok(documents::download(stored.xlsx, documents::XLSX, &format!("{}.xlsx", n.title)));
    }
    let n = build_notice(&state, me.unit_id, &q).await?;
    let bytes = xlsx(&n).map_err(|e| AppError::Internal(anyhow::anyhow!("writing xlsx: {e}")))?;
    Ok(documents::download(bytes, documents::XLSX, &format!("{}.xlsx", n.title)))
}

fn docx_table(head: &[&str], rows: Vec<Vec<String>>, widths: &[usize]) -> Table {
    let mut out = vec![TableRow::new(head.iter().zip(widths).map(|(h, w)| cell(h, true, *w)).collect())];
    for r in rows {
        out.push(TableRow::new(r.iter().zip(widths).map(|(t, w)| cell(t, false, *w)).collect()));
    }
    Table::new(out).set_grid(widths.to_vec())
}

/// The notice as a Word document: the office, the title, the summary, a table per unit class,
/// the people, awards, remarks, and the office and date at the end.
pub fn docx(n: &Notice) -> docx_rs::Docx {
    let mut doc = documents::a4()
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(&n.office, documents::TITLE_FONT, documents::SIZE_BODY)))
        .add_paragraph(documents::title(&n.title))
        .add_paragraph(documents::body(&n.summary));
    let mut part = 0;
    for s in &n.sections {
        doc = doc.add_paragraph(heading(&format!("{}、{}", ordinal(part), s.class))).add_table(docx_table(
            &n.unit_columns(),
            s.rows.iter().map(NoticeRow::unit_cells).collect(),
            &[700, 2200, 900, 900, 1200, 900, 1100, 1400],
        ));
        part += 1;
    }
    if !n.people.is_empty() {
        doc = doc.add_paragraph(heading(&format!("{}、信息员个人排名", ordinal(part)))).add_table(docx_table(
            &PEOPLE_COLUMNS,
            n.people_cells(),
            &[700, 1400, 2200, 900, 900, 1200, 900],
        ));
        part += 1;
    }
    if !n.awards.is_empty() {
        doc = doc.add_paragraph(heading(&format!("{}、表彰", ordinal(part))));
        for a in &n.awards {
            doc = doc.add_paragraph(documents::body(&a.line()));
        }
        part += 1;
    }
    doc = doc.add_paragraph(heading(&format!("{}、有关情况", ordinal(part))));
    for r in &n.remarks {
        doc = doc.add_paragraph(documents::body(r));
    }
    doc.add_paragraph(Paragraph::new())
        .add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(run(&n.office, documents::BODY_FONT, documents::SIZE_BODY)))
        .add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(run(&n.issued, documents::BODY_FONT, documents::SIZE_BODY)))
}

fn sheet_table(ws: &mut Worksheet, row: &mut u32, head: &[&str], rows: Vec<Vec<String>>, f: &Formats) -> Result<(), XlsxError> {
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(*row, c as u16, *h, &f.head)?;
    }
    *row += 1;
    for r in rows {
        for (c, t) in r.iter().enumerate() {
            // Numbers as numbers (sortable in Excel), text as text: never as a formula.
            match t.parse::<f64>() {
                Ok(v) if !t.is_empty() => ws.write_number_with_format(*row, c as u16, v, &f.cell)?,
                _ => ws.write_string_with_format(*row, c as u16, documents::xml_safe(t), &f.cell)?,
            };
        }
        *row += 1;
    }
    *row += 1;
    Ok(())
}

struct Formats {
    title: Format,
    text: Format,
    head: Format,
    cell: Format,
}

/// The notice as an Excel workbook: 单位排名 (a block per unit class), 个人排名, 说明 (summary,
/// awards, remarks).
pub fn xlsx(n: &Notice) -> Result<Vec<u8>, XlsxError> {
    let font = "宋体";
    let f = Formats {
        title: Format::new().set_font_name(font).set_bold().set_font_size(16).set_align(FormatAlign::Center),
        text: Format::new().set_font_name(font).set_font_size(11).set_text_wrap(),
        head: Format::new()
            .set_font_name(font)
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_background_color("#F2F2F2"),
        cell: Format::new().set_font_name(font).set_border(FormatBorder::Thin).set_align(FormatAlign::Center),
    };
    let mut wb = Workbook::new();
    {
        let ws = wb.add_worksheet();
        ws.set_name("单位排名")?;
        ws.set_paper_size(9); // A4
        ws.merge_range(0, 0, 0, UNIT_COLUMNS.len() as u16 - 1, &documents::xml_safe(&n.title), &f.title)?;
        ws.merge_range(
            1,
            0,
            1,
            UNIT_COLUMNS.len() as u16 - 1,
            &documents::xml_safe(&format!("{}（{} 至 {}）", n.office, n.from, n.to)),
            &f.text,
        )?;
        for (c, w) in [6.0, 22.0, 8.0, 8.0, 12.0, 8.0, 10.0, 14.0].into_iter().enumerate() {
            ws.set_column_width(c as u16, w)?;
        }
        let mut row = 3;
        for s in &n.sections {
            ws.write_string_with_format(row, 0, documents::xml_safe(&s.class), &f.text)?;
            row += 1;
            sheet_table(ws, &mut row, &n.unit_columns(), s.rows.iter().map(NoticeRow::unit_cells).collect(), &f)?;
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("个人排名")?;
        ws.set_paper_size(9);
        ws.merge_range(
            0,
            0,
            0,
            PEOPLE_COLUMNS.len() as u16 - 1,
            &documents::xml_safe(&format!("{} 信息员个人排名", n.period_title)),
            &f.title,
        )?;
        for (c, w) in [6.0, 12.0, 22.0, 8.0, 8.0, 12.0, 8.0].into_iter().enumerate() {
            ws.set_column_width(c as u16, w)?;
        }
        let mut row = 2;
        sheet_table(ws, &mut row, &PEOPLE_COLUMNS, n.people_cells(), &f)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("说明")?;
        ws.set_column_width(0, 100)?;
        let mut lines = vec![n.summary.clone()];
        lines.extend(n.awards.iter().map(Award::line));
        lines.extend(n.remarks.iter().cloned());
        lines.push(format!("{} {}", n.office, n.issued));
        ws.write_string_with_format(0, 0, documents::xml_safe(&n.title), &f.title)?;
        for (i, l) in lines.iter().enumerate() {
            ws.write_string_with_format(i as u32 + 2, 0, documents::xml_safe(l), &f.text)?;
        }
    }
    wb.save_to_buffer()
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]` (the path, the
/// method and the OpenAPI operation come from the same line).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(notice))
        .routes(routes!(notice_docx))
        .routes(routes!(notice_xlsx))
        .routes(routes!(issue))
        .routes(routes!(reopen))
}
