//! `cargo xtask ci`: the whole CI, step by step.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::util::{cargo, members, output, root, run as run_cmd, Result};

/// The variable that makes a missing interop environment a test failure (cloud-core's
/// `emulator::REQUIRE_INTEROP`).
const REQUIRE_INTEROP: &str = "CLOUD_SDK_REQUIRE_INTEROP";

/// Steps, in order.
const STEPS: &[&str] = &[
    "fmt",
    "clippy",
    "deny",
    "udeps",
    "features",
    "interop-env",
    "surface",
    "test",
    "mutants",
    "doc",
    "examples",
    "package",
    "release-e2e",
];

/// Environment variables the interop tests read, set by the `interop-env` step.
pub type InteropEnv = Vec<(String, String)>;

/// What the run promised and may leave out only when told (`--allow-skip NAME`).
const SKIPPABLE: &[&str] = &["interop", "advisories"];

/// What a run was allowed to skip, and what it did skip (with the reason).
#[derive(Debug, Default)]
pub struct Skips {
    allowed: Vec<String>,
    skipped: Vec<(String, String)>,
}

impl Skips {
    fn allows(&self, name: &str) -> bool {
        self.allowed.iter().any(|a| a == name)
    }

    /// Records a skip, or fails when it was not allowed.
    fn skip(&mut self, name: &str, why: &str) -> Result {
        if !self.allows(name) {
            return Err(format!(
                "{name} cannot be checked ({why}); pass --allow-skip {name} to accept that"
            ));
        }
        eprintln!("SKIPPED {name}: {why}");
        self.skipped.push((name.to_owned(), why.to_owned()));
        Ok(())
    }
}

pub fn run_step(
    step: &str,
    interop: &mut InteropEnv,
    totals: &mut Option<Counts>,
    skips: &mut Skips,
) -> Result {
    match step {
        "fmt" => run_cmd(cargo().args(["fmt", "--all", "--check"])),
        "clippy" => run_cmd(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ])),
        "deny" => deny(skips),
        "udeps" => udeps(),
        "features" => features(),
        "interop-env" => {
            *interop = interop_env()?;
            Ok(())
        }
        "test" => {
            let mut c = cargo();
            c.args(["test", "--workspace", "--all-features"]);
            c.envs(interop.iter().map(|(k, v)| (k, v)));
            let skip_interop = skips.skipped.iter().any(|(n, _)| n == "interop");
            if skip_interop {
                // The interop tests (named `interop_*`) are filtered out and counted as skipped.
                c.args(["--", "--skip", "interop_"]);
            } else {
                // A missing interop environment fails the interop tests instead of passing them.
                c.env(REQUIRE_INTEROP, "1");
            }
            let mut counts = run_tests(&mut c)?;
            if skip_interop {
                counts.ignored += counts.filtered;
            }
            *totals = Some(counts);
            Ok(())
        }
        // The READMEs are the provider crates' front pages: their order and width first.
        "doc" => crate::readme::check().and_then(|()| {
            run_cmd(
                cargo()
                    .args(["doc", "--workspace", "--no-deps", "--all-features"])
                    .env("RUSTDOCFLAGS", "-D warnings"),
            )
        }),
        "surface" => crate::surface::check(&[], false, interop),
        "mutants" => crate::mutants::run(&["--sample".to_owned()]),
        "examples" => crate::examples::run(true),
        "package" => package(),
        "release-e2e" => crate::release::e2e::run(),
        other => Err(format!("unknown step {other}")),
    }
}

