//! Sessions and login: random 256-bit tokens in an HttpOnly cookie, stored only as SHA-256
//! hashes; the `CurrentUser` extractor, so no handler can forget to check who is asking.

use crate::accounts::{self, normalize_username, verify_password};
use crate::db::now_ms;
use crate::error::{ApiJson, AppError};
use crate::ratelimit;
use crate::state::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sqlx::Row;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::{ChangePasswordRequest, ErrorCode, LoginRequest, Me};
use xinbao_core::role::Role;

pub use crate::cookies::{SECURE_SESSION as SECURE_COOKIE_NAME, SESSION as COOKIE_NAME};
/// A session ends after this long without use…
const IDLE_MS: i64 = 14 * 24 * 3600 * 1000;
/// …or, with local encryption on (shared township PCs, the default), after this long — and its
/// cookie ends with the browser: the next person at the PC finds no session, and the owner gives
/// the password again when the browser was closed (which the sealed drafts ask for anyway).
const SHARED_IDLE_MS: i64 = 12 * 3600 * 1000;
/// …and after this long in any case.
const ABSOLUTE_MS: i64 = 30 * 24 * 3600 * 1000;
/// Longest user name or password looked at, in characters (above the password rule's 128);
/// anything longer is refused before hashing.
const MAX_CREDENTIAL_LEN: usize = 256;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn new_token() -> Result<String, AppError> {
    crate::db::random_hex::<32>().map_err(AppError::Internal)
}

/// Whether this request is over https: the server's own TLS, or an https proxy in front
/// (`--secure-cookies`). Its cookies are then `Secure`, and its session cookie is
/// [`SECURE_COOKIE_NAME`]. Not over plain http (localhost on the server PC, or an intranet page
/// still sending what it keeps there before it moves to https): a browser drops a `Secure`
/// cookie set over http, and the login would never hold.
fn over_https(state: &AppState, extensions: &axum::http::Extensions) -> bool {
    state.config.secure_cookies || extensions.get::<crate::tls::Transport>().is_some_and(|t| t.tls)
}

/// The session cookie; without `max_age_s` it ends when the browser closes.
fn session_cookie(token: &str, max_age_s: Option<i64>, secure: bool) -> Result<HeaderValue, AppError> {
    let (name, secure) = if secure { (SECURE_COOKIE_NAME, "; Secure") } else { (COOKIE_NAME, "") };
    let age = max_age_s.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
    HeaderValue::from_str(&format!("{name}={token}; Path=/; HttpOnly; SameSite=Strict{age}{secure}"))
        .map_err(|e| AppError::Internal(e.into()))
}

/// How long a session lives without use under this server's settings.
fn idle_ms(state: &AppState) -> i64 {
    if state.config.local_encryption { SHARED_IDLE_MS } else { IDLE_MS }
}

/// Whether a session (unexpired) last seen at `last_seen`, of an account `disabled` or not, is
/// live at `now`: the one rule for a request and for a held announcement stream.
fn live(state: &AppState, now: i64, last_seen: i64, disabled: i64) -> bool {
    disabled == 0 && now - last_seen <= idle_ms(state)
}

/// The session token of a request, from the cookie its transport may carry.
fn session_token(state: &AppState, parts: &Parts) -> Option<String> {
    cookie_token(&parts.headers, if over_https(state, &parts.extensions) { SECURE_COOKIE_NAME } else { COOKIE_NAME })
}

