//! Administration of scoring: unit classes with their quotas and which unit is in which; the
//! office's publications; the adoption-rate floor; the scoring table's versions — a new one from a future day, or, as a separate and audited step
//! with a reason, one applied to the past (every point from that day on scored again).

use crate::api;
use crate::api::failure;
use crate::i18n::{ui, use_i18n};
use crate::util::today;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinbao_core::api::UnitInfo;
use xinbao_core::scores::{
    Level, PubKind, Publication, PublicationChange, RateFloor, Recompute, RecomputeReport, Rule, Scoreboard, ScoringTable, Split,
    UnitClass, UnitClassChoice, day_text, parse_day, parse_points, points_text,
};

/// Unit classes (一类乡镇 …) and their quotas, and the class of each unit.
#[component]
pub fn ClassesSection(units: RwSignal<Vec<UnitInfo>>, reload_units: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let classes = RwSignal::new(Vec::<UnitClass>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    spawn_local(async move {
        if let Ok(list) = api::get_json::<Vec<UnitClass>>("/api/admin/classes").await
            && !classes.is_disposed()
        {
            classes.set(list);
        }
    });
    let save = move |c: UnitClass| {
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            match api::post_json::<_, Vec<UnitClass>>("/api/admin/classes", &c).await {
                Ok(list) => {
                    classes.set(list);
                    message.set(Some((true, i18n.t(ui::SETTINGS_SAVED).to_owned())));
                }
                Err(e) => message.set(Some((false, failure(e, lang)))),
            }
        });
    };
    let assign = move |unit: i64, class_id: Option<i64>| {
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            match api::post_json::<_, UnitClassChoice>(&format!("/api/admin/units/{unit}/class"), &UnitClassChoice { class_id }).await {
                Ok(_) => {
                    message.set(Some((true, i18n.t(ui::SETTINGS_SAVED).to_owned())));
                    reload_units();
                }
                Err(e) => message.set(Some((false, failure(e, lang)))),
            }
        });
    };
    let (name, monthly, weekly) = (RwSignal::new(String::new()), RwSignal::new(String::from("6")), RwSignal::new(String::from("1")));
    let number = |s: RwSignal<String>| s.get_untracked().trim().parse::<u32>().ok();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match (number(monthly), number(weekly)) {
            (Some(m), Some(w)) => save(UnitClass { id: 0, name: name.get_untracked(), monthly_quota: m, weekly_per_person: w }),
            _ => message.set(Some((false, i18n.t(ui::QUOTA_NUMBER).to_owned()))),
        }
    };
    view! {
        <section aria-labelledby="classes-head" data-testid="classes">
            <h3 id="classes-head">{move || i18n.t(ui::UNIT_CLASSES)}</h3>
            <table class="receipt-table">
                <thead><tr><th>{move || i18n.t(ui::NAME)}</th><th>{move || i18n.t(ui::MONTHLY_QUOTA)}</th><th>{move || i18n.t(ui::WEEKLY_QUOTA)}</th></tr></thead>
                <tbody>{move || classes.get().into_iter().map(|c| {
                    let (m, w) = (RwSignal::new(c.monthly_quota.to_string()), RwSignal::new(c.weekly_per_person.to_string()));
                    let c2 = c.clone();
                    view! {
                        <tr data-testid="class-row">
                            <td>{c.name.clone()}</td>
                            <td><input type="number" min="0" aria-label=i18n.t(ui::MONTHLY_QUOTA) prop:value=move || m.get() on:input=move |ev| m.set(event_target_value(&ev)) /></td>
                            <td><input type="number" min="0" aria-label=i18n.t(ui::WEEKLY_QUOTA) prop:value=move || w.get() on:input=move |ev| w.set(event_target_value(&ev)) /></td>
                            <td><button type="button" class="link" on:click=move |_| match (number(m), number(w)) {
                                (Some(mq), Some(wq)) => save(UnitClass { monthly_quota: mq, weekly_per_person: wq, ..c2.clone() }),
                                _ => message.set(Some((false, i18n.t(ui::QUOTA_NUMBER).to_owned()))),
                            }>{i18n.t(ui::SAVE)}</button></td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
            <p class="muted small" data-testid="quota-rule">{move || i18n.t(ui::QUOTA_RULE)}</p>
            <form class="inline-form" on:submit=add data-testid="new-class">
                <input placeholder=move || i18n.t(ui::CLASS_NAME) aria-label=move || i18n.t(ui::CLASS_NAME) data-testid="class-name" on:input=move |ev| name.set(event_target_value(&ev)) />
                <label>{move || i18n.t(ui::MONTHLY_QUOTA)}<input type="number" min="0" data-testid="class-monthly" prop:value=move || monthly.get() on:input=move |ev| monthly.set(event_target_value(&ev)) /></label>
                <label>{move || i18n.t(ui::WEEKLY_QUOTA)}<input type="number" min="0" data-testid="class-weekly" prop:value=move || weekly.get() on:input=move |ev| weekly.set(event_target_value(&ev)) /></label>
                <button type="submit" class="primary" data-testid="add-class">{move || i18n.t(ui::ADD_CLASS)}</button>
            </form>
            <ul class="unit-classes">{move || {
                let list = classes.get();
                units.get().into_iter().filter(|u| u.kind != "office").map(|u| {
                    let id = u.id;
                    view! {
                        <li data-testid="unit-class">{u.name.clone()}
                            <select aria-label=i18n.t(ui::UNIT_CLASSES) on:change=move |ev| assign(id, event_target_value(&ev).parse().ok())>
                                <option value="" selected=u.class_id.is_none()>{i18n.t(ui::NO_CLASS)}</option>
                                {list.iter().map(|c| view! { <option value=c.id.to_string() selected=u.class_id == Some(c.id)>{c.name.clone()}</option> }).collect_view()}
                            </select>
                        </li>
                    }
                }).collect_view()
            }}</ul>
            {move || message.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } data-testid="classes-message">{t}</p> })}
        </section>
    }
}

