//! The session hint: who is logged in on this browser, kept in localStorage so the app knows
//! whose drafts to open even offline. The real session is the server's HttpOnly cookie; the
//! hint holds no secret.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use xinbao_core::api::Me;
use xinbao_core::unlock::{DataKey, ITERATIONS, NONCE_LEN, SECRET_ITERATIONS, Verifier, WrappedKey};

const HINT_KEY: &str = "xinbao.session";

/// What this device remembers to let an account back in offline: a password verifier (never
/// the password), who the account is, and its data key wrapped under the password (see
/// [`crate::vault`]).
#[derive(Serialize, Deserialize)]
struct OfflineUnlock {
    verifier: Verifier,
    me: Me,
    #[serde(default)]
    wrapped: Option<WrappedKey>,
    /// The same data key wrapped under the account's device secret, which the server releases
    /// only to a session that just proved the password: a password reset by the administrator,
    /// or changed on another PC, still opens this PC's sealed drafts after an online login.
    #[serde(default)]
    escrowed: Option<WrappedKey>,
}

fn unlock_key(username: &str) -> String {
    format!("xinbao.unlock.{}", username.trim().to_lowercase())
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    crate::util::fill_random(&mut b);
    b
}

/// What [`remember_for_offline`] could do with this PC's sealed data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remembered {
    /// The data key is held: the drafts are open.
    Opened,
    /// Neither the password nor the device secret opens what is sealed here (sealed before the
    /// device secret existed, under a password since reset): the old password is needed. Nothing
    /// was changed or deleted.
    OldPasswordNeeded,
    /// The server could not give the device secret just now (or the local database could not be
    /// read): try again; nothing was changed or deleted.
    TryAgain,
}

/// After an online login (or a password change): remember a verifier so this account can open
/// its drafts offline, and hold the account's data key in this tab. The key is the one this tab
/// already holds, or the one the password unwraps, or the one the account's device secret
/// unwraps (the password was reset or changed elsewhere). Nothing is ever deleted here, and a
/// wrapped key that could not be opened is never replaced — whatever the encryption setting —
/// so the old password or the device secret can still open what it sealed.
pub async fn remember_for_offline(me: &Me, password: &str) -> Remembered {
    let mut previous: Option<OfflineUnlock> = LocalStorage::get(unlock_key(&me.username)).ok();
    // The browser's localStorage cleared, its database kept: the keys kept beside the data.
    let kept = match crate::store::kept_keys(me.user_id).await {
        Ok(k) => k,
        Err(_) if previous.is_none() => return Remembered::TryAgain,
        Err(_) => None,
    };
    if previous.as_ref().is_none_or(|r| r.wrapped.is_none())
        && let Some(k) = &kept
        && k.wrapped.is_some()
    {
        previous = Some(OfflineUnlock {
            // Never checked: the record written below carries a fresh verifier.
            verifier: Verifier::from_derived(Vec::new(), 0, [0; 32]),
            me: me.clone(),
            wrapped: k.wrapped.clone(),
            escrowed: k.escrowed.clone(),
        });
        crate::store::note_storage_event(crate::store::StorageEvent::LoginRecordCleared);
    }
    let fetched = crate::api::get_json::<xinbao_core::api::DeviceKey>("/api/me/device-key").await;
    let secret_unavailable =
        matches!(&fetched, Err(e) if !matches!(e, crate::api::ApiError::Server(xinbao_core::api::ErrorCode::Unauthenticated)));
    let secret = fetched.ok().map(|k| k.secret);
    let mut known = crate::vault::key_of(me.user_id);
    if known.is_none()
        && let Some(w) = previous.as_ref().and_then(|r| r.wrapped.as_ref())
    {
        known = crate::kdf::unwrap(w, password).await;
    }
    if known.is_none()
        && let (Some(w), Some(s)) = (previous.as_ref().and_then(|r| r.escrowed.as_ref()), secret.as_deref())
    {
        known = crate::kdf::unwrap(w, s).await;
    }
    let sealed_here = previous.as_ref().is_some_and(|r| r.wrapped.is_some());
    let same_key = known.is_some();
    let key = match known {
        Some(k) => k,
        None if sealed_here && secret_unavailable => return Remembered::TryAgain,
        None if sealed_here && me.seal_local => return Remembered::OldPasswordNeeded,
        None if sealed_here => {
            // Sealing is off now: new records go plain under a key of this tab alone; the record
            // that wraps the old key stays as it is, for what it sealed.
            crate::vault::hold(me.user_id, DataKey::from_password(password, &random::<16>(), 1), false);
            return Remembered::Opened;
        }
        // Nothing sealed here: a new key.
        None => DataKey::from_bytes(&random::<32>()).unwrap_or_else(|| DataKey::from_password(password, &random::<16>(), 1)),
    };
    let wrapped = crate::kdf::wrap(&key, password, ITERATIONS, random::<16>().to_vec(), random::<NONCE_LEN>()).await;
    let escrowed = match &secret {
        Some(s) => Some(crate::kdf::wrap(&key, s, SECRET_ITERATIONS, random::<16>().to_vec(), random::<NONCE_LEN>()).await),
        // The server did not give the secret this time: the previous escrow, if it holds this key.
        None => previous.and_then(|r| r.escrowed).filter(|_| same_key),
    };
    let verifier = crate::kdf::verifier(password, random::<16>().to_vec()).await;
    let record = OfflineUnlock { verifier, me: me.clone(), wrapped: Some(wrapped), escrowed };
    let _ = LocalStorage::set(unlock_key(&me.username), &record);
    let keys = crate::store::KeptKeys { key: String::new(), wrapped: record.wrapped.clone(), escrowed: record.escrowed.clone() };
    let _ = crate::store::keep_keys(me.user_id, &keys).await;
    crate::vault::hold(me.user_id, key, me.seal_local);
    reseal_soon(me.user_id);
    Remembered::Opened
}

