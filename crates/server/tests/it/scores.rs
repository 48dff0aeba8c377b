//! Adoption, leader instructions and scores on the server (issue 6): signed items are adopted by
//! the office's editors, combined pieces credit every source, the same leader level counts once,
//! the scoreboard's totals are the sum of the events behind them (and agree with
//! `xinbao_core::scores::tally`), a scoring-table change applies only from its day on, and
//! nobody records or reads what is not theirs. Runs on SQLite and, under `cargo xtask test`,
//! PostgreSQL.

use crate::common::office::{PW, admin_of, audited, id, months_agree_with_events, office, part_text, publication, row, submitted, today};
use crate::common::{TestApp, json};
use axum::http::StatusCode;
use serde_json::json;
use sqlx::Row;
use xinbao_core::role::Role;
use xinbao_core::scores::{By, Credit, Period, Rule, ScoreEvent, Source, day_of, day_text, tally};

#[tokio::test]
async fn adoptions_and_instructions_score_and_every_total_drills_down() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    for n in 1..=3 {
        submitted(&t, &mut o, false, n, true).await;
    }
    submitted(&t, &mut o, true, 4, true).await;
    submitted(&t, &mut o, true, 5, false).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let city = publication(&t, &o.editor.cookie, "市政府").await;
    let date = today();

    // Full text in the county periodical: 5 points.
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", id(1)),
            json!({"publication_id": own, "form": "full", "date": date, "issue": "2026年第12期"}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(res).await["publication"], "林双政务信息");
    // A combined piece of items 2 and 4 (two units): 3 points each by the default rule.
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", id(2)),
            json!({"publication_id": own, "form": "combined", "date": date, "issue": "2026年第12期", "with": [id(4)]}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(res).await["items"].as_array().map(Vec::len), Some(2));
    // Item 1 again, by the city: adoptions add up.
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", id(1)),
            json!({"publication_id": city, "form": "full", "date": date, "issue": "第88期"}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Two county leaders instruct on item 3: counted once. A city leader: counted.
    for (level, leader) in [("county", "县长 王某"), ("county", "副县长 李某"), ("city", "市长 赵某")] {
        let res = t
            .post_json(
                &format!("/api/items/{}/instructions", id(3)),
                json!({"level": level, "date": date, "leader": leader, "text": "请农业农村局跟进。"}),
                Some(&o.signer.cookie),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    let board = json(t.get("/api/scores", Some(&o.officer.cookie)).await).await;
    // 河西镇: 3 submissions (3) + full 5 + city 20 + combined 3 + county instruction 5 + city instruction 10.
    let hexi = row(&board, "河西镇");
    assert_eq!(hexi["tally"], json!({"submitted": 3, "adopted": 2, "centi": 4600}));
    assert_eq!(hexi["rank"], 1);
    // 兰州湾镇: 2 submissions + combined 3; 1 of 2 adopted.
    let lzw = row(&board, "兰州湾镇");
    assert_eq!(lzw["tally"], json!({"submitted": 2, "adopted": 1, "centi": 500}));
    assert_eq!(lzw["rank"], 2);

    // The item shows what it earned, and the second county instruction says why it scored 0.
    let item3 = json(t.get(&format!("/api/items/{}/scoring", id(3)), Some(&o.officer.cookie)).await).await;
    assert_eq!(item3["instructions"].as_array().map(Vec::len), Some(3));
    let zero = item3["events"].as_array().and_then(|e| e.iter().find(|e| e["centi"] == 0)).cloned().unwrap_or_default();
    assert!(zero["note"].as_str().unwrap_or_default().contains("同级批示只计一次"), "{item3}");

    // Every total drills down to events that add up to it.
    for (unit, who) in [(o.town, &o.officer.cookie), (o.town2, &o.officer2.cookie)] {
        let page = json(t.get(&format!("/api/scores/events?unit={unit}"), Some(who)).await).await;
        let sum: i64 = page["events"].as_array().map(|e| e.iter().filter_map(|e| e["centi"].as_i64()).sum()).unwrap_or(0);
        let name = if unit == o.town { "河西镇" } else { "兰州湾镇" };
        assert_eq!(Some(sum), row(&board, name)["tally"]["centi"].as_i64());
        assert_eq!(page["total_centi"].as_i64(), Some(sum));
        assert_eq!(page["total"].as_u64(), page["events"].as_array().map(|e| e.len() as u64));
    }
    // By person, too.
    let people = json(t.get("/api/scores?by=person", Some(&o.editor.cookie)).await).await;
    assert_eq!(row(&people, "officer")["tally"]["centi"], 4600);
    assert_eq!(row(&people, "officer2")["tally"]["centi"], 500);

    // The SQL totals are the core's: tally the stored events with xinbao_core::scores::tally.
    let rows = sqlx::query("SELECT day, item_id, author_id, unit_id, rule, centi FROM score_events")
        .fetch_all(&t.app.state.db.pool)
        .await
        .unwrap_or_default();
    let events: Vec<ScoreEvent> = rows
        .iter()
        .map(|r| ScoreEvent {
            day: r.try_get::<i64, _>(0).unwrap_or(0) as i32,
            source: Source::Submission,
            credit: Credit {
                item_id: r.try_get(1).unwrap_or_default(),
                author_id: r.try_get(2).unwrap_or(0),
                unit_id: r.try_get(3).unwrap_or(0),
            },
            rule: Rule::parse(&r.try_get::<String, _>(4).unwrap_or_default()).unwrap_or(Rule::Submission),
            centi: r.try_get(5).unwrap_or(0),
            note: String::new(),
        })
        .collect();
    let day = day_of(xinbao_server::db::now_ms());
    let core = tally(&events, Period { from: day - 40, to: day }, By::Unit);
    assert_eq!(serde_json::to_value(&core[&o.town]).unwrap_or_default(), hexi["tally"]);
    assert_eq!(serde_json::to_value(&core[&o.town2]).unwrap_or_default(), lzw["tally"]);
    months_agree_with_events(&t).await;
}

#[tokio::test]
async fn only_the_offices_editors_adopt_signed_items_and_officers_drill_only_into_their_own() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    submitted(&t, &mut o, false, 1, true).await;
    submitted(&t, &mut o, false, 2, false).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let adopt = |item: u64| json!({"publication_id": own, "form": "full", "date": today(), "issue": "第1期", "_item": item});
    let post = |cookie: String, item: u64| {
        let t = &t;
        let body = adopt(item);
        async move { t.post_json(&format!("/api/items/{}/adoptions", id(item)), body, Some(&cookie)).await }
    };
    // The author, the signer: refused with the reason.
    let res = post(o.officer.cookie.clone(), 1).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = post(o.signer.cookie.clone(), 1).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(json(res).await["detail"].as_str().unwrap_or_default().contains("角色"));
    // Not yet signed.
    let res = post(o.editor.cookie.clone(), 2).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(json(res).await["detail"].as_str().unwrap_or_default().contains("状态"));
    // Another office's editor: the item does not exist for them.
    let root = t.root().await;
    let other = t.unit(root, "大丰县人民政府办公室", "office").await;
    t.user_in("other-editor", PW, Role::Editor, other).await;
    let other_editor = t.login("other-editor", PW).await;
    assert_eq!(post(other_editor.clone(), 1).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(t.get(&format!("/api/items/{}/scoring", id(1)), Some(&other_editor)).await.status(), StatusCode::NOT_FOUND);
    // Bad input: a clear message, nothing recorded.
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", id(1)),
            json!({"publication_id": own, "form": "full", "date": "2026-02-30", "issue": "第1期"}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().unwrap_or_default().contains("日期"));
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", id(1)),
            json!({"publication_id": own, "form": "full", "date": today(), "issue": "第1期", "with": [id(2)]}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let count: i64 = sqlx::query("SELECT COUNT(*) FROM adoptions").fetch_one(&t.app.state.db.pool).await.map(|r| r.get(0)).unwrap_or(-1);
    assert_eq!(count, 0);
    assert_eq!(post(o.editor.cookie.clone(), 1).await.status(), StatusCode::OK);
    // Officers read the whole scoreboard but drill only into their unit and themselves.
    assert_eq!(t.get(&format!("/api/scores/events?unit={}", o.town2), Some(&o.officer.cookie)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(t.get(&format!("/api/scores/events?unit={}", o.town), Some(&o.officer.cookie)).await.status(), StatusCode::OK);
    assert_eq!(t.get(&format!("/api/scores/events?unit={}", o.town2), Some(&o.editor.cookie)).await.status(), StatusCode::OK);
    // The office's reader (a leader's office) reads a signed item's scores and records an
    // instruction on it; not on an unsigned one.
    t.user_in("reader", PW, Role::Reader, root).await;
    let reader = t.login("reader", PW).await;
    assert_eq!(t.get(&format!("/api/items/{}/scoring", id(1)), Some(&reader)).await.status(), StatusCode::OK);
    assert_eq!(t.get(&format!("/api/items/{}/scoring", id(2)), Some(&reader)).await.status(), StatusCode::NOT_FOUND);
    let instruction = json!({"level": "county", "date": today(), "leader": "县长", "text": "好经验，推广。"});
    assert_eq!(
        t.post_json(&format!("/api/items/{}/instructions", id(1)), instruction.clone(), Some(&reader)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        t.post_json(&format!("/api/items/{}/instructions", id(2)), instruction, Some(&reader)).await.status(),
        StatusCode::NOT_FOUND
    );
    // The audit trail has the adoption.
    let audited: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'adoption'")
        .fetch_one(&t.app.state.db.pool)
        .await
        .map(|r| r.get(0))
        .unwrap_or(-1);
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn a_new_scoring_table_applies_from_its_day_on_and_never_to_the_past() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let root = t.root().await;
    t.user_in("boss", PW, Role::Admin, root).await;
    let admin = t.login("boss", PW).await;
    submitted(&t, &mut o, false, 1, true).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let day = day_of(xinbao_server::db::now_ms());
    let mut table = json(t.get("/api/admin/scoring", Some(&admin)).await).await[0].clone();
    table["centi"]["county_full"] = json!(800);
    // Backdated: refused — recomputing the past is not a side effect of editing the table.
    table["effective_from"] = json!(day);
    let res = t.post_json("/api/admin/scoring", table.clone(), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    table["effective_from"] = json!(day + 10);
    let res = t.post_json("/api/admin/scoring", table.clone(), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(res).await.as_array().map(Vec::len), Some(1));
    assert_eq!(t.post_json("/api/admin/scoring", table.clone(), Some(&o.editor.cookie)).await.status(), StatusCode::FORBIDDEN);
    // Adopted today: the table in force today (5). A fact dated after the change would be
    // dated ahead of today, which is refused (issue 21, item 3: no version can ever be saved
    // after facts dated inside it were recorded); the new table (8) scores facts of its days
    // as they come (`xinbao_core::scores` proves the arithmetic).
    for (date, issue, status) in [(day_text(day), "第1期", StatusCode::OK), (day_text(day + 12), "第2期", StatusCode::UNPROCESSABLE_ENTITY)]
    {
        let res = t
            .post_json(
                &format!("/api/items/{}/adoptions", id(1)),
                json!({"publication_id": own, "form": "full", "date": date, "issue": issue}),
                Some(&o.editor.cookie),
            )
            .await;
        assert_eq!(res.status(), status);
    }
    let scoring = json(t.get(&format!("/api/items/{}/scoring", id(1)), Some(&o.editor.cookie)).await).await;
    let points: Vec<i64> = scoring["events"]
        .as_array()
        .map(|e| e.iter().filter(|e| e["rule"] == "county_full").filter_map(|e| e["centi"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(points, vec![500]);
    let audited: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'scoring_table'")
        .fetch_one(&t.app.state.db.pool)
        .await
        .map(|r| r.get(0))
        .unwrap_or(-1);
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn unit_classes_set_quotas_for_units_by_the_month_and_for_officers_by_the_week() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let admin = admin_of(&t).await;
    for n in 1..=3 {
        submitted(&t, &mut o, false, n, false).await;
    }
    // Bad input is refused in words; only administrators define classes.
    let res =
        t.post_json("/api/admin/classes", json!({"id": 0, "name": " ", "monthly_quota": 2, "weekly_per_person": 1}), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().unwrap_or_default().contains("类别名称"));
    let class = json!({"id": 0, "name": "一类乡镇", "monthly_quota": 2, "weekly_per_person": 1});
    assert_eq!(t.post_json("/api/admin/classes", class.clone(), Some(&o.editor.cookie)).await.status(), StatusCode::FORBIDDEN);
    let classes = json(t.post_json("/api/admin/classes", class.clone(), Some(&admin)).await).await;
    let class_id = classes[0]["id"].as_i64().unwrap_or(0);
    assert_eq!(classes[0]["monthly_quota"], 2);
    let res = t.post_json("/api/admin/classes", class, Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "no two classes of one name");
    for town in [o.town, o.town2] {
        let res = t.post_json(&format!("/api/admin/units/{town}/class"), json!({"class_id": class_id}), Some(&admin)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = t.post_json(&format!("/api/admin/units/{}/class", o.town), json!({"class_id": 99_999}), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let board = json(t.get("/api/scores", Some(&o.officer.cookie)).await).await;
    assert_eq!(row(&board, "河西镇")["group"], "一类乡镇");
    assert_eq!(row(&board, "河西镇")["quota"], 2, "one month touched: 2 items");
    assert_eq!(row(&board, "兰州湾镇")["quota"], 2);
    assert_eq!(row(&board, "兰州湾镇")["tally"]["submitted"], 0);
    // A quarter: three months' quota.
    let day = day_of(xinbao_server::db::now_ms());
    let (y, m, _) = xinbao_core::scores::ymd(day);
    let q = Period::quarter(y, m.div_ceil(3));
    let quarter = json(t.get(&format!("/api/scores?from={}&to={}", day_text(q.from), day_text(q.to)), Some(&o.officer.cookie)).await).await;
    // The class was set today: the quarter's months already ended had none (issue 21, item 3).
    let open_months = u64::from(q.month_parts().iter().filter(|p| p.to >= day).count() as u32);
    assert_eq!(row(&quarter, "河西镇")["quota"].as_u64(), Some(2 * open_months));
    // Set up long before (no versions yet: the rules as they stand throughout): three months.
    sqlx::query("DELETE FROM board_rules").execute(&t.app.state.db.pool).await.ok();
    let quarter = json(t.get(&format!("/api/scores?from={}&to={}", day_text(q.from), day_text(q.to)), Some(&o.officer.cookie)).await).await;
    assert_eq!(row(&quarter, "河西镇")["quota"], 6);
    // By person: everyone ranked together, the weekly minimum over the period's whole weeks.
    let people = json(t.get("/api/scores?by=person", Some(&o.officer.cookie)).await).await;
    let month_so_far = Period { from: Period::month(y, m).from, to: day };
    assert_eq!(row(&people, "officer")["quota"].as_u64(), Some(u64::from(month_so_far.weeks())));
    assert_eq!(row(&people, "officer")["unit"], "河西镇");
    assert_eq!(row(&people, "officer")["rank"], 1);
    assert_eq!(row(&people, "officer2")["rank"], 2);
    assert_eq!(audited(&t, "unit_class_saved").await, vec!["一类乡镇：每月2条，每人每周1条".to_owned()]);
    assert_eq!(audited(&t, "unit_class_set").await.len(), 2);
}

#[tokio::test]
async fn recomputing_the_past_rescores_every_event_from_its_day_and_is_audited() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let admin = admin_of(&t).await;
    submitted(&t, &mut o, false, 1, true).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", id(1)),
            json!({"publication_id": own, "form": "full", "date": today(), "issue": "第1期"}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let day = day_of(xinbao_server::db::now_ms());
    let mut table = json(t.get("/api/admin/scoring", Some(&admin)).await).await[0].clone();
    table["centi"]["county_full"] = json!(800);
    table["centi"]["submission"] = json!(200);
    table["effective_from"] = json!(day - 5);
    // A reason is required; a future day is a plain new version, not a recomputation.
    let res = t.post_json("/api/admin/scoring/recompute", json!({"table": table, "reason": ""}), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut future = table.clone();
    future["effective_from"] = json!(day + 3);
    let res = t.post_json("/api/admin/scoring/recompute", json!({"table": future, "reason": "调整"}), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        t.post_json("/api/admin/scoring/recompute", json!({"table": table, "reason": "调整"}), Some(&o.editor.cookie)).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = t.post_json("/api/admin/scoring/recompute", json!({"table": table, "reason": "市政府办调整计分标准"}), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(res).await, json!({"events": 2, "centi_before": 600, "centi_after": 1000}));
    let scoring = json(t.get(&format!("/api/items/{}/scoring", id(1)), Some(&o.editor.cookie)).await).await;
    let mut points: Vec<(String, i64)> = scoring["events"]
        .as_array()
        .map(|e| e.iter().map(|e| (e["rule"].as_str().unwrap_or_default().to_owned(), e["centi"].as_i64().unwrap_or(0))).collect())
        .unwrap_or_default();
    points.sort();
    assert_eq!(points, vec![("county_full".to_owned(), 800), ("submission".to_owned(), 200)]);
    let board = json(t.get("/api/scores", Some(&o.editor.cookie)).await).await;
    assert_eq!(row(&board, "河西镇")["tally"]["centi"], 1000);
    let audit = audited(&t, "scores_recomputed").await;
    assert_eq!(audit.len(), 1);
    assert!(audit[0].contains("600 → 1000") && audit[0].contains("市政府办调整计分标准"), "{audit:?}");
    // Recomputing again changes nothing: the events are a function of the facts.
    let res = t.post_json("/api/admin/scoring/recompute", json!({"table": table, "reason": "复核"}), Some(&admin)).await;
    assert_eq!(json(res).await, json!({"events": 2, "centi_before": 1000, "centi_after": 1000}));
    months_agree_with_events(&t).await;
}

#[tokio::test]
async fn an_urgent_first_report_sent_after_its_deadline_costs_the_penalty() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let now = xinbao_server::db::now_ms();
    let urgent = |title: &str, event_time: i64| {
        json!({"op": "submit", "content": {"title": title, "body": "6月3日14时，河西镇突降冰雹，受灾农田约3000亩，无人员伤亡，镇政府已组织抢险。",
            "phone": "13912345678", "item_type": "urgent", "event_time": event_time}})
    };
    let r = o.officer.push(&t, 1, 0, urgent("河西镇遭遇冰雹灾害", now - 2 * 3_600_000)).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let r = o.officer.push(&t, 2, 0, urgent("河西镇发生山洪", now - 10 * 60_000)).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let late = json(t.get(&format!("/api/items/{}/scoring", id(1)), Some(&o.officer.cookie)).await).await;
    let rules: Vec<(String, i64)> = late["events"]
        .as_array()
        .map(|e| e.iter().map(|e| (e["rule"].as_str().unwrap_or_default().to_owned(), e["centi"].as_i64().unwrap_or(0))).collect())
        .unwrap_or_default();
    assert_eq!(rules, vec![("submission".to_owned(), 100), ("urgent_late".to_owned(), -1000)]);
    assert!(late["events"][1]["note"].as_str().unwrap_or_default().contains("初报超过时限"));
    let on_time = json(t.get(&format!("/api/items/{}/scoring", id(2)), Some(&o.officer.cookie)).await).await;
    assert_eq!(on_time["events"].as_array().map(Vec::len), Some(1));
    let board = json(t.get("/api/scores", Some(&o.officer.cookie)).await).await;
    assert_eq!(row(&board, "河西镇")["tally"], json!({"submitted": 2, "adopted": 0, "centi": -800}));
}

#[tokio::test]
async fn the_trend_gives_each_month_of_the_period_its_own_numbers() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    submitted(&t, &mut o, false, 1, false).await;
    submitted(&t, &mut o, false, 2, false).await;
    let day = day_of(xinbao_server::db::now_ms());
    let (y, m, _) = xinbao_core::scores::ymd(day);
    let year = Period::year(y);
    let q = format!("from={}&to={}", day_text(year.from), day_text(year.to));
    let trend = json(t.get(&format!("/api/scores/trend?{q}&unit={}", o.town), Some(&o.officer2.cookie)).await).await;
    let months = trend.as_array().cloned().unwrap_or_default();
    assert_eq!(months.len(), 12);
    assert_eq!(months[m as usize - 1]["label"], format!("{m}月"));
    assert_eq!(months[m as usize - 1]["tally"]["submitted"], 2);
    assert_eq!(months.iter().filter_map(|p| p["tally"]["submitted"].as_u64()).sum::<u64>(), 2);
    let person = json(t.get(&format!("/api/scores/trend?{q}&person=999999"), Some(&o.officer.cookie)).await).await;
    assert_eq!(person.as_array().map(|p| p.iter().all(|p| p["tally"]["centi"] == 0)), Some(true));
    assert_eq!(t.get(&format!("/api/scores/trend?{q}"), Some(&o.officer.cookie)).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_notice_comes_as_data_as_word_and_as_excel_with_the_same_numbers() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    submitted(&t, &mut o, false, 1, true).await;
    submitted(&t, &mut o, true, 2, false).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", id(1)),
            json!({"publication_id": own, "form": "full", "date": today(), "issue": "第1期"}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let day = day_of(xinbao_server::db::now_ms());
    let (y, m, _) = xinbao_core::scores::ymd(day);
    let month = Period::month(y, m);
    let q = format!("from={}&to={}", day_text(month.from), day_text(month.to));
    let notice = json(t.get(&format!("/api/notice?{q}"), Some(&o.officer.cookie)).await).await;
    assert_eq!(notice["title"], format!("关于{y}年{m}月政务信息工作情况的月通报"));
    assert_eq!(notice["office"], "林双县人民政府办公室");
    let rows = notice["sections"][0]["rows"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows[0]["name"], "河西镇");
    assert_eq!(rows[0]["points"], "6");
    assert!(notice["summary"].as_str().unwrap_or_default().contains("共报送政务信息2条，被采用1条"), "{notice}");

    let res = t.get(&format!("/api/notice.docx?{q}"), Some(&o.officer.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert!(res.headers()["content-disposition"].to_str().unwrap_or_default().contains("filename*=UTF-8''%E5%85%B3"));
    let docx = crate::common::bytes(res).await;
    let document = part_text(&docx, "word/document.xml");
    for needle in [notice["title"].as_str().unwrap_or("?"), "河西镇", "兰州湾镇", "排名", "全年累计", "未完成报送定额的单位"]
    {
        assert!(document.contains(needle), "the Word file lacks {needle}");
    }
    let res = t.get(&format!("/api/notice.xlsx?{q}"), Some(&o.officer.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let xlsx = crate::common::bytes(res).await;
    let strings = part_text(&xlsx, "xl/sharedStrings.xml");
    for needle in ["河西镇", "兰州湾镇", "单位", "采用率"] {
        assert!(strings.contains(needle), "the Excel file lacks {needle}");
    }
    assert!(part_text(&xlsx, "xl/workbook.xml").contains("个人排名"));
    assert_eq!(t.get(&format!("/api/notice.docx?{q}"), None).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_administrator_keeps_the_offices_publication_list_and_the_adoption_rate_floor() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let admin = admin_of(&t).await;
    submitted(&t, &mut o, false, 1, true).await;
    submitted(&t, &mut o, false, 2, false).await;
    let new = json!({"id": 0, "name": "市委信息专报", "level": "city", "kind": "special"});
    assert_eq!(t.post_json("/api/admin/publications", new.clone(), Some(&o.editor.cookie)).await.status(), StatusCode::FORBIDDEN);
    let res = t.post_json("/api/admin/publications", json!({"id": 0, "name": "", "level": "city", "kind": "special"}), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().unwrap_or_default().contains("刊物名称"));
    let list = json(t.post_json("/api/admin/publications", new.clone(), Some(&admin)).await).await;
    assert_eq!(list.as_array().map(Vec::len), Some(8), "the seven defaults and the new one: {list}");
    assert_eq!(t.post_json("/api/admin/publications", new, Some(&admin)).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The editor records an adoption in it: a city adoption, 20 points.
    let city = publication(&t, &o.editor.cookie, "市委信息专报").await;
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", id(1)),
            json!({"publication_id": city, "form": "full", "date": today(), "issue": "第3期"}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let board = json(t.get("/api/scores", Some(&o.officer.cookie)).await).await;
    assert_eq!(row(&board, "河西镇")["tally"], json!({"submitted": 2, "adopted": 1, "centi": 2200}));
    // 1 of 2 adopted is 50%: not under the default 30% floor, under a 60% one.
    assert_eq!(row(&board, "河西镇")["under_floor"], false);
    assert_eq!(
        t.post_json("/api/admin/scoring/floor", json!({"percent": 101}), Some(&admin)).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(t.post_json("/api/admin/scoring/floor", json!({"percent": 60}), Some(&admin)).await.status(), StatusCode::OK);
    let board = json(t.get("/api/scores", Some(&o.officer.cookie)).await).await;
    assert_eq!(board["floor_percent"], 60);
    assert_eq!(row(&board, "河西镇")["under_floor"], true);
    assert_eq!(audited(&t, "publication_saved").await.len(), 1);
    assert_eq!(audited(&t, "settings_changed").await, vec!["30% → 60%".to_owned()]);
}

/// Issue 21, item 4: the section issues (签发) a month's notice once the month has ended (never
/// an arbitrary range); from then on the notice — its data, Word and Excel file — is served
/// exactly as issued, whatever changes (the rate floor here), and the month is closed: an
/// adoption or instruction dated inside it is refused in words, and so is scoring it again —
/// until an administrator reopens it, with a reason, audited. Every fact's date is checked
/// against its item's submission and today.
#[tokio::test]
async fn an_issued_notice_is_frozen_and_its_period_closed() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    for n in 1..=2 {
        submitted(&t, &mut o, false, n, true).await;
    }
    let today_day = day_of(xinbao_server::db::now_ms());
    let (y, m, _) = xinbao_core::scores::ymd(today_day);
    let last = if m == 1 { Period::month(y - 1, 12) } else { Period::month(y, m - 1) };
    // Submitted on the first of last month (as if: the dates a past month would have).
    sqlx::query("UPDATE submissions SET day = $1").bind(i64::from(last.from)).execute(&t.app.state.db.pool).await.ok();
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let adopt = |n: u64, day: i32| {
        let cookie = o.editor.cookie.clone();
        let t = &t;
        async move {
            t.post_json(
                &format!("/api/items/{}/adoptions", id(n)),
                json!({"publication_id": own, "form": "full", "date": day_text(day), "issue": "第1期"}),
                Some(&cookie),
            )
            .await
        }
    };
    assert_eq!(adopt(1, last.from + 2).await.status(), StatusCode::OK);
    // Dates are checked against the item and today.
    assert_eq!(json(adopt(2, today_day + 1).await).await["detail"], "日期不能晚于今天");
    assert_eq!(json(adopt(2, last.from - 1).await).await["detail"], "日期不能早于稿件的报送日期");

    let q = format!("from={}&to={}", day_text(last.from), day_text(last.to));
    // Not before the month has ended, never a range; only the section.
    let this_month = format!("from={}&to={}", day_text(last.to + 1), day_text(Period::month(y, m).to));
    let res = t.post_json(&format!("/api/notice/issue?{this_month}"), json!({}), Some(&o.editor.cookie)).await;
    assert_eq!(json(res).await["detail"], "期间结束后才能签发这一期的通报");
    let range = format!("from=2020-01-01&to={}", day_text(last.to));
    let res = t.post_json(&format!("/api/notice/issue?{range}"), json!({}), Some(&o.editor.cookie)).await;
    assert_eq!(json(res).await["detail"], "只能签发月度、季度或年度通报");
    let res = t.post_json(&format!("/api/notice/issue?{q}"), json!({}), Some(&o.officer.cookie)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = t.post_json(&format!("/api/notice/issue?{q}"), json!({}), Some(&o.signer.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let issued = crate::common::bytes(res).await;
    let n: serde_json::Value = serde_json::from_slice(&issued).unwrap_or_default();
    assert!(n["issued_by"].as_str().unwrap_or_default().contains("签发"), "{n}");
    assert_eq!(audited(&t, "notice_issued").await.len(), 1);
    let res = t.post_json(&format!("/api/notice/issue?{q}"), json!({}), Some(&o.editor.cookie)).await;
    assert_eq!(json(res).await["detail"], "这一期的通报已经签发");
    let docx = crate::common::bytes(t.get(&format!("/api/notice.docx?{q}"), Some(&o.officer.cookie)).await).await;
    let xlsx = crate::common::bytes(t.get(&format!("/api/notice.xlsx?{q}"), Some(&o.officer.cookie)).await).await;
    assert!(part_text(&docx, "word/document.xml").contains("河西镇"));

    // The month is closed: facts dated inside it are refused, in words.
    let closed = format!("{}的通报已经签发，该期间已结账", last.title());
    let res = adopt(2, last.to).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().unwrap_or_default().starts_with(&closed));
    let res = t
        .post_json(
            &format!("/api/items/{}/instructions", id(1)),
            json!({"level": "county", "date": day_text(last.to), "leader": "县长 王某", "text": "请总结推广。"}),
            Some(&o.signer.cookie),
        )
        .await;
    assert!(json(res).await["detail"].as_str().unwrap_or_default().starts_with(&closed));
    let admin = admin_of(&t).await;
    let mut table = json(t.get("/api/admin/scoring", Some(&admin)).await).await[0].clone();
    table["effective_from"] = json!(last.from);
    let res = t.post_json("/api/admin/scoring/recompute", json!({"table": table.clone(), "reason": "核对"}), Some(&admin)).await;
    assert!(json(res).await["detail"].as_str().unwrap_or_default().contains(&format!("重新计分最早只能从{}起", day_text(last.to + 1))));
    // Today is open.
    assert_eq!(adopt(2, today_day).await.status(), StatusCode::OK);

    // Whatever changes, the issued notice is served as issued, byte for byte.
    let res = t.post_json("/api/admin/scoring/floor", json!({"percent": 100}), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(crate::common::bytes(t.get(&format!("/api/notice?{q}"), Some(&o.officer.cookie)).await).await, issued);
    assert_eq!(crate::common::bytes(t.get(&format!("/api/notice.docx?{q}"), Some(&o.officer.cookie)).await).await, docx);
    assert_eq!(crate::common::bytes(t.get(&format!("/api/notice.xlsx?{q}"), Some(&o.officer.cookie)).await).await, xlsx);
    assert!(n["remarks"][1].as_str().unwrap_or_default().starts_with("采用率低于30%"), "{n}");

    // An administrator reopens it, with a reason: the month is open again, the notice live.
    let reopen = json!({"from": day_text(last.from), "to": day_text(last.to), "reason": "误签发，更正后重发"});
    let res = t.post_json("/api/admin/notice/reopen", reopen.clone(), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = t.post_json("/api/admin/notice/reopen", reopen, Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let live = json(res).await;
    assert!(live["issued_by"].is_null());
    // Live again, and still on its own month's rules: the floor raised today is not its floor.
    assert!(live["remarks"][1].as_str().unwrap_or_default().starts_with("采用率低于30%"), "{live}");
    assert!(audited(&t, "notice_reopened").await[0].starts_with("理由：误签发，更正后重发"));
    assert_eq!(adopt(2, last.to).await.status(), StatusCode::OK);
    months_agree_with_events(&t).await;
}

/// Issue 21, item 3: quotas, classes and the rate floor are versioned like the scoring table.
/// Changing the 一类乡镇 quota or the floor today leaves a month already ended on the rules it
/// had — its board and its notice say what they said — while this month reads the new ones.
#[tokio::test]
async fn a_quota_or_floor_changed_today_leaves_an_ended_month_on_its_own_rules() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let admin = admin_of(&t).await;
    let class_id = crate::common::office::both_towns_in_class(&t, &o, &admin, 6, 1).await;
    // As if all this was set up long before: no versions yet, the rules as they stand.
    sqlx::query("DELETE FROM board_rules").execute(&t.app.state.db.pool).await.ok();
    submitted(&t, &mut o, false, 1, false).await;
    let today = day_of(xinbao_server::db::now_ms());
    let (y, m, _) = xinbao_core::scores::ymd(today);
    let last = if m == 1 { Period::month(y - 1, 12) } else { Period::month(y, m - 1) };
    let this = Period::month(y, m);
    let board = |p: Period, by: &'static str| {
        let cookie = o.editor.cookie.clone();
        let t = &t;
        async move { json(t.get(&format!("/api/scores?by={by}&from={}&to={}", day_text(p.from), day_text(p.to)), Some(&cookie)).await).await }
    };
    assert_eq!(row(&board(last, "unit").await, "河西镇")["quota"], 6);
    let notice_before =
        json(t.get(&format!("/api/notice?from={}&to={}", day_text(last.from), day_text(last.to)), Some(&o.editor.cookie)).await).await;

    // Today: the quota goes to 50 and the floor to 60%.
    let res = t
        .post_json(
            "/api/admin/classes",
            json!({"id": class_id, "name": "一类乡镇", "monthly_quota": 50, "weekly_per_person": 2}),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(t.post_json("/api/admin/scoring/floor", json!({"percent": 60}), Some(&admin)).await.status(), StatusCode::OK);
    let ended = board(last, "unit").await;
    assert_eq!(row(&ended, "河西镇")["quota"], 6, "the month already ended keeps its quota");
    assert_eq!(ended["floor_percent"], 30, "and its floor");
    assert_eq!(row(&board(this, "unit").await, "河西镇")["quota"], 50);
    assert_eq!(board(this, "unit").await["floor_percent"], 60);
    let people = board(last, "person").await;
    assert_eq!(row(&people, "officer")["quota"].as_u64(), Some(u64::from(last.weeks())), "one a week, as it was");
    assert_eq!(row(&board(this, "person").await, "officer")["quota"].as_u64(), Some(u64::from(2 * this.weeks())));
    // A quarter or a year is the sum of its months, each under its own rules.
    let both = Period { from: last.from, to: this.to };
    assert_eq!(row(&board(both, "unit").await, "河西镇")["quota"], 56);
    // Last month's notice says what it said.
    let notice_after =
        json(t.get(&format!("/api/notice?from={}&to={}", day_text(last.from), day_text(last.to)), Some(&o.editor.cookie)).await).await;
    assert_eq!(notice_after["sections"], notice_before["sections"]);
    assert_eq!(notice_after["remarks"], notice_before["remarks"]);
}
