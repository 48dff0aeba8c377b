//! The sync protocol's messages, shared by the browser and the server (see
//! docs/sync-protocol.md). A client pushes its local changes as mutations with contiguous ids
//! (`mid`), each against the item revision it started from (`base_rev`); it pulls what changed
//! on the server by cursor. Every mutation takes effect exactly once: a replayed `mid` gets its
//! stored result back.

use crate::item::DraftContent;
pub use crate::item::ItemState;
use serde::{Deserialize, Serialize};

/// Most mutations accepted in one push (the client splits larger batches).
pub const MAX_BATCH: usize = 200;
/// Most changes returned by one pull.
pub const PULL_PAGE: usize = 200;

/// A client's id: 128 random bits as 32 hex digits, made when its local database is made.
pub fn valid_client_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// An item id chosen by the client: 32 hex digits (random), so creates never collide.
pub fn valid_item_id(id: &str) -> bool {
    valid_client_id(id)
}

/// What a mutation does.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Create (base_rev 0) or update a draft's content.
    Save { content: DraftContent },
    /// Submit the item with this content (报送).
    Submit { content: DraftContent },
    /// Withdraw a draft (only before submission).
    Delete,
    /// A reviewer's action (see [`crate::review::decide`]); `content` is the editor's text for
    /// actions that carry it.
    Act {
        action: crate::review::Action,
        #[serde(default)]
        note: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<DraftContent>,
        /// With 送签: where the item is meant to go and whether it is important, which choose
        /// its sign-off chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        route: Option<crate::signoff::Route>,
    },
    /// A comment on the item, by its author or a reviewer (does not change the revision). `key`,
    /// chosen by the device when the comment is written, makes it one comment however often it
    /// is sent (a lost answer, then a start over under a new client id).
    Comment {
        text: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        key: String,
    },
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    pub mid: u64,
    pub item_id: String,
    /// The server revision the client's change started from; 0 for a new item.
    pub base_rev: u64,
    #[serde(flatten)]
    pub op: Op,
}

impl Op {
    /// The operation's wire name (`save`, `submit`, `delete`, `act`, `comment`).
    pub fn name(&self) -> &'static str {
        match self {
            Op::Save { .. } => "save",
            Op::Submit { .. } => "submit",
            Op::Delete => "delete",
            Op::Act { .. } => "act",
            Op::Comment { .. } => "comment",
        }
    }
}

impl Mutation {
    /// What the mutation asks, as SHA-256 hex over its item, base revision and operation (not
    /// its `mid`): stored with its result, so a replay of the same `mid` is answered from the
    /// store only when it asks the same thing. A different digest under a known `mid` means the
    /// client's numbering went back — a restore card, a copied profile, a VM snapshot.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let json = serde_json::to_vec(&(&self.item_id, self.base_rev, &self.op)).unwrap_or_default();
        Sha256::digest(&json).iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// `POST /api/sync/push`
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub client_id: String,
    /// Contiguous, from the oldest not yet acknowledged.
    pub mutations: Vec<Mutation>,
}

/// The server's copy of an item, as clients see it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemSnapshot {
    pub id: String,
    pub rev: u64,
    pub state: ItemState,
    pub content: DraftContent,
    pub author_id: i64,
    pub unit_id: i64,
    /// Milliseconds since the epoch, server clock.
    pub updated_at: i64,
    #[serde(default)]
    pub author_name: String,
    #[serde(default)]
    pub unit_name: String,
    /// The last review step (action, note, who, when): the reason a returned item came back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewNote>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<Comment>,
    /// The writing checks' summary as the server ran them on submission ("四有：情况✓ 数据✗ …"):
    /// the editor's screening hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<String>,
    /// An urgent first report sent after its deadline: by how many minutes (as scored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_minutes: Option<i64>,
    /// The sign-off chain it was sent into (where it waits, who signed), once sent for sign-off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing: Option<crate::signoff::Signing>,
    /// 已上报: where it went up, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upward: Vec<crate::upward::Mark>,
}

/// A review step as the author and other reviewers see it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewNote {
    pub action: crate::review::Action,
    pub note: String,
    pub by: String,
    pub at: i64,
}

/// One saved version of an item (`GET /api/items/{id}/revisions`), oldest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub rev: u64,
    pub state: ItemState,
    pub content: DraftContent,
    pub by: String,
    pub at: i64,
}

/// One comment in the thread on an item.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub by: String,
    pub at: i64,
    pub text: String,
}

/// Why a mutation was refused for good (it still counts as processed).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The content cannot be submitted (a required field is missing or wrong).
    Invalid,
    /// The item belongs to someone else.
    NotYours,
    /// The item is past the stage where this is allowed (e.g. editing a submitted item).
    WrongState,
    /// The item id is malformed.
    BadId,
    /// A review action not allowed (role, office or state); `detail` says which.
    Refused,
    /// A photo it names never reached the server (its upload was refused).
    MissingAttachment,
}