/// cargo-deny 0.20.2 (installed into `target/tools` on first use) with `.ci/deny.toml`:
/// licences, bans and sources; then advisories, from the RustSec database fetched from GitHub
/// when it can be, else from the snapshot in `../shared/advisory-db` (or
/// `$ADVISORY_DB_SNAPSHOT`). With neither, the step fails unless `--allow-skip advisories`.
fn deny(skips: &mut Skips) -> Result {
    let tool = crate::util::installed_tool("cargo-deny", "0.20.2")?;
    let config = root().join(".ci/deny.toml");
    let deny = |config: &Path, args: &[&str]| {
        let mut c = Command::new(&tool);
        c.current_dir(root())
            .args(["deny", "--log-level", "error", "--config"])
            .arg(config)
            .args(args);
        c
    };
    run_cmd(&mut deny(
        &config,
        &["check", "licenses", "bans", "sources"],
    ))?;
    let fetched = deny(&config, &["fetch", "db"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if fetched {
        eprintln!("deny: advisories from the freshly fetched RustSec database");
        return run_cmd(&mut deny(&config, &["--offline", "check", "advisories"]));
    }
    match advisory_snapshot()? {
        Some((snapshot_config, described)) => {
            eprintln!("deny: advisories from {described}");
            run_cmd(&mut deny(
                &snapshot_config,
                &["--offline", "check", "advisories"],
            ))
        }
        None => skips.skip(
            "advisories",
            "the RustSec database cannot be fetched and no snapshot was found",
        ),
    }
}

/// The RustSec snapshot laid beside the project (`../shared/advisory-db`, data files only),
/// made into the git checkout cargo-deny reads (`target/advisory-db`, one commit dated as
/// the snapshot), and a copy of `.ci/deny.toml` pointing at it. `None` without a snapshot.
fn advisory_snapshot() -> Result<Option<(PathBuf, String)>> {
    let source = std::env::var_os("ADVISORY_DB_SNAPSHOT")
        .map(PathBuf::from)
        .or_else(|| root().parent().map(|p| p.join("shared/advisory-db")))
        .filter(|p| p.join("crates").is_dir());
    let Some(source) = source else {
        return Ok(None);
    };
    let stamp = std::fs::read_to_string(source.join("SNAPSHOT")).unwrap_or_default();
    // The snapshot's date, `(YYYY-MM-DD)` in its SNAPSHOT file.
    let date = stamp
        .split(['(', ')'])
        .find(|p| p.len() == 10 && p.as_bytes().get(4) == Some(&b'-'))
        .unwrap_or("1970-01-01")
        .to_owned();
    let db_root = root().join("target/advisory-db");
    // cargo-deny's folder name for the default database URL.
    let db = db_root.join("advisory-db-3157b0e258782691");
    let _ = std::fs::remove_dir_all(&db);
    std::fs::create_dir_all(&db).map_err(|e| format!("{}: {e}", db.display()))?;
    run_cmd(Command::new("cp").arg("-R").arg(source.join(".")).arg(&db))?;
    let git = |args: &[&str]| {
        let mut c = Command::new("git");
        c.current_dir(&db)
            .args([
                "-c",
                "user.name=snapshot",
                "-c",
                "user.email=snapshot@localhost",
            ])
            .args(args)
            .env("GIT_AUTHOR_DATE", format!("{date}T00:00:00Z"))
            .env("GIT_COMMITTER_DATE", format!("{date}T00:00:00Z"))
            .stdout(std::process::Stdio::null());
        c
    };
    run_cmd(&mut git(&["init", "-q"]))?;
    run_cmd(&mut git(&["add", "-A"]))?;
    run_cmd(&mut git(&[
        "commit",
        "-q",
        "-m",
        "RustSec advisory-db snapshot",
    ]))?;
    let base = std::fs::read_to_string(root().join(".ci/deny.toml"))
        .map_err(|e| format!(".ci/deny.toml: {e}"))?;
    let with_db = base.replacen(
        "[advisories]",
        &format!(
            "[advisories]\ndb-path = {:?}\ndb-urls = [\"https://github.com/rustsec/advisory-db\"]",
            db_root.display().to_string()
        ),
        1,
    );
    let config = db_root.join("deny.toml");
    std::fs::write(&config, with_db).map_err(|e| format!("{}: {e}", config.display()))?;
    Ok(Some((
        config,
        format!("the snapshot in {} ({date})", source.display()),
    )))
}

/// cargo-machete 0.9.2 (installed into `target/tools` on first use): fails on a dependency
/// that no crate's code uses (`[package.metadata.cargo-machete] ignored` lists the ones used
/// under another library name).
fn udeps() -> Result {
    let tool = crate::util::installed_tool("cargo-machete", "0.9.2")?;
    run_cmd(Command::new(tool).current_dir(root()))
}

/// The feature combinations a user picks, each publishable crate on its own (so that one
/// crate's features cannot hide another's missing ones): rustls alone, the defaults,
/// native-tls alone, the emulator, and the object store (alone, without the emulator).
const FEATURE_SETS: &[&[&str]] = &[
    &["--no-default-features", "--features", "rustls"],
    &[],
    &["--no-default-features", "--features", "native-tls"],
    &["--features", "emulator"],
    &["--features", "object-store"],
];

fn features() -> Result {
    for (name, _, publishable) in crate::util::members()? {
        if !publishable {
            continue;
        }
        for set in FEATURE_SETS {
            run_cmd(cargo().args(["check", "--quiet", "-p", &name]).args(*set))?;
        }
    }
    Ok(())
}

pub fn run(args: &[String]) -> Result {
    // Keep a copy of this program before the test step rebuilds it (release-e2e runs it).
    crate::util::self_exe()?;
    let mut skip: Vec<&str> = Vec::new();
    let mut skips = Skips::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--skip" => {
                let step = it.next().map(String::as_str).ok_or("--skip needs a step")?;
                if !STEPS.contains(&step) {
                    return Err(format!("--skip takes one of {STEPS:?}, not {step}"));
                }
                skip.push(step);
            }
            "--allow-skip" => {
                let name = it.next().ok_or("--allow-skip needs a name")?;
                if !SKIPPABLE.contains(&name.as_str()) {
                    return Err(format!(
                        "--allow-skip takes one of {SKIPPABLE:?}, not {name}"
                    ));
                }
                skips.allowed.push(name.clone());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if skip.contains(&"interop-env") && skip.iter().all(|s| *s != "test") {
        skips.skip("interop", "the interop-env step was skipped")?;
    }
    if skip.contains(&"deny") {
        skips.skip("advisories", "the deny step was skipped")?;
    }
    // Incremental compilation only pays off when the same checkout is rebuilt after small
    // edits; in CI its caches took a third of the target folder's disk.
    if std::env::var_os("CARGO_INCREMENTAL").is_none() {
        std::env::set_var("CARGO_INCREMENTAL", "0");
    }
    disk_report("before");
    let mut interop = InteropEnv::new();
    let mut totals = None;
    let mut timings = Vec::new();
    for step in STEPS.iter().filter(|s| !skip.contains(s)) {
        eprintln!("\n=== xtask ci: {step} ===");
        let start = Instant::now();
        run_step(step, &mut interop, &mut totals, &mut skips)?;
        timings.push((step, start.elapsed()));
    }
    eprintln!("\n=== xtask ci: all steps passed ===");
    disk_report("after");
    for (step, t) in timings {
        eprintln!("  {step:<12} {:>7.1}s", t.as_secs_f64());
    }
    if !skips.skipped.is_empty() {
        let list: Vec<String> = skips
            .skipped
            .iter()
            .map(|(n, why)| format!("{n} ({why})"))
            .collect();
        eprintln!("skipped, as allowed: {}", list.join("; "));
    }
    if let Some(c) = totals {
        // One closing line for the whole run, after the steps that follow the tests.
        println!(
            "tests: {} passed, {} failed, {} skipped",
            c.passed, c.failed, c.ignored
        );
    }
    Ok(())
}

/// Prints the target folder's size and the free disk beside it (a CI machine's disk is small
/// and not always the same size: a run that fails for lack of space says how much it had).
fn disk_report(when: &str) {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let du = Command::new("du").arg("-sh").arg(&target).output();
    let size = du
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into());
    let df = Command::new("df")
        .args(["-h", "--output=avail"])
        .arg(target.parent().unwrap_or(&target))
        .output();
    let free = df
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().nth(1).map(|l| l.trim().to_owned()))
        .unwrap_or_else(|| "?".into());
    eprintln!("xtask ci: disk {when}: target {size}, {free} free");
}

