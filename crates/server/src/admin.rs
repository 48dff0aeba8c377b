//! Administration (issue 5): accounts (create, change role / unit / name, disable, reset the
//! password — a one-time password, changed at next login), the unit tree (create, rename,
//! move — never under itself), and the audit trail (filter, CSV). Administrators only; every
//! change is itself audited with what it was and what it became.

use crate::accounts::{self, NewUser, random_password, upsert_user};
use crate::auth::{Admin, CurrentUser};
use crate::db::{Sql, Stored, decode, now_ms};
use crate::error::{ApiJson, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::{Account, AccountChange, AuditRow, ErrorCode, NewAccount, OneTimePassword, UnitChange, UnitInfo};
use xinbao_core::review::DeadlineRules;
use xinbao_core::role::Role;

const UNIT_KINDS: [&str; 3] = ["office", "township", "department"];

/// Audited actions whose details are administration (accounts, units, settings, logins), which
/// an office's administrator reads in full; every other action's detail is about an item.
const ADMINISTRATIVE: [&str; 19] = [
    "audit_exported",
    "imported",
    "login",
    "login_failed",
    "login_refused_disabled",
    "password_change_refused",
    "password_changed",
    "password_reset",
    "publication_saved",
    "scoring_table",
    "sessions_revoked",
    "settings_changed",
    "signing_setup",
    "unit_changed",
    "unit_class_saved",
    "unit_class_set",
    "unit_created",
    "user_changed",
    "user_created",
];

pub use crate::office::Scope;

/// An account as stored, with its unit's name.
#[derive(sqlx::FromRow)]
struct AccountRecord {
    id: i64,
    username: String,
    display_name: String,
    #[sqlx(try_from = "Stored<Role>")]
    role: Role,
    unit_id: i64,
    unit_name: String,
    disabled: i64,
}

/// A unit as stored.
#[derive(sqlx::FromRow)]
struct UnitRecord {
    id: i64,
    parent_id: Option<i64>,
    name: String,
    kind: String,
    class_id: Option<i64>,
}

/// A line of the audit trail with who did it.
#[derive(sqlx::FromRow)]
struct AuditRecord {
    id: i64,
    at: i64,
    display_name: String,
    username: String,
    action: String,
    subject: String,
    detail: String,
}

/// Accounts with their unit's name: all of them, or the one with `id`.
async fn accounts_where(state: &AppState, id: Option<i64>) -> Result<Vec<Account>, AppError> {
    let rows = sqlx::query(
        "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, n.name AS unit_name, u.disabled FROM users u JOIN units n ON n.id = u.unit_id \
         WHERE ($1 = 0 OR u.id = $1) ORDER BY u.id",
    )
    .bind(id.unwrap_or(0))
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let a: AccountRecord = decode(r, "users", "id")?;
            Ok(Account {
                id: a.id,
                username: a.username,
                display_name: a.display_name,
                role: a.role,
                unit_id: a.unit_id,
                unit_name: a.unit_name,
                disabled: a.disabled != 0,
            })
        })
        .collect()
}

async fn account(state: &AppState, id: i64) -> Result<Account, AppError> {
    accounts_where(state, Some(id)).await?.into_iter().next().ok_or(AppError::refused(ErrorCode::NotFound))
}

/// `GET /api/admin/users`
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", responses((status = 200, body = Vec<Account>), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn users(State(state): State<AppState>, Admin(me): Admin) -> Result<Json<Vec<Account>>, AppError> {
    let scope = Scope::of(&state, &me).await?;
    Ok(Json(accounts_where(&state, None).await?.into_iter().filter(|a| scope.manages(a.unit_id)).collect()))
}

async fn unit_exists(state: &AppState, id: i64) -> Result<bool, AppError> {
    Ok(sqlx::query("SELECT 1 FROM units WHERE id = $1").bind(id).fetch_optional(&state.db.pool).await?.is_some())
}

