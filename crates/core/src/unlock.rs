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

/// Iterations: costly enough to slow guessing on a stolen disk, quick enough in Wasm on a
/// township PC (about a tenth of a second).
pub const ITERATIONS: u32 = 60_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verifier {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub hash: Vec<u8>,
}

fn derive(password: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
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

    /// Whether `password` is the one this verifier was made from (constant-time compare).
    pub fn verify(&self, password: &str) -> bool {
        if self.iterations == 0 || self.hash.len() != 32 {
            return false;
        }
        let got = derive(password, &self.salt, self.iterations);
        got.iter().zip(&self.hash).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
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

    /// The data key, if `password` is the one it was wrapped with.
    pub fn unwrap_with(&self, password: &str) -> Option<DataKey> {
        DataKey::from_bytes(&DataKey::from_password(password, &self.salt, self.iterations).open(&self.sealed)?)
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

    #[test]
    fn the_data_key_unwraps_with_its_password_only() {
        let key = DataKey::from_bytes(&[5; 32]).unwrap_or_else(|| DataKey::from_password("k", b"s", 1));
        let wrapped = WrappedKey::wrap(&key, "Chunfeng-2026", vec![1; 16], [2; NONCE_LEN]);
        assert_eq!(wrapped.unwrap_with("Chunfeng-2026"), Some(key.clone()));
        assert_eq!(wrapped.unwrap_with("chunfeng-2026"), None);
        assert_eq!(wrapped.unwrap_with(""), None);
        // A new password wraps the same key: every record sealed under it still opens.
        let rewrapped = WrappedKey::wrap(&key, "Qiushou-2026", vec![3; 16], [4; NONCE_LEN]);
        assert_eq!(rewrapped.unwrap_with("Qiushou-2026"), Some(key));
        assert_eq!(rewrapped.unwrap_with("Chunfeng-2026"), None);
        assert!(DataKey::from_bytes(&[0; 31]).is_none());
    }

    #[test]
    fn the_right_password_unlocks_and_others_do_not() {
        let v = Verifier::new("Chunfeng-2026", vec![7; 16]);
        assert!(v.verify("Chunfeng-2026"));
        assert!(!v.verify("chunfeng-2026"));
        assert!(!v.verify(""));
        assert_ne!(v.hash, Verifier::new("Chunfeng-2026", vec![8; 16]).hash, "the salt matters");
    }

    #[test]
    fn a_damaged_verifier_never_unlocks() {
        let mut v = Verifier::new("x", vec![1; 16]);
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
