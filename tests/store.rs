//! Browser tests for the IndexedDB store, run in headless Chromium by wasm-bindgen-test.

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use xinbao_app::outbox;
use xinbao_app::store::{self, LocalDraft};
use xinbao_core::item::ItemType;

wasm_bindgen_test_configure!(run_in_browser);

/// A user id no other test uses, so tests never see each other's data.
fn fresh_user(seed: i64) -> i64 {
    seed * 1_000_000 + (js_sys::Math::random() * 1_000_000.0) as i64
}

#[wasm_bindgen_test]
async fn a_saved_draft_reads_back_exactly() {
    let user = fresh_user(1);
    let mut d = LocalDraft::new("d1".into(), user);
    d.content.title = "兰州湾镇遭受冰雹灾害".into();
    d.content.body = "第一段。\n\n第二段，含数字1.2万亩。".into();
    d.content.item_type = ItemType::Urgent;
    d.content.event_time = Some(1_780_000_000_000);
    store::save_draft(&d).await.expect("save");
    let back = store::load_draft(user, "d1").await.expect("load").expect("present");
    assert_eq!(back, d);
}

#[wasm_bindgen_test]
async fn the_desk_lists_newest_first() {
    let user = fresh_user(2);
    for (id, at) in [("old", 1.0), ("new", 3.0), ("mid", 2.0)] {
        let mut d = LocalDraft::new(id.into(), user);
        d.updated_at = at;
        store::save_draft(&d).await.expect("save");
    }
    let ids: Vec<String> = store::list_drafts(user).await.expect("list").into_iter().map(|d| d.id).collect();
    assert_eq!(ids, vec!["new", "mid", "old"]);
}

#[wasm_bindgen_test]
async fn each_account_has_its_own_database() {
    let (a, b) = (fresh_user(3), fresh_user(4));
    store::save_draft(&LocalDraft::new("mine".into(), a)).await.expect("save");
    store::close();
    assert!(store::load_draft(b, "mine").await.expect("load").is_none());
    assert!(store::list_drafts(b).await.expect("list").is_empty());
    assert_eq!(store::list_drafts(a).await.expect("list").len(), 1);
    assert_ne!(store::db_name(a), store::db_name(b));
}

#[wasm_bindgen_test]
async fn a_missing_draft_is_none_not_an_error() {
    let user = fresh_user(5);
    assert_eq!(store::load_draft(user, "nope").await, Ok(None));
}

/// The schema as the first release shipped it (v1): `meta` and `drafts` only.
async fn create_v1(name: &str, records: &[serde_json::Value]) {
    use idb::builder::{DatabaseBuilder, IndexBuilder, ObjectStoreBuilder};
    use idb::{KeyPath, TransactionMode};
    let db = DatabaseBuilder::new(name)
        .version(1)
        .add_object_store(ObjectStoreBuilder::new("meta").key_path(Some(KeyPath::new_single("key"))))
        .add_object_store(
            ObjectStoreBuilder::new("drafts")
                .key_path(Some(KeyPath::new_single("id")))
                .add_index(IndexBuilder::new("updated_at".into(), KeyPath::new_single("updated_at"))),
        )
        .build()
        .await
        .expect("v1 opens");
    let tx = db.transaction(&["drafts"], TransactionMode::ReadWrite).expect("tx");
    let store = tx.object_store("drafts").expect("store");
    for r in records {
        // Plain objects, as v1 stored them (to_value would make JS Maps, which key paths cannot see).
        let v = js_sys::JSON::parse(&r.to_string()).expect("parse");
        store.put(&v, None).expect("put").await.expect("put done");
    }
    assert!(tx.await.expect("commit").is_committed());
    db.close();
}

#[wasm_bindgen_test]
async fn upgrading_from_schema_v1_keeps_every_draft() {
    let user = fresh_user(6);
    let name = store::db_name(user);
    // Drafts as v1 wrote them: no trash field, no stage, chain or commission.
    let records: Vec<serde_json::Value> = (0..25)
        .map(|i| {
            serde_json::json!({
                "id": format!("v1-{i}"), "owner": user, "title": format!("旧版稿件{i}"), "body": "正文，含数字1.2万亩。",
                "item_type": "urgent", "tags": ["key"], "phone": "13912345678", "event_time": 1_780_000_000_000i64,
                "created_at": 1.0 + i as f64, "updated_at": 2.0 + i as f64, "local_rev": 3
            })
        })
        .collect();
    create_v1(&name, &records).await;

    store::close();
    let drafts = store::list_drafts(user).await.expect("opens at the current schema");
    assert_eq!(drafts.len(), 25);
    let d = store::load_draft(user, "v1-7").await.expect("load").expect("present");
    assert_eq!(d.content.title, "旧版稿件7");
    assert_eq!(d.content.item_type, ItemType::Urgent);
    assert_eq!(d.content.event_time, Some(1_780_000_000_000));
    assert_eq!(d.local_rev, 3);
    assert_eq!(d.deleted_at, None);
    // The new store is there and usable.
    assert!(xinbao_app::photos::list(user, "v1-7").await.expect("photos store").is_empty());
    let db = store::open_named(&name).await.expect("reopen");
    assert_eq!(db.version().ok(), Some(store::SCHEMA_VERSION));
    assert!(db.store_names().contains(&"photos".to_owned()));
    db.close();
}

