//! The information item (信息稿件): its fields, and what makes it fit to submit.
//!
//! A draft may hold anything a person typed — it is saved as it is, so nothing is ever lost —
//! but only a draft that passes [`check_submittable`] can be submitted.

use crate::i18n::Text;
use crate::text::len_chars;
use serde::{Deserialize, Serialize};

/// Longest title accepted for submission, in characters.
pub const TITLE_MAX: usize = 60;
/// Longest body accepted, in characters.
pub const BODY_MAX: usize = 20_000;

/// 信息类型. The wire names match `fixtures/corpus.jsonl`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemType {
    /// 动态信息
    #[default]
    Dynamic,
    /// 经验做法
    Experience,
    /// 问题建议
    Problem,
    /// 综合调研
    Research,
    /// 紧急信息
    Urgent,
}

impl ItemType {
    pub const ALL: [ItemType; 5] = [ItemType::Dynamic, ItemType::Experience, ItemType::Problem, ItemType::Research, ItemType::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemType::Dynamic => "dynamic",
            ItemType::Experience => "experience",
            ItemType::Problem => "problem",
            ItemType::Research => "research",
            ItemType::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<ItemType> {
        ItemType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            ItemType::Dynamic => Text::new("动态信息", "News"),
            ItemType::Experience => Text::new("经验做法", "Practice"),
            ItemType::Problem => Text::new("问题建议", "Problem & recommendation"),
            ItemType::Research => Text::new("综合调研", "Research"),
            ItemType::Urgent => Text::new("紧急信息", "Urgent"),
        }
    }
}

/// 重点 / 亮点 / 热点 / 难点.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FocusTag {
    /// 重点: key work
    Key,
    /// 亮点: highlight
    Highlight,
    /// 热点: public hot-spot
    Hotspot,
    /// 难点: difficulty
    Difficulty,
}

impl FocusTag {
    pub const ALL: [FocusTag; 4] = [FocusTag::Key, FocusTag::Highlight, FocusTag::Hotspot, FocusTag::Difficulty];

    /// The wire name (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            FocusTag::Key => "key",
            FocusTag::Highlight => "highlight",
            FocusTag::Hotspot => "hotspot",
            FocusTag::Difficulty => "difficulty",
        }
    }

    pub fn label(self) -> Text {
        match self {
            FocusTag::Key => Text::new("重点", "Key work"),
            FocusTag::Highlight => Text::new("亮点", "Highlight"),
            FocusTag::Hotspot => Text::new("热点", "Hot spot"),
            FocusTag::Difficulty => Text::new("难点", "Difficulty"),
        }
    }
}

/// What the author writes: the content of a draft, exactly as typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftContent {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub item_type: ItemType,
    #[serde(default)]
    pub tags: Vec<FocusTag>,
    /// 联系电话 of the author.
    #[serde(default)]
    pub phone: String,
    /// 事发时间, milliseconds since the Unix epoch (urgent items).
    #[serde(default)]
    pub event_time: Option<i64>,
    /// Where an urgent item stands in its chain: 初报, 续报N, 终报.
    #[serde(default)]
    pub stage: ReportStage,
    /// For 续报 and 终报: the id of the report this one follows.
    #[serde(default)]
    pub follows: Option<String>,
    /// The commission (约稿) or reporting priority this item answers, if any.
    #[serde(default)]
    pub commission: Option<String>,
    /// Photos from the field, by content hash (the bytes travel apart: `/api/attachments`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<PhotoRef>,
}

/// Most photos on one item.
pub const MAX_PHOTOS: usize = 9;

/// What a file picked as a photo is, to the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoFormat {
    /// JPEG, PNG, WebP, GIF, BMP: a browser reads it.
    Readable,
    /// HEIC/HEIF from an iPhone (by type, or by name where the browser gives no type): an image
    /// no browser on a township PC reads — the person is told how to get a JPEG.
    Heic,
    NotAnImage,
}

