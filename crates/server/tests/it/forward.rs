//! Office to office (issue 24, deliverable 4): a county server forwards what it sends up by
//! system to its city's Xinbao — a second server with its own database, reached over real
//! HTTP — as a client of it with the service account the city gave the county; the city's
//! adoption, instruction and comments come back and count in the county's scores. Then the
//! faults: the city unreachable, answers lost after the city did the work, the county
//! restarted, the city restored (a new epoch), the county restored from last night's backup —
//! and a randomized run of all of them. Each item arrives once; each adoption comes back once.

use crate::common::office::{PW, Who, id, office, submitted, today};
use crate::common::{TestApp, json};
use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use std::net::SocketAddr;
use xinbao_core::role::Role;
use xinbao_server::forward::{Faults, round, round_with};

/// The city served on a real port, stopped and started again on the same port.
struct City {
    t: TestApp,
    port: u16,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl City {
    async fn up(&mut self) {
        if self.task.is_some() {
            return;
        }
        let mut listener = None;
        for _ in 0..50 {
            match tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => {
                    listener = Some(l);
                    break;
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            }
        }
        let listener = listener.unwrap_or_else(|| panic!("port {} stays busy", self.port));
        self.port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let service = self.t.router.clone().into_make_service_with_connect_info::<SocketAddr>();
        self.task = Some(tokio::spawn(async move {
            let _ = axum::serve(listener, service).await;
        }));
    }

    async fn down(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// What the city holds from the county's accounts: (its id there, state, unit name).
async fn held_by_city(city: &TestApp) -> Vec<(String, String, String)> {
    let rows = sqlx::query(
        "SELECT i.id, i.state, n.name FROM items i JOIN users u ON u.id = i.author_id JOIN units n ON n.id = i.unit_id \
         WHERE u.username LIKE 'linshuang%' ORDER BY i.id",
    )
    .fetch_all(&city.app.state.db.pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect()
}

async fn failed_logins(city: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed'")
        .fetch_one(&city.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// One mutation on an item named by its full id.
async fn act(t: &TestApp, who: &mut Who, item: &str, base: u64, op: Value) -> Value {
    who.mid += 1;
    let mut m = json!({"mid": who.mid, "item_id": item, "base_rev": base});
    if let (Some(m), Some(op)) = (m.as_object_mut(), op.as_object()) {
        m.extend(op.clone());
    }
    let res = t.post_json("/api/sync/push", json!({"client_id": who.client, "mutations": [m]}), Some(&who.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    json(res).await["results"][0].clone()
}

/// The city's editor and signer take a county item through to signed.
async fn city_signs(city: &TestApp, editor: &mut Who, signer: &mut Who, item: &str) {
    for (base, action) in [(1, "screen"), (2, "edit"), (3, "send_to_sign_off")] {
        let r = act(city, editor, item, base, json!({"op": "act", "action": action})).await;
        assert_eq!(r["outcome"], "applied", "{action}: {r}");
    }
    let r = act(city, signer, item, 4, json!({"op": "act", "action": "sign"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
}

async fn city_publication(city: &TestApp, cookie: &str) -> i64 {
    let list = json(city.get("/api/publications", Some(cookie)).await).await;
    list.as_array()
        .and_then(|l| l.iter().find(|p| p["name"].as_str().is_some_and(|n| n.ends_with("政务信息"))))
        .and_then(|p| p["id"].as_i64())
        .unwrap_or_else(|| panic!("no own periodical in {list}"))
}

struct Pair {
    county: TestApp,
    county_office: crate::common::office::Office,
    city: City,
    city_office: crate::common::office::Office,
    destination: i64,
    admin: String,
    /// The unit the city made for the county.
    county_unit: i64,
}

/// A county and its city: the city gives the county an account (an officer of a unit named
/// after the county office), the county's administrator connects its destination with it.
async fn pair() -> Pair {
    let city_t = TestApp::spawn().await;
    let city_office = office(&city_t).await;
    let root = city_t.root().await;
    let county_unit = city_t.unit(root, "林双县政府办公室", "township").await;
    city_t.user_in("linshuang", PW, Role::Officer, county_unit).await;
    let mut city = City { t: city_t, port: 0, task: None };
    city.up().await;

    let county = TestApp::spawn().await;
    let county_office = office(&county).await;
    let admin = crate::common::office::admin_of(&county).await;
    let list = json(county.get("/api/admin/upward-links", Some(&admin)).await).await;
    let destination = list["destinations"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["level"] == "city"))
        .and_then(|d| d["id"].as_i64())
        .unwrap_or_else(|| panic!("{list}"));
    // A wrong password is refused there, and nothing is stored.
    let res = county
        .post_json(
            "/api/admin/upward-links",
            json!({"destination_id": destination, "url": city.url(), "username": "linshuang", "password": "wrong-one-1"}),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().is_some_and(|d| d.contains("账号或密码不对")));
    let res = county
        .post_json(
            "/api/admin/upward-links",
            json!({"destination_id": destination, "url": format!("{}/", city.url()), "username": "linshuang", "password": PW}),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let links = json(res).await;
    assert_eq!(links["links"][0]["username"], "linshuang", "{links}");
    assert!(links.to_string().find(PW).is_none(), "the password never comes back: {links}");
    Pair { county, county_office, city, city_office, destination, admin, county_unit }
}

async fn send_up(p: &mut Pair, items: &[u64], key: &str) {
    let ids: Vec<String> = items.iter().map(|n| id(*n)).collect();
    let res = p
        .county
        .post_json(
            "/api/upward/send",
            json!({"destination_id": p.destination, "method": "system", "note": "", "item_ids": ids, "key": key}),
            Some(&p.county_office.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", json(res).await);
}

/// The county's list: each sent item's forward.
async fn forwards(p: &Pair) -> Vec<(String, Value)> {
    let list = json(p.county.get("/api/upward", Some(&p.county_office.editor.cookie)).await).await;
    let mut out = Vec::new();
    for send in list["sends"].as_array().cloned().unwrap_or_default() {
        for item in send["items"].as_array().cloned().unwrap_or_default() {
            out.push((item["id"].as_str().unwrap_or_default().to_owned(), item["forward"].clone()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The county item's adoptions and instructions as its page shows them.
async fn county_scoring(p: &Pair, n: u64) -> Value {
    json(p.county.get(&format!("/api/items/{}/scoring", id(n)), Some(&p.county_office.editor.cookie)).await).await
}

#[tokio::test]
async fn a_county_item_goes_to_the_city_once_and_the_citys_adoption_instruction_and_comment_come_back() {
    let mut p = pair().await;
    // The county's own publications exist (its own periodical bears the same name as the
    // city's: both offices were named by default): the city's adoption must not land in it.
    let own_here = json(p.county.get("/api/publications", Some(&p.county_office.editor.cookie)).await).await;
    assert!(own_here.to_string().contains("政务信息"), "{own_here}");
    submitted(&p.county, &mut p.county_office, false, 1, true).await;
    submitted(&p.county, &mut p.county_office, true, 2, true).await;
    send_up(&mut p, &[1, 2], "b1").await;
    assert_eq!(forwards(&p).await[0].1["status"], "queued");
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));

    // At the city: once, in the city's queue, marked with the county.
    let held = held_by_city(&p.city.t).await;
    assert_eq!(held.len(), 2, "{held:?}");
    let remote_of = |n: u64| xinbao_core::upward::forward_item_id(&id(n), "linshuang");
    let (remote, remote2) = (remote_of(1), remote_of(2));
    assert!(held.iter().all(|(i, s, u)| (i == &remote || i == &remote2) && s == "submitted" && u == "林双县政府办公室"), "{held:?}");
    let queue = json(p.city.t.get("/api/review/queue", Some(&p.city_office.editor.cookie)).await).await;
    assert!(queue.to_string().contains("林双县政府办公室") && queue.to_string().contains("第1篇"), "{queue}");
    let f = forwards(&p).await;
    assert_eq!((f[0].1["status"].as_str(), f[0].1["remote_state"].as_str()), (Some("arrived"), Some("submitted")), "{f:?}");

    // The city signs it, adopts it in its own periodical, its mayor instructs, its editor comments.
    let (mut ce, mut cs) = (Who::login(&p.city.t, "editor", 13).await, Who::login(&p.city.t, "signer", 14).await);
    city_signs(&p.city.t, &mut ce, &mut cs, &remote).await;
    city_signs(&p.city.t, &mut ce, &mut cs, &remote2).await;
    let own = city_publication(&p.city.t, &ce.cookie).await;
    let res = p
        .city
        .t
        .post_json(
            &format!("/api/items/{remote}/adoptions"),
            json!({"publication_id": own, "form": "full", "date": today(), "issue": "2026年第41期"}),
            Some(&ce.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Both of the county's items in one combined piece of the city's: each gets its adoption.
    let res = p
        .city
        .t
        .post_json(
            &format!("/api/items/{remote2}/adoptions"),
            json!({"publication_id": own, "form": "combined", "date": today(), "issue": "2026年第42期", "with": [remote]}),
            Some(&ce.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = p
        .city
        .t
        .post_json(
            &format!("/api/items/{remote}/instructions"),
            json!({"level": "county", "date": today(), "leader": "王市长", "text": "经验做法好，请各县区学习"}),
            Some(&ce.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let r = act(&p.city.t, &mut ce, &remote, 5, json!({"op": "comment", "text": "请补充资金数据", "key": "c1"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");

    for _ in 0..2 {
        round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    }
    // At the county, without anyone typing it: the adoption at the city's level, the
    // instruction, the comment, the points.
    let scoring = county_scoring(&p, 1).await;
    let adoptions = scoring["adoptions"].as_array().cloned().unwrap_or_default();
    assert_eq!(adoptions.len(), 2, "{scoring}");
    assert!(adoptions.iter().all(|a| a["level"] == "city"), "{scoring}");
    assert_eq!(adoptions[0]["issue"], "2026年第41期");
    assert!(adoptions[0]["publication"].as_str().is_some_and(|n| n.contains("市政府办公室信息科")), "not the county's own: {scoring}");
    let second = county_scoring(&p, 2).await;
    assert_eq!(second["adoptions"][0]["issue"], "2026年第42期", "{second}");
    assert_eq!(second["adoptions"][0]["form"], "combined");
    assert!(adoptions[0]["recorded_by"].as_str().is_some_and(|r| r.contains("系统回传")), "{scoring}");
    assert_eq!(scoring["instructions"][0]["level"], "city", "{scoring}");
    assert_eq!(scoring["instructions"][0]["leader"], "王市长");
    let events = scoring["events"].as_array().cloned().unwrap_or_default();
    assert!(events.iter().any(|e| e["rule"].as_str().is_some_and(|r| r.starts_with("city"))), "points at the city's level: {scoring}");
    let list = json(p.county.get("/api/upward", Some(&p.county_office.editor.cookie)).await).await;
    assert_eq!(list["sends"][0]["items"][0]["adopted"], true, "{list}");
    // The county's own standing on the city's board, the year so far: first of the city's
    // units, both items sent and adopted there.
    let standing = &list["links"][0]["standing"];
    assert_eq!(
        (standing["rank"].as_u64(), standing["submitted"].as_u64(), standing["adopted"].as_u64()),
        (Some(1), Some(2), Some(2)),
        "{list}"
    );
    assert!(standing["of"].as_u64().is_some_and(|n| n >= 3), "the county among the city's units: {list}");
    let stats = json(p.county.get("/api/upward/stats", Some(&p.county_office.editor.cookie)).await).await;
    assert!(stats.to_string().contains("\"adopted\":2,\"level\":\"city\",\"month\":0"), "{stats}");
    // The officer sees the city's comment on their own item.
    let res = p
        .county
        .post_json(
            "/api/sync/pull",
            json!({"client_id": p.county_office.officer.client, "cursor": 0}),
            Some(&p.county_office.officer.cookie),
        )
        .await;
    let mine = json(res).await;
    assert!(mine.to_string().contains("请补充资金数据"), "{mine}");

    // Nothing doubles, however many rounds run.
    for _ in 0..3 {
        round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    }
    let again = county_scoring(&p, 1).await;
    assert_eq!(again["adoptions"].as_array().map(Vec::len), Some(2));
    assert_eq!(again["instructions"].as_array().map(Vec::len), Some(1));
    assert_eq!(again["events"], scoring["events"]);
    assert_eq!(held_by_city(&p.city.t).await.len(), 2);

    // The city takes its adoption back (an item removed from a draft issue): so does the county.
    let adoption_id: i64 = sqlx::query_scalar("SELECT adoption_id FROM adoption_items WHERE item_id = $1 ORDER BY adoption_id")
        .bind(&remote)
        .fetch_one(&p.city.t.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    {
        let mut tx = p.city.t.app.state.db.begin_write().await.unwrap_or_else(|e| panic!("{e}"));
        let city_office_id = p.city.t.root().await;
        xinbao_server::adoption::remove_adoption_for_tests(&mut tx, 1, city_office_id, adoption_id)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
    }
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    let after = county_scoring(&p, 1).await;
    assert_eq!(after["adoptions"].as_array().map(Vec::len), Some(1), "{after}");
    assert_eq!(after["adoptions"][0]["issue"], "2026年第42期", "{after}");
    assert_eq!(after["instructions"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn forwarding_survives_the_city_down_lost_answers_restarts_and_restores_on_either_side() {
    let mut p = pair().await;
    for n in 1..=6 {
        submitted(&p.county, &mut p.county_office, false, n, true).await;
    }
    // The city unreachable: the item waits, the page says why.
    p.city.down().await;
    send_up(&mut p, &[1], "b1").await;
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    let list = json(p.county.get("/api/upward", Some(&p.county_office.editor.cookie)).await).await;
    assert!(list["links"][0]["problem"].as_str().is_some_and(|w| w.contains("无法连接上级信报")), "{list}");
    // The section learns that, not where the city is: the address is the administrator's.
    assert!(!list.to_string().contains("127.0.0.1"), "{list}");
    assert_eq!(list["links"][0]["queued"], 1);
    assert_eq!(forwards(&p).await[0].1["status"], "queued");
    p.city.up().await;

    // The city takes it, the answer is lost: sent again, it is still one item there.
    round_with(&p.county.app.state, Faults { lose_push_answer: true, ..Faults::default() }).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(held_by_city(&p.city.t).await.len(), 1);
    assert_eq!(forwards(&p).await[0].1["status"], "queued");
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(held_by_city(&p.city.t).await.len(), 1);
    assert_eq!(forwards(&p).await[0].1["status"], "arrived");

    // The county restarted (its sessions at the city gone with it): it logs in again.
    p.county = p.county.restart().await;
    p.county_office.editor = Who::login(&p.county, "editor", 23).await;
    send_up(&mut p, &[2], "b2").await;
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(held_by_city(&p.city.t).await.len(), 2);

    // The city restored from a backup (a new epoch): everything goes again, nothing doubles.
    p.city.t.app.state.db.new_epoch().await.unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..3 {
        round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    }
    assert_eq!(held_by_city(&p.city.t).await.len(), 2);
    assert!(forwards(&p).await.iter().all(|(_, f)| f["status"] == "arrived"));

    // The county's numbers went back (its database restored from last night: the city has seen
    // these mutation numbers with other items) — the city says so, the county starts over.
    sqlx::query("UPDATE upward_links SET next_mid = 1").execute(&p.county.app.state.db.pool).await.unwrap_or_else(|e| panic!("{e}"));
    send_up(&mut p, &[3], "b3").await;
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    let held = held_by_city(&p.city.t).await;
    assert_eq!(held.len(), 3, "{held:?}");
    assert!(forwards(&p).await.iter().all(|(_, f)| f["status"] == "arrived"), "{:?}", forwards(&p).await);

    // The same item sent again after the county lost its record of the batch (restored from
    // before it): it meets itself at the city.
    sqlx::query("DELETE FROM forwards WHERE item_id = $1")
        .bind(id(3))
        .execute(&p.county.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("DELETE FROM upward_items WHERE item_id = $1")
        .bind(id(3))
        .execute(&p.county.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    send_up(&mut p, &[3], "b3-again").await;
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(held_by_city(&p.city.t).await.len(), 3);
    assert!(forwards(&p).await.iter().all(|(_, f)| f["status"] == "arrived"));
    // Sent by email, it is the county's own record only: nothing goes to the city.
    let res = p
        .county
        .post_json(
            "/api/upward/send",
            json!({"destination_id": p.destination, "method": "email", "note": "", "item_ids": [id(4)], "key": "b4"}),
            Some(&p.county_office.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(held_by_city(&p.city.t).await.len(), 3);

    // The city's server restored for real from a backup taken before item 5 arrived: it lost
    // item 5 (and says so with a new epoch); the county sends it again, and nothing doubles.
    if p.city.t.app.state.db.backend == xinbao_server::db::Backend::Sqlite {
        let night = p.city.t.dir.join("night.db");
        xinbao_server::backup::backup(&p.city.t.app.state.db, &night).await.unwrap_or_else(|e| panic!("{e:#}"));
        send_up(&mut p, &[5], "b5").await;
        round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(held_by_city(&p.city.t).await.len(), 4);
        p.city.down().await;
        let config = (*p.city.t.app.state.config).clone();
        p.city.t.app.state.db.pool.close().await;
        xinbao_server::backup::restore(&night, &config.data_dir).await.unwrap_or_else(|e| panic!("{e:#}"));
        p.city.t = TestApp::with_same_config(config).await;
        p.city.up().await;
        assert_eq!(held_by_city(&p.city.t).await.len(), 3, "the restored city lost item 5");
        for _ in 0..3 {
            round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
        }
        let held = held_by_city(&p.city.t).await;
        assert_eq!(held.len(), 4, "{held:?}");
        assert!(held.iter().any(|(i, _, _)| *i == xinbao_core::upward::forward_item_id(&id(5), "linshuang")));
    }

    // The city resets the account's password: the county stops trying (it would lock the
    // account) and says so; the administrator enters the new one and it goes on.
    let before = failed_logins(&p.city.t).await;
    p.city.t.user_in("linshuang", "Xinmima-2027", Role::Officer, p.county_unit).await;
    for _ in 0..3 {
        round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    }
    assert_eq!(failed_logins(&p.city.t).await, before + 1, "one refused login, then no more tries");
    let list = json(p.county.get("/api/upward", Some(&p.county_office.editor.cookie)).await).await;
    assert!(list["links"][0]["problem"].as_str().is_some_and(|w| w.contains("账号或密码不对")), "{list}");
    let res = p
        .county
        .post_json(
            "/api/admin/upward-links",
            json!({"destination_id": p.destination, "url": p.city.url(), "username": "LinShuang", "password": "Xinmima-2027"}),
            Some(&p.admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    send_up(&mut p, &[6], "b6").await;
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    let held = held_by_city(&p.city.t).await;
    assert!(held.iter().any(|(i, _, _)| *i == xinbao_core::upward::forward_item_id(&id(6), "linshuang")), "{held:?}");
    // The same account typed another way is the same account: nothing went again.
    let expected = if p.city.t.app.state.db.backend == xinbao_server::db::Backend::Sqlite { 5 } else { 4 };
    assert_eq!(held.len(), expected, "{held:?}");
    let list = json(p.county.get("/api/upward", Some(&p.county_office.editor.cookie)).await).await;
    assert_eq!(list["links"][0]["problem"], Value::Null, "{list}");

    // The city hands out a one-time password the account must change at its first login: the
    // login works, every push is refused. The county stops and says what to do, and does not
    // start over again and again.
    sqlx::query("UPDATE users SET must_change_password = 1 WHERE username = 'linshuang'")
        .execute(&p.city.t.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("DELETE FROM sessions").execute(&p.city.t.app.state.db.pool).await.unwrap_or_else(|e| panic!("{e}"));
    let client_before: String = sqlx::query_scalar("SELECT client_id FROM upward_links")
        .fetch_one(&p.county.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let logins_before = failed_logins(&p.city.t).await;
    for _ in 0..3 {
        round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    }
    let list = json(p.county.get("/api/upward", Some(&p.county_office.editor.cookie)).await).await;
    assert!(list["links"][0]["problem"].as_str().is_some_and(|w| w.contains("修改初始密码")), "{list}");
    let client_after: String = sqlx::query_scalar("SELECT client_id FROM upward_links")
        .fetch_one(&p.county.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client_before, client_after, "no start over for a refused account");
    assert_eq!(failed_logins(&p.city.t).await, logins_before);
    assert!(forwards(&p).await.iter().all(|(_, f)| f["status"] != "queued"), "nothing went back to waiting");
}

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// The randomized run: items sent up while the city goes down and up, answers are lost both
/// ways, the county restarts, the city is restored (new epoch), the city adopts and takes back.
/// Then a clean round: every item sent is at the city once, and every item's adoptions at the
/// county are the city's. `XINBAO_SEED=n` replays a run.
#[tokio::test]
async fn forwarding_converges_under_random_faults() {
    let seed = std::env::var("XINBAO_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| xinbao_server::db::now_ms() as u64 | 1);
    println!("forwarding convergence seed {seed}");
    let mut rng = Rng(seed);
    let mut p = pair().await;
    const ITEMS: u64 = 8;
    for n in 1..=ITEMS {
        submitted(&p.county, &mut p.county_office, n % 2 == 0, n, true).await;
    }
    let (mut ce, mut cs) = (Who::login(&p.city.t, "editor", 33).await, Who::login(&p.city.t, "signer", 34).await);
    let own = city_publication(&p.city.t, &ce.cookie).await;
    let mut sent = 0u64;
    let mut restarts = 0u64;
    let mut restores = 0u64;
    // Last night's backup of the county (SQLite: a file; a PostgreSQL run skips the restore).
    let sqlite = p.county.app.state.db.backend == xinbao_server::db::Backend::Sqlite;
    let mut backup: Option<(std::path::PathBuf, u64)> = None;
    for step in 0..60 {
        let state = p.county.app.state.clone();
        match rng.below(12) {
            0 | 1 if sent < ITEMS => {
                sent += 1;
                send_up(&mut p, &[sent], &format!("k{sent}-{step}")).await;
            }
            2 => p.city.down().await,
            3 => p.city.up().await,
            4 => {
                let _ = round_with(&state, Faults { lose_push_answer: true, ..Faults::default() }).await;
            }
            5 => {
                let _ = round_with(&state, Faults { lose_pull_answer: true, ..Faults::default() }).await;
            }
            6 => {
                if rng.below(3) == 0 {
                    p.city.t.app.state.db.new_epoch().await.unwrap_or_else(|e| panic!("{e}"));
                } else {
                    restarts += 1;
                    p.county = p.county.restart().await;
                    p.county_office.editor = Who::login(&p.county, "editor", 40 + restarts).await;
                }
            }
            7 | 8 => {
                // The city signs and adopts an item it holds, or takes an adoption back.
                let held = held_by_city(&p.city.t).await;
                if let Some((remote, s, _)) = held.get(rng.below(held.len().max(1) as u64) as usize).cloned() {
                    if s == "submitted" {
                        city_signs(&p.city.t, &mut ce, &mut cs, &remote).await;
                        let res = p
                            .city
                            .t
                            .post_json(
                                &format!("/api/items/{remote}/adoptions"),
                                json!({"publication_id": own, "form": "full", "date": today(), "issue": format!("第{step}期")}),
                                Some(&ce.cookie),
                            )
                            .await;
                        assert_eq!(res.status(), StatusCode::OK);
                    } else if let Ok(a) = sqlx::query_scalar::<_, i64>("SELECT adoption_id FROM adoption_items WHERE item_id = $1")
                        .bind(&remote)
                        .fetch_one(&p.city.t.app.state.db.pool)
                        .await
                    {
                        let mut tx = p.city.t.app.state.db.begin_write().await.unwrap_or_else(|e| panic!("{e}"));
                        let root = p.city.t.root().await;
                        xinbao_server::adoption::remove_adoption_for_tests(&mut tx, 1, root, a).await.unwrap_or_else(|e| panic!("{e:?}"));
                        tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
                    }
                }
            }
            9 if sqlite => match backup.take() {
                None => {
                    let file = p.county.dir.join(format!("night-{step}.db"));
                    xinbao_server::backup::backup(&p.county.app.state.db, &file).await.unwrap_or_else(|e| panic!("{e:#}"));
                    backup = Some((file, sent));
                }
                Some((file, sent_then)) => {
                    // The county PC's server restored from last night: what it sent since is
                    // forgotten here (the city still has it) and is sent again.
                    restores += 1;
                    let config = (*p.county.app.state.config).clone();
                    p.county.app.state.db.pool.close().await;
                    xinbao_server::backup::restore(&file, &config.data_dir).await.unwrap_or_else(|e| panic!("{e:#}"));
                    p.county = TestApp::with_same_config(config).await;
                    p.county_office.editor = Who::login(&p.county, "editor", 60 + restores).await;
                    sent = sent_then;
                }
            },
            _ => {
                let _ = round(&state).await;
            }
        }
    }
    // The city back for good; what the county has not sent yet goes too.
    p.city.up().await;
    while sent < ITEMS {
        sent += 1;
        send_up(&mut p, &[sent], &format!("k{sent}-last")).await;
    }
    for _ in 0..4 {
        round(&p.county.app.state).await.unwrap_or_else(|e| panic!("seed {seed}: {e:?}"));
    }
    let held = held_by_city(&p.city.t).await;
    let adopted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM adoption_items").fetch_one(&p.city.t.app.state.db.pool).await.unwrap_or(0);
    println!("seed {seed}: {sent} sent, {adopted} adopted at the city, {restarts} county restarts, {restores} county restores");
    assert_eq!(held.len() as u64, sent, "seed {seed}: every item sent is at the city once: {held:?}");
    let f = forwards(&p).await;
    assert!(f.iter().all(|(_, f)| f["status"] == "arrived"), "seed {seed}: {f:?}");
    for n in 1..=sent {
        let remote: String = sqlx::query_scalar("SELECT remote_id FROM forwards WHERE item_id = $1")
            .bind(id(n))
            .fetch_one(&p.county.app.state.db.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let there: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM adoption_items WHERE item_id = $1")
            .bind(&remote)
            .fetch_one(&p.city.t.app.state.db.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let here = county_scoring(&p, n).await["adoptions"].as_array().map(Vec::len).unwrap_or(0) as i64;
        if here != there {
            let f = sqlx::query("SELECT status, mid, detail, remote_state FROM forwards WHERE item_id = $1")
                .bind(id(n))
                .fetch_one(&p.county.app.state.db.pool)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let l = sqlx::query("SELECT pull_cursor, client_id, epoch FROM upward_links")
                .fetch_one(&p.county.app.state.db.pool)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let c: Vec<i64> = sqlx::query_scalar("SELECT seq FROM change_log WHERE item_id = $1")
                .bind(&remote)
                .fetch_all(&p.city.t.app.state.db.pool)
                .await
                .unwrap_or_default();
            let facts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM forward_facts WHERE item_id = $1")
                .bind(id(n))
                .fetch_one(&p.county.app.state.db.pool)
                .await
                .unwrap_or(0);
            println!(
                "forward {:?} {} {:?} {:?}; link cursor {} client {:?} epoch {:?}; city change seqs {c:?}; facts {facts}",
                f.get::<String, _>(0),
                f.get::<i64, _>(1),
                f.get::<String, _>(2),
                f.get::<String, _>(3),
                l.get::<i64, _>(0),
                l.get::<String, _>(1),
                l.get::<String, _>(2)
            );
        }
        assert_eq!(here, there, "seed {seed}: item {n}'s adoptions at the county are the city's");
    }
}

/// Two county servers on one database (both run rounds every 20 s): one at a time works the
/// link. Each item arrives once and the city's adoption comes back once, with both rounds run
/// at the same moment; a link another server holds is left to it until its lease runs out.
#[tokio::test]
async fn two_county_servers_work_a_link_one_at_a_time() {
    let mut p = pair().await;
    for n in 1..=3 {
        submitted(&p.county, &mut p.county_office, false, n, true).await;
    }
    // The second server: the same database, another address (another server's name).
    let mut config = (*p.county.app.state.config).clone();
    config.addr = SocketAddr::from(([127, 0, 0, 2], 8080));
    let second = TestApp::with_same_config(config).await;
    send_up(&mut p, &[1, 2], "b1").await;
    for _ in 0..3 {
        let (a, b) = tokio::join!(round(&p.county.app.state), round(&second.app.state));
        a.unwrap_or_else(|e| panic!("{e:?}"));
        b.unwrap_or_else(|e| panic!("{e:?}"));
    }
    assert_eq!(held_by_city(&p.city.t).await.len(), 2);
    assert!(forwards(&p).await.iter().all(|(_, f)| f["status"] == "arrived"), "{:?}", forwards(&p).await);

    // The city adopts item 1; both servers take it in at once: recorded once.
    let (mut ce, mut cs) = (Who::login(&p.city.t, "editor", 33).await, Who::login(&p.city.t, "signer", 34).await);
    let remote = xinbao_core::upward::forward_item_id(&id(1), "linshuang");
    city_signs(&p.city.t, &mut ce, &mut cs, &remote).await;
    let own = city_publication(&p.city.t, &ce.cookie).await;
    let res = p
        .city
        .t
        .post_json(
            &format!("/api/items/{remote}/adoptions"),
            json!({"publication_id": own, "form": "full", "date": today(), "issue": "第7期"}),
            Some(&ce.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    for _ in 0..2 {
        let (a, b) = tokio::join!(round(&p.county.app.state), round(&second.app.state));
        a.unwrap_or_else(|e| panic!("{e:?}"));
        b.unwrap_or_else(|e| panic!("{e:?}"));
    }
    let scoring = county_scoring(&p, 1).await;
    assert_eq!(scoring["adoptions"].as_array().map(Vec::len), Some(1), "{scoring}");

    // A server elsewhere holds the link (mid-round): neither of these sends anything…
    let now = xinbao_server::db::now_ms();
    sqlx::query("UPDATE upward_links SET round_owner = 'elsewhere', round_until = $1")
        .bind(now + 600_000)
        .execute(&p.county.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    send_up(&mut p, &[3], "b3").await;
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    round(&second.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(held_by_city(&p.city.t).await.len(), 2);
    // …until its lease runs out (it died mid-round): then the link is taken up again.
    sqlx::query("UPDATE upward_links SET round_until = $1")
        .bind(now - 1)
        .execute(&p.county.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    round(&second.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(held_by_city(&p.city.t).await.len(), 3);
    let owner: String = sqlx::query_scalar("SELECT round_owner FROM upward_links")
        .fetch_one(&p.county.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(owner, "", "the lease is let go after the round");
}

/// The administrator enters another account while a round is under way (its pushes read,
/// not yet sent): that round sends nothing more, so nothing lands under the old account and
/// the new one is not refused; the next round sends every waiting item under the new account.
#[tokio::test]
async fn an_account_entered_during_a_round_ends_that_round() {
    let mut p = pair().await;
    p.city.t.user_in("linshuang2", PW, Role::Officer, p.county_unit).await;
    for n in 1..=2 {
        submitted(&p.county, &mut p.county_office, false, n, true).await;
    }
    send_up(&mut p, &[1, 2], "b1").await;
    let pause: &'static (tokio::sync::Notify, tokio::sync::Notify) = Box::leak(Box::default());
    let state = p.county.app.state.clone();
    let stalled = tokio::spawn(async move { round_with(&state, Faults { pause_before_push: Some(pause), ..Faults::default() }).await });
    pause.0.notified().await;
    let res = p
        .county
        .post_json(
            "/api/admin/upward-links",
            json!({"destination_id": p.destination, "url": p.city.url(), "username": "linshuang2", "password": PW}),
            Some(&p.admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    pause.1.notify_one();
    stalled.await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(held_by_city(&p.city.t).await.is_empty(), "the old round sent nothing");
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    let held = held_by_city(&p.city.t).await;
    let new_ids: Vec<String> = (1..=2).map(|n| xinbao_core::upward::forward_item_id(&id(n), "linshuang2")).collect();
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(held.iter().all(|(i, _, _)| new_ids.contains(i)), "{held:?}");
    let list = json(p.county.get("/api/upward", Some(&p.county_office.editor.cookie)).await).await;
    assert_eq!(list["links"][0]["problem"], Value::Null, "{list}");
    assert!(forwards(&p).await.iter().all(|(_, f)| f["status"] == "arrived"), "{:?}", forwards(&p).await);
}

/// The county's editor types in the city's adoption from the city's notice before it comes
/// back: that record stands for it, counted once. And one that came back is not typed in again.
#[tokio::test]
async fn an_adoption_typed_in_by_hand_and_the_same_one_come_back_count_once() {
    let mut p = pair().await;
    for n in 1..=2 {
        submitted(&p.county, &mut p.county_office, false, n, true).await;
    }
    send_up(&mut p, &[1, 2], "b1").await;
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    let editor = p.county_office.editor.cookie.clone();
    let pubs = json(p.county.get("/api/publications", Some(&editor)).await).await;
    let city_level = pubs
        .as_array()
        .and_then(|l| l.iter().find(|p| p["level"] == "city"))
        .and_then(|p| p["id"].as_i64())
        .unwrap_or_else(|| panic!("no city-level publication in {pubs}"));
    let typed = |issue: &str| json!({"publication_id": city_level, "form": "full", "date": today(), "issue": issue, "with": []});
    let res = p.county.post_json(&format!("/api/items/{}/adoptions", id(1)), typed("第7期"), Some(&editor)).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", json(res).await);

    let (mut ce, mut cs) = (Who::login(&p.city.t, "editor", 33).await, Who::login(&p.city.t, "signer", 34).await);
    let own = city_publication(&p.city.t, &ce.cookie).await;
    for (n, issue) in [(1, "7"), (2, "第9期")] {
        let remote = xinbao_core::upward::forward_item_id(&id(n), "linshuang");
        city_signs(&p.city.t, &mut ce, &mut cs, &remote).await;
        let res = p
            .city
            .t
            .post_json(
                &format!("/api/items/{remote}/adoptions"),
                json!({"publication_id": own, "form": "full", "date": today(), "issue": issue}),
                Some(&ce.cookie),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    round(&p.county.app.state).await.unwrap_or_else(|e| panic!("{e:?}"));
    let one = county_scoring(&p, 1).await;
    assert_eq!(one["adoptions"].as_array().map(Vec::len), Some(1), "the typed one stands for the city's: {one}");
    let two = county_scoring(&p, 2).await;
    assert_eq!(two["adoptions"].as_array().map(Vec::len), Some(1), "{two}");
    // Typing in the one that came back is refused, with where it came from.
    let res = p.county.post_json(&format!("/api/items/{}/adoptions", id(2)), typed("9"), Some(&editor)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().is_some_and(|d| d.contains("上级信报已回传")));
    assert_eq!(county_scoring(&p, 2).await["adoptions"].as_array().map(Vec::len), Some(1));
}
