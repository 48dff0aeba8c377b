//! The editor's queue on the server (issue 5): urgent items pinned on top, then oldest first;
//! every filter (state, unit, type, title text) alone and together; paging; a search for `%`
//! taken literally. The SQL holds only the filters asked for, so each combination is checked
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
