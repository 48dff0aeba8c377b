//! `cargo xtask bench`: the numbers the README reports, measured, written to
//! docs/benchmarks.md. Timing-sensitive targets are checked here, never in tests.

use crate::build::build_all;
use crate::run::{Result, Server, cmd, root};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::Duration;

/// An office with 100,000 items in its database; its editor pages through the queue; then
/// 1,000 of its editor's pages listen for urgent items (`announcebench`).
fn queue_numbers(server_bin: &std::path::Path) -> Result<(crate::syncbench::QueueNumbers, crate::announcebench::AnnounceNumbers)> {
    let dir = bench_dir("queue");
    crate::syncbench::add_users(server_bin, &dir, 1)?;
    let root_editor = [
        "add-user",
        "--data-dir",
        &dir.display().to_string(),
        "--username",
        "bench-editor",
        "--password",
        "Chunfeng-2026",
        "--role",
        "editor",
    ]
    .map(str::to_owned);
    crate::run::output(&mut cmd(&server_bin.display().to_string(), &root_editor.iter().map(String::as_str).collect::<Vec<_>>()))
        .ok_or("add-user bench-editor failed")?;
    crate::syncbench::seed_queue(&dir, 100_000)?;
    let server = start_server(server_bin, &dir)?;
    let queue = crate::syncbench::queue_bench(server.port, 100_000)?;
    let announce = crate::announcebench::run(server.port, server.pid(), "bench-editor", "bench0", 1_000, Duration::from_secs(60))?;
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok((queue, announce))
}

fn print_announce(a: &crate::announcebench::AnnounceNumbers) {
    println!(
        "announcements, {} idle clients: server memory {:.1} → {:.1} MB; idle CPU {:.0} ms/min alone, {:.0} ms/min with them; {:.0} B/min to each; one urgent item reached all in p50 {:.0} ms, max {:.0} ms",
        a.clients,
        a.rss_before_mb,
        a.rss_after_mb,
        a.idle_cpu_ms_per_min_alone,
        a.idle_cpu_ms_per_min,
        a.idle_bytes_per_client_per_min,
        a.deliver_p50_ms,
        a.deliver_max_ms
    );
}

fn announce_rows(md: &mut String, a: &crate::announcebench::AnnounceNumbers) {
    md.push_str(&format!(
        "\n## Urgent-item announcements ({} idle editor pages on `GET /api/review/announcements`, release server, SQLite)\n\n\
         | measure | value |\n|---|---:|\n\
         | server memory (VmRSS) without listeners / with them | {:.1} MB / {:.1} MB ({:.1} KB a listener) |\n\
         | server CPU over an idle minute, alone / with them | {:.0} ms / {:.0} ms |\n\
         | bytes each listener receives in an idle minute (keep-alive comments) | {:.0} B |\n\
         | one urgent item pushed → heard by every listener, p50 / max | {:.0} ms / {:.0} ms |\n",
        a.clients,
        a.rss_before_mb,
        a.rss_after_mb,
        (a.rss_after_mb - a.rss_before_mb) * 1024.0 / a.clients as f64,
        a.idle_cpu_ms_per_min_alone,
        a.idle_cpu_ms_per_min,
        a.idle_bytes_per_client_per_min,
        a.deliver_p50_ms,
        a.deliver_max_ms
    ));
}

fn bench_dir(name: &str) -> std::path::PathBuf {
    let data = std::env::temp_dir().join(format!("xinbao-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    data
}

fn start_server(bin: &std::path::Path, data: &std::path::Path) -> Result<Server> {
    start_server_with(bin, &["--data-dir".to_owned(), data.display().to_string()])
}

/// Starts the release server with `storage` arguments (`--data-dir …`, `--database-url …`).
fn start_server_with(bin: &std::path::Path, storage: &[String]) -> Result<Server> {
    let mut args = storage.to_vec();
    args.extend(["--static-dir".to_owned(), root().join("dist").display().to_string()]);
    Server::start(bin, &args, Stdio::null())
}

/// GETs `path` with `Accept-Encoding: br, gzip` and returns (status, content-encoding, body bytes).
fn get_compressed(port: u16, path: &str) -> Result<(u16, String, usize)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: br, gzip\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no header end")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let header = |name: &str| {
        head.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned()))
    };
    let encoding = header("content-encoding").unwrap_or_else(|| "identity".into());
    let mut body = raw[split + 4..].to_vec();
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body);
    }
    Ok((status, encoding, body.len()))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 || data.len() < eol + 2 + size {
            break;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[(eol + 4 + size).min(data.len())..];
    }
    out
}

