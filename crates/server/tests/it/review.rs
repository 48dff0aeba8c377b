//! The review loop on the server (issue 5): submit → take in → edit → return with a reason →
//! the officer revises and resubmits → edit → sign-off → signed; who may do what, from which
//! office; drafts stay private; comments thread; every step in the audit trail. Runs on SQLite
//! and, under `cargo xtask test`, PostgreSQL.

use crate::common::{TestApp, json};
use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use xinbao_core::role::Role;

fn id(n: u64) -> String {
    format!("{n:032x}")
}

fn client(n: u64) -> String {
    format!("{:032x}", 0xabc0_0000 + n)
}

const PW: &str = "Chunfeng-2026";

fn content(title: &str, body: &str) -> Value {
    json!({"title": title, "body": body, "item_type": "dynamic", "phone": "13912345678"})
}

struct Who {
    cookie: String,
    client: String,
    mid: u64,
}

impl Who {
    async fn login(t: &TestApp, name: &str, n: u64) -> Who {
        Who { cookie: t.login(name, PW).await, client: client(n), mid: 0 }
    }

    async fn push(&mut self, t: &TestApp, item: u64, base: u64, op: Value) -> Value {
        self.mid += 1;
        let mut m = json!({"mid": self.mid, "item_id": id(item), "base_rev": base});
        if let (Some(m), Some(op)) = (m.as_object_mut(), op.as_object()) {
            m.extend(op.clone());
        }
        let res = t.post_json("/api/sync/push", json!({"client_id": self.client, "mutations": [m]}), Some(&self.cookie)).await;
        assert_eq!(res.status(), StatusCode::OK);
        json(res).await["results"][0].clone()
    }

    async fn act(&mut self, t: &TestApp, item: u64, base: u64, action: &str, note: &str) -> Value {
        self.push(t, item, base, json!({"op": "act", "action": action, "note": note})).await
    }

    async fn pull(&self, t: &TestApp) -> Vec<Value> {
        let res = t.post_json("/api/sync/pull", json!({"client_id": self.client, "cursor": 0}), Some(&self.cookie)).await;
        assert_eq!(res.status(), StatusCode::OK);
        json(res).await["changes"].as_array().cloned().unwrap_or_default()
    }
}

async fn setup(t: &TestApp) -> (Who, Who, Who) {
    let root = t.root().await;
    t.user("lzw", PW, Role::Officer, "兰州湾镇").await;
    t.user_in("editor", PW, Role::Editor, root).await;
    t.user_in("signer", PW, Role::Signer, root).await;
    (Who::login(t, "lzw", 1).await, Who::login(t, "editor", 2).await, Who::login(t, "signer", 3).await)
}

