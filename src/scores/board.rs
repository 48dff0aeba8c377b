//! Scores (积分): the office's scoreboard for a period — by unit, ranked within each unit class,
//! or by person — where any total opens into the events behind it; the officer's card on the
//! desk (their unit and themselves this month, kept for offline reading). A row opens into its
//! events (paged) and its trend over the year. The numbers come from the server, which derives
//! them with `xinbao_core::scores`.

use crate::api;
use crate::i18n::{ui, use_i18n};
use crate::session::use_session;
use crate::util::today;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinbao_core::scores::{
    EventPage, EventRow, Period, ScoreRow, Scoreboard, TrendPoint, day_text, parse_day, points_text, rate_text, ymd,
};

fn this_month() -> Period {
    let (y, m, _) = ymd(today());
    Period::month(y, m)
}

fn query(from: &str, to: &str) -> String {
    format!("from={from}&to={to}")
}

#[component]
pub fn ScoresPage() -> impl IntoView {
    let i18n = use_i18n();
    let month = this_month();
    let from = RwSignal::new(day_text(month.from));
    let to = RwSignal::new(day_text(month.to));
    let by_person = RwSignal::new(false);
    let board = RwSignal::new(None::<Result<Scoreboard, String>>);
    // The row opened for drill-down: (id, name) and its events.
    let opened = RwSignal::new(None::<(i64, String)>);
    let events = RwSignal::new(None::<Result<EventPage, String>>);
    let trend = RwSignal::new(None::<Vec<TrendPoint>>);
    Effect::new(move |_| {
        let (f, t, p) = (from.get(), to.get(), by_person.get());
        opened.set(None);
        spawn_local(async move {
            let by = if p { "person" } else { "unit" };
            let got = api::get_json::<Scoreboard>(&format!("/api/scores?{}&by={by}", query(&f, &t))).await;
            if !board.is_disposed() {
                board.set(Some(got.map_err(|e| e.text().get(i18n.lang.get_untracked()).to_owned())));
            }
        });
    });
    // Opens a row: its events from `offset` on (a next page is appended), and its trend over
    // the year the period ends in.
    let load_events = move |id: i64, offset: u64| {
        let key = if by_person.get_untracked() { "person" } else { "unit" };
        let q = query(&from.get_untracked(), &to.get_untracked());
        spawn_local(async move {
            let got = api::get_json::<EventPage>(&format!("/api/scores/events?{q}&{key}={id}&offset={offset}")).await;
            if events.is_disposed() {
                return;
            }
            let got = got.map_err(|e| e.text().get(i18n.lang.get_untracked()).to_owned());
            match (got, events.get_untracked()) {
                (Ok(mut page), Some(Ok(mut shown))) if offset > 0 => {
                    shown.events.append(&mut page.events);
                    events.set(Some(Ok(shown)));
                }
                (got, _) => events.set(Some(got)),
            }
        });
    };
    let open = move |id: i64, name: String| {
        opened.set(Some((id, name)));
        events.set(None);
        trend.set(None);
        load_events(id, 0);
        let key = if by_person.get_untracked() { "person" } else { "unit" };
        let end = parse_day(&to.get_untracked()).unwrap_or_else(today);
        let year = Period::year(ymd(end).0);
        spawn_local(async move {
            let got = api::get_json::<Vec<TrendPoint>>(&format!(
                "/api/scores/trend?{}&{key}={id}",
                query(&day_text(year.from), &day_text(year.to))
            ))
            .await;
            if let Ok(points) = got
                && !trend.is_disposed()
            {
                trend.set(Some(points));
            }
        });
    };
    let quick = move |p: Period| {
        from.set(day_text(p.from));
        to.set(day_text(p.to));
    };
    let (y, m, _) = ymd(today());
    view! {
        <main class="page scores">
            <h2>{move || i18n.t(ui::SCORES)}</h2>
            <div class="inline-form" role="search">
                <button type="button" class="link" data-testid="period-month" on:click=move |_| quick(Period::month(y, m))>{move || i18n.t(ui::THIS_MONTH)}</button>
                <button type="button" class="link" data-testid="period-quarter" on:click=move |_| quick(Period::quarter(y, m.div_ceil(3)))>{move || i18n.t(ui::THIS_QUARTER)}</button>
                <button type="button" class="link" data-testid="period-year" on:click=move |_| quick(Period::year(y))>{move || i18n.t(ui::THIS_YEAR)}</button>
                <label>{move || i18n.t(ui::DATE_FROM)}
                    <input type="date" data-testid="scores-from" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev)) /></label>
                <label>{move || i18n.t(ui::DATE_TO)}
                    <input type="date" data-testid="scores-to" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev)) /></label>
                <select data-testid="scores-by" on:change=move |ev| by_person.set(event_target_value(&ev) == "person")>
                    <option value="unit">{move || i18n.t(ui::BY_UNIT)}</option>
                    <option value="person">{move || i18n.t(ui::BY_PERSON)}</option>
                </select>
            </div>
            {move || match board.get() {
                None => view! { <p class="muted">{i18n.t(ui::LOADING)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(b)) => view! {
                    <h3 data-testid="scores-title">{b.title.clone()}</h3>
                    <ScoreTable board=b.clone() open=open by_person=by_person.get_untracked() />
                }.into_any(),
            }}
            {move || opened.get().map(|(id, name)| view! {
                <section class="drill" data-testid="drill-down">
                    <h3>{format!("{} · {}", name, i18n.t(ui::DRILL_DOWN))}</h3>
                    {move || trend.get().map(|points| view! { <crate::scores::trend_chart::TrendChart points=points /> })}
                    {move || match events.get() {
                        None => view! { <p class="muted">{i18n.t(ui::LOADING)}</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                        Some(Ok(page)) => {
                            let (shown, total) = (page.events.len() as u64, page.total);
                            view! {
                                <EventTable events=page.events total_centi=page.total_centi />
                                {(shown < total).then(|| view! {
                                    <p class="muted small" data-testid="events-shown">{format!("{} {shown}/{total}", i18n.t(ui::SHOWN))}
                                        <button type="button" class="link" data-testid="events-more" on:click=move |_| load_events(id, shown)>{i18n.t(ui::MORE)}</button>
                                    </p>
                                })}
                            }.into_any()
                        }
                    }}
                </section>
            })}
        </main>
    }
}

