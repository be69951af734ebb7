//! `cargo xtask sim [CRATE...] [--seeds N] [--minutes M] [--first-seed S] [--tasks T]
//! [--steps K]`: long seeded simulation runs (`cloud_core::sim`), each crate's ignored
//! `long_run` test in its `tests/sim.rs`, in release mode; CI runs the fixed seeds only. And
//! `cargo xtask soak`, its `soak` test.

use crate::util::{cargo, run as run_cmd, Result};

/// The provider crates (one list for every command).
const CRATES: &[&str] = crate::readme::PROVIDERS;

pub fn run(args: &[String]) -> Result {
    let flags = [
        ("--seeds", "CLOUD_SIM_SEEDS"),
        ("--minutes", "CLOUD_SIM_MINUTES"),
        ("--first-seed", "CLOUD_SIM_FIRST_SEED"),
        ("--tasks", "CLOUD_SIM_TASKS"),
        ("--steps", "CLOUD_SIM_STEPS"),
    ];
    let (crates, mut env) = parse(args, &flags)?;
    // A time limit is per crate: `--minutes 60` over five crates is 12 minutes each.
    let per_crate = env.iter().position(|(k, _)| *k == "CLOUD_SIM_MINUTES");
    if let Some(i) = per_crate {
        let total: u64 = env[i].1.parse().unwrap_or(0);
        env[i].1 = (total / crates.len() as u64).max(1).to_string();
    }
    run_test(&crates, &env, "long_run")
}

/// `cargo xtask soak [CRATE...] [--minutes M] [--clients N] [--seed S]`: each crate's ignored
/// `soak` test (`cloud_core::sim::soak`), one crate after the other, `M` minutes each.
pub fn soak(args: &[String]) -> Result {
    let flags = [
        ("--minutes", "CLOUD_SOAK_MINUTES"),
        ("--clients", "CLOUD_SOAK_CLIENTS"),
        ("--seed", "CLOUD_SOAK_SEED"),
    ];
    let (crates, env) = parse(args, &flags)?;
    run_test(&crates, &env, "soak")
}

type Env = Vec<(&'static str, String)>;

/// The crates named (all five when none is) and the flags as environment variables.
fn parse(args: &[String], flags: &[(&str, &'static str)]) -> Result<(Vec<String>, Env)> {
    let mut crates = Vec::new();
    let mut env: Env = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let var = match flags.iter().find(|(f, _)| f == a) {
            Some((_, var)) => *var,
            None if CRATES.contains(&a.as_str()) => {
                crates.push(a.clone());
                continue;
            }
            None => return Err(format!("no simulation for {a} (one of {CRATES:?})")),
        };
        let v = it.next().ok_or(format!("{a} needs a number"))?;
        v.parse::<u64>()
            .map_err(|_| format!("{a} needs a number, not {v}"))?;
        env.push((var, v.clone()));
    }
    if crates.is_empty() {
        crates = CRATES.iter().map(|c| (*c).to_owned()).collect();
    }
    Ok((crates, env))
}

/// Runs the ignored test `test` of each crate's `tests/sim.rs`, in release mode.
fn run_test(crates: &[String], env: &Env, test: &str) -> Result {
    for krate in crates {
        eprintln!("{test}: {krate}");
        let mut c = cargo();
        c.args([
            "test",
            "--release",
            "-q",
            "-p",
            krate,
            "--features",
            "emulator,object-store",
        ])
        .args([
            "--test",
            "sim",
            "--",
            "--ignored",
            "--nocapture",
            "--exact",
            test,
        ])
        .env("RUST_BACKTRACE", "0");
        for (k, v) in env {
            c.env(k, v);
        }
        run_cmd(&mut c)?;
    }
    Ok(())
}
