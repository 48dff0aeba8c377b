//! The notice (通报): the month's (quarter's, year's) numbers as offices print and circulate
//! them — a title, the period, one ranked table per unit class with the year's running total
//! and the quota, the people, remarks and, for a quarter or a year, awards. Built here from the
//! scoreboards, so the printable page, the Word file and the Excel file say the same thing.

use super::calendar::*;
use super::points::*;
use super::wire::*;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A notice, ready to print or export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    /// The issuing office, e.g. `林双县人民政府办公室`.
    pub office: String,
    /// e.g. `关于2026年11月政务信息工作情况的通报`
    pub title: String,
    /// e.g. `2026年11月`
    pub period_title: String,
    pub kind: PeriodKind,
    pub from: String,
    pub to: String,
    /// The date printed under the office's name.
    pub issued: String,
    /// The opening paragraph: totals for the whole office.
    pub summary: String,
    pub sections: Vec<NoticeSection>,
    /// Officers ranked by points (those who submitted anything).
    pub people: Vec<NoticeRow>,
    /// The lines under the people's table (no rank): the unit-only events (约稿未报, which
    /// belong to a unit and to nobody in it) when there are any, and the total — the same as
    /// the units' tables add up to.
    #[serde(default)]
    pub people_footer: Vec<NoticeRow>,
    /// Set when the section issued (签发) the notice: who and when. An issued notice is frozen
    /// — stored as issued and served as stored, its period closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_by: Option<String>,
    /// The heading of the units' running-total column: `全年累计` when the period lies in one
    /// calendar year, `2027年累计` for a range across a year end (the year of its last day,
    /// from 1 January).
    #[serde(default)]
    pub year_column: String,
    /// Quarterly and annual notices: 先进单位 and 先进个人.
    pub awards: Vec<Award>,
    pub remarks: Vec<String>,
}

/// One unit class's table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeSection {
    /// The class name (`未分类` for units without one).
    pub class: String,
    pub rows: Vec<NoticeRow>,
}

/// One line of a notice's table, as printed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeRow {
    pub rank: u32,
    pub name: String,
    /// A person's unit (empty for units).
    pub unit: String,
    pub submitted: u32,
    pub adopted: u32,
    /// `36.6%` or `—`
    pub rate: String,
    /// `12.5`
    pub points: String,
    /// The year's running total up to the period's end.
    pub year_points: String,
    /// `6/6 完成`, `2/6 未完成`, or empty without a quota.
    pub quota: String,
    /// Under the adoption-rate floor.
    pub flagged: bool,
}

/// An award in a quarterly or annual notice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Award {
    /// `先进单位（一类乡镇）` or `先进个人`
    pub title: String,
    pub names: Vec<String>,
}

/// The columns of a unit class's table (the seventh is the notice's [`Notice::year_column`]).
pub const UNIT_COLUMNS: [&str; 8] = ["排名", "单位", "报送数", "采用数", "采用率", "得分", "全年累计", "定额完成"];
/// The columns of the people's table.
pub const PEOPLE_COLUMNS: [&str; 7] = ["排名", "姓名", "单位", "报送数", "采用数", "采用率", "得分"];

impl NoticeRow {
    /// The row as printed in a unit class's table ([`UNIT_COLUMNS`]).
    pub fn unit_cells(&self) -> Vec<String> {
        vec![
            self.rank.to_string(),
            self.name.clone(),
            self.submitted.to_string(),
            self.adopted.to_string(),
            if self.flagged { format!("{}（偏低）", self.rate) } else { self.rate.clone() },
            self.points.clone(),
            self.year_points.clone(),
            self.quota.clone(),
        ]
    }

    /// The row as printed in the people's table ([`PEOPLE_COLUMNS`]); a footer line (rank 0)
    /// has no rank.
    pub fn person_cells(&self) -> Vec<String> {
        vec![
            if self.rank == 0 { String::new() } else { self.rank.to_string() },
            self.name.clone(),
            self.unit.clone(),
            self.submitted.to_string(),
            self.adopted.to_string(),
            self.rate.clone(),
            self.points.clone(),
        ]
    }
}