impl RejectReason {
    pub fn text(self) -> crate::i18n::Text {
        use crate::i18n::Text;
        match self {
            RejectReason::Invalid => Text::new("稿件内容不完整，未能报送", "The item is incomplete and was not submitted"),
            RejectReason::NotYours => Text::new("这篇稿件不属于您", "This item is not yours"),
            RejectReason::WrongState => Text::new("稿件已报送，不能再这样修改", "The item was submitted and cannot be changed this way"),
            RejectReason::BadId => Text::new("稿件编号无效", "The item id is invalid"),
            RejectReason::Refused => Text::new("不能进行此操作", "Not allowed"),
            RejectReason::MissingAttachment => {
                Text::new("有照片未能上传到服务器，请删除该照片后重试", "A photo did not reach the server; remove it and try again")
            }
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied; the item is now at `rev`. A sign-off step (送签, 签发, 退回编辑) also says where
    /// the item's sign-off chain stands now (none after 退回编辑).
    Applied {
        rev: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signing: Option<Box<crate::signoff::Signing>>,
    },
    /// The item changed on the server since `base_rev`: nothing was overwritten; the proposal
    /// is kept on the server, and here is the server's version.
    Conflict { server: Box<ItemSnapshot> },
    /// Refused for good; `detail` says why in Chinese.
    Rejected { reason: RejectReason, detail: String },
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MutationResult {
    pub mid: u64,
    /// The item the answered mutation concerned: the client checks it is the one it sent.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub item_id: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The answer to a push.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One result per mutation processed, in order (replays included).
    pub results: Vec<MutationResult>,
    /// The highest mid the server has processed for this client.
    pub last_mid: u64,
    /// Set when the batch skipped ids: the server expects this mid next and stopped there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<u64>,
    /// Set when this client id already used this mid for a different mutation (its device went
    /// back in time: a restore card, a copied profile). Nothing from it on was processed; the
    /// client must start over under a new id and propose again what the server lacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused: Option<u64>,
    /// The server's epoch: a new one after every restore from a backup.
    #[serde(default)]
    pub epoch: String,
    /// The server's clock when it answered (ms since the epoch): a PC whose own clock is days
    /// off (a dead CMOS battery) shows and decides times by the server's once it heard this.
    #[serde(default)]
    pub server_time: i64,
}

/// `POST /api/sync/pull`
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub client_id: String,
    /// The last `cursor` received; 0 for everything.
    pub cursor: u64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// The current version of every item of this client's account changed after `cursor`.
    pub changes: Vec<ItemSnapshot>,
    pub cursor: u64,
    /// The highest mid processed for this client (retire outbox entries up to it).
    pub last_mid: u64,
    pub has_more: bool,
    /// The server does not know the cursor (restored from a backup?): the client must drop its
    /// cursor, keep its outbox, and pull from 0.
    #[serde(default)]
    pub reset: bool,
    /// The server's epoch (see [`PushResponse::epoch`]).
    #[serde(default)]
    pub epoch: String,
    /// The server's clock (see [`PushResponse::server_time`]).
    #[serde(default)]
    pub server_time: i64,
    /// This client id once sent a used mid for a different mutation: the device it lives on goes
    /// back in time (a restore card brings the same id back after every reboot). The app says so
    /// at once, before anything is written.
    #[serde(default)]
    pub went_back: bool,
}

/// How far a PC's clock is from the server's (ms to add to the PC's clock), from one exchange:
/// the request left at `sent` and the answer arrived at `received` (the PC's clock), and the
/// server said `server_time` in between — taken as the middle of the round trip.
pub fn clock_offset(server_time: i64, sent: f64, received: f64) -> f64 {
    server_time as f64 - (sent + received) / 2.0
}

/// What the browser keeps, per item, about the item's server side (stored with the draft).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LocalSync {
    /// The server revision the local copy started from; 0 when never on the server.
    #[serde(default)]
    pub rev: u64,
    /// The item's state on the server, as last heard.
    #[serde(default)]
    pub state: Option<ItemState>,
    /// The local revision the server holds: a higher local revision has edits to send.
    #[serde(default)]
    pub synced_rev: u32,
    /// The author asked to submit (报送); cleared once the server answered.
    #[serde(default)]
    pub submit: bool,
    /// The server's version, when it changed while this copy was edited here.
    #[serde(default)]
    pub conflict: Option<ItemSnapshot>,
    /// Why the server refused the last change (Chinese).
    #[serde(default)]
    pub failed: Option<String>,
    /// When the server last acknowledged a change of this item (ms since the epoch).
    #[serde(default)]
    pub acked_at: Option<f64>,
    /// Who wrote it, when it came from the server (None: written on this device).
    #[serde(default)]
    pub author_id: Option<i64>,
    #[serde(default)]
    pub author_name: String,
    #[serde(default)]
    pub unit_name: String,
    /// The last review step and the comment thread, as the server last told.
    #[serde(default)]
    pub review: Option<ReviewNote>,
    #[serde(default)]
    pub comments: Vec<Comment>,
    /// The writing checks' summary from the server (reviewers' screening hint).
    #[serde(default)]
    pub quality: Option<String>,
    /// An urgent first report the server recorded as late: by how many minutes.
    #[serde(default)]
    pub late_minutes: Option<i64>,
    /// A reviewer's action waiting to be sent: (action, note).
    #[serde(default)]
    pub act: Option<(crate::review::Action, String)>,
    /// With a queued 送签: where the item is meant to go and whether it is important.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act_route: Option<crate::signoff::Route>,
    /// The sign-off chain, as the server last told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing: Option<crate::signoff::Signing>,
    /// Where it went up, as the server last told.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upward: Vec<crate::upward::Mark>,
    /// Comments waiting to be sent, oldest first (a device stored before the queue kept one).
    #[serde(default, deserialize_with = "one_or_many")]
    pub comment: Vec<QueuedComment>,
}

/// A comment waiting to be sent, with the key that makes it one comment on the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedComment {
    #[serde(default)]
    pub key: String,
    pub text: String,
}

/// Reads the comment queue, also as older versions stored it (one optional text, or texts).
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<QueuedComment>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Entry {
        Text(String),
        Keyed(QueuedComment),
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Option<String>),
        Many(Vec<Entry>),
    }
    let keyed = |e: Entry| match e {
        Entry::Text(text) => QueuedComment { key: String::new(), text },
        Entry::Keyed(c) => c,
    };
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(one) => one.into_iter().map(|text| QueuedComment { key: String::new(), text }).collect(),
        OneOrMany::Many(many) => many.into_iter().map(keyed).collect(),
    })
}

/// Where an item stands, as its author sees it (guarantee 6 of docs/sync-protocol.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalStatus {
    /// 仅本地: a draft whose latest text is only on this device.
    LocalOnly,
    /// 草稿已备份: a draft whose latest text the server also holds.
    BackedUp,
    /// 待报送: submitted here, not yet acknowledged by the server.
    Pending,
    /// 已报送: the office has it (whatever stage the review is at).
    Sent,
    /// 已退回: the office sent it back for revision.
    Returned,
    /// 冲突: the server's version changed too; the author decides.
    Conflict,
    /// 失败: the server refused it, with the reason.
    Failed(String),
}

