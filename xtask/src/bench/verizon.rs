//! `cargo xtask bench verizon-pcs`: this SDK (`verizon-pcs-bench`) and curl on one standalone
//! emulator. The original SDK was never published (no copy exists), so there is no Python
//! column.

use super::setup::Bench;
use super::{argv, field, s, Row, Work};
use crate::util::Result;

pub fn verizon(quick: bool, runs: usize) -> Result<Vec<Row>> {
    let mut b = Bench::start(
        "verizon-pcs",
        "VERIZON_EMULATOR_SEED_FILES",
        None,
        quick,
        runs,
    )?;
    let base = field(&b.emu.info, "base_url")?;
    let auth = format!(
        "Authorization: Bearer {}",
        field(&b.emu.info, "access_token")?
    );
    let (info, big, big_file) = (b.info.clone(), b.big.clone(), s(&b.big_file));
    let (size, entries) = (b.sizes.size, b.sizes.entries);
    let quote = |p: &str| p.replace(' ', "%20");
    let content = |p: &str| format!("{base}/files{}", quote(p));
    let mib = size >> 20;
    b.downloads(&auth, &content(&big))?;
    // curl: the checksum, a chunked intent, 10 MiB chunks read with dd, the commit (what the
    // SDK does for files of 100 MiB and more).
    let chunk: u64 = 10 << 20;
    let script = format!(
        "set -e; f='{big_file}'; sum=$(sha256sum \"$f\" | cut -c1-64); \
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
        chunks = size.div_ceil(chunk),
    );
    b.case(
        format!("upload {mib} MiB from a file"),
        Work::Bytes(size),
        b.ours(&["upload", &info, &big_file]),
        argv(&["sh", "-c", &script]),
        &[],
    )?;
    b.metadata(
        "file_metadata",
        &auth,
        &format!("{base}/metadata{}", quote(&big)),
    )?;
    let pages: Vec<String> = (1..=entries.div_ceil(100))
        .map(|p| {
            format!("{base}/search?query=extension%3Atxt&virtualfolder=VZMOBILE&count=100&page={p}")
        })
        .collect();
    let entries_s = entries.to_string();
    b.listing(
        format!("search_stream over {entries} hits (pages of 100)"),
        &auth,
        &pages,
        &["search", &info, "extension:txt", &entries_s],
    )?;
    b.case(
        format!("fullview_stream of {entries}+ files (one answer)"),
        Work::Entries(entries),
        b.ours(&["fullview", &info, &entries_s]),
        argv(&[
            "curl",
            "-sS",
            "-H",
            &auth,
            "-o",
            "/dev/null",
            &format!("{base}/fullview"),
        ]),
        &[],
    )?;
    b.concurrent(&auth, content)?;
    Ok(b.finish())
}
