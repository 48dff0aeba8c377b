//! The database: one `AnyPool` over SQLite (embedded default) or PostgreSQL, and the embedded
//! migrations for each. Queries use `$1`-style parameters, which both drivers accept.

use anyhow::{Context, bail};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::{Migrate, MigrateError, Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyPool, Executor, Row};
use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};
use xinbao_core::item::{ItemState, ItemType};
use xinbao_core::role::Role;
use xinbao_core::scores::{Form, Level, PubKind, Rule};

/// Which database is behind the pool: SQL dialects differ only in the migrations and in how
/// [`Sql`] writes its placeholders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The database behind a connection (a transaction derefs to its connection).
    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == "PostgreSQL" { Backend::Postgres } else { Backend::Sqlite }
    }
}

/// A transaction on the pool, whichever database is behind it.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

/// Migrations, in order: (version, name, sqlite sql, postgres sql). Never edit a released one;
/// append a new one.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (1, "foundation", include_str!("../migrations/sqlite/0001_foundation.sql"), include_str!("../migrations/postgres/0001_foundation.sql")),
    (2, "sync", include_str!("../migrations/sqlite/0002_sync.sql"), include_str!("../migrations/postgres/0002_sync.sql")),
    (3, "quality", include_str!("../migrations/sqlite/0003_quality.sql"), include_str!("../migrations/postgres/0003_quality.sql")),
    (
        4,
        "login_attempts",
        include_str!("../migrations/sqlite/0004_login_attempts.sql"),
        include_str!("../migrations/postgres/0004_login_attempts.sql"),
    ),
    (5, "revisions", include_str!("../migrations/sqlite/0005_revisions.sql"), include_str!("../migrations/postgres/0005_revisions.sql")),
    (6, "review", include_str!("../migrations/sqlite/0006_review.sql"), include_str!("../migrations/postgres/0006_review.sql")),
    (7, "queue", include_str!("../migrations/sqlite/0007_queue.sql"), include_str!("../migrations/postgres/0007_queue.sql")),
    (8, "settings", include_str!("../migrations/sqlite/0008_settings.sql"), include_str!("../migrations/postgres/0008_settings.sql")),
    (
        9,
        "attachment_access",
        include_str!("../migrations/sqlite/0009_attachment_access.sql"),
        include_str!("../migrations/postgres/0009_attachment_access.sql"),
    ),
    (10, "scoring", include_str!("../migrations/sqlite/0010_scoring.sql"), include_str!("../migrations/postgres/0010_scoring.sql")),
    (
        11,
        "periodical_commissions",
        include_str!("../migrations/sqlite/0011_periodical_commissions.sql"),
        include_str!("../migrations/postgres/0011_periodical_commissions.sql"),
    ),
    (
        12,
        "queue_order",
        include_str!("../migrations/sqlite/0012_queue_order.sql"),
        include_str!("../migrations/postgres/0012_queue_order.sql"),
    ),
    (
        13,
        "drop_redundant_index",
        include_str!("../migrations/sqlite/0013_drop_redundant_index.sql"),
        include_str!("../migrations/postgres/0013_drop_redundant_index.sql"),
    ),
    (
        14,
        "epoch_digests",
        include_str!("../migrations/sqlite/0014_epoch_digests.sql"),
        include_str!("../migrations/postgres/0014_epoch_digests.sql"),
    ),
    (
        15,
        "login_devices",
        include_str!("../migrations/sqlite/0015_login_devices.sql"),
        include_str!("../migrations/postgres/0015_login_devices.sql"),
    ),
    (
        16,
        "issue_numbers",
        include_str!("../migrations/sqlite/0016_issue_numbers.sql"),
        include_str!("../migrations/postgres/0016_issue_numbers.sql"),
    ),
    (
        17,
        "commission_changes",
        include_str!("../migrations/sqlite/0017_commission_changes.sql"),
        include_str!("../migrations/postgres/0017_commission_changes.sql"),
    ),
    (
        18,
        "issued_notices",
        include_str!("../migrations/sqlite/0018_issued_notices.sql"),
        include_str!("../migrations/postgres/0018_issued_notices.sql"),
    ),
    (
        19,
        "board_rules",
        include_str!("../migrations/sqlite/0019_board_rules.sql"),
        include_str!("../migrations/postgres/0019_board_rules.sql"),
    ),
    (
        20,
        "change_log_heads",
        include_str!("../migrations/sqlite/0020_change_log_heads.sql"),
        include_str!("../migrations/postgres/0020_change_log_heads.sql"),
    ),
    (
        21,
        "queue_recent",
        include_str!("../migrations/sqlite/0021_queue_recent.sql"),
        include_str!("../migrations/postgres/0021_queue_recent.sql"),
    ),
    (
        22,
        "drop_duplicate_recent",
        include_str!("../migrations/sqlite/0022_drop_duplicate_recent.sql"),
        include_str!("../migrations/postgres/0022_drop_duplicate_recent.sql"),
    ),
    (
        23,
        "instructions_office",
        include_str!("../migrations/sqlite/0023_instructions_office.sql"),
        include_str!("../migrations/postgres/0023_instructions_office.sql"),
    ),
    (
        24,
        "sign_chains",
        include_str!("../migrations/sqlite/0024_sign_chains.sql"),
        include_str!("../migrations/postgres/0024_sign_chains.sql"),
    ),
    (25, "upward", include_str!("../migrations/sqlite/0025_upward.sql"), include_str!("../migrations/postgres/0025_upward.sql")),
    (26, "forward", include_str!("../migrations/sqlite/0026_forward.sql"), include_str!("../migrations/postgres/0026_forward.sql")),
    (
        27,
        "duplicates",
        include_str!("../migrations/sqlite/0027_duplicates.sql"),
        include_str!("../migrations/postgres/0027_duplicates.sql"),
    ),
    (
        28,
        "forward_rounds",
        include_str!("../migrations/sqlite/0028_forward_rounds.sql"),
        include_str!("../migrations/postgres/0028_forward_rounds.sql"),
    ),
];

