//! The unlock page: the account's local data is sealed (shared PCs) and this tab holds no key —
//! the browser was closed since the password was last given. The password opens it again,
//! offline too; a forgotten password clears this device's copy after saying plainly what that
//! loses.

use crate::api;
use crate::i18n::LangSwitch;
use crate::i18n::{Text, ui, use_i18n};
use crate::session::{Remembered, forget_device_data, offline_login, remember_for_offline, use_session};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn UnlockPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let forgetting = RwSignal::new(None::<usize>);
    let me = session.me.get_untracked();
    let name = me.as_ref().map(|m| format!("{} · {}", m.display_name, m.unit_name)).unwrap_or_default();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(me) = session.me.get_untracked() else { return };
        let p = password.get_untracked();
        busy.set(true);
        error.set(None);
        // Let the button show its state before the key derivation (a tenth of a second) runs.
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            match offline_login(&me.username, &p).await {
                Ok(_) if crate::vault::held(me.user_id) => {
                    password.set(String::new());
                    // A new browser session has no server session either (with local encryption
                    // the cookie ends with the browser): the same password opens one, so what
                    // waits to be sent goes out without asking again. Offline, later.
                    let fresh = api::login(&me.username, &p).await.ok().filter(|f| f.user_id == me.user_id);
                    session.log_in(fresh.unwrap_or(me));
                }
                // Not the password this PC knows: perhaps the new one (reset by the administrator,
                // changed on another PC). The server says; the account's device secret then
                // opens what this PC holds — nothing is deleted either way.
                _ => match api::login(&me.username, &p).await {
                    Ok(fresh) => match remember_for_offline(&fresh, &p).await {
                        Remembered::Opened => {
                            password.set(String::new());
                            session.log_in(fresh);
                        }
                        Remembered::OldPasswordNeeded => error.set(Some(ui::UNLOCK_OLD_PASSWORD_NEEDED)),
                        Remembered::TryAgain => error.set(Some(ui::UNLOCK_TRY_AGAIN)),
                    },
                    Err(api::ApiError::Network) => error.set(Some(ui::UNLOCK_WRONG_OFFLINE)),
                    Err(_) => error.set(Some(ui::UNLOCK_WRONG)),
                },
            }
            busy.set(false);
        });
    };
    let counts = RwSignal::new(None::<(u32, u32)>);
    let ask_forget = move |_| {
        let user = session.me.get_untracked().map(|m| m.user_id);
        let n = user.and_then(|u| LocalStorage::get::<usize>(crate::sync::unsent_key(u)).ok()).unwrap_or(0);
        forgetting.set(Some(n));
        // What else would go: queued changes and photos, counted without the key.
        if let Some(u) = user {
            spawn_local(async move {
                if let Ok(c) = crate::store::sealed_counts(u).await
                    && !counts.is_disposed()
                {
                    counts.set(Some(c));
                }
            });
        }
    };
    let forget = move |_| {
        let Some(me) = session.me.get_untracked() else { return };
        spawn_local(async move {
            forget_device_data(&me).await;
            let _ = api::logout().await;
            session.log_out();
            navigate_to_login();
        });
    };
    let switch = move |_| {
        spawn_local(async move {
            let _ = api::logout().await;
            session.log_out();
            navigate_to_login();
        });
    };
    view! {
        <main class="page login">
            <div class="login-card" data-testid="unlock">
                <div class="login-head">
                    <h1>{move || i18n.t(ui::UNLOCK_TITLE)}</h1>
                    <LangSwitch />
                </div>
                <p class="tagline">{move || i18n.t(ui::UNLOCK_WHY)}</p>
                <p class="muted" data-testid="unlock-new-password-hint">{move || i18n.t(ui::UNLOCK_NEW_PASSWORD_HINT)}</p>
                <p><strong>{name}</strong></p>
                <form on:submit=submit novalidate>
                    <label for="unlock-password">{move || i18n.t(ui::PASSWORD)}</label>
                    <input id="unlock-password" type="password" autocomplete="current-password"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev)) />
                    <p class="error" role="alert" data-testid="unlock-error">{move || error.get().map(|t| i18n.t(t))}</p>
                    <button type="submit" class="primary" prop:disabled=move || busy.get()>
                        {move || i18n.t(if busy.get() { ui::UNLOCKING } else { ui::UNLOCK })}
                    </button>
                </form>
                <p>
                    <button type="button" class="link" data-testid="forgot-password" on:click=ask_forget>{move || i18n.t(ui::FORGOT_PASSWORD)}</button>
                    " "
                    <button type="button" class="link" on:click=switch>{move || i18n.t(ui::SWITCH_ACCOUNT)}</button>
                </p>
                {move || forgetting.get().map(|n| view! {
                    <div class="logout-confirm" role="alertdialog" data-testid="forget-confirm">
                        <p>{format!("{}{}{}", i18n.t(ui::FORGET_BEFORE), n, i18n.t(ui::FORGET_AFTER))}</p>
                        {move || counts.get().map(|(queued, photos)| view! {
                            <p data-testid="forget-counts">{ui::forget_counts(i18n.lang.get(), queued, photos)}</p>
                        })}
                        <p class="muted small">{i18n.t(ui::FORGET_NEW_PASSWORD_FIRST)}</p>
                        <button type="button" class="danger" data-testid="forget-device" on:click=forget>{i18n.t(ui::FORGET_CONFIRM)}</button>
                        <button type="button" class="secondary" on:click=move |_| forgetting.set(None)>{i18n.t(ui::CANCEL)}</button>
                    </div>
                })}
            </div>
        </main>
    }
}

/// A full navigation to the login page (the shell starts again without this account).
fn navigate_to_login() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href("/login");
    }
}
