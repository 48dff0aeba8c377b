//! The periodical (期刊): an issue (期) of the office's own publication — masthead, numbers,
//! the ordered items, the circulation list — composed by the office's editors from signed
//! items, published read-only. Placing an item in an issue is its full-text adoption (采用); the
//! server records it through the same scoring functions as any adoption.

use crate::i18n::Text;
use crate::role::Role;
use crate::scores::{Day, day_text, parse_day, ymd};
use serde::{Deserialize, Serialize};

/// Most items in one issue.
pub const MAX_ITEMS: usize = 60;
const MAX_FIELD: usize = 200;
const MAX_NOTE: usize = 2000;

/// 报 / 送 / 发: who the issue goes to (each a free list, as offices write it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Circulation {
    /// 报: the leaders and offices above (e.g. 市政府办公室，县委、县政府领导).
    #[serde(default)]
    pub report_to: String,
    /// 送: offices it is copied to.
    #[serde(default)]
    pub copy_to: String,
    /// 发: the units it is sent down to.
    #[serde(default)]
    pub send_to: String,
}

/// An issue as its editor composes it: masthead fields and the items in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueFields {
    pub publication_id: i64,
    /// 2026
    pub year: i32,
    /// 第12期 (within the year)
    pub number: u32,
    /// 总第345期 (since the first issue)
    pub total_number: u32,
    /// `YYYY-MM-DD`
    pub date: String,
    /// 签发人
    #[serde(default)]
    pub signer: String,
    /// 编者按
    #[serde(default)]
    pub editor_note: String,
    #[serde(default)]
    pub circulation: Circulation,
    /// The items, in the order they are printed.
    #[serde(default)]
    pub items: Vec<String>,
    /// The issue's revision this copy was read at: a save names it and is refused when another
    /// editor saved in between (compare-and-set), so nobody's placement is lost unseen.
    #[serde(default)]
    pub rev: u32,
}

impl IssueFields {
    /// What is wrong with the fields, in words (empty: nothing).
    pub fn problems(&self) -> Vec<Text> {
        let mut out = Vec::new();
        if !(2000..=2100).contains(&self.year) {
            out.push(Text::new("年份应在2000到2100之间", "The year must be between 2000 and 2100"));
        }
        if self.number == 0 || self.total_number == 0 || self.total_number < self.number {
            out.push(Text::new(
                "期号和总期号应为正整数，总期号不小于期号",
                "Issue numbers are positive; the running total is not less than the number",
            ));
        }
        if parse_day(&self.date).is_none() {
            out.push(Text::new("日期格式应为 2026-11-25", "Dates look like 2026-11-25"));
        }
        let long = [&self.signer, &self.circulation.report_to, &self.circulation.copy_to, &self.circulation.send_to]
            .iter()
            .any(|f| f.chars().count() > MAX_FIELD);
        if long || self.editor_note.chars().count() > MAX_NOTE {
            out.push(Text::new(
                "签发人、报送范围最多200字，编者按最多2000字",
                "Signer and circulation take at most 200 characters, the note 2000",
            ));
        }
        if self.items.len() > MAX_ITEMS {
            out.push(Text::new("一期最多编入60篇稿件", "An issue holds at most 60 items"));
        }
        let mut seen = std::collections::BTreeSet::new();
        if self.items.iter().any(|i| !seen.insert(i)) {
            out.push(Text::new("同一篇稿件不能在一期中出现两次", "An item appears once in an issue"));
        }
        out
    }

    /// Items that are in `self` but not in `before`, and items in `before` no longer here:
    /// (placed, removed). Placing is an adoption; removing takes it back.
    pub fn changes_from<'a>(&'a self, before: &'a [String]) -> (Vec<&'a str>, Vec<&'a str>) {
        let placed = self.items.iter().filter(|i| !before.contains(i)).map(String::as_str).collect();
        let removed = before.iter().filter(|i| !self.items.contains(i)).map(String::as_str).collect();
        (placed, removed)
    }
}

/// The numbers a new issue gets: one past the highest 期号 the publication used in today's year
/// (1 in a new year) and one past its highest 总期号 — never a number already used, whatever
/// numbers earlier issues were given by hand.
pub fn next_numbers(max_in_year: Option<u32>, max_total: Option<u32>, today: Day) -> (i32, u32, u32) {
    let (year, _, _) = ymd(today);
    (year, max_in_year.unwrap_or(0).saturating_add(1), max_total.unwrap_or(0).saturating_add(1))
}

/// `POST /api/periodical/issues/{id}/delete`: the draft issue deleted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueDeleted {
    pub id: i64,
}

/// `2026年第12期` — the issue as adoption records name it.
pub fn issue_label(year: i32, number: u32) -> String {
    format!("{year}年第{number}期")
}

/// `总第345期`
pub fn total_label(total: u32) -> String {
    format!("总第{total}期")
}

/// A draft issue, or one published (read-only from then on).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IssueState {
    Draft,
    Published,
}

impl IssueState {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueState::Draft => "draft",
            IssueState::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<IssueState> {
        [IssueState::Draft, IssueState::Published].into_iter().find(|x| x.as_str() == s)
    }
}

