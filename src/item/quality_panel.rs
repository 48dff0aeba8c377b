//! The writing assistant beside the editor: the 四有 summary, the verdict and each finding with
//! its explanation. Clicking a finding with a span selects that text in the field, so the
//! officer sees exactly what is meant. Runs `xinbao_core::quality::check`, the same function
//! the server uses.

use crate::i18n::{Text, ui, use_i18n};
use crate::store::LocalDraft;
use leptos::prelude::*;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use xinbao_core::i18n::Lang;
use xinbao_core::item::DraftContent;
use xinbao_core::quality::{self, Context, Field, Finding, Input, Other, Report, Rules, Severity, Signature, Verdict};
use xinbao_core::text::char_count;

thread_local! {
    static RULES: OnceCell<Rules> = const { OnceCell::new() };
    /// Signatures of the device's items, by id, with the local revision they were made from:
    /// made once per item and revision, not at every check.
    static SIGNATURES: RefCell<HashMap<String, (Version, Signature)>> = RefCell::new(HashMap::new());
}

/// A stored item's local revision and the bits of its last save time.
type Version = (u32, u64);

/// What a draft is compared with on the device, offline: the officer's other items here (their
/// drafts and what they pulled), and the bodies a 续报 may follow.
#[derive(Clone, Debug, Default)]
pub struct Compare {
    others: Vec<Other>,
    bodies: HashMap<String, String>,
}

impl Compare {
    /// From the device's items, leaving out `this` one and items in the trash.
    pub fn of(this: &str, drafts: &[LocalDraft]) -> Compare {
        let mut compare = Compare::default();
        SIGNATURES.with(|cache| {
            let mut cache = cache.borrow_mut();
            for d in drafts.iter().filter(|d| d.id != this && d.deleted_at.is_none()) {
                compare.bodies.insert(d.id.clone(), d.content.body.clone());
                if char_count(&d.content.body) < MIN_COMPARED_CHARS {
                    continue;
                }
                // A pulled copy starts again at revision 1: its time tells it apart.
                let version = (d.local_rev, d.updated_at.to_bits());
                let signature = match cache.get(&d.id) {
                    Some((v, sig)) if *v == version => sig.clone(),
                    _ => {
                        let sig = Signature::of_item(&d.content.title, &d.content.body);
                        cache.insert(d.id.clone(), (version, sig.clone()));
                        sig
                    }
                };
                let title = if d.content.title.trim().is_empty() { "（无标题）".to_owned() } else { d.content.title.clone() };
                compare.others.push(Other { id: d.id.clone(), title, signature });
            }
        });
        compare
    }
}

/// Shorter bodies are not compared (an empty new draft resembles every other).
const MIN_COMPARED_CHARS: usize = 30;

/// Checks a draft with the built-in rules (parsed once per page), against what is on the
/// device: near-duplicates of the officer's other items and, for a 续报, repetition of the
/// report it follows (which is not called a duplicate of it).
pub fn check_draft(content: &DraftContent, compare: &Compare) -> Report {
    RULES.with(|cell| {
        let rules = cell.get_or_init(Rules::default);
        let follows = content.follows.as_ref().and_then(|id| compare.bodies.get(id)).map(String::as_str);
        let others: Vec<Other>;
        let others: &[Other] = match &content.follows {
            Some(first) => {
                others = compare.others.iter().filter(|o| &o.id != first).cloned().collect();
                &others
            }
            None => &compare.others,
        };
        quality::check(
            Input { title: &content.title, body: &content.body, item_type: content.item_type },
            Context { follows, others },
            rules,
        )
    })
}

/// Character offsets → UTF-16 offsets (what `setSelectionRange` counts).
fn utf16_offset(text: &str, chars: usize) -> u32 {
    text.chars().take(chars).map(char::len_utf16).sum::<usize>() as u32
}

fn verdict_text(v: Verdict) -> Text {
    match v {
        Verdict::Good => Text::new("质量：好", "Quality: good"),
        Verdict::Fair => Text::new("质量：一般", "Quality: fair"),
        Verdict::Poor => Text::new("质量：差", "Quality: poor"),
    }
}

/// Selects a finding's span in the title input or the body textarea.
fn select_span(f: &Finding, title: &str, body: &str) {
    let Some(span) = f.span else { return };
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    use wasm_bindgen::JsCast;
    match f.field {
        Field::Body => {
            if let Some(el) = doc.get_element_by_id("body").and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) {
                let _ = el.focus();
                let _ = el.set_selection_range(utf16_offset(body, span.start), utf16_offset(body, span.end));
            }
        }
        Field::Title => {
            if let Some(el) = doc.get_element_by_id("title").and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                let _ = el.focus();
                let _ = el.set_selection_range(utf16_offset(title, span.start), utf16_offset(title, span.end));
            }
        }
    }
}

/// The panel; `report` is recomputed by the editor after a pause in typing.
#[component]
pub fn QualityPanel(report: RwSignal<Option<(Report, String, String)>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="quality" aria-labelledby="quality-head" data-testid="quality">
            <h3 id="quality-head">{move || i18n.t(ui::WRITING_ASSISTANT)}</h3>
            {move || {
                let lang = i18n.lang.get();
                report.get().map(|(r, title, body)| {
                    let verdict_class = match r.verdict { Verdict::Good => "good", Verdict::Fair => "fair", Verdict::Poor => "poor" };
                    let important: Vec<Finding> = r.findings.iter().filter(|f| f.severity > Severity::Info).cloned().collect();
                    let details: Vec<Finding> = r.findings.iter().filter(|f| f.severity == Severity::Info).cloned().collect();
                    view! {
                        <p class="four-haves" data-testid="four-haves">{r.summary(lang)}</p>
                        <p class=format!("verdict {verdict_class}") data-testid="verdict">{verdict_text(r.verdict).get(lang)}</p>
                        <ul class="findings">
                            {important.into_iter().map(|f| finding_row(f, lang, title.clone(), body.clone())).collect_view()}
                        </ul>
                        {(!details.is_empty()).then(|| view! {
                            <details class="finding-details">
                                <summary>{format!("{} {}", i18n.t(ui::MORE_HINTS), details.len())}</summary>
                                <ul class="findings">
                                    {details.into_iter().map(|f| finding_row(f, lang, title.clone(), body.clone())).collect_view()}
                                </ul>
                            </details>
                        })}
                    }
                })
            }}
        </section>
    }
}

fn finding_row(f: Finding, lang: Lang, title: String, body: String) -> impl IntoView {
    let class = match f.severity {
        Severity::Error => "finding error",
        Severity::Warning => "finding warning",
        Severity::Info => "finding info",
    };
    let message = f.message(lang);
    let clickable = f.span.is_some();
    view! {
        <li class=class>
            {if clickable {
                view! { <button type="button" class="link finding-link" on:click=move |_| select_span(&f, &title, &body)>{message}</button> }.into_any()
            } else {
                view! { <span>{message}</span> }.into_any()
            }}
        </li>
    }
}
