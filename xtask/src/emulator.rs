//! `cargo xtask emulator <crate> [FLAGS]`: one emulator, standalone: the crate's
//! `<crate>-emulator` binary (what `cargo install <crate> --features emulator` installs;
//! `--help` lists its flags), or cloud-core's demo emulator example.

use crate::util::{cargo, members, run as run_cmd, Result};

pub fn run(args: &[String]) -> Result {
    let krate = args
        .first()
        .ok_or("usage: cargo xtask emulator <crate> [--addr ADDR] [--help]")?;
    let (_, dir, _) = members()?
        .into_iter()
        .find(|(n, _, _)| n == krate)
        .ok_or_else(|| format!("no crate {krate} in the workspace"))?;
    let mut c = cargo();
    c.args([
        "run",
        "--quiet",
        "--release",
        "-p",
        krate,
        "--features",
        "emulator",
    ]);
    if krate == "cloud-core" {
        c.args(["--example", "core-emulator"]);
    } else {
        let bin = format!("{krate}-emulator");
        if !dir.join("src/bin").join(format!("{bin}.rs")).exists() {
            return Err(format!("{krate} has no emulator binary (src/bin/{bin}.rs)"));
        }
        c.args(["--bin", &bin]);
    }
    c.arg("--").args(&args[1..]);
    run_cmd(&mut c)
}
