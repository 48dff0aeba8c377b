//! The points themselves: the scoring table and its versions, the events facts turn into, and
//! how events add up into tallies and the scoreboard.

use super::calendar::*;
use crate::i18n::{Lang, Text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The level a publication or a leader belongs to.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    County,
    City,
    Province,
    National,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::County, Level::City, Level::Province, Level::National];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::County => "county",
            Level::City => "city",
            Level::Province => "province",
            Level::National => "national",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Level::County => Text::new("县级", "County"),
            Level::City => Text::new("市级", "City"),
            Level::Province => Text::new("省级", "Province"),
            Level::National => Text::new("国家级", "National"),
        }
    }
}

/// How an item was used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// 全文采用
    Full,
    /// 综合采用: merged into a combined piece with other items.
    Combined,
    /// 简讯/摘编
    Brief,
}

impl Form {
    pub const ALL: [Form; 3] = [Form::Full, Form::Combined, Form::Brief];

    pub fn as_str(self) -> &'static str {
        match self {
            Form::Full => "full",
            Form::Combined => "combined",
            Form::Brief => "brief",
        }
    }

    pub fn parse(s: &str) -> Option<Form> {
        Form::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Form::Full => Text::new("全文采用", "Full text"),
            Form::Combined => Text::new("综合采用", "Combined"),
            Form::Brief => Text::new("简讯摘编", "Brief / excerpt"),
        }
    }
}

/// What kind of publication it is, which with its level decides the rule that scores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PubKind {
    /// The office's own periodical (e.g. 《林双政务信息》).
    Periodical,
    /// 每日要情
    Daily,
    /// 专报
    Special,
    /// 增刊
    Supplement,
}

impl PubKind {
    pub const ALL: [PubKind; 4] = [PubKind::Periodical, PubKind::Daily, PubKind::Special, PubKind::Supplement];

    pub fn as_str(self) -> &'static str {
        match self {
            PubKind::Periodical => "periodical",
            PubKind::Daily => "daily",
            PubKind::Special => "special",
            PubKind::Supplement => "supplement",
        }
    }

    pub fn parse(s: &str) -> Option<PubKind> {
        PubKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            PubKind::Periodical => Text::new("期刊", "Periodical"),
            PubKind::Daily => Text::new("每日要情", "Daily digest"),
            PubKind::Special => Text::new("专报", "Special report"),
            PubKind::Supplement => Text::new("增刊", "Supplement"),
        }
    }
}

/// A publication an office records adoptions in (the list is configured per office).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Publication {
    pub id: i64,
    pub name: String,
    pub level: Level,
    pub kind: PubKind,
}

/// The publications a new office starts with (an administrator edits the list).
pub fn default_publications(own: &str) -> Vec<(String, Level, PubKind)> {
    vec![
        (own.to_owned(), Level::County, PubKind::Periodical),
        ("每日要情".into(), Level::County, PubKind::Daily),
        ("专报".into(), Level::County, PubKind::Special),
        ("增刊".into(), Level::County, PubKind::Supplement),
        ("市政府信息".into(), Level::City, PubKind::Periodical),
        ("省政府信息".into(), Level::Province, PubKind::Periodical),
        ("国办信息".into(), Level::National, PubKind::Periodical),
    ]
}

/// One row of the scoring table: what earns (or costs) points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Submission,
    CountyBrief,
    CountyFull,
    CountyCombined,
    CountySpecial,
    CountySupplement,
    City,
    Province,
    National,
    InstructionCounty,
    InstructionCity,
    InstructionProvince,
    InstructionNational,
    CommissionUsed,
    CommissionMissed,
    UrgentLate,
}

