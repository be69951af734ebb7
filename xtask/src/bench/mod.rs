//! `cargo xtask bench [harness] [acd] [orange-cloud] [verizon-pcs] [kloudless] [smartfile]
//! [--quick] [--json FILE] [--summary]`.
//!
//! Each case runs as separate whole processes (so one case's runtime cannot skew another),
//! 5 times, under `/usr/bin/time` for wall time, peak RSS and the client's user + system CPU
//! seconds; the table shows min/median/max, the rate, the ratios to curl on the same URLs
//! (wall and CPU) and the Python original's wall and CPU over this SDK's. CPU is the client's
//! own cost, which the emulator's share of the wall time cannot blur. `--summary` adds one
//! table of this workspace's rows for every crate run (ratios and peak RSS) and writes it to
//! `target/bench-summary.json`, to compare runs. The emulator runs standalone (release build), one per crate. The clients of a case
//! take turns run by run, so that what a run leaves behind does not fall on one client only.
//!
//! Cases so far:
//! - `acd`: 1 GiB downloaded to a sink and to a file, 1 GiB uploaded from a file, 2,000
//!   sequential `get_metadata`, a changes feed of 1,000,000 nodes, 64 concurrent 16 MiB
//!   downloads over one client: the `acd-bench` example, curl, and acd_cli 0.3.2
//!   (`acd/tests/interop/acd_bench.py`) in the interop venv. `--quick`: 256 MiB, 200 calls,
//!   100,000 nodes, 16 downloads.
//! - `orange-cloud`: 1 GiB downloaded to a sink and to a file, 1 GiB uploaded, 2,000
//!   sequential `files.get`, 64 concurrent 16 MiB downloads: the `orange-cloud-bench`
//!   example, curl, and orangecloud-client 0.0.2 on CPython 2.7
//!   (`orange-cloud/tests/interop/orange_bench.py`). `--quick`: 256 MiB, 200 calls, 16.
//! - `verizon-pcs`, `kloudless`, `smartfile`: the same transfers and metadata calls, a paged
//!   listing of 100,000 seeded files (`search_stream` and `fullview` for verizon-pcs,
//!   `get_paging_iterator`, `children_stream`), 64 concurrent downloads: each crate's
//!   `<crate>-bench` example, curl, and the original through its public API where one can be
//!   installed (kloudless 2.0.1, smartfile 2.19; the Verizon SDK was never published).
//!   `orange-cloud` also lists 100,000 files with `folders.get_pages`.
//! - every crate's sink download and sequential metadata calls run a second time with the
//!   bench example on a current-thread runtime (`BENCH_RUNTIME=current_thread`), beside curl:
//!   the rows show what tokio's multi-thread scheduler (cross-worker wake-ups) adds to the
//!   client's CPU.
//! - `XTASK_BENCH_ENTRIES=N` sets the listings' size (the paged listings and verizon-pcs's
//!   `fullview_stream`), to see memory stay flat from 10,000 to 1,000,000 entries.
//! - every crate but the harness also measures its emulator's capacity for small requests:
//!   10 × the metadata case's calls as GETs over 4 keep-alive connections by `cargo xtask
//!   load` (the row `emulator: N small GETs, 4 connections`); curl's upload row is the
//!   emulator's upload rate.
//! - `harness`: a 1 GiB synthetic body from the emulator harness (`core-emulator`), downloaded
//!   to a sink by curl and by cloud-core's resumable download stream (`core-download`). This
//!   shows the harness is never the bottleneck of a provider benchmark.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

mod acd;
mod harness;
mod kloudless;
mod orange;
mod setup;
mod smartfile;
mod verizon;

use crate::util::{root, Result};

pub(crate) struct Sample {
    wall: f64,
    rss_kib: Option<u64>,
    /// The client process's user + system CPU seconds (children included, as `time` counts).
    cpu: Option<f64>,
}

pub(crate) struct Emulator {
    pub info: serde_json::Value,
    child: Child,
}

impl Drop for Emulator {
    /// SIGTERM first, so that the emulator removes its blob folder (gigabytes after the
    /// upload cases); SIGKILL if it has not gone after 10 s.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_emulator(binary: &Path) -> Result<Emulator> {
    start_emulator_with(Command::new(binary))
}

pub(crate) fn start_emulator_with(mut cmd: Command) -> Result<Emulator> {
    let binary = PathBuf::from(cmd.get_program());
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let info: serde_json::Value =
        serde_json::from_str(line.trim()).map_err(|e| format!("emulator line {line:?}: {e}"))?;
    Ok(Emulator { child, info })
}

