//! Photos from the field attached to a draft: downscaled in the browser (at most 1600 px JPEG,
//! a 240 px thumbnail), kept as Blobs in IndexedDB apart from the draft record, capped per
//! draft.

use crate::store::{self, PHOTOS, StoreError, commit};
use crate::util::{now_ms, random_id};
use idb::TransactionMode;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub const MAX_SIDE: u32 = 1600;
pub const THUMB_SIDE: u32 = 240;
pub const MAX_PHOTOS: usize = xinbao_core::item::MAX_PHOTOS;
pub const MAX_BYTES: f64 = 10.0 * 1024.0 * 1024.0;

#[wasm_bindgen(module = "/js/photos.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn downscale(file: &web_sys::Blob, max: u32, quality: f64) -> Result<js_sys::Promise, JsValue>;
}

/// A stored photo.
#[derive(Clone, Debug)]
pub struct Photo {
    pub id: String,
    pub draft_id: String,
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub size: f64,
    pub blob: web_sys::Blob,
    pub thumb: web_sys::Blob,
    /// SHA-256 of `blob` (what the server stores it under); absent in photos kept before sync.
    pub sha256: Option<String>,
}

impl Photo {
    /// How an item names this photo.
    pub fn reference(&self) -> Option<xinbao_core::item::PhotoRef> {
        Some(xinbao_core::item::PhotoRef {
            sha256: self.sha256.clone()?,
            name: self.name.clone(),
            width: self.width,
            height: self.height,
            size: self.size as u64,
        })
    }
}

/// The bytes of a Blob.
pub async fn bytes_of(blob: &web_sys::Blob) -> Option<Vec<u8>> {
    let buf = JsFuture::from(blob.array_buffer()).await.ok()?;
    Some(js_sys::Uint8Array::new(&buf).to_vec())
}

/// SHA-256 of `bytes` as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a photo was not added.
#[derive(Clone, Debug, PartialEq)]
pub enum PhotoError {
    NotAnImage,
    /// An iPhone's HEIC/HEIF photo: an image, but not one a browser here can read.
    Heic,
    TooMany,
    TooLarge,
    Store(StoreError),
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), v);
}

async fn scaled(file: &web_sys::Blob, max: u32) -> Result<(web_sys::Blob, u32, u32), PhotoError> {
    let promise = downscale(file, max, 0.85).map_err(|_| PhotoError::NotAnImage)?;
    let out = JsFuture::from(promise).await.map_err(|_| PhotoError::NotAnImage)?;
    let blob: web_sys::Blob = get(&out, "blob").dyn_into().map_err(|_| PhotoError::NotAnImage)?;
    let w = get(&out, "width").as_f64().unwrap_or(0.0) as u32;
    let h = get(&out, "height").as_f64().unwrap_or(0.0) as u32;
    Ok((blob, w, h))
}

/// A Blob of `bytes` with MIME type `kind`.
fn blob_of(bytes: &[u8], kind: &str) -> Option<web_sys::Blob> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kind);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

fn sealed_field(v: &JsValue, k: &str) -> Option<Vec<u8>> {
    get(v, k).dyn_ref::<js_sys::Uint8Array>().map(js_sys::Uint8Array::to_vec)
}

