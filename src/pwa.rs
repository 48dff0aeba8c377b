//! The installable, offline app: service worker registration and the "更新" (update) offer.
//! The JavaScript side is `js/pwa.js`; the worker itself is `public/sw.js`.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/pwa.js")]
extern "C" {
    fn register_service_worker(
        on_update_ready: &Closure<dyn FnMut()>,
        on_taken_over: &Closure<dyn FnMut()>,
        on_failed: &Closure<dyn FnMut(String)>,
    );
    fn apply_update() -> js_sys::Promise;
    fn check_for_update();
}

/// App-wide state of the offline shell, provided as context.
#[derive(Clone, Copy)]
pub struct Pwa {
    /// A new version is installed and waiting for the person to take it.
    pub update_ready: RwSignal<bool>,
    /// The person pressed 更新 and the new version has not taken over yet. In browsers before
    /// Chrome 123 that can take half a minute (see `public/sw.js`): the banner says so.
    pub switching: RwSignal<bool>,
    /// Some text typed here has not reached IndexedDB yet: no reload now.
    pub unsaved: RwSignal<bool>,
    /// Another tab upgraded the local database: this page must reload (after a last save).
    pub schema_stale: RwSignal<bool>,
    /// A new version was activated from another tab: this one saves and reloads.
    pub taken_over: RwSignal<bool>,
    /// The browser refused the service worker (over https: a certificate this PC does not
    /// trust): offline will not work here.
    pub shell_refused: RwSignal<bool>,
}

impl Pwa {
    pub fn start(session: crate::session::Session) -> Pwa {
        let pwa = Pwa {
            update_ready: RwSignal::new(false),
            switching: RwSignal::new(false),
            unsaved: RwSignal::new(false),
            schema_stale: RwSignal::new(false),
            taken_over: RwSignal::new(false),
            shell_refused: RwSignal::new(false),
        };
        let stale = pwa.schema_stale;
        crate::store::on_schema_change(move || stale.set(true));
        let (ready, taken, refused) = (pwa.update_ready, pwa.taken_over, pwa.shell_refused);
        // The worker precaches every page's module, so it is registered once someone has logged
        // in on this browser: the first load of the login page on a slow line carries the shell
        // alone, and the pages come down after the login (issue 20).
        Effect::new(move |registered: Option<bool>| {
            if registered == Some(true) || session.me.with(Option::is_none) {
                return registered == Some(true);
            }
            let on_ready = Closure::<dyn FnMut()>::new(move || ready.set(true));
            let on_taken_over = Closure::<dyn FnMut()>::new(move || taken.set(true));
            let on_failed = Closure::<dyn FnMut(String)>::new(move |_: String| refused.set(true));
            register_service_worker(&on_ready, &on_taken_over, &on_failed);
            // The worker calls back whenever a new version is found, for the life of the page.
            on_ready.forget();
            on_taken_over.forget();
            on_failed.forget();
            true
        });
        // Taken over by a new version: reload as soon as nothing typed is unsaved.
        Effect::new(move |_| {
            if pwa.taken_over.get() && !pwa.unsaved.get() {
                pwa.reload();
            }
        });
        pwa
    }

    /// Takes the waiting version: the page reloads once the new worker is in control. Refused
    /// while text is unsaved.
    pub fn update(&self) {
        if self.unsaved.get_untracked() || self.switching.get_untracked() {
            return;
        }
        self.switching.set(true);
        let switching = self.switching;
        leptos::task::spawn_local(async move {
            let asked = wasm_bindgen_futures::JsFuture::from(apply_update()).await.ok().and_then(|v| v.as_bool()).unwrap_or(false);
            // Nothing was waiting after all: the button is the person's again.
            if !asked {
                switching.set(false);
            }
        });
    }

    /// Reloads the page for a schema change, unless text is still being saved.
    pub fn reload(&self) {
        if !self.unsaved.get_untracked()
            && let Some(w) = web_sys::window()
        {
            let _ = w.location().reload();
        }
    }

    pub fn look_for_update(&self) {
        check_for_update();
    }
}

/// The move from a plain-http intranet address to https once the server has TLS (issue 20).
///
/// IndexedDB belongs to an origin: what a browser keeps at `http://10.1.2.3:8080` is not there
/// at `https://10.1.2.3:8080`. So a browser that used the http address is not redirected by the
/// server (see `crates/server/src/tls.rs`); the app, served there, learns the https address
/// from `/healthz` and moves itself only when nothing would be stranded:
/// - the person here is unlocked (sealed drafts can be counted only then), is not typing, and
///   has nothing the server lacks ([`crate::outbox::unsettled_count`]);
/// - no one else's database at this address is still waiting for them (a shared PC: each
///   account that has moved is remembered in `localStorage`, and forgotten if it logs in here
///   again);
/// - the https address answers (a PC without the office CA stays, and the notice says where to
///   get it).
///
/// Before moving, the session at the http address is ended (a session made over plain http must
/// not live on). Until then every page says that https is there, with a link.
#[derive(Clone, Copy)]
pub struct Handoff {
    /// The https address, when this page is on plain http and the server offers https.
    pub target: RwSignal<Option<String>>,
}

