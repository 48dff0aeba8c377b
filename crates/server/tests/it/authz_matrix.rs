//! The authorization matrix (issue 5): for every item-scoped operation, every role, and every
//! relation to the item — its author, the reviewing office, another office, another unit — the
//! expected allow or deny, generated from one table and checked on SQLite and PostgreSQL. An
//! officer never reads or changes another unit's items; an editor never sees another office's.
//! A second table gives every documented endpoint's gate (public, any account, reviewers,
//! administrators) and is checked against `/api/openapi.json` — an endpoint added without a
//! row fails the test. The `admin` module covers what administrators do with their endpoints.

use crate::common::{TestApp, json};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use xinbao_core::role::Role;

const PW: &str = "Chunfeng-2026";

fn id(n: u64) -> String {
    format!("{n:032x}")
}

/// How an account stands to the item under test (written in 兰州湾镇, reviewed by the root
/// office 林双县政府办).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Relation {
    Author,
    /// Same unit as the author, not the author.
    SameUnit,
    /// The item's reviewing office.
    ReviewingOffice,
    /// Another county office (a sibling under the root).
    OtherOffice,
    /// A unit under the other office.
    OtherOfficeUnit,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    /// The item arrives by pull.
    See,
    /// `GET /api/items/{id}/revisions`.
    Revisions,
    Comment,
    /// The editor's first review step.
    TakeIn,
    /// The author's kind of change (save).
    Edit,
    /// `GET /api/attachments/{sha256}` of the item's photo.
    Photo,
    /// The item is listed by `GET /api/review/queue`.
    Queue,
    /// `GET /api/items/{id}/scoring`: what the item earned.
    Scoring,
    /// `GET /api/items/{id}/sheet`, `/sheet.docx` and `/api/items/sheets.docx?ids=`: the item
    /// taken out (all three must agree).
    Sheet,
    /// `GET /api/items/{id}`: the item fetched on its own, as a pull carries it.
    Fetch,
}

/// The expected answer: allowed or not.
fn allowed(role: Role, rel: Relation, op: Op) -> bool {
    use Relation::*;
    let reviewer = matches!(role, Role::Editor | Role::Signer) && rel == ReviewingOffice;
    match op {
        Op::See | Op::Fetch | Op::Revisions | Op::Comment | Op::Photo | Op::Sheet => rel == Author || reviewer,
        Op::Queue => reviewer,
        // The office's readers (leaders' offices) read an item's scores only once it is signed
        // (the `scores` module); the item here is only submitted.
        Op::Scoring => rel == Author || reviewer,
        Op::TakeIn => role == Role::Editor && rel == ReviewingOffice,
        // The item is submitted: nobody edits it, not even its author.
        Op::Edit => false,
    }
}

