//! Simulated people over HTTP (issue 9): officers who log in, pull, push and pull again; an
//! editor and a signer who take their items through review. Used by the load benchmark
//! (`cargo xtask bench load`: 2,000 officers against one server on SQLite and against two on
//! PostgreSQL behind nginx) and by the failover test (`cargo xtask test`, step `failover`: two
//! servers on one PostgreSQL behind nginx, one killed and one stopped midway, then the database
//! checked for anything lost or doubled).
//!
//! Clients retry as the browser's sync engine does: a connection error or a 502/503/504 is
//! tried again with the same request (the same mids), anything else is an answer.

use crate::run::{Result, Server, cmd, root};
use crate::syncbench::{Http, corpus, hex32, unbrotli};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The password `xinbao-server seed` gives every account it creates.
const SEED_PASSWORD: &str = "Xinbao-seed-2026";
/// `seed --scale officers`: its accounts are `seed12-…`.
pub(crate) const TAG: &str = "seed12";

pub fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).map_err(|e| e.to_string())
}

/// nginx on loopback in front of `upstreams`, from Debian's package, with its own prefix folder.
pub struct Nginx {
    child: std::process::Child,
    dir: PathBuf,
    pub port: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::env::var_os("XINBAO_KEEP_NGINX").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The proxy configuration (docs/operations.md shows the same for a real deployment). Sync is
/// exactly-once by (client, mid), so a push whose server died mid-request may be retried on the
/// other (`non_idempotent`); other POSTs (an adoption, a new account) are not retried by nginx.
/// The template of [`nginx_conf`]: `{{user}}`, `{{dir}}`, `{{port}}` and `{{servers}}` are filled in.
const NGINX_TEMPLATE: &str = include_str!("../nginx.conf.in");

pub fn nginx_conf(dir: &Path, port: u16, upstreams: &[u16]) -> String {
    let d = dir.display();
    // max_fails=0: a server is never marked down. A refused connection costs nothing, and with
    // max_fails=1 one reset connection to the surviving server (a keep-alive connection closed by
    // a graceful stop) marked both down and turned the next requests into 502s ("no live
    // upstreams", seen in the failover test).
    let servers: String =
        upstreams.iter().map(|p| format!("        server 127.0.0.1:{p} max_fails=0;\n")).collect::<String>().trim_end().to_owned();
    let user = if crate::run::is_root() { "user root;" } else { "" };
    NGINX_TEMPLATE
        .replace("{{user}}", user)
        .replace("{{dir}}", &d.to_string())
        .replace("{{port}}", &port.to_string())
        .replace("{{servers}}", &servers)
}

impl Nginx {
    pub fn start(upstreams: &[u16]) -> Result<Nginx> {
        crate::tools::ensure_apt(&["nginx"])?;
        let dir = std::env::temp_dir().join(format!("xinbao-nginx-{}-{}", std::process::id(), upstreams.first().copied().unwrap_or(0)));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let port = free_port()?;
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, nginx_conf(&dir, port, upstreams)).map_err(|e| e.to_string())?;
        let bin = if Path::new("/usr/sbin/nginx").exists() { "/usr/sbin/nginx" } else { "nginx" };
        let (p, c, e) = (dir.display().to_string(), conf.display().to_string(), dir.join("error.log").display().to_string());
        let child = cmd(bin, &["-p", &p, "-c", &c, "-e", &e, "-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting nginx: {e}"))?;
        let nginx = Nginx { child, dir, port };
        let until = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > until {
                let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
                return Err(format!("nginx did not start listening on {port}: {log}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(nginx)
    }
}

/// What every client shares: the HTTP pool and the counts.
pub struct Fleet {
    http: Http,
    pub port: u16,
    /// Requests sent again after a connection error or a 502/503/504.
    pub retries: AtomicU64,
    pub requests: AtomicU64,
    /// Why requests were retried ("POST /api/login: 502", "connection refused"…) and how often.
    pub causes: std::sync::Mutex<BTreeMap<String, u64>>,
}

/// An answer: status and the (decompressed) JSON body.
type Answer = (u16, Value);

impl Fleet {
    pub fn new(port: u16) -> Arc<Fleet> {
        let http: Http = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(1024).build_http();
        Arc::new(Fleet { http, port, retries: AtomicU64::new(0), requests: AtomicU64::new(0), causes: Default::default() })
    }

    async fn once(
        &self,
        method: &str,
        path: &str,
        body: &str,
        cookie: Option<&str>,
    ) -> std::result::Result<(u16, Vec<u8>, Option<String>), String> {
        let mut b = Request::builder()
            .method(method)
            .uri(format!("http://127.0.0.1:{}{path}", self.port))
            .header("content-type", "application/json")
            .header("x-xinbao-client", "1")
            .header("accept-encoding", "br");
        if let Some(c) = cookie {
            b = b.header("cookie", c);
        }
        let req = b.body(Full::new(Bytes::from(body.to_owned()))).map_err(|e| e.to_string())?;
        let resp = tokio::time::timeout(Duration::from_secs(30), self.http.request(req))
            .await
            .map_err(|_| format!("{method} {path}: no answer in 30 s"))?
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = resp.status().as_u16();
        let cookie = resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).map(str::to_owned);
        let raw = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes().to_vec();
        Ok((status, unbrotli(&raw), cookie))
    }

    /// Sends until answered (at most 40 tries, backing off to 1 s): the same body each time.
    async fn call(&self, method: &str, path: &str, body: &str, cookie: Option<&str>) -> Result<(Answer, Option<String>)> {
        let mut last = String::new();
        for attempt in 0..40u64 {
            if attempt > 0 {
                self.retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis((50 * attempt).min(1000))).await;
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let cause = match self.once(method, path, body, cookie).await {
                Ok((status, _, _)) if matches!(status, 502..=504) => format!("{method} {}: {status}", route_of(path)),
                Ok((status, raw, set)) => {
                    let json = if raw.is_empty() { Value::Null } else { serde_json::from_slice(&raw).unwrap_or(Value::Null) };
                    return Ok(((status, json), set));
                }
                Err(e) => format!("{method} {}: {}", route_of(path), e.rsplit(": ").next().unwrap_or(&e)),
            };
            if let Ok(mut c) = self.causes.lock() {
                *c.entry(cause.clone()).or_default() += 1;
            }
            last = cause;
        }
        Err(format!("gave up after 40 tries: {last}"))
    }

    async fn ok(&self, method: &str, path: &str, body: Value, cookie: &str) -> Result<Value> {
        let ((status, json), _) = self.call(method, path, &body.to_string(), Some(cookie)).await?;
        if status != 200 {
            return Err(format!("{method} {path} answered {status}: {json}"));
        }
        Ok(json)
    }

    pub async fn login(&self, user: &str) -> Result<String> {
        let body = json!({"username": user, "password": SEED_PASSWORD}).to_string();
        let ((status, json), cookie) = self.call("POST", "/api/login", &body, None).await?;
        match cookie {
            Some(c) if status == 200 => Ok(c),
            _ => Err(format!("login {user} answered {status}: {json}")),
        }
    }
}

fn route_of(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

/// One account's sync client: its id, its next mid, its pull cursor.
pub struct Person {
    pub name: String,
    cookie: String,
    client: String,
    mid: u64,
    cursor: u64,
}

impl Person {
    pub async fn login(fleet: &Fleet, name: &str, client_no: u64) -> Result<Person> {
        Ok(Person { name: name.to_owned(), cookie: fleet.login(name).await?, client: hex32(client_no, 0xF1EE7), mid: 0, cursor: 0 })
    }

    /// Pushes `ops` ([item id, base rev, op fields]) as one batch; every result must be
    /// `applied` (a replay answered as new would come back as a conflict). Returns the revs.
    pub async fn push(&mut self, fleet: &Fleet, ops: Vec<(String, u64, Value)>) -> Result<Vec<u64>> {
        let mut mutations = Vec::new();
        for (item, base, op) in ops {
            self.mid += 1;
            let mut m = json!({"mid": self.mid, "item_id": item, "base_rev": base});
            if let (Some(m), Some(op)) = (m.as_object_mut(), op.as_object()) {
                m.extend(op.clone());
            }
            mutations.push(m);
        }
        let n = mutations.len();
        let answer = fleet.ok("POST", "/api/sync/push", json!({"client_id": self.client, "mutations": mutations}), &self.cookie).await?;
        let results = answer["results"].as_array().cloned().unwrap_or_default();
        if results.len() != n || answer["last_mid"].as_u64() != Some(self.mid) {
            return Err(format!("{}: push of {n} answered {answer}", self.name));
        }
        results
            .iter()
            .map(|r| match (r["outcome"].as_str(), r["rev"].as_u64()) {
                (Some("applied"), Some(rev)) => Ok(rev),
                _ => Err(format!("{}: mutation {} was not applied: {r}", self.name, r["mid"])),
            })
            .collect()
    }

    /// Pulls everything after the cursor; returns the items it brought (server snapshots).
    pub async fn pull(&mut self, fleet: &Fleet) -> Result<Vec<Value>> {
        let mut items = Vec::new();
        loop {
            let answer = fleet.ok("POST", "/api/sync/pull", json!({"client_id": self.client, "cursor": self.cursor}), &self.cookie).await?;
            items.extend(answer["changes"].as_array().into_iter().flatten().cloned());
            self.cursor = answer["cursor"].as_u64().ok_or_else(|| format!("{}: pull without cursor: {answer}", self.name))?;
            if answer["has_more"] != true {
                return Ok(items);
            }
        }
    }

    pub async fn get(&self, fleet: &Fleet, path: &str) -> Result<Value> {
        let ((status, json), _) = fleet.call("GET", path, "", Some(&self.cookie)).await?;
        if status != 200 {
            return Err(format!("GET {path} answered {status}: {json}"));
        }
        Ok(json)
    }
}

/// Every title this module submits starts with it: the reviewers find their items in a queue
/// that also holds the seeded year's (`q=` searches titles).
const MARK: &str = "〔故障演练〕";
pub(crate) const MARK_QUERY: &str = "%E6%95%85%E9%9A%9C%E6%BC%94%E7%BB%83";

pub(crate) fn submission(corpus: &[(String, String)], k: usize) -> Value {
    let (title, body) = &corpus[k % corpus.len()];
    json!({"op": "submit", "content": {"title": format!("{MARK}{title}"), "body": body, "item_type": "dynamic", "phone": "13912345678"}})
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted.get(((sorted.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(f64::NAN)
}

/// The load benchmark's numbers for one setup.
pub struct LoadNumbers {
    pub label: String,
    pub officers: usize,
    pub concurrency: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub requests: u64,
    pub retries: u64,
    pub total_s: f64,
    /// (step, p50 ms, p99 ms): login, pull, push 5, pull again, the whole session.
    pub steps: Vec<(&'static str, f64, f64)>,
}

/// `officers` seeded officers (`seed12-o{n}`), at most `concurrency` at once, each logging in,
/// pulling everything, pushing 5 submitted items in one batch and pulling again (which must
/// bring those 5 back). Bounded: the whole run gives up after `deadline`.
pub fn load(port: u16, label: &str, officers: usize, concurrency: usize, deadline: Duration) -> Result<LoadNumbers> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let fleet = Fleet::new(port);
        let corpus = Arc::new(corpus());
        if corpus.is_empty() {
            return Err("fixtures/corpus.jsonl is empty".to_owned());
        }
        let gate = Arc::new(tokio::sync::Semaphore::new(concurrency));
        let started = Instant::now();
        let tasks: Vec<_> = (0..officers)
            .map(|n| {
                let (fleet, corpus, gate) = (fleet.clone(), corpus.clone(), gate.clone());
                tokio::spawn(async move {
                    let _permit = gate.acquire_owned().await.map_err(|e| e.to_string())?;
                    let mut t = [0f64; 5];
                    let begin = Instant::now();
                    let mut lap = Instant::now();
                    let mut mark = |i: usize| {
                        t[i] = lap.elapsed().as_secs_f64() * 1000.0;
                        lap = Instant::now();
                    };
                    let mut me = Person::login(&fleet, &format!("{TAG}-o{n}"), n as u64).await?;
                    mark(0);
                    me.pull(&fleet).await?;
                    mark(1);
                    let ids: Vec<String> = (0..5).map(|k| hex32((n * 8 + k) as u64, 0x10AD)).collect();
                    me.push(&fleet, ids.iter().enumerate().map(|(k, id)| (id.clone(), 0, submission(&corpus, n + k))).collect()).await?;
                    mark(2);
                    let seen: BTreeSet<String> =
                        me.pull(&fleet).await?.iter().filter_map(|c| c["id"].as_str().map(str::to_owned)).collect();
                    mark(3);
                    if let Some(missing) = ids.iter().find(|id| !seen.contains(*id)) {
                        return Err(format!("{}: the second pull did not bring back {missing}", me.name));
                    }
                    t[4] = begin.elapsed().as_secs_f64() * 1000.0;
                    Ok::<_, String>(t)
                })
            })
            .collect();
        let all = tokio::time::timeout(deadline, futures_join(tasks)).await.map_err(|_| format!("the load run exceeded {deadline:?}"))?;
        let total_s = started.elapsed().as_secs_f64();
        let mut times: [Vec<f64>; 5] = Default::default();
        let mut errors = 0;
        let mut first_error = None;
        for r in all {
            match r {
                Ok(Ok(t)) => {
                    for (i, v) in t.iter().enumerate() {
                        times[i].push(*v);
                    }
                }
                Ok(Err(e)) => {
                    errors += 1;
                    first_error.get_or_insert(e);
                }
                Err(e) => {
                    errors += 1;
                    first_error.get_or_insert(e.to_string());
                }
            }
        }
        let names = ["login", "pull (everything)", "push 5 items", "pull again", "whole session"];
        let steps = names
            .iter()
            .zip(times.iter_mut())
            .map(|(name, v)| {
                v.sort_by(f64::total_cmp);
                (*name, pct(v, 0.5), pct(v, 0.99))
            })
            .collect();
        Ok(LoadNumbers {
            label: label.to_owned(),
            officers,
            concurrency,
            errors,
            first_error,
            requests: fleet.requests.load(Ordering::Relaxed),
            retries: fleet.retries.load(Ordering::Relaxed),
            total_s,
            steps,
        })
    })
}

async fn futures_join<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<std::result::Result<T, tokio::task::JoinError>> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await);
    }
    out
}

/// Seeds `seed --scale officers` into `database_url` (or the data directory's SQLite).
pub fn seed_officers(server_bin: &Path, data_dir: &Path, database_url: Option<&str>) -> Result<()> {
    let target = crate::scorebench::Target { data_dir, database_url: database_url.map(str::to_owned) };
    crate::scorebench::seed(server_bin, &target, "officers").map(|_| ())
}

fn server_args(data_dir: &Path, database_url: &str) -> Vec<String> {
    vec![
        "--data-dir".to_owned(),
        data_dir.display().to_string(),
        "--database-url".to_owned(),
        database_url.to_owned(),
        "--static-dir".to_owned(),
        root().join("dist").display().to_string(),
    ]
}

/// Two servers on one PostgreSQL database behind nginx.
pub struct Pair {
    pub servers: [Option<Server>; 2],
    pub ports: [u16; 2],
    pub nginx: Nginx,
    bin: PathBuf,
    dirs: [PathBuf; 2],
    url: String,
}

impl Pair {
    pub fn start(bin: &Path, url: &str, name: &str) -> Result<Pair> {
        let ports = [free_port()?, free_port()?];
        let dirs = [0, 1].map(|i| std::env::temp_dir().join(format!("xinbao-{name}-{}-{i}", std::process::id())));
        let mut servers = [None, None];
        for i in 0..2 {
            servers[i] = Some(Server::start_on(bin, &format!("127.0.0.1:{}", ports[i]), &server_args(&dirs[i], url), Stdio::null())?);
        }
        let nginx = Nginx::start(&ports)?;
        Ok(Pair { servers, ports, nginx, bin: bin.to_path_buf(), dirs, url: url.to_owned() })
    }

    pub fn restart(&mut self, i: usize) -> Result<()> {
        self.servers[i] = Some(Server::start_on(
            &self.bin,
            &format!("127.0.0.1:{}", self.ports[i]),
            &server_args(&self.dirs[i], &self.url),
            Stdio::null(),
        )?);
        Ok(())
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        self.servers = [None, None];
        for d in &self.dirs {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nginx_template_is_filled_in_completely() {
        let conf = nginx_conf(Path::new("/tmp/x"), 8443, &[9001, 9002]);
        assert!(!conf.contains("{{"), "{conf}");
        assert!(conf.contains("listen 127.0.0.1:8443;"));
        assert!(conf.contains("server 127.0.0.1:9001 max_fails=0;\n        server 127.0.0.1:9002 max_fails=0;"));
        assert!(conf.contains("pid /tmp/x/nginx.pid;"));
        assert_eq!(conf.matches('{').count(), conf.matches('}').count());
    }
}
