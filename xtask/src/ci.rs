//! `cargo xtask ci`: the whole CI, step by step.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::util::{cargo, members, output, root, run as run_cmd, Result};

/// Steps, in order.
const STEPS: &[&str] = &[
    "fmt",
    "clippy",
    "deny",
    "udeps",
    "features",
    "interop-env",
    "test",
    "doc",
    "package",
    "release-e2e",
];

/// Environment variables the interop tests read, set by the `interop-env` step.
pub type InteropEnv = Vec<(String, String)>;

pub fn run_step(step: &str, interop: &mut InteropEnv, totals: &mut Option<Counts>) -> Result {
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
        "deny" => deny(),
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
            let counts = run_tests(&mut c)?;
            *totals = Some(counts);
            Ok(())
        }
        "doc" => run_cmd(
            cargo()
                .args(["doc", "--workspace", "--no-deps", "--all-features"])
                .env("RUSTDOCFLAGS", "-D warnings"),
        ),
        "package" => package(),
        "release-e2e" => crate::release::e2e::run(),
        other => Err(format!("unknown step {other}")),
    }
}

/// cargo-deny 0.20.2 (installed into `target/tools` on first use) with `.ci/deny.toml`:
/// licences, bans and sources always; advisories when the RustSec database can be fetched
/// (it lives on GitHub, which a machine that reaches only package registries cannot get:
/// then the step says so and goes on rather than pass a check it did not make).
fn deny() -> Result {
    let tool = crate::util::installed_tool("cargo-deny", "0.20.2")?;
    let config = root().join(".ci/deny.toml");
    let deny = |args: &[&str]| {
        let mut c = Command::new(&tool);
        c.current_dir(root())
            .args(["deny", "--log-level", "error", "--config"])
            .arg(&config)
            .args(args);
        c
    };
    run_cmd(&mut deny(&["check", "licenses", "bans", "sources"]))?;
    let fetched = deny(&["fetch", "db"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if fetched {
        run_cmd(&mut deny(&["--offline", "check", "advisories"]))
    } else {
        eprintln!(
            "deny: the advisory database (github.com/rustsec/advisory-db) cannot be fetched \
             from here: advisories NOT checked"
        );
        Ok(())
    }
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
/// native-tls alone, and the emulator.
const FEATURE_SETS: &[&[&str]] = &[
    &["--no-default-features", "--features", "rustls"],
    &[],
    &["--no-default-features", "--features", "native-tls"],
    &["--features", "emulator"],
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
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--skip" => skip.push(it.next().map(String::as_str).ok_or("--skip needs a step")?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let mut interop = InteropEnv::new();
    let mut totals = None;
    let mut timings = Vec::new();
    for step in STEPS.iter().filter(|s| !skip.contains(s)) {
        eprintln!("\n=== xtask ci: {step} ===");
        let start = Instant::now();
        run_step(step, &mut interop, &mut totals)?;
        timings.push((step, start.elapsed()));
    }
    eprintln!("\n=== xtask ci: all steps passed ===");
    for (step, t) in timings {
        eprintln!("  {step:<12} {:>7.1}s", t.as_secs_f64());
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

/// Test counts summed over every `test result:` line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    passed: u64,
    failed: u64,
    ignored: u64,
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
