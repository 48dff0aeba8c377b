//! What the server clears away by itself, hourly (every process may run it; each statement is
//! one idempotent DELETE). The periods are stated in SECURITY.md:
//!
//! - **Orphaned photos**: uploaded, but named by no item after [`ORPHAN_DAYS`] days (a draft
//!   deleted before it was sent, a photo removed before the next sync). A client whose push is
//!   still to come asks with `HEAD` before it sends and uploads again.
//! - **Conflict rows** (the proposals kept when a change met a newer version) after
//!   [`CONFLICT_DAYS`] days: the author has long since chosen.
//! - **Login counters** whose window and lock ran out a day ago, and **device tokens** unused for
//!   a year.

use crate::db::{Db, now_ms};

pub const ORPHAN_DAYS: i64 = 7;
pub const CONFLICT_DAYS: i64 = 180;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// How many rows each sweep removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub photos: u64,
    pub conflicts: u64,
    pub login_rows: u64,
    /// Near-duplicate band keys older than the 90 days a submission is compared with.
    pub bands: u64,
}

pub async fn sweep(db: &Db) -> Result<Swept, sqlx::Error> {
    let now = now_ms();
    let orphan = "NOT EXISTS (SELECT 1 FROM item_attachments ia WHERE ia.sha256 = a.sha256) AND a.created_at < $1";
    let mut tx = db.begin_write().await?;
    sqlx::query(&format!("DELETE FROM attachment_holders WHERE sha256 IN (SELECT a.sha256 FROM attachments a WHERE {orphan})"))
        .bind(now - ORPHAN_DAYS * DAY_MS)
        .execute(&mut *tx)
        .await?;
    let photos = sqlx::query(&format!("DELETE FROM attachments WHERE sha256 IN (SELECT a.sha256 FROM attachments a WHERE {orphan})"))
        .bind(now - ORPHAN_DAYS * DAY_MS)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    let conflicts =
        sqlx::query("DELETE FROM conflicts WHERE at < $1").bind(now - CONFLICT_DAYS * DAY_MS).execute(&db.pool).await?.rows_affected();
    let login_rows = sqlx::query("DELETE FROM login_attempts WHERE window_start < $1 AND locked_until < $1")
        .bind(now - DAY_MS)
        .execute(&db.pool)
        .await?
        .rows_affected()
        + sqlx::query("DELETE FROM login_devices WHERE last_used_at < $1")
            .bind(now - 365 * DAY_MS)
            .execute(&db.pool)
            .await?
            .rows_affected();
    // A submission is compared with the office's items of the last 90 days only.
    let bands = sqlx::query("DELETE FROM item_bands WHERE day < $1")
        .bind(i64::from(xinbao_core::scores::day_of(now) - 91))
        .execute(&db.pool)
        .await?
        .rows_affected();
    Ok(Swept { photos, conflicts, login_rows, bands })
}
