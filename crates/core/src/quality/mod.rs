//! The writing assistant: checks an information item for what offices return items for — the
//! 四有 (situation, data, analysis, suggestion), 三无, filler (空话套话), literary style, run-on
//! sentences, weak titles, repeated follow-ups, near-duplicates and words that suggest
//! classified content. Pure and fast: the browser runs it while the officer types, the server
//! runs the same code for the editor's queue. Heuristics and word lists are data
//! ([`Rules`], `rules.json`; documented in docs/quality.md).

pub mod pattern;
pub mod rules;
pub mod scan;
pub mod similarity;

use crate::i18n::Lang;
use crate::item::ItemType;
use crate::text::char_count;
pub use rules::Rules;
use scan::{Number, Span, distinct_quantities, find_any, has_specific_time, sentences, unit_names};
use serde::{Deserialize, Serialize};
pub use similarity::Signature;

/// What is checked.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub item_type: ItemType,
}

/// What the item is checked against.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    /// For a 续报/终报: the body of the report it follows.
    pub follows: Option<&'a str>,
    /// Items it might repeat: the officer's other items on the device, or on the server the
    /// office's items of the last 90 days.
    pub others: &'a [Other],
}

/// An item the checked one is compared with: its id, its title (named in the finding) and the
/// signature of its title and body ([`Signature::of_item`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Other {
    pub id: String,
    pub title: String,
    pub signature: Signature,
}

/// The labels, named as in `fixtures/corpus.jsonl`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    pub situation: bool,
    pub data: bool,
    pub analysis: bool,
    pub suggestion: bool,
    pub filler_heavy: bool,
    pub long_sentence: bool,
    pub literary_style: bool,
    pub title_ok: bool,
}

impl Labels {
    /// Whether the item has `e` (one of the 四有).
    pub fn has(&self, e: Element) -> bool {
        match e {
            Element::Situation => self.situation,
            Element::Data => self.data,
            Element::Analysis => self.analysis,
            Element::Suggestion => self.suggestion,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Good,
    Fair,
    Poor,
}

/// The four things a good item has (四有).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Element {
    Situation,
    Data,
    Analysis,
    Suggestion,
}

impl Element {
    pub const ALL: [Element; 4] = [Element::Situation, Element::Data, Element::Analysis, Element::Suggestion];

    pub fn short(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Element::Situation, Lang::Zh) => "情况",
            (Element::Data, Lang::Zh) => "数据",
            (Element::Analysis, Lang::Zh) => "分析",
            (Element::Suggestion, Lang::Zh) => "建议",
            (Element::Situation, Lang::En) => "situation",
            (Element::Data, Lang::En) => "data",
            (Element::Analysis, Lang::En) => "analysis",
            (Element::Suggestion, Lang::En) => "proposals",
        }
    }
}

/// Which elements an item of type `t` needs: news and urgent items need the situation and
/// figures; practice pieces also need them (analysis and proposals are a plus); problem and
/// research pieces need all four.
pub fn required(t: ItemType) -> &'static [Element] {
    match t {
        ItemType::Dynamic | ItemType::Urgent | ItemType::Experience => &[Element::Situation, Element::Data],
        ItemType::Problem | ItemType::Research => &Element::ALL,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Body,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingKind {
    Missing {
        element: Element,
    },
    ThreeNo,
    Filler {
        phrase: String,
    },
    FillerHeavy {
        percent: u32,
    },
    Literary {
        phrase: String,
    },
    LiteraryStyle,
    LongSentence {
        chars: usize,
    },
    HollowAnalysis,
    HollowSuggestion,
    TitleNoUnit,
    TitleSlogan,
    /// An exclamation mark in the title (突发！).
    TitleShout,
    TitleTooLong {
        chars: usize,
        max: usize,
    },
    TitleNoEvent,
    Length {
        count: usize,
        min: usize,
        max: usize,
    },
    FollowUpRepeats {
        percent: u32,
    },
    RepeatedSentence,
    NearDuplicate {
        id: String,
        #[serde(default)]
        title: String,
        percent: u32,
    },
    Classified {
        word: String,
    },
}

/// One thing the officer (and the editor) should know, with where it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    #[serde(flatten)]
    pub kind: FindingKind,
    pub severity: Severity,
    pub field: Field,
    /// Character offsets into the field's text.
    pub span: Option<Span>,
}

