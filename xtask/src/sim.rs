//! `cargo xtask sim [CRATE...] [--seeds N] [--minutes M] [--first-seed S] [--tasks T]
//! [--steps K]`: long seeded simulation runs (`cloud_core::sim`), each crate's ignored
//! `long_run` test in its `tests/sim.rs`, in release mode; CI runs the fixed seeds only.

use crate::util::{cargo, run as run_cmd, Result};

const CRATES: &[&str] = &[
    "verizon-pcs",
    "acd",
    "smartfile",
    "kloudless",
    "orange-cloud",
];

pub fn run(args: &[String]) -> Result {
    let mut crates = Vec::new();
    let mut env: Vec<(&str, String)> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let var = match a.as_str() {
            "--seeds" => "CLOUD_SIM_SEEDS",
            "--minutes" => "CLOUD_SIM_MINUTES",
            "--first-seed" => "CLOUD_SIM_FIRST_SEED",
            "--tasks" => "CLOUD_SIM_TASKS",
            "--steps" => "CLOUD_SIM_STEPS",
            c if CRATES.contains(&c) => {
                crates.push(c.to_owned());
                continue;
            }
            other => return Err(format!("no simulation for {other} (one of {CRATES:?})")),
        };
        let v = it.next().ok_or(format!("{a} needs a number"))?;
        v.parse::<u64>()
            .map_err(|_| format!("{a} needs a number, not {v}"))?;
        env.push((var, v.clone()));
    }
    if crates.is_empty() {
        crates = CRATES.iter().map(|c| (*c).to_owned()).collect();
    }
    // A time limit is per crate: `--minutes 60` over five crates is 12 minutes each.
    let per_crate = env.iter().position(|(k, _)| *k == "CLOUD_SIM_MINUTES");
    if let Some(i) = per_crate {
        let total: u64 = env[i].1.parse().unwrap_or(0);
        env[i].1 = (total / crates.len() as u64).max(1).to_string();
    }
    for krate in &crates {
        eprintln!("sim: {krate}");
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
            "long_run",
        ])
        .env("RUST_BACKTRACE", "0");
        for (k, v) in &env {
            c.env(k, v);
        }
        run_cmd(&mut c)?;
    }
    Ok(())
}