#[tokio::test]
async fn every_role_and_relation_gets_exactly_the_access_the_table_gives() {
    let t = TestApp::spawn().await;
    let root = t.root().await;
    let town = t.unit(root, "兰州湾镇", "township").await;
    let other_office = t.unit(root, "大丰县人民政府办公室", "office").await;
    let other_town = t.unit(other_office, "大丰镇", "township").await;
    t.user_in("author", PW, Role::Officer, town).await;
    let author = t.login("author", PW).await;
    let mut cases = Vec::new();
    for role in Role::ALL {
        for (rel, unit) in [
            (Relation::SameUnit, town),
            (Relation::ReviewingOffice, root),
            (Relation::OtherOffice, other_office),
            (Relation::OtherOfficeUnit, other_town),
        ] {
            cases.push((role, rel, unit));
        }
    }
    let mut checked = 0;
    let mut n = 0u64;
    for (role, rel, unit) in cases {
        // A fresh submitted item per case, so one case's action cannot change the next.
        n += 1;
        let item = id(n);
        // Each item carries its own photo, uploaded by the author.
        let mut photo = vec![0xFF, 0xD8, 0xFF, 0xE0];
        photo.extend(n.to_be_bytes());
        let (status, hash) = t.put_photo(&author, &photo).await;
        assert_eq!(status, StatusCode::CREATED);
        let submit = json!({"mid": n, "item_id": item, "base_rev": 0, "op": "submit",
            "content": {"title": format!("第{n}篇"), "body": "受灾农田1200亩。", "phone": "13912345678",
                        "photos": [{"sha256": hash, "name": "现场.jpg", "width": 4, "height": 3, "size": photo.len()}]}});
        let res = t.post_json("/api/sync/push", json!({"client_id": id(0xa0), "mutations": [submit]}), Some(&author)).await;
        assert_eq!(json(res).await["results"][0]["outcome"], "applied");

        let name = format!("u{n}");
        t.user_in(&name, PW, role, unit).await;
        let cookie = t.login(&name, PW).await;
        let push = |k: u64, op: Value| {
            // A fresh client per mutation: each starts at mid 1.
            let (t, cookie, client, item) = (&t, cookie.clone(), id(0xb000 + n * 8 + k), item.clone());
            async move {
                let mut m = json!({"mid": 1, "item_id": item, "base_rev": 1});
                if let (Some(m), Some(op)) = (m.as_object_mut(), op.as_object()) {
                    m.extend(op.clone());
                }
                let res = t.post_json("/api/sync/push", json!({"client_id": client, "mutations": [m]}), Some(&cookie)).await;
                assert_eq!(res.status(), StatusCode::OK);
                json(res).await["results"][0]["outcome"].as_str().unwrap_or_default() == "applied"
            }
        };
        for op in [Op::See, Op::Fetch, Op::Revisions, Op::Photo, Op::Queue, Op::Scoring, Op::Sheet, Op::Comment, Op::TakeIn, Op::Edit] {
            let got = match op {
                Op::See => {
                    let res = t.post_json("/api/sync/pull", json!({"client_id": id(0xc000 + n), "cursor": 0}), Some(&cookie)).await;
                    json(res).await["changes"].as_array().is_some_and(|c| c.iter().any(|i| i["id"] == item))
                }
                Op::Fetch => {
                    let res = t.get(&format!("/api/items/{item}"), Some(&cookie)).await;
                    res.status() == StatusCode::OK && json(res).await["id"] == item
                }
                Op::Revisions => t.get(&format!("/api/items/{item}/revisions"), Some(&cookie)).await.status() == StatusCode::OK,
                Op::Photo => {
                    let res = t.get(&format!("/api/attachments/{hash}"), Some(&cookie)).await;
                    let ok = res.status() == StatusCode::OK;
                    ok && crate::common::bytes(res).await == photo
                }
                Op::Scoring => t.get(&format!("/api/items/{item}/scoring"), Some(&cookie)).await.status() == StatusCode::OK,
                Op::Sheet => {
                    let mut answers = Vec::new();
                    for path in [
                        format!("/api/items/{item}/sheet"),
                        format!("/api/items/{item}/sheet.docx"),
                        format!("/api/items/sheets.docx?ids={item}"),
                    ] {
                        let res = t.get(&path, Some(&cookie)).await;
                        let status = res.status();
                        let body = crate::common::bytes(res).await;
                        // Refused, it says nothing of the item: the same answer as for no item.
                        assert!(
                            status == StatusCode::OK || (status == StatusCode::NOT_FOUND && !String::from_utf8_lossy(&body).contains("第")),
                            "{path}: {status}"
                        );
                        answers.push(status == StatusCode::OK);
                    }
                    assert!(answers.iter().all(|a| *a == answers[0]), "{role:?} / {rel:?}: {answers:?}");
                    answers[0]
                }
                Op::Queue => {
                    let res = t.get("/api/review/queue?limit=200", Some(&cookie)).await;
                    res.status() == StatusCode::OK && json(res).await.as_array().is_some_and(|rows| rows.iter().any(|r| r["id"] == item))
                }
                Op::Comment => push(1, json!({"op": "comment", "text": "看过"})).await,
                Op::TakeIn => push(2, json!({"op": "act", "action": "screen"})).await,
                Op::Edit => push(3, json!({"op": "save", "content": {"title": "改", "body": "改"}})).await,
            };
            assert_eq!(got, allowed(role, rel, op), "{role:?} / {rel:?} / {op:?}");
            checked += 1;
        }
    }
    // The author's own row of the table.
    let author_sees = t.post_json("/api/sync/pull", json!({"client_id": id(0xd0), "cursor": 0}), Some(&author)).await;
    assert_eq!(json(author_sees).await["changes"].as_array().map(Vec::len), Some(n as usize));
    assert!(allowed(Role::Officer, Relation::Author, Op::See) && !allowed(Role::Officer, Relation::Author, Op::TakeIn));
    assert_eq!(checked, 5 * 4 * 10);
}

