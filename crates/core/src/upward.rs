//! 上报: sending signed items upward, as a step of its own.
//!
//! The section picks signed items for a destination (the city office's information section,
//! the province's, a named upper-level publication), sends them in that office's format (a
//! Word file per item with the county's 报送单, or the batch in one file) and records when, how
//! and by whom. Each item then shows 已上报 with its destinations; adoptions the upper offices
//! make come back on the upward list ([`Stats`]: 上报数, 上级采用数, 采用率 by level and month).
//! An urgent item goes up on its own, with its deadline shown.

use crate::i18n::Text;
use crate::item::ItemState;
use crate::item::ItemType;
use crate::scores::Level;
use serde::{Deserialize, Serialize};

/// How a batch went up.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 系统报送: through the upper office's own system (or its Xinbao).
    #[default]
    System,
    /// 电子邮件
    Email,
    /// 传真
    Fax,
    /// 纸质
    Paper,
}

impl Method {
    pub const ALL: [Method; 4] = [Method::System, Method::Email, Method::Fax, Method::Paper];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::System => "system",
            Method::Email => "email",
            Method::Fax => "fax",
            Method::Paper => "paper",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Method::System => Text::new("系统报送", "Upper office's system"),
            Method::Email => Text::new("电子邮件", "Email"),
            Method::Fax => Text::new("传真", "Fax"),
            Method::Paper => Text::new("纸质", "Paper"),
        }
    }
}

/// Where items go up to: an upper office or one of its publications, at a level above the
/// office's own.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub id: i64,
    pub name: String,
    pub level: Level,
}

/// The destinations an office starts with (more are added as items are sent to them).
pub fn default_destinations() -> Vec<(&'static str, Level)> {
    vec![("市政府办公室信息科", Level::City), ("省政府办公厅信息处", Level::Province)]
}

/// `POST /api/upward/send`: a batch sent up.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSend {
    /// A known destination; or, when absent, `destination_name` at `level` (added to the list).
    #[serde(default)]
    pub destination_id: Option<i64>,
    #[serde(default)]
    pub destination_name: String,
    #[serde(default = "city")]
    pub level: Level,
    #[serde(default)]
    pub method: Method,
    #[serde(default)]
    pub note: String,
    pub item_ids: Vec<String>,
    /// Chosen by the page when the batch is written: sent again after a lost answer, it is
    /// recorded once.
    pub key: String,
    /// The day it went (`YYYY-MM-DD`; empty: today) — a fax sent yesterday is recorded today.
    #[serde(default)]
    pub date: String,
}

fn city() -> Level {
    Level::City
}

/// At most this many items in one batch.
pub const MAX_ITEMS: usize = 100;

/// An item as the send rule sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub title: String,
    pub state: ItemState,
    pub item_type: ItemType,
    /// Already sent to this destination.
    pub sent_there: bool,
}

/// How far back a batch's day may be recorded.
pub const BACKDATE_DAYS: i32 = 60;

/// The request itself, before any item is looked at: a destination above the office's own
/// level, a key, a note within bounds, one to [`MAX_ITEMS`] distinct items, a day not after
/// `today` nor more than [`BACKDATE_DAYS`] before it. The day it went, and the distinct ids.
pub fn check_request(send: &NewSend, today: crate::scores::Day) -> Result<(crate::scores::Day, Vec<String>), Text> {
    if send.destination_id.is_none() {
        let name = send.destination_name.trim();
        if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
            return Err(Text::new("请选择或填写上报去向（不超过40字）", "Choose or name the destination (at most 40 characters)"));
        }
        if send.level == Level::County {
            return Err(Text::new("上报去向须为上级（市级及以上）", "A destination is above the office's own level"));
        }
    }
    let key = send.key.trim();
    if key.is_empty() || key.len() > 64 {
        return Err(Text::new("请求缺少标识，请刷新页面后重试", "The request has no key; reload and try again"));
    }
    if send.note.chars().count() > 500 || send.note.contains('\0') {
        return Err(Text::new("备注不能超过500字", "The note is at most 500 characters"));
    }
    let mut ids: Vec<String> = Vec::new();
    for id in &send.item_ids {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
        if ids.len() > MAX_ITEMS {
            return Err(Text::new("一次最多上报100篇稿件，请分批上报", "At most 100 items a batch"));
        }
    }
    if ids.is_empty() {
        return Err(Text::new("请先选择要上报的稿件", "Choose the items to send"));
    }
    let day = match send.date.trim() {
        "" => today,
        text => crate::scores::parse_day(text).ok_or(Text::new("报送日期格式不正确", "The date is not a date"))?,
    };
    if day > today || day < today - BACKDATE_DAYS {
        return Err(Text::new("报送日期须在今天及之前60天内", "The date is today or within the 60 days before"));
    }
    Ok((day, ids))
}

