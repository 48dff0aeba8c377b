//! Urgent reporting (紧急信息): the elements a first report must carry (time, place, nature,
//! casualties and losses, measures taken), the deadline it runs against, and the chain 初报 →
//! 续报一、二… → 终报 gathered into one thread, however the reports arrived.

use crate::i18n::Text;
use crate::item::{DraftContent, ItemType, ReportStage};
use crate::review::DeadlineRules;
use serde::{Deserialize, Serialize};

/// What an urgent report must say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Element {
    Time,
    Place,
    Nature,
    Losses,
    Measures,
}

impl Element {
    pub const ALL: [Element; 5] = [Element::Time, Element::Place, Element::Nature, Element::Losses, Element::Measures];

    pub fn label(self) -> Text {
        match self {
            Element::Time => Text::new("时间", "Time"),
            Element::Place => Text::new("地点", "Place"),
            Element::Nature => Text::new("事件性质", "What happened"),
            Element::Losses => Text::new("伤亡损失", "Casualties and losses"),
            Element::Measures => Text::new("采取措施", "Measures taken"),
        }
    }

    /// Words that show the element is there (plain substrings: reports are short and factual).
    fn cues(self) -> &'static [&'static str] {
        match self {
            Element::Time => &["时", "点", "分", "日", "凌晨", "上午", "中午", "下午", "傍晚", "晚上", "夜间"],
            Element::Place => &["镇", "乡", "村", "县", "街道", "社区", "路", "组", "河", "山", "矿", "厂", "公司", "学校", "小区"],
            Element::Nature => &[
                "发生", "突发", "火灾", "起火", "爆炸", "泄漏", "坍塌", "塌方", "滑坡", "洪水", "山洪", "内涝", "冰雹", "暴雨", "大风",
                "地震", "事故", "疫情", "中毒", "纠纷", "冲突", "聚集", "停电", "停水",
            ],
            Element::Losses => {
                &["死亡", "受伤", "伤亡", "失踪", "遇难", "损失", "受灾", "倒塌", "损毁", "万元", "亩", "无人员伤亡", "转移", "被困"]
            }
            Element::Measures => &[
                "已",
                "组织",
                "采取",
                "启动",
                "救援",
                "处置",
                "疏散",
                "抢修",
                "安置",
                "救治",
                "调查",
                "排查",
                "到场",
                "赶赴",
                "应急预案",
                "管控",
            ],
        }
    }
}

/// Which elements the text of an urgent report carries.
pub fn elements(body: &str) -> Vec<(Element, bool)> {
    Element::ALL.into_iter().map(|e| (e, e.cues().iter().any(|c| body.contains(c)))).collect()
}

/// When the written first report of an urgent item is due (ms), under the office's rules: only
/// for an urgent first report with its event time.
pub fn due(content: &DraftContent, rules: DeadlineRules) -> Option<i64> {
    (content.item_type == ItemType::Urgent && content.stage == ReportStage::Initial)
        .then_some(content.event_time?)
        .map(|t| t + rules.urgent_written_minutes * 60_000)
}

/// One report of a chain, as the desks know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub id: String,
    pub follows: Option<String>,
    pub stage: ReportStage,
}

/// The order of a chain's stages: 初报, 续报一, 续报二 …, 终报.
fn stage_order(s: ReportStage) -> (u8, u32) {
    match s {
        ReportStage::Initial => (0, 0),
        ReportStage::FollowUp(n) => (1, n),
        ReportStage::Final => (2, 0),
    }
}

/// The chains among `links`: for each first report (or a follow-up whose first report is not
/// here), its id and every report that follows it, directly or through another follow-up, in
/// stage order. A report in no chain is a chain of one.
pub fn threads(links: &[Link]) -> Vec<Vec<String>> {
    let by_id: std::collections::HashMap<&str, &Link> = links.iter().map(|l| (l.id.as_str(), l)).collect();
    // The root of a link: follow `follows` while it names a report that is here (cycles end).
    let root = |l: &Link| -> String {
        let mut at = l;
        let mut seen = std::collections::HashSet::new();
        while let Some(next) = at.follows.as_deref().and_then(|f| by_id.get(f)) {
            if !seen.insert(at.id.as_str()) {
                break;
            }
            at = next;
        }
        at.id.clone()
    };
    let mut groups: Vec<(String, Vec<&Link>)> = Vec::new();
    for l in links {
        let r = root(l);
        match groups.iter_mut().find(|(g, _)| *g == r) {
            Some((_, members)) => members.push(l),
            None => groups.push((r, vec![l])),
        }
    }
    groups
        .into_iter()
        .map(|(_, mut members)| {
            members.sort_by_key(|l| stage_order(l.stage));
            members.into_iter().map(|l| l.id.clone()).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_report_names_its_five_elements() {
        let full = "6月3日14时许，河西镇王庄村突降冰雹，受灾农田约3000亩，无人员伤亡。镇政府已启动应急预案，组织人员排查。";
        assert!(elements(full).iter().all(|(_, ok)| *ok), "{:?}", elements(full));
        let thin = "情况紧急，正在了解。";
        let missing: Vec<Element> = elements(thin).into_iter().filter(|(_, ok)| !ok).map(|(e, _)| e).collect();
        assert_eq!(missing, vec![Element::Time, Element::Place, Element::Nature, Element::Losses, Element::Measures]);
    }

    #[test]
    fn an_urgent_first_report_is_due_after_the_office_s_minutes() {
        let c = DraftContent { item_type: ItemType::Urgent, event_time: Some(1_000_000), ..DraftContent::default() };
        assert_eq!(due(&c, DeadlineRules { urgent_written_minutes: 60 }), Some(1_000_000 + 3_600_000));
        let follow = DraftContent { stage: ReportStage::FollowUp(1), ..c.clone() };
        assert_eq!(due(&follow, DeadlineRules::default()), None);
        assert_eq!(due(&DraftContent { item_type: ItemType::Dynamic, ..c }, DeadlineRules::default()), None);
    }

    #[test]
    fn a_chain_of_reports_is_one_thread_in_stage_order_however_it_arrived() {
        let l = |id: &str, follows: Option<&str>, stage| Link { id: id.into(), follows: follows.map(Into::into), stage };
        let links = vec![
            l("final", Some("f1"), ReportStage::Final),
            l("other", None, ReportStage::Initial),
            l("f2", Some("first"), ReportStage::FollowUp(2)),
            l("first", None, ReportStage::Initial),
            l("f1", Some("first"), ReportStage::FollowUp(1)),
            l("orphan", Some("gone"), ReportStage::FollowUp(1)),
        ];
        let t = threads(&links);
        assert_eq!(t, vec![vec!["first", "f1", "f2", "final"], vec!["other"], vec!["orphan"]]);
        // A cycle does not loop forever.
        let cycle = vec![l("a", Some("b"), ReportStage::FollowUp(1)), l("b", Some("a"), ReportStage::FollowUp(2))];
        assert_eq!(threads(&cycle).iter().map(Vec::len).sum::<usize>(), 2);
    }
}
