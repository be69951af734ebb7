//! `cargo xtask bench acd`: this SDK (`acd-bench`), curl and the original acd_cli 0.3.2
//! (`acd/tests/interop/acd_bench.py`, in the interop venv) on one standalone emulator.

use std::process::Command;

use super::{
    curl_parallel, curl_repeated, data_file, examples_dir, run_case, s, start_emulator_with, Row,
    Work,
};
use crate::util::{cargo, output, root, run as run_cmd, Result};

pub fn acd(quick: bool, runs: usize) -> Result<Vec<Row>> {
    run_cmd(cargo().args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "acd",
        "--features",
        "emulator",
        "--bin",
        "acd-emulator",
        "--example",
        "acd-bench",
    ]))?;
    let python = crate::ci::interop_env()?
        .into_iter()
        .find(|(k, _)| k == "CLOUD_SDK_INTEROP_PYTHON")
        .map(|(_, v)| v);
    let script = s(root().join("acd/tests/interop/acd_bench.py"));
    let (size, calls, feed, small_count) = if quick {
        (256u64 << 20, 200u64, 100_000u64, 16usize)
    } else {
        (1u64 << 30, 2_000, 1_000_000, 64)
    };
    let small_size: u64 = 16 << 20;
    let data = root().join("target/bench-data");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let big_file = data_file(&data, size)?;
    let work = data.join("acd-work");
    let cache = data.join("acd-cache");
    let _ = std::fs::remove_dir_all(&cache);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;

    let mut cmd = Command::new(crate::bench::bins_dir().join("acd-emulator"));
    cmd.env("ACD_EMULATOR_CACHE", &cache)
        .env("ACD_EMULATOR_SEED_FOLDERS", feed.to_string());
    let emu = start_emulator_with(cmd)?;
    let token = emu.info["access_token"]
        .as_str()
        .ok_or("no access_token")?
        .to_owned();
    let content = emu.info["content_url"]
        .as_str()
        .ok_or("no content_url")?
        .to_owned();
    let metadata = emu.info["metadata_url"]
        .as_str()
        .ok_or("no metadata_url")?
        .to_owned();
    let bench = s(examples_dir().join("acd-bench"));
    let seeded = output(Command::new(&bench).args([
        "seed",
        &s(&cache),
        &s(&big_file),
        &small_count.to_string(),
        &small_size.to_string(),
    ]))?;
    let ids: serde_json::Value =
        serde_json::from_str(seeded.trim()).map_err(|e| format!("seed: {e}"))?;
    let big = ids["big"].as_str().ok_or("no big id")?.to_owned();
    let small: Vec<String> = ids["small"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let auth = format!("Authorization: Bearer {token}");
    let cache_s = s(&cache);

    let mut rows = Vec::new();
    let mut case = |name: String,
                    work_done: Work,
                    ours: Vec<String>,
                    curl: Option<Vec<String>>,
                    py: Vec<String>|
     -> Result {
        let mut clients = Vec::new();
        if let Some(c) = curl {
            clients.push(("curl", c));
        }
        clients.push(("acd (Rust)", ours));
        if let Some(p) = python.as_ref().filter(|_| !py.is_empty()) {
            let mut argv = vec![p.clone(), script.clone()];
            argv.extend(py);
            clients.push(("python", argv));
        }
        rows.extend(run_case(&name, &clients, runs, work_done)?);
        Ok(())
    };
    let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    let mib = size >> 20;

    // 1. Transfers.
    let url = format!("{content}nodes/{big}/content");
    case(
        format!("download {mib} MiB to a sink"),
        Work::Bytes(size),
        v(&[&bench, "download-sink", &cache_s, &big]),
        Some(v(&["curl", "-sS", "-H", &auth, "-o", "/dev/null", &url])),
        v(&["download-sink", &cache_s, &big]),
    )?;
    case(
        format!("download {mib} MiB to a sink, current-thread runtime"),
        Work::Bytes(size),
        super::setup::current_thread(v(&[&bench, "download-sink", &cache_s, &big])),
        Some(v(&["curl", "-sS", "-H", &auth, "-o", "/dev/null", &url])),
        Vec::new(),
    )?;
    let out_curl = s(work.join("curl.bin"));
    case(
        format!("download {mib} MiB to a file"),
        Work::Bytes(size),
        v(&[&bench, "download-file", &cache_s, &big, &s(&work)]),
        Some(v(&["curl", "-sS", "-H", &auth, "-o", &out_curl, &url])),
        v(&["download-file", &cache_s, &big, &s(&work)]),
    )?;
    // The same with the partial file synced before the rename (DownloadOptions::fsync): the
    // cost of durability, next to the row above (curl and acd_cli never sync).
    let out_sync = s(work.join("curl-sync.bin"));
    let curl_sync = format!("curl -sS -H '{auth}' -o '{out_sync}' '{url}' && sync -d '{out_sync}'");
    case(
        format!("download {mib} MiB to a file, fsync"),
        Work::Bytes(size),
        v(&[&bench, "download-file", &cache_s, &big, &s(&work), "fsync"]),
        Some(v(&["sh", "-c", &curl_sync])),
        v(&["download-file", &cache_s, &big, &s(&work), "fsync"]),
    )?;
    let _ = std::fs::remove_file(&out_sync);
    let _ = std::fs::remove_file(&out_curl);
    let curl_upload = format!(
        "curl -sS -o /dev/null -H '{auth}' -F \"metadata={{\\\"kind\\\":\\\"FILE\\\",\\\"name\\\":\\\"curl-$$-$(date +%s%N)\\\"}}\" -F 'content=@{}' '{content}nodes?suppress=deduplication'",
        big_file.display()
    );
    case(
        format!("upload {mib} MiB from a file"),
        Work::Bytes(size),
        v(&[&bench, "upload", &cache_s, &s(&big_file)]),
        Some(v(&["sh", "-c", &curl_upload])),
        v(&["upload", &cache_s, &s(&big_file)]),
    )?;

    // 2. Sequential metadata calls over one client (curl: one process, one connection).
    let curl = curl_repeated(
        &work.join("curl-metadata.cfg"),
        &auth,
        &format!("{metadata}nodes/{big}?tempLink=false&asset=NONE"),
        calls,
    )?;
    case(
        format!("{calls} sequential get_metadata"),
        Work::Calls(calls),
        v(&[&bench, "metadata", &cache_s, &big, &calls.to_string()]),
        Some(curl),
        v(&["metadata", &cache_s, &big, &calls.to_string()]),
    )?;
    case(
        format!("{calls} sequential get_metadata, current-thread runtime"),
        Work::Calls(calls),
        super::setup::current_thread(v(&[&bench, "metadata", &cache_s, &big, &calls.to_string()])),
        Some(curl_repeated(
            &work.join("curl-metadata.cfg"),
            &auth,
            &format!("{metadata}nodes/{big}?tempLink=false&asset=NONE"),
            calls,
        )?),
        Vec::new(),
    )?;
    let capacity = super::capacity(
        &format!("{metadata}nodes/{big}?tempLink=false&asset=NONE"),
        &auth,
        calls * 10,
        runs,
    )?;

    // 3. The changes feed.
    case(
        format!("changes feed of {feed} nodes"),
        Work::Entries(feed),
        v(&[&bench, "changes", &cache_s]),
        Some(v(&[
            "curl",
            "-sS",
            "-H",
            &auth,
            "-X",
            "POST",
            "-d",
            "{}",
            "-o",
            "/dev/null",
            &format!("{metadata}changes"),
        ])),
        v(&["changes", &cache_s]),
    )?;

    // 4. Concurrent downloads over one client.
    let mut ours = v(&[&bench, "concurrent", &cache_s]);
    ours.extend(small.iter().cloned());
    let urls: Vec<String> = small
        .iter()
        .map(|id| format!("{content}nodes/{id}/content"))
        .collect();
    let curl = curl_parallel(&auth, &urls);
    let mut py = v(&["concurrent", &cache_s]);
    py.extend(small.iter().cloned());
    case(
        format!("{} concurrent 16 MiB downloads", small.len()),
        Work::Bytes(small_size * small.len() as u64),
        ours,
        Some(curl),
        py,
    )?;
    drop(emu);
    rows.extend(capacity);
    Ok(rows)
}