/// 一、二、三 … for a notice's numbered parts (0 → 一).
pub fn ordinal(n: usize) -> &'static str {
    ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"].get(n).copied().unwrap_or("十")
}

impl Notice {
    /// The columns of a unit class's table as this notice prints them.
    pub fn unit_columns(&self) -> Vec<&str> {
        let mut cols = UNIT_COLUMNS.to_vec();
        if !self.year_column.is_empty() {
            cols[6] = &self.year_column;
        }
        cols
    }

    /// The people's table as printed: the ranked rows, then the footer lines.
    pub fn people_cells(&self) -> Vec<Vec<String>> {
        self.people.iter().chain(&self.people_footer).map(NoticeRow::person_cells).collect()
    }
}

/// A footer line of the people's table: no rank, no adoption rate of its own unless it counts
/// submissions.
fn footer(name: &str, unit: &str, t: &Tally) -> NoticeRow {
    NoticeRow {
        rank: 0,
        name: name.to_owned(),
        unit: unit.to_owned(),
        submitted: t.submitted,
        adopted: t.adopted,
        rate: rate_text(t, Lang::Zh),
        points: points_text(t.centi),
        year_points: String::new(),
        quota: String::new(),
        flagged: false,
    }
}

impl Award {
    /// `先进个人：李明（河西镇）、…` (空缺 when nobody qualifies).
    pub fn line(&self) -> String {
        format!("{}：{}", self.title, if self.names.is_empty() { "空缺".to_owned() } else { self.names.join("、") })
    }
}

/// The rows an award names: the first `n` with points, and every row tied with the last of
/// them — a tie at the boundary is never cut by the order rows happen to come in.
fn awarded<'a>(rows: impl Iterator<Item = &'a ScoreRow>, n: usize) -> Vec<&'a ScoreRow> {
    let mut out: Vec<&ScoreRow> = Vec::new();
    for r in rows.filter(|r| r.tally.centi > 0) {
        if out.len() < n || out.last().is_some_and(|last| last.tally.centi == r.tally.centi) {
            out.push(r);
        } else {
            break;
        }
    }
    out
}

/// How many officers a notice's award names (more when tied at the boundary).
const AWARDED_PEOPLE: usize = 5;
/// How many units of each class a notice's award names.
const AWARDED_UNITS: usize = 3;

fn quota_text(r: &ScoreRow) -> String {
    match (r.quota, r.quota_met()) {
        (Some(q), Some(met)) => format!("{}/{} {}", r.tally.submitted, q, if met { "完成" } else { "未完成" }),
        _ => String::new(),
    }
}

fn row(r: &ScoreRow, year_centi: i64) -> NoticeRow {
    NoticeRow {
        rank: r.rank,
        name: r.name.clone(),
        unit: r.unit.clone(),
        submitted: r.tally.submitted,
        adopted: r.tally.adopted,
        rate: rate_text(&r.tally, Lang::Zh),
        points: points_text(r.tally.centi),
        year_points: points_text(year_centi),
        quota: quota_text(r),
        flagged: r.under_floor,
    }
}

/// The section a unit's row goes in.
fn class_of(r: &ScoreRow) -> &str {
    if r.group.is_empty() { "未分类" } else { &r.group }
}

/// `(名称)、(名称)` — or `无` when there is nobody to name.
fn names(list: &[&str]) -> String {
    if list.is_empty() { "无".into() } else { list.join("、") }
}