fn cookie_token(headers: &HeaderMap, cookie: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == cookie)
        .map(|(_, value)| value.to_owned())
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether the request's session still belongs to `user`, live, and to an editor or signer
/// of `office` — read without touching it (a page left open keeps no session alive). None when
/// the database could not be read (ask again later).
pub async fn session_still(state: &AppState, parts: &Parts, user: i64, office: i64) -> Option<bool> {
    let Some(token) = session_token(state, parts) else { return Some(false) };
    let now = now_ms();
    let row = sqlx::query(
        "SELECT s.last_seen_at, u.disabled, u.must_change_password, u.role, u.unit_id FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.id = $3",
    )
    .bind(token_hash(&token))
    .bind(now)
    .bind(user)
    .fetch_optional(&state.db.pool)
    .await
    .ok()?;
    let Some(r) = row else { return Some(false) };
    let live = |r: &sqlx::any::AnyRow| -> Result<bool, sqlx::Error> {
        let role: String = r.try_get(3)?;
        Ok(live(state, now, r.try_get(0)?, r.try_get(1)?)
            && r.try_get::<i64, _>(2)? == 0
            && matches!(Role::parse(&role), Some(Role::Editor | Role::Signer))
            && r.try_get::<i64, _>(4)? == office)
    };
    Some(live(&r).unwrap_or(false))
}

/// The person behind the request's session cookie. Extracting it fails with 401 when there is
/// no live session.
pub struct CurrentUser(pub Me);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn(me) = SignedIn::from_request_parts(parts, state).await?;
        if me.must_change_password {
            return Err(AppError::refused(ErrorCode::PasswordChangeRequired));
        }
        Ok(CurrentUser(me))
    }
}

/// Anyone with a live session, including one whose password was set by someone else and must
/// be changed: taken only by who-am-I and change-password (logout takes no account at all).
/// Everything else takes — the device key too: whoever reads a printed one-time password must
/// not carry off what opens the account's sealed drafts —
/// [`CurrentUser`], which answers such a session 403 `password_change_required`.
pub struct SignedIn(pub Me);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = session_token(state, parts).ok_or(AppError::refused(ErrorCode::Unauthenticated))?;
        let hash = token_hash(&token);
        let now = now_ms();
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, un.name, u.must_change_password, u.disabled, s.last_seen_at \
             FROM sessions s JOIN users u ON u.id = s.user_id JOIN units un ON un.id = u.unit_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(&hash)
        .bind(now)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::refused(ErrorCode::Unauthenticated))?;
        let last_seen: i64 = row.try_get(8)?;
        let disabled: i64 = row.try_get(7)?;
        if !live(state, now, last_seen, disabled) {
            return Err(AppError::refused(ErrorCode::Unauthenticated));
        }
        // Touch at most once a minute: reads stay reads.
        if now - last_seen > 60_000 {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(&state.db.pool)
                .await?;
        }
        let role: String = row.try_get(3)?;
        Ok(SignedIn(Me {
            user_id: row.try_get(0)?,
            username: row.try_get(1)?,
            display_name: row.try_get(2)?,
            role: Role::parse(&role).ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown role {role} in the database")))?,
            unit_id: row.try_get(4)?,
            unit_name: row.try_get(5)?,
            must_change_password: row.try_get::<i64, _>(6)? != 0,
            seal_local: state.config.local_encryption,
        }))
    }
}

/// An administrator's request: 401 without a session, 403 for any other role — decided before
/// the body is read, so nobody else learns what a valid body looks like.
pub struct Admin(pub Me);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CurrentUser(me) = CurrentUser::from_request_parts(parts, state).await?;
        if me.role == Role::Admin { Ok(Admin(me)) } else { Err(AppError::refused(ErrorCode::Forbidden)) }
    }
}

/// An editor (of some office: the handler checks which), refused before the request's body is read.
pub struct Editor(pub Me);

impl FromRequestParts<AppState> for Editor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CurrentUser(me) = CurrentUser::from_request_parts(parts, state).await?;
        if me.role == Role::Editor { Ok(Editor(me)) } else { Err(AppError::refused(ErrorCode::Forbidden)) }
    }
}

/// Loads the account row for a login attempt: (id, password hash, disabled).
async fn find_login(state: &AppState, username: &str) -> Result<Option<(i64, String, bool)>, AppError> {
    let row = sqlx::query("SELECT id, password_hash, disabled FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(match row {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?, r.try_get::<i64, _>(2)? != 0)),
        None => None,
    })
}

