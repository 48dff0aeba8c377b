//! Commissions and reporting priorities (issue 7): the office's editor asks units for items by
//! a deadline; each officer sees what asks their unit; an answer is recorded when the answering
//! item is first submitted, on time or late; an answer in time that is used scores, a unit that
//! sent nothing by the deadline is penalised once the commission closes. Runs on SQLite and
//! PostgreSQL.

use crate::common::office::{months_agree_with_events, office, publication, today};
use crate::common::{TestApp, json};
use axum::http::StatusCode;
use serde_json::{Value, json};
use xinbao_core::scores::{day_of, day_text};

fn day(offset: i32) -> String {
    day_text(day_of(xinbao_server::db::now_ms()) + offset)
}

/// Moves a commission's deadline `days` from today (the past, which publishing refuses): what
/// time does to a commission published days ago.
async fn backdate(t: &TestApp, id: i64, days: i32) {
    let deadline = day_of(xinbao_server::db::now_ms()) + days;
    let fields: String = sqlx::query_scalar("SELECT fields FROM commissions WHERE id = $1")
        .bind(id)
        .fetch_one(&t.app.state.db.pool)
        .await
        .unwrap_or_default();
    let mut f: Value = serde_json::from_str(&fields).unwrap_or_default();
    f["deadline"] = json!(day_text(deadline));
    sqlx::query("UPDATE commissions SET deadline_day = $1, fields = $2 WHERE id = $3")
        .bind(i64::from(deadline))
        .bind(f.to_string())
        .bind(id)
        .execute(&t.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("backdating: {e}"));
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
                &format!("/api/items/{}/adoptions", crate::common::office::id(1)),
                json!({"publication_id": own, "form": "full", "date": today(), "issue": issue}),
                Some(&o.editor.cookie),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let s = json(t.get(&format!("/api/items/{}/scoring", crate::common::office::id(1)), Some(&o.editor.cookie)).await).await;
    let used: Vec<i64> = s["events"]
        .as_array()
        .map(|e| e.iter().filter(|e| e["rule"] == "commission_used").filter_map(|e| e["centi"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(used, vec![500]);

    // Missed: a commission whose deadline has passed closes, and the unit that sent nothing is
    // penalised once, whoever asks how many times.
    let past = json!({"kind": "targeted", "topic": "防汛备汛", "units": [o.town, o.town2], "from": day(-10), "deadline": day(0)});
    let p = json(t.post_json("/api/commissions", past, Some(&o.editor.cookie)).await).await;
    backdate(&t, p["id"].as_i64().unwrap_or(0), -2).await;
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
    t.user_in("boss", crate::common::office::PW, xinbao_core::role::Role::Admin, root).await;
    let admin = t.login("boss", crate::common::office::PW).await;
    recompute_changes_nothing(&t, &admin).await;
}

/// Issue 21, item 1: a missed commission's penalty belongs to the unit and to nobody in it. By
/// person it is the board's unit-only line, and the people's rows plus that line add up to the
/// units' board — on the scoreboard, in the notice's data, its Word and its Excel file.
#[tokio::test]
async fn a_units_penalty_is_its_own_line_on_the_person_board_and_the_totals_agree_everywhere() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    crate::common::office::submitted(&t, &mut o, false, 1, false).await;
    crate::common::office::submitted(&t, &mut o, true, 2, false).await;
    let past = json!({"kind": "targeted", "topic": "防汛备汛", "units": [o.town2], "from": day(-10), "deadline": day(0)});
    let p = json(t.post_json("/api/commissions", past, Some(&o.editor.cookie)).await).await;
    backdate(&t, p["id"].as_i64().unwrap_or(0), -2).await;
    let _ = xinbao_server::commissions::close_due(&t.app.state).await;
    let q = format!("from={}&to={}", day(-40), day(5));
    let units = json(t.get(&format!("/api/scores?by=unit&{q}"), Some(&o.editor.cookie)).await).await;
    let people = json(t.get(&format!("/api/scores?by=person&{q}"), Some(&o.editor.cookie)).await).await;
    let sum = |b: &Value| b["rows"].as_array().map(|r| r.iter().filter_map(|r| r["tally"]["centi"].as_i64()).sum::<i64>()).unwrap_or(0);
    // Two submissions (+1 each) and the −10 penalty.
    assert_eq!(sum(&units), 200 - 1000, "{units}");
    assert_eq!(sum(&people), 200, "nobody's row carries the unit's penalty: {people}");
    assert_eq!(people["unit_only"]["centi"], -1000);
    assert_eq!(sum(&people) + people["unit_only"]["centi"].as_i64().unwrap_or(0), sum(&units));
    assert_eq!(units["unit_only"]["centi"], 0);

    let notice = json(t.get(&format!("/api/notice?{q}"), Some(&o.editor.cookie)).await).await;
    let footer = notice["people_footer"].as_array().cloned().unwrap_or_default();
    let line = |r: &Value| (r["name"].as_str().unwrap_or_default().to_owned(), r["points"].as_str().unwrap_or_default().to_owned());
    assert_eq!(
        footer.iter().map(line).collect::<Vec<_>>(),
        vec![("单位扣分".to_owned(), "-10".to_owned()), ("合计".to_owned(), "-8".to_owned())],
        "{notice}"
    );
    assert!(notice["summary"].as_str().unwrap_or_default().contains("合计得分-8分"), "{}", notice["summary"]);
    let docx = crate::common::bytes(t.get(&format!("/api/notice.docx?{q}"), Some(&o.editor.cookie)).await).await;
    let word = crate::common::office::part_text(&docx, "word/document.xml");
    assert!(word.contains("单位扣分") && word.contains("约稿未报等，不计入个人"), "the Word file prints the line");
    let xlsx = crate::common::bytes(t.get(&format!("/api/notice.xlsx?{q}"), Some(&o.editor.cookie)).await).await;
    let strings = crate::common::office::part_text(&xlsx, "xl/sharedStrings.xml");
    assert!(strings.contains("单位扣分") && strings.contains("合计"), "the Excel file prints the line");
}

/// Scores the last 30 days again with the unchanged table: the totals before and after agree.
async fn recompute_changes_nothing(t: &TestApp, admin: &str) {
    let mut table = json(t.get("/api/admin/scoring", Some(admin)).await).await[0].clone();
    table["effective_from"] = json!(day_of(xinbao_server::db::now_ms()) - 30);
    let report = json(t.post_json("/api/admin/scoring/recompute", json!({"table": table, "reason": "核对"}), Some(admin)).await).await;
    assert_eq!(report["centi_before"], report["centi_after"], "{report}");
}

/// A tiny deterministic generator for the random histories below (no dependency for it).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Moves every submission (the fact, its events and the monthly totals) `days` into the past:
/// the dates a history recorded over a month would have.
async fn backdate_submissions(t: &TestApp, days: i32) {
    let day = day_of(xinbao_server::db::now_ms()) - days;
    let month = i64::from(xinbao_core::scores::month_index(day));
    let pool = &t.app.state.db.pool;
    for (sql, binds) in [
        ("UPDATE submissions SET day = $1", vec![i64::from(day)]),
        ("UPDATE score_events SET day = $1, month = $2 WHERE rule = 'submission'", vec![i64::from(day), month]),
        ("DELETE FROM score_months", vec![]),
        (
            "INSERT INTO score_months (office_id, month, unit_id, author_id, submitted, centi) \
             SELECT office_id, month, unit_id, author_id, SUM(CASE WHEN rule = 'submission' THEN 1 ELSE 0 END), CAST(SUM(centi) AS BIGINT) \
             FROM score_events GROUP BY office_id, month, unit_id, author_id",
            vec![],
        ),
    ] {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(b);
        }
        q.execute(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// Every score event of the office, as a sorted list (what a recompute must leave alone).
async fn all_events(t: &TestApp) -> Vec<(i64, String, i64, String, String, i64)> {
    use sqlx::Row;
    sqlx::query("SELECT day, source_kind, source_id, item_id, rule, centi FROM score_events ORDER BY 1, 2, 3, 4, 5, 6")
        .fetch_all(&t.app.state.db.pool)
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            (
                r.try_get(0).unwrap_or(-1),
                r.try_get(1).unwrap_or_default(),
                r.try_get(2).unwrap_or(-1),
                r.try_get(3).unwrap_or_default(),
                r.try_get(4).unwrap_or_default(),
                r.try_get(5).unwrap_or(-1),
            )
        })
        .collect()
}

/// Issue 21, item 2: a used commission answer scores on its item's earliest adoption, live and
/// on recompute alike — so for random histories (adoptions recorded in any order of their
/// dates, answers late and withdrawn among them), scoring the past again with the unchanged
/// table, from any day, changes no event.
#[tokio::test]
async fn recomputing_with_the_unchanged_table_changes_nothing_for_random_histories() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let admin = crate::common::office::admin_of(&t).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let asked = json!({"kind": "targeted", "topic": "秋粮收购进展", "units": [o.town], "from": day(-30), "deadline": day(3)});
    let cid = json(t.post_json("/api/commissions", asked, Some(&o.editor.cookie)).await).await["id"].as_i64().unwrap_or(0);
    for n in 1..=4u64 {
        let answer = json!({"op": "submit", "content": {"title": format!("河西镇秋粮收购第{n}报"), "body": "截至11月20日，全镇收购秋粮1.2万吨。",
            "phone": "13912345678", "commission": cid.to_string()}});
        assert_eq!(o.officer.push(&t, n, 0, answer).await["outcome"], "applied");
        for (base, action) in [(1, "screen"), (2, "edit"), (3, "send_to_sign_off")] {
            assert_eq!(o.editor.push(&t, n, base, json!({"op": "act", "action": action})).await["outcome"], "applied");
        }
        assert_eq!(o.signer.push(&t, n, 4, json!({"op": "act", "action": "sign"})).await["outcome"], "applied");
    }
    // Submitted a month ago (as if), so adoptions may be dated anywhere in the last 25 days.
    backdate_submissions(&t, 30).await;
    let table = json(t.get("/api/admin/scoring", Some(&admin)).await).await[0].clone();
    let mut rng = Lcg(0x2026_1206);
    for round in 0..12 {
        // An adoption of a random item, dated anywhere in the last 25 days: later rounds often
        // record an adoption dated before the ones already recorded.
        let item = crate::common::office::id(1 + rng.below(4));
        let date = day(-(rng.below(25) as i32));
        let res = t
            .post_json(
                &format!("/api/items/{item}/adoptions"),
                json!({"publication_id": own, "form": "full", "date": date, "issue": format!("第{round}期")}),
                Some(&o.editor.cookie),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "round {round}");
        let before = all_events(&t).await;
        let used: Vec<_> = before.iter().filter(|e| e.4 == "commission_used").collect();
        assert!(used.len() <= 4, "one +5 per answer at most: {used:?}");
        let mut unchanged = table.clone();
        unchanged["effective_from"] = json!(day_of(xinbao_server::db::now_ms()) - rng.below(30) as i32);
        let res = t.post_json("/api/admin/scoring/recompute", json!({"table": unchanged, "reason": "核对"}), Some(&admin)).await;
        assert_eq!(res.status(), StatusCode::OK, "round {round}");
        let report = json(res).await;
        assert_eq!(report["centi_before"], report["centi_after"], "round {round}: {report}");
        assert_eq!(all_events(&t).await, before, "round {round}: a recompute with the unchanged table changed events");
        months_agree_with_events(&t).await;
    }
    // Each adopted answer scored once, on its item's earliest adoption.
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT e.day, (SELECT MIN(ad.day) FROM adoption_items ai JOIN adoptions ad ON ad.id = ai.adoption_id WHERE ai.item_id = e.item_id) \
         FROM score_events e WHERE e.rule = 'commission_used'",
    )
    .fetch_all(&t.app.state.db.pool)
    .await
    .unwrap_or_default();
    assert!(!rows.is_empty());
    for r in rows {
        assert_eq!(r.try_get::<i64, _>(0).ok(), r.try_get::<i64, _>(1).ok());
    }
}

