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
    fn apply_update();
    fn check_for_update();
}

/// App-wide state of the offline shell, provided as context.
#[derive(Clone, Copy)]
pub struct Pwa {
    /// A new version is installed and waiting for the person to take it.
    pub update_ready: RwSignal<bool>,
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
        if !self.unsaved.get_untracked() {
            apply_update();
        }
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
