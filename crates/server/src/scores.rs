//! Scores (积分): the point events `xinbao_core::scores` derives from submissions, adoptions and
//! instructions, stored one row each so every total drills down; the scoreboard, its drill-down
//! and trend; and the helpers the other scoring modules share. What a fact is worth is decided
//! in `xinbao_core::scores`; who may record or read it in `xinbao_core::review`.

use crate::auth::CurrentUser;
use crate::db::{Stored, decode};
use crate::error::AppError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use sqlx::{Any, Row};
use std::collections::{BTreeMap, BTreeSet};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xinbao_core::api::{ErrorCode, Me};
use xinbao_core::item::DraftContent;
use xinbao_core::review::{Actor, DeadlineRules, Denied, UnitNode, home_office, reviewing_office};
use xinbao_core::role::Role;
use xinbao_core::scores::{
    BoardKey, BoardRules, By, Credit, EventPage, EventRow, Period, Quota, Rule, ScoreEvent, Scoreboard, ScoringTable, Source,
    SubmissionFact, Tally, TrendPoint, UnitRule, day_of, day_text, month_index, parse_day, submission_events, urgent_lateness,
};
use xinbao_core::sync::ItemState;

pub(crate) use crate::db::Tx;
pub(crate) use crate::office::{my_office, unit_nodes};

/// The author of an event that belongs to a unit and to nobody in it.
const UNIT_ONLY: i64 = xinbao_core::scores::UNIT_ONLY_AUTHOR;

/// The office's scoring table versions (none stored: the defaults).
pub async fn tables<'e, E: sqlx::Executor<'e, Database = Any>>(ex: E, office: i64) -> Result<Vec<ScoringTable>, AppError> {
    let rows =
        sqlx::query("SELECT body FROM scoring_tables WHERE office_id = $1 ORDER BY effective_from").bind(office).fetch_all(ex).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let body: String = r.try_get(0)?;
        out.push(serde_json::from_str(&body).map_err(|e| AppError::Internal(e.into()))?);
    }
    Ok(out)
}

/// Stores `events` for `office` and adds them to the monthly totals (the caller has removed
/// whatever they replace, with [`remove_events`]).
pub(crate) async fn store_events(ex: &mut sqlx::AnyConnection, office: i64, events: &[ScoreEvent]) -> Result<(), AppError> {
    refuse_closed(ex, office, events.iter().map(|e| e.day)).await?;
    insert_events(ex, office, events).await?;
    let mut sums: BTreeMap<(i32, i64, i64), (i64, i64)> = BTreeMap::new();
    for e in events {
        let s = sums.entry((month_index(e.day), e.credit.unit_id, e.credit.author_id)).or_default();
        s.0 += i64::from(e.rule == Rule::Submission);
        s.1 += e.centi;
    }
    add_to_months(ex, office, sums).await
}

/// Adds (or, negative, takes away) sums to the monthly totals, in key order (one lock order
/// for concurrent writers).
async fn add_to_months(ex: &mut sqlx::AnyConnection, office: i64, sums: BTreeMap<(i32, i64, i64), (i64, i64)>) -> Result<(), AppError> {
    use crate::db::Value::Int;
    let rows: Vec<Vec<crate::db::Value>> = sums
        .into_iter()
        .map(|((month, unit, author), (submitted, centi))| {
            vec![Int(office), Int(i64::from(month)), Int(unit), Int(author), Int(submitted), Int(centi)]
        })
        .collect();
    crate::db::insert_many_then(
        ex,
        "score_months",
        &["office_id", "month", "unit_id", "author_id", "submitted", "centi"],
        &rows,
        " ON CONFLICT (office_id, month, unit_id, author_id) DO UPDATE SET submitted = score_months.submitted + excluded.submitted, \
         centi = score_months.centi + excluded.centi",
    )
    .await?;
    Ok(())
}

/// Writes event rows only; the monthly totals must be rebuilt after ([`rebuild_months`]).
pub(crate) async fn insert_events(ex: &mut sqlx::AnyConnection, office: i64, events: &[ScoreEvent]) -> Result<(), AppError> {
    use crate::db::Value::{Int, Text};
    let rows: Vec<Vec<crate::db::Value>> = events
        .iter()
        .map(|e| {
            vec![
                Int(office),
                Int(i64::from(e.day)),
                Text(e.source.kind().to_owned()),
                Int(e.source.id()),
                Text(e.credit.item_id.clone()),
                Int(e.credit.author_id),
                Int(e.credit.unit_id),
                Text(e.rule.as_str().to_owned()),
                Int(e.centi),
                Text(e.note.clone()),
                Int(i64::from(month_index(e.day))),
            ]
        })
        .collect();
    crate::db::insert_many(
        ex,
        "score_events",
        &["office_id", "day", "source_kind", "source_id", "item_id", "author_id", "unit_id", "rule", "centi", "note", "month"],
        &rows,
    )
    .await?;
    Ok(())
}

