//! The draft editor. Every change is saved to IndexedDB within a second of the last keystroke,
//! and never in the middle of an IME composition: the fields are not re-rendered while typing
//! (their value is set once), so the caret never jumps. Saves are compare-and-set on the
//! draft's local revision: when another tab saved the same draft first, nothing is overwritten
//! and the person chooses — the version not kept is saved as a copy, so no text is ever lost.

use crate::i18n::{Text, ui, use_i18n};
use crate::item::fields::ItemFields;
use crate::item::photos_field::PhotosField;
use crate::item::quality_panel::{Compare, QualityPanel, check_draft};
use crate::item::sync_panel::SyncPanel;
use crate::outbox;
use crate::pwa::use_pwa;
use crate::session::use_session;
use crate::store::{self, LocalDraft, SaveOutcome, StoreError};
use crate::sync::use_sync;
use crate::tabs::TabChannel;
use crate::util::{clock_time, now_ms, random_id};
use gloo_timers::callback::Timeout;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use xinbao_core::autosave::{AfterSave, Autosave, DEBOUNCE_MS, Failure, OtherWrite, RETRY_MS, Status};
use xinbao_core::item::{ItemType, check_submittable};
use xinbao_core::text::char_count;

/// Quiet time before the writing checks run again (they take a few milliseconds).
const CHECK_DEBOUNCE_MS: u32 = 250;

