//! Test harness: every test gets its own server state over a fresh database and calls the
//! router in-process.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;
use xinbao_core::role::Role;
use xinbao_server::Application;
use xinbao_server::accounts::{NewUser, ensure_unit, upsert_user};
use xinbao_server::config::Config;
use xinbao_server::db::Db;

static N: AtomicU32 = AtomicU32::new(0);

pub struct TestApp {
    pub app: Application,
    pub router: Router,
    pub dir: PathBuf,
}

/// With `XINBAO_TEST_PG` set (by `cargo xtask test`) every test gets a fresh PostgreSQL database
/// on that cluster; without it, SQLite in the test's data directory.
pub async fn fresh_database() -> Option<String> {
    let admin = std::env::var("XINBAO_TEST_PG").ok()?;
    // Random as well as numbered: a cluster kept between runs still holds the databases of
    // earlier ones, whose process ids come round again.
    let salt = xinbao_server::db::random_hex::<4>().unwrap_or_else(|e| panic!("{e:#}"));
    let name = format!("t_{}_{}_{salt}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    let db = Db::connect(&admin).await.unwrap_or_else(|e| panic!("connecting to the test cluster: {e:#}"));
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&db.pool).await.unwrap_or_else(|e| panic!("creating {name}: {e}"));
    db.pool.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin);
    Some(format!("{base}/{name}"))
}

/// A fresh, empty data directory unique to this test.
pub fn fresh_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xinbao-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::with_config(|_| {}).await
    }

    /// Stops this server (its pool closed, as a killed process's connections would be) and
    /// starts a new one on the same database.
    pub async fn restart(self) -> TestApp {
        let config = (*self.app.state.config).clone();
        self.app.state.db.pool.close().await;
        drop(self.router);
        drop(self.app);
        let app = Application::build(config).await.unwrap_or_else(|e| panic!("restarting the app: {e:#}"));
        let router = app.router();
        TestApp { app, router, dir: self.dir }
    }

    /// Starts a server on a database this test made before (after it was stopped and changed).
    pub async fn with_same_config(config: Config) -> TestApp {
        let dir = config.data_dir.clone();
        let app = Application::build(config).await.unwrap_or_else(|e| panic!("starting the app again: {e:#}"));
        let router = app.router();
        TestApp { app, router, dir }
    }

    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = fresh_dir();
        let mut config = Config::for_tests(dir.clone());
        config.database_url = fresh_database().await;
        adjust(&mut config);
        let app = Application::build(config).await.unwrap_or_else(|e| panic!("building the app: {e:#}"));
        let router = app.router();
        TestApp { app, router, dir }
    }

    /// Creates an officer (or any role) in a unit under the root office.
    pub async fn user(&self, username: &str, password: &str, role: Role, unit: &str) -> i64 {
        let db = &self.app.state.db;
        let root = xinbao_server::accounts::root_unit(db).await.ok().flatten().unwrap_or(0);
        let unit_id = ensure_unit(db, Some(root), unit, "township").await.unwrap_or_else(|e| panic!("{e}"));
        upsert_user(db, NewUser { username, display_name: username, role, unit_id, password, must_change_password: false })
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Creates an account in the given unit (e.g. an editor in the root office).
    pub async fn user_in(&self, username: &str, password: &str, role: Role, unit_id: i64) -> i64 {
        upsert_user(&self.app.state.db, NewUser { username, display_name: username, role, unit_id, password, must_change_password: false })
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The root office's id.
    pub async fn root(&self) -> i64 {
        xinbao_server::accounts::root_unit(&self.app.state.db).await.ok().flatten().unwrap_or_else(|| panic!("no root office"))
    }

    /// Creates a unit under `parent` (`office`, or `township` for a reporting unit).
    pub async fn unit(&self, parent: i64, name: &str, kind: &str) -> i64 {
        ensure_unit(&self.app.state.db, Some(parent), name, kind).await.unwrap_or_else(|e| panic!("{e}"))
    }

    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        self.router.clone().oneshot(req).await.unwrap_or_else(|e| match e {})
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value, cookie: Option<&str>) -> Response<Body> {
        let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/json").header("x-xinbao-client", "1");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(body.to_string())).unwrap_or_default()).await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Response<Body> {
        let mut b = Request::get(path);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).unwrap_or_default()).await
    }

    /// Uploads `bytes` as a photo (`PUT /api/attachments/{sha256}`): the answer's status and the
    /// photo's hash.
    pub async fn put_photo(&self, cookie: &str, bytes: &[u8]) -> (StatusCode, String) {
        use sha2::Digest;
        let hash: String = sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        let req = Request::put(format!("/api/attachments/{hash}"))
            .header("x-xinbao-client", "1")
            .header(header::COOKIE, cookie)
            .body(Body::from(bytes.to_vec()))
            .unwrap_or_default();
        (self.send(req).await.status(), hash)
    }

    /// Logs in and returns the `name=value` of the session cookie.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let res = self.post_json("/api/login", serde_json::json!({"username": username, "password": password}), None).await;
        assert_eq!(res.status(), StatusCode::OK, "login as {username}");
        session_cookie(&res).unwrap_or_else(|| panic!("no session cookie"))
    }
}

/// The `name=value` part of the response's session cookie.
pub fn session_cookie(res: &Response<Body>) -> Option<String> {
    res.headers().get(header::SET_COOKIE)?.to_str().ok()?.split(';').next().map(str::to_owned)
}

pub async fn json(res: Response<Body>) -> serde_json::Value {
    let bytes = res.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)
}

pub async fn text(res: Response<Body>) -> String {
    let bytes = res.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The body as far as it comes within `wait` (an event stream never ends by itself).
pub async fn bytes_within(res: Response<Body>, wait: std::time::Duration) -> Vec<u8> {
    use http_body_util::BodyExt;
    let mut body = res.into_body();
    let mut out = Vec::new();
    let read = async {
        while let Some(Ok(frame)) = body.frame().await {
            if let Ok(data) = frame.into_data() {
                out.extend_from_slice(&data);
            }
        }
    };
    let _ = tokio::time::timeout(wait, read).await;
    out
}

pub async fn bytes(res: Response<Body>) -> Vec<u8> {
    res.into_body().collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default()
}
