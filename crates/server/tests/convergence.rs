//! The randomized sync run (SYNC.md fault 17): several officers, each on several devices,
//! editing, submitting, deleting and resolving conflicts while connections drop before and
//! after the server commits and the server is restarted — then everyone syncs cleanly and the
//! test checks that every device agrees with the server and that no acknowledged mutation is
//! missing or doubled. The devices make their decisions with `xinbao_core::sync`'s functions,
//! the ones the browser calls. The seed is printed; `XINBAO_SEED=n` replays a run.

mod common;

use axum::http::StatusCode;
use common::{TestApp, json};
use serde_json::json;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};
use xinbao_core::item::DraftContent;
use xinbao_core::role::Role;
use xinbao_core::sync::{
    ItemSnapshot, ItemState, LocalCopy, LocalSync, Mutation, Op, Outcome, PullAction, PullResponse, PushResponse, on_pulled,
};

/// xorshift64*: small, seedable, good enough to pick actions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn hex32(&mut self) -> String {
        format!("{:016x}{:016x}", self.next(), self.next())
    }
}

struct Local {
    content: DraftContent,
    local_rev: u32,
    sync: LocalSync,
    trashed: bool,
}

struct Entry {
    item_id: String,
    base_rev: u64,
    local_rev: u32,
    op: Op,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Fault {
    None,
    /// The request never reaches the server.
    LostBefore,
    /// The server commits; the answer is lost.
    LostAfter,
}

struct Device {
    name: String,
    cookie: String,
    client_id: String,
    next_mid: u64,
    cursor: u64,
    drafts: BTreeMap<String, Local>,
    outbox: BTreeMap<u64, Entry>,
    /// (item, rev, content) of every Save/Submit the server acknowledged to this device.
    acked: Vec<(String, u64, DraftContent)>,
}

fn content(title: &str, body: &str) -> DraftContent {
    DraftContent { title: title.into(), body: body.into(), phone: "13912345678".into(), ..DraftContent::default() }
}

impl Device {
    fn edit(&mut self, rng: &mut Rng, step: usize) {
        let editable: Vec<String> = self
            .drafts
            .iter()
            .filter(|(_, d)| !d.trashed && d.sync.state != Some(ItemState::Submitted) && !d.sync.submit)
            .map(|(id, _)| id.clone())
            .collect();
        let id =
            if editable.is_empty() || rng.chance(30) { rng.hex32() } else { editable[rng.below(editable.len() as u64) as usize].clone() };
        let d = self.drafts.entry(id).or_insert_with(|| Local {
            content: DraftContent::default(),
            local_rev: 0,
            sync: LocalSync::default(),
            trashed: false,
        });
        d.content = content(&format!("{}的稿件", self.name), &format!("第{step}步由{}改写，受灾农田{}亩。", self.name, step * 10));
        d.local_rev += 1;
    }

    fn submit(&mut self, rng: &mut Rng) {
        let ready: Vec<&mut Local> =
            self.drafts.values_mut().filter(|d| !d.trashed && d.sync.state != Some(ItemState::Submitted) && d.local_rev > 0).collect();
        let n = ready.len() as u64;
        if let Some(d) = ready.into_iter().nth(rng.below(n) as usize) {
            d.sync.submit = true;
        }
    }

    fn trash_or_restore(&mut self, rng: &mut Rng) {
        let n = self.drafts.len() as u64;
        if let Some(d) = self.drafts.values_mut().nth(rng.below(n) as usize)
            && d.sync.state != Some(ItemState::Submitted)
            && !d.sync.submit
        {
            d.trashed = !d.trashed;
            d.local_rev += 1;
        }
    }

