//! The one typed configuration, filled from flags and environment variables by `main`.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen. Port 0 picks a free port (tests).
    pub addr: SocketAddr,
    /// Where the SQLite database (and later attachments and backups) live.
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL; `None` means SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// The built app (`dist/`, written by `cargo xtask build`).
    pub static_dir: PathBuf,
    /// Load the demo county on start.
    pub demo: bool,
    /// Mark the session cookie `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Browsers seal drafts, the outbox and photos at rest under the officer's password.
    pub local_encryption: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`): the client's
    /// address for login throttling. Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<crate::ratelimit::Cidr>,
    /// Serve https (and plain http on the same port, redirected) with this certificate chain
    /// and key (`--tls-cert`, `--tls-key`; `xinbao-server tls-init` makes them).
    pub tls: Option<TlsFiles>,
    /// How often 上报 to destinations that run Xinbao is pushed and what came back pulled,
    /// besides at once after each batch (`--forward-every`, seconds).
    pub forward_every: std::time::Duration,
}

impl Config {
    /// The database URL: the explicit one, or SQLite in the data directory (created if needed).
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)?;
        Ok(format!("sqlite://{}?mode=rwc", self.data_dir.join("xinbao.db").display()))
    }

    /// A configuration for tests: port 0, SQLite in `data_dir`, no app files.
    pub fn for_tests(data_dir: PathBuf) -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            static_dir: data_dir.join("no-dist"),
            data_dir,
            database_url: None,
            demo: false,
            secure_cookies: false,
            max_body_bytes: 2 * 1024 * 1024,
            local_encryption: false,
            trusted_proxies: Vec::new(),
            tls: None,
            forward_every: std::time::Duration::from_secs(20),
        }
    }
}

/// The certificate chain and key the server presents (`--tls-cert`, `--tls-key`).
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}
