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
