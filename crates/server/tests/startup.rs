//! First start, the demo county, and how the app's files are served.

mod common;

use axum::http::StatusCode;
use common::{TestApp, json, text};
use sqlx::Row;
use xinbao_server::db::Backend;
use xinbao_server::demo;

async fn count(t: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(&t.app.state.db.pool).await.and_then(|r| r.try_get(0)).unwrap_or(-1)
}

#[tokio::test]
async fn an_empty_database_gets_one_administrator_who_must_change_the_password() {
    let t = TestApp::spawn().await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND must_change_password = 1").await, 1);
    // A second start finds the account and creates no other.
    assert_eq!(demo::ensure_admin(&t.app.state.db).await.ok().flatten(), None);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn the_demo_county_loads_once_with_an_account_for_every_role() {
    let t = TestApp::spawn().await;
    let first = demo::load_demo(&t.app.state).await.unwrap_or_else(|e| panic!("{e:#}"));
    let again = demo::load_demo(&t.app.state).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(first.len(), again.len());
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items").await, 32, "every corpus item, once, a commission's answer and a 续报");
    // They arrived the way real ones do: each with its office, revisions and change log, spread
    // over an item's life, so the review desk has work on it.
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items WHERE office_id IS NULL").await, 0);
    assert_eq!(count(&t, "SELECT COUNT(DISTINCT item_id) FROM change_log").await, 32);
    assert_eq!(count(&t, "SELECT COUNT(DISTINCT item_id) FROM item_revisions").await, 32);
    for state in ["submitted", "screening", "returned", "editing", "awaiting_sign_off", "signed"] {
        assert!(count(&t, &format!("SELECT COUNT(*) FROM items WHERE state = '{state}'")).await >= 1, "{state}");
    }
    assert!(count(&t, "SELECT COUNT(*) FROM comments").await >= 1);
    // After sign-off: a published issue of the county periodical, adoptions at two levels with
    // their points, a leader's instruction with its feedback.
    assert_eq!(count(&t, "SELECT COUNT(*) FROM issues WHERE state = 'published'").await, 1);
    assert!(count(&t, "SELECT COUNT(DISTINCT publication_id) FROM adoptions").await >= 2);
    assert!(count(&t, "SELECT COUNT(*) FROM score_events WHERE rule <> 'submission'").await >= 4);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM instructions WHERE feedback IS NOT NULL").await, 1);
    // A commission asking two townships, one of which answered; an urgent report and its 续报一.
    assert_eq!(count(&t, "SELECT COUNT(*) FROM commission_answers").await, 1);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items WHERE title LIKE '（续报一）%' AND item_type = 'urgent'").await, 1);
    let editor = again.iter().find(|a| a.username == "editor").map(|a| a.password.clone()).unwrap_or_default();
    let cookie = t.login("editor", &editor).await;
    let queue = json(t.get("/api/review/queue?limit=200", Some(&cookie)).await).await;
    assert_eq!(queue.as_array().map(Vec::len), Some(32), "the editor's queue holds every demo item");
    let pulled =
        json(t.post_json("/api/sync/pull", serde_json::json!({"client_id": format!("{:032x}", 7), "cursor": 0}), Some(&cookie)).await)
            .await;
    assert_eq!(pulled["changes"].as_array().map(Vec::len), Some(32), "and the editor's desk pulls them");
    for role in ["officer", "editor", "signer", "reader", "admin"] {
        assert!(count(&t, &format!("SELECT COUNT(*) FROM users WHERE role = '{role}'")).await >= 1, "{role}");
    }
    // The printed passwords are the ones that work.
    let officer = again.iter().find(|a| a.username == "officer2").map(|a| a.password.clone()).unwrap_or_default();
    let cookie = t.login("officer2", &officer).await;
    assert_eq!(json(t.get("/api/me", Some(&cookie)).await).await["unit_name"], "兰州湾镇");
}

#[tokio::test]
async fn the_database_acknowledges_only_durable_commits() {
    let t = TestApp::spawn().await;
    let mut conn = t.app.state.db.pool.acquire().await.unwrap_or_else(|e| panic!("{e}"));
    match t.app.state.db.backend {
        Backend::Sqlite => {
            let mode: String =
                sqlx::query("PRAGMA journal_mode").fetch_one(&mut *conn).await.and_then(|r| r.try_get(0)).unwrap_or_default();
            let sync: i64 = sqlx::query("PRAGMA synchronous").fetch_one(&mut *conn).await.and_then(|r| r.try_get(0)).unwrap_or(-1);
            assert_eq!(mode.to_lowercase(), "wal");
            assert_eq!(sync, 2, "synchronous=FULL");
        }
        Backend::Postgres => {
            let sync: String =
                sqlx::query("SHOW synchronous_commit").fetch_one(&mut *conn).await.and_then(|r| r.try_get(0)).unwrap_or_default();
            assert_eq!(sync, "on");
        }
    }
}

#[tokio::test]
async fn app_routes_get_index_html_and_hashed_assets_are_immutable() {
    let t = TestApp::with_config(|c| {
        let dist = c.data_dir.join("dist");
        std::fs::create_dir_all(&dist).unwrap_or_default();
        std::fs::write(dist.join("index.html"), "<!doctype html><title>信报</title>").unwrap_or_default();
        std::fs::write(dist.join("xinbao-0123456789abcdef_bg.wasm"), b"\0asm").unwrap_or_default();
        std::fs::write(dist.join("sw.js"), "self.addEventListener('fetch', () => {});").unwrap_or_default();
        c.static_dir = dist;
    })
    .await;
    let deep = t.get("/drafts/abc", None).await;
    assert_eq!(deep.status(), StatusCode::OK);
    assert_eq!(deep.headers()["cache-control"], "no-cache");
    assert!(text(deep).await.contains("信报"));

    let wasm = t.get("/xinbao-0123456789abcdef_bg.wasm", None).await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()["cache-control"], "public, max-age=31536000, immutable");

    let sw = t.get("/sw.js", None).await;
    assert_eq!(sw.headers()["cache-control"], "no-cache");

    let api = t.get("/api/nothing-here", None).await;
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    assert_eq!(api.headers()["cache-control"], "no-store");
    assert_eq!(json(api).await["code"], "not_found");
}

