//! The life of an item after it is submitted: the states, the
//! actions, and who may take each. [`decide`] is the one function that answers; the UI offers
//! only what [`permitted`] lists, and the server refuses everything else with the reason.
//!
//! ```text
//!  officer                         editor (信息科)                     signer
//!  draft ──submit──▶ submitted ──▶ screening ──▶ editing ──▶ awaiting sign-off ──▶ signed
//!    ▲                   │            │  │  │                      │
//!    │                   │            │  │  └─▶ reserved ──────────┘ (back to editing)
//!    └──── returned ◀────┴────────────┘  └─▶ not used (final)
//! ```

use crate::i18n::Text;
use crate::item::ItemState;
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// What someone does to a submitted item.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 受理: the editor takes a submitted item into screening.
    Screen,
    /// 退回修改: back to the author, with a reason.
    Return,
    /// 不予采用: final.
    NotUse,
    /// 备用: kept for later.
    Reserve,
    /// 采用编辑: accepted; the editor works on the text.
    Edit,
    /// 保存编辑: a revision of the editor's text.
    SaveEdit,
    /// 送签: to the signer (urgent items may go straight from screening).
    SendToSignOff,
    /// 签发
    Sign,
    /// 退回编辑: the signer sends it back to editing, with a note.
    SendBack,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Screen,
        Action::Return,
        Action::NotUse,
        Action::Reserve,
        Action::Edit,
        Action::SaveEdit,
        Action::SendToSignOff,
        Action::Sign,
        Action::SendBack,
    ];

    /// The wire name (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Screen => "screen",
            Action::Return => "return",
            Action::NotUse => "not_use",
            Action::Reserve => "reserve",
            Action::Edit => "edit",
            Action::SaveEdit => "save_edit",
            Action::SendToSignOff => "send_to_sign_off",
            Action::Sign => "sign",
            Action::SendBack => "send_back",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Action::Screen => Text::new("受理", "Take in"),
            Action::Return => Text::new("退回修改", "Return to author"),
            Action::NotUse => Text::new("不予采用", "Not used"),
            Action::Reserve => Text::new("备用", "Reserve"),
            Action::Edit => Text::new("采用编辑", "Accept and edit"),
            Action::SaveEdit => Text::new("保存修改", "Save edit"),
            Action::SendToSignOff => Text::new("送签", "Send for sign-off"),
            Action::Sign => Text::new("签发", "Sign off"),
            Action::SendBack => Text::new("退回编辑", "Back to editing"),
        }
    }

    /// Whether the action needs a note (the reason the author or editor will read).
    pub fn needs_note(self) -> bool {
        matches!(self, Action::Return | Action::SendBack | Action::NotUse)
    }

    /// Whether the action carries the editor's text (a new revision).
    pub fn carries_text(self) -> bool {
        matches!(self, Action::SaveEdit)
    }
}

/// Who is acting, relative to the item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
    /// The actor's unit is the item's reviewing office (see [`reviewing_office`]).
    pub reviews_it: bool,
}

impl Actor {
    /// `me` relative to an item reviewed by `item_office` (the office its author's unit reports
    /// to): the one way the server and the app work out [`Actor::reviews_it`].
    pub fn of(me: &crate::api::Me, item_office: Option<i64>) -> Actor {
        Actor { role: me.role, reviews_it: item_office == Some(me.unit_id) }
    }

    /// Whether this actor reads an item in `state`: its author always; the editors and signers
    /// of its reviewing office once it has been submitted (a draft is its author's alone);
    /// nobody else — other units and other offices do not learn it exists.
    pub fn may_read(self, is_author: bool, state: ItemState) -> bool {
        is_author
            || (self.reviews_it
                && matches!(self.role, Role::Editor | Role::Signer)
                && !matches!(state, ItemState::Draft | ItemState::Deleted))
    }

    /// Whether this actor reads an item's adoptions, instructions and points: whoever reads the
    /// item, and the readers (leaders' offices) of its reviewing office, who record instructions.
    pub fn may_read_scores(self, is_author: bool, state: ItemState) -> bool {
        self.may_read(is_author, state) || (self.reviews_it && self.role == Role::Reader && state == ItemState::Signed)
    }
}

