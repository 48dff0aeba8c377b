//! Sign-off chains (签发层级): who signs what, level by level.
//!
//! An office names its signing levels (科长 → 办公室主任 → 分管副县长, say), says which of its
//! signers hold each, and writes rules: for an item of this type, marked important or not,
//! meant for the office's own periodical or to go upward, these levels sign, in this order. The
//! first rule that matches decides; an item no rule matches is signed once, by any signer of
//! the office (what every office had before chains).
//!
//! When the editor sends an item for sign-off the chain is worked out here ([`SignSetup::chain`])
//! and frozen on the item ([`Signing`]): a rule changed later does not move an item already on
//! its way. Each level signs (签发, on to the next level or signed at the last) or sends back
//! (退回编辑, to the editor with a note, and the chain starts again from its first level when
//! the item is sent again). [`may_sign`] says who may act at the level the item waits at; the
//! server and the app both ask it, beside [`crate::review::decide`].

use crate::i18n::Text;
use crate::item::ItemType;
use serde::{Deserialize, Serialize};

/// Where a signed item is meant to go.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    /// 本级刊物: the office's own periodical.
    #[default]
    Periodical,
    /// 上报: sent upward, to the city or the province.
    Upward,
}

impl Destination {
    pub const ALL: [Destination; 2] = [Destination::Periodical, Destination::Upward];

    pub fn as_str(self) -> &'static str {
        match self {
            Destination::Periodical => "periodical",
            Destination::Upward => "upward",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Destination::Periodical => Text::new("本级刊物", "Own periodical"),
            Destination::Upward => Text::new("上报", "Upward"),
        }
    }
}

/// What the editor says of an item when sending it for sign-off (carried by the 送签 action).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    #[serde(default)]
    pub destination: Destination,
    /// 重要信息: marked important by the editor.
    #[serde(default)]
    pub important: bool,
}

/// One signing level of an office, and the signers who hold it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignLevel {
    /// Chosen by whoever writes the setup; unique within it, kept when names change.
    pub id: i64,
    /// 科长, 办公室主任, 分管副县长 …
    pub name: String,
    /// The accounts (signers of the office) who sign at this level.
    #[serde(default)]
    pub holders: Vec<i64>,
}

/// A rule: items matching every condition given are signed by `levels`, in order.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainRule {
    /// Any type when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_type: Option<ItemType>,
    /// Important or not when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub important: Option<bool>,
    /// Either destination when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<Destination>,
    /// Level ids, first to sign first.
    pub levels: Vec<i64>,
}

impl ChainRule {
    fn matches(&self, item_type: ItemType, route: Route) -> bool {
        self.item_type.is_none_or(|t| t == item_type)
            && self.important.is_none_or(|i| i == route.important)
            && self.destination.is_none_or(|d| d == route.destination)
    }
}

/// An office's signing setup (`GET`/`PUT /api/offices/{id}/signing`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignSetup {
    #[serde(default)]
    pub levels: Vec<SignLevel>,
    /// In order: the first that matches decides.
    #[serde(default)]
    pub rules: Vec<ChainRule>,
}

/// A signer of the office, who may hold a level.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerInfo {
    pub id: i64,
    pub display_name: String,
}

/// The office's signing setup with the signers who may hold its levels (`GET /api/admin/signing`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningView {
    pub setup: SignSetup,
    pub signers: Vec<SignerInfo>,
}

impl SignSetup {
    /// The setup with every rule's levels in the order the levels are listed (junior first):
    /// how the administration page writes chains.
    pub fn in_level_order(mut self) -> SignSetup {
        let position = |id: &i64| self.levels.iter().position(|l| l.id == *id).unwrap_or(usize::MAX);
        let mut rules = std::mem::take(&mut self.rules);
        for r in &mut rules {
            r.levels.sort_by_key(position);
        }
        self.rules = rules;
        self
    }
}

/// At most this many levels, rules, and holders of a level.
pub const MAX_LEVELS: usize = 8;
pub const MAX_RULES: usize = 40;
pub const MAX_HOLDERS: usize = 20;
/// A level's name, in characters.
pub const NAME_MAX: usize = 20;

