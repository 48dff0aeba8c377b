//! The draft editor. Every change is saved to IndexedDB within a second of the last keystroke,
//! and never in the middle of an IME composition: the fields are not re-rendered while typing
//! (their value is set once), so the caret never jumps.

use crate::i18n::{ui, use_i18n};
use crate::pages::quality_panel::{QualityPanel, check_draft};
use crate::pwa::use_pwa;
use crate::session::use_session;
use crate::store::{self, LocalDraft};
use crate::util::{clock_time, now_ms};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use xinbao_core::item::ItemType;
use xinbao_core::text::char_count;

/// Quiet time after the last keystroke before saving.
const DEBOUNCE_MS: u32 = 400;
/// Quiet time before the writing checks run again (they take a few milliseconds).
const CHECK_DEBOUNCE_MS: u32 = 250;

#[derive(Clone, Copy, PartialEq, Eq)]
enum TextField {
    Title,
    Body,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum SaveState {
    Clean,
    Unsaved,
    Saving,
    Saved(f64),
    Failed,
}

#[component]
pub fn EditorPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    let loaded = RwSignal::new(None::<Result<LocalDraft, store::StoreError>>);
    if let Some(me) = session.me.get_untracked() {
        spawn_local(async move {
            let result = store::load_draft(me.user_id, &id).await.map(|d| d.unwrap_or_else(|| LocalDraft::new(id, me.user_id)));
            loaded.set(Some(result));
        });
    }
    view! {
        <main class="page editor">
            <a class="back" href="/">{move || i18n.t(ui::BACK_TO_DESK)}</a>
            {move || match loaded.get() {
                None => view! { <p class="muted">{i18n.t(ui::LOADING)}</p> }.into_any(),
                Some(Err(_)) => view! { <p class="error" role="alert">{i18n.t(ui::STORAGE_FAILED)}</p> }.into_any(),
                Some(Ok(draft)) => view! { <DraftForm draft /> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn DraftForm(draft: LocalDraft) -> impl IntoView {
    let i18n = use_i18n();
    let initial_title = draft.content.title.clone();
    let initial_body = draft.content.body.clone();
    let initial_type = draft.content.item_type;
    let report = RwSignal::new(Some((
        check_draft(&draft.content.title, &draft.content.body, draft.content.item_type),
        draft.content.title.clone(),
        draft.content.body.clone(),
    )));
    let check_timer = StoredValue::new_local(None::<Timeout>);
    let count = RwSignal::new(char_count(&draft.content.body));
    let state = RwSignal::new(SaveState::Clean);
    let current = StoredValue::new(draft);
    let composing = StoredValue::new(false);
    let dirty = StoredValue::new(false);
    let timer = StoredValue::new_local(None::<Timeout>);
    let pwa = use_pwa();
    let set_unsaved = move |v: bool| {
        if let Some(p) = pwa {
            p.unsaved.set(v);
        }
    };

    // Writes the current text now, unless a composition is under way (its end saves).
    let save_now = move || {
        if composing.get_value() || !dirty.get_value() {
            return;
        }
        dirty.set_value(false);
        let mut next = current.get_value();
        next.local_rev += 1;
        next.updated_at = now_ms();
        current.set_value(next.clone());
        state.set(SaveState::Saving);
        spawn_local(async move {
            match store::save_draft(&next).await {
                Ok(()) => {
                    if !dirty.get_value() {
                        state.set(SaveState::Saved(next.updated_at));
                        set_unsaved(false);
                    }
                }
                Err(_) => {
                    // Keep the text in memory and try again on the next change.
                    dirty.set_value(true);
                    state.set(SaveState::Failed);
                }
            }
        });
    };
    let recheck = move || {
        check_timer.update_value(|t| {
            if let Some(old) = t.take() {
                old.cancel();
            }
            *t = Some(Timeout::new(CHECK_DEBOUNCE_MS, move || {
                let d = current.get_value().content;
                report.set(Some((check_draft(&d.title, &d.body, d.item_type), d.title, d.body)));
            }));
        });
    };
    let schedule = move || {
        recheck();
        set_unsaved(true);
        dirty.set_value(true);
        state.set(SaveState::Unsaved);
        timer.update_value(|t| {
            if let Some(old) = t.take() {
                old.cancel();
            }
            *t = Some(Timeout::new(DEBOUNCE_MS, save_now));
        });
    };
    // One path for every keystroke: keep the text in memory, recount, schedule check and save.
    // During a composition the text is kept but the save waits for `compositionend`.
    let edited = move |field: TextField, text: String| {
        if field == TextField::Body {
            count.set(char_count(&text));
        }
        current.update_value(|d| match field {
            TextField::Title => d.content.title = text,
            TextField::Body => d.content.body = text,
        });
        schedule();
    };
    // Leaving the page (tab closed, app switched on a phone) saves at once.
    let hide = window_event_listener(leptos::ev::pagehide, move |_| save_now());
    on_cleanup(move || {
        hide.remove();
        save_now();
    });

    let status = move || match state.get() {
        SaveState::Clean => String::new(),
        SaveState::Unsaved => i18n.t(ui::UNSAVED).to_owned(),
        SaveState::Saving => i18n.t(ui::SAVING).to_owned(),
        SaveState::Saved(at) => format!("{} {}", i18n.t(ui::SAVED_AT), clock_time(at)),
        SaveState::Failed => i18n.t(ui::SAVE_FAILED).to_owned(),
    };

    view! {
        <form class="draft-form" on:submit=|ev| ev.prevent_default()>
            <label for="item-type">{move || i18n.t(ui::ITEM_TYPE)}</label>
            <select id="item-type" data-testid="item-type" on:change=move |ev| {
                if let Some(t) = ItemType::parse(&event_target_value(&ev)) {
                    current.update_value(|d| d.content.item_type = t);
                    schedule();
                }
            }>
                {ItemType::ALL.into_iter().map(|t| view! {
                    <option value=t.as_str() selected=t == initial_type>{move || i18n.t(t.label())}</option>
                }).collect_view()}
            </select>
            <label for="title">{move || i18n.t(ui::TITLE)}</label>
            <input id="title" name="title" data-testid="title" autocomplete="off"
                placeholder=move || i18n.t(ui::TITLE_PLACEHOLDER)
                prop:value=initial_title
                on:compositionstart=move |_| composing.set_value(true)
                on:compositionend=move |ev| {
                    composing.set_value(false);
                    edited(TextField::Title, event_target_value(&ev));
                }
                on:input=move |ev| edited(TextField::Title, event_target_value(&ev))
                on:blur=move |_| save_now() />
            <label for="body">{move || i18n.t(ui::BODY)}</label>
            <textarea id="body" name="body" data-testid="body" rows="14"
                placeholder=move || i18n.t(ui::BODY_PLACEHOLDER)
                prop:value=initial_body
                on:compositionstart=move |_| composing.set_value(true)
                on:compositionend=move |ev| {
                    composing.set_value(false);
                    edited(TextField::Body, event_target_value(&ev));
                }
                on:input=move |ev| edited(TextField::Body, event_target_value(&ev))
                on:blur=move |_| save_now()></textarea>
            <div class="form-foot">
                <span data-testid="char-count">{move || format!("{} {}", i18n.t(ui::CHAR_COUNT), count.get())}</span>
                <span class="save-state" data-testid="save-state" role="status" aria-live="polite"
                    class:failed=move || state.get() == SaveState::Failed>{status}</span>
            </div>
        </form>
        <QualityPanel report />
    }
}
