//! Concurrent writes never fail: every pair of write endpoints, run at the same moment, gets
//! its answer — never "服务器出错了". On SQLite every write transaction takes the write lock up
//! front (`BEGIN IMMEDIATE`, with the busy timeout); a deferred one that read first failed at
//! once with "database is locked" when another writer committed meanwhile (two editors pressing
//! 新建一期 together failed 10 times out of 10). On PostgreSQL the item writes are guarded by
//! revision in the SQL.

use crate::common::office::{PW, office, publication};
use crate::common::{TestApp, json};
use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use xinbao_core::role::Role;
use xinbao_core::scores::{day_of, day_text};

/// A write request, made fresh for each run (new ids, new names).
struct Write {
    name: &'static str,
    make: Box<dyn Fn(u64) -> (String, Value, String) + Send + Sync>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_pair_of_write_endpoints_at_the_same_moment_gets_answers_never_a_500() {
    let t = Arc::new(TestApp::spawn().await);
    let o = office(&t).await;
    t.user("admin1", PW, Role::Admin, "县政府办公室").await;
    let admin = t.login("admin1", PW).await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let root = t.root().await;
    let issue = json(t.post_json("/api/periodical/issues", json!({"publication_id": own}), Some(&o.editor.cookie)).await).await;
    let issue_id = issue["id"].as_i64().unwrap_or(0);
    let fields = issue["fields"].clone();
    let today = day_text(day_of(xinbao_server::db::now_ms()));
    let later = day_text(day_of(xinbao_server::db::now_ms()) + 5);
    let (officer, officer2, editor) = (o.officer.cookie.clone(), o.officer2.cookie.clone(), o.editor.cookie.clone());
    let (town, town2) = (o.town, o.town2);
    let item = |n: u64| format!("{:032x}", 0xC0_0000 + n);
    let writes: Vec<Write> = vec![
        Write {
            name: "push (officer 1)",
            make: Box::new(move |n| {
                let m = json!({"mid": 1, "item_id": item(2 * n), "base_rev": 0, "op": "save",
                    "content": {"title": format!("稿件{n}"), "body": "6月3日，河西镇遭受冰雹袭击。", "phone": "13912345678"}});
                ("/api/sync/push".into(), json!({"client_id": format!("{:032x}", 0xA0_0000 + 2 * n), "mutations": [m]}), officer.clone())
            }),
        },
        Write {
            name: "push (officer 2, submit)",
            make: Box::new(move |n| {
                let m = json!({"mid": 1, "item_id": item(2 * n + 1), "base_rev": 0, "op": "submit",
                    "content": {"title": format!("报送{n}"), "body": "6月3日，兰州湾镇抢收小麦1.2万亩。", "phone": "13912345678"}});
                (
                    "/api/sync/push".into(),
                    json!({"client_id": format!("{:032x}", 0xA0_0000 + 2 * n + 1), "mutations": [m]}),
                    officer2.clone(),
                )
            }),
        },
        Write {
            name: "新建一期",
            make: {
                let editor = editor.clone();
                Box::new(move |_| ("/api/periodical/issues".into(), json!({"publication_id": own}), editor.clone()))
            },
        },
        Write {
            name: "save an issue",
            make: {
                let editor = editor.clone();
                Box::new(move |n| {
                    let mut f = fields.clone();
                    f["editor_note"] = json!(format!("编者按{n}"));
                    (format!("/api/periodical/issues/{issue_id}"), f, editor.clone())
                })
            },
        },
        Write {
            name: "publish a commission",
            make: {
                let editor = editor.clone();
                Box::new(move |n| {
                    let body =
                        json!({"kind": "targeted", "topic": format!("约稿{n}"), "units": [town, town2], "from": today, "deadline": later});
                    ("/api/commissions".into(), body, editor.clone())
                })
            },
        },
        Write {
            name: "add a unit",
            make: {
                let admin = admin.clone();
                Box::new(move |n| {
                    (
                        "/api/admin/units".into(),
                        json!({"parent_id": root, "name": format!("新单位{n}"), "kind": "department"}),
                        admin.clone(),
                    )
                })
            },
        },
        Write { name: "log in", make: Box::new(|_| ("/api/login".into(), json!({"username": "officer", "password": PW}), String::new())) },
    ];
    let writes = Arc::new(writes);
    let counter = Arc::new(AtomicU64::new(1));
    let mut failures = Vec::new();
    let mut runs = 0;
    for a in 0..writes.len() {
        for b in a..writes.len() {
            for _ in 0..3 {
                let send = |k: usize| {
                    let (t, writes, counter) = (t.clone(), writes.clone(), counter.clone());
                    tokio::spawn(async move {
                        let (path, body, cookie) = (writes[k].make)(counter.fetch_add(1, Ordering::SeqCst));
                        let cookie = (!cookie.is_empty()).then_some(cookie);
                        let res = t.post_json(&path, body, cookie.as_deref()).await;
                        (res.status(), json(res).await)
                    })
                };
                let (x, y) = (send(a), send(b));
                for (k, answer) in [(a, x.await), (b, y.await)] {
                    runs += 1;
                    match answer {
                        Ok((status, body)) if status.is_server_error() || status == StatusCode::UNAUTHORIZED => {
                            failures.push(format!("{} (with {}): {status} {body}", writes[k].name, writes[if k == a { b } else { a }].name))
                        }
                        Ok(_) => {}
                        Err(e) => failures.push(format!("{}: {e}", writes[k].name)),
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {runs} concurrent writes failed:\n{}", failures.len(), failures.join("\n"));
}

/// Two copies of one officer's browser profile (their items share ids, their clients do not)
/// push the same new drafts at the same moment, in rounds. A push writes its new drafts
/// together just before it commits; on PostgreSQL the other copy may write some of them
/// between its check and its insert. Whatever the interleaving, each item is written once:
/// one copy is told "applied", the other "conflict" with the version that won — never both
/// "applied" for a text the server does not hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twin_profiles_pushing_the_same_new_drafts_at_once_get_one_applied_and_one_conflict_each() {
    let t = Arc::new(TestApp::spawn().await);
    let o = office(&t).await;
    let cookie = o.officer.cookie.clone();
    let n = 60u64;
    for round in 0..4u64 {
        let item = move |i: u64| format!("{:032x}", 0xD0_0000 + round * 1000 + i);
        let pushes: Vec<_> = (0..2u64)
            .map(|twin| {
                let (t, cookie) = (t.clone(), cookie.clone());
                let mutations: Vec<Value> = (1..=n)
                    .map(|i| {
                        json!({"mid": i, "item_id": item(i), "base_rev": 0, "op": "save",
                            "content": {"title": format!("第{twin}份稿件{i}"), "body": "6月3日，河西镇遭受冰雹袭击。", "phone": "13912345678"}})
                    })
                    .collect();
                let client = format!("{:032x}", 0xE0_0000 + round * 10 + twin);
                tokio::spawn(async move {
                    let res = t.post_json("/api/sync/push", json!({"client_id": client, "mutations": mutations}), Some(&cookie)).await;
                    assert_eq!(res.status(), StatusCode::OK);
                    json(res).await["results"].as_array().cloned().unwrap_or_default()
                })
            })
            .collect();
        let mut answers = Vec::new();
        for p in pushes {
            answers.push(p.await.unwrap_or_else(|e| panic!("{e}")));
        }
        assert!(answers.iter().all(|a| a.len() == n as usize), "round {round}: {answers:?}");
        for i in 0..n as usize {
            let outcomes: Vec<&str> = answers.iter().map(|a| a[i]["outcome"].as_str().unwrap_or_default()).collect();
            let winner = answers.iter().position(|a| a[i]["outcome"] == "applied");
            assert!(outcomes.contains(&"applied") && outcomes.contains(&"conflict"), "round {round}, item {i}: {outcomes:?}");
            // The conflict shows the winner's text, which is what the server holds.
            let loser = answers.iter().find(|a| a[i]["outcome"] == "conflict").map(|a| a[i]["server"]["content"]["title"].clone());
            let stored = sqlx::query("SELECT title, rev FROM items WHERE id = $1")
                .bind(item(i as u64 + 1))
                .fetch_one(&t.app.state.db.pool)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let title: String = stored.try_get(0).unwrap_or_default();
            assert_eq!(loser, Some(json!(title)), "round {round}, item {i}");
            assert_eq!(title, format!("第{}份稿件{}", winner.unwrap_or(9), i + 1));
            assert_eq!(stored.try_get::<i64, _>(1).unwrap_or(0), 1);
        }
    }
}