fn time_available() -> bool {
    Path::new("/usr/bin/time").exists()
}

fn measure(argv: &[String]) -> Result<Sample> {
    let out = std::env::temp_dir().join(format!("xtask-bench-{}.time", std::process::id()));
    let start = std::time::Instant::now();
    let status = if time_available() {
        Command::new("/usr/bin/time")
            .args(["-f", "%e %M %U %S", "-o"])
            .arg(&out)
            .args(argv)
            .stdout(Stdio::null())
            .status()
    } else {
        Command::new(&argv[0])
            .args(&argv[1..])
            .stdout(Stdio::null())
            .status()
    }
    .map_err(|e| format!("{argv:?}: {e}"))?;
    let wall = start.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("{argv:?} failed ({status})"));
    }
    let line = std::fs::read_to_string(&out)
        .ok()
        .and_then(|t| t.lines().last().map(str::to_owned))
        .unwrap_or_default();
    let _ = std::fs::remove_file(&out);
    let (rss_kib, cpu) = parse_time_line(&line);
    Ok(Sample { wall, rss_kib, cpu })
}

/// `/usr/bin/time -f "%e %M %U %S"`'s line: peak RSS (KiB) and user + system seconds.
fn parse_time_line(line: &str) -> (Option<u64>, Option<f64>) {
    let f: Vec<&str> = line.split_whitespace().collect();
    let rss = f.get(1).and_then(|v| v.parse().ok());
    let secs = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok());
    let cpu = secs(2).zip(secs(3)).map(|(u, s)| u + s);
    (rss, cpu)
}

fn stats(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

pub(crate) struct Row {
    /// The crate whose bench made the row: ratios compare rows of one crate only (the cases
    /// of different crates share names).
    group: String,
    case: String,
    tool: String,
    wall: (f64, f64, f64),
    rss_mib: Option<f64>,
    /// The median of the client's user + system CPU seconds.
    cpu: Option<f64>,
    work: Work,
}

/// What a case does, for its rate column.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Work {
    Bytes(u64),
    Calls(u64),
    Entries(u64),
}

impl Work {
    fn rate(self, secs: f64) -> String {
        match self {
            Work::Bytes(b) => format!("{:.2} GB/s", b as f64 / secs / 1e9),
            Work::Calls(n) => format!("{:.0} calls/s", n as f64 / secs),
            Work::Entries(n) => format!("{:.0} entries/s", n as f64 / secs),
        }
    }

    fn json(self) -> serde_json::Value {
        match self {
            Work::Bytes(b) => serde_json::json!({"bytes": b}),
            Work::Calls(n) => serde_json::json!({"calls": n}),
            Work::Entries(n) => serde_json::json!({"entries": n}),
        }
    }
}

/// Runs every client of one case `runs` times, taking turns (curl, this SDK, Python, curl,
/// ...), so that what one run leaves behind (dirty pages after an upload, a warm cache)
/// does not fall on one client's runs only. Rows in the order given.
pub(crate) fn run_case(
    case: &str,
    clients: &[(&str, Vec<String>)],
    runs: usize,
    work: Work,
) -> Result<Vec<Row>> {
    let mut walls = vec![Vec::new(); clients.len()];
    let mut rss = vec![Vec::new(); clients.len()];
    let mut cpu = vec![Vec::new(); clients.len()];
    for _ in 0..runs {
        for (i, (_, argv)) in clients.iter().enumerate() {
            let s = measure(argv)?;
            walls[i].push(s.wall);
            if let Some(r) = s.rss_kib {
                rss[i].push(r as f64 / 1024.0);
            }
            if let Some(c) = s.cpu {
                cpu[i].push(c);
            }
        }
    }
    Ok(clients
        .iter()
        .enumerate()
        .map(|(i, (tool, _))| Row {
            group: String::new(),
            case: case.into(),
            tool: (*tool).into(),
            wall: stats(&mut walls[i]),
            rss_mib: (!rss[i].is_empty()).then(|| stats(&mut rss[i]).1),
            cpu: (!cpu[i].is_empty()).then(|| stats(&mut cpu[i]).1),
            work,
        })
        .collect())
}

pub(crate) fn examples_dir() -> PathBuf {
    root().join("target/release/examples")
}

/// Where release binaries (the `<crate>-emulator` programs) are built.
pub(crate) fn bins_dir() -> PathBuf {
    root().join("target/release")
}

