//! Building the app (release Wasm, cut into a shell and lazily loaded pages) and the server,
//! and `cargo xtask serve`.

use crate::run::{Result, cmd, root, status};
use crate::tools::ensure_build_tools;
use std::path::{Path, PathBuf};

/// Builds the app into `dist/`, then writes `.br` and `.gz` beside each text and Wasm file for
/// the server to send as they are.
///
/// 1. cargo builds the Wasm (profile `wasm-release`, linked with `--emit-relocs`);
/// 2. wasm-split cuts it at the `#[wasm_split]` points (`lazy_pages!` in src/shell/app.rs): a main
///    module with the shell and the login page, one module per group of pages, and chunks of
///    code two groups share, plus `__wasm_split.js` that fetches them;
/// 3. wasm-bindgen makes the main module's JS glue; wasm-opt `-Oz` shrinks every module;
/// 4. the whole set goes into `dist/app-<hash>/` (relative imports inside it stay valid; the
///    directory's name is the hash of its contents, so it can be cached forever), and
///    index.html, the hashed stylesheet and icon, `boot-<hash>.js` and the service worker are
///    written around it.
pub fn build_app() -> Result<()> {
    status(&mut cmd(
        "cargo",
        &["build", "-p", "xinbao-app", "--bin", "xinbao", "--target", "wasm32-unknown-unknown", "--profile", "wasm-release"],
    ))?;
    let target = root().join("target");
    let input = target.join("wasm32-unknown-unknown/wasm-release/xinbao.wasm");
    let stage = target.join("app-build");
    let app = stage.join("app");
    let out = stage.join("dist");
    remove_dir(&stage)?;
    std::fs::create_dir_all(&app).map_err(|e| format!("creating {}: {e}", app.display()))?;

    let wasm = std::fs::read(&input).map_err(|e| format!("reading {}: {e}", input.display()))?;
    let main_split = stage.join("xinbao_split.wasm");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&wasm);
        opts.output_dir = &app;
        opts.main_out_path = &main_split;
        opts.main_module = "./xinbao.js";
        opts.link_name = "./__wasm_split.js";
        opts
    })
    .map_err(|e| format!("splitting the Wasm: {e:#}"))?;
    println!("xtask: the Wasm is split into a shell and {} lazily loaded modules", split.split_modules.len());

    let (app_s, main_s) = (app.display().to_string(), main_split.display().to_string());
    status(&mut cmd(
        "wasm-bindgen",
        &["--target=web", "--keep-lld-exports", "--no-demangle", "--no-typescript", "--out-name=xinbao", "--out-dir", &app_s, &main_s],
    ))?;
    for module in files_under(&app, &app)?.into_iter().filter(|f| f.ends_with(".wasm")) {
        let path = app.join(&module).display().to_string();
        status(&mut cmd("wasm-opt", &["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", &path, "-o", &path]))?;
    }

    // The app directory, named by its contents.
    let mut names = files_under(&app, &app)?;
    names.sort();
    let mut hash = Fnv::new();
    for name in &names {
        hash.add(name.as_bytes());
        hash.add(&std::fs::read(app.join(name)).map_err(|e| format!("reading {name}: {e}"))?);
    }
    let app_dir = format!("app-{:016x}", hash.0);
    std::fs::create_dir_all(&out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    std::fs::rename(&app, out.join(&app_dir)).map_err(|e| format!("moving the app into {app_dir}: {e}"))?;

    // The files around it: the hashed stylesheet and icon, public/ as it is (sw.js is a template,
    // written below), the loader.
    let css = copy_hashed(&root().join("style/main.css"), &out, "main", "css")?;
    let icon = copy_hashed(&root().join("public/icon.svg"), &out, "icon", "svg")?;
    let public = root().join("public");
    for file in files_under(&public, &public)?.into_iter().filter(|f| f != "sw.js") {
        std::fs::copy(public.join(&file), out.join(&file)).map_err(|e| format!("copying public/{file}: {e}"))?;
    }
    // A browser with modules but without WebAssembly or IndexedDB gets the plain page that says
    // which browsers work (public/unsupported.js), never a spinner that turns forever.
    let boot = format!(
        "if (typeof WebAssembly === 'object' && typeof indexedDB === 'object' && indexedDB !== null) {{\n\
         \x20 const {{ default: init }} = await import('/{app_dir}/xinbao.js');\n\
         \x20 await init({{ module_or_path: '/{app_dir}/xinbao_bg.wasm' }});\n\
         }} else {{\n\
         \x20 const s = document.createElement('script');\n\
         \x20 s.src = '/unsupported.js';\n\
         \x20 document.head.append(s);\n\
         }}\n"
    );
    let boot_name = format!("boot-{:016x}.js", Fnv::of(boot.as_bytes()));
    std::fs::write(out.join(&boot_name), &boot).map_err(|e| format!("writing {boot_name}: {e}"))?;
    write_index(&out, &app_dir, &names, &css, &icon, &boot_name)?;

    let dist = root().join("dist");
    remove_dir(&dist)?;
    std::fs::rename(&out, &dist).map_err(|e| format!("moving the build into dist/: {e}"))?;
    write_service_worker(&dist)?;
    precompress(&dist)
}

