//! `cargo xtask bench smartfile`: this SDK (`smartfile-bench`), curl and the original
//! smartfile 2.19 (`smartfile/tests/interop/smartfile_bench.py`, in the interop venv) on one
//! standalone emulator.

use base64::Engine;

use super::kloudless::concurrent;
use super::setup::Bench;
use super::{argv, curl_repeated, curl_sequence, field, interop_python, s, Row, Work};
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
    let (info, big, big_file, work) = (
        b.info.clone(),
        b.big.clone(),
        s(&b.big_file),
        b.work.clone(),
    );
    let (size, calls, entries) = (b.sizes.size, b.sizes.calls, b.sizes.entries);
    let content = |p: &str| format!("{api}/path/data{p}/");
    let mib = size >> 20;
    let url = content(&big);
    b.case(
        format!("download {mib} MiB to a sink"),
        Work::Bytes(size),
        b.ours(&["download-sink", &info, &big]),
        argv(&["curl", "-sS", "-f", "-H", &auth, "-o", "/dev/null", &url]),
        &["download-sink", &info, &big],
    )?;
    let out_curl = s(work.join("curl.bin"));
    let dir = s(&work);
    b.case(
        format!("download {mib} MiB to a file"),
        Work::Bytes(size),
        b.ours(&["download-file", &info, &big, &dir]),
        argv(&["curl", "-sS", "-f", "-H", &auth, "-o", &out_curl, &url]),
        &["download-file", &info, &big, &dir],
    )?;
    let _ = std::fs::remove_file(&out_curl);
    b.case(
        format!("upload {mib} MiB from a file (multipart)"),
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
            "-F",
            &format!("file=@{big_file};filename=curl.bin"),
            &format!("{api}/path/data/"),
        ]),
        &["upload", &info, &big_file],
    )?;
    let calls_s = calls.to_string();
    let curl = curl_repeated(
        &work.join("curl-metadata.cfg"),
        &auth,
        &format!("{api}/path/info{big}/"),
        calls,
    )?;
    b.case(
        format!("{calls} sequential path/info GETs"),
        Work::Calls(calls),
        b.ours(&["metadata", &info, &big, &calls_s]),
        curl,
        &["metadata", &info, &big, &calls_s],
    )?;
    let pages: Vec<String> = (1..=entries.div_ceil(1000))
        .map(|p| format!("{api}/path/info/seed/?children=on&limit=1000&page={p}"))
        .collect();
    let entries_s = entries.to_string();
    b.case(
        format!("children_stream over {entries} files (pages of 1,000)"),
        Work::Entries(entries),
        b.ours(&["list", &info, "/seed", &entries_s]),
        curl_sequence(&work.join("curl-list.cfg"), &auth, &pages)?,
        &["list", &info, "/seed", &entries_s],
    )?;
    concurrent(&mut b, &auth, content)?;
    Ok(b.finish())
}
