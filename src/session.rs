//! The session hint: who is logged in on this browser, kept in localStorage so the app knows
//! whose drafts to open even offline. The real session is the server's HttpOnly cookie; the
//! hint holds no secret.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use xinbao_core::api::Me;

const HINT_KEY: &str = "xinbao.session";

/// Who is logged in, provided as context by the app shell.
#[derive(Clone, Copy)]
pub struct Session {
    pub me: RwSignal<Option<Me>>,
}

impl Session {
    pub fn load() -> Session {
        Session { me: RwSignal::new(LocalStorage::get::<Me>(HINT_KEY).ok()) }
    }

    pub fn log_in(&self, me: Me) {
        let _ = LocalStorage::set(HINT_KEY, &me);
        self.me.set(Some(me));
    }

    pub fn log_out(&self) {
        LocalStorage::delete(HINT_KEY);
        self.me.set(None);
    }
}

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(Session::load)
}
