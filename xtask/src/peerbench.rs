//! The offline-first peer people would pick instead: a PouchDB server (express-pouchdb on
//! LevelDB, `xtask/peer/`, installed from npm) taking the same 1,000 Chinese items in batches of
//! 200 over loopback, measured in the same run as Xinbao's push (`cargo xtask bench sync`).
//! PouchDB's LevelDB does not fsync each batch; Xinbao commits each push durably
//! (`synchronous=FULL`) before answering, and must keep doing so.

use crate::run::{Result, root};
use crate::syncbench::{Http, post};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// The running peer; killed when dropped.
struct Peer {
    child: Child,
    port: u16,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Installs the peer's packages when needed and starts it on a free loopback port, its data
/// in `dir`.
fn start(dir: &Path) -> Result<Peer> {
    crate::tools::ensure_npm("xtask/peer")?;
    let _ = std::fs::remove_dir_all(dir);
    let mut child = Command::new("node")
        .arg(root().join("xtask/peer/server.js"))
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("starting the PouchDB peer (node): {e}"))?;
    let stdout = child.stdout.take().ok_or("the PouchDB peer has no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
    let port = line.trim().rsplit(':').next().and_then(|p| p.parse().ok());
    let mut peer = Peer { child, port: 0 };
    peer.port = port.ok_or_else(|| format!("the PouchDB peer said {line:?}, not where it listens"))?;
    Ok(peer)
}

/// Starts the peer in `dir`, sends it the 1,000 drafts Xinbao's push takes
/// ([`crate::syncbench::thousand_drafts`]) and returns the milliseconds that took.
pub fn run(dir: &Path) -> Result<f64> {
    let peer = start(dir)?;
    let drafts = crate::syncbench::thousand_drafts()?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(push(&crate::syncbench::http(), peer.port, &drafts))
}

/// Sends `mutations`' contents to the peer as documents, 200 to a `_bulk_docs`, and returns the
/// milliseconds it took; every document must be stored.
async fn push(http: &Http, port: u16, mutations: &[Value]) -> Result<f64> {
    let (status, _, _) = put(http, port, "/items").await?;
    if status != 201 {
        return Err(format!("creating the peer's database answered {status}"));
    }
    // The bodies are made before the clock starts, as for Xinbao's push.
    let bodies: Vec<(String, usize)> = mutations
        .chunks(200)
        .map(|chunk| {
            let docs: Vec<Value> = chunk
                .iter()
                .map(|m| {
                    let c = &m["content"];
                    json!({"_id": m["item_id"], "title": c["title"], "body": c["body"], "item_type": c["item_type"], "phone": c["phone"]})
                })
                .collect();
            (json!({ "docs": docs }).to_string(), chunk.len())
        })
        .collect();
    let t = Instant::now();
    for (body, n) in bodies {
        let (status, raw, _) = post(http, port, "/items/_bulk_docs", body, None).await?;
        let answer: Value = serde_json::from_slice(&crate::syncbench::unbrotli(&raw)).map_err(|e| e.to_string())?;
        let stored = answer.as_array().map(|a| a.iter().filter(|r| r["ok"] == true).count());
        if status != 201 || stored != Some(n) {
            return Err(format!("the peer's _bulk_docs answered {status}: {answer}"));
        }
    }
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}

async fn put(http: &Http, port: u16, path: &str) -> Result<(u16, Vec<u8>, Option<String>)> {
    use http_body_util::{BodyExt, Full};
    let req =
        hyper::Request::put(format!("http://127.0.0.1:{port}{path}")).body(Full::new(bytes::Bytes::new())).map_err(|e| e.to_string())?;
    let resp = http.request(req).await.map_err(|e| format!("PUT {path}: {e}"))?;
    let status = resp.status().as_u16();
    let raw = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes().to_vec();
    Ok((status, raw, None))
}