/// Recomputes the monthly totals of `office` from its events, for months from `month` on.
pub(crate) async fn rebuild_months<E>(ex: &mut E, office: i64, month: i32) -> Result<(), AppError>
where
    for<'c> &'c mut E: sqlx::Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM score_months WHERE office_id = $1 AND month >= $2")
        .bind(office)
        .bind(i64::from(month))
        .execute(&mut *ex)
        .await?;
    sqlx::query(
        "INSERT INTO score_months (office_id, month, unit_id, author_id, submitted, centi) \
         SELECT office_id, month, unit_id, author_id, SUM(CASE WHEN rule = 'submission' THEN 1 ELSE 0 END), CAST(SUM(centi) AS BIGINT) \
         FROM score_events WHERE office_id = $1 AND month >= $2 GROUP BY office_id, month, unit_id, author_id",
    )
    .bind(office)
    .bind(i64::from(month))
    .execute(&mut *ex)
    .await?;
    Ok(())
}

/// Removes the events that `filter` (an SQL condition on `score_events`, with `$1`… bound to
/// `binds`) selects, taking them out of the monthly totals in the same transaction.
pub(crate) async fn remove_events(tx: &mut Tx, office: i64, filter: &str, binds: &[crate::db::Value]) -> Result<(), AppError> {
    let days = crate::db::bind_values(sqlx::query(&format!("SELECT DISTINCT day FROM score_events WHERE {filter}")), binds)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>(0).map(|d| d as i32))
        .collect::<Result<Vec<_>, _>>()?;
    refuse_closed(&mut **tx, office, days).await?;
    let select = format!(
        "SELECT month, unit_id, author_id, SUM(CASE WHEN rule = 'submission' THEN 1 ELSE 0 END), CAST(SUM(centi) AS BIGINT) \
         FROM score_events WHERE {filter} GROUP BY month, unit_id, author_id"
    );
    let rows = crate::db::bind_values(sqlx::query(&select), binds).fetch_all(&mut **tx).await?;
    let mut sums = BTreeMap::new();
    for r in rows {
        sums.insert((r.try_get::<i64, _>(0)? as i32, r.try_get(1)?, r.try_get(2)?), (-r.try_get::<i64, _>(3)?, -r.try_get::<i64, _>(4)?));
    }
    let delete = format!("DELETE FROM score_events WHERE {filter}");
    crate::db::bind_values(sqlx::query(&delete), binds).execute(&mut **tx).await?;
    add_to_months(tx, office, sums).await
}

/// The office's closed periods: those whose notice the section issued (签发).
pub(crate) async fn closed_periods<'e, E: sqlx::Executor<'e, Database = Any>>(ex: E, office: i64) -> Result<Vec<Period>, AppError> {
    let rows = sqlx::query("SELECT from_day, to_day FROM issued_notices WHERE office_id = $1").bind(office).fetch_all(ex).await?;
    rows.iter().map(|r| Ok(Period { from: r.try_get::<i64, _>(0)? as i32, to: r.try_get::<i64, _>(1)? as i32 })).collect()
}

