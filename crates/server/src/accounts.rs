//! Units and accounts: creating them, and hashing and checking passwords (argon2id).

use crate::db::{Db, now_ms};
use anyhow::{Context, anyhow};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use sqlx::Row;
use xinbao_core::role::Role;

/// Password work in flight at once: one per core. Each hash takes tens of milliseconds of CPU;
/// a burst of logins (a whole county at 8 a.m.) waits here instead of taking every core from
/// the requests that sync and review.
/// How many password hashes may wait for a core before more are turned away: a burst of
/// logins (a county at 8:30) queues; a flood is answered 503 with `Retry-After` instead of
/// growing a queue without end.
pub const MAX_HASHING_QUEUE: usize = 64;

pub use crate::error::Busy;

/// Password hashing, bounded twice: at most `cores` run at once (argon2 would otherwise starve
/// every other request of CPU), and at most `max` wait or run — beyond that, [`Busy`].
pub struct HashQueue {
    running: std::sync::Arc<tokio::sync::Semaphore>,
    queued: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    max: usize,
}

/// Leaves the queue count when dropped: when the hash is done, or when the request is cancelled
/// while it waits.
struct Leave(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Drop for Leave {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl HashQueue {
    pub fn new(cores: usize, max: usize) -> HashQueue {
        HashQueue { running: std::sync::Arc::new(tokio::sync::Semaphore::new(cores.max(1))), queued: std::sync::Arc::default(), max }
    }

    /// Runs `work` on the blocking pool when a core is free, or fails at once with [`Busy`].
    /// A hash keeps its place (and its core) until it is done, even if the request that asked
    /// for it is gone: a client hanging up cannot start more hashes than the bounds allow.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
        use std::sync::atomic::Ordering::SeqCst;
        if self.queued.fetch_add(1, SeqCst) >= self.max {
            self.queued.fetch_sub(1, SeqCst);
            return Err(Busy.into());
        }
        let leave = Leave(self.queued.clone());
        let turn = self.running.clone().acquire_owned().await.context("password hashing is shut down")?;
        tokio::task::spawn_blocking(move || {
            let (_leave, _turn) = (leave, turn);
            work()
        })
        .await
        .context("a password hashing thread failed")
    }
}

static HASHING: std::sync::LazyLock<HashQueue> = std::sync::LazyLock::new(|| {
    HashQueue::new(std::thread::available_parallelism().map(std::num::NonZeroUsize::get).unwrap_or(2), MAX_HASHING_QUEUE)
});

/// Runs `work` (a password hash or check) through this process's [`HashQueue`].
pub async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    HASHING.run(work).await
}

/// Hashes `password` with argon2id (the crate's defaults: m=19 MiB, t=2, p=1 — OWASP's
/// recommended minimum). CPU-heavy: request paths call it through [`hashing`].
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| anyhow!("hashing a password: {e}"))
}

/// Whether `password` matches the stored PHC string `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A random password people can read aloud and type: no 0/O, 1/l/I.
pub fn random_password() -> anyhow::Result<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("no randomness: {e}"))?;
    Ok(bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect())
}

/// Normalises a user name the way it is stored: trimmed, lower case.
pub fn normalize_username(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    raw.nfkc().collect::<String>().trim().to_lowercase()
}

/// A unit's or a person's name as stored ([`xinbao_core::text::normalize_name`]), or the
/// reason it is refused, as a 422 with the message.
pub fn clean_name(raw: &str) -> Result<String, crate::error::AppError> {
    xinbao_core::text::normalize_name(raw, 64).map_err(|t| crate::error::AppError::bad_request(t.zh))
}

