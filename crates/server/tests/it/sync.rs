//! Sync faults on the server side (docs/sync-protocol.md): replays, gaps, concurrent duplicates, invalid
//! mutations mid-batch, stale bases, unknown clients and cursors, paging — on SQLite, and on
//! PostgreSQL when `cargo xtask test` provides a cluster.

use crate::common::{TestApp, json};
use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use xinbao_core::role::Role;

fn id(n: u64) -> String {
    format!("{n:032x}")
}

fn client(n: u64) -> String {
    format!("{:032x}", 0x00c0_ffee_0000 + n)
}

fn content(title: &str) -> Value {
    json!({"title": title, "body": "6月3日，河西镇遭受冰雹袭击，受灾农田1200亩。", "item_type": "dynamic", "phone": "13912345678"})
}

fn save(mid: u64, item: u64, base: u64, title: &str) -> Value {
    json!({"mid": mid, "item_id": id(item), "base_rev": base, "op": "save", "content": content(title)})
}

async fn officer(t: &TestApp, name: &str) -> String {
    t.user(name, "Chunfeng-2026", Role::Officer, "河西镇").await;
    t.login(name, "Chunfeng-2026").await
}

async fn push(t: &TestApp, cookie: &str, client: &str, mutations: Vec<Value>) -> (StatusCode, Value) {
    let res = t.post_json("/api/sync/push", json!({"client_id": client, "mutations": mutations}), Some(cookie)).await;
    (res.status(), json(res).await)
}

async fn pull(t: &TestApp, cookie: &str, client: &str, cursor: u64) -> Value {
    let res = t.post_json("/api/sync/pull", json!({"client_id": client, "cursor": cursor}), Some(cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    json(res).await
}

async fn count(t: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(&t.app.state.db.pool).await.and_then(|r| r.try_get(0)).unwrap_or(-1)
}

#[tokio::test]
async fn a_replayed_batch_is_applied_once() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    let batch = vec![save(1, 1, 0, "第一篇"), save(2, 1, 1, "第一篇改"), save(3, 2, 0, "第二篇")];
    let (status, first) = push(&t, &c, &client(1), batch.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["last_mid"], 3);
    assert_eq!(first["results"][1], json!({"mid": 2, "item_id": id(1), "outcome": "applied", "rev": 2}));
    // The connection dropped after the commit; the client sends the same batch again.
    let (_, again) = push(&t, &c, &client(1), batch).await;
    assert_eq!(again["results"], first["results"]);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items").await, 2);
    assert_eq!(count(&t, "SELECT rev FROM items WHERE title = '第一篇改'").await, 2);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM change_log").await, 2, "each item's newest change");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicate_pushes_apply_once() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    let batch: Vec<Value> = (1..=20).map(|i| save(i, i, 0, &format!("稿件{i}"))).collect();
    let cid = client(1);
    let (a, b) = tokio::join!(push(&t, &c, &cid, batch.clone()), push(&t, &c, &cid, batch.clone()));
    assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
    assert_eq!(a.1["results"], b.1["results"]);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items").await, 20);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM mutation_results").await, 20);
}

#[tokio::test]
async fn a_gap_in_mutation_ids_stops_the_batch_and_names_the_next_expected() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    push(&t, &c, &client(1), vec![save(1, 1, 0, "一")]).await;
    let (status, res) = push(&t, &c, &client(1), vec![save(3, 2, 0, "三"), save(4, 3, 0, "四")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(res["expected"], 2);
    assert_eq!(res["last_mid"], 1);
    assert_eq!(res["results"], json!([]));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items").await, 1);
}

#[tokio::test]
async fn an_invalid_mutation_mid_batch_is_rejected_and_the_rest_proceed() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    let bad_submit = json!({"mid": 2, "item_id": id(2), "base_rev": 0, "op": "submit", "content": {"title": "", "body": ""}});
    let bad_id = json!({"mid": 3, "item_id": "../etc", "base_rev": 0, "op": "save", "content": content("x")});
    let (_, res) = push(&t, &c, &client(1), vec![save(1, 1, 0, "一"), bad_submit, bad_id, save(4, 4, 0, "四")]).await;
    assert_eq!(res["last_mid"], 4, "a rejection still advances the client, or its queue would jam");
    assert_eq!(res["results"][1]["outcome"], "rejected");
    assert_eq!(res["results"][1]["reason"], "invalid");
    assert!(res["results"][1]["detail"].as_str().unwrap_or_default().contains("请填写标题"));
    assert_eq!(res["results"][2]["reason"], "bad_id");
    assert_eq!(res["results"][3]["outcome"], "applied");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items").await, 2);
}