/// Ends an account's sessions and forgets the browsers it logged in from and its failed logins:
/// after a reset the person starts clean, and a browser someone else used under the account no
/// longer vouches for it.
async fn end_access(state: &AppState, id: i64, username: &str) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM login_devices WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM login_attempts WHERE key = $1").bind(crate::ratelimit::user_key(username)).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /api/admin/users`: a new account with a one-time password.
#[utoipa::path(post, path = "/api/admin/users", tag = "admin", request_body = NewAccount,
    responses((status = 200, body = OneTimePassword), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    Admin(me): Admin,
    ApiJson(req): ApiJson<NewAccount>,
) -> Result<Json<OneTimePassword>, AppError> {
    let username = accounts::normalize_username(&accounts::clean_name(&req.username)?);
    refuse_system_account(&username)?;
    let display_name = accounts::clean_name(&req.display_name)?;
    if !unit_exists(&state, req.unit_id).await? || !Scope::of(&state, &me).await?.manages(req.unit_id) {
        return Err(AppError::bad_request("所选单位不存在"));
    }
    if sqlx::query("SELECT 1 FROM users WHERE username = $1").bind(&username).fetch_optional(&state.db.pool).await?.is_some() {
        return Err(AppError::bad_request("该用户名已存在"));
    }
    let password = random_password().map_err(AppError::Internal)?;
    let id = upsert_user(
        &state.db,
        NewUser {
            username: &username,
            display_name: &display_name,
            role: req.role,
            unit_id: req.unit_id,
            password: &password,
            must_change_password: true,
        },
    )
    .await
    .map_err(AppError::Internal)?;
    accounts::audit(&state.db, Some(me.user_id), "user_created", &username, &format!("role={} unit={}", req.role.as_str(), req.unit_id))
        .await?;
    Ok(Json(OneTimePassword { user_id: id, password }))
}

/// `POST /api/admin/users/{id}`: change name, role, unit, or disable / enable. Disabling ends
/// the account's sessions at once.
#[utoipa::path(post, path = "/api/admin/users/{id}", tag = "admin", request_body = AccountChange,
    params(("id" = i64, Path, description = "The account")),
    responses((status = 200, body = Account), (status = 404, body = xinbao_core::api::ErrorBody)))]
pub async fn change_user(
    State(state): State<AppState>,
    Admin(me): Admin,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<AccountChange>,
) -> Result<Json<Account>, AppError> {
    let before = account(&state, id).await?;
    let scope = Scope::of(&state, &me).await?;
    scope.check(before.unit_id)?;
    refuse_system_account(&before.username)?;
    if id == me.user_id && (req.disabled == Some(true) || req.role.is_some_and(|r| r != Role::Admin)) {
        return Err(AppError::bad_request("不能停用自己的账号或取消自己的管理员身份"));
    }
    if let Some(unit) = req.unit_id
        && (!unit_exists(&state, unit).await? || !scope.manages(unit))
    {
        return Err(AppError::bad_request("所选单位不存在"));
    }
    let name = match req.display_name.as_deref().filter(|n| !n.trim().is_empty()) {
        Some(n) => accounts::clean_name(n)?,
        None => before.display_name.clone(),
    };
    let role = req.role.unwrap_or(before.role);
    let unit = req.unit_id.unwrap_or(before.unit_id);
    let disabled = req.disabled.unwrap_or(before.disabled);
    sqlx::query("UPDATE users SET display_name = $1, role = $2, unit_id = $3, disabled = $4 WHERE id = $5")
        .bind(&name)
        .bind(role.as_str())
        .bind(unit)
        .bind(i64::from(disabled))
        .bind(id)
        .execute(&state.db.pool)
        .await?;
    if disabled {
        end_access(&state, id, &before.username).await?;
    }
    let detail = format!(
        "role {} → {}; unit {} → {}; disabled {} → {}; name {} → {}",
        before.role.as_str(),
        role.as_str(),
        before.unit_id,
        unit,
        before.disabled,
        disabled,
        before.display_name,
        name
    );
    accounts::audit(&state.db, Some(me.user_id), "user_changed", &before.username, &detail).await?;
    Ok(Json(account(&state, id).await?))
}

/// The accounts the system records by (`#upward-N`: what a destination sent back) cannot log
/// in, and no administrator may make them: what they recorded must stay the destination's.
fn refuse_system_account(username: &str) -> Result<(), AppError> {
    if username.starts_with('#') {
        return Err(AppError::bad_request("这是系统回传使用的账号，不能修改或重置密码"));
    }
    Ok(())
}

/// `POST /api/admin/users/{id}/reset-password`: a new one-time password (shown once), to be
/// changed at next login; the account's sessions end.
#[utoipa::path(post, path = "/api/admin/users/{id}/reset-password", tag = "admin",
    params(("id" = i64, Path, description = "The account")), responses((status = 200, body = OneTimePassword)))]