/// Finds the unit called `name` under `parent`, creating it if missing. Returns its id.
pub async fn ensure_unit(db: &Db, parent: Option<i64>, name: &str, kind: &str) -> anyhow::Result<i64> {
    let name = &xinbao_core::text::normalize_name(name, 64).map_err(|t| anyhow!("unit name {name:?}: {}", t.zh))?;
    let existing = sqlx::query("SELECT id FROM units WHERE COALESCE(parent_id, 0) = $1 AND name = $2")
        .bind(parent.unwrap_or(0))
        .bind(name)
        .fetch_optional(&db.pool)
        .await?;
    if let Some(row) = existing {
        return Ok(row.try_get(0)?);
    }
    let row = sqlx::query("INSERT INTO units (parent_id, name, kind, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(parent)
        .bind(name)
        .bind(kind)
        .bind(now_ms())
        .fetch_one(&db.pool)
        .await
        .with_context(|| format!("creating unit {name}"))?;
    Ok(row.try_get(0)?)
}

/// The root unit (the reviewing office at the top of the tree), if any.
pub async fn root_unit(db: &Db) -> anyhow::Result<Option<i64>> {
    let row = sqlx::query("SELECT id FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1").fetch_optional(&db.pool).await?;
    Ok(match row {
        Some(r) => Some(r.try_get(0)?),
        None => None,
    })
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub unit_id: i64,
    pub password: &'a str,
    pub must_change_password: bool,
}

/// Creates an account, or — when the user name exists — resets its password, role and unit.
/// Returns the user id.
pub async fn upsert_user(db: &Db, u: NewUser<'_>) -> anyhow::Result<i64> {
    let username = normalize_username(u.username);
    if username.is_empty() {
        return Err(anyhow!("the user name is empty"));
    }
    let password = u.password.to_owned();
    let hash = hashing(move || hash_password(&password)).await??;
    let must_change = i64::from(u.must_change_password);
    let existing = sqlx::query("SELECT id FROM users WHERE username = $1").bind(&username).fetch_optional(&db.pool).await?;
    if let Some(row) = existing {
        let id: i64 = row.try_get(0)?;
        // A password set from the command line is a reset: the account's sessions end with the
        // old password, as they do when the admin page resets it.
        let mut tx = db.begin_write().await?;
        sqlx::query(
            "UPDATE users SET display_name = $1, role = $2, unit_id = $3, password_hash = $4, must_change_password = $5, disabled = 0 WHERE id = $6",
        )
        .bind(u.display_name)
        .bind(u.role.as_str())
        .bind(u.unit_id)
        .bind(&hash)
        .bind(must_change)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        return Ok(id);
    }
    let row = sqlx::query(
        "INSERT INTO users (username, display_name, role, unit_id, password_hash, must_change_password, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&username)
    .bind(u.display_name)
    .bind(u.role.as_str())
    .bind(u.unit_id)
    .bind(&hash)
    .bind(must_change)
    .bind(now_ms())
    .fetch_one(&db.pool)
    .await?;
    Ok(row.try_get(0)?)
}

/// How many accounts exist.
pub async fn user_count(db: &Db) -> anyhow::Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM users").fetch_one(&db.pool).await?.try_get(0)?)
}

/// Appends one line to the audit trail. The trail is append-only: nothing updates or deletes it.
pub async fn audit(db: &Db, actor: Option<i64>, action: &str, subject: &str, detail: &str) -> Result<(), sqlx::Error> {
    audit_in(&db.pool, actor, action, subject, detail).await
}

/// [`audit`] inside a transaction (or on any connection), so the line commits with the change
/// it records.
pub async fn audit_in<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    actor: Option<i64>,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO audit_log (at, actor_id, action, subject, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(now_ms())
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(detail)
        .execute(ex)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let h = hash_password("春风行动2026").unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("春风行动2026", &h));
        assert!(!verify_password("春风行动2027", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn random_passwords_are_unambiguous_and_differ() {
        let a = random_password().unwrap_or_default();
        let b = random_password().unwrap_or_default();
        assert_eq!(a.len(), 12);
        assert_ne!(a, b);
        assert!(!a.contains(['0', 'O', '1', 'l', 'I']));
    }
}

#[cfg(test)]
mod queue_tests {
    use super::*;

    #[tokio::test]
    async fn a_full_hashing_queue_turns_the_next_one_away_at_once_and_takes_it_again_when_there_is_room() {
        let queue = std::sync::Arc::new(HashQueue::new(1, 3));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        // One running (blocked until released), two waiting: the queue is full.
        let mut held = Vec::new();
        for _ in 0..3 {
            let (q, rx) = (queue.clone(), rx.clone());
            held.push(tokio::spawn(async move { q.run(move || rx.lock().map(|r| r.recv().is_ok()).unwrap_or(false)).await.is_ok() }));
        }
        while queue.queued.load(std::sync::atomic::Ordering::SeqCst) < 3 {
            tokio::task::yield_now().await;
        }
        let refused = queue.run(|| true).await;
        assert!(refused.as_ref().is_err_and(|e| e.is::<Busy>()), "the fourth is turned away");
        let answer = crate::error::AppError::from(refused.err().unwrap_or_else(|| anyhow!("no error")));
        let response = axum::response::IntoResponse::into_response(answer);
        assert_eq!(response.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().get(axum::http::header::RETRY_AFTER).is_some());
        for _ in 0..3 {
            let _ = tx.send(());
        }
        for h in held {
            assert!(h.await.unwrap_or(false));
        }
        assert!(queue.run(|| true).await.is_ok_and(|v| v), "room again");
    }
}
