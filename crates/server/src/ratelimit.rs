//! Login rate limiting, kept in the database so it holds across server processes: after
//! [`MAX_FAILURES`] failed logins within [`WINDOW_MS`] for one user name — or
//! [`MAX_FAILURES_ADDR`] from one client address, higher because a township office shares one
//! address behind NAT — that key is locked for a while, doubling with each further failure up to
//! [`MAX_LOCK_MS`]. Keys exist whether or not the account does, so the answer reveals nothing
//! about accounts.

use crate::db::{Db, now_ms};
use sqlx::Row;

pub const MAX_FAILURES: i64 = 5;
pub const MAX_FAILURES_ADDR: i64 = 30;
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const FIRST_LOCK_MS: i64 = 60 * 1000;
pub const MAX_LOCK_MS: i64 = 30 * 60 * 1000;

pub fn user_key(username: &str) -> String {
    format!("u:{username}")
}

pub fn addr_key(ip: &std::net::IpAddr) -> String {
    format!("ip:{ip}")
}

/// Milliseconds until any of `keys` may try again, or `None` when all may.
pub async fn locked(db: &Db, keys: &[String]) -> Result<Option<i64>, sqlx::Error> {
    let now = now_ms();
    let mut wait = None;
    for key in keys {
        let row = sqlx::query("SELECT locked_until FROM login_attempts WHERE key = $1").bind(key).fetch_optional(&db.pool).await?;
        if let Some(row) = row {
            let until: i64 = row.try_get(0)?;
            if until > now {
                wait = Some(wait.unwrap_or(0).max(until - now));
            }
        }
    }
    Ok(wait)
}

/// Counts a failure for each key; locks a key once it has too many in the window.
pub async fn failed(db: &Db, keys: &[String]) -> Result<(), sqlx::Error> {
    let now = now_ms();
    for key in keys {
        let mut tx = db.begin_write().await?;
        // Write first: the row (or SQLite's database) is locked for this read-modify-write.
        sqlx::query(
            "INSERT INTO login_attempts (key, failures, window_start, locked_until) VALUES ($1, 0, $2, 0) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query("UPDATE login_attempts SET failures = failures + 1 WHERE key = $1 RETURNING failures, window_start")
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
        let (mut failures, start): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        if now - start > WINDOW_MS {
            failures = 1;
            sqlx::query("UPDATE login_attempts SET failures = 1, window_start = $1 WHERE key = $2")
                .bind(now)
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        let limit = if key.starts_with("ip:") { MAX_FAILURES_ADDR } else { MAX_FAILURES };
        if failures >= limit {
            let doublings = (failures - limit).min(10) as u32;
            let lock = (FIRST_LOCK_MS << doublings).min(MAX_LOCK_MS);
            sqlx::query("UPDATE login_attempts SET locked_until = $1 WHERE key = $2").bind(now + lock).bind(key).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// A successful login clears the account's record (the address keeps its history).
pub async fn succeeded<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(ex: E, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE key = $1").bind(user_key(username)).execute(ex).await?;
    Ok(())
}
