//! Login throttling that protects without locking people out (SECURITY.md states the policy):
//!
//! - **An account** is locked after [`MAX_FAILURES`] failed logins within [`WINDOW_MS`], for
//!   [`FIRST_LOCK_MS`], doubling with each further failure up to [`MAX_LOCK_MS`] — but only for
//!   browsers it has not logged in from before. A browser where the account logged in
//!   successfully holds a device cookie ([`DEVICE_COOKIE`], OWASP's "device cookies"); a login
//!   from it counts against that device alone ([`MAX_DEVICE_FAILURES`]), so eight wrong tries on
//!   a colleague's name from another PC do not lock the colleague out of their own PC.
//! - **An address** (a township behind one NAT address, everyone behind a proxy) is never
//!   refused for failures: past [`ADDR_SLOW_AFTER`] failures in the window its attempts are
//!   served one per [`ADDR_SLOT_MS`], in order ([`AddrSlots`]), so guessing slows to a crawl while
//!   colleagues behind the same address still log in; a flood makes each attempt wait at most
//!   [`ADDR_MAX_WAIT_MS`], and none is refused.
//! - **Counted before the hash**: an attempt takes its place in the count atomically before the
//!   password is checked (and gives it back on success), so twenty concurrent wrong attempts
//!   do not all pass a check none of them has yet been counted in.
//! - **The address** is the TCP peer, or — when the peer is a configured trusted proxy
//!   (`--trusted-proxy`) — the right-most `X-Forwarded-For` address that is not one.
//!
//! Counts live in the database (they hold across server processes); the per-address slots live
//! in each process. Keys exist whether or not the account does: the answer reveals nothing.

use crate::db::{Db, now_ms};
use axum::http::HeaderMap;
use sqlx::Row;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

pub const MAX_FAILURES: i64 = 5;
pub const MAX_DEVICE_FAILURES: i64 = 10;
pub const ADDR_SLOW_AFTER: i64 = 30;
pub const ADDR_SLOT_MS: i64 = 1000;
pub const ADDR_MAX_WAIT_MS: i64 = 10_000;
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const FIRST_LOCK_MS: i64 = 60 * 1000;
pub const MAX_LOCK_MS: i64 = 30 * 60 * 1000;
/// The cookie naming the browsers accounts logged in from: up to [`MAX_DEVICE_TOKENS`] tokens
/// (one per account that logged in there), sent only to `/api/login`.
pub const DEVICE_COOKIE: &str = "xinbao_device";
pub const MAX_DEVICE_TOKENS: usize = 8;

pub fn user_key(username: &str) -> String {
    format!("u:{username}")
}

pub fn device_key(token_hash: &str) -> String {
    format!("d:{token_hash}")
}

/// An address's key: an IPv4 address as it is, an IPv6 address by its /64 network (one
/// subscriber's block — rotating addresses inside it is one address).
pub fn addr_key(ip: &IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V6(v6) => format!("ip:{}/64", std::net::Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        v4 => format!("ip:{v4}"),
    }
}

/// An address or a network, `10.0.0.1` or `10.0.0.0/8` or `::1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, bits) = match text.trim().split_once('/') {
            Some((a, b)) => (a.parse::<IpAddr>().ok()?, Some(b.parse::<u8>().ok()?)),
            None => (text.trim().parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Cidr { net: addr, bits })
    }

    pub fn contains(&self, ip: &IpAddr) -> bool {
        let ip = canonical(ip);
        match (canonical(&self.net), ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.bits == 0 { 0 } else { u32::MAX << (32 - u32::from(self.bits)) };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.bits == 0 { 0 } else { u128::MAX << (128 - u32::from(self.bits)) };
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// `::ffff:10.0.0.1` is `10.0.0.1`.
fn canonical(ip: &IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(*ip, IpAddr::V4),
        v4 => *v4,
    }
}

/// The client's address: the peer, unless the peer is a trusted proxy — then the right-most
/// `X-Forwarded-For` entry that is not a trusted proxy (entries to its left could be written by
/// anyone). With no peer known (tests calling the router directly), none.
pub fn client_addr(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[Cidr]) -> Option<IpAddr> {
    let peer = canonical(&peer?);
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let hops: Vec<Option<IpAddr>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|a| parse_hop(a.trim()).map(|a| canonical(&a)))
        .collect();
    // From the right: trusted proxies are skipped; the first other hop is the client. A hop that
    // cannot be read ends the walk — what is left of it could have been written by anyone — and
    // the last trusted address stands for the client.
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(a) if is_trusted(a) => client = *a,
            Some(a) => return Some(*a),
            None => break,
        }
    }
    Some(client)
}

