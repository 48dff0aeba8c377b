//! What every handler can reach: the one [`AppState`], and the parts of it a handler that needs
//! only one part takes (`State<Db>`, `State<Arc<Metrics>>`, …) so that the modules those parts
//! come from never name the whole.

use crate::config::Config;
use crate::db::Db;
use crate::metrics::Metrics;
use crate::ratelimit::AddrSlots;
use crate::tls::Tls;
use axum::extract::FromRef;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// A real argon2 hash of nothing in particular: checked when the user name is unknown, so
    /// a login attempt takes as long whether or not the account exists.
    pub dummy_hash: Arc<str>,
    /// This process's request and sync counters (`GET /metrics`).
    pub metrics: Arc<Metrics>,
    /// Login turns for addresses with many failures (`ratelimit::AddrSlots`).
    pub addr_slots: Arc<AddrSlots>,
    /// TLS, when the server terminates it (`--tls-cert`): the office CA for `/ca`.
    pub tls: Option<Arc<Tls>>,
    /// Urgent items announced to the section's open pages (`announce`).
    pub announcer: Arc<crate::announce::Announcer>,
    /// Sessions at the destinations that run Xinbao, and the nudge that forwards at once.
    pub forwarder: Arc<Forwarder>,
}

impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Db {
        state.db.clone()
    }
}

impl FromRef<AppState> for Arc<Config> {
    fn from_ref(state: &AppState) -> Arc<Config> {
        state.config.clone()
    }
}

impl FromRef<AppState> for Arc<Metrics> {
    fn from_ref(state: &AppState) -> Arc<Metrics> {
        state.metrics.clone()
    }
}

impl FromRef<AppState> for Option<Arc<Tls>> {
    fn from_ref(state: &AppState) -> Option<Arc<Tls>> {
        state.tls.clone()
    }
}

/// Sessions at the destinations `crate::forward` reaches, kept between rounds (a login costs the destination a password
/// hash and a session row), and the nudge that runs a round now.
#[derive(Default)]
pub struct Forwarder {
    cookies: Mutex<HashMap<String, String>>,
    pub(crate) nudge: tokio::sync::Notify,
    /// This server among those of one database: who holds a link's round.
    instance: std::sync::OnceLock<String>,
}

impl Forwarder {
    /// A forwarder for the server `config` describes. Its name for the leases of links' rounds
    /// is the same each time this server starts — a random id kept in its data directory
    /// (`server-id`), with its address — so a server restarted mid-round takes its link up
    /// again at once, and two servers of one database have different names. (A copied data
    /// directory copies the id: delete `server-id` in the copy.)
    pub fn for_server(config: &Config) -> Forwarder {
        use sha2::{Digest, Sha256};
        let file = config.data_dir.join("server-id");
        let kept = std::fs::read_to_string(&file).ok().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let id = kept.unwrap_or_else(|| {
            let fresh = crate::db::random_hex::<16>().unwrap_or_else(|_| format!("{:x}", crate::db::now_ms()));
            if let Err(e) = std::fs::write(&file, &fresh) {
                tracing::warn!(file = %file.display(), error = %e, "keeping this server's id (a restart waits out its leases)");
            }
            fresh
        });
        let seed = format!("{id}\n{}", config.addr);
        let name = Sha256::digest(seed.as_bytes()).iter().take(12).map(|b| format!("{b:02x}")).collect::<String>();
        let forwarder = Forwarder::default();
        let _ = forwarder.instance.set(name);
        forwarder
    }

    /// This server's name for the leases of links' rounds.
    pub(crate) fn instance(&self) -> &str {
        self.instance.get_or_init(|| crate::db::random_hex::<12>().unwrap_or_else(|_| format!("{:x}", crate::db::now_ms())))
    }

    /// Runs a round now (a batch was recorded).
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    pub(crate) fn cookie(&self, key: &str) -> Option<String> {
        self.cookies.lock().ok().and_then(|c| c.get(key).cloned())
    }

    pub(crate) fn set_cookie(&self, key: &str, cookie: Option<String>) {
        if let Ok(mut c) = self.cookies.lock() {
            match cookie {
                Some(v) => c.insert(key.to_owned(), v),
                None => c.remove(key),
            };
        }
    }
}
