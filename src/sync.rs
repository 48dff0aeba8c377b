//! The sync engine (docs/sync-protocol.md): sends the outbox to `POST /api/sync/push` in bounded batches and
//! pulls what changed by cursor, with one tab of the browser syncing at a time (Web Locks) and
//! the others told what happened (BroadcastChannel).
//!
//! When: on start, on the `online` event, when the page becomes visible, every minute, soon
//! after a local save, and on the "立即同步" button. Whether the server is reachable is decided
//! by requests, never by `navigator.onLine` (which stays true when the server is down).
//! Failures back off exponentially with jitter, capped at five minutes; a 401 stops the round
//! and asks for the password, then resumes where it stopped.

use crate::api::{self, ApiError};
use crate::i18n::{Text, ui};
use crate::outbox::{self, OutboxEntry};
use crate::store::{self, StoreError};
use crate::util::now_ms;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use xinbao_core::api::ErrorCode;
use xinbao_core::round::{Answer, Next, Round};
use xinbao_core::sync::{Op, Outcome, PullRequest, PushRequest};

/// Seconds between rounds while all is well.
const INTERVAL_MS: u32 = 60_000;
/// The first round after the app starts (or someone logs in).
const START_DELAY_MS: u32 = 1_500;
/// A save asks for a round this soon (later saves within it join the same round).
const SOON_MS: u32 = 2_000;
/// Backoff: first retry after about this long, doubling, capped at [`MAX_BACKOFF_MS`].
const BACKOFF_BASE_MS: f64 = 2_000.0;
const MAX_BACKOFF_MS: f64 = 300_000.0;

#[wasm_bindgen(module = "/js/sync.js")]
extern "C" {
    #[wasm_bindgen(js_name = withLock)]
    fn with_lock(name: &str, run: &js_sys::Function) -> js_sys::Promise;
}

/// What the people see of sync, provided as context by the app shell.
#[derive(Clone, Copy)]
pub struct SyncState {
    /// Whether the last request reached the server (`None`: not tried yet).
    pub online: RwSignal<Option<bool>>,
    /// Items with something to send.
    pub pending: RwSignal<usize>,
    /// (sent, total) while a round is sending.
    pub progress: RwSignal<Option<(usize, usize)>>,
    /// When a round last finished without error.
    pub last_ok: RwSignal<Option<f64>>,
    /// Why the last round stopped, when it did.
    pub problem: RwSignal<Option<Text>>,
    /// The session expired: the password is needed to go on.
    pub need_login: RwSignal<bool>,
    /// Bumped whenever sync changed local items (pages re-read them).
    pub generation: RwSignal<u64>,
    /// When the desk's inbox was last fetched (after a round that reached the server).
    pub inbox_at: RwSignal<Option<f64>>,
    /// What the browser did to this device's storage, to say once (dismissed by the person).
    pub storage_event: RwSignal<Option<crate::store::StorageEvent>>,
    /// This device was found to have gone back in time (a restore card rolled its disk back, or
    /// its browser profile was copied): unsent work must go before it is shut down.
    pub went_back: RwSignal<bool>,
}

/// A round's result.
#[derive(Debug)]
enum RoundError {
    NeedLogin,
    Offline,
    Server,
    Storage(StoreError),
}

impl From<StoreError> for RoundError {
    fn from(e: StoreError) -> RoundError {
        RoundError::Storage(e)
    }
}

/// What the syncing tab tells the others.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Event {
    Progress { done: usize, total: usize },
    Done { ok: bool, at: f64 },
}

/// The account's sync channel and its listener.
type Channel = (i64, web_sys::BroadcastChannel, Closure<dyn FnMut(web_sys::MessageEvent)>);

thread_local! {
    static USER: Cell<Option<i64>> = const { Cell::new(None) };
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    static FAILURES: Cell<u32> = const { Cell::new(0) };
    /// Photos the server is known to have (this page's lifetime).
    static UPLOADED: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    static DUE: Cell<f64> = const { Cell::new(f64::INFINITY) };
    static TIMER: RefCell<Option<gloo_timers::callback::Timeout>> = const { RefCell::new(None) };
    static CHANNEL: RefCell<Option<Channel>> = const { RefCell::new(None) };
}

/// The sync state of this page (the shell provides it).
pub fn use_sync() -> Option<SyncState> {
    use_context::<SyncState>()
}

