//! What a crate must satisfy before it is published.

use std::path::Path;

use super::workspace::{DepKind, Krate, Workspace};

/// The only files a published crate may hold (cargo adds its own manifest files).
pub fn allowed(path: &str) -> bool {
    path.starts_with("src/")
        || matches!(
            path,
            "README.md"
                | "CHANGELOG.md"
                | "LICENSE-MIT"
                | "LICENSE-APACHE"
                | "Cargo.toml"
                | "Cargo.toml.orig"
                | "Cargo.lock"
                | ".cargo_vcs_info.json"
        )
}

/// Problems with a `cargo package --list` of a crate: files outside the allow-list, or a
/// required file missing.
pub fn check_package_list(name: &str, list: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let bad: Vec<&str> = list.lines().filter(|l| !allowed(l)).collect();
    if !bad.is_empty() {
        errors.push(format!("{name}: files outside the allow-list (src/, README.md, CHANGELOG.md, licences): {bad:?}; set `include`"));
    }
    for required in ["README.md", "CHANGELOG.md"] {
        if !list.lines().any(|l| l == required) {
            errors.push(format!("{name}: the package lacks {required}"));
        }
    }
    if !list.lines().any(|l| l.starts_with("LICENSE")) {
        errors.push(format!("{name}: the package holds no licence file"));
    }
    errors
}

/// Problems with a crate's metadata, files and internal dependencies.
pub fn check_crate(ws: &Workspace, k: &Krate) -> Vec<String> {
    let mut errors = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            errors.push(format!("{}: no {what} in Cargo.toml", k.name));
        }
    };
    need(k.description.is_some(), "`description`");
    need(
        k.license.is_some() || k.license_file.is_some(),
        "`license` (or `license-file`)",
    );
    need(k.repository.is_some(), "`repository`");
    need(k.readme.is_some(), "`readme`");
    need(!k.keywords.is_empty(), "`keywords`");
    need(!k.categories.is_empty(), "`categories`");
    need(k.rust_version.is_some(), "`rust-version`");
    need(k.docs_rs, "`[package.metadata.docs.rs]`");
    if k.keywords.len() > 5 {
        errors.push(format!(
            "{}: {} keywords, crates.io takes at most 5",
            k.name,
            k.keywords.len()
        ));
    }
    let has_licence_file = std::fs::read_dir(&k.dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("LICENSE"));
    if !has_licence_file {
        errors.push(format!(
            "{}: no LICENSE* file in {}",
            k.name,
            k.dir.display()
        ));
    }
    for f in ["README.md", "CHANGELOG.md"] {
        if !k.dir.join(f).exists() {
            errors.push(format!("{}: no {f} in {}", k.name, k.dir.display()));
        }
    }
    if !manifest_has_include(&k.manifest) {
        errors.push(format!(
            "{}: no `include` in Cargo.toml (the package must hold only src/, README.md, CHANGELOG.md and licence files)",
            k.name
        ));
    }
    for d in k.deps.iter().filter(|d| ws.is_internal(d)) {
        match d.kind {
            DepKind::Dev if d.req != "*" => errors.push(format!(
                "{}: the dev-dependency on {} carries a version ({}); internal dev-dependencies are path-only",
                k.name, d.name, d.req
            )),
            DepKind::Normal | DepKind::Build if d.req == "*" => errors.push(format!(
                "{}: depends on {} by path without a version; internal dependencies need both `path` and `version`",
                k.name, d.name
            )),
            _ => {}
        }
        if d.kind != DepKind::Dev && ws.get(&d.name).is_some_and(|dep| !dep.publishable) {
            errors.push(format!(
                "{}: depends on {}, which is not published",
                k.name, d.name
            ));
        }
    }
    errors
}

fn manifest_has_include(manifest: &Path) -> bool {
    std::fs::read_to_string(manifest)
        .ok()
        .and_then(|t| t.parse::<toml_edit::DocumentMut>().ok())
        .is_some_and(|doc| doc.get("package").and_then(|p| p.get("include")).is_some())
}
