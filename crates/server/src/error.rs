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
        ErrorCode::AccountDisabled | ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::BadRequest | ErrorCode::WeakPassword => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (code, detail) = match self {
            AppError::Refused(code, detail) => (code, detail),
            AppError::Db(e) => {
                let transient = matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed);
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
        (status_of(code), Json(body)).into_response()
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> AppError {
        AppError::Db(e)
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> AppError {
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