impl Finding {
    /// A short explanation people can act on.
    pub fn message(&self, lang: Lang) -> String {
        use FindingKind as K;
        let zh = lang == Lang::Zh;
        match &self.kind {
            K::Missing { element } => match (element, zh) {
                (Element::Situation, true) => "缺少具体情况：写清谁、在哪里、什么时间、发生了什么".into(),
                (Element::Situation, false) => "No concrete situation: say who, where, when and what happened".into(),
                (Element::Data, true) => "缺少数据：用数量、金额、比例说话（日期不算数据）".into(),
                (Element::Data, false) => "No figures: give counts, amounts or percentages (dates are not data)".into(),
                (Element::Analysis, true) => "缺少分析：说明原因、趋势或影响".into(),
                (Element::Analysis, false) => "No analysis: explain causes, trend or impact".into(),
                (Element::Suggestion, true) => "缺少建议：提出具体措施，写明责任单位和时限".into(),
                (Element::Suggestion, false) => "No proposals: name concrete measures, who is responsible and by when".into(),
            },
            K::ThreeNo if zh => "“三无”稿件：无情况、无数据、无分析，这是稿件不被采用的最常见原因".into(),
            K::ThreeNo => "“Three nos”: no situation, no figures, no analysis — the commonest reason items are not used".into(),
            K::Filler { phrase } if zh => format!("套话“{phrase}”：换成具体做了什么、结果如何"),
            K::Filler { phrase } => format!("Filler “{phrase}”: say what was actually done and with what result"),
            K::FillerHeavy { percent } if zh => format!("空话套话过多：约{percent}%的篇幅是没有事实支撑的套话"),
            K::FillerHeavy { percent } => format!("Too much filler: about {percent}% of the text is formula without facts"),
            K::Literary { phrase } if zh => format!("文学化表达“{phrase}”：政务信息要平实、直接"),
            K::Literary { phrase } => format!("Literary phrase “{phrase}”: government information should be plain"),
            K::LiteraryStyle if zh => "通篇抒情或宣传口吻：请改为平实的事实陈述".into(),
            K::LiteraryStyle => "Written as a feature or propaganda piece: report the facts plainly".into(),
            K::LongSentence { chars } if zh => format!("长句{chars}字没有停顿：请断句，加上逗号或句号"),
            K::LongSentence { chars } => format!("A {chars}-character run with no pause: break it up"),
            K::HollowAnalysis if zh => "分析部分空泛（如“既有主观原因也有客观原因”）：请写出具体原因".into(),
            K::HollowAnalysis => "The analysis is hollow (“both subjective and objective causes”): name the real causes".into(),
            K::HollowSuggestion if zh => "建议或下一步打算空泛：写明具体措施、责任单位和完成时限".into(),
            K::HollowSuggestion => "The proposals are vague: name the measure, who does it and by when".into(),
            K::TitleNoUnit if zh => "标题没有点明单位或地点（如“兰州湾镇……”）".into(),
            K::TitleNoUnit => "The title does not name the unit or place".into(),
            K::TitleSlogan if zh => "标题是口号或对仗句：标题应写明单位和具体事件".into(),
            K::TitleSlogan => "The title is a slogan: name the unit and the event".into(),
            K::TitleShout if zh => "标题不用感叹号：信息标题平实写明单位和事件".into(),
            K::TitleShout => "No exclamation mark in a title: state the unit and the event plainly".into(),
            K::TitleTooLong { chars, max } if zh => format!("标题{chars}字，偏长（建议不超过{max}字）"),
            K::TitleTooLong { chars, max } => format!("The title has {chars} characters (keep it under {max})"),
            K::TitleNoEvent if zh => "标题没有说明具体事件".into(),
            K::TitleNoEvent => "The title does not say what happened".into(),
            K::Length { count, min, max } if zh => format!("正文{count}字，此类信息一般为{min}至{max}字"),
            K::Length { count, min, max } => format!("The body has {count} characters; this type usually has {min}–{max}"),
            K::FollowUpRepeats { percent } if zh => format!("续报与前一次报告内容重复约{percent}%：续报只写新情况"),
            K::FollowUpRepeats { percent } => format!("About {percent}% repeats the earlier report: a follow-up gives only what is new"),
            K::RepeatedSentence if zh => "这句与前一次报告重复".into(),
            K::RepeatedSentence => "This sentence repeats the earlier report".into(),
            // Unnamed: an item the reader may not open (another unit's, told to an author).
            K::NearDuplicate { percent, title, .. } if zh && title.is_empty() => {
                format!("与本办近期已收到的另一篇稿件相似度约{percent}%，请与编辑部核实是否重复报送")
            }
            K::NearDuplicate { percent, title, .. } if title.is_empty() => {
                format!(
                    "About {percent}% similar to another item the office received recently: check with the section that it is not a duplicate"
                )
            }
            K::NearDuplicate { percent, title, .. } if zh => format!("与已有稿件《{title}》相似度约{percent}%，请确认不是重复报送"),
            K::NearDuplicate { percent, title, .. } => {
                format!("About {percent}% similar to the existing item “{title}”: make sure it is not a duplicate")
            }
            K::Classified { word } if zh => format!("出现“{word}”：涉密信息严禁录入本系统，请确认内容不涉密"),
            K::Classified { word } => format!("“{word}”: classified material must never be entered here; make sure this is not"),
        }
    }
}