/// **The read rule.** Whether `me` may see an item written by `author_id`, reviewed by
/// `item_office`, now in `state` — in any answer of any kind: a pull, a sync result (applied,
/// conflict, rejected, replayed), a list, a document, an export, a photo. Every answer that
/// carries an item's words goes through this one function (the SQL mirror for photos is
/// `access::readable_sql` on the server, held to it by the leak test).
pub fn may_read_item(me: &crate::api::Me, author_id: i64, item_office: Option<i64>, state: ItemState) -> bool {
    Actor::of(me, item_office).may_read(author_id == me.user_id, state)
}

/// Whether `me` may see one stored revision of an item: what [`may_read_item`] allows, less
/// the author's own work before (re)submission — the drafts an officer saved before sending,
/// and the revisions made while the item was back with them (退回修改), are the author's alone.
/// `rev_state` is the state the revision left the item in, `by_author` whether the author made it.
pub fn may_read_revision(
    me: &crate::api::Me,
    author_id: i64,
    item_office: Option<i64>,
    state: ItemState,
    rev_state: ItemState,
    by_author: bool,
) -> bool {
    if author_id == me.user_id {
        return true;
    }
    may_read_item(me, author_id, item_office, state)
        && !(by_author && matches!(rev_state, ItemState::Draft | ItemState::Returned | ItemState::Deleted))
}

/// The longest comment or review note, in characters.
pub const NOTE_MAX: usize = 2000;

/// Whether a comment (`required`: it cannot be empty) or a review step's note can be stored:
/// within [`NOTE_MAX`] characters and free of NUL. The same bound in the app's comment box and
/// on the server, which refuses — never cuts short — what is longer.
pub fn check_note(text: &str, required: bool) -> Result<(), Text> {
    if required && text.trim().is_empty() {
        return Err(Text::new("评论不能为空", "The comment is empty"));
    }
    if text.chars().count() > NOTE_MAX {
        return Err(Text::new("评论或意见不能超过2000字，请删减后再发送", "Comments and notes are at most 2,000 characters"));
    }
    if text.contains('\0') {
        return Err(Text::new("含有无法保存的控制字符（NUL），请删除后重试", "Contains a NUL character that cannot be stored"));
    }
    Ok(())
}

/// Why an action is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Denied {
    /// The item is not reviewed by the actor's office.
    NotYourOffice,
    /// The actor's role does not take this action.
    NotYourRole,
    /// Not from the item's present state.
    WrongState,
    /// The action needs a reason.
    NoteRequired,
}

impl Denied {
    pub fn text(self) -> Text {
        match self {
            Denied::NotYourOffice => Text::new("这篇稿件不由您所在的单位审核", "Your office does not review this item"),
            Denied::NotYourRole => Text::new("您的角色不能进行此操作", "Your role cannot do this"),
            Denied::WrongState => Text::new("稿件当前状态下不能进行此操作", "Not possible in the item's present state"),
            Denied::NoteRequired => Text::new("请填写理由", "A reason is required"),
        }
    }
}

