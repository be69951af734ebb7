//! The release flow end to end, in `cargo xtask ci`: a local registry (crates.io's
//! `cargo-http-registry`, installed here) on 127.0.0.1; a clone of the repository released
//! to it twice (the second run publishes nothing); then a fresh project outside the
//! workspace that depends on `acd` alone from that registry runs acd's quickstart against
//! the emulator, and `acd-emulator`, installed from that registry with `cargo install acd
//! --features emulator`, answers `--help` and curl. Nothing goes to crates.io.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{output, root, run as run_cmd, Result};

/// The registry server's pinned version.
const TOOL_VERSION: &str = "0.1.8";
/// The registry's name in cargo's configuration.
const REGISTRY: &str = "xtask-e2e";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `target/tools/bin/cargo-http-registry`, installed when missing.
fn tool() -> Result<PathBuf> {
    crate::util::installed_tool("cargo-http-registry", TOOL_VERSION)
}

/// The environment that names the registry and shares one target folder between the runs.
fn env(c: &mut Command, registry: &Path, target: &Path) {
    c.env(
        format!(
            "CARGO_REGISTRIES_{}_INDEX",
            REGISTRY.to_uppercase().replace('-', "_")
        ),
        format!("file://{}", registry.display()),
    )
    .env(
        format!(
            "CARGO_REGISTRIES_{}_TOKEN",
            REGISTRY.to_uppercase().replace('-', "_")
        ),
        "e2e-token",
    )
    .env("CARGO_TARGET_DIR", target)
    // No debug info in these throwaway builds: disk is what a CI machine runs short of.
    .env("CARGO_PROFILE_DEV_DEBUG", "false");
}

/// Runs the release in `ws`; returns its closing `release: …` line.
fn release(ws: &Path, registry: &Path, target: &Path) -> Result<String> {
    let mut c = Command::new(crate::util::self_exe()?);
    c.args([
        "release",
        "--registry",
        REGISTRY,
        "--execute",
        "--workspace",
    ])
    .arg(ws);
    env(&mut c, registry, target);
    let text = output(c.stderr(Stdio::inherit()))?;
    text.lines()
        .rev()
        .find(|l| l.starts_with("release: "))
        .map(str::to_owned)
        .ok_or_else(|| format!("no summary line in {text:?}"))
}

pub fn run() -> Result {
    let base = root().join("target/release-e2e");
    let target = root().join("target/release-e2e-target");
    let result = run_in(&base, &target);
    // Its builds are of no use afterwards (about 1 GB): give the disk back, pass or fail.
    let _ = std::fs::remove_dir_all(&target);
    result
}

