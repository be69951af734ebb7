//! Workspace automation: `cargo xtask ci | emulator | bench | load | release | fuzz | mutants |
//! examples | surface | sim | soak | help` (every command's usage and flags: `cli.rs`, `cargo xtask help`).
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
mod cli;
mod emulator;
mod examples;
mod fuzz;
mod load;
mod mutants;
mod readme;
mod release;
mod sim;
mod surface;
mod util;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, rest) = match args.split_first() {
        Some((n, rest)) => (n.as_str(), rest),
        None => {
            eprintln!("{}", cli::overview());
            eprintln!("xtask: no command given");
            return ExitCode::FAILURE;
        }
    };
    if matches!(name, "help" | "--help" | "-h") {
        return match rest.first().map(|c| (c, cli::find(c))) {
            None => {
                println!("{}", cli::overview());
                ExitCode::SUCCESS
            }
            Some((_, Some(c))) => {
                println!("{}", c.usage());
                ExitCode::SUCCESS
            }
            Some((c, None)) => {
                eprintln!("xtask: no command {c}\n\n{}", cli::overview());
                ExitCode::FAILURE
            }
        };
    }
    let Some(command) = cli::find(name) else {
        eprintln!("xtask: no command {name}\n\n{}", cli::overview());
        return ExitCode::FAILURE;
    };
    if command.wants_help(rest) {
        println!("{}", command.usage());
        return ExitCode::SUCCESS;
    }
    let result = command.check(rest).and_then(|()| match name {
        "ci" => ci::run(rest),
        "emulator" => emulator::run(rest),
        "bench" => bench::run(rest),
        "release" => release::run(rest),
        "fuzz" => fuzz::run(rest),
        "mutants" => mutants::run(rest),
        "load" => load::run(rest),
        "examples" => examples::cli(rest),
        "surface" => surface::run(rest),
        "sim" => sim::run(rest),
        "soak" => sim::soak(rest),
        other => Err(format!("no command {other}")),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