/// Whether a batch of these types puts an urgent item together with others (it goes alone).
pub fn urgent_not_alone(types: impl IntoIterator<Item = ItemType>) -> bool {
    let types: Vec<ItemType> = types.into_iter().collect();
    types.len() > 1 && types.contains(&ItemType::Urgent)
}

/// Whether these items can go together: each signed and not yet sent to this destination, an
/// urgent item alone (it goes up at once, never waiting for a batch). The refusal names the
/// items it is about.
pub fn check_send(items: &[Candidate]) -> Result<(), String> {
    let titles = |which: &dyn Fn(&Candidate) -> bool| {
        items.iter().filter(|c| which(c)).map(|c| format!("《{}》", c.title)).collect::<Vec<_>>().join("、")
    };
    if items.iter().any(|c| c.state != ItemState::Signed) {
        return Err(format!("只有已签发的稿件才能上报：{}尚未签发", titles(&|c| c.state != ItemState::Signed)));
    }
    if urgent_not_alone(items.iter().map(|c| c.item_type)) {
        return Err(format!("紧急信息须单独上报，不与其他稿件合批：{}", titles(&|c| c.item_type == ItemType::Urgent)));
    }
    if items.iter().any(|c| c.sent_there) {
        return Err(format!("{}已报送至该去向，请勿重复上报", titles(&|c| c.sent_there)));
    }
    Ok(())
}

/// One item of a batch, as the upward list shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentItem {
    pub id: String,
    pub title: String,
    pub unit_name: String,
    pub item_type: ItemType,
    /// 事发时间 of an urgent item (its deadline runs from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time: Option<i64>,
    /// Adopted at the destination's level (recorded on the item).
    pub adopted: bool,
    /// Sent to a destination that runs Xinbao too: how the forward stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward: Option<Forward>,
}

/// Where a forward to the destination's own Xinbao stands (office to office).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForwardStatus {
    /// Waiting to go (the destination is unreachable, or the next round has not run).
    Queued,
    /// The destination's server holds it.
    Arrived,
    /// The destination's server refused it for good (`detail` says why).
    Refused,
}

impl ForwardStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ForwardStatus::Queued => "queued",
            ForwardStatus::Arrived => "arrived",
            ForwardStatus::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<ForwardStatus> {
        [ForwardStatus::Queued, ForwardStatus::Arrived, ForwardStatus::Refused].into_iter().find(|f| f.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            ForwardStatus::Queued => Text::new("等待发往上级信报", "Waiting to go to the destination's Xinbao"),
            ForwardStatus::Arrived => Text::new("已送达上级信报", "At the destination's Xinbao"),
            ForwardStatus::Refused => Text::new("上级信报未接收", "Refused by the destination's Xinbao"),
        }
    }
}

/// An item's forward as the upward list shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forward {
    pub status: ForwardStatus,
    /// Why it was refused, or what could not be recorded of what came back.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// Its state in the destination's own workflow, once it arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_state: Option<ItemState>,
    /// The destination's last review note (a return's reason).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remote_note: String,
}

/// The level an adoption or instruction recorded by the destination's Xinbao counts at here.
/// The destination scores its own publications and leaders as "本级" (county, in its own
/// terms): that is the destination's level here. A higher level it recorded (the province
/// adopting what the city passed on) stays as high, and never counts below the destination.
pub fn level_here(recorded_there: Level, destination: Level) -> Level {
    if recorded_there == Level::County { destination } else { recorded_there.max(destination) }
}

