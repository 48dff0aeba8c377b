//! Login, sessions and the refusals around them.

use crate::common::{TestApp, json, session_cookie};
use axum::http::StatusCode;
use serde_json::json;
use xinbao_core::role::Role;

#[tokio::test]
async fn logging_in_opens_a_session_that_says_who_you_are() {
    let t = TestApp::spawn().await;
    t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    let res = t.post_json("/api/login", json!({"username": " LZW ", "password": "Chunfeng-2026"}), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let set_cookie = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let cookie = session_cookie(&res).unwrap_or_default();
    let body = json(res).await;
    assert_eq!(body["username"], "lzw");
    assert_eq!(body["role"], "officer");
    assert_eq!(body["unit_name"], "兰州湾镇");

    let me = t.get("/api/me", Some(&cookie)).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(json(me).await["username"], "lzw");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let t = TestApp::spawn().await;
    t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    let wrong = t.post_json("/api/login", json!({"username": "lzw", "password": "nope"}), None).await;
    let unknown = t.post_json("/api/login", json!({"username": "ghost", "password": "Chunfeng-2026"}), None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&wrong).is_none());
    let (a, b) = (json(wrong).await, json(unknown).await);
    assert_eq!(a, b);
    assert_eq!(a["code"], "bad_credentials");
    assert_eq!(a["message"], "用户名或密码错误");
}

#[tokio::test]
async fn logging_out_ends_the_session_on_the_server() {
    let t = TestApp::spawn().await;
    t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    let cookie = t.login("lzw", "Chunfeng-2026").await;
    let out = t.post_json("/api/logout", json!({}), Some(&cookie)).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let me = t.get("/api/me", Some(&cookie)).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(me).await["code"], "unauthenticated");
}

#[tokio::test]
async fn without_a_session_me_is_refused_in_chinese() {
    let t = TestApp::spawn().await;
    let res = t.get("/api/me", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(res).await["message"], "登录已失效，请重新登录");
    let forged = t.get("/api/me", Some(&format!("xinbao_session={}", "ab".repeat(32)))).await;
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_disabled_account_cannot_log_in() {
    let t = TestApp::spawn().await;
    let id = t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    sqlx::query("UPDATE users SET disabled = 1 WHERE id = $1").bind(id).execute(&t.app.state.db.pool).await.unwrap_or_default();
    let res = t.post_json("/api/login", json!({"username": "lzw", "password": "Chunfeng-2026"}), None).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(res).await["code"], "account_disabled");
}

#[tokio::test]
async fn state_changes_without_the_client_header_are_refused() {
    let t = TestApp::spawn().await;
    t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    let req = axum::http::Request::post("/api/login")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(json!({"username": "lzw", "password": "Chunfeng-2026"}).to_string()))
        .unwrap_or_default();
    let res = t.send(req).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(session_cookie(&res).is_none());
}

#[tokio::test]
async fn malformed_and_oversized_bodies_get_clear_errors() {
    let t = TestApp::with_config(|c| c.max_body_bytes = 1024).await;
    let res = t.post_json("/api/login", json!({"user": "x"}), None).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json(res).await;
    assert_eq!(body["code"], "bad_request");
    assert!(body["detail"].as_str().unwrap_or_default().contains("username"), "{body}");

    let huge = json!({"username": "x".repeat(4096), "password": "y"});
    let res = t.post_json("/api/login", huge, None).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json(res).await["code"], "too_large");
}

