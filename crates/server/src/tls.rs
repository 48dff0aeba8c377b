//! HTTPS on an intranet address, made easy (issue 20).
//!
//! Offline work needs a secure context: on `http://10.x.x.x` the browser gives the app no service
//! worker, no Web Locks and no persistent storage. So the server terminates TLS itself (rustls)
//! with a certificate from an office CA that `xinbao-server tls-init` makes:
//!
//! - **One port for both.** The first byte of a connection says which it is (a TLS handshake
//!   starts with 0x16): `http://10.1.2.3:8080` keeps working as an address people already
//!   typed, and is answered with a redirect to `https://10.1.2.3:8080` — except on localhost,
//!   which browsers treat as secure anyway, and the certificate page below.
//! - **The certificate page** (`/ca`, over plain http too): the office CA to download, its
//!   fingerprint, and install steps for Windows, 统信 UOS and 麒麟, then the https address.
//! - **The CA's private key never touches the disk.** `tls-init` signs the server certificate
//!   and forgets the key: a copy of the server's files cannot issue a certificate for any other
//!   site that every office PC would trust. A new address means a new CA, installed again.
//! - **Clocks wrong by years.** Certificates are valid from 2000-01-01, so a PC whose CMOS
//!   battery died (its clock back at the BIOS date) still accepts them.

use crate::config::Config;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::serve::Listener;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::server::TlsStream;

pub use crate::config::TlsFiles;

/// TLS, loaded: the acceptor, and the office CA offered on the certificate page (the last
/// certificate of the chain file, when the chain has more than the server's own).
pub struct Tls {
    acceptor: TlsAcceptor,
    ca: Option<OfficeCa>,
}

/// The CA offered for installing, in both encodings.
pub struct OfficeCa {
    pub der: CertificateDer<'static>,
    pub pem: String,
}

impl Tls {
    /// Reads the chain and the key; every way they can be wrong is said in words.
    pub fn load(files: &TlsFiles) -> anyhow::Result<Tls> {
        let read =
            |path: &Path, what: &str| std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read the {what} {}: {e}", path.display()));
        let cert_pem = read(&files.cert, "certificate file (--tls-cert)")?;
        let key_pem = read(&files.key, "key file (--tls-key)")?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("{} is not a PEM certificate chain: {e}", files.cert.display()))?;
        if chain.is_empty() {
            anyhow::bail!("{} holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)", files.cert.display());
        }
        let key = PrivateKeyDer::from_pem_slice(&key_pem)
            .map_err(|e| anyhow::anyhow!("{} is not a PEM private key: {e}", files.key.display()))?;
        let ca = if chain.len() > 1 {
            let pem = last_pem_block(&String::from_utf8_lossy(&cert_pem)).unwrap_or_default();
            Some(OfficeCa { der: chain[chain.len() - 1].clone(), pem })
        } else {
            None
        };
        // ring (rustls 0.23.48 deprecates it for lacking post-quantum key exchange): aws-lc-rs
        // would add a C and assembler build to every fresh machine for an intranet server.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| {
                anyhow::anyhow!("the certificate and the key do not make a pair ({}, {}): {e}", files.cert.display(), files.key.display())
            })?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls { acceptor: TlsAcceptor::from(Arc::new(config)), ca })
    }

    /// The office CA, if the chain carries one.
    pub fn ca(&self) -> Option<&OfficeCa> {
        self.ca.as_ref()
    }
}

/// SHA-256 of a certificate, as `AB:CD:…` (what Windows' `certutil -hashfile … SHA256` and the
/// browsers' certificate viewers show, colons aside).
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// The last PEM certificate block of a chain file, as written.
fn last_pem_block(chain: &str) -> Option<String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let start = chain.rfind(BEGIN)?;
    let end = chain[start..].find(END)? + start + END.len();
    Some(format!("{}\n", &chain[start..end]))
}

// ---------------------------------------------------------------------------------------------
// The listener: plain and TLS on one port.

/// Who is on the other end, and whether the connection is encrypted.
#[derive(Clone, Copy, Debug)]
pub struct Peer {
    pub addr: SocketAddr,
    pub tls: bool,
}

/// How a request arrived (an extension on every request served by [`OfficeListener`]).
#[derive(Clone, Copy, Debug)]
pub struct Transport {
    pub tls: bool,
}

