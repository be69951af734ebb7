//! `cargo xtask mutants [CRATE...] [--changed REV] [--sample]`: mutation testing of the
//! decision code with cargo-mutants (installed into `target/tools` on first use).
//!
//! The decision code is a short list of files per crate ([`TARGETS`]): cloud-core's retry
//! decision, error classification, token cache and partial-file protocol, and each crate's
//! status-to-error mapping, paging and back-off. Each file's mutants are tested by the test
//! targets that exercise it (not the whole suite: the emulator behaviour tests would make one
//! mutant cost a minute). A mutant that no test catches fails the run unless
//! `.ci/mutants-survivors.txt` lists it (as `file: description  # why it cannot matter`).
//!
//! - no option: every decision file of the crates named (all crates when none is named);
//! - `--changed REV`: only the decision files that `git diff REV` touches;
//! - `--sample`: CI's bounded run: the mutants of cloud-core's retry decision
//!   (`RetryPolicy::decide`, `is_retryable_status`, `parse_retry_after`), the rule every crate's retries share.
//!
//! The tree is mutated in place (cargo-mutants `--in-place`, restored after each mutant), so
//! the builds reuse `target/`: run it on a clean checkout.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::util::{output, root, Result};

/// One crate's decision files and the test targets that check them.
struct Target {
    krate: &'static str,
    files: &'static [&'static str],
    tests: &'static [&'static str],
}

const TARGETS: &[Target] = &[
    Target {
        krate: "cloud-core",
        files: &[
            "cloud-core/src/retry.rs",
            "cloud-core/src/error.rs",
            "cloud-core/src/auth/token_cache.rs",
            "cloud-core/src/body/save.rs",
            "cloud-core/src/paging.rs",
        ],
        tests: &[
            "--lib",
            "--test",
            "wire",
            "--test",
            "token_refresh",
            "--test",
            "bodies",
            "--test",
            "http_options",
        ],
    },
    Target {
        krate: "acd",
        files: &["acd/src/error.rs", "acd/src/backoff.rs"],
        tests: &[
            "--lib", "--test", "wire", "--test", "errors", "--test", "retries",
        ],
    },
    Target {
        krate: "smartfile",
        files: &["smartfile/src/error.rs"],
        tests: &[
            "--lib", "--test", "wire", "--test", "errors", "--test", "retries",
        ],
    },
    Target {
        krate: "kloudless",
        files: &["kloudless/src/error.rs"],
        tests: &[
            "--lib", "--test", "wire", "--test", "errors", "--test", "retries",
        ],
    },
    Target {
        krate: "orange-cloud",
        files: &["orange-cloud/src/error.rs"],
        tests: &[
            "--lib", "--test", "wire", "--test", "errors", "--test", "retries",
        ],
    },
    Target {
        krate: "verizon-pcs",
        files: &["verizon-pcs/src/error.rs"],
        tests: &[
            "--lib",
            "--test",
            "wire",
            "--test",
            "spec_wire",
            "--test",
            "errors",
            "--test",
            "retries",
        ],
    },
];

/// CI's bounded sample: the shared retry decision.
const SAMPLE: (&str, &str, &str) = (
    "cloud-core",
    "cloud-core/src/retry.rs",
    "decide|is_retryable_status|parse_retry_after",
);

const SURVIVORS: &str = ".ci/mutants-survivors.txt";

/// A mutant's name without its `:line:column`, which moves with every edit above it.
fn stable_name(line: &str) -> String {
    let line = line.trim();
    let Some((file, rest)) = line.split_once(':') else {
        return line.to_owned();
    };
    // `file:LINE:COL: description`
    let mut parts = rest.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(l), Some(c), Some(desc))
            if l.chars().all(|ch| ch.is_ascii_digit())
                && c.chars().all(|ch| ch.is_ascii_digit()) =>
        {
            format!("{file}: {}", desc.trim())
        }
        _ => line.to_owned(),
    }
}

/// The survivors accepted in `.ci/mutants-survivors.txt`, by stable name.
fn accepted() -> Result<BTreeSet<String>> {
    let text = std::fs::read_to_string(root().join(SURVIVORS)).unwrap_or_default();
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, why)) = line.split_once("  # ") else {
            return Err(format!(
                "{SURVIVORS}: `{line}` gives no reason (`name  # why it cannot matter`)"
            ));
        };
        if why.trim().is_empty() {
            return Err(format!("{SURVIVORS}: `{line}` gives no reason"));
        }
        out.insert(stable_name(name));
    }
    Ok(out)
}

