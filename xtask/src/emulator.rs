//! `cargo xtask emulator <crate> [--addr 127.0.0.1:PORT]`: one emulator, standalone.

use crate::util::{cargo, members, run as run_cmd, Result};

/// The example that runs a crate's emulator.
pub fn example_of(krate: &str) -> String {
    match krate {
        "cloud-core" => "core-emulator".to_owned(),
        other => format!("{other}-emulator"),
    }
}

pub fn run(args: &[String]) -> Result {
    let krate = args
        .first()
        .ok_or("usage: cargo xtask emulator <crate> [--addr ADDR]")?;
    let (_, dir, _) = members()?
        .into_iter()
        .find(|(n, _, _)| n == krate)
        .ok_or_else(|| format!("no crate {krate} in the workspace"))?;
    let example = example_of(krate);
    if !dir.join("examples").join(format!("{example}.rs")).exists() {
        return Err(format!(
            "{krate} has no emulator yet (no examples/{example}.rs)"
        ));
    }
    let mut c = cargo();
    c.args([
        "run",
        "--quiet",
        "--release",
        "-p",
        krate,
        "--features",
        "emulator",
    ])
    .args(["--example", &example, "--"])
    .args(&args[1..]);
    run_cmd(&mut c)
}
