//! The `examples` step of `cargo xtask ci`: every public client method has an example, and
//! the examples run.
//!
//! A method's example is a code block in its own documentation, or a call of it in the
//! crate's `examples/*.rs` or README (README blocks are doc-tested; docs.rs shows the calls
//! from `examples/` under each method, `-Zrustdoc-scrape-examples` in
//! `[package.metadata.docs.rs]`). Methods only built with the `emulator` feature (test hooks)
//! are left out, and so are deprecated ones. Then each crate's `<crate>-quickstart`,
//! `<crate>-tour` and `<crate>-store` (CSV and Parquet through its `ObjectStore`) examples run
//! against their embedded emulators.

use std::path::Path;

use crate::util::{cargo, root, run as run_cmd, Result};

/// The files holding each provider crate's client types.
const CLIENT_FILES: &[(&str, &[&str])] = &[
    (
        "verizon-pcs",
        &["client.rs", "fops.rs", "trash.rs", "upload.rs"],
    ),
    (
        "acd",
        &[
            "account.rs",
            "changes.rs",
            "client.rs",
            "content.rs",
            "metadata.rs",
            "trash.rs",
            "oauth.rs",
        ],
    ),
    ("smartfile", &["client.rs", "helpers.rs", "inherit.rs"]),
    (
        "kloudless",
        &["client.rs", "resources.rs", "application.rs"],
    ),
    ("orange-cloud", &["api.rs", "domains.rs", "redirect.rs"]),
];

/// `(name, documented with a code block, emulator-only)` of every `pub fn` in `text`.
fn public_fns(text: &str) -> Vec<(String, bool, bool)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let rest = t
            .strip_prefix("pub async fn ")
            .or_else(|| t.strip_prefix("pub fn "));
        let Some(rest) = rest else { continue };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '#')
            .collect();
        let name = name.trim_start_matches("r#").to_owned();
        let mut doc = Vec::new();
        let mut j = i;
        while j > 0 {
            j -= 1;
            let above = lines[j].trim_start();
            if above.starts_with("///") || above.starts_with("#[") {
                doc.push(above);
            } else {
                break;
            }
        }
        let example = doc.iter().any(|l| l.contains("```"));
        // Test hooks (feature `emulator`) and deprecated calls need no example.
        let emulator_only = doc.iter().any(|l| {
            (l.starts_with("#[cfg(") && l.contains("feature = \"emulator\""))
                || l.starts_with("#[deprecated")
        });
        out.push((name, example, emulator_only));
    }
    out
}

/// Whether `corpus` calls `name` (`.name(`, `name(`, `T::name::<`, or passes `T::name`).
fn called(corpus: &str, name: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    corpus.match_indices(name).any(|(at, _)| {
        let before = corpus[..at].chars().next_back();
        let before_word = corpus[..at].trim_end_matches(['#', 'r']);
        let after = &corpus[at + name.len()..];
        before.is_none_or(|c| !ident(c) || corpus[..at].ends_with("r#"))
            && !before_word.ends_with("fn ")
            && ["(", "::<", ")", ","].iter().any(|e| after.starts_with(e))
    })
}

/// The client methods of `krate` that have no example.
fn missing(krate: &str, files: &[&str]) -> Result<Vec<String>> {
    let dir = root().join(krate);
    let mut corpus = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
    for e in
        std::fs::read_dir(dir.join("examples")).map_err(|e| format!("{krate}/examples: {e}"))?
    {
        let p = e.map_err(|e| e.to_string())?.path();
        if p.extension().is_some_and(|x| x == "rs") {
            corpus.push_str(&std::fs::read_to_string(&p).map_err(|e| e.to_string())?);
        }
    }
    let mut out = Vec::new();
    for f in files {
        let path = dir.join("src").join(f);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (name, example, emulator_only) in public_fns(&text) {
            if !example && !emulator_only && !called(&corpus, &name) {
                out.push(format!("{krate}/src/{f}: {name}"));
            }
        }
    }
    Ok(out)
}

/// `cargo xtask examples [--no-run]`.
pub fn cli(args: &[String]) -> Result {
    match args {
        [] => run(true),
        [a] if a == "--no-run" => run(false),
        _ => Err("usage: cargo xtask examples [--no-run]".into()),
    }
}

pub fn run(execute: bool) -> Result {
    let mut all = Vec::new();
    for (krate, files) in CLIENT_FILES {
        all.extend(missing(krate, files)?);
    }
    if !all.is_empty() {
        return Err(format!(
            "{} public client methods have no example (a code block in their docs, or a call in the crate's examples/ or README):\n  {}",
            all.len(),
            all.join("\n  ")
        ));
    }
    eprintln!("examples: every public client method of the five crates has an example");
    if !execute {
        return Ok(());
    }
    for (krate, _) in CLIENT_FILES {
        for kind in ["quickstart", "tour", "store"] {
            let name = format!("{krate}-{kind}");
            if !Path::new(&root().join(krate).join(format!("examples/{name}.rs"))).exists() {
                return Err(format!("{krate} has no examples/{name}.rs"));
            }
            run_cmd(cargo().args([
                "run",
                "--quiet",
                "-p",
                krate,
                "--all-features",
                "--example",
                &name,
            ]))?;
        }
    }
    // The cross-provider copy through `dyn ObjectStore` alone.
    run_cmd(cargo().args([
        "run",
        "--quiet",
        "-p",
        "xtask",
        "--example",
        "cross-provider-copy",
    ]))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{called, public_fns};

    #[test]
    fn finds_methods_and_their_examples() {
        let src = "impl X {\n    /// Does a.\n    ///\n    /// ```\n    /// x.a();\n    /// ```\n    pub async fn a(&self) {}\n\n    /// Test hook.\n    #[cfg(feature = \"emulator\")]\n    pub fn hook(&self) {}\n\n    /// Moves.\n    pub async fn r#move(&self) {}\n}\n";
        assert_eq!(
            public_fns(src),
            [
                ("a".to_owned(), true, false),
                ("hook".to_owned(), false, true),
                ("move".to_owned(), false, false)
            ]
        );
        assert!(called("c.r#move(a)", "move"));
        assert!(called("x.get_quota().await", "get_quota"));
        assert!(called("Cloud::new(k)", "new"));
        assert!(!called("get_quota_x()", "get_quota"));
        assert!(!called("x.get_quota_x()", "get_quota"));
        assert!(called("let s = generate_state()?;", "generate_state"));
        assert!(!called("fn generate_state() {}", "generate_state"));
    }
}
