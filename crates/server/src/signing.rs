//! Sign-off chains on the server (issue 24): an office's signing setup — its levels, who holds
//! them, which levels sign what — read and written by the office's administrator
//! (`GET`/`POST /api/admin/signing`), and read when an item is sent for sign-off or signed
//! (`crate::review::apply`). The rules themselves are `xinbao_core::signoff`.

use crate::auth::Admin;
use crate::db::{now_ms, stored_json};
use crate::error::{ApiJson, AppError};
use crate::office::my_office;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::signoff::{SignSetup, SignerInfo, SigningView};

/// The signing setup of `office` (empty: one signature, by any of its signers).
pub(crate) async fn setup_of<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(ex: E, office: i64) -> Result<SignSetup, AppError> {
    let row = sqlx::query("SELECT setup FROM sign_setups WHERE office_id = $1").bind(office).fetch_optional(ex).await?;
    match row {
        Some(r) => stored_json(&r.try_get::<String, _>(0)?, "sign_setups.setup", &office.to_string()),
        None => Ok(SignSetup::default()),
    }
}

pub(crate) async fn signers<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(ex: E, office: i64) -> Result<Vec<SignerInfo>, AppError> {
    let rows = sqlx::query("SELECT id, display_name FROM users WHERE unit_id = $1 AND role = 'signer' AND disabled = 0 ORDER BY id")
        .bind(office)
        .fetch_all(ex)
        .await?;
    rows.into_iter().map(|r| Ok(SignerInfo { id: r.try_get(0)?, display_name: r.try_get(1)? })).collect()
}

/// The office's setup and the ids of its signers (enabled accounts with the signer's role in
/// the office itself): what `xinbao_core::signoff` needs to say who may sign where.
pub(crate) async fn setup_and_signers(tx: &mut sqlx::AnyConnection, office: i64) -> Result<(SignSetup, Vec<i64>), AppError> {
    let setup = setup_of(&mut *tx, office).await?;
    let signers = signers(&mut *tx, office).await?.into_iter().map(|s| s.id).collect();
    Ok((setup, signers))
}

async fn view(state: &AppState, office: i64) -> Result<SigningView, AppError> {
    let setup = setup_of(&state.db.pool, office).await?;
    let signers = signers(&state.db.pool, office).await?;
    Ok(SigningView { setup, signers })
}

/// The administrator's office, when they manage it (`xinbao_core::review::administers`): an
/// administrator placed in a township under the root office does not set the root's chains.
pub(crate) async fn managed_office(state: &AppState, me: &xinbao_core::api::Me) -> Result<i64, AppError> {
    let office = my_office(state, me).await?;
    crate::office::Scope::of(state, me).await?.check(office)?;
    Ok(office)
}

/// `GET /api/admin/signing`: the signing setup of the administrator's office.
#[utoipa::path(get, path = "/api/admin/signing", tag = "admin", responses((status = 200, body = SigningView), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn signing(State(state): State<AppState>, Admin(me): Admin) -> Result<Json<SigningView>, AppError> {
    let office = managed_office(&state, &me).await?;
    Ok(Json(view(&state, office).await?))
}

/// `POST /api/admin/signing`: the office's signing setup replaced, once
/// `xinbao_core::signoff::SignSetup::check` accepts it (every holder a signer of the office).
/// Items already on their way keep the chain they were sent into.
#[utoipa::path(post, path = "/api/admin/signing", tag = "admin", request_body = SignSetup,
    responses((status = 200, body = SigningView), (status = 422, body = xinbao_core::api::ErrorBody), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn change_signing(
    State(state): State<AppState>,
    Admin(me): Admin,
    ApiJson(req): ApiJson<SignSetup>,
) -> Result<Json<SigningView>, AppError> {
    let office = managed_office(&state, &me).await?;
    let mut tx = state.db.begin_write().await?;
    let signers = signers(&mut *tx, office).await?;
    req.check(|id| signers.iter().any(|s| s.id == id)).map_err(|why| AppError::bad_request(why.zh))?;
    let body = serde_json::to_string(&req).map_err(|e| AppError::Internal(e.into()))?;
    sqlx::query(
        "INSERT INTO sign_setups (office_id, setup, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (office_id) DO UPDATE SET setup = excluded.setup, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(office)
    .bind(&body)
    .bind(now_ms())
    .bind(me.user_id)
    .execute(&mut *tx)
    .await?;
    crate::accounts::audit_in(&mut *tx, Some(me.user_id), "signing_setup", &office.to_string(), &body).await?;
    tx.commit().await?;
    Ok(Json(view(&state, office).await?))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(signing, change_signing))
}