/// Serialises, per office, recording a fact against issuing a notice: on PostgreSQL a
/// transaction-scoped advisory lock (SQLite's writers are one at a time already), so a fact
/// and a notice being issued never pass each other unseen.
pub(crate) async fn lock_closing(tx: &mut Tx, office: i64) -> Result<(), AppError> {
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(office).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Refuses, in words, a change to points dated on any of `days` inside a closed period: an
/// issued notice never changes (`xinbao_core::scores::closed_on`).
pub(crate) async fn ensure_open(tx: &mut Tx, office: i64, days: &[i32]) -> Result<(), AppError> {
    lock_closing(tx, office).await?;
    refuse_closed(&mut **tx, office, days.iter().copied()).await
}

/// Checks the day of an adoption or instruction of `items`: not after today, not before an
/// item's submission (`xinbao_core::scores::fact_day_problem`), not in a closed period.
pub(crate) async fn check_fact_day(tx: &mut Tx, office: i64, day: i32, items: &[String]) -> Result<(), AppError> {
    let today = day_of(crate::db::now_ms());
    for item in items {
        let submitted: Option<i64> =
            sqlx::query_scalar("SELECT day FROM submissions WHERE item_id = $1").bind(item).fetch_optional(&mut **tx).await?;
        if let Some(p) = xinbao_core::scores::fact_day_problem(day, submitted.map(|d| d as i32), today) {
            return Err(AppError::bad_request(p.zh));
        }
    }
    ensure_open(tx, office, &[day]).await
}

/// An SQL condition (` AND …` on `day`) leaving out the office's closed periods.
pub(crate) async fn outside_closed(tx: &mut Tx, office: i64) -> Result<String, AppError> {
    Ok(closed_periods(&mut **tx, office).await?.iter().map(|p| format!(" AND NOT (day BETWEEN {} AND {})", p.from, p.to)).collect())
}

/// Refuses, in words, events dated on `days` inside a closed period — the guard under every
/// write and removal of points ([`store_events`], [`remove_events`], [`replace_events`]), so no
/// path can move an issued notice's numbers, whatever it was called for.
async fn refuse_closed<E>(ex: &mut E, office: i64, days: impl IntoIterator<Item = i32>) -> Result<(), AppError>
where
    for<'c> &'c mut E: sqlx::Executor<'c, Database = Any>,
{
    let days: Vec<i32> = days.into_iter().collect();
    if days.is_empty() {
        return Ok(());
    }
    let closed = closed_periods(&mut *ex, office).await?;
    match days.iter().find_map(|d| xinbao_core::scores::closed_on(&closed, *d)) {
        Some(p) => Err(AppError::bad_request(xinbao_core::scores::closed_text(p))),
        None => Ok(()),
    }
}

/// A stored event as [`replace_events`] compares it (the rule as stored: compared, not read).
#[derive(sqlx::FromRow)]
struct EventKey {
    id: i64,
    day: i64,
    source_kind: String,
    source_id: i64,
    item_id: String,
    author_id: i64,
    unit_id: i64,
    rule: String,
    centi: i64,
}

/// Makes the events `filter` selects exactly `events`, touching only what differs (points
/// compared, notes not): scoring an item again after a new fact leaves its events in a closed
/// period alone when they come out the same, and is refused when they would move.
pub(crate) async fn replace_events(
    tx: &mut Tx,
    office: i64,
    filter: &str,
    binds: &[crate::db::Value],
    events: &[ScoreEvent],
) -> Result<(), AppError> {
    // An event as compared: its day, source, credit, rule and points (not its note).
    let key = |e: &ScoreEvent| {
        let c = &e.credit;
        (e.day, e.source.kind().to_owned(), e.source.id(), c.item_id.clone(), c.author_id, c.unit_id, e.rule.as_str().to_owned(), e.centi)
    };
    let rows = crate::db::bind_values(
        sqlx::query(&format!(
            "SELECT id, day, source_kind, source_id, item_id, author_id, unit_id, rule, centi FROM score_events WHERE {filter}"
        )),
        binds,
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut wanted: Vec<&ScoreEvent> = events.iter().collect();
    let mut gone: Vec<i64> = Vec::new();
    for r in &rows {
        let r: EventKey = decode(r, "score_events", "id")?;
        let have = (r.day as i32, r.source_kind, r.source_id, r.item_id, r.author_id, r.unit_id, r.rule, r.centi);
        match wanted.iter().position(|e| key(e) == have) {
            Some(i) => {
                wanted.swap_remove(i);
            }
            None => gone.push(r.id),
        }
    }
    if !gone.is_empty() {
        let ids = gone.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        remove_events(tx, office, &format!("id IN ({ids})"), &[]).await?;
    }
    let added: Vec<ScoreEvent> = wanted.into_iter().cloned().collect();
    store_events(tx, office, &added).await
}

/// The office's versions of the board's rules (the floor, classes and quotas), oldest first;
/// none until an administrator first changes one (the current settings then apply throughout).
pub(crate) async fn board_rules<'e, E: sqlx::Executor<'e, Database = Any>>(ex: E, office: i64) -> Result<Vec<BoardRules>, AppError> {
    let rows = sqlx::query("SELECT body FROM board_rules WHERE office_id = $1 ORDER BY effective_from").bind(office).fetch_all(ex).await?;
    rows.iter().map(|r| serde_json::from_str(&r.try_get::<String, _>(0)?).map_err(|e| AppError::Internal(e.into()))).collect()
}

/// The board's rules of `office` as they stand now, in force from `from`.
async fn rules_now<E>(ex: &mut E, office: i64, from: i32) -> Result<BoardRules, AppError>
where
    for<'c> &'c mut E: sqlx::Executor<'c, Database = Any>,
{
    let floor: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'adoption_rate_floor'").fetch_optional(&mut *ex).await?;
    let tree = unit_nodes(&mut *ex).await?;
    let rows = sqlx::query(
        "SELECT n.id, COALESCE(c.name, ''), COALESCE(c.monthly_quota, 0), COALESCE(c.weekly_per_person, 0) FROM units n \
         LEFT JOIN unit_classes c ON c.id = n.class_id",
    )
    .fetch_all(&mut *ex)
    .await?;
    let mut units = BTreeMap::new();
    for r in rows {
        let id: i64 = r.try_get(0)?;
        if reviewing_office(&tree, id) == Some(office) {
            let quota = |i: usize| r.try_get::<i64, _>(i).map(|n| n.clamp(0, i64::from(u32::MAX)) as u32);
            units.insert(id, UnitRule { class: r.try_get(1)?, monthly: quota(2)?, weekly_per_person: quota(3)? });
        }
    }
    Ok(BoardRules { effective_from: from, floor_percent: floor.and_then(|f| f.parse().ok()).unwrap_or(30), units })
}

/// Before an administrator changes the board's rules: the first time, the rules as they stand
/// are kept as the version in force from the beginning, so the past keeps them.
pub(crate) async fn keep_rules_before(tx: &mut Tx, office: i64, by: i64) -> Result<(), AppError> {
    // One change of an office's rules at a time (two servers, two administrators): each reads
    // the rules the other left.
    lock_closing(tx, office).await?;
    let any: Option<i64> =
        sqlx::query_scalar("SELECT office_id FROM board_rules WHERE office_id = $1 LIMIT 1").bind(office).fetch_optional(&mut **tx).await?;
    if any.is_none() {
        let rules = rules_now(&mut **tx, office, xinbao_core::scores::FIRST_DAY).await?;
        write_rules(tx, office, &rules, by).await?;
    }
    Ok(())
}

/// After the change: the rules as they now stand, in force from today.
pub(crate) async fn keep_rules_after(tx: &mut Tx, office: i64, by: i64) -> Result<(), AppError> {
    let today = day_of(crate::db::now_ms());
    let rules = rules_now(&mut **tx, office, today).await?;
    write_rules(tx, office, &rules, by).await
}

async fn write_rules(tx: &mut Tx, office: i64, rules: &BoardRules, by: i64) -> Result<(), AppError> {
    let body = serde_json::to_string(rules).map_err(|e| AppError::Internal(e.into()))?;
    sqlx::query("DELETE FROM board_rules WHERE office_id = $1 AND effective_from = $2")
        .bind(office)
        .bind(i64::from(rules.effective_from))
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO board_rules (office_id, effective_from, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(office)
        .bind(i64::from(rules.effective_from))
        .bind(body)
        .bind(by)
        .bind(crate::db::now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The deadline rules in force (the urgent first report's time limit).
pub(crate) async fn deadline_rules<'e, E: sqlx::Executor<'e, Database = Any>>(ex: E) -> Result<DeadlineRules, AppError> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = 'urgent_written_minutes'").fetch_optional(ex).await?;
    let minutes = row.map(|r| r.try_get::<String, _>(0)).transpose()?.and_then(|v| v.parse().ok());
    Ok(minutes.map(|m| DeadlineRules { urgent_written_minutes: m }).unwrap_or_default())
}

/// Records an item's first submission as scored events (called inside the push transaction;
/// a resubmission adds nothing): the submission, and the penalty when an urgent first report
/// comes after its deadline. Answers the office and credit under which the item answers a
/// commission (`commissions::record_answer`), when it should: at its first submission, or
/// submitted again after a withdrawal forgot its answers.
pub async fn record_submission(tx: &mut Tx, item_id: &str, content: &DraftContent, now: i64) -> Result<Option<(i64, Credit)>, AppError> {
    let Some(item) = load(tx, item_id).await? else { return Ok(None) };
    let Some(office) = item.office else { return Ok(None) };
    // Withdrawn (its answers forgotten) and submitted again, an item answers anew, as of now;
    // a returned one keeps the answer it gave.
    let submitted_before = sqlx::query("SELECT 1 FROM submissions WHERE item_id = $1").bind(item_id).fetch_optional(&mut **tx).await?;
    if submitted_before.is_some() {
        let answers = sqlx::query("SELECT 1 FROM commission_answers WHERE item_id = $1").bind(item_id).fetch_optional(&mut **tx).await?;
        return Ok(answers.is_none().then_some((office, item.credit)));
    }
    let fact = SubmissionFact {
        late_minutes: urgent_lateness(content, now, deadline_rules(&mut **tx).await?),
        credit: item.credit,
        day: day_of(now),
    };
    let first = sqlx::query(
        "INSERT INTO submissions (item_id, office_id, author_id, unit_id, day, late_minutes) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (item_id) DO NOTHING",
    )
    .bind(item_id)
    .bind(office)
    .bind(fact.credit.author_id)
    .bind(fact.credit.unit_id)
    .bind(i64::from(fact.day))
    .bind(fact.late_minutes)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if !first {
        return Ok(None);
    }
    let tables = tables(&mut **tx, office).await?;
    store_events(tx, office, &submission_events(&fact, &tables)).await?;
    Ok(Some((office, fact.credit)))
}

pub(crate) struct Loaded {
    pub credit: Credit,
    pub state: ItemState,
    pub office: Option<i64>,
    pub title: String,
}

pub(crate) async fn load(tx: &mut Tx, id: &str) -> Result<Option<Loaded>, AppError> {
    let row = sqlx::query("SELECT author_id, unit_id, state, office_id, title FROM items WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let state: String = r.try_get(2)?;
    Ok(Some(Loaded {
        credit: Credit { item_id: id.to_owned(), author_id: r.try_get(0)?, unit_id: r.try_get(1)? },
        state: crate::db::stored_at(ItemState::parse(&state), "items.state", id, &state)?,
        office: r.try_get(3)?,
        title: r.try_get(4)?,
    }))
}

pub(crate) fn denied(d: Denied) -> AppError {
    AppError::Refused(ErrorCode::Forbidden, Some(d.text().zh.to_owned()))
}

pub(crate) fn bounded(text: &str, max: usize, what: &str) -> Result<String, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AppError::bad_request(format!("请填写{what}")));
    }
    if t.chars().count() > max {
        return Err(AppError::bad_request(format!("{what}不能超过{max}字")));
    }
    Ok(t.to_owned())
}

pub(crate) fn date(text: &str) -> Result<i32, AppError> {
    parse_day(text).ok_or_else(|| AppError::bad_request("日期格式应为 2026-11-25"))
}

/// The columns of an event as drill-downs show it. A unit's penalty (a missed commission) names
/// no item and no person: those come out empty.
pub(crate) const EVENT_COLUMNS: &str = "e.id, e.day, e.item_id, COALESCE(i.title, '') AS title, COALESCE(u.display_name, '') AS author, \
     n.name AS unit, e.rule, e.centi, e.source_kind, e.source_id, e.note, \
     i.author_id AS item_author, i.office_id AS item_office, i.state AS item_state \
     FROM score_events e LEFT JOIN items i ON i.id = e.item_id LEFT JOIN users u ON u.id = e.author_id JOIN units n ON n.id = e.unit_id";

/// One score event as `me` may see it: the points are the scoreboard's, open to the office;
/// the item's title only to someone who reads the item or its points
/// ([`xinbao_core::review::Actor::may_read_scores`]) — a colleague's submission counts on the
/// unit's row without telling its title.
pub(crate) fn event_row(me: &Me, r: &sqlx::any::AnyRow) -> Result<EventRow, AppError> {
    let e: EventRecord = decode(r, "score_events", "id")?;
    let title_shown = match e.item_author {
        Some(author) => {
            // An event whose item is gone names no title anyone may not read.
            let state = match e.item_state {
                Some(s) => crate::db::stored(ItemState::parse(&s), "items.state", &s)?,
                None => ItemState::Draft,
            };
            Actor::of(me, e.item_office).may_read_scores(author == me.user_id, state)
        }
        None => true,
    };
    Ok(EventRow {
        date: day_text(e.day as i32),
        item_id: e.item_id,
        title: if title_shown { e.title } else { String::new() },
        author: e.author,
        unit: e.unit,
        rule: e.rule,
        centi: e.centi,
        source: crate::db::stored(Source::from_parts(&e.source_kind, e.source_id), "score_events.source_kind", &e.source_kind)?,
        note: e.note,
    })
}

/// A score event with what drill-downs show beside it, as [`EVENT_COLUMNS`] reads it.
#[derive(sqlx::FromRow)]
struct EventRecord {
    day: i64,
    item_id: String,
    title: String,
    author: String,
    unit: String,
    #[sqlx(try_from = "Stored<Rule>")]
    rule: Rule,
    centi: i64,
    source_kind: String,
    source_id: i64,
    note: String,
    item_author: Option<i64>,
    item_office: Option<i64>,
    item_state: Option<String>,
}

/// The period and grouping of a scoreboard request.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ScoresQuery {
    /// First day, `YYYY-MM-DD` (default: the first of this month).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today).
    pub to: Option<String>,
    /// `unit` (default) or `person`.
    pub by: Option<String>,
    /// Drill-down or trend: one unit.
    pub unit: Option<i64>,
    /// Drill-down or trend: one person.
    pub person: Option<i64>,
    /// Drill-down: events to skip (paging).
    pub offset: Option<u64>,
}

/// Events in one page of a drill-down.
const EVENTS_PER_PAGE: u64 = 500;

pub(crate) fn period(q: &ScoresQuery) -> Result<Period, AppError> {
    let today = day_of(crate::db::now_ms());
    let (y, m, _) = xinbao_core::scores::ymd(today);
    let from = match q.from.as_deref() {
        Some(f) => date(f)?,
        None => Period::month(y, m).from,
    };
    let to = match q.to.as_deref() {
        Some(t) => date(t)?,
        None => today,
    };
    if to < from || to - from > 3660 {
        return Err(AppError::bad_request("时间范围应在十年以内，且起始不晚于结束"));
    }
    Ok(Period { from, to })
}

pub(crate) async fn floor_percent(state: &AppState) -> Result<u32, AppError> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = 'adoption_rate_floor'").fetch_optional(&state.db.pool).await?;
    Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?.and_then(|v| v.parse().ok()).unwrap_or(30))
}

