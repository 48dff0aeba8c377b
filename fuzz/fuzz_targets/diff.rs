//! Any two texts through the character diff: never a panic, and the spans give back both texts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinbao_core::diff::{chars, new_text, old_text};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (old, new) = text.split_once('\u{0}').unwrap_or((&text, ""));
    let spans = chars(old, new);
    assert_eq!(old_text(&spans), old);
    assert_eq!(new_text(&spans), new);
});