/// The first-load transfer: index.html and every asset it references, as served.
fn first_load(port: u16) -> Result<Vec<(String, String, usize, u64)>> {
    let dist = root().join("dist");
    let mut rows = Vec::new();
    let mut files: Vec<String> = vec!["/".into()];
    files.extend(shell_files(&dist)?);
    for path in files {
        let raw = if path == "/" { std::fs::metadata(dist.join("index.html")) } else { std::fs::metadata(dist.join(&path[1..])) }
            .map(|m| m.len())
            .unwrap_or(0);
        let (status, enc, bytes) = get_compressed(port, &path)?;
        if status != 200 {
            return Err(format!("GET {path} answered {status}"));
        }
        rows.push((path, enc, bytes, raw));
    }
    Ok(rows)
}

/// The app shell: the scripts, styles and Wasm that index.html loads (`src`, `href`), which is
/// everything the login page needs. The pages split off it (`lazy_pages!`) are not in it.
fn shell_files(dist: &std::path::Path) -> Result<Vec<String>> {
    let html = std::fs::read_to_string(dist.join("index.html")).map_err(|e| format!("reading dist/index.html: {e}"))?;
    let mut files = Vec::new();
    for attr in ["src=\"/", "href=\"/"] {
        for (at, _) in html.match_indices(attr) {
            let rest = &html[at + attr.len() - 1..];
            let path = rest.split('"').next().unwrap_or_default();
            if [".wasm", ".js", ".css"].iter().any(|ext| path.ends_with(ext)) && !files.iter().any(|f| f == path) {
                files.push(path.to_owned());
            }
        }
    }
    Ok(files)
}

/// The Wasm modules split off the shell (`shell`: the paths `first_load` fetched), each loaded
/// when one of its pages is first opened (and precached by the service worker): (name, brotli
/// bytes, bytes on disk).
fn lazy_modules(dist: &std::path::Path, shell: &[&str]) -> Result<Vec<(String, u64, u64)>> {
    let mut out = Vec::new();
    for name in crate::build::files_under(dist, dist)? {
        if !name.ends_with(".wasm") || shell.iter().any(|s| s[1..] == name) {
            continue;
        }
        let size = |n: &str| std::fs::metadata(dist.join(n)).map(|m| m.len()).unwrap_or(0);
        out.push((name.clone(), size(&format!("{name}.br")), size(&name)));
    }
    out.sort_by_key(|m| std::cmp::Reverse(m.1));
    Ok(out)
}

/// The year's rankings: a seeded county year on SQLite and, with `province`, a seeded province
/// on SQLite and on a throwaway PostgreSQL cluster.
fn rank_numbers(server_bin: &std::path::Path, province: bool) -> Result<Vec<crate::scorebench::RankNumbers>> {
    use crate::scorebench::{Target, seed, serve_args, time_rankings};
    let mut out = Vec::new();
    let dir = bench_dir("year");
    let target = Target { data_dir: &dir, database_url: None };
    let seconds = seed(server_bin, &target, "year")?;
    let server = start_server_with(server_bin, &serve_args(&target))?;
    out.push(time_rankings(server.port, "seed6-editor", "county year (12,000 items, 3,000 adoptions), SQLite", 12_000, seconds, 30)?);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    if !province {
        return Ok(out);
    }
    let label = "province (1,000,000 items, 200,000 adoptions)";
    let dir = bench_dir("province");
    let target = Target { data_dir: &dir, database_url: None };
    let seconds = seed(server_bin, &target, "province")?;
    let server = start_server_with(server_bin, &serve_args(&target))?;
    out.push(time_rankings(server.port, "seed9-editor", &format!("{label}, SQLite"), 1_000_000, seconds, 10)?);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let cluster = crate::pg::Cluster::start()?;
    let url = cluster.database("xinbao_bench")?;
    let dir = bench_dir("province-pg");
    let target = Target { data_dir: &dir, database_url: Some(url.clone()) };
    let seconds = seed(server_bin, &target, "province")?;
    crate::scorebench::settle_postgres(&url)?;
    let server = start_server_with(server_bin, &serve_args(&target))?;
    out.push(time_rankings(server.port, "seed9-editor", &format!("{label}, PostgreSQL"), 1_000_000, seconds, 10)?);
    drop(server);
    drop(cluster);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(out)
}

