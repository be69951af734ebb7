//! `cargo xtask release [CRATE...] [--bump patch|minor|major | --version X.Y.Z]
//! [--registry NAME] [--execute] [--draft-changelog]`: a dry run unless `--execute`.
//!
//! 1. Refuses a dirty tree.
//! 2. Checks each crate's metadata, files and internal dependencies ([`checks`]), and that
//!    `cargo package --list` holds only the allowed files.
//! 3. Orders the crates from `cargo metadata` (each after what it needs).
//! 4. Plans the versions (bumped ones only go up; dependants' requirements rewritten).
//! 5. Requires a `CHANGELOG.md` section for each version (`--draft-changelog` prints one
//!    drafted from the commits since the crate's last tag).
//! 6. Packages and verifies the crates not yet in the registry, in order.
//! 7. With `--execute`: writes and commits the bump, publishes in order (a version already in
//!    the registry counts as done, so a failed run resumes), waits for the index, backs off
//!    on rate limits, and tags `<crate>-v<version>`.

pub mod changelog;
pub mod checks;
pub mod e2e;
pub mod manifest;
pub mod publish;
pub mod version;
pub mod workspace;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{output, root, run as run_cmd, Result};
use version::{Bump, Version};
use workspace::Workspace;

/// The command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub crates: Vec<String>,
    pub bump: Option<Bump>,
    pub version: Option<Version>,
    pub registry: Option<String>,
    pub execute: bool,
    pub draft_changelog: bool,
    pub workspace: PathBuf,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut o = Options {
            workspace: root(),
            ..Options::default()
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut val = |what: &str| it.next().cloned().ok_or(format!("{a} needs {what}"));
            match a.as_str() {
                "--bump" => o.bump = Some(Bump::parse(&val("patch, minor or major")?)?),
                "--version" => o.version = Some(Version::parse(&val("a version")?)?),
                "--registry" => o.registry = Some(val("a registry name")?),
                "--workspace" => o.workspace = PathBuf::from(val("a folder")?),
                "--execute" => o.execute = true,
                "--draft-changelog" => o.draft_changelog = true,
                s if s.starts_with('-') => return Err(format!("unknown option {s}")),
                name => o.crates.push(name.to_owned()),
            }
        }
        if o.bump.is_some() && o.version.is_some() {
            return Err("--bump and --version exclude each other".into());
        }
        Ok(o)
    }
}

/// What a release came to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub published: Vec<String>,
    pub already: Vec<String>,
    /// Packaged but not published (a dry run).
    pub pending: Vec<String>,
}

pub fn run(args: &[String]) -> Result {
    let o = Options::parse(args)?;
    let s = release(&o)?;
    println!(
        "release: {} published, {} already in the registry{}",
        s.published.len(),
        s.already.len(),
        if o.execute {
            ""
        } else {
            " (dry run: nothing published)"
        }
    );
    Ok(())
}

/// Refuses uncommitted or untracked files.
pub fn ensure_clean(dir: &Path) -> Result {
    let status = output(
        Command::new("git")
            .current_dir(dir)
            .args(["status", "--porcelain"]),
    )?;
    if status.trim().is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the tree at {} is dirty; commit or stash first:\n{status}",
            dir.display()
        ))
    }
}

/// One crate's planned version.
#[derive(Debug, Clone)]
pub struct Planned {
    pub name: String,
    pub from: Version,
    pub to: Version,
}

/// The versions to release: bumped, given, or as they are. A version never goes down, nor
/// below the crate's last release tag.
pub fn plan(
    ws: &Workspace,
    names: &[String],
    bump: Option<Bump>,
    given: Option<&Version>,
) -> Result<Vec<Planned>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for n in names {
        let k = ws
            .get(n)
            .ok_or_else(|| format!("no crate {n} in the workspace"))?;
        let to = match (bump, given) {
            (Some(b), _) => k.version.bump(b),
            (None, Some(v)) => v.clone(),
            (None, None) => k.version.clone(),
        };
        if to < k.version || ((bump.is_some() || given.is_some()) && to == k.version) {
            errors.push(format!(
                "{n}: the version would go from {} to {to}; versions only go up",
                k.version
            ));
        }
        if let Some((tag, last)) = changelog::last_tag(&ws.root, n)? {
            if to < last {
                errors.push(format!("{n}: {to} is below the last release ({tag})"));
            }
        }
        out.push(Planned {
            name: n.clone(),
            from: k.version.clone(),
            to,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.join("\n"))
    }
}

/// Every problem that stops a release of `plan`: metadata, files, dependencies, changelogs.
pub fn check(ws: &Workspace, plan: &[Planned]) -> Vec<String> {
    let mut errors = Vec::new();
    for p in plan {
        let Some(k) = ws.get(&p.name) else { continue };
        errors.extend(checks::check_crate(ws, k));
        let text = std::fs::read_to_string(k.dir.join("CHANGELOG.md")).unwrap_or_default();
        if !changelog::has_section(&text, &p.to) {
            errors.push(format!(
                "{}: CHANGELOG.md has no `## {}` section (`cargo xtask release {} --draft-changelog` drafts one)",
                p.name, p.to, p.name
            ));
        } else if changelog::section_is_unreleased(&text, &p.to) {
            eprintln!(
                "xtask: warning: {}'s CHANGELOG section for {} still says unreleased",
                p.name, p.to
            );
        }
    }
    errors
}

