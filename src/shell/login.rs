//! The login page.

use crate::api::{self, ApiError};
use crate::i18n::LangSwitch;
use crate::i18n::{Text, ui, use_i18n};
use crate::session::{OfflineLogin, Remembered, landing, offline_login, remember_for_offline, use_session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);

    if let Some(me) = session.me.get_untracked() {
        navigate(landing(me.role), Default::default());
    }

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (u, p) = (username.get_untracked(), password.get_untracked());
        if u.trim().is_empty() || p.is_empty() {
            error.set(Some(ui::FILL_CREDENTIALS));
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::login(&u, &p).await {
                // A password someone else set (first login, a reset): the account must change it
                // first, and only then does the server release what opens this PC's sealed drafts
                // (the change-password page does it).
                Ok(me) if me.must_change_password => {
                    let to = landing(me.role);
                    session.log_in(me);
                    navigate(to, Default::default());
                }
                Ok(me) => match remember_for_offline(&me, &p).await {
                    Remembered::Opened => {
                        let to = landing(me.role);
                        session.log_in(me);
                        navigate(to, Default::default());
                    }
                    // Sealed drafts no key opened: kept, and the unlock page asks for the old password.
                    Remembered::OldPasswordNeeded => {
                        let to = landing(me.role);
                        session.log_in(me);
                        session.locked.set(true);
                        navigate(to, Default::default());
                    }
                    Remembered::TryAgain => error.set(Some(ui::UNLOCK_TRY_AGAIN)),
                },
                // The server is out of reach: this device may still open the account's drafts.
                Err(ApiError::Network) => match offline_login(&u, &p).await {
                    Ok(me) => {
                        let to = landing(me.role);
                        session.log_in(me);
                        navigate(to, Default::default());
                    }
                    Err(OfflineLogin::WrongPassword) => error.set(Some(ui::OFFLINE_WRONG_PASSWORD)),
                    Err(OfflineLogin::NeverHere) => error.set(Some(ui::OFFLINE_NEVER_HERE)),
                },
                Err(e) => error.set(Some(e.text())),
            }
            busy.set(false);
        });
    };

    view! {
        <main class="page login">
            <div class="login-card">
                <div class="login-head">
                    <h1>{move || i18n.t(ui::APP_NAME)}</h1>
                    <LangSwitch />
                </div>
                <p class="tagline">{move || i18n.t(ui::APP_TAGLINE)}</p>
                <form on:submit=submit novalidate>
                    <label for="username">{move || i18n.t(ui::USERNAME)}</label>
                    <input id="username" name="username" autocomplete="username" autocapitalize="none"
                        prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev)) />
                    <label for="password">{move || i18n.t(ui::PASSWORD)}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev)) />
                    <p class="error" role="alert" data-testid="login-error">{move || error.get().map(|t| i18n.t(t))}</p>
                    <button type="submit" class="primary" prop:disabled=move || busy.get()>
                        {move || i18n.t(if busy.get() { ui::LOGGING_IN } else { ui::LOG_IN })}
                    </button>
                </form>
            </div>
        </main>
    }
}