/// `POST /api/login`: checks the password and opens a session. A wrong user name and a wrong
/// password get the same answer, after the same amount of work.
#[utoipa::path(post, path = "/api/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, description = "Logged in; sets the session cookie", body = Me),
              (status = 401, description = "Wrong user name or password (same answer for both)", body = xinbao_core::api::ErrorBody),
              (status = 403, description = "Account disabled", body = xinbao_core::api::ErrorBody)))]
pub async fn login(State(state): State<AppState>, parts: Parts, ApiJson(req): ApiJson<LoginRequest>) -> Result<Response, AppError> {
    // Counted in characters, as the password rule counts them (`xinbao_core::password`): a
    // 128-character password in Chinese is 384 bytes and must still log in.
    if req.username.chars().count() > MAX_CREDENTIAL_LEN || req.password.chars().count() > MAX_CREDENTIAL_LEN {
        return Err(AppError::refused(ErrorCode::BadCredentials));
    }
    let username = normalize_username(&req.username);
    let peer = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|ConnectInfo(a)| a.ip());
    let addr = ratelimit::client_addr(peer, &parts.headers, &state.config.trusted_proxies);
    let mut account = find_login(&state, &username).await?;
    // An account named before names were NFKC-normalised (full-width letters typed through a
    // Chinese input method) is found under the name as it was stored then.
    let legacy = req.username.trim().to_lowercase();
    if account.is_none() && legacy != username {
        account = find_login(&state, &legacy).await?;
    }
    // A browser this account logged in from before: its failures are its own.
    let device = match &account {
        Some((user_id, ..)) => trusted_device(&state, *user_id, &parts.headers).await?,
        None => None,
    };
    let (key, limit) = match &device {
        Some(hash) => (ratelimit::device_key(hash), ratelimit::MAX_DEVICE_FAILURES),
        None => (ratelimit::user_key(&username), ratelimit::MAX_FAILURES),
    };
    // An address with many failures is slowed down to one attempt a second, never shut out.
    if let Some(ip) = &addr
        && device.is_none()
        && ratelimit::address_attempt(&state.db, ip).await? > ratelimit::ADDR_SLOW_AFTER
    {
        // A flood waits at most ADDR_MAX_WAIT_MS; nobody behind the address is refused.
        let wait = state.addr_slots.take(*ip, now_ms());
        if wait > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(wait as u64)).await;
        }
    }
    let counted_addr = addr.filter(|_| device.is_none());
    take_attempt(&state, &key, limit).await?;
    let stored_hash = account.as_ref().map(|a| a.1.clone()).unwrap_or_else(|| state.dummy_hash.to_string());
    let password = req.password.clone();
    let matches = match accounts::hashing(move || verify_password(&password, &stored_hash)).await {
        Ok(m) => m,
        Err(e) => {
            // Not checked: the attempt is given back.
            if let Some(ip) = &counted_addr {
                ratelimit::give_back(&state.db.pool, &ratelimit::addr_key(ip)).await?;
            }
            ratelimit::give_back(&state.db.pool, &key).await?;
            return Err(e.into());
        }
    };
    let Some((user_id, _, disabled)) = account.filter(|_| matches) else {
        accounts::audit(&state.db, None, "login_failed", &username, &addr.map(|a| a.to_string()).unwrap_or_default()).await?;
        ratelimit::failed(&state.db, &key, limit).await?;
        return Err(AppError::refused(ErrorCode::BadCredentials));
    };
    if disabled {
        ratelimit::clear(&state.db.pool, &key).await?;
        accounts::audit(&state.db, Some(user_id), "login_refused_disabled", &username, "").await?;
        return Err(AppError::refused(ErrorCode::AccountDisabled));
    }
    let token = new_token()?;
    let now = now_ms();
    // This browser is now one the account logged in from: a new device token beside the others
    // kept in its cookie (one per account that logged in here, the oldest dropped).
    let device_token = match &device {
        Some(_) => None,
        None => Some(new_token()?),
    };
    // One transaction, one durable commit: the failure count cleared, the session, the device,
    // the audit entry (a county logging in at once queues on SQLite's one writer per commit).
    let mut tx = state.db.begin_write().await?;
    ratelimit::clear(&mut *tx, &key).await?;
    // The account's own name is cleared too: a correct password from a known browser ends a
    // lock that failures elsewhere put on it.
    ratelimit::clear(&mut *tx, &ratelimit::user_key(&username)).await?;
    if let Some(ip) = &counted_addr {
        ratelimit::give_back(&mut *tx, &ratelimit::addr_key(ip)).await?;
    }
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now)
        .bind(now + ABSOLUTE_MS)
        .execute(&mut *tx)
        .await?;
    match (&device, &device_token) {
        (Some(hash), _) => {
            sqlx::query("UPDATE login_devices SET last_used_at = $1 WHERE token_hash = $2").bind(now).bind(hash).execute(&mut *tx).await?;
        }
        (None, Some(t)) => {
            sqlx::query("INSERT INTO login_devices (token_hash, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3)")
                .bind(token_hash(t))
                .bind(user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        (None, None) => {}
    }
    accounts::audit_in(&mut *tx, Some(user_id), "login", &username, "").await?;
    tx.commit().await?;
    let mut headers = HeaderMap::new();
    let lasting = (!state.config.local_encryption).then_some(ABSOLUTE_MS / 1000);
    let secure = over_https(&state, &parts.extensions);
    headers.append(SET_COOKIE, session_cookie(&token, lasting, secure)?);
    if let Some(t) = &device_token {
        let mut tokens = vec![t.clone()];
        tokens.extend(ratelimit::device_tokens(&parts.headers).into_iter().take(ratelimit::MAX_DEVICE_TOKENS - 1));
        let secure = if secure { "; Secure" } else { "" };
        let cookie = format!(
            "{}={}; Path=/api/login; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            ratelimit::DEVICE_COOKIE,
            tokens.join("."),
            DEVICE_COOKIE_DAYS * 24 * 3600
        );
        headers.append(SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.into()))?);
    }
    let me = me_of(&state, &token).await?;
    Ok((headers, Json(me)).into_response())
}

