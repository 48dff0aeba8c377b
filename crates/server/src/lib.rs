//! The Xinbao endpoint: the HTTP API (axum), the database (sqlx over SQLite or PostgreSQL) and
//! the static app. Business rules come from `xinbao_core`; this crate is the shell around them.
//!
//! - [`state`]: `AppState`, what every handler can reach, and its parts by `FromRef`.
//! - [`config`]: the one typed configuration.
//! - [`db`]: the pool and the migrations.
//! - [`backup`]: online backup and restore of the SQLite database.
//! - [`auth`]: sessions, login, the `CurrentUser` extractor.
//! - [`accounts`]: units, accounts, passwords, the audit trail.
//! - [`web`]: serving the built app with the right cache headers.
//! - [`demo`]: first-start administrator and the demo county.
//! - [`quality`]: the `quality` command (the writing checks run over a corpus file).
//! - [`ratelimit`]: login rate limiting, stored in the database.
//! - [`office`]: the unit tree, whose office a unit is in, an administrator's scope.
//! - [`access`]: the read rule as SQL.
//! - [`items`]: the item repository.
//! - [`sync`]: push and pull, exactly once (docs/sync-protocol.md).
//! - [`adoption`]: publications, adoptions and leader instructions, what an item earned.
//! - [`scores`]: score events, closed periods, board rules, the scoreboard.
//! - [`scoring`]: the office's scoring table, classes, quotas, publications, recompute.
//! - [`notice`]: the monthly notice, issuing and reopening it.
//! - [`commissions`]: commissions and reporting priorities, answers, the desk's inbox.
//! - [`periodical`]: composing, publishing and exporting issues of the office's periodical.
//! - [`documents`]: Word and Excel files as offices expect them.
//! - [`seed`]: generated counties and provinces for tests and benchmarks.
//! - [`metrics`]: request, sync and queue numbers for Prometheus, at `/metrics`.
//! - [`migrate`]: `migrate-to`, copying an office from SQLite to PostgreSQL, verified.
//! - [`home`]: the information section's home page, and the urgent items announced to its open pages.
//! - [`announce`]: the announcer: one watcher of the change log per process, its broadcast.
//! - [`health`]: `/api/health`, `/healthz`, `/readyz`.
//! - [`cookies`]: the session cookies' names.
//! - [`openapi`]: the OpenAPI description of every endpoint, at `/api/openapi.json`.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod adoption;
pub mod announce;
pub mod auth;
pub mod backup;
pub mod commissions;
pub mod config;
pub mod cookies;
pub mod db;
pub mod demo;
pub mod documents;
pub mod error;
pub mod forward;
pub mod health;
pub mod home;
pub mod housekeeping;
pub mod items;
pub mod metrics;
pub mod migrate;
pub mod notice;
pub mod office;
pub mod openapi;
pub mod periodical;
pub mod photos;
pub mod quality;
pub mod ratelimit;
pub mod review;
pub mod scores;
pub mod scoring;
pub mod seed;
pub mod setup;
pub mod sheet;
pub mod signing;
pub mod state;
pub mod sync;
pub mod tls;
pub mod upward;
pub mod web;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use config::Config;
use db::Db;
use error::AppError;
pub use state::AppState;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use xinbao_core::api::ErrorCode;

/// The header every state-changing API request must carry. Browsers do not let another site
/// add it to a cross-origin request without a CORS preflight, which this server never grants:
/// with SameSite=Strict cookies it closes CSRF.
pub const CLIENT_HEADER: &str = "x-xinbao-client";

async fn require_client_header(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !req.headers().contains_key(CLIENT_HEADER) {
        return AppError::refused(ErrorCode::Forbidden).into_response();
    }
    next.run(req).await
}

async fn api_not_found() -> AppError {
    AppError::refused(ErrorCode::NotFound)
}

