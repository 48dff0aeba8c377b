//! The session hint: who is logged in on this browser, kept in localStorage so the app knows
//! whose drafts to open even offline. The real session is the server's HttpOnly cookie; the
//! hint holds no secret.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use xinbao_core::api::Me;
use xinbao_core::unlock::Verifier;

const HINT_KEY: &str = "xinbao.session";

/// What this device remembers to let an account back in offline: a password verifier (never
/// the password) and who the account is.
#[derive(Serialize, Deserialize)]
struct OfflineUnlock {
    verifier: Verifier,
    me: Me,
}

fn unlock_key(username: &str) -> String {
    format!("xinbao.unlock.{}", username.trim().to_lowercase())
}

/// After an online login: remember a verifier so this account can open its drafts offline.
pub fn remember_for_offline(me: &Me, password: &str) {
    let mut salt = vec![0u8; 16];
    crate::util::fill_random(&mut salt);
    let record = OfflineUnlock { verifier: Verifier::new(password, salt), me: me.clone() };
    let _ = LocalStorage::set(unlock_key(&me.username), &record);
}

/// Why an offline login did not work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfflineLogin {
    /// This account never logged in online on this device: nothing to check against.
    NeverHere,
    WrongPassword,
}

/// With the server out of reach: the account's identity if `password` matches its verifier.
pub fn offline_login(username: &str, password: &str) -> Result<Me, OfflineLogin> {
    let record: OfflineUnlock = LocalStorage::get(unlock_key(username)).map_err(|_| OfflineLogin::NeverHere)?;
    if record.verifier.verify(password) { Ok(record.me) } else { Err(OfflineLogin::WrongPassword) }
}

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
