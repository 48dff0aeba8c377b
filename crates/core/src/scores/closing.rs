//! Closing a period (结账): once the section issues (签发) a period's notice, the notice is an
//! official record — stored as issued and served byte for byte — and nothing dated inside the
//! period may change its points any more. Facts are dated by their own day, so a later fact
//! dated inside a closed period is refused, in words; and a date is checked against the item it
//! is about (never before its submission) and today (never in the future).

use super::calendar::*;
use super::points::*;
use crate::i18n::Text;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who may issue the office's notice: its editors and signers (the information section).
pub fn may_issue_notice(role: Role, in_office: bool) -> bool {
    in_office && matches!(role, Role::Editor | Role::Signer)
}

/// Whether a notice for `period` may be issued on `today`: a month's, a quarter's or a year's
/// (never an arbitrary range, which would close whatever it spans), once the period has ended.
pub fn issue_problem(period: Period, today: Day) -> Option<Text> {
    if period.kind() == PeriodKind::Range {
        Some(Text::new("只能签发月度、季度或年度通报", "Only a month's, a quarter's or a year's notice is issued"))
    } else if period.to >= today {
        Some(Text::new("期间结束后才能签发这一期的通报", "A notice is issued once its period has ended"))
    } else {
        None
    }
}

/// `POST /api/admin/notice/reopen`: the issued notice to withdraw (its period, `YYYY-MM-DD`)
/// and why (kept in the audit trail).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeReopen {
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// The closed period that holds `day`, if any.
pub fn closed_on(closed: &[Period], day: Day) -> Option<Period> {
    closed.iter().copied().find(|p| p.contains(day))
}

/// Why nothing may be dated inside `p` any more, in words people read.
pub fn closed_text(p: Period) -> String {
    format!("{}的通报已经签发，该期间已结账，不能再记入或更改其中的分数；请按实际日期记录，或与信息科联系更正", p.title())
}

/// What is wrong with dating an adoption or a leader instruction `day`, for an item first
/// submitted on `submitted` (None: never submitted), on `today`.
pub fn fact_day_problem(day: Day, submitted: Option<Day>, today: Day) -> Option<Text> {
    if day > today {
        Some(Text::new("日期不能晚于今天", "The date cannot be after today"))
    } else if submitted.is_some_and(|s| day < s) {
        Some(Text::new("日期不能早于稿件的报送日期", "The date cannot be before the item was submitted"))
    } else {
        None
    }
}

/// A unit's class and quotas as a version of the board's rules holds them (class empty: none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRule {
    pub class: String,
    pub monthly: u32,
    pub weekly_per_person: u32,
}

/// The board's rules in force from a day on: the adoption-rate floor and each unit's class and
/// quotas. Versioned like the scoring table, so a period's board — and its notice — always
/// reads the rules of its own days, whatever was changed since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardRules {
    pub effective_from: Day,
    pub floor_percent: u32,
    #[serde(default)]
    pub units: BTreeMap<i64, UnitRule>,
}

impl BoardRules {
    /// The version in force on `day` (`versions` ordered by `effective_from`).
    pub fn on(versions: &[BoardRules], day: Day) -> Option<&BoardRules> {
        versions.iter().rev().find(|v| v.effective_from <= day)
    }

    /// A unit's rule on `day`: the version in force then; for a unit it does not know (created
    /// since), the first later version that does, else `live` (today's). A unit no version and
    /// not today's rules know (moved away) has none.
    pub fn rule_for<'a>(versions: &'a [BoardRules], unit: i64, day: Day, live: Option<&'a UnitRule>) -> Option<&'a UnitRule> {
        BoardRules::on(versions, day)
            .and_then(|v| v.units.get(&unit))
            .or_else(|| versions.iter().filter(|v| v.effective_from > day).find_map(|v| v.units.get(&unit)))
            .or(live)
    }