/// Who may pass an endpoint's gate at all (what they may then do with an item is the table above).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Gate {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in account.
    Account,
    /// Editors and signers.
    Reviewer,
    /// Editors (of the office).
    Editor,
    /// Administrators.
    Admin,
}

/// The gate of every documented endpoint. A path without a row panics: a new endpoint must be
/// placed in this table before the test passes.
fn gate(path: &str) -> Gate {
    match path {
        // Logging out without a session has nothing to end and says so with 204.
        "/healthz" | "/readyz" | "/metrics" | "/api/health" | "/api/openapi.json" | "/api/login" | "/api/logout" => Gate::Public,
        "/api/review/queue"
        | "/api/review/home"
        | "/api/review/announcements"
        | "/api/notice/issue"
        | "/api/commissions/units"
        | "/api/upward"
        | "/api/upward/stats" => Gate::Reviewer,
        p if p.starts_with("/api/admin/") => Gate::Admin,
        "/api/me"
        | "/api/me/device-key"
        | "/api/password"
        | "/api/settings"
        | "/api/sync/push"
        | "/api/sync/pull"
        | "/api/items/{id}/revisions"
        | "/api/attachments/{sha256}"
        | "/api/publications"
        | "/api/items/{id}/adoptions"
        | "/api/items/{id}/instructions"
        | "/api/items/{id}/scoring"
        | "/api/items/{id}"
        | "/api/items/{id}/sheet"
        | "/api/items/{id}/sheet.docx"
        | "/api/items/sheets.docx"
        | "/api/instructions/{id}/feedback"
        | "/api/scores"
        | "/api/scores/events"
        | "/api/scores/trend"
        | "/api/notice"
        | "/api/notice.docx"
        | "/api/notice.xlsx"
        | "/api/commissions"
        | "/api/commissions/{id}"
        | "/api/inbox"
        | "/api/periodical/issues"
        | "/api/periodical/issues/{id}"
        | "/api/periodical/issues/{id}/publish"
        | "/api/periodical/issues/{id}/delete"
        | "/api/periodical/issues/{id}/docx" => Gate::Account,
        "/api/periodical/candidates" | "/api/commissions/{id}/withdraw" | "/api/upward/send" => Gate::Editor,
        other => panic!("{other} has no row in the gate table"),
    }
}

fn passes(gate: Gate, role: Option<Role>) -> bool {
    match (gate, role) {
        (Gate::Public, _) => true,
        (_, None) => false,
        (Gate::Account, Some(_)) => true,
        (Gate::Reviewer, Some(r)) => matches!(r, Role::Editor | Role::Signer),
        (Gate::Editor, Some(r)) => r == Role::Editor,
        (Gate::Admin, Some(r)) => r == Role::Admin,
    }
}

