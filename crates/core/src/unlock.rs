//! Unlocking a shared PC's local data offline: after an online login the browser keeps a
//! verifier — PBKDF2-HMAC-SHA256 of the password with a random salt — never the password. With
//! the server out of reach, the same password opens that account's local drafts again.
//!
//! Local data at rest: drafts, the outbox and photos are sealed with AES-256-GCM under a random
//! data key ([`DataKey`]). The data key is kept on the device only wrapped (itself sealed) under
//! a key derived from the password with PBKDF2 and a second salt, so a password change rewraps
//! one key instead of re-encrypting every record, and a forgotten password loses the data key —
//! and with it only what the server never received.

use serde::{Deserialize, Serialize};

/// Iterations of PBKDF2-HMAC-SHA256 for what a password opens on the device: OWASP's current
/// recommendation (Password Storage Cheat Sheet, 2023: 600,000). The browser derives through
/// WebCrypto where it is offered (native speed); records made with an older count keep it (it is
/// stored beside them) until the next online login writes them again.
pub const ITERATIONS: u32 = 600_000;

/// Iterations for wrapping under the account's device secret: 32 random bytes from the server,
/// which no guessing reaches — stretching them would only slow every login.
pub const SECRET_ITERATIONS: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verifier {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub hash: Vec<u8>,
}

/// PBKDF2-HMAC-SHA256 of `password` with `salt`, 32 bytes — in Rust (tests, and browsers that
/// offer no WebCrypto, such as pages on plain http).
pub fn derive(password: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt, iterations, &mut out);
    out
}

impl Verifier {
    /// A verifier for `password`; `salt` must be fresh random bytes (16 or more).
    pub fn new(password: &str, salt: Vec<u8>) -> Verifier {
        let hash = derive(password, &salt, ITERATIONS).to_vec();
        Verifier { salt, iterations: ITERATIONS, hash }
    }

    /// A verifier from a derivation made elsewhere (the browser's WebCrypto): `hash` is
    /// [`derive`] of the password with `salt` and `iterations`.
    pub fn from_derived(salt: Vec<u8>, iterations: u32, hash: [u8; 32]) -> Verifier {
        Verifier { salt, iterations, hash: hash.to_vec() }
    }

    /// Whether `password` is the one this verifier was made from (constant-time compare).
    pub fn verify(&self, password: &str) -> bool {
        self.iterations != 0 && self.matches(&derive(password, &self.salt, self.iterations))
    }

    /// Whether `derived` — the password derived with this verifier's salt and iterations — is
    /// the one it was made from (constant-time compare).
    pub fn matches(&self, derived: &[u8; 32]) -> bool {
        if self.iterations == 0 || self.hash.len() != 32 {
            return false;
        }
        derived.iter().zip(&self.hash).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// Bytes of a random nonce in front of every sealed value.
pub const NONCE_LEN: usize = 12;

/// A 256-bit AES-GCM key: the data key, or the key derived from a password that wraps it.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl From<[u8; 32]> for DataKey {
    fn from(bytes: [u8; 32]) -> DataKey {
        DataKey(bytes)
    }
}

impl DataKey {
    /// A key from 32 random bytes (the caller's CSPRNG).
    pub fn from_bytes(bytes: &[u8]) -> Option<DataKey> {
        Some(DataKey(bytes.try_into().ok()?))
    }

    /// The key that wraps the data key: PBKDF2-HMAC-SHA256 of `password` with `salt`.
    pub fn from_password(password: &str, salt: &[u8], iterations: u32) -> DataKey {
        DataKey(derive(password, salt, iterations.max(1)))
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// `nonce ‖ AES-256-GCM(plain)`; `nonce` must be fresh random bytes for every call.
    pub fn seal(&self, nonce: [u8; NONCE_LEN], plain: &[u8]) -> Vec<u8> {
        use aes_gcm::aead::{Aead, KeyInit};
        let cipher = aes_gcm::Aes256Gcm::new(&self.0.into());
        let mut out = nonce.to_vec();
        // Encryption with a valid key and nonce cannot fail; an empty result would fail to open.
        out.extend(cipher.encrypt(&nonce.into(), plain).unwrap_or_default());
        out
    }

    /// The plain bytes of a value [`DataKey::seal`] made with this key; `None` for another key
    /// or any change to the bytes.
    pub fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        use aes_gcm::aead::{Aead, KeyInit};
        if sealed.len() < NONCE_LEN + 16 {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        aes_gcm::Aes256Gcm::new(&self.0.into()).decrypt(&nonce.into(), body).ok()
    }
}

/// The data key as the device keeps it: sealed under the password's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub sealed: Vec<u8>,
}

impl WrappedKey {
    /// Wraps `key` under `password` (`salt` fresh random bytes, `nonce` too).
    pub fn wrap(key: &DataKey, password: &str, salt: Vec<u8>, nonce: [u8; NONCE_LEN]) -> WrappedKey {
        let sealed = DataKey::from_password(password, &salt, ITERATIONS).seal(nonce, key.bytes());
        WrappedKey { salt, iterations: ITERATIONS, sealed }
    }

