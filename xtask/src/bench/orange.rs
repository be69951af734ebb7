//! `cargo xtask bench orange-cloud`: this SDK (`orange-cloud-bench`), curl and the original
//! orangecloud-client 0.0.2 on CPython 2.7 (`orange-cloud/tests/interop/orange_bench.py`, the
//! interop environment) on one standalone emulator.

use super::setup::Bench;
use super::{argv, field, s, Row, Work};
use crate::util::{root, Result};

pub fn orange(quick: bool, runs: usize) -> Result<Vec<Row>> {
    let env = crate::ci::interop_env()?;
    let var = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let script = s(root().join("orange-cloud/tests/interop/orange_bench.py"));
    let python = var("ORANGE_INTEROP_PYTHON")
        .zip(var("ORANGE_INTEROP_PYTHONPATH"))
        .map(|(p, path)| vec!["env".into(), format!("PYTHONPATH={path}"), p, script]);
    let mut b = Bench::start(
        "orange-cloud",
        "ORANGE_EMULATOR_SEED_FILES",
        python,
        quick,
        runs,
    )?;
    let base = field(&b.emu.info, "base_url")?;
    let auth = format!(
        "Authorization: Bearer {}",
        field(&b.emu.info, "access_token")?
    );
    let seed_folder = field(&b.emu.info, "seed_folder")?;
    let (info, big, big_file) = (b.info.clone(), b.big.clone(), s(&b.big_file));
    let (size, entries) = (b.sizes.size, b.sizes.entries);
    let content = |id: &str| format!("{base}/cloud/v1/files/{id}/content/d");
    let mib = size >> 20;
    b.downloads(&auth, &content(&big))?;
    b.case(
        format!("upload {mib} MiB from a file"),
        Work::Bytes(size),
        b.ours(&["upload", &info, &big_file]),
        argv(&[
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-H",
            &auth,
            "-F",
            &format!("description={{\"name\":\"curl.bin\",\"size\":\"{size}\"}}"),
            "-F",
            &format!("file=@{big_file};type=application/octet-stream"),
            &format!("{base}/cloud/v1/files/content"),
        ]),
        &["upload", &info, &big_file],
    )?;
    b.metadata("files.get", &auth, &format!("{base}/cloud/v1/files/{big}"))?;
    // get_pages asks once more after a full last page.
    let pages: Vec<String> = (0..entries.div_ceil(1000) + u64::from(entries % 1000 == 0))
        .map(|p| {
            format!(
                "{base}/cloud/v1/folders/{seed_folder}?limit=1000&offset={}",
                p * 1000
            )
        })
        .collect();
    let entries_s = entries.to_string();
    b.listing(
        format!("get_pages over {entries} files (pages of 1,000)"),
        &auth,
        &pages,
        &["list", &info, &seed_folder, &entries_s],
    )?;
    b.concurrent(&auth, content)?;
    Ok(b.finish())
}
