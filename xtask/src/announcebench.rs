//! What announcing urgent items costs the server (issue 23): 1,000 editor pages holding
//! `GET /api/review/announcements` open against the release server — its memory and CPU while
//! they idle, the bytes each receives while idle, and how long one urgent item takes to reach
//! all of them.

use crate::run::Result;
use crate::syncbench::{Http, post};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct AnnounceNumbers {
    pub clients: usize,
    /// Server memory (VmRSS) with no listener, and with every client listening.
    pub rss_before_mb: f64,
    pub rss_after_mb: f64,
    /// Server CPU over a minute of idling, without and with the clients.
    pub idle_cpu_ms_per_min_alone: f64,
    pub idle_cpu_ms_per_min: f64,
    /// Bytes each client received while idling, a minute.
    pub idle_bytes_per_client_per_min: f64,
    /// From the officer's push to each client's event.
    pub deliver_p50_ms: f64,
    pub deliver_max_ms: f64,
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok()).unwrap_or(0.0)
        / 1024.0
}

/// User + system CPU of `pid`, in ms (clock ticks of 10 ms: Linux's USER_HZ).
fn cpu_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command's closing parenthesis: state is the 3rd field, utime the 14th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) * 10.0
}

/// Opens `GET /api/review/announcements` on `port` as `cookie` and reads its 200 header.
pub async fn open_stream(port: u16, cookie: &str) -> Result<tokio::net::TcpStream> {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| format!("connect: {e}"))?;
    let request =
        format!("GET /api/review/announcements HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n");
    s.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1];
    // Byte by byte up to the blank line: nothing of the stream is read with the header.
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut buf).await.map_err(|e| e.to_string())? == 0 {
            return Err("the server closed an announcement stream at once".into());
        }
        head.push(buf[0]);
    }
    if !head.starts_with(b"HTTP/1.1 200") {
        return Err(format!("announcements: {}", String::from_utf8_lossy(&head[..head.len().min(200)])));
    }
    Ok(s)
}

/// The data of the next `urgent` event on `s`, if one comes within `wait`.
pub async fn next_urgent(s: &mut tokio::net::TcpStream, wait: Duration) -> Option<String> {
    let read = async {
        let mut seen = String::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = s.read(&mut buf).await.ok().filter(|n| *n > 0)?;
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            if let Some(at) = seen.find("event: urgent\n") {
                let rest = &seen[at..];
                if let Some(end) = rest.find("\n\n") {
                    return rest[..end].lines().find_map(|l| l.strip_prefix("data: ")).map(str::to_owned);
                }
            }
        }
    };
    tokio::time::timeout(wait, read).await.ok().flatten()
}

/// Runs against the server at `port` (process `pid`) whose office has `editor` and `officer`
/// (password `Chunfeng-2026`); idles `idle` with and without the clients.
pub fn run(port: u16, pid: u32, editor: &str, officer: &str, clients: usize, idle: Duration) -> Result<AnnounceNumbers> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let http: Http = Client::builder(TokioExecutor::new()).build_http();
        let login = async |name: &str| -> Result<String> {
            let (status, _, cookie) =
                post(&http, port, "/api/login", json!({"username": name, "password": "Chunfeng-2026"}).to_string(), None).await?;
            cookie.filter(|_| status == 200).ok_or_else(|| format!("{name} could not log in ({status})"))
        };
        let editor = login(editor).await?;
        let officer = login(officer).await?;
        let per_min = |v: f64, d: Duration| v * 60.0 / d.as_secs_f64();

        tokio::time::sleep(Duration::from_secs(2)).await;
        let rss_before_mb = rss_mb(pid);
        let c0 = cpu_ms(pid);
        tokio::time::sleep(idle).await;
        let idle_cpu_ms_per_min_alone = per_min(cpu_ms(pid) - c0, idle);

        let bytes = Arc::new(AtomicUsize::new(0));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
        for _ in 0..clients {
            let mut s = open_stream(port, &editor).await?;
            let mut buf = [0u8; 4096];
            let (bytes, tx) = (bytes.clone(), tx.clone());
            tokio::spawn(async move {
                let mut seen = String::new();
                loop {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            bytes.fetch_add(n, Ordering::Relaxed);
                            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
                            if seen.contains("event: urgent") {
                                let _ = tx.send(Instant::now());
                                seen.clear();
                            } else if seen.len() > 4096 {
                                seen.clear();
                            }
                        }
                    }
                }
            });
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let rss_after_mb = rss_mb(pid);
        let (c1, b1) = (cpu_ms(pid), bytes.load(Ordering::Relaxed));
        tokio::time::sleep(idle).await;
        let idle_cpu_ms_per_min = per_min(cpu_ms(pid) - c1, idle);
        let idle_bytes_per_client_per_min = per_min((bytes.load(Ordering::Relaxed) - b1) as f64, idle) / clients as f64;

        let content = json!({"title": "兰州湾镇突降冰雹 300亩农田受灾", "body": "6月3日上午，兰州湾镇突降冰雹，受灾农田300亩，已组织抢收。",
            "phone": "13912345678", "item_type": "urgent", "event_time": 1_780_000_000_000_i64});
        let push = json!({"client_id": format!("{:032x}", 0xa77_u64), "mutations": [
            {"mid": 1, "item_id": format!("{:032x}", 0xa77_0001_u64), "base_rev": 0, "op": "submit", "content": content}]});
        let started = Instant::now();
        let (status, body, _) = post(&http, port, "/api/sync/push", push.to_string(), Some(&officer)).await?;
        if status != 200 {
            return Err(format!("push: {status} {}", String::from_utf8_lossy(&crate::syncbench::unbrotli(&body))));
        }
        let mut lat = Vec::with_capacity(clients);
        while lat.len() < clients {
            match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
                Ok(Some(at)) => lat.push(at.duration_since(started).as_secs_f64() * 1000.0),
                _ => return Err(format!("{} of {clients} clients heard the urgent item", lat.len())),
            }
        }
        lat.sort_by(f64::total_cmp);
        Ok(AnnounceNumbers {
            clients,
            rss_before_mb,
            rss_after_mb,
            idle_cpu_ms_per_min_alone,
            idle_cpu_ms_per_min,
            idle_bytes_per_client_per_min,
            deliver_p50_ms: lat[lat.len() / 2],
            deliver_max_ms: lat[lat.len() - 1],
        })
    })
}