pub async fn reset_password(
    State(state): State<AppState>,
    Admin(me): Admin,
    Path(id): Path<i64>,
) -> Result<Json<OneTimePassword>, AppError> {
    let row = sqlx::query("SELECT username, unit_id FROM users WHERE id = $1").bind(id).fetch_optional(&state.db.pool).await?;
    let Some(row) = row else { return Err(AppError::refused(ErrorCode::NotFound)) };
    let username: String = row.try_get(0)?;
    Scope::of(&state, &me).await?.check(row.try_get(1)?)?;
    refuse_system_account(&username)?;
    let password = random_password().map_err(AppError::Internal)?;
    let plain = password.clone();
    let hash = accounts::hashing(move || accounts::hash_password(&plain)).await?.map_err(AppError::Internal)?;
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(&state.db.pool)
        .await?;
    end_access(&state, id, &username).await?;
    accounts::audit(&state.db, Some(me.user_id), "password_reset", &username, "").await?;
    Ok(Json(OneTimePassword { user_id: id, password }))
}

/// `GET /api/admin/units`
#[utoipa::path(get, path = "/api/admin/units", tag = "admin", responses((status = 200, body = Vec<UnitInfo>)))]
pub async fn units(State(state): State<AppState>, Admin(me): Admin) -> Result<Json<Vec<UnitInfo>>, AppError> {
    let scope = Scope::of(&state, &me).await?;
    Ok(Json(all_units(&state).await?.into_iter().filter(|u| scope.manages(u.id)).collect()))
}

async fn all_units(state: &AppState) -> Result<Vec<UnitInfo>, AppError> {
    let rows = sqlx::query("SELECT id, parent_id, name, kind, class_id FROM units ORDER BY id").fetch_all(&state.db.pool).await?;
    rows.iter()
        .map(|r| {
            let u: UnitRecord = decode(r, "units", "id")?;
            Ok(UnitInfo { id: u.id, parent_id: u.parent_id, name: u.name, kind: u.kind, class_id: u.class_id })
        })
        .collect()
}

fn check_unit_fields(name: Option<&str>, kind: Option<&str>) -> Result<(), AppError> {
    if name.is_some_and(|n| n.trim().is_empty() || n.chars().count() > 64) {
        return Err(AppError::bad_request("单位名称不能为空，且不超过64个字"));
    }
    if kind.is_some_and(|k| !UNIT_KINDS.contains(&k)) {
        return Err(AppError::bad_request("单位类型应为 office、township 或 department"));
    }
    Ok(())
}

/// `POST /api/admin/units`: a new unit under `parent_id`.
#[utoipa::path(post, path = "/api/admin/units", tag = "admin", request_body = UnitChange, responses((status = 200, body = UnitInfo)))]
pub async fn create_unit(
    State(state): State<AppState>,
    Admin(me): Admin,
    ApiJson(req): ApiJson<UnitChange>,
) -> Result<Json<UnitInfo>, AppError> {
    let (Some(parent), Some(name)) = (req.parent_id, req.name.as_deref()) else {
        return Err(AppError::bad_request("请选择上级单位并填写名称"));
    };
    let kind = req.kind.as_deref().unwrap_or("township");
    check_unit_fields(None, Some(kind))?;
    let name = accounts::clean_name(name)?;
    let scope = Scope::of(&state, &me).await?;
    if !unit_exists(&state, parent).await? || !scope.manages(parent) {
        return Err(AppError::bad_request("上级单位不存在"));
    }
    // A new office is a new scope of its own: only the server administrator makes one.
    if kind == "office" && !scope.is_server_admin() {
        return Err(AppError::Refused(ErrorCode::Forbidden, Some("只有系统管理员可以新建审核单位（办公室）".into())));
    }
    // A name already under this parent (once normalised) is refused, not "saved": nothing was
    // created, and nothing is audited as created.
    let taken = sqlx::query("SELECT 1 FROM units WHERE parent_id = $1 AND name = $2")
        .bind(parent)
        .bind(&name)
        .fetch_optional(&state.db.pool)
        .await?;
    if taken.is_some() {
        return Err(AppError::bad_request("同一上级下已有同名单位"));
    }
    let id = accounts::ensure_unit(&state.db, Some(parent), &name, kind).await.map_err(AppError::Internal)?;
    accounts::audit(&state.db, Some(me.user_id), "unit_created", &name, &format!("parent={parent} kind={kind}")).await?;
    all_units(&state).await?.into_iter().find(|u| u.id == id).map(Json).ok_or(AppError::refused(ErrorCode::NotFound))
}

/// `POST /api/admin/units/{id}`: rename, change kind, or move under another parent (never under
/// itself or its own descendants). Items already written keep the office they were sent to.
#[utoipa::path(post, path = "/api/admin/units/{id}", tag = "admin", request_body = UnitChange,
    params(("id" = i64, Path, description = "The unit")), responses((status = 200, body = UnitInfo)))]
