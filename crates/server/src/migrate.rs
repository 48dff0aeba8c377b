//! `xinbao-server migrate-to postgres://…`: moves an office from the embedded SQLite database
//! to PostgreSQL when it outgrows one machine.
//!
//! The target is migrated to this binary's schema and must hold no accounts yet. Every table
//! the PostgreSQL schema has is copied in foreign-key order, row by row in the order SQLite
//! wrote them, inside one PostgreSQL transaction; then each table is read back inside that
//! transaction and its row count and checksum compared with the source's. Only when every
//! table agrees is the transaction committed, so a failed or interrupted migration leaves the
//! target as it was. Id sequences are moved past the copied ids.
//!
//! The checksum of a table is the sum (mod 2¹²⁸) of a SHA-256 digest of each row's typed
//! values: independent of row order, changed by any value that differs.

use crate::db::{Backend, Db, Value, insert_many};
use anyhow::{Context, bail};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet};

/// Rows read from the source before they are written to the target.
const CHUNK: usize = 2_000;

/// One table as copied and verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableReport {
    pub table: String,
    pub rows: u64,
    /// Hex of the order-independent checksum, the same on both sides.
    pub checksum: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Int,
    Text,
    Bytes,
}

struct Column {
    name: String,
    kind: Kind,
    serial: bool,
}

fn read(row: &AnyRow, columns: &[Column]) -> Result<Vec<Value>, sqlx::Error> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(match c.kind {
                Kind::Int => row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Int),
                Kind::Text => row.try_get::<Option<String>, _>(i)?.map_or(Value::NullText, Value::Text),
                Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Value::NullBytes, Value::Bytes),
            })
        })
        .collect()
}

fn row_digest(values: &[Value]) -> u128 {
    let mut h = Sha256::new();
    for v in values {
        match v {
            Value::Int(i) => {
                h.update([1]);
                h.update(i.to_le_bytes());
            }
            Value::Text(t) => {
                h.update([2]);
                h.update((t.len() as u64).to_le_bytes());
                h.update(t.as_bytes());
            }
            Value::Bytes(b) => {
                h.update([3]);
                h.update((b.len() as u64).to_le_bytes());
                h.update(b);
            }
            Value::Null | Value::NullText | Value::NullBytes => h.update([0]),
        }
    }
    let d = h.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&d[..16]);
    u128::from_le_bytes(first)
}

#[derive(Default, PartialEq, Eq, Clone, Copy)]
struct Tally {
    rows: u64,
    sum: u128,
}

impl Tally {
    fn add(&mut self, values: &[Value]) {
        self.rows += 1;
        self.sum = self.sum.wrapping_add(row_digest(values));
    }
}

/// The PostgreSQL schema's tables (the migration bookkeeping aside) in an order where every
/// table comes after the tables its foreign keys point to.
async fn tables_in_order(target: &Db) -> anyhow::Result<Vec<String>> {
    let names: Vec<String> = sqlx::query(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT IN ('schema_migrations', '_sqlx_migrations')",
    )
    .fetch_all(&target.pool)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    let mut needs: BTreeMap<String, BTreeSet<String>> = names.iter().map(|n| (n.clone(), BTreeSet::new())).collect();
    let edges = sqlx::query(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint \
         WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
    )
    .fetch_all(&target.pool)
    .await?;
    for e in edges {
        let (from, to): (String, String) = (e.try_get(0)?, e.try_get(1)?);
        if from != to
            && let Some(n) = needs.get_mut(&from)
        {
            n.insert(to);
        }
    }
    let mut order = Vec::new();
    while !needs.is_empty() {
        let ready: Vec<String> = needs.iter().filter(|(_, n)| n.is_empty()).map(|(t, _)| t.clone()).collect();
        if ready.is_empty() {
            bail!("the foreign keys between {:?} form a cycle", needs.keys().collect::<Vec<_>>());
        }
        for t in &ready {
            needs.remove(t);
        }
        for n in needs.values_mut() {
            for t in &ready {
                n.remove(t);
            }
        }
        order.extend(ready);
    }
    Ok(order)
}

