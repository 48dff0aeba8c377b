//! The wire types of adoption, instructions and scores (browser ⇄ server).

use super::calendar::*;
use super::points::*;
use crate::i18n::Text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `POST /api/items/{id}/adoptions`: the item was used in a publication. For a combined piece,
/// `with` names the other source items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAdoption {
    pub publication_id: i64,
    pub form: Form,
    /// `YYYY-MM-DD`
    pub date: String,
    /// The issue, e.g. `2026年第12期`.
    pub issue: String,
    #[serde(default)]
    pub with: Vec<String>,
}

/// An adoption record as shown on an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdoptionView {
    pub id: i64,
    pub publication: String,
    pub level: Level,
    pub form: Form,
    pub date: String,
    pub issue: String,
    /// Every source item's title (one, or several for a combined piece).
    pub items: Vec<String>,
    pub recorded_by: String,
}

/// `POST /api/items/{id}/instructions`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewInstruction {
    pub level: Level,
    pub date: String,
    /// Who instructed, e.g. `县长 王某某`.
    pub leader: String,
    pub text: String,
}

/// A leader instruction as shown on an item, with its feedback (批示反馈).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstructionView {
    pub id: i64,
    pub level: Level,
    pub date: String,
    pub leader: String,
    pub text: String,
    pub recorded_by: String,
    /// None: 待反馈.
    pub feedback: Option<String>,
}

/// `POST /api/instructions/{id}/feedback`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Feedback {
    pub note: String,
}

/// One event in a drill-down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventRow {
    pub date: String,
    pub item_id: String,
    pub title: String,
    pub author: String,
    pub unit: String,
    pub rule: Rule,
    pub centi: i64,
    pub source: Source,
    pub note: String,
}

/// `GET /api/items/{id}/scoring`: what an item earned and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemScoring {
    pub adoptions: Vec<AdoptionView>,
    pub instructions: Vec<InstructionView>,
    pub events: Vec<EventRow>,
}

/// One row of the scoreboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreRow {
    /// The rank within `group`.
    pub rank: u32,
    /// The unit's or the person's id (what a drill-down asks for).
    pub id: i64,
    pub name: String,
    /// What the row is ranked within: the unit's class (by unit); empty by person (everyone
    /// in the office is ranked together).
    pub group: String,
    /// The person's unit (by person); empty by unit.
    #[serde(default)]
    pub unit: String,
    pub tally: Tally,
    /// The quota over the period (None: no quota set).
    pub quota: Option<u32>,
    pub under_floor: bool,
}

impl ScoreRow {
    /// Whether the quota is met (None: no quota).
    pub fn quota_met(&self) -> Option<bool> {
        self.quota.map(|q| self.tally.submitted >= q)
    }
}

/// A row to be on the scoreboard, whether or not it scored: a unit or a person, the group it
/// is ranked in, its unit, and its quota rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardKey {
    pub id: i64,
    pub name: String,
    pub group: String,
    pub unit: String,
    pub quota: Option<Quota>,
}

/// `GET /api/scores`: the scoreboard for a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scoreboard {
    pub title: String,
    pub from: String,
    pub to: String,
    pub floor_percent: u32,
    pub rows: Vec<ScoreRow>,
    /// By person: the period's events that belong to a unit and to nobody in it (a missed
    /// commission's penalty, 约稿未报), shown on the board's totals line so that the people's
    /// rows plus this add up to the units' board. Zero by unit.
    #[serde(default)]
    pub unit_only: Tally,
}

impl Scoreboard {
    /// The whole board's numbers: every row, and the unit-only events (by person) — the same
    /// total whichever way the board is grouped.
    pub fn total(&self) -> Tally {
        self.rows.iter().fold(self.unit_only.clone(), |t, r| Tally {
            submitted: t.submitted + r.tally.submitted,
            adopted: t.adopted + r.tally.adopted,
            centi: t.centi + r.tally.centi,
        })
    }

