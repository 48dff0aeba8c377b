//! Any bytes as a sync message, decoded as the server and the app decode them: never a panic;
//! what decodes re-encodes to the same message; every check the server runs on a push (ids,
//! batch size, submittable content, the review decision) answers without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinbao_core::item::check_submittable;
use xinbao_core::sync::{Op, PullRequest, PullResponse, PushRequest, PushResponse, valid_client_id, valid_item_id};

fuzz_target!(|data: &[u8]| {
    if let Ok(push) = serde_json::from_slice::<PushRequest>(data) {
        let _ = valid_client_id(&push.client_id);
        for m in &push.mutations {
            let _ = valid_item_id(&m.item_id);
            match &m.op {
                Op::Save { content } | Op::Submit { content } => {
                    let _ = check_submittable(content);
                }
                Op::Act { content: Some(content), .. } => {
                    let _ = check_submittable(content);
                }
                Op::Act { .. } | Op::Delete | Op::Comment { .. } => {}
            }
        }
        let again = serde_json::to_vec(&push).expect("a decoded push encodes");
        let back: PushRequest = serde_json::from_slice(&again).expect("an encoded push decodes");
        assert_eq!(back, push);
    }
    if let Ok(pull) = serde_json::from_slice::<PullRequest>(data) {
        let again = serde_json::to_vec(&pull).expect("a decoded pull encodes");
        assert_eq!(serde_json::from_slice::<PullRequest>(&again).ok(), Some(pull));
    }
    // What the app decodes from the server.
    let _ = serde_json::from_slice::<PullResponse>(data);
    let _ = serde_json::from_slice::<PushResponse>(data);
});
