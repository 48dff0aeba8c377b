//! Commissions (约稿) and reporting priorities (信息报送要点): what the office asks its units to
//! report on, by when; who answered, on time or late; and the points that follow — answered in
//! time and used (+5), asked and not answered by the deadline (−10), as the scoring table says.

use crate::i18n::Text;
pub use crate::scores::{CommissionFact, commission_events};
use crate::scores::{Day, day_start_ms, parse_day};
use serde::{Deserialize, Serialize};

const MAX_TOPIC: usize = 60;
const MAX_DESCRIPTION: usize = 2000;

/// A targeted commission (units asked, a deadline) or a reporting priority (a period's themes
/// for everyone; no penalty).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CommissionKind {
    /// 约稿
    Targeted,
    /// 信息报送要点
    Priority,
}

impl CommissionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CommissionKind::Targeted => "targeted",
            CommissionKind::Priority => "priority",
        }
    }

    pub fn parse(s: &str) -> Option<CommissionKind> {
        [CommissionKind::Targeted, CommissionKind::Priority].into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            CommissionKind::Targeted => Text::new("约稿", "Commission"),
            CommissionKind::Priority => Text::new("报送要点", "Reporting priority"),
        }
    }
}

/// `POST /api/commissions`: what the editor publishes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommissionFields {
    pub kind: CommissionKind,
    pub topic: String,
    #[serde(default)]
    pub description: String,
    /// The units asked (a targeted commission); empty for a priority (every unit).
    #[serde(default)]
    pub units: Vec<i64>,
    /// First day (`YYYY-MM-DD`) it applies.
    pub from: String,
    /// Last day (`YYYY-MM-DD`) to answer: answers submitted by the end of that day are on time.
    pub deadline: String,
}

impl CommissionFields {
    pub fn problems(&self) -> Vec<Text> {
        let mut out = Vec::new();
        let n = self.topic.trim().chars().count();
        if n == 0 || n > MAX_TOPIC {
            out.push(Text::new("主题应为1到60个字", "The topic has 1 to 60 characters"));
        }
        if self.description.chars().count() > MAX_DESCRIPTION {
            out.push(Text::new("说明最多2000字", "The description has at most 2000 characters"));
        }
        match (parse_day(&self.from), parse_day(&self.deadline)) {
            (Some(a), Some(b)) if a <= b => {}
            (Some(_), Some(_)) => out.push(Text::new("截止日期不能早于开始日期", "The deadline cannot come before the start")),
            _ => out.push(Text::new("日期格式应为 2026-11-25", "Dates look like 2026-11-25")),
        }
        if self.kind == CommissionKind::Targeted && self.units.is_empty() {
            out.push(Text::new("约稿须指定约稿单位", "A commission names the units asked"));
        }
        if self.units.len() > 2000 {
            out.push(Text::new("约稿单位过多", "Too many units"));
        }
        out
    }

    /// What is wrong with publishing it on `today`: [`problems`](Self::problems), and a deadline
    /// already past — which would penalise every unit asked the moment it was published.
    pub fn problems_on(&self, today: Day) -> Vec<Text> {
        let mut out = self.problems();
        if parse_day(&self.deadline).is_some_and(|d| d < today) {
            out.push(Text::new("截止日期不能早于今天", "The deadline cannot be in the past"));
        }
        out
    }

    /// What is wrong with changing `before` into this on `today`: the same checks as publishing,
    /// the same kind, and every unit asked before still asked (units are added, never dropped:
    /// to ask nobody, withdraw it).
    pub fn change_problems(&self, before: &CommissionFields, today: Day) -> Vec<Text> {
        let mut out = self.problems_on(today);
        if self.kind != before.kind {
            out.push(Text::new("约稿和报送要点不能互改", "A commission cannot become a priority, or back"));
        }
        if before.units.iter().any(|u| !self.units.contains(u)) {
            out.push(Text::new(
                "已约稿的单位不能移除；不再需要时可撤回整个约稿",
                "Units asked stay asked; withdraw the commission instead",
            ));
        }
        out
    }

    /// The last millisecond that counts as on time (the end of the deadline day, Beijing time).
    pub fn deadline_ms(&self) -> Option<i64> {
        parse_day(&self.deadline).map(|d| day_start_ms(d + 1) - 1)
    }
}

/// Whether an answer submitted at `submitted_ms` is on time for a deadline day.
pub fn on_time(submitted_ms: i64, deadline: Day) -> bool {
    submitted_ms < day_start_ms(deadline + 1)
}

/// The day a used answer scores: its item's earliest adoption, whenever each adoption was
/// recorded — the one dating rule of [`Rule::CommissionUsed`], live and on recompute (the server
/// computes it in SQL as `MIN(day)` over the item's adoptions).
pub fn used_day(adoption_days: impl IntoIterator<Item = Day>) -> Option<Day> {
    adoption_days.into_iter().min()
}

