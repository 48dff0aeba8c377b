//! 上级信报连接: a destination of 上报 that runs Xinbao too, connected with the service account
//! its office gave this one (`GET`/`POST /api/admin/upward-links`; the server tries the account
//! there before it keeps it, and never shows the password again). Items sent up to it by system
//! then go there by themselves, and what it does with them comes back (`crates/server/src/forward.rs`).

use crate::api;
use crate::i18n::{ui, use_i18n};
use crate::util::date_time;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinbao_core::upward::{NewLink, UpwardList};

#[component]
pub fn UpwardLinksSection() -> impl IntoView {
    let i18n = use_i18n();
    let view_of = RwSignal::new(None::<UpwardList>);
    let message = RwSignal::new(None::<(bool, String)>);
    let destination = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let ca_pem = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    spawn_local(async move {
        let r = api::get_json::<UpwardList>("/api/admin/upward-links").await;
        if view_of.is_disposed() {
            return;
        }
        match r {
            Ok(v) => view_of.set(Some(v)),
            Err(e) => message.set(Some((false, i18n.t(e.text()).to_owned()))),
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = i18n.lang.get_untracked();
        let first = view_of.with_untracked(|v| v.as_ref().and_then(|v| v.destinations.first().map(|d| d.id)).unwrap_or(0));
        let body = NewLink {
            destination_id: destination.get_untracked().parse().unwrap_or(first),
            url: url.get_untracked(),
            username: username.get_untracked(),
            password: password.get_untracked(),
            ca_pem: ca_pem.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            let r = api::post_json::<_, UpwardList>("/api/admin/upward-links", &body).await;
            if message.is_disposed() {
                return;
            }
            busy.set(false);
            message.set(Some(match r {
                Ok(v) => {
                    view_of.set(Some(v));
                    password.set(String::new());
                    (true, i18n.t(ui::LINK_SAVED).to_owned())
                }
                Err(e) => (false, api::failure(e, lang)),
            }));
        });
    };
    view! {
        <section aria-labelledby="links-head" data-testid="upward-links">
            <h3 id="links-head">{move || i18n.t(ui::LINKS_HEAD)}</h3>
            <p class="muted">{move || i18n.t(ui::LINKS_HINT)}</p>
            {move || view_of.get().map(|v| {
                let names = v.destinations.clone();
                view! {
                    <ul class="plain">{v.links.into_iter().map(|l| {
                        let name = names.iter().find(|d| d.id == l.destination_id).map(|d| d.name.clone()).unwrap_or_default();
                        let contact = l.last_contact.map(|t| date_time(t as f64)).unwrap_or_else(|| i18n.t(ui::LINK_NEVER).to_owned());
                        view! {
                            <li class="card" data-testid="upward-link-row">
                                <strong>{name}</strong>
                                {format!(" · {} · {} · {}：{contact}", l.url, l.username, i18n.t(ui::LINK_LAST_CONTACT))}
                                {(l.queued > 0).then(|| format!(" · {} {}", l.queued, i18n.t(ui::UPWARD_LINK_WAITING)))}
                                {(!l.problem.is_empty()).then(|| view! { <p class="error">{l.problem.clone()}</p> })}
                            </li>
                        }
                    }).collect_view()}</ul>
                    <form class="stack" on:submit=save data-testid="upward-link-form">
                        <label>{move || i18n.t(ui::LINK_DESTINATION)}
                            <select data-testid="link-destination" on:change=move |ev| destination.set(event_target_value(&ev))>
                                {v.destinations.into_iter().map(|d| view! { <option value=d.id.to_string()>{d.name}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{move || i18n.t(ui::LINK_URL)}
                            <input data-testid="link-url" inputmode="url" placeholder="http://10.1.2.3:8080" prop:value=move || url.get()
                                on:input=move |ev| url.set(event_target_value(&ev)) />
                        </label>
                        <label>{move || i18n.t(ui::LINK_USER)}
                            <input data-testid="link-user" autocomplete="off" prop:value=move || username.get()
                                on:input=move |ev| username.set(event_target_value(&ev)) />
                        </label>
                        <label>{move || i18n.t(ui::LINK_PASSWORD)}
                            <input data-testid="link-password" type="password" autocomplete="new-password" prop:value=move || password.get()
                                on:input=move |ev| password.set(event_target_value(&ev)) />
                        </label>
                        <details>
                            <summary>{move || i18n.t(ui::LINK_CA)}</summary>
                            <textarea data-testid="link-ca" rows="4" prop:value=move || ca_pem.get() on:input=move |ev| ca_pem.set(event_target_value(&ev))></textarea>
                        </details>
                        <button type="submit" class="primary" data-testid="link-save" prop:disabled=move || busy.get()>{move || i18n.t(ui::LINK_SAVE)}</button>
                    </form>
                }
            })}
            {move || message.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } role="status" data-testid="link-message">{t}</p> })}
        </section>
    }
}