/// The whole HTTP surface: `/api/*` and, for everything else, the app. Each module declares its
/// routes once (`routes()`, from its handlers' `#[utoipa::path]`); the OpenAPI document served at
/// `/api/openapi.json` is collected from the same routes.
pub fn router(state: AppState) -> Router {
    let (api, mut doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(health::routes())
        .merge(auth::routes())
        .merge(admin::routes())
        .merge(setup::routes())
        .merge(sync::routes())
        .merge(review::routes())
        .merge(sheet::routes())
        .merge(home::routes())
        .merge(photos::routes())
        .merge(adoption::routes())
        .merge(scores::routes())
        .merge(notice::routes())
        .merge(commissions::routes())
        .merge(periodical::routes())
        .merge(scoring::routes())
        .merge(signing::routes())
        .merge(upward::routes())
        .split_for_parts();
    let (probes, probes_doc) = health::probes().split_for_parts();
    doc.merge(probes_doc);
    let doc = Arc::new(doc);
    let api = api
        .route("/api/openapi.json", get(move || std::future::ready(Json(doc.as_ref().clone()))))
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .layer(middleware::from_fn(require_client_header))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes));
    let static_dir = state.config.static_dir.clone();
    Router::new()
        .merge(probes)
        .route("/ca", get(tls::ca_page))
        .route("/ca.crt", get(tls::ca_file))
        .route("/ca.pem", get(tls::ca_file))
        .merge(api)
        .fallback_service(web::app_files(&static_dir))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(middleware::from_fn(web::cache_headers))
        .layer(middleware::from_fn(web::security_headers))
        .layer(CompressionLayer::new())
        // A bug that panics in a handler answers 500 like any internal error (and is logged)
        // instead of dropping the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            AppError::Internal(anyhow::anyhow!("a request handler panicked")).into_response()
        }))
        .layer(middleware::from_fn_with_state(state.clone(), tls::to_https))
        .layer(middleware::from_fn(tls::transport))
        .with_state(state)
}

/// A server bound to its address and ready to run (zero2prod's `Application`): tests bind port
/// 0 and read the port back.
pub struct Application {
    listener: TcpListener,
    router: Router,
    pub state: AppState,
}

impl Application {
    /// Connects, migrates, creates the first administrator if the database is empty, and binds.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let db = Db::connect(&config.database_url()?).await?;
        db.migrate().await?;
        if let Some(password) = demo::ensure_admin(&db).await? {
            println!("\n  首次启动：已创建管理员账号 First start: administrator created");
            println!("    用户名 user name: admin");
            println!("    一次性密码 one-time password: {password}");
            println!("    （只显示这一次，首次登录后须修改 / shown once; change it at first login）\n");
        }
        if !config.static_dir.join("index.html").is_file() {
            tracing::warn!(dir = %config.static_dir.display(), "no built app found: run `cargo xtask serve` to build it");
        }
        let dummy_hash: Arc<str> = accounts::hash_password("xinbao-dummy")?.into();
        let tls = config.tls.as_ref().map(tls::Tls::load).transpose()?.map(Arc::new);
        let state = AppState {
            db,
            config: Arc::new(config.clone()),
            dummy_hash,
            metrics: Arc::default(),
            addr_slots: Arc::default(),
            tls,
            announcer: Arc::default(),
            forwarder: Arc::new(state::Forwarder::for_server(&config)),
        };
        if config.demo {
            let accounts = demo::load_demo(&state).await?;
            println!("\n  演示数据已载入 Demo county loaded — accounts (passwords are new on every --demo start):");
            for a in accounts {
                println!("    {:<10} {:<14} {:<8} {} · {}", a.username, a.password, a.role.label().zh, a.display_name, a.unit);
            }
            println!();
        }
        let listener = TcpListener::bind(config.addr).await?;
        Ok(Application { listener, router: router(state.clone()), state })
    }

    /// The router, for tests that call it in-process.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until SIGINT/SIGTERM, then lets requests in flight finish.
    pub async fn run(self) -> anyhow::Result<()> {
        let addr = self.listener.local_addr()?;
        // Tests and the xtask wait for this exact line.
        println!("listening on http://{addr}");
        // Commissions whose deadline has passed are closed (and their missed units scored) within
        // a minute; every server process may do it, the database lets one win.
        let state = self.state.clone();
        let closer = tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            let mut minutes = 0u64;
            loop {
                tick.tick().await;
                if let Err(e) = commissions::close_due(&state).await {
                    tracing::warn!(error = ?e, "closing due commissions");
                }
                // Hourly: orphaned photos, old conflict rows and login counters go.
                if minutes.is_multiple_of(60) {
                    match housekeeping::sweep(&state.db).await {
                        Ok(swept) => tracing::info!(?swept, "housekeeping"),
                        Err(e) => tracing::warn!(error = ?e, "housekeeping"),
                    }
                }
                minutes += 1;
            }
        });
        // 上报 to destinations that run Xinbao goes out, and what they did comes back.
        let forwarder = tokio::spawn(forward::run(self.state.clone()));
        if self.state.tls.is_some() {
            println!("  https on the same port: https://{addr}  ·  单位证书安装页 office certificate: http://{addr}/ca");
        }
        let listener = tls::OfficeListener::new(self.listener, self.state.tls.clone())?;
        let service = self.router.into_make_service_with_connect_info::<tls::Peer>();
        let announcer = self.state.announcer.clone();
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                shutdown_signal().await;
                // Held announcement streams end, or the shutdown would wait for them.
                announcer.close();
            })
            .await?;
        closer.abort();
        forwarder.abort();
        self.state.db.pool.close().await;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
