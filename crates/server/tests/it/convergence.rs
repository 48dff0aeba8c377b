//! The randomized sync run (fault 17 of docs/sync-protocol.md): several officers, each on several devices,
//! editing, submitting, deleting and resolving conflicts while connections drop before and
//! after the server commits and the server is restarted — and the township faults: a device
//! rolled back to an older snapshot of itself (a restore card), a device copied to a second
//! "PC" with its client id and counter, and the server restored from an older backup. Then
//! everyone syncs cleanly and the test checks that every device agrees with the server, that
//! every item a device shows as sent is on the server exactly once with that content, and that
//! no acknowledged mutation (since the last server restore) is missing or doubled. The devices
//! make their decisions with `xinbao_core::sync`'s functions, the ones the browser calls. The
//! seed is printed; `XINBAO_SEED=n` replays a run.

use crate::common::{TestApp, json};
use axum::http::StatusCode;
use serde_json::json;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};
use xinbao_core::item::DraftContent;
use xinbao_core::role::Role;
use xinbao_core::sync::{
    ItemSnapshot, ItemState, LocalCopy, LocalStatus, LocalSync, Mutation, Op, Outcome, PullAction, PullResponse, PushResponse,
    QueuedComment, forget_unseen, on_pulled, on_pulled_rebased, repropose,
};

/// `XINBAO_TRACE=<item id prefix>` prints what happens to that item (replaying a failing seed).
fn trace(id: &str, what: impl FnOnce() -> String) {
    if let Ok(prefix) = std::env::var("XINBAO_TRACE")
        && !prefix.is_empty()
        && (prefix == "*" || id.starts_with(&prefix))
    {
        println!("trace {id}: {}", what());
    }
}

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

#[derive(Clone)]
struct Local {
    content: DraftContent,
    local_rev: u32,
    sync: LocalSync,
    trashed: bool,
}

#[derive(Clone)]
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
    /// The pull's pages arrive and are applied, then the page dies (a shutdown, a lost line)
    /// before the round ends: a start over under way must be taken up again next time.
    CutAfterPull,
}

/// One browser profile: everything in it is on the "disk" a restore card rolls back, except
/// `acked`, the test's own record of what the server acknowledged.
#[derive(Clone)]
struct Device {
    name: String,
    username: String,
    user_id: i64,
    cookie: String,
    client_id: String,
    next_mid: u64,
    cursor: u64,
    epoch: Option<String>,
    /// A start over under way (the browser's `meta.rebasing`).
    rebasing: bool,
    drafts: BTreeMap<String, Local>,
    outbox: BTreeMap<u64, Entry>,
    /// (item, rev, content) of every Save/Submit the server acknowledged to this device.
    acked: Vec<(String, u64, DraftContent)>,
    /// Times this device found it had gone back in time (the browser's warning).
    went_back: u32,
    /// (item, key) of the comments the server acknowledged to this device.
    acked_comments: Vec<(String, String)>,
}

thread_local! {
    /// Each account's password as its officer knows it now (an administrator resets them).
    static PASSWORDS: std::cell::RefCell<HashMap<String, String>> = std::cell::RefCell::new(HashMap::new());
}

fn password_of(username: &str) -> String {
    PASSWORDS.with(|p| p.borrow().get(username).cloned()).unwrap_or_else(|| "Chunfeng-2026".into())
}

fn content(title: &str, body: &str) -> DraftContent {
    DraftContent { title: title.into(), body: body.into(), phone: "13912345678".into(), ..DraftContent::default() }
}