#[derive(Clone, Copy, PartialEq, Eq)]
enum TextField {
    Title,
    Body,
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

/// Why a write failed, as the autosave tells them apart.
fn failure_of(e: &StoreError) -> Failure {
    match e {
        StoreError::Quota => Failure::Quota,
        StoreError::Stale => Failure::Stale,
        _ => Failure::Other,
    }
}

/// A copy of `d` as a new draft, its title marked with `mark`.
fn copy_of(d: &LocalDraft, mark: Text, lang: xinbao_core::i18n::Lang) -> LocalDraft {
    let mut copy = LocalDraft::new(random_id(), d.owner);
    copy.content = d.content.clone();
    copy.content.title = format!("{}{}", d.content.title, mark.get(lang));
    copy
}

#[component]
fn DraftForm(draft: LocalDraft) -> impl IntoView {
    let i18n = use_i18n();
    let pwa = use_pwa();
    // What was typed in this tab after another tab upgraded the database, before the reload:
    // back in the fields, and saved like any edit.
    let mut draft = draft;
    let restored = match store::take_stashed(&draft.id) {
        Some(c) if c != draft.content => {
            draft.content = c;
            true
        }
        _ => false,
    };
    let initial_title = draft.content.title.clone();
    let initial_body = draft.content.body.clone();
    let initial_type = draft.content.item_type;
    // The officer's other items on this device, compared with offline (filled in below).
    let compare = StoredValue::new(Compare::default());
    let report =
        RwSignal::new(Some((check_draft(&draft.content, &Compare::default()), draft.content.title.clone(), draft.content.body.clone())));
    let count = RwSignal::new(char_count(&draft.content.body));
    // The content as last checked (after a pause in typing), for the urgent-report panel.
    let checked = RwSignal::new(draft.content.clone());
    let item_type = RwSignal::new(draft.content.item_type);
    let missing = RwSignal::new(check_submittable(&draft.content).into_iter().map(|e| e.message).collect::<Vec<_>>());
    // When and on which base the text is written: the autosave machine (xinbao_core::autosave)
    // decides, this component does what it says. `state` is what it shows.
    let autosave = StoredValue::new(Autosave::new(draft.local_rev, restored));
    let state = RwSignal::new(Status::Clean);
    let shown = move || state.set(autosave.with_value(Autosave::status));
    // Another tab's version while a conflict waits for the person.
    let conflict = RwSignal::new(None::<LocalDraft>);
    let note = RwSignal::new(restored.then_some(ui::RESTORED_FROM_STASH));
    // Where the item stands with the server (the store keeps it; the sync engine changes it).
    let sync_info = RwSignal::new(draft.sync.clone());
    let local_rev = RwSignal::new(draft.local_rev);
    let sync = use_sync();
    let locked = Memo::new(move |_| sync_info.with(|s| s.submit || s.state.is_some_and(|s| !s.authors_turn())));
    let owner = draft.owner;
    let current = StoredValue::new(draft);
    let retry = RwSignal::new(0u32);
    let timer = StoredValue::new_local(None::<Timeout>);
    let check_timer = StoredValue::new_local(None::<Timeout>);
    let channel = StoredValue::new_local(TabChannel::open(owner));
    let title_ref = NodeRef::<html::Input>::new();
    let body_ref = NodeRef::<html::Textarea>::new();
    let set_unsaved = move |v: bool| {
        if let Some(p) = pwa {
            p.unsaved.set(v);
        }
    };

    // Shows `d` in the fields (another tab's version) and makes it the base.
    let show = move |d: LocalDraft| {
        if let Some(el) = title_ref.get_untracked() {
            el.set_value(&d.content.title);
        }
        if let Some(el) = body_ref.get_untracked() {
            el.set_value(&d.content.body);
        }
        count.set(char_count(&d.content.body));
        report.set(Some((compare.with_value(|c| check_draft(&d.content, c)), d.content.title.clone(), d.content.body.clone())));
        autosave.update_value(|a| a.took(d.local_rev, d.updated_at));
        shown();
        local_rev.set(d.local_rev);
        sync_info.set(d.sync.clone());
        current.set_value(d);
    };

    // Writes the current text now, when the autosave says a save may start.
    let save_now = move || {
        let Some(base) = autosave.try_update_value(Autosave::start).flatten() else { return };
        shown();
        let mut next = current.get_value();
        next.updated_at = now_ms();
        spawn_local(async move {
            // The store tells other tabs about the write.
            let outcome = store::save_draft_checked(&next, base).await;
            // Leaving the editor saves once more; by the time that write is done the editor may
            // be gone, and its state with it. The write itself is done either way.
            if autosave.is_disposed() {
                return;
            }
            let after = match outcome {
                Ok(SaveOutcome::Saved(stored)) => {
                    local_rev.set(stored.local_rev);
                    sync_info.set(stored.sync.clone());
                    if let Some(s) = sync {
                        s.soon();
                    }
                    current.update_value(|d| d.local_rev = stored.local_rev);
                    let after = autosave.try_update_value(|a| a.saved(stored.local_rev, stored.updated_at));
                    if after == Some(AfterSave::Done) {
                        set_unsaved(false);
                        crate::util::mark("xinbao:saved");
                    }
                    after
                }
                Ok(SaveOutcome::Conflict(theirs)) => {
                    conflict.set(Some(theirs));
                    autosave.try_update_value(Autosave::conflicted)
                }
                Err(e) => {
                    if matches!(e, StoreError::Stale) {
                        // Another tab upgraded the database: this tab cannot write it any more.
                        // What is here is kept in this tab until the reload, then put back.
                        store::stash_draft(&current.with_value(|d| d.id.clone()), &current.with_value(|d| d.content.clone()));
                        set_unsaved(false);
                        note.set(Some(ui::STASHED_FOR_RELOAD));
                    }
                    // Otherwise the text stays here and (unless the disk is full) is written
                    // again shortly on a fresh connection.
                    autosave.try_update_value(|a| a.failed(failure_of(&e)))
                }
            };
            shown();
            match after {
                Some(AfterSave::SaveAgain) => retry.update(|n| *n += 1),
                Some(AfterSave::RetryLater) => {
                    Timeout::new(RETRY_MS, move || retry.update(|n| *n += 1)).forget();
                }
                _ => {}
            }
        });
    };
    Effect::new(move |_| {
        retry.track();
        // A schema change elsewhere: write what is here before the connection closes.
        if let Some(p) = pwa {
            p.schema_stale.track();
        }
        save_now();
    });
    let recheck = move || {
        check_timer.update_value(|t| {
            if let Some(old) = t.take() {
                old.cancel();
            }
            *t = Some(Timeout::new(CHECK_DEBOUNCE_MS, move || {
                let d = current.get_value().content;
                missing.set(check_submittable(&d).into_iter().map(|e| e.message).collect());
                checked.set(d.clone());
                let r = compare.with_value(|c| check_draft(&d, c));
                report.set(Some((r, d.title, d.body)));
            }));
        });
    };
    // Offline, the draft is compared with the officer's other items on this device (their
    // drafts and what they pulled): loaded once, then checked again.
    spawn_local(async move {
        let Ok(drafts) = store::list_drafts(owner).await else { return };
        if compare.is_disposed() {
            return;
        }
        let this = current.with_value(|d| d.id.clone());
        compare.set_value(Compare::of(&this, &drafts));
        let d = current.get_value().content;
        let r = compare.with_value(|c| check_draft(&d, c));
        report.set(Some((r, d.title, d.body)));
    });
    let schedule = move || {
        recheck();
        set_unsaved(true);
        let Some(after) = autosave.try_update_value(|a| a.edited(now_ms())) else { return };
        shown();
        if after.save_now {
            save_now();
        }
        if after.debounce {
            timer.update_value(|t| {
                if let Some(old) = t.take() {
                    old.cancel();
                }
                *t = Some(Timeout::new(DEBOUNCE_MS, save_now));
            });
        }
    };
    // One path for every keystroke: keep the text in memory, recount, schedule check and save.
    // What no server would store (a whole book pasted, a NUL) is not taken: the field goes back
    // to what it held, nothing saved is lost, and the editor says why.
    let edited = move |field: TextField, text: String| {
        // A NUL (a broken paste) is dropped, not refused.
        let text = if text.contains('\0') { text.replace('\0', "") } else { text };
        let before = current.with_value(|d| d.content.clone());
        let mut next = before.clone();
        match field {
            TextField::Title => next.title = text.clone(),
            TextField::Body => next.body = text.clone(),
        }
        let size = |c: &xinbao_core::item::DraftContent| c.title.chars().count() + c.body.chars().count();
        // Refused only when it makes things worse: a draft already over the limit can always be
        // shortened.
        if let Err(why) = xinbao_core::item::check_storable(&next)
            && size(&next) >= size(&before)
        {
            let (held, el): (String, Option<web_sys::HtmlElement>) = match field {
                TextField::Title => (current.with_value(|d| d.content.title.clone()), title_ref.get_untracked().map(Into::into)),
                TextField::Body => (current.with_value(|d| d.content.body.clone()), body_ref.get_untracked().map(Into::into)),
            };
            if let Some(el) = el {
                let _ = js_sys::Reflect::set(&el, &"value".into(), &held.into());
            }
            note.set(Some(why));
            return;
        }
        if field == TextField::Body {
            count.set(char_count(&text));
        }
        current.update_value(|d| match field {
            TextField::Title => d.content.title = text,
            TextField::Body => d.content.body = text,
        });
        schedule();
    };

    // Another tab saved this draft: take its text if nothing here is unsaved, else ask.
    channel.update_value(|c| {
        if let Some(c) = c {
            c.listen(move |msg| {
                if msg.id != current.with_value(|d| d.id.clone()) || msg.rev <= autosave.with_value(Autosave::base_rev) {
                    return;
                }
                spawn_local(async move {
                    let Ok(Some(theirs)) = store::load_draft(owner, &msg.id).await else { return };
                    match autosave.try_update_value(|a| a.other_tab_wrote(theirs.local_rev)) {
                        Some(OtherWrite::Conflict) => {
                            conflict.set(Some(theirs));
                            shown();
                        }
                        Some(OtherWrite::Take) => {
                            show(theirs);
                            note.set(Some(ui::TOOK_OTHER_TAB));
                        }
                        Some(OtherWrite::Ignore) | None => {}
                    }
                });
            });
        }
    });

    // Either way the version not kept is first saved as a copy; then `then` settles the rest.
    let resolve = move |discarded: LocalDraft, mark: Text, then: Box<dyn FnOnce()>| {
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            let saved = store::save_draft(&copy_of(&discarded, mark, lang)).await;
            if autosave.is_disposed() {
                return;
            }
            match saved {
                Ok(()) => then(),
                Err(e) => state.set(Status::Failed(failure_of(&e))),
            }
        });
    };
    // The other version as stored now, not as the banner first showed it: the other tab (or a
    // sync) may have written again since.
    let theirs_now = move |shown: LocalDraft, then: Box<dyn FnOnce(LocalDraft)>| {
        spawn_local(async move {
            let stored = store::load_draft(owner, &shown.id).await.ok().flatten().unwrap_or(shown);
            if !autosave.is_disposed() {
                then(stored);
            }
        });
    };
    // Keep mine: their version becomes a copy, mine is saved on top of theirs.
    let keep_mine = move |_| {
        let Some(shown) = conflict.get_untracked() else { return };
        theirs_now(
            shown,
            Box::new(move |theirs| {
                let rev = theirs.local_rev;
                resolve(
                    theirs,
                    ui::COPY_OTHER_TAB,
                    Box::new(move || {
                        autosave.update_value(|a| a.keep_mine(rev));
                        conflict.set(None);
                        note.set(Some(ui::SAVED_OTHER_AS_COPY));
                        retry.update(|n| *n += 1);
                    }),
                );
            }),
        );
    };
    // Take theirs: my version becomes a copy, theirs is shown here.
    let take_theirs = move |_| {
        let Some(shown) = conflict.get_untracked() else { return };
        theirs_now(
            shown,
            Box::new(move |theirs| {
                resolve(
                    current.get_value(),
                    ui::COPY_THIS_TAB,
                    Box::new(move || {
                        autosave.update_value(|a| a.take_theirs(theirs.local_rev, theirs.updated_at));
                        conflict.set(None);
                        show(theirs);
                        set_unsaved(false);
                        note.set(Some(ui::SAVED_MINE_AS_COPY));
                    }),
                );
            }),
        );
    };

    // Sync changed this item (acknowledged, refused, in conflict, or a newer server version
    // taken because nothing here was unsent): show it.
    if let Some(s) = sync {
        Effect::new(move |first: Option<()>| {
            s.generation.track();
            if first.is_none() {
                return;
            }
            let id = current.with_value(|d| d.id.clone());
            spawn_local(async move {
                let Ok(Some(stored)) = store::load_draft(owner, &id).await else { return };
                let Some(take) = autosave.try_with_value(|a| a.sync_wrote(stored.local_rev)) else { return };
                if take {
                    show(stored);
                    note.set(Some(ui::TOOK_SERVER_UPDATE));
                } else {
                    sync_info.set(stored.sync);
                }
            });
        });
    }
    // Waits until everything typed is written (at most a few seconds), then runs `then`.
    let when_saved = move |then: Box<dyn FnOnce()>| {
        save_now();
        spawn_local(async move {
            for _ in 0..100 {
                match autosave.try_with_value(Autosave::unsettled) {
                    None => return,
                    Some(false) => break,
                    Some(true) => {}
                }
                gloo_timers::future::TimeoutFuture::new(30).await;
            }
            then();
        });
    };
    let id_now = move || current.with_value(|d| d.id.clone());
    let after_sync_change = move |r: Result<Option<LocalDraft>, StoreError>| match r {
        Ok(Some(d)) => {
            sync_info.set(d.sync);
            if let Some(s) = sync {
                s.sync_now();
            }
        }
        Ok(None) => {}
        Err(e) => state.set(Status::Failed(failure_of(&e))),
    };
    let on_submit = Callback::new(move |()| {
        when_saved(Box::new(move || {
            spawn_local(async move {
                let r = outbox::update_sync(owner, &id_now(), |d, _| {
                    d.sync.submit = true;
                    d.sync.failed = None;
                    true
                })
                .await;
                if !autosave.is_disposed() {
                    after_sync_change(r);
                }
            });
        }));
    });
    let on_withdraw = Callback::new(move |()| {
        spawn_local(async move {
            let r = outbox::withdraw_submit(owner, &id_now()).await;
            if !autosave.is_disposed() {
                after_sync_change(r);
            }
        });
    });
    // Take the server's: mine is saved as a copy first, then the server's version is shown;
    // `said` tells the author which way it went.
    let take_server = Callback::new(move |said: Text| {
        let lang = i18n.lang.get_untracked();
        when_saved(Box::new(move || {
            let mine = current.get_value();
            spawn_local(async move {
                if let Err(e) = store::save_draft(&copy_of(&mine, ui::COPY_MINE_BEFORE_SERVER, lang)).await {
                    if !autosave.is_disposed() {
                        state.set(Status::Failed(failure_of(&e)));
                    }
                    return;
                }
                let r = outbox::update_sync(owner, &mine.id, |d, _| match d.sync.conflict.take() {
                    Some(server) => {
                        d.content = server.content.clone();
                        d.local_rev += 1;
                        d.updated_at = now_ms();
                        d.sync = xinbao_core::sync::LocalSync {
                            rev: server.rev,
                            state: Some(server.state),
                            synced_rev: d.local_rev,
                            ..Default::default()
                        };
                        true
                    }
                    None => false,
                })
                .await;
                if autosave.is_disposed() {
                    return;
                }
                match r {
                    Ok(Some(d)) => {
                        show(d);
                        set_unsaved(false);
                        note.set(Some(said));
                    }
                    Ok(None) => {}
                    Err(e) => state.set(Status::Failed(failure_of(&e))),
                }
            });
        }));
    });
    // Keep mine: it goes on top of the server's version (which stays in the server's history) —
    // or, when the office has the item, is kept as a copy while the server's version is shown.
    let on_keep_mine = Callback::new(move |()| {
        when_saved(Box::new(move || {
            spawn_local(async move {
                let kept = std::rc::Rc::new(std::cell::Cell::new(false));
                let k = kept.clone();
                let r = outbox::update_sync(owner, &id_now(), move |d, _| {
                    k.set(d.sync.keep_mine());
                    k.get()
                })
                .await;
                if autosave.is_disposed() {
                    return;
                }
                if kept.get() {
                    after_sync_change(r);
                    note.set(Some(ui::KEPT_MINE));
                } else {
                    take_server.run(ui::KEPT_MINE_AS_COPY);
                }
            });
        }));
    });
    let on_take_server = Callback::new(move |()| take_server.run(ui::TOOK_SERVER));

    // Delete = to the trash, through the same save path (so other tabs hear of it); restore
    // takes it back out.
    let trashed = RwSignal::new(current.with_value(|d| d.deleted_at.is_some()));
    let navigate = leptos_router::hooks::use_navigate();
    let delete = move |_| {
        current.update_value(|d| d.deleted_at = Some(now_ms()));
        trashed.set(true);
        schedule();
        save_now();
        navigate("/", Default::default());
    };
    let restore = move |_| {
        current.update_value(|d| d.deleted_at = None);
        trashed.set(false);
        schedule();
    };
    // Leaving the page (tab closed, app switched on a phone) saves at once.
    let hide = window_event_listener(leptos::ev::pagehide, move |_| save_now());
    on_cleanup(move || {
        hide.remove();
        save_now();
    });

    let status = move || match state.get() {
        Status::Clean => String::new(),
        Status::Unsaved => i18n.t(ui::UNSAVED).to_owned(),
        Status::Saving => i18n.t(ui::SAVING).to_owned(),
        Status::Saved(at) => format!("{} {}", i18n.t(ui::SAVED_AT), clock_time(at)),
        Status::Failed(Failure::Quota) => i18n.t(ui::QUOTA_FULL).to_owned(),
        Status::Failed(_) => i18n.t(ui::SAVE_FAILED).to_owned(),
        Status::Conflict => i18n.t(ui::CONFLICT_SHORT).to_owned(),
    };

    view! {
        <form class="draft-form" on:submit=|ev| ev.prevent_default()>
            {move || conflict.get().map(|_| view! {
                <div class="conflict" role="alert" data-testid="tab-conflict">
                    <p>{move || i18n.t(ui::CONFLICT_OTHER_TAB)}</p>
                    <button type="button" class="primary" on:click=keep_mine>{move || i18n.t(ui::KEEP_MINE)}</button>
                    <button type="button" class="secondary" on:click=take_theirs>{move || i18n.t(ui::TAKE_THEIRS)}</button>
                </div>
            })}
            {move || note.get().map(|t| view! { <p class="note" role="status" data-testid="editor-note">{move || i18n.t(t)}</p> })}
            {move || trashed.get().then(|| view! {
                <div class="conflict" role="status" data-testid="in-trash">
                    <p>{move || i18n.t(ui::IN_TRASH)}</p>
                    <button type="button" class="primary" on:click=restore>{move || i18n.t(ui::RESTORE)}</button>
                </div>
            })}
            <SyncPanel sync=sync_info local_rev missing report on_submit on_withdraw on_keep_mine on_take_server />
            <crate::review::ReviewThread owner item_id=current.with_value(|d| d.id.clone()) sync=sync_info />
            <fieldset class="fields" prop:disabled=move || locked.get()>
            <label for="item-type">{move || i18n.t(ui::ITEM_TYPE)}</label>
            <select id="item-type" data-testid="item-type" on:change=move |ev| {
                if let Some(t) = ItemType::parse(&event_target_value(&ev)) {
                    current.update_value(|d| d.content.item_type = t);
                    item_type.set(t);
                    schedule();
                }
            }>
                {ItemType::ALL.into_iter().map(|t| view! {
                    <option value=t.as_str() selected=t == initial_type>{move || i18n.t(t.label())}</option>
                }).collect_view()}
            </select>
            <label for="title">{move || i18n.t(ui::TITLE)}</label>
            <input id="title" name="title" data-testid="title" autocomplete="off" node_ref=title_ref
                placeholder=move || i18n.t(ui::TITLE_PLACEHOLDER)
                prop:value=initial_title
                on:compositionstart=move |_| autosave.update_value(|a| a.composing(true))
                on:compositionend=move |ev| {
                    autosave.update_value(|a| a.composing(false));
                    edited(TextField::Title, event_target_value(&ev));
                }
                on:input=move |ev| edited(TextField::Title, event_target_value(&ev))
                on:blur=move |_| save_now() />
            <label for="body">{move || i18n.t(ui::BODY)}</label>
            <textarea id="body" name="body" data-testid="body" rows="14" node_ref=body_ref
                placeholder=move || i18n.t(ui::BODY_PLACEHOLDER)
                prop:value=initial_body
                on:compositionstart=move |_| autosave.update_value(|a| a.composing(true))
                on:compositionend=move |ev| {
                    autosave.update_value(|a| a.composing(false));
                    edited(TextField::Body, event_target_value(&ev));
                }
                on:input=move |ev| edited(TextField::Body, event_target_value(&ev))
                on:blur=move |_| save_now()></textarea>
            <ItemFields current item_type on_change=Callback::new(move |()| schedule()) />
            <PhotosField owner draft_id=current.with_value(|d| d.id.clone()) named=current.with_value(|d| d.content.photos.clone())
                on_server=current.with_value(|d| d.sync.rev > 0)
                on_change=Callback::new(move |refs| {
                    current.update_value(|d| d.content.photos = refs);
                    // A photo added or removed is saved at once, not after the typing pause.
                    schedule();
                    save_now();
                }) />
            </fieldset>
            <div class="readiness" data-testid="readiness">
                {move || {
                    let m = missing.get();
                    if m.is_empty() {
                        view! { <p class="ok">{i18n.t(ui::READY_TO_SUBMIT)}</p> }.into_any()
                    } else {
                        view! {
                            <p>{i18n.t(ui::BEFORE_SUBMIT)}</p>
                            <ul>{m.into_iter().map(|t| view! { <li>{i18n.t(t)}</li> }).collect_view()}</ul>
                        }.into_any()
                    }
                }}
            </div>
            <div class="form-foot">
                {move || {
                    let delete = delete.clone();
                    (!trashed.get()).then(move || view! {
                        <button type="button" class="link danger" data-testid="delete-draft" on:click=delete>{move || i18n.t(ui::DELETE)}</button>
                    })
                }}
                <span data-testid="char-count">{move || format!("{} {}", i18n.t(ui::CHAR_COUNT), count.get())}</span>
                <span class="save-state" data-testid="save-state" role="status" aria-live="polite"
                    class:failed=move || matches!(state.get(), Status::Failed(_) | Status::Conflict)>{status}</span>
            </div>
        </form>
        <crate::item::urgent_panel::UrgentPanel content=checked />
        <QualityPanel report />
    }
}
