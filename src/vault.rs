//! The data key of the account logged in on this tab (local data at rest, issue 10).
//!
//! When the server asks for it (`Me::seal_local`, the `--local-encryption` setting, on by
//! default for shared township PCs), every draft, outbox entry, receipt and photo this tab
//! writes to IndexedDB is sealed with AES-256-GCM under a random data key
//! ([`xinbao_core::unlock::DataKey`]). The device keeps that key only wrapped under the
//! officer's password (see `session.rs`); unwrapped it lives in this tab's memory and its
//! sessionStorage, so a reload stays open while closing the browser locks the drafts until the
//! password is given again — online or offline. A new tab of the same browser session asks the
//! open tabs for the key ([`share`], [`ask`]): the browser is unlocked while any of its tabs is.

use gloo_storage::{SessionStorage, Storage};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use xinbao_core::unlock::{DataKey, NONCE_LEN};

const TAB_KEY: &str = "xinbao.vault";

#[derive(Serialize, Deserialize)]
struct TabKey {
    user_id: i64,
    key: Vec<u8>,
    seal: bool,
}

thread_local! {
    static KEY: RefCell<Option<(i64, DataKey, bool)>> = const { RefCell::new(None) };
}

/// Holds `key` for `user_id` in this tab; `seal` says whether new records are sealed.
pub fn hold(user_id: i64, key: DataKey, seal: bool) {
    let _ = SessionStorage::set(TAB_KEY, TabKey { user_id, key: key.bytes().to_vec(), seal });
    KEY.with(|k| *k.borrow_mut() = Some((user_id, key, seal)));
}

/// Takes the key back from this tab's sessionStorage after a reload; whether it is held now.
pub fn restore(user_id: i64) -> bool {
    if held(user_id) {
        return true;
    }
    let Ok(tab) = SessionStorage::get::<TabKey>(TAB_KEY) else { return false };
    match DataKey::from_bytes(&tab.key) {
        Some(key) if tab.user_id == user_id => {
            KEY.with(|k| *k.borrow_mut() = Some((user_id, key, tab.seal)));
            true
        }
        _ => false,
    }
}

/// Whether this tab holds `user_id`'s key.
pub fn held(user_id: i64) -> bool {
    KEY.with(|k| k.borrow().as_ref().is_some_and(|(u, _, _)| *u == user_id))
}

/// The key held for `user_id`, if any.
pub fn key_of(user_id: i64) -> Option<DataKey> {
    KEY.with(|k| k.borrow().as_ref().filter(|(u, _, _)| *u == user_id).map(|(_, key, _)| key.clone()))
}

/// Forgets the key (logout): this tab can no longer read sealed records.
pub fn forget() {
    SessionStorage::delete(TAB_KEY);
    KEY.with(|k| *k.borrow_mut() = None);
}

/// Whether records written now are sealed (a key is held and the server asks for sealing).
pub fn sealing() -> bool {
    KEY.with(|k| k.borrow().as_ref().is_some_and(|(_, _, seal)| *seal))
}

/// `plain` sealed under the held key when sealing is on; `None` means store it as it is.
pub fn seal(plain: &[u8]) -> Option<Vec<u8>> {
    KEY.with(|k| {
        let k = k.borrow();
        let (_, key, seal) = k.as_ref()?;
        if !*seal {
            return None;
        }
        let mut nonce = [0u8; NONCE_LEN];
        crate::util::fill_random(&mut nonce);
        Some(key.seal(nonce, plain))
    })
}

/// `plain` (JSON) as text to keep in web storage: sealed under the held key when sealing is
/// on (`sealed:` and base64), as it is otherwise.
pub fn to_text(plain: &[u8]) -> String {
    use base64::Engine;
    match seal(plain) {
        Some(sealed) => format!("{SEALED_PREFIX}{}", base64::engine::general_purpose::STANDARD.encode(sealed)),
        None => String::from_utf8_lossy(plain).into_owned(),
    }
}