impl LocalStatus {
    pub fn label(&self) -> crate::i18n::Text {
        use crate::i18n::Text;
        match self {
            LocalStatus::LocalOnly => Text::new("仅本地", "Only here"),
            LocalStatus::BackedUp => Text::new("草稿已备份", "Draft backed up"),
            LocalStatus::Pending => Text::new("待报送", "Waiting to send"),
            LocalStatus::Sent => Text::new("已报送", "Sent"),
            LocalStatus::Returned => Text::new("已退回", "Returned"),
            LocalStatus::Conflict => Text::new("冲突", "Conflict"),
            LocalStatus::Failed(_) => Text::new("失败", "Failed"),
        }
    }

    /// A short machine name (CSS class, test id).
    pub fn key(&self) -> &'static str {
        match self {
            LocalStatus::LocalOnly => "local",
            LocalStatus::BackedUp => "backed-up",
            LocalStatus::Pending => "pending",
            LocalStatus::Sent => "sent",
            LocalStatus::Returned => "returned",
            LocalStatus::Conflict => "conflict",
            LocalStatus::Failed(_) => "failed",
        }
    }
}

impl LocalSync {
    /// Whether this local copy is `me`'s own work not yet with the office — what 导出未报送稿件
    /// carries on a USB stick: written here or by `me`, and still the author's to change (a
    /// draft, a returned item) or with changes or a submission the server has not got. An item
    /// already submitted, and anything of someone else's a reviewer pulled, stays on the PC.
    pub fn is_own_unsent(&self, me: i64, local_rev: u32) -> bool {
        let mine = self.author_id.is_none_or(|a| a == me);
        let with_author = self.state.is_none_or(ItemState::authors_turn);
        mine && (with_author || self.submit || local_rev > self.synced_rev)
    }

    /// Where the item stands for its author.
    pub fn status(&self, local_rev: u32) -> LocalStatus {
        if self.conflict.is_some() {
            return LocalStatus::Conflict;
        }
        if let Some(why) = &self.failed {
            return LocalStatus::Failed(why.clone());
        }
        match self.state {
            _ if self.submit => LocalStatus::Pending,
            Some(ItemState::Returned) => LocalStatus::Returned,
            Some(s) if !s.authors_turn() => LocalStatus::Sent,
            Some(ItemState::Draft) if local_rev == self.synced_rev => LocalStatus::BackedUp,
            _ => LocalStatus::LocalOnly,
        }
    }

    /// The change to send for this item, if any: (base revision, operation). Nothing while a
    /// conflict waits for the author, nothing once submitted, and a trashed draft the server
    /// never had stays local.
    pub fn next_op(&self, content: &DraftContent, local_rev: u32, trashed: bool) -> Option<(u64, Op)> {
        if self.conflict.is_some() {
            return None;
        }
        if let Some((action, note)) = &self.act {
            let content = action.carries_text().then(|| content.clone());
            let route = (*action == crate::review::Action::SendToSignOff).then(|| self.act_route.unwrap_or_default());
            return Some((self.rev, Op::Act { action: *action, note: note.clone(), content, route }));
        }
        if let Some(c) = self.comment.first() {
            return Some((self.rev, Op::Comment { text: c.text.clone(), key: c.key.clone() }));
        }
        if self.state.is_some_and(|s| !s.authors_turn()) {
            return None;
        }
        if trashed {
            let on_server = self.rev > 0 && self.state != Some(ItemState::Deleted);
            return on_server.then_some((self.rev, Op::Delete));
        }
        if self.submit {
            return Some((self.rev, Op::Submit { content: content.clone() }));
        }
        let dirty = local_rev != self.synced_rev || self.state == Some(ItemState::Deleted);
        (dirty && !content_is_empty(content)).then(|| (self.rev, Op::Save { content: content.clone() }))
    }

    /// Records the server's answer to a mutation that carried local revision `sent_rev`.
    pub fn on_result(&mut self, op: &Op, sent_rev: u32, outcome: &Outcome, now: f64) {
        match outcome {
            Outcome::Applied { .. } if matches!(op, Op::Comment { .. }) => {
                // A comment changes nothing of the item: the revision it reports is the server's
                // current one, which this device's text may not be yet (the next pull brings it).
                if let Op::Comment { text, key } = op {
                    self.unqueue_comment(text, key);
                }
                self.acked_at = Some(now);
            }
            Outcome::Applied { rev, signing } => {
                self.rev = *rev;
                self.failed = None;
                self.acked_at = Some(now);
                let state = self.state.unwrap_or(ItemState::Draft);
                self.state = Some(match op {
                    // A returned item stays with its author until resubmitted.
                    Op::Save { .. } if state == ItemState::Returned => ItemState::Returned,
                    Op::Save { .. } => ItemState::Draft,
                    Op::Submit { .. } => ItemState::Submitted,
                    Op::Delete => ItemState::Deleted,
                    Op::Act { action, content, .. } => {
                        let urgent = content.as_ref().is_some_and(|c| c.item_type == crate::item::ItemType::Urgent);
                        self.act = None;
                        self.act_route = None;
                        let decided = crate::review::target(state, urgent, *action).unwrap_or(state);
                        if crate::signoff::moves_chain(*action) {
                            self.signing = signing.as_deref().cloned();
                        }
                        crate::signoff::state_after(*action, decided, self.signing.as_ref())
                    }
                    Op::Comment { text, key } => {
                        self.unqueue_comment(text, key);
                        state
                    }
                });
                if !matches!(op, Op::Comment { .. }) {
                    self.synced_rev = sent_rev;
                }
                if matches!(op, Op::Submit { .. }) {
                    self.submit = false;
                }
            }
            Outcome::Conflict { server } if matches!(op, Op::Act { .. }) => {
                // A reviewer's action on an item that moved on: not a conflict to resolve (the
                // item is not the reviewer's to keep a version of) — the device takes the server's
                // version (the caller takes its text) and the note goes to the thread.
                self.keep_note_of(op);
                self.rev = server.rev;
                self.state = Some(server.state);
                self.conflict = None;
                self.learn(server);
                self.acked_at = Some(now);
            }
            Outcome::Conflict { server } => {
                self.conflict = Some((**server).clone());
                self.acked_at = Some(now);
            }
            Outcome::Rejected { detail, .. } => {
                match op {
                    Op::Act { .. } => self.keep_note_of(op),
                    Op::Comment { text, key } => self.unqueue_comment(text, key),
                    _ => self.synced_rev = sent_rev,
                }
                self.submit = false;
                self.failed = Some(detail.clone());
                self.acked_at = Some(now);
            }
        }
    }
}

