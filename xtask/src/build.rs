//! Building the app (Trunk, release) and the server, and `cargo xtask serve`.

use crate::run::{Result, cmd, root, status};
use crate::tools::ensure_build_tools;
use std::path::PathBuf;

/// Builds the app into `dist/` with Trunk in release mode (wasm-opt -Oz through npm's binaryen).
pub fn build_app() -> Result<()> {
    status(cmd("trunk", &["build", "--release"]).env("TRUNK_SKIP_VERSION_CHECK", "true"))
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
