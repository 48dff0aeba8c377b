//! What everyone sees of sync, under the header: reachable or not, how many items wait, the
//! progress of a round ("正在报送 12/40"), when the last one finished, a "立即同步" button, the
//! receipts, and — when the session expired mid-queue — a password field to go on.

use crate::api;
use crate::i18n::{ui, use_i18n};
use crate::session::{remember_for_offline, use_session};
use crate::sync::use_sync;
use crate::util::clock_time;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn SyncBar() -> impl IntoView {
    let i18n = use_i18n();
    let Some(sync) = use_sync() else { return ().into_any() };
    let badge = move || match sync.online.get() {
        Some(true) => ("online", i18n.t(ui::ONLINE)),
        Some(false) => ("offline", i18n.t(ui::OFFLINE)),
        None => ("checking", i18n.t(ui::CHECKING)),
    };
    view! {
        <div class="sync-bar" data-testid="sync-bar" role="status" aria-live="polite">
            <span class=move || format!("net {}", badge().0) data-testid="net-badge">{move || badge().1}</span>
            {move || match sync.progress.get() {
                Some((done, total)) => view! {
                    <span data-testid="sync-progress">{format!("{} {}/{}", i18n.t(ui::SENDING_PREFIX), done, total)}</span>
                }.into_any(),
                None => view! {
                    <span data-testid="pending-count">{format!("{} {}", i18n.t(ui::PENDING_PREFIX), sync.pending.get())}</span>
                }.into_any(),
            }}
            <span class="muted" data-testid="last-sync">{move || match sync.last_ok.get() {
                Some(at) => format!("{} {}", i18n.t(ui::LAST_SYNC), clock_time(at)),
                None => i18n.t(ui::NEVER_SYNCED).to_owned(),
            }}</span>
            <button type="button" class="link" data-testid="sync-now" on:click=move |_| sync.sync_now()>{move || i18n.t(ui::SYNC_NOW)}</button>
            <a href="/receipts" class="link" data-testid="receipts-link">{move || i18n.t(ui::RECEIPTS)}</a>
            {move || sync.problem.get().filter(|_| !sync.need_login.get()).map(|t| view! {
                <span class="sync-problem" data-testid="sync-problem">{i18n.t(t)}</span>
            })}
        </div>
        {move || sync.storage_event.get().map(|e| {
            let text = match e {
                crate::store::StorageEvent::LoginRecordCleared => i18n.t(ui::LOGIN_RECORD_CLEARED).to_owned(),
                crate::store::StorageEvent::DatabaseCleared { unsent } => {
                    format!("{}{}", i18n.t(ui::DATABASE_CLEARED), if unsent > 0 { format!(" {}{}", i18n.t(ui::DATABASE_CLEARED_LOST), unsent) } else { String::new() })
                }
            };
            view! {
                <p class="warning went-back" role="alert" data-testid="storage-event">
                    {text}" "
                    <button type="button" class="link" on:click=move |_| sync.storage_event.set(None)>{i18n.t(ui::DISMISS)}</button>
                </p>
            }
        })}
        // Said plainly, and kept saying while anything is unsent: this PC goes back in time.
        {move || sync.went_back.get().then(|| {
            let unsent = sync.pending.get();
            view! {
                <p class="warning went-back" role="alert" data-testid="went-back">
                    {i18n.t(ui::WENT_BACK)}
                    {(unsent > 0).then(|| format!(" {}{}", i18n.t(ui::WENT_BACK_UNSENT), unsent))}
                </p>
            }
        })}
        <Relogin />
    }
    .into_any()
}

/// The session ended while items were waiting: log in again without leaving the page; the
/// queue resumes where it stopped.
#[component]
fn Relogin() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let Some(sync) = use_sync() else { return ().into_any() };
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<crate::i18n::Text>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(me) = session.me.get_untracked() else { return };
        let p = password.get_untracked();
        spawn_local(async move {
            match api::login(&me.username, &p).await {
                Ok(fresh) => {
                    let _ = remember_for_offline(&fresh, &p).await;
                    password.set(String::new());
                    error.set(None);
                    sync.resumed();
                }
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    (move || {
        sync.need_login.get().then(|| {
            view! {
                <form class="relogin" role="alert" data-testid="relogin" on:submit=submit>
                    <p>{i18n.t(ui::SYNC_NEED_LOGIN)}</p>
                    <input type="password" autocomplete="current-password" data-testid="relogin-password"
                        aria-label=i18n.t(ui::PASSWORD)
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                    <button type="submit" class="primary">{i18n.t(ui::CONTINUE)}</button>
                    <span class="error">{move || error.get().map(|t| i18n.t(t))}</span>
                </form>
            }
        })
    })
    .into_any()
}
