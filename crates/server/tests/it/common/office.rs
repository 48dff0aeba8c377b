//! An office for tests: a county office with two townships, an officer in each, an editor and a
//! signer, each with their own sync client; items submitted and taken through to signed by
//! pushing the same mutations the app sends.

use super::app::{TestApp, json};
use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use xinbao_core::role::Role;
use xinbao_core::scores::{day_of, day_text};

pub const PW: &str = "Chunfeng-2026";

pub fn id(n: u64) -> String {
    format!("{n:032x}")
}

pub struct Who {
    pub cookie: String,
    pub client: String,
    pub mid: u64,
}

impl Who {
    pub async fn login(t: &TestApp, name: &str, n: u64) -> Who {
        Who { cookie: t.login(name, PW).await, client: format!("{:032x}", 0x5c00_0000 + n), mid: 0 }
    }

    pub async fn push(&mut self, t: &TestApp, item: u64, base: u64, op: Value) -> Value {
        self.mid += 1;
        let mut m = json!({"mid": self.mid, "item_id": id(item), "base_rev": base});
        if let (Some(m), Some(op)) = (m.as_object_mut(), op.as_object()) {
            m.extend(op.clone());
        }
        let res = t.post_json("/api/sync/push", json!({"client_id": self.client, "mutations": [m]}), Some(&self.cookie)).await;
        assert_eq!(res.status(), StatusCode::OK);
        json(res).await["results"][0].clone()
    }
}

pub struct Office {
    pub officer: Who,
    pub officer2: Who,
    pub editor: Who,
    pub signer: Who,
    pub town: i64,
    pub town2: i64,
}

pub async fn office(t: &TestApp) -> Office {
    let root = t.root().await;
    let town = t.unit(root, "河西镇", "township").await;
    let town2 = t.unit(root, "兰州湾镇", "township").await;
    t.user_in("officer", PW, Role::Officer, town).await;
    t.user_in("officer2", PW, Role::Officer, town2).await;
    t.user_in("editor", PW, Role::Editor, root).await;
    t.user_in("signer", PW, Role::Signer, root).await;
    Office {
        officer: Who::login(t, "officer", 1).await,
        officer2: Who::login(t, "officer2", 2).await,
        editor: Who::login(t, "editor", 3).await,
        signer: Who::login(t, "signer", 4).await,
        town,
        town2,
    }
}

/// Submits item `n` as `who` and, with `sign`, takes it through to signed.
pub async fn submitted(t: &TestApp, o: &mut Office, second: bool, n: u64, sign: bool) {
    let who = if second { &mut o.officer2 } else { &mut o.officer };
    let r = who
        .push(t, n, 0, json!({"op": "submit", "content": {"title": format!("第{n}篇：河西镇抢收小麦"), "body": "6月3日，全镇抢收小麦1.2万亩。", "phone": "13912345678"}}))
        .await;
    assert_eq!(r["outcome"], "applied", "{r}");
    if sign {
        for (base, action) in [(1, "screen"), (2, "edit"), (3, "send_to_sign_off")] {
            let r = o.editor.push(t, n, base, json!({"op": "act", "action": action})).await;
            assert_eq!(r["outcome"], "applied", "{action}: {r}");
        }
        let r = o.signer.push(t, n, 4, json!({"op": "act", "action": "sign"})).await;
        assert_eq!(r["outcome"], "applied", "{r}");
    }
}

pub async fn publication(t: &TestApp, cookie: &str, name_part: &str) -> i64 {
    let list = json(t.get("/api/publications", Some(cookie)).await).await;
    list.as_array()
        .and_then(|l| l.iter().find(|p| p["name"].as_str().is_some_and(|n| n.contains(name_part))))
        .and_then(|p| p["id"].as_i64())
        .unwrap_or_else(|| panic!("no publication {name_part} in {list}"))
}

pub fn today() -> String {
    day_text(day_of(xinbao_server::db::now_ms()))
}

pub fn row<'a>(board: &'a Value, name: &str) -> &'a Value {
    board["rows"].as_array().and_then(|r| r.iter().find(|r| r["name"] == name)).unwrap_or_else(|| panic!("no row {name} in {board}"))
}

pub async fn admin_of(t: &TestApp) -> String {
    let root = t.root().await;
    t.user_in("boss", PW, Role::Admin, root).await;
    t.login("boss", PW).await
}

/// Puts both townships of `o` in one class 一类乡镇 with these quotas (as `admin`); its id.
pub async fn both_towns_in_class(t: &TestApp, o: &Office, admin: &str, monthly: u32, weekly: u32) -> i64 {
    let class = json!({"id": 0, "name": "一类乡镇", "monthly_quota": monthly, "weekly_per_person": weekly});
    let classes = json(t.post_json("/api/admin/classes", class, Some(admin)).await).await;
    let class_id = classes[0]["id"].as_i64().unwrap_or(0);
    for town in [o.town, o.town2] {
        let res = t.post_json(&format!("/api/admin/units/{town}/class"), json!({"class_id": class_id}), Some(admin)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    class_id
}

pub async fn audited(t: &TestApp, action: &str) -> Vec<String> {
    sqlx::query("SELECT detail FROM audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(&t.app.state.db.pool)
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.try_get::<String, _>(0).unwrap_or_default())
        .collect()
}

pub fn part_text(bytes: &[u8], part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("not a zip: {e}"));
    let mut out = String::new();
    zip.by_name(part).unwrap_or_else(|e| panic!("no {part}: {e}")).read_to_string(&mut out).unwrap_or_default();
    out
}

/// The monthly totals are exactly the sums of the events (every write and removal kept them so).
pub async fn months_agree_with_events(t: &TestApp) {
    let q = |sql: &str| {
        let sql = sql.to_owned();
        async move {
            sqlx::query(&sql)
                .fetch_all(&t.app.state.db.pool)
                .await
                .unwrap_or_default()
                .iter()
                .map(|r| (0..6).map(|i| r.try_get::<i64, _>(i).unwrap_or(i64::MIN)).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        }
    };
    let months = q("SELECT office_id, month, unit_id, author_id, submitted, centi FROM score_months WHERE submitted <> 0 OR centi <> 0 ORDER BY 1, 2, 3, 4").await;
    let events =
        q("SELECT office_id, month, unit_id, author_id, SUM(CASE WHEN rule = 'submission' THEN 1 ELSE 0 END), CAST(SUM(centi) AS BIGINT) \
                    FROM score_events GROUP BY office_id, month, unit_id, author_id \
                    HAVING SUM(CASE WHEN rule = 'submission' THEN 1 ELSE 0 END) <> 0 OR SUM(centi) <> 0 ORDER BY 1, 2, 3, 4")
        .await;
    assert!(!events.is_empty());
    assert_eq!(months, events);
}
