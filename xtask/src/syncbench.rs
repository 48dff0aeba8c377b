//! Sync benchmarks against the real release server over loopback (issue 4): one client pushing
//! 1,000 drafts (time, and bytes on the wire as a browser would send and receive them); the
//! server's ingest rate against a raw SQLite insert of the same rows in one transaction on the
//! same disk; and 500 concurrent clients each pushing 10 items (errors, p50/p99).

use crate::run::{Result, cmd};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use std::io::Read;
use std::path::Path;
use std::time::Instant;

pub type Http = Client<HttpConnector, Full<Bytes>>;

pub struct SyncNumbers {
    pub push_1000_ms: f64,
    pub push_1000_request_bytes: usize,
    pub push_1000_response_bytes: usize,
    pub push_1000_request_br_bytes: usize,
    pub raw_insert_ms: f64,
    pub concurrent_clients: usize,
    pub concurrent_errors: usize,
    pub concurrent_p50_ms: f64,
    pub concurrent_p99_ms: f64,
    pub concurrent_total_ms: f64,
}

/// Corpus bodies, cycled to make realistic drafts.
pub fn corpus() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(crate::run::root().join("fixtures/corpus.jsonl")).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| (v["title"].as_str().unwrap_or("标题").to_owned(), v["body"].as_str().unwrap_or("正文").to_owned()))
        .collect()
}

/// The 1,000 drafts one client pushes (corpus items cycled), as save mutations: what Xinbao's
/// push and the PouchDB peer both take.
pub fn thousand_drafts() -> Result<Vec<Value>> {
    let corpus = corpus();
    if corpus.is_empty() {
        return Err("fixtures/corpus.jsonl is empty".to_owned());
    }
    Ok((1..=1000u64).map(|i| mutation(i, &hex32(i, 0xA1), &corpus[i as usize % corpus.len()])).collect())
}

/// A client for loopback requests.
pub fn http() -> Http {
    Client::builder(TokioExecutor::new()).pool_max_idle_per_host(600).build_http()
}

pub fn hex32(n: u64, salt: u64) -> String {
    format!("{salt:016x}{n:016x}")
}

fn mutation(mid: u64, item: &str, (title, body): &(String, String)) -> Value {
    json!({"mid": mid, "item_id": item, "base_rev": 0, "op": "save",
        "content": {"title": title, "body": body, "item_type": "dynamic", "phone": "13912345678"}})
}

pub async fn post(http: &Http, port: u16, path: &str, body: String, cookie: Option<&str>) -> Result<(u16, Vec<u8>, Option<String>)> {
    let mut b = Request::post(format!("http://127.0.0.1:{port}{path}"))
        .header("content-type", "application/json")
        .header("x-xinbao-client", "1")
        .header("accept-encoding", "br");
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    let req = b.body(Full::new(Bytes::from(body))).map_err(|e| e.to_string())?;
    let resp = http.request(req).await.map_err(|e| format!("POST {path}: {e}"))?;
    let status = resp.status().as_u16();
    let cookie = resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).map(str::to_owned);
    let raw = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes().to_vec();
    Ok((status, raw, cookie))
}

pub fn unbrotli(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if brotli::Decompressor::new(raw, 4096).read_to_end(&mut out).is_ok() { out } else { raw.to_vec() }
}

fn brotli_len(data: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 5, ..Default::default() };
    let _ = brotli::BrotliCompress(&mut &data[..], &mut out, &params);
    out.len()
}

async fn login(http: &Http, port: u16, user: &str) -> Result<String> {
    let (status, _, cookie) =
        post(http, port, "/api/login", json!({"username": user, "password": "Chunfeng-2026"}).to_string(), None).await?;
    if status != 200 {
        return Err(format!("login {user}: {status}"));
    }
    cookie.ok_or_else(|| "no session cookie".into())
}