#[tokio::test]
async fn a_stale_base_is_kept_as_a_conflict_and_nothing_is_overwritten() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    push(&t, &c, &client(1), vec![save(1, 1, 0, "原稿"), save(2, 1, 1, "第一台电脑改")]).await;
    // A second device of the same officer, still on revision 1.
    let (_, res) = push(&t, &c, &client(2), vec![save(1, 1, 1, "第二台电脑改")]).await;
    assert_eq!(res["results"][0]["outcome"], "conflict");
    assert_eq!(res["results"][0]["server"]["rev"], 2);
    assert_eq!(res["results"][0]["server"]["content"]["title"], "第一台电脑改");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items WHERE title = '第一台电脑改'").await, 1);
    let kept: String =
        sqlx::query("SELECT proposal FROM conflicts").fetch_one(&t.app.state.db.pool).await.and_then(|r| r.try_get(0)).unwrap_or_default();
    assert!(kept.contains("第二台电脑改"), "the losing text is kept on the server: {kept}");
}

#[tokio::test]
async fn a_submitted_item_is_the_office_s_and_the_author_cannot_overwrite_it() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    let submit = json!({"mid": 1, "item_id": id(1), "base_rev": 0, "op": "submit", "content": content("报送的稿件")});
    let (_, res) = push(&t, &c, &client(1), vec![submit, save(2, 1, 1, "报送后再改")]).await;
    assert_eq!(res["results"][0]["outcome"], "applied");
    assert_eq!(res["results"][1]["reason"], "wrong_state");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items WHERE state = 'submitted' AND title = '报送的稿件'").await, 1);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM audit_log WHERE action = 'submit'").await, 1);
}

#[tokio::test]
async fn pull_pages_through_every_change_once_in_order() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    for batch in 0..3u64 {
        let ms: Vec<Value> = (1..=150u64).map(|i| save(batch * 150 + i, batch * 150 + i, 0, &format!("稿件{}", batch * 150 + i))).collect();
        let (status, _) = push(&t, &c, &client(1), ms).await;
        assert_eq!(status, StatusCode::OK);
    }
    let mut cursor = 0;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = pull(&t, &c, &client(1), cursor).await;
        pages += 1;
        for ch in page["changes"].as_array().cloned().unwrap_or_default() {
            seen.push(ch["id"].as_str().unwrap_or_default().to_owned());
        }
        assert_eq!(page["last_mid"], 450);
        cursor = page["cursor"].as_u64().unwrap_or(0);
        if page["has_more"] != true {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 450);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 450);
    // Nothing new: an empty page at the same cursor.
    let after = pull(&t, &c, &client(1), cursor).await;
    assert_eq!(after["changes"], json!([]));
    assert_eq!(after["cursor"], cursor);
}

