//! The officer's desk: their drafts, searchable (Chinese substring over title and body),
//! filterable and sortable, rendered a page at a time so thousands of drafts stay quick; the
//! trash, restorable for 30 days; and how much of this device's storage is in use.

use crate::i18n::{ui, use_i18n};
use crate::session::use_session;
use crate::store::{self, LocalDraft, trash_days_left};
use crate::transfer;
use crate::util::{date_time, now_ms, random_id};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use wasm_bindgen_futures::JsFuture;
use xinbao_core::desk::{DeskQuery, Entry, SortKey, select};
use xinbao_core::item::ItemType;
use xinbao_core::text::char_count;

/// Rows rendered at first and per "show more".
/// Drafts shown at first, and added by "show more".
pub const PAGE: usize = 50;

#[component]
pub fn DeskPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let user = session.me.get_untracked().map(|m| m.user_id);
    let drafts = RwSignal::new(None::<Result<Vec<LocalDraft>, store::StoreError>>);
    let rules = crate::item::urgent_panel::use_rules();
    let query = RwSignal::new(DeskQuery::default());
    let shown = RwSignal::new(PAGE);
    let search_timer = StoredValue::new_local(None::<Timeout>);
    // Whether `drafts` holds only the newest page (the rest is still being read).
    let partial = RwSignal::new(false);
    let reload = move || {
        if let Some(user) = user {
            spawn_local(async move {
                // The newest page first, so the desk is usable at once; then everything, for
                // counts, search and paging; the trash is purged in between.
                if drafts.with_untracked(Option::is_none)
                    && let Ok(first) = store::recent_drafts(user, PAGE).await
                {
                    if drafts.is_disposed() {
                        return;
                    }
                    partial.set(true);
                    drafts.set(Some(Ok(only_mine(first, user))));
                    after_paint("xinbao:desk-ready");
                    // Reading (and decoding) every draft holds the page for a while: not
                    // before the first page is on the screen.
                    painted().await;
                }
                let _ = store::purge_trash(user, now_ms()).await;
                let all = store::list_drafts(user).await;
                // The desk may be gone by now (the person opened a draft; sync asked for this).
                if partial.is_disposed() {
                    return;
                }
                let first_paint = !partial.get_untracked();
                partial.set(false);
                drafts.set(Some(all.map(|l| only_mine(l, user))));
                if first_paint {
                    after_paint("xinbao:desk-ready");
                }
            });
        }
    };
    reload();
    // Sync changed items (arrived from the server, acknowledged, in conflict): read them again.
    if let Some(sync) = crate::sync::use_sync() {
        Effect::new(move |first: Option<()>| {
            sync.generation.track();
            if first.is_some() {
                reload();
            }
        });
    }

    let results = Memo::new(move |_| {
        let q = query.get();
        drafts.with(|d| match d {
            Some(Ok(list)) => {
                let entries: Vec<Entry> = list
                    .iter()
                    .map(|d| Entry {
                        title: &d.content.title,
                        body: &d.content.body,
                        item_type: d.content.item_type,
                        created: d.created_at,
                        updated: d.updated_at,
                        deleted: d.deleted_at.is_some(),
                    })
                    .collect();
                select(&entries, &q)
            }
            _ => Vec::new(),
        })
    });
    let trashed = Memo::new(move |_| {
        drafts.with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, |l| l.iter().filter(|x| x.deleted_at.is_some()).count()))
    });

    let on_search = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        search_timer.update_value(|t| {
            if let Some(old) = t.take() {
                old.cancel();
            }
            *t = Some(Timeout::new(150, move || {
                crate::util::mark("xinbao:search-start");
                shown.set(PAGE);
                query.update(|q| q.text = text);
                after_paint("xinbao:search-done");
            }));
        });
    };
    let restore = move |id: String| {
        if let Some(user) = user {
            spawn_local(async move {
                let _ = store::set_trashed(user, &id, false).await;
                reload();
            });
        }
    };
    let new_draft = move |_| navigate(&format!("/drafts/{}", random_id()), Default::default());

    let rows = move || {
        let q = query.get();
        let picked = results.get();
        let n = shown.get().min(picked.len());
        drafts.with(|d| {
            let Some(Ok(list)) = d else { return Vec::new() };
            picked[..n].iter().map(|i| draft_row(list[*i].clone(), q.trash, restore).into_any()).collect::<Vec<_>>()
        })
    };

    view! {
        <main class="page desk">
            <div class="desk-head">
                <h2>{move || i18n.t(if query.with(|q| q.trash) { ui::TRASH } else { ui::MY_DRAFTS })}</h2>
                <button type="button" class="primary" data-testid="new-draft" on:click=new_draft>{move || i18n.t(ui::NEW_DRAFT)}</button>
            </div>
            {session.me.get_untracked().filter(|m| m.role == xinbao_core::role::Role::Officer).map(|_| view! {
                <crate::scores::board::ScoreCard />
                <crate::drafts::alerts::DeskAlerts drafts rules />
            })}
            {move || drafts.with(|d| {
                let urgent: Vec<LocalDraft> = d.as_ref().and_then(|r| r.as_ref().ok()).map(|l| l.iter().filter(|x| x.content.item_type == ItemType::Urgent).cloned().collect()).unwrap_or_default();
                (!urgent.is_empty()).then(|| view! { <crate::item::chains::Chains items=urgent rules=rules.get() href=|id| format!("/drafts/{id}") /> })
            })}
            <div class="desk-tools" role="search">
                <input type="search" data-testid="search" aria-label=move || i18n.t(ui::SEARCH)
                    placeholder=move || i18n.t(ui::SEARCH_HINT) on:input=on_search />
                <select data-testid="type-filter" aria-label=move || i18n.t(ui::ITEM_TYPE) on:change=move |ev| {
                    let t = ItemType::parse(&event_target_value(&ev));
                    shown.set(PAGE);
                    query.update(|q| q.item_type = t);
                }>
                    <option value="">{move || i18n.t(ui::ALL_TYPES)}</option>
                    {ItemType::ALL.into_iter().map(|t| view! { <option value=t.as_str()>{move || i18n.t(t.label())}</option> }).collect_view()}
                </select>
                <select data-testid="sort" aria-label=move || i18n.t(ui::SORT) on:change=move |ev| {
                    let s = SortKey::parse(&event_target_value(&ev));
                    query.update(|q| q.sort = s);
                }>
                    {SortKey::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{move || i18n.t(ui::sort_label(k))}</option> }).collect_view()}
                </select>
                <button type="button" class="link" data-testid="trash-toggle" on:click=move |_| {
                    shown.set(PAGE);
                    query.update(|q| q.trash = !q.trash);
                }>
                    {move || if query.with(|q| q.trash) { i18n.t(ui::BACK_TO_DRAFTS).to_owned() } else { format!("{} ({})", i18n.t(ui::TRASH), trashed.get()) }}
                </button>
            </div>
            {move || match drafts.with(|d| d.as_ref().map(|r| r.as_ref().map(|l| l.len()).map_err(|_| ()))) {
                None => view! { <p class="muted">{i18n.t(ui::LOADING)}</p> }.into_any(),
                Some(Err(())) => view! { <p class="error" role="alert">{i18n.t(ui::STORAGE_FAILED)}</p> }.into_any(),
                Some(Ok(0)) => view! { <p class="muted">{i18n.t(ui::NO_DRAFTS)}</p> }.into_any(),
                Some(Ok(_)) => view! {
                    <p class="muted small" data-testid="result-count">{move || if partial.get() {
                        i18n.t(ui::LOADING_ALL).to_owned()
                    } else {
                        format!("{} {}", i18n.t(ui::COUNT_PREFIX), results.with(Vec::len))
                    }}</p>
                    <ul class="draft-list" data-testid="draft-list">{rows}</ul>
                    {move || (!partial.get() && results.with(Vec::len) > shown.get()).then(|| view! {
                        <button type="button" class="secondary more" data-testid="show-more" on:click=move |_| shown.update(|n| *n += PAGE)>
                            {move || format!("{} ({})", i18n.t(ui::SHOW_MORE), results.with(Vec::len).saturating_sub(shown.get()))}
                        </button>
                    })}
                }.into_any(),
            }}
            <Transfer on_imported=Callback::new(move |()| reload()) />
            <StorageInfo />
        </main>
    }
}

