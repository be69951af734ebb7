//! `cargo xtask fuzz [CRATE...] [--seconds N]`: each crate's cargo-fuzz target `decoders`
//! (`<crate>/fuzz`: every answer decoder of the crate on arbitrary bytes, through
//! `<crate>::fuzzing::decode`) for N seconds (default 60), crates one after the other.
//!
//! cargo-fuzz 0.13.1 is installed into `target/tools` on first use. It needs unstable rustc
//! flags: on a stable toolchain the run sets `RUSTC_BOOTSTRAP=1` for the fuzz build only. The
//! sanitizer is off (the crates forbid `unsafe`; what is looked for is panics, hangs and
//! memory blow-ups). Each run starts from the crate's seeds and regressions
//! (`fuzz/seeds`, `fuzz/regressions`) and the corpus kept from earlier runs (`fuzz/corpus`,
//! not committed). A crash or timeout leaves its input in `fuzz/artifacts/decoders/` and
//! fails the command: fix it, then copy the input to `fuzz/regressions/` so that
//! `tests/fuzz_regressions.rs` runs it on every test run.

use std::process::Command;

use crate::util::{installed_tool, root, run as run_cmd, Result};

const CARGO_FUZZ: &str = "0.13.1";

/// The provider crates (one list for every command).
const CRATES: &[&str] = crate::readme::PROVIDERS;

pub fn run(args: &[String]) -> Result {
    let mut seconds = 60u64;
    let mut crates = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--seconds needs a number")?;
            }
            c if CRATES.contains(&c) => crates.push(c.to_owned()),
            other => return Err(format!("no fuzz target for {other} (one of {CRATES:?})")),
        }
    }
    if crates.is_empty() {
        crates = CRATES.iter().map(|c| c.to_string()).collect();
    }
    let tool = installed_tool("cargo-fuzz", CARGO_FUZZ)?;
    for c in &crates {
        let dir = root().join(c);
        let corpus = dir.join("fuzz/corpus/decoders");
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        let mut cmd = Command::new(&tool);
        cmd.current_dir(&dir)
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", "--sanitizer", "none", "decoders"])
            .args(["fuzz/corpus/decoders", "fuzz/seeds", "fuzz/regressions"])
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            // An input that takes over 10 s, or a run over 2 GiB, counts as a failure.
            .args(["-timeout=10", "-rss_limit_mb=2048", "-max_len=1048576"])
            .arg("-print_final_stats=1");
        run_cmd(&mut cmd).map_err(|e| {
            format!(
                "{e}\nthe input is in {}/fuzz/artifacts/decoders/: fix the decoder, then keep \
                 the input in {c}/fuzz/regressions/",
                dir.display()
            )
        })?;
    }
    Ok(())
}