#[tokio::test]
async fn an_unknown_cursor_or_client_starts_over_and_nothing_is_confused() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    push(&t, &c, &client(1), vec![save(1, 1, 0, "一")]).await;
    // A cursor from a server that was later restored from an older backup.
    let page = pull(&t, &c, &client(1), 1_000_000).await;
    assert_eq!(page["reset"], true);
    assert_eq!(page["changes"].as_array().map(Vec::len), Some(1));
    // A client this server never saw whose first mid is above 1 has a past the server lost (a
    // restore) or never had (a copied profile): nothing is applied, it is told to start at 1.
    let (_, res) = push(&t, &c, &client(9), vec![save(51, 2, 0, "恢复后的第一条"), save(52, 3, 0, "第二条")]).await;
    assert_eq!(res["expected"], 1);
    assert_eq!(res["results"], json!([]));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items").await, 1);
    // Under a new id from 1, both go.
    let (_, res) = push(&t, &c, &client(10), vec![save(1, 2, 0, "恢复后的第一条"), save(2, 3, 0, "第二条")]).await;
    assert_eq!(res["last_mid"], 2);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items").await, 3);
}

#[tokio::test]
async fn a_mid_reused_for_a_different_mutation_is_refused_never_answered_from_the_store() {
    // A restore-card PC: mids 1–3 were acknowledged, the disk rolled back to when the next mid
    // was 2, and the officer then wrote and submitted a new item under mid 2.
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    let (_, first) = push(&t, &c, &client(1), vec![save(1, 1, 0, "快照前"), save(2, 2, 0, "快照后一"), save(3, 3, 0, "快照后二")]).await;
    assert_eq!(first["last_mid"], 3);
    let epoch = first["epoch"].as_str().unwrap_or_default().to_owned();
    assert_eq!(epoch.len(), 32);
    let submit = json!({"mid": 2, "item_id": id(9), "base_rev": 0, "op": "submit", "content": content("还原后新写的稿件")});
    let (status, res) = push(&t, &c, &client(1), vec![save(1, 1, 0, "快照前"), submit.clone()]).await;
    assert_eq!(status, StatusCode::OK);
    // mid 1 asks what it asked before: its stored result, naming its item; mid 2 does not.
    assert_eq!(res["results"], json!([{"mid": 1, "item_id": id(1), "outcome": "applied", "rev": 1}]));
    assert_eq!(res["reused"], 2);
    assert_eq!(res["last_mid"], 3);
    assert_eq!(count(&t, &format!("SELECT COUNT(*) FROM items WHERE id = '{}'", id(9))).await, 0, "nothing was applied");
    // The same mutation under a used mid in one batch twice is one answer; a different one is refused.
    let (_, res) = push(&t, &c, &client(1), vec![submit.clone()]).await;
    assert_eq!(res["reused"], 2);
    // Starting over under a new id, the item goes — once.
    let renumbered = json!({"mid": 1, "item_id": id(9), "base_rev": 0, "op": "submit", "content": content("还原后新写的稿件")});
    let (_, res) = push(&t, &c, &client(2), vec![renumbered.clone()]).await;
    assert_eq!(res["results"][0]["outcome"], "applied");
    assert_eq!(res["epoch"], epoch.as_str());
    let (_, again) = push(&t, &c, &client(2), vec![renumbered]).await;
    assert_eq!(again["results"], res["results"]);
    assert_eq!(count(&t, &format!("SELECT COUNT(*) FROM items WHERE id = '{}' AND state = 'submitted'", id(9))).await, 1);
    assert_eq!(pull(&t, &c, &client(2), 0).await["epoch"], epoch.as_str());
}

#[tokio::test]
async fn a_result_stored_without_a_digest_is_never_trusted_and_the_client_that_went_back_is_told_at_its_next_pull() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    push(&t, &c, &client(1), vec![save(1, 1, 0, "升级前")]).await;
    // As stored by the version before digests.
    sqlx::query("UPDATE mutation_results SET digest = NULL, result = '{\"mid\":1,\"outcome\":\"applied\",\"rev\":1}'")
        .execute(&t.app.state.db.pool)
        .await
        .unwrap_or_default();
    assert_eq!(pull(&t, &c, &client(1), 0).await["went_back"], false);
    let (_, res) = push(
        &t,
        &c,
        &client(1),
        vec![json!({"mid": 1, "item_id": id(7), "base_rev": 0, "op": "submit", "content": content("还原后写的")})],
    )
    .await;
    assert_eq!(res["reused"], 1);
    assert_eq!(res["results"], json!([]));
    // The PC reboots onto its disk image and comes back with the same client id: told at once.
    assert_eq!(pull(&t, &c, &client(1), 0).await["went_back"], true);
}

