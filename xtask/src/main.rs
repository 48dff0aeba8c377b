//! `cargo xtask <command>`: everything a person or CI runs, in Rust rather than shell scripts.
//!
//! - `serve [--demo] [--addr A] [--data-dir D] [--database-url U]`: install what is missing,
//!   build the app (release) and the server, and serve both.
//! - `test [--skip STEP…]`: install what the tests need and run every test; ends with one line
//!   `N passed, N failed`.
//! - `bench [sync|queue|load|scores [--county-only]]`: measure what the README's Numbers section
//!   reports; a full run writes docs/benchmarks.md, a named part only prints its numbers.
//! - `fuzz [--seconds N] [TARGET…]`: run the cargo-fuzz targets for a bounded time each,
//!   keeping new corpus entries under fuzz/corpus/.
//! - `build`: build the app and the server (release) without serving.
//! - `modules`: the module graph check alone (`modgraph.rs`): no import cycles, no module
//!   reaching back up to its parent; the first step of `test`.

mod apifuzz;
mod bench;
mod build;
mod fleet;
mod fuzz;
mod modgraph;
mod pg;
mod run;
mod scorebench;
mod syncbench;
mod test;
mod tools;

use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: cargo xtask <command>\n\
         \n  serve [--demo] [--addr 127.0.0.1:8080] [--data-dir data] [--database-url URL]\
         \n  test  [--skip modules|fmt|clippy|unit|pg|wasm|fuzz|api|failover|e2e]…\
         \n  modules\
         \n  bench [sync|queue|load|scores [--county-only]]\
         \n  fuzz  [--seconds 60] [sync_messages|quality|diff]…\
         \n  build"
    );
    ExitCode::from(2)
}

/// Prints the module graph's findings; fails when there are any.
fn modules() -> run::Result<()> {
    let findings = modgraph::check_workspace(&run::root())?;
    for f in &findings {
        println!("{f}");
    }
    if findings.is_empty() { Ok(()) } else { Err(format!("{} module-graph findings", findings.len())) }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        return usage();
    };
    let result = match command.as_str() {
        "serve" => build::serve(rest),
        "build" => build::build_all(true).map(|_| ()),
        "test" => test::run(rest),
        "bench" => bench::run(rest),
        "fuzz" => fuzz::run(rest),
        "modules" => modules(),
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
