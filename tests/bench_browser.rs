//! Benchmarks in headless Chromium, run by `cargo xtask bench` (feature `bench`). They print
//! `BENCH name key=value…` lines that the xtask collects; they assert only correctness, never
//! time — these machines are shared and noisy.

use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use xinbao_app::item::quality_panel::{Compare, check_draft};
use xinbao_app::store::LocalDraft;
use xinbao_core::item::{DraftContent, ItemType};

wasm_bindgen_test_configure!(run_in_browser);

const CORPUS: &str = include_str!("../fixtures/corpus.jsonl");

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// A 1,500-character body made of real report text (problem and research items).
fn body_1500() -> String {
    let mut text = String::new();
    for line in CORPUS.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
        if matches!(v["type"].as_str(), Some("problem" | "research")) {
            text.push_str(v["body"].as_str().unwrap_or_default());
            text.push('\n');
        }
        if text.chars().count() >= 1500 {
            break;
        }
    }
    text.chars().take(1500).collect()
}

/// The device's other items a draft is compared with: 200 drafts made of the corpus's texts.
fn device_items() -> Vec<LocalDraft> {
    let texts: Vec<(String, String)> = CORPUS
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| (v["title"].as_str().unwrap_or_default().to_owned(), v["body"].as_str().unwrap_or_default().to_owned()))
        .collect();
    (0..200)
        .map(|k| {
            let (title, body) = &texts[k % texts.len()];
            let mut d = LocalDraft::new(format!("{k:032x}"), 1);
            d.content = DraftContent { title: format!("{title}（{k}）"), body: format!("{k}：{body}"), ..DraftContent::default() };
            d
        })
        .collect()
}

#[wasm_bindgen_test]
fn quality_checks_on_a_1500_character_body() {
    let body = body_1500();
    assert_eq!(body.chars().count(), 1500);
    let title = "林双县已建高标准农田“重建轻管”问题亟待解决";
    let content = DraftContent { title: title.into(), body: body.clone(), item_type: ItemType::Problem, ..DraftContent::default() };
    // The duplicate check on: compared with 200 items on the device (their signatures made
    // once, as the editor does when it opens).
    let drafts = device_items();
    let made = now();
    let compare = Compare::of("this", &drafts);
    let signatures = now() - made;
    // Warm-up: the first call parses the rules.
    let first = now();
    let report = check_draft(&content, &compare);
    let cold = now() - first;
    assert!(report.labels.data && report.labels.situation);
    let mut times = Vec::new();
    for _ in 0..200 {
        let t = now();
        let r = check_draft(&content, &compare);
        times.push(now() - t);
        assert_eq!(r.verdict, report.verdict);
    }
    times.sort_by(f64::total_cmp);
    console_log!(
        "BENCH quality_check_1500 runs=200 others=200 signatures_ms={signatures:.1} first_ms={cold:.2} p50_ms={:.3} p95_ms={:.3} max_ms={:.3}",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 1.0)
    );
}
