//! Tabs of the same browser telling each other about saved drafts (BroadcastChannel), so a
//! second tab on the same draft learns at once that its copy is stale.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// This page's id, random per page load.
pub fn tab_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(crate::util::random_id)
}

/// "Draft `id` is now at local revision `rev`", sent by tab `tab`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DraftSaved {
    pub id: String,
    pub rev: u32,
    pub tab: String,
}

/// One account's channel. Dropping it closes the channel and its listener.
pub struct TabChannel {
    channel: web_sys::BroadcastChannel,
    _listener: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
}

impl TabChannel {
    pub fn open(user_id: i64) -> Option<TabChannel> {
        let channel = web_sys::BroadcastChannel::new(&format!("xinbao-drafts-u{user_id}")).ok()?;
        Some(TabChannel { channel, _listener: None })
    }

    pub fn post(&self, msg: &DraftSaved) {
        if let Ok(json) = serde_json::to_string(msg) {
            let _ = self.channel.post_message(&JsValue::from_str(&json));
        }
    }

    /// Calls `f` for every message from another tab.
    pub fn listen(&mut self, mut f: impl FnMut(DraftSaved) + 'static) {
        let listener = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(text) = ev.data().as_string() else { return };
            if let Ok(msg) = serde_json::from_str::<DraftSaved>(&text)
                && msg.tab != tab_id()
            {
                f(msg);
            }
        });
        self.channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        self._listener = Some(listener);
    }
}

impl Drop for TabChannel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