/// 2,000 seeded officers (issue 9), 250 at a time, each logging in, pulling, pushing 5 items and
/// pulling again: against one server on SQLite, then two on PostgreSQL behind nginx.
fn load_numbers(server_bin: &std::path::Path) -> Result<Vec<crate::fleet::LoadNumbers>> {
    use crate::fleet::{Pair, load, seed_officers};
    const OFFICERS: usize = 2_000;
    const AT_ONCE: usize = 250;
    let deadline = Duration::from_secs(300);
    let mut out = Vec::new();
    let dir = bench_dir("officers");
    seed_officers(server_bin, &dir, None)?;
    let server = start_server(server_bin, &dir)?;
    out.push(load(server.port, "one server, SQLite", OFFICERS, AT_ONCE, deadline)?);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let cluster = crate::pg::Cluster::start()?;
    let url = cluster.database("xinbao_load")?;
    let dir = bench_dir("officers-pg");
    seed_officers(server_bin, &dir, Some(&url))?;
    let pair = Pair::start(server_bin, &url, "load")?;
    out.push(load(pair.nginx.port, "two servers behind nginx, PostgreSQL", OFFICERS, AT_ONCE, deadline)?);
    drop(pair);
    drop(cluster);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(out)
}

fn print_load(runs: &[crate::fleet::LoadNumbers]) {
    for r in runs {
        println!(
            "{}: {} officers ({} at once) in {:.1} s, {} errors{}, {} requests, {} retried",
            r.label,
            r.officers,
            r.concurrency,
            r.total_s,
            r.errors,
            r.first_error.as_ref().map(|e| format!(" (first: {e})")).unwrap_or_default(),
            r.requests,
            r.retries
        );
        for (step, p50, p99) in &r.steps {
            println!("  {step}: p50 {p50:.1} ms, p99 {p99:.1} ms");
        }
    }
}

fn load_rows(md: &mut String, runs: &[crate::fleet::LoadNumbers]) {
    md.push_str(
        "\n## Load (simulated officers over loopback HTTP, release server)\n\nEach officer logs in, pulls everything, pushes 5 submitted items in one batch and pulls again \
         (which must bring the 5 back). Target: zero errors.\n\n| setup | officers (at once) | errors | requests (retried) | all done in | step | p50 | p99 |\n|---|---:|---:|---:|---:|---|---:|---:|\n",
    );
    for r in runs {
        for (i, (step, p50, p99)) in r.steps.iter().enumerate() {
            let head = if i == 0 {
                format!(
                    "| {} | {} ({}) | {} | {} ({}) | {:.1} s ",
                    r.label, r.officers, r.concurrency, r.errors, r.requests, r.retries, r.total_s
                )
            } else {
                "| | | | | ".to_owned()
            };
            md.push_str(&format!("{head}| {step} | {p50:.0} ms | {p99:.0} ms |\n"));
        }
    }
}

fn rank_rows(md: &mut String, ranks: &[crate::scorebench::RankNumbers]) {
    md.push_str("\n## Rankings (seeded offices, release server, timed over loopback HTTP)\n\n| office | measure | p50 | p95 | target | ratio (p95) |\n|---|---|---:|---:|---:|---:|\n");
    for r in ranks {
        let target = if r.items > 100_000 { 1000.0 } else { 100.0 };
        for (what, p50, p95) in &r.timings {
            md.push_str(&format!("| {} | {what} | {p50:.1} ms | {p95:.1} ms | ≤ {target:.0} ms | {:.2} |\n", r.label, p95 / target));
        }
        md.push_str(&format!("| {} | seeding it (`xinbao-server seed`) | {:.1} s | | – | – |\n", r.label, r.seed_s));
    }
}

