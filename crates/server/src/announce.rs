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

use crate::auth::{CurrentUser, session_still};
use crate::db::Db;
use crate::error::AppError;
use crate::office::section_office;
use crate::state::AppState;
use axum::extract::State;
use axum::http::request::Parts;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use sqlx::Row;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, broadcast, watch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
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
const REPLAY: usize = 20;

/// (office, change-log number, item id).
type Heard = (i64, i64, String);

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
    fn subscribe(self: &Arc<Self>, db: &Db) -> (broadcast::Receiver<Heard>, watch::Receiver<bool>) {
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
async fn head(db: &Db) -> Result<i64, AppError> {
    Ok(sqlx::query("SELECT value FROM seq_counter WHERE id = 1").fetch_one(&db.pool).await?.try_get(0)?)
}

/// Urgent items freshly submitted in `(after, upto]` of the change log, of `office` or of every
/// office: (seq, office, id, rev).
async fn urgent_after(db: &Db, after: i64, upto: i64, office: Option<i64>) -> Result<Vec<(i64, i64, String, i64)>, AppError> {
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
fn event(seq: i64, item_id: String) -> Option<Event> {
    Event::default().event("urgent").id(seq.to_string()).json_data(Announcement { item_id }).ok()
}

/// `GET /api/review/announcements`: server-sent events for the office's editors and signers, one
/// `urgent` event ([`Announcement`]) for each urgent item submitted to the office while the
/// page listens. Idle, a comment every 25 s.
#[utoipa::path(get, path = "/api/review/announcements", tag = "review",
    responses((status = 200, content_type = "text/event-stream", body = Announcement), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn announcements(State(state): State<AppState>, parts: Parts, CurrentUser(me): CurrentUser) -> Result<Response, AppError> {
    let office = section_office(&state, &me).await?;
    let (rx, closing) = state.announcer.subscribe(&state.db);
    // Reconnecting after a dropped line: what was announced since the last event it had.
    let missed_since = parts.headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok());
    let mut missed: VecDeque<(i64, String)> = VecDeque::new();
    if let Some(after) = missed_since.filter(|n| *n >= 0) {
        let upto = head(&state.db).await?;
        let mut found = urgent_after(&state.db, after, upto, Some(office)).await?;
        let skip = found.len().saturating_sub(REPLAY);
        missed.extend(found.drain(skip..).map(|(seq, _, id, _)| (seq, id)));
    }
    let told = missed.back().map_or(i64::MIN, |m| m.0);
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + RECHECK, RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let start = Stream { rx, closing, state, parts, missed, told, recheck };
    let stream = futures_util::stream::unfold(start, move |mut st| async move {
        loop {
            if *st.closing.borrow() {
                return None;
            }
            let (seq, id) = match st.missed.pop_front() {
                Some(m) => m,
                None => {
                    let got = tokio::select! {
                        _ = st.closing.changed() => return None,
                        _ = st.recheck.tick() => {
                            // A session that ended while nothing was announced ends its stream
                            // too (a failed read is asked again next time, not taken for a no).
                            if st.still(me.user_id, office).await == Some(false) {
                                return None;
                            }
                            continue;
                        }
                        got = st.rx.recv() => got,
                    };
                    match got {
                        Ok((o, seq, id)) if o == office && seq > st.told => (seq, id),
                        Ok(_) => continue,
                        // Fell behind (hundreds at once): nothing is said for them; the page's
                        // home and queue show them.
                        Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            };
            // Still this person, still signed in, still of this office's section.
            if st.still(me.user_id, office).await != Some(true) {
                return None;
            }
            let event = event(seq, id)?;
            return Some((Ok::<_, Infallible>(event), st));
        }
    });
    let sse = Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE));
    // nginx passes it on as it comes instead of buffering it.
    Ok(([("x-accel-buffering", "no")], sse).into_response())
}

/// One held stream's state.
struct Stream {
    rx: broadcast::Receiver<Heard>,
    closing: watch::Receiver<bool>,
    state: AppState,
    parts: Parts,
    /// Announcements missed while disconnected, told first.
    missed: VecDeque<(i64, String)>,
    /// The last change-log number told from `missed` (the broadcast may carry it again).
    told: i64,
    recheck: tokio::time::Interval,
}

impl Stream {
    async fn still(&self, user: i64, office: i64) -> Option<bool> {
        session_still(&self.state, &self.parts, user, office).await
    }
}

/// This module's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(announcements))
}