fn by_column(by: By) -> &'static str {
    match by {
        By::Unit => "unit_id",
        By::Person => "author_id",
    }
}

/// The SQL form of `xinbao_core::scores::tally` for one office and period, grouped by unit or
/// person: submissions and points from the monthly totals for the whole months inside the
/// period and from the events for the days at its ends; adopted items counted once each from
/// the adoption events of the whole period. `only` narrows it to one key.
pub async fn tally_sql(state: &AppState, office: i64, p: Period, by: By, only: Option<i64>) -> Result<BTreeMap<i64, Tally>, AppError> {
    let column = by_column(by);
    let narrow = if only.is_some() { format!(" AND {column} = $4") } else { String::new() };
    let (whole, edges) = p.split_months();
    let mut parts: Vec<(String, i64, i64)> = Vec::new();
    if let Some((first, last)) = whole {
        parts.push((
            format!(
                "SELECT {column}, CAST(SUM(submitted) AS BIGINT), CAST(SUM(centi) AS BIGINT) FROM score_months \
                 WHERE office_id = $1 AND month BETWEEN $2 AND $3{narrow} GROUP BY {column}"
            ),
            i64::from(first),
            i64::from(last),
        ));
    }
    for edge in edges {
        parts.push((
            format!(
                "SELECT {column}, SUM(CASE WHEN rule = 'submission' THEN 1 ELSE 0 END), CAST(SUM(centi) AS BIGINT) FROM score_events \
                 WHERE office_id = $1 AND day BETWEEN $2 AND $3{narrow} GROUP BY {column}"
            ),
            i64::from(edge.from),
            i64::from(edge.to),
        ));
    }
    parts.push((
        format!(
            "SELECT {column}, COUNT(DISTINCT item_id), 0 FROM score_events \
             WHERE office_id = $1 AND source_kind = 'adoption' AND day BETWEEN $2 AND $3{narrow} GROUP BY {column}"
        ),
        i64::from(p.from),
        i64::from(p.to),
    ));
    let last = parts.len() - 1;
    // The parts are independent reads: they run side by side on the pool's connections. Each is
    // planned for its own dates (`persistent(false)`: PostgreSQL would otherwise switch a
    // prepared statement to a generic plan after five runs, which for these ranges is 4× slower).
    let results = futures_util::future::try_join_all(parts.iter().map(|(sql, a, b)| {
        let mut q = sqlx::query(sql).persistent(false).bind(office).bind(*a).bind(*b);
        if let Some(key) = only {
            q = q.bind(key);
        }
        q.fetch_all(&state.db.pool)
    }))
    .await?;
    let mut out: BTreeMap<i64, Tally> = BTreeMap::new();
    for (i, rows) in results.into_iter().enumerate() {
        for r in rows {
            let t = out.entry(r.try_get::<i64, _>(0)?).or_default();
            let (n, centi): (i64, i64) = (r.try_get(1)?, r.try_get(2)?);
            if i == last {
                t.adopted += n.max(0) as u32;
            } else {
                t.submitted = (i64::from(t.submitted) + n).max(0) as u32;
                t.centi += centi;
            }
        }
    }
    Ok(out)
}