fn print_ranks(ranks: &[crate::scorebench::RankNumbers]) {
    for r in ranks {
        for (what, p50, p95) in &r.timings {
            println!("{}: {what}: p50 {p50:.1} ms, p95 {p95:.1} ms", r.label);
        }
        println!("{}: seeded in {:.1} s", r.label, r.seed_s);
    }
}

/// One benchmark's name and its measured values.
type Bench = (String, Vec<(String, f64)>);

/// Runs the browser benchmarks (tests/bench_browser.rs, feature `bench`) in headless Chromium
/// and returns their `BENCH name key=value…` lines as (name, [(key, value)]).
fn browser_benches() -> Result<Vec<Bench>> {
    let mut c = cmd(
        "cargo",
        &[
            "test",
            "-p",
            "xinbao-app",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            "bench",
            "--test",
            "bench_browser",
            "--profile",
            "wasm-release",
            "--",
            "--nocapture",
        ],
    );
    c.env("CHROMEDRIVER", "/usr/bin/chromedriver");
    bench_lines_of(&mut c, "browser benchmarks")
}

/// Runs a benchmark command and collects its `BENCH` lines; a failed run is an error with its
/// output.
fn bench_lines_of(c: &mut std::process::Command, what: &str) -> Result<Vec<Bench>> {
    let out = c.output().map_err(|e| format!("running the {what}: {e}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err(format!("{what} failed:\n{text}"));
    }
    Ok(parse_bench_lines(&text))
}

fn parse_bench_lines(text: &str) -> Vec<Bench> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("BENCH "))
        .filter_map(|rest| {
            let mut words = rest.split_whitespace();
            let name = words.next()?.to_owned();
            let values = words.filter_map(|kv| kv.split_once('=')).filter_map(|(k, v)| Some((k.to_owned(), v.parse().ok()?))).collect();
            Some((name, values))
        })
        .collect()
}

fn value(benches: &[Bench], name: &str, key: &str) -> Option<f64> {
    benches.iter().find(|(n, _)| n == name)?.1.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}

/// The officer's desk in headless Chromium against the real server (e2e/bench): keystroke to
/// durable, desk with 5,000 drafts, search over them.
fn desk_benches(server_bin: &std::path::Path) -> Result<Vec<Bench>> {
    let mut c = cmd("npx", &["playwright", "test", "--config", "bench.config.ts"]);
    c.current_dir(root().join("e2e"))
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("XINBAO_SERVER_BIN", server_bin)
        .env("XINBAO_DIST", root().join("dist"))
        .env("XINBAO_CHROMIUM_ARGS", crate::test::CHROMIUM_ARGS.join(" "));
    bench_lines_of(&mut c, "desk benchmarks")
}

/// First load on a rural line (e2e/bench/firstload.bench.ts): throttled through the DevTools
/// protocol, navigation to an interactive login page, cold for `/`, a deep link and `/login`,
/// and with the service worker warm.
fn first_load_rows(md: &mut String, benches: &[Bench]) {
    md.push_str(
        "\n## First load on a rural line (headless Chromium, 400 kbit/s down, 200 kbit/s up, 400 ms round trip)\n\n\
         From navigation to the login page drawn by the app (interactive). The line's own time is the bytes at 400 kbit/s plus \
         the round trips no client avoids (cold: connection, page, its scripts and styles together, the session check = 4; \
         warm: one per request that still crosses the line). Target: within 1.5× the line's own time.\n\n\
         | load | time | bytes over the network (requests) | the line's own time | ratio to target | target |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for (name, label) in [
        ("first_load_cold_root", "cold, `/` (what people bookmark)"),
        ("first_load_cold_deep_link", "cold, a deep link (`/review/…`)"),
        ("first_load_cold_login", "cold, `/login`"),
        ("first_load_warm", "warm (service worker installed after a login)"),
    ] {
        let (Some(ms), Some(bytes), Some(requests), Some(ideal)) =
            (value(benches, name, "ms"), value(benches, name, "bytes"), value(benches, name, "requests"), value(benches, name, "ideal_ms"))
        else {
            continue;
        };
        let ratio = if ideal > 0.0 { format!("{:.2}", ms / ideal / 1.5) } else { "– (nothing crosses the line)".to_owned() };
        md.push_str(&format!("| {label} | {ms:.0} ms | {bytes:.0} B ({requests:.0}) | {ideal:.0} ms | {ratio} | ≤ 1.5× |\n"));
    }
}

