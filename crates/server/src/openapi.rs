//! The OpenAPI description of every endpoint, served at `/api/openapi.json`. Built from the same
//! `xinbao_core` types the handlers use, so it cannot drift from the code.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "信报 Xinbao API", description = "Offline-first 政务信息 reporting: login and sessions, sync (docs/sync-protocol.md)."),
    paths(
        crate::health::health,
        crate::health::healthz,
        crate::health::readyz,
        crate::metrics::metrics,
        crate::auth::login,
        crate::auth::logout,
        crate::auth::me,
        crate::auth::device_key,
        crate::auth::change_password,
        crate::auth::revoke_sessions,
        crate::admin::users,
        crate::admin::create_user,
        crate::admin::change_user,
        crate::admin::reset_password,
        crate::admin::units,
        crate::admin::create_unit,
        crate::admin::change_unit,
        crate::setup::import_workbook,
        crate::setup::template,
        crate::setup::passwords,
        crate::admin::audit,
        crate::admin::audit_csv,
        crate::admin::settings,
        crate::admin::change_settings,
        crate::sync::push,
        crate::sync::pull,
        crate::review::revisions,
        crate::review::queue,
        crate::attachments::put,
        crate::attachments::get,
        crate::attachments::head,
        crate::adoption::publications,
        crate::adoption::adopt,
        crate::adoption::instruct,
        crate::adoption::feedback,
        crate::adoption::item_scoring,
        crate::scores::scores,
        crate::scores::events,
        crate::scores::trend,
        crate::notice::notice,
        crate::notice::notice_docx,
        crate::notice::notice_xlsx,
        crate::notice::issue,
        crate::notice::reopen,
        crate::commissions::list,
        crate::commissions::create,
        crate::commissions::inbox,
        crate::commissions::units,
        crate::commissions::change,
        crate::commissions::withdraw,
        crate::periodical::list,
        crate::periodical::create,
        crate::periodical::get,
        crate::periodical::save,
        crate::periodical::publish,
        crate::periodical::delete,
        crate::periodical::candidates,
        crate::periodical::docx,
        crate::scoring::scoring_tables,
        crate::scoring::change_scoring,
        crate::scoring::recompute,
        crate::scoring::classes,
        crate::scoring::save_class,
        crate::scoring::set_unit_class,
        crate::scoring::save_publication,
        crate::scoring::set_floor,
    ),
    tags((name = "auth", description = "Login, sessions, passwords"), (name = "sync", description = "Push mutations, pull changes"), (name = "review", description = "Revisions of an item"), (name = "admin", description = "Accounts, units, the audit trail, the scoring table"), (name = "scores", description = "Adoptions, leader instructions, the scoreboard and its drill-down"), (name = "commissions", description = "Commissions, reporting priorities, the desk's inbox"), (name = "periodical", description = "Issues of the office's periodical"), (name = "operations"))
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
