//! Building the app (Trunk, release) and the server, and `cargo xtask serve`.

use crate::run::{Result, cmd, root, status};
use crate::tools::ensure_build_tools;
use std::path::PathBuf;

/// Builds the app into `dist/` with Trunk in release mode (wasm-opt -Oz through npm's binaryen),
/// then writes `.br` and `.gz` beside each text and Wasm file for the server to send as they are.
pub fn build_app() -> Result<()> {
    status(cmd("trunk", &["build", "--release"]).env("TRUNK_SKIP_VERSION_CHECK", "true"))?;
    precompress(&root().join("dist"))
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