#[tokio::test]
async fn overlong_credentials_are_refused_without_hashing() {
    let t = TestApp::spawn().await;
    let res = t.post_json("/api/login", json!({"username": "lzw", "password": "p".repeat(10_000)}), None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_one_time_password_must_be_changed_and_the_old_one_stops_working() {
    let t = TestApp::spawn().await;
    let id = t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    sqlx::query("UPDATE users SET must_change_password = 1 WHERE id = $1").bind(id).execute(&t.app.state.db.pool).await.unwrap_or_default();
    let cookie = t.login("lzw", "Chunfeng-2026").await;
    let other_session = t.login("lzw", "Chunfeng-2026").await;
    assert_eq!(json(t.get("/api/me", Some(&cookie)).await).await["must_change_password"], true);

    let weak = t.post_json("/api/password", json!({"current_password": "Chunfeng-2026", "new_password": "short"}), Some(&cookie)).await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json(weak).await;
    assert_eq!(body["code"], "weak_password");
    assert_eq!(body["detail"], "密码至少需要10个字符");

    let wrong = t.post_json("/api/password", json!({"current_password": "nope", "new_password": "Dafeng-2027!"}), Some(&cookie)).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let ok =
        t.post_json("/api/password", json!({"current_password": "Chunfeng-2026", "new_password": "Dafeng-2027!"}), Some(&cookie)).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(json(ok).await["must_change_password"], false);
    // This session goes on; the other one ended; the old password no longer works.
    assert_eq!(t.get("/api/me", Some(&cookie)).await.status(), StatusCode::OK);
    assert_eq!(t.get("/api/me", Some(&other_session)).await.status(), StatusCode::UNAUTHORIZED);
    let old = t.post_json("/api/login", json!({"username": "lzw", "password": "Chunfeng-2026"}), None).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    t.login("lzw", "Dafeng-2027!").await;
}

#[tokio::test]
async fn repeated_failures_lock_the_name_for_a_while_whether_or_not_it_exists() {
    let t = TestApp::spawn().await;
    t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    for name in ["lzw", "ghost"] {
        for _ in 0..5 {
            let res = t.post_json("/api/login", json!({"username": name, "password": "wrong"}), None).await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        }
        let locked = t.post_json("/api/login", json!({"username": name, "password": "Chunfeng-2026"}), None).await;
        assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS, "{name}");
        let body = json(locked).await;
        assert_eq!(body["code"], "rate_limited");
        assert_eq!(body["message"], "登录失败次数过多，请稍后再试");
        assert_eq!(body["detail"], "请1分钟后再试");
    }
    // Another account is not affected.
    t.user("dfz", "Dafeng-2026x", Role::Officer, "大丰镇").await;
    t.login("dfz", "Dafeng-2026x").await;
    // When the lock has run out, the right password works and clears the record.
    sqlx::query("UPDATE login_attempts SET locked_until = 1").execute(&t.app.state.db.pool).await.unwrap_or_default();
    t.login("lzw", "Chunfeng-2026").await;
    let left: i64 = sqlx::query("SELECT COUNT(*) FROM login_attempts WHERE key = 'u:lzw'")
        .fetch_one(&t.app.state.db.pool)
        .await
        .and_then(|r| sqlx::Row::try_get(&r, 0))
        .unwrap_or(-1);
    assert_eq!(left, 0);
}

async fn set_session_times(t: &TestApp, last_seen: i64, expires: i64) {
    sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2")
        .bind(last_seen)
        .bind(expires)
        .execute(&t.app.state.db.pool)
        .await
        .unwrap_or_default();
}

#[tokio::test]
async fn sessions_end_after_two_idle_weeks_and_after_thirty_days_in_any_case() {
    let t = TestApp::spawn().await;
    t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    let day = 24 * 3600 * 1000;
    let now = xinbao_server::db::now_ms();
    let cookie = t.login("lzw", "Chunfeng-2026").await;
    set_session_times(&t, now - 13 * day, now + day).await;
    assert_eq!(t.get("/api/me", Some(&cookie)).await.status(), StatusCode::OK, "13 idle days: still on");
    set_session_times(&t, now - 15 * day, now + day).await;
    assert_eq!(t.get("/api/me", Some(&cookie)).await.status(), StatusCode::UNAUTHORIZED, "15 idle days: over");
    let cookie = t.login("lzw", "Chunfeng-2026").await;
    set_session_times(&t, now, now - 1).await;
    assert_eq!(t.get("/api/me", Some(&cookie)).await.status(), StatusCode::UNAUTHORIZED, "past the absolute expiry");
}

#[tokio::test]
async fn with_local_encryption_the_session_ends_with_the_browser_and_after_twelve_idle_hours() {
    let t = TestApp::with_config(|c| c.local_encryption = true).await;
    t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    let res = t.post_json("/api/login", json!({"username": "lzw", "password": "Chunfeng-2026"}), None).await;
    let set = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("xinbao_session="))
        .unwrap_or_default()
        .to_owned();
    assert!(
        !set.to_ascii_lowercase().contains("max-age") && !set.to_ascii_lowercase().contains("expires"),
        "a browser-session cookie: {set}"
    );
    let cookie = session_cookie(&res).unwrap_or_default();
    let hour = 3600 * 1000;
    let now = xinbao_server::db::now_ms();
    set_session_times(&t, now - 11 * hour, now + hour).await;
    assert_eq!(t.get("/api/me", Some(&cookie)).await.status(), StatusCode::OK, "11 idle hours: still on");
    set_session_times(&t, now - 13 * hour, now + hour).await;
    assert_eq!(t.get("/api/me", Some(&cookie)).await.status(), StatusCode::UNAUTHORIZED, "13 idle hours: over");
}

