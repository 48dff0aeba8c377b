//! First start, the demo county, and how the app's files are served.

use crate::common::{TestApp, json, text};
use axum::http::StatusCode;
use sqlx::Row;
use xinbao_server::db::Backend;
use xinbao_server::demo;

async fn count(t: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(&t.app.state.db.pool).await.and_then(|r| r.try_get(0)).unwrap_or(-1)
}

#[tokio::test]
async fn an_empty_database_gets_one_administrator_who_must_change_the_password() {
    let t = TestApp::spawn().await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND must_change_password = 1").await, 1);
    // A second start finds the account and creates no other.
    assert_eq!(demo::ensure_admin(&t.app.state.db).await.ok().flatten(), None);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn the_demo_county_loads_once_with_an_account_for_every_role() {
    let t = TestApp::spawn().await;
    let first = demo::load_demo(&t.app.state).await.unwrap_or_else(|e| panic!("{e:#}"));
    let again = demo::load_demo(&t.app.state).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(first.len(), again.len());
    // This month's items: every corpus item, once, a commission's answer and a 续报. Before them,
    // three months of settled items, so the scoreboard's other periods and the trend have content.
    let month_start = {
        let (y, m, _) = xinbao_core::scores::ymd(xinbao_core::scores::day_of(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64),
        ));
        xinbao_core::scores::day_start_ms(xinbao_core::scores::from_ymd(y, m, 1))
    };
    let total = count(&t, "SELECT COUNT(*) FROM items").await;
    let past = count(&t, &format!("SELECT COUNT(*) FROM items WHERE created_at < {month_start}")).await;
    assert_eq!(total - past, 32);
    assert!(past >= 66, "two or more items a month from each of the 11 officers: {past}");
    assert!(count(&t, "SELECT COUNT(DISTINCT month) FROM score_months").await >= 4, "points in four months");
    // They arrived the way real ones do: each with its office, revisions and change log, spread
    // over an item's life, so the review desk has work on it.
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items WHERE office_id IS NULL").await, 0);
    assert_eq!(count(&t, "SELECT COUNT(DISTINCT item_id) FROM change_log").await, total);
    assert_eq!(count(&t, "SELECT COUNT(DISTINCT item_id) FROM item_revisions").await, total);
    for state in ["submitted", "screening", "returned", "editing", "awaiting_sign_off", "signed"] {
        assert!(count(&t, &format!("SELECT COUNT(*) FROM items WHERE state = '{state}'")).await >= 1, "{state}");
    }
    assert!(count(&t, "SELECT COUNT(*) FROM comments").await >= 1);
    // After sign-off: a published issue of the county periodical, adoptions at two levels with
    // their points, a leader's instruction with its feedback.
    assert_eq!(count(&t, "SELECT COUNT(*) FROM issues WHERE state = 'published'").await, 4, "one a month, this one included");
    assert!(count(&t, "SELECT COUNT(DISTINCT publication_id) FROM adoptions").await >= 2);
    assert!(count(&t, "SELECT COUNT(*) FROM score_events WHERE rule <> 'submission'").await >= 4);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM instructions WHERE feedback IS NOT NULL").await, 1);
    // A commission asking two townships, one of which answered; an urgent report and its 续报一.
    assert_eq!(count(&t, "SELECT COUNT(*) FROM commission_answers").await, 1);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items WHERE title LIKE '（续报一）%' AND item_type = 'urgent'").await, 1);
    let editor = again.iter().find(|a| a.username == "editor").map(|a| a.password.clone()).unwrap_or_default();
    let cookie = t.login("editor", &editor).await;
    let queue = json(t.get("/api/review/queue?limit=500", Some(&cookie)).await).await;
    assert_eq!(queue.as_array().map(Vec::len), Some(total as usize), "the editor's queue holds every demo item");
    let pulled =
        json(t.post_json("/api/sync/pull", serde_json::json!({"client_id": format!("{:032x}", 7), "cursor": 0}), Some(&cookie)).await)
            .await;
    assert!(pulled["changes"].as_array().map(Vec::len).unwrap_or(0) >= 32, "and the editor's desk pulls them");
    for role in ["officer", "editor", "signer", "reader", "admin"] {
        assert!(count(&t, &format!("SELECT COUNT(*) FROM users WHERE role = '{role}'")).await >= 1, "{role}");
    }
    // The printed passwords are the ones that work.
    let officer = again.iter().find(|a| a.username == "officer2").map(|a| a.password.clone()).unwrap_or_default();
    let cookie = t.login("officer2", &officer).await;
    assert_eq!(json(t.get("/api/me", Some(&cookie)).await).await["unit_name"], "兰州湾镇");
}