impl Notice {
    /// The notice of `period` for `office`, from the period's scoreboards by unit and by person
    /// and the year-to-date scoreboard by unit (its running totals). Rows keep the scoreboards'
    /// ranks; a unit class is a section in the order of the scoreboard's groups.
    pub fn build(office: &str, period: Period, issued: Day, units: &Scoreboard, year_units: &Scoreboard, people: &Scoreboard) -> Notice {
        let kind = period.kind();
        let year: BTreeMap<i64, i64> = year_units.rows.iter().map(|r| (r.id, r.tally.centi)).collect();
        let mut sections: Vec<NoticeSection> = Vec::new();
        for r in &units.rows {
            let class = class_of(r).to_owned();
            let line = row(r, year.get(&r.id).copied().unwrap_or(r.tally.centi));
            match sections.last_mut() {
                Some(s) if s.class == class => s.rows.push(line),
                _ => sections.push(NoticeSection { class, rows: vec![line] }),
            }
        }
        let people_rows: Vec<NoticeRow> =
            people.rows.iter().filter(|r| r.tally.submitted > 0 || r.tally.centi != 0).map(|r| row(r, r.tally.centi)).collect();
        let mut people_footer = Vec::new();
        if people.unit_only.centi != 0 {
            people_footer.push(footer("单位扣分", "约稿未报等，不计入个人", &people.unit_only));
        }
        if !people_rows.is_empty() || !people_footer.is_empty() {
            people_footer.push(footer("合计", "", &people.total()));
        }
        let year_column =
            if ymd(period.from).0 == ymd(period.to).0 { "全年累计".to_owned() } else { format!("{}年累计", ymd(period.to).0) };

        let (submitted, adopted, centi) =
            units.rows.iter().fold((0u32, 0u32, 0i64), |(s, a, c), r| (s + r.tally.submitted, a + r.tally.adopted, c + r.tally.centi));
        let total = Tally { submitted, adopted, centi };
        let scope = match kind {
            PeriodKind::Month => "本月",
            PeriodKind::Quarter => "本季度",
            PeriodKind::Year => "本年度",
            PeriodKind::Range => "期间",
        };
        let summary = format!(
            "{}，{scope}各单位共报送政务信息{}条，被采用{}条，采用率{}，合计得分{}分。现将有关情况通报如下。",
            period.title(),
            total.submitted,
            total.adopted,
            rate_text(&total, Lang::Zh),
            points_text(total.centi)
        );

        let missed: Vec<&str> = units.rows.iter().filter(|r| r.quota_met() == Some(false)).map(|r| r.name.as_str()).collect();
        let low: Vec<&str> = units.rows.iter().filter(|r| r.under_floor).map(|r| r.name.as_str()).collect();
        let none: Vec<&str> = units.rows.iter().filter(|r| r.tally.submitted == 0).map(|r| r.name.as_str()).collect();
        let mut remarks = vec![
            format!("未完成报送定额的单位：{}。", names(&missed)),
            format!("采用率低于{}%的单位：{}。", units.floor_percent, names(&low)),
        ];
        if !none.is_empty() {
            remarks.push(format!("{scope}未报送信息的单位：{}。", names(&none)));
        }
        remarks.push("请各单位对照通报查找差距，加强信息报送工作。".into());

        let mut awards = Vec::new();
        if matches!(kind, PeriodKind::Quarter | PeriodKind::Year) {
            for s in &sections {
                let top = awarded(units.rows.iter().filter(|r| class_of(r) == s.class), AWARDED_UNITS)
                    .into_iter()
                    .map(|r| r.name.clone())
                    .collect();
                awards.push(Award { title: format!("先进单位（{}）", s.class), names: top });
            }
            let best: Vec<String> = awarded(people.rows.iter(), AWARDED_PEOPLE)
                .into_iter()
                .map(|r| if r.unit.is_empty() { r.name.clone() } else { format!("{}（{}）", r.name, r.unit) })
                .collect();
            awards.push(Award { title: "先进个人".into(), names: best });
        }

        Notice {
            office: office.to_owned(),
            title: format!("关于{}政务信息工作情况的{}", period.title(), kind.notice_name()),
            period_title: period.title(),
            kind,
            from: day_text(period.from),
            to: day_text(period.to),
            issued: day_text_zh(issued),
            summary,
            sections,
            people: people_rows,
            people_footer,
            issued_by: None,
            year_column,
            awards,
            remarks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: i64, name: &str, group: &str, quota: Option<Quota>) -> BoardKey {
        BoardKey { id, name: name.into(), group: group.into(), unit: String::new(), quota }
    }

    #[test]
    fn a_quarterly_notice_has_a_table_per_class_remarks_and_awards() {
        let q = Period::quarter(2026, 4);
        let keys = vec![
            key(1, "河西镇", "一类乡镇", Some(Quota::Monthly(6))),
            key(2, "兰州湾镇", "一类乡镇", Some(Quota::Monthly(6))),
            key(3, "农业农村局", "县直部门", Some(Quota::Monthly(2))),
        ];
        let tallies: BTreeMap<i64, Tally> = [
            (1, Tally { submitted: 20, adopted: 8, centi: 6000 }),
            (2, Tally { submitted: 10, adopted: 1, centi: 1500 }),
            (3, Tally { submitted: 6, adopted: 3, centi: 2100 }),
        ]
        .into_iter()
        .collect();
        let units = Scoreboard::build(q.title(), q, 30, &keys, &tallies);
        let mut year_t = tallies.clone();
        year_t.insert(1, Tally { submitted: 70, adopted: 20, centi: 19_950 });
        let year = Scoreboard::build("".into(), q.year_to_date(), 30, &keys, &year_t);
        let people_keys = vec![BoardKey { id: 9, name: "李明".into(), group: String::new(), unit: "河西镇".into(), quota: None }];
        let people_t: BTreeMap<i64, Tally> = [(9, Tally { submitted: 12, adopted: 5, centi: 4000 })].into_iter().collect();
        let people = Scoreboard::build("".into(), q, 30, &people_keys, &people_t);
        let n = Notice::build("林双县人民政府办公室", q, from_ymd(2027, 1, 5), &units, &year, &people);
        assert_eq!(n.title, "关于2026年第4季度政务信息工作情况的季度通报");
        assert_eq!(n.issued, "2027年1月5日");
        assert!(n.summary.contains("共报送政务信息36条，被采用12条"), "{}", n.summary);
        assert_eq!(n.sections.iter().map(|s| s.class.as_str()).collect::<Vec<_>>(), vec!["一类乡镇", "县直部门"]);
        let first = &n.sections[0].rows[0];
        assert_eq!((first.rank, first.name.as_str(), first.points.as_str(), first.year_points.as_str()), (1, "河西镇", "60", "199.5"));
        assert_eq!(first.quota, "20/18 完成");
        assert_eq!(n.sections[0].rows[1].quota, "10/18 未完成");
        assert!(n.sections[0].rows[1].flagged, "10% is under the 30% floor");
        assert_eq!(n.remarks[0], "未完成报送定额的单位：兰州湾镇。");
        assert_eq!(n.remarks[1], "采用率低于30%的单位：兰州湾镇。");
        assert_eq!(n.awards[0], Award { title: "先进单位（一类乡镇）".into(), names: vec!["河西镇".into(), "兰州湾镇".into()] });
        assert_eq!(n.awards.last().map(|a| a.names.clone()), Some(vec!["李明（河西镇）".to_owned()]));
    }

    #[test]
    fn seven_officers_tied_first_are_all_named_never_five_by_database_order() {
        let q = Period::quarter(2026, 4);
        let keys: Vec<BoardKey> = (1..=9)
            .map(|i| BoardKey { id: i, name: format!("信息员{i}"), group: String::new(), unit: "河西镇".into(), quota: None })
            .collect();
        // Seven share the top score, two trail.
        let tallies: BTreeMap<i64, Tally> =
            (1..=9).map(|i| (i, Tally { submitted: 10, adopted: 4, centi: if i <= 7 { 5000 } else { 1000 } })).collect();
        let people = Scoreboard::build("".into(), q, 30, &keys, &tallies);
        let units = Scoreboard::build("".into(), q, 30, &[], &BTreeMap::new());
        let n = Notice::build("林双县人民政府办公室", q, from_ymd(2027, 1, 5), &units, &units, &people);
        let named = n.awards.last().map(|a| a.names.len()).unwrap_or(0);
        assert_eq!(named, 7, "every officer tied at the boundary is named: {:?}", n.awards);
        // No tie at the boundary: exactly five.
        let tallies: BTreeMap<i64, Tally> = (1..=9).map(|i| (i, Tally { submitted: 10, adopted: 4, centi: 1000 * (10 - i) })).collect();
        let people = Scoreboard::build("".into(), q, 30, &keys, &tallies);
        let n = Notice::build("林双县人民政府办公室", q, from_ymd(2027, 1, 5), &units, &units, &people);
        assert_eq!(n.awards.last().map(|a| a.names.len()), Some(5));
    }

    #[test]
    fn the_running_total_column_says_which_year_it_counts() {
        let keys = vec![key(1, "河西镇", "", None)];
        let across = Period { from: from_ymd(2026, 12, 15), to: from_ymd(2027, 1, 10) };
        let units = Scoreboard::build(across.title(), across, 30, &keys, &BTreeMap::new());
        let n = Notice::build("林双县人民政府办公室", across, from_ymd(2027, 1, 11), &units, &units, &units);
        assert_eq!(n.unit_columns()[6], "2027年累计", "a range across a year end counts the new year only, and says so");
        let m = Period::month(2026, 11);
        let n = Notice::build("林双县人民政府办公室", m, from_ymd(2026, 12, 1), &units, &units, &units);
        assert_eq!(n.unit_columns()[6], "全年累计");
    }

    #[test]
    fn the_people_table_ends_with_the_units_penalties_and_a_total_that_matches_the_units() {
        let m = Period::month(2026, 2);
        let unit_keys = vec![key(1, "河西镇", "", None), key(2, "兰州湾镇", "", None)];
        let units_t: BTreeMap<i64, Tally> =
            [(1, Tally { submitted: 3, adopted: 1, centi: 1300 }), (2, Tally { submitted: 1, adopted: 0, centi: -900 })]
                .into_iter()
                .collect();
        let units = Scoreboard::build(m.title(), m, 30, &unit_keys, &units_t);
        let people_keys = vec![
            BoardKey { id: 7, name: "李明".into(), group: String::new(), unit: "河西镇".into(), quota: None },
            BoardKey { id: 8, name: "王芳".into(), group: String::new(), unit: "兰州湾镇".into(), quota: None },
        ];
        let people_t: BTreeMap<i64, Tally> =
            [(7, Tally { submitted: 3, adopted: 1, centi: 1300 }), (8, Tally { submitted: 1, adopted: 0, centi: 100 })]
                .into_iter()
                .collect();
        let people = Scoreboard {
            unit_only: Tally { submitted: 0, adopted: 0, centi: -1000 },
            ..Scoreboard::build(m.title(), m, 30, &people_keys, &people_t)
        };
        assert_eq!(people.total(), units.total());
        let n = Notice::build("林双县人民政府办公室", m, from_ymd(2026, 3, 2), &units, &units, &people);
        let cells = n.people_cells();
        assert_eq!(cells.len(), 4);
        assert_eq!(cells[2], vec!["", "单位扣分", "约稿未报等，不计入个人", "0", "0", "—", "-10"]);
        assert_eq!(cells[3], vec!["", "合计", "", "4", "1", "25.0%", "4"]);
        assert!(n.summary.contains("合计得分4分"), "{}", n.summary);
    }

    #[test]
    fn a_monthly_notice_has_no_awards() {
        let m = Period::month(2026, 11);
        let keys = vec![key(1, "河西镇", "", None)];
        let units = Scoreboard::build(m.title(), m, 30, &keys, &BTreeMap::new());
        let n = Notice::build("林双县人民政府办公室", m, from_ymd(2026, 12, 1), &units, &units, &units);
        assert_eq!(n.title, "关于2026年11月政务信息工作情况的月通报");
        assert!(n.awards.is_empty());
        assert_eq!(n.sections[0].class, "未分类");
        assert!(n.remarks.iter().any(|r| r == "本月未报送信息的单位：河西镇。"));
        assert!(n.summary.contains("采用率—"));
    }
}
