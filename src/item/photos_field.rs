//! Attaching photos to a draft: from the file picker or the phone camera (`capture`), shown as
//! thumbnails, each removable. The photos themselves live in IndexedDB ([`crate::photos`]);
//! the draft names them by hash (`DraftContent::photos`), which is how they reach the server.
//! Photos the draft names that are not on this device (it came from another device) are shown
//! from the server.

use crate::i18n::{Text, ui, use_i18n};
use crate::photos::{self, MAX_PHOTOS, PhotoError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use xinbao_core::item::PhotoRef;

/// A thumbnail as shown: (photo id, URL, file name, width × height, how the draft names it).
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    id: String,
    url: String,
    name: String,
    size: (u32, u32),
    reference: Option<PhotoRef>,
    /// Shown from this device's storage (an object URL to revoke), not from the server.
    local: bool,
}

fn shown(p: &photos::Photo) -> Shown {
    let url = web_sys::Url::create_object_url_with_blob(&p.thumb).unwrap_or_default();
    Shown { id: p.id.clone(), url, name: p.name.clone(), size: (p.width, p.height), reference: p.reference(), local: true }
}

fn remote(r: &PhotoRef) -> Shown {
    Shown {
        id: r.sha256.clone(),
        url: format!("/api/attachments/{}", r.sha256),
        name: r.name.clone(),
        size: (r.width, r.height),
        reference: Some(r.clone()),
        local: false,
    }
}

fn error_text(e: &PhotoError) -> Text {
    match e {
        PhotoError::NotAnImage => ui::PHOTO_NOT_IMAGE,
        PhotoError::Heic => ui::PHOTO_HEIC,
        PhotoError::TooMany => ui::PHOTO_TOO_MANY,
        PhotoError::TooLarge => ui::PHOTO_TOO_LARGE,
        PhotoError::Store(crate::store::StoreError::Quota) => ui::QUOTA_FULL,
        PhotoError::Store(_) => ui::SAVE_FAILED,
    }
}

#[component]
pub fn PhotosField(
    owner: i64,
    draft_id: String,
    /// The photos the draft names now.
    named: Vec<PhotoRef>,
    /// Whether the draft has been on the server (only then can a photo missing here be there).
    on_server: bool,
    /// Called with the photos the draft should name after an add or a removal.
    on_change: Callback<Vec<PhotoRef>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let list = RwSignal::new(Vec::<Shown>::new());
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let report = move || on_change.run(list.with_untracked(|l| l.iter().filter_map(|s| s.reference.clone()).collect()));
    {
        let draft_id = draft_id.clone();
        spawn_local(async move {
            let Ok(ps) = photos::list(owner, &draft_id).await else { return };
            if list.is_disposed() {
                return;
            }
            let mut shown_list: Vec<Shown> = ps.iter().map(shown).collect();
            // Each named photo once per time it is named: the same photo added twice is two
            // entries, whichever of them are on this device.
            let mut here: Vec<String> = shown_list.iter().filter_map(|s| s.reference.as_ref().map(|r| r.sha256.clone())).collect();
            if on_server {
                for r in &named {
                    match here.iter().position(|h| *h == r.sha256) {
                        Some(i) => {
                            here.remove(i);
                        }
                        None => shown_list.push(remote(r)),
                    }
                }
            }
            let changed = shown_list.iter().filter_map(|s| s.reference.as_ref()).ne(named.iter());
            list.set(shown_list);
            // Photos added before the draft named them (kept before sync): name them now.
            if changed {
                report();
            }
        });
    }
    on_cleanup(move || {
        for s in list.get_untracked().into_iter().filter(|s| s.local) {
            let _ = web_sys::Url::revoke_object_url(&s.url);
        }
    });
    let on_pick = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let files: Vec<web_sys::File> = input.files().map(|fl| (0..fl.length()).filter_map(|i| fl.get(i)).collect()).unwrap_or_default();
        input.set_value("");
        let draft_id = draft_id.clone();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            for file in files {
                match photos::add(owner, &draft_id, &file).await {
                    Ok(p) => {
                        list.update(|l| l.push(shown(&p)));
                        report();
                    }
                    Err(e) => {
                        error.set(Some(error_text(&e)));
                        break;
                    }
                }
            }
            busy.set(false);
        });
    };
    let remove = move |s: Shown| {
        spawn_local(async move {
            if s.local {
                if photos::remove(owner, &s.id).await.is_err() {
                    return;
                }
                let _ = web_sys::Url::revoke_object_url(&s.url);
            }
            // The one removed, not every photo with the same bytes.
            list.update(|l| {
                if let Some(i) = l.iter().position(|x| x.id == s.id) {
                    l.remove(i);
                }
            });
            report();
        });
    };
    view! {
        <div class="photos" data-testid="photos">
            <label for="photo-input">
                {move || format!("{} {}/{}", i18n.t(ui::PHOTOS), list.with(Vec::len), MAX_PHOTOS)}
            </label>
            <input id="photo-input" type="file" accept="image/*" capture="environment" multiple=true data-testid="photo-input"
                prop:disabled=move || { busy.get() || list.with(Vec::len) >= MAX_PHOTOS } on:change=on_pick />
            {move || busy.get().then(|| view! { <p class="muted small">{i18n.t(ui::PHOTO_PROCESSING)}</p> })}
            <p class="error" role="alert">{move || error.get().map(|t| i18n.t(t))}</p>
            <ul class="thumbs">
                {move || list.get().into_iter().map(|s| {
                    let this = s.clone();
                    view! {
                        <li>
                            <img src=s.url.clone() alt=s.name.clone() title=format!("{} · {}×{}", s.name, s.size.0, s.size.1) data-testid="thumb" />
                            <button type="button" class="link danger" aria-label=move || format!("{} {}", i18n.t(ui::REMOVE_PHOTO), s.name)
                                on:click=move |_| remove(this.clone())>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}