#[tokio::test]
async fn health_reports_the_database_and_migrations() {
    let t = TestApp::spawn().await;
    let res = t.get("/api/health", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = json(res).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["migrations_current"], true);
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_with_the_shared_types() {
    let t = TestApp::spawn().await;
    let res = t.get("/api/openapi.json", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc = json(res).await;
    assert!(doc["openapi"].as_str().unwrap_or_default().starts_with("3."));
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for (path, method) in [
        ("/api/health", "get"),
        ("/api/login", "post"),
        ("/api/logout", "post"),
        ("/api/me", "get"),
        ("/api/password", "post"),
        ("/api/sync/push", "post"),
        ("/api/sync/pull", "post"),
        ("/api/admin/users/{id}/revoke-sessions", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is not described");
    }
    let schemas = doc["components"]["schemas"].as_object().cloned().unwrap_or_default();
    for name in ["PushRequest", "PushResponse", "Mutation", "Outcome", "PullResponse", "ItemSnapshot", "DraftContent", "ErrorBody", "Me"] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let t = TestApp::spawn().await;
    for path in ["/api/health", "/api/me", "/drafts/abc"] {
        let res = t.get(path, None).await;
        let h = res.headers();
        let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(h.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"), "{path}");
        assert_eq!(h.get("referrer-policy").and_then(|v| v.to_str().ok()), Some("no-referrer"), "{path}");
    }
}

#[tokio::test]
async fn liveness_and_readiness_answer_for_load_balancers() {
    let t = TestApp::spawn().await;
    let alive = t.get("/healthz", None).await;
    assert_eq!(alive.status(), StatusCode::OK);
    let ready = t.get("/readyz", None).await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(json(ready).await["migrations_current"], true);
    // A database whose schema is behind this binary is not ready.
    sqlx::query("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)")
        .execute(&t.app.state.db.pool)
        .await
        .unwrap_or_default();
    let behind = t.get("/readyz", None).await;
    assert_eq!(behind.status(), StatusCode::SERVICE_UNAVAILABLE);
    t.app.state.db.pool.close().await;
    assert_eq!(t.get("/readyz", None).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(t.get("/healthz", None).await.status(), StatusCode::OK);
}