fn run_in(base: &Path, target: &Path) -> Result {
    let _ = std::fs::remove_dir_all(base);
    std::fs::create_dir_all(base).map_err(|e| e.to_string())?;
    let tool = tool()?;
    let registry = base.join("registry");
    let server = Server(
        Command::new(&tool)
            .arg(&registry)
            .args(["--addr", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", tool.display()))?,
    );
    let start = Instant::now();
    while !registry.join("config.json").exists() {
        if start.elapsed() > Duration::from_secs(30) {
            return Err("the registry server did not start".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    // A clean clone: what is committed is what gets released.
    let ws = base.join("ws");
    run_cmd(
        Command::new("git")
            .args(["clone", "--quiet"])
            .arg(root())
            .arg(&ws),
    )?;
    let first = release(&ws, &registry, target)?;
    if first != "release: 6 published, 0 already in the registry" {
        return Err(format!("first release: {first}"));
    }
    let second = release(&ws, &registry, target)?;
    if second != "release: 0 published, 6 already in the registry" {
        return Err(format!("second release published again: {second}"));
    }
    let tags = output(Command::new("git").current_dir(&ws).args(["tag", "--list"]))?;
    for name in [
        "cloud-core",
        "verizon-pcs",
        "acd",
        "smartfile",
        "kloudless",
        "orange-cloud",
    ] {
        if !tags.lines().any(|t| t.starts_with(&format!("{name}-v"))) {
            return Err(format!("no release tag for {name}: {tags}"));
        }
    }

    // A project of a user's: acd alone, from the registry, running acd's quickstart.
    let app = base.join("app");
    std::fs::create_dir_all(app.join("src")).map_err(|e| e.to_string())?;
    let version = output(
        Command::new("git")
            .current_dir(&ws)
            .args(["tag", "--list", "acd-v*"]),
    )?;
    let version = version
        .lines()
        .last()
        .and_then(|t| t.strip_prefix("acd-v"))
        .unwrap_or("0.1.0")
        .to_owned();
    std::fs::write(
        app.join("Cargo.toml"),
        format!(
            "[package]\nname = \"acd-user\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n\
             [dependencies]\nacd = {{ version = \"={version}\", registry = \"{REGISTRY}\", features = [\"emulator\"] }}\n\
             futures = \"0.3\"\ntempfile = \"3\"\ntokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"macros\"] }}\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    std::fs::copy(
        ws.join("acd/examples/acd-quickstart.rs"),
        app.join("src/main.rs"),
    )
    .map_err(|e| e.to_string())?;
    // The crates just published, not the ones an earlier run at this path left in cargo's
    // download cache.
    let names: Vec<String> = [
        "cloud-core",
        "verizon-pcs",
        "acd",
        "smartfile",
        "kloudless",
        "orange-cloud",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    crate::util::forget_extracted_packages(&app, &names)?;
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(&app).args(["run", "--quiet"]);
    env(&mut c, &registry, target);
    let out = output(c.stderr(Stdio::inherit()))?;
    print!("{out}");
    if !out.contains("1. quota") {
        return Err(format!("the quickstart did not run as expected:\n{out}"));
    }
    // acd and cloud-core came from the local registry, not from a path or crates.io.
    let lock = std::fs::read_to_string(app.join("Cargo.lock")).map_err(|e| e.to_string())?;
    for name in ["acd", "cloud-core"] {
        let entry = lock
            .split("[[package]]")
            .find(|p| p.contains(&format!("name = \"{name}\"\n")));
        if !entry.is_some_and(|p| p.contains("source = \"registry+file://")) {
            return Err(format!(
                "{name} did not come from the local registry: {entry:?}"
            ));
        }
    }
    installed_emulator(&app, &registry, target, &version)?;
    drop(server);
    eprintln!("release e2e: 6 crates published to a local registry, none twice; a project on acd alone ran its quickstart; acd-emulator installed from it answered curl");
    Ok(())
}

/// `cargo install acd --features emulator` from the registry (a debug build sharing the
/// project's target folder), then the program run with flags and driven with curl.
fn installed_emulator(app: &Path, registry: &Path, target: &Path, version: &str) -> Result {
    let root_dir = app.join("installed");
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(app)
        .args([
            "install",
            "--quiet",
            "--debug",
            "--registry",
            REGISTRY,
            "acd",
        ])
        .args([
            "--version",
            &format!("={version}"),
            "--features",
            "emulator",
            "--root",
        ])
        .arg(&root_dir);
    env(&mut c, registry, target);
    run_cmd(&mut c)?;
    let bin = root_dir.join("bin/acd-emulator");
    let help = output(Command::new(&bin).arg("--help"))?;
    if !help.contains("--seed-files") || !help.contains("metadata_url") {
        return Err(format!("acd-emulator --help:\n{help}"));
    }
    let mut cmd = Command::new(&bin);
    cmd.args(["--client-id", "e2e-client", "--seed-files", "2"]);
    let emu = crate::bench::start_emulator_with(cmd)?;
    if emu.info["client_id"] != "e2e-client" {
        return Err(format!("acd-emulator ignored --client-id: {}", emu.info));
    }
    let field = |k: &str| emu.info[k].as_str().unwrap_or_default().to_owned();
    let listing = output(Command::new("curl").args([
        "-sS",
        "--fail",
        "-H",
        &format!("Authorization: Bearer {}", field("access_token")),
        &format!("{}nodes?filters=kind:FOLDER", field("metadata_url")),
    ]))?;
    let v: serde_json::Value =
        serde_json::from_str(&listing).map_err(|e| format!("curl's answer: {e}: {listing}"))?;
    // The root and the two seeded folders.
    if v["count"] != 3 {
        return Err(format!("acd-emulator's folders: {listing}"));
    }
    Ok(())
}