/// Who is on an office's scoreboard: every unit it reviews (by unit, ranked within its class,
/// with the class's monthly quota) or every officer of those units (by person, ranked together,
/// with the class's weekly minimum) — and anyone else who scored there (a unit since moved).
pub async fn board_keys(
    state: &AppState,
    tree: &[UnitNode],
    office: i64,
    by: By,
    scored: &BTreeMap<i64, Tally>,
) -> Result<Vec<BoardKey>, AppError> {
    live_board_keys(state, tree, office, by, scored).await
}

/// The board's keys under today's rules (today's classes and quotas).
async fn live_board_keys(
    state: &AppState,
    tree: &[UnitNode],
    office: i64,
    by: By,
    scored: &BTreeMap<i64, Tally>,
) -> Result<Vec<BoardKey>, AppError> {
    let units: BTreeSet<i64> = tree.iter().filter(|u| reviewing_office(tree, u.id) == Some(office)).map(|u| u.id).collect();
    let mut keys = Vec::new();
    match by {
        By::Unit => {
            let rows = sqlx::query(
                "SELECT n.id, n.name, COALESCE(c.name, ''), c.monthly_quota FROM units n LEFT JOIN unit_classes c ON c.id = n.class_id ORDER BY n.id",
            )
            .fetch_all(&state.db.pool)
            .await?;
            for r in rows {
                let id: i64 = r.try_get(0)?;
                if units.contains(&id) || scored.contains_key(&id) {
                    let quota: Option<i64> = r.try_get(3)?;
                    keys.push(BoardKey {
                        id,
                        name: r.try_get(1)?,
                        group: r.try_get(2)?,
                        unit: String::new(),
                        quota: quota.map(|q| Quota::Monthly(q.max(0) as u32)),
                    });
                }
            }
        }
        By::Person => {
            let rows = sqlx::query(
                "SELECT u.id, u.display_name, n.name, u.unit_id, u.role, c.weekly_per_person FROM users u JOIN units n ON n.id = u.unit_id \
                 LEFT JOIN unit_classes c ON c.id = n.class_id ORDER BY u.id",
            )
            .fetch_all(&state.db.pool)
            .await?;
            for r in rows {
                let (id, unit): (i64, i64) = (r.try_get(0)?, r.try_get(3)?);
                let role: String = r.try_get(4)?;
                if (units.contains(&unit) && role == "officer") || scored.contains_key(&id) {
                    let weekly: Option<i64> = r.try_get(5)?;
                    keys.push(BoardKey {
                        id,
                        name: r.try_get(1)?,
                        group: String::new(),
                        unit: r.try_get(2)?,
                        quota: weekly.filter(|w| *w > 0).map(|w| Quota::Weekly(w as u32)),
                    });
                }
            }
        }
    }
    Ok(keys)
}