/// Runs cargo-mutants on `files` of `t` (optionally only functions matching `re`); returns
/// the missed mutants' stable names and a one-line summary.
fn run_one(
    tool: &Path,
    t: &Target,
    files: &[&str],
    re: Option<&str>,
) -> Result<(Vec<String>, String)> {
    let out_dir = root().join("target/mutants").join(t.krate);
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let mut c = Command::new(tool);
    c.current_dir(root())
        .args([
            "mutants",
            "--in-place",
            "--no-shuffle",
            "--package",
            t.krate,
        ])
        .arg("--output")
        .arg(&out_dir)
        // The test step has already shown the unmutated tree passes.
        .args([
            "--baseline",
            "skip",
            // A mutant's tests take about 6 s; an endless loop is caught in 30.
            "--timeout",
            "30",
            "--build-timeout",
            "300",
        ]);
    for f in files {
        c.args(["--file", f]);
    }
    if let Some(re) = re {
        c.args(["--re", re]);
    }
    c.args(["--", "--all-features"]).args(t.tests);
    let shown = format!("{c:?}");
    eprintln!("$ {shown}");
    // cargo-mutants exits 2 when mutants were missed, 3 on timeouts: read its lists instead.
    let status = c.status().map_err(|e| format!("{shown}: {e}"))?;
    let list = |name: &str| -> Vec<String> {
        std::fs::read_to_string(out_dir.join("mutants.out").join(name))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (caught, missed, timeout, unviable) = (
        list("caught.txt"),
        list("missed.txt"),
        list("timeout.txt"),
        list("unviable.txt"),
    );
    if !matches!(status.code(), Some(0 | 2 | 3)) {
        return Err(format!("{shown} failed ({status})"));
    }
    let summary = format!(
        "{}: {} mutants: {} caught, {} missed, {} timed out, {} unviable",
        t.krate,
        caught.len() + missed.len() + timeout.len() + unviable.len(),
        caught.len(),
        missed.len(),
        timeout.len(),
        unviable.len()
    );
    Ok((missed.iter().map(|m| stable_name(m)).collect(), summary))
}

pub fn run(args: &[String]) -> Result {
    let mut crates: Vec<String> = Vec::new();
    let mut changed: Option<String> = None;
    let mut sample = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--changed" => changed = Some(it.next().ok_or("--changed needs a revision")?.clone()),
            "--sample" => sample = true,
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            other => crates.push(other.to_owned()),
        }
    }
    for c in &crates {
        if !TARGETS.iter().any(|t| t.krate == c) {
            return Err(format!("no decision files listed for {c}"));
        }
    }
    let touched: Option<BTreeSet<String>> = match &changed {
        Some(rev) => Some(
            output(
                Command::new("git")
                    .current_dir(root())
                    .args(["diff", "--name-only", rev]),
            )?
            .lines()
            .map(str::to_owned)
            .collect(),
        ),
        None => None,
    };
    let accepted = accepted()?;
    let tool = crate::util::installed_tool("cargo-mutants", "26.2.0")?;
    let mut missed_all = Vec::new();
    let mut summaries = Vec::new();
    for t in TARGETS {
        if sample {
            if t.krate != SAMPLE.0 {
                continue;
            }
            let (missed, summary) = run_one(&tool, t, &[SAMPLE.1], Some(SAMPLE.2))?;
            missed_all.extend(missed);
            summaries.push(summary);
            continue;
        }
        if !crates.is_empty() && !crates.iter().any(|c| c == t.krate) {
            continue;
        }
        let files: Vec<&str> = t
            .files
            .iter()
            .copied()
            .filter(|f| touched.as_ref().is_none_or(|set| set.contains(*f)))
            .collect();
        if files.is_empty() {
            continue;
        }
        let (missed, summary) = run_one(&tool, t, &files, None)?;
        missed_all.extend(missed);
        summaries.push(summary);
    }
    for s in &summaries {
        eprintln!("mutants: {s}");
    }
    if summaries.is_empty() {
        eprintln!("mutants: no decision file to test");
    }
    let unexplained: Vec<&String> = missed_all
        .iter()
        .filter(|m| !accepted.contains(*m))
        .collect();
    if unexplained.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} mutants survived that {SURVIVORS} does not explain (kill each with a test, or list it with the reason it cannot matter):\n  {}",
        unexplained.len(),
        unexplained
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    ))
}

#[cfg(test)]
mod tests {
    use super::stable_name;

    #[test]
    fn names_drop_line_and_column() {
        assert_eq!(
            stable_name("cloud-core/src/retry.rs:180:9: replace RetryPolicy::backoff_for -> Duration with Default::default()"),
            "cloud-core/src/retry.rs: replace RetryPolicy::backoff_for -> Duration with Default::default()"
        );
        assert_eq!(
            stable_name("cloud-core/src/retry.rs: replace x with y"),
            "cloud-core/src/retry.rs: replace x with y"
        );
    }
}