/// Brings every stored record into the form the setting asks for, in the background.
fn reseal_soon(user: i64) {
    leptos::task::spawn_local(async move {
        let _ = crate::store::reseal_all(user).await;
        let _ = crate::photos::reseal_all(user).await;
    });
}

/// Why an offline login did not work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfflineLogin {
    /// This account never logged in online on this device: nothing to check against.
    NeverHere,
    WrongPassword,
}

/// With the server out of reach (or to unlock this tab): the account's identity if `password`
/// matches its verifier; its data key is then held in this tab.
pub async fn offline_login(username: &str, password: &str) -> Result<Me, OfflineLogin> {
    let record: OfflineUnlock = LocalStorage::get(unlock_key(username)).map_err(|_| OfflineLogin::NeverHere)?;
    if !crate::kdf::verify(&record.verifier, password).await {
        return Err(OfflineLogin::WrongPassword);
    }
    let key = match record.wrapped.as_ref() {
        Some(w) => crate::kdf::unwrap(w, password).await,
        None => None,
    };
    if let Some(key) = key {
        crate::vault::hold(record.me.user_id, key, record.me.seal_local);
        reseal_soon(record.me.user_id);
    }
    Ok(record.me)
}

/// Whether this account's records are sealed on this device and this tab cannot open them yet
/// (the browser was closed since the password was last given).
pub fn locked(me: &Me) -> bool {
    if crate::vault::restore(me.user_id) {
        return false;
    }
    let record: Option<OfflineUnlock> = LocalStorage::get(unlock_key(&me.username)).ok();
    record.is_some_and(|r| r.me.seal_local && r.wrapped.is_some())
}

/// A forgotten password: this device forgets the account — its local database (drafts the
/// server never received are lost; the rest comes back after the next login) and its unlock
/// record.
pub async fn forget_device_data(me: &Me) {
    crate::vault::forget();
    let _ = crate::store::delete_all(me.user_id).await;
    crate::store::forget_client(me.user_id);
    LocalStorage::delete(unlock_key(&me.username));
}

/// Whether someone is logged in on this browser, as far as it knows offline (the session hint).
pub fn hinted() -> bool {
    LocalStorage::get::<Me>(HINT_KEY).is_ok()
}

/// Where a person lands after logging in: the information section's editors and signers on
/// their home page, everyone else on their own desk of drafts.
pub fn landing(role: xinbao_core::role::Role) -> &'static str {
    use xinbao_core::role::Role;
    if matches!(role, Role::Editor | Role::Signer) { "/home" } else { "/" }
}

/// Who is logged in, provided as context by the app shell.
#[derive(Clone, Copy)]
pub struct Session {
    pub me: RwSignal<Option<Me>>,
    /// The account's sealed local data cannot be read in this tab until the password is given.
    pub locked: RwSignal<bool>,
}

impl Session {
    pub fn load() -> Session {
        let me = LocalStorage::get::<Me>(HINT_KEY).ok();
        let locked = me.as_ref().is_some_and(locked);
        Session { me: RwSignal::new(me), locked: RwSignal::new(locked) }
    }

    /// Logged in (online, offline or by unlocking): the data key is held by now.
    pub fn log_in(&self, me: Me) {
        let _ = LocalStorage::set(HINT_KEY, &me);
        self.me.set(Some(me));
        self.locked.set(false);
    }

    pub fn log_out(&self) {
        LocalStorage::delete(HINT_KEY);
        crate::vault::forget();
        self.me.set(None);
        self.locked.set(false);
    }
}

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(Session::load)
}