async fn standing_of(t: &TestApp, cookie: &str, cid: i64) -> Vec<(String, String)> {
    let list = json(t.get("/api/commissions", Some(cookie)).await).await;
    standing(&list.as_array().and_then(|l| l.iter().find(|c| c["id"] == cid)).cloned().unwrap_or_default())
}

/// Issue 21, item 10 (part): an answer counts only while its item is submitted — returned and
/// then withdrawn by its author, it answers nothing: the unit stands as not answered, and when
/// the commission closes it is penalised like any unit that sent nothing.
#[tokio::test]
async fn an_answer_withdrawn_by_its_author_no_longer_counts() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let asked = json!({"kind": "targeted", "topic": "秋粮收购进展", "units": [o.town], "from": day(-1), "deadline": day(3)});
    let cid = json(t.post_json("/api/commissions", asked, Some(&o.editor.cookie)).await).await["id"].as_i64().unwrap_or(0);
    let answer = json!({"op": "submit", "content": {"title": "河西镇秋粮收购过半", "body": "截至11月20日，全镇收购秋粮1.2万吨。",
        "phone": "13912345678", "commission": cid.to_string()}});
    assert_eq!(o.officer.push(&t, 1, 0, answer).await["outcome"], "applied");
    assert_eq!(standing_of(&t, &o.editor.cookie, cid).await, vec![("河西镇".to_owned(), "on_time".to_owned())]);
    assert_eq!(o.editor.push(&t, 1, 1, json!({"op": "act", "action": "screen"})).await["outcome"], "applied");
    assert_eq!(o.editor.push(&t, 1, 2, json!({"op": "act", "action": "return", "note": "请补充数据"})).await["outcome"], "applied");
    assert_eq!(o.officer.push(&t, 1, 3, json!({"op": "delete"})).await["outcome"], "applied");
    assert_eq!(standing_of(&t, &o.editor.cookie, cid).await, vec![("河西镇".to_owned(), "open".to_owned())]);
    // Closed (its deadline moved into the past here by hand): the unit is penalised.
    backdate(&t, cid, -1).await;
    assert_eq!(xinbao_server::commissions::close_due(&t.app.state).await.ok(), Some(1));
    let q = format!("from={}&to={}", day(-40), day(5));
    let board = json(t.get(&format!("/api/scores?by=unit&{q}"), Some(&o.editor.cookie)).await).await;
    assert_eq!(crate::common::office::row(&board, "河西镇")["tally"]["centi"], 100 - 1000, "{board}");
}

