//! Announcing urgent items to the information section's open pages, within seconds.
//!
//! - **One watcher per server process**, not one per client: from the first listener on, it
//!   reads the change log past the last sequence number it saw, for urgent items submitted in
//!   the last [`FRESH_MS`] and still `submitted`, and broadcasts each one's (office, seq, id)
//!   in-process, once per revision (a returned item submitted again is announced again; a
//!   comment on one is not). It looks when a push on this server commits
//!   (a nudge, so an urgent item pushed here is announced at once) and at least every
//!   [`POLL`] (plus the [`GAP`] between two looks: an item pushed to another server on the same database). The change log's
//!   numbers are taken under one row lock (`seq_counter`), so a committed head means every
//!   smaller number is committed: nothing is skipped.
//! - **One held response per listening page** (`GET /api/review/announcements`, server-sent
//!   events): it waits on the broadcast and costs nothing while idle but its socket and a
//!   comment every [`KEEP_ALIVE`] (which keeps proxies from closing it). Each announcement is
//!   sent only after the session is checked again, and the session is checked every
//!   [`RECHECK`] besides, so a logged-out, reset, disabled or moved account's open page stops
//!   hearing. Each event's id is its change-log number: a page that reconnects after a dropped
//!   line sends it back (`Last-Event-ID`) and is told what it missed.
//! - It tells only an item id, and only to the editors and signers of the office the item was
//!   submitted to — who read it anyway; the page asks for the rest.

use crate::db::Db;
use crate::error::AppError;
use axum::response::sse::Event;
use sqlx::Row;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, broadcast, watch};
use xinbao_core::api::Announcement;

/// The longest an urgent item pushed to another server waits to be announced.
pub const POLL: Duration = Duration::from_secs(2);
/// The shortest gap between two looks (a burst of pushes is one look).
const GAP: Duration = Duration::from_millis(200);
/// A comment on an idle stream this often.
pub const KEEP_ALIVE: Duration = Duration::from_secs(25);
/// (id, rev) announced lately, not announced twice.
const REMEMBERED: usize = 1000;
/// Only a submission this recent is news (a comment days later on an item still waiting, read
/// by a watcher that has just started, is not).
pub const FRESH_MS: i64 = 10 * 60 * 1000;
/// How often an idle stream checks that its session still holds.
pub const RECHECK: Duration = Duration::from_secs(300);
/// At most this many missed announcements are told to a page that reconnects.
pub(crate) const REPLAY: usize = 20;

/// (office, change-log number, item id).
pub(crate) type Heard = (i64, i64, String);

/// The process's announcer: the broadcast, the nudge, and the closing flag for shutdown.
pub struct Announcer {
    sender: broadcast::Sender<Heard>,
    nudge: Notify,
    started: AtomicBool,
    closing: watch::Sender<bool>,
}

impl Default for Announcer {
    fn default() -> Announcer {
        Announcer {
            sender: broadcast::channel(256).0,
            nudge: Notify::new(),
            started: AtomicBool::new(false),
            closing: watch::channel(false).0,
        }
    }
}

impl Announcer {
    /// Listens, starting the watcher on the first call.
    pub(crate) fn subscribe(self: &Arc<Self>, db: &Db) -> (broadcast::Receiver<Heard>, watch::Receiver<bool>) {
        let rx = self.sender.subscribe();
        if !self.started.swap(true, Ordering::SeqCst) {
            tokio::spawn(watch_log(Arc::downgrade(self), db.clone()));
        }
        (rx, self.closing.subscribe())
    }

    /// A push committed: look now, not at the next poll.
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// The server is shutting down: every stream ends (a held response would keep the graceful
    /// shutdown waiting for ever), and the pages reconnect to whichever server answers next.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

/// The change log's committed head.
pub(crate) async fn head(db: &Db) -> Result<i64, AppError> {
    Ok(sqlx::query("SELECT value FROM seq_counter WHERE id = 1").fetch_one(&db.pool).await?.try_get(0)?)
}

/// Urgent items freshly submitted in `(after, upto]` of the change log, of `office` or of every
/// office: (seq, office, id, rev).
pub(crate) async fn urgent_after(db: &Db, after: i64, upto: i64, office: Option<i64>) -> Result<Vec<(i64, i64, String, i64)>, AppError> {
    let mut sql = crate::db::Sql::new(
        "SELECT c.seq, i.office_id, i.id, i.rev FROM change_log c JOIN items i ON i.id = c.item_id \
         WHERE i.item_type = 'urgent' AND i.state = 'submitted' AND i.office_id IS NOT NULL AND c.seq > ",
    );
    sql.bind(after).push(" AND c.seq <= ").bind(upto).push(" AND i.updated_at >= ").bind(crate::db::now_ms() - FRESH_MS);
    if let Some(o) = office {
        sql.push(" AND i.office_id = ").bind(o);
    }
    sql.push(" ORDER BY c.seq LIMIT 500");
    let rows = sql.query(db.backend).fetch_all(&db.pool).await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))).collect()
}

async fn watch_log(announcer: std::sync::Weak<Announcer>, db: Db) {
    let mut last: Option<i64> = None;
    let mut recent: VecDeque<(String, i64)> = VecDeque::with_capacity(REMEMBERED);
    loop {
        let Some(a) = announcer.upgrade() else { return };
        // Looking costs a range of the change log's newest rows, listeners or not: no item
        // submitted just before a page connects is skipped.
        match look(&db, last, &a, &mut recent).await {
            Ok(seen) => last = Some(seen),
            Err(e) => tracing::warn!(error = ?e, "announcing urgent items"),
        }
        // At most one look per GAP; a nudge meanwhile is kept (a permit) and ends the wait at once.
        tokio::time::sleep(GAP).await;
        let _ = tokio::time::timeout(POLL, a.nudge.notified()).await;
    }
}

/// One look past `last` (from the head when there is none); the new last. A restored database
/// whose head is behind `last` is read from its head on.
async fn look(db: &Db, last: Option<i64>, a: &Announcer, recent: &mut VecDeque<(String, i64)>) -> Result<i64, AppError> {
    let upto = head(db).await?;
    let Some(after) = last.filter(|l| *l <= upto) else { return Ok(upto) };
    let found = urgent_after(db, after, upto, None).await?;
    let seen = if found.len() == 500 { found.last().map_or(upto, |f| f.0) } else { upto };
    for (seq, office, id, rev) in found {
        let key = (id, rev);
        if recent.contains(&key) {
            continue;
        }
        if recent.len() == REMEMBERED {
            recent.pop_front();
        }
        let id = key.0.clone();
        recent.push_back(key);
        let _ = a.sender.send((office, seq, id));
    }
    Ok(seen)
}

/// The event for one announcement: its id is its change-log number.
pub(crate) fn event(seq: i64, item_id: String) -> Option<Event> {
    Event::default().event("urgent").id(seq.to_string()).json_data(Announcement { item_id }).ok()
}