/// The row of another client of the same case of the same crate.
fn peer<'a>(rows: &'a [Row], r: &Row, tool: &str) -> Option<&'a Row> {
    rows.iter()
        .find(|c| c.group == r.group && c.case == r.case && c.tool == tool)
}

/// `a ÷ b` with `digits` decimals, `n/a` when either is missing or `b` is zero.
fn ratio(a: Option<f64>, b: Option<f64>, digits: usize) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.*}", digits, a / b),
        _ => "n/a".into(),
    }
}

fn print(rows: &[Row]) {
    println!(
        "\n| case | client | wall min / median / max (s) | rate (median) | peak RSS (MiB, median) | CPU user+sys (s, median) | wall × curl | CPU × curl | Python wall ÷ this | Python CPU ÷ this |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        let curl = peer(rows, r, "curl");
        let py = peer(rows, r, "python");
        println!(
            "| {} | {} | {:.3} / {:.3} / {:.3} | {} | {} | {} | {} | {} | {} | {} |",
            r.case,
            r.tool,
            r.wall.0,
            r.wall.1,
            r.wall.2,
            r.work.rate(r.wall.1),
            r.rss_mib.map_or("n/a".into(), |m| format!("{m:.1}")),
            r.cpu.map_or("n/a".into(), |c| format!("{c:.3}")),
            ratio(Some(r.wall.1), curl.map(|c| c.wall.1), 2),
            ratio(r.cpu, curl.and_then(|c| c.cpu), 2),
            ratio(py.map(|p| p.wall.1), Some(r.wall.1), 1),
            ratio(py.and_then(|p| p.cpu), r.cpu, 1),
        );
    }
}

/// Whether a row is this workspace's client (not curl, not the Python original, not the
/// emulator's capacity).
fn is_ours(r: &Row) -> bool {
    !matches!(r.tool.as_str(), "curl" | "python" | LOAD)
}

/// The client of the emulator-capacity rows: `cargo xtask load`.
pub(crate) const LOAD: &str = "xtask load (4 connections)";

/// The emulator's capacity for small requests: `requests` GETs of `url` over 4 keep-alive
/// connections by `cargo xtask load` (this program), one row whose rate is the emulator's
/// answers per second with the load generator on the same 2 cores.
pub(crate) fn capacity(url: &str, auth: &str, requests: u64, runs: usize) -> Result<Vec<Row>> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let argv = vec![
        s(&exe),
        "load".into(),
        url.into(),
        "--header".into(),
        auth.into(),
        "--requests".into(),
        requests.to_string(),
        "--connections".into(),
        "4".into(),
    ];
    run_case(
        &format!("emulator: {requests} small GETs, 4 connections"),
        &[(LOAD, argv)],
        runs,
        Work::Calls(requests),
    )
}

