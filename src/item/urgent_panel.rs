//! Urgent reports in the officer's editor: the countdown to the written first report's deadline
//! (the office's rule, kept for offline use) and the five elements a report must carry, ticked
//! off as they appear in the text (`xinbao_core::urgent`).

use crate::api;
use crate::i18n::{ui, use_i18n};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinbao_core::item::{DraftContent, ItemType, ReportStage};
use xinbao_core::review::{DeadlineRules, deadline_text};

/// Where the office's deadline rules are kept between visits (offline).
const RULES_KEY: &str = "xinbao.deadline_rules";

/// The office's deadline rules: the last ones seen at once, then the server's when it answers.
pub fn use_rules() -> RwSignal<DeadlineRules> {
    let rules = RwSignal::new(LocalStorage::get::<DeadlineRules>(RULES_KEY).unwrap_or_default());
    spawn_local(async move {
        if let Ok(r) = api::get_json::<DeadlineRules>("/api/settings").await {
            let _ = LocalStorage::set(RULES_KEY, r);
            if !rules.is_disposed() {
                rules.set(r);
            }
        }
    });
    rules
}

/// The panel; `content` is the draft as last checked (after a pause in typing).
#[component]
pub fn UrgentPanel(content: RwSignal<DraftContent>) -> impl IntoView {
    let i18n = use_i18n();
    let rules = use_rules();
    let now = crate::util::ticking_clock();
    view! {
        {move || content.with(|c| c.item_type == ItemType::Urgent).then(|| view! {
            <section class="urgent-panel" data-testid="urgent-panel" aria-labelledby="urgent-head">
                <h3 id="urgent-head">{move || i18n.t(ui::URGENT_REPORT)}</h3>
                {move || {
                    let c = content.get();
                    let left = xinbao_core::review::urgent_minutes_left(c.event_time, now.get() as i64, rules.get());
                    match (c.stage, left) {
                        (ReportStage::Initial, Some(m)) => view! {
                            <p class=if m < 0 { "late" } else { "countdown" } data-testid="urgent-countdown">{deadline_text(m, i18n.lang.get())}</p>
                        }.into_any(),
                        (ReportStage::Initial, None) => view! { <p class="muted small">{i18n.t(ui::URGENT_NEEDS_TIME)}</p> }.into_any(),
                        _ => view! { <p class="muted small">{i18n.t(ui::FOLLOW_UP_HINT)}</p> }.into_any(),
                    }
                }}
                <ul class="elements" data-testid="urgent-elements">
                    {move || xinbao_core::urgent::elements(&content.with(|c| c.body.clone())).into_iter().map(|(e, ok)| view! {
                        <li class=if ok { "ok" } else { "missing" } data-testid="urgent-element">{format!("{} {}", if ok { "✓" } else { "✗" }, i18n.t(e.label()))}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}