impl Rule {
    pub const ALL: [Rule; 16] = [
        Rule::Submission,
        Rule::CountyBrief,
        Rule::CountyFull,
        Rule::CountyCombined,
        Rule::CountySpecial,
        Rule::CountySupplement,
        Rule::City,
        Rule::Province,
        Rule::National,
        Rule::InstructionCounty,
        Rule::InstructionCity,
        Rule::InstructionProvince,
        Rule::InstructionNational,
        Rule::CommissionUsed,
        Rule::CommissionMissed,
        Rule::UrgentLate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Submission => "submission",
            Rule::CountyBrief => "county_brief",
            Rule::CountyFull => "county_full",
            Rule::CountyCombined => "county_combined",
            Rule::CountySpecial => "county_special",
            Rule::CountySupplement => "county_supplement",
            Rule::City => "city",
            Rule::Province => "province",
            Rule::National => "national",
            Rule::InstructionCounty => "instruction_county",
            Rule::InstructionCity => "instruction_city",
            Rule::InstructionProvince => "instruction_province",
            Rule::InstructionNational => "instruction_national",
            Rule::CommissionUsed => "commission_used",
            Rule::CommissionMissed => "commission_missed",
            Rule::UrgentLate => "urgent_late",
        }
    }

    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Rule::Submission => Text::new("有效报送", "Valid submission"),
            Rule::CountyBrief => Text::new("县级简讯、摘编", "County brief / excerpt"),
            Rule::CountyFull => Text::new("县级期刊全文采用", "County periodical, full text"),
            Rule::CountyCombined => Text::new("县级综合采用（每篇来源）", "County combined piece, per source"),
            Rule::CountySpecial => Text::new("县级专报", "County special report"),
            Rule::CountySupplement => Text::new("县级增刊", "County supplement"),
            Rule::City => Text::new("市级采用", "Adopted by the city"),
            Rule::Province => Text::new("省级采用", "Adopted by the province"),
            Rule::National => Text::new("国办采用", "Adopted by the State Council office"),
            Rule::InstructionCounty => Text::new("县领导批示", "County leader instruction"),
            Rule::InstructionCity => Text::new("市领导批示", "City leader instruction"),
            Rule::InstructionProvince => Text::new("省领导批示", "Province leader instruction"),
            Rule::InstructionNational => Text::new("国务院领导批示", "State Council leader instruction"),
            Rule::CommissionUsed => Text::new("约稿按时报送并采用", "Commission answered and used"),
            Rule::CommissionMissed => Text::new("约稿未报", "Commission missed"),
            Rule::UrgentLate => Text::new("紧急信息迟报、漏报", "Urgent item late or missed"),
        }
    }

    /// The default points, in hundredths.
    pub fn default_centi(self) -> i64 {
        100 * match self {
            Rule::Submission => 1,
            Rule::CountyBrief => 2,
            Rule::CountyFull => 5,
            Rule::CountyCombined => 3,
            Rule::CountySpecial => 10,
            Rule::CountySupplement => 30,
            Rule::City => 20,
            Rule::Province => 40,
            Rule::National => 80,
            Rule::InstructionCounty => 5,
            Rule::InstructionCity => 10,
            Rule::InstructionProvince => 40,
            Rule::InstructionNational => 100,
            Rule::CommissionUsed => 5,
            Rule::CommissionMissed => -10,
            Rule::UrgentLate => -10,
        }
    }

    /// Whether the rule counts as an adoption (采用数).
    pub fn is_adoption(self) -> bool {
        matches!(
            self,
            Rule::CountyBrief
                | Rule::CountyFull
                | Rule::CountyCombined
                | Rule::CountySpecial
                | Rule::CountySupplement
                | Rule::City
                | Rule::Province
                | Rule::National
        )
    }

    /// The rule that scores a leader instruction at `level`.
    pub fn instruction(level: Level) -> Rule {
        match level {
            Level::County => Rule::InstructionCounty,
            Level::City => Rule::InstructionCity,
            Level::Province => Rule::InstructionProvince,
            Level::National => Rule::InstructionNational,
        }
    }

    /// The rule that scores an adoption in a publication of `level` and `kind`, in `form`.
    pub fn adoption(level: Level, kind: PubKind, form: Form) -> Rule {
        match (level, kind, form) {
            (Level::City, ..) => Rule::City,
            (Level::Province, ..) => Rule::Province,
            (Level::National, ..) => Rule::National,
            (Level::County, PubKind::Special, _) => Rule::CountySpecial,
            (Level::County, PubKind::Supplement, _) => Rule::CountySupplement,
            (Level::County, _, Form::Full) => Rule::CountyFull,
            (Level::County, _, Form::Combined) => Rule::CountyCombined,
            (Level::County, _, Form::Brief) => Rule::CountyBrief,
        }
    }
}

/// How a combined piece (合编) credits its source items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// Every source item gets the full value.
    #[default]
    Each,
    /// The value is divided evenly among the sources.
    Even,
}

/// One version of the scoring table, in force from `effective_from` until the next version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoringTable {
    pub effective_from: Day,
    /// Points per rule, in hundredths; a rule missing here has its default.
    pub centi: BTreeMap<Rule, i64>,
    pub split: Split,
}

impl ScoringTable {
    /// The office scoring defaults, in force from `effective_from`.
    pub fn defaults(effective_from: Day) -> ScoringTable {
        ScoringTable { effective_from, centi: Rule::ALL.into_iter().map(|r| (r, r.default_centi())).collect(), split: Split::Each }
    }

    pub fn points(&self, rule: Rule) -> i64 {
        self.centi.get(&rule).copied().unwrap_or(rule.default_centi())
    }

    /// What is wrong with this version, if anything (each value within ±1000 points).
    pub fn problem(&self) -> Option<Text> {
        if self.centi.values().any(|v| v.unsigned_abs() > 100_000) {
            return Some(Text::new("分值应在 -1000 到 1000 之间", "Points must lie between -1000 and 1000"));
        }
        if !(super::calendar::FIRST_DAY..=super::calendar::LAST_DAY).contains(&self.effective_from) {
            return Some(Text::new("生效日期应在1900年至9999年之间", "The effective date must lie between 1900 and 9999"));
        }
        None
    }
}

/// The version in force on `day`: the latest whose `effective_from` is not after it (the
/// defaults when there is none).
pub fn table_on(tables: &[ScoringTable], day: Day) -> ScoringTable {
    tables
        .iter()
        .filter(|t| t.effective_from <= day)
        .max_by_key(|t| t.effective_from)
        .cloned()
        .unwrap_or_else(|| ScoringTable::defaults(Day::MIN))
}

/// Who an item's points go to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Credit {
    pub item_id: String,
    pub author_id: i64,
    pub unit_id: i64,
}

/// What an event comes from: the one fact it can be traced back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Source {
    /// The item's first submission.
    Submission,
    /// An adoption record (its id).
    Adoption(i64),
    /// A leader instruction (its id).
    Instruction(i64),
    /// A commission (约稿, its id): an answer used, or a unit that missed it.
    Commission(i64),
}

