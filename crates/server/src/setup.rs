//! Setting up a county from a spreadsheet (issue 20): the template to download, the import
//! (every row checked by [`xinbao_core::setup::check`] first, then one transaction), and the
//! sheet of one-time passwords to print. The admin page and `xinbao-server import` both use it.
//!
//! The one-time passwords exist in the import's answer only: the server keeps their hashes.
//! The password sheet is made from the list the administrator's browser sends back, so nothing
//! on the server can hand them out again.

use crate::accounts::{self, hash_password, hashing, random_password};
use crate::auth::Admin;
use crate::db::{Db, now_ms};
use crate::documents;
use crate::error::{ApiJson, AppError};
use crate::office::Scope;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};
use serde::Deserialize;
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::{ImportReport, IssuedAccount};
use xinbao_core::setup::{self, ACCOUNT_COLUMNS, ACCOUNT_SHEET, Known, Plan, RowError, Sheet, UNIT_COLUMNS, UNIT_SHEET, UnitRef};

/// The most a workbook may unpack to: a county's sheets are a few hundred KB.
const MAX_UNPACKED: u64 = 30 * 1024 * 1024;
/// Columns read (the template has four; more are ignored, however far to the right).
const MAX_COLUMNS: u32 = 16;

/// A cell's text: a user name or phone number typed as a number stays whole (13912345678,
/// not 13912345678.0).
fn cell_text(c: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match c {
        DataRef::Empty | DataRef::Error(_) => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => d.as_f64().to_string(),
    }
}

/// Reads the 单位 and 账号 sheets of an .xlsx (either may be missing), each as rows of text
/// numbered as the spreadsheet numbers them. The file's zip directory is checked before
/// anything is unpacked, and cells are read one at a time, so a stray cell at XFD1048576 or a
/// file that unpacks to gigabytes costs nothing. Blocking: call it off the async threads.
pub fn read_workbook(bytes: &[u8]) -> Result<(Sheet, Sheet), String> {
    use calamine::Reader;
    const UNREADABLE: &str = "无法读取这个文件：请上传用模板填写、保存为 Excel 工作簿（.xlsx）的文件";
    let mut archive = zip8::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| UNREADABLE.to_owned())?;
    let mut unpacked = 0u64;
    for i in 0..archive.len() {
        unpacked = unpacked.saturating_add(archive.by_index_raw(i).map_err(|_| UNREADABLE.to_owned())?.size());
    }
    if unpacked > MAX_UNPACKED {
        return Err("文件解压后太大（超过30 MB）：请只保留模板的“单位”和“账号”两个工作表".to_owned());
    }
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|_| UNREADABLE.to_owned())?;
    let names = book.sheet_names();
    let find = |wanted: &str, english: &str| names.iter().find(|n| n.trim() == wanted || n.trim().eq_ignore_ascii_case(english)).cloned();
    let (unit_sheet, account_sheet) = (find(UNIT_SHEET, "Units"), find(ACCOUNT_SHEET, "Accounts"));
    if unit_sheet.is_none() && account_sheet.is_none() {
        return Err(format!("文件中没有“{UNIT_SHEET}”或“{ACCOUNT_SHEET}”工作表：请使用模板（工作表名不要改）"));
    }
    // Rows kept: the limit, with room for blank rows and a title above the header.
    let max_row = setup::MAX_ROWS as u32 + 50;
    let mut read = |name: Option<String>| -> Result<Sheet, String> {
        let Some(name) = name else { return Ok(Vec::new()) };
        let mut cells = book.worksheet_cells_reader(&name).map_err(|e| format!("工作表“{name}”无法读取：{e}"))?;
        let mut rows: Sheet = Vec::new();
        while let Some(cell) = cells.next_cell().map_err(|e| format!("工作表“{name}”无法读取：{e}"))? {
            let (r, c) = cell.get_position();
            let text = cell_text(cell.get_value());
            if c >= MAX_COLUMNS || text.trim().is_empty() {
                continue;
            }
            if r >= max_row {
                return Err(format!("工作表“{name}”的行数太多：一次最多导入{}行", setup::MAX_ROWS));
            }
            let (r, c) = (r as usize, c as usize);
            if rows.len() <= r {
                rows.resize(r + 1, Vec::new());
            }
            if rows[r].len() <= c {
                rows[r].resize(c + 1, String::new());
            }
            rows[r][c] = text;
        }
        Ok(rows)
    };
    Ok((read(unit_sheet)?, read(account_sheet)?))
}