/// Most earlier items a hint names.
pub const HINT_DUPLICATES: usize = 3;

/// The result of checking one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub labels: Labels,
    pub verdict: Verdict,
    pub item_type: ItemType,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn has(&self, e: Element) -> bool {
        self.labels.has(e)
    }

    /// "四有：情况✓ 数据✗ 分析✓ 建议✗"
    pub fn summary(&self, lang: Lang) -> String {
        let head = if lang == Lang::Zh { "四有：" } else { "Four haves: " };
        let parts: Vec<String> =
            Element::ALL.iter().map(|e| format!("{}{}", e.short(lang), if self.has(*e) { "✓" } else { "✗" })).collect();
        format!("{head}{}", parts.join(" "))
    }

    /// The screening hint the editor's queue and the author's item show after submission: the
    /// summary, then each earlier item it resembles and whether a follow-up repeats its first
    /// report.
    /// At most [`HINT_DUPLICATES`] earlier items, the most alike first, each said once.
    pub fn hint(&self, lang: Lang) -> String {
        let mut out = self.summary(lang);
        let mut dups: Vec<(u32, String)> = self
            .findings
            .iter()
            .filter_map(|f| match &f.kind {
                FindingKind::NearDuplicate { percent, .. } => Some((*percent, f.message(lang))),
                _ => None,
            })
            .collect();
        dups.sort_by_key(|d| std::cmp::Reverse(d.0));
        let mut said: Vec<String> = Vec::new();
        for (_, m) in dups {
            if said.len() < HINT_DUPLICATES && !said.iter().any(|s| s.split('约').next() == m.split('约').next()) {
                said.push(m);
            }
        }
        let repeats = self.findings.iter().filter(|f| matches!(f.kind, FindingKind::FollowUpRepeats { .. })).map(|f| f.message(lang));
        for m in repeats.chain(said) {
            out.push_str(if lang == Lang::Zh { "；" } else { "; " });
            out.push_str(&m);
        }
        out
    }
}

/// Everything scanned from a text once, reused by every check.
struct Scanned {
    chars: Vec<char>,
    sentences: Vec<Span>,
    numbers: Vec<Number>,
    units: Vec<Span>,
    filler: Vec<(usize, Span)>,
    literary: Vec<(usize, Span)>,
    hollow: Vec<(usize, Span)>,
    deadlines: Vec<(usize, Span)>,
    causal: Vec<(usize, Span)>,
    /// Where the text proposes (建议, 对策): read by what it reports, its analysis and its
    /// suggestion alike, so found once.
    proposals: Vec<(usize, Span)>,
}

impl Scanned {
    fn new(text: &str, rules: &Rules) -> Scanned {
        let chars: Vec<char> = text.chars().collect();
        let gap = rules.gap_chars;
        let mut literary = find_any(&chars, &rules.literary, gap);
        if rules.literary_reduplication {
            let quotes = scan::quoted(&chars);
            literary.extend(
                scan::reduplications(&chars, &rules.reduplication_heads)
                    .into_iter()
                    .filter(|s| !quotes.iter().any(|q| q.overlaps(*s)))
                    .map(|s| (usize::MAX, s)),
            );
        }
        Scanned {
            sentences: sentences(&chars),
            numbers: scan::numbers(&chars, rules),
            units: unit_names(&chars, rules),
            filler: find_any(&chars, &rules.filler, gap),
            literary,
            hollow: find_any(&chars, &rules.hollow, gap),
            deadlines: find_any(&chars, &rules.deadline_words, 0),
            causal: find_any(&chars, &rules.causal_signals, 0),
            proposals: find_any(&chars, &rules.suggestion_strong, gap),
            chars,
        }
    }

    fn text(&self, s: Span) -> String {
        self.chars[s.start..s.end].iter().collect()
    }

    fn count_in(hits: &[(usize, Span)], w: Span) -> usize {
        hits.iter().filter(|(_, s)| w.overlaps(*s)).count()
    }