#[tokio::test]
async fn every_documented_endpoint_lets_through_exactly_the_roles_its_gate_names() {
    let t = TestApp::spawn().await;
    let root = t.root().await;
    let town = t.unit(root, "兰州湾镇", "township").await;
    let doc = json(t.get("/api/openapi.json", None).await).await;
    let mut endpoints = Vec::new();
    for (path, ops) in doc["paths"].as_object().cloned().unwrap_or_default() {
        for method in ops.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            endpoints.push((path.clone(), method));
        }
    }
    assert!(endpoints.len() >= 25, "the document lists {} endpoints", endpoints.len());
    // Logging out ends the session the rest of the calls use: it goes last.
    endpoints.sort_by_key(|(p, _)| p == "/api/logout");
    let mut callers: Vec<(Option<Role>, Option<String>)> = vec![(None, None)];
    for role in Role::ALL {
        let name = format!("gate-{}", role.as_str());
        t.user_in(&name, PW, role, if role == Role::Officer { town } else { root }).await;
        callers.push((Some(role), Some(t.login(&name, PW).await)));
    }
    let mut checked = 0;
    for (role, cookie) in &callers {
        for (path, method) in &endpoints {
            // Ids that name nothing: the gate answers before anything is looked up.
            let uri = path.replace("{id}", "999999").replace("{sha256}", &"a".repeat(64));
            let mut req = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .header("x-xinbao-client", "1")
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(c) = cookie {
                req = req.header(header::COOKIE, c);
            }
            let body = if method == "get" || method == "head" { Body::empty() } else { Body::from("{}") };
            let status = t.send(req.body(body).unwrap_or_default()).await.status();
            let through = status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN;
            let expected = passes(gate(path), *role);
            assert_eq!(through, expected, "{method} {path} as {role:?}: {status}");
            if !expected {
                let want = if role.is_none() { StatusCode::UNAUTHORIZED } else { StatusCode::FORBIDDEN };
                assert_eq!(status, want, "{method} {path} as {role:?}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, endpoints.len() * (Role::ALL.len() + 1));
}

/// Everything readable in one answer: the body, and for an Office file (.docx, .xlsx) the text of
/// every part inside it.
fn readable_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut out = String::from_utf8_lossy(bytes).into_owned();
    if bytes.starts_with(b"PK\x03\x04")
        && let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes))
    {
        for i in 0..zip.len() {
            if let Ok(mut part) = zip.by_index(i) {
                let mut text = String::new();
                let _ = part.read_to_string(&mut text);
                out.push_str(&text);
            }
        }
    }
    out
}

/// A value for a parameter or body field, made from its OpenAPI schema and the records planted:
/// the planted item, unit, person and issue wherever a field looks like one.
fn sample(doc: &Value, schema: &Value, name: &str, plant: &Plant) -> Value {
    if let Some(r) = schema["$ref"].as_str() {
        let target = r.rsplit('/').next().unwrap_or_default();
        return sample(doc, &doc["components"]["schemas"][target], name, plant);
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema[key].as_array().and_then(|e| e.iter().find(|s| s["type"] != "null")) {
            return sample(doc, first, name, plant);
        }
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds.iter().find(|k| *k != "null").cloned().unwrap_or_default(),
        k => k.clone(),
    };
    match kind.as_str().unwrap_or("object") {
        "integer" | "number" => json!(match name {
            n if n.contains("person") || n.contains("user") || n.contains("author") => plant.author,
            n if n.contains("issue") => plant.issue,
            n if n.contains("publication") => plant.publication,
            _ => plant.town,
        }),
        "boolean" => json!(false),
        "string" => json!(match name {
            n if n.contains("date") || n == "from" || n.contains("deadline") || n == "day" => crate::common::office::today(),
            "to" => crate::common::office::today(),
            "by" => "person".to_owned(),
            n if n.contains("month") => crate::common::office::today()[..7].to_owned(),
            _ => plant.items[2].clone(),
        }),
        "array" => json!([sample(doc, &schema["items"], name, plant)]),
        _ => {
            let mut obj = serde_json::Map::new();
            for (field, s) in schema["properties"].as_object().cloned().unwrap_or_default() {
                obj.insert(field.clone(), sample(doc, &s, &field, plant));
            }
            Value::Object(obj)
        }
    }
}

/// The records planted in one unit, each kind carrying the marker.
struct Plant {
    items: Vec<String>,
    town: i64,
    author: i64,
    issue: i64,
    publication: i64,
    instruction: i64,
    photo: String,
}

const MARK: &str = "LKM";