async fn columns_of(target: &Db, source: &Db, table: &str) -> anyhow::Result<Vec<Column>> {
    let rows = sqlx::query(
        "SELECT column_name::text, data_type::text, COALESCE(column_default::text, '') FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&target.pool)
    .await?;
    let mut columns = Vec::new();
    for r in rows {
        let (name, data_type, default): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let kind = match data_type.as_str() {
            "bigint" | "integer" | "smallint" => Kind::Int,
            "text" | "character varying" => Kind::Text,
            "bytea" => Kind::Bytes,
            other => bail!("{table}.{name}: column type {other} is not handled by migrate-to"),
        };
        columns.push(Column { name, kind, serial: default.starts_with("nextval(") });
    }
    let here: BTreeSet<String> = sqlx::query("SELECT name FROM pragma_table_info($1)")
        .bind(table)
        .fetch_all(&source.pool)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let there: BTreeSet<String> = columns.iter().map(|c| c.name.clone()).collect();
    if here != there {
        bail!("table {table} differs: SQLite has {here:?}, PostgreSQL {there:?}");
    }
    Ok(columns)
}

/// Copies everything from `source` (SQLite) into the PostgreSQL database at `target_url`, verifies
/// each table's count and checksum, and commits only if all agree.
pub async fn migrate_to(source: &Db, target_url: &str) -> anyhow::Result<Vec<TableReport>> {
    if source.backend != Backend::Sqlite {
        bail!("migrate-to copies the embedded SQLite database; the source is already PostgreSQL");
    }
    let target = Db::connect(target_url).await.context("connecting to the target")?;
    if target.backend != Backend::Postgres {
        bail!("the target must be a postgres:// URL");
    }
    // Both at this binary's schema (the source as the server would leave it at its next start).
    source.migrate().await.context("bringing the source's schema up to date")?;
    target.migrate().await.context("creating the schema in the target")?;
    let accounts: i64 = sqlx::query("SELECT COUNT(*) FROM users").fetch_one(&target.pool).await?.try_get(0)?;
    if accounts > 0 {
        bail!("the target already holds {accounts} accounts: migrate-to writes into an empty database only");
    }
    let order = tables_in_order(&target).await?;
    let mut layout = Vec::new();
    for t in &order {
        layout.push((t.clone(), columns_of(&target, source, t).await?));
    }

    let mut tx = target.pool.begin().await?;
    // What the migrations put in (counters, default settings) gives way to the office's own.
    for t in order.iter().rev() {
        sqlx::query(&format!("DELETE FROM {t}")).execute(&mut *tx).await?;
    }
    let mut src = source.pool.acquire().await?;
    // One read snapshot of the whole source.
    sqlx::query("BEGIN").execute(&mut *src).await?;
    let mut copied = Vec::new();
    for (table, columns) in &layout {
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let select = format!("SELECT {} FROM {table} ORDER BY rowid", names.join(", "));
        let mut tally = Tally::default();
        let mut batch = Vec::with_capacity(CHUNK);
        {
            let mut rows = sqlx::query(&select).fetch(&mut *src);
            while let Some(row) = rows.try_next().await? {
                let values = read(&row, columns)?;
                tally.add(&values);
                batch.push(values);
                if batch.len() == CHUNK {
                    insert_many(&mut tx, table, &names, &batch).await.with_context(|| format!("copying {table}"))?;
                    batch.clear();
                }
            }
        }
        insert_many(&mut tx, table, &names, &batch).await.with_context(|| format!("copying {table}"))?;
        for c in columns.iter().filter(|c| c.serial) {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{0}'), COALESCE((SELECT MAX({0}) FROM {table}), 0) + 1, false)",
                c.name
            ))
            .execute(&mut *tx)
            .await?;
        }
        tracing::info!(table = %table, rows = tally.rows, "copied");
        copied.push(tally);
    }
    sqlx::query("COMMIT").execute(&mut *src).await?;

    // Read back what the transaction holds, before committing it.
    let mut report = Vec::new();
    for ((table, columns), source_tally) in layout.iter().zip(copied) {
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let mut tally = Tally::default();
        {
            let sql = format!("SELECT {} FROM {table}", names.join(", "));
            let mut rows = sqlx::query(&sql).fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                tally.add(&read(&row, columns)?);
            }
        }
        if tally != source_tally {
            bail!(
                "verification failed for {table}: SQLite {} rows, checksum {:032x}; PostgreSQL {} rows, checksum {:032x} — nothing was committed",
                source_tally.rows,
                source_tally.sum,
                tally.rows,
                tally.sum
            );
        }
        report.push(TableReport { table: table.clone(), rows: tally.rows, checksum: format!("{:032x}", tally.sum) });
    }
    tx.commit().await.context("committing the copy")?;
    target.pool.close().await;
    Ok(report)
}