impl Source {
    pub fn kind(self) -> &'static str {
        match self {
            Source::Submission => "submission",
            Source::Adoption(_) => "adoption",
            Source::Instruction(_) => "instruction",
            Source::Commission(_) => "commission",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Source::Submission => 0,
            Source::Adoption(id) | Source::Instruction(id) | Source::Commission(id) => id,
        }
    }

    pub fn from_parts(kind: &str, id: i64) -> Option<Source> {
        match kind {
            "submission" => Some(Source::Submission),
            "adoption" => Some(Source::Adoption(id)),
            "instruction" => Some(Source::Instruction(id)),
            "commission" => Some(Source::Commission(id)),
            _ => None,
        }
    }
}

/// One scored event: who earns how much, when, under which rule, because of what.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScoreEvent {
    pub day: Day,
    pub source: Source,
    pub credit: Credit,
    pub rule: Rule,
    pub centi: i64,
    /// Why, in words: the publication and issue, the leader, "same level already counted".
    pub note: String,
}

/// An item's first submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionFact {
    pub credit: Credit,
    pub day: Day,
    /// An urgent first report (初报) sent after its deadline: by how many minutes.
    pub late_minutes: Option<i64>,
}

/// An adoption record. A combined piece names all its source items; other forms name one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoptionFact {
    pub id: i64,
    pub items: Vec<Credit>,
    pub level: Level,
    pub kind: PubKind,
    pub form: Form,
    pub day: Day,
    /// The publication and issue, e.g. `《林双政务信息》2026年第12期`.
    pub label: String,
}

/// A leader instruction on an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionFact {
    pub id: i64,
    pub credit: Credit,
    pub level: Level,
    pub day: Day,
    pub leader: String,
}

/// A submission scores once; an urgent first report sent late also costs the penalty, as an
/// event of its own that says by how much it was late.
pub fn submission_events(fact: &SubmissionFact, tables: &[ScoringTable]) -> Vec<ScoreEvent> {
    let table = table_on(tables, fact.day);
    let event = |rule: Rule, note: String| ScoreEvent {
        day: fact.day,
        source: Source::Submission,
        credit: fact.credit.clone(),
        rule,
        centi: table.points(rule),
        note,
    };
    let mut out = vec![event(Rule::Submission, String::new())];
    if let Some(minutes) = fact.late_minutes {
        out.push(event(Rule::UrgentLate, format!("初报超过时限 {minutes} 分钟")));
    }
    out
}

/// How late an urgent first report is when submitted at `submitted_ms` (None: on time, or not
/// an urgent first report). The deadline runs from the event time (`review::DeadlineRules`).
pub fn urgent_lateness(content: &crate::item::DraftContent, submitted_ms: i64, rules: crate::review::DeadlineRules) -> Option<i64> {
    if content.item_type != crate::item::ItemType::Urgent || content.stage != crate::item::ReportStage::Initial {
        return None;
    }
    crate::review::urgent_minutes_left(content.event_time, submitted_ms, rules).filter(|left| *left < 0).map(|left| -left)
}

/// Splits `value` into `n` parts that add up to it exactly (the first parts take the remainder).
pub fn split_evenly(value: i64, n: usize) -> Vec<i64> {
    if n == 0 {
        return Vec::new();
    }
    let n64 = n as i64;
    let (base, rem) = (value.div_euclid(n64), value.rem_euclid(n64));
    (0..n64).map(|i| base + i64::from(i < rem)).collect()
}

/// The events of one adoption: one per credited item. A combined piece credits every source by
/// the table's [`Split`] rule; a source named twice counts once.
pub fn adoption_events(fact: &AdoptionFact, tables: &[ScoringTable]) -> Vec<ScoreEvent> {
    let table = table_on(tables, fact.day);
    let rule = Rule::adoption(fact.level, fact.kind, fact.form);
    let value = table.points(rule);
    let items: Vec<&Credit> = fact.items.iter().collect::<BTreeSet<_>>().into_iter().collect();
    let parts =
        if fact.form == Form::Combined && table.split == Split::Even { split_evenly(value, items.len()) } else { vec![value; items.len()] };
    let note = if fact.form == Form::Combined && items.len() > 1 {
        format!("{} · {} · {}篇合编", fact.label, fact.form.label().zh, items.len())
    } else {
        format!("{} · {}", fact.label, fact.form.label().zh)
    };
    items
        .into_iter()
        .zip(parts)
        .map(|(credit, centi)| ScoreEvent {
            day: fact.day,
            source: Source::Adoption(fact.id),
            credit: credit.clone(),
            rule,
            centi,
            note: note.clone(),
        })
        .collect()
}

