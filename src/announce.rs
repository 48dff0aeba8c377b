//! Urgent items announced while any tab of the app is open, for the information section's
//! editors and signers: a count in the window title, a line at the top of every page and — where
//! the person allowed it — a system notification, within seconds of the submission.
//!
//! The server sends them as server-sent events (`GET /api/review/announcements`). One tab of the
//! browser holds that connection (the one holding the Web Lock `xinbao-urgent-u{id}`; when it
//! closes, another takes over) and passes each announcement to the others over a
//! BroadcastChannel: a plain-http intranet address allows six connections per server, and five
//! open tabs must not take five of them. A browser without Web Locks lets each tab listen.
//! `EventSource` reconnects by itself after a dropped line or a server restart; a refused
//! session (logged out, password reset) ends it.

use crate::session::Session;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use xinbao_core::api::Announcement;
use xinbao_core::role::Role;

/// What this tab has heard.
#[derive(Clone, Copy)]
pub struct Announcements {
    /// Urgent items announced and not yet looked at, newest last.
    pub unseen: RwSignal<Vec<String>>,
    /// Counts every announcement: pages listing what waits read again when it moves.
    pub arrived: RwSignal<u64>,
}

pub fn use_announcements() -> Option<Announcements> {
    use_context::<Announcements>()
}

/// The listening parts of this tab, dropped (closed) on logout.
struct Listening {
    user: i64,
    channel: Option<web_sys::BroadcastChannel>,
    source: Option<web_sys::EventSource>,
    /// Resolves the promise that holds the Web Lock: the lock goes to the next tab.
    release: Option<js_sys::Function>,
    _closures: Vec<Box<dyn std::any::Any>>,
}

impl Drop for Listening {
    fn drop(&mut self) {
        if let Some(s) = &self.source {
            s.close();
        }
        if let Some(c) = &self.channel {
            c.set_onmessage(None);
            c.close();
        }
        if let Some(r) = self.release.take() {
            let _ = r.call0(&JsValue::NULL);
        }
    }
}

thread_local! {
    static LISTENING: RefCell<Option<Listening>> = const { RefCell::new(None) };
}

impl Announcements {
    /// Listens while an editor or signer is logged in and unlocked in this tab.
    pub fn start(session: Session) -> Announcements {
        let a = Announcements { unseen: RwSignal::new(Vec::new()), arrived: RwSignal::new(0) };
        Effect::new(move |_| {
            let me = session.me.get().filter(|m| matches!(m.role, Role::Editor | Role::Signer) && !m.must_change_password);
            let user = me.filter(|_| !session.locked.get()).map(|m| m.user_id);
            // Listening for this account already, on a connection still open or reconnecting
            // (a refused one, after a session ended, is made again at the next login).
            let same = LISTENING.with(|l| {
                l.borrow().as_ref().is_some_and(|l| Some(l.user) == user && l.source.as_ref().is_none_or(|s| s.ready_state() != web_sys::EventSource::CLOSED))
            });
            if same || (user.is_none() && LISTENING.with(|l| l.borrow().is_none())) {
                return;
            }
            LISTENING.with(|l| l.borrow_mut().take());
            a.unseen.set(Vec::new());
            badge(0);
            if let Some(user) = user {
                let listening = a.listen(user);
                LISTENING.with(|l| *l.borrow_mut() = Some(listening));
            }
        });
        a
    }

    /// The person looked at the home page or the queue: the count goes.
    pub fn seen(&self) {
        if !self.unseen.with_untracked(Vec::is_empty) {
            self.unseen.set(Vec::new());
        }
        badge(0);
    }

    /// An urgent item announced (here or by the listening tab).
    fn heard(&self, id: String) {
        if self.unseen.is_disposed() {
            return;
        }
        self.unseen.update(|u| {
            if !u.contains(&id) {
                u.push(id);
            }
        });
        self.arrived.update(|n| *n += 1);
        badge(self.unseen.with_untracked(Vec::len));
    }