impl Handoff {
    pub fn start(session: crate::session::Session, pwa: Pwa) -> Handoff {
        let target = RwSignal::new(None::<String>);
        let h = Handoff { target };
        if web_sys::window().is_none_or(|w| w.is_secure_context()) {
            return h;
        }
        leptos::task::spawn_local(async move {
            let Ok(resp) = gloo_net::http::Request::get("/healthz").send().await else { return };
            let Some(url) = resp.headers().get("x-xinbao-https").filter(|u| u.starts_with("https://")) else { return };
            target.set(Some(url));
            // Now, and every 15 s while this page stays on http (the outbox empties as it syncs).
            h.try_move(session, pwa);
            gloo_timers::callback::Interval::new(15_000, move || h.try_move(session, pwa)).forget();
        });
        // Logging in here again: this account's database counts again until it moves.
        Effect::new(move |_| {
            if let Some(me) = session.me.get() {
                if !session.locked.get() {
                    set_moved(me.user_id, false);
                }
                h.try_move(session, pwa);
            }
        });
        h
    }

    fn try_move(self, session: crate::session::Session, pwa: Pwa) {
        let Some(url) = self.target.get_untracked() else { return };
        if session.locked.get_untracked() || pwa.unsaved.get_untracked() {
            return;
        }
        let me = session.me.get_untracked().map(|m| m.user_id);
        leptos::task::spawn_local(async move {
            let Some(accounts) = local_accounts().await else { return };
            if accounts.iter().any(|id| Some(*id) != me && !is_moved(*id)) {
                return;
            }
            if let Some(user) = me
                && !crate::outbox::unsettled_count(user).await.is_ok_and(|n| n == 0)
            {
                return;
            }
            if !reachable(&url).await || session.locked.get_untracked() || pwa.unsaved.get_untracked() {
                return;
            }
            if let Some(user) = me {
                set_moved(user, true);
                let _ = crate::api::logout().await;
                crate::store::close();
                session.log_out();
            }
            go_to(&url);
        });
    }
}

/// The accounts whose database lives at this address (`None` from a browser that cannot list
/// them: it never moves by itself; the notice's link is there).
async fn local_accounts() -> Option<Vec<i64>> {
    let factory = web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"indexedDB".into()).ok())?;
    let list = js_sys::Reflect::get(&factory, &"databases".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
    let promise = list.call0(&factory).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    let names = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    Some(
        js_sys::Array::from(&names)
            .iter()
            .filter_map(|d| js_sys::Reflect::get(&d, &"name".into()).ok()?.as_string())
            .filter_map(|n| n.strip_prefix("xinbao-u")?.parse().ok())
            .collect(),
    )
}

fn moved_key(user: i64) -> String {
    format!("xinbao.moved-to-https.u{user}")
}

fn is_moved(user: i64) -> bool {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten()).and_then(|s| s.get_item(&moved_key(user)).ok().flatten()).is_some()
}

fn set_moved(user: i64, moved: bool) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = if moved { s.set_item(&moved_key(user), "1") } else { s.remove_item(&moved_key(user)) };
    }
}

/// Whether the https address answers (its certificate trusted by this browser).
async fn reachable(origin: &str) -> bool {
    let url = format!("{}/healthz?t={}", origin.trim_end_matches('/'), js_sys::Date::now() as u64);
    gloo_net::http::Request::get(&url).mode(web_sys::RequestMode::NoCors).send().await.is_ok()
}

/// The same page at the https address.
fn go_to(origin: &str) {
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let path = format!("{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default());
    let path = if path == "/?http" { "/".to_owned() } else { path };
    let _ = loc.replace(&format!("{}{}", origin.trim_end_matches('/'), path));
}

pub fn use_handoff() -> Option<Handoff> {
    use_context::<Handoff>()
}

pub fn use_pwa() -> Option<Pwa> {
    use_context::<Pwa>()
}

/// What this browser, at this address, cannot do for offline work — each a sentence to show on
/// every page. Empty where everything the offline promise stands on is there: a secure context
/// (https or localhost: the service worker, Web Locks and persistent storage exist only there)
/// and IndexedDB (where drafts are kept).
pub fn offline_limits() -> Vec<xinbao_core::i18n::Text> {
    use crate::i18n::ui;
    let Some(window) = web_sys::window() else { return Vec::new() };
    let has = |target: &wasm_bindgen::JsValue, name: &str| {
        js_sys::Reflect::get(target, &wasm_bindgen::JsValue::from_str(name)).is_ok_and(|v| !v.is_undefined() && !v.is_null())
    };
    let mut out = Vec::new();
    if !window.is_secure_context() {
        out.push(ui::INSECURE_CONTEXT);
    } else {
        let navigator = window.navigator();
        if !has(&navigator, "serviceWorker") || !has(&navigator, "locks") {
            out.push(ui::NO_OFFLINE_SHELL);
        }
    }
    if !has(&window, "indexedDB") {
        out.push(ui::NO_INDEXEDDB);
    }
    out
}
