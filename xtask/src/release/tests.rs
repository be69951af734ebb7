//! The release checks against temporary workspaces.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use super::version::{Bump, Version};
use super::workspace::Workspace;
use super::{check, ensure_clean, manifest, plan};

/// A workspace with `core` and `app` (depending on `core`), both publishable and complete.
struct Fixture {
    dir: tempfile::TempDir,
}

const CORE: &str = r#"[package]
name = "core-x"
version = "0.1.0"
edition = "2021"
description = "d"
license = "MIT"
repository = "https://example.org/r"
readme = "README.md"
keywords = ["k"]
categories = ["api-bindings"]
rust-version = "1.70"
include = ["src/**", "README.md", "CHANGELOG.md", "LICENSE-MIT"]

[package.metadata.docs.rs]
all-features = true
"#;

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let f = Fixture { dir };
        f.write("Cargo.toml", "[workspace]\nresolver = \"2\"\nmembers = [\"core-x\", \"app-x\"]\n\n[workspace.dependencies]\ncore-x = { path = \"core-x\", version = \"0.1.0\" }\n");
        for (name, extra) in [
            ("core-x", ""),
            ("app-x", "\n[dependencies]\ncore-x.workspace = true\n"),
        ] {
            f.write(
                &format!("{name}/Cargo.toml"),
                &(CORE.replace("core-x", name) + extra),
            );
            f.write(&format!("{name}/src/lib.rs"), "//! x\n");
            f.write(&format!("{name}/README.md"), "# x\n");
            f.write(&format!("{name}/LICENSE-MIT"), "MIT\n");
            f.write(
                &format!("{name}/CHANGELOG.md"),
                "# Changelog\n\n## 0.1.0 - 2026-01-01\n\n- first\n",
            );
        }
        git(f.path(), &["init", "-q"]);
        git(f.path(), &["add", "-A"]);
        git(
            f.path(),
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-qm",
                "i",
            ],
        );
        f
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let p = self.path().join(rel);
        let t = std::fs::read_to_string(&p).unwrap();
        assert!(t.contains(from), "{rel} lacks {from:?}");
        std::fs::write(p, t.replacen(from, to, 1)).unwrap();
    }

    fn ws(&self) -> Workspace {
        Workspace::load(self.path()).unwrap()
    }

    fn errors(&self, bump: Option<Bump>) -> String {
        let ws = self.ws();
        let names = ws.publish_order().unwrap();
        match plan(&ws, &names, bump, None) {
            Err(e) => e,
            Ok(p) => check(&ws, &p).join("\n"),
        }
    }
}

#[test]
fn a_complete_workspace_passes_and_orders_core_first() {
    let f = Fixture::new();
    assert_eq!(f.errors(None), "");
    assert_eq!(f.ws().publish_order().unwrap(), ["core-x", "app-x"]);
}

#[test]
fn a_missing_licence_is_named() {
    let f = Fixture::new();
    f.edit("app-x/Cargo.toml", "license = \"MIT\"\n", "");
    std::fs::remove_file(f.path().join("core-x/LICENSE-MIT")).unwrap();
    let e = f.errors(None);
    assert!(
        e.contains("app-x: no `license` (or `license-file`) in Cargo.toml"),
        "{e}"
    );
    assert!(e.contains("core-x: no LICENSE* file in"), "{e}");
}

#[test]
fn missing_metadata_is_named() {
    let f = Fixture::new();
    f.edit("core-x/Cargo.toml", "keywords = [\"k\"]\n", "");
    f.edit(
        "core-x/Cargo.toml",
        "[package.metadata.docs.rs]\nall-features = true\n",
        "",
    );
    f.edit(
        "core-x/Cargo.toml",
        "include = [\"src/**\", \"README.md\", \"CHANGELOG.md\", \"LICENSE-MIT\"]\n",
        "",
    );
    let e = f.errors(None);
    assert!(e.contains("core-x: no `keywords`"), "{e}");
    assert!(e.contains("core-x: no `[package.metadata.docs.rs]`"), "{e}");
    assert!(e.contains("core-x: no `include`"), "{e}");
}

#[test]
fn a_path_dependency_without_version_is_refused() {
    let f = Fixture::new();
    f.edit(
        "Cargo.toml",
        "core-x = { path = \"core-x\", version = \"0.1.0\" }",
        "core-x = { path = \"core-x\" }",
    );
    let e = f.errors(None);
    assert!(
        e.contains("app-x: depends on core-x by path without a version"),
        "{e}"
    );
}