async fn centi(t: &TestApp, cookie: &str, q: &str, unit: &str) -> i64 {
    let board = json(t.get(&format!("/api/scores?by=unit&{q}"), Some(cookie)).await).await;
    crate::common::office::row(&board, unit)["tally"]["centi"].as_i64().unwrap_or(i64::MIN)
}

/// Issue 21, item 9: a commission is never published with its deadline past (that penalised
/// every unit at once); it can be changed — deadline extended, units added, never dropped —
/// and withdrawn, each audited, and points follow the final version: extending a closed one
/// takes its penalties back until it closes again; withdrawing takes back all it scored and
/// hides it from the units.
#[tokio::test]
async fn a_commission_is_published_ahead_changed_and_withdrawn_and_points_follow_the_final_version() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let late = json!({"kind": "targeted", "topic": "防汛备汛", "units": [o.town], "from": day(-10), "deadline": day(-1)});
    let res = t.post_json("/api/commissions", late, Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(res).await["detail"], "截止日期不能早于今天");
    assert_eq!(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM score_events").fetch_one(&t.app.state.db.pool).await.ok(), Some(0));

    // Published, then past its deadline and closed: the unit asked is penalised.
    let asked = json!({"kind": "targeted", "topic": "防汛备汛", "units": [o.town], "from": day(-10), "deadline": day(0)});
    let c = json(t.post_json("/api/commissions", asked, Some(&o.editor.cookie)).await).await;
    let cid = c["id"].as_i64().unwrap_or(0);
    backdate(&t, cid, -1).await;
    let _ = xinbao_server::commissions::close_due(&t.app.state).await;
    let q = format!("from={}&to={}", day(-40), day(40));
    let editor = o.editor.cookie.clone();
    assert_eq!(centi(&t, &editor, &q, "河西镇").await, -1000);
    // Changed: the deadline extended and a unit added — open again, the penalty taken back.
    let mut fields = c["fields"].clone();
    fields["deadline"] = json!(day(5));
    fields["units"] = json!([o.town, o.town2]);
    let res = t.post_json(&format!("/api/commissions/{cid}"), fields.clone(), Some(&o.officer.cookie)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "only the office's editors");
    let changed = json(t.post_json(&format!("/api/commissions/{cid}"), fields.clone(), Some(&o.editor.cookie)).await).await;
    assert_eq!(standing(&changed), vec![("河西镇".to_owned(), "open".to_owned()), ("兰州湾镇".to_owned(), "open".to_owned())]);
    assert_eq!(centi(&t, &editor, &q, "河西镇").await, 0, "the penalty follows the final deadline");
    assert_eq!(crate::common::office::audited(&t, "commission_changed").await.len(), 1);
    // Never into the past, never dropping a unit asked.
    let mut bad = fields.clone();
    bad["units"] = json!([o.town2]);
    let res = t.post_json(&format!("/api/commissions/{cid}"), bad, Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut bad = fields.clone();
    bad["deadline"] = json!(day(-3));
    assert_eq!(
        t.post_json(&format!("/api/commissions/{cid}"), bad, Some(&o.editor.cookie)).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // The added unit sees it now.
    let mine = json(t.get("/api/commissions", Some(&o.officer2.cookie)).await).await;
    assert!(mine.as_array().is_some_and(|l| l.iter().any(|c| c["id"] == cid)), "{mine}");
    // An answer, adopted: +5.
    let answer = json!({"op": "submit", "content": {"title": "兰州湾镇防汛物资到位", "body": "11月20日，全镇防汛物资全部到位。",
        "phone": "13912345678", "commission": cid.to_string()}});
    assert_eq!(o.officer2.push(&t, 7, 0, answer).await["outcome"], "applied");
    for (base, action) in [(1, "screen"), (2, "edit"), (3, "send_to_sign_off")] {
        assert_eq!(o.editor.push(&t, 7, base, json!({"op": "act", "action": action})).await["outcome"], "applied");
    }
    assert_eq!(o.signer.push(&t, 7, 4, json!({"op": "act", "action": "sign"})).await["outcome"], "applied");
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", crate::common::office::id(7)),
            json!({"publication_id": own, "form": "full", "date": today(), "issue": "第3期"}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(centi(&t, &editor, &q, "兰州湾镇").await, 100 + 500 + 500, "submission, full-text adoption, the commission's +5");
    // Withdrawn: it scores nothing any more and the units no longer see it.
    assert_eq!(
        t.post_json(&format!("/api/commissions/{cid}/withdraw"), json!({}), Some(&o.officer.cookie)).await.status(),
        StatusCode::FORBIDDEN
    );
    let gone = json(t.post_json(&format!("/api/commissions/{cid}/withdraw"), json!({}), Some(&o.editor.cookie)).await).await;
    assert_eq!(gone["withdrawn"], true);
    assert_eq!(centi(&t, &editor, &q, "兰州湾镇").await, 100 + 500);
    let mine = json(t.get("/api/commissions", Some(&o.officer2.cookie)).await).await;
    assert!(!mine.as_array().is_some_and(|l| l.iter().any(|c| c["id"] == cid)), "{mine}");
    assert_eq!(crate::common::office::audited(&t, "commission_withdrawn").await, vec!["防汛备汛".to_owned()]);
    let res = t.post_json(&format!("/api/commissions/{cid}"), fields, Some(&o.editor.cookie)).await;
    assert_eq!(json(res).await["detail"], "这个约稿已经撤回");
    months_agree_with_events(&t).await;
    // Scoring the past again agrees: nothing for a withdrawn commission.
    let admin = crate::common::office::admin_of(&t).await;
    recompute_changes_nothing(&t, &admin).await;
}

/// Issue 21, item 11: a unit moved to another office. Its draft begun before the move goes,
/// when submitted, to the office that oversees it now (decided at submission); the old
/// office's open commission shows the unit as moved away and never penalises it; who missed a
/// commission is decided when it closes and kept, so moving a unit afterwards (and scoring the
/// past again) leaves the penalty it had.
#[tokio::test]
async fn a_unit_moved_to_another_office_takes_its_drafts_and_is_never_penalised_by_the_old_one() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let root = t.root().await;
    let other = t.unit(root, "县直机关工委", "office").await;
    t.user_in("editor_b", crate::common::office::PW, xinbao_core::role::Role::Editor, other).await;
    let editor_b = t.login("editor_b", crate::common::office::PW).await;
    let asked = json!({"kind": "targeted", "topic": "冬季安全生产", "units": [o.town, o.town2], "from": day(-1), "deadline": day(3)});
    let cid = json(t.post_json("/api/commissions", asked, Some(&o.editor.cookie)).await).await["id"].as_i64().unwrap_or(0);
    // A draft begun under the county office…
    let draft =
        json!({"op": "save", "content": {"title": "河西镇冬季安全检查", "body": "11月21日，全镇检查企业12家。", "phone": "13912345678"}});
    assert_eq!(o.officer.push(&t, 1, 0, draft).await["outcome"], "applied");
    // …then 河西镇 moves to the other office.
    sqlx::query("UPDATE units SET parent_id = $1 WHERE id = $2").bind(other).bind(o.town).execute(&t.app.state.db.pool).await.ok();
    let submit =
        json!({"op": "submit", "content": {"title": "河西镇冬季安全检查", "body": "11月21日，全镇检查企业12家。", "phone": "13912345678"}});
    assert_eq!(o.officer.push(&t, 1, 1, submit).await["outcome"], "applied");
    let office_of: Option<i64> = sqlx::query_scalar("SELECT office_id FROM items WHERE id = $1")
        .bind(crate::common::office::id(1))
        .fetch_one(&t.app.state.db.pool)
        .await
        .ok();
    assert_eq!(office_of, Some(other), "submitted to the office that oversees the unit now");
    let theirs = json(t.get("/api/review/queue", Some(&editor_b)).await).await;
    assert!(theirs.to_string().contains("河西镇冬季安全检查"), "{theirs}");
    let ours = json(t.get("/api/review/queue", Some(&o.editor.cookie)).await).await;
    assert!(!ours.to_string().contains("河西镇冬季安全检查"), "{ours}");
    // The old office's commission: 河西镇 moved away, never missed; 兰州湾镇 penalised at close.
    assert_eq!(
        standing_of(&t, &o.editor.cookie, cid).await,
        vec![("河西镇".to_owned(), "moved_away".to_owned()), ("兰州湾镇".to_owned(), "open".to_owned())]
    );
    backdate(&t, cid, -1).await;
    assert_eq!(xinbao_server::commissions::close_due(&t.app.state).await.ok(), Some(1));
    let q = format!("from={}&to={}", day(-40), day(5));
    let board = json(t.get(&format!("/api/scores?by=unit&{q}"), Some(&o.editor.cookie)).await).await;
    assert_eq!(crate::common::office::row(&board, "兰州湾镇")["tally"]["centi"], -1000, "{board}");
    let penalties: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM score_events WHERE rule = 'commission_missed'")
        .fetch_one(&t.app.state.db.pool)
        .await
        .unwrap_or(-1);
    assert_eq!(penalties, 1, "the moved unit is never penalised by the office it left");
    // 兰州湾镇 moves afterwards: the penalty decided at close stays, recompute or not.
    sqlx::query("UPDATE units SET parent_id = $1 WHERE id = $2").bind(other).bind(o.town2).execute(&t.app.state.db.pool).await.ok();
    let admin = crate::common::office::admin_of(&t).await;
    recompute_changes_nothing(&t, &admin).await;
}

/// Issue 21, item 4, under the rescoring paths: once last month's notice is issued, a new fact
/// in an open period that would move points out of the closed month (a commission's +5 dated
/// by its item's earliest adoption) is refused, and one that leaves them where they are is
/// recorded.
#[tokio::test]
async fn scoring_an_item_again_never_moves_points_out_of_a_closed_month() {
    use xinbao_core::scores::{Period, ymd};
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let today = day_of(xinbao_server::db::now_ms());
    let (y, m, _) = ymd(today);
    let last = if m == 1 { Period::month(y - 1, 12) } else { Period::month(y, m - 1) };
    let (py, pm, _) = ymd(last.from - 1);
    let before = Period::month(py, pm);
    let asked = json!({"kind": "targeted", "topic": "秋粮收购进展", "units": [o.town], "from": day(-1), "deadline": day(3)});
    let cid = json(t.post_json("/api/commissions", asked, Some(&o.editor.cookie)).await).await["id"].as_i64().unwrap_or(0);
    let answer = json!({"op": "submit", "content": {"title": "河西镇秋粮收购过半", "body": "截至11月20日，全镇收购秋粮1.2万吨。",
        "phone": "13912345678", "commission": cid.to_string()}});
    assert_eq!(o.officer.push(&t, 1, 0, answer).await["outcome"], "applied");
    for (base, action) in [(1, "screen"), (2, "edit"), (3, "send_to_sign_off")] {
        assert_eq!(o.editor.push(&t, 1, base, json!({"op": "act", "action": action})).await["outcome"], "applied");
    }
    assert_eq!(o.signer.push(&t, 1, 4, json!({"op": "act", "action": "sign"})).await["outcome"], "applied");
    backdate_submissions(&t, today - before.from).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let adopt = |day: i32, issue: &'static str| {
        let cookie = o.editor.cookie.clone();
        let t = &t;
        async move {
            t.post_json(
                &format!("/api/items/{}/adoptions", crate::common::office::id(1)),
                json!({"publication_id": own, "form": "brief", "date": day_text(day), "issue": issue}),
                Some(&cookie),
            )
            .await
        }
    };
    assert_eq!(adopt(last.from + 1, "第1期").await.status(), StatusCode::OK);
    let q = format!("from={}&to={}", day_text(last.from), day_text(last.to));
    assert_eq!(t.post_json(&format!("/api/notice/issue?{q}"), json!({}), Some(&o.editor.cookie)).await.status(), StatusCode::OK);
    let events = all_events(&t).await;
    // An adoption dated in the month before (open) would carry the +5 out of the closed month.
    let res = adopt(before.from + 1, "第2期").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().unwrap_or_default().starts_with(&format!("{}的通报已经签发", last.title())));
    assert_eq!(all_events(&t).await, events, "nothing moved");
    // One dated today leaves the +5 where it is: recorded.
    assert_eq!(adopt(today, "第3期").await.status(), StatusCode::OK);
    assert_eq!(used_days(&t).await, vec![i64::from(last.from + 1)]);
    months_agree_with_events(&t).await;
    // A commission that cannot close (its penalty would fall in the closed month) never blocks
    // the lists that close what is due.
    let stuck = json!({"kind": "targeted", "topic": "防汛备汛", "units": [o.town2], "from": day(-1), "deadline": day(0)});
    let sid = json(t.post_json("/api/commissions", stuck, Some(&o.editor.cookie)).await).await["id"].as_i64().unwrap_or(0);
    backdate(&t, sid, last.to - today).await;
    assert_eq!(t.get("/api/commissions", Some(&o.officer2.cookie)).await.status(), StatusCode::OK);
    assert_eq!(t.get("/api/inbox", Some(&o.officer2.cookie)).await.status(), StatusCode::OK);
    // Withdrawn: what it scored in open periods goes, what the issued notice counted stays.
    let res = t.post_json(&format!("/api/commissions/{cid}/withdraw"), json!({}), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", json(res).await);
    assert_eq!(used_days(&t).await, vec![i64::from(last.from + 1)]);
}

async fn used_days(t: &TestApp) -> Vec<i64> {
    all_events(t).await.into_iter().filter(|e| e.4 == "commission_used").map(|e| e.0).collect()
}

/// Issue 21, item 9: an item answers one commission — returned and resubmitted naming another,
/// it keeps the answer it gave (withdrawn and resubmitted, it answers anew).
#[tokio::test]
async fn a_returned_item_resubmitted_keeps_its_one_answer() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let mut ids = Vec::new();
    for topic in ["秋粮收购进展", "冬季安全生产"] {
        let asked = json!({"kind": "targeted", "topic": topic, "units": [o.town], "from": day(-1), "deadline": day(3)});
        ids.push(json(t.post_json("/api/commissions", asked, Some(&o.editor.cookie)).await).await["id"].as_i64().unwrap_or(0));
    }
    let content = |c: i64| json!({"title": "河西镇秋粮收购过半", "body": "截至11月20日，全镇收购秋粮1.2万吨。", "phone": "13912345678", "commission": c.to_string()});
    assert_eq!(o.officer.push(&t, 1, 0, json!({"op": "submit", "content": content(ids[0])})).await["outcome"], "applied");
    assert_eq!(o.editor.push(&t, 1, 1, json!({"op": "act", "action": "screen"})).await["outcome"], "applied");
    assert_eq!(o.editor.push(&t, 1, 2, json!({"op": "act", "action": "return", "note": "请补充"})).await["outcome"], "applied");
    assert_eq!(o.officer.push(&t, 1, 3, json!({"op": "submit", "content": content(ids[1])})).await["outcome"], "applied");
    let answers: Vec<i64> =
        sqlx::query_scalar("SELECT commission_id FROM commission_answers").fetch_all(&t.app.state.db.pool).await.unwrap_or_default();
    assert_eq!(answers, vec![ids[0]]);
}

