//! The release flow end to end, in `cargo xtask ci`: a local registry (crates.io's
//! `cargo-http-registry`, installed here) on 127.0.0.1; a clone of the repository released
//! to it twice (the second run publishes nothing); then, for each provider crate, a fresh
//! project outside the workspace, made by the `cargo add` lines of the crate's README (the
//! crate alone, from that registry), runs the README's first program and its `#[tokio::test]`
//! against the emulator; and `acd-emulator`, installed from that registry with `cargo install acd
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
    // A project of a user's per provider: the crate alone, added from the registry by its
    // README's own `cargo add` lines, running the README's first program and its test.
    for krate in crate::readme::PROVIDERS {
        user_project(base, &ws, krate, &registry, target, &names)?;
    }
    let app = base.join("user-acd");
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
    installed_emulator(&app, &registry, target, &version)?;
    drop(server);
    eprintln!("release e2e: 6 crates published to a local registry, none twice; for each of the 5 providers a project outside the workspace, made by its README's cargo add lines, ran the README's first program and its test; acd-emulator installed from it answered curl");
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

/// `<base>/user-<crate>`: an empty package, the README's `cargo add` lines run in it (the
/// crate's from the local registry), its first program as `examples/first.rs` and its test
/// as `tests/emulator.rs`, both run; the crate and cloud-core must come from the registry.
fn user_project(
    base: &Path,
    ws: &Path,
    krate: &str,
    registry: &Path,
    target: &Path,
    names: &[String],
) -> Result {
    let readme = crate::readme::Readme::read(ws, krate)?;
    let first = readme
        .first_example()
        .ok_or(format!("{krate}: no first program"))?;
    let test = readme
        .test_example()
        .ok_or(format!("{krate}: no test example"))?;
    let app = base.join(format!("user-{krate}"));
    for dir in ["src", "examples", "tests"] {
        std::fs::create_dir_all(app.join(dir)).map_err(|e| e.to_string())?;
    }
    let write = |p: &str, text: &str| std::fs::write(app.join(p), text).map_err(|e| e.to_string());
    write(
        "Cargo.toml",
        &format!(
            "[package]\nname = \"{krate}-user\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[workspace]\n"
        ),
    )?;
    write("src/main.rs", "fn main() {}\n")?;
    write("examples/first.rs", &first)?;
    write("tests/emulator.rs", &test)?;
    let cargo = || {
        let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        c.current_dir(&app);
        env(&mut c, registry, target);
        c
    };
    let install = readme
        .sections
        .iter()
        .find(|(h, _)| h == "Install")
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    for line in install.lines().filter(|l| l.starts_with("cargo add ")) {
        let words: Vec<&str> = line.split_whitespace().skip(2).collect();
        let mut c = cargo();
        c.args(["add", "--quiet"]).args(&words);
        if words.first() == Some(&krate) {
            c.args(["--registry", REGISTRY]);
        }
        run_cmd(&mut c).map_err(|e| format!("{krate}: `{line}`: {e}"))?;
    }
    crate::util::forget_extracted_packages(&app, names)?;
    let out = output(
        cargo()
            .args(["run", "--quiet", "--example", "first"])
            .stderr(Stdio::inherit()),
    )
    .map_err(|e| format!("{krate}: the README's first program: {e}"))?;
    print!("{out}");
    run_cmd(cargo().args(["test", "--quiet", "--test", "emulator"]))
        .map_err(|e| format!("{krate}: the README's test: {e}"))?;
    let lock = std::fs::read_to_string(app.join("Cargo.lock")).map_err(|e| e.to_string())?;
    for name in [krate, "cloud-core"] {
        let entry = lock
            .split("[[package]]")
            .find(|p| p.contains(&format!("name = \"{name}\"\n")));
        if !entry.is_some_and(|p| p.contains("source = \"registry+file://")) {
            return Err(format!(
                "{name} did not come from the local registry: {entry:?}"
            ));
        }
    }
    Ok(())
}
