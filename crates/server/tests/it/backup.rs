//! Online backup while writes go on, and restoring it into a server that then serves it.

use crate::common::{TestApp, fresh_dir, json};
use serde_json::json;
use sqlx::Row;
use xinbao_core::role::Role;
use xinbao_server::backup;
use xinbao_server::config::Config;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_and_serves() {
    let t = TestApp::spawn().await;
    if t.app.state.db.backend == xinbao_server::db::Backend::Postgres {
        // This is SQLite's online backup; on PostgreSQL it refuses and points to pg_dump.
        let err = backup::backup(&t.app.state.db, &fresh_dir().join("x.db")).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("pg_dump"), "{err}");
        return;
    }
    t.user("lzw", "Chunfeng-2026", Role::Officer, "河西镇").await;
    let cookie = t.login("lzw", "Chunfeng-2026").await;
    // Writers keep pushing while the backup runs. The backup starts once the first push has
    // committed (not after a fixed sleep: on a busy machine the backup could otherwise copy a
    // database no push had reached yet, with no client row to compare).
    let (first, committed) = tokio::sync::oneshot::channel::<()>();
    let writer = {
        let router = t.router.clone();
        let cookie = cookie.clone();
        tokio::spawn(async move {
            use tower::ServiceExt;
            let mut first = Some(first);
            for mid in 1..=60u64 {
                let body = json!({"client_id": format!("{:032x}", 7), "mutations": [{"mid": mid, "item_id": format!("{mid:032x}"), "base_rev": 0,
                    "op": "save", "content": {"title": format!("稿件{mid}"), "body": "正文"}}]});
                let req = axum::http::Request::post("/api/sync/push")
                    .header("content-type", "application/json")
                    .header("x-xinbao-client", "1")
                    .header("cookie", &cookie)
                    .body(axum::body::Body::from(body.to_string()))
                    .unwrap_or_default();
                let _ = router.clone().oneshot(req).await;
                if let Some(tx) = first.take() {
                    let _ = tx.send(());
                }
            }
        })
    };
    committed.await.unwrap_or_else(|e| panic!("the writer stopped before its first push: {e}"));
    let file = fresh_dir().join("backup.db");
    backup::backup(&t.app.state.db, &file).await.unwrap_or_else(|e| panic!("{e:#}"));
    writer.await.unwrap_or_default();
    assert!(backup::backup(&t.app.state.db, &file).await.is_err(), "never overwrites an existing file");

    // The backup is one consistent snapshot: every item has its change-log row and result.
    let restored_dir = fresh_dir();
    let counts = backup::restore(&file, &restored_dir).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert!(counts.contains("users 2"), "{counts}");
    let app = xinbao_server::Application::build(Config::for_tests(restored_dir)).await.unwrap_or_else(|e| panic!("{e:#}"));
    let db = &app.state.db.pool;
    let items: i64 = sqlx::query("SELECT COUNT(*) FROM items").fetch_one(db).await.and_then(|r| r.try_get(0)).unwrap_or(-1);
    let logged: i64 = sqlx::query("SELECT COUNT(*) FROM change_log").fetch_one(db).await.and_then(|r| r.try_get(0)).unwrap_or(-2);
    let last_mid: i64 = sqlx::query("SELECT last_mid FROM sync_clients").fetch_one(db).await.and_then(|r| r.try_get(0)).unwrap_or(-3);
    assert_eq!(items, logged);
    assert_eq!(items, last_mid, "the client's progress matches the items in the snapshot");
    // A restored database is a new epoch: every browser that synced before starts over.
    let before = xinbao_server::db::Db::epoch(&t.app.state.db.pool).await.unwrap_or_default();
    let after = xinbao_server::db::Db::epoch(&app.state.db.pool).await.unwrap_or_default();
    assert_eq!(before.len(), 32);
    assert_ne!(before, after, "restore gives a new epoch");
    let restored = TestApp { router: app.router(), dir: std::path::PathBuf::new(), app };
    let cookie = restored.login("lzw", "Chunfeng-2026").await;
    assert_eq!(json(restored.get("/api/me", Some(&cookie)).await).await["username"], "lzw");
    let pulled =
        json(restored.post_json("/api/sync/pull", json!({"client_id": format!("{:032x}", 7), "cursor": 0}), Some(&cookie)).await).await;
    assert_eq!(pulled["epoch"], after.as_str());

    assert!(backup::restore(&restored.dir.join("missing.db"), &fresh_dir()).await.is_err());
    let junk = fresh_dir().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap_or_default();
    assert!(backup::restore(&junk, &fresh_dir()).await.is_err());
}

#[tokio::test]
async fn a_server_restored_twice_from_its_backups_starts_each_time() {
    let t = TestApp::spawn().await;
    if t.app.state.db.backend == xinbao_server::db::Backend::Postgres {
        return;
    }
    let mut t = t;
    for round in 0..3 {
        let file = fresh_dir().join("nightly.db");
        backup::backup(&t.app.state.db, &file).await.unwrap_or_else(|e| panic!("{e:#}"));
        let config = (*t.app.state.config).clone();
        t.app.state.db.pool.close().await;
        drop(t);
        backup::restore(&file, &config.data_dir).await.unwrap_or_else(|e| panic!("round {round}: {e:#}"));
        t = TestApp::with_same_config(config).await;
    }
}
