//! The only module that talks HTTP. Requests and answers are `xinbao_core::api` types, the same
//! ones the server uses.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use xinbao_core::api::{ChangePasswordRequest, ErrorBody, ErrorCode, LoginRequest, Me};
use xinbao_core::i18n::Text;
use xinbao_core::sync::{PullRequest, PullResponse, PushRequest, PushResponse, Revision};

/// A sync request that has not answered in this long is abandoned and retried later.
const SYNC_TIMEOUT_MS: u32 = 30_000;

/// Sent on every request; the server refuses state changes without it (CSRF defence).
const CLIENT_HEADER: &str = "x-xinbao-client";

#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server answered with an error.
    Server(ErrorCode),
    /// No answer: offline, server down, or the connection broke.
    Network,
}

impl ApiError {
    pub fn text(&self) -> Text {
        match self {
            ApiError::Server(code) => code.text(),
            ApiError::Network => crate::i18n::ui::NETWORK_DOWN,
        }
    }
}

async fn answer<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        return resp.json::<T>().await.map_err(|_| ApiError::Server(ErrorCode::Internal));
    }
    Err(error_of(resp).await)
}

async fn error_of(resp: Response) -> ApiError {
    error_with_detail(resp).await.0
}

/// The error a response carries, with the server's Chinese detail when it gave one.
async fn error_with_detail(resp: Response) -> (ApiError, Option<String>) {
    let status = resp.status();
    match resp.json::<ErrorBody>().await {
        Ok(body) => (ApiError::Server(body.code), body.detail),
        Err(_) if status == 401 => (ApiError::Server(ErrorCode::Unauthenticated), None),
        Err(_) if status >= 500 => (ApiError::Server(ErrorCode::Unavailable), None),
        Err(_) => (ApiError::Server(ErrorCode::BadRequest), None),
    }
}

pub async fn login(username: &str, password: &str) -> Result<Me, ApiError> {
    let body = LoginRequest { username: username.to_owned(), password: password.to_owned() };
    let req = Request::post("/api/login").header(CLIENT_HEADER, "1").json(&body).map_err(|_| ApiError::Network)?;
    answer(req.send().await.map_err(|_| ApiError::Network)?).await
}

pub async fn logout() -> Result<(), ApiError> {
    let resp = Request::post("/api/logout").header(CLIENT_HEADER, "1").send().await.map_err(|_| ApiError::Network)?;
    if resp.ok() { Ok(()) } else { Err(error_of(resp).await) }
}

pub async fn change_password(current: &str, new: &str) -> Result<Me, ApiError> {
    let body = ChangePasswordRequest { current_password: current.to_owned(), new_password: new.to_owned() };
    let req = Request::post("/api/password").header(CLIENT_HEADER, "1").json(&body).map_err(|_| ApiError::Network)?;
    answer(req.send().await.map_err(|_| ApiError::Network)?).await
}

/// POSTs `body` as JSON, abandoning the request after [`SYNC_TIMEOUT_MS`] (a hung connection
/// on a rural line must not stall the queue forever).
async fn post_with_timeout<B: serde::Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let controller = web_sys::AbortController::new().map_err(|_| ApiError::Network)?;
    let signal = controller.signal();
    let timer = gloo_timers::callback::Timeout::new(SYNC_TIMEOUT_MS, move || controller.abort());
    let req = Request::post(path).header(CLIENT_HEADER, "1").abort_signal(Some(&signal)).json(body).map_err(|_| ApiError::Network)?;
    let result = match req.send().await {
        Ok(resp) => answer(resp).await,
        Err(_) => Err(ApiError::Network),
    };
    drop(timer);
    result
}

pub async fn push(req: &PushRequest) -> Result<PushResponse, ApiError> {
    let sent = js_sys::Date::now();
    let resp: PushResponse = post_with_timeout("/api/sync/push", req).await?;
    crate::util::learn_server_time(resp.server_time, sent, js_sys::Date::now());
    Ok(resp)
}