/// `--summary`: one table for every crate run, this SDK's rows only: wall and CPU as ratios to
/// curl and to the original (the original's over this SDK's: above 1 is faster here), peak
/// RSS. The same rows as JSON, so that runs can be compared.
fn summary(rows: &[Row]) -> serde_json::Value {
    println!(
        "\n| case | client | wall (s) | CPU (s) | wall × curl | CPU × curl | original wall ÷ this | original CPU ÷ this | peak RSS (MiB) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut out = Vec::new();
    for r in rows.iter().filter(|r| is_ours(r)) {
        let curl = peer(rows, r, "curl");
        let py = peer(rows, r, "python");
        let cols = [
            ratio(Some(r.wall.1), curl.map(|c| c.wall.1), 2),
            ratio(r.cpu, curl.and_then(|c| c.cpu), 2),
            ratio(py.map(|p| p.wall.1), Some(r.wall.1), 1),
            ratio(py.and_then(|p| p.cpu), r.cpu, 1),
        ];
        println!(
            "| {} | {} | {:.3} | {} | {} | {} | {} | {} | {} |",
            r.case,
            r.tool,
            r.wall.1,
            r.cpu.map_or("n/a".into(), |c| format!("{c:.3}")),
            cols[0],
            cols[1],
            cols[2],
            cols[3],
            r.rss_mib.map_or("n/a".into(), |m| format!("{m:.1}")),
        );
        let num = |s: &str| s.parse::<f64>().ok();
        out.push(serde_json::json!({
            "crate": r.group, "case": r.case, "client": r.tool, "wall_s": r.wall.1, "cpu_s": r.cpu,
            "wall_x_curl": num(&cols[0]), "cpu_x_curl": num(&cols[1]),
            "original_wall_over_this": num(&cols[2]), "original_cpu_over_this": num(&cols[3]),
            "peak_rss_mib": r.rss_mib,
        }));
    }
    serde_json::Value::Array(out)
}

fn to_json(rows: &[Row]) -> serde_json::Value {
    serde_json::Value::Array(
        rows.iter()
            .map(|r| {
                serde_json::json!({
                    "crate": r.group, "case": r.case, "client": r.tool,
                    "wall_s": {"min": r.wall.0, "median": r.wall.1, "max": r.wall.2},
                    "work": r.work.json(), "peak_rss_mib": r.rss_mib, "cpu_s": r.cpu,
                })
            })
            .collect(),
    )
}

pub fn run(args: &[String]) -> Result {
    let mut quick = false;
    let mut json = None;
    let mut want_summary = false;
    let mut cases = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--json" => json = Some(it.next().ok_or("--json needs a file")?.clone()),
            "--summary" => want_summary = true,
            other => cases.push(other.to_owned()),
        }
    }
    if cases.is_empty() {
        cases.push("harness".into());
    }
    let runs = 5;
    let mut rows = Vec::new();
    for c in &cases {
        let mut got = match c.as_str() {
            "harness" | "cloud-core" => harness::harness(quick, runs)?,
            "acd" => acd::acd(quick, runs)?,
            "orange-cloud" => orange::orange(quick, runs)?,
            "verizon-pcs" => verizon::verizon(quick, runs)?,
            "kloudless" => kloudless::kloudless(quick, runs)?,
            "smartfile" => smartfile::smartfile(quick, runs)?,
            other => return Err(format!("no benchmark for {other} yet")),
        };
        for r in &mut got {
            r.group = c.clone();
        }
        rows.extend(got);
    }
    println!(
        "machine: {} cores, {}; {} runs per client",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        mem_total(),
        runs
    );
    print(&rows);
    if let Some(path) = json {
        std::fs::write(&path, to_json(&rows).to_string()).map_err(|e| format!("{path}: {e}"))?;
    }
    if want_summary {
        let table = summary(&rows);
        let path = root().join("target/bench-summary.json");
        std::fs::write(&path, table.to_string()).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("\nsummary written to {}", path.display());
    }
    Ok(())
}

fn mem_total() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse::<u64>().ok())
                })
        })
        .map_or("unknown memory".into(), |kib| {
            format!("{:.0} GiB", kib as f64 / 1048576.0)
        })
}

/// A file of `size` bytes (1 MiB pieces, each different), made once.
pub(crate) fn data_file(dir: &Path, size: u64) -> Result<PathBuf> {
    let path = dir.join(format!("data-{size}.bin"));
    if std::fs::metadata(&path).map(|m| m.len()).ok() == Some(size) {
        return Ok(path);
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).map_err(|e| e.to_string())?);
    let mut piece: Vec<u8> = (0..1u32 << 20).map(|j| (j * 31 % 251) as u8).collect();
    for i in 0..size.div_ceil(1 << 20) {
        piece[..8].copy_from_slice(&i.to_le_bytes());
        let n = (size - (i << 20)).min(1 << 20) as usize;
        f.write_all(&piece[..n]).map_err(|e| e.to_string())?;
    }
    f.flush().map_err(|e| e.to_string())?;
    Ok(path)
}

pub(crate) fn s(x: impl AsRef<std::ffi::OsStr>) -> String {
    x.as_ref().to_string_lossy().into_owned()
}

/// curl making `calls` sequential GETs of `url` in one process over one connection (a
/// config file written to `cfg`).
pub(crate) fn curl_repeated(cfg: &Path, auth: &str, url: &str, calls: u64) -> Result<Vec<String>> {
    let urls: Vec<String> = (0..calls).map(|_| url.to_owned()).collect();
    curl_sequence(cfg, auth, &urls)
}

/// curl making one GET of each URL in turn, in one process over one connection.
pub(crate) fn curl_sequence(cfg: &Path, auth: &str, urls: &[String]) -> Result<Vec<String>> {
    let mut text = format!("header = \"{auth}\"\nsilent\nshow-error\n");
    for url in urls {
        text.push_str(&format!("url = \"{url}\"\noutput = \"/dev/null\"\n"));
    }
    std::fs::write(cfg, text).map_err(|e| e.to_string())?;
    Ok(vec!["curl".into(), "-K".into(), s(cfg)])
}

