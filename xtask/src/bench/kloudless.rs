//! `cargo xtask bench kloudless`: this SDK (`kloudless-bench`), curl and the original
//! kloudless 2.0.1 (`kloudless/tests/interop/kloudless_bench.py`, in the interop venv) on one
//! standalone emulator.

use std::process::Command;

use super::{
    argv, bench_files, build_examples, curl_parallel, curl_repeated, curl_sequence, examples_dir,
    field, interop_python, parse_seed, run_case, s, start_emulator_with, Row, Work,
};
use crate::util::{output, root, Result};

pub fn kloudless(quick: bool, runs: usize) -> Result<Vec<Row>> {
    build_examples("kloudless", &["kloudless-emulator", "kloudless-bench"])?;
    let python = interop_python(&root().join("kloudless/tests/interop/kloudless_bench.py"))?;
    let (size, calls, entries, small_count) = if quick {
        (256u64 << 20, 200u64, 20_000u64, 16usize)
    } else {
        (1u64 << 30, 2_000, 100_000, 64)
    };
    let small_size: u64 = 16 << 20;
    let (big_file, work) = bench_files("kloudless", size)?;
    let mut cmd = Command::new(examples_dir().join("kloudless-emulator"));
    cmd.env("KLOUDLESS_EMULATOR_SEED_FILES", entries.to_string());
    let emu = start_emulator_with(cmd)?;
    let info = work.join("info.json");
    std::fs::write(&info, emu.info.to_string()).map_err(|e| e.to_string())?;
    let api = format!("{}/v2/accounts/me", field(&emu.info, "base_url")?);
    let auth = format!("Authorization: Bearer {}", field(&emu.info, "token")?);
    let seed_folder = field(&emu.info, "seed_folder")?;
    let bench = s(examples_dir().join("kloudless-bench"));
    let info_s = s(&info);
    let (big, small) = parse_seed(&output(Command::new(&bench).args([
        "seed",
        &info_s,
        &s(&big_file),
        &small_count.to_string(),
        &small_size.to_string(),
    ]))?)?;
    let content = |id: &str| format!("{api}/storage/files/{id}/contents");

    let mut rows = Vec::new();
    let mut case = |name: String,
                    work_done: Work,
                    ours: Vec<String>,
                    curl: Vec<String>,
                    py: &[&str]|
     -> Result {
        let mut clients = vec![("curl", curl), ("kloudless (Rust)", ours)];
        if let Some(p) = &python {
            let mut a = p.clone();
            a.extend(argv(py));
            clients.push(("python", a));
        }
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
        &["download-sink", &info_s, &big],
    )?;
    let out_curl = s(work.join("curl.bin"));
    case(
        format!("download {mib} MiB to a file"),
        Work::Bytes(size),
        argv(&[&bench, "download-file", &info_s, &big, &s(&work)]),
        argv(&["curl", "-sS", "-H", &auth, "-o", &out_curl, &url]),
        &["download-file", &info_s, &big, &s(&work)],
    )?;
    let _ = std::fs::remove_file(&out_curl);
    case(
        format!("upload {mib} MiB from a file"),
        Work::Bytes(size),
        argv(&[&bench, "upload", &info_s, &s(&big_file)]),
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
            &s(&big_file),
            "-X",
            "POST",
            &format!("{api}/storage/files?overwrite=true"),
        ]),
        &["upload", &info_s, &s(&big_file)],
    )?;
    let curl = curl_repeated(
        &work.join("curl-metadata.cfg"),
        &auth,
        &format!("{api}/storage/files/{big}"),
        calls,
    )?;
    let calls_s = calls.to_string();
    case(
        format!("{calls} sequential storage/files/<id> GETs"),
        Work::Calls(calls),
        argv(&[&bench, "metadata", &info_s, &big, &calls_s]),
        curl,
        &["metadata", &info_s, &big, &calls_s],
    )?;
    let pages: Vec<String> = (1..=entries.div_ceil(1000))
        .map(|p| format!("{api}/storage/folders/{seed_folder}/contents?page_size=1000&page={p}"))
        .collect();
    let entries_s = entries.to_string();
    case(
        format!("get_paging_iterator over {entries} files (pages of 1,000)"),
        Work::Entries(entries),
        argv(&[&bench, "list", &info_s, &seed_folder, &entries_s]),
        curl_sequence(&work.join("curl-list.cfg"), &auth, &pages)?,
        &["list", &info_s, &seed_folder, &entries_s],
    )?;
    let mut ours = argv(&[&bench, "concurrent", &info_s]);
    ours.extend(small.iter().cloned());
    let urls: Vec<String> = small.iter().map(|id| content(id)).collect();
    let mut py = vec!["concurrent", info_s.as_str()];
    py.extend(small.iter().map(String::as_str));
    case(
        format!("{} concurrent 16 MiB downloads", small.len()),
        Work::Bytes(small_size * small.len() as u64),
        ours,
        curl_parallel(&auth, &urls),
        &py,
    )?;
    drop(emu);
    Ok(rows)
}
