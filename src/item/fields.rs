//! The item's other fields: focus tags, contact phone,
//! the commission it answers, and for urgent items the event time and the 初报/续报/终报
//! chain. Each change goes through the editor's one save path (`on_change`).

use crate::i18n::{ui, use_i18n};
use crate::store::{self, LocalDraft};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use xinbao_core::item::{FocusTag, ItemType, ReportStage};

/// The phone last used by `user`: offices require one, and it rarely changes.
fn remembered_phone(user: i64) -> Option<String> {
    crate::vault::get_local::<String>(&format!("xinbao.phone.u{user}"))
}

/// Kept sealed like the drafts (`vault::put_local`): a phone number is not left in clear.
fn remember_phone(user: i64, phone: &str) {
    crate::vault::put_local(&format!("xinbao.phone.u{user}"), &phone);
}

/// `datetime-local` value (local time) ↔ milliseconds since the epoch.
fn parse_local(value: &str) -> Option<i64> {
    if value.is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&JsValue::from_str(value)).get_time();
    (!ms.is_nan()).then_some(ms as i64)
}

fn format_local(ms: i64) -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    format!("{}-{:02}-{:02}T{:02}:{:02}", d.get_full_year(), d.get_month() + 1, d.get_date(), d.get_hours(), d.get_minutes())
}

fn stage_value(s: ReportStage) -> String {
    match s {
        ReportStage::Initial => "initial".into(),
        ReportStage::Final => "final".into(),
        ReportStage::FollowUp(n) => format!("follow_up_{n}"),
    }
}

fn parse_stage(v: &str) -> ReportStage {
    match v {
        "final" => ReportStage::Final,
        _ => v.strip_prefix("follow_up_").and_then(|n| n.parse().ok()).map(ReportStage::FollowUp).unwrap_or_default(),
    }
}

#[component]
pub fn ItemFields(current: StoredValue<LocalDraft>, item_type: RwSignal<ItemType>, on_change: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let d = current.get_value();
    let owner = d.owner;
    // A new draft starts with the phone last used on this device.
    if d.content.phone.is_empty()
        && let Some(p) = remembered_phone(owner)
    {
        current.update_value(|d| d.content.phone = p);
    }
    let initial = current.get_value().content;
    let change = move |f: Box<dyn FnOnce(&mut LocalDraft)>| {
        current.update_value(|d| f(d));
        on_change.run(());
    };
    // Earlier urgent reports of this officer, to link a 续报/终报 to.
    let chain = RwSignal::new(Vec::<(String, String)>::new());
    let my_id = d.id.clone();
    spawn_local(async move {
        if let Ok(all) = store::list_drafts(owner).await {
            let lang = i18n.lang.get_untracked();
            chain.set(
                all.into_iter()
                    .filter(|x| x.id != my_id && x.content.item_type == ItemType::Urgent)
                    .map(|x| (x.id.clone(), format!("{} · {}", x.content.stage.label(lang), x.content.title)))
                    .collect(),
            );
        }
    });

    let tags = FocusTag::ALL.into_iter().map(|tag| {
        let checked = initial.tags.contains(&tag);
        view! {
            <label class="check">
                <input type="checkbox" prop:checked=checked on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    change(Box::new(move |d| {
                        d.content.tags.retain(|t| *t != tag);
                        if on {
                            d.content.tags.push(tag);
                            d.content.tags.sort();
                        }
                    }));
                } />
                {move || i18n.t(tag.label())}
            </label>
        }
    });
    let initial_phone = initial.phone.clone();
    let initial_commission = initial.commission.clone().unwrap_or_default();
    let initial_event = initial.event_time.map(format_local).unwrap_or_default();
    let initial_stage = initial.stage;
    let initial_follows = initial.follows.clone().unwrap_or_default();

    view! {
        <fieldset class="tags">
            <legend>{move || i18n.t(ui::FOCUS_TAGS)}</legend>
            {tags.collect_view()}
        </fieldset>
        {move || (item_type.get() == ItemType::Urgent).then(|| {
            let initial_follows = initial_follows.clone();
            let initial_event = initial_event.clone();
            view! {
                <div class="urgent-fields" data-testid="urgent-fields">
                    <label for="event-time">{move || i18n.t(ui::EVENT_TIME)}</label>
                    <input id="event-time" type="datetime-local" data-testid="event-time" prop:value=initial_event
                        on:change=move |ev| {
                            let v = parse_local(&event_target_value(&ev));
                            change(Box::new(move |d| d.content.event_time = v));
                        } />
                    <label for="stage">{move || i18n.t(ui::REPORT_STAGE)}</label>
                    <select id="stage" data-testid="stage" on:change=move |ev| {
                        let s = parse_stage(&event_target_value(&ev));
                        change(Box::new(move |d| d.content.stage = s));
                    }>
                        {[ReportStage::Initial].into_iter().chain((1..=9).map(ReportStage::FollowUp)).chain([ReportStage::Final]).map(|s| view! {
                            <option value=stage_value(s) selected=s == initial_stage>{move || s.label(i18n.lang.get())}</option>
                        }).collect_view()}
                    </select>
                    <label for="follows">{move || i18n.t(ui::FOLLOWS)}</label>
                    <select id="follows" data-testid="follows" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        change(Box::new(move |d| d.content.follows = (!v.is_empty()).then_some(v)));
                    }>
                        <option value="">{move || i18n.t(ui::FOLLOWS_NONE)}</option>
                        {move || chain.get().into_iter().map(|(id, label)| {
                            let selected = id == initial_follows;
                            view! { <option value=id selected=selected>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
            }
        })}
        <label for="phone">{move || i18n.t(ui::PHONE)}</label>
        <input id="phone" type="tel" inputmode="tel" autocomplete="tel" data-testid="phone" prop:value=initial_phone
            on:input=move |ev| {
                let v = event_target_value(&ev);
                remember_phone(owner, &v);
                change(Box::new(move |d| d.content.phone = v));
            } />
        <label for="commission">{move || i18n.t(ui::COMMISSION)}</label>
        // The commissions that ask this officer's unit, as of the last sync (offline too).
        <select id="commission" data-testid="commission" on:change=move |ev| {
            let v = event_target_value(&ev);
            change(Box::new(move |d| d.content.commission = (!v.is_empty()).then_some(v)));
        }>
            <option value="">{move || i18n.t(ui::NO_COMMISSION)}</option>
            {commission_options(owner, &initial_commission).into_iter().map(|(id, label)| {
                let selected = id == initial_commission;
                view! { <option value=id selected=selected>{label}</option> }
            }).collect_view()}
        </select>
    }
}

/// The commissions an officer can answer — open ones from the last inbox, newest first — and
/// the one the draft already names, even if it has closed since.
fn commission_options(owner: i64, current: &str) -> Vec<(String, String)> {
    let now = crate::util::now_ms() as i64;
    let mut out: Vec<(String, String)> = crate::inbox::cached(owner)
        .map(|c| c.inbox.commissions)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.id.to_string() == current || c.fields.deadline_ms().is_some_and(|end| end >= now))
        .map(|c| (c.id.to_string(), format!("{} · {}（{}）", c.fields.topic, c.fields.kind.label().zh, c.fields.deadline)))
        .collect();
    if !current.is_empty() && !out.iter().any(|(id, _)| id == current) {
        out.push((current.to_owned(), current.to_owned()));
    }
    out
}