/// A connection: plain, or TLS after its handshake.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// Accepts TCP connections and tells plain http from TLS by the first byte. Handshakes run in
/// their own tasks (a slow or silent client holds up no one else) and give up after 10 s.
pub struct OfficeListener {
    accepted: mpsc::Receiver<(Conn, Peer)>,
    local: SocketAddr,
}

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections being classified or handshaken at once; beyond it new ones are closed at once
/// (a flood of silent connections cannot hold every file descriptor for 10 s each).
const MAX_HANDSHAKES: usize = 512;

impl OfficeListener {
    pub fn new(tcp: TcpListener, tls: Option<Arc<Tls>>) -> io::Result<OfficeListener> {
        let local = tcp.local_addr()?;
        let (tx, accepted) = mpsc::channel(256);
        let handshakes = Arc::new(tokio::sync::Semaphore::new(MAX_HANDSHAKES));
        tokio::spawn(async move {
            loop {
                // Served no more (the server is shutting down): stop taking connections.
                if tx.is_closed() {
                    return;
                }
                let (stream, addr) = match tcp.accept().await {
                    Ok(s) => s,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, as axum's own loop does.
                        tracing::warn!(error = %e, "accepting a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let Some(tls) = tls.clone() else {
                    if tx.send((Conn::Plain(stream), Peer { addr, tls: false })).await.is_err() {
                        return;
                    }
                    continue;
                };
                let Ok(permit) = handshakes.clone().try_acquire_owned() else {
                    tracing::warn!(%addr, "too many connections in their handshake: closed");
                    continue;
                };
                let tx = tx.clone();
                tokio::spawn(async move {
                    let conn = tokio::time::timeout(HANDSHAKE_TIMEOUT, classify(stream, &tls)).await;
                    drop(permit);
                    match conn {
                        Ok(Ok(conn)) => {
                            let tls = matches!(conn, Conn::Tls(_));
                            let _ = tx.send((conn, Peer { addr, tls })).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%addr, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%addr, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(OfficeListener { accepted, local })
    }
}

async fn classify(stream: TcpStream, tls: &Tls) -> io::Result<Conn> {
    let mut first = [0u8; 1];
    if stream.peek(&mut first).await? == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed before the first byte"));
    }
    if first[0] == 0x16 { Ok(Conn::Tls(Box::new(tls.acceptor.accept(stream).await?))) } else { Ok(Conn::Plain(stream)) }
}

impl Listener for OfficeListener {
    type Io = Conn;
    type Addr = Peer;

    async fn accept(&mut self) -> (Conn, Peer) {
        match self.accepted.recv().await {
            Some(c) => c,
            // The accepting task never ends while the listener lives.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Peer> {
        Ok(Peer { addr: self.local, tls: false })
    }
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, OfficeListener>> for Peer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, OfficeListener>) -> Peer {
        *stream.remote_addr()
    }
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Outermost layer: turns the listener's [`Peer`] into the `ConnectInfo<SocketAddr>` the
/// handlers read, and a [`Transport`] for [`to_https`].
pub async fn transport(mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<Peer>>().copied() {
        req.extensions_mut().insert(ConnectInfo(peer.addr));
        req.extensions_mut().insert(Transport { tls: peer.tls });
    }
    next.run(req).await
}

/// Paths answered over plain http even when TLS is on: the certificate page (a PC must get the
/// CA before https can work for it) and the health checks monitoring calls.
fn plain_allowed(path: &str) -> bool {
    matches!(path, "/ca" | "/ca.crt" | "/ca.pem" | "/healthz" | "/readyz")
}

/// The host part of a `Host` header (`10.1.2.3:8080` → `10.1.2.3`, `[::1]:8080` → `::1`).
fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    host.rsplit_once(':').map_or(host, |(h, port)| if port.bytes().all(|b| b.is_ascii_digit()) { h } else { host })
}

/// Whether browsers treat this host as a secure context over plain http.
pub fn is_loopback_host(host: &str) -> bool {
    let name = host_name(host).trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost") || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The https address of a plain request's `Host`, on the port the request came to: a `Host`
/// without a port (port 80) would otherwise send people to port 443, where nothing listens.
fn https_origin(host: &str, port: u16) -> String {
    let has_port = host.rsplit_once(':').is_some_and(|(h, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':'))
        && !(host.starts_with('[') && host.ends_with(']'));
    if has_port || port == 443 { format!("https://{host}") } else { format!("https://{host}:{port}") }
}

/// The header that tells the app, served over plain http, where its https address is.
pub const HTTPS_HEADER: &str = "x-xinbao-https";
/// The cookie a browser gets at a plain-http intranet address: it may keep drafts here.
pub const HTTP_MARKER: &str = "xinbao_http";

fn cookie_names(req: &Request) -> Vec<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split('=').next().map(str::to_owned))
        .collect()
}

/// Marks a browser that was served at a plain-http intranet address (ten years; not a secret).
fn mark(res: &mut Response) {
    let cookie = format!("{HTTP_MARKER}=1; Path=/; Max-Age=315360000; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// With TLS on, plain http on any host but localhost is sent to the same address over https
/// (307, never cached: turning TLS off again must not leave browsers bouncing to a dead port).
///
/// Except where it would strand what a browser keeps at the http address (IndexedDB is per
/// origin: drafts written at `http://10.1.2.3:8080` are not there at `https://…`):
/// - `/api/*` is answered over http, so a tab already open there still sends its outbox;
/// - a browser that was served here before (the `xinbao_http` cookie every plain-http page sets,
///   TLS on or off) or is logged in here gets the app, which sends what is unsent and then moves
///   itself to https (`src/pwa.rs`; the `x-xinbao-https` header on `/healthz` says where);
/// - `/?http` opens the app at the http address on purpose (what the `/ca` page tells someone
///   whose browser kept drafts from an older version).
pub async fn to_https(State(tls): State<Option<Arc<Tls>>>, State(config): State<Arc<Config>>, req: Request, next: Next) -> Response {
    let plain = req.extensions().get::<Transport>().is_some_and(|t| !t.tls);
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("").to_owned();
    if !plain || host.is_empty() || is_loopback_host(&host) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    let api = path.starts_with("/api/");
    let cookies = cookie_names(&req);
    let marked = cookies.iter().any(|c| c == HTTP_MARKER);
    let serve = |mut res: Response, origin: Option<String>| {
        if !api && !marked {
            mark(&mut res);
        }
        if let Some(v) = origin.and_then(|o| HeaderValue::from_str(&format!("{o}/")).ok()) {
            res.headers_mut().insert(HTTPS_HEADER, v);
        }
        res
    };
    if tls.is_none() {
        return serve(next.run(req).await, None);
    }
    let port = config.addr.port();
    let origin = https_origin(&host, if port == 0 { 80 } else { port });
    let used_here = marked || cookies.iter().any(|c| c == crate::cookies::SESSION) || req.uri().query() == Some("http");
    if plain_allowed(&path) || api || used_here {
        return serve(next.run(req).await, Some(origin));
    }
    let target = format!("{origin}{}", req.uri().path_and_query().map_or("/", |p| p.as_str()));
    match HeaderValue::from_str(&target) {
        Ok(location) => {
            (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, location), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))])
                .into_response()
        }
        Err(_) => (StatusCode::BAD_REQUEST, "bad Host header").into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// The certificate page.

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `GET /ca`: the office CA and how to install it, then the https address.
pub async fn ca_page(State(tls): State<Option<Arc<Tls>>>, State(config): State<Arc<Config>>, headers: HeaderMap) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).filter(|h| !h.is_empty()).unwrap_or("localhost");
    let port = config.addr.port();
    let https = escape(&format!("{}/", https_origin(host, if port == 0 { 80 } else { port })));
    let Some(ca) = tls.as_ref().and_then(|t| t.ca()) else {
        let body = format!(
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
             <title>信报 · 单位证书</title><h1>此服务器没有可供安装的单位证书</h1>\
             <p>本服务器未启用 HTTPS，或所用证书由已受信任的机构签发，无需安装。请打开 <a href=\"{https}\">{https}</a>。</p>\
             <p lang=\"en\">This server offers no office certificate to install (HTTPS is off, or its certificate is already trusted).</p>"
        );
        return Html(body).into_response();
    };
    let fp = fingerprint(&ca.der);
    let plain = escape(&format!("http://{host}/?http"));
    let body = format!(
        r#"<!doctype html>
<html lang="zh-CN">
<meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="renderer" content="webkit">
<title>信报 · 安装单位证书 Install the office certificate</title>
<h1>安装单位证书，然后用 https 打开信报</h1>
<p>信报要在断网时也能打开、保存稿件，浏览器必须以 https 安全连接打开它。本单位的证书由信报服务器自己签发，每台电脑（和手机）要先<strong>安装一次单位证书</strong>。</p>
<p><a href="/ca.crt" download="xinbao-office-ca.crt" data-testid="ca-download">下载单位证书 xinbao-office-ca.crt</a>（Windows、手机） · <a href="/ca.pem" download="xinbao-office-ca.pem">PEM 格式</a>（统信 UOS、麒麟）</p>
<p>证书指纹 SHA-256（安装前请与管理员给出的核对）：<br><code data-testid="ca-fingerprint">{fp}</code></p>
<h2>Windows（7、10、11）</h2>
<ol>
<li>双击下载的 <code>xinbao-office-ca.crt</code> → “安装证书” → 存储位置选“本地计算机”（需要管理员）或“当前用户”。</li>
<li>选“将所有的证书都放入下列存储” → 浏览 → <strong>受信任的根证书颁发机构</strong> → 完成，在安全警告中点“是”。</li>
<li>或以管理员身份在命令提示符中运行：<code>certutil -addstore -f Root xinbao-office-ca.crt</code></li>
<li>关闭并重新打开浏览器（360、QQ、搜狗浏览器请用“极速模式”）。</li>
</ol>
<h2>统信 UOS、银河麒麟</h2>
<ol>
<li>在终端运行：<code>sudo cp xinbao-office-ca.pem /usr/local/share/ca-certificates/xinbao-office-ca.crt &amp;&amp; sudo update-ca-certificates</code></li>
<li>系统自带浏览器和奇安信、360 浏览器（Chromium 内核）还读本人的证书库：<code>certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n xinbao-office-ca -i xinbao-office-ca.pem</code>（<code>certutil</code> 在 libnss3-tools 软件包中）。</li>
<li>火狐浏览器：设置 → 隐私与安全 → 证书 → 查看证书 → 证书颁发机构 → 导入，勾选“信任由此证书颁发机构来标识网站”。</li>
</ol>
<h2>手机</h2>
<ol>
<li>安卓：设置 → 安全 → 加密与凭据 → 安装证书 → CA 证书，选下载的文件。苹果：打开下载的描述文件安装，再到 设置 → 通用 → 关于本机 → 证书信任设置 中打开。</li>
<li>微信内置浏览器可能不认单位证书：点右上角“…” → “在浏览器打开”。</li>
</ol>
<h2>装有还原卡（冰点还原）的电脑</h2>
<p>还原卡会在重启时撤销证书安装。请在还原保护关闭（维护模式）时安装，或请管理员装进还原的基准系统。</p>
<h2>旧地址上还有没发出的稿件？</h2>
<p>启用安全连接以前，如果在 http 地址写过稿件还没发出：打开 <a href="{plain}">{plain}</a> 登录，稿件发送完毕后页面会自动转到安全地址。</p>
<h2>装好以后</h2>
<p><a href="{https}" data-testid="ca-continue">用安全连接打开信报 {https}</a></p>
<hr>
<div lang="en">
<p>Xinbao works offline only over https. This server's certificate is issued by the office's own CA: install it once per PC or phone (Windows: double-click → Install → Trusted Root Certification Authorities; UOS/Kylin: update-ca-certificates and the NSS database above), check the SHA-256 fingerprint with the administrator, then open <a href="{https}">{https}</a>.</p>
</div>
</html>
"#
    );
    Html(body).into_response()
}

/// `GET /ca.crt` (DER: what Windows, Android and iOS install) and `GET /ca.pem` (Linux).
pub async fn ca_file(State(tls): State<Option<Arc<Tls>>>, req: Request) -> Response {
    let Some(ca) = tls.as_ref().and_then(|t| t.ca()) else {
        return (StatusCode::NOT_FOUND, "no office certificate on this server").into_response();
    };
    let pem_wanted = req.uri().path().ends_with(".pem");
    let (body, kind): (Vec<u8>, &str) =
        if pem_wanted { (ca.pem.clone().into_bytes(), "application/x-pem-file") } else { (ca.der.to_vec(), "application/x-x509-ca-cert") };
    let name = if pem_wanted { "xinbao-office-ca.pem" } else { "xinbao-office-ca.crt" };
    ([(header::CONTENT_TYPE, kind.to_owned()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], body)
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// `xinbao-server tls-init`: the office CA and the server certificate.

/// What `tls-init` wrote.
pub struct Issued {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub fingerprint: String,
}

/// Makes an office CA and a server certificate for `hosts` (names) and `ips`, signed by it, and
/// writes `office-ca.crt` (PEM), `server.crt` (the server certificate followed by the CA) and
/// `server.key` (readable by its owner only) into `dir`. The CA's key is dropped once it has
/// signed. Refuses to overwrite unless `force`.
pub fn init(dir: &Path, office: &str, hosts: &[String], ips: &[IpAddr], force: bool) -> anyhow::Result<Issued> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType};
    if hosts.is_empty() && ips.is_empty() {
        anyhow::bail!("name the server: --host xinbao.county.gov and/or --ip 10.1.2.3 (the addresses people type)");
    }
    for h in hosts {
        if h.parse::<IpAddr>().is_ok() {
            anyhow::bail!("{h} is an address: give it with --ip");
        }
        if h.is_empty() || !h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
            anyhow::bail!("{h:?} is not a host name (letters, digits, '-' and '.')");
        }
    }
    let issued = Issued {
        ca_cert: dir.join("office-ca.crt"),
        server_cert: dir.join("server.crt"),
        server_key: dir.join("server.key"),
        fingerprint: String::new(),
    };
    if !force {
        for p in [&issued.ca_cert, &issued.server_cert, &issued.server_key] {
            if p.exists() {
                anyhow::bail!(
                    "{} exists: every PC that installed its CA trusts it. To replace it (and install the new CA everywhere) pass --force",
                    p.display()
                );
            }
        }
    }
    std::fs::create_dir_all(dir)?;
    let now = time_now_year();
    let valid_from = rcgen::date_time_ymd(2000, 1, 1);
    // A server whose own clock is back at its BIOS date must not issue certificates that
    // expired long ago: twenty years from now, or from 2026, whichever is later.
    let valid_to = rcgen::date_time_ymd(now.max(2026) + 20, 1, 1);

    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.distinguished_name.push(DnType::CommonName, format!("{office} 信报单位证书 Xinbao office CA"));
    ca.distinguished_name.push(DnType::OrganizationName, office);
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    ca.not_before = valid_from;
    ca.not_after = valid_to;
    ca.serial_number = Some(random_serial()?);
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);

    let server_key = KeyPair::generate()?;
    let mut server = CertificateParams::new(hosts.to_vec())?;
    server.subject_alt_names.extend(ips.iter().map(|ip| SanType::IpAddress(*ip)));
    let cn = hosts.first().cloned().unwrap_or_else(|| ips[0].to_string());
    server.distinguished_name.push(DnType::CommonName, cn);
    server.distinguished_name.push(DnType::OrganizationName, office);
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.not_before = valid_from;
    server.not_after = valid_to;
    server.serial_number = Some(random_serial()?);
    let server_cert = server.signed_by(&server_key, &issuer)?;
    drop(issuer);

    std::fs::write(&issued.ca_cert, ca_cert.pem())?;
    std::fs::write(&issued.server_cert, format!("{}{}", server_cert.pem(), ca_cert.pem()))?;
    write_private(&issued.server_key, server_key.serialize_pem().as_bytes())?;
    Ok(Issued { fingerprint: fingerprint(ca_cert.der()), ..issued })
}

fn random_serial() -> anyhow::Result<rcgen::SerialNumber> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a serial number: {e}"))?;
    bytes[0] &= 0x7f; // positive
    Ok(rcgen::SerialNumber::from_slice(&bytes))
}

fn time_now_year() -> i32 {
    use xinbao_core::scores as calendar;
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    calendar::ymd(calendar::day_of(ms)).0
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let _ = std::fs::remove_file(path);
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
        f.write_all(bytes)
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised_with_and_without_ports() {
        for h in ["localhost", "localhost:8080", "127.0.0.1:8080", "[::1]:8080", "app.localhost", "LOCALHOST."] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["10.1.2.3:8080", "xinbao.county.gov", "[fe80::1]:443", "localhost.evil.cn", ""] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn the_https_address_keeps_the_port_people_came_to() {
        assert_eq!(https_origin("10.1.2.3:8080", 8080), "https://10.1.2.3:8080");
        // Port 80: the Host has no port; https is on the same port, not 443.
        assert_eq!(https_origin("10.1.2.3", 80), "https://10.1.2.3:80");
        assert_eq!(https_origin("xinbao.county.gov", 443), "https://xinbao.county.gov");
        assert_eq!(https_origin("[fe80::1]", 8080), "https://[fe80::1]:8080");
        assert_eq!(https_origin("[fe80::1]:8080", 8080), "https://[fe80::1]:8080");
    }
}