impl SignSetup {
    /// Whether the setup can be stored: names given, unique and short; every rule names known
    /// levels, each at most once, at least one; `is_signer` says whether an account is a
    /// signer of the office (nobody else may hold a level).
    pub fn check(&self, is_signer: impl Fn(i64) -> bool) -> Result<(), Text> {
        if self.levels.len() > MAX_LEVELS {
            return Err(Text::new("签发层级最多 8 级", "At most 8 signing levels"));
        }
        if self.rules.len() > MAX_RULES {
            return Err(Text::new("签发规则最多 40 条", "At most 40 rules"));
        }
        for (i, level) in self.levels.iter().enumerate() {
            let name = level.name.trim();
            if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
                return Err(Text::new("层级名称须为 1–20 个字", "A level's name is 1–20 characters"));
            }
            if self.levels[..i].iter().any(|l| l.id == level.id || l.name.trim() == name) {
                return Err(Text::new("层级名称不能重复", "Two levels have the same name"));
            }
            if level.holders.is_empty() {
                return Err(Text::new("每个签发层级至少要有一名签发人", "Each level needs at least one signer"));
            }
            if level.holders.len() > MAX_HOLDERS {
                return Err(Text::new("每个层级最多 20 名签发人", "At most 20 signers a level"));
            }
            if level.holders.iter().any(|h| !is_signer(*h)) {
                return Err(Text::new("只有本单位的签发人才能担任签发层级", "Only signers of this office can hold a signing level"));
            }
        }
        for rule in &self.rules {
            if rule.levels.is_empty() {
                return Err(Text::new("每条规则至少要有一级签发", "Each rule needs at least one level"));
            }
            for (i, id) in rule.levels.iter().enumerate() {
                if !self.levels.iter().any(|l| l.id == *id) {
                    return Err(Text::new("规则中有不存在的签发层级", "A rule names a level that does not exist"));
                }
                if rule.levels[..i].contains(id) {
                    return Err(Text::new("同一条规则中一个层级只能签一次", "A rule names a level twice"));
                }
            }
        }
        Ok(())
    }

    /// The chain for an item of `item_type` sent with `route`, frozen as it goes for sign-off:
    /// the first matching rule's levels, or one step any signer of the office signs. Call
    /// [`Signing::refresh`] on it for who may sign its first step.
    pub fn chain(&self, item_type: ItemType, route: Route) -> Signing {
        let steps = self
            .rules
            .iter()
            .find(|r| r.matches(item_type, route))
            .map(|r| {
                r.levels
                    .iter()
                    .filter_map(|id| self.levels.iter().find(|l| l.id == *id))
                    .map(|l| SignStep { level: Some(l.id), name: l.name.trim().to_owned(), holders: Vec::new(), signed: None })
                    .collect::<Vec<_>>()
            })
            .filter(|steps| !steps.is_empty())
            .unwrap_or_else(|| vec![SignStep::anyone()]);
        Signing { route, steps, at: 0 }
    }

    /// Who may sign at `step` now: the holders of its level — the same level, by id and by name
    /// (a level removed and another added under its id is not it) — who are still signers of
    /// the office (`eligible`). Empty: the level is gone or nobody eligible holds it, and any
    /// signer of the office may sign there, so no item is stranded.
    pub fn holders_now(&self, step: &SignStep, eligible: impl Fn(i64) -> bool) -> Vec<i64> {
        let Some(level) = step.level else { return Vec::new() };
        self.levels
            .iter()
            .find(|l| l.id == level && l.name.trim() == step.name)
            .map(|l| l.holders.iter().copied().filter(|h| eligible(*h)).collect())
            .unwrap_or_default()
    }
}

/// Who signed a step, and when.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    /// The account that signed (0 in chains stored before it was kept).
    #[serde(default)]
    pub by_id: i64,
    pub by: String,
    pub at: i64,
}

/// One level of an item's chain.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignStep {
    /// The office's level; `None`: any signer of the office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<i64>,
    pub name: String,
    /// Who may sign at this step, as the server last worked it out ([`SignSetup::holders_now`];
    /// empty: any signer of the office). Told only to the office's editors and signers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holders: Vec<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<Signed>,
}

