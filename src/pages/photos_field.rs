//! Attaching photos to a draft: from the file picker or the phone camera (`capture`), shown as
//! thumbnails, each removable. The photos themselves live in IndexedDB ([`crate::photos`]).

use crate::i18n::{Text, ui, use_i18n};
use crate::photos::{self, MAX_PHOTOS, PhotoError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// A thumbnail as shown: (photo id, object URL, file name, width × height).
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    id: String,
    url: String,
    name: String,
    size: (u32, u32),
}

fn shown(p: &photos::Photo) -> Shown {
    let url = web_sys::Url::create_object_url_with_blob(&p.thumb).unwrap_or_default();
    Shown { id: p.id.clone(), url, name: p.name.clone(), size: (p.width, p.height) }
}

fn error_text(e: &PhotoError) -> Text {
    match e {
        PhotoError::NotAnImage => ui::PHOTO_NOT_IMAGE,
        PhotoError::TooMany => ui::PHOTO_TOO_MANY,
        PhotoError::TooLarge => ui::PHOTO_TOO_LARGE,
        PhotoError::Store(crate::store::StoreError::Quota) => ui::QUOTA_FULL,
        PhotoError::Store(_) => ui::SAVE_FAILED,
    }
}

#[component]
pub fn PhotosField(owner: i64, draft_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let list = RwSignal::new(Vec::<Shown>::new());
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    {
        let draft_id = draft_id.clone();
        spawn_local(async move {
            if let Ok(ps) = photos::list(owner, &draft_id).await {
                list.set(ps.iter().map(shown).collect());
            }
        });
    }
    on_cleanup(move || {
        for s in list.get_untracked() {
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
                    Ok(p) => list.update(|l| l.push(shown(&p))),
                    Err(e) => {
                        error.set(Some(error_text(&e)));
                        break;
                    }
                }
            }
            busy.set(false);
        });
    };
    let remove = move |id: String, url: String| {
        spawn_local(async move {
            if photos::remove(owner, &id).await.is_ok() {
                let _ = web_sys::Url::revoke_object_url(&url);
                list.update(|l| l.retain(|s| s.id != id));
            }
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
                    let (id, url) = (s.id.clone(), s.url.clone());
                    view! {
                        <li>
                            <img src=s.url.clone() alt=s.name.clone() title=format!("{} · {}×{}", s.name, s.size.0, s.size.1) data-testid="thumb" />
                            <button type="button" class="link danger" aria-label=move || format!("{} {}", i18n.t(ui::REMOVE_PHOTO), s.name)
                                on:click=move |_| remove(id.clone(), url.clone())>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}