/// The plain bytes of what [`to_text`] wrote, if this tab can read it (a sealed one needs the key).
pub fn from_text(stored: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    match stored.strip_prefix(SEALED_PREFIX) {
        Some(b64) => open(&base64::engine::general_purpose::STANDARD.decode(b64).ok()?).ok(),
        None => Some(stored.as_bytes().to_vec()),
    }
}

/// Keeps a small record of the account's (the inbox, the phone last used) in localStorage,
/// through [`to_text`]: nothing of an account's items in clear on a shared PC.
pub fn put_local<T: Serialize>(key: &str, value: &T) {
    use gloo_storage::Storage;
    let Ok(json) = serde_json::to_vec(value) else { return };
    let _ = gloo_storage::LocalStorage::raw().set_item(key, &to_text(&json));
}

/// What [`put_local`] kept, if this tab can read it. With sealing on, a value kept in clear (by
/// an older version, or planted by someone at the PC) is not believed: it is removed, and the
/// inbox comes back at the next sync.
pub fn get_local<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    use gloo_storage::Storage;
    let storage = gloo_storage::LocalStorage::raw();
    let stored = storage.get_item(key).ok()??;
    if sealing() && !stored.starts_with(SEALED_PREFIX) {
        let _ = storage.remove_item(key);
        return None;
    }
    serde_json::from_slice(&from_text(&stored)?).ok()
}

const SEALED_PREFIX: &str = "sealed:";

/// Why a sealed record could not be opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenError {
    /// No key in this tab: the password has not been given since the browser opened.
    Locked,
    /// Sealed under another key, or damaged.
    Damaged,
}

/// The plain bytes of a sealed record.
pub fn open(sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
    KEY.with(|k| {
        let k = k.borrow();
        let (_, key, _) = k.as_ref().ok_or(OpenError::Locked)?;
        key.open(sealed).ok_or(OpenError::Damaged)
    })
}

/// The channel tabs of one browser hand the key over on.
const CHANNEL: &str = "xinbao-vault";

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Message {
    Ask { user_id: i64 },
    Key { user_id: i64, key: Vec<u8>, seal: bool },
}

fn post(ch: &web_sys::BroadcastChannel, m: &Message) {
    if let Ok(json) = serde_json::to_string(m) {
        let _ = ch.post_message(&wasm_bindgen::JsValue::from_str(&json));
    }
}

/// Answers other tabs of this browser that ask for the key this tab holds (for the life of
/// the page).
pub fn share() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Ok(ch) = web_sys::BroadcastChannel::new(CHANNEL) else { return };
    let reply = ch.clone();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let Some(Message::Ask { user_id }) = ev.data().as_string().and_then(|t| serde_json::from_str(&t).ok()) else { return };
        let held = KEY.with(|k| k.borrow().as_ref().filter(|(u, _, _)| *u == user_id).map(|(_, key, seal)| (key.bytes().to_vec(), *seal)));
        if let Some((key, seal)) = held {
            post(&reply, &Message::Key { user_id, key, seal });
        }
    });
    ch.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    std::mem::forget(ch);
}

/// Asks the other open tabs for `user_id`'s key; true when one answered within `wait_ms`
/// (the key is then held here).
pub async fn ask(user_id: i64, wait_ms: u32) -> bool {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Ok(ch) = web_sys::BroadcastChannel::new(CHANNEL) else { return false };
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        if let Some(Message::Key { user_id: u, key, seal }) = ev.data().as_string().and_then(|t| serde_json::from_str(&t).ok())
            && u == user_id
            && !held(user_id)
            && let Some(key) = DataKey::from_bytes(&key)
        {
            hold(user_id, key, seal);
        }
    });
    ch.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    post(&ch, &Message::Ask { user_id });
    let mut waited = 0;
    while waited < wait_ms && !held(user_id) {
        gloo_timers::future::TimeoutFuture::new(50).await;
        waited += 50;
    }
    ch.close();
    drop(on_message);
    held(user_id)
}
