//! The periodical (issue 7): an editor composes an issue from signed items in the order they
//! choose, with the masthead numbers proposed from the last issue; placing an item adopts it
//! (full text) and taking it out takes the adoption back; a published issue is read-only and
//! read by the office and the units whose items it carries; the Word file has every item in
//! order. Runs on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::office::{PW, id, months_agree_with_events, office, part_text, publication, submitted, today};
use common::{TestApp, bytes, json};
use serde_json::{Value, json};
use xinbao_core::role::Role;

fn titles(issue: &Value) -> Vec<String> {
    issue["items"].as_array().map(|i| i.iter().filter_map(|x| x["title"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

async fn points(t: &TestApp, cookie: &str, n: u64, rule: &str) -> Vec<i64> {
    let s = json(t.get(&format!("/api/items/{}/scoring", id(n)), Some(cookie)).await).await;
    s["events"].as_array().map(|e| e.iter().filter(|e| e["rule"] == rule).filter_map(|e| e["centi"].as_i64()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn an_issue_of_signed_items_is_composed_in_order_published_read_only_and_exported() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    for n in 1..=3 {
        submitted(&t, &mut o, false, n, true).await;
    }
    submitted(&t, &mut o, false, 4, false).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    // Only the office's editors compose.
    assert_eq!(
        t.post_json("/api/periodical/issues", json!({"publication_id": own}), Some(&o.signer.cookie)).await.status(),
        StatusCode::FORBIDDEN
    );
    let issue = json(t.post_json("/api/periodical/issues", json!({"publication_id": own}), Some(&o.editor.cookie)).await).await;
    let issue_id = issue["id"].as_i64().unwrap_or(0);
    assert_eq!((issue["fields"]["number"].clone(), issue["fields"]["total_number"].clone()), (json!(1), json!(1)));
    assert_eq!(issue["state"], "draft");
    let candidates = json(t.get("/api/periodical/candidates", Some(&o.editor.cookie)).await).await;
    assert_eq!(candidates.as_array().map(Vec::len), Some(3), "the signed items only: {candidates}");

    let mut fields = issue["fields"].clone();
    fields["number"] = json!(12);
    fields["total_number"] = json!(345);
    fields["signer"] = json!("赵主任");
    fields["editor_note"] = json!("本期刊发秋收工作动态三则。");
    fields["circulation"] = json!({"report_to": "市政府办公室", "copy_to": "县委办公室", "send_to": "各乡镇、县直各部门"});
    // An unsigned item cannot go in; nothing is kept.
    fields["items"] = json!([id(3), id(4)]);
    let res = t.post_json(&format!("/api/periodical/issues/{issue_id}"), fields.clone(), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().unwrap_or_default().contains("尚未签发"));
    fields["items"] = json!([id(3), id(1), id(2)]);
    let saved = json(t.post_json(&format!("/api/periodical/issues/{issue_id}"), fields.clone(), Some(&o.editor.cookie)).await).await;
    assert_eq!(titles(&saved), vec!["第3篇：河西镇抢收小麦", "第1篇：河西镇抢收小麦", "第2篇：河西镇抢收小麦"]);
    // Placed is adopted: full text in the county periodical, once however often it is saved.
    let _ = t.post_json(&format!("/api/periodical/issues/{issue_id}"), fields.clone(), Some(&o.editor.cookie)).await;
    for n in 1..=3 {
        assert_eq!(points(&t, &o.editor.cookie, n, "county_full").await, vec![500], "item {n}");
    }
    let scoring = json(t.get(&format!("/api/items/{}/scoring", id(1)), Some(&o.editor.cookie)).await).await;
    assert_eq!(scoring["adoptions"][0]["issue"], "2026年第12期（总第345期）".replace("2026", &today()[..4]));
    // Taken out: the adoption goes with it.
    fields["items"] = json!([id(3), id(2)]);
    let saved = json(t.post_json(&format!("/api/periodical/issues/{issue_id}"), fields.clone(), Some(&o.editor.cookie)).await).await;
    assert_eq!(titles(&saved).len(), 2);
    assert!(points(&t, &o.editor.cookie, 1, "county_full").await.is_empty());
    fields["items"] = json!([id(3), id(1), id(2)]);
    let _ = t.post_json(&format!("/api/periodical/issues/{issue_id}"), fields.clone(), Some(&o.editor.cookie)).await;
    months_agree_with_events(&t).await;

    // Before publishing only the editors see it.
    assert_eq!(t.get(&format!("/api/periodical/issues/{issue_id}"), Some(&o.officer.cookie)).await.status(), StatusCode::NOT_FOUND);
    let published = json(t.post_json(&format!("/api/periodical/issues/{issue_id}/publish"), json!({}), Some(&o.editor.cookie)).await).await;
    assert_eq!(published["state"], "published");
    let res = t.post_json(&format!("/api/periodical/issues/{issue_id}"), fields.clone(), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a published issue is read-only");
    // Read by the office, and by the unit whose items it carries; not by another unit.
    assert_eq!(t.get(&format!("/api/periodical/issues/{issue_id}"), Some(&o.signer.cookie)).await.status(), StatusCode::OK);
    assert_eq!(t.get(&format!("/api/periodical/issues/{issue_id}"), Some(&o.officer.cookie)).await.status(), StatusCode::OK);
    assert_eq!(t.get(&format!("/api/periodical/issues/{issue_id}"), Some(&o.officer2.cookie)).await.status(), StatusCode::NOT_FOUND);
    let listed = json(t.get("/api/periodical/issues", Some(&o.officer2.cookie)).await).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(0));
    // A leader (reader) records an instruction on an item of the issue.
    let root = t.root().await;
    t.user_in("reader", PW, Role::Reader, root).await;
    let reader = t.login("reader", PW).await;
    assert_eq!(t.get(&format!("/api/periodical/issues/{issue_id}"), Some(&reader)).await.status(), StatusCode::OK);
    let res = t
        .post_json(
            &format!("/api/items/{}/instructions", id(3)),
            json!({"level": "county", "date": today(), "leader": "县长 王某", "text": "请农业农村局总结推广。"}),
            Some(&reader),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The inbox of the item's author carries the instruction.
    let inbox = json(t.get("/api/inbox", Some(&o.officer.cookie)).await).await;
    assert_eq!(inbox["instructions"][0]["leader"], "县长 王某");

    // The Word file: the masthead and every title in order.
    let res = t.get(&format!("/api/periodical/issues/{issue_id}/docx"), Some(&o.officer.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc = part_text(&bytes(res).await, "word/document.xml");
    let at = |s: &str| doc.find(s).unwrap_or_else(|| panic!("{s} missing from the Word file"));
    assert!(at("林双政务信息") < at("总第345期"));
    assert!(at("第3篇：河西镇抢收小麦") < at("第1篇：河西镇抢收小麦") && at("第1篇：河西镇抢收小麦") < at("第2篇：河西镇抢收小麦"));
    assert!(at("签发：赵主任") > at("第2篇：河西镇抢收小麦"));
    // The next issue is numbered after this one.
    let next = json(t.post_json("/api/periodical/issues", json!({"publication_id": own}), Some(&o.editor.cookie)).await).await;
    assert_eq!((next["fields"]["number"].clone(), next["fields"]["total_number"].clone()), (json!(13), json!(346)));
}