/// One `X-Forwarded-For` entry: an address, with a port (`1.2.3.4:5678`, `[::1]:80`) or not.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
}

/// The tokens of the device cookie, at most [`MAX_DEVICE_TOKENS`], each 64 hex digits.
pub fn device_tokens(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == DEVICE_COOKIE)
        .flat_map(|(_, value)| value.split('.'))
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .take(MAX_DEVICE_TOKENS)
        .map(str::to_owned)
        .collect()
}

/// The answer to "may this attempt check a password now?"
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Yes (it has been counted as a failure until it succeeds).
    Go,
    /// No: locked for this many more milliseconds.
    Locked(i64),
}

fn lock_for(failures: i64, limit: i64) -> i64 {
    let doublings = (failures - limit).clamp(0, 10) as u32;
    (FIRST_LOCK_MS << doublings).min(MAX_LOCK_MS)
}

/// Makes sure `key` has a row, and starts its window again when the window has run out (a lock
/// still running stays). Written first, so the row (or SQLite's database) is locked for the
/// read-modify-write that follows in the same transaction.
async fn open_window(tx: &mut sqlx::Transaction<'static, sqlx::Any>, key: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO login_attempts (key, failures, window_start, locked_until) VALUES ($1, 0, $2, 0) ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE login_attempts SET failures = 0, window_start = $1, locked_until = 0 WHERE key = $2 AND window_start < $3 AND locked_until <= $1",
    )
    .bind(now)
    .bind(key)
    .bind(now - WINDOW_MS)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Counts one attempt for `key` (an account's or a device's) before its password is checked:
/// atomically, in one write transaction. Up to `limit` attempts go; then the key is locked;
/// when a lock runs out, one more attempt goes (and the lock is set again, longer, before it is
/// checked: a right password clears it, concurrent attempts meet it).
pub async fn attempt(db: &Db, key: &str, limit: i64) -> Result<Verdict, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    open_window(&mut tx, key, now).await?;
    let row = sqlx::query(
        "UPDATE login_attempts SET failures = failures + 1 WHERE key = $1 AND locked_until <= $2 RETURNING failures, locked_until",
    )
    .bind(key)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let verdict = match row {
        None => {
            let until: i64 =
                sqlx::query("SELECT locked_until FROM login_attempts WHERE key = $1").bind(key).fetch_one(&mut *tx).await?.try_get(0)?;
            Verdict::Locked((until - now).max(1))
        }
        Some(row) => {
            let (failures, until): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
            if failures <= limit {
                Verdict::Go
            } else {
                let lock = lock_for(failures, limit);
                sqlx::query("UPDATE login_attempts SET locked_until = $1 WHERE key = $2")
                    .bind(now + lock)
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
                // A lock that ran out gives one more try; otherwise (attempts arriving together
                // past the limit) this one waits.
                if until != 0 { Verdict::Go } else { Verdict::Locked(lock) }
            }
        }
    };
    tx.commit().await?;
    Ok(verdict)
}

/// The attempt counted by [`attempt`] failed: once the limit is reached, the key is locked.
pub async fn failed(db: &Db, key: &str, limit: i64) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let row = sqlx::query("SELECT failures FROM login_attempts WHERE key = $1").bind(key).fetch_optional(&db.pool).await?;
    let failures: i64 = match row {
        Some(r) => r.try_get(0)?,
        None => return Ok(()),
    };
    if failures >= limit {
        sqlx::query("UPDATE login_attempts SET locked_until = $1 WHERE key = $2 AND locked_until < $1")
            .bind(now + lock_for(failures, limit))
            .bind(key)
            .execute(&db.pool)
            .await?;
    }
    Ok(())
}

/// Counts one attempt from an address (before its password is checked); returns the count in
/// the window, this attempt included.
pub async fn address_attempt(db: &Db, ip: &IpAddr) -> Result<i64, sqlx::Error> {
    let key = addr_key(ip);
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    // An address is never locked, so its window starts again whenever it has run out.
    open_window(&mut tx, &key, now).await?;
    let failures: i64 = sqlx::query("UPDATE login_attempts SET failures = failures + 1 WHERE key = $1 RETURNING failures")
        .bind(&key)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    tx.commit().await?;
    Ok(failures)
}

/// A successful login: the account's (or device's) record is cleared.
pub async fn clear<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(ex: E, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE key = $1").bind(key).execute(ex).await?;
    Ok(())
}

