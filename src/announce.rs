//! Urgent items announced while any tab of the app is open, for the information section's
//! editors and signers: a count in the window title, a line at the top of every page and — where
//! the person allowed it — a system notification, within seconds of the submission.
//!
//! The server sends them as server-sent events (`GET /api/review/announcements`). One tab of the
//! browser holds that connection and passes each announcement to the others over a
//! BroadcastChannel: a plain-http intranet address allows six connections per server, and five
//! open tabs must not take five of them. Which tab listens is a lease in localStorage
//! (`xinbao.urgent_listener.u{id}`: the tab and until when), renewed every [`TICK_MS`] by its
//! holder and taken by another tab once it lapses — Web Locks would be simpler, but browsers
//! offer them only over https, and intranet addresses are plain http. A tab that closes gives
//! the lease up at once. `EventSource` reconnects by itself after a dropped line or a server
//! restart, telling the server the last event it had; one the server refused (a session ended
//! elsewhere, a 502 while the only server restarts) is opened again by the holder's next ticks,
//! waiting longer each time up to five minutes.

use crate::session::Session;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use xinbao_core::api::Announcement;
use xinbao_core::role::Role;

/// The listening tab renews its lease this often; others look this often.
const TICK_MS: u64 = 5_000;
/// A lease not renewed for this long is free (its tab crashed or froze).
const LEASE_MS: f64 = 15_000.0;
/// Waits before opening a refused connection again: first, and at most.
const RETRY_FIRST_MS: f64 = 5_000.0;
const RETRY_MAX_MS: f64 = 300_000.0;
/// What a tab says on the channel when the person has looked (ids are 32 hex digits).
const SEEN: &str = "seen";

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

/// Which tab listens for an account, until when (this PC's clock, the same for every tab).
#[derive(serde::Serialize, serde::Deserialize)]
struct Lease {
    tab: String,
    until: f64,
}

fn lease_key(user: i64) -> String {
    format!("xinbao.urgent_listener.u{user}")
}

/// The listening parts of this tab, dropped (closed, the lease given up) on logout.
struct Listening {
    user: i64,
    channel: Option<web_sys::BroadcastChannel>,
    source: Option<web_sys::EventSource>,
    /// When a refused connection may be opened again, and the wait after that.
    retry_at: f64,
    retry_ms: f64,
    timer: Option<leptos::prelude::IntervalHandle>,
    /// The window's `pagehide` listener, removed with the rest.
    on_hide: Option<Closure<dyn FnMut()>>,
    _closures: Vec<Box<dyn std::any::Any>>,
}

impl Listening {
    /// Gives the lease up if this tab holds it (closing, logging out).
    fn give_up_lease(&self) {
        let key = lease_key(self.user);
        if LocalStorage::get::<Lease>(&key).is_ok_and(|l| l.tab == crate::tabs::tab_id()) {
            LocalStorage::delete(&key);
        }
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        if let Some(t) = self.timer.take() {
            t.clear();
        }
        if let (Some(w), Some(f)) = (web_sys::window(), self.on_hide.take()) {
            let _ = w.remove_event_listener_with_callback("pagehide", f.as_ref().unchecked_ref());
        }
        if let Some(s) = self.source.take() {
            s.close();
        }
        if let Some(c) = &self.channel {
            c.set_onmessage(None);
            c.close();
        }
        self.give_up_lease();
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
            if LISTENING.with(|l| l.borrow().as_ref().map(|l| l.user)) == user {
                return;
            }
            LISTENING.with(|l| l.borrow_mut().take());
            a.unseen.set(Vec::new());
            badge(0);
            if let Some(user) = user {
                let listening = a.listen(user);
                LISTENING.with(|l| *l.borrow_mut() = Some(listening));
                a.tick(user);
            }
        });
        a
    }

    /// The person looked (the home page, the queue, the banner): the count goes, in every tab.
    pub fn seen(&self) {
        self.clear();
        LISTENING.with(|l| {
            if let Some(c) = l.borrow().as_ref().and_then(|l| l.channel.as_ref()) {
                let _ = c.post_message(&JsValue::from_str(SEEN));
            }
        });
    }

    fn clear(&self) {
        if !self.unseen.is_disposed() && !self.unseen.with_untracked(Vec::is_empty) {
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
            let on = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| match ev.data().as_string() {
                Some(m) if m == SEEN => self.clear(),
                Some(id) => self.heard(id),
                None => {}
            });
            c.set_onmessage(Some(on.as_ref().unchecked_ref()));
            closures.push(Box::new(on));
        }
        // A closing tab lets the lease go: another takes over at its next tick.
        let on_hide = Closure::<dyn FnMut()>::new(move || {
            LISTENING.with(|l| {
                if let Some(l) = l.borrow().as_ref() {
                    l.give_up_lease();
                }
            })
        });
        if let Some(w) = web_sys::window() {
            let _ = w.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
        }
        let timer = set_interval_with_handle(move || self.tick(user), std::time::Duration::from_millis(TICK_MS)).ok();
        Listening {
            user,
            channel,
            source: None,
            retry_at: 0.0,
            retry_ms: RETRY_FIRST_MS,
            timer,
            on_hide: Some(on_hide),
            _closures: closures,
        }
    }

    /// Takes or renews the lease and listens, or leaves listening to the tab that holds it.
    fn tick(self, user: i64) {
        let now = js_sys::Date::now();
        let key = lease_key(user);
        let me = crate::tabs::tab_id();
        let free = LocalStorage::get::<Lease>(&key).map_or(true, |l| l.tab == me || l.until < now);
        LISTENING.with(|l| {
            let mut l = l.borrow_mut();
            let Some(l) = l.as_mut().filter(|l| l.user == user) else { return };
            if !free {
                if let Some(s) = l.source.take() {
                    s.close();
                }
                return;
            }
            let _ = LocalStorage::set(&key, Lease { tab: me.to_owned(), until: now + LEASE_MS });
            let refused = l.source.as_ref().is_some_and(|s| s.ready_state() == web_sys::EventSource::CLOSED);
            if l.source.is_some() && !refused {
                return;
            }
            if now < l.retry_at {
                return;
            }
            if refused {
                l.retry_ms = (l.retry_ms * 2.0).min(RETRY_MAX_MS);
            }
            l.retry_at = now + l.retry_ms;
            l.source = self.connect(user);
        });
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
        // Connected: a later refusal waits the shortest time again.
        let opened = Closure::<dyn FnMut()>::new(move || {
            LISTENING.with(|l| {
                if let Some(l) = l.borrow_mut().as_mut().filter(|l| l.user == user) {
                    l.retry_ms = RETRY_FIRST_MS;
                }
            })
        });
        let _ = source.add_event_listener_with_callback("open", opened.as_ref().unchecked_ref());
        // The source lives as long as the tab listens; so do its handlers.
        on.forget();
        opened.forget();
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
    web_sys::window()
        .is_some_and(|w| w.is_secure_context() && js_sys::Reflect::has(&w, &JsValue::from_str("Notification")).unwrap_or(false))
}

/// A system notification for item `id`, if the person allowed them: its title, read as this
/// account reads it; a click opens it.
async fn notify(id: String) {
    if !notifications_possible() || web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
        return;
    }
    let title = crate::api::get_json::<xinbao_core::sync::ItemSnapshot>(&format!("/api/items/{id}"))
        .await
        .map(|s| s.content.title)
        .unwrap_or_default();
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
