//! The desk's inbox — the commissions the officer's unit is asked for and the leader
//! instructions on their items — fetched after every successful sync round and kept in
//! localStorage per account (sealed when local encryption is on), so the desk's notices and the commission picker read offline as of
//! the last sync.

use crate::api;
use xinbao_core::commissions::Inbox;

/// What was fetched, and when (ms).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Cached {
    pub at: f64,
    pub inbox: Inbox,
}

fn key(user: i64) -> String {
    format!("xinbao.inbox.u{user}")
}

/// The last inbox fetched for `user`, if any (sealed like the drafts: see `vault::put_local`).
pub fn cached(user: i64) -> Option<Cached> {
    crate::vault::get_local::<Cached>(&key(user))
}

/// Fetches the inbox and keeps it; the old copy stays when the network fails.
pub async fn refresh(user: i64) -> Result<Cached, api::ApiError> {
    let inbox = api::get_json::<Inbox>("/api/inbox").await?;
    let c = Cached { at: crate::util::now_ms(), inbox };
    // A full quota loses only this copy; the desk then shows the previous one.
    crate::vault::put_local(&key(user), &c);
    Ok(c)
}
