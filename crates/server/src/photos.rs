//! Attachments (photos from the field), uploaded apart from the mutations that mention them and
//! keyed by their SHA-256: `PUT /api/attachments/{sha256}` stores the bytes once (a retry, or
//! the same photo on two items, stores nothing new), `HEAD` tells whether the server already
//! has them (so a resumed upload skips what arrived), `GET` serves them with safe headers — to whoever uploaded them or may read an item naming them.
//! The type is sniffed from the bytes — only JPEG, PNG and WebP images are accepted.

use crate::access::readable_sql;
use crate::auth::CurrentUser;
use crate::db::now_ms;
use crate::error::AppError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::ErrorCode;

/// Largest attachment accepted (the app downscales photos to far less).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// The image type of `bytes`, from their first bytes (never from a name or a header).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_hash(sha256: &str) -> Result<(), AppError> {
    if xinbao_core::item::valid_sha256(sha256) {
        Ok(())
    } else {
        Err(AppError::bad_request("附件编号应为64位小写十六进制SHA-256"))
    }
}

/// `PUT /api/attachments/{sha256}`: stores the bytes if their hash is `sha256`.
#[utoipa::path(put, path = "/api/attachments/{sha256}", tag = "sync",
    params(("sha256" = String, Path, description = "SHA-256 of the bytes, lowercase hex")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, description = "Stored"), (status = 200, description = "Already here: nothing stored twice"),
              (status = 413, body = xinbao_core::api::ErrorBody), (status = 422, description = "Hash mismatch or not an image", body = xinbao_core::api::ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(sha256): Path<String>,
    body: Bytes,
) -> Result<StatusCode, AppError> {
    check_hash(&sha256)?;
    if body.len() > MAX_ATTACHMENT_BYTES {
        return Err(AppError::Refused(ErrorCode::TooLarge, Some(format!("附件不能超过{} MB", MAX_ATTACHMENT_BYTES / 1024 / 1024))));
    }
    if hex(&Sha256::digest(&body)) != sha256 {
        return Err(AppError::bad_request("附件内容与编号不符（上传不完整？请重试）"));
    }
    let Some(mime) = sniff(&body) else {
        return Err(AppError::bad_request("只能上传照片（JPEG、PNG、WebP）"));
    };
    // A quota per account: what one account may upload in a day (a phone looping on an upload,
    // someone filling the server's disk). A county's busiest officer sends a few dozen photos.
    let today: i64 =
        sqlx::query("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments WHERE uploaded_by = $1 AND created_at > $2")
            .bind(me.user_id)
            .bind(now_ms() - 24 * 3600 * 1000)
            .fetch_one(&state.db.pool)
            .await?
            .try_get(0)?;
    if today + body.len() as i64 > DAILY_QUOTA_BYTES {
        return Err(AppError::Refused(
            ErrorCode::TooLarge,
            Some(format!("您今天上传的照片已超过{} MB，请明天再试，或请管理员处理", DAILY_QUOTA_BYTES / 1024 / 1024)),
        ));
    }
    let inserted = sqlx::query(
        "INSERT INTO attachments (sha256, mime, size, data, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&sha256)
    .bind(mime)
    .bind(body.len() as i64)
    .bind(body.to_vec())
    .bind(me.user_id)
    .bind(now_ms())
    .execute(&state.db.pool)
    .await?
    .rows_affected();
    // Sending the bytes proves the caller holds them: from now on they may read them back.
    sqlx::query("INSERT INTO attachment_holders (sha256, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(&sha256)
        .bind(me.user_id)
        .execute(&state.db.pool)
        .await?;
    Ok(if inserted == 1 { StatusCode::CREATED } else { StatusCode::OK })
}

/// Bytes of photos one account may upload in 24 hours.
pub const DAILY_QUOTA_BYTES: i64 = 300 * 1024 * 1024;

async fn readable(state: &AppState, me: &xinbao_core::api::Me, sha256: &str, columns: &str) -> Result<Option<sqlx::any::AnyRow>, AppError> {
    check_hash(sha256)?;
    Ok(sqlx::query(&readable_sql(columns))
        .bind(sha256)
        .bind(me.user_id)
        .bind(crate::access::reviewed_office(me))
        .fetch_optional(&state.db.pool)
        .await?)
}

/// `HEAD /api/attachments/{sha256}`: 200 when the server has it and the caller may read it,
/// 404 otherwise (then the caller uploads it, which stores nothing twice).
#[utoipa::path(head, path = "/api/attachments/{sha256}", tag = "sync",
    params(("sha256" = String, Path, description = "SHA-256 of the bytes")),
    responses((status = 200, description = "Stored, and yours to read"), (status = 404, description = "Not stored, or not yours: upload it")))]
pub async fn head(State(state): State<AppState>, CurrentUser(me): CurrentUser, Path(sha256): Path<String>) -> Result<StatusCode, AppError> {
    Ok(if readable(&state, &me, &sha256, "1").await?.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND })
}

/// `GET /api/attachments/{sha256}`: the bytes, as the sniffed image type, never as a page.
#[utoipa::path(get, path = "/api/attachments/{sha256}", tag = "sync",
    params(("sha256" = String, Path, description = "SHA-256 of the bytes")),
    responses((status = 200, description = "The image"), (status = 404, body = xinbao_core::api::ErrorBody)))]
pub async fn get(State(state): State<AppState>, CurrentUser(me): CurrentUser, Path(sha256): Path<String>) -> Result<Response, AppError> {
    let row = readable(&state, &me, &sha256, "a.mime, a.data").await?.ok_or(AppError::refused(ErrorCode::NotFound))?;
    let mime: String = row.try_get(0)?;
    let data: Vec<u8> = row.try_get(1)?;
    let mut res = data.into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(res)
}

/// This module's routes, declared by their handlers' `#[utoipa::path]`; a photo's body may be up
/// to [`MAX_ATTACHMENT_BYTES`], above the API's general limit.
pub fn routes() -> OpenApiRouter<AppState> {
    let (schemas, paths, methods) = routes!(get, head, put);
    OpenApiRouter::default().routes((schemas, paths, methods.layer(DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES + 1))))
}