/// What the rows may name: the units the administrator manages (all of them for the server's
/// administrator or the command line), every user name on the server, the scoring classes of
/// the offices in reach.
pub async fn known(db: &Db, scope: Option<&Scope>) -> Result<Known, AppError> {
    let manages = |unit: i64| scope.is_none_or(|s| s.manages(unit));
    let mut k = Known { may_create_office: scope.is_none_or(Scope::is_server_admin), ..Known::default() };
    for r in sqlx::query("SELECT id, name FROM units ORDER BY id").fetch_all(&db.pool).await? {
        let id: i64 = r.try_get(0)?;
        if manages(id) {
            k.units.push((id, r.try_get(1)?));
        }
    }
    for r in sqlx::query("SELECT username FROM users").fetch_all(&db.pool).await? {
        k.usernames.insert(r.try_get::<String, _>(0)?.to_lowercase());
    }
    let tree = crate::office::unit_nodes(&db.pool).await?;
    for node in &tree {
        let office = if node.is_office { Some(node.id) } else { xinbao_core::review::reviewing_office(&tree, node.id) };
        if let Some(office) = office.filter(|_| manages(node.id)) {
            k.office_of.insert(node.id, office);
        }
    }
    for r in sqlx::query("SELECT id, office_id, name FROM unit_classes ORDER BY id").fetch_all(&db.pool).await? {
        let office: i64 = r.try_get(1)?;
        if manages(office) {
            k.classes.push((r.try_get(0)?, r.try_get(2)?, office));
        }
    }
    Ok(k)
}

/// The accounts a plan creates, as they will be listed (no passwords yet).
fn listed(plan: &Plan, known: &Known) -> Vec<IssuedAccount> {
    let unit_name = |u: UnitRef| match u {
        UnitRef::New(i) => plan.units.get(i).map(|u| u.name.clone()).unwrap_or_default(),
        UnitRef::Existing(id) => known.units.iter().find(|(k, _)| *k == id).map(|(_, n)| n.clone()).unwrap_or_default(),
    };
    plan.accounts
        .iter()
        .map(|a| IssuedAccount {
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            unit: unit_name(a.unit),
            role: a.role,
            password: String::new(),
        })
        .collect()
}