impl LocalSync {
    /// 保留我的版本: the text here goes on top of the server's version — only while the item is
    /// still the author's to change. When the office has it (submitted from another device, a
    /// USB copy submitted on another PC), keeping "mine" on top is impossible: false, nothing
    /// changed, and the caller keeps the text here as a copy and takes the server's version —
    /// never a desk that says 已报送 with a text the office does not hold.
    pub fn keep_mine(&mut self) -> bool {
        match self.conflict.take() {
            Some(server) if server.state.authors_turn() => {
                self.rev = server.rev;
                self.state = Some(server.state);
                // Dirty again: the text here is proposed on top of the server's.
                self.synced_rev = 0;
                true
            }
            other => {
                self.conflict = other;
                false
            }
        }
    }

    /// Takes a sent comment off the queue (the one with its key; an older unkeyed one by text).
    fn unqueue_comment(&mut self, text: &str, key: &str) {
        if let Some(i) = self.comment.iter().position(|c| if key.is_empty() { c.text == text } else { c.key == key }) {
            self.comment.remove(i);
        }
    }

    /// A reviewer's action the server did not take (the item changed, or the step is not allowed
    /// now): the action is not tried again, but its note is never dropped — it goes to the item's
    /// thread as a comment, saying which action it was written for.
    fn keep_note_of(&mut self, op: &Op) {
        if let Op::Act { action, note, .. } = op {
            if !note.trim().is_empty() {
                let text = format!("（{}未能执行，原意见）{}", action.label().zh, note.trim());
                // The key follows from what the note was for: the same refusal heard twice is one comment.
                let key = {
                    use sha2::{Digest, Sha256};
                    let d = Sha256::digest(format!("{}|{}|{}", self.rev, action.as_str(), note.trim()).as_bytes());
                    d.iter().take(16).map(|b| format!("{b:02x}")).collect()
                };
                if !self.comment.iter().any(|c| c.key == key) {
                    self.comment.push(QueuedComment { key, text });
                }
            }
            self.act = None;
        }
    }

    /// What only this device has queued for the item — a reviewer's action, comments — carried
    /// over when the item's sync state is replaced by the server's version.
    pub fn carry_queue(&mut self, from: &LocalSync) {
        self.act = from.act.clone();
        self.act_route = from.act_route;
        self.comment = from.comment.clone();
    }
}

fn content_is_empty(c: &DraftContent) -> bool {
    c.title.trim().is_empty() && c.body.trim().is_empty()
}

impl LocalSync {
    /// Takes what only the server knows about the item — who wrote it, where, the last review
    /// step and the comments — from a pulled version, whatever happens to the text.
    pub fn learn(&mut self, s: &ItemSnapshot) {
        self.author_id = Some(s.author_id);
        self.author_name = s.author_name.clone();
        self.unit_name = s.unit_name.clone();
        self.review = s.review.clone();
        self.comments = s.comments.clone();
        self.quality = s.quality.clone();
        self.late_minutes = s.late_minutes;
        self.signing = s.signing.clone();
        self.upward = s.upward.clone();
    }
}

/// After starting over (a server restored from an older backup, this device rolled back or
/// copied): how this device's copy of an item must change so the server ends up holding what
/// the device was told it holds. `server` is the item's (revision, state) on the server, None
/// when the server lacks it; `me` the account. Only the account's own items are proposed again —
/// a reviewer's device never re-creates other people's items as its own.
pub fn repropose(local: &LocalSync, local_rev: u32, me: i64, server: Option<(u64, ItemState)>) -> Option<LocalSync> {
    let Some(acked) = local.state else {
        // Never acknowledged here. A conflict noted before starting over, with an item the server
        // now lacks, belongs to the other history: gone, so the draft goes as new.
        return (server.is_none() && local.conflict.is_some()).then(|| LocalSync { conflict: None, ..local.clone() });
    };
    if local.author_id.is_some_and(|a| a != me) {
        return None;
    }
    let sent = !acked.authors_turn();
    match server {
        // Withdrawn here, and the server lacks it altogether: nothing to send, but its revisions
        // start again from nothing (another device may bring it back).
        None if acked == ItemState::Deleted => {
            Some(LocalSync { rev: 0, state: None, synced_rev: local_rev, submit: false, conflict: None, failed: None, ..local.clone() })
        }
        // The server lacks it: propose it again from nothing (submitted again if it was).
        None => Some(LocalSync {
            rev: 0,
            state: None,
            synced_rev: local_rev.wrapping_sub(1),
            submit: sent || local.submit,
            conflict: None,
            failed: None,
            ..local.clone()
        }),
        Some((rev, _)) if rev >= local.rev => None,
        // The server holds an older revision the author may still change: send ours on top of it.
        Some((rev, state)) if state.authors_turn() => Some(LocalSync {
            rev,
            state: Some(state),
            synced_rev: local_rev.wrapping_sub(1),
            submit: sent || local.submit,
            conflict: None,
            failed: None,
            ..local.clone()
        }),
        // With the office at an older step: the device takes the server's step (the officer
        // cannot redo a reviewer's work), and shows what the server holds.
        Some((rev, state)) => Some(LocalSync { rev, state: Some(state), ..local.clone() }),
    }
}

/// After a full pull that followed a start over: whether this device's copy of an item the
/// server no longer shows it is dropped — someone else's item (on a reviewer's device: returned
/// to its author, lost in a restore) with nothing of ours queued on it. The account's own items
/// are never dropped ([`repropose`] proposes them again).
pub fn forget_unseen(local: &LocalSync, me: i64) -> bool {
    local.author_id.is_some_and(|a| a != me) && local.act.is_none() && local.comment.is_empty()
}

