//! Running commands from the workspace root.

use std::path::PathBuf;
use std::process::Command;

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (the parent of xtask's manifest folder).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The cargo binary running us.
pub fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

/// `target/tools/bin/<name>` (a cargo subcommand at a pinned version), installed there with
/// `--locked` when missing.
pub fn installed_tool(name: &str, version: &str) -> Result<PathBuf> {
    let tools = root().join("target/tools");
    let bin = tools.join("bin").join(name);
    if !bin.exists() {
        run(cargo()
            .args([
                "install",
                "--quiet",
                "--locked",
                name,
                "--version",
                version,
                "--root",
            ])
            .arg(&tools))?;
    }
    Ok(bin)
}

/// This program, at a path that stays valid while it runs: `cargo test --workspace` rebuilds
/// (and so replaces) `target/debug/xtask` in the middle of `cargo xtask ci`, so the first
/// call keeps a copy (in `target/xtask-self/`) for the later steps that run xtask again.
pub fn self_exe() -> Result<PathBuf> {
    static COPY: std::sync::OnceLock<Result<PathBuf>> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let exe = std::env::current_exe().map_err(|e| format!("this program's path: {e}"))?;
        let dir = root().join("target/xtask-self");
        // Earlier runs' copies go (a running program keeps its file open).
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let copy = dir.join(format!("xtask-{}", std::process::id()));
        std::fs::copy(&exe, &copy)
            .map_err(|e| format!("{} to {}: {e}", exe.display(), copy.display()))?;
        Ok(copy)
    })
    .clone()
}

/// Runs a command, inheriting stdio; an error if it fails.
pub fn run(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    eprintln!("$ {shown}");
    let status = cmd.status().map_err(|e| format!("{shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// Runs a command and returns its stdout.
pub fn output(cmd: &mut Command) -> Result<String> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| format!("{shown}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{shown} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("{shown}: {e}"))
}

/// The workspace's crates: (name, folder, publishable), from `cargo metadata`.
pub fn members() -> Result<Vec<(String, PathBuf, bool)>> {
    let text = output(cargo().args(["metadata", "--no-deps", "--format-version", "1"]))?;
    let meta: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for p in meta["packages"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().unwrap_or_default().to_owned();
        let dir = PathBuf::from(p["manifest_path"].as_str().unwrap_or_default())
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        // `publish = false` shows as an empty list.
        let publishable = !matches!(p["publish"].as_array(), Some(a) if a.is_empty());
        out.push((name, dir, publishable));
    }
    Ok(out)
}

/// Makes the next `cargo package` verify what the tree holds now. Cargo verifies in
/// `<target>/package`, and extracts the packages of this workspace that others depend on into
/// `$CARGO_HOME/registry/src/-<hash of the temporary registry's path>/`; taking registry
/// crates for immutable, it reuses what is there, so a crate changed since the last run at
/// the same path would be verified as it was. It keeps the downloaded `.crate` files the same
/// way (`registry/cache/-<hash>/`), which a project built from a local registry at the same
/// path would use instead of what was just published. Removes all three (only folders of
/// local registries holding a crate of `names`).
pub fn forget_extracted_packages(workspace: &std::path::Path, names: &[String]) -> Result {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    let _ = std::fs::remove_dir_all(target.join("package"));
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .ok_or("no CARGO_HOME or HOME")?;
    let dirs: Vec<_> = ["registry/src", "registry/cache"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(home.join(sub)).ok())
        .flat_map(|rd| rd.flatten())
        .collect();
    for d in dirs {
        let local = d.file_name().to_string_lossy().starts_with('-');
        let ours = std::fs::read_dir(d.path())
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                names.iter().any(|c| {
                    n.strip_prefix(c.as_str())
                        .is_some_and(|v| v.starts_with('-'))
                })
            });
        if local && ours {
            std::fs::remove_dir_all(d.path())
                .map_err(|e| format!("{}: {e}", d.path().display()))?;
        }
    }
    Ok(())
}