/// A value read from a column that holds one of a type's values (`parse` is the type's own):
/// a stored value this binary cannot read is an internal error — logged, answered 500 — never a
/// default that would show a damaged row as something it is not.
pub fn stored<T>(parsed: Option<T>, column: &str, raw: &str) -> Result<T, crate::error::AppError> {
    parsed.ok_or_else(|| crate::error::AppError::Internal(anyhow::anyhow!("unreadable value {raw:?} in {column}")))
}

/// [`stored`] for a row whose key the log should name (`items.state` of item `key`), so the
/// damaged row can be found and mended (docs/operations.md, "A damaged row").
pub fn stored_at<T>(parsed: Option<T>, column: &str, key: &str, raw: &str) -> Result<T, crate::error::AppError> {
    parsed.ok_or_else(|| crate::error::AppError::Internal(anyhow::anyhow!("unreadable value {raw:?} in {column} of {key}")))
}

/// A JSON column of row `key` read as `T`; unreadable JSON is an internal error, as in [`stored`].
pub fn stored_json<T: serde::de::DeserializeOwned>(raw: &str, column: &str, key: &str) -> Result<T, crate::error::AppError> {
    serde_json::from_str(raw).map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!("unreadable JSON in {column} of {key}: {e}")))
}

/// A type stored as one of its names (an item's state, a scoring rule): how a row type reads
/// it through [`Stored`].
pub trait StoredName: Sized {
    /// What the name names, for the error ("item state").
    const WHAT: &'static str;
    fn parse_name(name: &str) -> Option<Self>;
}

/// A stored name this binary does not know: a damaged row, or a value written by a newer
/// version. Reading it is an error, never a default.
#[derive(Debug)]
pub struct UnknownName {
    what: &'static str,
    name: String,
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} {:?}", self.what, self.name)
    }
}

impl std::error::Error for UnknownName {}

