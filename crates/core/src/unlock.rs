//! Unlocking a shared PC's local data offline: after an online login the browser keeps a
//! verifier — PBKDF2-HMAC-SHA256 of the password with a random salt — never the password. With
//! the server out of reach, the same password opens that account's local drafts again.

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

#[cfg(test)]
mod tests {
    use super::*;

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
