//! `cargo xtask fuzz [--seconds N] [TARGET…]`: the cargo-fuzz targets under fuzz/ (sync message
//! decoding, the writing checks, the character diff), each for a bounded time. cargo-fuzz runs
//! on the machine's stable toolchain with `--sanitizer none` (libFuzzer's coverage guidance, no
//! AddressSanitizer: safe Rust needs none, and the sanitizer needs nightly).
//!
//! Run by hand, new inputs that reach new code are written into fuzz/corpus/TARGET and the
//! corpus is minimised (`cargo fuzz cmin`), to be committed. Inside `cargo xtask test` the kept corpus is only read and new inputs go to a
//! temporary folder, so a test run leaves the checkout as it found it.

use crate::run::{Result, cmd, root};
use crate::tools::ensure_cargo_tool;

pub const CARGO_FUZZ_VERSION: &str = "0.13.1";
pub const TARGETS: &[&str] = &["sync_messages", "quality", "diff"];

/// Builds the targets and runs each for `seconds`; `keep` writes new finds into the kept corpus.
/// Returns the targets that found a crash (their inputs are in fuzz/artifacts/TARGET).
pub fn fuzz(targets: &[&str], seconds: u64, keep: bool) -> Result<Vec<String>> {
    ensure_cargo_tool("cargo-fuzz", "cargo-fuzz", CARGO_FUZZ_VERSION, true)?;
    let fuzz_dir = root().join("fuzz");
    let mut failed = Vec::new();
    for target in targets {
        let kept = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&kept).map_err(|e| e.to_string())?;
        let scratch = std::env::temp_dir().join(format!("xinbao-fuzz-{target}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
        let (first, second) = if keep { (kept.clone(), None) } else { (scratch.clone(), Some(kept.clone())) };
        let first = first.display().to_string();
        let second = second.map(|p| p.display().to_string());
        let max_time = format!("-max_total_time={seconds}");
        let mut args = vec!["fuzz", "run", "--sanitizer", "none", target, first.as_str()];
        if let Some(s) = &second {
            args.push(s.as_str());
        }
        args.extend(["--", max_time.as_str(), "-max_len=4096", "-timeout=10", "-print_final_stats=1"]);
        println!("xtask: fuzzing {target} for {seconds} s");
        let mut ok = crate::run::status(&mut cmd("cargo", &args)).is_ok();
        let _ = std::fs::remove_dir_all(&scratch);
        if ok && keep {
            // Only the inputs that reach code no other input reaches stay in the repository.
            let kept = kept.display().to_string();
            ok = crate::run::status(&mut cmd(
                "cargo",
                &["fuzz", "cmin", "--sanitizer", "none", target, kept.as_str(), "--", "-max_len=4096"],
            ))
            .is_ok();
        }
        if !ok {
            failed.push((*target).to_owned());
        }
    }
    Ok(failed)
}

pub fn run(seconds: u64, named: &[String]) -> Result<()> {
    let targets: Vec<&str> = if named.is_empty() { TARGETS.to_vec() } else { named.iter().map(String::as_str).collect() };
    let failed = fuzz(&targets, seconds, true)?;
    if failed.is_empty() {
        println!("xtask: no crash in {} target(s) × {seconds} s; new corpus entries are in fuzz/corpus/", targets.len());
        Ok(())
    } else {
        Err(format!("fuzzing found a failure in {}: see fuzz/artifacts/", failed.join(", ")))
    }
}
