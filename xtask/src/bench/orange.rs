//! `cargo xtask bench orange-cloud`: this SDK (`orange-cloud-bench`), curl and the original
//! orangecloud-client 0.0.2 on CPython 2.7 (`orange-cloud/tests/interop/orange_bench.py`, the
//! interop environment) on one standalone emulator.

use std::process::Command;

use super::{
    curl_parallel, curl_repeated, data_file, examples_dir, run_case, s, start_emulator_with, Row,
    Work,
};
use crate::util::{cargo, output, root, run as run_cmd, Result};

pub fn orange(quick: bool, runs: usize) -> Result<Vec<Row>> {
    run_cmd(cargo().args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "orange-cloud",
        "--features",
        "emulator",
        "--example",
        "orange-cloud-emulator",
        "--example",
        "orange-cloud-bench",
    ]))?;
    let env = crate::ci::interop_env()?;
    let var = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let python = var("ORANGE_INTEROP_PYTHON").zip(var("ORANGE_INTEROP_PYTHONPATH"));
    let script = s(root().join("orange-cloud/tests/interop/orange_bench.py"));
    let (size, calls, entries, small_count) = if quick {
        (256u64 << 20, 200u64, 20_000u64, 16usize)
    } else {
        (1u64 << 30, 2_000, 100_000, 64)
    };
    let small_size: u64 = 16 << 20;
    let data = root().join("target/bench-data");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let big_file = data_file(&data, size)?;
    let work = data.join("orange-work");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;

    let mut cmd = Command::new(examples_dir().join("orange-cloud-emulator"));
    cmd.env("ORANGE_EMULATOR_SEED_FILES", entries.to_string());
    let emu = start_emulator_with(cmd)?;
    let seed_folder = super::field(&emu.info, "seed_folder")?;
    let info = work.join("info.json");
    std::fs::write(&info, emu.info.to_string()).map_err(|e| e.to_string())?;
    let base = emu.info["base_url"]
        .as_str()
        .ok_or("no base_url")?
        .to_owned();
    let auth = format!(
        "Authorization: Bearer {}",
        emu.info["access_token"].as_str().ok_or("no access_token")?
    );
    let bench = s(examples_dir().join("orange-cloud-bench"));
    let info_s = s(&info);
    let seeded = output(Command::new(&bench).args([
        "seed",
        &info_s,
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
    let content = |id: &str| format!("{base}/cloud/v1/files/{id}/content/d");

    let mut rows = Vec::new();
    let mut case = |name: String,
                    work_done: Work,
                    ours: Vec<String>,
                    curl: Vec<String>,
                    py: Vec<String>|
     -> Result {
        let mut clients = vec![("curl", curl), ("orange-cloud (Rust)", ours)];
        if let Some((p, path)) = &python {
            let mut argv = vec![
                "env".to_owned(),
                format!("PYTHONPATH={path}"),
                p.clone(),
                script.clone(),
            ];
            argv.extend(py);
            clients.push(("python", argv));
        }
        rows.extend(run_case(&name, &clients, runs, work_done)?);
        Ok(())
    };
    let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    let mib = size >> 20;
    let url = content(&big);
    case(
        format!("download {mib} MiB to a sink"),
        Work::Bytes(size),
        v(&[&bench, "download-sink", &info_s, &big]),
        v(&["curl", "-sS", "-H", &auth, "-o", "/dev/null", &url]),
        v(&["download-sink", &info_s, &big]),
    )?;
    let out_curl = s(work.join("curl.bin"));
    case(
        format!("download {mib} MiB to a file"),
        Work::Bytes(size),
        v(&[&bench, "download-file", &info_s, &big, &s(&work)]),
        v(&["curl", "-sS", "-H", &auth, "-o", &out_curl, &url]),
        v(&["download-file", &info_s, &big, &s(&work)]),
    )?;
    let _ = std::fs::remove_file(&out_curl);
    case(
        format!("upload {mib} MiB from a file"),
        Work::Bytes(size),
        v(&[&bench, "upload", &info_s, &s(&big_file)]),
        v(&[
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-H",
            &auth,
            "-F",
            &format!("description={{\"name\":\"curl.bin\",\"size\":\"{size}\"}}"),
            "-F",
            &format!("file=@{};type=application/octet-stream", big_file.display()),
            &format!("{base}/cloud/v1/files/content"),
        ]),
        v(&["upload", &info_s, &s(&big_file)]),
    )?;
    let curl = curl_repeated(
        &work.join("curl-metadata.cfg"),
        &auth,
        &format!("{base}/cloud/v1/files/{big}"),
        calls,
    )?;
    case(
        format!("{calls} sequential files.get"),
        Work::Calls(calls),
        v(&[&bench, "metadata", &info_s, &big, &calls.to_string()]),
        curl,
        v(&["metadata", &info_s, &big, &calls.to_string()]),
    )?;
    let pages: Vec<String> = (0..entries.div_ceil(1000) + u64::from(entries % 1000 == 0))
        .map(|p| {
            format!(
                "{base}/cloud/v1/folders/{seed_folder}?limit=1000&offset={}",
                p * 1000
            )
        })
        .collect();
    let entries_s = entries.to_string();
    case(
        format!("get_pages over {entries} files (pages of 1,000)"),
        Work::Entries(entries),
        v(&[&bench, "list", &info_s, &seed_folder, &entries_s]),
        super::curl_sequence(&work.join("curl-list.cfg"), &auth, &pages)?,
        v(&["list", &info_s, &seed_folder, &entries_s]),
    )?;
    let mut ours = v(&[&bench, "concurrent", &info_s]);
    ours.extend(small.iter().cloned());
    let urls: Vec<String> = small.iter().map(|id| content(id)).collect();
    let curl = curl_parallel(&auth, &urls);
    let mut py = v(&["concurrent", &info_s]);
    py.extend(small.iter().cloned());
    case(
        format!("{} concurrent 16 MiB downloads", small.len()),
        Work::Bytes(small_size * small.len() as u64),
        ours,
        curl,
        py,
    )?;
    drop(emu);
    Ok(rows)
}
