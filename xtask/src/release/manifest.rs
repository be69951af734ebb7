//! Manifest edits that keep the files' layout (`toml_edit`): versions, requirements on a
//! bumped crate, and the `registry` key that publishing to a non-crates.io registry needs.

use std::path::{Path, PathBuf};

use toml_edit::{value, DocumentMut, Item, Table};

use super::version::Version;
use super::workspace::Workspace;
use crate::util::Result;

fn read(path: &Path) -> Result<DocumentMut> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.parse().map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, doc: &DocumentMut) -> Result {
    std::fs::write(path, doc.to_string()).map_err(|e| format!("{}: {e}", path.display()))
}

/// Sets `package.version` (replacing `version.workspace = true`).
pub fn set_version(manifest: &Path, v: &Version) -> Result {
    let mut doc = read(manifest)?;
    let pkg = doc
        .get_mut("package")
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| format!("{}: no [package]", manifest.display()))?;
    pkg.insert("version", value(v.to_string()));
    write(manifest, &doc)
}

/// The dependency tables of a manifest that can carry a version (not dev-dependencies).
fn dep_tables(doc: &mut DocumentMut) -> Vec<&mut dyn toml_edit::TableLike> {
    let mut out: Vec<&mut dyn toml_edit::TableLike> = Vec::new();
    let mut target: Option<&mut Table> = None;
    for (k, item) in doc.iter_mut() {
        match k.get() {
            "dependencies" | "build-dependencies" => {
                if let Some(t) = item.as_table_like_mut() {
                    out.push(t);
                }
            }
            "target" => target = item.as_table_mut(),
            _ => {}
        }
    }
    if let Some(t) = target {
        for (_, platform) in t.iter_mut() {
            if let Some(pt) = platform.as_table_like_mut() {
                for (k, item) in pt.iter_mut() {
                    if matches!(k.get(), "dependencies" | "build-dependencies") {
                        if let Some(t) = item.as_table_like_mut() {
                            out.push(t);
                        }
                    }
                }
            }
        }
    }
    out
}

/// Applies `f` to every entry for `dep` that carries its own fields (not `workspace = true`)
/// in the dependency tables of `manifest`, and in `[workspace.dependencies]` of the root
/// manifest; returns whether anything changed.
fn edit_dep(manifest: &Path, dep: &str, f: &dyn Fn(&mut dyn toml_edit::TableLike)) -> Result<bool> {
    let mut doc = read(manifest)?;
    let mut changed = false;
    for t in dep_tables(&mut doc) {
        if let Some(entry) = t.get_mut(dep).and_then(Item::as_table_like_mut) {
            if entry.get("workspace").and_then(Item::as_bool) != Some(true) {
                f(entry);
                changed = true;
            }
        }
    }
    if let Some(entry) = doc
        .get_mut("workspace")
        .and_then(|w| w.get_mut("dependencies"))
        .and_then(|d| d.get_mut(dep))
        .and_then(Item::as_table_like_mut)
    {
        f(entry);
        changed = true;
    }
    if changed {
        write(manifest, &doc)?;
    }
    Ok(changed)
}

/// Every manifest of the workspace: the root's and each crate's.
pub fn manifests(ws: &Workspace) -> Vec<PathBuf> {
    let mut out = vec![ws.root.join("Cargo.toml")];
    out.extend(
        ws.crates
            .iter()
            .map(|k| k.manifest.clone())
            .filter(|m| *m != ws.root.join("Cargo.toml")),
    );
    out
}

/// Rewrites the requirement on `dep` to `v` wherever one is written (dev-dependencies carry
/// none).
pub fn set_requirement(ws: &Workspace, dep: &str, v: &Version) -> Result<Vec<PathBuf>> {
    let mut changed = Vec::new();
    for m in manifests(ws) {
        let set = |e: &mut dyn toml_edit::TableLike| {
            if e.contains_key("version") {
                e.insert("version", value(v.to_string()));
            }
        };
        if edit_dep(&m, dep, &set)? {
            changed.push(m);
        }
    }
    Ok(changed)
}

/// The manifests as they were, written back when dropped.
pub struct Restore(Vec<(PathBuf, String)>);

impl Drop for Restore {
    fn drop(&mut self) {
        for (p, text) in &self.0 {
            if let Err(e) = std::fs::write(p, text) {
                eprintln!("xtask: could not restore {}: {e}", p.display());
            }
        }
    }
}

/// Adds `registry = <name>` to every internal non-dev dependency (cargo takes a dependency
/// without one for a crates.io crate, also when publishing elsewhere), until the returned
/// guard is dropped.
pub fn point_internal_deps_at(ws: &Workspace, registry: &str) -> Result<Restore> {
    let mut saved = Vec::new();
    for m in manifests(ws) {
        saved.push((
            m.clone(),
            std::fs::read_to_string(&m).map_err(|e| format!("{}: {e}", m.display()))?,
        ));
    }
    let guard = Restore(saved);
    for k in &ws.crates {
        for m in manifests(ws) {
            let set = |e: &mut dyn toml_edit::TableLike| {
                if e.contains_key("path") {
                    e.insert("registry", value(registry));
                }
            };
            edit_dep(&m, &k.name, &set)?;
        }
    }
    Ok(guard)
}
