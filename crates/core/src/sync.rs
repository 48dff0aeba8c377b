//! The sync protocol's messages, shared by the browser and the server (see SYNC.md and
//! docs/sync-protocol.md). A client pushes its local changes as mutations with contiguous ids
//! (`mid`), each against the item revision it started from (`base_rev`); it pulls what changed
//! on the server by cursor. Every mutation takes effect exactly once: a replayed `mid` gets its
//! stored result back.

use crate::item::DraftContent;
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

/// Where an item stands on the server.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// 草稿: the author's, not yet submitted.
    Draft,
    /// 已报送: submitted to the office.
    Submitted,
    /// 已删除: withdrawn by the author before submission.
    Deleted,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Draft => "draft",
            ItemState::Submitted => "submitted",
            ItemState::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<ItemState> {
        [ItemState::Draft, ItemState::Submitted, ItemState::Deleted].into_iter().find(|x| x.as_str() == s)
    }
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
}

impl RejectReason {
    pub fn text(self) -> crate::i18n::Text {
        use crate::i18n::Text;
        match self {
            RejectReason::Invalid => Text::new("稿件内容不完整，未能报送", "The item is incomplete and was not submitted"),
            RejectReason::NotYours => Text::new("这篇稿件不属于您", "This item is not yours"),
            RejectReason::WrongState => Text::new("稿件已报送，不能再这样修改", "The item was submitted and cannot be changed this way"),
            RejectReason::BadId => Text::new("稿件编号无效", "The item id is invalid"),
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied; the item is now at `rev`.
    Applied { rev: u64 },
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
        let r = MutationResult { mid: 7, outcome: Outcome::Applied { rev: 4 } };
        assert_eq!(serde_json::to_value(&r).unwrap_or_default(), serde_json::json!({"mid": 7, "outcome": "applied", "rev": 4}));
    }

    #[test]
    fn ids_are_32_hex_digits() {
        assert!(valid_client_id(&"0f".repeat(16)));
        assert!(!valid_client_id("short"));
        assert!(!valid_client_id(&"zz".repeat(16)));
    }
}