/// Counts a password check against `key` ([`ratelimit::attempt`]), or answers 429 with how long
/// to wait, in minutes for people and in `Retry-After` for programs.
async fn take_attempt(state: &AppState, key: &str, limit: i64) -> Result<(), AppError> {
    match ratelimit::attempt(&state.db, key, limit).await? {
        ratelimit::Verdict::Go => Ok(()),
        ratelimit::Verdict::Locked(wait_ms) => {
            let minutes = (wait_ms + 59_999) / 60_000;
            Err(AppError::Later(ErrorCode::RateLimited, (wait_ms as u64).div_ceil(1000), Some(format!("请{minutes}分钟后再试"))))
        }
    }
}

/// How long a browser stays known to the accounts that logged in from it.
const DEVICE_COOKIE_DAYS: i64 = 365;

/// The hash of the device token in the request's cookie that `user_id` logged in with before.
async fn trusted_device(state: &AppState, user_id: i64, headers: &HeaderMap) -> Result<Option<String>, AppError> {
    for token in ratelimit::device_tokens(headers) {
        let hash = token_hash(&token);
        let row = sqlx::query("SELECT user_id, created_at FROM login_devices WHERE token_hash = $1")
            .bind(&hash)
            .fetch_optional(&state.db.pool)
            .await?;
        if let Some(row) = row
            && row.try_get::<i64, _>(0)? == user_id
            && now_ms() - row.try_get::<i64, _>(1)? < DEVICE_COOKIE_DAYS * 24 * 3600 * 1000
        {
            return Ok(Some(hash));
        }
    }
    Ok(None)
}