#[tokio::test]
async fn a_stale_reviewer_action_answers_the_server_s_copy_only_to_whoever_may_read_it() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    push(&t, &c, &client(1), vec![save(1, 1, 0, "草稿：不公开的内容")]).await;
    t.user("other", "Chunfeng-2026", Role::Officer, "大丰镇").await;
    let o = t.login("other", "Chunfeng-2026").await;
    let act = json!({"mid": 1, "item_id": id(1), "base_rev": 0, "op": "act", "action": "screen", "note": ""});
    let (_, res) = push(&t, &o, &client(2), vec![act]).await;
    assert_eq!(res["results"][0]["outcome"], "rejected");
    assert!(res["results"][0].get("server").is_none());
    assert!(!res.to_string().contains("不公开的内容"), "{res}");
}

#[tokio::test]
async fn a_comment_sent_again_after_a_start_over_is_one_comment() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    push(&t, &c, &client(1), vec![save(1, 1, 0, "有评论的稿件")]).await;
    let comment = |mid| json!({"mid": mid, "item_id": id(1), "base_rev": 1, "op": "comment", "text": "请补充受灾户数", "key": "c0ffee01"});
    push(&t, &c, &client(1), vec![comment(2)]).await;
    // The answer was lost; the device then started over under a new id and sent it again.
    let (_, res) = push(&t, &c, &client(2), vec![comment(1)]).await;
    assert_eq!(res["results"][0]["outcome"], "applied");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM comments").await, 1);
    // Another comment with the same words is another comment.
    let mut other = comment(2);
    other["key"] = json!("c0ffee02");
    push(&t, &c, &client(2), vec![other]).await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM comments").await, 2);
}

#[tokio::test]
async fn one_bad_mutation_never_jams_the_queue() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    // A NUL character in a draft: refused with its reason by the one rule, before any SQL.
    let mut nul = save(1, 1, 0, "含有控制字符");
    nul["content"]["body"] = json!("正文\u{0000}正文");
    // A whole book pasted: refused with its reason.
    let mut book = save(2, 2, 0, "整本书");
    book["content"]["body"] = json!("字".repeat(xinbao_core::item::DRAFT_MAX_CHARS + 1));
    // A comment whose key carries a NUL reaches the database: PostgreSQL refuses it (SQLite stores
    // it); the savepoint keeps the batch going either way. (A NUL in the text is refused before
    // any SQL, by `review::check_note`.)
    let comment = json!({"mid": 4, "item_id": id(3), "base_rev": 1, "op": "comment", "text": "评论", "key": "k\u{0000}"});
    let (status, res) = push(&t, &c, &client(1), vec![nul, book, save(3, 3, 0, "好稿件"), comment, save(5, 4, 0, "后面的稿件")]).await;
    assert_eq!(status, StatusCode::OK, "{res}");
    assert_eq!(res["last_mid"], 5);
    assert_eq!(res["results"][0]["outcome"], "rejected");
    assert!(res["results"][0]["detail"].as_str().unwrap_or_default().contains("控制字符"));
    assert_eq!(res["results"][1]["outcome"], "rejected");
    assert!(res["results"][1]["detail"].as_str().unwrap_or_default().contains("太长"));
    assert_eq!(res["results"][2]["outcome"], "applied");
    let on_pg = std::env::var("XINBAO_TEST_PG").is_ok();
    assert_eq!(res["results"][3]["outcome"], if on_pg { "rejected" } else { "applied" }, "{}", res["results"][3]);
    assert_eq!(res["results"][4]["outcome"], "applied");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items").await, 2);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM change_log").await, 2, "each item's newest change");
    // A NUL in a comment's text: refused with its reason on either database.
    let nul_text = json!({"mid": 6, "item_id": id(3), "base_rev": 1, "op": "comment", "text": "评论\u{0000}", "key": "k2"});
    let (_, res) = push(&t, &c, &client(1), vec![nul_text]).await;
    assert_eq!(res["results"][0]["reason"], "invalid", "{res}");
    assert!(res["results"][0]["detail"].as_str().unwrap_or_default().contains("控制字符"));
}