/// The id the item has on the destination's server: the same for the same item and the same
/// link whatever happens here, so an item sent again (after this server was restored from a
/// backup, or the destination was) meets itself there instead of arriving twice.
pub fn forward_item_id(item_id: &str, link_account: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("xinbao-forward\n{item_id}\n{link_account}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The connection to a destination's own Xinbao, as its office's administrator sets it: the
/// destination's address and the service account it gave this office (an officer of a unit
/// named after this office there). The password is never shown again.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLink {
    pub destination_id: i64,
    /// `http://10.1.2.3:8080` or `https://…`.
    pub url: String,
    pub username: String,
    pub password: String,
    /// The destination office's certificate (PEM), for its https with its own CA.
    #[serde(default)]
    pub ca_pem: String,
}

/// A connection as shown.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub destination_id: i64,
    pub url: String,
    pub username: String,
    /// Items waiting to go.
    pub queued: u32,
    /// The last round's failure, in Chinese (empty when it went through).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub problem: String,
    /// When the destination last answered (ms), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contact: Option<i64>,
    /// This office's standing on the destination's own scoreboard this year, as last read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standing: Option<Standing>,
}

/// Where this office stands among the units reporting to the destination (its board, the year
/// so far): the county's own standing at the city.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub rank: u32,
    /// Units ranked in the same group.
    pub of: u32,
    /// The group (unit class) it is ranked in there; empty when there are none.
    #[serde(default)]
    pub group: String,
    pub submitted: u32,
    pub adopted: u32,
    /// Points, in hundredths.
    pub centi: i64,
    /// The period, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
}

impl Standing {
    /// 「在上级排名第2名（共14个单位）· 今年报送36篇、采用9篇、得分128」
    pub fn line(&self, lang: crate::i18n::Lang) -> String {
        let points = format!("{}", self.centi as f64 / 100.0);
        let group = if self.group.is_empty() { String::new() } else { format!("，{}", self.group) };
        match lang {
            crate::i18n::Lang::Zh => format!(
                "在上级排名第{}名（共{}个单位{group}）· {}至{}报送{}篇、采用{}篇、得分{points}",
                self.rank, self.of, self.from, self.to, self.submitted, self.adopted
            ),
            crate::i18n::Lang::En => format!(
                "Ranked {} of {} there{} · {} to {}: {} sent, {} adopted, {points} points",
                self.rank,
                self.of,
                if self.group.is_empty() { String::new() } else { format!(" ({})", self.group) },
                self.from,
                self.to,
                self.submitted,
                self.adopted
            ),
        }
    }
}

/// Whether two issues of a publication are the same issue as people type them: the same text,
/// or the same number in it (第12期, 12, 2026年第012期). An empty issue is no issue.
pub fn same_issue(a: &str, b: &str) -> bool {
    let number = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>().trim_start_matches('0').to_owned();
    let (a, b) = (a.trim(), b.trim());
    !a.is_empty() && !b.is_empty() && (a == b || (!number(a).is_empty() && number(a) == number(b)))
}

/// Checks a connection before anything is stored or tried; the trimmed address without a
/// trailing slash.
pub fn check_link(link: &NewLink) -> Result<String, Text> {
    let url = link.url.trim().trim_end_matches('/');
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    if !rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace)) || url.chars().count() > 200 {
        return Err(Text::new(
            "地址应以 http:// 或 https:// 开头，例如 http://10.1.2.3:8080",
            "The address must start with http:// or https://",
        ));
    }
    // user:password@host would carry a password in the address, which pages and the audit
    // log show; the account goes in its own fields.
    if rest.is_some_and(|r| r.split(['/', '?', '#']).next().is_some_and(|authority| authority.contains('@'))) {
        return Err(Text::new(
            "地址中不要包含账号或密码（请填在下面的账号、密码栏）",
            "Do not put an account or password in the address (use the fields below)",
        ));
    }
    if link.username.trim().is_empty() || link.username.chars().count() > 64 {
        return Err(Text::new("请填写上级给本单位的系统账号", "Enter the account the destination gave this office"));
    }
    if link.password.is_empty() || link.password.chars().count() > 256 {
        return Err(Text::new("请填写该账号的密码", "Enter the account's password"));
    }
    if link.ca_pem.len() > 20_000 {
        return Err(Text::new("证书过长", "The certificate is too long"));
    }
    Ok(url.to_owned())
}

