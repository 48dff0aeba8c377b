//! Announcing urgent items to the information section's open pages, within seconds.
//!
//! - **One watcher per server process**, not one per client: while anyone listens, it reads the
//!   change log past the last sequence number it saw, for urgent items now `submitted`, and
//!   broadcasts each one's (office, id) in-process. It looks when a push on this server commits
//!   (a nudge, so an urgent item pushed here is announced at once) and at least every
//!   [`POLL`] (plus the [`GAP`] between two looks: an item pushed to another server on the same database). The change log's
//!   numbers are taken under one row lock (`seq_counter`), so a committed head means every
//!   smaller number is committed: nothing is skipped.
//! - **One held response per listening page** (`GET /api/review/announcements`, server-sent
//!   events): it waits on the broadcast and costs nothing while idle but its socket and a
//!   comment every [`KEEP_ALIVE`] (which keeps proxies from closing it). Each announcement is
//!   sent only after the session is checked again, so a logged-out, reset or disabled account's
//!   open page stops hearing.
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
/// Ids announced lately, not announced twice (the same item changed again while submitted).
const REMEMBERED: usize = 1000;

/// The process's announcer: the broadcast, the nudge, and the closing flag for shutdown.
pub struct Announcer {
    sender: broadcast::Sender<(i64, String)>,
    nudge: Notify,
    started: AtomicBool,
    closing: watch::Sender<bool>,
}

impl Default for Announcer {
    fn default() -> Announcer {
        Announcer { sender: broadcast::channel(256).0, nudge: Notify::new(), started: AtomicBool::new(false), closing: watch::channel(false).0 }
    }
}

impl Announcer {
    /// Listens, starting the watcher on the first call.
    fn subscribe(self: &Arc<Self>, db: &Db) -> (broadcast::Receiver<(i64, String)>, watch::Receiver<bool>) {
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

    /// Pages listening now.
    pub fn listeners(&self) -> usize {
        self.sender.receiver_count()
    }
}

/// The change log's committed head.
async fn head(db: &Db) -> Result<i64, AppError> {
    Ok(sqlx::query("SELECT value FROM seq_counter WHERE id = 1").fetch_one(&db.pool).await?.try_get(0)?)
}

/// Urgent items submitted in `(after, upto]` of the change log: (seq, office, id).
async fn urgent_after(db: &Db, after: i64, upto: i64) -> Result<Vec<(i64, i64, String)>, AppError> {
    let rows = sqlx::query(
        "SELECT c.seq, i.office_id, i.id FROM change_log c JOIN items i ON i.id = c.item_id \
         WHERE c.seq > $1 AND c.seq <= $2 AND i.item_type = 'urgent' AND i.state = 'submitted' AND i.office_id IS NOT NULL \
         ORDER BY c.seq LIMIT 500",
    )
    .bind(after)
    .bind(upto)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect()
}

async fn watch_log(announcer: std::sync::Weak<Announcer>, db: Db) {
    let mut last: Option<i64> = None;
    let mut recent: VecDeque<String> = VecDeque::with_capacity(REMEMBERED);
    loop {
        let Some(a) = announcer.upgrade() else { return };
        if a.listeners() == 0 {
            // Nobody listens: no reading; a page that connects later reads the home page.
            last = None;
        } else {
            match look(&db, last, &a, &mut recent).await {
                Ok(seen) => last = Some(seen),
                Err(e) => tracing::warn!(error = ?e, "announcing urgent items"),
            }
        }
        // At most one look per GAP; a nudge meanwhile is kept (a permit) and ends the wait at once.
        tokio::time::sleep(GAP).await;
        let _ = tokio::time::timeout(POLL, a.nudge.notified()).await;
    }
}

/// One look past `last` (from the head when there is none); the new last.
async fn look(db: &Db, last: Option<i64>, a: &Announcer, recent: &mut VecDeque<String>) -> Result<i64, AppError> {
    let upto = head(db).await?;
    let Some(after) = last else { return Ok(upto) };
    let found = urgent_after(db, after, upto).await?;
    let seen = if found.len() == 500 { found.last().map_or(upto, |f| f.0) } else { upto };
    for (_, office, id) in found {
        if recent.contains(&id) {
            continue;
        }
        if recent.len() == REMEMBERED {
            recent.pop_front();
        }
        recent.push_back(id.clone());
        let _ = a.sender.send((office, id));
    }
    Ok(seen)
}

/// `GET /api/review/announcements`: server-sent events for the office's editors and signers, one
/// `urgent` event ([`Announcement`]) for each urgent item submitted to the office while the
/// page listens. Idle, a comment every 25 s.
#[utoipa::path(get, path = "/api/review/announcements", tag = "review",
    responses((status = 200, content_type = "text/event-stream", body = Announcement), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn announcements(State(state): State<AppState>, parts: Parts, CurrentUser(me): CurrentUser) -> Result<Response, AppError> {
    let office = section_office(&state, &me).await?;
    let (rx, closing) = state.announcer.subscribe(&state.db);
    let stream = futures_util::stream::unfold((rx, closing, state, parts), move |(mut rx, mut closing, state, parts)| async move {
        loop {
            if *closing.borrow() {
                return None;
            }
            let got = tokio::select! {
                _ = closing.changed() => return None,
                got = rx.recv() => got,
            };
            let id = match got {
                Ok((o, id)) if o == office => id,
                Ok(_) => continue,
                // Fell behind (hundreds at once): nothing is said for them; the page's home
                // and queue show them.
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            // Still this person, still signed in, still of this office's section.
            if !session_still(&state, &parts, me.user_id, office).await {
                return None;
            }
            let event = Event::default().event("urgent").json_data(Announcement { item_id: id }).ok()?;
            return Some((Ok::<_, Infallible>(event), (rx, closing, state, parts)));
        }
    });
    let sse = Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE));
    // nginx passes it on as it comes instead of buffering it.
    Ok(([("x-accel-buffering", "no")], sse).into_response())
}

/// This module's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(announcements))
}
