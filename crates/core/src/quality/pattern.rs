//! Phrase patterns over Chinese text: sentences, spans of characters, and patterns with gaps
//! (`既有…也有`) — what the writing rules ([`super::rules`]) are made of and the scanner
//! ([`super::scan`]) searches with.

/// A half-open range of character offsets into the scanned text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

const SENTENCE_END: &[char] = &['。', '！', '？', '!', '?', '\n'];
/// The sentences of `text`, split after 。！？ and line breaks; empty ones dropped.
pub fn sentences(text: &[char]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.iter().enumerate() {
        if SENTENCE_END.contains(c) {
            push_trimmed(text, start, i + 1, &mut out);
            start = i + 1;
        }
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

fn push_trimmed(text: &[char], mut start: usize, mut end: usize, out: &mut Vec<Span>) {
    while start < end && text[start].is_whitespace() {
        start += 1;
    }
    while end > start && text[end - 1].is_whitespace() {
        end -= 1;
    }
    if end > start {
        out.push(Span { start, end });
    }
}

/// A phrase pattern: literal parts separated by `…`, each gap up to `gap` characters that do
/// not end a sentence; `……` allows twice that (事故系……所致, where the cause is a whole clause).
#[derive(Clone, Debug)]
pub struct Pattern {
    pub source: String,
    parts: Vec<Vec<char>>,
    /// For each part after the first, how many gaps of `gap` characters may come before it.
    widths: Vec<usize>,
}

impl Pattern {
    pub fn new(source: &str) -> Pattern {
        let mut parts: Vec<Vec<char>> = Vec::new();
        let mut widths = Vec::new();
        let mut ellipses = 0;
        for piece in source.split('…') {
            if piece.is_empty() {
                ellipses += 1;
                continue;
            }
            if !parts.is_empty() {
                widths.push(ellipses.max(1));
            }
            parts.push(piece.chars().collect());
            ellipses = 1;
        }
        Pattern { source: source.to_owned(), parts, widths }
    }

    /// Every non-overlapping match in `text`, left to right.
    pub fn find_all(&self, text: &[char], gap: usize) -> Vec<Span> {
        let mut out = Vec::new();
        let Some(first) = self.parts.first() else { return out };
        let mut i = 0;
        while let Some(start) = find_from(text, first, i) {
            match self.match_rest(text, start + first.len(), gap) {
                Some(end) => {
                    out.push(Span { start, end });
                    i = end;
                }
                None => i = start + 1,
            }
        }
        out
    }

    fn match_rest(&self, text: &[char], mut at: usize, gap: usize) -> Option<usize> {
        for (part, width) in self.parts[1..].iter().zip(&self.widths) {
            let limit = (at + gap * width + part.len()).min(text.len());
            let window = &text[at..limit];
            let stop = window.iter().position(|c| SENTENCE_END.contains(c)).unwrap_or(window.len());
            let found = find_from(&window[..stop], part, 0)?;
            at += found + part.len();
        }
        Some(at)
    }
}

/// Where `needle` first occurs in `text` at or after `from`. Scans for the needle's first
/// character and compares the rest only there: in Chinese text a given character is rare, so
/// this touches each position about once (comparing the whole needle at every position was
/// nine tenths of the writing checks' time).
pub(crate) fn find_from(text: &[char], needle: &[char], from: usize) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = text.len().checked_sub(needle.len())?;
    let mut i = from;
    while i <= last_start {
        i += text[i..=last_start].iter().position(|&c| c == first)?;
        if text[i + 1..i + needle.len()] == *rest {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// All matches of any of `patterns`, as (pattern index, span).
pub fn find_any(text: &[char], patterns: &[Pattern], gap: usize) -> Vec<(usize, Span)> {
    let mut out = Vec::new();
    for (k, p) in patterns.iter().enumerate() {
        out.extend(p.find_all(text, gap).into_iter().map(|s| (k, s)));
    }
    out.sort_by_key(|(_, s)| s.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition [`find_from`] must agree with.
    fn naive(text: &[char], needle: &[char], from: usize) -> Option<usize> {
        if needle.is_empty() || needle.len() > text.len() {
            return None;
        }
        (from..=text.len() - needle.len()).find(|&i| text[i..i + needle.len()] == *needle)
    }

    #[test]
    fn a_double_ellipsis_allows_twice_the_gap() {
        let text: Vec<char> = "火情系王家湾村一村民在地头焚烧杂草引起".chars().collect();
        assert!(Pattern::new("系…引起").find_all(&text, 12).is_empty());
        assert_eq!(Pattern::new("系……引起").find_all(&text, 12).len(), 1);
        // Each gap still stops at the end of a sentence.
        let split: Vec<char> = "火情系王家湾村。村民焚烧杂草引起".chars().collect();
        assert!(Pattern::new("系……引起").find_all(&split, 12).is_empty());
    }

    #[test]
    fn find_from_agrees_with_the_plain_definition_on_random_text() {
        // A small alphabet so that needles occur, overlap and repeat.
        let alphabet: Vec<char> = "镇农田，。的".chars().collect();
        let mut seed = 0x2026_1206_u64;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        for _ in 0..5_000 {
            let text: Vec<char> = (0..next(40)).map(|_| alphabet[next(alphabet.len())]).collect();
            let needle: Vec<char> = (0..next(5)).map(|_| alphabet[next(alphabet.len())]).collect();
            let from = next(45);
            assert_eq!(find_from(&text, &needle, from), naive(&text, &needle, from), "{text:?} {needle:?} {from}");
        }
    }
}