pub async fn pull(req: &PullRequest) -> Result<PullResponse, ApiError> {
    let sent = js_sys::Date::now();
    let resp: PullResponse = post_with_timeout("/api/sync/pull", req).await?;
    crate::util::learn_server_time(resp.server_time, sent, js_sys::Date::now());
    Ok(resp)
}

/// Whether the server already has the attachment `sha256` (a resumed upload skips it).
pub async fn attachment_exists(sha256: &str) -> Result<bool, ApiError> {
    let resp = gloo_net::http::RequestBuilder::new(&format!("/api/attachments/{sha256}"))
        .method(gloo_net::http::Method::HEAD)
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    match resp.status() {
        200 => Ok(true),
        404 => Ok(false),
        401 => Err(ApiError::Server(ErrorCode::Unauthenticated)),
        s if s >= 500 => Err(ApiError::Server(ErrorCode::Unavailable)),
        _ => Err(ApiError::Server(ErrorCode::BadRequest)),
    }
}

/// Uploads a photo's bytes under their hash (stored once, whoever sends them again).
pub async fn upload_attachment(sha256: &str, blob: &web_sys::Blob) -> Result<(), ApiError> {
    let resp = Request::put(&format!("/api/attachments/{sha256}"))
        .header(CLIENT_HEADER, "1")
        .header("content-type", "application/octet-stream")
        .body(blob)
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    if resp.ok() { Ok(()) } else { Err(error_of(resp).await) }
}

/// Every saved version of an item (online only), oldest first.
pub async fn revisions(item_id: &str) -> Result<Vec<Revision>, ApiError> {
    answer(Request::get(&format!("/api/items/{item_id}/revisions")).send().await.map_err(|_| ApiError::Network)?).await
}

/// `GET path`, answered as `T`.
pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    answer(Request::get(path).send().await.map_err(|_| ApiError::Network)?).await
}

/// `POST path` with a file's bytes as the body (an .xlsx to import), answered as `T`.
pub async fn post_file<T: DeserializeOwned>(path: &str, file: &web_sys::Blob) -> Result<T, (ApiError, Option<String>)> {
    let req = Request::post(path)
        .header(CLIENT_HEADER, "1")
        .header("content-type", "application/octet-stream")
        .body(file)
        .map_err(|_| (ApiError::Network, None))?;
    let resp = req.send().await.map_err(|_| (ApiError::Network, None))?;
    if resp.ok() {
        return resp.json::<T>().await.map_err(|_| (ApiError::Server(ErrorCode::Internal), None));
    }
    Err(error_with_detail(resp).await)
}

/// `POST path` with `body` as JSON, answered with a file (a workbook to save).
pub async fn post_for_file<B: serde::Serialize>(path: &str, body: &B) -> Result<web_sys::Blob, (ApiError, Option<String>)> {
    let req = Request::post(path).header(CLIENT_HEADER, "1").json(body).map_err(|_| (ApiError::Network, None))?;
    let resp = req.send().await.map_err(|_| (ApiError::Network, None))?;
    if !resp.ok() {
        return Err(error_with_detail(resp).await);
    }
    let bytes = resp.binary().await.map_err(|_| (ApiError::Network, None))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(|_| (ApiError::Server(ErrorCode::Internal), None))
}

/// `POST path` with `body` as JSON, answered as `T`; refusals carry the server's Chinese detail.
pub async fn post_json<B: serde::Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, (ApiError, Option<String>)> {
    let req = Request::post(path).header(CLIENT_HEADER, "1").json(body).map_err(|_| (ApiError::Network, None))?;
    let resp = req.send().await.map_err(|_| (ApiError::Network, None))?;
    if resp.ok() {
        return resp.json::<T>().await.map_err(|_| (ApiError::Server(ErrorCode::Internal), None));
    }
    Err(error_with_detail(resp).await)
}

/// A refusal or failure in words (the server's Chinese detail when it sent one).
pub fn failure(e: (ApiError, Option<String>), lang: crate::i18n::Lang) -> String {
    e.1.unwrap_or_else(|| e.0.text().get(lang).to_owned())
}