    /// Resolves every conflict: keep mine on top, or take the server's.
    fn resolve(&mut self, rng: &mut Rng, keep_mine: Option<bool>) {
        for d in self.drafts.values_mut() {
            let Some(server) = d.sync.conflict.take() else { continue };
            d.sync.rev = server.rev;
            d.sync.state = Some(server.state);
            if keep_mine.unwrap_or_else(|| rng.chance(50)) && server.state != ItemState::Submitted {
                d.sync.synced_rev = 0;
            } else {
                d.content = server.content;
                d.local_rev += 1;
                d.sync.synced_rev = d.local_rev;
                d.sync.submit = false;
                d.trashed = server.state == ItemState::Deleted;
            }
        }
    }

    fn freeze(&mut self) {
        let waiting: HashSet<String> = self.outbox.values().map(|e| e.item_id.clone()).collect();
        for (id, d) in &self.drafts {
            if waiting.contains(id) {
                continue;
            }
            if let Some((base_rev, op)) = d.sync.next_op(&d.content, d.local_rev, d.trashed) {
                self.outbox.insert(self.next_mid, Entry { item_id: id.clone(), base_rev, local_rev: d.local_rev, op });
                self.next_mid += 1;
            }
        }
    }

    fn start_over(&mut self, rng: &mut Rng) {
        let entries: Vec<Entry> = std::mem::take(&mut self.outbox).into_values().collect();
        self.client_id = rng.hex32();
        self.next_mid = 1;
        self.cursor = 0;
        for e in entries {
            self.outbox.insert(self.next_mid, e);
            self.next_mid += 1;
        }
    }

    async fn sync(&mut self, t: &TestApp, rng: &mut Rng, fault: Fault) {
        self.freeze();
        for _ in 0..4 {
            let batch: Vec<Mutation> = self
                .outbox
                .iter()
                .take(50)
                .map(|(mid, e)| Mutation { mid: *mid, item_id: e.item_id.clone(), base_rev: e.base_rev, op: e.op.clone() })
                .collect();
            if batch.is_empty() {
                break;
            }
            if fault == Fault::LostBefore {
                return;
            }
            let res = t.post_json("/api/sync/push", json!({"client_id": self.client_id, "mutations": batch}), Some(&self.cookie)).await;
            assert_eq!(res.status(), StatusCode::OK, "{}: push", self.name);
            if fault == Fault::LostAfter {
                return;
            }
            let resp: PushResponse = serde_json::from_value(json(res).await).unwrap_or_else(|e| panic!("push answer: {e}"));
            if resp.expected.is_some() {
                self.start_over(rng);
                continue;
            }
            for r in &resp.results {
                let Some(e) = self.outbox.remove(&r.mid) else { continue };
                if let Some(d) = self.drafts.get_mut(&e.item_id) {
                    d.sync.on_result(&e.op, e.local_rev, &r.outcome, 0.0);
                }
                if let (Outcome::Applied { rev }, Op::Save { content } | Op::Submit { content }) = (&r.outcome, &e.op) {
                    self.acked.push((e.item_id.clone(), *rev, content.clone()));
                }
            }
        }
        loop {
            let res = t.post_json("/api/sync/pull", json!({"client_id": self.client_id, "cursor": self.cursor}), Some(&self.cookie)).await;
            assert_eq!(res.status(), StatusCode::OK, "{}: pull", self.name);
            let page: PullResponse = serde_json::from_value(json(res).await).unwrap_or_else(|e| panic!("pull answer: {e}"));
            self.apply_pull(&page);
            if !page.has_more {
                break;
            }
        }
    }

