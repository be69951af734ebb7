//! `cargo xtask bench [harness] [--quick] [--json FILE]`.
//!
//! Each case runs as separate whole processes (so one case's runtime cannot skew another),
//! at least 5 times, under `/usr/bin/time` for wall time and peak RSS; the table shows
//! min/median/max and the ratio to curl on the same URL.
//!
//! Cases so far:
//! - `harness`: a 1 GiB synthetic body from the emulator harness (`core-emulator`), downloaded
//!   to a sink by curl and by cloud-core's resumable download stream (`core-download`). This
//!   shows the harness is never the bottleneck of a provider benchmark.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::util::{cargo, root, run as run_cmd, Result};

struct Sample {
    wall: f64,
    rss_kib: Option<u64>,
}

struct Emulator {
    child: Child,
    info: serde_json::Value,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_emulator(binary: &Path) -> Result<Emulator> {
    let mut child = Command::new(binary)
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
            .args(["-f", "%e %M", "-o"])
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
    let rss_kib = std::fs::read_to_string(&out)
        .ok()
        .and_then(|t| t.lines().last().map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()));
    let _ = std::fs::remove_file(&out);
    Ok(Sample { wall, rss_kib })
}

fn stats(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

struct Row {
    case: String,
    tool: String,
    wall: (f64, f64, f64),
    rss_mib: Option<f64>,
    bytes: u64,
}

fn run_case(case: &str, tool: &str, argv: &[String], runs: usize, bytes: u64) -> Result<Row> {
    let mut walls = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..runs {
        let s = measure(argv)?;
        walls.push(s.wall);
        if let Some(r) = s.rss_kib {
            rss.push(r as f64 / 1024.0);
        }
    }
    let rss_mib = (!rss.is_empty()).then(|| stats(&mut rss).1);
    Ok(Row {
        case: case.into(),
        tool: tool.into(),
        wall: stats(&mut walls),
        rss_mib,
        bytes,
    })
}

fn examples_dir() -> PathBuf {
    root().join("target/release/examples")
}

fn harness(quick: bool, runs: usize) -> Result<Vec<Row>> {
    run_cmd(cargo().args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "cloud-core",
        "--features",
        "emulator",
        "--example",
        "core-emulator",
        "--example",
        "core-download",
    ]))?;
    let emu = start_emulator(&examples_dir().join("core-emulator"))?;
    let base = emu.info["base_url"]
        .as_str()
        .ok_or("no base_url")?
        .to_owned();
    let size: u64 = if quick { 256 << 20 } else { 1 << 30 };
    let url = format!("{base}/synthetic/{size}");
    let curl = vec![
        "curl".to_owned(),
        "-sS".into(),
        "-o".into(),
        "/dev/null".into(),
        url.clone(),
    ];
    let ours = vec![
        examples_dir().join("core-download").display().to_string(),
        url,
    ];
    let case = format!("download {} MiB to a sink", size >> 20);
    Ok(vec![
        run_case(&case, "curl", &curl, runs, size)?,
        run_case(&case, "cloud-core", &ours, runs, size)?,
    ])
}

fn print(rows: &[Row]) {
    println!(
        "\n| case | client | wall min / median / max (s) | throughput (GB/s, median) | peak RSS (MiB) | × curl |"
    );
    println!("|---|---|---|---|---|---|");
    for r in rows {
        let curl = rows
            .iter()
            .find(|c| c.case == r.case && c.tool == "curl")
            .map(|c| c.wall.1);
        let ratio = curl.map_or("n/a".into(), |c| format!("{:.2}", r.wall.1 / c));
        println!(
            "| {} | {} | {:.3} / {:.3} / {:.3} | {:.2} | {} | {} |",
            r.case,
            r.tool,
            r.wall.0,
            r.wall.1,
            r.wall.2,
            r.bytes as f64 / r.wall.1 / 1e9,
            r.rss_mib.map_or("n/a".into(), |m| format!("{m:.1}")),
            ratio
        );
    }
}

fn to_json(rows: &[Row]) -> serde_json::Value {
    serde_json::Value::Array(
        rows.iter()
            .map(|r| {
                serde_json::json!({
                    "case": r.case, "client": r.tool,
                    "wall_s": {"min": r.wall.0, "median": r.wall.1, "max": r.wall.2},
                    "bytes": r.bytes, "peak_rss_mib": r.rss_mib,
                })
            })
            .collect(),
    )
}

pub fn run(args: &[String]) -> Result {
    let mut quick = false;
    let mut json = None;
    let mut cases = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--json" => json = Some(it.next().ok_or("--json needs a file")?.clone()),
            other => cases.push(other.to_owned()),
        }
    }
    if cases.is_empty() {
        cases.push("harness".into());
    }
    let runs = 5;
    let mut rows = Vec::new();
    for c in &cases {
        match c.as_str() {
            "harness" | "cloud-core" => rows.extend(harness(quick, runs)?),
            other => return Err(format!("no benchmark for {other} yet")),
        }
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
