//! Browser tests for the IndexedDB store, run in headless Chromium by wasm-bindgen-test.

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
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