/// What to do with a pulled server version of an item, given the local copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PullAction {
    /// Nothing new for this device.
    Ignore,
    /// Not here yet: add it (another device wrote it, or this device's storage was wiped).
    Insert,
    /// Nothing unsent here: take the server's version.
    Take,
    /// Unsent edits here equal the server's text already (our own change came back): just
    /// move the base revision.
    Converged,
    /// Unsent edits here and a different server version: keep both, the author decides.
    Conflict,
}

/// A local copy, as [`on_pulled`] needs to see it.
pub struct LocalCopy<'a> {
    pub sync: &'a LocalSync,
    pub local_rev: u32,
    pub content: &'a DraftContent,
    /// The content of a mutation for this item still waiting in the outbox, if any.
    pub in_outbox: Option<&'a DraftContent>,
    /// The account's own item (false: someone else's, on a reviewer's device).
    pub mine: bool,
}

/// Decides how a pulled server version meets the local copy (docs/sync-protocol.md: nothing anyone wrote is
/// silently overwritten).
pub fn on_pulled(local: Option<LocalCopy<'_>>, server: &ItemSnapshot) -> PullAction {
    let Some(local) = local else {
        return if server.state == ItemState::Deleted { PullAction::Ignore } else { PullAction::Insert };
    };
    if server.rev <= local.sync.rev && local.sync.state.is_some() {
        // Someone else's item at an older revision than this device heard (the server restored
        // from a backup): the server's version is the truth here.
        let stale = !local.mine && server.rev < local.sync.rev && local.sync.act.is_none();
        return if stale { PullAction::Take } else { PullAction::Ignore };
    }
    let unsent = local.local_rev != local.sync.synced_rev || local.sync.submit || local.in_outbox.is_some();
    if !unsent && local.sync.conflict.is_none() {
        return PullAction::Take;
    }
    if &server.content == local.content {
        return PullAction::Converged;
    }
    // Our own mutation came back, but the text here moved on since it was frozen: the newer text
    // goes on top — unless the office has the item now, when it never can and both are kept
    // (never 已报送 beside a text the office does not hold).
    if local.in_outbox == Some(&server.content) {
        return if server.state.authors_turn() { PullAction::Converged } else { PullAction::Conflict };
    }
    PullAction::Conflict
}

/// [`on_pulled`] for a pull from the start after starting over (a new server epoch, a device
/// that went back in time): the server's revisions may then belong to another history than the
/// one this device heard. A conflict noted before belongs to that history and is decided again.
/// Where the server holds a revision at or below the one this device was told of:
/// - older, and still the author's to change: [`repropose`] sends ours on top (Ignore here);
/// - our text: take the server's revision and step (Converged when something is unsent);
/// - the same revision, with our unsent edit going on top as usual: Ignore;
/// - anything else is two versions: kept both, the author decides (Conflict).
pub fn on_pulled_rebased(local: Option<LocalCopy<'_>>, server: &ItemSnapshot, me: i64) -> PullAction {
    let Some(l) = local else { return on_pulled(None, server) };
    let fresh = LocalSync { conflict: None, ..l.sync.clone() };
    let l = LocalCopy { sync: &fresh, ..l };
    // Someone else's item on a reviewer's device: whatever the server holds now is the truth —
    // an older revision too (restored from a backup); nothing of the reviewer's is proposed on it.
    if server.author_id != me {
        let same = fresh.state == Some(server.state) && server.rev == fresh.rev && &server.content == l.content;
        // (A reviewer's step still queued was decided on the text held here: it is not carried
        // onto another one — it goes as it is, and the server answers it.)
        return if fresh.state.is_some() && !same && fresh.act.is_none() { PullAction::Take } else { on_pulled(Some(l), server) };
    }
    if fresh.state.is_none() || server.rev > fresh.rev {
        return on_pulled(Some(l), server);
    }
    let unsent = l.local_rev != fresh.synced_rev || fresh.submit || l.in_outbox.is_some();
    if server.rev < fresh.rev && server.state.authors_turn() {
        return PullAction::Ignore;
    }
    if &server.content == l.content || l.in_outbox == Some(&server.content) {
        if server.rev == fresh.rev && fresh.state == Some(server.state) {
            // Nothing new: the very version this device holds.
            return PullAction::Ignore;
        }
        return if unsent { PullAction::Converged } else { PullAction::Take };
    }
    if server.rev == fresh.rev && unsent && server.state.authors_turn() {
        return PullAction::Ignore;
    }
    PullAction::Conflict
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_read_as_the_wire_format_documents() {
        let m = Mutation { mid: 7, item_id: "a".repeat(32), base_rev: 3, op: Op::Delete };
        let json = serde_json::to_value(&m).unwrap_or_default();
        assert_eq!(json["op"], "delete");
        assert_eq!(json["mid"], 7);
        let back: Mutation = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, m);
        let r = MutationResult { mid: 7, item_id: "a".repeat(32), outcome: Outcome::Applied { rev: 4, signing: None } };
        assert_eq!(
            serde_json::to_value(&r).unwrap_or_default(),
            serde_json::json!({"mid": 7, "item_id": "a".repeat(32), "outcome": "applied", "rev": 4})
        );
    }

    #[test]
    fn a_digest_names_what_a_mutation_asks_whatever_its_mid() {
        let save = |mid, body: &str| Mutation {
            mid,
            item_id: "a".repeat(32),
            base_rev: 1,
            op: Op::Save { content: DraftContent { title: "t".into(), body: body.into(), ..DraftContent::default() } },
        };
        assert_eq!(save(1, "x").digest(), save(9, "x").digest());
        assert_ne!(save(1, "x").digest(), save(1, "y").digest());
        assert_ne!(save(1, "x").digest(), Mutation { base_rev: 2, ..save(1, "x") }.digest());
        assert_eq!(save(1, "x").digest().len(), 64);
    }

    #[test]
    fn a_pc_days_behind_learns_the_server_s_clock_from_one_exchange() {
        let server = 1_780_000_000_000i64;
        let pc_behind = (server - 5 * 86_400_000) as f64;
        // 400 ms round trip, the server answering in the middle.
        let offset = clock_offset(server, pc_behind - 200.0, pc_behind + 200.0);
        assert_eq!(offset, 5.0 * 86_400_000.0);
        assert_eq!(pc_behind + offset, server as f64);
    }

    #[test]
    fn ids_are_32_hex_digits() {
        assert!(valid_client_id(&"0f".repeat(16)));
        assert!(!valid_client_id("short"));
        assert!(!valid_client_id(&"zz".repeat(16)));
    }
}