#[tokio::test]
async fn one_officer_never_pulls_or_pushes_into_another_s_items() {
    let t = TestApp::spawn().await;
    let a = officer(&t, "lzw").await;
    let b = officer(&t, "dfz").await;
    push(&t, &a, &client(1), vec![save(1, 1, 0, "甲的稿件")]).await;
    assert_eq!(pull(&t, &b, &client(2), 0).await["changes"], json!([]));
    let (_, res) = push(&t, &b, &client(2), vec![save(1, 1, 1, "乙想改甲的稿件")]).await;
    assert_eq!(res["results"][0]["reason"], "not_yours");
    // A client id belongs to one account.
    let (status, body) = push(&t, &b, &client(1), vec![save(2, 5, 0, "x")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "forbidden");
}

#[tokio::test]
async fn an_oversized_batch_is_refused_with_a_clear_message() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    let batch: Vec<Value> = (1..=201).map(|i| save(i, i, 0, "x")).collect();
    let (status, body) = push(&t, &c, &client(1), batch).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["detail"].as_str().unwrap_or_default().contains("请分批发送"));
    let (status, _) = push(&t, &c, "not-a-client-id", vec![]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn sync_needs_a_session() {
    let t = TestApp::spawn().await;
    let res = t.post_json("/api/sync/push", json!({"client_id": client(1), "mutations": []}), None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_submitted_item_carries_the_writing_checks_report_for_the_editor() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    let hollow = json!({"title": "我镇扎实推进各项工作", "body": "近期，我镇高度重视，精心组织，狠抓落实，各项工作取得了明显成效。", "phone": "13912345678"});
    let first = json!({"mid": 2, "item_id": id(1), "base_rev": 0, "op": "submit", "content": content("河西镇冰雹灾害（初报）")});
    let repeat = json!({"title": "河西镇冰雹灾害（续报一）", "body": "6月3日，河西镇遭受冰雹袭击，受灾农田1200亩。", "item_type": "urgent",
        "phone": "13912345678", "event_time": 1_780_000_000_000i64, "stage": {"stage": "follow_up", "n": 1}, "follows": id(1)});
    let (_, res) = push(
        &t,
        &c,
        &client(1),
        vec![
            json!({"mid": 1, "item_id": id(2), "base_rev": 0, "op": "submit", "content": hollow}),
            first,
            json!({"mid": 3, "item_id": id(3), "base_rev": 0, "op": "submit", "content": repeat}),
        ],
    )
    .await;
    assert_eq!(res["last_mid"], 3);
    let report = |n: u64| {
        let t = &t;
        async move {
            let q: String = sqlx::query("SELECT quality FROM items WHERE id = $1")
                .bind(id(n))
                .fetch_one(&t.app.state.db.pool)
                .await
                .and_then(|r| r.try_get(0))
                .unwrap_or_default();
            serde_json::from_str::<Value>(&q).unwrap_or(Value::Null)
        }
    };
    let hollow = report(2).await;
    assert_eq!(hollow["summary"], "四有：情况✗ 数据✗ 分析✗ 建议✗");
    assert_eq!(hollow["verdict"], "poor");
    let follow_up = report(3).await;
    let kinds: Vec<String> = follow_up["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f["kind"].as_str().map(str::to_owned))
        .collect();
    assert!(kinds.contains(&"follow_up_repeats".to_owned()), "{kinds:?}");
}

#[tokio::test]
async fn every_revision_is_kept_and_a_withdrawn_draft_can_be_restored() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    let delete = json!({"mid": 3, "item_id": id(1), "base_rev": 2, "op": "delete"});
    let (_, res) = push(&t, &c, &client(1), vec![save(1, 1, 0, "原稿"), save(2, 1, 1, "改稿"), delete, save(4, 1, 3, "恢复")]).await;
    assert_eq!(res["results"][2], json!({"mid": 3, "item_id": id(1), "outcome": "applied", "rev": 3}));
    assert_eq!(
        res["results"][3],
        json!({"mid": 4, "item_id": id(1), "outcome": "applied", "rev": 4}),
        "restoring from the trash saves again"
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM item_revisions").await, 4);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM item_revisions WHERE rev = 1 AND content LIKE '%原稿%'").await, 1);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM items WHERE state = 'draft' AND title = '恢复'").await, 1);
}

mod attachments {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, header};
    use sha2::{Digest, Sha256};

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 2, 3, 4, 5];

    fn sha(bytes: &[u8]) -> String {
        Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
    }

    async fn put(t: &TestApp, cookie: &str, hash: &str, bytes: &[u8]) -> (StatusCode, Value) {
        let req = Request::put(format!("/api/attachments/{hash}"))
            .header("x-xinbao-client", "1")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(bytes.to_vec()))
            .unwrap_or_default();
        let res = t.send(req).await;
        let status = res.status();
        let body = crate::common::text(res).await;
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn a_photo_is_stored_once_by_its_hash_and_served_as_an_image() {
        let t = TestApp::spawn().await;
        let c = officer(&t, "lzw").await;
        let hash = sha(JPEG);
        assert_eq!(
            t.send(Request::head(format!("/api/attachments/{hash}")).header(header::COOKIE, &c).body(Body::empty()).unwrap_or_default())
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(put(&t, &c, &hash, JPEG).await.0, StatusCode::CREATED);
        // A retry after a lost answer stores nothing new.
        assert_eq!(put(&t, &c, &hash, JPEG).await.0, StatusCode::OK);
        assert_eq!(count(&t, "SELECT COUNT(*) FROM attachments").await, 1);
        assert_eq!(
            t.send(Request::head(format!("/api/attachments/{hash}")).header(header::COOKIE, &c).body(Body::empty()).unwrap_or_default())
                .await
                .status(),
            StatusCode::OK
        );
        let res = t.get(&format!("/api/attachments/{hash}"), Some(&c)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "image/jpeg");
        assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(crate::common::bytes(res).await, JPEG);
    }

    #[tokio::test]
    async fn a_truncated_upload_or_a_non_image_is_refused_with_a_reason() {
        let t = TestApp::spawn().await;
        let c = officer(&t, "lzw").await;
        let (status, body) = put(&t, &c, &sha(JPEG), &JPEG[..8]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["detail"].as_str().unwrap_or_default().contains("不符"), "{body}");
        let html = b"<html><script>alert(1)</script></html>";
        let (status, body) = put(&t, &c, &sha(html), html).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["detail"].as_str().unwrap_or_default().contains("只能上传照片"), "{body}");
        assert_eq!(put(&t, &c, "not-a-hash", JPEG).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(count(&t, "SELECT COUNT(*) FROM attachments").await, 0);
        let anonymous = t
            .send(
                Request::put(format!("/api/attachments/{}", sha(JPEG)))
                    .header("x-xinbao-client", "1")
                    .body(Body::from(JPEG.to_vec()))
                    .unwrap_or_default(),
            )
            .await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn an_item_naming_a_photo_the_server_lacks_is_refused_until_it_is_uploaded() {
        let t = TestApp::spawn().await;
        let c = officer(&t, "lzw").await;
        let hash = sha(JPEG);
        let with_photo = |mid: u64| {
            let mut body = content("带照片的稿件");
            body["photos"] = json!([{"sha256": hash, "name": "现场.jpg", "width": 4, "height": 3, "size": JPEG.len()}]);
            json!({"mid": mid, "item_id": id(1), "base_rev": 0, "op": "submit", "content": body})
        };
        let (_, res) = super::push(&t, &c, &client(1), vec![with_photo(1)]).await;
        assert_eq!(res["results"][0]["reason"], "missing_attachment");
        assert_eq!(put(&t, &c, &hash, JPEG).await.0, StatusCode::CREATED);
        let (_, res) = super::push(&t, &c, &client(1), vec![with_photo(2)]).await;
        assert_eq!(res["results"][0]["outcome"], "applied");
        let page = pull(&t, &c, &client(1), 0).await;
        assert_eq!(page["changes"][0]["content"]["photos"][0]["sha256"], hash);
    }

    #[tokio::test]
    async fn a_hash_alone_opens_nothing() {
        let t = TestApp::spawn().await;
        let c = officer(&t, "lzw").await;
        // Same unit, another officer.
        let nosy = officer(&t, "nosy").await;
        let hash = sha(JPEG);
        assert_eq!(put(&t, &c, &hash, JPEG).await.0, StatusCode::CREATED);
        // Another officer who learned the hash: not found, and may not name it in an item.
        assert_eq!(t.get(&format!("/api/attachments/{hash}"), Some(&nosy)).await.status(), StatusCode::NOT_FOUND);
        let head = Request::head(format!("/api/attachments/{hash}")).header(header::COOKIE, &nosy).body(Body::empty()).unwrap_or_default();
        assert_eq!(t.send(head).await.status(), StatusCode::NOT_FOUND);
        let mut body = content("借用别人的照片");
        body["photos"] = json!([{"sha256": hash, "name": "x.jpg", "width": 4, "height": 3, "size": JPEG.len()}]);
        let naming = json!({"mid": 1, "item_id": id(7), "base_rev": 0, "op": "save", "content": body});
        let (_, res) = super::push(&t, &nosy, &client(7), vec![naming.clone()]).await;
        assert_eq!(res["results"][0]["reason"], "missing_attachment");
        // Holding the bytes is the proof: the same photo uploaded again stores nothing new and
        // opens it for the uploader.
        assert_eq!(put(&t, &nosy, &hash, JPEG).await.0, StatusCode::OK);
        assert_eq!(count(&t, "SELECT COUNT(*) FROM attachments").await, 1);
        assert_eq!(t.get(&format!("/api/attachments/{hash}"), Some(&nosy)).await.status(), StatusCode::OK);
        let mut again = naming;
        again["mid"] = json!(2);
        let (_, res) = super::push(&t, &nosy, &client(7), vec![again]).await;
        assert_eq!(res["results"][0]["outcome"], "applied");
    }

    #[tokio::test]
    async fn an_attachment_over_the_limit_is_refused_with_413() {
        let t = TestApp::spawn().await;
        let c = officer(&t, "lzw").await;
        let mut big = JPEG.to_vec();
        big.resize(xinbao_server::photos::MAX_ATTACHMENT_BYTES + 10, 0);
        let (status, _) = put(&t, &c, &sha(&big), &big).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    }
}

/// fault 9 of docs/sync-protocol.md: writers committing concurrently (on PostgreSQL their sequence numbers
/// could commit out of order) while a client pages through pull: no change is ever missed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_while_a_client_pulls_never_hide_a_change() {
    let t = std::sync::Arc::new(TestApp::spawn().await);
    let c = officer(&t, "lzw").await;
    let writers: Vec<_> = (0..4u64)
        .map(|w| {
            let (t, c) = (t.clone(), c.clone());
            tokio::spawn(async move {
                for round in 0..15u64 {
                    let item = w * 1000 + round % 5 + 1;
                    let mid = round + 1;
                    // Read the current revision through a pull of our own, then write on top.
                    let base = if round < 5 { 0 } else { round / 5 };
                    let (status, _) = push(&t, &c, &client(10 + w), vec![save(mid, item, base, &format!("写者{w}第{round}次"))]).await;
                    assert_eq!(status, StatusCode::OK);
                }
            })
        })
        .collect();
    // The puller pages through while the writers write.
    let mut cursor = 0;
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut done = false;
    while !done {
        done = writers.iter().all(|w| w.is_finished());
        loop {
            let page = pull(&t, &c, &client(99), cursor).await;
            for ch in page["changes"].as_array().cloned().unwrap_or_default() {
                seen.insert(ch["id"].as_str().unwrap_or_default().to_owned(), ch["rev"].as_u64().unwrap_or(0));
            }
            cursor = page["cursor"].as_u64().unwrap_or(0);
            if page["has_more"] != true {
                break;
            }
        }
        tokio::task::yield_now().await;
    }
    for w in writers {
        w.await.unwrap_or_else(|e| panic!("{e}"));
    }
    let rows = sqlx::query("SELECT id, rev FROM items").fetch_all(&t.app.state.db.pool).await.unwrap_or_default();
    assert_eq!(rows.len(), 20);
    for r in rows {
        let id: String = r.try_get(0).unwrap_or_default();
        let rev: i64 = r.try_get(1).unwrap_or(0);
        assert_eq!(seen.get(&id).copied(), Some(rev as u64), "{id}: the puller missed its last change");
    }
}