#[test]
fn an_internal_dev_dependency_with_a_version_is_refused() {
    let f = Fixture::new();
    f.edit("app-x/Cargo.toml", "core-x.workspace = true\n", "core-x.workspace = true\n\n[dev-dependencies]\ncore-x = { path = \"../core-x\", version = \"0.1.0\" }\n");
    let e = f.errors(None);
    assert!(
        e.contains("app-x: the dev-dependency on core-x carries a version"),
        "{e}"
    );
}

#[test]
fn a_version_going_down_is_refused() {
    let f = Fixture::new();
    let ws = f.ws();
    let e = plan(
        &ws,
        &["core-x".into()],
        None,
        Some(&Version::parse("0.0.9").unwrap()),
    )
    .unwrap_err();
    assert!(
        e.contains("core-x: the version would go from 0.1.0 to 0.0.9; versions only go up"),
        "{e}"
    );
    let e = plan(
        &ws,
        &["core-x".into()],
        None,
        Some(&Version::parse("0.1.0").unwrap()),
    )
    .unwrap_err();
    assert!(e.contains("versions only go up"), "{e}");
    // Below the last release tag.
    git(f.path(), &["tag", "core-x-v0.3.0"]);
    let e = plan(&ws, &["core-x".into()], Some(Bump::Minor), None).unwrap_err();
    assert!(
        e.contains("core-x: 0.2.0 is below the last release (core-x-v0.3.0)"),
        "{e}"
    );
}

#[test]
fn a_missing_changelog_section_is_named() {
    let f = Fixture::new();
    let e = f.errors(Some(Bump::Patch));
    assert!(
        e.contains("core-x: CHANGELOG.md has no `## 0.1.1` section"),
        "{e}"
    );
    assert!(e.contains("--draft-changelog"), "{e}");
    f.write(
        "core-x/CHANGELOG.md",
        "# Changelog\n\n## 0.1.1 - 2026-02-01\n\n- fix\n",
    );
    let e = f.errors(Some(Bump::Patch));
    assert!(!e.contains("core-x: CHANGELOG"), "{e}");
}

fn git(dir: &Path, args: &[&str]) {
    assert!(Command::new("git")
        .current_dir(dir)
        .args(args)
        .status()
        .unwrap()
        .success());
}

#[test]
fn a_dirty_tree_is_refused() {
    let f = Fixture::new();
    ensure_clean(f.path()).unwrap();
    f.write("core-x/src/new.rs", "");
    let e = ensure_clean(f.path()).unwrap_err();
    assert!(
        e.contains("dirty") && e.contains("core-x/src/new.rs"),
        "{e}"
    );
}

#[test]
fn a_bump_rewrites_the_version_and_the_dependants_requirement() {
    let f = Fixture::new();
    let ws = f.ws();
    let v = Version::parse("0.2.0").unwrap();
    manifest::set_version(&ws.get("core-x").unwrap().manifest, &v).unwrap();
    manifest::set_requirement(&ws, "core-x", &v).unwrap();
    let ws = f.ws();
    assert_eq!(ws.get("core-x").unwrap().version, v);
    let req = &ws.get("app-x").unwrap().deps[0].req;
    assert_eq!(req, "^0.2.0");
    // The layout is kept.
    let root = std::fs::read_to_string(f.path().join("Cargo.toml")).unwrap();
    assert!(
        root.contains("core-x = { path = \"core-x\", version = \"0.2.0\" }"),
        "{root}"
    );
}

#[test]
fn internal_dependencies_point_at_the_registry_until_restored() {
    let f = Fixture::new();
    let ws = f.ws();
    let before = std::fs::read_to_string(f.path().join("Cargo.toml")).unwrap();
    {
        let _guard = manifest::point_internal_deps_at(&ws, "local").unwrap();
        let during = std::fs::read_to_string(f.path().join("Cargo.toml")).unwrap();
        assert!(during.contains("registry = \"local\""), "{during}");
    }
    assert_eq!(
        std::fs::read_to_string(f.path().join("Cargo.toml")).unwrap(),
        before
    );
}

#[test]
fn a_cycle_has_no_order() {
    let f = Fixture::new();
    f.edit(
        "core-x/Cargo.toml",
        "all-features = true\n",
        "all-features = true\n\n[dependencies]\napp-x = { path = \"../app-x\", version = \"0.1.0\" }\n",
    );
    let e = f.ws().publish_order().unwrap_err();
    assert!(e.contains("cycle"), "{e}");
}