#[cfg(test)]
mod local_tests {
    use super::*;

    #[test]
    fn only_ones_own_unsent_work_leaves_the_pc() {
        let at = |state: Option<ItemState>, author: Option<i64>| LocalSync {
            state,
            author_id: author,
            rev: 1,
            synced_rev: 3,
            ..LocalSync::default()
        };
        // Written here, never sent; a draft or a returned item of mine.
        assert!(at(None, None).is_own_unsent(7, 1));
        assert!(at(Some(ItemState::Draft), Some(7)).is_own_unsent(7, 3));
        assert!(at(Some(ItemState::Returned), Some(7)).is_own_unsent(7, 3));
        // Submitted and acknowledged: with the office, not exported.
        assert!(!at(Some(ItemState::Submitted), Some(7)).is_own_unsent(7, 3));
        assert!(!at(Some(ItemState::Signed), None).is_own_unsent(7, 3));
        // Submitted here but not yet acknowledged: still unsent.
        assert!(LocalSync { submit: true, ..at(Some(ItemState::Draft), Some(7)) }.is_own_unsent(7, 3));
        // Someone else's item an editor pulled for review: never.
        assert!(!at(Some(ItemState::Submitted), Some(9)).is_own_unsent(7, 9));
        assert!(!at(Some(ItemState::Returned), Some(9)).is_own_unsent(7, 3));
    }

    fn content(body: &str) -> DraftContent {
        DraftContent { title: "标题".into(), body: body.into(), ..DraftContent::default() }
    }

    fn snapshot(rev: u64, state: ItemState, body: &str) -> ItemSnapshot {
        ItemSnapshot {
            id: "a".repeat(32),
            rev,
            state,
            content: content(body),
            author_id: 1,
            unit_id: 1,
            updated_at: 0,
            author_name: String::new(),
            unit_name: String::new(),
            review: None,
            comments: vec![],
            quality: None,
            late_minutes: None,
            signing: None,
            upward: Vec::new(),
        }
    }

    #[test]
    fn a_new_draft_is_only_local_then_backed_up_then_pending_then_sent() {
        let mut s = LocalSync::default();
        assert_eq!(s.status(1), LocalStatus::LocalOnly);
        let (base, op) = s.next_op(&content("正文"), 1, false).unwrap_or((9, Op::Delete));
        assert_eq!((base, matches!(op, Op::Save { .. })), (0, true));
        s.on_result(&op, 1, &Outcome::Applied { rev: 1, signing: None }, 1.0);
        assert_eq!(s.status(1), LocalStatus::BackedUp);
        assert_eq!(s.next_op(&content("正文"), 1, false), None);
        assert_eq!(s.status(2), LocalStatus::LocalOnly);
        s.submit = true;
        assert_eq!(s.status(2), LocalStatus::Pending);
        let (base, op) = s.next_op(&content("正文改"), 2, false).unwrap_or((9, Op::Delete));
        assert_eq!((base, matches!(op, Op::Submit { .. })), (1, true));
        s.on_result(&op, 2, &Outcome::Applied { rev: 2, signing: None }, 2.0);
        assert_eq!(s.status(2), LocalStatus::Sent);
        assert_eq!(s.next_op(&content("正文改"), 3, false), None, "nothing is sent after submission");
    }

    #[test]
    fn trash_deletes_on_the_server_only_what_the_server_has_and_restore_saves_again() {
        let s = LocalSync::default();
        assert_eq!(s.next_op(&content("x"), 2, true), None);
        let mut s = LocalSync { rev: 3, state: Some(ItemState::Draft), synced_rev: 1, ..LocalSync::default() };
        assert_eq!(s.next_op(&content("x"), 2, true), Some((3, Op::Delete)));
        s.on_result(&Op::Delete, 2, &Outcome::Applied { rev: 4, signing: None }, 0.0);
        assert_eq!(s.next_op(&content("x"), 2, true), None);
        assert!(matches!(s.next_op(&content("x"), 2, false), Some((4, Op::Save { .. }))));
    }

    #[test]
    fn a_rejection_is_shown_with_its_reason_and_not_resent_until_edited() {
        let mut s = LocalSync { submit: true, ..LocalSync::default() };
        let op = Op::Submit { content: content("") };
        s.on_result(&op, 5, &Outcome::Rejected { reason: RejectReason::Invalid, detail: "请填写标题".into() }, 0.0);
        assert_eq!(s.status(5), LocalStatus::Failed("请填写标题".into()));
        assert_eq!(s.next_op(&content("x"), 5, false), None);
        assert!(s.next_op(&content("x"), 6, false).is_some());
    }

    #[test]
    fn a_conflict_holds_the_item_until_the_author_decides() {
        let mut s = LocalSync { rev: 1, state: Some(ItemState::Draft), synced_rev: 1, ..LocalSync::default() };
        let server = snapshot(2, ItemState::Draft, "编辑改过");
        s.on_result(&Op::Save { content: content("我改过") }, 2, &Outcome::Conflict { server: Box::new(server) }, 0.0);
        assert_eq!(s.status(2), LocalStatus::Conflict);
        assert_eq!(s.next_op(&content("我改过"), 2, false), None);
    }