/// A column holding one of a type's names, decoded through [`StoredName`]: an unknown name is a
/// decoding error that says what it was. Row types use it as
/// `#[sqlx(try_from = "Stored<ItemState>")] state: ItemState`. (sqlx's `try_from = "String"`
/// with a `TryFrom<String>` would do, but sqlx 0.8.6 loses the error's text on the way: the
/// message reads "unprintable error".)
pub struct Stored<T>(pub T);

impl<T> sqlx::Type<sqlx::Any> for Stored<T> {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<sqlx::Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <String as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

impl<'r, T: StoredName> sqlx::Decode<'r, sqlx::Any> for Stored<T> {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Stored<T>, sqlx::error::BoxDynError> {
        let name = <String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
        match T::parse_name(&name) {
            Some(v) => Ok(Stored(v)),
            None => Err(Box::new(UnknownName { what: T::WHAT, name })),
        }
    }
}

/// [`StoredName`] for types with a `parse`, and the conversion a row type's `try_from` needs.
macro_rules! stored_names {
    ($($t:ty => $what:literal),* $(,)?) => {$(
        impl StoredName for $t {
            const WHAT: &'static str = $what;
            fn parse_name(name: &str) -> Option<$t> {
                <$t>::parse(name)
            }
        }

        impl From<Stored<$t>> for $t {
            fn from(s: Stored<$t>) -> $t {
                s.0
            }
        }
    )*};
}

stored_names!(
    ItemState => "item state",
    ItemType => "item type",
    Rule => "scoring rule",
    Level => "level",
    Form => "form",
    PubKind => "publication kind",
    Role => "role",
    xinbao_core::upward::Method => "upward method",
);

/// A row read as its row type (`#[derive(sqlx::FromRow)]`, enum fields through [`Stored`]):
/// a column this binary cannot read is an internal error naming the table, the row's `key` and
/// the column — never a default (docs/operations.md, "A damaged row").
pub fn decode<'r, T: sqlx::FromRow<'r, sqlx::any::AnyRow>>(
    row: &'r sqlx::any::AnyRow,
    table: &str,
    key: &str,
) -> Result<T, crate::error::AppError> {
    T::from_row(row).map_err(|e| {
        let k = row.try_get::<String, _>(key).or_else(|_| row.try_get::<i64, _>(key).map(|k| k.to_string())).unwrap_or_default();
        crate::error::AppError::Internal(anyhow::anyhow!("unreadable row {k} of {table}: {e}"))
    })
}

/// A `LIKE … ESCAPE '\'` pattern matching `text` anywhere, with `%`, `_` and `\` in it taken
/// literally.
pub fn like_pattern(text: &str) -> String {
    let escaped: String = text.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    format!("%{escaped}%")
}

/// `N` random bytes as lowercase hex.
pub fn random_hex<const N: usize>() -> anyhow::Result<String> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Milliseconds since the Unix epoch: the unit of every timestamp column.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl Db {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`).
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            bail!("unsupported database URL (expected sqlite:// or postgres://): {url}");
        };
        let mut options = AnyPoolOptions::new().max_connections(if backend == Backend::Sqlite { 8 } else { 16 });
        if backend == Backend::Sqlite {
            // Durability before speed: an acknowledged write must survive a power cut (docs/sync-protocol.md
            // guarantee 4). WAL lets readers run beside the one writer.
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 10000",
                    ] {
                        conn.execute(pragma).await?;
                    }
                    Ok(())
                })
            });
        }
        let pool = options.connect(url).await.with_context(|| format!("connecting to the database at {url}"))?;
        Ok(Db { pool, backend })
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`, waiting up to the busy timeout): a deferred transaction that read
    /// first and then wants to write fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT)
    /// when another writer committed meanwhile — two editors pressing 新建一期 together would both
    /// see 服务器出错了. On PostgreSQL it is an ordinary transaction.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// The server's epoch: random, and changed by every restore from a backup (`restore`, or
    /// `new-epoch` after a PostgreSQL restore). Clients that see it change start over.
    pub async fn epoch<'e, E>(ex: E) -> Result<String, sqlx::Error>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        sqlx::query("SELECT epoch FROM server_meta WHERE id = 1").fetch_one(ex).await?.try_get(0)
    }

    /// Gives the database a new epoch (after it was restored from a backup).
    pub async fn new_epoch(&self) -> anyhow::Result<String> {
        let epoch = random_hex::<16>()?;
        sqlx::query("UPDATE server_meta SET epoch = $1 WHERE id = 1").bind(&epoch).execute(&self.pool).await?;
        Ok(epoch)
    }

    /// sqlx's migrator over this database's dialect: each migration checksummed (SHA-384 of its
    /// SQL, so a released migration edited afterwards stops the server instead of being skipped),
    /// applied in its own transaction and recorded in `_sqlx_migrations`.
    async fn migrator(&self) -> anyhow::Result<Migrator> {
        Migrator::new(Embedded(self.backend)).await.map_err(|e| anyhow::anyhow!("reading the embedded migrations: {e}"))
    }

    /// Applies every migration not yet applied. Servers started together on one PostgreSQL take
    /// turns: sqlx holds PostgreSQL's advisory lock while it migrates, and the adoption below
    /// runs under the same lock. (On SQLite one server owns the file; sqlx takes no lock there.)
    /// A database migrated by the runner before sqlx's (its record in `schema_migrations`) is
    /// adopted first: what it applied is recorded with this binary's checksums and never applied
    /// again; while that old record exists it is kept in step, so an older binary started on
    /// this database finds what it knows applied.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = self.migrator().await?;
        let mut conn = self.pool.acquire().await?;
        conn.lock().await.context("taking the migration lock")?;
        let adopted = self.adopt_legacy_record(&mut conn, &migrator).await;
        let unlocked = conn.unlock().await.context("releasing the migration lock");
        if let Err(e) = adopted.and(unlocked) {
            // A session that may still hold the advisory lock must not go back to the pool.
            let _ = conn.close().await;
            return Err(e);
        }
        if let Err(e) = migrator.run(&mut *conn).await {
            // sqlx returns early without releasing its lock: end this session, and the lock with it.
            let _ = conn.close().await;
            return Err(match e {
                MigrateError::VersionMismatch(v) => anyhow::anyhow!(
                    "migration {v} differs from the one this database applied (a released migration was edited): \
                     restore the original file or add a new migration"
                ),
                MigrateError::VersionMissing(v) => {
                    anyhow::anyhow!("the database has migration {v}, which this server does not know: it was run by a newer version")
                }
                e => anyhow::Error::new(e).context("migrating the database"),
            });
        }
        self.keep_legacy_record(&mut conn).await
    }

    /// Whether the old runner's record (`schema_migrations`) exists.
    async fn legacy_record_exists(&self, conn: &mut sqlx::pool::PoolConnection<sqlx::Any>) -> anyhow::Result<bool> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            Backend::Postgres => {
                "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
            }
        };
        Ok(sqlx::query(sql).fetch_optional(&mut **conn).await?.is_some())
    }

    /// Writes what sqlx applied into the old runner's record too, while that record exists.
    async fn keep_legacy_record(&self, conn: &mut sqlx::pool::PoolConnection<sqlx::Any>) -> anyhow::Result<()> {
        if !self.legacy_record_exists(conn).await? {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) SELECT version, description, $1 FROM _sqlx_migrations \
             WHERE success AND version NOT IN (SELECT version FROM schema_migrations)",
        )
        .bind(now_ms())
        .execute(&mut **conn)
        .await
        .context("keeping schema_migrations in step")?;
        Ok(())
    }

    /// Copies the record of the runner before sqlx's (`schema_migrations`) into sqlx's table,
    /// once: when that table is empty and the old one exists.
    async fn adopt_legacy_record(&self, conn: &mut sqlx::pool::PoolConnection<sqlx::Any>, migrator: &Migrator) -> anyhow::Result<()> {
        conn.ensure_migrations_table().await.context("creating _sqlx_migrations")?;
        let recorded: i64 = sqlx::query("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&mut **conn).await?.try_get(0)?;
        let legacy_exists = self.legacy_record_exists(conn).await?;
        if recorded > 0 || !legacy_exists {
            return Ok(());
        }
        let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&mut **conn)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let mut tx = sqlx::Connection::begin(&mut **conn).await?;
        for version in &applied {
            let Some(m) = migrator.iter().find(|m| m.version == *version) else {
                bail!("the database has migration {version}, which this binary does not know: it is newer than this server");
            };
            sqlx::query(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, $2, TRUE, $3, 0)",
            )
            .bind(m.version)
            .bind(m.description.as_ref())
            .bind(m.checksum.as_ref())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        tracing::info!(migrations = applied.len(), "adopted the migration record of the previous runner");
        Ok(())
    }

    /// The newest migration this database has applied (sqlx's record, or for a database from
    /// before it, the old runner's), or None when it has none: not a Xinbao database.
    pub async fn applied_version(&self) -> Option<i64> {
        match self.newest(SQLX_RECORD).await {
            Some(v) => Some(v),
            None => self.newest("SELECT MAX(version) FROM schema_migrations").await,
        }
    }

    /// The newest migration this binary knows, and whether the database has it.
    pub async fn migrations_current(&self) -> bool {
        self.newest(SQLX_RECORD).await == MIGRATIONS.last().map(|m| m.0)
    }

    /// The version `sql` (a `MAX(version)`) answers; None when it answers nothing or fails.
    async fn newest(&self, sql: &str) -> Option<i64> {
        sqlx::query(sql).fetch_one(&self.pool).await.ok().and_then(|r| r.try_get::<Option<i64>, _>(0).ok().flatten())
    }
}

