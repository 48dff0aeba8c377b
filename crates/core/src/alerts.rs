//! The desk's notices (提醒): items returned to the officer, new commissions for their unit,
//! deadlines within 24 hours (commissions and urgent reports), and leader instructions on their
//! items. Built from what the browser already keeps — the last inbox fetched after a sync and
//! the local drafts — so the list reads offline as of the last sync.

use crate::commissions::{CommissionKind, Inbox, UnitStanding};
use crate::i18n::Text;
use crate::scores::parse_day;
use serde::{Deserialize, Serialize};

/// How far ahead a deadline is "soon".
pub const SOON_MS: i64 = 24 * 3_600_000;
/// How long a commission counts as new.
pub const NEW_MS: i64 = 7 * 24 * 3_600_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Due within 24 hours (or overdue): first.
    Deadline,
    Returned,
    Commission,
    Instruction,
}

impl AlertKind {
    pub fn label(self) -> Text {
        match self {
            AlertKind::Deadline => Text::new("即将到期", "Due soon"),
            AlertKind::Returned => Text::new("退回修改", "Returned"),
            AlertKind::Commission => Text::new("新约稿", "New commission"),
            AlertKind::Instruction => Text::new("领导批示", "Leader instruction"),
        }
    }
}

/// One notice on the desk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub title: String,
    /// The reason, the deadline, the leader…
    pub detail: String,
    /// The item it is about, to open (none for a commission).
    pub item_id: Option<String>,
    /// When it happened or falls due (ms), for ordering.
    pub at: i64,
}

/// A local draft as the notices need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftLine {
    pub id: String,
    pub title: String,
    /// Returned with this reason.
    pub returned: Option<String>,
    /// An urgent first report not yet submitted: its deadline (ms).
    pub urgent_due: Option<i64>,
}

fn hours(ms: i64) -> i64 {
    (ms.max(0) + 3_599_999) / 3_600_000
}