fn today() -> String {
    output(Command::new("date").arg("+%Y-%m-%d"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

pub fn release(o: &Options) -> Result<Summary> {
    let dir = &o.workspace;
    ensure_clean(dir)?;
    let mut ws = Workspace::load(dir)?;
    let order = ws.publish_order()?;
    for c in &o.crates {
        if !order.contains(c) {
            return Err(format!(
                "{c} is not a publishable crate of this workspace ({order:?})"
            ));
        }
    }
    let names: Vec<String> = order
        .iter()
        .filter(|n| o.crates.is_empty() || o.crates.contains(n))
        .cloned()
        .collect();
    let plan = plan(&ws, &names, o.bump, o.version.as_ref())?;
    if o.draft_changelog {
        for p in &plan {
            if let Some(k) = ws.get(&p.name) {
                println!(
                    "{} ({}):\n{}",
                    p.name,
                    k.dir.join("CHANGELOG.md").display(),
                    changelog::draft(dir, &p.name, &k.dir, &p.to, &today())?
                );
            }
        }
        return Ok(Summary::default());
    }
    let errors = check(&ws, &plan);
    if !errors.is_empty() {
        return Err(format!("release checks failed:\n  {}", errors.join("\n  ")));
    }
    eprintln!(
        "release plan ({}):",
        o.registry.as_deref().unwrap_or("crates.io")
    );
    for p in &plan {
        eprintln!("  {:<14} {} -> {}", p.name, p.from, p.to);
    }

    // The bump: versions, the dependants' requirements, one commit.
    let bumped: Vec<&Planned> = plan.iter().filter(|p| p.to != p.from).collect();
    if !bumped.is_empty() {
        if !o.execute {
            eprintln!("(dry run: the bump is not written; packaging the tree as it is)");
        } else {
            for p in &bumped {
                if let Some(k) = ws.get(&p.name) {
                    manifest::set_version(&k.manifest, &p.to)?;
                }
                manifest::set_requirement(&ws, &p.name, &p.to)?;
            }
            // The lock file records the workspace's versions.
            run_cmd(
                Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                    .current_dir(dir)
                    .args(["update", "--workspace", "--offline", "-q"]),
            )?;
            let msg = format!(
                "release: {}",
                bumped
                    .iter()
                    .map(|p| format!("{} {}", p.name, p.to))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            run_cmd(
                Command::new("git")
                    .current_dir(dir)
                    .args(["commit", "-q", "-a", "-m", &msg]),
            )?;
            ws = Workspace::load(dir)?;
        }
    }

    // What the registry has already is done; the rest is packaged, then published.
    let registry = o.registry.as_deref();
    let mut todo = Vec::new();
    let mut summary = Summary::default();
    for p in &plan {
        if publish::exists(dir, registry, &p.name, &p.to)? {
            eprintln!("{} {} is already in the registry", p.name, p.to);
            summary.already.push(p.name.clone());
        } else {
            todo.push(p.clone());
        }
    }
    let _restore = match registry {
        Some(r) if r != "crates-io" => Some(manifest::point_internal_deps_at(&ws, r)?),
        _ => None,
    };
    if !todo.is_empty() {
        let all: Vec<String> = ws.crates.iter().map(|k| k.name.clone()).collect();
        package(dir, registry, &todo, &all)?;
    }
    if o.execute {
        for p in &todo {
            match publish::publish(dir, registry, &p.name, &p.to)? {
                publish::Outcome::Published => summary.published.push(p.name.clone()),
                publish::Outcome::AlreadyThere => summary.already.push(p.name.clone()),
            }
        }
        drop(_restore);
        for p in &plan {
            publish::tag(dir, &changelog::tag(&p.name, &p.to))?;
        }
    } else {
        summary.pending = todo.iter().map(|p| p.name.clone()).collect();
    }
    Ok(summary)
}

/// `cargo package --list` checked against the allow-list, then `cargo package` of the crates
/// in order (each verified by building its packaged form).
fn package(dir: &Path, registry: Option<&str>, todo: &[Planned], all: &[String]) -> Result {
    let cargo = || {
        let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        c.current_dir(dir);
        c
    };
    let mut errors = Vec::new();
    for p in todo {
        let list = output(cargo().args(["package", "--list", "--allow-dirty", "-p", &p.name]))?;
        errors.extend(checks::check_package_list(&p.name, &list));
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    crate::util::forget_extracted_packages(dir, all)?;
    let mut c = cargo();
    c.args(["package", "--allow-dirty"]);
    if let Some(r) = registry {
        c.args(["--registry", r]);
    }
    for p in todo {
        c.args(["-p", &p.name]);
    }
    run_cmd(&mut c)
}

#[cfg(test)]
mod tests;