/// The scoreboard by unit for `p`, as `(unit, submitted, adopted, centi)`, sorted.
async fn board_rows(t: &TestApp, cookie: &str, p: xinbao_core::scores::Period) -> Vec<(String, i64, i64, i64)> {
    let b = json(t.get(&format!("/api/scores?by=unit&from={}&to={}", day_text(p.from), day_text(p.to)), Some(cookie)).await).await;
    let mut rows: Vec<(String, i64, i64, i64)> = b["rows"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|r| {
                    let n = |k: &str| r["tally"][k].as_i64().unwrap_or(i64::MIN);
                    (r["name"].as_str().unwrap_or_default().to_owned(), n("submitted"), n("adopted"), n("centi"))
                })
                .collect()
        })
        .unwrap_or_default();
    rows.sort();
    rows
}

/// The same numbers recomputed independently from the stored events, for every unit.
async fn tallied(t: &TestApp, p: xinbao_core::scores::Period) -> Vec<(String, i64, i64, i64)> {
    use sqlx::Row;
    let units: Vec<(i64, String)> = sqlx::query("SELECT id, name FROM units WHERE kind <> 'office'")
        .fetch_all(&t.app.state.db.pool)
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| (r.try_get(0).unwrap_or(0), r.try_get(1).unwrap_or_default()))
        .collect();
    let events = sqlx::query("SELECT unit_id, rule, source_kind, item_id, centi FROM score_events WHERE day BETWEEN $1 AND $2")
        .bind(i64::from(p.from))
        .bind(i64::from(p.to))
        .fetch_all(&t.app.state.db.pool)
        .await
        .unwrap_or_default();
    let mut out: Vec<(String, i64, i64, i64)> = units
        .iter()
        .map(|(id, name)| {
            let mine: Vec<_> = events.iter().filter(|e| e.try_get::<i64, _>(0).ok() == Some(*id)).collect();
            let submitted = mine.iter().filter(|e| e.try_get::<String, _>(1).ok().as_deref() == Some("submission")).count() as i64;
            let mut adopted: Vec<String> = mine
                .iter()
                .filter(|e| e.try_get::<String, _>(2).ok().as_deref() == Some("adoption"))
                .filter_map(|e| e.try_get::<String, _>(3).ok())
                .collect();
            adopted.sort();
            adopted.dedup();
            let centi = mine.iter().filter_map(|e| e.try_get::<i64, _>(4).ok()).sum();
            (name.clone(), submitted, adopted.len() as i64, centi)
        })
        .collect();
    out.sort();
    out
}