/// The newest migration sqlx recorded as applied.
const SQLX_RECORD: &str = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";

/// The migrations of one dialect, for sqlx's [`Migrator`]: the embedded [`MIGRATIONS`].
#[derive(Debug)]
struct Embedded(Backend);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> futures_util::future::BoxFuture<'static, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        let migrations = MIGRATIONS
            .iter()
            .map(|&(version, name, sqlite, postgres)| {
                let sql = match self.0 {
                    Backend::Sqlite => sqlite,
                    Backend::Postgres => postgres,
                };
                Migration::new(version, Cow::Borrowed(name), MigrationType::Simple, Cow::Borrowed(sql), false)
            })
            .collect();
        Box::pin(std::future::ready(Ok(migrations)))
    }
}

/// Parameters per statement in [`insert_many`] and [`Sql`] lists: far under both databases'
/// limits, and small enough that preparing the statement stays cheap (a 30,000-parameter one
/// took 0.6 ms a row).
pub const MAX_PARAMETERS: usize = 960;

/// A value for [`insert_many`].
#[derive(Clone, Debug)]
pub enum Value {
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    /// NULL in an integer column.
    Null,
    /// NULL in a text column (PostgreSQL types its parameters).
    NullText,
    /// NULL in a byte column.
    NullBytes,
}

