//! `cargo xtask bench verizon-pcs`: this SDK (`verizon-pcs-bench`) and curl on one standalone
//! emulator. The original SDK was never published (no copy exists), so there is no Python
//! column.

use std::process::Command;

use super::{
    argv, bench_files, build_examples, curl_parallel, curl_repeated, curl_sequence, examples_dir,
    field, parse_seed, run_case, s, start_emulator_with, Row, Work,
};
use crate::util::{output, Result};

pub fn verizon(quick: bool, runs: usize) -> Result<Vec<Row>> {
    build_examples(
        "verizon-pcs",
        &["verizon-pcs-emulator", "verizon-pcs-bench"],
    )?;
    let (size, calls, entries, small_count) = if quick {
        (256u64 << 20, 200u64, 20_000u64, 16usize)
    } else {
        (1u64 << 30, 2_000, 100_000, 64)
    };
    let small_size: u64 = 16 << 20;
    let (big_file, work) = bench_files("verizon", size)?;
    let mut cmd = Command::new(examples_dir().join("verizon-pcs-emulator"));
    cmd.env("VERIZON_EMULATOR_SEED_FILES", entries.to_string());
    let emu = start_emulator_with(cmd)?;
    let info = work.join("info.json");
    std::fs::write(&info, emu.info.to_string()).map_err(|e| e.to_string())?;
    let base = field(&emu.info, "base_url")?;
    let auth = format!(
        "Authorization: Bearer {}",
        field(&emu.info, "access_token")?
    );
    let bench = s(examples_dir().join("verizon-pcs-bench"));
    let info_s = s(&info);
    let (big, small) = parse_seed(&output(Command::new(&bench).args([
        "seed",
        &info_s,
        &s(&big_file),
        &small_count.to_string(),
        &small_size.to_string(),
    ]))?)?;
    let quote = |p: &str| p.replace(' ', "%20");
    let content = |p: &str| format!("{base}/files{}", quote(p));

    let mut rows = Vec::new();
    let mut case =
        |name: String, work_done: Work, ours: Vec<String>, curl: Vec<String>| -> Result {
            let clients = vec![("curl", curl), ("verizon-pcs (Rust)", ours)];
            rows.extend(run_case(&name, &clients, runs, work_done)?);
            Ok(())
        };
    let mib = size >> 20;
    let url = content(&big);
    case(
        format!("download {mib} MiB to a sink"),
        Work::Bytes(size),
        argv(&[&bench, "download-sink", &info_s, &big]),
        argv(&["curl", "-sS", "-H", &auth, "-o", "/dev/null", &url]),
    )?;
    let out_curl = s(work.join("curl.bin"));
    case(
        format!("download {mib} MiB to a file"),
        Work::Bytes(size),
        argv(&[&bench, "download-file", &info_s, &big, &s(&work)]),
        argv(&["curl", "-sS", "-H", &auth, "-o", &out_curl, &url]),
    )?;
    let _ = std::fs::remove_file(&out_curl);
    // curl: the checksum, a chunked intent, 10 MiB chunks read with dd, the commit (what the
    // SDK does for files of 100 MiB and more).
    let chunk = verizon_chunk();
    let script = format!(
        "set -e; f='{file}'; sum=$(sha256sum \"$f\" | cut -c1-64); \
         resp=$(curl -sS -f -G -H '{auth}' --data-urlencode size={size} --data-urlencode chunk=true \
         --data-urlencode name=curl.bin --data-urlencode path=/VZMOBILE/up \
         --data-urlencode checksum=$sum '{base}/fileupload/intent'); \
         up=$(printf %s \"$resp\" | sed -n 's/.*\"uploadurl\":\"\\([^\"]*\\)\".*/\\1/p'); \
         commit=$(printf %s \"$resp\" | sed -n 's/.*\"commiturl\":\"\\([^\"]*\\)\".*/\\1/p'); \
         i=0; while [ $i -lt {chunks} ]; do \
         dd if=\"$f\" bs={chunk} skip=$i count=1 status=none | curl -sS -f -o /dev/null -X POST \
         -H '{auth}' -H 'Content-Type: application/octet-stream' --data-binary @- \
         \"$up&checksum=$sum&offset=$((i+1))\"; i=$((i+1)); done; \
         curl -sS -f -o /dev/null -X POST -H '{auth}' \"$commit\"",
        file = big_file.display(),
        chunks = size.div_ceil(chunk),
    );
    case(
        format!("upload {mib} MiB from a file"),
        Work::Bytes(size),
        argv(&[&bench, "upload", &info_s, &s(&big_file)]),
        argv(&["sh", "-c", &script]),
    )?;
    let curl = curl_repeated(
        &work.join("curl-metadata.cfg"),
        &auth,
        &format!("{base}/metadata{}", quote(&big)),
        calls,
    )?;
    case(
        format!("{calls} sequential file_metadata"),
        Work::Calls(calls),
        argv(&[&bench, "metadata", &info_s, &big, &calls.to_string()]),
        curl,
    )?;
    let pages: Vec<String> = (1..=entries.div_ceil(100))
        .map(|p| {
            format!("{base}/search?query=extension%3Atxt&virtualfolder=VZMOBILE&count=100&page={p}")
        })
        .collect();
    case(
        format!("search_stream over {entries} hits (pages of 100)"),
        Work::Entries(entries),
        argv(&[
            &bench,
            "search",
            &info_s,
            "extension:txt",
            &entries.to_string(),
        ]),
        curl_sequence(&work.join("curl-search.cfg"), &auth, &pages)?,
    )?;
    case(
        format!("fullview of {entries}+ files (one answer)"),
        Work::Entries(entries),
        argv(&[&bench, "fullview", &info_s, &entries.to_string()]),
        argv(&[
            "curl",
            "-sS",
            "-H",
            &auth,
            "-o",
            "/dev/null",
            &format!("{base}/fullview"),
        ]),
    )?;
    let mut ours = argv(&[&bench, "concurrent", &info_s]);
    ours.extend(small.iter().cloned());
    let urls: Vec<String> = small.iter().map(|p| content(p)).collect();
    case(
        format!("{} concurrent 16 MiB downloads", small.len()),
        Work::Bytes(small_size * small.len() as u64),
        ours,
        curl_parallel(&auth, &urls),
    )?;
    drop(emu);
    Ok(rows)
}

/// The SDK's chunk size.
fn verizon_chunk() -> u64 {
    10 << 20
}