/// The leak test (issue 19): markers planted in every kind of record of one unit — text saved
/// before submission, submitted text, comments, review notes, a photo (its bytes and its name),
/// adoption notes, instructions and feedback, a commission's answer, an unpublished issue —
/// then every route `/api/openapi.json` documents and every sync op with right, wrong, stale and
/// future bases and same-id creates, called as every role of another unit of the office, of
/// another office, and as a colleague in the author's own unit: no answer carries a marker. The
/// routes and their parameters come from the document, so a new route is covered without
/// editing this test.
#[tokio::test]
async fn no_answer_to_anyone_outside_carries_a_marker_from_another_units_records() {
    use crate::common::office::{Who, office, publication, submitted, today};
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let root = t.root().await;
    let own = publication(&t, &o.editor.cookie, "政务信息").await;
    let city = publication(&t, &o.editor.cookie, "市政府").await;
    t.user_in("reader", PW, Role::Reader, root).await;
    let reader = t.login("reader", PW).await;

    // A photo whose bytes and name carry the marker.
    let mut photo = vec![0xFF, 0xD8, 0xFF, 0xE0];
    photo.extend(format!("{MARK}-photo-bytes").as_bytes());
    let (status, hash) = t.put_photo(&o.officer.cookie, &photo).await;
    assert_eq!(status, StatusCode::CREATED);
    let content = |title: &str, body: &str| {
        json!({"title": title, "body": body, "phone": "13912345678",
               "photos": [{"sha256": hash, "name": format!("{MARK}-现场.jpg"), "width": 4, "height": 3, "size": photo.len()}]})
    };
    // 1: saved as a draft with a marker, then submitted without it (the draft stays a revision).
    let r =
        o.officer.push(&t, 1, 0, json!({"op": "save", "content": content(&format!("{MARK}草稿标题"), &format!("{MARK}草稿正文"))})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let r = o.officer.push(&t, 1, 1, json!({"op": "submit", "content": content("河西镇抢收小麦", "6月3日，全镇抢收小麦1.2万亩。")})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    // 2: a draft never submitted.
    let r =
        o.officer.push(&t, 2, 0, json!({"op": "save", "content": content(&format!("{MARK}未报送"), &format!("{MARK}未报送正文"))})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    // 3: submitted text, the author's and the editor's comments.
    let r = o
        .officer
        .push(&t, 3, 0, json!({"op": "submit", "content": content(&format!("{MARK}已报送标题"), &format!("{MARK}已报送正文"))}))
        .await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let r = o.officer.push(&t, 3, 1, json!({"op": "comment", "text": format!("{MARK}作者评论"), "key": "c1"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let r = o.editor.push(&t, 3, 1, json!({"op": "comment", "text": format!("{MARK}编辑评论"), "key": "c2"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    // 4: returned with a note, then revised by its author.
    let r = o.officer.push(&t, 4, 0, json!({"op": "submit", "content": content("河西镇秋收", "秋收过半。")})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let r = o.editor.push(&t, 4, 1, json!({"op": "act", "action": "screen"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let r = o.editor.push(&t, 4, 2, json!({"op": "act", "action": "return", "note": format!("{MARK}退回理由")})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let r = o.officer.push(&t, 4, 3, json!({"op": "save", "content": content("河西镇秋收", &format!("{MARK}修改中"))})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    // 5: signed, adopted, instructed, with feedback; and in an unpublished issue.
    submitted(&t, &mut o, false, 5, true).await;
    let res = t
        .post_json(
            &format!("/api/items/{}/adoptions", id(5)),
            json!({"publication_id": city, "form": "full", "date": today(), "issue": format!("{MARK}第8期")}),
            Some(&o.editor.cookie),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = t
        .post_json(
            &format!("/api/items/{}/instructions", id(5)),
            json!({"level": "county", "date": today(), "leader": format!("{MARK}县长"), "text": format!("{MARK}批示内容")}),
            Some(&reader),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let instruction = json(res).await["id"].as_i64().unwrap_or(0);
    let res = t
        .post_json(&format!("/api/instructions/{instruction}/feedback"), json!({"note": format!("{MARK}反馈")}), Some(&o.signer.cookie))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let issue = json(t.post_json("/api/periodical/issues", json!({"publication_id": own}), Some(&o.editor.cookie)).await).await;
    let issue_id = issue["id"].as_i64().unwrap_or(0);
    let mut fields = issue["fields"].clone();
    fields["editor_note"] = json!(format!("{MARK}编者按"));
    fields["items"] = json!([id(5)]);
    let res = t.post_json(&format!("/api/periodical/issues/{issue_id}"), fields, Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    // 6: a commission's answer.
    let asked = json!({"kind": "targeted", "topic": "秋粮收购进展", "units": [o.town], "from": today(), "deadline": today()});
    let cid = json(t.post_json("/api/commissions", asked, Some(&o.editor.cookie)).await).await["id"].as_i64().unwrap_or(0);
    let r = o
        .officer
        .push(
            &t,
            6,
            0,
            json!({"op": "submit", "content": {"title": format!("{MARK}约稿回复"), "body": format!("{MARK}约稿回复正文"),
            "phone": "13912345678", "commission": cid.to_string()}}),
        )
        .await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let author: i64 = sqlx::query("SELECT id FROM users WHERE username = 'officer'")
        .fetch_one(&t.app.state.db.pool)
        .await
        .map(|r| sqlx::Row::get(&r, 0))
        .unwrap_or(0);
    let plant = Plant {
        items: (1..=6).map(id).collect(),
        town: o.town,
        author,
        issue: issue_id,
        publication: own,
        instruction,
        photo: hash.clone(),
    };

    // The markers are there for those who may read them: the test is not looking at nothing.
    let author_pull = json(t.post_json("/api/sync/pull", json!({"client_id": id(0xe1), "cursor": 0}), Some(&o.officer.cookie)).await).await;
    assert!(author_pull.to_string().contains(&format!("{MARK}未报送")));
    let editor_revs = crate::common::text(t.get(&format!("/api/items/{}/revisions", id(1)), Some(&o.editor.cookie)).await).await;
    assert!(
        editor_revs.contains("抢收小麦") && !editor_revs.contains(&format!("{MARK}草稿")),
        "pre-submission revisions are the author's: {editor_revs}"
    );
    let author_revs = crate::common::text(t.get(&format!("/api/items/{}/revisions", id(1)), Some(&o.officer.cookie)).await).await;
    assert!(author_revs.contains(&format!("{MARK}草稿正文")));
    let editor_revs4 = crate::common::text(t.get(&format!("/api/items/{}/revisions", id(4)), Some(&o.editor.cookie)).await).await;
    assert!(!editor_revs4.contains(&format!("{MARK}修改中")), "a returned item's revising is its author's: {editor_revs4}");
    // … in the office's pull, queue and conflict answers too: they show the text as returned.
    let revising = format!("{MARK}修改中");
    let pull =
        crate::common::text(t.post_json("/api/sync/pull", json!({"client_id": id(0xe2), "cursor": 0}), Some(&o.editor.cookie)).await).await;
    assert!(pull.contains("秋收过半") && !pull.contains(&revising), "{pull}");
    let queue = crate::common::text(t.get("/api/review/queue?state=returned", Some(&o.editor.cookie)).await).await;
    assert!(queue.contains("河西镇秋收") && !queue.contains(&revising), "{queue}");
    let stale = o.editor.push(&t, 4, 1, json!({"op": "act", "action": "screen"})).await;
    assert!(stale["outcome"] == "conflict" && !stale.to_string().contains(&revising), "{stale}");
    assert!(author_pull.to_string().contains(&revising), "the author sees their own revising");

    // The outsiders: a colleague in the author's unit; every role in another unit of the office;
    // every role in another office and in a unit under it.
    let other_office = t.unit(root, "大丰县人民政府办公室", "office").await;
    let other_town = t.unit(other_office, "大丰镇", "township").await;
    // Administrators too: of another office, and of this office placed in another township (who
    // read this office's audit trail, without what its items say). The server administrator
    // reads everything.
    let mut outsiders = vec![("colleague".to_owned(), Role::Officer, o.town)];
    for role in Role::ALL {
        for (place, unit) in [("town2", o.town2), ("office2", other_office), ("town3", other_town)] {
            outsiders.push((format!("{place}-{}", role.as_str()), role, unit));
        }
    }
    let doc = json(t.get("/api/openapi.json", None).await).await;
    let mut calls = 0;
    let mut n = 0x7000u64;
    for (name, role, unit) in &outsiders {
        t.user_in(name, PW, *role, *unit).await;
        n += 1;
        let mut who = Who::login(&t, name, n).await;
        let mut seen = |what: String, body: &[u8]| {
            calls += 1;
            assert!(!readable_text(body).contains(MARK), "{name} ({role:?}) read a marker from {what}: {}", String::from_utf8_lossy(body));
        };
        // Every sync op on every planted item, at every base: right, wrong, stale, future,
        // and creates under the same ids; then the same batch again (the stored answers).
        let mut ops = vec![
            json!({"op": "save", "content": {"title": "改", "body": "改"}}),
            json!({"op": "submit", "content": {"title": "改写的标题", "body": "改写的正文。", "phone": "13912345678"}}),
            json!({"op": "delete"}),
            json!({"op": "comment", "text": "看看", "key": "k"}),
        ];
        for action in ["screen", "return", "not_use", "reserve", "edit", "save_edit", "send_to_sign_off", "sign", "send_back"] {
            ops.push(json!({"op": "act", "action": action, "note": "理由",
                "content": {"title": "改写的标题", "body": "改写的正文。", "phone": "13912345678"}}));
        }
        let mut batch = Vec::new();
        for item in plant.items.iter().chain([&id(0x7fff)]) {
            for op in &ops {
                for base in 0..=8u64 {
                    who.mid += 1;
                    let mut m = json!({"mid": who.mid, "item_id": item, "base_rev": base});
                    if let (Some(m), Some(op)) = (m.as_object_mut(), op.as_object()) {
                        m.extend(op.clone());
                    }
                    batch.push(m);
                }
            }
        }
        for chunk in batch.chunks(200) {
            for _ in 0..2 {
                let res = t.post_json("/api/sync/push", json!({"client_id": who.client, "mutations": chunk}), Some(&who.cookie)).await;
                seen("sync push".into(), &crate::common::bytes(res).await);
            }
        }
        let res = t.post_json("/api/sync/pull", json!({"client_id": who.client, "cursor": 0}), Some(&who.cookie)).await;
        seen("sync pull".into(), &crate::common::bytes(res).await);

        // Every documented route, every path parameter a planted id, each query parameter alone
        // and all together, bodies made from the request schemas.
        let mut routes = Vec::new();
        for (path, methods) in doc["paths"].as_object().cloned().unwrap_or_default() {
            for (method, op) in methods.as_object().cloned().unwrap_or_default() {
                routes.push((path.clone(), method, op));
            }
        }
        routes.sort_by_key(|(p, ..)| p == "/api/logout" || p == "/api/password");
        for (path, method, op) in &routes {
            let ids: Vec<String> = plant
                .items
                .iter()
                .cloned()
                .chain([plant.issue, plant.instruction, plant.town, plant.author].iter().map(i64::to_string))
                .collect();
            let mut uris: Vec<String> =
                if path.contains("{id}") { ids.iter().map(|v| path.replace("{id}", v)).collect() } else { vec![path.clone()] };
            uris = uris.into_iter().map(|u| u.replace("{sha256}", &plant.photo)).collect();
            let params: Vec<(String, Value)> = op["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter(|p| p["in"] == "query")
                .map(|p| {
                    let name = p["name"].as_str().unwrap_or_default().to_owned();
                    let v = sample(&doc, &p["schema"], &name, &plant);
                    (name, v)
                })
                .collect();
            let mut queries = vec![String::new()];
            let enc = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
            for (k, v) in &params {
                queries.push(format!("?{k}={}", enc(v)));
            }
            if params.len() > 1 {
                queries.push(format!("?{}", params.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect::<Vec<_>>().join("&")));
            }
            let body_schema = &op["requestBody"]["content"]["application/json"]["schema"];
            let bodies = if body_schema.is_null() { vec![json!({})] } else { vec![json!({}), sample(&doc, body_schema, "", &plant)] };
            for uri in &uris {
                for q in &queries {
                    for body in &bodies {
                        let req = Request::builder()
                            .method(method.to_uppercase().as_str())
                            .uri(format!("{uri}{q}"))
                            .header("x-xinbao-client", "1")
                            .header(header::CONTENT_TYPE, "application/json")
                            .header(header::COOKIE, &who.cookie);
                        let body = if method == "get" || method == "head" { Body::empty() } else { Body::from(body.to_string()) };
                        let res = t.send(req.body(body).unwrap_or_default()).await;
                        seen(format!("{method} {uri}{q}"), &crate::common::bytes_within(res, std::time::Duration::from_millis(300)).await);
                    }
                }
            }
        }
    }
    assert!(calls > outsiders.len() * 40, "{calls} answers read");
}
