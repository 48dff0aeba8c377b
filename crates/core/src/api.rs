//! The HTTP wire types: one set of types used by both the browser and the server, so the two
//! sides cannot drift apart. Field names are the JSON names.

use crate::i18n::Text;
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// `POST /api/login`
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// `GET /api/me/device-key`: the account's device secret. Each device wraps its local data key
/// under it as well as under the password, so a password reset by the administrator (or changed
/// on another PC) never makes this PC's sealed, unsent drafts unreadable. Released only to a
/// session that proved the password in the last ten minutes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceKey {
    /// 32 random bytes as 64 hex digits; the same for the account's whole life.
    pub secret: String,
}

/// Who is logged in: the answer to `POST /api/login` and `GET /api/me`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_name: String,
    /// The password was set by someone else (first admin, reset): it must be changed.
    pub must_change_password: bool,
    /// Seal this account's drafts, outbox and photos in the browser (shared PCs): the server's
    /// `--local-encryption` setting.
    #[serde(default)]
    pub seal_local: bool,
}

/// `POST /api/password`: change one's own password.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// What went wrong, as a stable code the client can act on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Wrong user name or password — deliberately not saying which.
    BadCredentials,
    /// The account exists but may not log in.
    AccountDisabled,
    /// No valid session: log in (again).
    Unauthenticated,
    /// Logged in, but not allowed to do this.
    Forbidden,
    /// The request was malformed or failed validation.
    BadRequest,
    /// The new password does not meet the rule (detail says why).
    WeakPassword,
    /// The request body is larger than the server accepts.
    TooLarge,
    /// Too many failed logins: wait before trying again.
    RateLimited,
    NotFound,
    /// The password was set by someone else (first administrator, a reset): change it first.
    /// Until then the account reaches only who-am-I, its device key, change-password and logout.
    PasswordChangeRequired,
    /// Someone changed it first (a stale revision): look at what changed, then try again.
    Conflict,
    /// The server could not do it now (database down, overloaded): try again later.
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// The message people see for this code.
    pub fn text(self) -> Text {
        match self {
            ErrorCode::BadCredentials => Text::new("用户名或密码错误", "Wrong user name or password"),
            ErrorCode::AccountDisabled => Text::new("该账号已停用，请联系管理员", "This account is disabled; contact the administrator"),
            ErrorCode::Unauthenticated => Text::new("登录已失效，请重新登录", "Your session has ended; please log in again"),
            ErrorCode::Forbidden => Text::new("没有权限进行此操作", "You are not allowed to do this"),
            ErrorCode::BadRequest => Text::new("提交的内容有误", "The request was not valid"),
            ErrorCode::WeakPassword => Text::new("新密码不符合要求", "The new password does not meet the rule"),
            ErrorCode::TooLarge => Text::new("提交的内容太大", "The request is too large"),
            ErrorCode::RateLimited => Text::new("登录失败次数过多，请稍后再试", "Too many failed logins; try again later"),
            ErrorCode::NotFound => Text::new("找不到所请求的内容", "Not found"),
            ErrorCode::PasswordChangeRequired => Text::new(
                "请先修改密码（管理员设置的初始密码不能继续使用）",
                "Change your password first (the one you were given is for one use)",
            ),
            ErrorCode::Conflict => Text::new("别人已先改过，请核对后再保存", "Someone else changed it first; check and save again"),
            ErrorCode::Unavailable => Text::new("服务器暂时不可用，请稍后再试", "The server is unavailable; try again later"),
            ErrorCode::Internal => Text::new("服务器出错了，请稍后再试", "The server had an error; try again later"),
        }
    }
}

/// The body of every error response.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    /// Chinese message for people (the client may localise from `code` instead).
    pub message: String,
    /// Optional detail safe to show (e.g. which field was wrong).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode) -> ErrorBody {
        ErrorBody { code, message: code.text().zh.to_owned(), detail: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_carry_a_stable_code_and_a_chinese_message() {
        let json = serde_json::to_value(ErrorBody::new(ErrorCode::BadCredentials)).unwrap_or_default();
        assert_eq!(json["code"], "bad_credentials");
        assert_eq!(json["message"], "用户名或密码错误");
        assert!(json.get("detail").is_none());
    }

    #[test]
    fn me_round_trips_with_the_role_name() {
        let me = Me {
            user_id: 7,
            username: "lzw".into(),
            display_name: "李建军".into(),
            role: Role::Officer,
            unit_id: 3,
            unit_name: "兰州湾镇".into(),
            must_change_password: false,
            seal_local: true,
        };
        let json = serde_json::to_string(&me).unwrap_or_default();
        assert!(json.contains("\"role\":\"officer\""));
        let back: Me = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, me);
        // A hint kept by an older app (no seal_local) still reads, as unsealed.
        let old = json.replace(",\"seal_local\":true", "");
        let back: Me = serde_json::from_str(&old).unwrap_or_else(|e| panic!("{e}"));
        assert!(!back.seal_local);
    }
}

/// An account as the administrator sees it (`GET /api/admin/users`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_name: String,
    pub disabled: bool,
}

/// `POST /api/admin/users`: a new account; its first password must be changed at first login.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
}

/// `POST /api/admin/users/{id}`: what to change (absent fields stay).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChange {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// A one-time password, shown once to the administrator (new account, reset).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneTimePassword {
    pub user_id: i64,
    pub password: String,
}

/// A unit of the tree (`GET /api/admin/units`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitInfo {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    /// `office` (reviews the units below it) or `township` / `department`.
    pub kind: String,
    /// Its class (quotas), if it has one.
    #[serde(default)]
    pub class_id: Option<i64>,
}

/// `POST /api/admin/units` (new) and `POST /api/admin/units/{id}` (rename / move).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitChange {
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
}

/// One row of the audit trail (`GET /api/admin/audit`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// One row of the office's review queue (`GET /api/review/queue`), urgent first, then oldest.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub id: String,
    pub title: String,
    pub state: crate::item::ItemState,
    pub item_type: crate::item::ItemType,
    pub unit_name: String,
    pub author_name: String,
    pub updated_at: i64,
    /// The writing checks' summary from submission.
    pub quality: Option<String>,
    /// An urgent item's 事发时间 (its countdown runs from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time: Option<i64>,
    /// Awaiting sign-off: the level it waits at (办公室主任, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_at: Option<String>,
}

/// `POST /api/admin/import`: what a spreadsheet of units and accounts did, or would do (with
/// `?check=true`). With errors nothing was imported.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Every row that does not pass, by sheet and row.
    pub errors: Vec<crate::setup::RowError>,
    /// Units the file creates.
    pub units: u32,
    /// Accounts the file creates (with their one-time passwords once imported).
    pub accounts: Vec<IssuedAccount>,
    /// Whether it was written (false for a check, or when any row failed).
    pub imported: bool,
}

/// A new account and its one-time password (empty in a check): shown once, printed, handed out.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedAccount {
    pub username: String,
    pub display_name: String,
    pub unit: String,
    pub role: Role,
    pub password: String,
}

/// One announcement on `GET /api/review/announcements` (server-sent events, event `urgent`):
/// an urgent item has just been submitted to the caller's office. Only its id: the page asks
/// for what it may show.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub item_id: String,
}
