//! A character-level diff (Myers' O(ND) algorithm over Unicode scalar values), so Chinese text —
//! which has no spaces to split words on — diffs by character. Used to show an author the
//! server's version beside theirs when both changed the same item, and between revisions.

use serde::{Deserialize, Serialize};

/// What a run of characters is in the second text relative to the first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Same,
    /// Only in the second text.
    Inserted,
    /// Only in the first text.
    Deleted,
}

/// A run of characters with one [`Change`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub change: Change,
    pub text: String,
}

/// Past this many differing characters the middle is shown as replaced wholesale: the exact
/// diff would cost time quadratic in the differences, and a reader gains nothing from it.
pub const MAX_EDIT_DISTANCE: usize = 4_000;

/// The runs that turn `old` into `new`: `Same` and `Deleted` runs spell `old`, `Same` and
/// `Inserted` runs spell `new`. Adjacent runs never share a kind.
pub fn chars(old: &str, new: &str) -> Vec<Span> {
    let a: Vec<char> = old.chars().collect();
    let b: Vec<char> = new.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut out = Vec::new();
    push(&mut out, Change::Same, &a[..prefix]);
    match script(am, bm) {
        Some(ops) => {
            let (mut i, mut j) = (0, 0);
            for op in ops {
                match op {
                    Change::Same => {
                        push(&mut out, Change::Same, &am[i..=i]);
                        i += 1;
                        j += 1;
                    }
                    Change::Deleted => {
                        push(&mut out, Change::Deleted, &am[i..=i]);
                        i += 1;
                    }
                    Change::Inserted => {
                        push(&mut out, Change::Inserted, &bm[j..=j]);
                        j += 1;
                    }
                }
            }
        }
        None => {
            push(&mut out, Change::Deleted, am);
            push(&mut out, Change::Inserted, bm);
        }
    }
    push(&mut out, Change::Same, &a[a.len() - suffix..]);
    out
}

fn push(out: &mut Vec<Span>, change: Change, chars: &[char]) {
    if chars.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if last.change == change => last.text.extend(chars),
        _ => out.push(Span { change, text: chars.iter().collect() }),
    }
}

/// The shortest edit script from `a` to `b`, one op per character, or `None` when it is longer
/// than [`MAX_EDIT_DISTANCE`].
fn script(a: &[char], b: &[char]) -> Option<Vec<Change>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    if max == 0 {
        return Some(Vec::new());
    }
    let limit = max.min(MAX_EDIT_DISTANCE);
    let offset = limit as isize + 1;
    let mut v = vec![0isize; 2 * limit + 3];
    // The frontier after each d, kept to walk the path back.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    for d in 0..=limit as isize {
        trace.push(v.clone());
        let mut k = -d;
        while k <= d {
            let idx = (k + offset) as usize;
            let mut x = if k == -d || (k != d && v[idx - 1] < v[idx + 1]) { v[idx + 1] } else { v[idx - 1] + 1 };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[idx] = x;
            if x >= n && y >= m {
                return Some(backtrack(&trace, offset, n, m, d));
            }
            k += 2;
        }
    }
    None
}

fn backtrack(trace: &[Vec<isize>], offset: isize, n: isize, m: isize, d_end: isize) -> Vec<Change> {
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..=d_end).rev() {
        let v = &trace[d as usize];
        let k = x - y;
        let idx = (k + offset) as usize;
        let down = k == -d || (k != d && v[idx - 1] < v[idx + 1]);
        let prev_k = if down { k + 1 } else { k - 1 };
        let prev_x = v[(prev_k + offset) as usize];
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            ops.push(Change::Same);
            x -= 1;
            y -= 1;
        }
        ops.push(if down { Change::Inserted } else { Change::Deleted });
        x = prev_x;
        y = prev_y;
    }
    while x > 0 && y > 0 {
        ops.push(Change::Same);
        x -= 1;
        y -= 1;
    }
    ops.reverse();
    ops
}

/// The first text, rebuilt from a diff.
pub fn old_text(spans: &[Span]) -> String {
    spans.iter().filter(|s| s.change != Change::Inserted).map(|s| s.text.as_str()).collect()
}

/// The second text, rebuilt from a diff.
pub fn new_text(spans: &[Span]) -> String {
    spans.iter().filter(|s| s.change != Change::Deleted).map(|s| s.text.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn changed(spans: &[Span]) -> usize {
        spans.iter().filter(|s| s.change != Change::Same).map(|s| s.text.chars().count()).sum()
    }

    #[test]
    fn marks_chinese_insertions_and_deletions_by_character() {
        let spans = chars("河西镇受灾农田1200亩", "河西镇受灾农田1500亩，无人员伤亡");
        assert_eq!(
            spans,
            vec![
                Span { change: Change::Same, text: "河西镇受灾农田1".into() },
                Span { change: Change::Deleted, text: "2".into() },
                Span { change: Change::Inserted, text: "5".into() },
                Span { change: Change::Same, text: "00亩".into() },
                Span { change: Change::Inserted, text: "，无人员伤亡".into() },
            ]
        );
    }

    #[test]
    fn identical_and_empty_texts() {
        assert_eq!(chars("", ""), vec![]);
        assert_eq!(chars("一样", "一样"), vec![Span { change: Change::Same, text: "一样".into() }]);
        assert_eq!(chars("", "新"), vec![Span { change: Change::Inserted, text: "新".into() }]);
    }

    #[test]
    fn a_huge_difference_falls_back_to_replace_and_stays_correct() {
        let a: String = (0..6000).map(|i| char::from_u32(0x4e00 + (i % 500)).unwrap_or('x')).collect();
        let b: String = (0..6000).map(|i| char::from_u32(0x5e00 + (i % 500)).unwrap_or('y')).collect();
        let spans = chars(&a, &b);
        assert_eq!((old_text(&spans), new_text(&spans)), (a, b));
    }

    proptest! {
        #[test]
        fn the_diff_spells_both_texts_and_is_minimal_enough(a in "[甲乙丙丁，。0-9]{0,40}", b in "[甲乙丙丁，。0-9]{0,40}") {
            let spans = chars(&a, &b);
            prop_assert_eq!(old_text(&spans), a.clone());
            prop_assert_eq!(new_text(&spans), b.clone());
            for w in spans.windows(2) {
                prop_assert_ne!(w[0].change, w[1].change);
            }
            // Never worse than deleting everything and inserting everything.
            prop_assert!(changed(&spans) <= a.chars().count() + b.chars().count());
        }
    }
}
