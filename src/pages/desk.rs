//! The officer's desk: the list of their drafts, newest first.

use crate::i18n::{ui, use_i18n};
use crate::session::use_session;
use crate::store::{self, LocalDraft};
use crate::util::{date_time, random_id};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use xinbao_core::text::char_count;

#[component]
pub fn DeskPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let drafts = RwSignal::new(None::<Result<Vec<LocalDraft>, store::StoreError>>);
    if let Some(me) = session.me.get_untracked() {
        spawn_local(async move { drafts.set(Some(store::list_drafts(me.user_id).await)) });
    }
    let new_draft = move |_| navigate(&format!("/drafts/{}", random_id()), Default::default());

    view! {
        <main class="page desk">
            <div class="desk-head">
                <h2>{move || i18n.t(ui::MY_DRAFTS)}</h2>
                <button type="button" class="primary" data-testid="new-draft" on:click=new_draft>{move || i18n.t(ui::NEW_DRAFT)}</button>
            </div>
            {move || match drafts.get() {
                None => view! { <p class="muted">{i18n.t(ui::LOADING)}</p> }.into_any(),
                Some(Err(_)) => view! { <p class="error" role="alert">{i18n.t(ui::STORAGE_FAILED)}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">{i18n.t(ui::NO_DRAFTS)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="draft-list" data-testid="draft-list">
                        {list.into_iter().map(|d| draft_row(d, i18n)).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </main>
    }
}

fn draft_row(d: LocalDraft, i18n: crate::i18n::I18n) -> impl IntoView {
    let title = if d.content.title.trim().is_empty() { i18n.t(ui::UNTITLED).to_owned() } else { d.content.title.clone() };
    let count = char_count(&d.content.body);
    view! {
        <li>
            <a href=format!("/drafts/{}", d.id) class="draft-row">
                <span class="draft-title">{title}</span>
                <span class="draft-meta">
                    <span class="badge">{i18n.t(d.content.item_type.label())}</span>
                    <span class="badge local">{i18n.t(ui::STATUS_LOCAL)}</span>
                    <span>{format!("{} {}", i18n.t(ui::CHAR_COUNT), count)}</span>
                    <span>{format!("{} {}", i18n.t(ui::UPDATED), date_time(d.updated_at))}</span>
                </span>
            </a>
        </li>
    }
}