/// A stored photo back, sealed or not; `Err(Locked)` when it is sealed and this tab holds no key.
fn from_js(v: &JsValue) -> Result<Option<Photo>, StoreError> {
    let (name, blob, thumb) = match (sealed_field(v, "blob_sealed"), sealed_field(v, "thumb_sealed"), sealed_field(v, "name_sealed")) {
        (Some(b), Some(t), Some(n)) => {
            let kind = get(v, "type").as_string().unwrap_or_else(|| "image/jpeg".into());
            let (b, t, n) = (store::open_sealed(&b)?, store::open_sealed(&t)?, store::open_sealed(&n)?);
            let (Some(blob), Some(thumb)) = (blob_of(&b, &kind), blob_of(&t, &kind)) else { return Ok(None) };
            (String::from_utf8_lossy(&n).into_owned(), blob, thumb)
        }
        _ => {
            let (Ok(blob), Ok(thumb)) = (get(v, "blob").dyn_into(), get(v, "thumb").dyn_into()) else { return Ok(None) };
            (get(v, "name").as_string().unwrap_or_default(), blob, thumb)
        }
    };
    let Some(id) = get(v, "id").as_string() else { return Ok(None) };
    let Some(draft_id) = get(v, "draft_id").as_string() else { return Ok(None) };
    Ok(Some(Photo {
        id,
        draft_id,
        name,
        width: get(v, "width").as_f64().unwrap_or(0.0) as u32,
        height: get(v, "height").as_f64().unwrap_or(0.0) as u32,
        size: get(v, "size").as_f64().unwrap_or(0.0),
        blob,
        thumb,
        sha256: get(v, "sha256").as_string(),
    }))
}

/// The record a photo is stored as: with local encryption on, its bytes, thumbnail and file
/// name sealed ([`crate::vault`]); built before any transaction opens (reading a Blob's bytes
/// would let an open IndexedDB transaction commit early).
pub(crate) async fn to_js(p: &Photo, owner: i64) -> Object {
    let o = Object::new();
    set(&o, "id", &p.id.as_str().into());
    set(&o, "draft_id", &p.draft_id.as_str().into());
    set(&o, "owner", &JsValue::from_f64(owner as f64));
    set(&o, "width", &p.width.into());
    set(&o, "height", &p.height.into());
    set(&o, "size", &JsValue::from_f64(p.size));
    set(&o, "added_at", &JsValue::from_f64(now_ms()));
    if let Some(h) = &p.sha256 {
        set(&o, "sha256", &h.as_str().into());
    }
    if crate::vault::sealing()
        && let (Some(b), Some(t)) = (bytes_of(&p.blob).await, bytes_of(&p.thumb).await)
        && let (Some(b), Some(t), Some(n)) = (crate::vault::seal(&b), crate::vault::seal(&t), crate::vault::seal(p.name.as_bytes()))
    {
        set(&o, "type", &p.blob.type_().into());
        set(&o, "blob_sealed", &js_sys::Uint8Array::from(&b[..]));
        set(&o, "thumb_sealed", &js_sys::Uint8Array::from(&t[..]));
        set(&o, "name_sealed", &js_sys::Uint8Array::from(&n[..]));
        return o;
    }
    set(&o, "name", &p.name.as_str().into());
    set(&o, "blob", &p.blob);
    set(&o, "thumb", &p.thumb);
    o
}

/// Rewrites `user`'s photos that are not in the form the setting asks for (see
/// [`store::reseal_all`]).
pub async fn reseal_all(user: i64) -> Result<usize, StoreError> {
    let want_sealed = crate::vault::sealing();
    let db = store::db(user).await?;
    let tx = db.transaction(&[PHOTOS], TransactionMode::ReadOnly)?;
    let values = tx.object_store(PHOTOS)?.get_all(None, None)?.await?;
    let mut redo = Vec::new();
    for v in values.iter().filter(|v| sealed_field(v, "blob_sealed").is_some() != want_sealed) {
        if let Ok(Some(p)) = from_js(v) {
            redo.push((p, get(v, "added_at")));
        }
    }
    let mut changed = 0;
    for (p, added_at) in &redo {
        let record = to_js(p, user).await;
        set(&record, "added_at", added_at);
        // A photo removed meanwhile stays removed (photos never change, only come and go).
        let tx = db.transaction(&[PHOTOS], TransactionMode::ReadWrite)?;
        let photos = tx.object_store(PHOTOS)?;
        match photos.get(JsValue::from_str(&p.id))?.await? {
            Some(now) if sealed_field(&now, "blob_sealed").is_some() != want_sealed => {
                photos.put(&record, None)?.await?;
                changed += 1;
            }
            _ => {}
        }
        commit(tx).await?;
    }
    Ok(changed)
}

