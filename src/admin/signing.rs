//! 签发层级: the office's signing levels, who holds each, and the rules that say which levels
//! sign what (`GET`/`POST /api/admin/signing`; the rules are `xinbao_core::signoff`). A rule's
//! levels sign in the order the levels are listed, junior first.

use crate::api;
use crate::i18n::{ui, use_i18n};
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinbao_core::item::ItemType;
use xinbao_core::signoff::{ChainRule, Destination, SignLevel, SignSetup, SignerInfo, SigningView};

#[component]
pub fn SigningSection() -> impl IntoView {
    let i18n = use_i18n();
    let setup = RwSignal::new(SignSetup::default());
    let signers = RwSignal::new(Vec::<SignerInfo>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let show = move |mut v: SigningView| {
        // Someone who held a level and is no longer a signer of the office (disabled, moved, a
        // new role) is not shown, and saving leaves them out.
        for level in &mut v.setup.levels {
            level.holders.retain(|h| v.signers.iter().any(|s| s.id == *h));
        }
        setup.set(v.setup);
        signers.set(v.signers);
    };
    // The form appears once the stored setup is here: saving a form that never loaded would
    // replace the office's chains with nothing.
    let loaded = RwSignal::new(false);
    spawn_local(async move {
        let r = api::get_json::<SigningView>("/api/admin/signing").await;
        if setup.is_disposed() {
            return;
        }
        match r {
            Ok(v) => {
                show(v);
                loaded.set(true);
            }
            Err(e) => message.set(Some((false, i18n.t(e.text()).to_owned()))),
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = i18n.lang.get_untracked();
        let body = setup.get_untracked().in_level_order();
        spawn_local(async move {
            let r = api::post_json::<_, SigningView>("/api/admin/signing", &body).await;
            if message.is_disposed() {
                return;
            }
            message.set(Some(match r {
                Ok(v) => {
                    show(v);
                    (true, i18n.t(ui::SETTINGS_SAVED).to_owned())
                }
                Err(e) => (false, api::failure(e, lang)),
            }));
        });
    };
    let add_level = move |_| {
        setup.update(|s| {
            let id = s.levels.iter().map(|l| l.id).max().unwrap_or(0) + 1;
            s.levels.push(SignLevel { id, name: String::new(), holders: Vec::new() });
        })
    };
    let add_rule =
        move |_| setup.update(|s| s.rules.push(ChainRule { item_type: None, important: None, destination: None, levels: Vec::new() }));
    let levels = move || {
        setup.with(|s| s.levels.clone()).into_iter().enumerate().map(|(i, level)| {
            let id = level.id;
            view! {
                <li class="inline-form" data-testid="sign-level">
                    <input aria-label=i18n.t(ui::LEVEL_NAME) placeholder=i18n.t(ui::LEVEL_NAME) data-testid="sign-level-name" prop:value=level.name.clone()
                        on:change=move |ev| setup.update(|s| if let Some(l) = s.levels.get_mut(i) { l.name = event_target_value(&ev) }) />
                    {signers.get().into_iter().map(|who| {
                        let holds = level.holders.contains(&who.id);
                        view! {
                            <label>
                                <input type="checkbox" data-testid="sign-level-holder" prop:checked=holds
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        setup.update(|s| if let Some(l) = s.levels.iter_mut().find(|l| l.id == id) {
                                            l.holders.retain(|h| *h != who.id);
                                            if on { l.holders.push(who.id) }
                                        })
                                    } />
                                {who.display_name.clone()}
                            </label>
                        }
                    }).collect_view()}
                    <button type="button" class="secondary" on:click=move |_| setup.update(|s| {
                        s.levels.retain(|l| l.id != id);
                        for r in &mut s.rules { r.levels.retain(|l| *l != id) }
                    })>{i18n.t(ui::DELETE_ROW)}</button>
                </li>
            }
        }).collect_view()
    };
    let rules = move || {
        let all_levels = setup.with(|s| s.levels.clone());
        setup.with(|s| s.rules.clone()).into_iter().enumerate().map(|(i, rule)| {
            let edit = move |f: Box<dyn Fn(&mut ChainRule)>| setup.update(|s| if let Some(r) = s.rules.get_mut(i) { f(r) });
            let choice = |on: bool| if on { "1" } else { "0" };
            view! {
                <li class="inline-form" data-testid="sign-rule">
                    <select aria-label=i18n.t(ui::ITEM_TYPE) data-testid="sign-rule-type"
                        on:change=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |r| r.item_type = ItemType::ALL.into_iter().find(|t| t.as_str() == v))) }>
                        <option value="" selected=rule.item_type.is_none()>{format!("{}：{}", i18n.t(ui::ITEM_TYPE), i18n.t(ui::ANY))}</option>
                        {ItemType::ALL.into_iter().map(|t| view! { <option value=t.as_str() selected=rule.item_type == Some(t)>{i18n.t(t.label())}</option> }).collect_view()}
                    </select>
                    <select aria-label=i18n.t(ui::IMPORTANT) data-testid="sign-rule-important"
                        on:change=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |r| r.important = (!v.is_empty()).then(|| v == "1"))) }>
                        <option value="" selected=rule.important.is_none()>{format!("{}：{}", i18n.t(ui::IMPORTANT), i18n.t(ui::ANY))}</option>
                        <option value=choice(true) selected=rule.important == Some(true)>{format!("{}：{}", i18n.t(ui::IMPORTANT), i18n.t(ui::YES))}</option>
                        <option value=choice(false) selected=rule.important == Some(false)>{format!("{}：{}", i18n.t(ui::IMPORTANT), i18n.t(ui::NO))}</option>
                    </select>
                    <select aria-label=i18n.t(ui::SIGN_FOR) data-testid="sign-rule-destination"
                        on:change=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |r| r.destination = Destination::ALL.into_iter().find(|d| d.as_str() == v))) }>
                        <option value="" selected=rule.destination.is_none()>{format!("{}：{}", i18n.t(ui::SIGN_FOR), i18n.t(ui::ANY))}</option>
                        {Destination::ALL.into_iter().map(|d| view! { <option value=d.as_str() selected=rule.destination == Some(d)>{i18n.t(d.label())}</option> }).collect_view()}
                    </select>
                    "→"
                    {all_levels.iter().map(|l| {
                        let id = l.id;
                        view! {
                            <label>
                                <input type="checkbox" data-testid="sign-rule-level" prop:checked=rule.levels.contains(&id)
                                    on:change=move |ev| { let on = event_target_checked(&ev); edit(Box::new(move |r| { r.levels.retain(|x| *x != id); if on { r.levels.push(id) } })) } />
                                {l.name.clone()}
                            </label>
                        }
                    }).collect_view()}
                    <button type="button" class="secondary" on:click=move |_| setup.update(|s| { if i < s.rules.len() { s.rules.remove(i); } })>{i18n.t(ui::DELETE_ROW)}</button>
                </li>
            }
        }).collect_view()
    };
    view! {
        <section aria-labelledby="signing-head">
            <h3 id="signing-head">{move || i18n.t(ui::SIGNING_SETUP)}</h3>
            <p class="muted small">{move || i18n.t(ui::SIGNING_SETUP_HINT)}</p>
            <Show when=move || loaded.get()>
            <form on:submit=save data-testid="signing-form">
                <ul class="plain">{levels}</ul>
                <button type="button" class="secondary" data-testid="add-sign-level" on:click=add_level>{move || i18n.t(ui::ADD_LEVEL)}</button>
                <ul class="plain">{rules}</ul>
                <button type="button" class="secondary" data-testid="add-sign-rule" on:click=add_rule>{move || i18n.t(ui::ADD_RULE)}</button>
                <button type="submit" class="primary" data-testid="save-signing">{move || i18n.t(ui::SAVE)}</button>
            </form>
            </Show>
            {move || message.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } data-testid="signing-message">{t}</p> })}
        </section>
    }
}