/// Whether an answer still counts, by its item's state: an item withdrawn by its author (or
/// back to a draft) answers nothing — not on time, not used.
pub fn answer_counts(state: crate::item::ItemState) -> bool {
    !matches!(state, crate::item::ItemState::Draft | crate::item::ItemState::Deleted)
}

/// One unit's answer to a commission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    pub unit_id: i64,
    pub unit: String,
    pub item_id: String,
    pub title: String,
    /// Milliseconds since the epoch: the answer's first submission.
    pub submitted_at: i64,
    pub on_time: bool,
}

/// Where a unit asked stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitStanding {
    OnTime,
    Late,
    /// Nothing yet, deadline still ahead.
    Open,
    /// Nothing by the deadline.
    Missed,
    /// The unit has since moved to another office: this office no longer asks it, and it is
    /// never penalised here (its answers before the move still count).
    MovedAway,
}

impl UnitStanding {
    pub fn label(&self) -> Text {
        match self {
            UnitStanding::OnTime => Text::new("按时报送", "On time"),
            UnitStanding::Late => Text::new("逾期报送", "Late"),
            UnitStanding::Open => Text::new("尚未报送", "Not yet"),
            UnitStanding::Missed => Text::new("未报送", "Missed"),
            UnitStanding::MovedAway => Text::new("已划出本级，不再约稿计分", "Moved to another office: no longer asked"),
        }
    }
}

/// A commission as the office and the officers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommissionView {
    pub id: i64,
    pub fields: CommissionFields,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    pub answers: Vec<Answer>,
    /// Each unit asked, by name, and where it stands (for the office; an officer sees their
    /// own unit's only).
    pub standing: Vec<(i64, String, UnitStanding)>,
    /// Withdrawn by the office (shown to the office only; it asks nothing and scores nothing).
    #[serde(default)]
    pub withdrawn: bool,
}

/// Where each unit asked stands at `now`, from the answers: the earliest answer decides; a
/// unit the office no longer oversees (`overseen` false: moved to another office) that had not
/// answered is [`UnitStanding::MovedAway`], never missed.
pub fn standing(
    units: &[(i64, String)],
    answers: &[Answer],
    deadline: Day,
    now_ms: i64,
    overseen: impl Fn(i64) -> bool,
) -> Vec<(i64, String, UnitStanding)> {
    let past = !on_time(now_ms, deadline);
    units
        .iter()
        .map(|(id, name)| {
            let first = answers.iter().filter(|a| a.unit_id == *id).min_by_key(|a| a.submitted_at);
            let s = match first {
                Some(a) if a.on_time => UnitStanding::OnTime,
                Some(_) => UnitStanding::Late,
                None if !overseen(*id) => UnitStanding::MovedAway,
                None if past => UnitStanding::Missed,
                None => UnitStanding::Open,
            };
            (*id, name.clone(), s)
        })
        .collect()
}

/// Where each unit asked stands once the commission has closed: as decided then, whatever has
/// moved since. A unit penalised at close (`missed`) missed it; one that was not stands by its
/// answers, or — with none left — moved away (the office no longer oversees it) or answered in
/// time (its answer since withdrawn by its author).
pub fn standing_at_close(
    units: &[(i64, String)],
    answers: &[Answer],
    deadline: Day,
    missed: &[i64],
    overseen: impl Fn(i64) -> bool,
) -> Vec<(i64, String, UnitStanding)> {
    standing(units, answers, deadline, i64::MAX, &overseen)
        .into_iter()
        .map(|(id, name, s)| {
            let s = match s {
                _ if missed.contains(&id) => UnitStanding::Missed,
                UnitStanding::Missed | UnitStanding::Open | UnitStanding::MovedAway if !overseen(id) => UnitStanding::MovedAway,
                UnitStanding::Missed | UnitStanding::Open | UnitStanding::MovedAway => UnitStanding::OnTime,
                other => other,
            };
            (id, name, s)
        })
        .collect()
}

/// A unit by name (whom a commission can ask).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitName {
    pub id: i64,
    pub name: String,
}

/// A leader instruction on one of the caller's items (for the desk's notices).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstructionNote {
    pub item_id: String,
    pub title: String,
    pub level: crate::scores::Level,
    pub leader: String,
    pub date: String,
}

/// `GET /api/inbox`: what an officer's desk shows as notices — fetched after each sync and
/// kept for offline reading.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub commissions: Vec<CommissionView>,
    pub instructions: Vec<InstructionNote>,
}

