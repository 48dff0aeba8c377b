//! Finding items on a desk: search (Chinese substring over title and body; several words must
//! all match), filter by type and by trash, and sort. Pure, so the officer's desk in the
//! browser and the review queue on the server select the same way.

use crate::item::ItemType;
use crate::text::char_count;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Most recently changed first.
    #[default]
    Updated,
    /// Most recently created first.
    Created,
    /// By title (Unicode order; pinyin order would need a collation table).
    Title,
    /// Longest first (字数).
    Length,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [SortKey::Updated, SortKey::Created, SortKey::Title, SortKey::Length];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Updated => "updated",
            SortKey::Created => "created",
            SortKey::Title => "title",
            SortKey::Length => "length",
        }
    }

    pub fn parse(s: &str) -> SortKey {
        SortKey::ALL.into_iter().find(|k| k.as_str() == s).unwrap_or_default()
    }
}

/// What the person asked the desk for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeskQuery {
    pub text: String,
    pub item_type: Option<ItemType>,
    /// Show the trash instead of the live items.
    pub trash: bool,
    pub sort: SortKey,
}

/// The fields of an item the desk looks at.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub item_type: ItemType,
    pub created: f64,
    pub updated: f64,
    pub deleted: bool,
}

fn matches_text(e: &Entry<'_>, words: &[String]) -> bool {
    words.iter().all(|w| {
        if w.is_ascii() {
            e.title.to_ascii_lowercase().contains(w) || e.body.to_ascii_lowercase().contains(w)
        } else {
            e.title.contains(w.as_str()) || e.body.contains(w.as_str())
        }
    })
}

/// Indices of the entries that match `q`, in display order.
pub fn select(entries: &[Entry<'_>], q: &DeskQuery) -> Vec<usize> {
    let words: Vec<String> = q.text.split_whitespace().map(|w| if w.is_ascii() { w.to_ascii_lowercase() } else { w.to_owned() }).collect();
    let mut picked: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.deleted == q.trash && q.item_type.is_none_or(|t| e.item_type == t) && matches_text(e, &words))
        .map(|(i, _)| i)
        .collect();
    match q.sort {
        SortKey::Updated => picked.sort_by(|a, b| entries[*b].updated.total_cmp(&entries[*a].updated)),
        SortKey::Created => picked.sort_by(|a, b| entries[*b].created.total_cmp(&entries[*a].created)),
        SortKey::Title => picked.sort_by(|a, b| entries[*a].title.cmp(entries[*b].title)),
        SortKey::Length => picked.sort_by_cached_key(|i| std::cmp::Reverse(char_count(entries[*i].body))),
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(title: &'a str, body: &'a str, t: ItemType, at: f64, deleted: bool) -> Entry<'a> {
        Entry { title, body, item_type: t, created: at, updated: at, deleted }
    }

    fn sample() -> Vec<Entry<'static>> {
        vec![
            entry("兰州湾镇冰雹灾害", "受灾农田1.26万亩", ItemType::Urgent, 3.0, false),
            entry("县人社局招聘会", "达成就业意向1260人，GDP", ItemType::Dynamic, 1.0, false),
            entry("大丰镇土地纠纷调解", "调解成功39件", ItemType::Experience, 2.0, false),
            entry("已删除的稿件", "冰雹", ItemType::Urgent, 4.0, true),
        ]
    }

    #[test]
    fn chinese_substrings_match_title_or_body_and_every_word_must_match() {
        let e = sample();
        let q = |text: &str| select(&e, &DeskQuery { text: text.into(), ..DeskQuery::default() });
        assert_eq!(q("冰雹"), vec![0]);
        assert_eq!(q("调解"), vec![2]);
        assert_eq!(q("镇 调解"), vec![2]);
        assert_eq!(q("gdp"), vec![1]);
        assert!(q("冰雹 招聘").is_empty());
        assert_eq!(q("  "), vec![0, 2, 1]);
    }

    #[test]
    fn the_trash_is_its_own_view() {
        let e = sample();
        assert_eq!(select(&e, &DeskQuery { trash: true, ..DeskQuery::default() }), vec![3]);
    }

    #[test]
    fn filters_and_sorts_combine() {
        let e = sample();
        assert_eq!(select(&e, &DeskQuery { item_type: Some(ItemType::Urgent), ..DeskQuery::default() }), vec![0]);
        // Code-point order: 兰 U+5170 < 县 U+53BF < 大 U+5927.
        assert_eq!(select(&e, &DeskQuery { sort: SortKey::Title, ..DeskQuery::default() }), vec![0, 1, 2]);
        assert_eq!(select(&e, &DeskQuery { sort: SortKey::Length, ..DeskQuery::default() }), vec![1, 0, 2]);
        assert_eq!(SortKey::parse("created"), SortKey::Created);
        assert_eq!(SortKey::parse("nonsense"), SortKey::Updated);
    }
}