pub async fn change_unit(
    State(state): State<AppState>,
    Admin(me): Admin,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<UnitChange>,
) -> Result<Json<UnitInfo>, AppError> {
    check_unit_fields(req.name.as_deref(), req.kind.as_deref())?;
    let all = all_units(&state).await?;
    let Some(before) = all.iter().find(|u| u.id == id).cloned() else { return Err(AppError::refused(ErrorCode::NotFound)) };
    let scope = Scope::of(&state, &me).await?;
    scope.check(id)?;
    if let Some(parent) = req.parent_id
        && !scope.manages(parent)
    {
        return Err(AppError::bad_request("上级单位不存在"));
    }
    if req.kind.as_deref().is_some_and(|k| k != before.kind && (k == "office" || before.kind == "office")) && !scope.is_server_admin() {
        return Err(AppError::Refused(ErrorCode::Forbidden, Some("只有系统管理员可以改变审核单位（办公室）".into())));
    }
    if let Some(parent) = req.parent_id {
        // Walk up from the new parent: meeting the unit itself would make a cycle.
        let mut at = Some(parent);
        for _ in 0..=all.len() {
            match at {
                Some(p) if p == id => return Err(AppError::bad_request("不能把单位移到它自己或它的下级单位之下")),
                Some(p) => at = all.iter().find(|u| u.id == p).ok_or_else(|| AppError::bad_request("上级单位不存在"))?.parent_id,
                None => break,
            }
        }
    }
    let name = match req.name.as_deref() {
        Some(n) => accounts::clean_name(n)?,
        None => before.name.clone(),
    };
    let kind = req.kind.clone().unwrap_or(before.kind.clone());
    let parent = req.parent_id.or(before.parent_id);
    sqlx::query("UPDATE units SET name = $1, kind = $2, parent_id = $3 WHERE id = $4")
        .bind(&name)
        .bind(&kind)
        .bind(parent)
        .bind(id)
        .execute(&state.db.pool)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(_) => AppError::bad_request("同一上级下已有同名单位"),
            e => AppError::Db(e),
        })?;
    let detail = format!("name {} → {name}; kind {} → {kind}; parent {:?} → {parent:?}", before.name, before.kind, before.parent_id);
    accounts::audit(&state.db, Some(me.user_id), "unit_changed", &before.name, &detail).await?;
    all_units(&state).await?.into_iter().find(|u| u.id == id).map(Json).ok_or(AppError::refused(ErrorCode::NotFound))
}

/// Filters of the audit trail.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Substring of the action (e.g. `login`, `review:`).
    pub action: Option<String>,
    /// Substring of the subject (an item id, a user name).
    pub subject: Option<String>,
    /// Substring of the actor's user name or display name.
    pub actor: Option<String>,
    /// From this time (ms since the epoch).
    pub from: Option<i64>,
    /// Until this time (ms).
    pub to: Option<i64>,
    /// At most this many rows, newest first (default 200, at most 5,000).
    pub limit: Option<i64>,
}

async fn audit_rows(state: &AppState, me: &xinbao_core::api::Me, q: &AuditQuery) -> Result<Vec<AuditRow>, AppError> {
    let like = |s: &Option<String>| crate::db::like_pattern(s.as_deref().unwrap_or(""));
    // An office's administrator reads what the accounts of their office did; the server
    // administrator reads everything (failed logins by unknown names included).
    let scope = Scope::of(state, me).await?;
    let actor = like(&q.actor);
    let mut sql = Sql::new(
        "SELECT a.id, a.at, COALESCE(u.display_name, '') AS display_name, COALESCE(u.username, '') AS username, a.action, a.subject, a.detail \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE a.action LIKE ",
    );
    sql.bind(like(&q.action)).push(" ESCAPE '\\' AND a.subject LIKE ").bind(like(&q.subject));
    sql.push(" ESCAPE '\\' AND (COALESCE(u.username, '') LIKE ").bind(actor.as_str());
    sql.push(" ESCAPE '\\' OR COALESCE(u.display_name, '') LIKE ").bind(actor).push(" ESCAPE '\\')");
    sql.push(" AND a.at >= ").bind(q.from.unwrap_or(0)).push(" AND a.at <= ").bind(q.to.unwrap_or(i64::MAX));
    if !scope.is_server_admin() {
        let units: Vec<i64> = scope.tree.iter().filter(|u| scope.manages(u.id)).map(|u| u.id).collect();
        if units.is_empty() {
            sql.push(" AND FALSE");
        } else {
            sql.push(" AND u.unit_id IN (").list(units).push(")");
        }
    }
    sql.push(" ORDER BY a.id DESC LIMIT ").bind(q.limit.unwrap_or(200).clamp(1, 5000));
    let rows = sql.query(state.db.backend).fetch_all(&state.db.pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let a: AuditRecord = decode(r, "audit_log", "id")?;
        // What an item says (its title on submission, a comment, a review note, an instruction
        // and its feedback, an adoption, an issue) is for those who read the item; an office's
        // administrator sees that it happened, and the details of administration only.
        let detail = if scope.is_server_admin() || ADMINISTRATIVE.contains(&a.action.as_str()) { a.detail } else { String::new() };
        out.push(AuditRow {
            id: a.id,
            at: a.at,
            actor: if a.display_name.is_empty() { a.username } else { format!("{}（{}）", a.display_name, a.username) },
            action: a.action,
            subject: a.subject,
            detail,
        });
    }
    Ok(out)
}

