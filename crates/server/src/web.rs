//! Serving the built app: files from the built `dist/` folder (`cargo xtask build`), deep links answered with
//! `index.html`, and cache headers that let hashed assets live forever while `index.html` and
//! `sw.js` are always revalidated (so a new version is noticed).

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::Response;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// The static file service for `dir`, falling back to `index.html` for app routes.
pub fn app_files(dir: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(ServeFile::new(dir.join("index.html")))
}

/// Whether a path names content that never changes: a file named `name-<hex>.ext` (the
/// stylesheet, the icon, the loader), or anything in the app directory `/app-<hex>/` (the Wasm
/// modules and their JS, named together by the hash of them all). The hash is usually 16
/// digits but drops leading zeros.
pub fn is_hashed_asset(path: &str) -> bool {
    let hashed = |stem: &str| {
        stem.rsplit_once('-').is_some_and(|(_, hash)| (10..=32).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let mut segments = path.trim_start_matches('/').split('/');
    if let (Some(dir), Some(_)) = (segments.next(), segments.next())
        && dir.starts_with("app-")
        && hashed(dir)
    {
        return true;
    }
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    hashed(stem.strip_suffix("_bg").unwrap_or(stem))
}

/// The Content-Security-Policy: scripts only from this origin (no inline script anywhere;
/// `wasm-unsafe-eval` lets the Wasm compile), no framing, no plugins, connections only home.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; \
     connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Security headers on every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // 360, QQ and Sogou open intranet sites in IE-compatibility mode unless told otherwise.
    h.insert("x-ua-compatible", HeaderValue::from_static("IE=edge"));
    res
}

/// Sets `Cache-Control` on everything that is not the API.
pub async fn cache_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if path.starts_with("/api/") {
        res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return res;
    }
    let is_html = res.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    let value =
        if res.status().is_success() && !is_html && is_hashed_asset(&path) { "public, max-age=31536000, immutable" } else { "no-cache" };
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised_and_others_are_not() {
        assert!(is_hashed_asset("/xinbao-8f2a6c1d9e0b7a35_bg.wasm"));
        assert!(is_hashed_asset("/xinbao-8f2a6c1d9e0b7a35.js"));
        assert!(is_hashed_asset("/main-0123456789abcdef.css"));
        assert!(is_hashed_asset("/main-23fd49f06ecf783.css"));
        assert!(is_hashed_asset("/app-5fedf78632da9c88/xinbao_bg.wasm"));
        assert!(is_hashed_asset("/app-5fedf78632da9c88/split_officer_pages.wasm"));
        assert!(is_hashed_asset("/app-5fedf78632da9c88/snippets/xinbao-app-af2ad8cad10b3987/js/sync.js"));
        assert!(!is_hashed_asset("/app-store/x.js"));
        assert!(!is_hashed_asset("/drafts/new-item"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/drafts/abc-123"));
    }
}
