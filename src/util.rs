//! Small browser helpers: clock, random ids, time formatting.

/// Milliseconds since the Unix epoch, from the browser clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
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