/// `GET /api/admin/audit`: the audit trail, newest first, filtered.
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", params(AuditQuery), responses((status = 200, body = Vec<AuditRow>)))]
pub async fn audit(State(state): State<AppState>, Admin(me): Admin, Query(q): Query<AuditQuery>) -> Result<Json<Vec<AuditRow>>, AppError> {
    Ok(Json(audit_rows(&state, &me, &q).await?))
}

/// A CSV field: quoted, quotes doubled; a leading `= + - @` is defused so a spreadsheet never
/// runs it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `GET /api/admin/audit.csv`: the same rows as CSV (UTF-8 with BOM, so spreadsheet programs
/// show the Chinese correctly).
#[utoipa::path(get, path = "/api/admin/audit.csv", tag = "admin", params(AuditQuery), responses((status = 200, description = "text/csv")))]
pub async fn audit_csv(State(state): State<AppState>, Admin(me): Admin, Query(q): Query<AuditQuery>) -> Result<Response, AppError> {
    let rows = audit_rows(&state, &me, &q).await?;
    let mut csv = String::from("\u{feff}编号,时间(毫秒),操作人,操作,对象,详情\r\n");
    for r in rows {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            r.id,
            r.at,
            csv_field(&r.actor),
            csv_field(&r.action),
            csv_field(&r.subject),
            csv_field(&r.detail)
        ));
    }
    accounts::audit(&state.db, Some(me.user_id), "audit_exported", "audit_log", "").await?;
    let name = format!("attachment; filename=\"xinbao-audit-{}.csv\"", now_ms());
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, name)], csv).into_response())
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]` (the path, the
/// method and the OpenAPI operation come from the same line).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(users, create_user))
        .routes(routes!(change_user))
        .routes(routes!(reset_password))
        .routes(routes!(units, create_unit))
        .routes(routes!(change_unit))
        .routes(routes!(audit))
        .routes(routes!(settings))
        .routes(routes!(change_settings))
        .routes(routes!(audit_csv))
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("退回：\"缺数据\""), "\"退回：\"\"缺数据\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}

/// `GET /api/settings`: the deadline rules (every logged-in account: the desks show countdowns).
#[utoipa::path(get, path = "/api/settings", tag = "admin", responses((status = 200, body = DeadlineRules)))]
pub async fn settings(State(state): State<AppState>, _me: CurrentUser) -> Result<Json<DeadlineRules>, AppError> {
    Ok(Json(crate::scores::deadline_rules(&state.db.pool).await?))
}

/// `POST /api/admin/settings`: change the deadline rules (audited).
#[utoipa::path(post, path = "/api/admin/settings", tag = "admin", request_body = DeadlineRules,
    responses((status = 200, body = DeadlineRules), (status = 422, body = xinbao_core::api::ErrorBody)))]
pub async fn change_settings(
    State(state): State<AppState>,
    Admin(me): Admin,
    ApiJson(req): ApiJson<DeadlineRules>,
) -> Result<Json<DeadlineRules>, AppError> {
    Scope::of(&state, &me).await?.check_server_setting()?;
    if !req.valid() {
        return Err(AppError::bad_request("紧急信息书面报告时限应在5到1440分钟之间"));
    }
    let before = settings(State(state.clone()), CurrentUser(me.clone())).await?.0;
    sqlx::query("UPDATE settings SET value = $1 WHERE key = 'urgent_written_minutes'")
        .bind(req.urgent_written_minutes.to_string())
        .execute(&state.db.pool)
        .await?;
    let detail = format!("urgent_written_minutes {} → {}", before.urgent_written_minutes, req.urgent_written_minutes);
    accounts::audit(&state.db, Some(me.user_id), "settings_changed", "deadline_rules", &detail).await?;
    Ok(Json(req))
}
