//! The periodical (issue 7): an editor composes an issue from signed items in the order they
//! choose, with the masthead numbers proposed from the last issue; placing an item adopts it
//! (full text) and taking it out takes the adoption back; a published issue is read-only and
//! read by the office and the units whose items it carries; the Word file has every item in
//! order. Runs on SQLite and PostgreSQL.

use crate::common::office::{PW, id, months_agree_with_events, office, part_text, publication, submitted, today};
use crate::common::{TestApp, bytes, json};
use axum::http::StatusCode;
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
    assert_eq!(saved["fields"]["rev"], 1, "the refused save kept nothing, not even a revision");
    fields["rev"] = saved["fields"]["rev"].clone();
    // Placed is adopted: full text in the county periodical, once however often it is saved.
    let saved = json(t.post_json(&format!("/api/periodical/issues/{issue_id}"), fields.clone(), Some(&o.editor.cookie)).await).await;
    fields["rev"] = saved["fields"]["rev"].clone();
    for n in 1..=3 {
        assert_eq!(points(&t, &o.editor.cookie, n, "county_full").await, vec![500], "item {n}");
    }
    let scoring = json(t.get(&format!("/api/items/{}/scoring", id(1)), Some(&o.editor.cookie)).await).await;
    assert_eq!(scoring["adoptions"][0]["issue"], "2026年第12期（总第345期）".replace("2026", &today()[..4]));
    // Taken out: the adoption goes with it.
    fields["items"] = json!([id(3), id(2)]);
    let saved = json(t.post_json(&format!("/api/periodical/issues/{issue_id}"), fields.clone(), Some(&o.editor.cookie)).await).await;
    assert_eq!(titles(&saved).len(), 2);
    fields["rev"] = saved["fields"]["rev"].clone();
    assert!(points(&t, &o.editor.cookie, 1, "county_full").await.is_empty());
    fields["items"] = json!([id(3), id(1), id(2)]);
    let saved = json(t.post_json(&format!("/api/periodical/issues/{issue_id}"), fields.clone(), Some(&o.editor.cookie)).await).await;
    fields["rev"] = saved["fields"]["rev"].clone();
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

async fn save(t: &TestApp, cookie: &str, issue: i64, fields: &Value) -> axum::response::Response {
    t.post_json(&format!("/api/periodical/issues/{issue}"), fields.clone(), Some(cookie)).await
}

