//! The data behind the writing checks: word lists, patterns and thresholds, read from JSON so
//! they can be tuned without code changes. The defaults are `rules.json` beside this file.

use super::pattern::Pattern;
use crate::item::ItemType;
use serde::Deserialize;

const DEFAULT_RULES: &str = include_str!("rules.json");

/// The rules as written in JSON.
#[derive(Deserialize)]
struct RawRules {
    gap_chars: usize,
    long_sentence_chars: usize,
    pause_chars: String,
    min_distinct_quantities: usize,
    filler: Vec<String>,
    literary: Vec<String>,
    literary_reduplication: bool,
    literary_min_hits: usize,
    filler_heavy_share: f64,
    filler_light_hits: usize,
    hollow: Vec<String>,
    analysis_strong: Vec<String>,
    analysis_weak: Vec<String>,
    analysis_negations: Vec<String>,
    analysis_reflective: Vec<String>,
    /// Causal structure without the word 原因: a connective that states why or to what effect
    /// (得益于, 一方面…另一方面, 使得 with a figure). Optional in a rules file.
    #[serde(default)]
    analysis_connectives: Vec<String>,
    #[serde(default)]
    analysis_connectives_with_figure: Vec<String>,
    /// Impact: what brought a change about (通过, 实行…后), and the change (降至, 提高), said
    /// with a figure in one sentence. Optional in a rules file.
    #[serde(default)]
    analysis_attributions: Vec<String>,
    #[serde(default)]
    analysis_changes: Vec<String>,
    /// Words that report a consequence (造成, 引发): not a reason for one another.
    #[serde(default)]
    analysis_consequences: Vec<String>,
    causal_signals: Vec<String>,
    suggestion_strong: Vec<String>,
    suggestion_weak: Vec<String>,
    /// A marker used as a noun, not a proposal: 占计划的55%, 完成年度计划. Optional in a rules
    /// file.
    #[serde(default)]
    suggestion_negations: Vec<String>,
    deadline_words: Vec<String>,
    /// The last words of a proposal heading (三、对策建议). Optional in a rules file.
    #[serde(default)]
    proposal_heading_ends: Vec<String>,
    unit_suffixes: Vec<String>,
    /// Characters after which a village word (村干部, 村集体) names no village: verbs and levels
    /// (组织村干部, 全镇村干部). Optional in a rules file.
    #[serde(default)]
    verbs_before_place: String,
    generic_places: Vec<String>,
    /// Words that name one place on their own, with no name before them (县城, the county
    /// seat). Optional in a rules file.
    #[serde(default)]
    standalone_places: Vec<String>,
    measure_words: Vec<String>,
    measure_exclusions: Vec<String>,
    date_units: String,
    numeral_idioms: Vec<String>,
    specific_time: Vec<String>,
    classified: Vec<String>,
    reduplication_heads: String,
    /// Verbs counted in a numbered slogan (四个聚焦), and what is no verb in 三X三Y (三天三夜,
    /// 三月三). Optional in a rules file.
    #[serde(default)]
    slogan_verbs: Vec<String>,
    #[serde(default)]
    slogan_not_verbs: String,
    length_bands: LengthBands,
    title_max_chars: usize,
    title_min_event_chars: usize,
    plain_prose_max_filler_share: f64,
    followup_repeat_similarity: f64,
    followup_sentence_similarity: f64,
    near_duplicate_similarity: f64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct LengthBands {
    pub dynamic: (usize, usize),
    pub experience: (usize, usize),
    pub problem: (usize, usize),
    pub research: (usize, usize),
    pub urgent: (usize, usize),
}

impl LengthBands {
    pub fn of(&self, t: ItemType) -> (usize, usize) {
        match t {
            ItemType::Dynamic => self.dynamic,
            ItemType::Experience => self.experience,
            ItemType::Problem => self.problem,
            ItemType::Research => self.research,
            ItemType::Urgent => self.urgent,
        }
    }
}

/// The rules, compiled for scanning.
#[derive(Clone, Debug)]
pub struct Rules {
    pub gap_chars: usize,
    pub long_sentence_chars: usize,
    pub pause_chars: Vec<char>,
    pub min_distinct_quantities: usize,
    pub filler: Vec<Pattern>,
    pub literary: Vec<Pattern>,
    pub literary_reduplication: bool,
    pub literary_min_hits: usize,
    pub filler_heavy_share: f64,
    pub filler_light_hits: usize,
    pub hollow: Vec<Pattern>,
    pub analysis_strong: Vec<Pattern>,
    pub analysis_weak: Vec<Pattern>,
    pub analysis_negations: Vec<Pattern>,
    /// Words that make "从…看" introduce a conclusion (从实践看) rather than a breakdown.
    pub analysis_reflective: Vec<String>,
    pub analysis_connectives: Vec<Pattern>,
    pub analysis_connectives_with_figure: Vec<Pattern>,
    pub analysis_consequences: Vec<Pattern>,
    pub analysis_attributions: Vec<Pattern>,
    pub analysis_changes: Vec<Pattern>,
    pub causal_signals: Vec<Pattern>,
    pub suggestion_strong: Vec<Pattern>,
    pub suggestion_weak: Vec<Pattern>,
    pub suggestion_negations: Vec<Pattern>,
    pub deadline_words: Vec<Pattern>,
    pub proposal_heading_ends: Vec<String>,
    /// Longest first, so 监管局 wins over 局.
    pub unit_suffixes: Vec<Vec<char>>,
    pub verbs_before_place: Vec<char>,
    pub generic_places: Vec<Pattern>,
    pub standalone_places: Vec<Pattern>,
    /// Longest first, so 万元 wins over 万.
    pub measure_words: Vec<Vec<char>>,
    pub measure_exclusions: Vec<Vec<char>>,
    pub date_units: Vec<char>,
    pub numeral_idioms: Vec<Vec<char>>,
    pub specific_time: Vec<Pattern>,
    pub classified: Vec<Pattern>,
    pub reduplication_heads: Vec<char>,
    pub slogan_verbs: Vec<Vec<char>>,
    pub slogan_not_verbs: Vec<char>,
    pub length_bands: LengthBands,
    pub title_max_chars: usize,
    pub title_min_event_chars: usize,
    pub plain_prose_max_filler_share: f64,
    pub followup_repeat_similarity: f64,
    pub followup_sentence_similarity: f64,
    pub near_duplicate_similarity: f64,
}

fn patterns(v: Vec<String>) -> Vec<Pattern> {
    v.iter().map(|s| Pattern::new(s)).collect()
}

fn longest_first(v: Vec<String>) -> Vec<Vec<char>> {
    let mut out: Vec<Vec<char>> = v.iter().map(|s| s.chars().collect()).collect();
    out.sort_by_key(|w| std::cmp::Reverse(w.len()));
    out
}

impl Rules {
    /// Parses rules from JSON in the format of `rules.json`.
    pub fn from_json(json: &str) -> Result<Rules, String> {
        let r: RawRules = serde_json::from_str(json).map_err(|e| format!("quality rules: {e}"))?;
        Ok(Rules {
            gap_chars: r.gap_chars,
            long_sentence_chars: r.long_sentence_chars,
            pause_chars: r.pause_chars.chars().collect(),
            min_distinct_quantities: r.min_distinct_quantities,
            filler: patterns(r.filler),
            literary: patterns(r.literary),
            literary_reduplication: r.literary_reduplication,
            literary_min_hits: r.literary_min_hits,
            filler_heavy_share: r.filler_heavy_share,
            filler_light_hits: r.filler_light_hits,
            hollow: patterns(r.hollow),
            analysis_strong: patterns(r.analysis_strong),
            analysis_weak: patterns(r.analysis_weak),
            analysis_negations: patterns(r.analysis_negations),
            analysis_reflective: r.analysis_reflective,
            analysis_connectives: patterns(r.analysis_connectives),
            analysis_connectives_with_figure: patterns(r.analysis_connectives_with_figure),
            analysis_consequences: patterns(r.analysis_consequences),
            analysis_attributions: patterns(r.analysis_attributions),
            analysis_changes: patterns(r.analysis_changes),
            causal_signals: patterns(r.causal_signals),
            suggestion_strong: patterns(r.suggestion_strong),
            suggestion_weak: patterns(r.suggestion_weak),
            suggestion_negations: patterns(r.suggestion_negations),
            deadline_words: patterns(r.deadline_words),
            proposal_heading_ends: r.proposal_heading_ends,
            unit_suffixes: longest_first(r.unit_suffixes),
            verbs_before_place: r.verbs_before_place.chars().collect(),
            generic_places: patterns(r.generic_places),
            standalone_places: patterns(r.standalone_places),
            measure_words: longest_first(r.measure_words),
            measure_exclusions: longest_first(r.measure_exclusions),
            date_units: r.date_units.chars().collect(),
            numeral_idioms: longest_first(r.numeral_idioms),
            specific_time: patterns(r.specific_time),
            classified: patterns(r.classified),
            reduplication_heads: r.reduplication_heads.chars().collect(),
            slogan_verbs: r.slogan_verbs.iter().map(|v| v.chars().collect()).collect(),
            slogan_not_verbs: r.slogan_not_verbs.chars().collect(),
            length_bands: r.length_bands,
            title_max_chars: r.title_max_chars,
            title_min_event_chars: r.title_min_event_chars,
            plain_prose_max_filler_share: r.plain_prose_max_filler_share,
            followup_repeat_similarity: r.followup_repeat_similarity,
            followup_sentence_similarity: r.followup_sentence_similarity,
            near_duplicate_similarity: r.near_duplicate_similarity,
        })
    }
}

impl Default for Rules {
    fn default() -> Rules {
        // The embedded file is checked by a test; should it ever fail to parse, the checks
        // would have no words to look for rather than crash the editor.
        Rules::from_json(DEFAULT_RULES).unwrap_or_else(|_| Rules::from_json(EMPTY_RULES).unwrap_or_else(|e| panic!("{e}")))
    }
}

const EMPTY_RULES: &str = r#"{"gap_chars":0,"long_sentence_chars":120,"pause_chars":"，。","min_distinct_quantities":2,"filler":[],"literary":[],
"literary_reduplication":false,"literary_min_hits":3,"filler_heavy_share":1.0,"filler_light_hits":99,"hollow":[],"analysis_strong":[],
"analysis_weak":[],"analysis_negations":[],"analysis_reflective":[],"causal_signals":[],"suggestion_strong":[],"suggestion_weak":[],
"deadline_words":[],"unit_suffixes":[],"generic_places":[],"measure_words":[],"measure_exclusions":[],"date_units":"","numeral_idioms":[],
"specific_time":[],"classified":[],"reduplication_heads":"","length_bands":{"dynamic":[0,99999],"experience":[0,99999],"problem":[0,99999],
"research":[0,99999],"urgent":[0,99999]},"title_max_chars":40,"title_min_event_chars":0,"plain_prose_max_filler_share":0.0,
"followup_repeat_similarity":1.0,"followup_sentence_similarity":1.0,"near_duplicate_similarity":1.0}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_rules_parse() {
        assert!(Rules::from_json(DEFAULT_RULES).is_ok(), "{:?}", Rules::from_json(DEFAULT_RULES).err());
        assert!(Rules::from_json(EMPTY_RULES).is_ok());
    }

    #[test]
    fn bad_rules_are_an_error_not_a_panic() {
        assert!(Rules::from_json("{").is_err());
        assert!(Rules::from_json("{}").is_err());
    }
}
