//! The editor's queue on the server (issues 5, 23): urgent items pinned on top, then oldest
//! first, or the latest changed first; every filter (state, unit, type, words in the title, the
//! text or the unit's name, changed since) alone and together; paging; a search for `%` taken
//! literally. The SQL holds only the filters asked for, so each combination is checked
//! here. Runs on SQLite and PostgreSQL.

use crate::common::office::{Office, Who, office};
use crate::common::{TestApp, json};
use axum::http::StatusCode;
use serde_json::json;

async fn submit(t: &TestApp, who: &mut Who, n: u64, kind: &str, title: &str) {
    let content = json!({"title": title, "body": "6月3日上午，河西镇突降冰雹，受灾农田300亩，已组织抢收。", "phone": "13912345678",
        "item_type": kind, "event_time": xinbao_server::db::now_ms()});
    let r = who.push(t, n, 0, json!({"op": "submit", "content": content})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
}

async fn titles(t: &TestApp, o: &Office, query: &str) -> Vec<String> {
    let res = t.get(&format!("/api/review/queue{query}"), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    let rows = json(res).await;
    rows.as_array().map(|r| r.iter().filter_map(|x| x["title"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

#[tokio::test]
async fn the_queue_pins_urgent_items_and_filters_and_pages_on_the_server() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    submit(&t, &mut o.officer, 1, "dynamic", "河西镇秸秆还田").await;
    submit(&t, &mut o.officer, 2, "problem", "河西镇农机不足").await;
    submit(&t, &mut o.officer, 3, "dynamic", "河西镇合格率100%").await;
    submit(&t, &mut o.officer2, 4, "dynamic", "兰州湾镇秸秆还田").await;
    submit(&t, &mut o.officer2, 5, "urgent", "兰州湾镇突降冰雹").await;
    // The editor takes in item 2: it leaves "submitted" and is now the most recently changed.
    let r = o.editor.push(&t, 2, 1, json!({"op": "act", "action": "screen"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");

    let all = ["兰州湾镇突降冰雹", "河西镇秸秆还田", "河西镇合格率100%", "兰州湾镇秸秆还田", "河西镇农机不足"];
    assert_eq!(titles(&t, &o, "").await, all);
    assert_eq!(titles(&t, &o, "?unit=0").await, all, "unit 0 means every unit");
    assert_eq!(titles(&t, &o, "?limit=2&offset=1").await, all[1..3]);
    assert_eq!(titles(&t, &o, "?offset=99").await, Vec::<String>::new());
    assert_eq!(titles(&t, &o, "?state=submitted").await, ["兰州湾镇突降冰雹", "河西镇秸秆还田", "河西镇合格率100%", "兰州湾镇秸秆还田"]);
    assert_eq!(titles(&t, &o, "?state=screening").await, ["河西镇农机不足"]);
    assert_eq!(titles(&t, &o, "?item_type=problem").await, ["河西镇农机不足"]);
    assert_eq!(titles(&t, &o, "?item_type=urgent").await, ["兰州湾镇突降冰雹"]);
    assert_eq!(titles(&t, &o, &format!("?unit={}", o.town2)).await, ["兰州湾镇突降冰雹", "兰州湾镇秸秆还田"]);
    assert_eq!(titles(&t, &o, "?q=%E7%A7%B8%E7%A7%86").await, ["河西镇秸秆还田", "兰州湾镇秸秆还田"], "秸秆");
    assert_eq!(titles(&t, &o, "?q=%25").await, ["河西镇合格率100%"], "a search for % is literal");
    assert_eq!(titles(&t, &o, "?q=_").await, Vec::<String>::new(), "a search for _ is literal");
    let together = format!("?state=submitted&unit={}&item_type=dynamic&q=%E7%A7%B8%E7%A7%86&limit=10", o.town);
    assert_eq!(titles(&t, &o, &together).await, ["河西镇秸秆还田"]);
    assert_eq!(titles(&t, &o, &format!("?state=screening&unit={}", o.town2)).await, Vec::<String>::new());
    assert_eq!(t.get("/api/review/queue?item_type=poem", Some(&o.editor.cookie)).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// The desk's search finds words in the text and the unit's name as well as the title, across
/// years; "latest changed first" and "changed since" answer from the server too, and an item
/// opened from a row comes by itself (`GET /api/items/{id}`), as a pull would carry it.
#[tokio::test]
async fn the_queue_searches_text_and_unit_sorts_by_latest_and_filters_by_date() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    submit(&t, &mut o.officer, 1, "dynamic", "河西镇秸秆还田").await;
    let content = json!({"title": "兰州湾镇春耕备耕", "body": "全镇投入北斗导航播种机12台，播种面积占比82%。", "phone": "13912345678"});
    assert_eq!(o.officer2.push(&t, 2, 0, json!({"op": "submit", "content": content})).await["outcome"], "applied");
    // Item 1 made a year older: a search still finds it.
    sqlx::query("UPDATE items SET updated_at = updated_at - 31536000000 WHERE id = $1")
        .bind(crate::common::office::id(1))
        .execute(&t.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    submit(&t, &mut o.officer, 3, "dynamic", "河西镇农机不足").await;

    assert_eq!(titles(&t, &o, "").await, ["河西镇秸秆还田", "兰州湾镇春耕备耕", "河西镇农机不足"]);
    assert_eq!(titles(&t, &o, "?sort=recent").await, ["河西镇农机不足", "兰州湾镇春耕备耕", "河西镇秸秆还田"]);
    assert_eq!(titles(&t, &o, "?sort=recent&limit=1&offset=1").await, ["兰州湾镇春耕备耕"]);
    assert_eq!(titles(&t, &o, "?q=%E5%8C%97%E6%96%97").await, ["兰州湾镇春耕备耕"], "北斗, in the text only");
    assert_eq!(titles(&t, &o, "?q=%E5%8F%97%E7%81%BE").await, ["河西镇秸秆还田", "河西镇农机不足"], "受灾, in last year's text too");
    assert_eq!(titles(&t, &o, "?q=%E5%85%B0%E5%B7%9E%E6%B9%BE").await, ["兰州湾镇春耕备耕"], "the unit's name");
    let since = xinbao_server::db::now_ms() - 86_400_000;
    assert_eq!(titles(&t, &o, &format!("?since={since}")).await, ["兰州湾镇春耕备耕", "河西镇农机不足"]);
    assert_eq!(t.get("/api/review/queue?sort=random", Some(&o.editor.cookie)).await.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Returned to its author, who is revising it: the office's search reads the text it
    // returned, never the words the author has not sent yet.
    for (base, action, note) in [(1, "screen", ""), (2, "return", "请补充受灾户数")] {
        let r = o.editor.push(&t, 3, base, json!({"op": "act", "action": action, "note": note})).await;
        assert_eq!(r["outcome"], "applied", "{r}");
    }
    let revising = json!({"title": "河西镇农机不足（拆迁）", "body": "拆迁补偿尚未到位。", "phone": "13912345678"});
    assert_eq!(o.officer.push(&t, 3, 3, json!({"op": "save", "content": revising})).await["outcome"], "applied");
    assert_eq!(titles(&t, &o, "?q=%E6%8B%86%E8%BF%81").await, Vec::<String>::new(), "拆迁: the author's unsent words");
    assert_eq!(titles(&t, &o, "?state=returned&q=%E5%8F%97%E7%81%BE").await, ["河西镇农机不足"], "受灾: the text returned");

    let one = json(t.get(&format!("/api/items/{}", crate::common::office::id(2)), Some(&o.editor.cookie)).await).await;
    assert_eq!(
        (one["content"]["title"].as_str(), one["unit_name"].as_str(), one["rev"].as_u64()),
        (Some("兰州湾镇春耕备耕"), Some("兰州湾镇"), Some(1))
    );
    // The signer picks a unit from the office's list too.
    let units = json(t.get("/api/commissions/units", Some(&o.signer.cookie)).await).await;
    assert!(units.as_array().is_some_and(|u| u.iter().any(|x| x["name"] == "兰州湾镇")), "{units}");
}

#[tokio::test]
async fn a_queue_row_the_server_cannot_read_is_an_internal_error_naming_the_row_never_a_default() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    submit(&t, &mut o.officer, 1, "dynamic", "河西镇秸秆还田").await;
    assert_eq!(titles(&t, &o, "").await, ["河西镇秸秆还田"]);
    // A type this binary does not know (a damaged row, a bad manual edit): the queue must not
    // show it as some other type.
    let damaged = crate::common::office::id(1);
    sqlx::query("UPDATE items SET item_type = 'bogus' WHERE id = $1")
        .bind(&damaged)
        .execute(&t.app.state.db.pool)
        .await
        .unwrap_or_default();
    let res = t.get("/api/review/queue", Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(json(res).await["code"], "internal");
    // The log names the table, the row and the column (docs/operations.md, "A damaged row").
    let rows = sqlx::query(
        "SELECT i.id, i.title, i.state, i.item_type, '' AS unit_name, '' AS author_name, i.updated_at, i.quality, i.author_id FROM items i",
    )
    .fetch_all(&t.app.state.db.pool)
    .await
    .unwrap_or_default();
    let said = rows.iter().map(|r| xinbao_server::review::queue_record(r).err().map(|e| format!("{e:?}"))).collect::<Vec<_>>();
    assert_eq!(said.len(), 1);
    let said = said[0].clone().unwrap_or_default();
    assert!(said.contains(&damaged) && said.contains("item_type") && said.contains("bogus"), "{said}");
}

/// A reviewer's device pulls the office's working set — the items waiting, and those changed in
/// the last 30 days — not its history; an old item comes again the moment it changes. The
/// author's own pull is never bounded.
#[tokio::test]
async fn a_reviewers_pull_brings_the_working_set_not_the_offices_history() {
    use crate::common::office::{id, submitted};
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    for n in 1..=4 {
        submitted(&t, &mut o, false, n, n >= 3).await;
    }
    // Items 1 (submitted) and 3 (signed) last changed 60 days ago; 2 waits, 4 was signed today.
    let old = xinbao_server::db::now_ms() - 60 * 24 * 3600 * 1000;
    for n in [1, 3] {
        for sql in ["UPDATE items SET updated_at = $1 WHERE id = $2", "UPDATE change_log SET at = $1 WHERE item_id = $2"] {
            sqlx::query(sql).bind(old).bind(id(n)).execute(&t.app.state.db.pool).await.ok();
        }
    }
    let pulled = async |cookie: &str, client: &str, cursor: u64| -> (Vec<String>, u64) {
        let res = t.post_json("/api/sync/pull", json!({"client_id": client, "cursor": cursor}), Some(cookie)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = json(res).await;
        let mut ids: Vec<String> =
            body["changes"].as_array().map(|c| c.iter().filter_map(|x| x["id"].as_str().map(str::to_owned)).collect()).unwrap_or_default();
        ids.sort();
        (ids, body["cursor"].as_u64().unwrap_or(0))
    };
    let editor_pc = format!("{:032x}", 0xed17_u64);
    let (ids, cursor) = pulled(&o.editor.cookie, &editor_pc, 0).await;
    assert_eq!(ids, [id(1), id(2), id(4)], "waiting or recent, not item 3");
    assert_eq!(
        pulled(&o.officer.cookie, &format!("{:032x}", 0x0ff1_u64), 0).await.0,
        [id(1), id(2), id(3), id(4)],
        "the author's own, all"
    );
    // Item 3 changes (a comment): the next pull brings it.
    let r = o.editor.push(&t, 3, 5, json!({"op": "comment", "text": "请补充数据来源。"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    assert_eq!(pulled(&o.editor.cookie, &editor_pc, cursor).await.0, [id(3)]);
}