/// The notices, most pressing first: deadlines (soonest first), then returned items, new
/// commissions, instructions (newest first).
pub fn desk_alerts(inbox: &Inbox, drafts: &[DraftLine], my_unit: i64, now_ms: i64) -> Vec<Alert> {
    let mut out = Vec::new();
    for d in drafts {
        if let Some(reason) = &d.returned {
            out.push(Alert {
                kind: AlertKind::Returned,
                title: d.title.clone(),
                detail: reason.clone(),
                item_id: Some(d.id.clone()),
                at: now_ms,
            });
        }
        if let Some(due) = d.urgent_due.filter(|due| *due - now_ms < SOON_MS) {
            let detail = if due >= now_ms {
                format!("紧急信息书面报告还剩 {} 小时", hours(due - now_ms))
            } else {
                "紧急信息已超过报送时限".to_owned()
            };
            out.push(Alert { kind: AlertKind::Deadline, title: d.title.clone(), detail, item_id: Some(d.id.clone()), at: due });
        }
    }
    for c in inbox.commissions.iter().filter(|c| !c.withdrawn) {
        let Some(end) = c.fields.deadline_ms() else { continue };
        let mine = c.standing.iter().find(|s| s.0 == my_unit).map(|s| s.2.clone());
        let answered = matches!(mine, Some(UnitStanding::OnTime | UnitStanding::Late));
        let asks_me = c.fields.kind == CommissionKind::Priority || mine.is_some();
        if !asks_me || answered || end < now_ms {
            continue;
        }
        let deadline = parse_day(&c.fields.deadline).map(crate::scores::day_text).unwrap_or_default();
        if end - now_ms < SOON_MS {
            let detail = format!("{}截止 {}，还剩 {} 小时", c.fields.kind.label().zh, deadline, hours(end - now_ms));
            out.push(Alert { kind: AlertKind::Deadline, title: c.fields.topic.clone(), detail, item_id: None, at: end });
        } else if now_ms - c.created_at < NEW_MS {
            let detail = format!("{}，{} 前报送", c.fields.kind.label().zh, deadline);
            out.push(Alert { kind: AlertKind::Commission, title: c.fields.topic.clone(), detail, item_id: None, at: c.created_at });
        }
    }
    for i in &inbox.instructions {
        let at = parse_day(&i.date).map(crate::scores::day_start_ms).unwrap_or(0);
        out.push(Alert {
            kind: AlertKind::Instruction,
            title: i.title.clone(),
            detail: format!("{} {}（{}）", i.level.label().zh, i.leader, i.date),
            item_id: Some(i.item_id.clone()),
            at,
        });
    }
    out.sort_by(|a, b| a.kind.cmp(&b.kind).then(if a.kind == AlertKind::Deadline { a.at.cmp(&b.at) } else { b.at.cmp(&a.at) }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commissions::{CommissionFields, CommissionView, InstructionNote};
    use crate::scores::{Level, day_start_ms, from_ymd};

    fn commission(id: i64, deadline: &str, created_at: i64, standing: Vec<(i64, String, UnitStanding)>) -> CommissionView {
        CommissionView {
            id,
            fields: CommissionFields {
                kind: CommissionKind::Targeted,
                topic: format!("约稿{id}"),
                description: String::new(),
                units: vec![1],
                from: "2026-11-01".into(),
                deadline: deadline.into(),
            },
            created_at,
            answers: vec![],
            standing,
            withdrawn: false,
        }
    }

    #[test]
    fn the_desk_lists_deadlines_first_then_returns_commissions_and_instructions() {
        let now = day_start_ms(from_ymd(2026, 11, 30)) + 10 * 3_600_000;
        let open = || vec![(1, "河西镇".to_owned(), UnitStanding::Open)];
        let inbox = Inbox {
            commissions: vec![
                commission(1, "2026-11-30", now - 3 * 86_400_000, open()),
                commission(2, "2026-12-10", now - 86_400_000, open()),
                commission(3, "2026-12-10", now - 86_400_000, vec![(1, "河西镇".into(), UnitStanding::OnTime)]),
                commission(4, "2026-12-10", now - 86_400_000, vec![(2, "大丰镇".into(), UnitStanding::Open)]),
                commission(5, "2026-11-20", now - 20 * 86_400_000, open()),
            ],
            instructions: vec![InstructionNote {
                item_id: "i9".into(),
                title: "河西镇抢收小麦".into(),
                level: Level::City,
                leader: "市长 赵某".into(),
                date: "2026-11-28".into(),
            }],
        };
        let drafts = vec![
            DraftLine { id: "r".into(), title: "退回的稿件".into(), returned: Some("请补充数据".into()), urgent_due: None },
            DraftLine { id: "u".into(), title: "冰雹灾害".into(), returned: None, urgent_due: Some(now + 30 * 60_000) },
            DraftLine { id: "n".into(), title: "普通草稿".into(), returned: None, urgent_due: None },
        ];
        let alerts = desk_alerts(&inbox, &drafts, 1, now);
        let seen: Vec<(AlertKind, &str)> = alerts.iter().map(|a| (a.kind, a.title.as_str())).collect();
        assert_eq!(
            seen,
            vec![
                (AlertKind::Deadline, "冰雹灾害"),
                (AlertKind::Deadline, "约稿1"),
                (AlertKind::Returned, "退回的稿件"),
                (AlertKind::Commission, "约稿2"),
                (AlertKind::Instruction, "河西镇抢收小麦"),
            ]
        );
        assert_eq!(alerts[0].detail, "紧急信息书面报告还剩 1 小时");
        assert!(alerts[1].detail.contains("还剩 14 小时"), "{}", alerts[1].detail);
        assert_eq!(alerts[2].detail, "请补充数据");
        assert!(alerts[4].detail.contains("市级 市长 赵某"));
    }
}
