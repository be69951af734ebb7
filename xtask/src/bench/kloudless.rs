//! `cargo xtask bench kloudless`: this SDK (`kloudless-bench`), curl and the original
//! kloudless 2.0.1 (`kloudless/tests/interop/kloudless_bench.py`, in the interop venv) on one
//! standalone emulator.

use super::setup::Bench;
use super::{argv, field, interop_python, s, Row, Work};
use crate::util::{root, Result};

pub fn kloudless(quick: bool, runs: usize) -> Result<Vec<Row>> {
    let python = interop_python(&root().join("kloudless/tests/interop/kloudless_bench.py"))?;
    let mut b = Bench::start(
        "kloudless",
        "KLOUDLESS_EMULATOR_SEED_FILES",
        python,
        quick,
        runs,
    )?;
    let api = format!("{}/v1/accounts/me", field(&b.emu.info, "base_url")?);
    let auth = format!("Authorization: Bearer {}", field(&b.emu.info, "token")?);
    let seed_folder = field(&b.emu.info, "seed_folder")?;
    let (info, big, big_file) = (b.info.clone(), b.big.clone(), s(&b.big_file));
    let (size, entries) = (b.sizes.size, b.sizes.entries);
    let content = |id: &str| format!("{api}/storage/files/{id}/contents");
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
        "-H",
        "X-Kloudless-Metadata: {\"parent_id\": \"root\", \"name\": \"curl.bin\"}",
        "-H",
        "Content-Type: application/octet-stream",
        "-T",
        &big_file,
        "-X",
        "POST",
        &format!("{api}/storage/files?overwrite=true"),
    ]);
    b.case(
        format!("upload {mib} MiB from a file"),
        Work::Bytes(size),
        b.ours(&["upload", &info, &big_file]),
        curl_upload.clone(),
        &["upload", &info, &big_file],
    )?;
    // The same bytes through `KloudlessStore` (object_store): multipart sessions of 8 MiB
    // parts, 4 in flight.
    b.case(
        format!("ObjectStore put_multipart {mib} MiB from a file (KloudlessStore)"),
        Work::Bytes(size),
        b.ours(&["store-put", &info, &big_file]),
        curl_upload,
        &[],
    )?;
    b.case(
        format!("ObjectStore get {mib} MiB to a sink (KloudlessStore)"),
        Work::Bytes(size),
        b.ours(&["store-get", &info, "big.bin"]),
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
    b.metadata(
        "storage/files/{id} GETs",
        &auth,
        &format!("{api}/storage/files/{big}"),
    )?;
    let pages: Vec<String> = (1..=entries.div_ceil(1000))
        .map(|p| format!("{api}/storage/folders/{seed_folder}/contents?page_size=1000&page={p}"))
        .collect();
    let entries_s = entries.to_string();
    b.listing(
        format!("get_paging_iterator over {entries} files (pages of 1,000)"),
        &auth,
        &pages,
        &["list", &info, &seed_folder, &entries_s],
    )?;
    b.listing_as(
        format!("Account::list::<StorageObject> over {entries} files (typed, from the bytes)"),
        &auth,
        &pages,
        &["list-typed", &info, &seed_folder, &entries_s],
        &["list", &info, &seed_folder, &entries_s],
    )?;
    b.listing_as(
        format!("Account::list::<Lean> over {entries} files (a user's own id + size type)"),
        &auth,
        &pages,
        &["list-lean", &info, &seed_folder, &entries_s],
        &["list", &info, &seed_folder, &entries_s],
    )?;
    b.listing_as(
        format!("ObjectStore list over {entries} files (KloudlessStore)"),
        &auth,
        &pages,
        &["store-list", &info, &seed_folder, &entries_s],
        &[],
    )?;
    b.concurrent(&auth, content)?;
    Ok(b.finish())
}