    fn quantities_in(&self, w: Span) -> usize {
        self.numbers.iter().filter(|n| matches!(n.kind, scan::NumberKind::Quantity(_)) && w.overlaps(n.span)).count()
    }

    fn times_in(&self, w: Span) -> usize {
        self.numbers.iter().filter(|n| matches!(n.kind, scan::NumberKind::Time { .. }) && w.overlaps(n.span)).count()
    }

    /// A fact a reader could check: a figure, a named unit, a date, or a deadline.
    fn concrete(&self, w: Span) -> bool {
        self.quantities_in(w) > 0
            || self.times_in(w) > 0
            || self.units.iter().any(|u| w.overlaps(*u))
            || Self::count_in(&self.deadlines, w) > 0
    }

    /// Formula instead of content: "既有…也有…", two filler phrases, or a filler phrase with
    /// nothing concrete beside it (and, where asked, imagery).
    fn hollow(&self, w: Span, with_literary: bool) -> bool {
        let filler = Self::count_in(&self.filler, w);
        Self::count_in(&self.hollow, w) > 0
            || filler >= 2
            || (filler >= 1 && !self.concrete(w))
            || (with_literary && Self::count_in(&self.literary, w) > 0)
    }

    /// The sentence holding character `pos` and the `extra` sentences after it.
    fn window(&self, pos: usize, extra: usize) -> Span {
        let idx = self.sentences.iter().position(|s| s.start <= pos && pos < s.end).unwrap_or(0);
        let first = self.sentences.get(idx).copied().unwrap_or(Span { start: pos, end: pos });
        let last = self.sentences.get((idx + extra).min(self.sentences.len().saturating_sub(1))).copied().unwrap_or(first);
        Span { start: first.start, end: last.end.max(first.end) }
    }

    /// Share of the text in sentences that carry filler and no figure.
    fn filler_share(&self) -> f64 {
        let total: usize = self.sentences.iter().map(Span::len).sum();
        if total == 0 {
            return 0.0;
        }
        let filler: usize =
            self.sentences.iter().filter(|s| Self::count_in(&self.filler, **s) > 0 && self.quantities_in(**s) == 0).map(Span::len).sum();
        filler as f64 / total as f64
    }

    fn literary_hits(&self) -> usize {
        let mut distinct: Vec<String> = self.literary.iter().map(|(_, s)| self.text(*s)).collect();
        distinct.sort();
        distinct.dedup();
        let quotes = scan::quoted(&self.chars);
        let exclaims =
            self.chars.iter().enumerate().any(|(i, c)| matches!(c, '！' | '!') && !quotes.iter().any(|q| q.start <= i && i < q.end));
        distinct.len() + usize::from(exclaims)
    }
}

/// Whether a negation covers a marker's first or last character: 未造成 cancels 造成, 村委会
/// cancels the 会 of 一旦…会. A negation that a marker's gap merely passes over (the 社会 in
/// 受社会资本投资放缓影响…下降) does not.
fn cancels(negation: Span, marker: Span) -> bool {
    let covers = |i: usize| negation.start <= i && i < negation.end;
    covers(marker.start) || covers(marker.end.saturating_sub(1))
}