    /// Rows ranked within each group (a unit class), from the tallies of every key in `keys`
    /// (keys without events get zero rows: a unit that sent nothing still appears).
    pub fn build(title: String, period: Period, floor_percent: u32, keys: &[BoardKey], tallies: &BTreeMap<i64, Tally>) -> Scoreboard {
        let by_id: BTreeMap<i64, &BoardKey> = keys.iter().map(|k| (k.id, k)).collect();
        let mut groups: BTreeMap<&str, BTreeMap<i64, Tally>> = BTreeMap::new();
        for k in keys {
            groups.entry(k.group.as_str()).or_default().insert(k.id, tallies.get(&k.id).cloned().unwrap_or_default());
        }
        let mut rows = Vec::with_capacity(keys.len());
        for (group, members) in groups {
            for (rank, id, tally) in self::rank(&members) {
                let Some(k) = by_id.get(&id) else { continue };
                let under_floor = tally.under_floor(floor_percent);
                rows.push(ScoreRow {
                    rank,
                    id,
                    name: k.name.clone(),
                    group: group.to_owned(),
                    unit: k.unit.clone(),
                    tally,
                    quota: k.quota.map(|q| q.over(period)),
                    under_floor,
                });
            }
        }
        Scoreboard { title, from: day_text(period.from), to: day_text(period.to), floor_percent, rows, unit_only: Tally::default() }
    }
}

/// A class of units (e.g. 一类乡镇) and its quotas: items a month for the unit, items a week
/// for each of its officers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitClass {
    pub id: i64,
    pub name: String,
    pub monthly_quota: u32,
    pub weekly_per_person: u32,
}

impl UnitClass {
    /// What is wrong with it, if anything.
    pub fn problem(&self) -> Option<Text> {
        let n = self.name.trim().chars().count();
        if n == 0 || n > 40 {
            Some(Text::new("类别名称应为1到40个字", "A class name has 1 to 40 characters"))
        } else if self.monthly_quota > 1000 || self.weekly_per_person > 100 {
            Some(Text::new("定额过大：每月最多1000条，每人每周最多100条", "Quota too large: at most 1000 a month, 100 a week per person"))
        } else {
            None
        }
    }
}

/// `POST /api/admin/units/{id}/class`: puts a unit in a class (None: no class, no quota).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitClassChoice {
    pub class_id: Option<i64>,
}

/// One bar of a trend chart: a month (or part of one) and its numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendPoint {
    /// `11月`
    pub label: String,
    pub from: String,
    pub to: String,
    pub tally: Tally,
}

/// `GET /api/scores/events`: one page of the events behind a row, and the row's totals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventPage {
    pub events: Vec<EventRow>,
    /// Every event of the row in the period, and their points: what the page is part of.
    pub total: u64,
    pub total_centi: i64,
    pub offset: u64,
}

/// `POST /api/admin/scoring/recompute`: apply a scoring table to the past, from its
/// `effective_from` day on — the one way to change points already scored, and audited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recompute {
    pub table: ScoringTable,
    /// Why (kept in the audit trail).
    pub reason: String,
}

/// What a recomputation changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecomputeReport {
    pub events: u64,
    pub centi_before: i64,
    pub centi_after: i64,
}

/// `POST /api/admin/publications`: a new publication (`id` 0) or a change to one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicationChange {
    pub id: i64,
    pub name: String,
    pub level: Level,
    pub kind: PubKind,
}

impl PublicationChange {
    pub fn problem(&self) -> Option<Text> {
        let n = self.name.trim().chars().count();
        (n == 0 || n > 40).then(|| Text::new("刊物名称应为1到40个字", "A publication name has 1 to 40 characters"))
    }
}

/// `POST /api/admin/scoring/floor`: the adoption-rate floor under which a unit is flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateFloor {
    /// Percent, 0–100.
    pub percent: u32,
}
