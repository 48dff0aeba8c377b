//! Whether the process is up and ready: `/api/health`, `/healthz`, `/readyz`.

use crate::error::AppError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// `GET /api/health`: the process is up and the database answers.
#[utoipa::path(get, path = "/api/health", tag = "operations", responses((status = 200, description = "Up; `migrations_current` tells whether the schema is current")))]
pub async fn health(State(state): State<AppState>) -> Result<Json<serde_json::Value>, AppError> {
    sqlx::query("SELECT 1").execute(&state.db.pool).await?;
    Ok(Json(serde_json::json!({ "status": "ok", "migrations_current": state.db.migrations_current().await })))
}

/// `GET /healthz`: the process is alive (no database work: a load balancer may call it often).
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Alive")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: ready for traffic — the database answers and its schema is this binary's.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "Database reachable, migrations current"), (status = 503, description = "Not ready")))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let reachable = sqlx::query("SELECT 1").execute(&state.db.pool).await.is_ok();
    let current = reachable && state.db.migrations_current().await;
    let body = Json(serde_json::json!({ "database": reachable, "migrations_current": current }));
    if current { (StatusCode::OK, body).into_response() } else { (StatusCode::SERVICE_UNAVAILABLE, body).into_response() }
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]` (the path, the
/// method and the OpenAPI operation come from the same line).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(health))
}

/// The routes outside `/api` that a load balancer and a scraper call: documented like the
/// others, but without the API's layers (no client header, no body limit). `/metrics` is
/// declared here, not in `metrics.rs`: that module must not name `AppState`, which holds its
/// counters.
pub fn probes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(healthz)).routes(routes!(readyz)).routes(routes!(crate::metrics::metrics))
}
