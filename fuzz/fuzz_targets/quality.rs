//! Any text through the writing checks (title and body), the similarity signature and the
//! character counts: never a panic, and the same input gives the same report.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use xinbao_core::item::{ItemType, Title};
use xinbao_core::quality::{Context, Input, Other, Rules, Signature, check};

static RULES: OnceLock<Rules> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let rules = RULES.get_or_init(Rules::default);
    let Some((&kind, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let (title, body) = text.split_once('\n').unwrap_or((&text, ""));
    let item_type = match kind % 5 {
        0 => ItemType::Dynamic,
        1 => ItemType::Problem,
        2 => ItemType::Experience,
        3 => ItemType::Research,
        _ => ItemType::Urgent,
    };
    let others = [Other { id: "0".repeat(32), title: title.to_owned(), signature: Signature::of_item(title, body) }];
    let ctx = Context { follows: Some(title), others: &others };
    let input = Input { title, body, item_type };
    let first = check(input, ctx, rules);
    let second = check(input, ctx, rules);
    assert_eq!(first, second);
    let _ = Title::parse(title);
    let _ = xinbao_core::text::char_count(body);
});