/// The scoreboard of `office` for a period.
/// By person, the events that name nobody (author 0: a unit's missed commission) are no one's
/// row: they are the board's `unit_only` line, so its rows and that line add up to the units'.
pub async fn board(state: &AppState, tree: &[UnitNode], office: i64, p: Period, by: By) -> Result<Scoreboard, AppError> {
    let mut tallies = tally_sql(state, office, p, by, None).await?;
    let unit_only = if by == By::Person { tallies.remove(&UNIT_ONLY).unwrap_or_default() } else { Tally::default() };
    let mut keys = board_keys(state, tree, office, by, &tallies).await?;
    let mut floor = floor_percent(state).await?;
    // With versioned rules, the period's own: each key's class and quota in force over its
    // months, the floor in force at its end (a unit the versions do not know keeps today's).
    let versions = board_rules(&state.db.pool, office).await?;
    if let Some(at_end) = BoardRules::on(&versions, p.to) {
        floor = at_end.floor_percent;
        let live = rules_now(&mut *state.db.pool.acquire().await?, office, day_of(crate::db::now_ms())).await?;
        let unit_of: BTreeMap<i64, i64> = match by {
            By::Unit => keys.iter().map(|k| (k.id, k.id)).collect(),
            By::Person => sqlx::query("SELECT id, unit_id FROM users")
                .fetch_all(&state.db.pool)
                .await?
                .iter()
                .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_, _>>()?,
        };
        for k in &mut keys {
            let Some(unit) = unit_of.get(&k.id).copied() else { continue };
            let today = live.units.get(&unit);
            if by == By::Unit {
                k.group = BoardRules::rule_for(&versions, unit, p.to, today).map(|r| r.class.clone()).unwrap_or_default();
            }
            k.quota = BoardRules::quota_over(&versions, unit, p, by == By::Person, today).map(Quota::Fixed);
        }
    }
    Ok(Scoreboard { unit_only, ..Scoreboard::build(p.title(), p, floor, &keys, &tallies) })
}

