//! The authorization matrix (issue 5): for every item-scoped operation, every role, and every
//! relation to the item — its author, the reviewing office, another office, another unit — the
//! expected allow or deny, generated from one table and checked on SQLite and PostgreSQL. An
//! officer never reads or changes another unit's items; an editor never sees another office's.
//! A second table gives every documented endpoint's gate (public, any account, reviewers,
//! administrators) and is checked against `/api/openapi.json` — an endpoint added without a
//! row fails the test. tests/admin.rs covers what administrators do with their endpoints.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, json};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
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
}

/// The expected answer: allowed or not.
fn allowed(role: Role, rel: Relation, op: Op) -> bool {
    use Relation::*;
    let reviewer = matches!(role, Role::Editor | Role::Signer) && rel == ReviewingOffice;
    match op {
        Op::See | Op::Revisions | Op::Comment | Op::Photo => rel == Author || reviewer,
        Op::Queue => reviewer,
        // The office's readers (leaders' offices) read an item's scores only once it is signed
        // (tests/scores.rs); the item here is only submitted.
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
        let hash: String = Sha256::digest(&photo).iter().map(|b| format!("{b:02x}")).collect();
        let put = Request::put(format!("/api/attachments/{hash}"))
            .header("x-xinbao-client", "1")
            .header(header::COOKIE, &author)
            .body(Body::from(photo.clone()))
            .unwrap_or_default();
        assert_eq!(t.send(put).await.status(), StatusCode::CREATED);
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
        for op in [Op::See, Op::Revisions, Op::Photo, Op::Queue, Op::Scoring, Op::Comment, Op::TakeIn, Op::Edit] {
            let got = match op {
                Op::See => {
                    let res = t.post_json("/api/sync/pull", json!({"client_id": id(0xc000 + n), "cursor": 0}), Some(&cookie)).await;
                    json(res).await["changes"].as_array().is_some_and(|c| c.iter().any(|i| i["id"] == item))
                }
                Op::Revisions => t.get(&format!("/api/items/{item}/revisions"), Some(&cookie)).await.status() == StatusCode::OK,
                Op::Photo => {
                    let res = t.get(&format!("/api/attachments/{hash}"), Some(&cookie)).await;
                    let ok = res.status() == StatusCode::OK;
                    ok && common::bytes(res).await == photo
                }
                Op::Scoring => t.get(&format!("/api/items/{item}/scoring"), Some(&cookie)).await.status() == StatusCode::OK,
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
    assert_eq!(checked, 5 * 4 * 8);
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
        "/api/review/queue" => Gate::Reviewer,
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
        | "/api/instructions/{id}/feedback"
        | "/api/scores"
        | "/api/scores/events"
        | "/api/scores/trend"
        | "/api/notice"
        | "/api/notice.docx"
        | "/api/notice.xlsx"
        | "/api/commissions"
        | "/api/inbox"
        | "/api/periodical/issues"
        | "/api/periodical/issues/{id}"
        | "/api/periodical/issues/{id}/publish"
        | "/api/periodical/issues/{id}/docx" => Gate::Account,
        "/api/periodical/candidates" | "/api/commissions/units" => Gate::Editor,
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