impl SignStep {
    fn anyone() -> SignStep {
        SignStep { level: None, name: "签发人".into(), holders: Vec::new(), signed: None }
    }
}

/// An item's chain, frozen when it was sent for sign-off; `at` is the step it waits at (or the
/// number of steps once signed).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signing {
    #[serde(default)]
    pub route: Route,
    pub steps: Vec<SignStep>,
    #[serde(default)]
    pub at: usize,
}

/// Whether `action` moves an item's sign-off chain (sends it in, signs a step, sends it back).
pub fn moves_chain(action: crate::review::Action) -> bool {
    use crate::review::Action;
    matches!(action, Action::SendToSignOff | Action::Sign | Action::SendBack)
}

/// The state an item is in after `action`, which [`crate::review::decide`] took to `decided`,
/// with its chain now `signing`: a signature with levels still to sign leaves it awaiting
/// sign-off (at the next level); the last signs it.
pub fn state_after(action: crate::review::Action, decided: crate::item::ItemState, signing: Option<&Signing>) -> crate::item::ItemState {
    use crate::item::ItemState;
    let waits = signing.is_some_and(|s| s.waiting().is_some());
    match action {
        crate::review::Action::Sign if decided == ItemState::Signed && waits => ItemState::AwaitingSignOff,
        // (An urgent item sent straight from screening: the device that sent it may not know
        // the item's type from the action alone; the server's chain says where it is.)
        crate::review::Action::SendToSignOff if waits => ItemState::AwaitingSignOff,
        _ => decided,
    }
}

/// Why a signer may not act at the level an item waits at.
pub fn not_your_level() -> Text {
    Text::new("这篇稿件正等待其他层级签发，您不在该层级", "The item waits for another signing level")
}

impl Signing {
    /// The step the item waits at, if any is left.
    pub fn waiting(&self) -> Option<&SignStep> {
        self.steps.get(self.at)
    }

    /// The name of the level it waits at, when it waits at a named one ("签发人" — any signer —
    /// says nothing the state does not).
    pub fn waiting_at(&self) -> Option<String> {
        self.waiting().filter(|s| s.level.is_some()).map(|s| s.name.clone())
    }

    /// Whether the step after this one is the last signature: signing now signs the item.
    pub fn is_last(&self) -> bool {
        self.at + 1 >= self.steps.len()
    }

    /// The chain after `by_id` (named `by`) signed its waiting step at `at` (ms): on to the
    /// next level. Call [`Signing::refresh`] on it for who may sign there.
    pub fn signed(&self, by_id: i64, by: &str, at: i64) -> Signing {
        let mut next = self.clone();
        if let Some(step) = next.steps.get_mut(next.at) {
            step.signed = Some(Signed { by_id, by: by.to_owned(), at });
        }
        next.at += 1;
        next
    }

    /// The waiting step's holders worked out again from the office's setup as it is now.
    pub fn refresh(&mut self, setup: &SignSetup, eligible: impl Fn(i64) -> bool) {
        if let Some(step) = self.steps.get(self.at) {
            let now = setup.holders_now(step, eligible);
            self.steps[self.at].holders = now;
        }
    }

    /// The chain as someone outside the section sees it (the author, a leader's office): who
    /// signed and where it waits, not which accounts may sign.
    pub fn without_holders(mut self) -> Signing {
        for step in &mut self.steps {
            step.holders.clear();
        }
        self
    }

    /// After 退回编辑: no steps, the editor's route kept for the next 送签.
    pub fn sent_back(&self) -> Signing {
        Signing { route: self.route, steps: Vec::new(), at: 0 }
    }

    /// Whether `user` signed an earlier step of this chain (one person signs one level).
    pub fn signed_by(&self, user: i64) -> bool {
        self.steps.iter().any(|s| s.signed.as_ref().is_some_and(|s| s.by_id == user))
    }