fn by_of(q: &ScoresQuery) -> By {
    if q.by.as_deref() == Some("person") { By::Person } else { By::Unit }
}

/// `GET /api/scores`: the scoreboard of the caller's office for a period, by unit (ranked within
/// each unit class) or by person (ranked across the office). Everyone in the office's tree reads
/// it: it is what the monthly notice prints.
#[utoipa::path(get, path = "/api/scores", tag = "scores", params(ScoresQuery), responses((status = 200, body = Scoreboard)))]
pub async fn scores(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ScoresQuery>,
) -> Result<Json<Scoreboard>, AppError> {
    let p = period(&q)?;
    let tree = unit_nodes(&state.db.pool).await?;
    let office = home_office(&tree, me.unit_id).ok_or(AppError::refused(ErrorCode::NotFound))?;
    Ok(Json(board(&state, &tree, office, p, by_of(&q)).await?))
}

/// The one row a drill-down or trend asks for, if `me` may open it: officers their own unit
/// and themselves; the office's editors, signers, readers and administrators any row.
fn row_of(q: &ScoresQuery, me: &Me, office: i64) -> Result<(By, i64), AppError> {
    let (by, key) = match (q.unit, q.person) {
        (Some(u), None) => (By::Unit, u),
        (None, Some(p)) => (By::Person, p),
        _ => return Err(AppError::bad_request("请指定一个单位或一个人")),
    };
    let office_wide = me.unit_id == office && me.role != Role::Officer;
    let own = (by == By::Unit && key == me.unit_id) || (by == By::Person && key == me.user_id);
    if !office_wide && !own {
        return Err(AppError::refused(ErrorCode::Forbidden));
    }
    Ok((by, key))
}