#[tokio::test]
async fn an_administrator_ends_every_session_of_an_account_and_nobody_else_can() {
    let t = TestApp::spawn().await;
    let officer = t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    t.user("boss", "Admin-pass-2026", Role::Admin, "林双县人民政府办公室").await;
    let phone = t.login("lzw", "Chunfeng-2026").await;
    let pc = t.login("lzw", "Chunfeng-2026").await;
    let path = format!("/api/admin/users/{officer}/revoke-sessions");
    let refused = t.post_json(&path, json!({}), Some(&phone)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let admin = t.login("boss", "Admin-pass-2026").await;
    let res = t.post_json(&path, json!({}), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(res).await["ended"], 2);
    for c in [&phone, &pc] {
        assert_eq!(t.get("/api/me", Some(c)).await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(t.get("/api/me", Some(&admin)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_device_secret_survives_a_password_reset_and_goes_only_to_a_session_that_just_proved_the_password() {
    use sqlx::Row;
    let t = TestApp::spawn().await;
    t.user("admin1", "Chunfeng-2026", Role::Admin, "县政府办公室").await;
    let id = t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    let c = t.login("lzw", "Chunfeng-2026").await;
    let first = json(t.get("/api/me/device-key", Some(&c)).await).await;
    let secret = first["secret"].as_str().unwrap_or_default().to_owned();
    assert_eq!(secret.len(), 64);
    assert_eq!(json(t.get("/api/me/device-key", Some(&c)).await).await["secret"], secret.as_str(), "the same for the account's life");
    // The administrator resets the password (the officer forgot it, on another PC).
    let admin = t.login("admin1", "Chunfeng-2026").await;
    let reset = json(t.post_json(&format!("/api/admin/users/{id}/reset-password"), json!({}), Some(&admin)).await).await;
    let one_time = reset["password"].as_str().unwrap_or_default().to_owned();
    let c2 = t.login("lzw", &one_time).await;
    // Not to the printed one-time password: the password is changed first.
    assert_eq!(t.get("/api/me/device-key", Some(&c2)).await.status(), StatusCode::FORBIDDEN);
    let res = t.post_json("/api/password", json!({"current_password": one_time, "new_password": "Qiuyue-Xinbao-2027"}), Some(&c2)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(t.get("/api/me/device-key", Some(&c2)).await).await["secret"], secret.as_str(), "a reset changes no secret");
    // A session that proved the password long ago (a browser left open for days) gets nothing.
    let old = xinbao_server::db::now_ms() - 11 * 60 * 1000;
    sqlx::query("UPDATE sessions SET created_at = $1, verified_at = NULL")
        .bind(old)
        .execute(&t.app.state.db.pool)
        .await
        .unwrap_or_default();
    assert_eq!(t.get("/api/me/device-key", Some(&c2)).await.status(), StatusCode::UNAUTHORIZED);
    // Changing the password proves it again.
    let res = t
        .post_json("/api/password", json!({"current_password": "Qiuyue-Xinbao-2027", "new_password": "Dongxue-Xinbao-2028"}), Some(&c2))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(t.get("/api/me/device-key", Some(&c2)).await).await["secret"], secret.as_str());
    // Nobody else's.
    t.user("dfz", "Chunfeng-2026", Role::Officer, "大丰镇").await;
    let other = t.login("dfz", "Chunfeng-2026").await;
    assert_ne!(json(t.get("/api/me/device-key", Some(&other)).await).await["secret"], secret.as_str());
    let stored: Option<String> = sqlx::query("SELECT device_secret FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&t.app.state.db.pool)
        .await
        .and_then(|r| r.try_get(0))
        .unwrap_or_default();
    assert_eq!(stored.as_deref(), Some(secret.as_str()));
}

/// A login request as it arrives over TCP from `peer`, with an optional `X-Forwarded-For` and
/// cookie.
fn login_from(
    peer: &str,
    forwarded: Option<&str>,
    cookie: Option<&str>,
    name: &str,
    password: &str,
) -> axum::http::Request<axum::body::Body> {
    let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap_or_else(|e| panic!("{peer}: {e}"));
    let mut b = axum::http::Request::post("/api/login")
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .header("x-xinbao-client", "1")
        .extension(axum::extract::ConnectInfo(addr));
    if let Some(f) = forwarded {
        b = b.header("x-forwarded-for", f);
    }
    if let Some(c) = cookie {
        b = b.header(axum::http::header::COOKIE, c);
    }
    b.body(axum::body::Body::from(json!({"username": name, "password": password}).to_string())).unwrap_or_default()
}

async fn attempts(t: &TestApp, key: &str) -> i64 {
    sqlx::query("SELECT failures FROM login_attempts WHERE key = $1")
        .bind(key)
        .fetch_optional(&t.app.state.db.pool)
        .await
        .ok()
        .flatten()
        .map(|r| sqlx::Row::get::<i64, _>(&r, 0))
        .unwrap_or(0)
}

#[tokio::test]
async fn forty_failures_behind_one_township_address_slow_it_down_but_do_not_shut_its_colleagues_out() {
    let t = TestApp::spawn().await;
    t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    // Forty wrong logins from the township's one NAT address, on eight names (someone guessing,
    // or eight people who forgot their passwords).
    for k in 0..40 {
        let res = t.send(login_from("10.0.0.7", None, None, &format!("name{}", k % 8), "wrong")).await;
        assert!(matches!(res.status(), StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS), "{}", res.status());
    }
    assert!(attempts(&t, "ip:10.0.0.7").await >= 40);
    // A colleague behind the same address logs in (served in turn, not refused) …
    let res = t.send(login_from("10.0.0.7", None, None, "lzw", "Chunfeng-2026")).await;
    assert_eq!(res.status(), StatusCode::OK);
    // … and a success is not counted as a failure of the address.
    let before = attempts(&t, "ip:10.0.0.7").await;
    let res = t.send(login_from("10.0.0.7", None, None, "lzw", "Chunfeng-2026")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(attempts(&t, "ip:10.0.0.7").await, before);
}

#[tokio::test]
async fn the_forwarded_address_counts_only_from_a_configured_proxy() {
    let t = TestApp::with_config(|c| {
        c.trusted_proxies = vec![xinbao_server::ratelimit::Cidr::parse("127.0.0.1").unwrap_or_else(|| panic!("cidr"))]
    })
    .await;
    // Behind the trusted nginx: each township is its own address.
    let res = t.send(login_from("127.0.0.1", Some("10.3.3.3"), None, "ghost", "wrong")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(attempts(&t, "ip:10.3.3.3").await, 1);
    assert_eq!(attempts(&t, "ip:127.0.0.1").await, 0, "not every user behind the proxy as one");
    // From anyone else the header is a lie that is not believed.
    let res = t.send(login_from("10.9.9.9", Some("10.3.3.3"), None, "ghost2", "wrong")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!((attempts(&t, "ip:10.9.9.9").await, attempts(&t, "ip:10.3.3.3").await), (1, 1));
    // Without the setting the proxy's own address is the client's.
    let plain = TestApp::spawn().await;
    let res = plain.send(login_from("127.0.0.1", Some("10.3.3.3"), None, "ghost", "wrong")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!((attempts(&plain, "ip:127.0.0.1").await, attempts(&plain, "ip:10.3.3.3").await), (1, 0));
}

#[tokio::test]
async fn a_colleague_guessing_a_name_does_not_lock_its_owner_out_of_the_browser_they_use() {
    let t = TestApp::spawn().await;
    t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    // The owner logs in on their own PC: the browser is remembered for the account.
    let res = t.send(login_from("10.0.0.7", None, None, "lzw", "Chunfeng-2026")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let device = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("xinbao_device="))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .unwrap_or_else(|| panic!("no device cookie"));
    assert!(device.len() > "xinbao_device=".len() + 60);
    // Eight wrong tries on their name from the next desk.
    for _ in 0..8 {
        let res = t.send(login_from("10.0.0.8", None, None, "lzw", "wrong")).await;
        assert!(matches!(res.status(), StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS));
    }
    // Anywhere else the name is locked …
    let res = t.send(login_from("10.0.0.9", None, None, "lzw", "Chunfeng-2026")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    // … but not for its owner in their own browser.
    let res = t.send(login_from("10.0.0.7", None, Some(&device), "lzw", "Chunfeng-2026")).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The cookie does not vouch for another account.
    t.user("dfz", "Dafeng-2026x", Role::Officer, "大丰镇").await;
    for _ in 0..5 {
        let _ = t.send(login_from("10.0.0.8", None, None, "dfz", "wrong")).await;
    }
    let res = t.send(login_from("10.0.0.7", None, Some(&device), "dfz", "Dafeng-2026x")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn wrong_attempts_arriving_together_are_counted_before_any_password_is_checked() {
    let t = TestApp::spawn().await;
    t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let router = t.router.clone();
        set.spawn(async move {
            use tower::ServiceExt;
            let req = login_from("10.0.0.7", None, None, "lzw", "wrong");
            router.oneshot(req).await.map(|r| r.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        });
    }
    let mut checked = 0;
    while let Some(status) = set.join_next().await {
        match status.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR) {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("{other}"),
        }
    }
    assert_eq!(checked, xinbao_server::ratelimit::MAX_FAILURES, "only the allowed number of guesses reached the hash");
}

/// The account `newbie` (an administrator in the root office) with `password` set as
/// `add-user` sets it: to be changed at the next login.
async fn set_by_someone_else(db: &xinbao_server::db::Db, root: i64, password: &str) {
    let user = xinbao_server::accounts::NewUser {
        username: "newbie",
        display_name: "新人",
        role: Role::Admin,
        unit_id: root,
        password,
        must_change_password: true,
    };
    xinbao_server::accounts::upsert_user(db, user).await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn an_account_that_must_change_its_password_reaches_only_who_am_i_the_change_and_logout() {
    let t = TestApp::spawn().await;
    let root = t.root().await;
    let db = &t.app.state.db;
    set_by_someone_else(db, root, "Chunfeng-2026").await;
    let cookie = t.login("newbie", "Chunfeng-2026").await;
    assert_eq!(json(t.get("/api/me", Some(&cookie)).await).await["must_change_password"], true);
    // Not even the device secret: a printed one-time password must not carry it off.
    for path in ["/api/me/device-key", "/api/admin/users", "/api/scores", "/api/settings", "/api/inbox", "/api/review/queue"] {
        let res = t.get(path, Some(&cookie)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(json(res).await["code"], "password_change_required", "{path}");
    }
    let res = t.post_json("/api/sync/pull", json!({"client_id": format!("{:032x}", 1), "cursor": 0}), Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res =
        t.post_json("/api/password", json!({"current_password": "Chunfeng-2026", "new_password": "Dafeng-2027!"}), Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(t.get("/api/admin/users", Some(&cookie)).await.status(), StatusCode::OK);

    // A reset from the command line (`add-user` on an existing account) ends its sessions.
    set_by_someone_else(db, root, "Reset-Pass-2026").await;
    assert_eq!(t.get("/api/me", Some(&cookie)).await.status(), StatusCode::UNAUTHORIZED);
    let cookie = t.login("newbie", "Reset-Pass-2026").await;
    assert_eq!(t.post_json("/api/logout", json!({}), Some(&cookie)).await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_long_chinese_password_the_rule_allows_also_logs_in() {
    let t = TestApp::spawn().await;
    t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    let cookie = t.login("lzw", "Chunfeng-2026").await;
    // 128 characters — the rule's longest — is 380 bytes in UTF-8.
    let long: String = "春风又绿江南岸明月何时照我还".chars().cycle().take(126).chain("2026".chars().take(2)).collect();
    assert_eq!(long.chars().count(), 128);
    let res = t.post_json("/api/password", json!({"current_password": "Chunfeng-2026", "new_password": long}), Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    t.login("lzw", &long).await;
}

#[tokio::test]
async fn an_account_named_in_full_width_before_names_were_normalised_still_logs_in() {
    let t = TestApp::spawn().await;
    t.user("lzw", "Chunfeng-2026", Role::Officer, "兰州湾镇").await;
    // As an older version stored it: trimmed and lower-cased only.
    sqlx::query("UPDATE users SET username = 'ｗａｎｇ１２３' WHERE username = 'lzw'")
        .execute(&t.app.state.db.pool)
        .await
        .unwrap_or_default();
    t.login("ｗａｎｇ１２３", "Chunfeng-2026").await;
}
