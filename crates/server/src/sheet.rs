//! One item out: the 报送单 / 审签单 of an item (`xinbao_core::sheet`) as JSON for the print
//! view, and as Word — one item, or a batch with each item on a page of its own. Who may read
//! an item may take it out; anyone else is answered as if it did not exist.

use crate::auth::CurrentUser;
use crate::db::{Tx, stored_at};
use crate::documents::{self, BODY_FONT, HEADING_FONT, SIZE_BODY, SIZE_SMALL, SIZE_TABLE, run};
use crate::error::AppError;
use crate::items::{as_seen_by, readable};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use docx_rs::{AlignmentType, BreakType, Docx, Paragraph, Run, Table, TableCell, TableRow, WidthType};
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::sheet::{ItemSheet, Step, batch_ids, steps};
use xinbao_core::sync::ItemState;

/// The sheet of item `id` as `me` may see it; not found for anyone who may not read it.
async fn read(tx: &mut Tx, me: &xinbao_core::api::Me, id: &str) -> Result<ItemSheet, AppError> {
    let (item, office) = readable(tx, me, id).await?;
    let item = as_seen_by(tx, me, item).await?;
    // Who did what, and when: the versions' states, makers and times (never their texts).
    let rows = sqlx::query(
        "SELECT r.state, r.actor_id, u.display_name, r.at FROM item_revisions r JOIN users u ON u.id = r.actor_id \
         WHERE r.item_id = $1 ORDER BY r.rev",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let mut trail = Vec::with_capacity(rows.len());
    for r in rows {
        let state: String = r.try_get("state")?;
        trail.push(Step {
            state: stored_at(ItemState::parse(&state), "item_revisions.state", id, &state)?,
            actor_id: r.try_get("actor_id")?,
            actor: r.try_get("display_name")?,
            at: r.try_get("at")?,
        });
    }
    let office_name = match office {
        Some(o) => sqlx::query("SELECT name FROM units WHERE id = $1")
            .bind(o)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get::<String, _>(0))
            .transpose()?
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(ItemSheet {
        id: item.id,
        office: office_name,
        unit: item.unit_name,
        author: item.author_name,
        state: item.state,
        trail: steps(item.author_id, &trail),
        content: item.content,
        signing: item.signing.map(|s| s.without_holders()),
    })
}

/// `GET /api/items/{id}/sheet`
#[utoipa::path(get, path = "/api/items/{id}/sheet", tag = "review",
    params(("id" = String, Path, description = "The item id")),
    responses((status = 200, description = "The item's 报送单 / 审签单: unit, author, phone, type, dates, editor, signer, text", body = ItemSheet),
              (status = 404, description = "No such item, or not yours to see", body = xinbao_core::api::ErrorBody)))]
pub async fn sheet(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<ItemSheet>, AppError> {
    let mut tx = state.db.pool.begin().await?;
    let sheet = read(&mut tx, &me, &id).await?;
    tx.commit().await?;
    Ok(Json(sheet))
}

/// `GET /api/items/{id}/sheet.docx`
#[utoipa::path(get, path = "/api/items/{id}/sheet.docx", tag = "review",
    params(("id" = String, Path, description = "The item id")),
    responses((status = 200, description = "The item's 报送单 / 审签单 as Word", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
              (status = 404, description = "No such item, or not yours to see", body = xinbao_core::api::ErrorBody)))]
pub async fn sheet_docx(State(state): State<AppState>, CurrentUser(me): CurrentUser, Path(id): Path<String>) -> Result<Response, AppError> {
    let mut tx = state.db.pool.begin().await?;
    let sheet = read(&mut tx, &me, &id).await?;
    tx.commit().await?;
    let bytes = documents::docx_bytes(write(documents::a4(), &sheet))?;
    Ok(documents::download(bytes, documents::DOCX, &file_name(&sheet.content.title, sheet.kind())))
}

/// Which items a batch file holds.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct BatchQuery {
    /// Item ids, comma-separated, at most 100.
    pub ids: String,
}

/// `GET /api/items/sheets.docx?ids=a,b,c`
#[utoipa::path(get, path = "/api/items/sheets.docx", tag = "review", params(BatchQuery),
    responses((status = 200, description = "The items' sheets in one Word file, each on a page of its own, in the order asked", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
              (status = 404, description = "One of the items does not exist, or is not yours to see", body = xinbao_core::api::ErrorBody),
              (status = 422, description = "No ids, or more than 100", body = xinbao_core::api::ErrorBody)))]
pub async fn sheets_docx(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<BatchQuery>,
) -> Result<Response, AppError> {
    let ids = batch_ids(&q.ids).map_err(AppError::bad_request)?;
    let mut tx = state.db.pool.begin().await?;
    let mut doc = documents::a4();
    for (i, id) in ids.iter().enumerate() {
        // All or nothing: a file missing one asked-for item would be sent up short unnoticed.
        let sheet = read(&mut tx, &me, id).await?;
        if i > 0 {
            doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
        }
        doc = write(doc, &sheet);
    }
    tx.commit().await?;
    let bytes = documents::docx_bytes(doc)?;
    Ok(documents::download(bytes, documents::DOCX, &format!("信息报送单（{}篇）.docx", ids.len())))
}

/// `「title」报送单.docx`, the title cut short and stripped of what file names cannot hold.
fn file_name(title: &str, kind: &str) -> String {
    let safe: String =
        title.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')).take(40).collect();
    let safe = safe.trim();
    if safe.is_empty() { format!("{kind}.docx") } else { format!("{safe}-{kind}.docx") }
}

/// Appends one sheet: the office, the form's name, its table (two label–value pairs a row),
/// then the item's title and text.
fn write(mut doc: Docx, s: &ItemSheet) -> Docx {
    let centred = |text: &str, font: &str, size: usize| Paragraph::new().align(AlignmentType::Center).add_run(run(text, font, size));
    if !s.office.is_empty() {
        doc = doc.add_paragraph(centred(&s.office, BODY_FONT, SIZE_SMALL));
    }
    doc = doc.add_paragraph(documents::title(s.kind())).add_paragraph(Paragraph::new());
    // A4 less the margins is 8,845 twips: label, value, label, value.
    let widths = [1500, 2922, 1500, 2923];
    let cell = |text: &str, label: bool, w: usize| {
        let r = run(text, if label { HEADING_FONT } else { BODY_FONT }, SIZE_TABLE);
        TableCell::new().width(w, WidthType::Dxa).add_paragraph(Paragraph::new().add_run(r))
    };
    let rows: Vec<TableRow> = s
        .rows()
        .chunks(2)
        .map(|pair| {
            let mut cells = Vec::new();
            for (k, (label, value)) in pair.iter().enumerate() {
                cells.push(cell(label, true, widths[2 * k]));
                cells.push(cell(value, false, widths[2 * k + 1]));
            }
            TableRow::new(cells)
        })
        .collect();
    doc = doc.add_table(Table::new(rows).set_grid(widths.to_vec())).add_paragraph(Paragraph::new());
    doc = doc.add_paragraph(centred(&s.content.title, HEADING_FONT, SIZE_BODY));
    for para in s.content.body.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
        doc = doc.add_paragraph(documents::body(para));
    }
    doc
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(sheet)).routes(routes!(sheet_docx)).routes(routes!(sheets_docx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_keeps_the_title_without_what_file_names_cannot_hold() {
        assert_eq!(file_name("河西镇:冰雹/灾情?", "信息报送单"), "河西镇冰雹灾情-信息报送单.docx");
        assert_eq!(file_name(" \u{0} ", "信息审签单"), "信息审签单.docx");
    }
}
