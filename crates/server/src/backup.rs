//! Backups of the embedded SQLite database: `xinbao-server backup PATH` takes a consistent copy
//! while the server runs (`VACUUM INTO` reads one snapshot); `restore PATH` checks the file is a
//! Xinbao database and puts it in place of the data directory's database (server stopped).
//! PostgreSQL deployments use `pg_dump` / `pg_restore` (README).

use crate::db::{Backend, Db};
use anyhow::{Context, bail};
use sqlx::Row;
use std::path::Path;

/// Writes a consistent copy of the database to `target` (which must not exist yet).
pub async fn backup(db: &Db, target: &Path) -> anyhow::Result<()> {
    if db.backend != Backend::Sqlite {
        bail!("backup copies the embedded SQLite database; for PostgreSQL use pg_dump");
    }
    if target.exists() {
        bail!("{} exists already; choose a new file", target.display());
    }
    let path = target.to_str().context("the backup path is not valid UTF-8")?;
    sqlx::query("VACUUM INTO $1").bind(path).execute(&db.pool).await.context("writing the backup")?;
    Ok(())
}

/// How many rows of each kind a database holds: shown after backup and restore.
pub async fn summary(db: &Db) -> anyhow::Result<String> {
    let mut parts = Vec::new();
    for table in ["units", "users", "items", "audit_log"] {
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&db.pool).await?.try_get(0)?;
        parts.push(format!("{table} {n}"));
    }
    Ok(parts.join(", "))
}

/// Replaces `data_dir/xinbao.db` by `source` after checking `source` is a Xinbao database.
/// The server must be stopped.
pub async fn restore(source: &Path, data_dir: &Path) -> anyhow::Result<String> {
    if !source.is_file() {
        bail!("{} is not a file", source.display());
    }
    let mut header = [0u8; 16];
    let read = std::fs::File::open(source).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header));
    if read.is_err() || &header != b"SQLite format 3\0" {
        bail!("{} is not a SQLite database", source.display());
    }
    std::fs::create_dir_all(data_dir)?;
    // Checked on a staging copy (opening a database may write to it), then renamed into place.
    let staging = data_dir.join("xinbao.db.restoring");
    std::fs::copy(source, &staging).context("copying the backup")?;
    let checked = async {
        let check = Db::connect(&format!("sqlite://{}?mode=rw", staging.display())).await?;
        if check.applied_version().await.is_none() {
            bail!("not a Xinbao database (no migrations applied)");
        }
        let counts = summary(&check).await?;
        // A restored database is a new epoch: every browser that synced with the old one starts
        // over, compares, and proposes again what the backup lacks (docs/sync-protocol.md).
        check.migrate().await?;
        let epoch = check.new_epoch().await?;
        let counts = format!("{counts}, new epoch {epoch}");
        // Everything written here goes into the file itself before it is renamed: a WAL left
        // beside the staging name would be lost, and with it the new epoch.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&check.pool).await.context("checkpointing the restored database")?;
        // Closing the last connection checkpoints and removes the staging WAL.
        check.pool.close().await;
        Ok(counts)
    }
    .await;
    let counts = match checked {
        Ok(c) => c,
        Err(e) => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(data_dir.join(format!("xinbao.db.restoring{suffix}")));
            }
            return Err(e);
        }
    };
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data_dir.join(format!("xinbao.db{suffix}")));
    }
    std::fs::rename(&staging, data_dir.join("xinbao.db")).context("putting the backup in place")?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data_dir.join(format!("xinbao.db.restoring{suffix}")));
    }
    Ok(counts)
}
