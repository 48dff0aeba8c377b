//! The OpenAPI description of every endpoint, served at `/api/openapi.json`: the document's
//! title and tags here; its paths come from the routes themselves (each module's `routes()`,
//! collected in `lib.rs`), built from the same `xinbao_core` types the handlers use, so it
//! cannot drift from the code.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "信报 Xinbao API", description = "Offline-first 政务信息 reporting: login and sessions, sync (docs/sync-protocol.md)."),
    tags((name = "auth", description = "Login, sessions, passwords"), (name = "sync", description = "Push mutations, pull changes"), (name = "review", description = "Revisions of an item"), (name = "admin", description = "Accounts, units, the audit trail, the scoring table"), (name = "scores", description = "Adoptions, leader instructions, the scoreboard and its drill-down"), (name = "commissions", description = "Commissions, reporting priorities, the desk's inbox"), (name = "periodical", description = "Issues of the office's periodical"), (name = "operations"))
)]
pub struct ApiDoc;
