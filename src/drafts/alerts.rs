//! The desk's notices and the commissions that ask the officer's unit: built by
//! `xinbao_core::alerts` from the inbox kept after the last sync and the local drafts, so both
//! read offline; refreshed when a sync round fetches a new inbox.

use crate::i18n::{ui, use_i18n};
use crate::session::use_session;
use crate::store::{self, LocalDraft};
use crate::sync::use_sync;
use leptos::prelude::*;
use xinbao_core::alerts::{DraftLine, desk_alerts};
use xinbao_core::review::DeadlineRules;
use xinbao_core::sync::LocalStatus;

/// The draft as the notices need it.
fn line(d: &LocalDraft, rules: DeadlineRules) -> DraftLine {
    let status = d.sync.status(d.local_rev);
    let returned = matches!(status, LocalStatus::Returned).then(|| d.sync.review.as_ref().map(|r| r.note.clone()).unwrap_or_default());
    let unsent = d.sync.state.is_none_or(|s| s == xinbao_core::sync::ItemState::Draft);
    DraftLine {
        id: d.id.clone(),
        title: d.content.title.clone(),
        returned,
        urgent_due: if unsent && d.deleted_at.is_none() { xinbao_core::urgent::due(&d.content, rules) } else { None },
    }
}

/// `drafts` is the desk's own list and `rules` its deadline rules (already read for the desk:
/// this reads and fetches nothing more, so the desk's first page is never slowed by it).
#[component]
pub fn DeskAlerts(drafts: RwSignal<Option<Result<Vec<LocalDraft>, store::StoreError>>>, rules: RwSignal<DeadlineRules>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let Some(me) = session.me.get_untracked() else { return ().into_any() };
    let cached = RwSignal::new(crate::inbox::cached(me.user_id).unwrap_or_default());
    if let Some(s) = use_sync() {
        Effect::new(move |_| {
            if s.inbox_at.get().is_some() {
                cached.set(crate::inbox::cached(me.user_id).unwrap_or_default());
            }
        });
    }
    // Only drafts that can raise a notice: returned ones and urgent first reports.
    let lines = Memo::new(move |_| {
        let rules = rules.get();
        drafts.with(|d| {
            d.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|list| {
                    list.iter()
                        .filter(|d| {
                            d.content.item_type == xinbao_core::item::ItemType::Urgent
                                || d.sync.state == Some(xinbao_core::sync::ItemState::Returned)
                        })
                        .map(|d| line(d, rules))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let alerts = Memo::new(move |_| cached.with(|c| lines.with(|l| desk_alerts(&c.inbox, l, me.unit_id, crate::util::now_ms() as i64))));
    let commissions = Memo::new(move |_| cached.with(|c| c.inbox.commissions.clone()));
    let as_of = Memo::new(move |_| cached.with(|c| (c.at > 0.0).then_some(c.at)));
    view! {
        <section class="alerts" data-testid="alerts" aria-labelledby="alerts-head">
            <h3 id="alerts-head">{move || i18n.t(ui::ALERTS)}</h3>
            {move || {
                let list = alerts.get();
                if list.is_empty() {
                    view! { <p class="muted small">{i18n.t(ui::NO_ALERTS)}</p> }.into_any()
                } else {
                    view! {
                        <ul>{list.into_iter().map(|a| {
                            let link = a.item_id.clone().map(|id| format!("/drafts/{id}"));
                            view! {
                                <li data-testid="alert" class=format!("alert {:?}", a.kind).to_lowercase()>
                                    <span class="badge">{i18n.t(a.kind.label())}</span>
                                    {match link {
                                        Some(href) => view! { <a href=href>{a.title.clone()}</a> }.into_any(),
                                        None => view! { <span>{a.title.clone()}</span> }.into_any(),
                                    }}
                                    <span class="muted small">{format!(" {}", a.detail)}</span>
                                </li>
                            }
                        }).collect_view()}</ul>
                    }.into_any()
                }
            }}
            {move || (!commissions.with(Vec::is_empty)).then(|| view! {
                <details class="commissions" data-testid="desk-commissions">
                    <summary>{format!("{}（{}）", i18n.t(ui::COMMISSIONS), commissions.with(Vec::len))}</summary>
                    <ul>{commissions.get().into_iter().map(|c| view! {
                        <li data-testid="desk-commission">
                            <strong>{c.fields.topic.clone()}</strong>
                            {format!(" · {} · {} {}", i18n.t(c.fields.kind.label()), i18n.t(ui::DEADLINE), c.fields.deadline)}
                            {c.standing.first().map(|s| view! { <span class="badge" data-testid="my-standing">{i18n.t(s.2.label())}</span> })}
                            <p class="muted small">{c.fields.description.clone()}</p>
                        </li>
                    }).collect_view()}</ul>
                </details>
            })}
            {move || as_of.get().map(|at| view! { <p class="muted small" data-testid="alerts-as-of">{format!("{} {}", i18n.t(ui::AS_OF_SYNC), crate::util::date_time(at))}</p> })}
        </section>
    }
    .into_any()
}
