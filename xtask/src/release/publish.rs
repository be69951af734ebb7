//! Publishing: is a version in the registry, publish with back-off, wait for the index, tag.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::version::Version;
use crate::util::Result;

fn cargo(root: &Path) -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root);
    c
}

/// `--registry NAME`, when one was given.
fn registry_args(c: &mut Command, registry: Option<&str>) {
    if let Some(r) = registry {
        c.args(["--registry", r]);
    }
}

/// Whether the registry's index has `name@version` (`cargo info`, which reads the index; run
/// outside the workspace, where it would describe the local crate instead).
pub fn exists(_root: &Path, registry: Option<&str>, name: &str, v: &Version) -> Result<bool> {
    let mut c = cargo(&std::env::temp_dir());
    c.args(["info", &format!("{name}@{v}")]);
    registry_args(&mut c, registry);
    let out = c.output().map_err(|e| format!("cargo info: {e}"))?;
    if out.status.success() {
        return Ok(true);
    }
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("could not find") {
        Ok(false)
    } else {
        Err(format!("cargo info {name}@{v}: {err}"))
    }
}

/// The registry refused for now: back off and try again.
pub fn is_rate_limited(stderr: &str) -> bool {
    let s = stderr.to_ascii_lowercase();
    s.contains("429") || s.contains("too many requests") || s.contains("rate limit")
}

/// The registry already has this version (a race with another publisher, or a resumed run).
pub fn is_already_there(stderr: &str) -> bool {
    let s = stderr.to_ascii_lowercase();
    s.contains("already exists") || s.contains("already uploaded")
}

/// What publishing one crate came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Published,
    AlreadyThere,
}

/// Publishes one crate (already packaged and verified: `--no-verify`), backing off on rate
/// limits, then waits until the index shows it.
pub fn publish(root: &Path, registry: Option<&str>, name: &str, v: &Version) -> Result<Outcome> {
    if exists(root, registry, name, v)? {
        return Ok(Outcome::AlreadyThere);
    }
    let mut wait = Duration::from_secs(5);
    let mut tries = 0;
    loop {
        tries += 1;
        let mut c = cargo(root);
        c.args(["publish", "-p", name, "--no-verify", "--allow-dirty"]);
        registry_args(&mut c, registry);
        eprintln!("$ {c:?}");
        let out = c.output().map_err(|e| format!("cargo publish: {e}"))?;
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        eprint!("{err}");
        if out.status.success() {
            break;
        }
        if is_already_there(&err) {
            return Ok(Outcome::AlreadyThere);
        }
        if is_rate_limited(&err) && tries < 8 {
            eprintln!(
                "xtask: rate limited; trying {name} again in {}s",
                wait.as_secs()
            );
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(600));
            continue;
        }
        return Err(format!("publishing {name} {v} failed"));
    }
    let start = Instant::now();
    while !exists(root, registry, name, v)? {
        if start.elapsed() > Duration::from_secs(300) {
            return Err(format!(
                "{name} {v} was published but the index does not show it after 5 minutes"
            ));
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    Ok(Outcome::Published)
}

/// Tags `<crate>-v<version>` at HEAD, unless the tag exists.
pub fn tag(root: &Path, tag: &str) -> Result {
    let have = crate::util::output(
        Command::new("git")
            .current_dir(root)
            .args(["tag", "--list", tag]),
    )?;
    if have.trim() == tag {
        return Ok(());
    }
    crate::util::run(Command::new("git").current_dir(root).args(["tag", tag]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_answers() {
        assert!(is_rate_limited("error: failed to publish: the remote server responded with an error (status 429 Too Many Requests): You have published too many crates"));
        assert!(!is_rate_limited("error: failed to verify package tarball"));
        assert!(is_already_there(
            "error: crate acd@0.1.0 already exists on `e2e` index"
        ));
        assert!(is_already_there(
            "crate version `0.1.0` is already uploaded"
        ));
        assert!(!is_already_there(
            "no matching package named `cloud-core` found"
        ));
    }
}
