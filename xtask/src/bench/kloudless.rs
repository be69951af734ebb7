//! `cargo xtask bench kloudless`: this SDK (`kloudless-bench`), curl and the original
//! kloudless 2.0.1 (`kloudless/tests/interop/kloudless_bench.py`, in the interop venv) on one
//! standalone emulator.

use super::setup::Bench;
use super::{
    argv, curl_parallel, curl_repeated, curl_sequence, field, interop_python, s, Row, Work,
};
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
    let (info, big, big_file, work) = (
        b.info.clone(),
        b.big.clone(),
        s(&b.big_file),
        b.work.clone(),
    );
    let (size, calls, entries) = (b.sizes.size, b.sizes.calls, b.sizes.entries);
    let content = |id: &str| format!("{api}/storage/files/{id}/contents");
    let mib = size >> 20;
    let url = content(&big);
    b.case(
        format!("download {mib} MiB to a sink"),
        Work::Bytes(size),
        b.ours(&["download-sink", &info, &big]),
        argv(&["curl", "-sS", "-H", &auth, "-o", "/dev/null", &url]),
        &["download-sink", &info, &big],
    )?;
    let out_curl = s(work.join("curl.bin"));
    let dir = s(&work);
    b.case(
        format!("download {mib} MiB to a file"),
        Work::Bytes(size),
        b.ours(&["download-file", &info, &big, &dir]),
        argv(&["curl", "-sS", "-H", &auth, "-o", &out_curl, &url]),
        &["download-file", &info, &big, &dir],
    )?;
    let _ = std::fs::remove_file(&out_curl);
    b.case(
        format!("upload {mib} MiB from a file"),
        Work::Bytes(size),
        b.ours(&["upload", &info, &big_file]),
        argv(&[
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
        ]),
        &["upload", &info, &big_file],
    )?;
    let calls_s = calls.to_string();
    let curl = curl_repeated(
        &work.join("curl-metadata.cfg"),
        &auth,
        &format!("{api}/storage/files/{big}"),
        calls,
    )?;
    b.case(
        format!("{calls} sequential storage/files/<id> GETs"),
        Work::Calls(calls),
        b.ours(&["metadata", &info, &big, &calls_s]),
        curl,
        &["metadata", &info, &big, &calls_s],
    )?;
    let pages: Vec<String> = (1..=entries.div_ceil(1000))
        .map(|p| format!("{api}/storage/folders/{seed_folder}/contents?page_size=1000&page={p}"))
        .collect();
    let entries_s = entries.to_string();
    b.case(
        format!("get_paging_iterator over {entries} files (pages of 1,000)"),
        Work::Entries(entries),
        b.ours(&["list", &info, &seed_folder, &entries_s]),
        curl_sequence(&work.join("curl-list.cfg"), &auth, &pages)?,
        &["list", &info, &seed_folder, &entries_s],
    )?;
    concurrent(&mut b, &auth, content)?;
    Ok(b.finish())
}

/// The concurrent-downloads case: every small file at once, over one client.
pub(crate) fn concurrent(b: &mut Bench, auth: &str, url: impl Fn(&str) -> String) -> Result {
    let small = b.small.clone();
    let info = b.info.clone();
    let mut args = vec!["concurrent", info.as_str()];
    args.extend(small.iter().map(String::as_str));
    let urls: Vec<String> = small.iter().map(|id| url(id)).collect();
    b.case(
        format!("{} concurrent 16 MiB downloads", small.len()),
        Work::Bytes(b.sizes.small_size * small.len() as u64),
        b.ours(&args),
        curl_parallel(auth, &urls),
        &args,
    )
}
