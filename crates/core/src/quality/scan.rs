//! Low-level scanning of Chinese text: sentences, phrase patterns, numerals and quantities,
//! dates and times, unit and place names. Everything works on `&[char]` with character
//! offsets, because Chinese has no word boundaries and spans are shown per character.

use super::pattern::find_from;
pub use super::pattern::{Pattern, Span, find_any, sentences};
use super::rules::Rules;

const CN_DIGITS: &str = "〇零一二两三四五六七八九十百千万亿";

pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

fn is_arabic(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

pub(super) fn is_cn_digit(c: char) -> bool {
    CN_DIGITS.contains(c)
}

/// What a numeral was followed by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumberKind {
    /// A figure: a count, an amount, a percentage ("1260人", "八百四十万元", "64.4%").
    Quantity(String),
    /// A date or clock time ("6月14日", "18时", "2023年").
    Time { unit: char, four_digit_year: bool },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number {
    pub span: Span,
    pub kind: NumberKind,
}

/// Spans inside “quotes” or 「brackets」: slogans and quoted speech, not facts.
pub fn quoted(text: &[char]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in text.iter().enumerate() {
        match c {
            '“' | '「' | '『' => open = Some(i),
            '”' | '」' | '』' => {
                if let Some(s) = open.take() {
                    out.push(Span { start: s, end: i + 1 });
                }
            }
            '\n' => open = None,
            _ => {}
        }
    }
    out
}

/// Finds numerals and classifies what follows them. Ordinals (第三), a lone 一 ("一批",
/// "一场场"), idioms (千家万户), numbers in quotes (“三个强化”) and numbers that are part of a
/// place name (六户地镇) are not figures.
pub fn numbers(text: &[char], rules: &Rules) -> Vec<Number> {
    let masked = mask(text, &rules.numeral_idioms);
    let quotes = quoted(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < masked.len() {
        let c = masked[i];
        let arabic = is_arabic(c);
        if !arabic && !is_cn_digit(c) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i;
        while j < masked.len() {
            let d = masked[j];
            let decimal_point =
                matches!(d, '.' | '．' | '点') && j + 1 < masked.len() && (is_arabic(masked[j + 1]) || is_cn_digit(masked[j + 1]));
            let digit = if arabic { is_arabic(d) || d == ',' } else { is_cn_digit(d) };
            if digit || (decimal_point && j > start) {
                j += 1;
            } else {
                break;
            }
        }
        i = j.max(start + 1);
        let digits: String = masked[start..j].iter().collect();
        // A lone 一 (一批) or a lone magnitude with no digit before it (惠万家, 千亩良田) is a
        // manner of speaking, not a count.
        if !arabic && (digits.chars().all(|d| d == '一') || (digits.chars().count() == 1 && matches!(c, '百' | '千' | '万' | '亿'))) {
            continue;
        }
        if start > 0 && masked[start - 1] == '第' {
            continue;
        }
        let span_probe = Span { start, end: j };
        if quotes.iter().any(|q| q.overlaps(span_probe)) {
            continue;
        }
        // Approximations between the number and its unit: 3400余人次, 300多名, 1100来户.
        let mut k = j;
        if k < masked.len() && matches!(masked[k], '余' | '多' | '来' | '几') {
            k += 1;
        }
        let rest = &masked[k..];
        // 30分钟 is a duration (a measure word that starts like a date unit), 30分 a time.
        let duration = rules.measure_words.iter().any(|m| m.len() > 1 && rest.starts_with(m) && rules.date_units.contains(&m[0]));
        if let Some(&unit) = rest.first().filter(|u| rules.date_units.contains(u) && !duration) {
            let four = arabic && digits.chars().filter(|d| is_arabic(*d)).count() == 4;
            out.push(Number { span: Span { start, end: k + 1 }, kind: NumberKind::Time { unit, four_digit_year: four } });
            i = k + 1;
            continue;
        }
        if rules.measure_exclusions.iter().any(|e| rest.starts_with(e)) {
            continue;
        }
        let Some(unit) = rules.measure_words.iter().find(|m| rest.starts_with(m)) else {
            continue;
        };
        let end = k + unit.len();
        // Chinese numerals inside place names: 六户地镇, 下八户村, 七户村.
        if !arabic && masked[end..].iter().take(2).any(|c| matches!(c, '镇' | '村' | '乡' | '县')) {
            continue;
        }
        i = end;
        let text_of: String = masked[start..end].iter().collect();
        out.push(Number { span: Span { start, end }, kind: NumberKind::Quantity(text_of) });
    }
    // 百分之三十
    for s in Pattern::new("百分之").find_all(text, 0) {
        if s.end < text.len() && (is_cn_digit(text[s.end]) || is_arabic(text[s.end])) {
            let mut e = s.end;
            while e < text.len() && (is_cn_digit(text[e]) || is_arabic(text[e]) || text[e] == '点') {
                e += 1;
            }
            out.push(Number { span: Span { start: s.start, end: e }, kind: NumberKind::Quantity(text[s.start..e].iter().collect()) });
        }
    }
    out
}

/// `text` with every occurrence of `words` blanked out (same length, so offsets hold).
fn mask(text: &[char], words: &[Vec<char>]) -> Vec<char> {
    let mut out = text.to_vec();
    for w in words {
        let mut from = 0;
        while let Some(at) = find_from(text, w, from) {
            for c in out.iter_mut().skip(at).take(w.len()) {
                *c = '□';
            }
            from = at + w.len();
        }
    }
    out
}

/// Whether `numbers` (and keywords such as 截至, where `keep` takes them) pin the text to a
/// specific date or time, rather than "近日" or "今年以来".
pub fn has_specific_time(text: &[char], numbers: &[Number], rules: &Rules, keep: impl Fn(Span) -> bool) -> bool {
    numbers.iter().any(|n| match n.kind {
        NumberKind::Time { unit, four_digit_year } => matches!(unit, '月' | '日' | '号' | '时') || four_digit_year,
        NumberKind::Quantity(_) => false,
    }) || rules.specific_time.iter().any(|p| p.find_all(text, rules.gap_chars).into_iter().any(&keep))
}

/// Distinct figures (quantities, not dates).
pub fn distinct_quantities(numbers: &[Number]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for n in numbers {
        if let NumberKind::Quantity(q) = &n.kind
            && !out.contains(&q.as_str())
        {
            out.push(q);
        }
    }
    out
}

const NAME_STOP: &str = "的和与及在各全本我该此每等个了对其向从为由是、，。；：“”（）《》 \n";

/// Named units or places: a unit suffix (镇, 村, 局, 中心…) preceded by a Han character that is
/// part of a name, and not a generic word (我镇, 全县, 农村, 市场…). Returns the suffix spans.
pub fn unit_names(text: &[char], rules: &Rules) -> Vec<Span> {
    let generic: Vec<Span> = rules.generic_places.iter().flat_map(|g| g.find_all(text, 0)).collect();
    // A name in quotes is a label or a concept (“空心村”, “网红村”), not the unit reported on.
    let quotes = quoted(text);
    let mut out: Vec<Span> = rules.standalone_places.iter().flat_map(|p| p.find_all(text, 0)).collect();
    let mut i = 1;
    while i < text.len() {
        let Some(suffix) = rules.unit_suffixes.iter().find(|s| text[i..].starts_with(s)) else {
            i += 1;
            continue;
        };
        let span = Span { start: i, end: i + suffix.len() };
        let prev = text[i - 1];
        // A village word that begins at 村 itself (村干部, 村集体, 村道) makes it generic only after
        // a verb (组织村干部, 发挥村调解); after a name it is that village's (柳河村干部, 青石村集体
        // 经济). A generic word that begins before the suffix (部分村, 农村), or any other
        // (市场, 所有), always does.
        let village_word = suffix.as_slice() == ['村'];
        let vetoes = |g: &Span| g.overlaps(span) && (g.start < span.start || !village_word || rules.verbs_before_place.contains(&prev));
        // One-character suffixes that are also common words (旗, 盟) need a name of two.
        let short_name = matches!(suffix.as_slice(), ['旗'] | ['盟']) && (i < 2 || !is_han(text[i - 2]) || NAME_STOP.contains(text[i - 2]));
        let named = is_han(prev)
            && !NAME_STOP.contains(prev)
            && !short_name
            && !generic.iter().any(vetoes)
            && !quotes.iter().any(|q| q.overlaps(span))
            && !out.iter().any(|o| o.overlaps(span));
        if named {
            out.push(span);
        }
        i = span.end;
    }
    let roads: Vec<Span> = road_names(text).into_iter().filter(|r| !out.iter().any(|o| o.overlaps(*r))).collect();
    out.extend(roads);
    out.sort_by_key(|s| s.start);
    out
}

/// Roads named by their number, where road accidents and closures happen: 县道X312线, 国道348线,
/// G210国道, 省道S205, Ｇ２１０国道 (typed full-width). A road class (国道, 省道, 县道, 乡道)
/// followed by a route code that starts with a letter or ends in 线, or preceded by a code. A
/// class followed by a bare number is a length (乡道120公里), not a road.
fn road_names(text: &[char]) -> Vec<Span> {
    const CLASSES: &[char] = &['国', '省', '县', '乡'];
    let code_char =
        |c: char| c.is_ascii_alphanumeric() || ('０'..='９').contains(&c) || ('Ａ'..='Ｚ').contains(&c) || ('ａ'..='ｚ').contains(&c);
    let digit = |c: &char| c.is_ascii_digit() || ('０'..='９').contains(c);
    let letter = |c: char| code_char(c) && !digit(&c);
    let mut out = Vec::new();
    for i in 0..text.len().saturating_sub(1) {
        if !(CLASSES.contains(&text[i]) && text[i + 1] == '道') {
            continue;
        }
        // 县道X312线: the class, then a lettered code, or a number and 线.
        let mut end = i + 2;
        while end < text.len() && code_char(text[end]) {
            end += 1;
        }
        let code = &text[i + 2..end];
        if code.iter().any(digit) && (letter(code[0]) || text.get(end) == Some(&'线')) {
            out.push(Span { start: i, end: if text.get(end) == Some(&'线') { end + 1 } else { end } });
            continue;
        }
        // G210国道: the code, then the class.
        let mut start = i;
        while start > 0 && code_char(text[start - 1]) {
            start -= 1;
        }
        if start < i && text[start..i].iter().any(digit) {
            out.push(Span { start, end: i + 2 });
        }
    }
    out
}

/// The longest run of characters with no pause mark, as a span.
pub fn longest_unpaused(text: &[char], pauses: &[char]) -> Span {
    let mut best = Span { start: 0, end: 0 };
    let mut start = 0;
    for (i, c) in text.iter().enumerate() {
        if pauses.contains(c) {
            if i - start > best.len() {
                best = Span { start, end: i };
            }
            start = i + 1;
        }
    }
    if text.len() - start > best.len() {
        best = Span { start, end: text.len() };
    }
    best
}

/// Literary reduplications: 一串串, 一张张 (一 + a doubled measure word) and ABB adjectives
/// such as 红彤彤, 金灿灿 whose head is one of `heads`.
pub fn reduplications(text: &[char], heads: &[char]) -> Vec<Span> {
    let mut out = Vec::new();
    for i in 0..text.len().saturating_sub(2) {
        let (a, b, c) = (text[i], text[i + 1], text[i + 2]);
        if b == c && a != b && is_han(b) && heads.contains(&a) && !is_cn_digit(b) {
            out.push(Span { start: i, end: i + 3 });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn quantities(s: &str) -> Vec<String> {
        let rules = Rules::default();
        distinct_quantities(&numbers(&chars(s), &rules)).into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn figures_are_found_in_arabic_and_chinese_numerals() {
        assert_eq!(quantities("共检查126家，发现隐患83项，占64.4%。"), vec!["126家", "83项", "64.4%"]);
        assert_eq!(quantities("全长十二点六公里，总投资约八百四十万元"), vec!["十二点六公里", "八百四十万元"]);
        assert_eq!(quantities("进场求职3400余人次"), vec!["3400余人次"]);
        assert_eq!(quantities("受灾面积1.26万亩"), vec!["1.26万亩"]);
    }

    #[test]
    fn dates_ordinals_slogans_idioms_and_lone_ones_are_not_figures() {
        assert!(quantities("9月2日至9月13日，第三届丰收节").is_empty());
        assert!(quantities("以“三个强化”为抓手，千家万户，一串串辣椒，一批带头人").is_empty());
        assert!(quantities("六户地镇六户地村至下八户村").is_empty());
        assert!(quantities("主要有三个方面").is_empty());
    }

    #[test]
    fn specific_times_are_told_from_vague_ones() {
        let rules = Rules::default();
        let specific = |s: &str| {
            let t = chars(s);
            has_specific_time(&t, &numbers(&t, &rules), &rules, |_| true)
        };
        assert!(specific("6月14日18时20分"));
        assert!(specific("十月二十八日，道路通车"));
        assert!(specific("2023年全镇受理"));
        assert!(specific("截至目前"));
        assert!(!specific("近日，县卫健委召开会议"));
        assert!(!specific("今年以来，我镇高度重视"));
    }

    #[test]
    fn named_units_are_told_from_generic_words() {
        let rules = Rules::default();
        let named = |s: &str| !unit_names(&chars(s), &rules).is_empty();
        assert!(named("县人社局举办招聘会"));
        assert!(named("兰州湾镇遭受冰雹"));
        assert!(named("北五岔镇中心学校"));
        assert!(named("县道X312线石塘段交通事故续报"));
        assert!(named("G210国道发生拥堵"));
        assert!(named("县政府召开全县安全生产工作会议"));
        assert!(!named("各级政府要高度重视"));
        assert!(!named("县道养护资金不足"));
        assert!(!named("我镇扎实推进各项工作"));
        assert!(!named("让乡村好物走出去"));
        assert!(!named("关于当前农村工作的思考"));
        assert!(!named("全县各部门在市场上"));
    }

    #[test]
    fn patterns_with_gaps_stay_within_a_sentence() {
        let p = Pattern::new("既有…也有");
        assert_eq!(p.find_all(&chars("既有主观原因，也有客观原因"), 12).len(), 1);
        assert!(p.find_all(&chars("既有主观原因。也有客观原因"), 12).is_empty());
    }

    #[test]
    fn the_longest_unpaused_run_is_measured() {
        let t = chars("短句。这是一个没有任何停顿的很长的句子而且还在继续，完");
        let s = longest_unpaused(&t, &['，', '。']);
        assert_eq!(s, Span { start: 3, end: 25 });
    }

    #[test]
    fn sentences_split_on_full_stops_and_lines() {
        let t = chars("第一句。第二句！\n第三句");
        assert_eq!(sentences(&t).len(), 3);
    }
}
