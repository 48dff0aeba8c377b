//! On a signed item (the review desk): its adoptions, leader instructions and points, with the
//! forms that record them — editors record adoptions; editors, signers and readers
//! instructions and their feedback. Online only: these are the office's records.

use crate::api;
use crate::api::failure;
use crate::i18n::{ui, use_i18n};
use crate::scores::board::EventTable;
use crate::session::use_session;
use crate::store;
use crate::util::today;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinbao_core::role::Role;
use xinbao_core::scores::{
    AdoptionView, Feedback, Form, InstructionView, ItemScoring, Level, NewAdoption, NewInstruction, Publication, day_text,
};
use xinbao_core::sync::ItemState;

/// A signed item's adoptions, instructions and points, with the forms to record them (editors
/// record adoptions; editors, signers and readers instructions and their feedback). Online only:
/// these are the office's records, not the officer's drafts.
#[component]
pub fn ItemScoringSection(item_id: String, state: ItemState) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let role = session.me.get_untracked().map(|m| m.role);
    let user = session.me.get_untracked().map_or(0, |m| m.user_id);
    let data = RwSignal::new(None::<Result<ItemScoring, String>>);
    let pubs = RwSignal::new(Vec::<Publication>::new());
    // Other signed items in this browser's store, for a combined piece.
    let others = RwSignal::new(Vec::<(String, String)>::new());
    let message = RwSignal::new(None::<String>);
    let reload = {
        let id = item_id.clone();
        move || {
            let id = id.clone();
            spawn_local(async move {
                let got = api::get_json::<ItemScoring>(&format!("/api/items/{id}/scoring")).await;
                if !data.is_disposed() {
                    data.set(Some(got.map_err(|e| e.text().get(i18n.lang.get_untracked()).to_owned())));
                }
            });
        }
    };
    reload();
    let signed = state == ItemState::Signed;
    let may_adopt = signed && role == Some(Role::Editor);
    let may_instruct = signed && matches!(role, Some(Role::Editor | Role::Signer | Role::Reader));
    if may_adopt {
        let id = item_id.clone();
        spawn_local(async move {
            if let Ok(list) = api::get_json::<Vec<Publication>>("/api/publications").await {
                pubs.set(list);
            }
            let local = store::list_drafts(user).await.unwrap_or_default();
            others.set(
                local
                    .into_iter()
                    .filter(|d| d.id != id && d.sync.state == Some(ItemState::Signed))
                    .map(|d| (d.id.clone(), d.content.title.clone()))
                    .collect(),
            );
        });
    }
    // The adoption form.
    let publication = RwSignal::new(String::new());
    let form = RwSignal::new(Form::Full);
    let date = RwSignal::new(day_text(today()));
    let issue = RwSignal::new(String::new());
    let with = RwSignal::new(Vec::<String>::new());
    let adopt = {
        let (id, reload) = (item_id.clone(), reload.clone());
        move |_| {
            let Some(pid) = publication.get_untracked().parse::<i64>().ok().or_else(|| pubs.with_untracked(|p| p.first().map(|p| p.id)))
            else {
                return;
            };
            let body = NewAdoption {
                publication_id: pid,
                form: form.get_untracked(),
                date: date.get_untracked(),
                issue: issue.get_untracked(),
                with: if form.get_untracked() == Form::Combined { with.get_untracked() } else { Vec::new() },
            };
            let (id, reload) = (id.clone(), reload.clone());
            spawn_local(async move {
                match api::post_json::<_, AdoptionView>(&format!("/api/items/{id}/adoptions"), &body).await {
                    Ok(_) => {
                        message.set(Some(i18n.t(ui::RECORDED).to_owned()));
                        reload();
                    }
                    Err(e) => message.set(Some(failure(e, i18n.lang.get_untracked()))),
                }
            });
        }
    };
    // The instruction form.
    let level = RwSignal::new(Level::County);
    let leader = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let idate = RwSignal::new(day_text(today()));
    let instruct = {
        let (id, reload) = (item_id.clone(), reload.clone());
        move |_| {
            let body = NewInstruction {
                level: level.get_untracked(),
                date: idate.get_untracked(),
                leader: leader.get_untracked(),
                text: text.get_untracked(),
            };
            let (id, reload) = (id.clone(), reload.clone());
            spawn_local(async move {
                match api::post_json::<_, InstructionView>(&format!("/api/items/{id}/instructions"), &body).await {
                    Ok(_) => {
                        message.set(Some(i18n.t(ui::RECORDED).to_owned()));
                        leader.set(String::new());
                        text.set(String::new());
                        reload();
                    }
                    Err(e) => message.set(Some(failure(e, i18n.lang.get_untracked()))),
                }
            });
        }
    };
    let feedback = {
        let reload = reload.clone();
        move |instruction: i64, note: String| {
            let reload = reload.clone();
            spawn_local(async move {
                match api::post_json::<_, InstructionView>(&format!("/api/instructions/{instruction}/feedback"), &Feedback { note }).await {
                    Ok(_) => reload(),
                    Err(e) => message.set(Some(failure(e, i18n.lang.get_untracked()))),
                }
            });
        }
    };
    view! {
        <section class="item-scoring" data-testid="item-scoring">
            <h3>{move || i18n.t(ui::ADOPTIONS)}</h3>
            {move || match data.get() {
                None => view! { <p class="muted small">{i18n.t(ui::LOADING)}</p> }.into_any(),
                Some(Err(_)) => view! { <p class="muted small">{i18n.t(ui::NEEDS_CONNECTION)}</p> }.into_any(),
                Some(Ok(s)) => {
                    let feedback = feedback.clone();
                    view! {
                        <ul data-testid="adoptions">{s.adoptions.into_iter().map(|a| view! {
                            <li data-testid="adoption">{format!("《{}》{} · {} · {} · {}", a.publication, a.issue, i18n.t(a.form.label()), a.date, a.items.join("、"))}</li>
                        }).collect_view()}</ul>
                        <ul data-testid="instructions">{s.instructions.into_iter().map(|ins| {
                            let note = RwSignal::new(String::new());
                            let feedback = feedback.clone();
                            let pending = ins.feedback.is_none();
                            view! {
                                <li data-testid="instruction">
                                    {format!("{} {} · {}：{} · ", i18n.t(ins.level.label()), ins.leader, ins.date, ins.text)}
                                    {match ins.feedback.clone() {
                                        Some(f) => format!("{}：{f}", i18n.t(ui::FEEDBACK_DONE)),
                                        None => i18n.t(ui::FEEDBACK_PENDING).to_owned(),
                                    }}
                                    {(pending && may_instruct).then(|| view! {
                                        <input data-testid="feedback-note" aria-label=i18n.t(ui::GIVE_FEEDBACK) prop:value=move || note.get()
                                            on:input=move |ev| note.set(event_target_value(&ev)) />
                                        <button type="button" class="link" data-testid="feedback-send"
                                            on:click=move |_| feedback(ins.id, note.get_untracked())>{i18n.t(ui::GIVE_FEEDBACK)}</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}</ul>
                        {(!s.events.is_empty()).then(|| view! { <EventTable events=s.events.clone() /> })}
                    }.into_any()
                }
            }}
            {may_adopt.then(|| view! {
                <fieldset class="inline-form" data-testid="adoption-form">
                    <legend>{move || i18n.t(ui::RECORD_ADOPTION)}</legend>
                    <select data-testid="adopt-publication" aria-label=move || i18n.t(ui::PUBLICATION) on:change=move |ev| publication.set(event_target_value(&ev))>
                        {move || pubs.get().into_iter().map(|p| view! { <option value=p.id.to_string()>{format!("{}（{}）", p.name, i18n.t(p.level.label()))}</option> }).collect_view()}
                    </select>
                    <select data-testid="adopt-form" aria-label=move || i18n.t(ui::FORM) on:change=move |ev| form.set(Form::parse(&event_target_value(&ev)).unwrap_or(Form::Full))>
                        {Form::ALL.into_iter().map(|f| view! { <option value=f.as_str()>{move || i18n.t(f.label())}</option> }).collect_view()}
                    </select>
                    <input type="date" data-testid="adopt-date" aria-label=move || i18n.t(ui::DATE) prop:value=move || date.get() on:change=move |ev| date.set(event_target_value(&ev)) />
                    <input data-testid="adopt-issue" placeholder=move || i18n.t(ui::ISSUE_NO) prop:value=move || issue.get() on:input=move |ev| issue.set(event_target_value(&ev)) />
                    {move || (form.get() == Form::Combined).then(|| view! {
                        <div class="combined" data-testid="adopt-with">
                            <span class="muted small">{i18n.t(ui::COMBINED_WITH)}</span>
                            {others.get().into_iter().map(|(oid, title)| {
                                let checked_id = oid.clone();
                                view! { <label><input type="checkbox" on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    with.update(|w| { w.retain(|x| *x != checked_id); if on { w.push(checked_id.clone()); } });
                                } />{title}</label> }
                            }).collect_view()}
                        </div>
                    })}
                    <button type="button" class="primary" data-testid="adopt-send" on:click=adopt>{move || i18n.t(ui::RECORD_ADOPTION)}</button>
                </fieldset>
            })}
            {may_instruct.then(|| view! {
                <fieldset class="inline-form" data-testid="instruction-form">
                    <legend>{move || i18n.t(ui::RECORD_INSTRUCTION)}</legend>
                    <select data-testid="instr-level" aria-label=move || i18n.t(ui::LEADER_LEVEL) on:change=move |ev| level.set(Level::parse(&event_target_value(&ev)).unwrap_or(Level::County))>
                        {Level::ALL.into_iter().map(|l| view! { <option value=l.as_str()>{move || i18n.t(l.label())}</option> }).collect_view()}
                    </select>
                    <input type="date" data-testid="instr-date" aria-label=move || i18n.t(ui::DATE) prop:value=move || idate.get() on:change=move |ev| idate.set(event_target_value(&ev)) />
                    <input data-testid="instr-leader" placeholder=move || i18n.t(ui::LEADER) prop:value=move || leader.get() on:input=move |ev| leader.set(event_target_value(&ev)) />
                    <input data-testid="instr-text" placeholder=move || i18n.t(ui::INSTRUCTION_TEXT) prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
                    <button type="button" class="secondary" data-testid="instr-send" on:click=instruct>{move || i18n.t(ui::RECORD_INSTRUCTION)}</button>
                </fieldset>
            })}
            {move || message.get().map(|m| view! { <p class="note" role="status" data-testid="scoring-message">{m}</p> })}
        </section>
    }
}