#[tokio::test]
async fn the_whole_loop_submit_edit_return_resubmit_sign_with_every_step_audited() {
    let t = TestApp::spawn().await;
    let (mut officer, mut editor, mut signer) = setup(&t).await;
    // A draft is the officer's alone.
    assert_eq!(officer.push(&t, 1, 0, json!({"op": "save", "content": content("河西镇冰雹", "受灾农田1200亩。")})).await["rev"], 1);
    assert!(editor.pull(&t).await.is_empty(), "the office never sees drafts");

    let original = content("河西镇冰雹灾害", "6月3日，河西镇受灾农田1200亩。");
    assert_eq!(officer.push(&t, 1, 1, json!({"op": "submit", "content": original})).await["rev"], 2);
    let queue = editor.pull(&t).await;
    assert_eq!(queue.len(), 1);
    assert_eq!(
        (queue[0]["state"].as_str(), queue[0]["author_name"].as_str(), queue[0]["unit_name"].as_str()),
        (Some("submitted"), Some("lzw"), Some("兰州湾镇"))
    );

    assert_eq!(editor.act(&t, 1, 2, "screen", "").await["rev"], 3);
    assert_eq!(editor.act(&t, 1, 3, "edit", "").await["rev"], 4);
    let edited = content("河西镇遭受冰雹灾害", "6月3日下午，河西镇遭受冰雹，受灾农田1200亩。");
    assert_eq!(editor.push(&t, 1, 4, json!({"op": "act", "action": "save_edit", "content": edited})).await["rev"], 5);
    assert_eq!(editor.push(&t, 1, 5, json!({"op": "comment", "text": "请补充损失金额"})).await["outcome"], "applied");
    assert_eq!(editor.act(&t, 1, 5, "return", "缺少经济损失数据").await["rev"], 6);

    // The officer's next sync: back on the desk with the reason, the comment and the editor's text.
    let mine = officer.pull(&t).await;
    assert_eq!(mine[0]["state"], "returned");
    assert_eq!(mine[0]["review"]["note"], "缺少经济损失数据");
    assert_eq!(mine[0]["review"]["action"], "return");
    assert_eq!(mine[0]["comments"][0]["text"], "请补充损失金额");
    assert_eq!(mine[0]["content"]["title"], "河西镇遭受冰雹灾害");
    // Revises (saving stays "returned"), comments back, resubmits.
    let revised = content("河西镇遭受冰雹灾害", "6月3日下午，河西镇遭受冰雹，受灾农田1200亩，直接经济损失约360万元。");
    assert_eq!(officer.push(&t, 1, 6, json!({"op": "save", "content": revised})).await["rev"], 7);
    assert_eq!(officer.pull(&t).await[0]["state"], "returned");
    assert_eq!(officer.push(&t, 1, 7, json!({"op": "comment", "text": "已补充"})).await["outcome"], "applied");
    assert_eq!(officer.push(&t, 1, 7, json!({"op": "submit", "content": revised})).await["rev"], 8);

    assert_eq!(editor.act(&t, 1, 8, "screen", "").await["rev"], 9);
    assert_eq!(editor.act(&t, 1, 9, "edit", "").await["rev"], 10);
    assert_eq!(editor.act(&t, 1, 10, "send_to_sign_off", "").await["rev"], 11);
    assert_eq!(signer.pull(&t).await[0]["state"], "awaiting_sign_off");
    assert_eq!(signer.act(&t, 1, 11, "sign", "同意").await["rev"], 12);
    assert_eq!(officer.pull(&t).await[0]["state"], "signed");
    assert_eq!(officer.pull(&t).await[0]["comments"].as_array().map(Vec::len), Some(2));

    // The author's original text is kept, whatever the editor did.
    let first: String = sqlx::query("SELECT content FROM item_revisions WHERE item_id = $1 AND rev = 2")
        .bind(id(1))
        .fetch_one(&t.app.state.db.pool)
        .await
        .and_then(|r| r.try_get(0))
        .unwrap_or_default();
    assert!(first.contains("6月3日，河西镇受灾农田1200亩。"), "{first}");
    // The revisions, for the author and the office; nobody else.
    // The officer's own saves before (re)submission — the draft (rev 1) and the revising while it
    // was returned (rev 7) — are theirs alone.
    let revs = json(t.get(&format!("/api/items/{}/revisions", id(1)), Some(&editor.cookie)).await).await;
    let numbers: Vec<i64> = revs.as_array().map(|r| r.iter().filter_map(|v| v["rev"].as_i64()).collect()).unwrap_or_default();
    assert_eq!(numbers, [2, 3, 4, 5, 6, 8, 9, 10, 11, 12]);
    assert_eq!(revs[3]["by"], "editor");
    assert_eq!(revs[3]["content"]["title"], "河西镇遭受冰雹灾害");
    let own = json(t.get(&format!("/api/items/{}/revisions", id(1)), Some(&officer.cookie)).await).await;
    assert_eq!(own.as_array().map(Vec::len), Some(12));
    t.user("dfz", PW, Role::Officer, "大丰镇").await;
    let stranger = t.login("dfz", PW).await;
    assert_eq!(t.get(&format!("/api/items/{}/revisions", id(1)), Some(&stranger)).await.status(), StatusCode::NOT_FOUND);
    // Every step, in order, with from → to and the note.
    let audit: Vec<(String, String)> = sqlx::query("SELECT action, detail FROM audit_log WHERE subject = $1 ORDER BY id")
        .bind(id(1))
        .fetch_all(&t.app.state.db.pool)
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| (r.try_get(0).unwrap_or_default(), r.try_get(1).unwrap_or_default()))
        .collect();
    let actions: Vec<&str> = audit.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "submit",
            "review:screen",
            "review:edit",
            "review:save_edit",
            "comment",
            "review:return",
            "comment",
            "submit",
            "review:screen",
            "review:edit",
            "review:send_to_sign_off",
            "review:sign"
        ]
    );
    assert!(audit.iter().any(|(a, d)| a == "review:return" && d == "editing → returned：缺少经济损失数据"), "{audit:?}");
}

