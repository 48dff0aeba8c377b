//! Sign-off chains (issue 24): the office's administrator sets its levels, who holds them and
//! which levels sign what; an item sent for sign-off waits at each level in turn; each level
//! signs or sends back with a note; an urgent item's shorter chain; nobody signs at a level
//! they do not hold. SQLite and, under `cargo xtask test`, PostgreSQL.

use crate::common::office::{PW, Who, admin_of, id, office};
use crate::common::{TestApp, json};
use axum::http::StatusCode;
use serde_json::{Value, json};
use xinbao_core::role::Role;

struct Chain {
    o: crate::common::office::Office,
    chief: Who,
    director: Who,
    deputy: Who,
}

/// The office with three levels: 科长 (held by the office's signer), 办公室主任, 分管副县长;
/// urgent items signed by the director alone, important items going up by all three, other
/// items going up by chief and director, the rest by the chief.
async fn chain_office(t: &TestApp) -> Chain {
    let mut o = office(t).await;
    let root = t.root().await;
    let director = t.user_in("director", PW, Role::Signer, root).await;
    let deputy = t.user_in("deputy", PW, Role::Signer, root).await;
    let chief = json(t.get("/api/me", Some(&o.signer.cookie)).await).await["user_id"].as_i64().unwrap_or(0);
    let admin = admin_of(t).await;
    let setup = json!({
        "levels": [
            {"id": 1, "name": "科长", "holders": [chief]},
            {"id": 2, "name": "办公室主任", "holders": [director]},
            {"id": 3, "name": "分管副县长", "holders": [deputy]},
        ],
        "rules": [
            {"item_type": "urgent", "levels": [2]},
            {"important": true, "destination": "upward", "levels": [1, 2, 3]},
            {"destination": "upward", "levels": [1, 2]},
            {"levels": [1]},
        ],
    });
    let res = t.post_json("/api/admin/signing", setup, Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let chief = std::mem::replace(&mut o.signer, Who { cookie: String::new(), client: String::new(), mid: 0 });
    Chain { o, chief, director: Who::login(t, "director", 5).await, deputy: Who::login(t, "deputy", 6).await }
}

/// Item `n` submitted (urgent or not) and taken in to editing: at rev 3.
async fn to_editing(t: &TestApp, c: &mut Chain, n: u64, urgent: bool) {
    let kind = if urgent { "urgent" } else { "dynamic" };
    let content = json!({"title": format!("第{n}篇：河西镇抢收小麦"), "body": "6月3日，全镇抢收小麦1.2万亩。", "phone": "13912345678", "item_type": kind, "event_time": xinbao_server::db::now_ms()});
    let r = c.o.officer.push(t, n, 0, json!({"op": "submit", "content": content})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    for (base, action) in [(1, "screen"), (2, "edit")] {
        let r = c.o.editor.push(t, n, base, json!({"op": "act", "action": action})).await;
        assert_eq!(r["outcome"], "applied", "{action}: {r}");
    }
}

async fn send_in(t: &TestApp, c: &mut Chain, n: u64, base: u64, destination: &str, important: bool) -> Value {
    let r = c
        .o
        .editor
        .push(t, n, base, json!({"op": "act", "action": "send_to_sign_off", "route": {"destination": destination, "important": important}}))
        .await;
    assert_eq!(r["outcome"], "applied", "{r}");
    r
}

async fn item(t: &TestApp, who: &Who, n: u64) -> Value {
    let res = t.post_json("/api/sync/pull", json!({"client_id": who.client, "cursor": 0}), Some(&who.cookie)).await;
    let changes = json(res).await["changes"].as_array().cloned().unwrap_or_default();
    changes.into_iter().find(|c| c["id"] == id(n)).unwrap_or(Value::Null)
}

fn names(signing: &Value) -> Vec<String> {
    signing["steps"].as_array().map(|s| s.iter().filter_map(|s| s["name"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

#[tokio::test]
async fn an_important_item_going_up_is_signed_level_by_level_and_nobody_signs_out_of_turn() {
    let t = TestApp::spawn().await;
    let mut c = chain_office(&t).await;
    to_editing(&t, &mut c, 1, false).await;
    let r = send_in(&t, &mut c, 1, 3, "upward", true).await;
    assert_eq!(names(&r["signing"]), ["科长", "办公室主任", "分管副县长"], "{r}");
    assert_eq!(r["signing"]["at"], 0);
    // The queue says where it waits.
    let queue = json(t.get("/api/review/queue?state=awaiting_sign_off", Some(&c.o.editor.cookie)).await).await;
    assert_eq!(queue[0]["waiting_at"], "科长", "{queue}");

    // Each level in turn; the others are refused at every level, the editor too.
    for (level, base) in (0..3).zip(4..) {
        let item = item(&t, &c.o.editor, 1).await;
        assert_eq!(item["state"], "awaiting_sign_off", "level {level}: {item}");
        assert_eq!(item["signing"]["at"], level, "the item shows where it waits: {item}");
        let (holder, others): (&mut Who, [&mut Who; 2]) = match level {
            0 => (&mut c.chief, [&mut c.director, &mut c.deputy]),
            1 => (&mut c.director, [&mut c.chief, &mut c.deputy]),
            _ => (&mut c.deputy, [&mut c.chief, &mut c.director]),
        };
        for other in others {
            for action in ["sign", "send_back"] {
                let r = other.push(&t, 1, base, json!({"op": "act", "action": action, "note": "不同意"})).await;
                assert_eq!(r["outcome"], "rejected", "level {level}, {action} out of turn: {r}");
                assert!(r["detail"].as_str().is_some_and(|d| d.contains("其他层级")), "{r}");
            }
        }
        let r = c.o.editor.push(&t, 1, base, json!({"op": "act", "action": "sign"})).await;
        assert_eq!(r["outcome"], "rejected", "an editor never signs: {r}");
        let r = holder.push(&t, 1, base, json!({"op": "act", "action": "sign", "note": "同意"})).await;
        assert_eq!(r["outcome"], "applied", "level {level}: {r}");
        assert_eq!(r["signing"]["at"], level + 1);
    }
    let done = item(&t, &c.o.officer, 1).await;
    assert_eq!(done["state"], "signed", "{done}");
    let signed_by: Vec<_> =
        done["signing"]["steps"].as_array().map(|s| s.iter().map(|s| s["signed"]["by"].clone()).collect()).unwrap_or_default();
    assert_eq!(signed_by, [json!("signer"), json!("director"), json!("deputy")], "{done}");
}

#[tokio::test]
async fn each_level_sends_back_with_a_note_and_the_chain_starts_again() {
    let t = TestApp::spawn().await;
    let mut c = chain_office(&t).await;
    to_editing(&t, &mut c, 1, false).await;
    let mut base = 3;
    for back_at in 0..3u64 {
        send_in(&t, &mut c, 1, base, "upward", true).await;
        base += 1;
        for level in 0..back_at {
            let who = if level == 0 { &mut c.chief } else { &mut c.director };
            let r = who.push(&t, 1, base, json!({"op": "act", "action": "sign"})).await;
            assert_eq!(r["outcome"], "applied", "{r}");
            base += 1;
        }
        let who = match back_at {
            0 => &mut c.chief,
            1 => &mut c.director,
            _ => &mut c.deputy,
        };
        let r = who.push(&t, 1, base, json!({"op": "act", "action": "send_back"})).await;
        assert_eq!(r["outcome"], "rejected", "a send-back needs its note: {r}");
        let r = who.push(&t, 1, base, json!({"op": "act", "action": "send_back", "note": format!("第{back_at}级：数据请核实")})).await;
        assert_eq!(r["outcome"], "applied", "{r}");
        assert_eq!(r["signing"]["steps"], json!([]), "the chain ends with the send-back: {r}");
        base += 1;
        let back = item(&t, &c.o.editor, 1).await;
        assert_eq!(back["state"], "editing", "{back}");
        assert_eq!(back["review"]["note"], format!("第{back_at}级：数据请核实"));
        assert_eq!(back["signing"]["route"], json!({"destination": "upward", "important": true}), "the editor's choice is kept: {back}");
    }
    // Sent again, it starts at the first level; without a route it goes as it went before.
    let r = c.o.editor.push(&t, 1, base, json!({"op": "act", "action": "send_to_sign_off"})).await;
    assert_eq!(r["signing"]["at"], 0);
    assert_eq!(names(&r["signing"]), ["科长", "办公室主任", "分管副县长"], "{r}");
}

#[tokio::test]
async fn an_urgent_item_has_its_shorter_chain_and_routine_items_one_level() {
    let t = TestApp::spawn().await;
    let mut c = chain_office(&t).await;
    to_editing(&t, &mut c, 1, true).await;
    let r = send_in(&t, &mut c, 1, 3, "upward", true).await;
    assert_eq!(names(&r["signing"]), ["办公室主任"], "{r}");
    let r = c.chief.push(&t, 1, 4, json!({"op": "act", "action": "sign"})).await;
    assert_eq!(r["outcome"], "rejected", "{r}");
    let r = c.director.push(&t, 1, 4, json!({"op": "act", "action": "sign"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    assert_eq!(item(&t, &c.o.editor, 1).await["state"], "signed");

    // For the office's own periodical, not important: the chief alone.
    to_editing(&t, &mut c, 2, false).await;
    let r = send_in(&t, &mut c, 2, 3, "periodical", false).await;
    assert_eq!(names(&r["signing"]), ["科长"]);
    // A route left out (an older app) is the office's own periodical, not important.
    to_editing(&t, &mut c, 3, false).await;
    let r = c.o.editor.push(&t, 3, 3, json!({"op": "act", "action": "send_to_sign_off"})).await;
    assert_eq!(names(&r["signing"]), ["科长"], "{r}");
    // Going up, not important: chief then director.
    to_editing(&t, &mut c, 4, false).await;
    let r = send_in(&t, &mut c, 4, 3, "upward", false).await;
    assert_eq!(names(&r["signing"]), ["科长", "办公室主任"]);
}

#[tokio::test]
async fn without_a_setup_any_signer_signs_once_as_before() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let root = t.root().await;
    t.user_in("signer2", PW, Role::Signer, root).await;
    let mut second = Who::login(&t, "signer2", 9).await;
    crate::common::office::submitted(&t, &mut o, false, 1, false).await;
    for (base, action) in [(1, "screen"), (2, "edit"), (3, "send_to_sign_off")] {
        assert_eq!(o.editor.push(&t, 1, base, json!({"op": "act", "action": action})).await["outcome"], "applied");
    }
    let r = second.push(&t, 1, 4, json!({"op": "act", "action": "sign"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    assert_eq!(item(&t, &o.editor, 1).await["state"], "signed");
}

#[tokio::test]
async fn a_setup_is_the_office_administrators_and_holds_only_its_signers() {
    let t = TestApp::spawn().await;
    let o = office(&t).await;
    let admin = admin_of(&t).await;
    let officer = json(t.get("/api/me", Some(&o.officer.cookie)).await).await["user_id"].as_i64().unwrap_or(0);
    let view = json(t.get("/api/admin/signing", Some(&admin)).await).await;
    assert_eq!(view["setup"]["levels"], json!([]));
    assert_eq!(view["signers"].as_array().map(Vec::len), Some(1), "{view}");
    // An officer cannot hold a level.
    let bad = json!({"levels": [{"id": 1, "name": "科长", "holders": [officer]}], "rules": [{"levels": [1]}]});
    let res = t.post_json("/api/admin/signing", bad, Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().is_some_and(|d| d.contains("签发人")));
    // A rule naming a level that does not exist.
    let res = t.post_json("/api/admin/signing", json!({"levels": [], "rules": [{"levels": [4]}]}), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Nobody but an administrator reads or writes it.
    for who in [&o.editor, &o.signer, &o.officer] {
        assert_eq!(t.get("/api/admin/signing", Some(&who.cookie)).await.status(), StatusCode::FORBIDDEN);
        let res = t.post_json("/api/admin/signing", json!({"levels": [], "rules": []}), Some(&who.cookie)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(crate::common::office::audited(&t, "signing_setup").await.len(), 0);
    let res = t
        .post_json(
            "/api/admin/signing",
            json!({"levels": [{"id": 1, "name": "科长", "holders": []}], "rules": [{"levels": [1]}]}),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a level nobody holds");
    let signer = view["signers"][0]["id"].clone();
    let res = t
        .post_json(
            "/api/admin/signing",
            json!({"levels": [{"id": 1, "name": "科长", "holders": [signer]}], "rules": [{"levels": [1]}]}),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(crate::common::office::audited(&t, "signing_setup").await.len(), 1);
}

async fn user_id(t: &TestApp, who: &Who) -> i64 {
    json(t.get("/api/me", Some(&who.cookie)).await).await["user_id"].as_i64().unwrap_or(0)
}

#[tokio::test]
async fn a_holder_replaced_disabled_or_signing_twice_while_an_item_waits() {
    let t = TestApp::spawn().await;
    let mut c = chain_office(&t).await;
    let admin = t.login("boss", PW).await;
    let root = t.root().await;
    to_editing(&t, &mut c, 1, false).await;
    send_in(&t, &mut c, 1, 3, "upward", false).await;
    // The chief is replaced while the item waits at 科长: the new chief signs, the old one (a
    // step queued offline before) is refused.
    let new_chief = t.user_in("chief2", PW, Role::Signer, root).await;
    let mut chief2 = Who::login(&t, "chief2", 7).await;
    let (director, deputy) = (user_id(&t, &c.director).await, user_id(&t, &c.deputy).await);
    let setup = |chief: i64| {
        json!({
            "levels": [
                {"id": 1, "name": "科长", "holders": [chief]},
                {"id": 2, "name": "办公室主任", "holders": [director]},
                {"id": 3, "name": "分管副县长", "holders": [deputy]},
            ],
            "rules": [{"destination": "upward", "levels": [1, 2]}, {"levels": [1]}],
        })
    };
    assert_eq!(t.post_json("/api/admin/signing", setup(new_chief), Some(&admin)).await.status(), StatusCode::OK);
    let seen = item(&t, &c.director, 1).await;
    assert_eq!(seen["signing"]["steps"][0]["holders"], json!([new_chief]), "reviewers are told who may sign now: {seen}");
    let r = c.chief.push(&t, 1, 4, json!({"op": "act", "action": "sign"})).await;
    assert_eq!(r["outcome"], "rejected", "{r}");
    let r = chief2.push(&t, 1, 4, json!({"op": "act", "action": "sign"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    // The author sees who signed and where it waits, never which accounts may sign.
    let mine = item(&t, &c.o.officer, 1).await;
    assert_eq!(mine["signing"]["steps"][0]["signed"]["by"], "chief2", "{mine}");
    assert!(mine["signing"]["steps"].as_array().is_some_and(|s| s.iter().all(|s| s.get("holders").is_none())), "{mine}");

    // The director disabled while the item waits at 办公室主任: any signer of the office may
    // sign there — but not chief2, who signed the level before.
    let res = t.post_json(&format!("/api/admin/users/{director}"), json!({"disabled": true}), Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let r = chief2.push(&t, 1, 5, json!({"op": "act", "action": "sign"})).await;
    assert_eq!(r["outcome"], "rejected", "one person, one level: {r}");
    let r = c.deputy.push(&t, 1, 5, json!({"op": "act", "action": "sign"})).await;
    assert_eq!(r["outcome"], "applied", "nobody left at the level: any signer: {r}");
    assert_eq!(item(&t, &c.o.editor, 1).await["state"], "signed");
}