/// The state `action` leads to from `state`, or why it may not be taken. `urgent` items may go
/// straight from screening to sign-off (即编即送).
pub fn decide(actor: Actor, state: ItemState, urgent: bool, action: Action, note: &str) -> Result<ItemState, Denied> {
    use Action as A;
    use ItemState as S;
    let role_ok = match action {
        A::Screen | A::Return | A::NotUse | A::Reserve | A::Edit | A::SaveEdit | A::SendToSignOff => actor.role == Role::Editor,
        A::Sign | A::SendBack => actor.role == Role::Signer,
    };
    if !role_ok {
        return Err(Denied::NotYourRole);
    }
    if !actor.reviews_it {
        return Err(Denied::NotYourOffice);
    }
    let next = match (action, state) {
        (A::Screen, S::Submitted) => S::Screening,
        (A::Return, S::Submitted | S::Screening | S::Reserved | S::Editing) => S::Returned,
        (A::NotUse, S::Submitted | S::Screening | S::Reserved) => S::NotUsed,
        (A::Reserve, S::Screening) => S::Reserved,
        (A::Edit, S::Screening | S::Reserved) => S::Editing,
        (A::SaveEdit, S::Editing) => S::Editing,
        (A::SendToSignOff, S::Editing) => S::AwaitingSignOff,
        (A::SendToSignOff, S::Screening) if urgent => S::AwaitingSignOff,
        (A::Sign, S::AwaitingSignOff) => S::Signed,
        (A::SendBack, S::AwaitingSignOff) => S::Editing,
        _ => return Err(Denied::WrongState),
    };
    if action.needs_note() && note.trim().is_empty() {
        return Err(Denied::NoteRequired);
    }
    Ok(next)
}

/// Where `action` takes an item in `state`, for whoever may take it (the client records its own
/// acknowledged action with this; the server decided it with [`decide`]).
pub fn target(state: ItemState, urgent: bool, action: Action) -> Option<ItemState> {
    let role = if matches!(action, Action::Sign | Action::SendBack) { Role::Signer } else { Role::Editor };
    decide(Actor { role, reviews_it: true }, state, urgent, action, "·").ok()
}

/// The actions `actor` may take on an item in `state` (what the UI offers).
pub fn permitted(actor: Actor, state: ItemState, urgent: bool) -> Vec<Action> {
    Action::ALL.into_iter().filter(|a| decide(actor, state, urgent, *a, "理由").is_ok()).collect()
}

/// The deadline rules an administrator sets (`GET /api/settings`, `POST /api/admin/settings`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineRules {
    /// Minutes after the event within which an urgent item's first written report is due
    /// (offices use 60 for major events, others up to 120).
    pub urgent_written_minutes: i64,
}

impl Default for DeadlineRules {
    fn default() -> DeadlineRules {
        DeadlineRules { urgent_written_minutes: 60 }
    }
}

impl DeadlineRules {
    /// Between 5 minutes and a day.
    pub fn valid(&self) -> bool {
        (5..=1440).contains(&self.urgent_written_minutes)
    }
}

/// Where an urgent item stands against its deadline at `now` (ms): minutes left (negative when
/// late), or `None` without an event time.
pub fn urgent_minutes_left(event_time: Option<i64>, now: i64, rules: DeadlineRules) -> Option<i64> {
    let due = event_time? + rules.urgent_written_minutes * 60_000;
    Some((due - now).div_euclid(60_000))
}

/// "剩余 35 分钟" / "已超时 12 分钟" (and English).
pub fn deadline_text(minutes_left: i64, lang: crate::i18n::Lang) -> String {
    match (lang, minutes_left >= 0) {
        (crate::i18n::Lang::Zh, true) => format!("书面报告剩余 {minutes_left} 分钟"),
        (crate::i18n::Lang::Zh, false) => format!("书面报告已超时 {} 分钟", -minutes_left),
        (crate::i18n::Lang::En, true) => format!("written report due in {minutes_left} min"),
        (crate::i18n::Lang::En, false) => format!("written report {} min late", -minutes_left),
    }
}

/// A unit as the review rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitNode {
    pub id: i64,
    pub parent: Option<i64>,
    /// A reviewing office (`office`), or a township / department that reports to one.
    pub is_office: bool,
}

/// The office that reviews items written in `unit`: the nearest office strictly above it. A
/// township's items go to its county office; a county office's own items go to the city
/// office above it — however deep the tree.
/// The office whose scoreboard, publications and settings apply to someone in `unit`: the unit
/// itself when it is an office, else its reviewing office.
pub fn home_office(units: &[UnitNode], unit: i64) -> Option<i64> {
    match units.iter().find(|u| u.id == unit) {
        Some(u) if u.is_office => Some(u.id),
        Some(_) => reviewing_office(units, unit),
        None => None,
    }
}