/// Test counts summed over every `test result:` line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    passed: u64,
    failed: u64,
    ignored: u64,
    filtered: u64,
}

/// Adds one `test result: ok. 3 passed; 0 failed; 1 ignored; ...` line to the counts.
fn add_result_line(line: &str, counts: &mut Counts) {
    let Some(rest) = line.trim().strip_prefix("test result: ") else {
        return;
    };
    for part in rest.split(';') {
        let words: Vec<&str> = part.split_whitespace().collect();
        let n = words
            .iter()
            .rev()
            .nth(1)
            .and_then(|w| w.parse::<u64>().ok());
        match (n, words.last()) {
            (Some(n), Some(&"passed")) => counts.passed += n,
            (Some(n), Some(&"failed")) => counts.failed += n,
            (Some(n), Some(&"ignored")) => counts.ignored += n,
            _ if part.contains("filtered out") => {
                counts.filtered += words
                    .first()
                    .and_then(|w| w.parse::<u64>().ok())
                    .unwrap_or(0)
            }
            _ => {}
        }
    }
}

/// Runs `cargo test`, echoing its output, and sums its results.
fn run_tests(cmd: &mut Command) -> Result<Counts> {
    use std::io::{BufRead, BufReader};
    let shown = format!("{cmd:?}");
    eprintln!("$ {shown}");
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{shown}: {e}"))?;
    let mut counts = Counts::default();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            add_result_line(&line, &mut counts);
        }
    }
    let status = child.wait().map_err(|e| format!("{shown}: {e}"))?;
    if !status.success() {
        return Err(format!("{shown} failed ({status})"));
    }
    if counts.passed == 0 {
        return Err("cargo test ran no test".into());
    }
    Ok(counts)
}