/// The delay before retry number `failures` (1-based): doubling from 2 s, capped at 5 min,
/// with ±50 % jitter so a county's PCs do not all retry at the same instant.
pub fn backoff_ms(failures: u32, jitter: f64) -> f64 {
    let base = (BACKOFF_BASE_MS * 2f64.powi(failures.saturating_sub(1).min(20) as i32)).min(MAX_BACKOFF_MS);
    (base * (0.5 + jitter)).min(MAX_BACKOFF_MS)
}

impl SyncState {
    /// Creates the state and starts syncing for whoever logs in.
    pub fn start(session: crate::session::Session) -> SyncState {
        let s = SyncState {
            online: RwSignal::new(None),
            pending: RwSignal::new(0),
            progress: RwSignal::new(None),
            last_ok: RwSignal::new(None),
            problem: RwSignal::new(None),
            need_login: RwSignal::new(false),
            generation: RwSignal::new(0),
            inbox_at: RwSignal::new(None),
            went_back: RwSignal::new(false),
            storage_event: RwSignal::new(None),
        };
        Effect::new(move |_| {
            let user = session.me.with(|m| m.as_ref().map(|m| (m.user_id, m.must_change_password)));
            // Sealed local data this tab cannot open yet: nothing to send, nowhere to write.
            match user {
                Some((id, false)) if !session.locked.get() => s.begin(id),
                _ => s.end(),
            }
        });

        let on_online = window_event_listener(leptos::ev::online, move |_| s.sync_now());
        let on_visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
            let visible =
                web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if visible {
                s.schedule(0);
            }
        });
        // The shell lives as long as the page; keep the listeners.
        std::mem::forget((on_online, on_visible));
        s
    }

    fn begin(self, user: i64) {
        if USER.with(Cell::get) == Some(user) {
            return;
        }
        USER.with(|u| u.set(Some(user)));
        self.listen(user);
        spawn_local(async move {
            if let Ok(meta) = outbox::meta(user).await {
                self.last_ok.set(meta.last_ok);
                self.went_back.set(meta.went_back.is_some());
            }
            if let Some(e) = store::take_storage_event() {
                self.storage_event.set(Some(e));
            }
        });
        // The first round waits until the page has painted: reading thousands of drafts must not
        // compete with the desk's first page.
        self.schedule(START_DELAY_MS);
    }

    fn end(self) {
        USER.with(|u| u.set(None));
        TIMER.with(|t| t.borrow_mut().take());
        CHANNEL.with(|c| c.borrow_mut().take());
        DUE.with(|d| d.set(f64::INFINITY));
        self.pending.set(0);
        self.progress.set(None);
        self.need_login.set(false);
    }

    /// The "立即同步" button, the `online` event, a new login: go now, forgetting the backoff.
    pub fn sync_now(self) {
        FAILURES.with(|f| f.set(0));
        self.problem.set(None);
        self.schedule(0);
    }

    /// A local change was saved: count it and send it shortly.
    pub fn soon(self) {
        spawn_local(async move { self.refresh().await });
        if FAILURES.with(Cell::get) == 0 {
            self.schedule(SOON_MS);
        }
    }

    /// A page that wants the newest copy (the review queue opened): a round now, unless the
    /// server has been failing (then the backoff stands).
    pub fn check_now(self) {
        if FAILURES.with(Cell::get) == 0 {
            self.schedule(0);
        }
    }

    /// After logging in again: resume.
    pub fn resumed(self) {
        self.need_login.set(false);
        self.sync_now();
    }

    /// Runs a round in `delay` ms, unless one is already due sooner.
    fn schedule(self, delay: u32) {
        if USER.with(Cell::get).is_none() {
            return;
        }
        let at = now_ms() + f64::from(delay);
        if DUE.with(Cell::get) <= at && TIMER.with(|t| t.borrow().is_some()) {
            return;
        }
        DUE.with(|d| d.set(at));
        let timer = gloo_timers::callback::Timeout::new(delay, move || {
            TIMER.with(|t| t.borrow_mut().take());
            DUE.with(|d| d.set(f64::INFINITY));
            self.run();
        });
        TIMER.with(|t| *t.borrow_mut() = Some(timer));
    }

    fn run(self) {
        let Some(user) = USER.with(Cell::get) else { return };
        if self.need_login.get_untracked() {
            return;
        }
        if RUNNING.with(Cell::get) {
            AGAIN.with(|a| a.set(true));
            return;
        }
        RUNNING.with(|r| r.set(true));
        spawn_local(async move {
            let outcome = self.locked_round(user).await;
            RUNNING.with(|r| r.set(false));
            if USER.with(Cell::get) != Some(user) {
                return;
            }
            self.progress.set(None);
            match outcome {
                // Another tab is syncing; it tells us how it went.
                None => self.schedule(INTERVAL_MS),
                Some(Ok(())) => {
                    FAILURES.with(|f| f.set(0));
                    self.problem.set(None);
                    let at = now_ms();
                    let _ = outbox::set_last_ok(user, at).await;
                    self.last_ok.set(Some(at));
                    // The desk's inbox is fetched before the other tabs hear of the round, so they
                    // read the fresh copy.
                    if let Ok(c) = crate::inbox::refresh(user).await {
                        self.inbox_at.set(Some(c.at));
                    }
                    self.broadcast(&Event::Done { ok: true, at });
                    self.schedule(INTERVAL_MS);
                }
                Some(Err(e)) => {
                    self.broadcast(&Event::Done { ok: false, at: now_ms() });
                    let failures = FAILURES.with(|f| {
                        f.set(f.get() + 1);
                        f.get()
                    });
                    match e {
                        RoundError::NeedLogin => {
                            self.need_login.set(true);
                            self.problem.set(Some(ui::SYNC_NEED_LOGIN));
                        }
                        RoundError::Offline => self.problem.set(Some(ui::SYNC_OFFLINE)),
                        RoundError::Server => self.problem.set(Some(ui::SYNC_SERVER_TROUBLE)),
                        RoundError::Storage(StoreError::Quota) => self.problem.set(Some(ui::STORAGE_FULL)),
                        RoundError::Storage(_) => self.problem.set(Some(ui::STORAGE_FAILED)),
                    }
                    if !self.need_login.get_untracked() {
                        self.schedule(backoff_ms(failures, js_sys::Math::random()) as u32);
                    }
                }
            }
            self.refresh().await;
            if AGAIN.with(|a| a.replace(false)) {
                self.schedule(0);
            }
        });
    }

    /// One round under the account's Web Lock; `None` when another tab holds it.
    async fn locked_round(self, user: i64) -> Option<Result<(), RoundError>> {
        let slot: Rc<RefCell<Option<Result<(), RoundError>>>> = Rc::new(RefCell::new(None));
        let out = slot.clone();
        let run = Closure::once_into_js(move || {
            wasm_bindgen_futures::future_to_promise(async move {
                let r = self.round(user).await;
                *out.borrow_mut() = Some(r);
                Ok(JsValue::from_str("done"))
            })
        });
        let Ok(run) = run.dyn_into::<js_sys::Function>() else { return Some(self.round(user).await) };
        let answer = wasm_bindgen_futures::JsFuture::from(with_lock(&format!("xinbao-sync-u{user}"), &run)).await;
        if answer.ok().and_then(|v| v.as_string()).as_deref() == Some("busy") {
            return None;
        }
        slot.borrow_mut().take().or(Some(Err(RoundError::Server)))
    }

    /// Push everything waiting, then pull everything new. The pull runs whatever the push did
    /// (items the office returned reach this PC even while the server refuses something of
    /// ours); a server error of the push is reported after it.
    async fn round(self, user: i64) -> Result<(), RoundError> {
        let meta = outbox::meta(user).await?;
        let mut client_id = meta.client_id.clone();
        // A start over left unfinished (a shutdown, a lost connection mid-pull) is taken up again:
        // pull from 0, compare, propose again — before anything is sent.
        let mut rebasing = meta.rebasing;
        let mut from_scratch = meta.cursor == 0 || rebasing;
        let mut plan = Round::new();
        let mut push_failed = None;
        if !rebasing {
            match self.push_all(user, &mut client_id, &mut plan).await {
                Ok(restarted) => {
                    from_scratch |= restarted;
                    rebasing |= restarted;
                }
                Err(RoundError::Server) => push_failed = Some(RoundError::Server),
                Err(e) => return Err(e),
            }
        }
        let mut cursor = if from_scratch { 0 } else { meta.cursor };
        let mut compare = false;
        let mut seen = HashMap::new();
        loop {
            let page = api::pull(&PullRequest { client_id: client_id.clone(), cursor }).await.map_err(|e| self.failed(e))?;
            self.online.set(Some(true));
            if outbox::note_epoch(user, &page.epoch).await? {
                // The server was restored from a backup since this device last heard from it:
                // start over and compare everything.
                if !plan.restart_for_pull() {
                    return Err(RoundError::Server);
                }
                client_id = outbox::start_over(user, false, Some(&page.epoch)).await?.client_id;
                from_scratch = true;
                rebasing = true;
                cursor = 0;
                seen.clear();
                continue;
            }
            if page.went_back && !self.went_back.get_untracked() {
                // This client id once reused a mid: the PC came back from its disk image.
                outbox::mark_went_back(user).await?;
                self.went_back.set(true);
            }
            if page.reset {
                from_scratch = true;
                compare = true;
                seen.clear();
            }
            // Compared instead of trusted by revision only after a start over (or a cursor the
            // server no longer knows): a first pull on a fresh device is an ordinary one.
            let items = outbox::apply_pull(user, &page, rebasing || compare).await?;
            if !items.is_empty() {
                self.generation.update(|g| *g += 1);
            }
            seen.extend(items.into_iter().map(|(id, rev, state)| (id, (rev, state))));
            cursor = page.cursor;
            if !page.has_more {
                break;
            }
        }
        if from_scratch && outbox::repropose_missing(user, &seen).await? > 0 {
            AGAIN.with(|a| a.set(true));
        }
        if rebasing {
            // What was frozen before the start over is frozen again on the bases the server holds.
            outbox::finish_rebase(user).await?;
            AGAIN.with(|a| a.set(true));
        }
        match push_failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Sends the outbox in bounded batches; true when the numbering started over (the caller
    /// then pulls everything and proposes again what the server lacks). What each answer means
    /// is `plan`'s to say (xinbao_core::round); this does the requests and the writes.
    async fn push_all(self, user: i64, client_id: &mut String, plan: &mut Round) -> Result<bool, RoundError> {
        // An answer can leave more to send (a save acknowledged while the author pressed 报送):
        // freeze again until nothing is left, a few passes at most.
        for _ in 0..3 {
            let mut queue = outbox::freeze_or_waiting(user).await?;
            if queue.is_empty() {
                break;
            }
            plan.queued(queue.len());
            self.report(plan.progress());
            while !queue.is_empty() {
                let n = plan.next_push(queue.iter().map(|e| serde_json::to_string(&e.mutation()).map_or(0, |s| s.len()))).max(1);
                // Photos first: a mutation that names a photo the server lacks is refused.
                if let Err(e) = upload_photos(user, &queue[..n]).await {
                    return Err(self.failed(e));
                }
                let req = PushRequest { client_id: client_id.clone(), mutations: queue[..n].iter().map(OutboxEntry::mutation).collect() };
                // The answer, the request's error (a round that stops reports it) and the
                // server's epoch.
                let (answer, failure, epoch) = match api::push(&req).await {
                    Ok(resp) => {
                        self.online.set(Some(true));
                        // A photo the server says it lacks (cleared away meanwhile) is asked for
                        // again with HEAD and sent again on the next round.
                        if resp.results.iter().any(|r| {
                            matches!(r.outcome, Outcome::Rejected { reason: xinbao_core::sync::RejectReason::MissingAttachment, .. })
                        }) {
                            UPLOADED.with(|u| u.borrow_mut().clear());
                        }
                        let mismatched = outbox::apply_results(user, &resp.results).await?;
                        self.generation.update(|g| *g += 1);
                        let answered: HashSet<u64> = resp.results.iter().map(|r| r.mid).collect();
                        let restored = outbox::note_epoch(user, &resp.epoch).await?;
                        queue.retain(|e| !answered.contains(&e.mid));
                        let answer = Answer::Answered {
                            answered: answered.len(),
                            went_back: resp.reused.is_some() || mismatched,
                            restored,
                            expected: resp.expected.is_some(),
                        };
                        (answer, None, Some(resp.epoch))
                    }
                    Err(ApiError::Server(ErrorCode::TooLarge)) => (Answer::TooLarge, None, None),
                    Err(e @ ApiError::Server(ErrorCode::Forbidden)) => (Answer::Forbidden, Some(e), None),
                    Err(e) => (Answer::Failed, Some(e), None),
                };
                match plan.answer(n, queue.len(), answer) {
                    Next::SendOn => self.report(plan.progress()),
                    Next::SendFewer => {}
                    Next::SetAsideFirst => {
                        // One mutation larger than the server takes: set aside with the reason,
                        // the rest go on.
                        outbox::set_aside(user, queue[0].mid, ui::TOO_LARGE_TO_SEND.zh).await?;
                        queue = outbox::freeze_or_waiting(user).await?;
                    }
                    Next::StartOver { went_back, restored } => {
                        // This device's numbering went back in time (a restore card, a copied
                        // profile), the server lost track of it (restored from a backup), or the
                        // id is another account's: start over under a new id.
                        if went_back {
                            self.went_back.set(true);
                        }
                        let epoch = epoch.filter(|_| restored);
                        *client_id = outbox::start_over(user, went_back, epoch.as_deref()).await?.client_id;
                        return Ok(true);
                    }
                    Next::Stop => return Err(failure.map_or(RoundError::Server, |e| self.failed(e))),
                }
            }
        }
        Ok(false)
    }

    /// What a failed request means for the round (and the badge).
    fn failed(self, e: ApiError) -> RoundError {
        match e {
            ApiError::Network => {
                self.online.set(Some(false));
                RoundError::Offline
            }
            ApiError::Server(ErrorCode::Unauthenticated) => RoundError::NeedLogin,
            ApiError::Server(_) => {
                self.online.set(Some(true));
                RoundError::Server
            }
        }
    }

    fn report(self, (done, total): (usize, usize)) {
        self.progress.set((total > 0).then_some((done, total)));
        self.broadcast(&Event::Progress { done, total });
    }

    /// Re-reads the pending count from storage.
    async fn refresh(self) {
        if let Some(user) = USER.with(Cell::get)
            && let Ok(n) = outbox::pending_count(user).await
            && !self.pending.is_disposed()
        {
            self.pending.set(n);
            // Kept readable beside the sealed data: the unlock page says what a forgotten
            // password would lose.
            use gloo_storage::Storage;
            let _ = gloo_storage::LocalStorage::set(unsent_key(user), n);
        }
    }

    fn broadcast(self, e: &Event) {
        CHANNEL.with(|c| {
            if let (Some((_, ch, _)), Ok(json)) = (c.borrow().as_ref(), serde_json::to_string(e)) {
                let _ = ch.post_message(&JsValue::from_str(&json));
            }
        });
    }

    /// Hears the syncing tab (when it is another one).
    fn listen(self, user: i64) {
        let Ok(ch) = web_sys::BroadcastChannel::new(&format!("xinbao-sync-u{user}")) else { return };
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(e) = ev.data().as_string().and_then(|t| serde_json::from_str::<Event>(&t).ok()) else { return };
            match e {
                Event::Progress { done, total } => self.progress.set((total > 0 && done < total).then_some((done, total))),
                Event::Done { ok, at } => {
                    self.progress.set(None);
                    if ok {
                        self.last_ok.set(Some(at));
                        self.online.set(Some(true));
                        self.inbox_at.set(Some(at));
                    }
                    self.generation.update(|g| *g += 1);
                    spawn_local(async move {
                        // Another tab's writes: drop this tab's cached list first.
                        store::forget_cache();
                        self.refresh().await;
                    });
                }
            }
        });
        ch.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        CHANNEL.with(|c| *c.borrow_mut() = Some((user, ch, on_message)));
    }
}

