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
pub const MAX_EDIT_DISTANCE: usize = 2_000;

/// At most this many character comparisons are spent looking for the shortest script; past it,
/// the middle is shown as replaced wholesale. With [`MAX_EDIT_DISTANCE`] this bounds the diff for
/// any input — two pasted 60,000-character Word documents included — to a few tens of
/// milliseconds and, with the frontiers kept as `i32` slices of `2d + 1`, about 16 MB.
pub const MAX_WORK: usize = 20_000_000;

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
/// than [`MAX_EDIT_DISTANCE`] or costs more than [`MAX_WORK`] comparisons to find.
fn script(a: &[char], b: &[char]) -> Option<Vec<Change>> {
    let (n, m) = (a.len() as i64, b.len() as i64);
    let max = (n + m) as usize;
    if max == 0 {
        return Some(Vec::new());
    }
    let limit = max.min(MAX_EDIT_DISTANCE) as i64;
    let offset = limit + 1;
    let mut v = vec![0i64; (2 * limit + 3) as usize];
    // The frontier before each d, diagonals -d..=d only (what backtracking reads), kept to walk
    // the path back.
    let mut trace: Vec<Vec<i32>> = Vec::new();
    let mut work = 0usize;
    for d in 0..=limit {
        trace.push(v[(offset - d) as usize..=(offset + d) as usize].iter().map(|&x| x as i32).collect());
        let mut k = -d;
        while k <= d {
            let idx = (k + offset) as usize;
            let mut x = if k == -d || (k != d && v[idx - 1] < v[idx + 1]) { v[idx + 1] } else { v[idx - 1] + 1 };
            let mut y = x - k;
            let start = x;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            work += 1 + (x - start) as usize;
            v[idx] = x;
            if x >= n && y >= m {
                return Some(backtrack(&trace, n, m, d));
            }
            k += 2;
        }
        if work > MAX_WORK {
            return None;
        }
    }
    None
}

fn backtrack(trace: &[Vec<i32>], n: i64, m: i64, d_end: i64) -> Vec<Change> {
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    // `trace[d]` holds diagonals -d..=d: diagonal k is at k + d.
    let at = |d: i64, k: i64| trace[d as usize][(k + d) as usize] as i64;
    for d in (1..=d_end).rev() {
        let k = x - y;
        let down = k == -d || (k != d && at(d, k - 1) < at(d, k + 1));
        let prev_k = if down { k + 1 } else { k - 1 };
        let prev_x = at(d, prev_k);
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

    #[test]
    fn two_pasted_word_documents_are_diffed_within_the_work_and_memory_bounds() {
        // Two 60,000-character texts that share most of their characters but scatter edits
        // everywhere: the worst case for an exact diff.
        let a: String = (0..60_000u32).map(|i| char::from_u32(0x4e00 + (i * 7919 % 97)).unwrap_or('x')).collect();
        let b: String = a.chars().enumerate().map(|(i, c)| if i % 13 == 0 { '改' } else { c }).collect();
        let spans = chars(&a, &b);
        assert_eq!((old_text(&spans), new_text(&spans)), (a.clone(), b.clone()));
        // The script search itself stops at the bounds.
        let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        assert!(script(&x, &y).is_none_or(|ops| ops.len() <= x.len() + y.len()));
        // A small edit in a long text is still exact.
        let c: String = a.chars().take(30_000).chain("新增一句。".chars()).chain(a.chars().skip(30_000)).collect();
        let spans = chars(&a, &c);
        assert_eq!(changed(&spans), 5);
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