/// The scoring table: the versions in force, and a new version — from a future day, or
/// applied to the past with a reason.
#[component]
pub fn ScoringSection() -> impl IntoView {
    let i18n = use_i18n();
    let versions = RwSignal::new(Vec::<ScoringTable>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    // The draft version: points as typed, per rule.
    let draft = RwSignal::new(Vec::<(Rule, RwSignal<String>)>::new());
    let split = RwSignal::new(Split::Each);
    let from = RwSignal::new(day_text(today() + 1));
    let reason = RwSignal::new(String::new());
    let fill = move |list: &[ScoringTable]| {
        let last = list.last().cloned().unwrap_or_else(|| ScoringTable::defaults(0));
        draft.set(Rule::ALL.into_iter().map(|r| (r, RwSignal::new(points_text(last.points(r))))).collect());
        split.set(last.split);
    };
    spawn_local(async move {
        if let Ok(list) = api::get_json::<Vec<ScoringTable>>("/api/admin/scoring").await
            && !versions.is_disposed()
        {
            fill(&list);
            versions.set(list);
        }
    });
    let table = move || -> Result<ScoringTable, String> {
        let day = parse_day(&from.get_untracked()).ok_or_else(|| i18n.t(ui::DATE_FORMAT).to_owned())?;
        let mut t = ScoringTable::defaults(day);
        t.split = split.get_untracked();
        for (rule, text) in draft.get_untracked() {
            let v =
                parse_points(&text.get_untracked()).ok_or_else(|| format!("{}：{}", i18n.t(rule.label()), i18n.t(ui::POINTS_NUMBER)))?;
            t.centi.insert(rule, v);
        }
        Ok(t)
    };
    let save = move |_| {
        let lang = i18n.lang.get_untracked();
        match table() {
            Err(e) => message.set(Some((false, e))),
            Ok(t) => spawn_local(async move {
                match api::post_json::<_, Vec<ScoringTable>>("/api/admin/scoring", &t).await {
                    Ok(list) => {
                        versions.set(list);
                        message.set(Some((true, i18n.t(ui::SETTINGS_SAVED).to_owned())));
                    }
                    Err(e) => message.set(Some((false, failure(e, lang)))),
                }
            }),
        }
    };
    let recompute = move |_| {
        let lang = i18n.lang.get_untracked();
        match table() {
            Err(e) => message.set(Some((false, e))),
            Ok(t) => {
                let body = Recompute { table: t, reason: reason.get_untracked() };
                spawn_local(async move {
                    match api::post_json::<_, RecomputeReport>("/api/admin/scoring/recompute", &body).await {
                        Ok(r) => {
                            message.set(Some((
                                true,
                                format!(
                                    "{}：{} {} · {} → {}",
                                    i18n.t(ui::RECOMPUTED),
                                    r.events,
                                    i18n.t(ui::EVENTS),
                                    points_text(r.centi_before),
                                    points_text(r.centi_after)
                                ),
                            )));
                            if let Ok(list) = api::get_json::<Vec<ScoringTable>>("/api/admin/scoring").await {
                                versions.set(list);
                            }
                        }
                        Err(e) => message.set(Some((false, failure(e, lang)))),
                    }
                });
            }
        }
    };
    view! {
        <section aria-labelledby="scoring-head" data-testid="scoring">
            <h3 id="scoring-head">{move || i18n.t(ui::SCORING_TABLE)}</h3>
            <p class="muted small">{move || versions.get().iter().map(|v| if v.effective_from <= 0 { i18n.t(ui::DEFAULTS).to_owned() } else { day_text(v.effective_from) }).collect::<Vec<_>>().join(" · ")}</p>
            <table class="receipt-table">
                <tbody>{move || draft.get().into_iter().map(|(rule, text)| view! {
                    <tr data-testid="rule-row"><td>{i18n.t(rule.label())}</td>
                        <td><input data-testid=format!("rule-{}", rule.as_str()) aria-label=i18n.t(rule.label()) prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) /></td></tr>
                }).collect_view()}</tbody>
            </table>
            <div class="inline-form">
                <label>{move || i18n.t(ui::COMBINED_SPLIT)}
                    <select data-testid="split" on:change=move |ev| split.set(if event_target_value(&ev) == "even" { Split::Even } else { Split::Each })>
                        <option value="each" selected=move || split.get() == Split::Each>{move || i18n.t(ui::SPLIT_EACH)}</option>
                        <option value="even" selected=move || split.get() == Split::Even>{move || i18n.t(ui::SPLIT_EVEN)}</option>
                    </select>
                </label>
                <label>{move || i18n.t(ui::EFFECTIVE_FROM)}<input type="date" data-testid="effective-from" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev)) /></label>
                <button type="button" class="primary" data-testid="save-table" on:click=save>{move || i18n.t(ui::SAVE_VERSION)}</button>
            </div>
            <div class="inline-form">
                <input data-testid="recompute-reason" placeholder=move || i18n.t(ui::RECOMPUTE_REASON) aria-label=move || i18n.t(ui::RECOMPUTE_REASON)
                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                <button type="button" class="secondary" data-testid="recompute" on:click=recompute>{move || i18n.t(ui::RECOMPUTE)}</button>
            </div>
            <p class="muted small">{move || i18n.t(ui::RECOMPUTE_HINT)}</p>
            {move || message.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } data-testid="scoring-admin-message">{t}</p> })}
        </section>
    }
}