/// Binds `values` to `q`, in order.
pub fn bind_values<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: impl IntoIterator<Item = &'q Value>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for v in values {
        q = match v {
            Value::Int(i) => q.bind(*i),
            Value::Text(t) => q.bind(t.as_str()),
            Value::Bytes(b) => q.bind(b.as_slice()),
            Value::Null => q.bind(None::<i64>),
            Value::NullText => q.bind(None::<String>),
            Value::NullBytes => q.bind(None::<Vec<u8>>),
        };
    }
    q
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

/// A statement built piece by piece, with the values kept beside the text: the filters of a
/// search, the rows of a multi-row insert. Each parameter gets its placeholder as it is bound,
/// in the form the database at hand wants ([`Sql::query`]): numbered (`$n`) for PostgreSQL,
/// plain `?` for SQLite.
///
/// sqlx's own `QueryBuilder` is the obvious tool, but on the `Any` driver it writes `?`
/// placeholders whatever the database (`AnyArguments` keeps the default
/// `format_placeholder`), and PostgreSQL rejects them (sqlx issue #3000, open in 0.8.6).
/// SQLite would take `$n` too, but a numbered parameter is a named one to SQLite, and sqlx
/// binds each parameter by looking its name up in a list SQLite walks from the start: a
/// statement's binding takes time in the square of its parameters (12% of a push's time at
/// 960 of them). Plain `?` has no name to look up.
#[derive(Debug, Default)]
pub struct Sql<'v> {
    /// With `$n` placeholders.
    text: String,
    /// The same with `?` placeholders.
    plain: String,
    /// Borrowed where the caller holds them (an item's text is not copied to be inserted).
    values: Vec<Cow<'v, Value>>,
}