/// The events of the leader instructions on one item: the same level counts once — the
/// earliest (by day, then record) scores, a later one at that level is recorded with 0 points
/// and says why.
pub fn instruction_events(facts: &[InstructionFact], tables: &[ScoringTable]) -> Vec<ScoreEvent> {
    let mut ordered: Vec<&InstructionFact> = facts.iter().collect();
    ordered.sort_by_key(|f| (f.credit.item_id.clone(), f.day, f.id));
    let mut counted: BTreeSet<(String, Level)> = BTreeSet::new();
    ordered
        .into_iter()
        .map(|f| {
            let rule = Rule::instruction(f.level);
            let first = counted.insert((f.credit.item_id.clone(), f.level));
            let (centi, note) = if first {
                (table_on(tables, f.day).points(rule), f.leader.clone())
            } else {
                (0, format!("{}（同级批示只计一次）", f.leader))
            };
            ScoreEvent { day: f.day, source: Source::Instruction(f.id), credit: f.credit.clone(), rule, centi, note }
        })
        .collect()
}

/// The scoring facts of a commission: answers in time that were used (an item, the day of its
/// first adoption), and units asked that missed the deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommissionFact {
    pub id: i64,
    pub topic: String,
    pub deadline: Day,
    pub used: Vec<(Credit, Day)>,
    pub missed: Vec<i64>,
}

/// The events of one commission: +points per used answer, −points per unit that missed it (a
/// unit's penalty names no item and no person).
pub fn commission_events(fact: &CommissionFact, tables: &[ScoringTable]) -> Vec<ScoreEvent> {
    let mut out: Vec<ScoreEvent> = fact
        .used
        .iter()
        .map(|(credit, day)| ScoreEvent {
            day: *day,
            source: Source::Commission(fact.id),
            credit: credit.clone(),
            rule: Rule::CommissionUsed,
            centi: table_on(tables, *day).points(Rule::CommissionUsed),
            note: format!("约稿“{}”按时报送并被采用", fact.topic),
        })
        .collect();
    out.extend(fact.missed.iter().map(|unit| ScoreEvent {
        day: fact.deadline,
        source: Source::Commission(fact.id),
        credit: Credit { item_id: String::new(), author_id: UNIT_ONLY_AUTHOR, unit_id: *unit },
        rule: Rule::CommissionMissed,
        centi: table_on(tables, fact.deadline).points(Rule::CommissionMissed),
        note: format!("约稿“{}”未按期报送", fact.topic),
    }));
    out
}

/// Every fact points come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    pub submissions: Vec<SubmissionFact>,
    pub adoptions: Vec<AdoptionFact>,
    pub instructions: Vec<InstructionFact>,
    pub commissions: Vec<CommissionFact>,
}

/// Everything scored from a set of facts.
pub fn all_events(facts: &Facts, tables: &[ScoringTable]) -> Vec<ScoreEvent> {
    let mut out: Vec<ScoreEvent> = facts.submissions.iter().flat_map(|s| submission_events(s, tables)).collect();
    out.extend(facts.adoptions.iter().flat_map(|a| adoption_events(a, tables)));
    out.extend(instruction_events(&facts.instructions, tables));
    out.extend(facts.commissions.iter().flat_map(|c| commission_events(c, tables)));
    out.sort();
    out
}

/// A row of the scoreboard: one unit's or one person's numbers for a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    /// 报送数: items first submitted in the period.
    pub submitted: u32,
    /// 采用数: distinct items adopted (at least once) in the period.
    pub adopted: u32,
    /// 总分, in hundredths.
    pub centi: i64,
}

impl Tally {
    /// 采用率 in percent (None with nothing submitted).
    pub fn rate_percent(&self) -> Option<f64> {
        (self.submitted > 0).then(|| f64::from(self.adopted) * 100.0 / f64::from(self.submitted))
    }

    /// 采用率 in tenths of a percent, rounded 四舍五入 (half up) in integers: 5/16 = 31.25% is
    /// 313, where a float formatted to one place gives 31.2. The one rounding every view and
    /// export shows ([`rate_text`]).
    pub fn rate_tenths(&self) -> Option<u64> {
        (self.submitted > 0).then(|| (u64::from(self.adopted) * 2000 + u64::from(self.submitted)) / (2 * u64::from(self.submitted)))
    }

    /// Whether the adoption rate is under `floor_percent` (a unit with no submissions is not
    /// flagged by the rate; the quota flags it).
    pub fn under_floor(&self, floor_percent: u32) -> bool {
        self.rate_percent().is_some_and(|r| r < f64::from(floor_percent))
    }
}

/// The author an event names when it belongs to a unit and to nobody in it (a missed
/// commission): by person it is the board's unit-only line ([`Scoreboard::unit_only`]), never
/// a person's row.
pub const UNIT_ONLY_AUTHOR: i64 = 0;

/// Which way to group the scoreboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Unit,
    Person,
}

/// Tallies `events` inside `period`, by unit or by person.
pub fn tally(events: &[ScoreEvent], period: Period, by: By) -> BTreeMap<i64, Tally> {
    let mut out: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut adopted: BTreeSet<(i64, &str)> = BTreeSet::new();
    for e in events.iter().filter(|e| period.contains(e.day)) {
        let key = match by {
            By::Unit => e.credit.unit_id,
            By::Person => e.credit.author_id,
        };
        let t = out.entry(key).or_default();
        t.centi += e.centi;
        if e.rule == Rule::Submission {
            t.submitted += 1;
        }
        if e.rule.is_adoption() && adopted.insert((key, e.credit.item_id.as_str())) {
            t.adopted += 1;
        }
    }
    out
}