/// Whether a marker's window holds real analysis. "从…看" introduces a conclusion when what is
/// looked from is a reflective word (从实践看, 从运行情况看), a breakdown otherwise (从品种看).
fn analysis_present(s: &Scanned, rules: &Rules) -> (bool, bool) {
    let gap = rules.gap_chars;
    let negations = find_any(&s.chars, &rules.analysis_negations, gap);
    let consequences = find_any(&s.chars, &rules.analysis_consequences, gap);
    let proposals = &s.proposals;
    let mut seen_marker = false;
    let strong = find_any(&s.chars, &rules.analysis_strong, gap).into_iter().map(|(_, sp)| (sp, true));
    let weak = find_any(&s.chars, &rules.analysis_weak, gap).into_iter().map(|(_, sp)| {
        let inner: String = s.chars[sp.start + 1..sp.end.saturating_sub(1)].iter().collect();
        let reflective = s.chars.get(sp.start) == Some(&'从') && rules.analysis_reflective.iter().any(|r| inner.ends_with(r.as_str()));
        (sp, reflective)
    });
    // "原因正在调查": the writer says the cause is not known yet, so "因制动失效…导致" narrates
    // how the incident unfolded rather than explaining it.
    let cause_open = negations.iter().any(|(k, _)| rules.analysis_negations.get(*k).is_some_and(|p| p.source.contains("原因")));
    // The causes and reasons that may stand beside a weak marker, found once (a pasted register
    // of a thousand incidents has as many markers as reasons).
    let reasons: Vec<Span> = s
        .causal
        .iter()
        .map(|(_, c)| *c)
        .filter(|c| !negations.iter().any(|(_, n)| n.overlaps(*c)) && !consequences.iter().any(|(_, q)| q.overlaps(*c)))
        .collect();
    for (marker, is_strong) in strong.chain(weak) {
        if negations.iter().any(|(_, n)| cancels(*n, marker)) {
            continue;
        }
        seen_marker = true;
        if cause_open && !is_strong {
            continue;
        }
        // The reasons may follow in the next sentence, unless it proposes or the marker's own
        // sentence already gives them with figures: formula after the causes (a hollow
        // proposal, 我们认为要高度重视…) does not empty them.
        // A hollow pattern there (既有主观原因，也有客观原因) still empties them.
        let own = s.window(marker.start, 0);
        let w = s.window(marker.start, 1);
        let next = Span { start: own.end, end: w.end };
        // A lead-in (究其原因，) that the next sentence answers with a hollow pattern is hollow.
        let leads_in = matches!(s.chars.get(marker.end), Some('，' | '：' | ':'));
        let hollow_next = leads_in && Scanned::count_in(&s.hollow, next) > 0;
        let proposes_next = proposals.iter().any(|(_, p)| next.overlaps(*p));
        let w = if proposes_next || (!hollow_next && s.quantities_in(own) > 0) { own } else { w };
        if s.hollow(w, true) {
            continue;
        }
        // A weak marker needs a cause or reason beside it, not itself: "造成1人受伤", "引发山洪"
        // report what happened (an incident's first report), they do not explain it.
        if is_strong || reasons.iter().any(|c| !c.overlaps(marker) && w.overlaps(*c)) {
            return (true, true);
        }
    }
    // Causal structure carried by connectives: why (得益于, 一方面…另一方面, 三方面原因：) in a
    // sentence that is not hollow; to what effect (使得, 带动, 从而) in a sentence that says it
    // with a figure — "带动群众增收" alone is a formula.
    let structural = find_any(&s.chars, &rules.analysis_connectives, gap).into_iter().map(|(_, sp)| (sp, false));
    let effects = find_any(&s.chars, &rules.analysis_connectives_with_figure, gap).into_iter().map(|(_, sp)| (sp, true));
    for (marker, needs_figure) in structural.chain(effects) {
        if negations.iter().any(|(_, n)| cancels(*n, marker)) {
            continue;
        }
        // The sentence the connective opens or sits in: 。因为 begins at the stop before it.
        let w = s.window(marker.end.saturating_sub(1), 0);
        if s.hollow(w, true) || (needs_figure && s.quantities_in(w) == 0) {
            continue;
        }
        return (true, true);
    }
    // Impact: a change in a figure tied to what brought it about, in one sentence —
    // "实行共同配送后，单件成本由2.1元降至1.3元", "通过示范带动，亩产提高24%". A list of results
    // with nothing saying what produced them is not analysis.
    let changes = find_any(&s.chars, &rules.analysis_changes, 0);
    for (_, cause) in find_any(&s.chars, &rules.analysis_attributions, gap) {
        let w = s.window(cause.start, 0);
        if s.hollow(w, true) || s.quantities_in(w) == 0 {
            continue;
        }
        if changes.iter().any(|(_, c)| w.overlaps(*c) && c.start >= cause.end) {
            return (true, true);
        }
    }
    (false, seen_marker)
}

/// What the item reports, as opposed to what it proposes: the unit, deadline and figures of
/// "建议由县数据局在9月底前…" say who should act, not what happened, so sentences that carry a
/// proposal (建议, 对策) count towards neither 有情况 nor 有数据.
struct Reported {
    /// A named unit or place.
    named: bool,
    /// A specific date or time (6月14日, 截至).
    timed: bool,
    /// Distinct figures.
    quantities: usize,
}

fn reported(s: &Scanned, rules: &Rules) -> Reported {
    // What was scanned is kept outside the sentences that propose.
    let proposing = proposing_sentences(s, rules);
    let told = |span: Span| !proposing.iter().any(|p| p.overlaps(span));
    let numbers: Vec<Number> = s.numbers.iter().filter(|n| told(n.span)).cloned().collect();
    Reported {
        named: s.units.iter().any(|u| told(*u)),
        timed: has_specific_time(&s.chars, &numbers, rules, told),
        quantities: distinct_quantities(&numbers).len(),
    }
}