    #[test]
    fn starting_over_proposes_again_only_the_authors_items_the_server_lacks_or_holds_older() {
        let me = 7;
        let sent = LocalSync { rev: 5, state: Some(ItemState::Submitted), synced_rev: 3, author_id: Some(me), ..LocalSync::default() };
        // Lacking: submitted again from nothing, and dirty.
        let again = repropose(&sent, 3, me, None).unwrap_or_default();
        assert_eq!((again.rev, again.state, again.submit), (0, None, true));
        assert!(matches!(again.next_op(&content("x"), 3, false), Some((0, Op::Submit { .. }))));
        assert_eq!(again.status(3), LocalStatus::Pending, "never 已报送 for what the server lacks");
        // Held at an older draft revision: our text goes on top of it.
        let older = repropose(&sent, 3, me, Some((2, ItemState::Draft))).unwrap_or_default();
        assert!(matches!(older.next_op(&content("x"), 3, false), Some((2, Op::Submit { .. }))));
        // Held at the same or a newer revision: nothing to do.
        assert_eq!(repropose(&sent, 3, me, Some((5, ItemState::Screening))), None);
        // With the office at an older step: the device shows the server's step.
        let step = repropose(&LocalSync { state: Some(ItemState::Signed), ..sent.clone() }, 3, me, Some((4, ItemState::Screening)));
        assert_eq!(step.map(|s| (s.rev, s.state)), Some((4, Some(ItemState::Screening))));
        // Someone else's item the server no longer shows this device is dropped — unless
        // something of ours is queued on it.
        assert!(forget_unseen(&LocalSync { author_id: Some(8), ..sent.clone() }, me));
        assert!(!forget_unseen(&sent, me));
        let queued =
            LocalSync { author_id: Some(8), comment: vec![QueuedComment { key: "k".into(), text: "意见".into() }], ..sent.clone() };
        assert!(!forget_unseen(&queued, me));
        // Someone else's item on a reviewer's device, a never-sent draft, a withdrawn one: left alone.
        assert_eq!(repropose(&LocalSync { author_id: Some(8), ..sent.clone() }, 3, me, None), None);
        assert_eq!(repropose(&LocalSync::default(), 1, me, None), None);
        // A new draft that met another history's item: that history is gone, the draft goes as new.
        let met = LocalSync { conflict: Some(snapshot(3, ItemState::Draft, "旧")), ..LocalSync::default() };
        let again = repropose(&met, 2, me, None).unwrap_or_default();
        assert!(matches!(again.next_op(&content("x"), 2, false), Some((0, Op::Save { .. }))));
        assert_eq!(repropose(&met, 2, me, Some((3, ItemState::Draft))), None, "the pull decided it against what the server holds");
        let gone = repropose(&LocalSync { state: Some(ItemState::Deleted), ..sent.clone() }, 3, me, None).unwrap_or_default();
        assert_eq!((gone.rev, gone.state, gone.next_op(&content("x"), 3, true)), (0, None, None), "withdrawn and lost: nothing to send");
        // Withdrawn here after the backup: the server holds the older draft, the withdrawal goes again.
        let withdrawn = LocalSync { rev: 4, state: Some(ItemState::Deleted), synced_rev: 3, author_id: Some(me), ..LocalSync::default() };
        let again = repropose(&withdrawn, 3, me, Some((3, ItemState::Draft))).unwrap_or_default();
        assert_eq!(again.next_op(&content("x"), 3, true), Some((3, Op::Delete)));
        // A draft written on this device (no author recorded) that the server lost: saved again.
        let mine = LocalSync { rev: 2, state: Some(ItemState::Draft), synced_rev: 4, ..LocalSync::default() };
        let again = repropose(&mine, 4, me, None).unwrap_or_default();
        assert!(matches!(again.next_op(&content("x"), 4, false), Some((0, Op::Save { .. }))));
    }

    #[test]
    fn after_starting_over_the_server_s_versions_are_compared_not_trusted_by_revision() {
        let acked = LocalSync { rev: 5, state: Some(ItemState::Draft), synced_rev: 2, ..LocalSync::default() };
        let mine = content("旧历史里的第5版");
        let copy = |sync, local_rev| Some(LocalCopy { sync, local_rev, content: &mine, in_outbox: None, mine: true });
        let other = |rev, state| snapshot(rev, state, "新历史里的第5版");
        let ours = |rev, state| snapshot(rev, state, "旧历史里的第5版");
        // The same revision with other text: nothing new by revision, two versions in truth.
        assert_eq!(on_pulled(copy(&acked, 2), &other(5, ItemState::Draft)), PullAction::Ignore);
        assert_eq!(on_pulled_rebased(copy(&acked, 2), &other(5, ItemState::Draft), 1), PullAction::Conflict);
        // Our text at another step: taken.
        assert_eq!(on_pulled_rebased(copy(&acked, 2), &ours(5, ItemState::Submitted), 1), PullAction::Take);
        assert_eq!(on_pulled_rebased(copy(&acked, 2), &ours(5, ItemState::Draft), 1), PullAction::Ignore, "the very version held here");
        // Older and still the author's: left to repropose, which puts ours on top.
        assert_eq!(on_pulled_rebased(copy(&acked, 2), &other(3, ItemState::Draft), 1), PullAction::Ignore);
        // Older and with the office, other text: two versions.
        assert_eq!(on_pulled_rebased(copy(&acked, 2), &other(1, ItemState::Submitted), 1), PullAction::Conflict);
        // An unsent edit on the same revision goes on top as usual.
        assert_eq!(on_pulled_rebased(copy(&acked, 3), &other(5, ItemState::Draft), 1), PullAction::Ignore);
        // A conflict noted before starting over is decided again against what the server holds now.
        // (here: the very version held, so nothing to take; the pull drops the stale conflict).
        let stale = LocalSync { conflict: Some(other(9, ItemState::Draft)), ..acked.clone() };
        assert_eq!(on_pulled_rebased(copy(&stale, 2), &ours(5, ItemState::Draft), 1), PullAction::Ignore);
        assert_eq!(on_pulled_rebased(copy(&stale, 2), &ours(5, ItemState::Submitted), 1), PullAction::Take);
        // Someone else's item on a reviewer's device: never a fork to resolve.
        let theirs = ItemSnapshot { author_id: 9, ..other(5, ItemState::Screening) };
        assert_ne!(on_pulled_rebased(copy(&acked, 2), &theirs, 1), PullAction::Conflict);
        // … and an older revision of it (the server restored) is taken, not ignored.
        let older = ItemSnapshot { author_id: 9, ..other(3, ItemState::Submitted) };
        assert_eq!(on_pulled_rebased(copy(&acked, 2), &older, 1), PullAction::Take);
        // … but never under a step the reviewer queued on the text held here.
        let stepping = LocalSync { act: Some((crate::review::Action::Sign, String::new())), ..acked.clone() };
        assert_ne!(on_pulled_rebased(copy(&stepping, 2), &older, 1), PullAction::Take);
        // Newer on the server: as always.
        assert_eq!(on_pulled_rebased(copy(&acked, 2), &other(6, ItemState::Draft), 1), PullAction::Take);
    }