/// Creates `n` officers (`bench0`…) with the server's own CLI.
pub fn add_users(server_bin: &Path, data_dir: &Path, n: usize) -> Result<()> {
    for i in 0..n {
        let name = format!("bench{i}");
        let dir = data_dir.display().to_string();
        let args =
            ["add-user", "--data-dir", &dir, "--username", &name, "--password", "Chunfeng-2026", "--role", "officer", "--unit", "兰州湾镇"];
        crate::run::output(&mut cmd(&server_bin.display().to_string(), &args)).ok_or_else(|| format!("add-user {name} failed"))?;
    }
    Ok(())
}

pub fn run(port: u16, data_dir: &Path, users: usize) -> Result<SyncNumbers> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let http = http();
        let corpus = corpus();
        let all = thousand_drafts()?;

        // One client, 1,000 drafts, in the browser's batches of 200.
        let cookie = login(&http, port, "bench0").await?;
        let client = hex32(1, 0xC1);
        // The bodies are made before the clock starts (and their compressed size measured after
        // it stops): what is timed is the server taking them, as for the PouchDB peer.
        let bodies: Vec<String> = all.chunks(200).map(|chunk| json!({"client_id": client, "mutations": chunk}).to_string()).collect();
        let mut resp_bytes = 0;
        let t = Instant::now();
        for (body, chunk) in bodies.iter().zip(all.chunks(200)) {
            let (status, raw, _) = post(&http, port, "/api/sync/push", body.clone(), Some(&cookie)).await?;
            resp_bytes += raw.len();
            let answer: Value = serde_json::from_slice(&unbrotli(&raw)).map_err(|e| e.to_string())?;
            if status != 200 || answer["results"].as_array().map(Vec::len) != Some(chunk.len()) {
                return Err(format!("push answered {status}: {answer}"));
            }
        }
        let push_ms = t.elapsed().as_secs_f64() * 1000.0;
        let req_bytes: usize = bodies.iter().map(String::len).sum();
        let req_br: usize = bodies.iter().map(|b| brotli_len(b.as_bytes())).sum();

        // The same rows, inserted raw in one transaction, same durability settings, same disk.
        let raw_ms = raw_insert(data_dir, &all).await?;

        // 500 clients at once, 10 items each, spread over the bench accounts.
        let mut cookies = Vec::new();
        for u in 0..users {
            cookies.push(login(&http, port, &format!("bench{u}")).await?);
        }
        let clients = 500;
        let t = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                let http = http.clone();
                let cookie = cookies[c % cookies.len()].clone();
                let ms: Vec<Value> =
                    (1..=10u64).map(|i| mutation(i, &hex32(c as u64 * 100 + i, 0xB2), &corpus[(c + i as usize) % corpus.len()])).collect();
                let body = json!({"client_id": hex32(c as u64, 0xC2), "mutations": ms}).to_string();
                tokio::spawn(async move {
                    let t = Instant::now();
                    let ok = matches!(post(&http, port, "/api/sync/push", body, Some(&cookie)).await, Ok((200, _, _)));
                    (ok, t.elapsed().as_secs_f64() * 1000.0)
                })
            })
            .collect();
        let mut times = Vec::new();
        let mut errors = 0;
        for task in tasks {
            match task.await {
                Ok((true, ms)) => times.push(ms),
                _ => errors += 1,
            }
        }
        let total_ms = t.elapsed().as_secs_f64() * 1000.0;
        times.sort_by(f64::total_cmp);
        let pct = |p: f64| times.get(((times.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(f64::NAN);
        Ok(SyncNumbers {
            push_1000_ms: push_ms,
            push_1000_request_bytes: req_bytes,
            push_1000_response_bytes: resp_bytes,
            push_1000_request_br_bytes: req_br,
            raw_insert_ms: raw_ms,
            concurrent_clients: clients,
            concurrent_errors: errors,
            concurrent_p50_ms: pct(0.5),
            concurrent_p99_ms: pct(0.99),
            concurrent_total_ms: total_ms,
        })
    })
}

