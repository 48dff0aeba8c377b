//! One item out of the system: the 报送单 / 审签单 an item goes up with — unit, author, phone,
//! type, the dates, the editor who sent it for sign-off, the signer and the sign-off date, the
//! text. Who did what is read off the item's versions ([`steps`]); the server answers it as
//! JSON for the print view and writes it into Word, one item or a batch.

use crate::item::{DraftContent, ItemType};
use crate::scores::{day_of, day_text_zh};
use crate::sync::ItemState;
use serde::{Deserialize, Serialize};

/// Most items in one batch file.
pub const MAX_BATCH: usize = 100;

/// One stored version of an item, as the sheet reads it: the state it left the item in, who
/// made it and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub state: ItemState,
    pub actor_id: i64,
    pub actor: String,
    pub at: i64,
}

/// Who did what on the way up, read off the versions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trail {
    /// When the author first submitted it (报送日期).
    pub submitted_at: Option<i64>,
    /// The editor who last sent it for sign-off (责任编辑), else the last one who took it in or
    /// edited it.
    pub editor: Option<String>,
    /// The signer (签发人) and when they signed, the last time it was signed.
    pub signer: Option<String>,
    pub signed_at: Option<i64>,
}

/// Reads the trail off `steps` (oldest first); `author_id` is the item's author. The date is
/// the first submission (what the item counts from); the editor and the signer are those of
/// the round since the author last submitted — an earlier round's, before a 退回修改 or a move
/// to another office, is not this sheet's.
pub fn steps(author_id: i64, steps: &[Step]) -> Trail {
    let by_author = |s: &Step| s.state == ItemState::Submitted && s.actor_id == author_id;
    let submitted_at = steps.iter().find(|s| by_author(s)).map(|s| s.at);
    let round = &steps[steps.iter().rposition(by_author).map_or(0, |i| i + 1)..];
    let by_office = |s: &&Step| s.actor_id != author_id;
    let sent = round.iter().filter(by_office).rfind(|s| s.state == ItemState::AwaitingSignOff);
    let editor = sent
        .or_else(|| round.iter().filter(by_office).rfind(|s| matches!(s.state, ItemState::Screening | ItemState::Editing)))
        .map(|s| s.actor.clone());
    let signed = round.iter().filter(by_office).rfind(|s| s.state == ItemState::Signed);
    Trail { submitted_at, editor, signer: signed.map(|s| s.actor.clone()), signed_at: signed.map(|s| s.at) }
}

/// An item as it goes up: what the print view shows and the Word file holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemSheet {
    pub id: String,
    /// The reviewing office's name (the sheet's heading).
    pub office: String,
    pub unit: String,
    pub author: String,
    pub state: ItemState,
    pub content: DraftContent,
    pub trail: Trail,
    /// The sign-off chain it went through, when the office signs at several levels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing: Option<crate::signoff::Signing>,
}

impl ItemSheet {
    /// 审签单 once signed, 报送单 before.
    pub fn kind(&self) -> &'static str {
        if self.trail.signed_at.is_some() { "信息审签单" } else { "信息报送单" }
    }

    /// The rows of the sheet's table, label and value, in the order printed, dates in China
    /// Standard Time (a missing value is an empty string: the form keeps its line for a hand
    /// to fill in).
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let when = |t: Option<i64>| t.map(|ms| day_text_zh(day_of(ms))).unwrap_or_default();
        let mut kind = self.content.item_type.label().zh.to_owned();
        if self.content.item_type == ItemType::Urgent {
            kind = format!("{kind}（{}）", self.content.stage.label(crate::i18n::Lang::Zh));
        }
        vec![
            ("报送单位", self.unit.clone()),
            ("撰稿人", self.author.clone()),
            ("联系电话", self.content.phone.clone()),
            ("信息类别", kind),
            ("报送日期", when(self.trail.submitted_at)),
            ("责任编辑", self.trail.editor.clone().unwrap_or_default()),
            ("签发人", self.signers().unwrap_or_else(|| self.trail.signer.clone().unwrap_or_default())),
            ("签发日期", when(self.trail.signed_at)),
        ]
    }

    /// Each level that signed, with who and when ("科长 赵某（2026年6月3日）；办公室主任 钱某（…）"),
    /// when the item went through a chain of more than one level.
    fn signers(&self) -> Option<String> {
        let chain = self.signing.as_ref().filter(|s| s.steps.len() > 1)?;
        let signed: Vec<String> = chain
            .steps
            .iter()
            .filter_map(|s| s.signed.as_ref().map(|by| format!("{} {}（{}）", s.name, by.by, day_text_zh(day_of(by.at)))))
            .collect();
        (!signed.is_empty()).then(|| signed.join("；"))
    }
}

