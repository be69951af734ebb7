//! The harness case: a synthetic body from the emulator harness, curl against cloud-core.

use super::{examples_dir, run_case, start_emulator, Row, Work};
use crate::util::{cargo, run as run_cmd, Result};

pub fn harness(quick: bool, runs: usize) -> Result<Vec<Row>> {
    run_cmd(cargo().args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "cloud-core",
        "--features",
        "emulator",
        "--example",
        "core-emulator",
        "--example",
        "core-download",
    ]))?;
    let emu = start_emulator(&examples_dir().join("core-emulator"))?;
    let base = emu.info["base_url"]
        .as_str()
        .ok_or("no base_url")?
        .to_owned();
    let size: u64 = if quick { 256 << 20 } else { 1 << 30 };
    let url = format!("{base}/synthetic/{size}");
    let curl = vec![
        "curl".to_owned(),
        "-sS".into(),
        "-o".into(),
        "/dev/null".into(),
        url.clone(),
    ];
    let ours = vec![
        examples_dir().join("core-download").display().to_string(),
        url,
    ];
    let case = format!("download {} MiB to a sink", size >> 20);
    run_case(
        &case,
        &[("curl", curl), ("cloud-core", ours)],
        runs,
        Work::Bytes(size),
    )
}
