//! Carrying unsent drafts to another machine when there is no network for days: export to a
//! JSON file with photos embedded, import on the other machine under the same account. Import
//! never duplicates a draft or photo already present, and never overwrites local work.

use crate::photos::{self, Photo};
use crate::store::{self, LocalDraft, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use wasm_bindgen_futures::JsFuture;

pub const FORMAT: &str = "xinbao-drafts";
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
pub struct ExportedPhoto {
    pub id: String,
    pub draft_id: String,
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// JPEG bytes, base64.
    pub data: String,
    pub thumb: String,
}

#[derive(Serialize, Deserialize)]
pub struct ExportFile {
    pub format: String,
    pub version: u32,
    pub username: String,
    pub exported_at: f64,
    pub drafts: Vec<LocalDraft>,
    pub photos: Vec<ExportedPhoto>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportError {
    /// Not an export of this app (or damaged).
    NotAnExport,
    /// Exported by another account: drafts belong to their author.
    OtherAccount(String),
    Store(StoreError),
}

/// How an import went.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Imported {
    pub drafts: usize,
    pub photos: usize,
    pub already_here: usize,
    /// Photos in the file that could not be read (damaged, not an image): left out, and said.
    pub bad_photos: usize,
    /// Drafts the file holds twice under one id: the first kept, the others left out, and said.
    pub twice_in_file: usize,
    /// Photos beyond the nine a draft may hold (a file made by hand or by another program):
    /// left out, and said.
    pub over_cap: usize,
}

async fn blob_bytes(b: &web_sys::Blob) -> Vec<u8> {
    match JsFuture::from(b.array_buffer()).await {
        Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
        Err(_) => Vec::new(),
    }
}

fn jpeg_blob(b64: &str) -> Option<web_sys::Blob> {
    let bytes = STANDARD.decode(b64).ok()?;
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let parts = js_sys::Array::of1(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("image/jpeg");
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).ok()
}

/// `user`'s own unsent work not in the trash ([`xinbao_core::sync::LocalSync::is_own_unsent`]),
/// with its photos: never an item already with the office, never someone else's.
pub async fn export(user: i64, username: &str) -> Result<ExportFile, StoreError> {
    let drafts: Vec<LocalDraft> =
        store::list_drafts(user).await?.into_iter().filter(|d| d.deleted_at.is_none() && d.sync.is_own_unsent(user, d.local_rev)).collect();
    let mut out = Vec::new();
    for d in &drafts {
        for p in photos::list(user, &d.id).await? {
            out.push(ExportedPhoto {
                id: p.id.clone(),
                draft_id: p.draft_id.clone(),
                name: p.name.clone(),
                width: p.width,
                height: p.height,
                data: STANDARD.encode(blob_bytes(&p.blob).await),
                thumb: STANDARD.encode(blob_bytes(&p.thumb).await),
            });
        }
    }
    Ok(ExportFile {
        format: FORMAT.into(),
        version: VERSION,
        username: username.into(),
        exported_at: crate::util::now_ms(),
        drafts,
        photos: out,
    })
}

/// Reads an export file's text; checks it is one, and that it belongs to `username`.
pub fn parse(text: &str, username: &str) -> Result<ExportFile, ImportError> {
    let file: ExportFile = serde_json::from_str(text).map_err(|_| ImportError::NotAnExport)?;
    if file.format != FORMAT || file.version > VERSION {
        return Err(ImportError::NotAnExport);
    }
    if !file.username.eq_ignore_ascii_case(username) {
        return Err(ImportError::OtherAccount(file.username));
    }
    Ok(file)
}

/// Adds the file's drafts and photos that are not here yet.
pub async fn import(user: i64, file: ExportFile) -> Result<Imported, ImportError> {
    let mut result = Imported::default();
    let mut imported_ids = Vec::new();
    let mut in_file = std::collections::HashSet::new();
    for mut d in file.drafts {
        if !in_file.insert(d.id.clone()) {
            result.twice_in_file += 1;
            continue;
        }
        if store::load_draft(user, &d.id).await.map_err(ImportError::Store)?.is_some() {
            result.already_here += 1;
            continue;
        }
        d.owner = user;
        if d.content.photos.len() > xinbao_core::item::MAX_PHOTOS {
            d.content.photos.truncate(xinbao_core::item::MAX_PHOTOS);
        }
        store::save_draft(&d).await.map_err(ImportError::Store)?;
        imported_ids.push(d.id.clone());
        result.drafts += 1;
    }
    let mut per_draft: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for p in file.photos {
        if !imported_ids.contains(&p.draft_id) {
            continue;
        }
        let held = per_draft.entry(p.draft_id.clone()).or_default();
        if *held >= photos::MAX_PHOTOS {
            result.over_cap += 1;
            continue;
        }
        *held += 1;
        let readable =
            STANDARD.decode(&p.data).ok().filter(|b| b.starts_with(&[0xFF, 0xD8]) || b.starts_with(b"\x89PNG") || b.starts_with(b"RIFF"));
        let (Some(_), Some(blob), Some(thumb)) = (readable, jpeg_blob(&p.data), jpeg_blob(&p.thumb)) else {
            result.bad_photos += 1;
            continue;
        };
        let size = blob.size();
        let sha256 = STANDARD.decode(&p.data).ok().map(|b| photos::sha256_hex(&b));
        let photo = Photo { id: p.id, draft_id: p.draft_id, name: p.name, width: p.width, height: p.height, size, blob, thumb, sha256 };
        photos::put(user, &photo).await.map_err(ImportError::Store)?;
        result.photos += 1;
    }
    Ok(result)
}

/// Offers `file` as a download named `name`.
pub fn download(file: &ExportFile, name: &str) -> Result<(), StoreError> {
    let json = serde_json::to_string(file).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let parts = js_sys::Array::of1(&json.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|_| StoreError::Corrupt("blob".into()))?;
    crate::util::save_blob(&blob, name).ok_or(StoreError::Corrupt("download".into()))
}

/// The text of a picked file.
pub async fn read_text(file: &web_sys::File) -> Option<String> {
    JsFuture::from(file.text()).await.ok()?.as_string()
}