/// A batch that went up.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Send {
    pub id: i64,
    pub destination: Destination,
    pub method: Method,
    pub sent_at: i64,
    pub sent_by: String,
    pub note: String,
    pub items: Vec<SentItem>,
}

/// Where an item went up (on the item, for everyone who reads it).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub destination: String,
    pub level: Level,
    pub method: Method,
    pub sent_at: i64,
}

/// `GET /api/upward`: the office's destinations and its latest batches.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpwardList {
    pub destinations: Vec<Destination>,
    pub sends: Vec<Send>,
    /// The destinations that run Xinbao too, connected office to office.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A month of one level on the upward statistics.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsRow {
    /// 1–12; 0 for the year.
    pub month: u32,
    pub level: Level,
    /// 上报数: distinct items sent to this level in the month.
    pub sent: u32,
    /// 上级采用数: distinct items adopted at this level in the month.
    pub adopted: u32,
    /// 采用率 in tenths of a percent, rounded half up (None with nothing sent).
    pub rate_tenths: Option<u64>,
}

/// `GET /api/upward/stats?year=`: by level and month, and for the year.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub year: i32,
    pub rows: Vec<StatsRow>,
}

/// The statistics of `year` from what went up — (item, level, month) — and what was adopted
/// above — (item, level, month), only items sent up to that level — each item counted once
/// a month and once in the year, per level; the rate rounded as the scoreboard rounds it.
pub fn stats(year: i32, sent: &[(String, Level, u32)], adopted: &[(String, Level, u32)]) -> Stats {
    let mut rows = Vec::new();
    for level in [Level::City, Level::Province, Level::National] {
        for month in (1..=12).chain([0]) {
            let count = |facts: &[(String, Level, u32)]| {
                let mut ids: Vec<&str> =
                    facts.iter().filter(|(_, l, m)| *l == level && (month == 0 || *m == month)).map(|(id, _, _)| id.as_str()).collect();
                ids.sort_unstable();
                ids.dedup();
                ids.len() as u32
            };
            let (s, a) = (count(sent), count(adopted));
            if s == 0 && a == 0 {
                continue;
            }
            // (Adopted this month, sent the one before: never shown above 100%.)
            let tally = crate::scores::Tally { submitted: s, adopted: a, centi: 0 };
            rows.push(StatsRow { month, level, sent: s, adopted: a, rate_tenths: tally.rate_tenths().map(|r| r.min(1000)) });
        }
    }
    Stats { year, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(items: usize) -> NewSend {
        NewSend {
            destination_id: Some(1),
            destination_name: String::new(),
            level: Level::City,
            method: Method::Email,
            note: String::new(),
            item_ids: (0..items).map(|i| i.to_string()).collect(),
            key: "k1".into(),
            date: String::new(),
        }
    }

    fn signed(item_type: ItemType) -> Candidate {
        Candidate { title: "标题".into(), state: ItemState::Signed, item_type, sent_there: false }
    }

    #[test]
    fn a_request_is_checked_before_any_item_is_read() {
        let today = crate::scores::from_ymd(2026, 12, 6);
        assert_eq!(check_request(&send(2), today).map(|(d, ids)| (d, ids.len())), Ok((today, 2)));
        let mut twice = send(1);
        twice.item_ids.push("0".into());
        assert_eq!(check_request(&twice, today).map(|(_, ids)| ids.len()), Ok(1), "an id twice is one item");
        assert!(check_request(&send(0), today).is_err());
        assert!(check_request(&send(MAX_ITEMS + 1), today).is_err());
        let mut named = send(1);
        named.destination_id = None;
        assert!(check_request(&named, today).is_err(), "no name");
        named.destination_name = "《每日要情》".into();
        assert!(check_request(&named, today).is_ok());
        named.level = Level::County;
        assert!(check_request(&named, today).is_err(), "not above");
        let mut keyless = send(1);
        keyless.key = " ".into();
        assert!(check_request(&keyless, today).is_err());
        let mut dated = send(1);
        dated.date = "2026-12-05".into();
        assert_eq!(check_request(&dated, today).map(|(d, _)| d), Ok(today - 1), "a fax sent yesterday");
        dated.date = "2026-12-07".into();
        assert!(check_request(&dated, today).is_err(), "tomorrow");
        dated.date = "2026-09-01".into();
        assert!(check_request(&dated, today).is_err(), "too long ago");
    }

    #[test]
    fn only_signed_items_go_up_an_urgent_one_alone_each_once_to_a_destination() {
        assert!(check_send(&[signed(ItemType::Dynamic), signed(ItemType::Problem)]).is_ok());
        assert!(check_send(&[signed(ItemType::Urgent)]).is_ok(), "an urgent item on its own");
        assert!(check_send(&[signed(ItemType::Urgent), signed(ItemType::Dynamic)]).is_err());
        let editing = Candidate { state: ItemState::Editing, title: "未签".into(), ..signed(ItemType::Dynamic) };
        assert!(check_send(&[editing]).is_err_and(|e| e.contains("《未签》")), "the refusal names the item");
        let again = Candidate { sent_there: true, title: "已报".into(), ..signed(ItemType::Dynamic) };
        assert!(check_send(&[signed(ItemType::Dynamic), again]).is_err_and(|e| e.contains("《已报》已报送") && !e.contains("《标题》")));
    }

    #[test]
    fn statistics_count_each_item_once_a_month_and_once_a_year_per_level() {
        let f = |id: &str, level, month| (id.to_owned(), level, month);
        let sent =
            [f("a", Level::City, 3), f("a", Level::City, 3), f("b", Level::City, 3), f("b", Level::City, 4), f("c", Level::Province, 4)];
        let adopted = [f("a", Level::City, 4), f("c", Level::Province, 4)];
        let s = stats(2026, &sent, &adopted);
        let row = |level, month| s.rows.iter().find(|r| r.level == level && r.month == month).cloned();
        assert_eq!(row(Level::City, 3).map(|r| (r.sent, r.adopted)), Some((2, 0)));
        assert_eq!(row(Level::City, 4).map(|r| (r.sent, r.adopted, r.rate_tenths)), Some((1, 1, Some(1000))));
        // The year: a and b sent (b twice, once), a adopted: 50.0%.
        assert_eq!(row(Level::City, 0).map(|r| (r.sent, r.adopted, r.rate_tenths)), Some((2, 1, Some(500))));
        assert_eq!(row(Level::Province, 0).map(|r| (r.sent, r.adopted)), Some((1, 1)));
        assert!(row(Level::National, 0).is_none());
    }
}

#[cfg(test)]
mod link_tests {
    use super::*;

    fn link(url: &str) -> NewLink {
        NewLink {
            destination_id: 1,
            url: url.into(),
            username: "linshuang".into(),
            password: "pw-long-enough".into(),
            ca_pem: String::new(),
        }
    }

    #[test]
    fn an_issue_is_the_same_by_its_text_or_its_number() {
        assert!(same_issue("第12期", "12"));
        assert!(same_issue(" 第12期", "第012期"));
        assert!(!same_issue("第12期", "第13期"));
        assert!(!same_issue("", ""));
        assert!(same_issue("增刊", "增刊"));
        assert!(!same_issue("增刊", "第1期"));
    }

    #[test]
    fn a_link_is_an_address_and_an_account_never_a_password_in_the_address() {
        assert_eq!(check_link(&link(" http://10.12.3.4:8080/ ")).as_deref().ok(), Some("http://10.12.3.4:8080"));
        assert!(check_link(&link("10.12.3.4:8080")).is_err());
        assert!(check_link(&link("http://linshuang:secret@10.12.3.4:8080")).is_err());
        assert!(check_link(&link("https://user@city.example")).is_err());
        // An @ after the host is part of a path, not an account.
        assert!(check_link(&link("http://10.12.3.4:8080/xinbao/@city")).is_ok());
        assert!(check_link(&NewLink { password: String::new(), ..link("http://10.1.1.1") }).is_err());
    }
}
