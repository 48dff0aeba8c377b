//! 上报 (issue 24): signed items sent up in a batch for a destination, recorded when, how and
//! by whom, once however often the page sends it; an urgent item alone; each item shows where
//! it went; what the city adopted comes back on the list and in the statistics. SQLite and,
//! under `cargo xtask test`, PostgreSQL.

use crate::common::office::{id, office, publication, submitted, today};
use crate::common::{TestApp, json};
use axum::http::StatusCode;
use serde_json::{Value, json};

async fn pulled(t: &TestApp, who: &crate::common::office::Who, n: u64) -> Value {
    let res = t.post_json("/api/sync/pull", json!({"client_id": who.client, "cursor": 0}), Some(&who.cookie)).await;
    json(res).await["changes"].as_array().cloned().unwrap_or_default().into_iter().find(|c| c["id"] == id(n)).unwrap_or(Value::Null)
}

#[tokio::test]
async fn signed_items_go_up_once_each_shows_where_and_the_citys_adoption_comes_back() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    submitted(&t, &mut o, false, 1, true).await;
    submitted(&t, &mut o, true, 2, true).await;
    submitted(&t, &mut o, false, 3, false).await;
    let list = json(t.get("/api/upward", Some(&o.editor.cookie)).await).await;
    let city =
        list["destinations"].as_array().and_then(|d| d.iter().find(|d| d["level"] == "city")).map(|d| d["id"].clone()).unwrap_or_default();
    assert!(city.is_i64(), "{list}");

    // An item not yet signed cannot go.
    let batch =
        |ids: Vec<String>, key: &str| json!({"destination_id": city, "method": "email", "note": "第12批", "item_ids": ids, "key": key});
    let res = t.post_json("/api/upward/send", batch(vec![id(1), id(3)], "k0"), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().is_some_and(|d| d.contains("已签发")));
    // Two signed items: one batch, however often it is sent.
    for _ in 0..2 {
        let res = t.post_json("/api/upward/send", batch(vec![id(1), id(2)], "k1"), Some(&o.editor.cookie)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let list = json(t.get("/api/upward", Some(&o.signer.cookie)).await).await;
    let sends = list["sends"].as_array().cloned().unwrap_or_default();
    assert_eq!(sends.len(), 1, "{list}");
    assert_eq!(
        (sends[0]["method"].as_str(), sends[0]["sent_by"].as_str(), sends[0]["note"].as_str()),
        (Some("email"), Some("editor"), Some("第12批"))
    );
    assert_eq!(sends[0]["items"].as_array().map(Vec::len), Some(2));
    // Not twice to the same destination; the refusal names the item.
    let res = t.post_json("/api/upward/send", batch(vec![id(1)], "k2"), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().is_some_and(|d| d.contains("《第1篇") && d.contains("已报送至该去向")));
    // The same key with another batch (the page changed after a lost answer) is refused, not
    // taken for the batch recorded.
    let res = t.post_json("/api/upward/send", batch(vec![id(1)], "k1"), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The author sees where it went at the next pull.
    let mine = pulled(&t, &o.officer, 1).await;
    assert_eq!(mine["upward"][0]["destination"], "市政府办公室信息科", "{mine}");
    assert_eq!(mine["upward"][0]["method"], "email");

    // The city adopts item 1: on the list and in the statistics.
    let city_pub = publication(&t, &o.editor.cookie, "市政府").await;
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", id(1)),
            json!({"publication_id": city_pub, "form": "full", "date": today(), "issue": "2026年第30期"}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list = json(t.get("/api/upward", Some(&o.editor.cookie)).await).await;
    let adopted: Vec<(String, bool)> = list["sends"][0]["items"]
        .as_array()
        .map(|i| i.iter().map(|i| (i["id"].as_str().unwrap_or_default().to_owned(), i["adopted"].as_bool().unwrap_or(false))).collect())
        .unwrap_or_default();
    assert!(adopted.contains(&(id(1), true)) && adopted.contains(&(id(2), false)), "{adopted:?}");
    // An item adopted by the city that never went up through this list is not counted.
    submitted(&t, &mut o, false, 4, true).await;
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", id(4)),
            json!({"publication_id": city_pub, "form": "full", "date": today(), "issue": "2026年第30期"}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let stats = json(t.get("/api/upward/stats", Some(&o.editor.cookie)).await).await;
    let year =
        stats["rows"].as_array().and_then(|r| r.iter().find(|r| r["level"] == "city" && r["month"] == 0)).cloned().unwrap_or_default();
    assert_eq!((year["sent"].as_i64(), year["adopted"].as_i64(), year["rate_tenths"].as_i64()), (Some(2), Some(1), Some(500)), "{stats}");
}

#[tokio::test]
async fn an_urgent_item_goes_up_alone_and_only_an_editor_of_the_office_sends() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    submitted(&t, &mut o, false, 1, true).await;
    // An urgent item, signed straight from screening.
    let content = json!({"title": "河西镇突发山洪", "body": "6月3日凌晨，河西镇突发山洪，转移群众120人。", "phone": "13912345678", "item_type": "urgent", "event_time": xinbao_server::db::now_ms()});
    assert_eq!(o.officer.push(&t, 2, 0, json!({"op": "submit", "content": content})).await["outcome"], "applied");
    for (base, action) in [(1, "screen"), (2, "send_to_sign_off")] {
        assert_eq!(o.editor.push(&t, 2, base, json!({"op": "act", "action": action})).await["outcome"], "applied", "{action}");
    }
    assert_eq!(o.signer.push(&t, 2, 3, json!({"op": "act", "action": "sign"})).await["outcome"], "applied");
    let named = |ids: Vec<String>, key: &str| json!({"destination_name": "《每日要情》", "level": "province", "method": "fax", "item_ids": ids, "key": key});
    let res = t.post_json("/api/upward/send", named(vec![id(1), id(2)], "u1"), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().is_some_and(|d| d.contains("单独上报")));
    let res = t.post_json("/api/upward/send", named(vec![id(2)], "u2"), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list = json(res).await;
    assert!(
        list["destinations"].as_array().is_some_and(|d| d.iter().any(|d| d["name"] == "《每日要情》" && d["level"] == "province")),
        "a new destination is kept: {list}"
    );
    assert!(list["sends"][0]["items"][0]["event_time"].is_i64(), "the deadline runs from the event: {list}");

    // Nobody else sends; an officer does not read the list; another office's item is no item.
    let res = t.post_json("/api/upward/send", named(vec![id(1)], "u3"), Some(&o.signer.cookie)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(t.get("/api/upward", Some(&o.officer.cookie)).await.status(), StatusCode::FORBIDDEN);
    let res = t.post_json("/api/upward/send", named(vec![id(99)], "u4"), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn two_editors_sending_the_same_item_at_once_record_it_once_and_a_late_fax_keeps_its_day() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    submitted(&t, &mut o, false, 1, true).await;
    submitted(&t, &mut o, false, 2, true).await;
    let root = t.root().await;
    t.user_in("editor2", crate::common::office::PW, xinbao_core::role::Role::Editor, root).await;
    let second = t.login("editor2", crate::common::office::PW).await;
    let list = json(t.get("/api/upward", Some(&o.editor.cookie)).await).await;
    let city = list["destinations"][0]["id"].clone();
    let batch = |key: &str| json!({"destination_id": city, "method": "paper", "item_ids": [id(1)], "key": key});
    let (a, b) = tokio::join!(
        t.post_json("/api/upward/send", batch("a"), Some(&o.editor.cookie)),
        t.post_json("/api/upward/send", batch("b"), Some(&second))
    );
    let mut codes = [a.status(), b.status()];
    codes.sort();
    assert_eq!(codes, [StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY], "one records it, the other is told");
    let list = json(t.get("/api/upward", Some(&o.editor.cookie)).await).await;
    assert_eq!(list["sends"].as_array().map(Vec::len), Some(1), "{list}");
    // Sent by fax yesterday, recorded today: yesterday's.
    let yesterday = xinbao_core::scores::day_text(xinbao_core::scores::day_of(xinbao_server::db::now_ms()) - 1);
    let res = t
        .post_json(
            "/api/upward/send",
            json!({"destination_id": city, "method": "fax", "item_ids": [id(2)], "key": "c", "date": yesterday}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let day: i64 =
        sqlx::query_scalar("SELECT day FROM upward_sends WHERE send_key = 'c'").fetch_one(&t.app.state.db.pool).await.unwrap_or(0);
    assert_eq!(day, i64::from(xinbao_core::scores::day_of(xinbao_server::db::now_ms()) - 1));
}