impl Device {
    fn edit(&mut self, rng: &mut Rng, step: usize) {
        let editable: Vec<String> = self
            .drafts
            .iter()
            .filter(|(_, d)| !d.trashed && d.sync.state.is_none_or(|s| s.authors_turn()) && !d.sync.submit)
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

    /// A reviewer (or the author) writes a comment on an item the office has: queued, sent by sync.
    fn comment(&mut self, rng: &mut Rng, step: usize) {
        let open: Vec<String> = self
            .drafts
            .iter()
            .filter(|(_, d)| d.sync.state.is_some_and(|s| !s.authors_turn()) && d.sync.comment.len() < 3)
            .map(|(id, _)| id.clone())
            .collect();
        if let Some(id) = open.get(rng.below(open.len() as u64) as usize)
            && let Some(d) = self.drafts.get_mut(id)
        {
            d.sync.comment.push(QueuedComment { key: rng.hex32(), text: format!("第{step}步{}的意见", self.name) });
        }
    }

    /// The editor takes a step on an item the office has (受理, 退回, 采用编辑, 送签 …), as the review
    /// desk queues it: decided by the server with `xinbao_core::review::decide`.
    fn act(&mut self, rng: &mut Rng) {
        use xinbao_core::review::{Actor, permitted};
        use xinbao_core::role::Role as R;
        let open: Vec<String> = self
            .drafts
            .iter()
            .filter(|(_, d)| d.sync.state.is_some_and(|s| !s.authors_turn()) && d.sync.act.is_none() && d.sync.conflict.is_none())
            .map(|(id, _)| id.clone())
            .collect();
        let Some(id) = open.get(rng.below(open.len() as u64) as usize) else { return };
        let Some(d) = self.drafts.get_mut(id) else { return };
        let Some(state) = d.sync.state else { return };
        let actions = permitted(Actor { role: R::Editor, reviews_it: true }, state, false);
        if let Some(a) = actions.get(rng.below(actions.len() as u64) as usize) {
            d.sync.act = Some((*a, "请核实数据".into()));
        }
    }

    fn submit(&mut self, rng: &mut Rng) {
        let ready: Vec<&mut Local> =
            self.drafts.values_mut().filter(|d| !d.trashed && d.sync.state.is_none_or(|s| s.authors_turn()) && d.local_rev > 0).collect();
        let n = ready.len() as u64;
        if let Some(d) = ready.into_iter().nth(rng.below(n) as usize) {
            d.sync.submit = true;
        }
    }

    fn trash_or_restore(&mut self, rng: &mut Rng) {
        let n = self.drafts.len() as u64;
        if let Some(d) = self.drafts.values_mut().nth(rng.below(n) as usize)
            && d.sync.state.is_none_or(|s| s.authors_turn())
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
            trace(&server.id, || format!("resolving against server rev {} {:?}", server.rev, server.state));
            d.sync.rev = server.rev;
            d.sync.state = Some(server.state);
            if keep_mine.unwrap_or_else(|| rng.chance(50)) && server.state.authors_turn() {
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

    /// The browser's `outbox::start_over`: a new id, the waiting mutations renumbered (kept for
    /// the pull to recognise our own applied text), the new epoch, and a rebase under way.
    fn start_over(&mut self, rng: &mut Rng, epoch: Option<&str>) {
        trace("*", || format!("{} starts over", self.name));
        let entries: Vec<Entry> = std::mem::take(&mut self.outbox).into_values().collect();
        self.client_id = rng.hex32();
        self.next_mid = 1;
        self.cursor = 0;
        self.rebasing = true;
        if let Some(e) = epoch {
            self.epoch = Some(e.to_owned());
        }
        for e in entries {
            self.outbox.insert(self.next_mid, e);
            self.next_mid += 1;
        }
    }

    /// The browser's round (`src/sync.rs`): push, start over when the numbering went back or the
    /// server was restored, pull, and propose again what the server lacks after starting over.
    async fn sync(&mut self, t: &TestApp, rng: &mut Rng, fault: Fault) {
        trace("*", || {
            format!("{} syncs ({fault:?}): epoch {:?}, cursor {}, outbox {}", self.name, self.epoch, self.cursor, self.outbox.len())
        });
        let mut from_scratch = self.cursor == 0 || self.rebasing;
        if !self.rebasing {
            self.freeze();
        }
        for _ in 0..6 {
            if self.rebasing {
                break;
            }
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
            let body = json!({"client_id": self.client_id, "mutations": batch});
            let res = self.post(t, "/api/sync/push", body).await;
            assert_eq!(res.status(), StatusCode::OK, "{}: push", self.name);
            if fault == Fault::LostAfter {
                return;
            }
            let resp: PushResponse = serde_json::from_value(json(res).await).unwrap_or_else(|e| panic!("push answer: {e}"));
            let mut mismatched = false;
            for r in &resp.results {
                if self.outbox.get(&r.mid).is_some_and(|e| !r.item_id.is_empty() && e.item_id != r.item_id) {
                    mismatched = true;
                    continue;
                }
                let Some(e) = self.outbox.remove(&r.mid) else { continue };
                trace(&e.item_id, || format!("{} mid {} base {} {:?} -> {:?}", self.name, r.mid, e.base_rev, e.op.name(), r.outcome));
                if let Some(d) = self.drafts.get_mut(&e.item_id) {
                    d.sync.on_result(&e.op, e.local_rev, &r.outcome, 0.0);
                    // The browser's `apply_results`: a reviewer's action on an item that moved on
                    // takes the server's text.
                    if let (Op::Act { .. }, Outcome::Conflict { server }) = (&e.op, &r.outcome) {
                        d.content = server.content.clone();
                        d.local_rev += 1;
                        d.sync.synced_rev = d.local_rev;
                    }
                }
                if let (Outcome::Applied { rev, .. }, Op::Save { content } | Op::Submit { content }) = (&r.outcome, &e.op) {
                    self.acked.push((e.item_id.clone(), *rev, content.clone()));
                }
                if let (Outcome::Applied { .. }, Op::Comment { key, .. }) = (&r.outcome, &e.op) {
                    self.acked_comments.push((e.item_id.clone(), key.clone()));
                }
            }
            let went_back = resp.reused.is_some() || mismatched;
            let restored = self.note_epoch(&resp.epoch);
            if went_back {
                self.went_back += 1;
            }
            if went_back || restored || resp.expected.is_some() || resp.results.is_empty() {
                // Nothing more is sent before the pull from 0 has compared everything.
                self.start_over(rng, restored.then_some(resp.epoch.as_str()));
                from_scratch = true;
                break;
            }
        }
        let mut seen: HashMap<String, (u64, ItemState)> = HashMap::new();
        let mut restarts = 0;
        let mut compare = false;
        if from_scratch {
            self.cursor = 0;
        }
        loop {
            let body = json!({"client_id": self.client_id, "cursor": self.cursor});
            let res = self.post(t, "/api/sync/pull", body).await;
            assert_eq!(res.status(), StatusCode::OK, "{}: pull", self.name);
            let page: PullResponse = serde_json::from_value(json(res).await).unwrap_or_else(|e| panic!("pull answer: {e}"));
            if self.note_epoch(&page.epoch) {
                restarts += 1;
                assert!(restarts < 3, "{}: the epoch keeps changing", self.name);
                self.start_over(rng, Some(&page.epoch));
                from_scratch = true;
                seen.clear();
                continue;
            }
            if page.reset {
                from_scratch = true;
                compare = true;
                seen.clear();
            }
            // As the browser: compared only after a start over or a reset, not on a first pull.
            let rebase = self.rebasing || compare;
            self.apply_pull(&page, rebase);
            seen.extend(page.changes.iter().map(|c| (c.id.clone(), (c.rev, c.state))));
            if !page.has_more {
                break;
            }
        }
        if fault == Fault::CutAfterPull {
            return;
        }
        if from_scratch {
            let me = self.user_id;
            self.drafts.retain(|id, d| seen.contains_key(id) || !forget_unseen(&d.sync, me));
            for (id, d) in self.drafts.iter_mut() {
                if let Some(sync) = repropose(&d.sync, d.local_rev, self.user_id, seen.get(id).copied()) {
                    trace(id, || {
                        format!("{} reproposes: local rev {} {:?}, server {:?}", self.name, d.sync.rev, d.sync.state, seen.get(id))
                    });
                    d.sync = sync;
                }
            }
        }
        if self.rebasing {
            // The browser's `outbox::finish_rebase`.
            self.outbox.clear();
            self.next_mid = 1;
            self.rebasing = false;
        }
    }

    /// A sync request; a session the server no longer has (a profile rolled back to an older
    /// cookie, a server restored from before the login) logs in again, as the app asks the
    /// officer to, and the request goes again.
    async fn post(&mut self, t: &TestApp, path: &str, body: serde_json::Value) -> axum::http::Response<axum::body::Body> {
        let res = t.post_json(path, body.clone(), Some(&self.cookie)).await;
        if res.status() != StatusCode::UNAUTHORIZED {
            return res;
        }
        self.cookie = t.login(&self.username, &password_of(&self.username)).await;
        t.post_json(path, body, Some(&self.cookie)).await
    }

    /// Records the server's epoch; true when another one was known (the server was restored).
    fn note_epoch(&mut self, epoch: &str) -> bool {
        if epoch.is_empty() {
            return false;
        }
        let changed = self.epoch.as_deref().is_some_and(|e| e != epoch);
        if self.epoch.is_none() {
            self.epoch = Some(epoch.to_owned());
        }
        changed
    }

    /// The browser's `apply_pull`, decision for decision.
    fn apply_pull(&mut self, page: &PullResponse, rebase: bool) {
        for s in &page.changes {
            let waiting = self.outbox.iter().find(|(_, e)| e.item_id == s.id).map(|(mid, e)| (*mid, e));
            let in_outbox = waiting.and_then(|(_, e)| match &e.op {
                Op::Save { content } | Op::Submit { content } => Some(content.clone()),
                _ => None,
            });
            let waiting = waiting.map(|(mid, e)| (mid, e.local_rev));
            let copy = self.drafts.get(&s.id).map(|d| LocalCopy {
                sync: &d.sync,
                local_rev: d.local_rev,
                content: &d.content,
                in_outbox: in_outbox.as_ref(),
                mine: d.sync.author_id.is_none_or(|a| a == self.user_id),
            });
            let action = if rebase { on_pulled_rebased(copy, s, self.user_id) } else { on_pulled(copy, s) };
            trace(&s.id, || format!("{} pulled rev {} {:?} (rebase {rebase}): {action:?}", self.name, s.rev, s.state));
            match action {
                PullAction::Ignore => {
                    if let Some(d) = self.drafts.get_mut(&s.id) {
                        d.sync.learn(s);
                        if rebase {
                            d.sync.conflict = None;
                        }
                    }
                }
                PullAction::Insert => {
                    let mut sync = LocalSync { rev: s.rev, state: Some(s.state), synced_rev: 1, ..LocalSync::default() };
                    sync.learn(s);
                    self.drafts.insert(s.id.clone(), Local { content: s.content.clone(), local_rev: 1, sync, trashed: false });
                }
                PullAction::Take => {
                    if let Some(d) = self.drafts.get_mut(&s.id) {
                        d.content = s.content.clone();
                        d.local_rev += 1;
                        let queued = std::mem::take(&mut d.sync);
                        d.sync = LocalSync { rev: s.rev, state: Some(s.state), synced_rev: d.local_rev, ..LocalSync::default() };
                        d.sync.carry_queue(&queued);
                        d.sync.learn(s);
                        d.trashed = s.state == ItemState::Deleted;
                    }
                }
                PullAction::Converged => {
                    if let Some(d) = self.drafts.get_mut(&s.id) {
                        d.sync.learn(s);
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
                        d.sync.learn(s);
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
                signing: None,
                upward: Vec::new(),
            };
            (id, snap)
        })
        .collect()
}

#[tokio::test]
async fn many_clients_random_faults_and_restarts_converge_with_nothing_lost_or_doubled() {
    if std::env::var("XINBAO_TRACE").is_ok() {
        let _ = tracing_subscriber::fmt().with_env_filter("info").try_init();
    }
    let seed = std::env::var("XINBAO_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_2026_u64);
    println!("convergence seed: {seed} (replay with XINBAO_SEED={seed})");
    let mut rng = Rng(seed | 1);
    let mut t = TestApp::spawn().await;
    let mut devices = Vec::new();
    // Two townships' officers on three devices each, and the county office's editor on two, who
    // comments on what the townships submit.
    let root = t.root().await;
    for (user, unit, devices_of) in [("lzw", Some("兰州湾镇"), 3), ("dfz", Some("大丰镇"), 3), ("edt", None, 2)] {
        let user_id = match unit {
            Some(unit) => t.user(user, "Chunfeng-2026", Role::Officer, unit).await,
            None => t.user_in(user, "Chunfeng-2026", Role::Editor, root).await,
        };
        for n in 0..devices_of {
            let cookie = t.login(user, "Chunfeng-2026").await;
            devices.push(Device {
                name: format!("{user}#{n}"),
                username: user.into(),
                user_id,
                cookie,
                client_id: rng.hex32(),
                next_mid: 1,
                cursor: 0,
                epoch: None,
                rebasing: false,
                drafts: BTreeMap::new(),
                outbox: BTreeMap::new(),
                acked: Vec::new(),
                went_back: 0,
                acked_comments: Vec::new(),
            });
        }
    }
    let (mut restarts, mut rollbacks, mut clones, mut server_restores) = (0, 0, 0, 0);
    // Each device's disk as its restore card keeps it, and the server's last backup with how
    // many acknowledgements each device had then.
    let mut disk_images: HashMap<usize, Device> = HashMap::new();
    let mut backup: Option<(Backup, Vec<(usize, usize)>)> = None;
    let mut passwords_at_backup: HashMap<String, String> = HashMap::new();
    let mut password_resets = 0;
    for step in 0..700 {
        let i = rng.below(devices.len() as u64) as usize;
        // Every run has each township fault at least once, whatever the seed: a backup at step
        // 150 restored at 450, device 0 imaged at 200 and rolled back at 500, device 1 copied at 300.
        let forced = match step {
            150 => Some(980),
            450 => Some(988),
            200 | 500 => Some(if step == 200 { 940 } else { 955 }),
            300 => Some(975),
            350 => Some(993),
            _ => None,
        };
        let i = match step {
            200 | 500 => 0,
            300 => 1,
            350 => 2,
            _ => i,
        };
        let d = &mut devices[i];
        let editor = d.username == "edt";
        match forced.unwrap_or_else(|| rng.below(1000)) {
            // The editor only reads, comments and syncs (the officers' actions are theirs).
            0..=269 if editor => d.comment(&mut rng, step),
            270..=539 if editor => d.act(&mut rng),
            0..=359 => d.edit(&mut rng, step),
            360..=389 => d.comment(&mut rng, step),
            390..=489 => d.submit(&mut rng),
            490..=539 => d.trash_or_restore(&mut rng),
            540..=589 => d.resolve(&mut rng, None),
            590..=939 => {
                let fault = match rng.below(10) {
                    0..=1 => Fault::LostBefore,
                    2..=3 => Fault::LostAfter,
                    4 => Fault::CutAfterPull,
                    _ => Fault::None,
                };
                d.sync(&t, &mut rng, fault).await;
            }
            940..=954 => {
                // The restore card's snapshot of this PC (taken when it was set up, or last unfrozen).
                disk_images.insert(i, d.clone());
            }
            955..=974 => {
                // Reboot: the disk goes back to the snapshot; the server keeps what it was sent.
                if let Some(image) = disk_images.get(&i) {
                    let (acked, went_back, acked_comments) =
                        (std::mem::take(&mut d.acked), d.went_back, std::mem::take(&mut d.acked_comments));
                    trace("*", || {
                        format!("{} rolled back: epoch {:?} → {:?}, cursor {} → {}", d.name, d.epoch, image.epoch, d.cursor, image.cursor)
                    });
                    for (id, l) in &image.drafts {
                        trace(id, || {
                            format!(
                                "{} rolled back to rev {} {:?} (was {:?})",
                                d.name,
                                l.sync.rev,
                                l.sync.state,
                                d.drafts.get(id).map(|x| x.sync.rev)
                            )
                        });
                    }
                    *d = Device { acked, went_back, acked_comments, ..image.clone() };
                    rollbacks += 1;
                }
            }
            975..=979 if clones < 3 => {
                // The profile copied to another PC (or a VM snapshot started twice).
                let mut copy = d.clone();
                copy.name = format!("{}'", d.name);
                copy.acked.clear();
                copy.acked_comments.clear();
                copy.cookie = t.login(&d.username, &password_of(&d.username)).await;
                devices.push(copy);
                clones += 1;
            }
            993..=994 => {
                // The administrator resets this officer's password: every session ends, the devices
                // log in again with the new one (what they hold stays theirs).
                let fresh = format!("Reset-{step}-Xinbao");
                let hash = xinbao_server::accounts::hash_password(&fresh).unwrap_or_default();
                let db = &t.app.state.db.pool;
                let _ = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(d.user_id).execute(db).await;
                let _ = sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(d.user_id).execute(db).await;
                PASSWORDS.with(|p| p.borrow_mut().insert(d.username.clone(), fresh));
                password_resets += 1;
            }
            980..=987 => {
                trace("*", || format!("=== step {step}: server backup"));
                let (t2, b) = take_backup(t).await;
                t = t2;
                backup = Some((b, devices.iter().map(|d| (d.acked.len(), d.acked_comments.len())).collect()));
                passwords_at_backup = PASSWORDS.with(|p| p.borrow().clone());
            }
            988..=992 => {
                if let Some((b, acked)) = backup.take() {
                    // Last night's backup: what was acknowledged since is gone from the server;
                    // the devices must bring it back.
                    trace("*", || format!("=== step {step}: server restored from its backup"));
                    t = restore_backup(t, &b).await;
                    for (d, (n, c)) in devices.iter_mut().zip(acked.iter().copied().chain(std::iter::repeat((0, 0)))) {
                        d.acked.truncate(n);
                        d.acked_comments.truncate(c);
                        // The backup has the passwords of last night.
                        d.cookie = String::new();
                    }
                    PASSWORDS.with(|p| *p.borrow_mut() = passwords_at_backup.clone());
                    server_restores += 1;
                }
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
            // A reviewer's device is held to what the server shows it: an item back with its
            // author as a draft, or withdrawn, is not the office's to see (its copy may be stale).
            if d.username == "edt" && server.get(id).is_none_or(|s| matches!(s.state, ItemState::Draft | ItemState::Deleted)) {
                continue;
            }
            // Every item this device shows as sent is on the server, with this content, sent.
            // (已报送 is the author's word: a reviewer's copy of someone else's item is held below to
            // what the server shows it.)
            if local.sync.status(local.local_rev) == LocalStatus::Sent && local.sync.author_id.is_none_or(|a| a == d.user_id) {
                let s = server.get(id).unwrap_or_else(|| panic!("{}: {id} shown 已报送 but not on the server", d.name));
                assert!(
                    !s.state.authors_turn() && s.content == local.content,
                    "{}: {id} shown 已报送 but the server holds otherwise",
                    d.name
                );
            }
            match server.get(id) {
                // A withdrawn item: in the trash here too, at the same revision (the trash keeps
                // the text this device last had, which may be a version the author withdrew).
                Some(s) if s.state == ItemState::Deleted => {
                    assert!(local.trashed && local.sync.rev == s.rev, "{}: {id} deleted on the server but not here", d.name)
                }
                Some(s) => {
                    // Someone else's item back with its author: the office sees it as returned.
                    let seen = if s.state == ItemState::Returned && s.author_id != d.user_id {
                        xinbao_server::items::office_content(&t.app.state.db.pool, id, s.author_id).await.ok().flatten().unwrap_or_default()
                    } else {
                        s.content.clone()
                    };
                    assert_eq!((local.sync.rev, &local.content), (s.rev, &seen), "{}: {id} disagrees with the server", d.name);
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
    // Every device of an officer sees every one of that officer's items the server has; every
    // device of the editor, every item the office may see.
    for d in &devices {
        let sibling_ids: HashSet<&String> = devices.iter().filter(|o| o.username == d.username).flat_map(|o| o.drafts.keys()).collect();
        let visible = |s: &ItemSnapshot| match d.username.as_str() {
            "edt" => !matches!(s.state, ItemState::Draft | ItemState::Deleted),
            _ => s.state != ItemState::Deleted,
        };
        for id in sibling_ids {
            if server.get(id).is_some_and(visible) {
                assert!(d.drafts.contains_key(id), "{} never received {id}", d.name);
            }
        }
    }
    // Every comment the server acknowledged is on the server exactly once (sent again after a
    // start over or a lost answer, it is still one comment).
    let mut comments = 0;
    for d in &devices {
        for (item, key) in &d.acked_comments {
            let n: i64 = sqlx::query("SELECT COUNT(*) FROM comments WHERE item_id = $1 AND comment_key = $2")
                .bind(item)
                .bind(key)
                .fetch_one(&t.app.state.db.pool)
                .await
                .and_then(|r| r.try_get(0))
                .unwrap_or(-1);
            assert_eq!(n, 1, "{}: acknowledged comment {key} missing or doubled", d.name);
            comments += 1;
        }
    }
    let went_back: u32 = devices.iter().map(|d| d.went_back).sum();
    // The editor's steps the server took (each audited once, whatever was retried or replayed).
    let steps: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'review:%'")
        .fetch_one(&t.app.state.db.pool)
        .await
        .and_then(|r| r.try_get(0))
        .unwrap_or(-1);
    println!(
        "convergence: {} items, {acked} acknowledged writes checked, {restarts} server restarts, {server_restores} restores from a backup, \
         {rollbacks} devices rolled back, {clones} copied, {went_back} times a device found it went back in time, \
         {comments} acknowledged comments checked, {steps} review steps, {password_resets} passwords reset",
        server.len()
    );
    assert!(
        server.len() > 20
            && acked > 30
            && restarts > 0
            && rollbacks > 0
            && clones > 0
            && server_restores > 0
            && went_back > 0
            && comments > 5
            && steps > 0
            && password_resets > 0,
        "the run exercised too little: {} items, {acked} acks, {restarts} restarts, {rollbacks} rollbacks, {clones} clones, \
         {server_restores} restores, {went_back} detections, {comments} comments, {steps} review steps, {password_resets} password resets",
        server.len()
    );
}

/// A copy of the server's database, as a nightly backup keeps it.
enum Backup {
    /// SQLite: a file written by `xinbao-server backup`.
    File(std::path::PathBuf),
    /// PostgreSQL: a database cloned as a template (what `pg_restore` would bring back).
    Template(String),
}

/// The PostgreSQL admin URL and the test database's name, when on PostgreSQL.
fn pg_names(t: &TestApp) -> Option<(String, String)> {
    let admin = std::env::var("XINBAO_TEST_PG").ok()?;
    let url = t.app.state.config.database_url.clone()?;
    Some((admin, url.rsplit('/').next()?.to_owned()))
}

async fn admin_sql(admin: &str, sql: &str) {
    let db = xinbao_server::db::Db::connect(admin).await.unwrap_or_else(|e| panic!("{e:#}"));
    sqlx::query(sql).execute(&db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    db.pool.close().await;
}

/// Takes a backup the way an office does: SQLite's online backup, or (PostgreSQL) a copy of the
/// database made while the server is briefly stopped.
async fn take_backup(t: TestApp) -> (TestApp, Backup) {
    match pg_names(&t) {
        None => {
            let file = crate::common::fresh_dir().join("nightly.db");
            xinbao_server::backup::backup(&t.app.state.db, &file).await.unwrap_or_else(|e| panic!("{e:#}"));
            (t, Backup::File(file))
        }
        Some((admin, name)) => {
            let copy = format!("{name}_backup");
            let config = (*t.app.state.config).clone();
            t.app.state.db.pool.close().await;
            drop(t);
            admin_sql(&admin, &format!("DROP DATABASE IF EXISTS {copy}")).await;
            admin_sql(&admin, &format!("CREATE DATABASE {copy} TEMPLATE {name}")).await;
            (TestApp::with_same_config(config).await, Backup::Template(copy))
        }
    }
}

/// Stops the server, puts the backup in place (with a new epoch, as the restore procedure
/// gives it) and starts it again.
async fn restore_backup(t: TestApp, b: &Backup) -> TestApp {
    let mut config = (*t.app.state.config).clone();
    let names = pg_names(&t);
    t.app.state.db.pool.close().await;
    drop(t);
    match (b, names) {
        (Backup::File(file), _) => {
            // Into a fresh data directory, as on a rebuilt server: this process's old SQLite
            // handles may linger a moment after the pool closes, and SQLite shares its lock state
            // by inode within a process — a file replaced under them is not what the test is about.
            config.data_dir = crate::common::fresh_dir();
            xinbao_server::backup::restore(file, &config.data_dir).await.unwrap_or_else(|e| panic!("{e:#}"));
        }
        (Backup::Template(copy), Some((admin, name))) => {
            admin_sql(&admin, &format!("DROP DATABASE {name}")).await;
            admin_sql(&admin, &format!("CREATE DATABASE {name} TEMPLATE {copy}")).await;
            let db = xinbao_server::db::Db::connect(config.database_url.as_deref().unwrap_or_default())
                .await
                .unwrap_or_else(|e| panic!("{e:#}"));
            db.new_epoch().await.unwrap_or_else(|e| panic!("{e:#}"));
            db.pool.close().await;
        }
        (Backup::Template(_), None) => panic!("a PostgreSQL backup without PostgreSQL"),
    }
    TestApp::with_same_config(config).await
}