/// Inserts the mutations' items into a fresh SQLite file beside the server's (WAL,
/// synchronous=FULL, as the server runs), all in one transaction; returns the time taken.
async fn raw_insert(data_dir: &Path, mutations: &[Value]) -> Result<f64> {
    sqlx::any::install_default_drivers();
    let path = data_dir.join("raw-insert.db");
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let pool = sqlx::AnyPool::connect(&url).await.map_err(|e| e.to_string())?;
    for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL"] {
        sqlx::query(pragma).execute(&pool).await.map_err(|e| e.to_string())?;
    }
    sqlx::query(
        "CREATE TABLE items (id TEXT PRIMARY KEY, unit_id INTEGER, author_id INTEGER, item_type TEXT, title TEXT, body TEXT, \
         state TEXT, rev INTEGER, content TEXT, created_at INTEGER, updated_at INTEGER)",
    )
    .execute(&pool)
    .await
    .map_err(|e| e.to_string())?;
    let t = Instant::now();
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    for m in mutations {
        let c = &m["content"];
        sqlx::query("INSERT INTO items VALUES ($1, 1, 1, $2, $3, $4, 'draft', 1, $5, 0, 0)")
            .bind(m["item_id"].as_str().unwrap_or_default())
            .bind(c["item_type"].as_str().unwrap_or_default())
            .bind(c["title"].as_str().unwrap_or_default())
            .bind(c["body"].as_str().unwrap_or_default())
            .bind(c.to_string())
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    pool.close().await;
    Ok(ms)
}

/// The review queue of an office holding 100,000 items: p50 / p95 of a filtered page.
pub struct QueueNumbers {
    pub items: usize,
    pub state_page_p50_ms: f64,
    pub state_page_p95_ms: f64,
    pub text_page_p50_ms: f64,
    pub text_page_p95_ms: f64,
    /// A new editor device's first pull page (cursor 0) over the office's whole change log.
    pub first_pull_p50_ms: f64,
    pub first_pull_p95_ms: f64,
}

/// Fills the server's SQLite database (before the server starts) with `n` submitted items of the
/// root office's townships, in one transaction.
pub fn seed_queue(data_dir: &Path, n: usize) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        sqlx::any::install_default_drivers();
        let url = format!("sqlite://{}?mode=rwc", data_dir.join("xinbao.db").display());
        let pool = sqlx::AnyPool::connect(&url).await.map_err(|e| e.to_string())?;
        let e = |e: sqlx::Error| e.to_string();
        use sqlx::Row;
        let root: i64 = sqlx::query("SELECT id FROM units WHERE parent_id IS NULL").fetch_one(&pool).await.map_err(e)?.try_get(0).map_err(e)?;
        let author: i64 = sqlx::query("SELECT id FROM users WHERE username = 'bench0'").fetch_one(&pool).await.map_err(e)?.try_get(0).map_err(e)?;
        let mut units = Vec::new();
        for t in 0..20 {
            let row = sqlx::query("INSERT INTO units (parent_id, name, kind, created_at) VALUES ($1, $2, 'township', 0) RETURNING id")
                .bind(root)
                .bind(format!("测试镇{t}"))
                .fetch_one(&pool)
                .await
                .map_err(e)?;
            units.push(row.try_get::<i64, _>(0).map_err(e)?);
        }
        let states = ["submitted", "screening", "editing", "awaiting_sign_off", "signed", "returned", "not_used", "reserved"];
        let mut tx = pool.begin().await.map_err(e)?;
        for i in 0..n {
            let kind = if i % 100 == 0 { "urgent" } else if i % 3 == 0 { "problem" } else { "dynamic" };
            let (title, body) = (format!("第{i}号信息：测试镇推进秸秆还田{}", i % 97), "今年以来，全镇秸秆还田面积达3.2万亩。");
            sqlx::query(
                "INSERT INTO items (id, unit_id, author_id, item_type, title, body, state, rev, content, created_at, updated_at, office_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $10, $8, $8, $9)",
            )
            .bind(hex32(i as u64, 0xF1))
            .bind(units[i % units.len()])
            .bind(author)
            .bind(kind)
            .bind(&title)
            .bind(body)
            .bind(states[i % states.len()])
            .bind(1_780_000_000_000i64 + i as i64 * 1000)
            .bind(root)
            .bind(json!({"title": title, "body": body, "item_type": kind}).to_string())
            .execute(&mut *tx)
            .await
            .map_err(e)?;
            // Its entry in the change log, as a push writes it: what a new editor device pulls.
            sqlx::query("INSERT INTO change_log (seq, item_id, author_id, office_id, at) VALUES ($1, $2, $3, $4, $5)")
                .bind(i as i64 + 1)
                .bind(hex32(i as u64, 0xF1))
                .bind(author)
                .bind(root)
                .bind(1_780_000_000_000i64 + i as i64 * 1000)
                .execute(&mut *tx)
                .await
                .map_err(e)?;
        }
        sqlx::query("UPDATE seq_counter SET value = $1 WHERE id = 1").bind(n as i64).execute(&mut *tx).await.map_err(e)?;
        tx.commit().await.map_err(e)?;
        pool.close().await;
        Ok(())
    })
}