/// Export to a file and import from one: drafts carried between machines on a USB stick.
#[component]
fn Transfer(on_imported: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let message = RwSignal::new(None::<(bool, String)>);
    let export = move |_| {
        let Some(me) = session.me.get_untracked() else { return };
        spawn_local(async move {
            let result = match transfer::export(me.user_id, &me.username).await {
                Ok(file) => {
                    let n = file.drafts.len();
                    let name = format!("xinbao-{}-{}.json", me.username, date_time(now_ms()).replace([' ', ':'], "-"));
                    transfer::download(&file, &name).map(|_| n)
                }
                Err(e) => Err(e),
            };
            message.set(Some(match result {
                Ok(n) => (true, format!("{}{}{}", i18n.t(ui::EXPORTED_BEFORE), n, i18n.t(ui::EXPORTED_AFTER))),
                Err(_) => (false, i18n.t(ui::STORAGE_FAILED).to_owned()),
            }));
        });
    };
    let import = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(me) = session.me.get_untracked() else { return };
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        spawn_local(async move {
            let text = transfer::read_text(&file).await.unwrap_or_default();
            let outcome = match transfer::parse(&text, &me.username) {
                Ok(parsed) => transfer::import(me.user_id, parsed).await,
                Err(e) => Err(e),
            };
            message.set(Some(match outcome {
                Ok(r) => {
                    on_imported.run(());
                    (
                        true,
                        ui::imported(
                            i18n.lang.get_untracked(),
                            r.drafts,
                            r.photos,
                            r.already_here,
                            ui::ImportLeftOut { bad_photos: r.bad_photos, over_cap: r.over_cap, twice_in_file: r.twice_in_file },
                        ),
                    )
                }
                Err(transfer::ImportError::NotAnExport) => (false, i18n.t(ui::NOT_AN_EXPORT).to_owned()),
                Err(transfer::ImportError::OtherAccount(who)) => {
                    (false, format!("{}{}{}", i18n.t(ui::OTHER_ACCOUNT_BEFORE), who, i18n.t(ui::OTHER_ACCOUNT_AFTER)))
                }
                Err(transfer::ImportError::Store(_)) => (false, i18n.t(ui::STORAGE_FAILED).to_owned()),
            }));
        });
    };
    view! {
        <section class="transfer" aria-labelledby="transfer-head">
            <h3 id="transfer-head">{move || i18n.t(ui::TRANSFER)}</h3>
            <p class="muted small">{move || i18n.t(ui::TRANSFER_WHY)}</p>
            <button type="button" class="secondary" data-testid="export" on:click=export>{move || i18n.t(ui::EXPORT)}</button>
            <label class="secondary file-button">
                {move || i18n.t(ui::IMPORT)}
                <input type="file" accept="application/json,.json" data-testid="import" on:change=import />
            </label>
            {move || message.get().map(|(ok, text)| view! {
                <p class=if ok { "note" } else { "error" } role="status" data-testid="transfer-message">{text}</p>
            })}
        </section>
    }
}

