//! Commissions and reporting priorities (issue 7): the office's editor asks units for items by
//! a deadline; each officer sees what asks their unit; an answer is recorded when the answering
//! item is first submitted, on time or late; an answer in time that is used scores, a unit that
//! sent nothing by the deadline is penalised once the commission closes. Runs on SQLite and
//! PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::office::{months_agree_with_events, office, publication, today};
use common::{TestApp, json};
use serde_json::{Value, json};
use xinbao_core::scoring::{day_of, day_text};

fn day(offset: i32) -> String {
    day_text(day_of(xinbao_server::db::now_ms()) + offset)
}

fn standing(c: &Value) -> Vec<(String, String)> {
    c["standing"]
        .as_array()
        .map(|s| s.iter().map(|x| (x[1].as_str().unwrap_or_default().to_owned(), x[2].as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_commission_asks_units_records_answers_on_time_or_late_and_scores_used_and_missed() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let asked = json!({"kind": "targeted", "topic": "秋粮收购进展", "description": "请报送秋粮收购中的新情况、新问题。",
        "units": [o.town, o.town2], "from": day(-1), "deadline": day(3)});
    // Only the office's editors publish; bad input is refused in words.
    assert_eq!(t.post_json("/api/commissions", asked.clone(), Some(&o.officer.cookie)).await.status(), StatusCode::FORBIDDEN);
    let mut bad = asked.clone();
    bad["units"] = json!([]);
    let res = t.post_json("/api/commissions", bad, Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().unwrap_or_default().contains("约稿单位"));
    let c = json(t.post_json("/api/commissions", asked, Some(&o.editor.cookie)).await).await;
    let cid = c["id"].as_i64().unwrap_or(0);
    let only_town = json!({"kind": "targeted", "topic": "冬季安全生产", "units": [o.town2], "from": day(-1), "deadline": day(3)});
    let c2 = json(t.post_json("/api/commissions", only_town, Some(&o.editor.cookie)).await).await;
    let priority = json!({"kind": "priority", "topic": "乡村振兴典型经验", "from": day(-1), "deadline": day(30)});
    assert_eq!(t.post_json("/api/commissions", priority, Some(&o.editor.cookie)).await.status(), StatusCode::OK);

    // Officers see the priority and what asks their unit, their own unit's standing only.
    let mine = json(t.get("/api/commissions", Some(&o.officer.cookie)).await).await;
    let topics: Vec<&str> = mine.as_array().map(|l| l.iter().filter_map(|c| c["fields"]["topic"].as_str()).collect()).unwrap_or_default();
    assert_eq!(topics, vec!["乡村振兴典型经验", "秋粮收购进展"]);
    let for_me = mine.as_array().and_then(|l| l.iter().find(|c| c["id"] == cid)).cloned().unwrap_or_default();
    assert_eq!(standing(&for_me), vec![("河西镇".to_owned(), "open".to_owned())]);

    // The officer answers (the draft names the commission); the answer counts at submission.
    let answer = json!({"op": "submit", "content": {"title": "河西镇秋粮收购过半", "body": "截至11月20日，全镇收购秋粮1.2万吨，同比增长8%。",
        "phone": "13912345678", "commission": cid.to_string()}});
    let r = o.officer.push(&t, 1, 0, answer).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    // Naming a commission that does not ask your unit records nothing.
    let stray = json!({"op": "submit", "content": {"title": "河西镇冬季安全检查", "body": "11月21日，全镇检查企业12家。",
        "phone": "13912345678", "commission": c2["id"].as_i64().unwrap_or(0).to_string()}});
    assert_eq!(o.officer.push(&t, 2, 0, stray).await["outcome"], "applied");
    let office_view = json(t.get("/api/commissions", Some(&o.editor.cookie)).await).await;
    let seen = office_view.as_array().and_then(|l| l.iter().find(|c| c["id"] == cid)).cloned().unwrap_or_default();
    assert_eq!(standing(&seen), vec![("河西镇".to_owned(), "on_time".to_owned()), ("兰州湾镇".to_owned(), "open".to_owned())]);
    assert_eq!(seen["answers"][0]["title"], "河西镇秋粮收购过半");
    assert_eq!(seen["answers"][0]["on_time"], true);
    let other = office_view.as_array().and_then(|l| l.iter().find(|c| c["id"] == c2["id"])).cloned().unwrap_or_default();
    assert_eq!(other["answers"].as_array().map(Vec::len), Some(0));

    // Used: the answer is signed and adopted — the commission's points follow, once.
    for (base, action) in [(1, "screen"), (2, "edit"), (3, "send_to_sign_off")] {
        assert_eq!(o.editor.push(&t, 1, base, json!({"op": "act", "action": action})).await["outcome"], "applied");
    }
    assert_eq!(o.signer.push(&t, 1, 4, json!({"op": "act", "action": "sign"})).await["outcome"], "applied");
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    for issue in ["第1期", "第2期"] {
        let res = t
            .post_json(
                &format!("/api/items/{}/adoptions", common::office::id(1)),
                json!({"publication_id": own, "form": "full", "date": today(), "issue": issue}),
                Some(&o.editor.cookie),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let s = json(t.get(&format!("/api/items/{}/scoring", common::office::id(1)), Some(&o.editor.cookie)).await).await;
    let used: Vec<i64> = s["events"]
        .as_array()
        .map(|e| e.iter().filter(|e| e["rule"] == "commission_used").filter_map(|e| e["centi"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(used, vec![500]);

    // Missed: a commission whose deadline has passed closes, and the unit that sent nothing is
    // penalised once, whoever asks how many times.
    let past = json!({"kind": "targeted", "topic": "防汛备汛", "units": [o.town, o.town2], "from": day(-10), "deadline": day(-2)});
    let p = json(t.post_json("/api/commissions", past, Some(&o.editor.cookie)).await).await;
    for _ in 0..2 {
        let _ = t.get("/api/commissions", Some(&o.editor.cookie)).await;
    }
    let _ = xinbao_server::commissions::close_due(&t.app.state).await;
    let q = format!("from={}&to={}", day(-40), day(5));
    let board = json(t.get(&format!("/api/scores?by=unit&{q}"), Some(&o.editor.cookie)).await).await;
    let lzw = board["rows"].as_array().and_then(|r| r.iter().find(|r| r["name"] == "兰州湾镇")).cloned().unwrap_or_default();
    assert_eq!(lzw["tally"]["centi"], -1000, "the closed commission missed (the others are still open): {lzw}");
    let page = json(t.get(&format!("/api/scores/events?unit={}&{q}", o.town2), Some(&o.editor.cookie)).await).await;
    assert_eq!(page["total_centi"], -1000, "the penalty drills down though it names no item");
    assert!(page["events"][0]["note"].as_str().unwrap_or_default().contains("未按期报送"));
    let closed = json(t.get("/api/commissions", Some(&o.editor.cookie)).await).await;
    let gone = closed.as_array().and_then(|l| l.iter().find(|c| c["id"] == p["id"])).cloned().unwrap_or_default();
    assert_eq!(standing(&gone), vec![("河西镇".to_owned(), "missed".to_owned()), ("兰州湾镇".to_owned(), "missed".to_owned())]);
    months_agree_with_events(&t).await;
    // Scoring the past again from the facts gives the same points.
    let root = t.root().await;
    t.user_in("boss", common::office::PW, xinbao_core::role::Role::Admin, root).await;
    let admin = t.login("boss", common::office::PW).await;
    let mut table = json(t.get("/api/admin/scoring", Some(&admin)).await).await[0].clone();
    table["effective_from"] = json!(day_of(xinbao_server::db::now_ms()) - 30);
    let report = json(t.post_json("/api/admin/scoring/recompute", json!({"table": table, "reason": "核对"}), Some(&admin)).await).await;
    assert_eq!(report["centi_before"], report["centi_after"], "{report}");
}