/// The pinned requirements of every crate's interop tests (`<crate>/tests/interop/requirements.txt`).
fn requirement_files() -> Result<Vec<PathBuf>> {
    Ok(members()?
        .into_iter()
        .map(|(_, dir, _)| dir.join("tests/interop/requirements.txt"))
        .filter(|p| p.exists())
        .collect())
}

/// Prepares the interop tests' Python: `target/interop-venv` with every crate's pinned
/// requirements (its python in `CLOUD_SDK_INTEROP_PYTHON`), then each crate's own
/// `tests/interop/setup_env.py` (for originals that need more than a venv: it prints one JSON
/// line of variables to set).
pub(crate) fn interop_env() -> Result<InteropEnv> {
    let mut env = InteropEnv::new();
    let files = requirement_files()?;
    if !files.is_empty() {
        let venv = root().join("target/interop-venv");
        let python = venv.join("bin/python");
        if !python.exists() {
            run_cmd(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        }
        let mut pip = Command::new(&python);
        pip.args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ]);
        for f in &files {
            pip.arg("-r").arg(f);
        }
        run_cmd(&mut pip)?;
        env.push((
            "CLOUD_SDK_INTEROP_PYTHON".into(),
            python.display().to_string(),
        ));
    }
    for (name, dir, _) in members()? {
        let script = dir.join("tests/interop/setup_env.py");
        if !script.exists() {
            continue;
        }
        let work = root().join(format!("target/interop-{name}"));
        let text = output(Command::new("python3").arg(&script).arg(&work))?;
        let line = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("{}");
        let vars: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(line).map_err(|e| format!("{}: {e}: {line}", script.display()))?;
        for (k, v) in vars {
            env.push((k, v.as_str().unwrap_or_default().to_owned()));
        }
    }
    if env.is_empty() {
        eprintln!("no interop requirements: no Python environment needed");
    }
    Ok(env)
}

use crate::release::checks::allowed;

fn package() -> Result {
    let crates: Vec<(String, PathBuf, bool)> =
        members()?.into_iter().filter(|(_, _, p)| *p).collect();
    for (name, dir, _) in &crates {
        let list = output(cargo().args(["package", "--list", "--allow-dirty", "-p", name]))?;
        let bad: Vec<&str> = list.lines().filter(|l| !allowed(l)).collect();
        if !bad.is_empty() {
            return Err(format!("{name}: files outside the allow-list: {bad:?}"));
        }
        for required in ["README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE"] {
            if !list.lines().any(|l| l == required) || !Path::new(dir).join(required).exists() {
                return Err(format!("{name}: the package lacks {required}"));
            }
        }
        eprintln!("{name}: {} files, all allowed", list.lines().count());
    }
    // Build each crate from its packaged form, in dependency order (cargo resolves the
    // workspace's unpublished crates from the packages it just made). Cargo treats those as
    // immutable registry crates and would reuse a build of an older package of the same
    // version: start from nothing.
    let names: Vec<String> = members()?.into_iter().map(|(n, _, _)| n).collect();
    crate::util::forget_extracted_packages(&root(), &names)?;
    let mut c = cargo();
    c.args([
        "package",
        "--workspace",
        "--allow-dirty",
        "--exclude",
        "xtask",
    ]);
    // The packaged manifests carry no profile: build them as the workspace's `[profile.dev]`
    // builds its dependencies (no debug info), so that those builds are reused, not made again.
    c.env("CARGO_PROFILE_DEV_DEBUG", "false");
    run_cmd(&mut c)
}

#[cfg(test)]
mod tests {
    use crate::release::checks::allowed;

    #[test]
    fn result_lines_are_summed() {
        let mut c = super::Counts::default();
        super::add_result_line(
            "test result: ok. 23 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.05s",
            &mut c,
        );
        super::add_result_line("test result: FAILED. 1 passed; 3 failed; 0 ignored", &mut c);
        super::add_result_line("running 3 tests", &mut c);
        assert_eq!((c.passed, c.failed, c.ignored), (24, 3, 2));
        super::add_result_line(
            "test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 1 filtered out; finished in 0.00s",
            &mut c,
        );
        assert_eq!((c.passed, c.filtered), (24, 1));
    }

    #[test]
    fn a_skip_needs_its_allowance() {
        let mut s = super::Skips::default();
        assert!(s.skip("interop", "no python").is_err());
        s.allowed.push("interop".into());
        assert!(s.skip("interop", "no python").is_ok());
        assert_eq!(s.skipped.len(), 1);
    }

    #[test]
    fn allow_list() {
        assert!(allowed("src/lib.rs"));
        assert!(allowed("README.md"));
        assert!(!allowed("tests/wire.rs"));
        assert!(!allowed("examples/x.rs"));
        assert!(!allowed("src"));
    }
}
