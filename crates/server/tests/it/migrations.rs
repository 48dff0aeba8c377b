//! The schema's migrations on sqlx's migrator: a database migrated by the runner before it is
//! adopted without applying anything again; servers started together on one PostgreSQL take
//! turns; a released migration edited afterwards stops the server with a clear message.

use crate::common::{fresh_database, fresh_dir};
use sqlx::Row;
use xinbao_server::db::Db;

/// A fresh database: PostgreSQL when the suite has a cluster, else SQLite in a fresh directory.
async fn fresh_url() -> String {
    match fresh_database().await {
        Some(url) => url,
        None => format!("sqlite://{}?mode=rwc", fresh_dir().join("xinbao.db").display()),
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(&db.pool).await.and_then(|r| r.try_get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn a_database_migrated_by_the_old_runner_is_adopted_and_nothing_runs_twice() {
    let url = fresh_url().await;
    let db = Db::connect(&url).await.unwrap_or_else(|e| panic!("{e:#}"));
    db.migrate().await.unwrap_or_else(|e| panic!("{e:#}"));
    let known = count(&db, "SELECT COUNT(*) FROM _sqlx_migrations").await;
    assert!(known >= 19, "every migration recorded: {known}");
    // Make it look as the old runner left it: its own record, no sqlx table; and data in it.
    sqlx::query("DROP TABLE _sqlx_migrations").execute(&db.pool).await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
        .execute(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for v in 1..=known {
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'x', 0)")
            .bind(v)
            .execute(&db.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let units = count(&db, "SELECT COUNT(*) FROM units").await;
    sqlx::query("INSERT INTO units (parent_id, name, kind, created_at) VALUES (NULL, '旧库县', 'office', 0)")
        .execute(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!db.migrations_current().await, "without sqlx's record the schema does not count as current");

    // Started again by this binary: adopted, nothing applied again (a re-run of migration 1
    // would fail on its existing tables), the data kept, the schema current.
    db.migrate().await.unwrap_or_else(|e| panic!("adopting: {e:#}"));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM _sqlx_migrations WHERE success").await, known);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM units").await, units + 1);
    assert!(db.migrations_current().await);
    assert_eq!(db.applied_version().await, Some(known));
    // And a third start changes nothing.
    db.migrate().await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM _sqlx_migrations").await, known);
    // The old record is kept in step, so an older binary started here finds what it knows
    // applied: a version it lacks (as if this binary had applied a newer migration) is written in.
    sqlx::query("DELETE FROM schema_migrations WHERE version = $1").bind(known).execute(&db.pool).await.unwrap_or_else(|e| panic!("{e}"));
    db.migrate().await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM schema_migrations").await, known);
}

#[tokio::test]
async fn an_edited_released_migration_stops_the_server_with_a_reason() {
    let url = fresh_url().await;
    let db = Db::connect(&url).await.unwrap_or_else(|e| panic!("{e:#}"));
    db.migrate().await.unwrap_or_else(|e| panic!("{e:#}"));
    // What the database applied as migration 3 is not what this binary ships as migration 3.
    sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = 3")
        .bind(vec![0u8; 48])
        .execute(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = db.migrate().await.map_err(|e| format!("{e:#}"));
    assert!(refused.as_ref().is_err_and(|e| e.contains("migration 3 differs")), "{refused:?}");
    // The refusal let go of the migration lock (sqlx returns without releasing it; the session
    // holding it is closed): a second start on the same pool is refused at once, not left
    // waiting for a lock nobody will release.
    let again = tokio::time::timeout(std::time::Duration::from_secs(20), db.migrate()).await;
    let again = again.unwrap_or_else(|_| panic!("the migration lock was left held")).map_err(|e| format!("{e:#}"));
    assert!(again.as_ref().is_err_and(|e| e.contains("migration 3 differs")), "{again:?}");
}

#[tokio::test]
async fn servers_started_together_on_one_database_take_turns_to_migrate() {
    // Only PostgreSQL is shared by several servers; on SQLite one server owns the file.
    let Some(url) = fresh_database().await else { return };
    let mut started = Vec::new();
    for _ in 0..4 {
        started.push(Db::connect(&url).await.unwrap_or_else(|e| panic!("{e:#}")));
    }
    let results = tokio::join!(started[0].migrate(), started[1].migrate(), started[2].migrate(), started[3].migrate());
    let results = [results.0, results.1, results.2, results.3];
    for r in &results {
        assert!(r.is_ok(), "every server starts: {results:?}");
    }
    let db = &started[0];
    assert!(db.migrations_current().await);
    let known = count(db, "SELECT COUNT(*) FROM _sqlx_migrations").await;
    assert_eq!(count(db, "SELECT COUNT(DISTINCT version) FROM _sqlx_migrations").await, known, "each applied once");
}

#[tokio::test]
async fn a_database_a_newer_server_migrated_is_refused_with_a_reason() {
    let url = fresh_url().await;
    let db = Db::connect(&url).await.unwrap_or_else(|e| panic!("{e:#}"));
    db.migrate().await.unwrap_or_else(|e| panic!("{e:#}"));
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (999, 'from the future', TRUE, $1, 0)")
        .bind(vec![1u8; 48])
        .execute(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = db.migrate().await.map_err(|e| format!("{e:#}"));
    assert!(refused.as_ref().is_err_and(|e| e.contains("migration 999, which this server does not know")), "{refused:?}");
}