#[tokio::test]
async fn the_database_acknowledges_only_durable_commits() {
    let t = TestApp::spawn().await;
    let mut conn = t.app.state.db.pool.acquire().await.unwrap_or_else(|e| panic!("{e}"));
    match t.app.state.db.backend {
        Backend::Sqlite => {
            let mode: String =
                sqlx::query("PRAGMA journal_mode").fetch_one(&mut *conn).await.and_then(|r| r.try_get(0)).unwrap_or_default();
            let sync: i64 = sqlx::query("PRAGMA synchronous").fetch_one(&mut *conn).await.and_then(|r| r.try_get(0)).unwrap_or(-1);
            assert_eq!(mode.to_lowercase(), "wal");
            assert_eq!(sync, 2, "synchronous=FULL");
        }
        Backend::Postgres => {
            let sync: String =
                sqlx::query("SHOW synchronous_commit").fetch_one(&mut *conn).await.and_then(|r| r.try_get(0)).unwrap_or_default();
            assert_eq!(sync, "on");
        }
    }
}

#[tokio::test]
async fn app_routes_get_index_html_and_hashed_assets_are_immutable() {
    let t = TestApp::with_config(|c| {
        let dist = c.data_dir.join("dist");
        std::fs::create_dir_all(&dist).unwrap_or_default();
        std::fs::write(dist.join("index.html"), "<!doctype html><title>信报</title>").unwrap_or_default();
        std::fs::write(dist.join("xinbao-0123456789abcdef_bg.wasm"), b"\0asm").unwrap_or_default();
        std::fs::write(dist.join("sw.js"), "self.addEventListener('fetch', () => {});").unwrap_or_default();
        c.static_dir = dist;
    })
    .await;
    let deep = t.get("/drafts/abc", None).await;
    assert_eq!(deep.status(), StatusCode::OK);
    assert_eq!(deep.headers()["cache-control"], "no-cache");
    assert!(text(deep).await.contains("信报"));

    let wasm = t.get("/xinbao-0123456789abcdef_bg.wasm", None).await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()["cache-control"], "public, max-age=31536000, immutable");

    let sw = t.get("/sw.js", None).await;
    assert_eq!(sw.headers()["cache-control"], "no-cache");

    let api = t.get("/api/nothing-here", None).await;
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    assert_eq!(api.headers()["cache-control"], "no-store");
    assert_eq!(json(api).await["code"], "not_found");
}

