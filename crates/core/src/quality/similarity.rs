//! Text similarity over character shingles: exact Jaccard for comparing two texts (a 续报 and
//! the report it follows), and MinHash signatures for finding near-duplicates among many.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Shingle length in characters: three Chinese characters are about one or two words.
pub const SHINGLE: usize = 3;
/// Hash functions in a signature; the estimate's standard error is about 1/√64 ≈ 0.125.
pub const SIGNATURE_LEN: usize = 64;
/// Hashes per band of [`Signature::bands`]…
pub const ROWS: usize = 3;
/// …and bands per signature.
pub const BANDS: usize = SIGNATURE_LEN / ROWS;

/// Characters that carry meaning: punctuation and white space are left out, so reformatting
/// does not hide a copy.
fn meaningful(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

fn hash(shingle: &[char], seed: u64) -> u64 {
    // FNV-1a with a seed, then a final mix (splitmix64): stable across platforms and versions.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for c in shingle {
        h ^= *c as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

pub fn shingles(text: &str) -> HashSet<u64> {
    let chars = meaningful(text);
    if chars.len() < SHINGLE {
        return if chars.is_empty() { HashSet::new() } else { HashSet::from([hash(&chars, 0)]) };
    }
    chars.windows(SHINGLE).map(|w| hash(w, 0)).collect()
}

/// Jaccard similarity of the two texts' shingle sets, 0.0–1.0.
pub fn jaccard(a: &str, b: &str) -> f64 {
    let (sa, sb) = (shingles(a), shingles(b));
    if sa.is_empty() || sb.is_empty() {
        return 0.0;
    }
    let inter = sa.intersection(&sb).count();
    inter as f64 / (sa.len() + sb.len() - inter) as f64
}

/// How much of `a`'s shingles also occur in `b` (containment), 0.0–1.0: "how much of this
/// sentence was already said there".
pub fn containment(a: &str, b: &str) -> f64 {
    let (sa, sb) = (shingles(a), shingles(b));
    if sa.is_empty() {
        return 0.0;
    }
    sa.intersection(&sb).count() as f64 / sa.len() as f64
}

/// A MinHash signature: compare two by [`Signature::similarity`] without the texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature(pub Vec<u64>);

impl Signature {
    pub fn of(text: &str) -> Signature {
        let chars = meaningful(text);
        let mut mins = vec![u64::MAX; SIGNATURE_LEN];
        if chars.len() >= SHINGLE {
            for w in chars.windows(SHINGLE) {
                for (k, m) in mins.iter_mut().enumerate() {
                    *m = (*m).min(hash(w, k as u64 + 1));
                }
            }
        }
        Signature(mins)
    }

    /// An item's signature: its title and body.
    pub fn of_item(title: &str, body: &str) -> Signature {
        Signature::of(&format!("{title}\n{body}"))
    }

    /// As stored beside an item: 16 hex digits per hash.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|h| format!("{h:016x}")).collect()
    }

    /// The stored form read back; None when it is not one.
    pub fn from_hex(text: &str) -> Option<Signature> {
        if text.len() != SIGNATURE_LEN * 16 || !text.is_ascii() {
            return None;
        }
        (0..SIGNATURE_LEN).map(|k| u64::from_str_radix(&text[k * 16..k * 16 + 16], 16).ok()).collect::<Option<Vec<_>>>().map(Signature)
    }

    /// Locality-sensitive buckets: the signature cut into [`BANDS`] bands of [`ROWS`] hashes
    /// (the last hash left over), each band hashed to one key. Two items whose similarity is
    /// 0.5 (the near-duplicate threshold) share a key with probability 0.94, at 0.6 with 0.99,
    /// at 0.3 with 0.44: a store finds the candidates by their keys and compares only those
    /// ([`Signature::similarity`]).
    pub fn bands(&self) -> Vec<i64> {
        if self.0.first().is_none_or(|h| *h == u64::MAX) {
            return Vec::new();
        }
        self.0
            .chunks_exact(ROWS)
            .enumerate()
            .map(|(band, rows)| {
                let mut h = 0xcbf2_9ce4_8422_2325u64 ^ band as u64;
                for r in rows {
                    h = (h ^ r).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(29);
                }
                h as i64
            })
            .collect()
    }

    /// Estimated Jaccard similarity, 0.0–1.0.
    pub fn similarity(&self, other: &Signature) -> f64 {
        if self.0.len() != other.0.len() || self.0.is_empty() || self.0[0] == u64::MAX || other.0[0] == u64::MAX {
            return 0.0;
        }
        self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count() as f64 / self.0.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "6月14日18时20分至18时45分，兰州湾镇下八户村、夹河子村、兰州湾村遭受冰雹袭击，冰雹最大直径约2厘米，并伴有8级左右大风。";

    #[test]
    fn identical_texts_are_fully_similar_and_unrelated_ones_are_not() {
        assert!((jaccard(A, A) - 1.0).abs() < 1e-9);
        assert!(jaccard(A, "县人社局在县城文化广场举办春风行动专场招聘会，达成就业意向1260人。") < 0.05);
        assert_eq!(jaccard("", A), 0.0);
    }

    #[test]
    fn punctuation_and_spacing_do_not_hide_a_copy() {
        let reformatted = A.replace('，', " ").replace('。', "\n");
        assert!((jaccard(A, &reformatted) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn minhash_estimates_jaccard() {
        let b = format!("{A}灾情正在进一步核实中，有关情况将及时续报。");
        let exact = jaccard(A, &b);
        let estimate = Signature::of(A).similarity(&Signature::of(&b));
        assert!((exact - estimate).abs() < 0.25, "exact {exact}, estimate {estimate}");
        assert_eq!(Signature::of("").similarity(&Signature::of(A)), 0.0);
    }

    #[test]
    fn containment_measures_how_much_was_already_said() {
        let sentence = "兰州湾镇下八户村、夹河子村、兰州湾村遭受冰雹袭击";
        assert!(containment(sentence, A) > 0.9);
        assert!(containment("保险公司已完成查勘定损6400亩", A) < 0.1);
    }
}
