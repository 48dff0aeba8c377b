//! One item out: the 报送单 / 审签单 of an item as the server composes it
//! (`GET /api/items/{id}/sheet`, `xinbao_core::sheet`), shown as it prints, with its Word file.
//! It needs a connection: who edited and who signed are the server's record.

use crate::api;
use crate::i18n::{ui, use_i18n};
use crate::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use xinbao_core::role::Role;
use xinbao_core::sheet::ItemSheet;

/// `/review/:id/print`
#[component]
pub fn SheetPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default();
    let sheet = RwSignal::new(None::<Result<ItemSheet, api::ApiError>>);
    {
        let id = id.clone();
        spawn_local(async move {
            let got = api::get_json::<ItemSheet>(&format!("/api/items/{id}/sheet")).await;
            if !sheet.is_disposed() {
                sheet.set(Some(got));
            }
        });
    }
    // Back where the person came from: the desk's item for the office, the editor for its author.
    let reviewer = session.me.get_untracked().is_some_and(|m| matches!(m.role, Role::Editor | Role::Signer));
    let back = if reviewer { format!("/review/{id}") } else { format!("/drafts/{id}") };
    view! {
        <main class="page">
            <div class="inline-form no-print">
                <a class="back" href=back>{move || i18n.t(ui::BACK)}</a>
                <button type="button" class="secondary" data-testid="sheet-print" on:click=move |_| crate::util::print_page()>{move || i18n.t(ui::PRINT)}</button>
                <a class="link" data-testid="sheet-docx" href=format!("/api/items/{id}/sheet.docx") download="">{move || i18n.t(ui::DOWNLOAD_WORD)}</a>
            </div>
            {move || match sheet.get() {
                None => view! { <p class="muted">{i18n.t(ui::LOADING)}</p> }.into_any(),
                Some(Err(api::ApiError::Network)) => view! { <p class="error" role="alert" data-testid="sheet-error">{i18n.t(ui::SHEET_OFFLINE)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert" data-testid="sheet-error">{i18n.t(e.text())}</p> }.into_any(),
                Some(Ok(s)) => view! { <Sheet sheet=s /> }.into_any(),
            }}
        </main>
    }
}

/// The sheet as it prints: the office, the form's name, its table, the title and the text.
#[component]
fn Sheet(sheet: ItemSheet) -> impl IntoView {
    let rows = sheet.rows();
    view! {
        <article class="notice sheet" data-testid="sheet">
            {(!sheet.office.is_empty()).then(|| view! { <p class="notice-office">{sheet.office.clone()}</p> })}
            <h2 class="notice-title" data-testid="sheet-kind">{sheet.kind()}</h2>
            <table class="notice-table sheet-table">
                {rows.chunks(2).map(|pair| view! {
                    <tr>
                        {pair.iter().map(|(label, value)| view! { <th>{*label}</th><td data-testid=format!("sheet-{label}")>{value.clone()}</td> }).collect_view()}
                    </tr>
                }).collect_view()}
            </table>
            <h3 class="sheet-title" data-testid="sheet-title">{sheet.content.title.clone()}</h3>
            {sheet.content.body.split('\n').map(str::trim).filter(|p| !p.is_empty()).map(|p| view! { <p class="notice-body">{p.to_owned()}</p> }).collect_view()}
        </article>
    }
}