/// The schema as v2 shipped it: v1 plus `photos`.
async fn create_v2(name: &str, drafts: &[serde_json::Value], photos: &[serde_json::Value]) {
    use idb::builder::{DatabaseBuilder, IndexBuilder, ObjectStoreBuilder};
    use idb::{KeyPath, TransactionMode};
    let db = DatabaseBuilder::new(name)
        .version(2)
        .add_object_store(ObjectStoreBuilder::new("meta").key_path(Some(KeyPath::new_single("key"))))
        .add_object_store(
            ObjectStoreBuilder::new("drafts")
                .key_path(Some(KeyPath::new_single("id")))
                .add_index(IndexBuilder::new("updated_at".into(), KeyPath::new_single("updated_at"))),
        )
        .add_object_store(
            ObjectStoreBuilder::new("photos")
                .key_path(Some(KeyPath::new_single("id")))
                .add_index(IndexBuilder::new("draft_id".into(), KeyPath::new_single("draft_id"))),
        )
        .build()
        .await
        .expect("v2 opens");
    let tx = db.transaction(&["drafts", "photos"], TransactionMode::ReadWrite).expect("tx");
    for (store, records) in [("drafts", drafts), ("photos", photos)] {
        let s = tx.object_store(store).expect("store");
        for r in records {
            let v = js_sys::JSON::parse(&r.to_string()).expect("parse");
            if store == "photos" {
                // A real Blob, as v2 kept photos.
                let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str("jpeg bytes"));
                let blob = web_sys::Blob::new_with_str_sequence(&parts).expect("blob");
                js_sys::Reflect::set(&v, &"blob".into(), &blob).expect("set");
                js_sys::Reflect::set(&v, &"thumb".into(), &blob).expect("set");
            }
            s.put(&v, None).expect("put").await.expect("put done");
        }
    }
    assert!(tx.await.expect("commit").is_committed());
    db.close();
}

#[wasm_bindgen_test]
async fn upgrading_from_schema_v2_keeps_drafts_and_photos_and_makes_every_draft_sendable() {
    let user = fresh_user(7);
    let name = store::db_name(user);
    let drafts: Vec<serde_json::Value> = (0..10)
        .map(|i| {
            serde_json::json!({
                "id": format!("{:032x}", i + 1), "owner": user, "title": format!("第二版稿件{i}"), "body": "正文。",
                "item_type": "dynamic", "tags": [], "phone": "13912345678", "created_at": 1.0, "updated_at": 2.0 + i as f64,
                "local_rev": 4, "deleted_at": null
            })
        })
        .collect();
    let photo = serde_json::json!({"id": "p1", "draft_id": format!("{:032x}", 1), "name": "现场.jpg", "width": 10, "height": 10, "size": 10.0, "added_at": 1.0});
    create_v2(&name, &drafts, &[photo]).await;

    store::close();
    assert_eq!(store::list_drafts(user).await.expect("opens at v3").len(), 10);
    let d = store::load_draft(user, &format!("{:032x}", 1)).await.expect("load").expect("present");
    assert_eq!((d.content.title.as_str(), d.local_rev), ("第二版稿件0", 4));
    assert_eq!(d.sync, xinbao_core::sync::LocalSync::default(), "an old record reads as never sent");
    assert_eq!(d.sync.status(d.local_rev), xinbao_core::sync::LocalStatus::LocalOnly);
    assert_eq!(xinbao_app::photos::list(user, &d.id).await.expect("photos").len(), 1);
    // Every old draft waits to be sent, once.
    assert_eq!(outbox::pending_count(user).await.expect("count"), 10);
    let (_, first) = outbox::freeze(user).await.expect("freeze");
    let (_, again) = outbox::freeze(user).await.expect("freeze again");
    assert_eq!(first.len(), 10);
    assert_eq!(again, first, "freezing twice adds nothing: one waiting mutation per item");
    let mids: Vec<u64> = first.iter().map(|e| e.mid).collect();
    assert_eq!(mids, (1..=10).collect::<Vec<u64>>());
}