#[component]
fn ScoreTable(board: Scoreboard, open: impl Fn(i64, String) + Copy + Send + Sync + 'static, by_person: bool) -> impl IntoView {
    let i18n = use_i18n();
    let (total, unit_only) = (board.total(), board.unit_only.clone());
    let rows = board.rows;
    // By person, a unit's penalty (约稿未报) is nobody's: its own line, so the people's rows
    // and it add up to the units' total.
    let unit_only = (by_person && unit_only.centi != 0).then(|| {
        view! {
            <tr data-testid="score-unit-only">
                <td></td><td>{move || i18n.t(ui::UNIT_ONLY)}</td><td>{move || i18n.t(ui::UNIT_ONLY_NOTE)}</td>
                <td></td><td></td><td></td><td>{points_text(unit_only.centi)}</td><td></td>
            </tr>
        }
    });
    view! {
        <table class="score-table" data-testid="score-table">
            <thead><tr>
                <th>{move || i18n.t(ui::RANK)}</th><th>{move || i18n.t(ui::NAME)}</th><th>{move || i18n.t(ui::GROUP)}</th>
                <th>{move || i18n.t(ui::SUBMITTED_N)}</th><th>{move || i18n.t(ui::ADOPTED_N)}</th><th>{move || i18n.t(ui::ADOPTION_RATE)}</th>
                <th>{move || i18n.t(ui::TOTAL_POINTS)}</th><th>{move || i18n.t(ui::QUOTA)}</th>
            </tr></thead>
            <tbody>{rows.into_iter().map(|r| {
                let (id, name) = (r.id, r.name.clone());
                let quota = r.quota.zip(r.quota_met()).map(|(q, met)| {
                    view! { <span class=if met { "ok" } else { "late" }>{format!("{}/{} ", r.tally.submitted, q)}{move || i18n.t(if met { ui::QUOTA_MET } else { ui::QUOTA_MISSED })}</span> }
                });
                view! {
                    <tr data-testid="score-row" class:flagged=r.under_floor>
                        <td>{r.rank}</td>
                        <td><button type="button" class="link" data-testid="score-name" on:click=move |_| open(id, name.clone())>{r.name.clone()}</button></td>
                        <td>{if by_person { r.unit.clone() } else { r.group.clone() }}</td>
                        <td>{r.tally.submitted}</td>
                        <td>{r.tally.adopted}</td>
                        <td>{rate_text(&r.tally, i18n.lang.get_untracked())}{r.under_floor.then(|| view! { <span class="late badge" data-testid="under-floor" title=move || i18n.t(ui::UNDER_FLOOR)>{move || format!(" {}", i18n.t(ui::LOW))}</span> })}</td>
                        <td data-testid="score-points">{points_text(r.tally.centi)}</td>
                        <td>{quota}</td>
                    </tr>
                }
            }).collect_view()}</tbody>
            <tfoot>
                {unit_only}
                <tr data-testid="score-total">
                    <td></td><td>{move || i18n.t(ui::TOTAL)}</td><td></td>
                    <td>{total.submitted}</td><td>{total.adopted}</td><td>{rate_text(&total, i18n.lang.get_untracked())}</td>
                    <td data-testid="score-total-points">{points_text(total.centi)}</td><td></td>
                </tr>
            </tfoot>
        </table>
    }
}