/// Whether an administrator whose account is in `admin_unit` is a **server administrator**:
/// one in the root of the unit tree, above every office.
pub fn is_server_admin(units: &[UnitNode], admin_unit: i64) -> bool {
    units.iter().any(|u| u.id == admin_unit && u.parent.is_none())
}

/// Whether an administrator in `admin_unit` manages `unit` (its accounts, its name and place in
/// the tree): a server administrator every unit; an office's administrator the units of their
/// own office — the office itself and the townships and departments that report to it — and
/// no other office's, not even one below theirs. The root unit is the server administrators'
/// alone: an administrator placed in a township under the root office manages that office's
/// townships and departments, never the root, so they cannot join it (or make an account in it)
/// and become a server administrator.
pub fn administers(units: &[UnitNode], admin_unit: i64, unit: i64) -> bool {
    if is_server_admin(units, admin_unit) {
        return units.iter().any(|u| u.id == unit);
    }
    if is_server_admin(units, unit) {
        return false;
    }
    match (home_office(units, admin_unit), home_office(units, unit)) {
        (Some(mine), Some(theirs)) => mine == theirs,
        _ => false,
    }
}

/// Whether `actor` may record an adoption (采用) of an item in `state`: the editors of its
/// reviewing office, once the item is signed off.
pub fn may_record_adoption(actor: Actor, state: ItemState) -> Result<(), Denied> {
    if !actor.reviews_it {
        Err(Denied::NotYourOffice)
    } else if actor.role != Role::Editor {
        Err(Denied::NotYourRole)
    } else if state != ItemState::Signed {
        Err(Denied::WrongState)
    } else {
        Ok(())
    }
}

/// Whether `actor` may record a leader instruction (批示) on an item in `state`, or its
/// feedback: the editors, signers and readers (leaders' offices) of its reviewing office, once
/// the item is signed off.
pub fn may_record_instruction(actor: Actor, state: ItemState) -> Result<(), Denied> {
    if !actor.reviews_it {
        Err(Denied::NotYourOffice)
    } else if !matches!(actor.role, Role::Editor | Role::Signer | Role::Reader) {
        Err(Denied::NotYourRole)
    } else if state != ItemState::Signed {
        Err(Denied::WrongState)
    } else {
        Ok(())
    }
}

/// The office an item goes to when submitted: at its first submission, the office that
/// oversees its unit now — a unit moved to another office takes its unsubmitted drafts with it,
/// decided at submission, not when the draft was first saved —; after that, the office it was
/// first submitted to (a returned item comes back to the office that returned it).
pub fn submission_office(first_submission: bool, recorded: Option<i64>, overseeing_now: Option<i64>) -> Option<i64> {
    if first_submission { overseeing_now.or(recorded) } else { recorded }
}

