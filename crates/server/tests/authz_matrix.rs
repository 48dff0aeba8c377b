//! The authorization matrix (issue 5): for every item-scoped operation, every role, and every
//! relation to the item — its author, the reviewing office, another office, another unit — the
//! expected allow or deny, generated from one table and checked on SQLite and PostgreSQL. An
//! officer never reads or changes another unit's items; an editor never sees another office's.
//! Administration endpoints: administrators only (tests/admin.rs covers each endpoint × role).

mod common;

use axum::http::StatusCode;
use common::{TestApp, json};
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
}

/// The expected answer: allowed or not.
fn allowed(role: Role, rel: Relation, op: Op) -> bool {
    use Relation::*;
    let reviewer = matches!(role, Role::Editor | Role::Signer) && rel == ReviewingOffice;
    match op {
        Op::See | Op::Revisions | Op::Comment => rel == Author || reviewer,
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
        let submit = json!({"mid": n, "item_id": item, "base_rev": 0, "op": "submit",
            "content": {"title": format!("第{n}篇"), "body": "受灾农田1200亩。", "phone": "13912345678"}});
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
        for op in [Op::See, Op::Revisions, Op::Comment, Op::TakeIn, Op::Edit] {
            let got = match op {
                Op::See => {
                    let res = t.post_json("/api/sync/pull", json!({"client_id": id(0xc000 + n), "cursor": 0}), Some(&cookie)).await;
                    json(res).await["changes"].as_array().is_some_and(|c| c.iter().any(|i| i["id"] == item))
                }
                Op::Revisions => t.get(&format!("/api/items/{item}/revisions"), Some(&cookie)).await.status() == StatusCode::OK,
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
    assert_eq!(checked, 5 * 4 * 5);
}