/// Who may compose, change and publish the office's issues: its editors, while the issue is a
/// draft. Anyone may read a published issue who is in the office, or whose unit has an item
/// in it (see [`may_read_issue`]).
pub fn may_compose(role: Role, in_office: bool, state: IssueState) -> Result<(), Text> {
    if !in_office || role != Role::Editor {
        Err(Text::new("只有本级信息科的编辑可以组稿", "Only the office's editors compose issues"))
    } else if state == IssueState::Published {
        Err(Text::new("这一期已经印发，不能再修改", "This issue is published and can no longer change"))
    } else {
        Ok(())
    }
}

/// Whether someone reads an issue: the office's editors any issue; the office's other people
/// (signers, readers, administrators) published ones; an officer a published one carrying an
/// item of their unit.
pub fn may_read_issue(role: Role, in_office: bool, carries_my_unit: bool, state: IssueState) -> bool {
    match (role, state) {
        (Role::Editor, _) => in_office,
        (_, IssueState::Draft) => false,
        (Role::Officer, IssueState::Published) => carries_my_unit,
        (_, IssueState::Published) => in_office,
    }
}

/// One item as printed in an issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueItem {
    pub id: String,
    pub title: String,
    pub body: String,
    pub unit: String,
    pub author: String,
}

/// An issue as shown, printed and exported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueView {
    pub id: i64,
    pub state: IssueState,
    pub publication: String,
    pub office: String,
    pub fields: IssueFields,
    pub items: Vec<IssueItem>,
}

impl IssueView {
    /// `2026年第12期`
    pub fn label(&self) -> String {
        issue_label(self.fields.year, self.fields.number)
    }

    /// `《林双政务信息》2026年第12期（总第345期）`
    pub fn full_label(&self) -> String {
        format!("《{}》{}（{}）", self.publication, self.label(), total_label(self.fields.total_number))
    }

    /// The date as printed: `2026年11月25日`.
    pub fn date_text(&self) -> String {
        match parse_day(&self.fields.date) {
            Some(d) => crate::scores::day_text_zh(d),
            None => self.fields.date.clone(),
        }
    }
}

/// A line of the office's list of issues.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueSummary {
    pub id: i64,
    pub state: IssueState,
    pub publication: String,
    pub label: String,
    pub total_number: u32,
    pub date: String,
    pub items: u32,
}

/// A signed item the editor can place in an issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Candidate {
    pub id: String,
    pub title: String,
    pub unit: String,
    /// Issues it is already in (an item can be used in more than one).
    pub in_issues: Vec<String>,
}

/// `POST /api/periodical/issues`: a new draft issue of a publication, numbered after the last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewIssue {
    pub publication_id: i64,
}

/// Today as the `date` field of a new issue.
pub fn today_field(today: Day) -> String {
    day_text(today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scores::from_ymd;

    fn fields() -> IssueFields {
        IssueFields {
            publication_id: 1,
            year: 2026,
            number: 12,
            total_number: 345,
            date: "2026-11-25".into(),
            items: vec!["a".into(), "b".into(), "c".into()],
            ..IssueFields::default()
        }
    }

    #[test]
    fn numbers_run_on_within_a_year_and_restart_in_a_new_one() {
        assert_eq!(next_numbers(None, None, from_ymd(2026, 3, 1)), (2026, 1, 1));
        assert_eq!(next_numbers(Some(11), Some(344), from_ymd(2026, 11, 25)), (2026, 12, 345));
        // A new year: nothing used in it yet, the running total goes on.
        assert_eq!(next_numbers(None, Some(333), from_ymd(2026, 1, 5)), (2026, 1, 334));
        assert_eq!(issue_label(2026, 12), "2026年第12期");
        assert_eq!(total_label(345), "总第345期");
    }

    #[test]
    fn an_issue_is_checked_before_it_is_kept() {
        assert!(fields().problems().is_empty());
        let mut f = fields();
        f.items.push("a".into());
        f.date = "11月25日".into();
        f.total_number = 3;
        let p: Vec<&str> = f.problems().iter().map(|t| t.zh).collect();
        assert_eq!(p.len(), 3, "{p:?}");
        let before = vec!["b".to_owned(), "z".to_owned()];
        let f = fields();
        let (placed, removed) = f.changes_from(&before);
        assert_eq!((placed, removed), (vec!["a", "c"], vec!["z"]));
    }

    #[test]
    fn only_the_offices_editors_compose_and_drafts_stay_in_the_office() {
        assert!(may_compose(Role::Editor, true, IssueState::Draft).is_ok());
        assert!(may_compose(Role::Editor, true, IssueState::Published).is_err());
        assert!(may_compose(Role::Editor, false, IssueState::Draft).is_err());
        for role in Role::ALL {
            if role != Role::Editor {
                assert!(may_compose(role, true, IssueState::Draft).is_err());
                assert!(!may_read_issue(role, true, true, IssueState::Draft));
            }
        }
        assert!(may_read_issue(Role::Officer, false, true, IssueState::Published));
        assert!(!may_read_issue(Role::Officer, false, false, IssueState::Published));
        assert!(may_read_issue(Role::Reader, true, false, IssueState::Published));
        assert!(!may_read_issue(Role::Reader, false, false, IssueState::Published));
    }
}