/// `GET /api/scores/events`: the events behind one row of the scoreboard (`unit` or `person`),
/// for the same period, a page at a time, with the row's totals.
#[utoipa::path(get, path = "/api/scores/events", tag = "scores", params(ScoresQuery),
    responses((status = 200, body = EventPage), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ScoresQuery>,
) -> Result<Json<EventPage>, AppError> {
    let p = period(&q)?;
    let office = my_office(&state, &me).await?;
    let (by, key) = row_of(&q, &me, office)?;
    let column = format!("e.{}", by_column(by));
    let offset = q.offset.unwrap_or(0).min(10_000_000);
    let rows = sqlx::query(&format!(
        "SELECT {EVENT_COLUMNS} WHERE e.office_id = $1 AND {column} = $2 AND e.day BETWEEN $3 AND $4 ORDER BY e.day, e.id \
         LIMIT {EVENTS_PER_PAGE} OFFSET {offset}"
    ))
    .bind(office)
    .bind(key)
    .bind(i64::from(p.from))
    .bind(i64::from(p.to))
    .fetch_all(&state.db.pool)
    .await?;
    let totals = sqlx::query(&format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(e.centi), 0) AS BIGINT) FROM score_events e \
         WHERE e.office_id = $1 AND {column} = $2 AND e.day BETWEEN $3 AND $4"
    ))
    .bind(office)
    .bind(key)
    .bind(i64::from(p.from))
    .bind(i64::from(p.to))
    .fetch_one(&state.db.pool)
    .await?;
    Ok(Json(EventPage {
        events: rows.iter().map(|r| event_row(&me, r)).collect::<Result<Vec<_>, _>>()?,
        total: totals.try_get::<i64, _>(0)?.max(0) as u64,
        total_centi: totals.try_get(1)?,
        offset,
    }))
}

/// `GET /api/scores/trend`: one row's numbers month by month over the period (a trend chart).
/// Everyone in the office may see any row's trend: it is the scoreboard, month by month.
#[utoipa::path(get, path = "/api/scores/trend", tag = "scores", params(ScoresQuery),
    responses((status = 200, body = Vec<TrendPoint>), (status = 403, body = xinbao_core::api::ErrorBody)))]
pub async fn trend(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ScoresQuery>,
) -> Result<Json<Vec<TrendPoint>>, AppError> {
    let p = period(&q)?;
    let office = my_office(&state, &me).await?;
    let (by, key) = match (q.unit, q.person) {
        (Some(u), None) => (By::Unit, u),
        (None, Some(p)) => (By::Person, p),
        _ => return Err(AppError::bad_request("请指定一个单位或一个人")),
    };
    let mut out = Vec::new();
    for month in p.month_parts() {
        let t = tally_sql(&state, office, month, by, Some(key)).await?;
        out.push(TrendPoint {
            label: month.short_label(),
            from: day_text(month.from),
            to: day_text(month.to),
            tally: t.get(&key).cloned().unwrap_or_default(),
        });
    }
    Ok(Json(out))
}

/// This module's routes, each declared once by its handler's `#[utoipa::path]` (the path, the
/// method and the OpenAPI operation come from the same line).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(scores)).routes(routes!(events)).routes(routes!(trend))
}