    fn listen(self, user: i64) -> Listening {
        let mut closures: Vec<Box<dyn std::any::Any>> = Vec::new();
        let channel = web_sys::BroadcastChannel::new(&format!("xinbao-urgent-u{user}")).ok();
        if let Some(c) = &channel {
            let on = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                if let Some(id) = ev.data().as_string() {
                    self.heard(id);
                }
            });
            c.set_onmessage(Some(on.as_ref().unchecked_ref()));
            closures.push(Box::new(on));
        }
        let mut listening = Listening { user, channel, source: None, release: None, _closures: closures };
        let locks = web_sys::window()
            .map(|w| w.navigator())
            .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("locks")).ok())
            .filter(|l| !l.is_undefined() && !l.is_null());
        let request = locks.as_ref().and_then(|l| js_sys::Reflect::get(l, &JsValue::from_str("request")).ok()).and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match (locks, request) {
            (Some(locks), Some(request)) => {
                // Granted when no other tab of this browser listens for this account; held
                // until this tab closes or logs out.
                let got = Closure::once_into_js(move |_lock: JsValue| -> js_sys::Promise {
                    let mut release = None;
                    let held = js_sys::Promise::new(&mut |resolve, _| release = Some(resolve));
                    LISTENING.with(|l| {
                        if let Some(l) = l.borrow_mut().as_mut().filter(|l| l.user == user) {
                            l.release = release;
                            l.source = self.connect(user);
                        } else if let Some(r) = release {
                            // Logged out while waiting: let the lock go at once.
                            let _ = r.call0(&JsValue::NULL);
                        }
                    });
                    held
                });
                let _ = request.call2(&locks, &JsValue::from_str(&format!("xinbao-urgent-u{user}")), &got);
            }
            _ => listening.source = self.connect(user),
        }
        listening
    }

    /// The connection to the server, in the listening tab.
    fn connect(self, user: i64) -> Option<web_sys::EventSource> {
        let source = web_sys::EventSource::new("/api/review/announcements").ok()?;
        let on = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(id) = ev.data().as_string().and_then(|d| serde_json::from_str::<Announcement>(&d).ok()).map(|a| a.item_id) else {
                return;
            };
            LISTENING.with(|l| {
                if let Some(c) = l.borrow().as_ref().filter(|l| l.user == user).and_then(|l| l.channel.as_ref()) {
                    let _ = c.post_message(&JsValue::from_str(&id));
                }
            });
            self.heard(id.clone());
            leptos::task::spawn_local(notify(id));
        });
        let _ = source.add_event_listener_with_callback("urgent", on.as_ref().unchecked_ref());
        // The source lives as long as the tab listens; so does its handler.
        on.forget();
        Some(source)
    }
}

/// `(2) 信报 …` in the window title while two announced items are unseen.
fn badge(n: usize) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let title = doc.title();
    let base = match title.strip_prefix('(').and_then(|t| t.split_once(") ")) {
        Some((count, rest)) if count.bytes().all(|b| b.is_ascii_digit()) => rest.to_owned(),
        _ => title,
    };
    doc.set_title(&if n == 0 { base } else { format!("({n}) {base}") });
}

/// Whether this page may show system notifications at all (a secure context with the API).
pub fn notifications_possible() -> bool {
    web_sys::window().is_some_and(|w| w.is_secure_context() && js_sys::Reflect::has(&w, &JsValue::from_str("Notification")).unwrap_or(false))
}

/// A system notification for item `id`, if the person allowed them: its title, read as this
/// account reads it; a click opens it.
async fn notify(id: String) {
    if !notifications_possible() || web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
        return;
    }
    let title = crate::api::get_json::<xinbao_core::sync::ItemSnapshot>(&format!("/api/items/{id}")).await.map(|s| s.content.title).unwrap_or_default();
    let opts = web_sys::NotificationOptions::new();
    opts.set_body(&title);
    opts.set_tag(&format!("xinbao-urgent-{id}"));
    let head = crate::i18n::ui::URGENT_ARRIVED.zh;
    if let Ok(n) = web_sys::Notification::new_with_options(head, &opts) {
        let on_click = Closure::once_into_js(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.focus();
                let _ = w.location().set_href(&format!("/review/{id}"));
            }
        });
        n.set_onclick(Some(on_click.unchecked_ref()));
    }
}