async fn new_issue(t: &TestApp, cookie: &str, own: i64) -> Value {
    let res = t.post_json("/api/periodical/issues", json!({"publication_id": own}), Some(cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    json(res).await
}

/// Issue 21, item 8: a 期号 once per publication and year and a 总期号 once per publication —
/// in the database itself; 新建一期 takes the next unused numbers, whatever numbers were given
/// by hand; a draft issue can be deleted (its adoptions and numbers go with it), a published
/// one cannot.
#[tokio::test]
async fn issue_numbers_never_repeat_and_a_draft_issue_can_be_deleted() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    submitted(&t, &mut o, false, 1, true).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let year = today()[..4].to_owned();
    let first = new_issue(&t, &o.editor.cookie, own).await;
    let second = new_issue(&t, &o.editor.cookie, own).await;
    assert_eq!((second["fields"]["number"].clone(), second["fields"]["total_number"].clone()), (json!(2), json!(2)));
    let b = second["id"].as_i64().unwrap_or(0);
    // 第1期 again (the 总期号 new) is refused in words, and so is 总第1期 again.
    let mut f = second["fields"].clone();
    f["number"] = json!(1);
    f["total_number"] = json!(9);
    let res = save(&t, &o.editor.cookie, b, &f).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(res).await["detail"], format!("{year}年第1期已经用过，请换一个期号"));
    // Last year's 第1期 is free; 总第1期 is not.
    f["year"] = json!(year.parse::<i64>().unwrap_or(2026) - 1);
    f["total_number"] = json!(1);
    let res = save(&t, &o.editor.cookie, b, &f).await;
    assert_eq!(json(res).await["detail"], "总第1期已经用过，请换一个总期号");
    // Numbered by hand 第5期（总第7期）: the next new issue is 第6期（总第8期）, never a used one.
    f["year"] = second["fields"]["year"].clone();
    f["number"] = json!(5);
    f["total_number"] = json!(7);
    assert_eq!(save(&t, &o.editor.cookie, b, &f).await.status(), StatusCode::OK);
    let third = new_issue(&t, &o.editor.cookie, own).await;
    assert_eq!((third["fields"]["number"].clone(), third["fields"]["total_number"].clone()), (json!(6), json!(8)));
    // The database itself refuses a second claim, whatever code writes it.
    let raw = sqlx::query("INSERT INTO issue_numbers (publication_id, year, number, issue_id) VALUES ($1, $2, 1, $3)")
        .bind(own)
        .bind(year.parse::<i64>().unwrap_or(2026))
        .bind(b)
        .execute(&t.app.state.db.pool)
        .await;
    assert!(raw.is_err(), "a duplicate 期号 is refused by the database");

    // A draft issue with an item in it is deleted: the item's adoption goes, its numbers are free.
    let a = first["id"].as_i64().unwrap_or(0);
    let mut fa = first["fields"].clone();
    fa["items"] = json!([id(1)]);
    assert_eq!(save(&t, &o.editor.cookie, a, &fa).await.status(), StatusCode::OK);
    assert_eq!(points(&t, &o.editor.cookie, 1, "county_full").await, vec![500]);
    assert_eq!(
        t.post_json(&format!("/api/periodical/issues/{a}/delete"), json!({}), Some(&o.signer.cookie)).await.status(),
        StatusCode::FORBIDDEN,
        "only the office's editors"
    );
    let res = t.post_json(&format!("/api/periodical/issues/{a}/delete"), json!({}), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(points(&t, &o.editor.cookie, 1, "county_full").await.is_empty());
    assert_eq!(t.get(&format!("/api/periodical/issues/{a}"), Some(&o.editor.cookie)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(crate::common::office::audited(&t, "issue_deleted").await, vec![format!("{year}年第1期（总第1期）")]);
    months_agree_with_events(&t).await;
    let mut f3 = third["fields"].clone();
    f3["number"] = json!(1);
    f3["total_number"] = json!(1);
    f3["items"] = json!([id(1)]);
    let c = third["id"].as_i64().unwrap_or(0);
    assert_eq!(save(&t, &o.editor.cookie, c, &f3).await.status(), StatusCode::OK, "the deleted issue's numbers are free");
    assert_eq!(
        t.post_json(&format!("/api/periodical/issues/{c}/publish"), json!({}), Some(&o.editor.cookie)).await.status(),
        StatusCode::OK
    );
    let res = t.post_json(&format!("/api/periodical/issues/{c}/delete"), json!({}), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a published issue is a record");
}

/// Issue 21, item 9: two editors on one draft issue. Saving is compare-and-set on the issue's
/// revision: the second save, made from the copy both opened, is refused as a conflict and
/// changes nothing — the first editor's item and its points stay; the loser reads the issue
/// again and saves both. Two saves racing from one revision: exactly one wins; two new issues
/// racing: different numbers.
#[tokio::test]
async fn two_editors_on_one_draft_issue_never_lose_a_placement() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    for n in 1..=3 {
        submitted(&t, &mut o, false, n, true).await;
    }
    let root = t.root().await;
    t.user_in("editor2", PW, Role::Editor, root).await;
    let e2 = t.login("editor2", PW).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let issue = new_issue(&t, &o.editor.cookie, own).await;
    let iid = issue["id"].as_i64().unwrap_or(0);
    // Both open the draft (revision 0).
    let opened = json(t.get(&format!("/api/periodical/issues/{iid}"), Some(&e2)).await).await;
    let (mut x, mut y) = (issue["fields"].clone(), opened["fields"].clone());
    x["items"] = json!([id(1)]);
    y["items"] = json!([id(2)]);
    assert_eq!(save(&t, &o.editor.cookie, iid, &x).await.status(), StatusCode::OK);
    let res = save(&t, &e2, iid, &y).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(json(res).await["code"], "conflict");
    let now = json(t.get(&format!("/api/periodical/issues/{iid}"), Some(&e2)).await).await;
    assert_eq!(titles(&now), vec!["第1篇：河西镇抢收小麦"], "the first editor's placement stands");
    assert_eq!(points(&t, &o.editor.cookie, 1, "county_full").await, vec![500], "and its adoption");
    assert!(points(&t, &o.editor.cookie, 2, "county_full").await.is_empty());
    // The loser, having read what changed, saves both on the new revision.
    let mut both = now["fields"].clone();
    both["items"] = json!([id(1), id(2)]);
    let saved = save(&t, &e2, iid, &both).await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(titles(&json(saved).await).len(), 2);
    assert_eq!(points(&t, &o.editor.cookie, 2, "county_full").await, vec![500]);

    // Racing from one revision: one wins, one is told.
    let current = json(t.get(&format!("/api/periodical/issues/{iid}"), Some(&e2)).await).await["fields"].clone();
    let (mut p, mut q) = (current.clone(), current);
    p["items"] = json!([id(1), id(2), id(3)]);
    q["items"] = json!([id(3)]);
    let (r1, r2) = tokio::join!(save(&t, &o.editor.cookie, iid, &p), save(&t, &e2, iid, &q));
    let mut statuses = vec![r1.status(), r2.status()];
    statuses.sort();
    assert_eq!(statuses, vec![StatusCode::OK, StatusCode::CONFLICT]);
    months_agree_with_events(&t).await;
    // Two new issues at once: different numbers.
    let (a, b) = tokio::join!(
        t.post_json("/api/periodical/issues", json!({"publication_id": own}), Some(&o.editor.cookie)),
        t.post_json("/api/periodical/issues", json!({"publication_id": own}), Some(&e2))
    );
    let mut numbers = Vec::new();
    for res in [a, b] {
        if res.status() == StatusCode::OK {
            numbers.push(json(res).await["fields"]["number"].clone());
        } else {
            assert_eq!(res.status(), StatusCode::CONFLICT, "a lost race is told, never a duplicate");
        }
    }
    numbers.dedup();
    assert!(!numbers.is_empty());
    let listed = json(t.get("/api/periodical/issues", Some(&o.editor.cookie)).await).await;
    let mut labels: Vec<String> =
        listed.as_array().map(|l| l.iter().filter_map(|s| s["label"].as_str().map(str::to_owned)).collect()).unwrap_or_default();
    let n = labels.len();
    labels.sort();
    labels.dedup();
    assert_eq!(labels.len(), n, "no 期号 twice: {listed}");
}