impl<'v> Sql<'v> {
    pub fn new(text: &str) -> Sql<'v> {
        Sql { text: text.to_owned(), plain: text.to_owned(), values: Vec::new() }
    }

    /// Appends SQL text (never a value from outside: those go through [`Sql::bind`]).
    pub fn push(&mut self, text: &str) -> &mut Sql<'v> {
        self.text.push_str(text);
        self.plain.push_str(text);
        self
    }

    /// Appends the next placeholder and binds `value` to it.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Sql<'v> {
        self.bind_cow(Cow::Owned(value.into()))
    }

    fn bind_cow(&mut self, value: Cow<'v, Value>) -> &mut Sql<'v> {
        self.values.push(value);
        self.text.push('$');
        self.text.push_str(&self.values.len().to_string());
        self.plain.push('?');
        self
    }

    /// Appends `(v, v, …), (…)`: one parenthesised group per row, each value bound.
    pub fn rows(&mut self, rows: impl IntoIterator<Item = &'v [Value]>) -> &mut Sql<'v> {
        for (i, row) in rows.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            for (k, v) in row.iter().enumerate() {
                if k > 0 {
                    self.push(", ");
                }
                self.bind_cow(Cow::Borrowed(v));
            }
            self.push(")");
        }
        self
    }

    /// Appends `v, v, …`, each value bound.
    pub fn list(&mut self, values: impl IntoIterator<Item = impl Into<Value>>) -> &mut Sql<'v> {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self
    }

    /// The statement with its values bound, to run or fetch on `backend`.
    pub fn query(&self, backend: Backend) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        bind_values(sqlx::query(self.text(backend)), self.values.iter().map(|v| &**v))
    }

    pub fn text(&self, backend: Backend) -> &str {
        match backend {
            Backend::Postgres => &self.text,
            Backend::Sqlite => &self.plain,
        }
    }
}

/// Inserts `rows` into `table` (`columns` named once) with multi-row `INSERT`s of at most
/// [`MAX_PARAMETERS`] parameters each inside whatever
/// transaction `ex` is.
pub async fn insert_many(conn: &mut sqlx::AnyConnection, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<(), sqlx::Error> {
    insert_many_then(conn, table, columns, rows, "").await.map(drop)
}

/// [`insert_many`] with `tail` after each statement's values (an `ON CONFLICT …` clause);
/// returns how many rows were written.
pub async fn insert_many_then(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
    tail: &str,
) -> Result<u64, sqlx::Error> {
    let backend = Backend::of(conn);
    let per_insert = (MAX_PARAMETERS / columns.len().max(1)).max(1);
    let mut written = 0;
    for chunk in rows.chunks(per_insert) {
        let mut sql = Sql::new(&format!("INSERT INTO {table} ({}) VALUES ", columns.join(", ")));
        sql.rows(chunk.iter().map(Vec::as_slice)).push(tail);
        written += sql.query(backend).execute(&mut *conn).await?.rows_affected();
    }
    Ok(written)
}