/// Classifies a picked file by its MIME type and name.
pub fn photo_format(mime: &str, name: &str) -> PhotoFormat {
    let mime = mime.trim().to_ascii_lowercase();
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if matches!(mime.as_str(), "image/heic" | "image/heif" | "image/heic-sequence" | "image/heif-sequence")
        || (!mime.starts_with("image/") || mime.is_empty()) && matches!(ext.as_str(), "heic" | "heif")
    {
        PhotoFormat::Heic
    } else if mime.starts_with("image/") {
        PhotoFormat::Readable
    } else {
        PhotoFormat::NotAnImage
    }
}

/// A photo attached to an item: its bytes are stored once, under their SHA-256.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    /// SHA-256 of the bytes, 64 lowercase hex digits.
    pub sha256: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub width: u32,
    #[serde(default)]
    pub height: u32,
    #[serde(default)]
    pub size: u64,
}

/// Whether `s` is a SHA-256 as attachments are keyed: 64 lowercase hex digits.
pub fn valid_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// 初报 → 续报一、续报二… → 终报.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "stage", content = "n")]
pub enum ReportStage {
    /// 初报: the first report.
    #[default]
    Initial,
    /// 续报N: the N-th follow-up (1-based).
    FollowUp(u32),
    /// 终报: the final report.
    Final,
}

impl ReportStage {
    /// 初报, 续报一, 续报二 … 终报 (English: first report, follow-up 1 …, final report).
    pub fn label(self, lang: crate::i18n::Lang) -> String {
        const CN: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
        match (self, lang) {
            (ReportStage::Initial, crate::i18n::Lang::Zh) => "初报".into(),
            (ReportStage::Final, crate::i18n::Lang::Zh) => "终报".into(),
            (ReportStage::FollowUp(n), crate::i18n::Lang::Zh) => match CN.get((n as usize).wrapping_sub(1)) {
                Some(c) => format!("续报{c}"),
                None => format!("续报{n}"),
            },
            (ReportStage::Initial, crate::i18n::Lang::En) => "First report".into(),
            (ReportStage::Final, crate::i18n::Lang::En) => "Final report".into(),
            (ReportStage::FollowUp(n), crate::i18n::Lang::En) => format!("Follow-up {n}"),
        }
    }
}

/// Which field a problem concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Body,
    Phone,
    EventTime,
    Follows,
    Photos,
}

/// Why a draft cannot be submitted yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: Text,
}

