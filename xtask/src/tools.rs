//! Installing what the project needs on a machine that has only the Rust toolchain, Node.js and
//! Debian's package manager. Each step says what it does and is skipped when already done.

use crate::run::{Result, cmd, exists, output, root, status};
use std::path::Path;

/// The `wasm-bindgen` version in Cargo.lock: the CLI must match it exactly (its output must fit
/// the `wasm-bindgen` crate the app was compiled against).
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = \"")).and_then(|v| v.strip_suffix('"'))
        {
            return Ok(v.to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".into())
}

fn ensure_wasm_target() -> Result<()> {
    let installed = output(&mut cmd("rustup", &["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    println!("xtask: installing the wasm32-unknown-unknown target");
    status(&mut cmd("rustup", &["target", "add", "wasm32-unknown-unknown"]))
}

/// `cargo install krate --version version` unless `bin --version` already reports it.
pub fn ensure_cargo_tool(bin: &str, krate: &str, version: &str, locked: bool) -> Result<()> {
    if exists(bin, "--version").is_some_and(|v| v.split_whitespace().any(|w| w == version)) {
        return Ok(());
    }
    println!("xtask: installing {krate} {version} (cargo install; several minutes the first time)");
    let mut args = vec!["install", krate, "--version", version];
    if locked {
        args.push("--locked");
    }
    status(&mut cmd("cargo", &args))
}

/// `npm ci` (or `npm install` without a lock file) in `dir` when its node_modules is missing or
/// older than its lock file.
pub fn ensure_npm(dir: &str) -> Result<()> {
    let d = root().join(dir);
    let lock = d.join("package-lock.json");
    let marker = d.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock).and_then(|m| m.modified()), std::fs::metadata(&marker).and_then(|m| m.modified())) {
        (Ok(l), Ok(m)) => m >= l,
        (Err(_), Ok(_)) => true,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    println!("xtask: installing npm packages in {dir}/");
    let verb = if lock.exists() { "ci" } else { "install" };
    status(
        cmd("npm", &[verb, "--no-audit", "--no-fund"])
            .current_dir(&d)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .env("PUPPETEER_SKIP_DOWNLOAD", "1"),
    )
}

fn dpkg_installed(pkg: &str) -> bool {
    output(&mut cmd("dpkg-query", &["-W", "-f=${Status}", pkg])).is_some_and(|s| s.contains("install ok installed"))
}

/// Installs Debian packages that are missing (one `apt-get update` first).
pub fn ensure_apt(packages: &[&str]) -> Result<()> {
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !dpkg_installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: installing Debian packages: {}", missing.join(" "));
    let is_root = crate::run::is_root();
    let (program, prefix): (&str, Vec<&str>) = if is_root { ("apt-get", vec![]) } else { ("sudo", vec!["apt-get"]) };
    let mut update = prefix.clone();
    update.extend(["update", "-q"]);
    status(&mut cmd(program, &update))?;
    let mut install = prefix;
    install.extend(["install", "-y", "-q", "--no-install-recommends"]);
    install.extend(missing.iter().copied());
    status(cmd(program, &install).env("DEBIAN_FRONTEND", "noninteractive"))
}

/// What building the app needs: the wasm target, wasm-bindgen-cli matching Cargo.lock, and
/// binaryen's wasm-opt from npm (Debian's binaryen 108 produces Wasm that fails to start). The
/// splitting itself (wasm-split) is a library inside xtask.
pub fn ensure_build_tools() -> Result<()> {
    ensure_wasm_target()?;
    ensure_cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &wasm_bindgen_version()?, false)?;
    ensure_npm("tools")?;
    if !Path::new(&root().join("tools/node_modules/.bin/wasm-opt")).exists() {
        return Err("tools/node_modules/.bin/wasm-opt is missing after npm install".into());
    }
    Ok(())
}

/// What the tests need beyond the build: Chromium and its driver, CJK fonts (no tofu in
/// screenshots or PDFs), LibreOffice and poppler-utils (the Word and Excel exports are opened
/// and turned into PDF text), nginx and PostgreSQL (the failover test and the PostgreSQL
/// step), NSS's certutil (a browser profile that trusts the office CA, as an installed PC
/// does), and Playwright from npm (using Debian's Chromium, never its own
/// download).
pub fn ensure_test_tools() -> Result<()> {
    ensure_build_tools()?;
    ensure_apt(&[
        "chromium",
        "chromium-driver",
        "fonts-noto-cjk",
        "libreoffice-writer-nogui",
        "libreoffice-calc-nogui",
        "poppler-utils",
        "nginx",
        "postgresql",
        "libnss3-tools",
    ])?;
    ensure_npm("e2e")
}
