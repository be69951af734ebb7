//! `cargo xtask bench smartfile`: this SDK (`smartfile-bench`), curl and the original
//! smartfile 2.19 (`smartfile/tests/interop/smartfile_bench.py`, in the interop venv) on one
//! standalone emulator.

use base64::Engine;

use super::setup::Bench;
use super::{argv, field, interop_python, s, Row, Work};
use crate::util::{root, Result};

pub fn smartfile(quick: bool, runs: usize) -> Result<Vec<Row>> {
    let python = interop_python(&root().join("smartfile/tests/interop/smartfile_bench.py"))?;
    let mut b = Bench::start(
        "smartfile",
        "SMARTFILE_EMULATOR_SEED_FILES",
        python,
        quick,
        runs,
    )?;
    let api = format!(
        "{}/api/2",
        field(&b.emu.info, "base_url")?.trim_end_matches('/')
    );
    let auth = format!(
        "Authorization: Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            field(&b.emu.info, "key")?,
            field(&b.emu.info, "password")?
        ))
    );
    let (info, big, big_file) = (b.info.clone(), b.big.clone(), s(&b.big_file));
    let (size, entries) = (b.sizes.size, b.sizes.entries);
    let content = |p: &str| format!("{api}/path/data{p}/");
    let mib = size >> 20;
    b.downloads(&auth, &content(&big))?;
    let curl_upload = argv(&[
        "curl",
        "-sS",
        "-f",
        "-o",
        "/dev/null",
        "-H",
        &auth,
        "-F",
        &format!("file=@{big_file};filename=curl.bin"),
        &format!("{api}/path/data/"),
    ]);
    b.case(
        format!("upload {mib} MiB from a file (multipart)"),
        Work::Bytes(size),
        b.ours(&["upload", &info, &big_file]),
        curl_upload.clone(),
        &["upload", &info, &big_file],
    )?;
    // The same bytes through `SmartFileStore` (object_store): the parts are spooled (8 MiB in
    // memory, then a temporary file) and sent as one upload at `complete`.
    b.case(
        format!("ObjectStore put_multipart {mib} MiB from a file (SmartFileStore, spooled)"),
        Work::Bytes(size),
        b.ours(&["store-put", &info, &big_file]),
        curl_upload,
        &[],
    )?;
    b.case(
        format!("ObjectStore get {mib} MiB to a sink (SmartFileStore)"),
        Work::Bytes(size),
        b.ours(&["store-get", &info, &big]),
        argv(&[
            "curl",
            "-sS",
            "-f",
            "-H",
            &auth,
            "-o",
            "/dev/null",
            &content(&big),
        ]),
        &[],
    )?;
    b.metadata("path/info GETs", &auth, &format!("{api}/path/info{big}/"))?;
    let pages: Vec<String> = (1..=entries.div_ceil(1000))
        .map(|p| format!("{api}/path/info/seed/?children=on&limit=1000&page={p}"))
        .collect();
    let entries_s = entries.to_string();
    b.listing(
        format!("children_stream over {entries} files (pages of 1,000)"),
        &auth,
        &pages,
        &["list", &info, "/seed", &entries_s],
    )?;
    b.listing_as(
        format!("children::<PathInfo> over {entries} files (typed, from the bytes)"),
        &auth,
        &pages,
        &["list-typed", &info, "/seed", &entries_s],
        &["list", &info, "/seed", &entries_s],
    )?;
    b.listing_as(
        format!("ObjectStore list over {entries} files (SmartFileStore)"),
        &auth,
        &pages,
        &["store-list", &info, "/seed", &entries_s],
        &[],
    )?;
    b.concurrent(&auth, content)?;
    Ok(b.finish())
}