    /// The browser's `apply_pull`, decision for decision.
    fn apply_pull(&mut self, page: &PullResponse) {
        for s in &page.changes {
            let waiting = self.outbox.iter().find(|(_, e)| e.item_id == s.id).map(|(mid, e)| (*mid, e));
            let in_outbox = waiting.and_then(|(_, e)| match &e.op {
                Op::Save { content } | Op::Submit { content } => Some(content.clone()),
                _ => None,
            });
            let waiting = waiting.map(|(mid, e)| (mid, e.local_rev));
            let action = on_pulled(
                self.drafts.get(&s.id).map(|d| LocalCopy {
                    sync: &d.sync,
                    local_rev: d.local_rev,
                    content: &d.content,
                    in_outbox: in_outbox.as_ref(),
                }),
                s,
            );
            match action {
                PullAction::Ignore => {}
                PullAction::Insert => {
                    let sync = LocalSync { rev: s.rev, state: Some(s.state), synced_rev: 1, ..LocalSync::default() };
                    self.drafts.insert(s.id.clone(), Local { content: s.content.clone(), local_rev: 1, sync, trashed: false });
                }
                PullAction::Take => {
                    if let Some(d) = self.drafts.get_mut(&s.id) {
                        d.content = s.content.clone();
                        d.local_rev += 1;
                        d.sync = LocalSync { rev: s.rev, state: Some(s.state), synced_rev: d.local_rev, ..LocalSync::default() };
                        d.trashed = s.state == ItemState::Deleted;
                    }
                }
                PullAction::Converged => {
                    if let Some(d) = self.drafts.get_mut(&s.id) {
                        d.sync.rev = s.rev;
                        d.sync.state = Some(s.state);
                        d.sync.conflict = None;
                        if let (Some((mid, local_rev)), Some(c)) = (waiting, &in_outbox)
                            && c == &s.content
                        {
                            d.sync.synced_rev = local_rev;
                            self.outbox.remove(&mid);
                        } else if d.content == s.content {
                            d.sync.synced_rev = d.local_rev;
                        }
                    }
                }
                PullAction::Conflict => {
                    if let Some(d) = self.drafts.get_mut(&s.id) {
                        d.sync.conflict = Some(s.clone());
                    }
                }
            }
        }
        self.outbox.retain(|mid, _| *mid > page.last_mid);
        self.cursor = page.cursor;
    }
}

async fn server_items(t: &TestApp) -> HashMap<String, ItemSnapshot> {
    let rows = sqlx::query("SELECT id, rev, state, content, author_id, unit_id, updated_at FROM items")
        .fetch_all(&t.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id").unwrap_or_default();
            let snap = ItemSnapshot {
                id: id.clone(),
                rev: r.try_get::<i64, _>("rev").unwrap_or(0) as u64,
                state: ItemState::parse(&r.try_get::<String, _>("state").unwrap_or_default()).unwrap_or(ItemState::Draft),
                content: serde_json::from_str(&r.try_get::<String, _>("content").unwrap_or_default()).unwrap_or_default(),
                author_id: r.try_get("author_id").unwrap_or(0),
                unit_id: r.try_get("unit_id").unwrap_or(0),
                updated_at: 0,
                author_name: String::new(),
                unit_name: String::new(),
                review: None,
                comments: vec![],
                quality: None,
                late_minutes: None,
            };
            (id, snap)
        })
        .collect()
}