/// The ids of a batch as asked (`a,b,c`): each once, in the order given; refused when empty or
/// longer than [`MAX_BATCH`], in words.
pub fn batch_ids(asked: &str) -> Result<Vec<String>, &'static str> {
    let mut ids: Vec<String> = Vec::new();
    for id in asked.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !ids.iter().any(|x| x == id) {
            ids.push(id.to_owned());
        }
    }
    if ids.is_empty() {
        return Err("请先选择要下载的稿件");
    }
    if ids.len() > MAX_BATCH {
        return Err("一次最多下载100篇稿件，请分批下载");
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(state: ItemState, actor_id: i64, at: i64) -> Step {
        Step { state, actor_id, actor: format!("u{actor_id}"), at }
    }

    #[test]
    fn the_trail_names_the_first_submission_the_editor_who_sent_it_to_sign_and_the_last_signing() {
        use ItemState::*;
        // Author 1 saves, submits, is returned, submits again; editor 2 takes it in, editor 3
        // edits and sends it to sign; signer 4 signs.
        let s = [
            step(Draft, 1, 10),
            step(Submitted, 1, 20),
            step(Screening, 2, 30),
            step(Returned, 2, 40),
            step(Submitted, 1, 50),
            step(Editing, 3, 60),
            step(AwaitingSignOff, 3, 70),
            step(Signed, 4, 80),
        ];
        let t = steps(1, &s);
        assert_eq!(t, Trail { submitted_at: Some(20), editor: Some("u3".into()), signer: Some("u4".into()), signed_at: Some(80) });
        // Not yet sent to sign: the editor who has it; nothing signed.
        let t = steps(1, &s[..6]);
        assert_eq!((t.editor.as_deref(), t.signer, t.signed_at), (Some("u3"), None, None));
        // A draft: nothing but its author.
        assert_eq!(steps(1, &s[..1]), Trail::default());
        // Submitted again after a return: the earlier round's editor is not this round's.
        let t = steps(1, &s[..5]);
        assert_eq!((t.submitted_at, t.editor), (Some(20), None));
    }

    #[test]
    fn a_batch_is_each_id_once_in_order_and_never_empty_or_too_long() {
        assert_eq!(batch_ids("b, a,b,,c"), Ok(vec!["b".to_owned(), "a".to_owned(), "c".to_owned()]));
        assert!(batch_ids(" , ").is_err());
        let many: Vec<String> = (0..=MAX_BATCH).map(|i| i.to_string()).collect();
        assert!(batch_ids(&many.join(",")).is_err());
        assert_eq!(batch_ids(&many[..MAX_BATCH].join(",")).map(|v| v.len()), Ok(MAX_BATCH));
    }

    #[test]
    fn a_chain_of_levels_names_each_signature_on_the_sheet() {
        use crate::signoff::{Route, SignStep, Signed, Signing};
        let step = |name: &str, by: &str| SignStep {
            level: Some(1),
            name: name.into(),
            holders: vec![7],
            signed: Some(Signed { by_id: 7, by: by.into(), at: 1_780_000_000_000 }),
        };
        let mut sheet = ItemSheet {
            id: "a".into(),
            office: "林双县人民政府办公室".into(),
            unit: "河西镇".into(),
            author: "李建军".into(),
            state: ItemState::Signed,
            content: DraftContent::default(),
            trail: Trail { submitted_at: None, editor: None, signer: Some("钱主任".into()), signed_at: Some(1_780_000_000_000) },
            signing: None,
        };
        let signer = |s: &ItemSheet| s.rows().into_iter().find(|(k, _)| *k == "签发人").map(|(_, v)| v).unwrap_or_default();
        assert_eq!(signer(&sheet), "钱主任", "one signature: the signer as before");
        sheet.signing = Some(Signing {
            route: Route::default(), steps: vec![step("科长", "赵科长"), step("办公室主任", "钱主任")], at: 2
        });
        let both = signer(&sheet);
        assert!(both.starts_with("科长 赵科长（2026年") && both.contains("；办公室主任 钱主任（"), "{both}");
    }
}
