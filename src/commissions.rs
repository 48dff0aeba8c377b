//! Commissions and reporting priorities (约稿, 信息报送要点): the office's editors publish them
//! (topic, description, the units asked, the deadline) and see, per unit asked, who answered
//! on time, late, or not at all; everyone else sees the ones for their unit — from the server
//! when online, otherwise from the copy kept after the last sync.

use crate::api;
use crate::api::failure;
use crate::i18n::{ui, use_i18n};
use crate::session::use_session;
use crate::util::today;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinbao_core::commissions::{CommissionFields, CommissionKind, CommissionView, UnitName, UnitStanding};
use xinbao_core::role::Role;
use xinbao_core::scores::day_text;

#[component]
pub fn CommissionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let Some(me) = session.me.get_untracked() else { return ().into_any() };
    let is_editor = me.role == Role::Editor;
    let list = RwSignal::new(crate::inbox::cached(me.user_id).map(|c| c.inbox.commissions).unwrap_or_default());
    let offline = RwSignal::new(false);
    let message = RwSignal::new(None::<(bool, String)>);
    let reload = move || {
        spawn_local(async move {
            let got = api::get_json::<Vec<CommissionView>>("/api/commissions").await;
            if list.is_disposed() {
                return;
            }
            match got {
                Ok(l) => {
                    list.set(l);
                    offline.set(false);
                }
                Err(_) => offline.set(true),
            }
        });
    };
    reload();
    // The editor's form.
    let units = RwSignal::new(Vec::<UnitName>::new());
    if is_editor {
        spawn_local(async move {
            if let Ok(u) = api::get_json::<Vec<UnitName>>("/api/commissions/units").await
                && !units.is_disposed()
            {
                units.set(u);
            }
        });
    }
    let kind = RwSignal::new(CommissionKind::Targeted);
    let topic = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let asked = RwSignal::new(Vec::<i64>::new());
    let from = RwSignal::new(day_text(today()));
    let deadline = RwSignal::new(day_text(today() + 7));
    // The commission being changed (None: a new one); its units asked before stay asked.
    let editing = RwSignal::new(None::<CommissionView>);
    let edit = move |c: CommissionView| {
        kind.set(c.fields.kind);
        topic.set(c.fields.topic.clone());
        description.set(c.fields.description.clone());
        asked.set(c.fields.units.clone());
        from.set(c.fields.from.clone());
        deadline.set(c.fields.deadline.clone());
        message.set(None);
        editing.set(Some(c));
    };
    let reset = move || {
        editing.set(None);
        topic.set(String::new());
        description.set(String::new());
        asked.set(Vec::new());
    };
    let withdraw = move |id: i64| {
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            match api::post_json::<_, CommissionView>(&format!("/api/commissions/{id}/withdraw"), &serde_json::json!({})).await {
                Ok(_) => reload(),
                Err(e) => message.set(Some((false, failure(e, lang)))),
            }
        });
    };
    let publish = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let k = kind.get_untracked();
        let body = CommissionFields {
            kind: k,
            topic: topic.get_untracked(),
            description: description.get_untracked(),
            units: if k == CommissionKind::Targeted { asked.get_untracked() } else { Vec::new() },
            from: from.get_untracked(),
            deadline: deadline.get_untracked(),
        };
        let before = editing.get_untracked();
        // Whether the deadline is past is the server's to say: this PC's clock may be days off.
        let problems = match &before {
            Some(c) => body.change_problems(&c.fields, i32::MIN),
            None => body.problems(),
        };
        if let Some(p) = problems.first() {
            message.set(Some((false, i18n.t(*p).to_owned())));
            return;
        }
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            let path = before.as_ref().map(|c| format!("/api/commissions/{}", c.id)).unwrap_or_else(|| "/api/commissions".into());
            match api::post_json::<_, CommissionView>(&path, &body).await {
                Ok(_) => {
                    message.set(Some((true, i18n.t(if before.is_some() { ui::SETTINGS_SAVED } else { ui::PUBLISHED }).to_owned())));
                    reset();
                    reload();
                }
                Err(e) => message.set(Some((false, failure(e, lang)))),
            }
        });
    };
    view! {
        <main class="page commissions-page">
            <h2>{move || i18n.t(ui::COMMISSIONS)}</h2>
            {move || offline.get().then(|| view! { <p class="muted small" data-testid="commissions-offline">{i18n.t(ui::AS_OF_SYNC)}</p> })}
            {is_editor.then(|| view! {
                <form class="commission-form" data-testid="commission-form" on:submit=publish>
                    <div class="inline-form">
                        <select data-testid="commission-kind" aria-label=move || i18n.t(ui::KIND) disabled=move || editing.with(Option::is_some)
                            prop:value=move || kind.get().as_str() on:change=move |ev| {
                            kind.set(CommissionKind::parse(&event_target_value(&ev)).unwrap_or(CommissionKind::Targeted))
                        }>
                            <option value="targeted">{move || i18n.t(CommissionKind::Targeted.label())}</option>
                            <option value="priority">{move || i18n.t(CommissionKind::Priority.label())}</option>
                        </select>
                        <input data-testid="commission-topic" placeholder=move || i18n.t(ui::TOPIC) aria-label=move || i18n.t(ui::TOPIC)
                            prop:value=move || topic.get() on:input=move |ev| topic.set(event_target_value(&ev)) />
                        <label>{move || i18n.t(ui::DATE_FROM)}<input type="date" data-testid="commission-from" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev)) /></label>
                        <label>{move || i18n.t(ui::DEADLINE)}<input type="date" data-testid="commission-deadline" prop:value=move || deadline.get() on:change=move |ev| deadline.set(event_target_value(&ev)) /></label>
                    </div>
                    <textarea data-testid="commission-description" placeholder=move || i18n.t(ui::DESCRIPTION) aria-label=move || i18n.t(ui::DESCRIPTION)
                        prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                    {move || (kind.get() == CommissionKind::Targeted).then(|| view! {
                        <fieldset class="units-asked" data-testid="commission-units">
                            <legend>{i18n.t(ui::UNITS_ASKED)}</legend>
                            {units.get().into_iter().map(|u| {
                                let id = u.id;
                                // A unit asked before a change stays asked.
                                let kept = move || editing.with(|e| e.as_ref().is_some_and(|c| c.fields.units.contains(&id)));
                                view! { <label><input type="checkbox" prop:checked=move || asked.with(|a| a.contains(&id)) disabled=kept on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    asked.update(|a| { a.retain(|x| *x != id); if on { a.push(id); } });
                                } />{u.name}</label> }
                            }).collect_view()}
                        </fieldset>
                    })}
                    {move || editing.get().map(|c| view! { <p class="note" data-testid="commission-editing">{format!("{}：{}", i18n.t(ui::CHANGING), c.fields.topic)}</p> })}
                    <button type="submit" class="primary" data-testid="commission-publish">{move || i18n.t(if editing.with(Option::is_some) { ui::SAVE } else { ui::PUBLISH })}</button>
                    {move || editing.with(Option::is_some).then(|| view! { <button type="button" class="link" data-testid="commission-cancel" on:click=move |_| reset()>{i18n.t(ui::CANCEL)}</button> })}
                    {move || message.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } data-testid="commission-message">{t}</p> })}
                </form>
            })}
            <ul class="commission-list">{move || list.get().into_iter().map(|c| view! {
                <li data-testid="commission" class:withdrawn=c.withdrawn>
                    <h3>{c.fields.topic.clone()}<span class="badge">{i18n.t(c.fields.kind.label())}</span>
                        {c.withdrawn.then(|| view! { <span class="badge late" data-testid="commission-withdrawn">{i18n.t(ui::WITHDRAWN)}</span> })}</h3>
                    {(is_editor && !c.withdrawn).then(|| {
                        let (c2, id) = (c.clone(), c.id);
                        let confirming = RwSignal::new(false);
                        view! {
                            <p class="inline-form">
                                <button type="button" class="link" data-testid="commission-edit" on:click=move |_| edit(c2.clone())>{i18n.t(ui::CHANGE)}</button>
                                {move || if confirming.get() {
                                    view! {
                                        <span>{i18n.t(ui::WITHDRAW_CONFIRM)}</span>
                                        <button type="button" class="danger" data-testid="commission-withdraw-confirm" on:click=move |_| withdraw(id)>{i18n.t(ui::WITHDRAW)}</button>
                                        <button type="button" class="link" on:click=move |_| confirming.set(false)>{i18n.t(ui::CANCEL)}</button>
                                    }.into_any()
                                } else {
                                    view! { <button type="button" class="link danger" data-testid="commission-withdraw" on:click=move |_| confirming.set(true)>{i18n.t(ui::WITHDRAW)}</button> }.into_any()
                                }}
                            </p>
                        }
                    })}
                    <p class="muted small">{format!("{} {} · {} {}", i18n.t(ui::DATE_FROM), c.fields.from, i18n.t(ui::DEADLINE), c.fields.deadline)}</p>
                    <p>{c.fields.description.clone()}</p>
                    {(!c.standing.is_empty()).then(|| view! {
                        <table class="receipt-table" data-testid="standing">
                            <tbody>{c.standing.iter().map(|(_, unit, s)| {
                                let answer = c.answers.iter().find(|a| a.unit == *unit).map(|a| a.title.clone()).unwrap_or_default();
                                let class = match s { UnitStanding::OnTime => "ok", UnitStanding::Open | UnitStanding::MovedAway => "muted", _ => "late" };
                                view! { <tr data-testid="standing-row"><td>{unit.clone()}</td><td class=class>{i18n.t(s.label())}</td><td>{answer}</td></tr> }
                            }).collect_view()}</tbody>
                        </table>
                    })}
                </li>
            }).collect_view()}</ul>
        </main>
    }
    .into_any()
}
