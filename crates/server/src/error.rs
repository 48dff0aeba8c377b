//! The one error type of the HTTP layer: every handler returns `Result<_, AppError>`, and the
//! response is always an `ErrorBody` with a stable code and a Chinese message. Causes go to
//! the log, never to the client.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xinbao_core::api::{ErrorBody, ErrorCode};

#[derive(Debug)]
pub enum AppError {
    /// A refusal people should see, with an optional safe detail.
    Refused(ErrorCode, Option<String>),
    /// Not now: try again after this many seconds (sent as `Retry-After`).
    Later(ErrorCode, u64, Option<String>),
    /// A database failure: logged; the client sees 503 or 500.
    Db(sqlx::Error),
    /// Anything else unexpected: logged; the client sees 500.
    Internal(anyhow::Error),
}

impl AppError {
    pub fn refused(code: ErrorCode) -> AppError {
        AppError::Refused(code, None)
    }

    pub fn bad_request(detail: impl Into<String>) -> AppError {
        AppError::Refused(ErrorCode::BadRequest, Some(detail.into()))
    }
}

pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::BadCredentials | ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::AccountDisabled | ErrorCode::Forbidden | ErrorCode::PasswordChangeRequired => StatusCode::FORBIDDEN,
        ErrorCode::BadRequest | ErrorCode::WeakPassword => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut retry_after = None;
        let (code, detail) = match self {
            AppError::Refused(code, detail) => (code, detail),
            AppError::Later(code, seconds, detail) => {
                retry_after = Some(seconds.max(1));
                (code, detail)
            }
            AppError::Db(e) => {
                let transient = transient(&e);
                tracing::error!(error = %e, transient, "database error");
                (if transient { ErrorCode::Unavailable } else { ErrorCode::Internal }, None)
            }
            AppError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                (ErrorCode::Internal, None)
            }
        };
        let mut body = ErrorBody::new(code);
        body.detail = detail;
        let mut response = (status_of(code), Json(body)).into_response();
        if let Some(s) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(s));
        }
        response
    }
}

/// Whether a database error may go away if the client simply tries again: the pool, the
/// connection, SQLite's lock (codes 5, 6 and 517 after the busy timeout), PostgreSQL's
/// serialization failures and deadlocks. Clients see 503 and retry with backoff.
pub fn transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(d) => {
            matches!(d.code().as_deref(), Some("5" | "6" | "261" | "262" | "517" | "40001" | "40P01" | "55P03" | "57P01"))
        }
        _ => false,
    }
}

/// Whether the database refused a statement for what it holds — the same statement would fail
/// the same way every time (PostgreSQL classes 22 and 23: a NUL character, a value out of range,
/// a constraint; SQLite's constraint, too-big and mismatch codes). A push turns such a failure
/// into a rejection of that one mutation instead of failing the batch forever.
pub fn deterministic(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(d) = e else { return false };
    let Some(code) = d.code() else { return false };
    if code.len() == 5 {
        // PostgreSQL's SQLSTATE: five characters, the class first.
        return code.starts_with("22") || code.starts_with("23");
    }
    // SQLite's (extended) result code: the primary code is its low byte.
    code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 18 | 19 | 20 | 25))
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> AppError {
        AppError::Db(e)
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> AppError {
        if e.is::<Busy>() {
            return AppError::Later(ErrorCode::Unavailable, 2, Some("服务器正忙（登录的人太多），请稍等几秒再试".into()));
        }
        AppError::Internal(e)
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> AppError {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::refused(ErrorCode::TooLarge)
        } else {
            AppError::bad_request(r.body_text())
        }
    }
}

/// `Json<T>` whose rejection is an `AppError`, so malformed bodies get the same error shape.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(r.into()),
        }
    }
}

/// The hashing queue is full: try again in a moment (HTTP 503, `Retry-After`).
#[derive(Debug)]
pub struct Busy;

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the password hashing queue is full")
    }
}

impl std::error::Error for Busy {}
