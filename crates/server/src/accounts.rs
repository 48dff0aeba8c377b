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
static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map(std::num::NonZeroUsize::get).unwrap_or(2))
});

/// Runs `work` (a password hash or check) on the blocking pool, at most one per core at a time.
pub async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let _turn = HASHING.acquire().await.context("password hashing is shut down")?;
    tokio::task::spawn_blocking(work).await.context("a password hashing thread failed")
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
    raw.trim().to_lowercase()
}

/// Finds the unit called `name` under `parent`, creating it if missing. Returns its id.
pub async fn ensure_unit(db: &Db, parent: Option<i64>, name: &str, kind: &str) -> anyhow::Result<i64> {
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
        sqlx::query(
            "UPDATE users SET display_name = $1, role = $2, unit_id = $3, password_hash = $4, must_change_password = $5, disabled = 0 WHERE id = $6",
        )
        .bind(u.display_name)
        .bind(u.role.as_str())
        .bind(u.unit_id)
        .bind(&hash)
        .bind(must_change)
        .bind(id)
        .execute(&db.pool)
        .await?;
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