/// The sentences that carry a proposal. A proposal heading opens a block up to the next heading
/// of its level or higher: a numbered one (三、对策建议 up to 四、; （三）几点建议 up to （四） or
/// 四、), or a short line of its own (对策建议) up to the next numbered section. A lead-in
/// followed by a point (建议：一是由团县委…) opens a block to the end of its paragraph.
fn proposing_sentences(s: &Scanned, rules: &Rules) -> Vec<Span> {
    const HEADING_MAX_CHARS: usize = 14;
    const OWN_LINE_HEADING_MAX_CHARS: usize = 8;
    let proposals = &s.proposals;
    let text = |sp: &Span| &s.chars[sp.start..sp.end];
    // The level of a section number at the start: 三、 is 1, （三） is 2.
    let level = |c: &[char]| {
        if c.len() > 1 && scan::is_cn_digit(c[0]) && c[1] == '、' {
            Some(1)
        } else if c.len() > 2 && matches!(c[0], '（' | '(') && scan::is_cn_digit(c[1]) && matches!(c[2], '）' | ')') {
            Some(2)
        } else {
            None
        }
    };
    // 一是, 二要, 第三, 1. — a point in a list.
    let point = |c: &[char]| {
        level(c).is_some()
            || (c.len() > 1 && scan::is_cn_digit(c[0]) && matches!(c[1], '是' | '要' | '抓' | '强'))
            || (c.len() > 1 && c[0] == '第' && scan::is_cn_digit(c[1]))
            || (c.len() > 1 && c[0].is_ascii_digit() && matches!(c[1], '.' | '、' | '．'))
    };
    let own_line = |sp: &Span| {
        (sp.start == 0 || s.chars[..sp.start].iter().rev().find(|c| !c.is_whitespace() || **c == '\n') == Some(&'\n'))
            && s.chars[sp.end..].iter().find(|c| !matches!(c, ' ' | '\t' | '\r' | '\u{3000}')).is_none_or(|c| *c == '\n')
    };
    // The level a proposal heading closes at, if the sentence is one: a pasted title line
    // (关于…的几点建议) is not a heading.
    let heading = |sp: &Span| -> Option<usize> {
        let c = text(sp);
        let words: String = c.iter().filter(|c| !c.is_ascii_punctuation() && !"。：，；！？、（）".contains(**c)).collect();
        let words = words.trim_start_matches(|c: char| scan::is_cn_digit(c) || c.is_whitespace());
        let proposal_words =
            rules.proposal_heading_ends.iter().any(|e| words.ends_with(e.as_str())) && !words.contains("问题") && !words.contains("情况");
        if !proposal_words || c.len() > HEADING_MAX_CHARS {
            return None;
        }
        match level(c) {
            Some(l) => Some(l),
            None if own_line(sp) && c.len() <= OWN_LINE_HEADING_MAX_CHARS && !words.starts_with("关于") && !words.starts_with('对') => {
                Some(1)
            }
            None => None,
        }
    };
    enum Block {
        Section(usize),
        Points,
    }
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, sentence) in s.sentences.iter().enumerate() {
        let c = text(sentence);
        if let (Some(Block::Section(at)), Some(l)) = (&open, level(c))
            && l <= *at
        {
            open = None;
        }
        let marker = proposals.iter().find(|(_, p)| sentence.overlaps(*p)).map(|(_, p)| *p);
        if let Some(p) = marker {
            out.push(*sentence);
            if let Some(l) = heading(sentence) {
                open = Some(Block::Section(l));
            } else if matches!(s.chars.get(p.end), Some('：' | ':')) && point(s.chars.get(p.end + 1..).unwrap_or_default()) {
                open = Some(Block::Points);
            }
        } else if open.is_some() {
            out.push(*sentence);
        }
        // A lead-in's points end with its paragraph.
        let next = s.sentences.get(i + 1).map_or(s.chars.len(), |n| n.start);
        if matches!(open, Some(Block::Points)) && s.chars[sentence.end.saturating_sub(1)..next].contains(&'\n') {
            open = None;
        }
    }
    out
}