    /// Wraps `key` under `kek`, a key derived elsewhere from a password or secret with `salt`
    /// and `iterations` (recorded, so it can be derived again).
    pub fn wrap_under(key: &DataKey, kek: &DataKey, salt: Vec<u8>, iterations: u32, nonce: [u8; NONCE_LEN]) -> WrappedKey {
        WrappedKey { salt, iterations, sealed: kek.seal(nonce, key.bytes()) }
    }

    /// The data key, if `password` is the one it was wrapped with.
    pub fn unwrap_with(&self, password: &str) -> Option<DataKey> {
        self.unwrap_under(&DataKey::from_password(password, &self.salt, self.iterations))
    }

    /// The data key, if `kek` (derived with this record's salt and iterations) is the one it was
    /// wrapped under.
    pub fn unwrap_under(&self, kek: &DataKey) -> Option<DataKey> {
        DataKey::from_bytes(&kek.open(&self.sealed)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_unchanged() {
        let key = DataKey::from_bytes(&[3; 32]).unwrap_or_else(|| DataKey::from_password("k", b"s", 1));
        let plain = "河西镇抢收小麦1.2万亩".as_bytes();
        let sealed = key.seal([9; NONCE_LEN], plain);
        assert!(!sealed.windows(plain.len()).any(|w| w == plain), "the text is not in the sealed bytes");
        assert_eq!(key.open(&sealed).as_deref(), Some(plain));
        assert_ne!(key.seal([8; NONCE_LEN], plain), sealed, "the nonce matters");
        let other = DataKey::from_bytes(&[4; 32]).unwrap_or_else(|| DataKey::from_password("o", b"s", 1));
        assert_eq!(other.open(&sealed), None);
        let mut tampered = sealed.clone();
        if let Some(b) = tampered.last_mut() {
            *b ^= 1;
        }
        assert_eq!(key.open(&tampered), None);
        assert_eq!(key.open(&sealed[..10]), None);
        assert_eq!(key.open(&[]), None);
    }

    /// Records as the device keeps them, at a low count so the tests stay quick (the count is
    /// stored beside each record and used to check it).
    const FEW: u32 = 1000;

    fn wrap(key: &DataKey, password: &str, salt: Vec<u8>, nonce: [u8; NONCE_LEN]) -> WrappedKey {
        WrappedKey::wrap_under(key, &DataKey::from(derive(password, &salt, FEW)), salt, FEW, nonce)
    }

    fn verifier(password: &str, salt: Vec<u8>) -> Verifier {
        let hash = derive(password, &salt, FEW);
        Verifier::from_derived(salt, FEW, hash)
    }

    #[test]
    fn the_data_key_unwraps_with_its_password_only() {
        let key = DataKey::from([5; 32]);
        let wrapped = wrap(&key, "Chunfeng-2026", vec![1; 16], [2; NONCE_LEN]);
        assert_eq!(wrapped.unwrap_with("Chunfeng-2026"), Some(key.clone()));
        assert_eq!(wrapped.unwrap_with("chunfeng-2026"), None);
        assert_eq!(wrapped.unwrap_with(""), None);
        // A new password wraps the same key: every record sealed under it still opens.
        let rewrapped = wrap(&key, "Qiushou-2026", vec![3; 16], [4; NONCE_LEN]);
        assert_eq!(rewrapped.unwrap_with("Qiushou-2026"), Some(key));
        assert_eq!(rewrapped.unwrap_with("Chunfeng-2026"), None);
        assert!(DataKey::from_bytes(&[0; 31]).is_none());
    }

    #[test]
    fn the_right_password_unlocks_and_others_do_not() {
        let v = verifier("Chunfeng-2026", vec![7; 16]);
        assert!(v.verify("Chunfeng-2026"));
        assert!(!v.verify("chunfeng-2026"));
        assert!(!v.verify(""));
        assert_ne!(v.hash, verifier("Chunfeng-2026", vec![8; 16]).hash, "the salt matters");
    }

    #[test]
    fn new_records_use_owasps_count_and_old_ones_keep_theirs() {
        assert_eq!(ITERATIONS, 600_000);
        let v = Verifier::new("Chunfeng-2026", vec![7; 16]);
        assert_eq!(v.iterations, ITERATIONS);
        assert!(v.matches(&derive("Chunfeng-2026", &[7; 16], ITERATIONS)));
        // A verifier written by an older app (60,000) still opens with its own count.
        let old = Verifier::from_derived(vec![9; 16], 60_000, derive("Chunfeng-2026", &[9; 16], 60_000));
        assert!(old.verify("Chunfeng-2026"));
    }

    #[test]
    fn a_damaged_verifier_never_unlocks() {
        let mut v = verifier("x", vec![1; 16]);
        v.hash.truncate(10);
        assert!(!v.verify("x"));
        let zero = Verifier { salt: vec![], iterations: 0, hash: vec![0; 32] };
        assert!(!zero.verify(""));
    }

    #[test]
    fn pbkdf2_matches_the_rfc_7914_vector() {
        // RFC 7914 §11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, first 32 bytes.
        let out = derive("passwd", b"salt", 1);
        assert_eq!(&out[..4], &[0x55, 0xac, 0x04, 0x6e]);
    }
}
