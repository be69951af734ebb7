//! Workspace automation: `cargo xtask ci | emulator | bench | release`.
//!
//! - `cargo xtask ci`: every check CI runs (fmt, clippy, tests with the interop Python
//!   environment, doc tests, docs, packaging), in that order; fails on the first failure.
//! - `cargo xtask emulator <crate> [--addr 127.0.0.1:PORT]`: one emulator, standalone.
//! - `cargo xtask bench [CRATE...] [--quick] [--json FILE] [--summary]`: benchmarks (see `bench.rs`).
//! - `cargo xtask release [CRATE...] [--bump …|--version …] [--registry NAME] [--execute]`:
//!   releases in dependency order (see `release/mod.rs`); a dry run unless `--execute`.
//! - `cargo xtask fuzz [CRATE...] [--seconds N]`: each crate's cargo-fuzz target (see
//!   `fuzz.rs`).
//! - `cargo xtask examples [--no-run]`: every public client method has an example; the
//!   quickstart and tour examples run (see `examples.rs`).
//! - `cargo xtask mutants [CRATE...] [--changed REV] [--sample]`: mutation testing of the
//!   decision code with cargo-mutants (see `mutants.rs`).
//! - `cargo xtask surface [CRATE...] [--write] [--no-doc]`: every public symbol of each
//!   original mapped to Rust or excused, from `<crate>/surface.toml` (see `surface.rs`).

mod bench;
mod ci;
mod emulator;
mod examples;
mod fuzz;
mod load;
mod mutants;
mod release;
mod surface;
mod util;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci::run(&args[1..]),
        Some("emulator") => emulator::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("release") => release::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("mutants") => mutants::run(&args[1..]),
        Some("load") => load::run(&args[1..]),
        Some("examples") => examples::cli(&args[1..]),
        Some("surface") => surface::run(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask ci [--skip STEP]...\n       \
                 cargo xtask emulator <crate> [--addr 127.0.0.1:PORT]\n       \
                 cargo xtask bench [CRATE...] [--quick] [--json FILE] [--summary]\n       \
                 cargo xtask release [CRATE...] [--bump patch|minor|major | --version X.Y.Z] [--registry NAME] [--execute] [--draft-changelog]\n       \
                 cargo xtask fuzz [CRATE...] [--seconds N]\n       \
                 cargo xtask mutants [CRATE...] [--changed REV] [--sample]\n       \
                 cargo xtask examples [--no-run]\n       \
                 cargo xtask surface [CRATE...] [--write] [--no-doc]"
            );
            Err("unknown command".into())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