/// Whether a marker's window holds a concrete proposal: 建议 and 对策 need only not be
/// hollow; 下一步, 将于, 计划 also need something checkable — a figure, a date or a deadline
/// (a named place alone does not make "下一步将继续加大力度" a plan).
fn suggestion_present(s: &Scanned, rules: &Rules) -> (bool, bool) {
    let gap = rules.gap_chars;
    let strong = s.proposals.iter().map(|(_, sp)| (*sp, true));
    let weak = find_any(&s.chars, &rules.suggestion_weak, gap).into_iter().map(|(_, sp)| (sp, false));
    let negations = find_any(&s.chars, &rules.suggestion_negations, gap);
    let mut seen = false;
    for (marker, is_strong) in strong.chain(weak) {
        if negations.iter().any(|(_, n)| n.overlaps(marker)) {
            continue;
        }
        seen = true;
        let w = s.window(marker.start, 2);
        if s.hollow(w, false) {
            continue;
        }
        let checkable = s.quantities_in(w) > 0 || s.times_in(w) > 0 || Scanned::count_in(&s.deadlines, w) > 0;
        if checkable || (is_strong && s.concrete(w)) {
            return (true, true);
        }
    }
    (false, seen)
}

/// A numbered slogan standing for the work: 三抓三促, 五抓五促, 四比四看 — the same numeral (not
/// 一) before two verbs — or a count of verbs (四个聚焦). A count of real things (三级联调, 四个一)
/// and a programme (一村一品) are not.
fn numbered_slogan(text: &[char], rules: &Rules) -> bool {
    // 四个聚焦, 三个强化: a count of verbs is a slogan; 四个一 counts things.
    let counted_verbs = text
        .windows(4)
        .any(|w| scan::is_cn_digit(w[0]) && w[0] != '一' && w[1] == '个' && rules.slogan_verbs.iter().any(|v| v[..] == w[2..]));
    counted_verbs
        || text.windows(4).any(|w| {
            w[0] == w[2]
                && w[0] != '一'
                && scan::is_cn_digit(w[0])
                // 三天三夜, 三月三 (a festival): time and counts, not verbs.
                && [w[1], w[3]].iter().all(|c| scan::is_han(*c) && !scan::is_cn_digit(*c) && !rules.slogan_not_verbs.contains(c))
        })
}

fn title_findings(title: &str, rules: &Rules) -> (bool, Vec<FindingKind>) {
    let t = Scanned::new(title, rules);
    let len = t.chars.len();
    let mut problems = Vec::new();
    // A slogan couplet (对仗): two parts of the same length side by side, split by a space or a
    // colon (党建引领聚合力 产业振兴谱新篇; 白鹭湾镇：守护一湾碧水 留住万羽精灵) — unless the title
    // names a unit and carries a figure or a time. Factual titles in parts are rarely matched in length
    // (某镇春播进度过半 北斗导航播种占比82%; 某小学疾病续报 检测结果为诺如病毒 留观学生均已出院).
    let parts: Vec<usize> =
        title.split(|c: char| c.is_whitespace() || matches!(c, '：' | ':' | '—')).map(|p| p.chars().count()).filter(|n| *n > 0).collect();
    let matched = parts.windows(2).any(|w| w[0] == w[1] && w[0] >= 3);
    let factual = !t.units.is_empty() && !t.numbers.is_empty();
    let couplet = matched && !factual;
    // An exclamation (突发！) is a headline's shout, not an information title.
    let shouted = t.chars.iter().any(|c| matches!(c, '！' | '!'));
    if couplet || numbered_slogan(&t.chars, rules) || !t.literary.is_empty() || !t.filler.is_empty() {
        problems.push(FindingKind::TitleSlogan);
    }
    if shouted {
        problems.push(FindingKind::TitleShout);
    }
    match t.units.first() {
        None => problems.push(FindingKind::TitleNoUnit),
        Some(u) if len.saturating_sub(u.end) < rules.title_min_event_chars && u.start < rules.title_min_event_chars => {
            problems.push(FindingKind::TitleNoEvent)
        }
        Some(_) => {}
    }
    if len > rules.title_max_chars {
        problems.push(FindingKind::TitleTooLong { chars: len, max: rules.title_max_chars });
    }
    (problems.is_empty(), problems)
}