    #[test]
    fn keeping_mine_goes_on_top_only_while_the_item_is_the_author_s() {
        let mut s = LocalSync { rev: 2, state: Some(ItemState::Draft), synced_rev: 3, ..LocalSync::default() };
        s.conflict = Some(snapshot(3, ItemState::Draft, "另一台电脑改的"));
        assert!(s.keep_mine());
        assert!(matches!(s.next_op(&content("我的"), 4, false), Some((3, Op::Save { .. }))));
        // Submitted from the other PC (a USB copy): mine cannot go on top; nothing changes here.
        let mut s = LocalSync { rev: 2, state: Some(ItemState::Draft), synced_rev: 3, ..LocalSync::default() };
        s.conflict = Some(snapshot(3, ItemState::Submitted, "乙电脑报送的"));
        assert!(!s.keep_mine());
        assert!(s.conflict.is_some());
        assert_ne!(s.status(4), LocalStatus::Sent);
    }

    #[test]
    fn reviewers_notes_and_comments_are_a_queue_that_nothing_drops() {
        use crate::review::Action;
        let mut s = LocalSync { rev: 3, state: Some(ItemState::Screening), synced_rev: 1, ..LocalSync::default() };
        s.comment.push(QueuedComment { key: "k1".into(), text: "请补充数据".into() });
        let (_, first) = s.next_op(&content("x"), 1, false).unwrap_or((0, Op::Delete));
        // A second comment while the first is in flight.
        s.comment.push(QueuedComment { key: "k2".into(), text: "另外请核实时间".into() });
        s.on_result(&first, 1, &Outcome::Applied { rev: 4, signing: None }, 0.0);
        assert_eq!(s.rev, 3, "a comment's answer does not move the revision this text is at");
        assert_eq!(s.comment.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), vec!["另外请核实时间"], "the second is still queued");
        assert!(matches!(s.next_op(&content("x"), 1, false), Some((3, Op::Comment { .. }))), "and counts as unsent");
        // A conflicting action: not retried, its note kept in the thread.
        s.comment.clear();
        s.act = Some((Action::Return, "数据需核实".into()));
        let (_, act) = s.next_op(&content("x"), 1, false).unwrap_or((0, Op::Delete));
        s.on_result(&act, 1, &Outcome::Conflict { server: Box::new(snapshot(4, ItemState::Screening, "x")) }, 0.0);
        assert_eq!(s.act, None);
        assert_eq!((s.rev, s.conflict.is_none()), (4, true), "the server's version, no conflict to resolve");
        assert_eq!(s.comment.len(), 1);
        assert!(s.comment[0].text.contains("数据需核实"));
        // A pull that takes the server's version carries the queue over.
        let mut taken = LocalSync { rev: 5, ..LocalSync::default() };
        taken.carry_queue(&s);
        assert_eq!(taken.comment, s.comment);
        // What an older version stored reads as a queue.
        let old: LocalSync = serde_json::from_str(r#"{"comment": "旧评论"}"#).unwrap_or_default();
        assert_eq!(old.comment, vec![QueuedComment { key: String::new(), text: "旧评论".into() }]);
        let texts: LocalSync = serde_json::from_str(r#"{"comment": ["一", {"key": "k", "text": "二"}]}"#).unwrap_or_default();
        assert_eq!(texts.comment.len(), 2);
        let none: LocalSync = serde_json::from_str(r#"{"comment": null}"#).unwrap_or_default();
        assert!(none.comment.is_empty());
    }

    #[test]
    fn pulled_versions_never_overwrite_unsent_text() {
        let clean = LocalSync { rev: 1, state: Some(ItemState::Draft), synced_rev: 3, ..LocalSync::default() };
        let mine = content("本机");
        let copy = |sync, local_rev, in_outbox| Some(LocalCopy { sync, local_rev, content: &mine, in_outbox, mine: true });
        assert_eq!(on_pulled(None, &snapshot(1, ItemState::Draft, "x")), PullAction::Insert);
        assert_eq!(on_pulled(None, &snapshot(2, ItemState::Deleted, "x")), PullAction::Ignore);
        assert_eq!(on_pulled(copy(&clean, 3, None), &snapshot(1, ItemState::Draft, "x")), PullAction::Ignore);
        // Someone else's item older than heard here (a restored server): the server's, on a reviewer's device.
        let heard = LocalSync { rev: 3, ..clean.clone() };
        let theirs = Some(LocalCopy { sync: &heard, local_rev: 3, content: &mine, in_outbox: None, mine: false });
        assert_eq!(on_pulled(theirs, &snapshot(2, ItemState::Submitted, "x")), PullAction::Take);
        assert_eq!(on_pulled(copy(&clean, 3, None), &snapshot(2, ItemState::Draft, "x")), PullAction::Take);
        assert_eq!(on_pulled(copy(&clean, 4, None), &snapshot(2, ItemState::Draft, "x")), PullAction::Conflict);
        assert_eq!(on_pulled(copy(&clean, 4, None), &snapshot(2, ItemState::Draft, "本机")), PullAction::Converged);
        let sent = content("已发出");
        assert_eq!(on_pulled(copy(&clean, 4, Some(&sent)), &snapshot(2, ItemState::Draft, "已发出")), PullAction::Converged);
        // Submitted (from another device) with the frozen text while this one typed on: both kept.
        assert_eq!(on_pulled(copy(&clean, 4, Some(&sent)), &snapshot(2, ItemState::Submitted, "已发出")), PullAction::Conflict);
    }
}