#[tokio::test]
async fn only_the_reviewing_office_s_editor_and_signer_act_and_refusals_say_why() {
    let t = TestApp::spawn().await;
    let (mut officer, mut editor, mut signer) = setup(&t).await;
    // Another county office under the same root, with its own editor and township.
    let root = t.root().await;
    let other_office = t.unit(root, "大丰县人民政府办公室", "office").await;
    let other_town = t.unit(other_office, "大丰镇", "township").await;
    t.user_in("other-editor", PW, Role::Editor, other_office).await;
    t.user_in("dfz", PW, Role::Officer, other_town).await;
    let mut other_editor = Who::login(&t, "other-editor", 4).await;
    let mut other_officer = Who::login(&t, "dfz", 5).await;

    officer.push(&t, 1, 0, json!({"op": "submit", "content": content("兰州湾镇的稿件", "正文1200亩。")})).await;
    other_officer.push(&t, 2, 0, json!({"op": "submit", "content": content("大丰镇的稿件", "正文300亩。")})).await;

    // Each office sees only its own reporting units' items; officers only their own.
    let titles = |v: Vec<Value>| v.iter().filter_map(|i| i["content"]["title"].as_str().map(str::to_owned)).collect::<Vec<_>>();
    assert_eq!(titles(editor.pull(&t).await), ["兰州湾镇的稿件"]);
    assert_eq!(titles(other_editor.pull(&t).await), ["大丰镇的稿件"]);
    assert_eq!(titles(other_officer.pull(&t).await), ["大丰镇的稿件"]);

    let refused = |r: &Value| (r["outcome"].as_str().map(str::to_owned), r["detail"].as_str().map(str::to_owned));
    // Another office's editor is not told the item exists.
    let r = other_editor.act(&t, 1, 1, "screen", "").await;
    assert_eq!(refused(&r), (Some("rejected".into()), Some("这篇稿件不属于您".into())));
    assert_eq!(r["reason"], "not_yours");
    let r = officer.act(&t, 1, 1, "screen", "").await;
    assert_eq!(refused(&r).1.as_deref(), Some("您的角色不能进行此操作"));
    let r = signer.act(&t, 1, 1, "screen", "").await;
    assert_eq!(refused(&r).1.as_deref(), Some("您的角色不能进行此操作"));
    let r = editor.act(&t, 1, 1, "sign", "").await;
    assert_eq!(refused(&r).1.as_deref(), Some("您的角色不能进行此操作"));
    let r = editor.act(&t, 1, 1, "return", "  ").await;
    assert_eq!(refused(&r).1.as_deref(), Some("请填写理由"));
    let r = editor.act(&t, 1, 1, "send_to_sign_off", "").await;
    assert_eq!(refused(&r).1.as_deref(), Some("稿件当前状态下不能进行此操作"));
    // The author cannot change what the office has, nor comment on someone else's item.
    let r = officer.push(&t, 1, 1, json!({"op": "save", "content": content("改", "改")})).await;
    assert_eq!(r["reason"], "wrong_state");
    let r = other_officer.push(&t, 1, 1, json!({"op": "comment", "text": "看看"})).await;
    assert_eq!(r["outcome"], "rejected");
    // The server-side queue: each office its own items, filtered; officers have none.
    let q = json(t.get("/api/review/queue", Some(&editor.cookie)).await).await;
    assert_eq!(q.as_array().map(|r| r.iter().filter_map(|x| x["title"].as_str()).collect::<Vec<_>>()), Some(vec!["兰州湾镇的稿件"]));
    assert_eq!(q[0]["unit_name"], "兰州湾镇");
    let q = json(t.get("/api/review/queue?state=signed", Some(&editor.cookie)).await).await;
    assert_eq!(q.as_array().map(Vec::len), Some(0));
    let q = json(t.get("/api/review/queue?q=%E5%A4%A7%E4%B8%B0", Some(&other_editor.cookie)).await).await;
    assert_eq!(q.as_array().map(Vec::len), Some(1));
    assert_eq!(t.get("/api/review/queue", Some(&officer.cookie)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(t.get("/api/review/queue?state=draft", Some(&editor.cookie)).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A stale base is a conflict, never a silent overwrite.
    assert_eq!(editor.act(&t, 1, 1, "screen", "").await["rev"], 2);
    let r = editor.act(&t, 1, 1, "not_use", "重复").await;
    assert_eq!(r["outcome"], "conflict");
    assert_eq!(r["server"]["state"], "screening");
}

#[tokio::test]
async fn an_urgent_item_can_go_straight_from_screening_to_sign_off() {
    let t = TestApp::spawn().await;
    let (mut officer, mut editor, mut signer) = setup(&t).await;
    let urgent = json!({"title": "河西镇突发山洪（初报）", "body": "7月1日14时，河西镇突发山洪，2人失联。", "item_type": "urgent",
        "phone": "13912345678", "event_time": 1_780_000_000_000i64});
    officer.push(&t, 1, 0, json!({"op": "submit", "content": urgent})).await;
    editor.act(&t, 1, 1, "screen", "").await;
    assert_eq!(editor.act(&t, 1, 2, "send_to_sign_off", "即编即送").await["rev"], 3);
    assert_eq!(signer.act(&t, 1, 3, "sign", "").await["rev"], 4);
}

#[tokio::test]
async fn a_long_comment_or_note_is_refused_with_its_reason_never_cut_short_and_save_edit_is_checked() {
    let t = TestApp::spawn().await;
    let (mut officer, mut editor, _) = setup(&t).await;
    officer.push(&t, 1, 0, json!({"op": "submit", "content": content("河西镇冰雹", "受灾农田1200亩。")})).await;
    let long = "受".repeat(2001);
    let r = officer.push(&t, 1, 1, json!({"op": "comment", "text": long, "key": "k1"})).await;
    assert_eq!((r["outcome"].as_str(), r["reason"].as_str()), (Some("rejected"), Some("invalid")));
    assert!(r["detail"].as_str().unwrap_or_default().contains("2000"));
    let r = officer.push(&t, 1, 1, json!({"op": "comment", "text": "受".repeat(2000), "key": "k2"})).await;
    assert_eq!(r["outcome"], "applied");
    assert_eq!(editor.pull(&t).await[0]["comments"][0]["text"].as_str().map(|s| s.chars().count()), Some(2000));
    let r = editor.act(&t, 1, 1, "return", &"因".repeat(2001)).await;
    assert_eq!(r["reason"], "invalid", "{r}");
    // 保存修改 is held to the submission checks: no empty body, no phone-less text.
    assert_eq!(editor.act(&t, 1, 1, "screen", "").await["outcome"], "applied");
    assert_eq!(editor.act(&t, 1, 2, "edit", "").await["outcome"], "applied");
    let r = editor
        .push(&t, 1, 3, json!({"op": "act", "action": "save_edit", "content": {"title": "河西镇冰雹", "body": " ", "phone": ""}}))
        .await;
    assert_eq!(r["reason"], "invalid", "{r}");
    // … and names only photos already on the item or sent by its author or this editor.
    let stranger_photo = "ab".repeat(32);
    let r = editor
        .push(&t, 1, 3, json!({"op": "act", "action": "save_edit", "content": {"title": "河西镇冰雹", "body": "受灾农田1200亩。", "phone": "13912345678",
            "photos": [{"sha256": stranger_photo, "name": "x.jpg", "width": 1, "height": 1, "size": 1}]}}))
        .await;
    assert_eq!(r["reason"], "missing_attachment", "{r}");
}