/// Checks one item. Pure: the same input gives the same report in the browser and the server.
pub fn check(input: Input<'_>, ctx: Context<'_>, rules: &Rules) -> Report {
    let body = Scanned::new(input.body, rules);
    let mut findings = Vec::new();
    let finding = |kind, severity, field, span| Finding { kind, severity, field, span };

    // Figures, time, place: in what the item reports.
    let facts = reported(&body, rules);
    let data = facts.quantities >= rules.min_distinct_quantities;
    let filler_share = body.filler_share();
    let literary_style = body.literary_hits() >= rules.literary_min_hits;
    let plain = filler_share <= rules.plain_prose_max_filler_share && !literary_style;
    let situation = facts.named && (facts.timed || facts.quantities > 0 || plain);
    let (analysis, analysis_marked) = analysis_present(&body, rules);
    let (suggestion, suggestion_marked) = suggestion_present(&body, rules);

    // Style.
    let filler_heavy = filler_share >= rules.filler_heavy_share;
    let longest = scan::longest_unpaused(&body.chars, &rules.pause_chars);
    let long_sentence = longest.len() > rules.long_sentence_chars;
    let (title_ok, title_problems) = title_findings(input.title, rules);

    let labels = Labels { situation, data, analysis, suggestion, filler_heavy, long_sentence, literary_style, title_ok };

    let needed = required(input.item_type);
    let has = |e: &Element| labels.has(*e);
    if !situation && !data && !analysis {
        findings.push(finding(FindingKind::ThreeNo, Severity::Error, Field::Body, None));
    }
    for e in Element::ALL {
        if !has(&e) && needed.contains(&e) {
            findings.push(finding(FindingKind::Missing { element: e }, Severity::Warning, Field::Body, None));
        }
    }
    if analysis_marked && !analysis {
        findings.push(finding(FindingKind::HollowAnalysis, Severity::Warning, Field::Body, None));
    }
    if suggestion_marked && !suggestion {
        findings.push(finding(FindingKind::HollowSuggestion, Severity::Warning, Field::Body, None));
    }
    if filler_heavy {
        findings.push(finding(
            FindingKind::FillerHeavy { percent: (filler_share * 100.0).round() as u32 },
            Severity::Warning,
            Field::Body,
            None,
        ));
    }
    for (k, span) in &body.filler {
        findings.push(finding(FindingKind::Filler { phrase: rules.filler[*k].source.clone() }, Severity::Info, Field::Body, Some(*span)));
    }
    if literary_style {
        findings.push(finding(FindingKind::LiteraryStyle, Severity::Warning, Field::Body, None));
    }
    for (_, span) in &body.literary {
        findings.push(finding(FindingKind::Literary { phrase: body.text(*span) }, Severity::Info, Field::Body, Some(*span)));
    }
    if long_sentence {
        findings.push(finding(FindingKind::LongSentence { chars: longest.len() }, Severity::Warning, Field::Body, Some(longest)));
    }
    for kind in title_problems {
        findings.push(finding(kind, Severity::Warning, Field::Title, None));
    }
    let count = char_count(input.body);
    let (min, max) = rules.length_bands.of(input.item_type);
    if count > 0 && (count < min || count > max) {
        findings.push(finding(FindingKind::Length { count, min, max }, Severity::Info, Field::Body, None));
    }
    for (field, text) in [(Field::Title, input.title), (Field::Body, input.body)] {
        let chars: Vec<char> = text.chars().collect();
        for (k, span) in find_any(&chars, &rules.classified, 0) {
            findings.push(finding(
                FindingKind::Classified { word: rules.classified[k].source.clone() },
                Severity::Error,
                field,
                Some(span),
            ));
        }
    }
    if let Some(previous) = ctx.follows {
        let overall = similarity::jaccard(input.body, previous);
        if overall >= rules.followup_repeat_similarity {
            findings.push(finding(
                FindingKind::FollowUpRepeats { percent: (overall * 100.0).round() as u32 },
                Severity::Warning,
                Field::Body,
                None,
            ));
        }
        for s in &body.sentences {
            if s.len() >= 12 && similarity::containment(&body.text(*s), previous) >= rules.followup_sentence_similarity {
                findings.push(finding(FindingKind::RepeatedSentence, Severity::Info, Field::Body, Some(*s)));
            }
        }
    }
    if !ctx.others.is_empty() {
        let mine = Signature::of_item(input.title, input.body);
        for other in ctx.others {
            let sim = mine.similarity(&other.signature);
            if sim >= rules.near_duplicate_similarity {
                findings.push(finding(
                    FindingKind::NearDuplicate { id: other.id.clone(), title: other.title.clone(), percent: (sim * 100.0).round() as u32 },
                    Severity::Warning,
                    Field::Body,
                    None,
                ));
            }
        }
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));

    let light_filler = body.filler.len() >= rules.filler_light_hits;
    // A follow-up that mostly repeats its first report tells the reader little that is new.
    let repeats = findings.iter().any(|f| matches!(f.kind, FindingKind::FollowUpRepeats { .. }));
    let verdict = if filler_heavy || literary_style || (!situation && !data) {
        Verdict::Poor
    } else if needed.iter().all(has) && !long_sentence && title_ok && !light_filler && !repeats {
        Verdict::Good
    } else {
        Verdict::Fair
    };
    Report { labels, verdict, item_type: input.item_type, findings }
}

#[cfg(test)]
mod tests;