pub async fn get(http: &Http, port: u16, path: &str, cookie: &str) -> Result<(u16, Vec<u8>)> {
    let req = Request::get(format!("http://127.0.0.1:{port}{path}"))
        .header("cookie", cookie)
        .body(Full::new(Bytes::new()))
        .map_err(|e| e.to_string())?;
    let resp = http.request(req).await.map_err(|e| format!("GET {path}: {e}"))?;
    let status = resp.status().as_u16();
    let raw = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes().to_vec();
    Ok((status, raw))
}

/// Times filtered queue pages as the office's editor.
pub fn queue_bench(port: u16, items: usize) -> Result<QueueNumbers> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let http: Http = Client::builder(TokioExecutor::new()).build_http();
        let (status, _, cookie) =
            post(&http, port, "/api/login", json!({"username": "bench-editor", "password": "Chunfeng-2026"}).to_string(), None).await?;
        let cookie = cookie.filter(|_| status == 200).ok_or("editor login failed")?;
        let time = async |path: &str| -> Result<(f64, f64)> {
            let mut t = Vec::new();
            for _ in 0..60 {
                let start = Instant::now();
                let (status, body) = get(&http, port, path, &cookie).await?;
                t.push(start.elapsed().as_secs_f64() * 1000.0);
                let rows: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
                if status != 200 || rows.as_array().is_none_or(|r| r.is_empty()) {
                    return Err(format!("{path}: {status}"));
                }
            }
            t.drain(..10); // warm-up
            t.sort_by(f64::total_cmp);
            Ok((t[t.len() / 2], t[(t.len() as f64 * 0.95) as usize]))
        };
        let state_page = time("/api/review/queue?state=submitted&item_type=dynamic&limit=50&offset=500").await?;
        let text_page = time("/api/review/queue?state=submitted&q=%E7%A7%B8%E7%A7%86%E8%BF%98%E7%94%B042&limit=50").await?;
        // A new editor device: the first page of its pull, from cursor 0.
        let mut t = Vec::new();
        for k in 0..40u64 {
            let body = json!({"client_id": hex32(k, 0xD5), "cursor": 0}).to_string();
            let start = Instant::now();
            let (status, raw, _) = post(&http, port, "/api/sync/pull", body, Some(&cookie)).await?;
            t.push(start.elapsed().as_secs_f64() * 1000.0);
            let page: Value = serde_json::from_slice(&unbrotli(&raw)).map_err(|e| format!("first pull ({status}): {e}"))?;
            if status != 200 || page["changes"].as_array().is_none_or(|c| c.is_empty()) || page["has_more"] != true {
                return Err(format!("first pull: {status}"));
            }
        }
        t.drain(..5);
        t.sort_by(f64::total_cmp);
        let first_pull = (t[t.len() / 2], t[(t.len() as f64 * 0.95) as usize]);
        Ok(QueueNumbers {
            items,
            state_page_p50_ms: state_page.0,
            state_page_p95_ms: state_page.1,
            text_page_p50_ms: text_page.0,
            text_page_p95_ms: text_page.1,
            first_pull_p50_ms: first_pull.0,
            first_pull_p95_ms: first_pull.1,
        })
    })
}