/// An attempt counted before its password was checked that turned out not to be a failure (it
/// succeeded, or was never checked): given back.
pub async fn give_back<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(ex: E, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_attempts SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END WHERE key = $1")
        .bind(key)
        .execute(ex)
        .await?;
    Ok(())
}

/// Per-address turns for addresses past [`ADDR_SLOW_AFTER`] failures: each attempt takes the
/// next turn, [`ADDR_SLOT_MS`] after the previous one, and waits for it — however many arrive at
/// once — but never longer than [`ADDR_MAX_WAIT_MS`], and is never refused: a flood from the
/// address slows everyone behind it to that wait, and shuts nobody out. Kept in this process
/// (bounded: turns in the past are forgotten).
#[derive(Default)]
pub struct AddrSlots {
    next: Mutex<HashMap<IpAddr, i64>>,
}

impl AddrSlots {
    /// How long this attempt waits before its password is checked.
    pub fn take(&self, ip: IpAddr, now: i64) -> i64 {
        let Ok(mut next) = self.next.lock() else { return 0 };
        if next.len() > 10_000 {
            next.retain(|_, slot| *slot > now);
        }
        let slot = next.get(&ip).copied().unwrap_or(now).clamp(now, now + ADDR_MAX_WAIT_MS);
        next.insert(ip, (slot + ADDR_SLOT_MS).min(now + ADDR_MAX_WAIT_MS));
        slot - now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_forwarded_address_is_believed_only_from_a_trusted_proxy() {
        let trusted =
            [Cidr::parse("127.0.0.1").unwrap_or_else(|| unreachable!()), Cidr::parse("10.1.0.0/16").unwrap_or_else(|| unreachable!())];
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 10.20.30.40, 10.1.2.3"));
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        // From the proxy: the right-most address that is not a proxy (6.6.6.6 could be forged).
        assert_eq!(client_addr(ip("127.0.0.1"), &h, &trusted), ip("10.20.30.40"));
        assert_eq!(client_addr(ip("::ffff:127.0.0.1"), &h, &trusted), ip("10.20.30.40"));
        // From anyone else: the header is ignored.
        assert_eq!(client_addr(ip("10.20.30.41"), &h, &trusted), ip("10.20.30.41"));
        assert_eq!(client_addr(ip("127.0.0.1"), &h, &[]), ip("127.0.0.1"));
        // Only proxies in the header: the last of them.
        let mut only = HeaderMap::new();
        only.insert("x-forwarded-for", HeaderValue::from_static("10.1.9.9"));
        assert_eq!(client_addr(ip("127.0.0.1"), &only, &trusted), ip("10.1.9.9"));
        // An entry that cannot be read ends the walk: a forged address to its left is not believed.
        let mut odd = HeaderMap::new();
        odd.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, unknown"));
        assert_eq!(client_addr(ip("127.0.0.1"), &odd, &trusted), ip("127.0.0.1"));
        let mut ported = HeaderMap::new();
        ported.insert("x-forwarded-for", HeaderValue::from_static("10.20.30.40:5123"));
        assert_eq!(client_addr(ip("127.0.0.1"), &ported, &trusted), ip("10.20.30.40"));
        // IPv6 by its /64.
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap_or(IpAddr::from([0u8; 16]));
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap_or(IpAddr::from([0u8; 16]));
        assert_eq!(addr_key(&a), addr_key(&b));
        assert_eq!(addr_key(&"10.0.0.7".parse().unwrap_or(a)), "ip:10.0.0.7");
        assert!(Cidr::parse("10.0.0.0/33").is_none() && Cidr::parse("not an address").is_none());
        assert!(Cidr::parse("::/0").is_some_and(|c| c.contains(&"2001:db8::1".parse().unwrap_or(IpAddr::from([0u8; 16])))));
    }

    #[test]
    fn past_the_limit_an_address_is_served_one_attempt_a_second_and_never_refused() {
        let slots = AddrSlots::default();
        let ip: IpAddr = [10, 0, 0, 1].into();
        let waits: Vec<i64> = (0..40).map(|_| slots.take(ip, 1_000_000)).collect();
        assert_eq!(waits[..11].to_vec(), (0..11).map(|k| k * ADDR_SLOT_MS).collect::<Vec<_>>());
        // A flood: everyone behind the address waits at most the cap, nobody is turned away.
        assert!(waits[11..].iter().all(|w| *w == ADDR_MAX_WAIT_MS), "{waits:?}");
        // Another address is not affected; time moving on frees the queue.
        assert_eq!(slots.take([10, 0, 0, 2].into(), 1_000_000), 0);
        assert_eq!(slots.take(ip, 1_000_000 + 60_000), 0);
    }
}