#[tokio::test]
async fn a_damaged_row_answers_an_internal_error_never_a_default() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    let (status, _) = push(&t, &c, &client(1), vec![save(1, 1, 0, "完好的一篇")]).await;
    assert_eq!(status, StatusCode::OK);
    let pulled = pull(&t, &c, &client(1), 0).await;
    assert_eq!(pulled["changes"][0]["content"]["title"], "完好的一篇");
    // The stored text no longer reads as JSON (a damaged disk, a bad manual edit): the pull must
    // not hand the officer an empty draft that would overwrite theirs.
    sqlx::query("UPDATE items SET content = '{not json' WHERE id = $1").bind(id(1)).execute(&t.app.state.db.pool).await.unwrap_or_default();
    let res = t.post_json("/api/sync/pull", json!({"client_id": client(1), "cursor": 0}), Some(&c)).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(json(res).await["code"], "internal");
    // A state this server does not know is the same: never read as some other state.
    sqlx::query("UPDATE items SET content = (SELECT content FROM item_revisions WHERE item_id = $1 ORDER BY rev DESC LIMIT 1), state = 'bogus' WHERE id = $1")
        .bind(id(1))
        .execute(&t.app.state.db.pool)
        .await
        .unwrap_or_default();
    let res = t.post_json("/api/sync/pull", json!({"client_id": client(1), "cursor": 0}), Some(&c)).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn the_change_log_keeps_each_items_newest_change_only() {
    let t = TestApp::spawn().await;
    let c = officer(&t, "lzw").await;
    // Three items, saved again and again, in one push and across pushes.
    let (status, _) =
        push(&t, &c, &client(1), vec![save(1, 1, 0, "一"), save(2, 1, 1, "一改"), save(3, 2, 0, "二"), save(4, 3, 0, "三")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = push(&t, &c, &client(1), vec![save(5, 1, 2, "一再改"), save(6, 2, 1, "二改")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM change_log").await, 3, "one row an item");
    assert_eq!(count(&t, "SELECT COUNT(DISTINCT item_id) FROM change_log").await, 3);
    // A pull from the start sees each item once, as it now stands, in the order last changed.
    let page = pull(&t, &c, &client(1), 0).await;
    let titles: Vec<String> = page["changes"]
        .as_array()
        .map(|a| a.iter().map(|ch| ch["content"]["title"].as_str().unwrap_or("").to_owned()).collect())
        .unwrap_or_default();
    assert_eq!(titles, ["三", "一再改", "二改"]);
    // And from a cursor between the pushes, only what changed after it.
    let first_head = page["cursor"].as_u64().unwrap_or(0);
    let (_, _) = push(&t, &c, &client(1), vec![save(7, 3, 1, "三改")]).await;
    let later = pull(&t, &c, &client(1), first_head).await;
    assert_eq!(later["changes"].as_array().map(Vec::len), Some(1));
    assert_eq!(later["changes"][0]["content"]["title"], "三改");
}