/// Uploads the photos `batch` names that the server may lack: `HEAD` first (a resumed round
/// skips what arrived), then `PUT` of the bytes under their hash (stored once however often
/// sent). A photo the server refuses for good (not an image, too large) is left out: the
/// mutation naming it comes back refused with the reason, for the author to act on.
async fn upload_photos(user: i64, batch: &[OutboxEntry]) -> Result<(), ApiError> {
    for e in batch {
        let (Op::Save { content } | Op::Submit { content }) = &e.op else { continue };
        if content.photos.iter().all(|r| UPLOADED.with(|u| u.borrow().contains(&r.sha256))) {
            continue;
        }
        let here = crate::photos::list(user, &e.item_id).await.unwrap_or_default();
        for r in &content.photos {
            if UPLOADED.with(|u| u.borrow().contains(&r.sha256)) {
                continue;
            }
            // Not on this device: it came from the server.
            let Some(photo) = here.iter().find(|p| p.sha256.as_deref() == Some(r.sha256.as_str())) else { continue };
            if !api::attachment_exists(&r.sha256).await? {
                match api::upload_attachment(&r.sha256, &photo.blob).await {
                    Ok(()) => {}
                    Err(ApiError::Server(ErrorCode::BadRequest | ErrorCode::TooLarge)) => continue,
                    Err(e) => return Err(e),
                }
            }
            UPLOADED.with(|u| u.borrow_mut().insert(r.sha256.clone()));
        }
    }
    Ok(())
}

pub use crate::store::unsent_key;