    /// "科长 ✓ → 办公室主任（待签）→ 分管副县长" (and English).
    pub fn progress(&self, lang: crate::i18n::Lang) -> String {
        self.steps
            .iter()
            .enumerate()
            .map(|(i, s)| match (&s.signed, i == self.at) {
                (Some(signed), _) => format!("{} ✓ {}", s.name, signed.by),
                (None, true) if lang == crate::i18n::Lang::Zh => format!("{}（待签）", s.name),
                (None, true) => format!("{} (waiting)", s.name),
                (None, false) => s.name.clone(),
            })
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// Whether `user` (a signer of the item's office: [`crate::review::decide`] has already said
/// so) may take `action` at the step the item waits at, with the chain's waiting holders
/// [refreshed](Signing::refresh) from the setup as it is now: one of them, or any signer when
/// there are none; a signature never by someone who signed an earlier level of the chain (a
/// send-back may be). An item sent before chains existed (no chain) any signer signs.
pub fn may_sign(signing: Option<&Signing>, action: crate::review::Action, user: i64) -> bool {
    let Some(chain) = signing else { return true };
    let Some(step) = chain.waiting() else { return true };
    if action == crate::review::Action::Sign && chain.signed_by(user) {
        return false;
    }
    step.holders.is_empty() || step.holders.contains(&user)
}
#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> SignSetup {
        SignSetup {
            levels: vec![
                SignLevel { id: 1, name: "科长".into(), holders: vec![10] },
                SignLevel { id: 2, name: "办公室主任".into(), holders: vec![20] },
                SignLevel { id: 3, name: "分管副县长".into(), holders: vec![30, 31] },
            ],
            rules: vec![
                ChainRule { item_type: Some(ItemType::Urgent), important: None, destination: None, levels: vec![2] },
                ChainRule { item_type: None, important: Some(true), destination: Some(Destination::Upward), levels: vec![1, 2, 3] },
                ChainRule { item_type: None, important: None, destination: Some(Destination::Upward), levels: vec![1, 2] },
                ChainRule { item_type: None, important: None, destination: None, levels: vec![1] },
            ],
        }
    }

    fn route(destination: Destination, important: bool) -> Route {
        Route { destination, important }
    }