/// The office's publications (own periodical, 每日要情, the city's …) with level and kind, and
/// the adoption-rate floor.
#[component]
pub fn PublicationsSection() -> impl IntoView {
    let i18n = use_i18n();
    let list = RwSignal::new(Vec::<Publication>::new());
    let floor = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    spawn_local(async move {
        if let Ok(p) = api::get_json::<Vec<Publication>>("/api/publications").await
            && !list.is_disposed()
        {
            list.set(p);
        }
        if let Ok(b) = api::get_json::<Scoreboard>("/api/scores").await
            && !floor.is_disposed()
        {
            floor.set(b.floor_percent.to_string());
        }
    });
    let save = move |c: PublicationChange| {
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            match api::post_json::<_, Vec<Publication>>("/api/admin/publications", &c).await {
                Ok(p) => {
                    list.set(p);
                    message.set(Some((true, i18n.t(ui::SETTINGS_SAVED).to_owned())));
                }
                Err(e) => message.set(Some((false, failure(e, lang)))),
            }
        });
    };
    let save_floor = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = i18n.lang.get_untracked();
        let Ok(percent) = floor.get_untracked().trim().parse::<u32>() else {
            message.set(Some((false, i18n.t(ui::FLOOR_NUMBER).to_owned())));
            return;
        };
        spawn_local(async move {
            match api::post_json::<_, RateFloor>("/api/admin/scoring/floor", &RateFloor { percent }).await {
                Ok(_) => message.set(Some((true, i18n.t(ui::SETTINGS_SAVED).to_owned()))),
                Err(e) => message.set(Some((false, failure(e, lang)))),
            }
        });
    };
    let (name, level, kind) = (RwSignal::new(String::new()), RwSignal::new(Level::County), RwSignal::new(PubKind::Periodical));
    let level_select = move |now: Level, on: Box<dyn Fn(Level) + Send + Sync>| {
        view! {
            <select aria-label=i18n.t(ui::LEVEL) on:change=move |ev| on(Level::parse(&event_target_value(&ev)).unwrap_or(Level::County))>
                {Level::ALL.into_iter().map(|l| view! { <option value=l.as_str() selected=l == now>{i18n.t(l.label())}</option> }).collect_view()}
            </select>
        }
    };
    let kind_select = move |now: PubKind, on: Box<dyn Fn(PubKind) + Send + Sync>| {
        view! {
            <select aria-label=i18n.t(ui::PUB_KIND) on:change=move |ev| on(PubKind::parse(&event_target_value(&ev)).unwrap_or(PubKind::Periodical))>
                {PubKind::ALL.into_iter().map(|k| view! { <option value=k.as_str() selected=k == now>{i18n.t(k.label())}</option> }).collect_view()}
            </select>
        }
    };
    view! {
        <section aria-labelledby="publications-head" data-testid="publications">
            <h3 id="publications-head">{move || i18n.t(ui::PUBLICATIONS)}</h3>
            <ul>{move || list.get().into_iter().map(|p| {
                let (a, b) = (p.clone(), p.clone());
                view! {
                    <li data-testid="publication">{p.name.clone()}
                        {level_select(p.level, Box::new(move |l| save(PublicationChange { id: a.id, name: a.name.clone(), level: l, kind: a.kind })))}
                        {kind_select(p.kind, Box::new(move |k| save(PublicationChange { id: b.id, name: b.name.clone(), level: b.level, kind: k })))}
                    </li>
                }
            }).collect_view()}</ul>
            <form class="inline-form" data-testid="new-publication" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                save(PublicationChange { id: 0, name: name.get_untracked(), level: level.get_untracked(), kind: kind.get_untracked() });
            }>
                <input placeholder=move || i18n.t(ui::PUBLICATION) aria-label=move || i18n.t(ui::PUBLICATION) data-testid="publication-name"
                    on:input=move |ev| name.set(event_target_value(&ev)) />
                {level_select(Level::County, Box::new(move |l| level.set(l)))}
                {kind_select(PubKind::Periodical, Box::new(move |k| kind.set(k)))}
                <button type="submit" class="primary" data-testid="add-publication">{move || i18n.t(ui::ADD_PUBLICATION)}</button>
            </form>
            <form class="inline-form" on:submit=save_floor>
                <label>{move || i18n.t(ui::RATE_FLOOR)}
                    <input type="number" min="0" max="100" data-testid="rate-floor" prop:value=move || floor.get() on:input=move |ev| floor.set(event_target_value(&ev)) /></label>
                <button type="submit" class="secondary" data-testid="save-floor">{move || i18n.t(ui::SAVE)}</button>
            </form>
            {move || message.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } data-testid="publications-message">{t}</p> })}
        </section>
    }
}
