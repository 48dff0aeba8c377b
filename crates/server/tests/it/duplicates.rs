//! Near-duplicates switched on (issue 25): a submission is compared with the office's items of
//! the last 90 days (MinHash band keys, then signatures); the editor is told which earlier item
//! it resembles, by title; its author too when it is their own, and otherwise without the other
//! unit's title. A 续报 is checked against its 初报, which is not taken for a duplicate.

use crate::common::office::{Office, id, office};
use crate::common::{TestApp, json};
use serde_json::{Value, json};

const HAIL: &str = "6月14日18时20分至18时45分，河西镇下八户村、夹河子村遭受冰雹袭击，冰雹最大直径约2厘米，受灾农田3200亩，其中棉花2100亩、玉米1100亩，倒塌温室大棚12座，无人员伤亡。镇党委立即组织农技人员下村查灾，指导群众排水补苗。";
const FAIR: &str = "9月20日，兰州湾镇在镇文化广场举办首届农民丰收节，设置农产品展销摊位86个，现场销售番茄、甜瓜等农产品43吨，销售额达51万元，吸引周边群众约6000人次参加。";

async fn submit(t: &TestApp, o: &mut Office, second: bool, n: u64, title: &str, body: &str, follows: Option<u64>) -> Value {
    let who = if second { &mut o.officer2 } else { &mut o.officer };
    let mut content = json!({"title": title, "body": body, "phone": "13912345678"});
    if let Some(f) = follows {
        content["follows"] = json!(id(f));
        content["item_type"] = json!("urgent");
        content["event_time"] = json!(xinbao_server::db::now_ms() - 3_600_000);
        content["stage"] = json!({"stage": "follow_up", "n": 1});
    }
    let r = who.push(t, n, 0, json!({"op": "submit", "content": content})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    r
}

async fn hint(t: &TestApp, who: &crate::common::office::Who, n: u64) -> String {
    let res = t.post_json("/api/sync/pull", json!({"client_id": who.client, "cursor": 0}), Some(&who.cookie)).await;
    let pulled = json(res).await;
    pulled["changes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id(n)))
        .and_then(|c| c["quality"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_submission_resembling_an_earlier_item_of_the_office_is_named_to_the_editor_and_unnamed_to_another_unit() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    submit(&t, &mut o, false, 1, "河西镇遭受冰雹袭击", HAIL, None).await;
    // Another township's officer sends nearly the same text.
    let copied = HAIL.replace("无人员伤亡", "未造成人员伤亡");
    submit(&t, &mut o, true, 2, "河西镇冰雹灾害情况", &copied, None).await;
    let to_editor = hint(&t, &o.editor, 2).await;
    assert!(to_editor.contains("与已有稿件《河西镇遭受冰雹袭击》相似度约"), "{to_editor}");
    let to_author = hint(&t, &o.officer2, 2).await;
    assert!(to_author.contains("本办近期已收到的另一篇稿件"), "{to_author}");
    assert!(!to_author.contains("河西镇遭受冰雹袭击"), "another unit's title is not the author's to read: {to_author}");
    // The first item was compared with nothing earlier.
    assert!(!hint(&t, &o.editor, 1).await.contains("相似度"));
    // An unrelated item resembles nothing.
    submit(&t, &mut o, true, 3, "兰州湾镇举办首届农民丰收节", FAIR, None).await;
    assert!(!hint(&t, &o.editor, 3).await.contains("相似度"));
    // The author's own earlier item is named to them.
    submit(&t, &mut o, false, 4, "河西镇冰雹受灾核实情况", &HAIL.replace("3200亩", "3300亩"), None).await;
    let own = hint(&t, &o.officer, 4).await;
    assert!(own.contains("《河西镇遭受冰雹袭击》"), "{own}");

    // Older than 90 days: not compared.
    sqlx::query("UPDATE item_bands SET day = day - 91 WHERE item_id = $1")
        .bind(id(3))
        .execute(&t.app.state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    submit(&t, &mut o, false, 5, "兰州湾镇农民丰收节销售农产品43吨", FAIR, None).await;
    assert!(!hint(&t, &o.editor, 5).await.contains("《兰州湾镇举办首届农民丰收节》"), "{}", hint(&t, &o.editor, 5).await);

    // A 续报 that repeats its 初报 is told so, and its 初报 is not called a duplicate.
    submit(&t, &mut o, false, 6, "河西镇冰雹灾害续报", &format!("{HAIL}截至6月15日，核定受灾面积3400亩。"), Some(1)).await;
    let follow = hint(&t, &o.editor, 6).await;
    assert!(follow.contains("续报与前一次报告内容重复约"), "{follow}");
    assert!(!follow.contains("《河西镇遭受冰雹袭击》"), "{follow}");
}