/// `cargo build --release` of a crate's examples and its `<crate>-emulator` binary (with its
/// `emulator` feature).
pub(crate) fn build_examples(package: &str, examples: &[&str]) -> Result {
    let mut cmd = crate::util::cargo();
    cmd.args([
        "build",
        "--release",
        "--quiet",
        "-p",
        package,
        "--features",
        "emulator,object-store",
    ]);
    for e in examples {
        if e.ends_with("-emulator") && *e != "core-emulator" {
            cmd.args(["--bin", e]);
        } else {
            cmd.args(["--example", e]);
        }
    }
    crate::util::run(&mut cmd)
}

/// The bench data folder's big file of `size` bytes and a fresh work folder `NAME-work`.
pub(crate) fn bench_files(name: &str, size: u64) -> Result<(PathBuf, PathBuf)> {
    let data = crate::util::root().join("target/bench-data");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let big = data_file(&data, size)?;
    let work = data.join(format!("{name}-work"));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    Ok((big, work))
}

/// What a bench example's `seed` printed: `{"big": id, "small": [ids]}`.
pub(crate) fn parse_seed(text: &str) -> Result<(String, Vec<String>)> {
    let ids: serde_json::Value =
        serde_json::from_str(text.trim()).map_err(|e| format!("seed: {e}"))?;
    let big = ids["big"].as_str().ok_or("no big id")?.to_owned();
    let small = ids["small"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    Ok((big, small))
}

/// A string field of the emulator's line.
pub(crate) fn field(info: &serde_json::Value, key: &str) -> Result<String> {
    info[key]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("the emulator's line has no {key}"))
}

/// The command line that runs `script` with the interop venv's Python (None when the venv
/// is not set up), to which a case appends its arguments.
pub(crate) fn interop_python(script: &Path) -> Result<Option<Vec<String>>> {
    Ok(crate::ci::interop_env()?
        .into_iter()
        .find(|(k, _)| k == "CLOUD_SDK_INTEROP_PYTHON")
        .map(|(_, python)| vec![python, s(script)]))
}

/// Strings from string slices, for command lines.
pub(crate) fn argv(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|x| x.to_string()).collect()
}

/// curl downloading every URL at once to /dev/null.
pub(crate) fn curl_parallel(auth: &str, urls: &[String]) -> Vec<String> {
    let mut argv: Vec<String> = [
        "curl",
        "-sS",
        "--no-progress-meter",
        "--parallel",
        "--parallel-max",
    ]
    .iter()
    .map(|x| x.to_string())
    .collect();
    argv.extend([urls.len().to_string(), "-H".into(), auth.into()]);
    for u in urls {
        argv.extend(["-o".into(), "/dev/null".into(), u.clone()]);
    }
    argv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_lines_give_rss_and_cpu() {
        assert_eq!(
            parse_time_line("1.52 40212 0.80 0.35"),
            (Some(40212), Some(0.80 + 0.35))
        );
        // A line `time` wrote before the format (a signal note) has no numbers.
        assert_eq!(
            parse_time_line("Command exited with non-zero status 1"),
            (None, None)
        );
        assert_eq!(parse_time_line("1.0 10"), (Some(10), None));
    }

    #[test]
    fn ratios_need_both_sides() {
        assert_eq!(ratio(Some(3.0), Some(2.0), 2), "1.50");
        assert_eq!(ratio(Some(3.0), None, 2), "n/a");
        assert_eq!(ratio(Some(3.0), Some(0.0), 1), "n/a");
    }

    /// Two crates' benches share case names: each row is compared with its own crate's
    /// curl (a run over several crates compared every crate with the first one's curl).
    #[test]
    fn ratios_stay_within_a_crate() {
        let row = |group: &str, tool: &str, wall: f64| Row {
            group: group.into(),
            case: "upload".into(),
            tool: tool.into(),
            wall: (wall, wall, wall),
            rss_mib: None,
            cpu: None,
            work: Work::Calls(1),
        };
        let rows = [
            row("acd", "curl", 4.0),
            row("acd", "acd (Rust)", 4.0),
            row("kloudless", "curl", 1.0),
            row("kloudless", "kloudless (Rust)", 1.2),
        ];
        let curl = peer(&rows, &rows[3], "curl").map(|c| c.wall.1);
        assert_eq!(ratio(Some(rows[3].wall.1), curl, 2), "1.20");
    }
}