fn timing_rows(md: &mut String, benches: &[Bench], rows: &[(&str, &str, f64)]) {
    for (name, label, target) in rows {
        for key in ["p50_ms", "p95_ms"] {
            if let Some(v) = value(benches, name, key) {
                md.push_str(&format!("| {label}, {} | {v:.1} ms | ≤ {target} ms | {:.2} |\n", &key[..3], v / target));
            }
        }
    }
}

/// A part of the benchmarks run alone (its numbers printed, docs/benchmarks.md left as it is).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// Push and ingest over loopback.
    Sync,
    /// The review queue over 100,000 items.
    Queue,
    /// 2,000 simulated officers against one SQLite server and two PostgreSQL servers.
    Load,
    /// The year's rankings over a seeded county and province.
    Scores,
}

pub fn run(part: Option<Part>, county_only: bool) -> Result<()> {
    let server_bin = build_all(true)?;
    if part == Some(Part::Queue) {
        let (q, a) = queue_numbers(&server_bin)?;
        print_announce(&a);
        println!(
            "queue of {} items: state+type page p50 {:.1} ms p95 {:.1} ms; text page p50 {:.1} ms p95 {:.1} ms; first pull page p50 {:.1} ms p95 {:.1} ms",
            q.items,
            q.state_page_p50_ms,
            q.state_page_p95_ms,
            q.text_page_p50_ms,
            q.text_page_p95_ms,
            q.first_pull_p50_ms,
            q.first_pull_p95_ms
        );
        return Ok(());
    }
    if part == Some(Part::Scores) {
        print_ranks(&rank_numbers(&server_bin, !county_only)?);
        return Ok(());
    }
    if part == Some(Part::Load) {
        let runs = load_numbers(&server_bin)?;
        print_load(&runs);
        return if runs.iter().all(|r| r.errors == 0) { Ok(()) } else { Err("the load run had errors".into()) };
    }
    if part == Some(Part::Sync) {
        // Only the sync numbers, printed (docs/benchmarks.md is written by a full run).
        let sync_dir = bench_dir("sync");
        crate::syncbench::add_users(&server_bin, &sync_dir, 50)?;
        let server = start_server(&server_bin, &sync_dir)?;
        let n = crate::syncbench::run(server.port, &sync_dir, 50)?;
        drop(server);
        let pouch = crate::peerbench::run(&bench_dir("pouchdb"))?;
        println!(
            "push 1000: {:.0} ms, sent {} B ({} B br), received {} B br; raw insert {:.0} ms (ratio {:.2}); PouchDB peer {:.0} ms (Xinbao's time / PouchDB's {:.2}); {} clients: {} errors, p50 {:.0} ms, p99 {:.0} ms, total {:.0} ms",
            n.push_1000_ms,
            n.push_1000_request_bytes,
            n.push_1000_request_br_bytes,
            n.push_1000_response_bytes,
            n.raw_insert_ms,
            n.raw_insert_ms / n.push_1000_ms,
            pouch,
            n.push_1000_ms / pouch,
            n.concurrent_clients,
            n.concurrent_errors,
            n.concurrent_p50_ms,
            n.concurrent_p99_ms,
            n.concurrent_total_ms
        );
        return Ok(());
    }
    crate::tools::ensure_test_tools()?;
    let server = start_server(&server_bin, &bench_dir("load"))?;
    let rows = first_load(server.port)?;
    drop(server);
    let sync_dir = bench_dir("sync");
    crate::syncbench::add_users(&server_bin, &sync_dir, 50)?;
    let server = start_server(&server_bin, &sync_dir)?;
    let sync = crate::syncbench::run(server.port, &sync_dir, 50)?;
    drop(server);
    let pouch_ms = crate::peerbench::run(&bench_dir("pouchdb"))?;
    let (queue, announce) = queue_numbers(&server_bin)?;
    let ranks = rank_numbers(&server_bin, true)?;
    let loads = load_numbers(&server_bin)?;
    let browser = browser_benches()?;
    let desk = desk_benches(&server_bin)?;
    let total: usize = rows.iter().map(|r| r.2).sum();
    let raw_total: u64 = rows.iter().map(|r| r.3).sum();
    let mut md = String::new();
    md.push_str("# Benchmarks\n\nWritten by `cargo xtask bench`; do not edit by hand.\n\n");
    let machine = crate::run::output(&mut cmd("uname", &["-srm"])).unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let date = crate::run::output(&mut cmd("date", &["-u", "+%Y-%m-%d %H:%M UTC"])).unwrap_or_default();
    md.push_str(&format!("Machine: {} ({} cores) · {} · `cargo xtask bench`\n\n", machine.trim(), cores, date.trim()));
    md.push_str(
        "## First load (app shell, compressed as served)\n\n| file | encoding | bytes on the wire | bytes on disk |\n|---|---|---:|---:|\n",
    );
    for (path, enc, bytes, raw) in &rows {
        md.push_str(&format!("| `{path}` | {enc} | {bytes} | {raw} |\n"));
    }
    md.push_str(&format!(
        "| **total** | | **{total}** ({:.1} KB) | {raw_total} |\n\nTarget (issue 9): compressed app shell under 300 KB — ratio {:.2} of target.\n",
        total as f64 / 1024.0,
        total as f64 / (300.0 * 1024.0)
    ));
    let shell: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let lazy = lazy_modules(&root().join("dist"), &shell)?;
    let (lazy_br, lazy_raw): (u64, u64) = lazy.iter().fold((0, 0), |(b, r), m| (b + m.1, r + m.2));
    md.push_str(&format!(
        "\nSplit off the shell, loaded when a page is first opened and precached by the service worker: {} Wasm modules, \
         {:.1} KB brotli ({:.1} KB on disk). The largest:\n\n| module | brotli | on disk |\n|---|---:|---:|\n",
        lazy.len(),
        lazy_br as f64 / 1024.0,
        lazy_raw as f64 / 1024.0
    ));
    for (name, br, raw) in lazy.iter().take(6) {
        md.push_str(&format!("| `{name}` | {br} | {raw} |\n"));
    }
    first_load_rows(&mut md, &desk);
    md.push_str("\n## Writing checks in the browser (headless Chromium, release Wasm)\n\n| measure | value | target | ratio |\n|---|---:|---:|---:|\n");
    for (key, label) in [("p50_ms", "p50"), ("p95_ms", "p95"), ("max_ms", "max"), ("first_ms", "first call (parses the rules)")] {
        if let Some(v) = value(&browser, "quality_check_1500", key) {
            let timed = matches!(key, "p50_ms" | "p95_ms");
            let target = if timed { String::from("≤ 5 ms") } else { String::from("–") };
            let ratio = if timed { format!("{:.2}", v / 5.0) } else { String::from("–") };
            md.push_str(&format!(
                "| checks on a 1,500-character body, the duplicate check on against 200 items, {label} | {v:.2} ms | {target} | {ratio} |\n"
            ));
        }
    }
    md.push_str("\n## The officer's desk (headless Chromium, release build, real server)\n\n| measure | value | target | ratio |\n|---|---:|---:|---:|\n");
    timing_rows(
        &mut md,
        &desk,
        &[
            ("keystroke_to_durable", "last keystroke to committed in IndexedDB (400 ms debounce included)", 1200.0),
            ("desk_open_5000", "desk with 5,000 drafts, back from the editor, click to painted", 300.0),
            (
                "desk_first_open_5000",
                "desk with 5,000 drafts, first open: page load to the newest page painted (app start included)",
                300.0,
            ),
            ("search_5000", "search over 5,000 drafts, after the 150 ms typing pause", 100.0),
        ],
    );
    if let (Some(ms), Some(max), Some(bytes)) = (
        value(&desk, "editor_first_queue_page", "ms"),
        value(&desk, "editor_first_queue_page", "max_ms"),
        value(&desk, "editor_first_queue_page", "bytes"),
    ) {
        md.push_str(&format!(
            "| a new editor PC on a county's year (12,000 items): login pressed to the desk's first page drawn, median / max of 3 | {ms:.0} / {max:.0} ms | ≤ 2,000 ms | {:.2} |\n\
             | …bytes over the network in between (the desk's module, the session, the pull's start, the page) | {:.0} KB | ≤ 200 KB | {:.2} |\n",
            ms / 2000.0,
            bytes / 1024.0,
            bytes / (200.0 * 1024.0)
        ));
    }
    md.push_str("\n## Sync (release server, SQLite in WAL with synchronous=FULL, loopback)\n\n| measure | value | target | ratio |\n|---|---:|---:|---:|\n");
    md.push_str(&format!(
        "| push 1,000 drafts from one client (5 batches of 200), total | {:.0} ms ({:.0} drafts/s) | – | – |\n",
        sync.push_1000_ms,
        1000.0 / (sync.push_1000_ms / 1000.0)
    ));
    md.push_str(&format!(
        "| bytes sent (JSON, as browsers send it) / if brotli-compressed | {} / {} | – | – |\n| bytes received (brotli, as served) | {} | – | – |\n",
        sync.push_1000_request_bytes, sync.push_1000_request_br_bytes, sync.push_1000_response_bytes
    ));
    let ratio = sync.raw_insert_ms / sync.push_1000_ms;
    md.push_str(&format!(
        "| ingest rate vs a raw SQLite insert of the same 1,000 rows in one transaction ({:.0} ms) | {ratio:.2} | ≥ 0.5 | {:.2} |\n",
        sync.raw_insert_ms,
        0.5 / ratio.max(f64::MIN_POSITIVE)
    ));
    md.push_str(&format!(
        "| the same 1,000 drafts to a PouchDB server (express-pouchdb on LevelDB, 5 `_bulk_docs` of 200; LevelDB does not fsync each batch, Xinbao commits each push durably) | {pouch_ms:.0} ms — Xinbao's time / PouchDB's: {:.2} | ≤ 1 | {:.2} |\n",
        sync.push_1000_ms / pouch_ms,
        sync.push_1000_ms / pouch_ms
    ));
    md.push_str(&format!(
        "| {} clients at once, 10 items each: errors | {} | 0 | – |\n| …latency p50 / p99 | {:.0} ms / {:.0} ms | – | – |\n| …all done in | {:.0} ms | – | – |\n",
        sync.concurrent_clients, sync.concurrent_errors, sync.concurrent_p50_ms, sync.concurrent_p99_ms, sync.concurrent_total_ms
    ));
    md.push_str(&format!(
        "\n## Review queue ({} items in the office's database, release server, SQLite)\n\n| measure | value | target | ratio |\n|---|---:|---:|---:|\n",
        queue.items
    ));
    for (label, p50, p95) in [
        ("filtered page (state + type, 50 rows at offset 500)", queue.state_page_p50_ms, queue.state_page_p95_ms),
        ("filtered page with a search (title, text and unit name)", queue.text_page_p50_ms, queue.text_page_p95_ms),
        ("a new editor device's first pull page (200 items, cursor 0)", queue.first_pull_p50_ms, queue.first_pull_p95_ms),
    ] {
        md.push_str(&format!(
            "| {label}, p50 | {p50:.1} ms | ≤ 50 ms | {:.2} |\n| {label}, p95 | {p95:.1} ms | ≤ 50 ms | {:.2} |\n",
            p50 / 50.0,
            p95 / 50.0
        ));
    }
    announce_rows(&mut md, &announce);
    rank_rows(&mut md, &ranks);
    load_rows(&mut md, &loads);
    let out = root().join("docs/benchmarks.md");
    std::fs::write(&out, &md).map_err(|e| format!("writing {}: {e}", out.display()))?;
    println!("{md}");
    println!("written to {}", out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_lines_are_parsed_and_other_output_ignored() {
        let text = "running 1 test\nBENCH quality_check_1500 runs=200 p50_ms=1.585 p95_ms=2.395\ntest result: ok.";
        let b = parse_bench_lines(text);
        assert_eq!(b.len(), 1);
        assert_eq!(value(&b, "quality_check_1500", "p95_ms"), Some(2.395));
        assert_eq!(value(&b, "quality_check_1500", "nope"), None);
    }
}