/// The units a closing commission penalises: those asked that the office still oversees and
/// that sent nothing counting by the deadline — decided once, when it closes, and kept as a
/// fact (a unit that moves away afterwards keeps the penalty it had; one that moved before
/// is never penalised by an office that no longer oversees it).
pub fn missed_at_close(asked: &[i64], answered_in_time: &[i64], overseen: impl Fn(i64) -> bool) -> Vec<i64> {
    asked.iter().copied().filter(|u| !answered_in_time.contains(u) && overseen(*u)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scores::{By, Credit, Period, Rule, from_ymd, tally};

    fn fields() -> CommissionFields {
        CommissionFields {
            kind: CommissionKind::Targeted,
            topic: "秋粮收购进展".into(),
            description: "请报送秋粮收购中的新情况、新问题。".into(),
            units: vec![1, 2, 3],
            from: "2026-11-20".into(),
            deadline: "2026-11-30".into(),
        }
    }

    #[test]
    fn a_commission_is_checked_and_its_deadline_is_the_end_of_the_day() {
        assert!(fields().problems().is_empty());
        let bad = CommissionFields { units: vec![], topic: " ".into(), deadline: "2026-11-01".into(), ..fields() };
        assert_eq!(bad.problems().len(), 3);
        let priority = CommissionFields { kind: CommissionKind::Priority, units: vec![], ..fields() };
        assert!(priority.problems().is_empty());
        let end = fields().deadline_ms().unwrap_or(0);
        assert_eq!(end + 1, day_start_ms(from_ymd(2026, 12, 1)));
        assert!(on_time(end, from_ymd(2026, 11, 30)));
        assert!(!on_time(end + 1, from_ymd(2026, 11, 30)));
    }

    #[test]
    fn a_commission_is_published_and_changed_only_with_a_deadline_ahead_and_its_units_kept() {
        let today = from_ymd(2026, 11, 25);
        assert!(fields().problems_on(today).is_empty());
        let past = CommissionFields { from: "2026-11-01".into(), deadline: "2026-11-24".into(), ..fields() };
        assert_eq!(past.problems_on(today), vec![Text::new("截止日期不能早于今天", "The deadline cannot be in the past")]);
        let extended = CommissionFields { deadline: "2026-12-10".into(), units: vec![1, 2, 3, 4], ..fields() };
        assert!(extended.change_problems(&fields(), today).is_empty());
        let dropped = CommissionFields { units: vec![1, 2], ..fields() };
        assert_eq!(dropped.change_problems(&fields(), today).len(), 1);
        let other = CommissionFields { kind: CommissionKind::Priority, units: vec![1, 2, 3], ..fields() };
        assert_eq!(other.change_problems(&fields(), today).len(), 1);
    }

    #[test]
    fn each_unit_asked_stands_by_its_earliest_answer() {
        let deadline = from_ymd(2026, 11, 30);
        let units = vec![(1, "河西镇".to_owned()), (2, "兰州湾镇".to_owned()), (3, "大丰镇".to_owned())];
        let answer = |unit: i64, at: i64| Answer {
            unit_id: unit,
            unit: String::new(),
            item_id: format!("i{unit}{at}"),
            title: String::new(),
            submitted_at: at,
            on_time: on_time(at, deadline),
        };
        let before = day_start_ms(deadline);
        let after = day_start_ms(deadline + 2);
        let answers = vec![answer(1, before), answer(2, after), answer(2, after + 5)];
        let during = standing(&units, &answers, deadline, before, |_| true);
        assert_eq!(
            during.iter().map(|s| s.2.clone()).collect::<Vec<_>>(),
            vec![UnitStanding::OnTime, UnitStanding::Late, UnitStanding::Open]
        );
        let later = standing(&units, &answers, deadline, after, |_| true);
        assert_eq!(later[2].2, UnitStanding::Missed);
        // 大丰镇 has moved to another office: not missed here, whatever the date.
        let moved = standing(&units, &answers, deadline, after, |u| u != 3);
        assert_eq!(moved[2].2, UnitStanding::MovedAway);
        // Closed: as decided then. Penalised and moved away since: still missed.
        let closed = standing_at_close(&units, &answers, deadline, &[3], |u| u != 3);
        assert_eq!(
            closed.iter().map(|s| s.2.clone()).collect::<Vec<_>>(),
            vec![UnitStanding::OnTime, UnitStanding::Late, UnitStanding::Missed]
        );
        // Not penalised (moved away before it closed), or its in-time answer withdrawn since.
        assert_eq!(standing_at_close(&units, &[], deadline, &[], |u| u != 3)[2].2, UnitStanding::MovedAway);
        assert_eq!(standing_at_close(&units, &[], deadline, &[], |_| true)[0].2, UnitStanding::OnTime);
    }

    #[test]
    fn used_answers_score_and_missing_units_are_penalised() {
        let fact = CommissionFact {
            id: 7,
            topic: "秋粮收购进展".into(),
            deadline: from_ymd(2026, 11, 30),
            used: vec![(Credit { item_id: "a".into(), author_id: 5, unit_id: 1 }, from_ymd(2026, 12, 2))],
            missed: vec![3],
        };
        let events = commission_events(&fact, &[]);
        assert_eq!(
            events.iter().map(|e| (e.rule, e.centi, e.credit.unit_id)).collect::<Vec<_>>(),
            vec![(Rule::CommissionUsed, 500, 1), (Rule::CommissionMissed, -1000, 3)]
        );
        let t = tally(&events, Period::year(2026), By::Unit);
        assert_eq!((t[&1].centi, t[&3].centi, t[&3].submitted), (500, -1000, 0));
    }
}
