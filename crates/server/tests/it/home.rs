//! The information section's home page and its urgent-item announcements (issue 23): every
//! count is the database's; the week's commissions name who has not answered; units behind
//! the month's quota; instructions still without feedback; an urgent item submitted while an
//! editor's page listens is announced to that office's editors only, and only while the
//! session lives. Runs on SQLite and PostgreSQL.

use crate::common::office::{Office, PW, admin_of, both_towns_in_class, id, office, submitted};
use crate::common::{TestApp, json};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sqlx::Row;
use std::time::Duration;
use xinbao_core::role::Role;
use xinbao_core::scores::{day_of, day_text};

fn day(offset: i32) -> String {
    day_text(day_of(xinbao_server::db::now_ms()) + offset)
}

async fn urgent(t: &TestApp, who: &mut crate::common::office::Who, n: u64, title: &str) {
    let content = json!({"title": title, "body": "6月3日上午，兰州湾镇突降冰雹，受灾农田300亩，已组织抢收。", "phone": "13912345678",
        "item_type": "urgent", "event_time": xinbao_server::db::now_ms()});
    let r = who.push(t, n, 0, json!({"op": "submit", "content": content})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
}

async fn count(t: &TestApp, state: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM items WHERE state = $1")
        .bind(state)
        .fetch_one(&t.app.state.db.pool)
        .await
        .and_then(|r| r.try_get::<i64, _>(0))
        .unwrap_or(-1)
}

#[tokio::test]
async fn the_home_page_counts_what_the_database_holds_and_names_who_is_behind() {
    let t = TestApp::spawn().await;
    let mut o: Office = office(&t).await;
    let admin = admin_of(&t).await;
    // Both townships must send 2 items a month.
    both_towns_in_class(&t, &o, &admin, 2, 0).await;
    for n in 1..=3 {
        submitted(&t, &mut o, false, n, n == 3).await;
    }
    urgent(&t, &mut o.officer2, 5, "兰州湾镇突降冰雹").await;
    let r = o.editor.push(&t, 2, 1, json!({"op": "act", "action": "screen"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    // Two instructions on the signed item; one gets its feedback.
    let mut instructions = Vec::new();
    for leader in ["县长 王某", "副县长 李某"] {
        let res = t
            .post_json(
                &format!("/api/items/{}/instructions", id(3)),
                json!({"level": "county", "date": day(0), "leader": leader, "text": "请农业农村局跟进。"}),
                Some(&o.signer.cookie),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        instructions.push(json(res).await);
    }
    let wang = instructions[0]["id"].as_i64().unwrap_or(0);
    let res = t.post_json(&format!("/api/instructions/{wang}/feedback"), json!({"note": "已跟进。"}), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Commissions: one due in 3 days (河西镇 answers it), one in 10 days, one withdrawn.
    let due = json(
        t.post_json(
            "/api/commissions",
            json!({"kind": "targeted", "topic": "秋粮收购进展", "units": [o.town, o.town2], "from": day(-1), "deadline": day(3)}),
            Some(&o.editor.cookie),
        )
        .await,
    )
    .await;
    let cid = due["id"].as_i64().unwrap_or(0);
    for (topic, deadline) in [("冬季安全生产", 10), ("防汛备汛", 2)] {
        let c = json(
            t.post_json(
                "/api/commissions",
                json!({"kind": "targeted", "topic": topic, "units": [o.town2], "from": day(-1), "deadline": day(deadline)}),
                Some(&o.editor.cookie),
            )
            .await,
        )
        .await;
        if topic == "防汛备汛" {
            let res = t.post_json(&format!("/api/commissions/{}/withdraw", c["id"]), json!({}), Some(&o.editor.cookie)).await;
            assert_eq!(res.status(), StatusCode::OK);
        }
    }
    let answer = json!({"op": "submit", "content": {"title": "河西镇秋粮收购过半", "body": "截至11月20日，全镇收购秋粮1.2万吨。",
        "phone": "13912345678", "commission": cid.to_string()}});
    assert_eq!(o.officer.push(&t, 6, 0, answer).await["outcome"], "applied");

    // Officers have no home page here.
    assert_eq!(t.get("/api/review/home", Some(&o.officer.cookie)).await.status(), StatusCode::FORBIDDEN);
    for cookie in [&o.editor.cookie, &o.signer.cookie] {
        let res = t.get("/api/review/home", Some(cookie)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let home: Value = json(res).await;
        let waiting = home["waiting"].as_array().cloned().unwrap_or_default();
        assert_eq!(waiting.len(), 6, "{home}");
        for w in &waiting {
            let state = w["state"].as_str().unwrap_or_default();
            assert_eq!(w["count"].as_i64(), Some(count(&t, state).await), "{state}");
        }
        let n = |s: &str| waiting.iter().find(|w| w["state"] == s).and_then(|w| w["count"].as_i64());
        assert_eq!((n("submitted"), n("screening")), (Some(3), Some(1)), "items 1, 5, 6 submitted; 2 screened; {home}");
        let urgent: Vec<&str> =
            home["urgent"].as_array().map(|u| u.iter().filter_map(|r| r["title"].as_str()).collect()).unwrap_or_default();
        assert_eq!(urgent, ["兰州湾镇突降冰雹"]);
        assert!(home["urgent"][0]["event_time"].as_i64().is_some(), "the countdown's start: {home}");
        let due: Vec<(String, Vec<String>)> = home["commissions"]
            .as_array()
            .map(|c| {
                c.iter()
                    .map(|c| {
                        let names = c["not_answered"].as_array().map(|n| n.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect());
                        (c["topic"].as_str().unwrap_or_default().to_owned(), names.unwrap_or_default())
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(due, [("秋粮收购进展".to_owned(), vec!["兰州湾镇".to_owned()])], "due this week, not withdrawn; {home}");
        // 河西镇 sent 4 (items 1, 2, 3, 6): met. 兰州湾镇 sent 1 (the urgent item): behind.
        let behind: Vec<(String, i64, i64)> = home["behind"]
            .as_array()
            .map(|b| {
                b.iter()
                    .map(|b| {
                        (
                            b["name"].as_str().unwrap_or_default().to_owned(),
                            b["submitted"].as_i64().unwrap_or(-1),
                            b["quota"].as_i64().unwrap_or(-1),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(behind, [("兰州湾镇".to_owned(), 1, 2)], "{home}");
        assert_eq!(home["instructions_waiting"], 1);
        assert_eq!(home["instructions"][0]["leader"], "副县长 李某");
        assert_eq!(home["instructions"][0]["item_id"], id(3));
    }
}

/// Reads the stream until an `urgent` event arrives (its data), or gives up after `wait`.
async fn next_urgent(body: &mut Body, wait: Duration) -> Option<Value> {
    let read = async {
        let mut buf = String::new();
        loop {
            let frame = body.frame().await?.ok()?;
            if let Ok(data) = frame.into_data() {
                buf.push_str(&String::from_utf8_lossy(&data));
            }
            while let Some(end) = buf.find("\n\n") {
                let event: String = buf.drain(..end + 2).collect();
                if event.lines().any(|l| l == "event: urgent") {
                    let data = event.lines().find_map(|l| l.strip_prefix("data: "))?;
                    return serde_json::from_str(data).ok();
                }
            }
        }
    };
    tokio::time::timeout(wait, read).await.ok().flatten()
}

async fn listen(t: &TestApp, cookie: &str) -> axum::response::Response<Body> {
    t.send(Request::get("/api/review/announcements").header(header::COOKIE, cookie).body(Body::empty()).unwrap_or_default()).await
}

#[tokio::test]
async fn an_urgent_item_is_announced_to_its_offices_open_pages_only_while_the_session_lives() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    // Another county office with its own township, officer and editor.
    let other = t.unit(t.root().await, "邻县政府办公室", "office").await;
    let far = t.unit(other, "远山镇", "township").await;
    t.user_in("far_officer", PW, Role::Officer, far).await;
    t.user_in("far_editor", PW, Role::Editor, other).await;
    let mut far_officer = crate::common::office::Who::login(&t, "far_officer", 7).await;
    let far_editor = t.login("far_editor", PW).await;

    assert_eq!(listen(&t, &o.officer.cookie).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(listen(&t, "xinbao_session=0").await.status(), StatusCode::UNAUTHORIZED);
    let res = listen(&t, &o.editor.cookie).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("text/event-stream"));
    assert_eq!(res.headers().get("x-accel-buffering").and_then(|v| v.to_str().ok()), Some("no"));
    let mut editor = res.into_body();
    let mut signer = listen(&t, &o.signer.cookie).await.into_body();
    let mut theirs = listen(&t, &far_editor).await.into_body();
    // Let the watcher read the head before anything is submitted.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // An ordinary item is not announced; the other office's urgent item goes to its editor only.
    submitted(&t, &mut o, false, 1, false).await;
    urgent(&t, &mut far_officer, 8, "远山镇山体滑坡").await;
    urgent(&t, &mut o.officer2, 5, "兰州湾镇突降冰雹").await;
    let wait = Duration::from_secs(20);
    assert_eq!(next_urgent(&mut editor, wait).await, Some(json!({"item_id": id(5)})));
    assert_eq!(next_urgent(&mut signer, wait).await, Some(json!({"item_id": id(5)})));
    assert_eq!(next_urgent(&mut theirs, wait).await, Some(json!({"item_id": id(8)})));

    // Pushed to another server on the same database (written here without a push, so no
    // nudge): found by the watcher's poll.
    sqlx::query("UPDATE items SET state = 'submitted', item_type = 'urgent' WHERE id = $1")
        .bind(id(1))
        .execute(&t.app.state.db.pool)
        .await
        .ok();
    let seq: i64 = sqlx::query("UPDATE seq_counter SET value = value + 1 WHERE id = 1 RETURNING value")
        .fetch_one(&t.app.state.db.pool)
        .await
        .and_then(|r| r.try_get(0))
        .unwrap_or(0);
    sqlx::query("INSERT INTO change_log (seq, item_id, author_id, at, office_id) VALUES ($1, $2, 0, 0, $3)")
        .bind(seq)
        .bind(id(1))
        .bind(t.root().await)
        .execute(&t.app.state.db.pool)
        .await
        .ok();
    assert_eq!(next_urgent(&mut editor, wait).await, Some(json!({"item_id": id(1)})));

    // Sent back to its author, then submitted again: announced again. A comment on an item
    // still waiting is not news.
    let r = o.editor.push(&t, 5, 1, json!({"op": "act", "action": "return", "note": "请补充受灾人数。"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let again = json!({"title": "兰州湾镇突降冰雹（补充受灾人数）", "body": "6月3日上午，兰州湾镇突降冰雹，受灾农田300亩，受灾群众120人，已组织抢收。",
        "phone": "13912345678", "item_type": "urgent", "event_time": xinbao_server::db::now_ms()});
    let r = o.officer2.push(&t, 5, 2, json!({"op": "submit", "content": again})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    assert_eq!(next_urgent(&mut editor, wait).await, Some(json!({"item_id": id(5)})), "resubmitted");
    let r = o.editor.push(&t, 1, 1, json!({"op": "comment", "text": "请尽快核实。"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    urgent(&t, &mut o.officer2, 10, "兰州湾镇山洪").await;
    assert_eq!(next_urgent(&mut editor, wait).await, Some(json!({"item_id": id(10)})), "the comment was not announced");

    // A page that reconnects after a dropped line says the last event it had and hears what it
    // missed (its own office's only).
    let res = t
        .send(
            Request::get("/api/review/announcements")
                .header(header::COOKIE, &o.editor.cookie)
                .header("last-event-id", "0")
                .body(Body::empty())
                .unwrap_or_default(),
        )
        .await;
    let mut back = res.into_body();
    let mut missed = Vec::new();
    for _ in 0..3 {
        missed.push(next_urgent(&mut back, wait).await.and_then(|v| v["item_id"].as_str().map(str::to_owned)).unwrap_or_default());
    }
    missed.sort();
    assert_eq!(missed, [id(1), id(5), id(10)], "the missed urgent items still waiting, not 远山镇's");

    // Logged out: the open page hears nothing more; its stream ends.
    let res = t.post_json("/api/logout", json!({}), Some(&o.signer.cookie)).await;
    assert!(res.status().is_success());
    urgent(&t, &mut o.officer2, 9, "兰州湾镇再降冰雹").await;
    assert_eq!(next_urgent(&mut editor, wait).await, Some(json!({"item_id": id(9)})));
    assert_eq!(next_urgent(&mut signer, Duration::from_secs(5)).await, None, "a logged-out page hears nothing");
}