/// Checks the workbook and, unless `check_only`, writes it in one transaction: the units
/// (parents first), the accounts with one-time passwords they must change at first login, and
/// one audit line. Any failing row: nothing written.
pub async fn import(db: &Db, bytes: &[u8], scope: Option<&Scope>, actor: Option<i64>, check_only: bool) -> Result<ImportReport, AppError> {
    let owned = bytes.to_vec();
    let read = tokio::task::spawn_blocking(move || read_workbook(&owned)).await.map_err(|e| AppError::Internal(e.into()))?;
    let (units, accounts) = match read {
        Ok(sheets) => sheets,
        Err(message) => {
            let error = RowError { sheet: String::new(), row: 0, zh: message, en: "The file cannot be read as the template".into() };
            return Ok(ImportReport { errors: vec![error], ..ImportReport::default() });
        }
    };
    let known = known(db, scope).await?;
    let plan = match setup::check(&units, &accounts, &known) {
        Ok(plan) => plan,
        Err(errors) => return Ok(ImportReport { errors, ..ImportReport::default() }),
    };
    let mut issued = listed(&plan, &known);
    let report = |accounts, imported| ImportReport { errors: Vec::new(), units: plan.units.len() as u32, accounts, imported };
    if check_only {
        return Ok(report(issued, false));
    }
    // Hashing first (it takes a while: a few at a time through the hashing queue, one per
    // core; a full queue answers 503 and nothing is written), outside the transaction.
    for a in &mut issued {
        a.password = random_password().map_err(AppError::Internal)?;
    }
    let mut hashes = Vec::with_capacity(issued.len());
    for chunk in issued.chunks(8) {
        let batch = chunk.iter().map(|a| {
            let password = a.password.clone();
            hashing(move || hash_password(&password))
        });
        for hash in futures_util::future::try_join_all(batch).await? {
            hashes.push(hash?);
        }
    }
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    let mut ids: Vec<i64> = Vec::with_capacity(plan.units.len());
    let resolve = |ids: &[i64], u: UnitRef| match u {
        UnitRef::Existing(id) => Ok(id),
        UnitRef::New(i) => ids.get(i).copied().ok_or_else(|| AppError::Internal(anyhow::anyhow!("unit {i} planned after its child"))),
    };
    for u in &plan.units {
        let parent = resolve(&ids, u.parent)?;
        let row = sqlx::query("INSERT INTO units (parent_id, name, kind, class_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(parent)
            .bind(&u.name)
            .bind(&u.kind)
            .bind(u.class_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        ids.push(row.try_get(0)?);
    }
    for (a, hash) in plan.accounts.iter().zip(&hashes) {
        sqlx::query(
            "INSERT INTO users (username, display_name, role, unit_id, password_hash, must_change_password, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6)",
        )
        .bind(&a.username)
        .bind(&a.display_name)
        .bind(a.role.as_str())
        .bind(resolve(&ids, a.unit)?)
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let detail = format!("role={} unit={} (import)", a.role.as_str(), resolve(&ids, a.unit)?);
        accounts::audit_in(&mut *tx, actor, "user_created", &a.username, &detail).await?;
    }
    let detail = format!("units={} accounts={}", plan.units.len(), plan.accounts.len());
    accounts::audit_in(&mut *tx, actor, "imported", "units and accounts", &detail).await?;
    tx.commit().await?;
    Ok(report(issued, true))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// Check every row and say what would be created, without writing anything.
    #[serde(default)]
    pub check: bool,
}

/// `POST /api/admin/import`: the body is the workbook (.xlsx from the template).
#[utoipa::path(post, path = "/api/admin/import", tag = "admin", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The workbook (.xlsx) as it was saved"),
    responses((status = 200, body = ImportReport), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn import_workbook(
    State(state): State<AppState>,
    Admin(me): Admin,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Json<ImportReport>, AppError> {
    let scope = Scope::of(&state, &me).await?;
    Ok(Json(import(&state.db, &body, Some(&scope), Some(me.user_id), q.check).await?))
}

/// `GET /api/admin/import/template`: the workbook to fill in.
#[utoipa::path(get, path = "/api/admin/import/template", tag = "admin",
    responses((status = 200, description = "The template (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn template(Admin(_me): Admin) -> Result<Response, AppError> {
    let bytes = template_xlsx().map_err(|e| AppError::Internal(e.into()))?;
    Ok(documents::download(bytes, documents::XLSX, "信报单位和账号导入模板.xlsx"))
}

/// `POST /api/admin/import/passwords.xlsx`: the sheet of one-time passwords, from the list the
/// import answered with (the server has no copy of them).
#[utoipa::path(post, path = "/api/admin/import/passwords.xlsx", tag = "admin", request_body = Vec<IssuedAccount>,
    responses((status = 200, description = "The passwords (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn passwords(Admin(_me): Admin, ApiJson(accounts): ApiJson<Vec<IssuedAccount>>) -> Result<Response, AppError> {
    let bytes = passwords_xlsx(&accounts).map_err(|e| AppError::Internal(e.into()))?;
    Ok(documents::download(bytes, documents::XLSX, "信报新账号一次性密码.xlsx"))
}

fn formats() -> (Format, Format, Format) {
    let font = "宋体";
    let head = Format::new().set_font_name(font).set_bold().set_border(FormatBorder::Thin).set_background_color("#F2F2F2");
    let cell = Format::new().set_font_name(font).set_border(FormatBorder::Thin);
    let text = Format::new().set_font_name(font).set_text_wrap();
    (head, cell, text)
}

/// The template: the two sheets with their header rows, and a third that explains them.
pub fn template_xlsx() -> Result<Vec<u8>, XlsxError> {
    let (head, _, text) = formats();
    let mut wb = Workbook::new();
    for (name, columns, widths) in
        [(UNIT_SHEET, &UNIT_COLUMNS[..], [22.0, 22.0, 10.0, 14.0]), (ACCOUNT_SHEET, &ACCOUNT_COLUMNS[..], [16.0, 12.0, 22.0, 10.0])]
    {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        for (c, (title, width)) in columns.iter().zip(widths).enumerate() {
            ws.write_string_with_format(0, c as u16, *title, &head)?;
            ws.set_column_width(c as u16, width)?;
        }
        ws.set_freeze_panes(1, 0)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("填写说明")?;
    ws.set_column_width(0, 100.0)?;
    let lines = [
        "一、“单位”表：每行一个单位。",
        "  单位名称、上级单位必填；上级单位可以是系统中已有的单位（如本县政府办公室），也可以是本表中的另一行。",
        "  类型填 乡镇、部门 或 办公室（留空为乡镇）；考核类别填“积分设置”中已有的类别名（如 一类乡镇），可留空。",
        "二、“账号”表：每行一个账号。",
        "  用户名（登录用，不能重复，不区分大小写）、姓名、所属单位、角色都必填。",
        "  角色填 信息员、编辑、签发人、管理员 或 阅读人。所属单位可以是系统中已有的单位，也可以是“单位”表中的一行。",
        "三、导入前会逐行检查，有任何一行不通过就全部不导入，并按行列出原因。",
        "四、导入后每个新账号得到一个一次性密码，只显示这一次：请打印或下载密码表，分发给本人；首次登录须修改密码。",
        "示例（单位）：城关镇 | 林双县人民政府办公室 | 乡镇 | 一类乡镇",
        "示例（账号）：wangxh | 王小红 | 城关镇 | 信息员",
    ];
    for (r, line) in lines.iter().enumerate() {
        ws.write_string_with_format(r as u32, 0, *line, &text)?;
    }
    wb.save_to_buffer()
}

/// The one-time passwords, one row per account, ready to print and cut into slips.
pub fn passwords_xlsx(accounts: &[IssuedAccount]) -> Result<Vec<u8>, XlsxError> {
    let (head, cell, text) = formats();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("一次性密码")?;
    ws.set_paper_size(9);
    ws.write_string_with_format(0, 0, "信报新账号一次性密码（首次登录后须修改；请妥善分发，勿外传）", &text)?;
    let columns = ["姓名", "单位", "角色", "用户名", "一次性密码"];
    for (c, (title, width)) in columns.iter().zip([12.0, 24.0, 10.0, 16.0, 18.0]).enumerate() {
        ws.write_string_with_format(2, c as u16, *title, &head)?;
        ws.set_column_width(c as u16, width)?;
    }
    for (i, a) in accounts.iter().enumerate() {
        let r = i as u32 + 3;
        let role = a.role.label().zh;
        for (c, value) in [a.display_name.as_str(), a.unit.as_str(), role, a.username.as_str(), a.password.as_str()].into_iter().enumerate()
        {
            ws.write_string_with_format(r, c as u16, documents::xml_safe(value), &cell)?;
        }
    }
    wb.save_to_buffer()
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]` (the path, the
/// method and the OpenAPI operation come from the same line).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(import_workbook)).routes(routes!(template)).routes(routes!(passwords))
}