/// Issue 21, "prove it": random histories of adoptions (in any order of their dates), scoring
/// tables applied to the past with changed points, unchanged recomputes, and last month's notice
/// issued midway. After every step the scoreboard of last month and this month agrees with an
/// independent tally of the stored events, a recompute with the unchanged table changes no
/// event, and the issued notice — data, Word, Excel — never changes by a byte.
#[tokio::test]
async fn random_histories_agree_with_an_independent_tally_and_an_issued_notice_never_changes() {
    use xinbao_core::scores::{Period, ymd};
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let admin = crate::common::office::admin_of(&t).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let today = day_of(xinbao_server::db::now_ms());
    let (y, m, _) = ymd(today);
    let last = if m == 1 { Period::month(y - 1, 12) } else { Period::month(y, m - 1) };
    let this = Period::month(y, m);
    for n in 1..=4u64 {
        crate::common::office::submitted(&t, &mut o, n % 2 == 0, n, true).await;
    }
    backdate_submissions(&t, today - last.from).await;
    let table = json(t.get("/api/admin/scoring", Some(&admin)).await).await[0].clone();
    let q = format!("from={}&to={}", day_text(last.from), day_text(last.to));
    let mut issued: Option<(Vec<u8>, Vec<u8>, Vec<u8>)> = None;
    let mut rng = Lcg(0x5eed_2112);
    let span = (today - last.from + 1) as u64;
    // What the history did: adoptions recorded, tables with other points applied, refusals.
    let (mut adopted, mut rescored, mut refused) = (0, 0, 0);
    for round in 0..16 {
        if round == 8 {
            let res = t.post_json(&format!("/api/notice/issue?{q}"), json!({}), Some(&o.signer.cookie)).await;
            assert_eq!(res.status(), StatusCode::OK);
            let body = crate::common::bytes(res).await;
            let docx = crate::common::bytes(t.get(&format!("/api/notice.docx?{q}"), Some(&o.editor.cookie)).await).await;
            let xlsx = crate::common::bytes(t.get(&format!("/api/notice.xlsx?{q}"), Some(&o.editor.cookie)).await).await;
            issued = Some((body, docx, xlsx));
        }
        let from_day = last.from + rng.below(span) as i32;
        let closed = issued.is_some() && from_day <= last.to;
        match rng.below(3) {
            0 => {
                let item = crate::common::office::id(1 + rng.below(4));
                let res = t
                    .post_json(
                        &format!("/api/items/{item}/adoptions"),
                        json!({"publication_id": own, "form": "full", "date": day_text(from_day), "issue": format!("第{round}期")}),
                        Some(&o.editor.cookie),
                    )
                    .await;
                // Refused only for a closed month, or for moving points out of one.
                if res.status() == StatusCode::OK {
                    adopted += 1;
                } else {
                    assert!(issued.is_some(), "round {round}: {}", json(res).await);
                    refused += 1;
                }
            }
            op => {
                let mut changed = table.clone();
                changed["effective_from"] = json!(from_day);
                if op == 1 {
                    changed["centi"]["county_full"] = json!(300 + 100 * rng.below(7));
                }
                let before = all_events(&t).await;
                let res = t.post_json("/api/admin/scoring/recompute", json!({"table": changed, "reason": "核对"}), Some(&admin)).await;
                if closed {
                    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "round {round}: recomputing a closed month");
                    refused += 1;
                } else {
                    rescored += usize::from(op == 1);
                    assert_eq!(res.status(), StatusCode::OK, "round {round}");
                    if op == 2 {
                        // The table in force from that day is the default one again: only a
                        // version with other points can change events.
                        let versions = json(t.get("/api/admin/scoring", Some(&admin)).await).await;
                        if versions.as_array().is_some_and(|v| v.iter().all(|v| v["centi"] == table["centi"])) {
                            assert_eq!(all_events(&t).await, before, "round {round}: an unchanged recompute moved events");
                        }
                    }
                }
            }
        }
        months_agree_with_events(&t).await;
        for p in [last, this] {
            assert_eq!(board_rows(&t, &o.editor.cookie, p).await, tallied(&t, p).await, "round {round}: {}", p.title());
        }
        if let Some((body, docx, xlsx)) = &issued {
            assert_eq!(
                &crate::common::bytes(t.get(&format!("/api/notice?{q}"), Some(&o.officer.cookie)).await).await,
                body,
                "round {round}"
            );
            assert_eq!(&crate::common::bytes(t.get(&format!("/api/notice.docx?{q}"), Some(&o.officer.cookie)).await).await, docx);
            assert_eq!(&crate::common::bytes(t.get(&format!("/api/notice.xlsx?{q}"), Some(&o.officer.cookie)).await).await, xlsx);
            // And the live board of the closed month still says what the notice says.
            let n: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
            let live: i64 = board_rows(&t, &o.editor.cookie, last).await.iter().map(|r| r.3).sum();
            assert!(
                n["summary"].as_str().unwrap_or_default().contains(&format!("合计得分{}分", xinbao_core::scores::points_text(live))),
                "round {round}: {n}"
            );
        }
    }
    assert!(adopted >= 3 && rescored >= 2 && refused >= 1, "the history exercised each path: {adopted} {rescored} {refused}");
}