/// The photos of one draft, in the order they were added.
pub async fn list(owner: i64, draft_id: &str) -> Result<Vec<Photo>, StoreError> {
    let db = store::db(owner).await?;
    let tx = db.transaction(&[PHOTOS], TransactionMode::ReadOnly)?;
    let values = tx.object_store(PHOTOS)?.index("draft_id")?.get_all(Some(JsValue::from_str(draft_id).into()), None)?.await?;
    let mut out: Vec<(f64, Photo)> = Vec::with_capacity(values.len());
    for v in &values {
        if let Some(p) = from_js(v)? {
            out.push((get(v, "added_at").as_f64().unwrap_or(0.0), p));
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut photos: Vec<Photo> = out.into_iter().map(|(_, p)| p).collect();
    // Photos kept before sync had no hash: work it out now (it is not stored; cheap enough).
    for p in photos.iter_mut().filter(|p| p.sha256.is_none()) {
        p.sha256 = bytes_of(&p.blob).await.map(|b| sha256_hex(&b));
    }
    Ok(photos)
}

/// Downscales `file` and stores it with `draft_id`, if the draft still has room.
pub async fn add(owner: i64, draft_id: &str, file: &web_sys::File) -> Result<Photo, PhotoError> {
    match xinbao_core::item::photo_format(&file.type_(), &file.name()) {
        xinbao_core::item::PhotoFormat::Readable => {}
        xinbao_core::item::PhotoFormat::Heic => return Err(PhotoError::Heic),
        xinbao_core::item::PhotoFormat::NotAnImage => return Err(PhotoError::NotAnImage),
    }
    let (blob, width, height) = scaled(file, MAX_SIDE).await?;
    let (thumb, _, _) = scaled(&blob, THUMB_SIDE).await?;
    let sha256 = bytes_of(&blob).await.map(|b| sha256_hex(&b));
    let photo =
        Photo { id: random_id(), draft_id: draft_id.to_owned(), name: file.name(), width, height, size: blob.size(), blob, thumb, sha256 };
    let record = to_js(&photo, owner).await;
    // The cap is checked and the photo written in one transaction.
    let db = store::db(owner).await.map_err(PhotoError::Store)?;
    let tx = db.transaction(&[PHOTOS], TransactionMode::ReadWrite).map_err(|e| PhotoError::Store(e.into()))?;
    let photos = tx.object_store(PHOTOS).map_err(|e| PhotoError::Store(e.into()))?;
    let existing = async {
        let index = photos.index("draft_id")?;
        index.get_all(Some(JsValue::from_str(draft_id).into()), None)?.await
    }
    .await
    .map_err(|e| PhotoError::Store(e.into()))?;
    let used: f64 = existing.iter().map(|v| get(v, "size").as_f64().unwrap_or(0.0)).sum();
    if existing.len() >= MAX_PHOTOS {
        return Err(PhotoError::TooMany);
    }
    if used + photo.size > MAX_BYTES {
        return Err(PhotoError::TooLarge);
    }
    async { photos.put(&record, None)?.await }.await.map_err(|e| PhotoError::Store(e.into()))?;
    commit(tx).await.map_err(PhotoError::Store)?;
    Ok(photo)
}

pub async fn remove(owner: i64, photo_id: &str) -> Result<(), StoreError> {
    let db = store::db(owner).await?;
    let tx = db.transaction(&[PHOTOS], TransactionMode::ReadWrite)?;
    tx.object_store(PHOTOS)?.delete(JsValue::from_str(photo_id))?.await?;
    commit(tx).await
}

/// Stores an already-scaled photo as it is (import), unless one with its id is there.
pub async fn put(owner: i64, photo: &Photo) -> Result<(), StoreError> {
    let record = to_js(photo, owner).await;
    let db = store::db(owner).await?;
    let tx = db.transaction(&[PHOTOS], TransactionMode::ReadWrite)?;
    let photos = tx.object_store(PHOTOS)?;
    if photos.get(JsValue::from_str(&photo.id))?.await?.is_none() {
        photos.put(&record, None)?.await?;
    }
    commit(tx).await
}