#[tokio::test]
async fn health_reports_the_database_and_migrations() {
    let t = TestApp::spawn().await;
    let res = t.get("/api/health", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = json(res).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["migrations_current"], true);
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_with_the_shared_types() {
    let t = TestApp::spawn().await;
    let res = t.get("/api/openapi.json", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc = json(res).await;
    assert!(doc["openapi"].as_str().unwrap_or_default().starts_with("3."));
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for (path, method) in [
        ("/api/health", "get"),
        ("/api/login", "post"),
        ("/api/logout", "post"),
        ("/api/me", "get"),
        ("/api/password", "post"),
        ("/api/sync/push", "post"),
        ("/api/sync/pull", "post"),
        ("/api/admin/users/{id}/revoke-sessions", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is not described");
    }
    let schemas = doc["components"]["schemas"].as_object().cloned().unwrap_or_default();
    for name in ["PushRequest", "PushResponse", "Mutation", "Outcome", "PullResponse", "ItemSnapshot", "DraftContent", "ErrorBody", "Me"] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let t = TestApp::spawn().await;
    for path in ["/api/health", "/api/me", "/drafts/abc"] {
        let res = t.get(path, None).await;
        let h = res.headers();
        let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(h.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"), "{path}");
        assert_eq!(h.get("referrer-policy").and_then(|v| v.to_str().ok()), Some("no-referrer"), "{path}");
    }
}

#[tokio::test]
async fn liveness_and_readiness_answer_for_load_balancers() {
    let t = TestApp::spawn().await;
    let alive = t.get("/healthz", None).await;
    assert_eq!(alive.status(), StatusCode::OK);
    let ready = t.get("/readyz", None).await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(json(ready).await["migrations_current"], true);
    // A database whose schema is behind this binary is not ready.
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
        .execute(&t.app.state.db.pool)
        .await
        .unwrap_or_default();
    let behind = t.get("/readyz", None).await;
    assert_eq!(behind.status(), StatusCode::SERVICE_UNAVAILABLE);
    t.app.state.db.pool.close().await;
    assert_eq!(t.get("/readyz", None).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(t.get("/healthz", None).await.status(), StatusCode::OK);
}

mod https {
    //! HTTPS on an intranet address (issue 20): `tls-init` makes an office CA and a server
    //! certificate; the server answers TLS and plain http on one port; plain http on anything
    //! but localhost is redirected, except the certificate page.

    use crate::common::{TestApp, fresh_dir};
    use std::net::IpAddr;
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio_rustls::rustls;
    use xinbao_server::tls::{self, TlsFiles};

    /// One HTTP/1.1 request over `stream`; the whole answer as text.
    async fn exchange<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(mut stream: S, path: &str, host: &str) -> Vec<u8> {
        let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        stream.write_all(req.as_bytes()).await.expect("writing the request");
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out).await;
        out
    }

    fn head(answer: &[u8]) -> String {
        let text = String::from_utf8_lossy(answer);
        text.split("\r\n\r\n").next().unwrap_or_default().to_owned()
    }

    #[allow(deprecated)]
    fn client(ca_pem: &std::path::Path) -> tokio_rustls::TlsConnector {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(ca_pem).expect("reading the CA") {
            roots.add(c.expect("a PEM certificate")).expect("a CA certificate");
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        tokio_rustls::TlsConnector::from(Arc::new(config))
    }

    async fn https_get(connector: &tokio_rustls::TlsConnector, port: u16, name: &str, path: &str) -> std::io::Result<Vec<u8>> {
        let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
        let server_name = rustls_pki_types::ServerName::try_from(name.to_owned()).expect("a server name");
        let tls = connector.connect(server_name, tcp).await?;
        Ok(exchange(tls, path, &format!("{name}:{port}")).await)
    }

    #[tokio::test]
    async fn without_tls_plain_http_on_an_intranet_address_is_served_as_it_is() {
        let t = TestApp::spawn().await;
        let port = t.app.port();
        tokio::spawn(t.app.run());
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        let answer = head(&exchange(tcp, "/api/me", &format!("10.1.2.3:{port}")).await).to_ascii_lowercase();
        assert!(answer.starts_with("http/1.1 401") && !answer.contains("x-xinbao-https"), "{answer}");
        // The page marks the browser as one that may keep drafts at this http address: when
        // TLS is turned on later, it is not sent away from them.
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        let page = head(&exchange(tcp, "/login", &format!("10.1.2.3:{port}")).await).to_ascii_lowercase();
        assert!(page.contains("set-cookie: xinbao_http=1; path=/; max-age=315360000"), "{page}");
    }

    #[tokio::test]
    async fn the_office_ca_makes_https_work_on_the_intranet_name_and_address_and_plain_http_is_sent_there() {
        let dir = fresh_dir().join("tls");
        let ips: Vec<IpAddr> = vec!["10.1.2.3".parse().expect("ip"), "127.0.0.1".parse().expect("ip")];
        let issued = tls::init(&dir, "林双县人民政府办公室", &["xinbao.intranet".to_owned()], &ips, false).expect("tls-init");
        // The key is its owner's alone; the CA's key is nowhere.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&issued.server_key).expect("key").permissions().mode();
            assert_eq!(mode & 0o077, 0, "server.key must not be readable by others: {mode:o}");
        }
        let names: Vec<String> =
            std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names.len(), 3, "{names:?}");
        let pem_files = names.iter().map(|n| std::fs::read_to_string(dir.join(n)).unwrap_or_default()).collect::<String>();
        assert_eq!(pem_files.matches("-----BEGIN PRIVATE KEY-----").count(), 1, "the server's key only");
        // Made once: running it again would strand every PC that installed the CA.
        let again = tls::init(&dir, "x", &["xinbao.intranet".to_owned()], &[], false).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(again.contains("--force"), "{again}");
        assert!(tls::init(&fresh_dir(), "x", &[], &[], false).is_err(), "a certificate names the server");

        let files = TlsFiles { cert: issued.server_cert.clone(), key: issued.server_key.clone() };
        let t = TestApp::with_config(|c| c.tls = Some(files)).await;
        let port = t.app.port();
        let root = t.root().await;
        t.user_in("lzw", "Chunfeng-2026", xinbao_core::role::Role::Officer, root).await;
        tokio::spawn(t.app.run());

        // A client that never speaks holds up no one (handshakes run on their own).
        let _silent = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");

        let trusting = client(&issued.ca_cert);
        for name in ["xinbao.intranet", "127.0.0.1"] {
            let answer = https_get(&trusting, port, name, "/healthz").await.expect("https with the office CA");
            assert!(head(&answer).starts_with("HTTP/1.1 200"), "{name}: {}", head(&answer));
        }
        // The CA is not trusted by a client that has not installed it (another office's CA).
        let other = tls::init(&fresh_dir().join("other"), "x", &["xinbao.intranet".to_owned()], &[], false).expect("another CA");
        assert!(https_get(&client(&other.ca_cert), port, "xinbao.intranet", "/healthz").await.is_err());
        // Logged in over https, the session cookie is Secure; over plain http (localhost, or an
        // intranet page still sending what it keeps there) it is not, or the browser would drop it.
        let body = r#"{"username":"lzw","password":"Chunfeng-2026"}"#;
        let login = format!(
            "POST /api/login HTTP/1.1\r\nHost: {{host}}\r\nContent-Type: application/json\r\nX-Xinbao-Client: 1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        let server_name = rustls_pki_types::ServerName::try_from("xinbao.intranet".to_owned()).expect("name");
        let mut tls_stream = trusting.connect(server_name, tcp).await.expect("handshake");
        tls_stream.write_all(login.replace("{host}", "xinbao.intranet").as_bytes()).await.expect("write");
        let mut answer = Vec::new();
        let _ = tls_stream.read_to_end(&mut answer).await;
        let answer = head(&answer).to_ascii_lowercase();
        assert!(
            answer.starts_with("http/1.1 200") && answer.contains("set-cookie: __secure-xinbao_session=") && answer.contains("; secure"),
            "{answer}"
        );
        let mut http_session = String::new();
        for host in [format!("127.0.0.1:{port}"), format!("10.1.2.3:{port}")] {
            let mut tcp = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
            tcp.write_all(login.replace("{host}", &host).as_bytes()).await.expect("write");
            let mut answer = Vec::new();
            let _ = tcp.read_to_end(&mut answer).await;
            let answer = head(&answer);
            assert!(answer.starts_with("HTTP/1.1 200") && !answer.to_ascii_lowercase().contains("; secure"), "{host}: {answer}");
            http_session = answer
                .lines()
                .filter_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
                .find(|c| c.starts_with("xinbao_session="))
                .and_then(|c| c.split(';').next())
                .unwrap_or("")
                .to_owned();
        }
        // A session made over plain http is not a session over https.
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        let server_name = rustls_pki_types::ServerName::try_from("xinbao.intranet".to_owned()).expect("name");
        let mut tls_stream = trusting.connect(server_name, tcp).await.expect("handshake");
        let me = format!("GET /api/me HTTP/1.1\r\nHost: xinbao.intranet\r\nCookie: {http_session}\r\nConnection: close\r\n\r\n");
        tls_stream.write_all(me.as_bytes()).await.expect("write");
        let mut answer = Vec::new();
        let _ = tls_stream.read_to_end(&mut answer).await;
        assert!(!http_session.is_empty() && head(&answer).starts_with("HTTP/1.1 401"), "{http_session}: {}", head(&answer));
        // Nor for a name it was not made for.
        assert!(https_get(&trusting, port, "mail.example.gov", "/healthz").await.is_err());

        // Plain http on the same port: an intranet address is sent to https, same host and port.
        let plain = |path: &'static str, host: String| async move {
            exchange(TcpStream::connect(("127.0.0.1", port)).await.expect("connect"), path, &host).await
        };
        let answer = head(&plain("/review?state=submitted", format!("10.1.2.3:{port}")).await).to_ascii_lowercase();
        assert!(answer.starts_with("http/1.1 307"), "{answer}");
        assert!(answer.contains(&format!("location: https://10.1.2.3:{port}/review?state=submitted")), "{answer}");
        assert!(answer.contains("cache-control: no-store"), "a redirect nobody's browser keeps: {answer}");
        // The API is answered over http (a tab open there still sends its outbox), saying where
        // https is.
        let api = head(&plain("/api/me", format!("10.1.2.3:{port}")).await).to_ascii_lowercase();
        assert!(api.starts_with("http/1.1 401"), "{api}");
        assert!(api.contains(&format!("x-xinbao-https: https://10.1.2.3:{port}/")), "{api}");
        // A browser that was served at this http address before gets the app, to send what it
        // keeps here before it moves.
        let cookie_req = format!("GET / HTTP/1.1\r\nHost: 10.1.2.3:{port}\r\nCookie: xinbao_http=1\r\nConnection: close\r\n\r\n");
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        s.write_all(cookie_req.as_bytes()).await.expect("write");
        let mut used = Vec::new();
        let _ = s.read_to_end(&mut used).await;
        assert!(!head(&used).starts_with("HTTP/1.1 307"), "{}", head(&used));
        // Localhost is a secure context over http: served as it is.
        let local = head(&plain("/healthz", format!("127.0.0.1:{port}")).await);
        assert!(local.starts_with("HTTP/1.1 200"), "{local}");
        let local_app = head(&plain("/review", format!("localhost:{port}")).await);
        assert!(!local_app.starts_with("HTTP/1.1 307"), "{local_app}");
        // The certificate page is reachable over plain http, with the CA and its fingerprint.
        let page = String::from_utf8_lossy(&plain("/ca", format!("10.1.2.3:{port}")).await).into_owned();
        assert!(page.starts_with("HTTP/1.1 200"), "{}", head(page.as_bytes()));
        assert!(page.contains(&issued.fingerprint), "the page shows the fingerprint");
        assert!(page.contains(&format!("https://10.1.2.3:{port}/")), "and sends people to the https address");
        assert!(page.contains("受信任的根证书颁发机构") && page.contains("统信 UOS") && page.contains("update-ca-certificates"));
        let der = plain("/ca.crt", format!("10.1.2.3:{port}")).await;
        let body = &der[der.windows(4).position(|w| w == b"\r\n\r\n").map_or(0, |p| p + 4)..];
        assert_eq!(tls::fingerprint(body), issued.fingerprint, "/ca.crt is the CA, in DER");
        let pem = String::from_utf8_lossy(&plain("/ca.pem", format!("10.1.2.3:{port}")).await).into_owned();
        let ca_text = std::fs::read_to_string(&issued.ca_cert).expect("ca");
        assert!(pem.ends_with(&ca_text), "/ca.pem is office-ca.crt");
    }
}
