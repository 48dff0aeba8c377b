//! Urgent report chains (初报 → 续报一、二… → 终报) shown as one thread, on the officer's desk
//! and on the review desk alike: `xinbao_core::urgent::threads` gathers them from the items
//! this browser holds, each report with its stage, its state and — for a first report the
//! server recorded as late, or one still unsent past its deadline — the lateness flag.

use crate::i18n::{ui, use_i18n};
use crate::store::LocalDraft;
use leptos::prelude::*;
use xinbao_core::item::{ItemType, ReportStage};
use xinbao_core::review::DeadlineRules;
use xinbao_core::urgent::{Link, threads};

/// Whether the report is late: as the server scored it, or (not sent yet) past its deadline now.
fn late(d: &LocalDraft, rules: DeadlineRules, now: i64) -> bool {
    d.sync.late_minutes.is_some()
        || (d.sync.state.is_none_or(|s| s == xinbao_core::sync::ItemState::Draft)
            && xinbao_core::urgent::due(&d.content, rules).is_some_and(|due| due < now))
}

/// The urgent chains among `items`; `href` links a report to its page on this desk.
#[component]
pub fn Chains(items: Vec<LocalDraft>, rules: DeadlineRules, href: fn(&str) -> String) -> impl IntoView {
    let i18n = use_i18n();
    let urgent: Vec<LocalDraft> = items.into_iter().filter(|d| d.content.item_type == ItemType::Urgent && d.deleted_at.is_none()).collect();
    let links: Vec<Link> =
        urgent.iter().map(|d| Link { id: d.id.clone(), follows: d.content.follows.clone(), stage: d.content.stage }).collect();
    let now = crate::util::now_ms() as i64;
    let chains: Vec<Vec<LocalDraft>> =
        threads(&links).into_iter().map(|ids| ids.iter().filter_map(|id| urgent.iter().find(|d| &d.id == id).cloned()).collect()).collect();
    (!chains.is_empty()).then(|| {
        view! {
            <section class="chains" data-testid="chains" aria-labelledby="chains-head">
                <h3 id="chains-head">{move || i18n.t(ui::URGENT_CHAINS)}</h3>
                {chains.into_iter().map(|chain| view! {
                    <ol class="chain" data-testid="chain">
                        {chain.into_iter().map(|d| {
                            let is_late = late(&d, rules, now);
                            let stage = d.content.stage;
                            let title = d.content.title.clone();
                            view! {
                                <li data-testid="chain-report" class:late=is_late>
                                    <span class="badge">{move || stage.label(i18n.lang.get())}</span>
                                    <a href=href(&d.id)>{title}</a>
                                    <span class="muted small">{format!(" {}", i18n.t(d.sync.status(d.local_rev).label()))}</span>
                                    {is_late.then(|| view! {
                                        <span class="late badge" data-testid="chain-late">
                                            {match (d.sync.late_minutes, stage) {
                                                (Some(m), _) => format!("{} {m} {}", i18n.t(ui::LATE_BY), i18n.t(ui::MINUTES)),
                                                (None, ReportStage::Initial) => i18n.t(ui::OVERDUE).to_owned(),
                                                _ => i18n.t(ui::OVERDUE).to_owned(),
                                            }}
                                        </span>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }).collect_view()}
            </section>
        }
    })
}
