//! Building the app (Trunk, release) and the server, and `cargo xtask serve`.

use crate::run::{Result, cmd, root, status};
use crate::tools::ensure_build_tools;
use std::path::PathBuf;

/// Builds the app into `dist/` with Trunk in release mode (wasm-opt -Oz through npm's binaryen),
/// then writes `.br` and `.gz` beside each text and Wasm file for the server to send as they are.
pub fn build_app() -> Result<()> {
    status(cmd("trunk", &["build", "--release"]).env("TRUNK_SKIP_VERSION_CHECK", "true"))?;
    externalize_boot_script(&root().join("dist"))?;
    write_service_worker(&root().join("dist"))?;
    precompress(&root().join("dist"))
}

/// Moves the inline `<script type="module">` Trunk writes into index.html (the loader that
/// starts the Wasm) to `dist/boot-<hash>.js`, so the Content-Security-Policy can forbid inline
/// scripts altogether.
pub fn externalize_boot_script(dist: &std::path::Path) -> Result<()> {
    let index_path = dist.join("index.html");
    let html = std::fs::read_to_string(&index_path).map_err(|e| format!("reading dist/index.html: {e}"))?;
    let open = "<script type=\"module\">";
    let Some(start) = html.find(open) else {
        return Ok(()); // already external
    };
    let body_start = start + open.len();
    let end = html[body_start..].find("</script>").map(|i| body_start + i).ok_or("unterminated inline script in dist/index.html")?;
    let script = &html[body_start..end];
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in script.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let name = format!("boot-{hash:016x}.js");
    std::fs::write(dist.join(&name), script.trim()).map_err(|e| format!("writing dist/{name}: {e}"))?;
    let replaced = format!("{}<script type=\"module\" src=\"/{name}\"></script>{}", &html[..start], &html[end + "</script>".len()..]);
    std::fs::write(&index_path, replaced).map_err(|e| format!("writing dist/index.html: {e}"))
}

/// Writes `dist/sw.js` from `public/sw.js`: the list of files to precache (everything Trunk
/// built) and a version that changes whenever any of them does, so browsers notice a new app.
pub fn write_service_worker(dist: &std::path::Path) -> Result<()> {
    let template = std::fs::read_to_string(root().join("public/sw.js")).map_err(|e| format!("reading public/sw.js: {e}"))?;
    let mut assets: Vec<String> = files_under(dist, dist)?
        .into_iter()
        .filter(|n| n != "sw.js" && !n.ends_with(".br") && !n.ends_with(".gz"))
        .map(|n| format!("/{n}"))
        .collect();
    assets.sort();
    // FNV-1a over the names (which carry content hashes) and index.html itself.
    let mut version: u64 = 0xcbf2_9ce4_8422_2325;
    let index = std::fs::read(dist.join("index.html")).map_err(|e| format!("reading dist/index.html: {e}"))?;
    for byte in assets.iter().flat_map(|a| a.bytes()).chain(index) {
        version ^= u64::from(byte);
        version = version.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let list = format!("[{}]", assets.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", "));
    let sw = template.replace("__XINBAO_VERSION__", &format!("{version:016x}")).replace("__XINBAO_ASSETS__", &list);
    std::fs::write(dist.join("sw.js"), sw).map_err(|e| format!("writing dist/sw.js: {e}"))
}

/// Every file below `dir`, as paths relative to `base` with `/` separators (wasm-bindgen puts
/// JS snippets in `snippets/<crate>/…`).
pub fn files_under(base: &std::path::Path, dir: &std::path::Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(base, &path)?);
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
    Ok(out)
}

/// Brotli (quality 11) and gzip (level 9) copies of every compressible file under `dir`: done
/// once at build time, so serving costs nothing and gets the best ratio.
pub fn precompress(dir: &std::path::Path) -> Result<()> {
    use std::io::Write;
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            precompress(&path)?;
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "wasm" | "js" | "css" | "html" | "svg" | "json" | "webmanifest") {
            continue;
        }
        let data = std::fs::read(&path).map_err(|e| e.to_string())?;
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
            w.write_all(&data).map_err(|e| e.to_string())?;
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&data).map_err(|e| e.to_string())?;
        let gz = gz.finish().map_err(|e| e.to_string())?;
        let with = |suffix: &str| std::path::PathBuf::from(format!("{}.{suffix}", path.display()));
        std::fs::write(with("br"), br).map_err(|e| e.to_string())?;
        std::fs::write(with("gz"), gz).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Builds the server; returns the binary's path.
pub fn build_server(release: bool) -> Result<PathBuf> {
    let mut args = vec!["build", "-p", "xinbao-server"];
    if release {
        args.push("--release");
    }
    status(&mut cmd("cargo", &args))?;
    Ok(root().join("target").join(if release { "release" } else { "debug" }).join("xinbao-server"))
}

/// Installs tools if needed, then builds app and server.
pub fn build_all(release: bool) -> Result<PathBuf> {
    ensure_build_tools()?;
    build_app()?;
    build_server(release)
}

/// `cargo xtask serve [flags]`: builds everything and runs the server in the foreground; flags
/// are passed to `xinbao-server serve` (`--demo`, `--addr`, `--data-dir`, `--database-url`, …).
pub fn serve(args: &[String]) -> Result<()> {
    let server = build_all(true)?;
    let dist = root().join("dist");
    let mut c = cmd(&server.display().to_string(), &["serve", "--static-dir", &dist.display().to_string()]);
    c.args(args);
    status(&mut c)
}
