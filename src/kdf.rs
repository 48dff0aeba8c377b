//! PBKDF2-HMAC-SHA256 for what a password opens on this device (the offline verifier, the
//! wrapped data key), at [`xinbao_core::unlock::ITERATIONS`] — OWASP's count. Through the
//! browser's WebCrypto where it is offered (a secure context: https, localhost), at native speed;
//! in Wasm ([`xinbao_core::unlock::derive`]) where it is not (a page on plain http), slower but
//! the same bytes.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use xinbao_core::unlock::{DataKey, NONCE_LEN, Verifier, WrappedKey};

/// 32 bytes of PBKDF2-HMAC-SHA256 of `secret` with `salt`.
pub async fn derive(secret: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
    match webcrypto(secret, salt, iterations).await {
        Some(bytes) => bytes,
        None => xinbao_core::unlock::derive(secret, salt, iterations),
    }
}

async fn webcrypto(secret: &str, salt: &[u8], iterations: u32) -> Option<[u8; 32]> {
    let crypto = web_sys::window()?.crypto().ok()?;
    // Outside a secure context `crypto.subtle` is undefined.
    let subtle = js_sys::Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?.dyn_into::<web_sys::SubtleCrypto>().ok()?;
    let usages = Array::of1(&JsValue::from_str("deriveBits"));
    let raw = Uint8Array::from(secret.as_bytes());
    let key = JsFuture::from(subtle.import_key_with_str("raw", &raw, "PBKDF2", false, &usages).ok()?).await.ok()?;
    let params = web_sys::Pbkdf2Params::new("PBKDF2", &JsValue::from_str("SHA-256"), iterations, &Uint8Array::from(salt));
    let bits = JsFuture::from(subtle.derive_bits_with_object(&params, &key.dyn_into().ok()?, 256).ok()?).await.ok()?;
    Uint8Array::new(&bits).to_vec().try_into().ok()
}

/// A verifier for `password` under a fresh salt.
pub async fn verifier(password: &str, salt: Vec<u8>) -> Verifier {
    let hash = derive(password, &salt, xinbao_core::unlock::ITERATIONS).await;
    Verifier::from_derived(salt, xinbao_core::unlock::ITERATIONS, hash)
}

/// Whether `password` is the one `v` was made from.
pub async fn verify(v: &Verifier, password: &str) -> bool {
    v.iterations != 0 && v.matches(&derive(password, &v.salt, v.iterations).await)
}

/// `key` wrapped under `secret` (a password, or the device secret with `iterations` 1).
pub async fn wrap(key: &DataKey, secret: &str, iterations: u32, salt: Vec<u8>, nonce: [u8; NONCE_LEN]) -> WrappedKey {
    let kek = DataKey::from(derive(secret, &salt, iterations).await);
    WrappedKey::wrap_under(key, &kek, salt, iterations, nonce)
}

/// The data key `w` holds, if `secret` is the one it was wrapped with.
pub async fn unwrap(w: &WrappedKey, secret: &str) -> Option<DataKey> {
    w.unwrap_under(&DataKey::from(derive(secret, &w.salt, w.iterations).await))
}