    /// A unit's quota over `period` (per person with `per_person`): the sum over the calendar
    /// months it touches of the quota in force on each month's last day inside the period — a
    /// change applies to the month it is made in and after, never to a month already ended —
    /// so a period's quota is always the sum of its months', each under its own rules. None
    /// when no month of it had a quota.
    pub fn quota_over(versions: &[BoardRules], unit: i64, period: Period, per_person: bool, live: Option<&UnitRule>) -> Option<u32> {
        let mut total = None;
        for part in period.month_parts() {
            let Some(rule) = BoardRules::rule_for(versions, unit, part.to, live) else { continue };
            let due = if per_person { Quota::Weekly(rule.weekly_per_person) } else { Quota::Monthly(rule.monthly) };
            // A unit without a class (class empty) has no quota in that month.
            let has = !rule.class.is_empty() && (!per_person || rule.weekly_per_person > 0);
            if has {
                total = Some(total.unwrap_or(0) + due.over(part));
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_and_the_floor_are_read_from_the_versions_in_force_in_each_month() {
        let rule = |monthly| UnitRule { class: "一类乡镇".into(), monthly, weekly_per_person: 1 };
        let versions = vec![
            BoardRules { effective_from: FIRST_DAY, floor_percent: 30, units: [(7, rule(6))].into_iter().collect() },
            BoardRules { effective_from: from_ymd(2026, 3, 10), floor_percent: 40, units: [(7, rule(50))].into_iter().collect() },
        ];
        // February keeps its 6 whatever was changed in March.
        assert_eq!(BoardRules::quota_over(&versions, 7, Period::month(2026, 2), false, None), Some(6));
        // Changed in March: March on (50); February, already ended, keeps 6.
        assert_eq!(BoardRules::quota_over(&versions, 7, Period::month(2026, 3), false, None), Some(50));
        assert_eq!(
            BoardRules::quota_over(&versions, 7, Period { from: from_ymd(2026, 3, 1), to: from_ymd(2026, 3, 5) }, false, None),
            Some(6)
        );
        assert_eq!(BoardRules::quota_over(&versions, 7, Period::quarter(2026, 2), false, None), Some(150));
        let q1 = Period::quarter(2026, 1);
        let months: u32 = (1..=3).filter_map(|m| BoardRules::quota_over(&versions, 7, Period::month(2026, m), false, None)).sum();
        assert_eq!(BoardRules::quota_over(&versions, 7, q1, false, None), Some(months), "a quarter is the sum of its months");
        assert_eq!(BoardRules::quota_over(&versions, 8, q1, false, None), None, "no class, no quota");
        // A unit created after the first version, known from the second on: that rule for the
        // months before it too, so the quarter is still the sum of its months.
        let later =
            vec![versions[0].clone(), BoardRules { units: [(7, rule(50)), (9, rule(4))].into_iter().collect(), ..versions[1].clone() }];
        let q1_9: u32 = (1..=3).filter_map(|m| BoardRules::quota_over(&later, 9, Period::month(2026, m), false, None)).sum();
        assert_eq!((q1_9, BoardRules::quota_over(&later, 9, q1, false, None)), (12, Some(12)));
        // Unknown to every version: today's rules.
        assert_eq!(BoardRules::quota_over(&versions, 11, Period::month(2026, 2), false, Some(&rule(3))), Some(3));
        assert_eq!(BoardRules::on(&versions, from_ymd(2026, 2, 28)).map(|v| v.floor_percent), Some(30));
        assert_eq!(BoardRules::on(&versions, from_ymd(2026, 3, 31)).map(|v| v.floor_percent), Some(40));
    }

    #[test]
    fn a_period_closes_when_its_notice_is_issued_and_dates_are_checked() {
        let feb = Period::month(2026, 2);
        assert!(issue_problem(feb, from_ymd(2026, 2, 28)).is_some(), "not before the month has ended");
        assert!(issue_problem(feb, from_ymd(2026, 3, 1)).is_none());
        let range = Period { from: from_ymd(2016, 1, 1), to: from_ymd(2026, 2, 28) };
        assert!(issue_problem(range, from_ymd(2026, 3, 1)).is_some(), "never a range that closes years at once");
        assert_eq!(closed_on(&[feb], from_ymd(2026, 2, 20)), Some(feb));
        assert_eq!(closed_on(&[feb], from_ymd(2026, 3, 1)), None);
        assert!(closed_text(feb).starts_with("2026年2月的通报已经签发"));
        let (submitted, today) = (from_ymd(2026, 3, 5), from_ymd(2026, 3, 20));
        assert!(fact_day_problem(from_ymd(2026, 3, 10), Some(submitted), today).is_none());
        assert!(fact_day_problem(from_ymd(2026, 3, 4), Some(submitted), today).is_some(), "before the item was submitted");
        assert!(fact_day_problem(from_ymd(2031, 3, 10), Some(submitted), today).is_some(), "five years ahead");
        assert!(may_issue_notice(Role::Signer, true) && may_issue_notice(Role::Editor, true));
        assert!(!may_issue_notice(Role::Officer, true) && !may_issue_notice(Role::Editor, false));
    }
}