/// Ranks rows: most points first, then most adopted, then most submitted; equal rows share a
/// rank (1, 2, 2, 4). Returns (rank, key, tally).
pub fn rank(rows: &BTreeMap<i64, Tally>) -> Vec<(u32, i64, Tally)> {
    let mut list: Vec<(i64, Tally)> = rows.iter().map(|(k, t)| (*k, t.clone())).collect();
    let order = |t: &Tally| (std::cmp::Reverse(t.centi), std::cmp::Reverse(t.adopted), std::cmp::Reverse(t.submitted));
    list.sort_by(|a, b| order(&a.1).cmp(&order(&b.1)).then(a.0.cmp(&b.0)));
    let mut out: Vec<(u32, i64, Tally)> = Vec::with_capacity(list.len());
    for (i, (key, t)) in list.into_iter().enumerate() {
        let rank = match out.last() {
            Some((r, _, prev)) if order(prev) == order(&t) => *r,
            _ => i as u32 + 1,
        };
        out.push((rank, key, t));
    }
    out
}

/// A quota rule: items a month (a unit) or items a week (a person).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quota {
    Monthly(u32),
    Weekly(u32),
    /// Already summed for the board's period from the versions in force in each of its
    /// months ([`BoardRules::quota_over`]).
    Fixed(u32),
}

impl Quota {
    /// The items due over `period`: per calendar month it touches, or per whole week in it.
    pub fn over(self, period: Period) -> u32 {
        match self {
            Quota::Monthly(n) => n * period.months(),
            Quota::Weekly(n) => n * period.weeks(),
            Quota::Fixed(n) => n,
        }
    }
}

