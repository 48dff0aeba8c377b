//! The home page of the information section's editors and signers (工作台), their landing page:
//! what waits, by state; open urgent items with their countdowns; commissions falling due this
//! week and who has not answered; units behind this month's quota; instructions awaiting
//! feedback — each a link to the list it counts. Read from the server after each sync round and
//! each urgent announcement, and kept per account (sealed like the drafts) so that offline it
//! shows the last copy, said so with its time.

use crate::announce::{notifications_possible, use_announcements};
use crate::api;
use crate::i18n::{ui, use_i18n};
use crate::review::{Row, deadline};
use crate::session::use_session;
use crate::sync::use_sync;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinbao_core::home::Home;

/// The home page as last fetched, and when (ms).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Cached {
    at: f64,
    home: Home,
}

fn key(user: i64) -> String {
    format!("xinbao.home.u{user}")
}

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let me = session.me.get_untracked().map_or(0, |m| m.user_id);
    let shown = RwSignal::new(crate::vault::get_local::<Cached>(&key(me)));
    // Offline (or refused): the copy shown is the last one fetched.
    let stale = RwSignal::new(false);
    let loaded = RwSignal::new(false);
    let generation = use_sync().map(|s| s.generation);
    let announcements = use_announcements();
    if let Some(a) = announcements {
        a.seen();
    }
    // Answers to an older ask are dropped (a slow line may answer out of order).
    let asked = StoredValue::new(0u64);
    let refused = RwSignal::new(None::<xinbao_core::i18n::Text>);
    Effect::new(move |_| {
        if let Some(g) = generation {
            g.track();
        }
        if let Some(a) = announcements {
            a.arrived.track();
        }
        let n = asked.get_value() + 1;
        asked.set_value(n);
        spawn_local(async move {
            let got = api::get_json::<Home>("/api/review/home").await;
            if shown.is_disposed() || asked.get_value() != n {
                return;
            }
            match got {
                Ok(home) => {
                    let c = Cached { at: crate::util::now_ms(), home };
                    crate::vault::put_local(&key(me), &c);
                    shown.set(Some(c));
                    stale.set(false);
                    refused.set(None);
                }
                // Offline: the last copy, said so.
                Err(api::ApiError::Network) => stale.set(true),
                // Refused (no longer of the section, a session ended): nothing of the copy stays.
                Err(e) => {
                    <gloo_storage::LocalStorage as gloo_storage::Storage>::delete(key(me));
                    shown.set(None);
                    refused.set(Some(e.text()));
                }
            }
            loaded.set(true);
        });
    });
    let now = crate::util::ticking_clock();
    let rules = crate::item::urgent_panel::use_rules();
    let home = move || shown.with(|c| c.as_ref().map(|c| c.home.clone()));
    view! {
        <main class="page home-page">
            <h2>{move || i18n.t(ui::HOME)}</h2>
            {move || (stale.get() && loaded.get()).then(|| match shown.with(|c| c.as_ref().map(|c| c.at)) {
                Some(at) => view! { <p class="note" role="status" data-testid="home-offline">{i18n.t(ui::HOME_OFFLINE)}{crate::util::date_time(at)}</p> }.into_any(),
                None => view! { <p class="note" role="status" data-testid="home-offline">{i18n.t(ui::HOME_UNAVAILABLE)}</p> }.into_any(),
            })}
            {move || refused.get().map(|t| view! { <p class="error" role="alert" data-testid="home-refused">{i18n.t(t)}</p> })}
            <NotifySwitch />
            {move || home().map(|h| {
                let lang = i18n.lang.get();
                let urgent: Vec<Row> = h.urgent.into_iter().map(Row::server).collect();
                view! {
                    <section class="home-part" data-testid="home-waiting">
                        <h3>{i18n.t(ui::HOME_WAITING)}</h3>
                        <ul class="home-counts">
                            {h.waiting.into_iter().map(|w| view! {
                                <li><a href=format!("/review?state={}", w.state.as_str()) data-testid=format!("home-count-{}", w.state.as_str())>
                                    <span class="home-count">{w.shown()}</span>" "{i18n.t(w.state.label())}
                                </a></li>
                            }).collect_view()}
                        </ul>
                    </section>
                    <section class="home-part" data-testid="home-urgent">
                        <h3><a href="/review?item_type=urgent">{i18n.t(ui::HOME_URGENT)}</a></h3>
                        {urgent.is_empty().then(|| view! { <p class="muted">{i18n.t(ui::HOME_NO_URGENT)}</p> })}
                        <ul class="home-list">
                            {urgent.into_iter().map(|r| {
                                let href = format!("/review/{}", r.id);
                                let label = format!("{} · {}", r.title, r.unit_name);
                                let row = r.clone();
                                view! {
                                    <li data-testid="home-urgent-row"><a href=href>{label}</a>" "
                                        {move || deadline(&row, now.get(), rules.get(), lang)}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                    <section class="home-part" data-testid="home-commissions">
                        <h3><a href="/commissions">{i18n.t(ui::HOME_COMMISSIONS)}</a></h3>
                        {h.commissions.is_empty().then(|| view! { <p class="muted">{i18n.t(ui::HOME_NO_COMMISSIONS)}</p> })}
                        <ul class="home-list">
                            {h.commissions.into_iter().map(|c| {
                                // A reporting priority asks no unit in particular: nobody to name.
                                let who = if c.asked == 0 {
                                    String::new()
                                } else if c.not_answered.is_empty() {
                                    i18n.t(ui::HOME_ALL_ANSWERED).to_owned()
                                } else {
                                    format!("{}{}", i18n.t(ui::HOME_NOT_ANSWERED), c.not_answered.join("、"))
                                };
                                view! {
                                    <li data-testid="home-commission"><a href="/commissions">{c.topic}</a>
                                        " · "{i18n.t(ui::HOME_DEADLINE)}" "{c.deadline}" · "<span data-testid="home-not-answered">{who}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                    <section class="home-part" data-testid="home-behind">
                        <h3><a href="/scores">{i18n.t(ui::HOME_BEHIND)}</a>" · "{h.month}</h3>
                        {h.behind.is_empty().then(|| view! { <p class="muted">{i18n.t(ui::HOME_NONE_BEHIND)}</p> })}
                        <ul class="home-list">
                            {h.behind.into_iter().map(|b| view! {
                                <li data-testid="home-behind-row"><a href=format!("/review?unit={}", b.unit_id)>{b.name}</a>
                                    " "{b.submitted}" / "{b.quota}
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                    <section class="home-part" data-testid="home-instructions">
                        <h3>{i18n.t(ui::HOME_INSTRUCTIONS)}" · "{i18n.t(ui::HOME_MORE)}<span data-testid="home-instructions-count">{h.instructions_waiting}</span></h3>
                        {h.instructions.is_empty().then(|| view! { <p class="muted">{i18n.t(ui::HOME_NO_INSTRUCTIONS)}</p> })}
                        <ul class="home-list">
                            {h.instructions.into_iter().map(|n| view! {
                                <li data-testid="home-instruction"><a href=format!("/review/{}", n.item_id)>{n.title}</a>
                                    " · "{n.leader}" · "{n.date}
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                }
            })}
        </main>
    }
}

/// Asks for system notifications (once the person clicks: browsers refuse an unasked prompt),
/// or says why there will be none.
#[component]
fn NotifySwitch() -> impl IntoView {
    let i18n = use_i18n();
    let permission = RwSignal::new(notifications_possible().then(web_sys::Notification::permission));
    let ask = move |_| {
        if let Ok(p) = web_sys::Notification::request_permission() {
            spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                if !permission.is_disposed() {
                    permission.set(Some(web_sys::Notification::permission()));
                }
            });
        }
    };
    move || {
        use web_sys::NotificationPermission as P;
        match permission.get() {
            None => view! { <p class="muted small" data-testid="notify-state">{i18n.t(ui::NOTIFY_UNAVAILABLE)}</p> }.into_any(),
            Some(P::Granted) => view! { <p class="muted small" data-testid="notify-state">{i18n.t(ui::NOTIFY_ON)}</p> }.into_any(),
            Some(P::Denied) => view! { <p class="muted small" data-testid="notify-state">{i18n.t(ui::NOTIFY_DENIED)}</p> }.into_any(),
            Some(_) => view! {
                <button type="button" class="secondary" data-testid="notify-ask" on:click=ask>{i18n.t(ui::NOTIFY_ASK)}</button>
            }
            .into_any(),
        }
    }
}
