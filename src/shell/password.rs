//! Changing one's password: forced after a one-time password (first admin, reset). The rule is
//! `xinbao_core::password::check_strength`, checked here for instant feedback and again by the
//! server.

use crate::api;
use crate::i18n::{Text, ui, use_i18n};
use crate::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinbao_core::password::check_strength;

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let username = session.me.get_untracked().map(|m| m.username).unwrap_or_default();
        let (c, n, r) = (current.get_untracked(), new.get_untracked(), repeat.get_untracked());
        if let Err(why) = check_strength(&n, &username) {
            error.set(Some(why));
            return;
        }
        if n != r {
            error.set(Some(ui::PASSWORDS_DIFFER));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::change_password(&c, &n).await {
                Ok(me) => {
                    // The data key is rewrapped under the new password — after a reset, opened first
                    // with the account's device secret, which the server releases only now.
                    let opened = crate::session::remember_for_offline(&me, &n).await;
                    session.log_in(me);
                    // Not opened (the old password is needed, or the server could not answer just
                    // now): the unlock page takes it from here; nothing is deleted.
                    if opened != crate::session::Remembered::Opened {
                        session.locked.set(true);
                    }
                }
                Err(e) => error.set(Some(e.text())),
            }
            busy.set(false);
        });
    };
    let field = move |id: &'static str, label: Text, value: RwSignal<String>, autocomplete: &'static str| {
        view! {
            <label for=id>{move || i18n.t(label)}</label>
            <input id=id type="password" autocomplete=autocomplete
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) />
        }
    };
    view! {
        <main class="page">
            <form class="draft-form narrow" on:submit=submit novalidate>
                <h2>{move || i18n.t(ui::CHANGE_PASSWORD)}</h2>
                <p class="muted">{move || i18n.t(ui::CHANGE_PASSWORD_WHY)}</p>
                {field("current-password", ui::CURRENT_PASSWORD, current, "current-password")}
                {field("new-password", ui::NEW_PASSWORD, new, "new-password")}
                {field("repeat-password", ui::REPEAT_PASSWORD, repeat, "new-password")}
                <p class="muted small">{move || i18n.t(ui::PASSWORD_RULE)}</p>
                <p class="error" role="alert" data-testid="password-error">{move || error.get().map(|t| i18n.t(t))}</p>
                <button type="submit" class="primary" prop:disabled=move || busy.get()>{move || i18n.t(ui::SAVE_PASSWORD)}</button>
            </form>
        </main>
    }
}
