//! Small browser helpers: clock, random ids, time formatting.

/// The clock a page's countdowns read ([`now_ms`]), moved on every 30 s while the page is open.
pub fn ticking_clock() -> leptos::prelude::RwSignal<f64> {
    use leptos::prelude::*;
    let now = RwSignal::new(now_ms());
    let tick = set_interval_with_handle(move || now.set(now_ms()), std::time::Duration::from_secs(30));
    on_cleanup(move || {
        if let Ok(t) = tick {
            t.clear();
        }
    });
    now
}

/// localStorage key of the PC clock's offset from the server's.
const CLOCK_OFFSET_KEY: &str = "xinbao.clock_offset";

thread_local! {
    static OFFSET: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
}

/// Milliseconds since the Unix epoch by the server's clock, as far as this PC knows it: the
/// browser's clock corrected by the offset learned from the last sync answer (kept across
/// restarts). A PC whose clock is days off — a dead CMOS battery — still shows today's dates,
/// urgent countdowns and deadlines once it has talked to the server; before that, its own clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now() + clock_offset()
}

fn clock_offset() -> f64 {
    OFFSET.with(|o| {
        o.get().unwrap_or_else(|| {
            use gloo_storage::{LocalStorage, Storage};
            let kept = LocalStorage::get::<f64>(CLOCK_OFFSET_KEY).ok().filter(|x| x.is_finite()).unwrap_or(0.0);
            o.set(Some(kept));
            kept
        })
    })
}

/// Learns the server's clock from an answer that said `server_time` (0: an older server, ignored)
/// to a request sent at `sent` and answered at `received` (both `Date.now()`).
pub fn learn_server_time(server_time: i64, sent: f64, received: f64) {
    if server_time <= 0 || received < sent {
        return;
    }
    let offset = xinbao_core::sync::clock_offset(server_time, sent, received);
    // Within a second is as good as the round trip allows; below that, keep the one we have.
    if (offset - clock_offset()).abs() < 1_000.0 {
        return;
    }
    OFFSET.with(|o| o.set(Some(offset)));
    use gloo_storage::{LocalStorage, Storage};
    let _ = LocalStorage::set(CLOCK_OFFSET_KEY, offset);
}

/// Fills `bytes` from `crypto.getRandomValues` (which, unlike `randomUUID`, also works on
/// plain-HTTP intranet addresses).
pub fn fill_random(bytes: &mut [u8]) {
    let filled = web_sys::window().and_then(|w| w.crypto().ok()).is_some_and(|c| c.get_random_values_with_u8_array(bytes).is_ok());
    if !filled {
        // No WebCrypto at all (very old browsers): Math.random, still varied per byte.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
}

/// A random 128-bit id as 32 hex digits.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    fill_random(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `HH:MM:SS` in local time.
pub fn clock_time(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:02}:{:02}:{:02}", d.get_hours(), d.get_minutes(), d.get_seconds())
}

/// `YYYY-MM-DD HH:MM` in local time.
pub fn date_time(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{}-{:02}-{:02} {:02}:{:02}", d.get_full_year(), d.get_month() + 1, d.get_date(), d.get_hours(), d.get_minutes())
}

/// A `performance.mark` for benchmarks and field diagnostics (visible in DevTools' timeline).
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Offers `blob` as a download named `name` (`None` if the page cannot).
pub fn save_blob(blob: &web_sys::Blob, name: &str) -> Option<()> {
    use wasm_bindgen::JsCast;
    let url = web_sys::Url::create_object_url_with_blob(blob).ok()?;
    let doc = web_sys::window().and_then(|w| w.document())?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoking at once can cancel the download before the browser has read the Blob.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Some(())
}

/// Today in China Standard Time as a scoring day, by this PC's best idea of the server's clock.
pub fn today() -> i32 {
    xinbao_core::scores::day_of(now_ms() as i64)
}

/// Opens the browser's print dialog for the page as shown (its `@media print` rules hide the
/// app's chrome).
pub fn print_page() {
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}
