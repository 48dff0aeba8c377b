//! `cargo xtask test`: install what the tests need, then run every check and test — format,
//! lints, core and server tests, browser tests in headless Chromium, end-to-end tests against
//! the real server — and end with one line `N passed, N failed`.

use crate::build::{build_app, build_server};
use crate::run::{Result, cmd, root};
use crate::tools::ensure_test_tools;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Chromium flags that keep a headless browser quiet on a closed network.
pub const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

#[derive(Default)]
struct Outcome {
    passed: u64,
    failed: u64,
}

/// Runs `c`, echoing its output live, and returns (success, every line it printed).
fn run_capture(c: &mut Command) -> (bool, Vec<String>) {
    println!("$ {:?}", c);
    let child = c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(ch) => ch,
        Err(e) => return (false, vec![format!("cannot start: {e}")]),
    };
    let lines = Arc::new(Mutex::new(Vec::new()));
    let pump = |src: Option<Box<dyn Read + Send>>, to_err: bool, lines: Arc<Mutex<Vec<String>>>| {
        std::thread::spawn(move || {
            let Some(src) = src else { return };
            for line in BufReader::new(src).lines().map_while(std::result::Result::ok) {
                if to_err {
                    eprintln!("{line}");
                } else {
                    println!("{line}");
                }
                if let Ok(mut l) = lines.lock() {
                    l.push(line);
                }
            }
        })
    };
    let out = pump(child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>), false, lines.clone());
    let err = pump(child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>), true, lines.clone());
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    let _ = out.join();
    let _ = err.join();
    let _ = std::io::stdout().flush();
    let collected = lines.lock().map(|l| l.clone()).unwrap_or_default();
    (ok, collected)
}

/// The number written just before `word` in `line` ("23 passed" → 23).
fn count_before(line: &str, word: &str) -> Option<u64> {
    let idx = line.find(word)?;
    line[..idx].trim_end().rsplit(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// nextest: "Summary [ 1.2s] 23 tests run: 21 passed, 2 failed, 0 skipped".
fn parse_nextest(lines: &[String]) -> Option<Outcome> {
    let line = lines.iter().rev().find(|l| l.contains("tests run:") || l.contains("test run:"))?;
    let failed = count_before(line, " failed").unwrap_or(0) + count_before(line, " timed out").unwrap_or(0);
    Some(Outcome { passed: count_before(line, " passed").unwrap_or(0), failed })
}

/// libtest (wasm-bindgen-test-runner prints the same): "test result: ok. 5 passed; 0 failed; …".
fn parse_libtest(lines: &[String]) -> Option<Outcome> {
    let results: Vec<&String> = lines.iter().filter(|l| l.contains("test result:")).collect();
    if results.is_empty() {
        return None;
    }
    let mut o = Outcome::default();
    for l in results {
        o.passed += count_before(l, " passed").unwrap_or(0);
        o.failed += count_before(l, " failed").unwrap_or(0);
    }
    Some(o)
}

/// Playwright's JSON report: stats.expected / unexpected / flaky.
fn parse_playwright(report: &std::path::Path) -> Option<Outcome> {
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(report).ok()?).ok()?;
    let stats = json.get("stats")?;
    let n = |k: &str| stats.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    Some(Outcome { passed: n("expected") + n("flaky"), failed: n("unexpected") })
}

struct Ran {
    name: &'static str,
    outcome: Outcome,
    ok: bool,
    seconds: f64,
}

/// Folds a command's result into an outcome: parsed counts when there are any, else the exit
/// status as one check.
fn outcome(ok: bool, parsed: Option<Outcome>) -> Outcome {
    match parsed {
        Some(mut o) => {
            if !ok && o.failed == 0 {
                o.failed = 1; // it failed outside any test (build error, crash)
            }
            o
        }
        None if ok => Outcome { passed: 1, failed: 0 },
        None => Outcome { passed: 0, failed: 1 },
    }
}

/// The steps of `cargo xtask test`, in the order they run; `--skip` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Step {
    /// The module graph: no import cycles, no reaching back up.
    Modules,
    /// `cargo fmt --check`.
    Fmt,
    /// clippy, native and wasm, `-D warnings`.
    Clippy,
    /// Core, server and xtask tests on SQLite.
    Unit,
    /// The server tests on a throwaway PostgreSQL.
    Pg,
    /// The app's tests in headless Chromium (wasm-bindgen-test).
    Wasm,
    /// The cargo-fuzz targets, 20 s each.
    Fuzz,
    /// schemathesis against the live server's OpenAPI document.
    Api,
    /// Two servers on one PostgreSQL behind nginx, one killed, one stopped.
    Failover,
    /// Playwright end to end against the real server.
    E2e,
}

