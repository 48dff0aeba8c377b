//! The receipt log: every change the server acknowledged, newest first, kept on this device —
//! so "did my item arrive?" is answered without calling the office.

use crate::i18n::{ui, use_i18n};
use crate::outbox::{self, Receipt};
use crate::session::use_session;
use crate::sync::use_sync;
use crate::util::date_time;
use leptos::prelude::*;
use leptos::task::spawn_local;

const SHOWN: u32 = 500;

#[component]
pub fn ReceiptsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let receipts = RwSignal::new(None::<Vec<Receipt>>);
    let filter = RwSignal::new(String::new());
    let generation = use_sync().map(|s| s.generation);
    Effect::new(move |_| {
        if let Some(g) = generation {
            g.track();
        }
        let Some(user) = session.me.get_untracked().map(|m| m.user_id) else { return };
        spawn_local(async move {
            let list = outbox::receipts(user, SHOWN).await.unwrap_or_default();
            if !receipts.is_disposed() {
                receipts.set(Some(list));
            }
        });
    });
    let rows = move || {
        let f = filter.get();
        receipts.with(|r| {
            r.iter()
                .flatten()
                .filter(|r| f.is_empty() || r.title.contains(f.as_str()))
                .map(|r| {
                    let op = i18n.t(match r.op.as_str() {
                        "submit" => ui::OP_SUBMIT,
                        "delete" => ui::OP_DELETE,
                        _ => ui::OP_SAVE,
                    });
                    let outcome = match r.outcome.as_str() {
                        "applied" => format!("{}（{} {}）", i18n.t(ui::OUTCOME_APPLIED), i18n.t(ui::REVISION), r.rev),
                        "conflict" => i18n.t(ui::OUTCOME_CONFLICT).to_owned(),
                        _ => format!("{}：{}", i18n.t(ui::OUTCOME_REJECTED), r.detail.clone().unwrap_or_default()),
                    };
                    let title = if r.title.trim().is_empty() { i18n.t(ui::UNTITLED).to_owned() } else { r.title.clone() };
                    view! {
                        <tr class=format!("receipt {}", r.outcome) data-testid="receipt">
                            <td>{date_time(r.at)}</td>
                            <td><a href=format!("/drafts/{}", r.item_id)>{title}</a></td>
                            <td>{op}</td>
                            <td>{outcome}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <main class="page receipts">
            <h2>{move || i18n.t(ui::RECEIPTS)}</h2>
            <p class="muted small">{move || i18n.t(ui::RECEIPTS_WHY)}</p>
            <input type="search" data-testid="receipt-search" aria-label=move || i18n.t(ui::SEARCH)
                placeholder=move || i18n.t(ui::SEARCH_HINT) on:input=move |ev| filter.set(event_target_value(&ev)) />
            {move || match receipts.with(|r| r.as_ref().map(Vec::len)) {
                None => view! { <p class="muted">{i18n.t(ui::LOADING)}</p> }.into_any(),
                Some(0) => view! { <p class="muted">{i18n.t(ui::NO_RECEIPTS)}</p> }.into_any(),
                Some(_) => view! { <table class="receipt-table"><tbody>{rows}</tbody></table> }.into_any(),
            }}
            <p><a href="/">{move || i18n.t(ui::BACK_TO_DESK)}</a></p>
        </main>
    }
}
