//! `migrate-to` (issue 9): an office on SQLite — accounts, reviewed and adopted items, a photo,
//! comments, points — copied into an empty PostgreSQL database, verified by count and checksum,
//! then served from PostgreSQL: the same people log in with the same passwords and see the same
//! items and scores, and new rows get fresh ids. Needs a PostgreSQL cluster, so it runs in the
//! PostgreSQL step of `cargo xtask test` (XINBAO_TEST_PG); on SQLite alone it says so and stops.

use crate::common::office::{id, office, publication, submitted, today};
use crate::common::{TestApp, fresh_database, json};
use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use xinbao_core::role::Role;
use xinbao_server::db::Db;

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&db.pool).await.and_then(|r| r.try_get(0)).unwrap_or(-1)
}

async fn pull_all(t: &TestApp, cookie: &str, client: &str) -> Vec<Value> {
    let res = t.post_json("/api/sync/pull", json!({"client_id": client, "cursor": 0}), Some(cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut changes = json(res).await["changes"].as_array().cloned().unwrap_or_default();
    changes.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    changes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_moves_from_sqlite_to_postgres_verified_and_keeps_working() {
    let Some(target) = fresh_database().await else {
        eprintln!("migrate-to needs a PostgreSQL cluster: this test runs in the PostgreSQL step (XINBAO_TEST_PG)");
        return;
    };
    // The source: SQLite, whatever the other tests use.
    let t = TestApp::with_config(|c| c.database_url = None).await;
    let mut o = office(&t).await;
    for n in 1..=3 {
        submitted(&t, &mut o, false, n, true).await;
    }
    submitted(&t, &mut o, true, 4, false).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", id(1)),
            json!({"publication_id": own, "form": "full", "date": today(), "issue": "2026年第12期"}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let r = o.editor.push(&t, 4, 1, json!({"op": "comment", "text": "请补充受灾面积"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    // A photo (bytes in a BYTEA column on the other side) on a draft.
    let photo: Vec<u8> = [0xFF, 0xD8, 0xFF, 0xE0].iter().copied().chain((0..=255u8).cycle().take(3000)).collect();
    let (status, hash) = t.put_photo(&o.officer.cookie, &photo).await;
    assert_eq!(status, StatusCode::CREATED);
    let r = o
        .officer
        .push(
            &t,
            5,
            0,
            json!({"op": "save", "content": {"title": "草稿：河西镇雹灾", "body": "受灾农田300亩。",
            "photos": [{"sha256": hash, "name": "现场.jpg", "width": 4, "height": 3, "size": photo.len()}]}}),
        )
        .await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let items_before = pull_all(&t, &o.officer.cookie, &o.officer.client).await;
    let scores_before = json(t.get("/api/scores?group=unit", Some(&o.editor.cookie)).await).await;
    let source = &t.app.state.db;

    let report = xinbao_server::migrate::migrate_to(source, &target).await.unwrap_or_else(|e| panic!("migrate-to: {e:#}"));
    for table in ["units", "users", "items", "item_revisions", "attachments", "audit_log", "score_events", "mutation_results"] {
        let row = report.iter().find(|r| r.table == table).unwrap_or_else(|| panic!("{table} not in the report"));
        assert_eq!(row.rows as i64, count(source, table).await, "{table}");
        assert!(row.rows > 0, "{table} has rows to copy");
    }
    // Every table of the schema came across.
    let tables: i64 =
        sqlx::query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('schema_migrations', '_sqlx_migrations')")
            .fetch_one(&source.pool)
            .await
            .and_then(|r| r.try_get(0))
            .unwrap_or(-1);
    assert_eq!(report.len() as i64, tables);

    // A second run refuses: the target is no longer empty.
    let again = xinbao_server::migrate::migrate_to(source, &target).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(again.contains("already holds"), "{again}");

    // Served from PostgreSQL: same passwords, same items, same scores, the photo's bytes.
    let pg = TestApp::with_config(|c| c.database_url = Some(target.clone())).await;
    assert_eq!(pg.app.state.db.backend, xinbao_server::db::Backend::Postgres);
    let cookie = pg.login("officer", crate::common::office::PW).await;
    assert_eq!(pull_all(&pg, &cookie, &o.officer.client).await, items_before);
    let editor = pg.login("editor", crate::common::office::PW).await;
    assert_eq!(json(pg.get("/api/scores?group=unit", Some(&editor)).await).await, scores_before);
    let res = pg.get(&format!("/api/attachments/{hash}"), Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(crate::common::bytes(res).await, photo);
    // The client's sync position came along: its next mid follows on, a replay is recognised.
    let mut officer = crate::common::office::Who { cookie, client: o.officer.client.clone(), mid: o.officer.mid };
    let r = officer.push(&pg, 6, 0, json!({"op": "save", "content": {"title": "迁移后的新稿", "body": "正文"}})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    // Sequences moved past the copied ids: new units and accounts get fresh ones.
    let before = count(&pg.app.state.db, "users").await;
    pg.user("newcomer", crate::common::office::PW, Role::Officer, "新设镇").await;
    assert_eq!(count(&pg.app.state.db, "users").await, before + 1);
    pg.login("newcomer", crate::common::office::PW).await;
}