/// Events with their points; the footer shows `total_centi` (the whole row's, when the table
/// is one page of it) or the sum of what is shown.
#[component]
pub fn EventTable(events: Vec<EventRow>, #[prop(optional)] total_centi: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let total: i64 = total_centi.unwrap_or_else(|| events.iter().map(|e| e.centi).sum());
    view! {
        <table class="event-table" data-testid="event-table">
            <thead><tr>
                <th>{move || i18n.t(ui::DATE)}</th><th>{move || i18n.t(ui::ITEM)}</th><th>{move || i18n.t(ui::RULE)}</th>
                <th>{move || i18n.t(ui::POINTS)}</th><th>{move || i18n.t(ui::NOTE)}</th>
            </tr></thead>
            <tbody>{events.into_iter().map(|e| view! {
                <tr data-testid="event-row">
                    <td>{e.date.clone()}</td><td>{format!("{}（{}·{}）", e.title, e.unit, e.author)}</td>
                    <td>{move || i18n.t(e.rule.label())}</td><td>{points_text(e.centi)}</td><td>{e.note.clone()}</td>
                </tr>
            }).collect_view()}</tbody>
            <tfoot><tr><td colspan="3">{move || i18n.t(ui::TOTAL_POINTS)}</td><td data-testid="event-total">{points_text(total)}</td><td></td></tr></tfoot>
        </table>
    }
}

/// What the desk card shows, as last fetched: kept in localStorage so it reads offline.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Card {
    at: f64,
    title: String,
    unit: Option<ScoreRow>,
    units: usize,
    me: Option<ScoreRow>,
}

fn card_key(user: i64) -> String {
    format!("xinbao.scores.u{user}")
}

/// The officer's scores on the desk: their unit and themselves this month, rank and quota.
#[component]
pub fn ScoreCard() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let Some(me) = session.me.get_untracked() else { return ().into_any() };
    let key = card_key(me.user_id);
    let card = RwSignal::new(LocalStorage::get::<Card>(&key).ok());
    let cached = RwSignal::new(true);
    let month = this_month();
    spawn_local(async move {
        let q = query(&day_text(month.from), &day_text(month.to));
        let units = api::get_json::<Scoreboard>(&format!("/api/scores?{q}&by=unit")).await;
        let people = api::get_json::<Scoreboard>(&format!("/api/scores?{q}&by=person")).await;
        if let (Ok(u), Ok(p)) = (units, people) {
            let fresh = Card {
                at: crate::util::now_ms(),
                title: u.title.clone(),
                unit: u.rows.iter().find(|r| r.id == me.unit_id).cloned(),
                units: u.rows.iter().filter(|r| u.rows.iter().any(|x| x.id == me.unit_id && x.group == r.group)).count(),
                me: p.rows.iter().find(|r| r.id == me.user_id).cloned(),
            };
            let _ = LocalStorage::set(&key, &fresh);
            if !card.is_disposed() {
                card.set(Some(fresh));
                cached.set(false);
            }
        }
    });
    view! {
        <section class="score-card" data-testid="score-card">
            {move || card.get().map(|c| {
                let line = |label: &'static str, r: Option<ScoreRow>, of: Option<usize>| r.map(|r| {
                    let rank = of.map(|n| format!(" · {} {}/{}", i18n.t(ui::RANK), r.rank, n)).unwrap_or_default();
                    let quota = r.quota.map(|q| format!(" · {} {}/{}", i18n.t(ui::QUOTA), r.tally.submitted, q)).unwrap_or_default();
                    format!("{label}：{} {} · {} {} · {} {}{rank}{quota}",
                        i18n.t(ui::SUBMITTED_N), r.tally.submitted, i18n.t(ui::ADOPTED_N), r.tally.adopted,
                        i18n.t(ui::TOTAL_POINTS), points_text(r.tally.centi))
                });
                view! {
                    <p data-testid="card-unit">{line(i18n.t(ui::MY_UNIT_MONTH), c.unit.clone(), Some(c.units))}</p>
                    <p data-testid="card-me">{line(i18n.t(ui::ME_MONTH), c.me.clone(), None)}</p>
                    {move || cached.get().then(|| view! { <p class="muted small" data-testid="card-cached">{format!("{}（{}）", i18n.t(ui::CACHED_SCORES), crate::util::date_time(c.at))}</p> })}
                    <a class="link" href="/scores" data-testid="scores-link">{i18n.t(ui::SCORES)}</a>
                }
            })}
        </section>
    }
    .into_any()
}
