//! The failover check (`cargo xtask test`, step `failover`): two servers on one PostgreSQL
//! behind nginx while simulated officers, an editor and a signer work; one server killed and the
//! other stopped midway; afterwards the database is checked for anything lost or doubled.

use crate::fleet::*;
use crate::run::{Result, Server};
use crate::syncbench::{Http, corpus, hex32};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What the failover run saw.
pub struct FailoverReport {
    /// Announcement streams (one on each server, one through nginx) that heard an urgent item.
    pub announced: usize,
    pub officers: usize,
    pub items: usize,
    pub requests: u64,
    pub retries: u64,
    pub pushes_served: [f64; 2],
    pub causes: BTreeMap<String, u64>,
    pub seconds: f64,
}

/// The sample `series` (name and labels exactly) in a Prometheus text answer.
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|l| l.strip_prefix(series).and_then(|r| r.strip_prefix(' ')).and_then(|v| v.trim().parse().ok()))
}

/// One server's `/metrics`, asked directly (nginx denies it): an answer also shows it is up.
async fn metrics_of(port: u16) -> Result<String> {
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let (status, body) = crate::syncbench::get(&http, port, "/metrics", "").await?;
    if status != 200 {
        return Err(format!("/metrics on {port} answered {status}"));
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// The failover test: officers push and pull and an editor and a signer review, all through
/// nginx, while server 0 is killed (SIGKILL) and restarted and then server 1 is stopped (SIGTERM,
/// finishing what is in flight) and restarted. Afterwards every item is in the database once,
/// submitted once and moved through each review step once; every acknowledged mutation was
/// applied (none answered as a conflict, which a replay taken for new would be); sessions made
/// on one server worked on the other; both servers served pushes after their restarts.
pub fn failover(server_bin: &Path) -> Result<FailoverReport> {
    let cluster = crate::pg::Cluster::start()?;
    let url = cluster.database("xinbao_failover")?;
    let seed_dir = std::env::temp_dir().join(format!("xinbao-failover-seed-{}", std::process::id()));
    seed_officers(server_bin, &seed_dir, Some(&url))?;
    let _ = std::fs::remove_dir_all(&seed_dir);
    let mut pair = Pair::start(server_bin, &url, "failover")?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    let started = Instant::now();
    const OFFICERS: usize = 24;
    const ROUNDS: usize = 12;
    let fleet = Fleet::new(pair.nginx.port);
    let officers_done = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(AtomicU64::new(0));

    // People: officers submit and pull; the editor and the signer review what the officers sent.
    let people = {
        let (fleet, officers_done, progress) = (fleet.clone(), officers_done.clone(), progress.clone());
        rt.spawn(async move {
            let corpus = Arc::new(corpus());
            let mut officers = Vec::new();
            for n in 0..OFFICERS {
                let (fleet, corpus, progress) = (fleet.clone(), corpus.clone(), progress.clone());
                officers.push(tokio::spawn(async move {
                    let mut me = Person::login(&fleet, &format!("{TAG}-o{n}"), 100 + n as u64).await?;
                    let mut mine = Vec::new();
                    for round in 0..ROUNDS {
                        let id = hex32((n * 100 + round) as u64, 0xFA11);
                        me.push(&fleet, vec![(id.clone(), 0, submission(&corpus, n + round))]).await?;
                        mine.push(id);
                        me.pull(&fleet).await?;
                        progress.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(120)).await;
                    }
                    Ok::<_, String>((me.name.clone(), mine))
                }));
            }
            let reviewers = tokio::spawn({
                let (fleet, officers_done) = (fleet.clone(), officers_done.clone());
                async move { review(&fleet, &officers_done).await }
            });
            let mut sent = BTreeMap::new();
            for o in officers {
                let (name, ids) = o.await.map_err(|e| e.to_string())??;
                sent.insert(name, ids);
            }
            officers_done.store(true, Ordering::Relaxed);
            let reviewed = reviewers.await.map_err(|e| e.to_string())??;
            Ok::<_, String>((sent, reviewed))
        })
    };

    // The faults, while the people work.
    let total = (OFFICERS * ROUNDS) as u64;
    let wait_for = |share: u64| {
        let until = Instant::now() + Duration::from_secs(90);
        while progress.load(Ordering::Relaxed) < total * share / 6 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait_for(1);
    if let Some(s) = pair.servers[0].take() {
        s.kill();
    }
    println!("failover: server 0 killed after {} of {total} rounds", progress.load(Ordering::Relaxed));
    wait_for(2);
    pair.restart(0)?;
    println!("failover: server 0 restarted after {} rounds", progress.load(Ordering::Relaxed));
    wait_for(3);
    let stopped_cleanly = pair.servers[1].take().is_some_and(Server::stop);
    println!("failover: server 1 stopped (SIGTERM) after {} rounds, clean exit: {stopped_cleanly}", progress.load(Ordering::Relaxed));
    wait_for(4);
    pair.restart(1)?;
    println!("failover: server 1 restarted after {} rounds", progress.load(Ordering::Relaxed));

    let outcome = rt.block_on(async {
        let (sent, reviewed) = tokio::time::timeout(Duration::from_secs(180), people)
            .await
            .map_err(|_| "the failover run did not finish in 180 s".to_owned())?
            .map_err(|e| e.to_string())??;
        let served = [metrics_of(pair.ports[0]).await?, metrics_of(pair.ports[1]).await?];
        Ok::<_, String>((sent, reviewed, served))
    });
    let (sent, reviewed, served) = outcome?;
    let pushes_served = [0, 1]
        .map(|i| sample(&served[i], "xinbao_http_requests_total{method=\"POST\",route=\"/api/sync/push\",status=\"200\"}").unwrap_or(0.0));
    for (i, n) in pushes_served.iter().enumerate() {
        if *n < 1.0 {
            return Err(format!("server {i} served no push after its restart: nginx did not bring it back"));
        }
    }
    if !stopped_cleanly {
        return Err("server 1 did not exit cleanly on SIGTERM".into());
    }
    let items = rt.block_on(check_database(&url, &sent, &reviewed))?;
    let announced = rt.block_on(announcements_across(&fleet, pair.ports))?;
    // A server with announcement streams open still stops cleanly (the streams end).
    let streams = rt.block_on(async {
        let cookie = fleet.login(&format!("{TAG}-editor")).await?;
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(crate::announcebench::open_stream(pair.ports[0], &cookie).await?);
        }
        Ok::<_, String>(held)
    })?;
    if !pair.servers[0].take().is_some_and(Server::stop) {
        return Err("server 0 did not exit cleanly on SIGTERM with announcement streams open".into());
    }
    drop(streams);
    Ok(FailoverReport {
        announced,
        officers: sent.len(),
        items,
        requests: fleet.requests.load(Ordering::Relaxed),
        retries: fleet.retries.load(Ordering::Relaxed),
        pushes_served,
        causes: fleet.causes.lock().map(|c| c.clone()).unwrap_or_default(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// An urgent item pushed through nginx (to either server) is heard on a stream held open on each
/// server and on one through nginx (which must pass events as they come, unbuffered): the
/// servers share nothing but the database.
async fn announcements_across(fleet: &Fleet, ports: [u16; 2]) -> Result<usize> {
    use crate::announcebench::{next_urgent, open_stream};
    let cookie = fleet.login(&format!("{TAG}-editor")).await?;
    let mut streams =
        [open_stream(ports[0], &cookie).await?, open_stream(ports[1], &cookie).await?, open_stream(fleet.port, &cookie).await?];
    // Each server's watcher reads the head first.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut officer = Person::login(fleet, &format!("{TAG}-o0"), 900).await?;
    let id = hex32(0x5e, 0xA77);
    let content = json!({"title": "兰州湾镇突降冰雹 300亩农田受灾", "body": "6月3日上午，兰州湾镇突降冰雹，受灾农田300亩，已组织抢收。",
        "phone": "13912345678", "item_type": "urgent", "event_time": 1_780_000_000_000_i64});
    officer.push(fleet, vec![(id.clone(), 0, json!({"op": "submit", "content": content}))]).await?;
    let mut heard = 0;
    for (i, s) in streams.iter_mut().enumerate() {
        match next_urgent(s, Duration::from_secs(15)).await {
            Some(data) if data.contains(&id) => heard += 1,
            other => return Err(format!("announcement stream {i} (0, 1: the servers; 2: nginx) heard {other:?}")),
        }
    }
    Ok(heard)
}

/// The editor and the signer: every item the officers submit (ids of this run) is screened,
/// edited, sent to sign-off and signed, each step pushed once (retried with its mid on faults).
/// They learn items and revisions by pulling, as the app does, and find the submitted ones in
/// the queue. Returns, per item, the revs the review steps were acknowledged at.
async fn review(fleet: &Fleet, officers_done: &AtomicBool) -> Result<BTreeMap<String, Vec<u64>>> {
    let mut editor = Person::login(fleet, &format!("{TAG}-editor"), 1).await?;
    let mut signer = Person::login(fleet, &format!("{TAG}-signer"), 2).await?;
    let mut steps: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    // id → (rev, state) as last pulled or acknowledged.
    let mut known: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let prefix = format!("{:016x}", 0xFA11);
    let ours = |row: &Value| row["id"].as_str().filter(|id| id.starts_with(&prefix)).map(str::to_owned);
    let learn = |known: &mut BTreeMap<String, (u64, String)>, items: Vec<Value>| {
        for c in items {
            if let (Some(id), Some(rev), Some(state)) = (ours(&c), c["rev"].as_u64(), c["state"].as_str()) {
                let newer = known.get(&id).is_none_or(|(r, _)| rev >= *r);
                if newer {
                    known.insert(id, (rev, state.to_owned()));
                }
            }
        }
    };
    let until = Instant::now() + Duration::from_secs(170);
    loop {
        let done = officers_done.load(Ordering::Relaxed);
        let mut acted = 0;
        learn(&mut known, editor.pull(fleet).await?);
        let queue = editor.get(fleet, &format!("/api/review/queue?state=submitted&q={MARK_QUERY}&limit=200")).await?;
        for id in queue.as_array().into_iter().flatten().filter_map(&ours) {
            let Some((rev, state)) = known.get(&id).cloned() else { continue };
            if state != "submitted" {
                continue;
            }
            let mut base = rev;
            for action in ["screen", "edit", "send_to_sign_off"] {
                let got = editor.push(fleet, vec![(id.clone(), base, json!({"op": "act", "action": action}))]).await?;
                base = got[0];
                steps.entry(id.clone()).or_default().push(base);
            }
            known.insert(id, (base, "awaiting_sign_off".to_owned()));
            acted += 1;
        }
        learn(&mut known, signer.pull(fleet).await?);
        let waiting: Vec<(String, u64)> =
            known.iter().filter(|(_, (_, state))| state == "awaiting_sign_off").map(|(id, (rev, _))| (id.clone(), *rev)).collect();
        for (id, rev) in waiting {
            let got = signer.push(fleet, vec![(id.clone(), rev, json!({"op": "act", "action": "sign"}))]).await?;
            steps.entry(id.clone()).or_default().push(got[0]);
            known.insert(id, (got[0], "signed".to_owned()));
            acted += 1;
        }
        if done && acted == 0 {
            return Ok(steps);
        }
        if Instant::now() > until {
            return Err("the review did not catch up in 170 s".into());
        }
        if acted == 0 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Reads the database directly: each officer's items are exactly the ones acknowledged, each
/// signed at rev 5 with five revisions (submitted, screening, editing, awaiting sign-off,
/// signed), and every client's stored results match its last mid.
async fn check_database(url: &str, sent: &BTreeMap<String, Vec<String>>, reviewed: &BTreeMap<String, Vec<u64>>) -> Result<usize> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.map_err(|e| e.to_string())?;
    let e = |e: sqlx::Error| e.to_string();
    let mut items = 0;
    for (name, ids) in sent {
        let rows = sqlx::query(
            "SELECT i.id, i.rev, i.state FROM items i JOIN users u ON u.id = i.author_id WHERE u.username = $1 AND i.id LIKE $2",
        )
        .bind(name)
        .bind(format!("{:016x}%", 0xFA11))
        .fetch_all(&pool)
        .await
        .map_err(e)?;
        let stored: BTreeSet<String> = rows.iter().map(|r| r.try_get::<String, _>(0)).collect::<std::result::Result<_, _>>().map_err(e)?;
        let acknowledged: BTreeSet<String> = ids.iter().cloned().collect();
        if stored != acknowledged || ids.len() != acknowledged.len() {
            return Err(format!("{name}: acknowledged {} items, the database holds {} of theirs", acknowledged.len(), stored.len()));
        }
        for r in &rows {
            let (id, rev, state): (String, i64, String) = (r.try_get(0).map_err(e)?, r.try_get(1).map_err(e)?, r.try_get(2).map_err(e)?);
            if rev != 5 || state != "signed" {
                return Err(format!("item {id}: rev {rev}, state {state}; expected signed at rev 5 (each step once)"));
            }
            if reviewed.get(&id).map(Vec::as_slice) != Some(&[2, 3, 4, 5][..]) {
                return Err(format!("item {id}: review steps acknowledged at revs {:?}", reviewed.get(&id)));
            }
            let states: Vec<String> = sqlx::query("SELECT state FROM item_revisions WHERE item_id = $1 ORDER BY rev")
                .bind(&id)
                .fetch_all(&pool)
                .await
                .map_err(e)?
                .iter()
                .map(|r| r.try_get::<String, _>(0))
                .collect::<std::result::Result<_, _>>()
                .map_err(e)?;
            if states != ["submitted", "screening", "editing", "awaiting_sign_off", "signed"] {
                return Err(format!("item {id}: revisions {states:?}"));
            }
            let steps: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE subject = $1 AND action LIKE 'review:%'")
                .bind(&id)
                .fetch_one(&pool)
                .await
                .and_then(|r| r.try_get(0))
                .map_err(e)?;
            if steps != 4 {
                return Err(format!("item {id}: {steps} review steps in the audit trail, expected 4"));
            }
            items += 1;
        }
    }
    let clients = sqlx::query(
        "SELECT c.client_id, c.last_mid, (SELECT COUNT(*) FROM mutation_results m WHERE m.client_id = c.client_id) FROM sync_clients c WHERE c.client_id LIKE $1",
    )
    .bind(format!("{:016x}%", 0xF1EE7))
    .fetch_all(&pool)
    .await
    .map_err(e)?;
    for c in &clients {
        let (id, last, stored): (String, i64, i64) = (c.try_get(0).map_err(e)?, c.try_get(1).map_err(e)?, c.try_get(2).map_err(e)?);
        if last != stored {
            return Err(format!("client {id}: last mid {last} but {stored} stored results"));
        }
    }
    pool.close().await;
    Ok(items)
}