/// index.html from the template at the root: the stylesheet and icon links point at the hashed
/// copies, and the loader with preloads for what the first page needs (the shell's JS, its
/// snippets and its Wasm, fetched in parallel) goes where `<!-- xinbao:app -->` stands. The
/// pages' modules are left for the service worker to fetch once the app is up.
fn write_index(out: &Path, app_dir: &str, app_files: &[String], css: &str, icon: &str, boot: &str) -> Result<()> {
    let template = std::fs::read_to_string(root().join("index.html")).map_err(|e| format!("reading index.html: {e}"))?;
    let mut app = format!("<script type=\"module\" src=\"/{boot}\"></script>\n");
    for js in app_files.iter().filter(|f| f.ends_with(".js")) {
        app.push_str(&format!("    <link rel=\"modulepreload\" href=\"/{app_dir}/{js}\" />\n"));
    }
    app.push_str(&format!(
        "    <link rel=\"preload\" href=\"/{app_dir}/xinbao_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"anonymous\" />"
    ));
    let mut html = template;
    for (from, to) in [("href=\"/style/main.css\"", format!("href=\"/{css}\"")), ("href=\"/icon.svg\"", format!("href=\"/{icon}\""))] {
        if !html.contains(from) {
            return Err(format!("index.html has no {from}"));
        }
        html = html.replacen(from, &to, 1);
    }
    if !html.contains("<!-- xinbao:app -->") {
        return Err("index.html has no <!-- xinbao:app --> marker".into());
    }
    let html = html.replacen("<!-- xinbao:app -->", &app, 1);
    std::fs::write(out.join("index.html"), html).map_err(|e| format!("writing dist/index.html: {e}"))
}

/// Copies `src` to `out/<stem>-<hash>.<ext>`; returns the new name.
fn copy_hashed(src: &Path, out: &Path, stem: &str, ext: &str) -> Result<String> {
    let data = std::fs::read(src).map_err(|e| format!("reading {}: {e}", src.display()))?;
    let name = format!("{stem}-{:016x}.{ext}", Fnv::of(&data));
    std::fs::write(out.join(&name), data).map_err(|e| format!("writing {name}: {e}"))?;
    Ok(name)
}

fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("removing {}: {e}", dir.display())),
        _ => Ok(()),
    }
}

/// FNV-1a, 64 bits: names files by their contents (not a security hash; the names only have
/// to change when the contents do).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn add(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn of(bytes: &[u8]) -> u64 {
        let mut h = Fnv::new();
        h.add(bytes);
        h.0
    }
}

/// Writes `dist/sw.js` from `public/sw.js`: the list of files to precache (everything the build
/// built) and a version that changes whenever any of them does, so browsers notice a new app.
pub fn write_service_worker(dist: &std::path::Path) -> Result<()> {
    let template = std::fs::read_to_string(root().join("public/sw.js")).map_err(|e| format!("reading public/sw.js: {e}"))?;
    let mut assets: Vec<String> = files_under(dist, dist)?
        .into_iter()
        .filter(|n| n != "sw.js" && !n.ends_with(".br") && !n.ends_with(".gz"))
        .map(|n| format!("/{n}"))
        .collect();
    assets.sort();
    // Over the names (which carry content hashes) and index.html itself.
    let mut version = Fnv::new();
    for asset in &assets {
        version.add(asset.as_bytes());
    }
    version.add(&std::fs::read(dist.join("index.html")).map_err(|e| format!("reading dist/index.html: {e}"))?);
    let version = version.0;
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