/// A title fit for submission: non-empty, one line, at most [`TITLE_MAX`] characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub fn parse(raw: &str) -> Result<Title, Text> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(Text::new("请填写标题", "A title is required"));
        }
        if t.contains(['\n', '\r']) {
            return Err(Text::new("标题只能有一行", "The title must be one line"));
        }
        if len_chars(t) > TITLE_MAX {
            return Err(Text::new("标题不能超过60个字", "The title must be at most 60 characters"));
        }
        Ok(Title(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `raw` is a phone number offices accept: a mainland mobile number (11 digits,
/// starting 1[3-9]) or a landline with area code (0xx-xxxxxxx, optionally an extension).
pub fn is_valid_phone(raw: &str) -> bool {
    let s: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '—' | '－')).collect();
    let s = s.strip_prefix("+86").unwrap_or(&s);
    let (main, ext) = match s.split_once(['转', '#']) {
        Some((m, e)) => (m, Some(e)),
        None => (s, None),
    };
    if !main.chars().all(|c| c.is_ascii_digit()) || ext.is_some_and(|e| e.is_empty() || !e.chars().all(|c| c.is_ascii_digit())) {
        return false;
    }
    let b = main.as_bytes();
    let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && ext.is_none();
    let landline = b.len() >= 10 && b.len() <= 12 && b[0] == b'0';
    mobile || landline
}

/// Most characters a draft may hold in all its text fields together, while it is being
/// written (submission asks for far less: [`BODY_MAX`]). A whole Word document pasted into the
/// body is refused here, with a message, instead of jamming the officer's sync.
pub const DRAFT_MAX_CHARS: usize = 60_000;

/// Whether `draft` can be stored and sent at all (not whether it can be submitted): bounded
/// ([`DRAFT_MAX_CHARS`]) and free of the NUL character no database keeps. The editor,
/// the import, the sync engine and the server all ask this one question.
pub fn check_storable(draft: &DraftContent) -> Result<(), Text> {
    let fields = [&draft.title, &draft.body, &draft.phone];
    let chars: usize = fields.iter().map(|f| len_chars(f)).sum::<usize>() + draft.photos.iter().map(|p| len_chars(&p.name)).sum::<usize>();
    if chars > DRAFT_MAX_CHARS {
        return Err(Text::new("稿件太长（超过6万字），请删减后再保存", "The item is too long (over 60,000 characters); shorten it"));
    }
    // NUL is what a database refuses (PostgreSQL); other control characters a Word paste brings
    // (U+000B, U+000C) are stored as they are.
    let bad = |s: &str| s.contains('\0');
    if fields.iter().any(|f| bad(f))
        || draft.photos.iter().any(|p| bad(&p.name))
        || draft.follows.as_deref().is_some_and(bad)
        || draft.commission.as_deref().is_some_and(bad)
    {
        return Err(Text::new(
            "稿件含有无法保存的控制字符（NUL），请删除后重试",
            "The item contains a NUL character that cannot be stored",
        ));
    }
    if draft.photos.len() > MAX_PHOTOS {
        return Err(Text::new("照片最多9张", "At most 9 photos"));
    }
    Ok(())
}

/// Everything that stops `draft` from being submitted, in field order. Empty means it may go.
pub fn check_submittable(draft: &DraftContent) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Err(message) = Title::parse(&draft.title) {
        errors.push(FieldError { field: Field::Title, message });
    }
    if draft.body.trim().is_empty() {
        errors.push(FieldError { field: Field::Body, message: Text::new("请填写正文", "The body is required") });
    } else if len_chars(&draft.body) > BODY_MAX {
        errors.push(FieldError {
            field: Field::Body,
            message: Text::new("正文不能超过20000字", "The body must be at most 20,000 characters"),
        });
    }
    if draft.phone.trim().is_empty() {
        errors.push(FieldError { field: Field::Phone, message: Text::new("请填写联系电话", "A contact phone is required") });
    } else if !is_valid_phone(&draft.phone) {
        errors.push(FieldError {
            field: Field::Phone,
            message: Text::new("联系电话格式不对（手机11位，座机请带区号）", "Phone: 11-digit mobile, or landline with area code"),
        });
    }
    if draft.item_type == ItemType::Urgent && draft.event_time.is_none() {
        errors
            .push(FieldError {
                field: Field::EventTime, message: Text::new("紧急信息须填写事发时间", "Urgent items need the event time")
            });
    }
    if draft.item_type == ItemType::Urgent && draft.stage != ReportStage::Initial && draft.follows.is_none() {
        errors.push(FieldError {
            field: Field::Follows,
            message: Text::new("续报和终报须选择所接续的上一次报告", "A follow-up or final report must name the report it follows"),
        });
    }
    if draft.photos.len() > MAX_PHOTOS || draft.photos.iter().any(|p| !valid_sha256(&p.sha256)) {
        errors.push(FieldError {
            field: Field::Photos,
            message: Text::new("照片最多9张，且须完整上传", "At most 9 photos, each fully uploaded"),
        });
    }
    errors
}

/// Where an item stands on the server (the review
/// transitions are decided by [`crate::review::decide`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// 草稿: the author's, not yet submitted.
    Draft,
    /// 已报送: submitted to the office, not yet taken in.
    Submitted,
    /// 筛选中: the editor has taken it in.
    Screening,
    /// 已退回: back with the author, with a reason; the author revises and resubmits.
    Returned,
    /// 不予采用 (final).
    NotUsed,
    /// 备用
    Reserved,
    /// 编辑中
    Editing,
    /// 待签发
    AwaitingSignOff,
    /// 已签发
    Signed,
    /// 已删除: withdrawn by the author before submission.
    Deleted,
}