pub fn reviewing_office(units: &[UnitNode], unit: i64) -> Option<i64> {
    let find = |id: i64| units.iter().find(|u| u.id == id);
    let mut at = find(unit)?.parent;
    for _ in 0..units.len() {
        let node = find(at?)?;
        if node.is_office {
            return Some(node.id);
        }
        at = node.parent;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_office_administrator_manages_their_own_office_only_and_the_server_administrator_all() {
        // root county office 1 ─┬─ township 2
        //                       └─ office 3 ─── township 4
        let node = |id, parent, is_office| UnitNode { id, parent, is_office };
        let tree = [node(1, None, true), node(2, Some(1), false), node(3, Some(1), true), node(4, Some(3), false)];
        assert!(is_server_admin(&tree, 1) && !is_server_admin(&tree, 3));
        for unit in [1, 2, 3, 4] {
            assert!(administers(&tree, 1, unit), "the server administrator manages {unit}");
        }
        assert!(administers(&tree, 3, 3) && administers(&tree, 3, 4));
        assert!(!administers(&tree, 3, 1) && !administers(&tree, 3, 2), "not the office above, nor its townships");
        assert!(!administers(&tree, 3, 99), "nor a unit that does not exist");
        // An administrator placed in a township manages that township's office.
        assert!(administers(&tree, 4, 3) && !administers(&tree, 4, 2));
        // One in a township under the root office manages its sibling townships, never the root.
        assert!(administers(&tree, 2, 2) && !administers(&tree, 2, 1), "the root is the server administrators'");
        assert!(!administers(&tree, 2, 3) && !administers(&tree, 2, 4));
    }

    /// The table of who may do what, written out: (role, from, action, urgent-only) → to.
    fn expected(role: Role, from: ItemState, action: Action, urgent: bool) -> Option<ItemState> {
        use Action as A;
        use ItemState as S;
        let table: &[(Role, S, A, bool, S)] = &[
            (Role::Editor, S::Submitted, A::Screen, false, S::Screening),
            (Role::Editor, S::Submitted, A::Return, false, S::Returned),
            (Role::Editor, S::Screening, A::Return, false, S::Returned),
            (Role::Editor, S::Reserved, A::Return, false, S::Returned),
            (Role::Editor, S::Editing, A::Return, false, S::Returned),
            (Role::Editor, S::Submitted, A::NotUse, false, S::NotUsed),
            (Role::Editor, S::Screening, A::NotUse, false, S::NotUsed),
            (Role::Editor, S::Reserved, A::NotUse, false, S::NotUsed),
            (Role::Editor, S::Screening, A::Reserve, false, S::Reserved),
            (Role::Editor, S::Screening, A::Edit, false, S::Editing),
            (Role::Editor, S::Reserved, A::Edit, false, S::Editing),
            (Role::Editor, S::Editing, A::SaveEdit, false, S::Editing),
            (Role::Editor, S::Editing, A::SendToSignOff, false, S::AwaitingSignOff),
            (Role::Editor, S::Screening, A::SendToSignOff, true, S::AwaitingSignOff),
            (Role::Signer, S::AwaitingSignOff, A::Sign, false, S::Signed),
            (Role::Signer, S::AwaitingSignOff, A::SendBack, false, S::Editing),
        ];
        table.iter().find(|(r, f, a, u, _)| *r == role && *f == from && *a == action && (!u || urgent)).map(|row| row.4)
    }

    #[test]
    fn every_role_state_action_and_office_is_decided_as_the_table_says() {
        let mut allowed = 0;
        for role in Role::ALL {
            for reviews_it in [true, false] {
                for state in ItemState::ALL {
                    for urgent in [false, true] {
                        for action in Action::ALL {
                            let got = decide(Actor { role, reviews_it }, state, urgent, action, "理由");
                            let want = if reviews_it { expected(role, state, action, urgent) } else { None };
                            assert_eq!(got.ok(), want, "{role:?} (reviews: {reviews_it}) {action:?} on {state:?}, urgent {urgent}");
                            if got.is_ok() {
                                allowed += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(allowed, 31, "16 rows, 15 of them for both urgent and not");
    }

    #[test]
    fn wire_names_are_the_serialized_names() {
        for a in Action::ALL {
            assert_eq!(serde_json::to_value(a).ok(), Some(serde_json::Value::from(a.as_str())));
        }
    }

    #[test]
    fn refusals_say_why() {
        let editor = Actor { role: Role::Editor, reviews_it: true };
        assert_eq!(
            decide(Actor { role: Role::Officer, reviews_it: true }, ItemState::Submitted, false, Action::Screen, ""),
            Err(Denied::NotYourRole)
        );
        assert_eq!(
            decide(Actor { role: Role::Editor, reviews_it: false }, ItemState::Submitted, false, Action::Screen, ""),
            Err(Denied::NotYourOffice)
        );
        assert_eq!(decide(editor, ItemState::Signed, false, Action::Screen, ""), Err(Denied::WrongState));
        assert_eq!(decide(editor, ItemState::Screening, false, Action::Return, "  "), Err(Denied::NoteRequired));
        assert_eq!(Denied::NoteRequired.text().zh, "请填写理由");
    }

    #[test]
    fn the_ui_offers_exactly_what_decide_allows() {
        let editor = Actor { role: Role::Editor, reviews_it: true };
        assert_eq!(permitted(editor, ItemState::Submitted, false), vec![Action::Screen, Action::Return, Action::NotUse]);
        assert_eq!(
            permitted(editor, ItemState::Screening, true),
            vec![Action::Return, Action::NotUse, Action::Reserve, Action::Edit, Action::SendToSignOff]
        );
        assert!(permitted(Actor { role: Role::Reader, reviews_it: true }, ItemState::Submitted, false).is_empty());
    }

    #[test]
    fn the_reviewing_office_is_the_nearest_office_above_however_deep() {
        // 市政府办 (1) ← 林双县政府办 (2) ← 兰州湾镇 (3) ← 兰州湾镇农业站 (4); 县发改局 (5) under 2.
        let tree = [
            UnitNode { id: 1, parent: None, is_office: true },
            UnitNode { id: 2, parent: Some(1), is_office: true },
            UnitNode { id: 3, parent: Some(2), is_office: false },
            UnitNode { id: 4, parent: Some(3), is_office: false },
            UnitNode { id: 5, parent: Some(2), is_office: false },
        ];
        assert_eq!(reviewing_office(&tree, 3), Some(2));
        assert_eq!(reviewing_office(&tree, 4), Some(2));
        assert_eq!(reviewing_office(&tree, 5), Some(2));
        assert_eq!(reviewing_office(&tree, 2), Some(1), "a county office reports to the city office");
        assert_eq!(reviewing_office(&tree, 1), None);
        // A cycle in bad data ends, it does not hang.
        let cycle = [UnitNode { id: 1, parent: Some(2), is_office: false }, UnitNode { id: 2, parent: Some(1), is_office: false }];
        assert_eq!(reviewing_office(&cycle, 1), None);
    }

    #[test]
    fn urgent_deadlines_count_down_and_then_count_lateness() {
        let event = 1_780_000_000_000;
        let rules = DeadlineRules::default();
        assert_eq!(urgent_minutes_left(Some(event), event, rules), Some(60));
        assert_eq!(urgent_minutes_left(Some(event), event + 25 * 60_000, rules), Some(35));
        assert_eq!(urgent_minutes_left(Some(event), event + 72 * 60_000, rules), Some(-12));
        assert_eq!(urgent_minutes_left(None, event, rules), None);
        let two_hours = DeadlineRules { urgent_written_minutes: 120 };
        assert_eq!(urgent_minutes_left(Some(event), event + 72 * 60_000, two_hours), Some(48));
        assert!(two_hours.valid() && !DeadlineRules { urgent_written_minutes: 0 }.valid());
        assert_eq!(deadline_text(-12, crate::i18n::Lang::Zh), "书面报告已超时 12 分钟");
    }

    fn actor() -> impl Strategy<Value = Actor> {
        (0..Role::ALL.len(), any::<bool>()).prop_map(|(r, reviews_it)| Actor { role: Role::ALL[r], reviews_it })
    }

    proptest! {
        /// No sequence of actions, by anyone, leads anywhere the table does not allow; finals
        /// stay final; and nothing but a reviewing editor or signer ever moves an item.
        #[test]
        fn no_sequence_reaches_an_illegal_state(steps in prop::collection::vec((actor(), 0..Action::ALL.len(), any::<bool>()), 0..60)) {
            let mut state = ItemState::Submitted;
            for (actor, a, urgent) in steps {
                let action = Action::ALL[a];
                if let Ok(next) = decide(actor, state, urgent, action, "理由") {
                    prop_assert!(actor.reviews_it && matches!(actor.role, Role::Editor | Role::Signer));
                    prop_assert_eq!(Some(next), expected(actor.role, state, action, urgent));
                    prop_assert!(!matches!(state, ItemState::NotUsed | ItemState::Signed | ItemState::Returned), "{:?} is final for reviewers", state);
                    state = next;
                }
                prop_assert!(!matches!(state, ItemState::Draft | ItemState::Deleted), "reviewers never make a draft or delete");
            }
        }
    }
}