/// Points for people: `12`, `1.5`, `-10`, `0.33`.
pub fn points_text(centi: i64) -> String {
    let sign = if centi < 0 { "-" } else { "" };
    let (whole, frac) = (centi.abs() / 100, centi.abs() % 100);
    match frac {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

/// Parses points typed by an administrator (`5`, `2.5`, `-10`) into hundredths.
pub fn parse_points(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    let v = whole.checked_mul(100)?.checked_add(frac)?;
    Some(if neg { -v } else { v })
}

/// The adoption-rate label for a tally, e.g. `25.0%`, or `—` with nothing submitted.
pub fn rate_text(t: &Tally, lang: Lang) -> String {
    match t.rate_tenths() {
        Some(r) => format!("{}.{}%", r / 10, r % 10),
        None => match lang {
            Lang::Zh | Lang::En => "—".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn credit(item: u32, author: i64, unit: i64) -> Credit {
        Credit { item_id: format!("{item:032x}"), author_id: author, unit_id: unit }
    }

    #[test]
    fn adoption_rates_round_half_up() {
        let t = |adopted, submitted| Tally { submitted, adopted, centi: 0 };
        assert_eq!(rate_text(&t(5, 16), Lang::Zh), "31.3%", "31.25 rounds up, not to even");
        assert_eq!(rate_text(&t(1, 8), Lang::Zh), "12.5%");
        assert_eq!(rate_text(&t(1, 3), Lang::Zh), "33.3%");
        assert_eq!(rate_text(&t(2, 3), Lang::Zh), "66.7%");
        assert_eq!(rate_text(&t(1, 1600), Lang::Zh), "0.1%", "0.0625 is 0.1 at one place");
        assert_eq!(rate_text(&t(0, 7), Lang::Zh), "0.0%");
        assert_eq!(rate_text(&t(7, 7), Lang::Zh), "100.0%");
        assert_eq!(rate_text(&t(0, 0), Lang::Zh), "—");
    }

    #[test]
    fn civil_dates_round_trip_and_use_china_time() {
        for day in [-1000, 0, 365, 20_000, from_ymd(2026, 2, 28), from_ymd(2024, 2, 29), from_ymd(2026, 12, 31)] {
            let (y, m, d) = ymd(day);
            assert_eq!(from_ymd(y, m, d), day);
            assert_eq!(parse_day(&day_text(day)), Some(day));
        }
        assert_eq!(day_text(from_ymd(2026, 11, 25)), "2026-11-25");
        // 2026-11-24 16:00 UTC is already the 25th in Beijing.
        let ms = (from_ymd(2026, 11, 24) as i64) * MS_PER_DAY + 16 * 3_600_000;
        assert_eq!(day_text(day_of(ms)), "2026-11-25");
        assert_eq!(day_of(day_start_ms(from_ymd(2026, 11, 25))), from_ymd(2026, 11, 25));
        assert_eq!(parse_day("2026-02-30"), None);
        assert_eq!(parse_day("2026-13-01"), None);
        assert_eq!(parse_day("明天"), None);
    }

    /// Found by schemathesis: a day far outside the calendar and the most negative points
    /// value panicked (overflow) instead of being refused.
    #[test]
    fn days_and_points_at_the_ends_of_their_types_are_refused_not_panics() {
        for day in [i32::MIN, i32::MAX, FIRST_DAY - 1, LAST_DAY + 1] {
            let _ = day_text(day);
            let mut t = ScoringTable::defaults(day);
            assert!(t.problem().is_some(), "day {day}");
            t.effective_from = from_ymd(2027, 1, 1);
            assert_eq!(t.problem(), None);
        }
        let mut t = ScoringTable::defaults(from_ymd(2027, 1, 1));
        for v in [i64::MIN, i64::MAX, 100_001, -100_001] {
            t.centi.insert(Rule::Submission, v);
            assert!(t.problem().is_some(), "{v}");
        }
        assert_eq!(ymd(LAST_DAY), (9999, 12, 31));
        assert_eq!(ymd(FIRST_DAY), (1900, 1, 1));
    }

    #[test]
    fn periods_have_their_titles_and_months() {
        assert_eq!(Period::month(2026, 11).title(), "2026年11月");
        assert_eq!(Period::quarter(2026, 4).title(), "2026年第4季度");
        assert_eq!(Period::year(2026).title(), "2026年");
        assert_eq!(Period::year(2026).months(), 12);
        assert_eq!(Period::quarter(2026, 1).months(), 3);
        assert_eq!(Period::month(2024, 2).to - Period::month(2024, 2).from, 28);
        assert_eq!(Period { from: from_ymd(2026, 11, 1), to: from_ymd(2026, 11, 25) }.title(), "2026-11-01 至 2026-11-25");
    }

    proptest! {
        /// A person who meets every month's weekly quota meets the quarter's and the year's:
        /// the quota of a period is the sum of its months', for any years.
        #[test]
        fn quotas_of_a_period_are_the_sum_of_its_months(y in 1950i32..2200, per_week in 0u32..10, per_month in 0u32..50) {
            for q in [Quota::Weekly(per_week), Quota::Monthly(per_month)] {
                let months: u32 = (1..=12).map(|m| q.over(Period::month(y, m))).sum();
                prop_assert_eq!(months, q.over(Period::year(y)));
                for quarter in 1..=4 {
                    let parts: u32 = Period::quarter(y, quarter).month_parts().into_iter().map(|p| q.over(p)).sum();
                    prop_assert_eq!(parts, q.over(Period::quarter(y, quarter)));
                }
            }
        }
    }

    #[test]
    fn quotas_count_months_touched_and_weeks_by_their_thursday() {
        let nov = Period::month(2026, 11);
        // Thursdays: November 2026 has 4 (5, 12, 19, 26), October and December 5 each; 2026
        // began on a Thursday and has 53.
        assert_eq!((nov.weeks(), Period::quarter(2026, 4).weeks(), Period::year(2026).weeks()), (4, 14, 53));
        assert_eq!(Period::year(2027).weeks(), 52);
        assert_eq!(Quota::Monthly(6).over(Period::quarter(2026, 4)), 18);
        assert_eq!(Quota::Weekly(2).over(nov), 8);
        // 1–3 November (Sunday to Tuesday) holds no Thursday; 1–5 November holds one.
        assert_eq!(Quota::Weekly(2).over(Period { from: nov.from, to: nov.from + 2 }), 0);
        assert_eq!(Quota::Weekly(2).over(Period { from: nov.from, to: nov.from + 4 }), 2);
        let parts = Period { from: from_ymd(2026, 10, 20), to: from_ymd(2026, 12, 3) }.month_parts();
        assert_eq!(
            parts.iter().map(|p| (day_text(p.from), day_text(p.to))).collect::<Vec<_>>(),
            vec![
                ("2026-10-20".to_owned(), "2026-10-31".to_owned()),
                ("2026-11-01".to_owned(), "2026-11-30".to_owned()),
                ("2026-12-01".to_owned(), "2026-12-03".to_owned()),
            ]
        );
        assert_eq!(parts.iter().map(|p| p.short_label()).collect::<Vec<_>>(), vec!["10月", "11月", "12月"]);
        assert_eq!(Period::year(2026).month_parts().len(), 12);
        assert_eq!(
            Period { from: from_ymd(2026, 3, 5), to: from_ymd(2026, 11, 2) }.year_to_date(),
            Period { from: from_ymd(2026, 1, 1), to: from_ymd(2026, 11, 2) }
        );
    }

    #[test]
    fn a_period_splits_into_whole_months_and_the_days_at_its_ends() {
        assert_eq!(
            Period::year(2026).split_months(),
            (Some((month_index(from_ymd(2026, 1, 1)), month_index(from_ymd(2026, 12, 1)))), vec![])
        );
        let odd = Period { from: from_ymd(2026, 10, 20), to: from_ymd(2026, 12, 3) };
        assert_eq!(
            odd.split_months(),
            (
                Some((month_index(from_ymd(2026, 11, 5)), month_index(from_ymd(2026, 11, 5)))),
                vec![
                    Period { from: from_ymd(2026, 10, 20), to: from_ymd(2026, 10, 31) },
                    Period { from: from_ymd(2026, 12, 1), to: from_ymd(2026, 12, 3) },
                ]
            )
        );
        let short = Period { from: from_ymd(2026, 11, 3), to: from_ymd(2026, 11, 9) };
        assert_eq!(short.split_months(), (None, vec![short]));
        assert_eq!(month_of_index(month_index(from_ymd(2024, 2, 10))), Period::month(2024, 2));
        assert_eq!(month_index(from_ymd(2026, 1, 1)), 2026 * 12);
    }

    proptest! {
        #[test]
        fn the_split_covers_the_period_exactly(from in 19_000i32..21_000, len in 0i32..800) {
            let p = Period { from, to: from + len };
            let (whole, edges) = p.split_months();
            let mut days: Vec<i32> = edges.iter().flat_map(|e| e.from..=e.to).collect();
            if let Some((a, b)) = whole {
                for m in a..=b { let w = month_of_index(m); days.extend(w.from..=w.to); }
            }
            days.sort();
            prop_assert_eq!(days, (p.from..=p.to).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_late_urgent_first_report_costs_the_penalty_as_its_own_event() {
        use crate::item::{DraftContent, ItemType, ReportStage};
        use crate::review::DeadlineRules;
        let event = 1_780_000_000_000;
        let content = DraftContent { item_type: ItemType::Urgent, event_time: Some(event), ..DraftContent::default() };
        let rules = DeadlineRules { urgent_written_minutes: 60 };
        assert_eq!(urgent_lateness(&content, event + 59 * 60_000, rules), None);
        assert_eq!(urgent_lateness(&content, event + 75 * 60_000, rules), Some(15));
        let follow_up = DraftContent { stage: ReportStage::FollowUp(1), ..content.clone() };
        assert_eq!(urgent_lateness(&follow_up, event + 75 * 60_000, rules), None, "only the first report has the deadline");
        let dynamic = DraftContent { item_type: ItemType::Dynamic, ..content };
        assert_eq!(urgent_lateness(&dynamic, event + 75 * 60_000, rules), None);
        let fact = SubmissionFact { credit: credit(1, 1, 1), day: 10, late_minutes: Some(15) };
        let events = submission_events(&fact, &[]);
        assert_eq!(events.iter().map(|e| (e.rule, e.centi)).collect::<Vec<_>>(), vec![(Rule::Submission, 100), (Rule::UrgentLate, -1000)]);
        assert!(events[1].note.contains("15 分钟"));
        let t = tally(&events, Period { from: 0, to: 20 }, By::Unit);
        assert_eq!(t.get(&1).map(|t| (t.submitted, t.centi)), Some((1, -900)), "the penalty is not a second submission");
    }

    #[test]
    fn the_default_table_is_the_one_in_the_domain() {
        let t = ScoringTable::defaults(0);
        assert_eq!(t.points(Rule::CountyFull), 500);
        assert_eq!(t.points(Rule::National), 8000);
        assert_eq!(t.points(Rule::InstructionNational), 10_000);
        assert_eq!(t.points(Rule::CommissionMissed), -1000);
        assert_eq!(Rule::adoption(Level::County, PubKind::Periodical, Form::Brief), Rule::CountyBrief);
        assert_eq!(Rule::adoption(Level::County, PubKind::Special, Form::Full), Rule::CountySpecial);
        assert_eq!(Rule::adoption(Level::Province, PubKind::Periodical, Form::Combined), Rule::Province);
        for r in Rule::ALL {
            assert_eq!(Rule::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn a_combined_piece_credits_each_source_or_splits_evenly() {
        let fact = AdoptionFact {
            id: 1,
            items: vec![credit(1, 1, 10), credit(2, 2, 10), credit(3, 3, 11)],
            level: Level::County,
            kind: PubKind::Periodical,
            form: Form::Combined,
            day: 100,
            label: "《林双政务信息》2026年第1期".into(),
        };
        let each = adoption_events(&fact, &[]);
        assert_eq!(each.iter().map(|e| e.centi).collect::<Vec<_>>(), vec![300, 300, 300]);
        let even_table = ScoringTable { split: Split::Even, ..ScoringTable::defaults(0) };
        let even = adoption_events(&fact, &[even_table]);
        assert_eq!(even.iter().map(|e| e.centi).collect::<Vec<_>>(), vec![100, 100, 100]);
        assert!(even[0].note.contains("3篇合编"));
        assert_eq!(split_evenly(500, 3), vec![167, 167, 166]);
    }

    #[test]
    fn points_are_shown_and_typed_in_plain_numbers() {
        assert_eq!(points_text(500), "5");
        assert_eq!(points_text(150), "1.5");
        assert_eq!(points_text(33), "0.33");
        assert_eq!(points_text(-1000), "-10");
        assert_eq!(parse_points("2.5"), Some(250));
        assert_eq!(parse_points("-10"), Some(-1000));
        assert_eq!(parse_points("0.33"), Some(33));
        assert_eq!(parse_points("1.234"), None);
        assert_eq!(parse_points("五"), None);
        assert_eq!(parse_points(""), None);
    }

    #[test]
    fn ties_share_a_rank() {
        let rows: BTreeMap<i64, Tally> = [
            (1, Tally { submitted: 5, adopted: 2, centi: 1500 }),
            (2, Tally { submitted: 5, adopted: 2, centi: 1500 }),
            (3, Tally { submitted: 9, adopted: 1, centi: 2000 }),
            (4, Tally { submitted: 1, adopted: 0, centi: 100 }),
        ]
        .into_iter()
        .collect();
        let ranks: Vec<(u32, i64)> = rank(&rows).into_iter().map(|(r, k, _)| (r, k)).collect();
        assert_eq!(ranks, vec![(1, 3), (2, 1), (2, 2), (4, 4)]);
    }

    fn arb_credit() -> impl Strategy<Value = Credit> {
        (0u32..12, 1i64..5).prop_map(|(item, author)| credit(item, author, author % 2))
    }

    fn arb_facts() -> impl Strategy<Value = (Vec<SubmissionFact>, Vec<AdoptionFact>, Vec<InstructionFact>)> {
        let subs = proptest::collection::vec((arb_credit(), 0i32..90, proptest::option::of(1i64..600)), 0..10)
            .prop_map(|v| v.into_iter().map(|(credit, day, late_minutes)| SubmissionFact { credit, day, late_minutes }).collect());
        let level = proptest::sample::select(Level::ALL.to_vec());
        let kind = proptest::sample::select(PubKind::ALL.to_vec());
        let form = proptest::sample::select(Form::ALL.to_vec());
        let adopts = proptest::collection::vec((proptest::collection::vec(arb_credit(), 1..4), level.clone(), kind, form, 0i32..90), 0..10)
            .prop_map(|v| {
                v.into_iter()
                    .enumerate()
                    .map(|(i, (items, level, kind, form, day))| AdoptionFact {
                        id: i as i64 + 1,
                        items,
                        level,
                        kind,
                        form,
                        day,
                        label: String::new(),
                    })
                    .collect()
            });
        let instr = proptest::collection::vec((arb_credit(), level, 0i32..90), 0..8).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (credit, level, day))| InstructionFact { id: i as i64 + 1, credit, level, day, leader: "李县长".into() })
                .collect()
        });
        (subs, adopts, instr)
    }

    fn facts(s: &[SubmissionFact], a: &[AdoptionFact], i: &[InstructionFact]) -> Facts {
        Facts { submissions: s.to_vec(), adoptions: a.to_vec(), instructions: i.to_vec(), commissions: Vec::new() }
    }

    fn tables() -> Vec<ScoringTable> {
        let mut later = ScoringTable::defaults(45);
        later.centi.insert(Rule::CountyFull, 800);
        later.centi.insert(Rule::InstructionCounty, 700);
        later.split = Split::Even;
        vec![ScoringTable::defaults(0), later]
    }

    proptest! {
        #[test]
        fn totals_are_the_sum_of_their_events((s, a, i) in arb_facts()) {
            let events = all_events(&facts(&s, &a, &i), &tables());
            let period = Period { from: 0, to: 89 };
            for by in [By::Unit, By::Person] {
                let rows = tally(&events, period, by);
                let total: i64 = rows.values().map(|t| t.centi).sum();
                prop_assert_eq!(total, events.iter().map(|e| e.centi).sum::<i64>());
                let submitted: u32 = rows.values().map(|t| t.submitted).sum();
                prop_assert_eq!(submitted as usize, s.len());
            }
        }

        #[test]
        fn recording_order_does_not_change_totals((s, a, i) in arb_facts(), seed in any::<u64>()) {
            let before = tally(&all_events(&facts(&s, &a, &i), &tables()), Period { from: 0, to: 89 }, By::Person);
            let (mut s2, mut a2, mut i2) = (s.clone(), a.clone(), i.clone());
            // A deterministic shuffle from the seed (rotations and reversal).
            let k = seed as usize;
            if !s2.is_empty() { let n = k % s2.len(); s2.rotate_left(n); }
            if !a2.is_empty() { let n = (k / 7) % a2.len(); a2.rotate_left(n); }
            if seed % 2 == 0 { i2.reverse(); a2.reverse(); }
            let after = tally(&all_events(&facts(&s2, &a2, &i2), &tables()), Period { from: 0, to: 89 }, By::Person);
            prop_assert_eq!(before, after);
        }

        #[test]
        fn the_same_leader_level_counts_once(c in arb_credit(), level in proptest::sample::select(Level::ALL.to_vec()), days in proptest::collection::vec(0i32..90, 1..5)) {
            let facts: Vec<InstructionFact> = days.iter().enumerate()
                .map(|(n, d)| InstructionFact { id: n as i64 + 1, credit: c.clone(), level, day: *d, leader: "领导".into() })
                .collect();
            let events = instruction_events(&facts, &tables());
            prop_assert_eq!(events.len(), facts.len());
            prop_assert_eq!(events.iter().filter(|e| e.centi != 0).count(), 1);
            let first = days.iter().min().copied().unwrap_or(0);
            prop_assert_eq!(events.iter().find(|e| e.centi != 0).map(|e| e.day), Some(first));
        }

        #[test]
        fn a_rule_change_leaves_earlier_periods_alone((s, a, i) in arb_facts(), from in 1i32..90, points in -5000i64..5000) {
            let old = vec![ScoringTable::defaults(0)];
            let mut newer = old.clone();
            let mut version = ScoringTable::defaults(from);
            for r in Rule::ALL { version.centi.insert(r, points); }
            version.split = Split::Even;
            newer.push(version);
            let before: Vec<ScoreEvent> = all_events(&facts(&s, &a, &i), &old).into_iter().filter(|e| e.day < from).collect();
            let after: Vec<ScoreEvent> = all_events(&facts(&s, &a, &i), &newer).into_iter().filter(|e| e.day < from).collect();
            prop_assert_eq!(before, after);
        }

        #[test]
        fn an_even_split_adds_up_to_the_whole(value in -100_000i64..100_000, n in 1usize..20) {
            let parts = split_evenly(value, n);
            prop_assert_eq!(parts.len(), n);
            prop_assert_eq!(parts.iter().sum::<i64>(), value);
            prop_assert!(parts.iter().max().unwrap_or(&0) - parts.iter().min().unwrap_or(&0) <= 1);
        }
    }
}