impl ItemState {
    pub const ALL: [ItemState; 10] = [
        ItemState::Draft,
        ItemState::Submitted,
        ItemState::Screening,
        ItemState::Returned,
        ItemState::NotUsed,
        ItemState::Reserved,
        ItemState::Editing,
        ItemState::AwaitingSignOff,
        ItemState::Signed,
        ItemState::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Draft => "draft",
            ItemState::Submitted => "submitted",
            ItemState::Screening => "screening",
            ItemState::Returned => "returned",
            ItemState::NotUsed => "not_used",
            ItemState::Reserved => "reserved",
            ItemState::Editing => "editing",
            ItemState::AwaitingSignOff => "awaiting_sign_off",
            ItemState::Signed => "signed",
            ItemState::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<ItemState> {
        ItemState::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> crate::i18n::Text {
        use crate::i18n::Text;
        match self {
            ItemState::Draft => Text::new("草稿", "Draft"),
            ItemState::Submitted => Text::new("已报送", "Submitted"),
            ItemState::Screening => Text::new("筛选中", "Screening"),
            ItemState::Returned => Text::new("已退回", "Returned"),
            ItemState::NotUsed => Text::new("不予采用", "Not used"),
            ItemState::Reserved => Text::new("备用", "Reserved"),
            ItemState::Editing => Text::new("编辑中", "Being edited"),
            ItemState::AwaitingSignOff => Text::new("待签发", "Awaiting sign-off"),
            ItemState::Signed => Text::new("已签发", "Signed off"),
            ItemState::Deleted => Text::new("已删除", "Deleted"),
        }
    }

    /// Whether the author may change the item (save, submit): a draft, a withdrawn draft, or an
    /// item returned for revision. Everything else is with the office.
    pub fn authors_turn(self) -> bool {
        matches!(self, ItemState::Draft | ItemState::Deleted | ItemState::Returned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iphone_photo_is_told_apart_from_a_file_that_is_not_an_image() {
        assert_eq!(photo_format("image/jpeg", "现场.jpg"), PhotoFormat::Readable);
        assert_eq!(photo_format("image/heic", "IMG_0001.HEIC"), PhotoFormat::Heic);
        assert_eq!(photo_format("", "IMG_0001.heic"), PhotoFormat::Heic);
        assert_eq!(photo_format("application/octet-stream", "IMG_0002.HEIF"), PhotoFormat::Heic);
        assert_eq!(photo_format("application/pdf", "通知.pdf"), PhotoFormat::NotAnImage);
        assert_eq!(photo_format("", "无扩展名"), PhotoFormat::NotAnImage);
    }

    fn good() -> DraftContent {
        DraftContent {
            title: "兰州湾镇遭受冰雹灾害".into(),
            body: "6月3日下午，兰州湾镇遭受冰雹袭击。".into(),
            item_type: ItemType::Dynamic,
            tags: vec![],
            phone: "13912345678".into(),
            ..DraftContent::default()
        }
    }

    #[test]
    fn a_pasted_book_or_a_nul_character_cannot_be_stored_but_a_long_draft_can() {
        let mut d = good();
        assert_eq!(check_storable(&d), Ok(()));
        d.body = "字".repeat(BODY_MAX * 2);
        assert_eq!(check_storable(&d), Ok(()), "a draft may run over the submission limit while it is trimmed");
        d.body = "字".repeat(DRAFT_MAX_CHARS + 1);
        assert!(check_storable(&d).is_err());
        d.body = "正文\0".into();
        assert!(check_storable(&d).is_err());
        d.body = "第一段\n\t第二段\r\n\u{000B}第三段\u{000C}".into();
        assert_eq!(check_storable(&d), Ok(()), "what a Word paste brings is stored");
    }

    #[test]
    fn photos_are_capped_and_must_be_named_by_their_hash() {
        let photo = |h: &str| PhotoRef { sha256: h.into(), ..PhotoRef::default() };
        let mut d = good();
        d.photos = vec![photo(&"ab".repeat(32)); MAX_PHOTOS];
        assert!(check_submittable(&d).is_empty());
        d.photos.push(photo(&"ab".repeat(32)));
        assert_eq!(check_submittable(&d)[0].field, Field::Photos);
        d.photos = vec![photo("../../etc/passwd")];
        assert_eq!(check_submittable(&d)[0].field, Field::Photos);
    }

    #[test]
    fn a_complete_draft_may_be_submitted() {
        assert!(check_submittable(&good()).is_empty());
    }

    #[test]
    fn a_title_is_required_and_at_most_sixty_characters() {
        assert!(Title::parse("  ").is_err());
        assert!(Title::parse(&"字".repeat(60)).is_ok());
        assert!(Title::parse(&"字".repeat(61)).is_err());
        assert!(Title::parse("两行\n标题").is_err());
        assert_eq!(Title::parse(" 标题 ").map(|t| t.as_str().to_owned()), Ok("标题".to_owned()));
    }

    #[test]
    fn phones_offices_use_are_accepted_and_others_are_not() {
        for ok in ["13912345678", "139 1234 5678", "+86 13912345678", "0994-5812345", "09945812345", "0994-5812345转8012"] {
            assert!(is_valid_phone(ok), "{ok}");
        }
        for bad in ["12345", "12912345678", "1391234567", "abc", "0994-581234a", "转8012", "13912345678转1"] {
            assert!(!is_valid_phone(bad), "{bad}");
        }
    }

    #[test]
    fn an_urgent_item_needs_its_event_time() {
        let mut d = good();
        d.item_type = ItemType::Urgent;
        let errs = check_submittable(&d);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, Field::EventTime);
        d.event_time = Some(1_780_000_000_000);
        assert!(check_submittable(&d).is_empty());
    }

    #[test]
    fn a_follow_up_must_name_the_report_it_follows() {
        let mut d = good();
        d.item_type = ItemType::Urgent;
        d.event_time = Some(1_780_000_000_000);
        d.stage = ReportStage::FollowUp(1);
        assert_eq!(check_submittable(&d).iter().map(|e| e.field).collect::<Vec<_>>(), vec![Field::Follows]);
        d.follows = Some("first".into());
        assert!(check_submittable(&d).is_empty());
    }

    #[test]
    fn stages_read_as_offices_write_them() {
        use crate::i18n::Lang;
        assert_eq!(ReportStage::Initial.label(Lang::Zh), "初报");
        assert_eq!(ReportStage::FollowUp(2).label(Lang::Zh), "续报二");
        assert_eq!(ReportStage::FollowUp(12).label(Lang::Zh), "续报12");
        assert_eq!(ReportStage::Final.label(Lang::Zh), "终报");
    }

    #[test]
    fn drafts_saved_before_the_new_fields_still_read() {
        let old = r#"{"title":"t","body":"b","item_type":"urgent","tags":[],"phone":"","event_time":null}"#;
        let d: DraftContent = serde_json::from_str(old).unwrap_or_default();
        assert_eq!(d.item_type, ItemType::Urgent);
        assert_eq!(d.stage, ReportStage::Initial);
    }

    #[test]
    fn every_problem_is_reported_not_only_the_first() {
        let errs = check_submittable(&DraftContent::default());
        let fields: Vec<Field> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec![Field::Title, Field::Body, Field::Phone]);
    }

    #[test]
    fn item_types_use_the_corpus_names() {
        for t in ItemType::ALL {
            assert_eq!(ItemType::parse(t.as_str()), Some(t));
            let json = serde_json::to_string(&t).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
    }
}