    #[test]
    fn the_first_matching_rule_decides() {
        let s = setup();
        let names = |sig: Signing| sig.steps.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(s.chain(ItemType::Dynamic, route(Destination::Periodical, false))), ["科长"]);
        assert_eq!(names(s.chain(ItemType::Dynamic, route(Destination::Upward, false))), ["科长", "办公室主任"]);
        assert_eq!(names(s.chain(ItemType::Problem, route(Destination::Upward, true))), ["科长", "办公室主任", "分管副县长"]);
        // An urgent item's shorter chain, whatever else is said of it.
        assert_eq!(names(s.chain(ItemType::Urgent, route(Destination::Upward, true))), ["办公室主任"]);
        // No rule at all: one step, any signer.
        let none = SignSetup::default().chain(ItemType::Dynamic, Route::default());
        assert_eq!(none.steps.len(), 1);
        assert_eq!(none.steps[0].level, None);
    }

    fn sent(s: &SignSetup, route: Route, eligible: impl Fn(i64) -> bool) -> Signing {
        let mut chain = s.chain(ItemType::Problem, route);
        chain.refresh(s, eligible);
        chain
    }

    #[test]
    fn each_level_is_signed_by_its_holders_in_turn() {
        use crate::review::Action::{SendBack, Sign};
        let s = setup();
        let mut chain = sent(&s, route(Destination::Upward, true), |_| true);
        for (level, holder, other) in [(1, 10, 20), (2, 20, 10), (3, 31, 20)] {
            assert_eq!(chain.waiting().and_then(|w| w.level), Some(level));
            assert!(may_sign(Some(&chain), Sign, holder), "level {level} holder");
            assert!(!may_sign(Some(&chain), Sign, other), "level {level} non-holder");
            assert!(!may_sign(Some(&chain), SendBack, other), "level {level} non-holder sends back");
            assert_eq!(chain.is_last(), level == 3);
            chain = chain.signed(holder, "某某", 1000 + level);
            chain.refresh(&s, |_| true);
        }
        assert!(chain.waiting().is_none());
        assert_eq!(chain.progress(crate::i18n::Lang::Zh), "科长 ✓ 某某 → 办公室主任 ✓ 某某 → 分管副县长 ✓ 某某");
    }

    #[test]
    fn a_level_emptied_removed_or_reused_does_not_strand_an_item_nor_hand_it_to_another_level() {
        use crate::review::Action::{SendBack, Sign};
        let s = setup();
        let waiting = sent(&s, route(Destination::Upward, false), |_| true);
        // The chief replaced: the new one signs, the old one no longer.
        let mut replaced = s.clone();
        replaced.levels[0].holders = vec![11];
        let mut chain = waiting.clone();
        chain.refresh(&replaced, |_| true);
        assert!(may_sign(Some(&chain), Sign, 11));
        assert!(!may_sign(Some(&chain), Sign, 10));
        // The only chief disabled or moved (no longer an eligible signer): any signer.
        let mut chain = waiting.clone();
        chain.refresh(&s, |u| u != 10);
        assert!(may_sign(Some(&chain), Sign, 20) && may_sign(Some(&chain), SendBack, 31));
        // The level removed: any signer.
        let mut removed = s.clone();
        removed.levels.remove(0);
        let mut chain = waiting.clone();
        chain.refresh(&removed, |_| true);
        assert!(may_sign(Some(&chain), Sign, 31));
        // Its id reused for another level: that level's holders are not the chief's.
        let mut reused = removed.clone();
        reused.levels.push(SignLevel { id: 1, name: "科员".into(), holders: vec![40] });
        let mut chain = waiting;
        chain.refresh(&reused, |_| true);
        assert!(chain.steps[0].holders.is_empty(), "not the 科员's to sign");
    }

    #[test]
    fn one_person_signs_one_level_of_a_chain() {
        use crate::review::Action::{SendBack, Sign};
        let mut s = setup();
        // 10 holds both the first and the second level.
        s.levels[1].holders.push(10);
        let chain = sent(&s, route(Destination::Upward, false), |_| true);
        let mut next = chain.signed(10, "科长", 1);
        next.refresh(&s, |_| true);
        assert!(!may_sign(Some(&next), Sign, 10), "the same person again");
        assert!(may_sign(Some(&next), SendBack, 10), "but may send it back");
        assert!(may_sign(Some(&next), Sign, 20));
    }

    #[test]
    fn a_send_back_keeps_the_route_and_ends_the_chain() {
        let s = setup();
        let chain = sent(&s, route(Destination::Upward, true), |_| true);
        let back = chain.sent_back();
        assert_eq!(back.route, route(Destination::Upward, true));
        assert!(back.waiting().is_none());
        assert_eq!(
            state_after(crate::review::Action::SendBack, crate::item::ItemState::Editing, Some(&back)),
            crate::item::ItemState::Editing
        );
        // 送签 answered with a chain: awaiting sign-off, whatever the device thought.
        assert_eq!(
            state_after(crate::review::Action::SendToSignOff, crate::item::ItemState::Screening, Some(&chain)),
            crate::item::ItemState::AwaitingSignOff
        );
    }

    #[test]
    fn a_setup_is_checked_before_it_is_stored() {
        let s = setup();
        assert!(s.check(|_| true).is_ok());
        assert!(s.check(|u| u != 31).is_err(), "a holder who is not a signer");
        let mut twice = s.clone();
        twice.rules[0].levels = vec![2, 2];
        assert!(twice.check(|_| true).is_err());
        let mut unknown = s.clone();
        unknown.rules[0].levels = vec![9];
        assert!(unknown.check(|_| true).is_err());
        let mut empty = s.clone();
        empty.rules[0].levels.clear();
        assert!(empty.check(|_| true).is_err());
        let mut same = s.clone();
        same.levels[1].name = " 科长 ".into();
        assert!(same.check(|_| true).is_err());
        let mut long = s.clone();
        long.levels[0].name = "长".repeat(21);
        assert!(long.check(|_| true).is_err());
        let mut nobody = s;
        nobody.levels[0].holders.clear();
        assert!(nobody.check(|_| true).is_err(), "a level with nobody to sign it");
    }
}