pub fn run(skip: &[Step]) -> Result<()> {
    let wants = |step: Step| !skip.contains(&step);
    let started = Instant::now();
    ensure_test_tools()?;
    let mut steps: Vec<Ran> = Vec::new();
    let mut record = |name: &'static str, t: Instant, ok: bool, outcome: Outcome| {
        steps.push(Ran { name, outcome, ok, seconds: t.elapsed().as_secs_f64() });
    };

    if wants(Step::Modules) {
        let t = Instant::now();
        match crate::modgraph::check_workspace(&root()) {
            Ok(findings) => {
                for f in &findings {
                    eprintln!("{f}");
                }
                let ok = findings.is_empty();
                record("module graph (no cycles, no reaching up)", t, ok, outcome(ok, None));
            }
            Err(e) => {
                eprintln!("xtask: the module graph could not be read: {e}");
                record("module graph (no cycles, no reaching up)", t, false, Outcome { passed: 0, failed: 1 });
            }
        }
    }
    if wants(Step::Fmt) {
        let t = Instant::now();
        let (ok, _) = run_capture(&mut cmd("cargo", &["fmt", "--all", "--check"]));
        record("fmt", t, ok, outcome(ok, None));
    }
    if wants(Step::Clippy) {
        let t = Instant::now();
        let (ok, _) = run_capture(&mut cmd(
            "cargo",
            &["clippy", "-p", "xinbao-core", "-p", "xinbao-server", "-p", "xtask", "--all-targets", "--", "-D", "warnings"],
        ));
        record("clippy (native)", t, ok, outcome(ok, None));
        let t = Instant::now();
        let (ok, _) = run_capture(&mut cmd(
            "cargo",
            &["clippy", "-p", "xinbao-app", "--target", "wasm32-unknown-unknown", "--all-targets", "--", "-D", "warnings"],
        ));
        record("clippy (wasm)", t, ok, outcome(ok, None));
    }
    if wants(Step::Unit) {
        let t = Instant::now();
        let (ok, lines) = run_capture(&mut cmd(
            "cargo",
            &["nextest", "run", "-p", "xinbao-core", "-p", "xinbao-server", "-p", "xtask", "--no-fail-fast", "--color", "never"],
        ));
        record("core + server tests (SQLite)", t, ok, outcome(ok, parse_nextest(&lines)));
    }
    if wants(Step::Pg) {
        let t = Instant::now();
        match crate::pg::Cluster::start() {
            Err(e) => {
                eprintln!("xtask: PostgreSQL could not be started: {e}");
                record("server tests (PostgreSQL)", t, false, Outcome { passed: 0, failed: 1 });
            }
            Ok(cluster) => {
                let (ok, lines) = run_capture(
                    cmd("cargo", &["nextest", "run", "-p", "xinbao-server", "--no-fail-fast", "--color", "never"])
                        .env("XINBAO_TEST_PG", cluster.admin_url()),
                );
                drop(cluster);
                record("server tests (PostgreSQL)", t, ok, outcome(ok, parse_nextest(&lines)));
            }
        }
    }
    if wants(Step::Wasm) {
        let t = Instant::now();
        let (ok, lines) = run_capture(
            cmd("cargo", &["test", "-p", "xinbao-app", "--target", "wasm32-unknown-unknown", "--no-fail-fast"])
                .env("CHROMEDRIVER", "/usr/bin/chromedriver")
                .env("WASM_BINDGEN_TEST_TIMEOUT", "60")
                .env("NO_COLOR", "1"),
        );
        record("browser tests (wasm-bindgen-test)", t, ok, outcome(ok, parse_libtest(&lines)));
    }
    if wants(Step::Fuzz) {
        let t = Instant::now();
        let seconds = 20;
        match crate::fuzz::fuzz(crate::fuzz::TARGETS, seconds, false) {
            Ok(failed) => {
                let n = crate::fuzz::TARGETS.len() as u64;
                let o = Outcome { passed: n - failed.len() as u64, failed: failed.len() as u64 };
                record("fuzzing (cargo-fuzz, 20 s per target)", t, failed.is_empty(), o);
            }
            Err(e) => {
                eprintln!("xtask: fuzzing could not run: {e}");
                record("fuzzing (cargo-fuzz, 20 s per target)", t, false, Outcome { passed: 0, failed: 1 });
            }
        }
    }
    if wants(Step::Api) {
        let t = Instant::now();
        match build_server(false).and_then(|server| crate::apifuzz::run(&server)) {
            Ok((passed, failed)) => record("API fuzzing (schemathesis)", t, failed == 0, Outcome { passed, failed }),
            Err(e) => {
                eprintln!("xtask: schemathesis could not run: {e}");
                record("API fuzzing (schemathesis)", t, false, Outcome { passed: 0, failed: 1 });
            }
        }
    }
    if wants(Step::Failover) {
        let t = Instant::now();
        match build_server(false).and_then(|server| crate::failover::failover(&server)) {
            Ok(r) => {
                println!(
                    "failover: {} officers, {} items each submitted and reviewed exactly once; {} requests, {} retried; pushes served after restart: {} and {}; {:.1} s",
                    r.officers, r.items, r.requests, r.retries, r.pushes_served[0], r.pushes_served[1], r.seconds
                );
                for (cause, n) in &r.causes {
                    println!("failover: retried {n}× after {cause}");
                }
                println!("failover: an urgent item heard on {} announcement streams (each server, and through nginx)", r.announced);
                record("failover (2 servers, PostgreSQL, nginx)", t, true, Outcome { passed: 1, failed: 0 });
            }
            Err(e) => {
                eprintln!("xtask: the failover test failed: {e}");
                record("failover (2 servers, PostgreSQL, nginx)", t, false, Outcome { passed: 0, failed: 1 });
            }
        }
    }
    if wants(Step::E2e) {
        let t = Instant::now();
        let built = build_app().and_then(|_| build_server(false));
        match built {
            Err(e) => {
                eprintln!("xtask: build for end-to-end tests failed: {e}");
                record("end-to-end (Playwright)", t, false, Outcome { passed: 0, failed: 1 });
            }
            Ok(server) => {
                let report = root().join("target/e2e-report.json");
                let _ = std::fs::remove_file(&report);
                let (ok, _) = run_capture(
                    cmd("npx", &["playwright", "test", "--reporter=list,json"])
                        .current_dir(root().join("e2e"))
                        .env("PLAYWRIGHT_JSON_OUTPUT_NAME", &report)
                        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
                        .env("XINBAO_SERVER_BIN", &server)
                        .env("XINBAO_DIST", root().join("dist"))
                        .env("XINBAO_CHROMIUM_ARGS", CHROMIUM_ARGS.join(" ")),
                );
                record("end-to-end (Playwright)", t, ok, outcome(ok, parse_playwright(&report)));
            }
        }
    }

    println!("\n── summary ─────────────────────────────────────────────");
    let (mut passed, mut failed) = (0, 0);
    for s in &steps {
        println!(
            "  {:<4} {:<36} {:>4} passed {:>3} failed  {:>6.1}s",
            if s.ok { "ok" } else { "FAIL" },
            s.name,
            s.outcome.passed,
            s.outcome.failed,
            s.seconds
        );
        passed += s.outcome.passed;
        failed += s.outcome.failed;
    }
    println!("  total {:.0}s", started.elapsed().as_secs_f64());
    println!("{passed} passed, {failed} failed");
    if failed == 0 && steps.iter().all(|s| s.ok) { Ok(()) } else { Err(format!("{failed} failed")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nextest_summaries_are_counted() {
        let lines = vec!["     Summary [   1.234s] 23 tests run: 21 passed, 2 failed, 0 skipped".to_owned()];
        let o = parse_nextest(&lines).unwrap_or_default();
        assert_eq!((o.passed, o.failed), (21, 2));
        let one = vec!["     Summary [   0.100s] 1 test run: 1 passed, 0 skipped".to_owned()];
        let o = parse_nextest(&one).unwrap_or_default();
        assert_eq!((o.passed, o.failed), (1, 0));
    }

    #[test]
    fn libtest_results_are_summed_over_binaries() {
        let lines = vec![
            "test result: ok. 5 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.12s".to_owned(),
            "test result: FAILED. 2 passed; 1 failed; 0 ignored".to_owned(),
        ];
        let o = parse_libtest(&lines).unwrap_or_default();
        assert_eq!((o.passed, o.failed), (7, 1));
    }

    #[test]
    fn a_failed_command_without_counts_is_one_failure() {
        let o = outcome(false, Some(Outcome { passed: 3, failed: 0 }));
        assert_eq!((o.passed, o.failed), (3, 1));
        let o = outcome(false, None);
        assert_eq!((o.passed, o.failed), (0, 1));
    }
}
