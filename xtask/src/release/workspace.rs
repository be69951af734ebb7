//! The workspace as `cargo metadata` describes it: crates, versions, metadata, dependencies.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::version::Version;
use crate::util::{output, Result};

/// How a crate depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepKind {
    Normal,
    Build,
    Dev,
}

/// A dependency of a workspace crate.
#[derive(Debug, Clone)]
pub struct Dep {
    pub name: String,
    /// The version requirement (`*` when none was written).
    pub req: String,
    pub kind: DepKind,
    /// Set for a path dependency.
    pub path: Option<PathBuf>,
}

/// A workspace crate.
#[derive(Debug, Clone)]
pub struct Krate {
    pub name: String,
    pub version: Version,
    pub dir: PathBuf,
    pub manifest: PathBuf,
    pub publishable: bool,
    pub description: Option<String>,
    pub license: Option<String>,
    pub license_file: Option<String>,
    pub repository: Option<String>,
    pub readme: Option<String>,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    pub rust_version: Option<String>,
    pub docs_rs: bool,
    pub deps: Vec<Dep>,
}

/// The workspace.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub crates: Vec<Krate>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

fn opt(v: &Value) -> Option<String> {
    v.as_str()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
}

impl Workspace {
    /// Reads the workspace at `root` (`cargo metadata --no-deps`).
    pub fn load(root: &Path) -> Result<Self> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let text = output(Command::new(cargo).current_dir(root).args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ]))?;
        let meta: Value =
            serde_json::from_str(&text).map_err(|e| format!("cargo metadata: {e}"))?;
        Self::from_metadata(root, &meta)
    }

    pub fn from_metadata(root: &Path, meta: &Value) -> Result<Self> {
        let mut crates = Vec::new();
        for p in meta["packages"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap_or_default().to_owned();
            let manifest = PathBuf::from(p["manifest_path"].as_str().unwrap_or_default());
            let dir = manifest.parent().map(PathBuf::from).unwrap_or_default();
            let deps = p["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| Dep {
                    name: d["name"].as_str().unwrap_or_default().to_owned(),
                    req: d["req"].as_str().unwrap_or("*").to_owned(),
                    kind: match d["kind"].as_str() {
                        Some("dev") => DepKind::Dev,
                        Some("build") => DepKind::Build,
                        _ => DepKind::Normal,
                    },
                    path: d["path"].as_str().map(PathBuf::from),
                })
                .collect();
            crates.push(Krate {
                version: Version::parse(p["version"].as_str().unwrap_or_default())
                    .map_err(|e| format!("{name}: {e}"))?,
                // `publish = false` shows as an empty list.
                publishable: !matches!(p["publish"].as_array(), Some(a) if a.is_empty()),
                description: opt(&p["description"]),
                license: opt(&p["license"]),
                license_file: opt(&p["license_file"]),
                repository: opt(&p["repository"]),
                readme: opt(&p["readme"]),
                keywords: strings(&p["keywords"]),
                categories: strings(&p["categories"]),
                rust_version: opt(&p["rust_version"]),
                docs_rs: p["metadata"]["docs"]["rs"].is_object(),
                name,
                manifest,
                dir,
                deps,
            });
        }
        Ok(Workspace {
            root: root.to_owned(),
            crates,
        })
    }

    pub fn get(&self, name: &str) -> Option<&Krate> {
        self.crates.iter().find(|k| k.name == name)
    }

    pub fn publishable(&self) -> impl Iterator<Item = &Krate> {
        self.crates.iter().filter(|k| k.publishable)
    }

    /// True when `dep` is another crate of this workspace.
    pub fn is_internal(&self, dep: &Dep) -> bool {
        dep.path.is_some() && self.get(&dep.name).is_some()
    }

    /// The publish order: each crate after every workspace crate it needs to build
    /// (dev-dependencies do not count); ties by name, so the order is stable.
    pub fn publish_order(&self) -> Result<Vec<String>> {
        let mut left: Vec<&Krate> = self.publishable().collect();
        left.sort_by(|a, b| a.name.cmp(&b.name));
        let mut done: Vec<String> = Vec::new();
        while !left.is_empty() {
            let ready = left.iter().position(|k| {
                k.deps
                    .iter()
                    .filter(|d| d.kind != DepKind::Dev && self.is_internal(d))
                    .all(|d| done.contains(&d.name))
            });
            match ready {
                Some(i) => done.push(left.remove(i).name.clone()),
                None => {
                    let names: Vec<&str> = left.iter().map(|k| k.name.as_str()).collect();
                    return Err(format!(
                        "no publish order: a dependency cycle, or a publishable crate depends on an unpublishable one, among {names:?}"
                    ));
                }
            }
        }
        Ok(done)
    }
}