/// The desk is the author's: items pulled for review (an editor's queue) are not on it.
fn only_mine(list: Vec<LocalDraft>, user: i64) -> Vec<LocalDraft> {
    list.into_iter().filter(|d| d.sync.author_id.is_none_or(|a| a == user)).collect()
}

/// Resolves after the browser has painted what the last update rendered (the task after the
/// next frame), or after 200 ms where no frame comes (a tab in the background).
async fn painted() {
    use wasm_bindgen::prelude::*;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let Some(w) = web_sys::window() else {
            let _ = resolve.call0(&JsValue::NULL);
            return;
        };
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), 200);
        let after_frame = Closure::once_into_js(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback(resolve.unchecked_ref());
            }
        });
        let _ = w.request_animation_frame(after_frame.unchecked_ref());
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Marks `name` once the browser has painted what the last update rendered.
fn after_paint(name: &'static str) {
    use wasm_bindgen::prelude::*;
    let cb = Closure::once_into_js(move || crate::util::mark(name));
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(cb.unchecked_ref());
    }
}

fn draft_row(d: LocalDraft, trash_view: bool, restore: impl Fn(String) + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let title = if d.content.title.trim().is_empty() { i18n.t(ui::UNTITLED).to_owned() } else { d.content.title.clone() };
    let count = char_count(&d.content.body);
    let id = d.id.clone();
    let days = d.deleted_at.map(|at| trash_days_left(at, now_ms()));
    let status = d.sync.status(d.local_rev);
    let why = match &status {
        xinbao_core::sync::LocalStatus::Failed(why) => Some(why.clone()),
        xinbao_core::sync::LocalStatus::Returned => d.sync.review.as_ref().map(|r| r.note.clone()),
        _ => None,
    };
    view! {
        <li class="draft-item">
            <a href=format!("/drafts/{}", d.id) class="draft-row">
                <span class="draft-title">{title}</span>
                <span class="draft-meta">
                    <span class="badge">{i18n.t(d.content.item_type.label())}</span>
                    <span class=format!("badge status {}", status.key()) data-testid="item-status" title=why.clone()>{i18n.t(status.label())}</span>
                    {why.map(|w| view! { <span class="failed-why">{w}</span> })}
                    <span>{format!("{} {}", i18n.t(ui::CHAR_COUNT), count)}</span>
                    <span>{format!("{} {}", i18n.t(ui::UPDATED), date_time(d.updated_at))}</span>
                    {days.map(|n| view! { <span class="purge">{format!("{} {}", n, i18n.t(ui::DAYS_UNTIL_PURGE))}</span> })}
                </span>
            </a>
            {trash_view.then(|| view! {
                <button type="button" class="secondary restore" on:click=move |_| restore(id.clone())>{i18n.t(ui::RESTORE)}</button>
            })}
        </li>
    }
}

/// Asks the browser to keep this site's data (not evict it under storage pressure) and shows
/// how much space is used.
#[component]
fn StorageInfo() -> impl IntoView {
    let i18n = use_i18n();
    let persisted = RwSignal::new(None::<bool>);
    let estimate = RwSignal::new(None::<(f64, f64)>);
    spawn_local(async move {
        if let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) {
            let granted = match storage.persist() {
                Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_bool()),
                Err(_) => None,
            };
            persisted.set(granted);
        }
        estimate.set(store::storage_estimate().await);
    });
    let mb = |b: f64| b / 1_048_576.0;
    view! {
        <p class="muted small storage-info" data-testid="storage-info">
            {move || estimate.get().map(|(used, quota)| format!("{} {:.1} MB / {:.0} MB", i18n.t(ui::STORAGE_USED), mb(used), mb(quota)))}
            " · "
            {move || i18n.t(match persisted.get() {
                Some(true) => ui::PERSIST_ON,
                Some(false) => ui::PERSIST_OFF,
                None => ui::PERSIST_UNKNOWN,
            })}
        </p>
    }
}
