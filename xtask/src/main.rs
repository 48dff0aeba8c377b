//! `cargo xtask <command>`: everything a person or CI runs, in Rust rather than shell scripts.
//! The commands and their flags are declared once, below (clap); `cargo xtask help <command>`
//! prints them.
//!
//! - `serve [SERVER FLAGS…]`: install what is missing, build the app (release) and the server,
//!   and serve both; flags go to `xinbao-server serve` (`--demo`, `--addr`, `--data-dir`, …).
//! - `test [--skip STEP]…`: install what the tests need and run every test (the steps are one
//!   table, [`test::Step`]); ends with one line `N passed, N failed`.
//! - `bench [sync|queue|load|scores] [--county-only]`: measure what the README's Numbers section
//!   reports; a full run writes docs/benchmarks.md, a named part only prints its numbers.
//! - `fuzz [--seconds N] [TARGET…]`: run the cargo-fuzz targets for a bounded time each,
//!   keeping new corpus entries under fuzz/corpus/.
//! - `build`: build the app and the server (release) without serving.
//! - `modules`: the module graph check alone (`modgraph.rs`): no import cycles, no module
//!   reaching back up to its parent; the first step of `test`.

mod announcebench;
mod apifuzz;
mod bench;
mod build;
mod failover;
mod fleet;
mod fuzz;
mod modgraph;
mod peerbench;
mod pg;
mod run;
mod scorebench;
mod syncbench;
mod test;
mod tools;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Everything a person or CI runs for Xinbao")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Install what is missing, build the app (release) and the server, and serve both.
    Serve {
        /// Flags for `xinbao-server serve`: --demo, --addr 127.0.0.1:8080, --data-dir data,
        /// --database-url URL, …
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        server_flags: Vec<String>,
    },
    /// Install what the tests need and run every test.
    Test {
        /// Leave a step out (repeatable).
        #[arg(long, value_enum)]
        skip: Vec<test::Step>,
    },
    /// Measure what the README reports; a full run writes docs/benchmarks.md.
    Bench {
        /// Only this part, its numbers printed.
        #[arg(value_enum)]
        part: Option<bench::Part>,
        /// With `scores`: the county only, not the province.
        #[arg(long)]
        county_only: bool,
    },
    /// Run the cargo-fuzz targets for a bounded time each.
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Targets (all when none is named).
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(fuzz::TARGETS))]
        targets: Vec<String>,
    },
    /// Build the app and the server (release) without serving.
    Build,
    /// The module graph check alone: no import cycles, no module reaching back up.
    Modules,
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
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { server_flags } => build::serve(&server_flags),
        Command::Build => build::build_all(true).map(|_| ()),
        Command::Test { skip } => test::run(&skip),
        Command::Bench { part, county_only } => bench::run(part, county_only),
        Command::Fuzz { seconds, targets } => fuzz::run(seconds, &targets),
        Command::Modules => modules(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed_and_a_misspelt_step_is_refused() {
        Cli::command().debug_assert();
        let parsed = Cli::try_parse_from(["xtask", "test", "--skip", "e2e", "--skip", "pg"]).map(|c| c.command);
        assert!(matches!(parsed, Ok(Command::Test { skip }) if skip == [test::Step::E2e, test::Step::Pg]));
        assert!(Cli::try_parse_from(["xtask", "test", "--skip", "e2ee"]).is_err());
        assert!(Cli::try_parse_from(["xtask", "test", "e2e"]).is_err());
        let serve = Cli::try_parse_from(["xtask", "serve", "--demo", "--addr", "0.0.0.0:8080"]).map(|c| c.command);
        assert!(matches!(serve, Ok(Command::Serve { server_flags }) if server_flags == ["--demo", "--addr", "0.0.0.0:8080"]));
        assert!(Cli::try_parse_from(["xtask", "fuzz", "nope"]).is_err());
        let bench = Cli::try_parse_from(["xtask", "bench", "scores", "--county-only"]).map(|c| c.command);
        assert!(matches!(bench, Ok(Command::Bench { part: Some(bench::Part::Scores), county_only: true })));
    }
}