#[wasm_bindgen_test]
async fn answers_retire_outbox_entries_and_leave_receipts_in_one_step() {
    use xinbao_core::sync::{MutationResult, Outcome, RejectReason};
    let user = fresh_user(8);
    for i in 0..3u32 {
        let mut d = LocalDraft::new(format!("{:032x}", i + 1), user);
        d.content.title = format!("稿件{i}");
        d.content.body = "正文".into();
        d.local_rev = 1;
        store::save_draft(&d).await.expect("save");
    }
    let (_, entries) = outbox::freeze(user).await.expect("freeze");
    assert_eq!(entries.len(), 3);
    let results = vec![
        MutationResult { mid: entries[0].mid, item_id: entries[0].item_id.clone(), outcome: Outcome::Applied { rev: 1, signing: None } },
        MutationResult {
            mid: entries[1].mid,
            item_id: entries[1].item_id.clone(),
            outcome: Outcome::Rejected { reason: RejectReason::Invalid, detail: "请填写联系电话".into() },
        },
    ];
    assert!(!outbox::apply_results(user, &results).await.expect("apply"), "every answer names the item sent");
    // An answer naming another item than the one sent under its mid (the numbering went back):
    // not applied, and said.
    let wrong = vec![MutationResult {
        mid: entries[2].mid,
        item_id: entries[0].item_id.clone(),
        outcome: Outcome::Applied { rev: 9, signing: None },
    }];
    assert!(outbox::apply_results(user, &wrong).await.expect("apply"));
    let untouched = store::load_draft(user, &entries[2].item_id).await.expect("load").expect("present");
    assert_eq!(untouched.sync.rev, 0, "never 已报送 on another item's answer");
    let (_, left) = outbox::freeze(user).await.expect("freeze");
    assert_eq!(left.iter().map(|e| e.mid).collect::<Vec<_>>(), vec![entries[2].mid], "only the unanswered one waits");
    let ok = store::load_draft(user, &entries[0].item_id).await.expect("load").expect("present");
    assert_eq!(ok.sync.status(ok.local_rev), xinbao_core::sync::LocalStatus::BackedUp);
    let refused = store::load_draft(user, &entries[1].item_id).await.expect("load").expect("present");
    assert_eq!(refused.sync.status(refused.local_rev), xinbao_core::sync::LocalStatus::Failed("请填写联系电话".into()));
    let receipts = outbox::receipts(user, 10).await.expect("receipts");
    assert_eq!(receipts.len(), 2);
    assert!(receipts.iter().any(|r| r.outcome == "rejected" && r.detail.as_deref() == Some("请填写联系电话")));
    // An editor's save never overwrites the sync state.
    let mut stale = ok.clone();
    stale.sync = xinbao_core::sync::LocalSync::default();
    stale.content.body = "改过".into();
    let saved = store::save_draft_checked(&stale, ok.local_rev).await.expect("save");
    let store::SaveOutcome::Saved(saved) = saved else { panic!("conflict") };
    assert_eq!(saved.sync.rev, 1);
}

#[wasm_bindgen_test]
async fn the_newest_page_reads_newest_first_and_a_read_ahead_is_never_used_after_a_write() {
    let user = fresh_user(7);
    for (id, at) in [("a", 1.0), ("b", 5.0), ("c", 3.0), ("d", 5.0), ("e", 2.0), ("f", 4.0)] {
        let mut d = LocalDraft::new(id.into(), user);
        d.updated_at = at;
        store::save_draft(&d).await.expect("save");
    }
    let ids = |l: Vec<LocalDraft>| l.into_iter().map(|d| d.id).collect::<Vec<_>>();
    // From IndexedDB, not the list this tab keeps: newest first, ties as the index orders them.
    store::close();
    assert_eq!(ids(store::recent_drafts(user, 3).await.expect("recent")), ["d", "b", "f"]);
    store::close();
    assert_eq!(ids(store::recent_drafts(user, 1).await.expect("recent")), ["d"]);
    store::close();
    assert_eq!(ids(store::recent_drafts(user, 50).await.expect("recent")), ["d", "b", "f", "c", "e", "a"], "fewer than a page");
    // Read ahead while the app starts, then a write before the desk asks: the desk sees the write.
    store::close();
    store::read_ahead(user, 3);
    let mut g = LocalDraft::new("g".into(), user);
    g.updated_at = 9.0;
    store::save_draft(&g).await.expect("save");
    assert_eq!(ids(store::recent_drafts(user, 3).await.expect("recent")), ["g", "d", "b"]);
    // Read ahead with nothing written meanwhile: taken as read.
    store::close();
    store::read_ahead(user, 3);
    assert_eq!(ids(store::recent_drafts(user, 2).await.expect("recent")), ["g", "d"]);
}