async fn me_of(state: &AppState, token: &str) -> Result<Me, AppError> {
    let mut parts = axum::http::Request::builder()
        .header(COOKIE, format!("{COOKIE_NAME}={token}"))
        .body(())
        .map_err(|e| AppError::Internal(e.into()))?
        .into_parts()
        .0;
    Ok(SignedIn::from_request_parts(&mut parts, state).await?.0)
}

/// `POST /api/logout`: ends the session on the server, not only in the browser.
#[utoipa::path(post, path = "/api/logout", tag = "auth", responses((status = 204, description = "Session ended on the server")))]
pub async fn logout(State(state): State<AppState>, parts: Parts) -> Result<Response, AppError> {
    if let Some(token) = session_token(&state, &parts) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(&token)).execute(&state.db.pool).await?;
    }
    let mut out = HeaderMap::new();
    out.insert(SET_COOKIE, session_cookie("", Some(0), over_https(&state, &parts.extensions))?);
    Ok((StatusCode::NO_CONTENT, out).into_response())
}

/// `POST /api/password`: changes one's own password (required after a one-time password). The
/// current password must be given; every other session of the account ends.
#[utoipa::path(post, path = "/api/password", tag = "auth", request_body = ChangePasswordRequest,
    responses((status = 200, body = Me), (status = 401, body = xinbao_core::api::ErrorBody),
              (status = 422, description = "The new password does not meet the rule", body = xinbao_core::api::ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    parts: Parts,
    SignedIn(me): SignedIn,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> Result<Json<Me>, AppError> {
    if req.current_password.chars().count() > MAX_CREDENTIAL_LEN || req.new_password.chars().count() > MAX_CREDENTIAL_LEN {
        return Err(AppError::refused(ErrorCode::BadRequest));
    }
    let Some((user_id, stored, _)) = find_login(&state, &me.username).await? else {
        return Err(AppError::refused(ErrorCode::Unauthenticated));
    };
    // The current password is checked under the account's login throttle: a session left open on
    // a shared PC is no oracle for guessing it.
    let key = ratelimit::user_key(&me.username);
    take_attempt(&state, &key, ratelimit::MAX_FAILURES).await?;
    let current = req.current_password.clone();
    let matches = match accounts::hashing(move || verify_password(&current, &stored)).await {
        Ok(m) => m,
        Err(e) => {
            ratelimit::give_back(&state.db.pool, &key).await?;
            return Err(e.into());
        }
    };
    if !matches {
        ratelimit::failed(&state.db, &key, ratelimit::MAX_FAILURES).await?;
        accounts::audit(&state.db, Some(user_id), "password_change_refused", &me.username, "wrong current password").await?;
        return Err(AppError::refused(ErrorCode::BadCredentials));
    }
    ratelimit::clear(&state.db.pool, &key).await?;
    if let Err(why) = xinbao_core::password::check_strength(&req.new_password, &me.username) {
        return Err(AppError::Refused(ErrorCode::WeakPassword, Some(why.zh.to_owned())));
    }
    let new_password = req.new_password.clone();
    let hash = accounts::hashing(move || accounts::hash_password(&new_password)).await?.map_err(AppError::Internal)?;
    let keep = session_token(&state, &parts).map(|t| token_hash(&t)).unwrap_or_default();
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0 WHERE id = $2")
        .bind(&hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2").bind(user_id).bind(&keep).execute(&mut *tx).await?;
    // This session just proved the password.
    sqlx::query("UPDATE sessions SET verified_at = $1 WHERE token_hash = $2").bind(now_ms()).bind(&keep).execute(&mut *tx).await?;
    tx.commit().await?;
    accounts::audit(&state.db, Some(user_id), "password_changed", &me.username, "").await?;
    Ok(Json(Me { must_change_password: false, ..me }))
}

/// `POST /api/admin/users/{id}/revoke-sessions`: an administrator ends every session of an
/// account (a lost phone, a shared PC left logged in). Audited.
#[utoipa::path(post, path = "/api/admin/users/{id}/revoke-sessions", tag = "auth",
    params(("id" = i64, Path, description = "The account")),
    responses((status = 200, description = "How many sessions ended"), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn revoke_sessions(
    State(state): State<AppState>,
    Admin(me): Admin,
    axum::extract::Path(user_id): axum::extract::Path<i64>,
) -> Result<Json<serde_json::Value>, AppError> {
    // Only an account this administrator manages.
    let row = sqlx::query("SELECT unit_id FROM users WHERE id = $1").bind(user_id).fetch_optional(&state.db.pool).await?;
    let Some(row) = row else { return Err(AppError::refused(ErrorCode::NotFound)) };
    crate::office::Scope::of(&state, &me).await?.check(row.try_get(0)?)?;
    let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&state.db.pool).await?.rows_affected();
    accounts::audit(&state.db, Some(me.user_id), "sessions_revoked", &user_id.to_string(), &format!("{ended} sessions")).await?;
    Ok(Json(serde_json::json!({ "ended": ended })))
}

/// How recently a session must have proved the password to be given the device secret.
const DEVICE_KEY_FRESH_MS: i64 = 10 * 60 * 1000;

/// `GET /api/me/device-key`: the account's device secret (see `xinbao_core::api::DeviceKey`),
/// made on first request and never changed by a password reset.
#[utoipa::path(get, path = "/api/me/device-key", tag = "auth",
    responses((status = 200, body = xinbao_core::api::DeviceKey),
              (status = 401, description = "No session, or none that proved the password in the last ten minutes", body = xinbao_core::api::ErrorBody)))]
pub async fn device_key(
    State(state): State<AppState>,
    parts: Parts,
    CurrentUser(me): CurrentUser,
) -> Result<Json<xinbao_core::api::DeviceKey>, AppError> {
    let hash = session_token(&state, &parts).map(|t| token_hash(&t)).ok_or(AppError::refused(ErrorCode::Unauthenticated))?;
    let verified: Option<i64> =
        sqlx::query("SELECT COALESCE(verified_at, created_at) FROM sessions WHERE token_hash = $1 AND user_id = $2")
            .bind(&hash)
            .bind(me.user_id)
            .fetch_optional(&state.db.pool)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
    if verified.is_none_or(|at| now_ms() - at > DEVICE_KEY_FRESH_MS) {
        return Err(AppError::refused(ErrorCode::Unauthenticated));
    }
    let read = || sqlx::query("SELECT device_secret FROM users WHERE id = $1").bind(me.user_id).fetch_one(&state.db.pool);
    let secret: String = match read().await?.try_get::<Option<String>, _>(0)? {
        Some(s) => s,
        None => {
            // Made once, on first request; two at once agree on the first written.
            let fresh = crate::db::random_hex::<32>()?;
            sqlx::query("UPDATE users SET device_secret = $1 WHERE id = $2 AND device_secret IS NULL")
                .bind(&fresh)
                .bind(me.user_id)
                .execute(&state.db.pool)
                .await?;
            read().await?.try_get(0)?
        }
    };
    accounts::audit(&state.db, Some(me.user_id), "device_key", &me.username, "").await?;
    Ok(Json(xinbao_core::api::DeviceKey { secret }))
}

/// `GET /api/me`
#[utoipa::path(get, path = "/api/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = xinbao_core::api::ErrorBody)))]
pub async fn me(SignedIn(me): SignedIn) -> Json<Me> {
    Json(me)
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]` (the path, the
/// method and the OpenAPI operation come from the same line).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(device_key))
        .routes(routes!(change_password))
        .routes(routes!(revoke_sessions))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_well_formed_session_cookie_is_read() {
        let good = "a".repeat(64);
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_str(&format!("lang=zh; {COOKIE_NAME}={good}")).unwrap_or(HeaderValue::from_static("")));
        assert_eq!(cookie_token(&h, COOKIE_NAME), Some(good));
        let mut bad = HeaderMap::new();
        bad.insert(COOKIE, HeaderValue::from_static("xinbao_session=../../etc"));
        assert_eq!(cookie_token(&bad, COOKIE_NAME), None);
    }
}