#[tokio::test]
async fn many_clients_random_faults_and_restarts_converge_with_nothing_lost_or_doubled() {
    let seed = std::env::var("XINBAO_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_2026_u64);
    println!("convergence seed: {seed} (replay with XINBAO_SEED={seed})");
    let mut rng = Rng(seed | 1);
    let mut t = TestApp::spawn().await;
    let mut devices = Vec::new();
    for (user, unit) in [("lzw", "兰州湾镇"), ("dfz", "大丰镇")] {
        t.user(user, "Chunfeng-2026", Role::Officer, unit).await;
        for n in 0..3 {
            let cookie = t.login(user, "Chunfeng-2026").await;
            devices.push(Device {
                name: format!("{user}#{n}"),
                cookie,
                client_id: rng.hex32(),
                next_mid: 1,
                cursor: 0,
                drafts: BTreeMap::new(),
                outbox: BTreeMap::new(),
                acked: Vec::new(),
            });
        }
    }
    let mut restarts = 0;
    for step in 0..600 {
        let i = rng.below(devices.len() as u64) as usize;
        let d = &mut devices[i];
        match rng.below(100) {
            0..=39 => d.edit(&mut rng, step),
            40..=49 => d.submit(&mut rng),
            50..=54 => d.trash_or_restore(&mut rng),
            55..=59 => d.resolve(&mut rng, None),
            60..=97 => {
                let fault = match rng.below(10) {
                    0..=1 => Fault::LostBefore,
                    2..=3 => Fault::LostAfter,
                    _ => Fault::None,
                };
                d.sync(&t, &mut rng, fault).await;
            }
            _ => {
                t = t.restart().await;
                restarts += 1;
            }
        }
    }
    // The network heals: everyone syncs, conflicts are resolved (taking the server's version,
    // so there is one answer), until nothing is left to send.
    for _ in 0..6 {
        for d in devices.iter_mut() {
            d.sync(&t, &mut rng, Fault::None).await;
            d.resolve(&mut rng, Some(false));
        }
    }
    for d in devices.iter_mut() {
        d.sync(&t, &mut rng, Fault::None).await;
    }

    let server = server_items(&t).await;
    let mut acked = 0;
    for d in &devices {
        assert!(d.outbox.is_empty(), "{}: {} mutations never answered", d.name, d.outbox.len());
        for (id, local) in &d.drafts {
            let pending = local.sync.next_op(&local.content, local.local_rev, local.trashed);
            assert!(pending.is_none() && local.sync.conflict.is_none(), "{}: {id} still has something to send", d.name);
            match server.get(id) {
                // A withdrawn item: in the trash here too, at the same revision (the trash keeps
                // the text this device last had, which may be a version the author withdrew).
                Some(s) if s.state == ItemState::Deleted => {
                    assert!(local.trashed && local.sync.rev == s.rev, "{}: {id} deleted on the server but not here", d.name)
                }
                Some(s) => {
                    assert_eq!((local.sync.rev, &local.content), (s.rev, &s.content), "{}: {id} disagrees with the server", d.name);
                    assert_eq!(local.sync.state, Some(s.state), "{}: {id} state", d.name);
                }
                None => assert!(local.trashed || local.sync.state.is_none(), "{}: {id} never reached the server", d.name),
            }
        }
        // Every acknowledged write is on the server, at the revision acknowledged, exactly once.
        for (id, rev, content) in &d.acked {
            let kept: Vec<String> = sqlx::query("SELECT content FROM item_revisions WHERE item_id = $1 AND rev = $2")
                .bind(id)
                .bind(*rev as i64)
                .fetch_all(&t.app.state.db.pool)
                .await
                .unwrap_or_default()
                .iter()
                .filter_map(|r| r.try_get(0).ok())
                .collect();
            assert_eq!(kept.len(), 1, "{}: acknowledged {id}@{rev} missing or doubled", d.name);
            let stored: DraftContent = serde_json::from_str(&kept[0]).unwrap_or_default();
            assert_eq!(&stored, content, "{}: {id}@{rev} holds other text than acknowledged", d.name);
            acked += 1;
        }
    }
    // No revision was written twice: each item's revisions are exactly 1..=rev.
    for s in server.values() {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM item_revisions WHERE item_id = $1")
            .bind(&s.id)
            .fetch_one(&t.app.state.db.pool)
            .await
            .and_then(|r| r.try_get(0))
            .unwrap_or(-1);
        assert_eq!(n as u64, s.rev, "{}: revisions are not 1..={}", s.id, s.rev);
    }
    // Every device of an officer sees every one of that officer's items the server has.
    for d in &devices {
        let user = &d.name[..3];
        let sibling_ids: HashSet<&String> = devices.iter().filter(|o| o.name.starts_with(user)).flat_map(|o| o.drafts.keys()).collect();
        for id in sibling_ids {
            if server.get(id).is_some_and(|s| s.state != ItemState::Deleted) {
                assert!(d.drafts.contains_key(id), "{} never received {id}", d.name);
            }
        }
    }
    println!("convergence: {} items, {acked} acknowledged writes checked, {restarts} server restarts", server.len());
    assert!(
        server.len() > 20 && acked > 50 && restarts > 0,
        "the run exercised too little: {} items, {acked} acks, {restarts} restarts",
        server.len()
    );
}
