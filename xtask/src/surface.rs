//! `cargo xtask surface [CRATE...] [--write] [--no-doc]`: every public symbol of each
//! original, mapped to this workspace's Rust or excused.
//!
//! Each provider crate has a `surface.toml`:
//! - `[original]`: where the Python surface comes from. `modules` are introspected by
//!   `xtask/python/surface.py` with the interop environment's Python (`python` names the
//!   variable holding it, `pythonpath` the one holding its `PYTHONPATH`, as the `interop-env`
//!   step sets them); or `spec`, a path from the workspace root to the specification whose
//!   tables list the calls (verizon-pcs: the SDK was never published). `strip` is the prefix
//!   the tables leave out.
//! - `[symbols]`: one entry per Python symbol: `rust` (a path from the crate root, or a list
//!   of them) with an optional `note` (a parameter that became an options field, a changed
//!   type), `not-mirrored` with the reason, or `missing` with what is not built yet (listed
//!   as open work in the tables and in the coverage line, not a failure).
//!
//! The check fails on a Python symbol without an entry, an entry without a Python symbol, an
//! entry with neither `rust` nor `not-mirrored`, and generated files that differ from what
//! `surface.toml` gives. It generates two files per crate (`--write` writes them):
//! - `src/python_surface.md`, the docs of the crate's `python_surface` module (built with the
//!   docs only, `#[cfg(doc)]`): the table with every Rust path as an intra-doc link, so that
//!   `cargo doc` (with `-D warnings`, as the `doc` step of CI runs it) fails on a mapped path
//!   that does not exist. Rustdoc resolves every kind of item (types, methods, fields,
//!   variants, constants), where a test naming each path would need type arguments for every
//!   generic method;
//! - the README's table between `<!-- surface:begin -->` and `<!-- surface:end -->`.
//!
//! Unless `--no-doc`, it then builds the checked crates' docs to resolve the paths (CI's
//! `surface` step passes `--no-doc`: its `doc` step does the same for the whole workspace).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Command;

use toml_edit::{DocumentMut, Item, Value};

use crate::ci::InteropEnv;
use crate::util::{cargo, members, output, root, run as run_cmd, Result};

const BEGIN: &str = "<!-- surface:begin -->";
const END: &str = "<!-- surface:end -->";

/// One symbol of an original.
#[derive(Debug, Clone, PartialEq)]
struct Symbol {
    name: String,
    kind: String,
    signature: String,
}

/// What `surface.toml` says of one symbol.
#[derive(Debug, Default, PartialEq)]
struct Entry {
    rust: Vec<String>,
    note: String,
    excused: Option<String>,
    missing: Option<String>,
}

/// One crate's check: coverage counts and the problems found.
#[derive(Debug, Default)]
struct Report {
    mapped: usize,
    excused: Vec<String>,
    missing: Vec<String>,
    problems: Vec<String>,
}

pub fn run(args: &[String]) -> Result {
    let mut write = false;
    let mut doc = true;
    let mut only = Vec::new();
    for a in args {
        match a.as_str() {
            "--write" => write = true,
            "--no-doc" => doc = false,
            s if s.starts_with("--") => return Err(format!("unknown argument {s}")),
            s => only.push(s.to_owned()),
        }
    }
    let env = crate::ci::interop_env()?;
    check(&only, write, &env)?;
    if doc {
        let mut c = cargo();
        c.args(["doc", "--no-deps", "--all-features"]);
        for name in checked_crates(&only)? {
            c.args(["-p", &name]);
        }
        run_cmd(c.env("RUSTDOCFLAGS", "-D warnings"))?;
        eprintln!("surface: every mapped Rust path resolves (cargo doc)");
    }
    Ok(())
}

fn checked_crates(only: &[String]) -> Result<Vec<String>> {
    Ok(members()?
        .into_iter()
        .filter(|(name, dir, _)| {
            dir.join("surface.toml").exists() && (only.is_empty() || only.contains(name))
        })
        .map(|(name, _, _)| name)
        .collect())
}

/// The check of `cargo xtask ci`'s `surface` step (the paths are resolved by its `doc` step).
pub fn check(only: &[String], write: bool, env: &InteropEnv) -> Result {
    let mut failed = Vec::new();
    let names = checked_crates(only)?;
    if names.is_empty() {
        return Err("no crate with a surface.toml matches".into());
    }
    for name in names {
        let dir = root().join(&name);
        let report = check_crate(&name, &dir, write, env)?;
        let total = report.mapped + report.excused.len() + report.missing.len();
        eprintln!(
            "surface {name}: {} of {total} symbols mapped, {} not mirrored, {} missing (open work){}",
            report.mapped,
            report.excused.len(),
            report.missing.len(),
            if report.problems.is_empty() {
                String::new()
            } else {
                format!(", {} problems", report.problems.len())
            }
        );
        for p in &report.problems {
            eprintln!("  {p}");
        }
        if !report.problems.is_empty() {
            failed.push(name);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("surface check failed for {}", failed.join(", ")))
    }
}

fn check_crate(name: &str, dir: &Path, write: bool, env: &InteropEnv) -> Result<Report> {
    let path = dir.join("surface.toml");
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: DocumentMut = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let original = doc
        .get("original")
        .and_then(Item::as_table_like)
        .ok_or_else(|| format!("{}: no [original] table", path.display()))?;
    let get = |k: &str| {
        original
            .get(k)
            .and_then(Item::as_str)
            .map(str::to_owned)
            .unwrap_or_default()
    };
    let strip = get("strip");
    let symbols = if !get("spec").is_empty() {
        let spec = root().join(get("spec"));
        let text = fs::read_to_string(&spec).map_err(|e| format!("{}: {e}", spec.display()))?;
        spec_symbols(&text)
    } else {
        let modules: Vec<String> = original
            .get("modules")
            .and_then(Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        python_symbols(&get("python"), &get("pythonpath"), &modules, env)?
    };
    let symbols: Vec<Symbol> = symbols
        .into_iter()
        .map(|s| Symbol {
            name: s
                .name
                .strip_prefix(strip.as_str())
                .unwrap_or(&s.name)
                .to_owned(),
            ..s
        })
        .collect();
    let entries = entries(&doc, &path)?;
    let mut report = Report::default();
    let known: BTreeSet<&str> = symbols.iter().map(|s| s.name.as_str()).collect();
    for s in &symbols {
        match entries.get(&s.name) {
            None => report.problems.push(format!(
                "unmapped: {} {}{} (add it to surface.toml: rust = \"...\" or not-mirrored = \"why\")",
                s.kind, s.name, s.signature
            )),
            Some(e) if e.excused.is_some() => report.excused.push(s.name.clone()),
            Some(e) if e.missing.is_some() => report.missing.push(s.name.clone()),
            Some(e) if e.rust.is_empty() => report
                .problems
                .push(format!("{}: neither rust nor not-mirrored", s.name)),
            Some(_) => report.mapped += 1,
        }
    }
    for k in entries.keys() {
        if !known.contains(k.as_str()) {
            report.problems.push(format!(
                "stale: surface.toml maps {k}, which the original does not have"
            ));
        }
    }
    let package = get("package");
    let crate_ident = name.replace('-', "_");
    let page = render(&symbols, &entries, &package, Links::Doc, &report);
    let table = render(&symbols, &entries, &package, Links::Plain, &report);
    let md_path = dir.join("src/python_surface.md");
    let readme_path = dir.join("README.md");
    let readme = fs::read_to_string(&readme_path).map_err(|e| e.to_string())?;
    let new_readme = replace_block(&readme, &table)
        .ok_or_else(|| format!("{}: no {BEGIN} ... {END} block", readme_path.display()))?;
    let old_page = fs::read_to_string(&md_path).unwrap_or_default();
    let page = format!(
        "The surface of the original (`{package}`), symbol by symbol, and where each lives in \
         `{crate_ident}`.\n\nGenerated by `cargo xtask surface --write` from the crate's \
         `surface.toml`: edit that file, not this page.\n\n{page}"
    );
    if write {
        fs::write(&md_path, &page).map_err(|e| e.to_string())?;
        fs::write(&readme_path, &new_readme).map_err(|e| e.to_string())?;
    } else {
        if old_page != page {
            report.problems.push(format!(
                "{} differs from surface.toml (run cargo xtask surface --write)",
                md_path.display()
            ));
        }
        if readme != new_readme {
            report.problems.push(format!(
                "{}'s table differs from surface.toml (run cargo xtask surface --write)",
                readme_path.display()
            ));
        }
    }
    Ok(report)
}

fn entries(doc: &DocumentMut, path: &Path) -> Result<BTreeMap<String, Entry>> {
    let mut out = BTreeMap::new();
    let Some(table) = doc.get("symbols").and_then(Item::as_table_like) else {
        return Ok(out);
    };
    for (k, v) in table.iter() {
        let bad = |what: &str| format!("{}: [symbols] {k}: {what}", path.display());
        let t = v
            .as_table_like()
            .ok_or_else(|| bad("not a table ({ rust = .. } or { not-mirrored = .. })"))?;
        let mut e = Entry::default();
        for (field, value) in t.iter() {
            let value = value
                .as_value()
                .ok_or_else(|| bad("a field is not a value"))?;
            match field {
                "rust" => e.rust = strings(value).ok_or_else(|| bad("rust: a string or a list"))?,
                "note" => e.note = value.as_str().ok_or_else(|| bad("note: a string"))?.into(),
                "not-mirrored" => {
                    let why = value.as_str().unwrap_or_default().trim();
                    if why.is_empty() {
                        return Err(bad("not-mirrored needs the reason"));
                    }
                    e.excused = Some(why.into());
                }
                "missing" => {
                    let what = value.as_str().unwrap_or_default().trim();
                    if what.is_empty() {
                        return Err(bad("missing needs what is missing"));
                    }
                    e.missing = Some(what.into());
                }
                other => return Err(bad(&format!("unknown field {other}"))),
            }
        }
        let states = [!e.rust.is_empty(), e.excused.is_some(), e.missing.is_some()];
        if states.iter().filter(|s| **s).count() > 1 {
            return Err(bad("one of rust, not-mirrored, missing"));
        }
        out.insert(k.to_owned(), e);
    }
    Ok(out)
}

fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.value().clone()]),
        Value::Array(a) => a.iter().map(|x| x.as_str().map(str::to_owned)).collect(),
        _ => None,
    }
}

fn python_symbols(
    python_var: &str,
    path_var: &str,
    modules: &[String],
    env: &InteropEnv,
) -> Result<Vec<Symbol>> {
    let lookup = |var: &str| {
        env.iter()
            .find(|(k, _)| k == var)
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var(var).ok())
    };
    let python = lookup(python_var).ok_or_else(|| {
        format!("{python_var} is not set: the interop environment has no Python for this original")
    })?;
    let mut cmd = Command::new(python);
    cmd.arg(root().join("xtask/python/surface.py"))
        .args(modules);
    if !path_var.is_empty() {
        if let Some(p) = lookup(path_var) {
            cmd.env("PYTHONPATH", p);
        }
    }
    let text = output(&mut cmd)?;
    let json: serde_json::Value =
        serde_json::from_str(text.trim()).map_err(|e| format!("surface.py: {e}"))?;
    let list = json["symbols"]
        .as_array()
        .ok_or("surface.py: no symbols list")?;
    Ok(list
        .iter()
        .map(|s| Symbol {
            name: s["name"].as_str().unwrap_or_default().into(),
            kind: s["kind"].as_str().unwrap_or_default().into(),
            signature: s["signature"].as_str().unwrap_or_default().into(),
        })
        .collect())
}

/// The calls a specification lists (verizon-pcs): the constructor heading `### 1.3
/// \`Cloud(...)\``, the methods of its table, the constants of section 1.2's table, the data
/// classes of 1.4's table with the methods of its last column, the error classes of 1.5's.
fn spec_symbols(text: &str) -> Vec<Symbol> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut class = String::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("### ") {
            section = h.split_whitespace().next().unwrap_or_default().to_owned();
            if section == "1.3" {
                if let Some(sig) = first_code(h) {
                    let (name, args) = split_call(&sig);
                    class = name.clone();
                    out.push(symbol(&name, "class", &args));
                }
            }
            continue;
        }
        if !line.starts_with("| `") {
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let first = first_code(cells.get(1).copied().unwrap_or_default()).unwrap_or_default();
        match section.as_str() {
            "1.2" => out.push(symbol(&format!("Env.{first}"), "constant", "")),
            "1.3" => {
                let (name, args) = split_call(&first);
                out.push(symbol(&format!("{class}.{name}"), "method", &args));
            }
            "1.4" => {
                let (name, args) = split_call(&first);
                out.push(symbol(&name, "class", &args));
                let methods = cells.get(cells.len().saturating_sub(2)).copied();
                for m in codes(methods.unwrap_or_default()) {
                    if let Some((call, _)) = m.split_once("()") {
                        if !call.contains('.') && !call.is_empty() {
                            out.push(symbol(&format!("{name}.{call}"), "method", "()"));
                        }
                    }
                }
            }
            "1.5" => {
                let class = cells.get(2).copied().unwrap_or_default();
                let class = first_code(class).unwrap_or_else(|| class.to_owned());
                if !class.is_empty() && !out.iter().any(|s| s.name == class) {
                    out.push(symbol(&class, "exception", ""));
                }
            }
            _ => {}
        }
    }
    out
}

fn symbol(name: &str, kind: &str, signature: &str) -> Symbol {
    Symbol {
        name: name.into(),
        kind: kind.into(),
        signature: signature.into(),
    }
}

fn codes(text: &str) -> Vec<String> {
    text.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_owned())
        .collect()
}

fn first_code(text: &str) -> Option<String> {
    codes(text).into_iter().next()
}

fn split_call(call: &str) -> (String, String) {
    match call.find('(') {
        Some(i) => (call[..i].to_owned(), call[i..].to_owned()),
        None => (call.to_owned(), String::new()),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Links {
    /// Intra-doc links (the `python_surface` page): rustdoc resolves every path.
    Doc,
    /// Code only (the README, read on GitHub and crates.io).
    Plain,
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn render(
    symbols: &[Symbol],
    entries: &BTreeMap<String, Entry>,
    package: &str,
    links: Links,
    report: &Report,
) -> String {
    let total = report.mapped + report.excused.len() + report.missing.len();
    let mut s = format!(
        "{} of {total} public symbols of `{package}` mapped, {} not mirrored (with the reasons), \
         {} not yet mirrored; checked by `cargo xtask surface`.\n\n| Python | Rust | Note |\n|---|---|---|\n",
        report.mapped,
        report.excused.len(),
        report.missing.len()
    );
    let mut excused = String::new();
    let mut missing = String::new();
    for sym in symbols {
        let Some(e) = entries.get(&sym.name) else {
            continue;
        };
        let python = cell(&format!("`{}{}`", sym.name, sym.signature));
        if let Some(why) = &e.excused {
            excused.push_str(&format!("| {python} | {} |\n", cell(why)));
            continue;
        }
        if let Some(what) = &e.missing {
            missing.push_str(&format!("| {python} | {} |\n", cell(what)));
            continue;
        }
        let rust: Vec<String> = e
            .rust
            .iter()
            .map(|p| match links {
                // A raw identifier (`r#move`) is linked by its name: `#` starts a fragment.
                Links::Doc => format!("[`{p}`](crate::{})", p.replace("r#", "")),
                Links::Plain => format!("`{p}`"),
            })
            .collect();
        s.push_str(&format!(
            "| {python} | {} | {} |\n",
            cell(&rust.join(", ")),
            cell(&e.note)
        ));
    }
    if !excused.is_empty() {
        s.push_str("\nNot mirrored:\n\n| Python | Why |\n|---|---|\n");
        s.push_str(&excused);
    }
    if !missing.is_empty() {
        s.push_str("\nNot yet mirrored (open work):\n\n| Python | What is missing |\n|---|---|\n");
        s.push_str(&missing);
    }
    s
}

fn replace_block(readme: &str, table: &str) -> Option<String> {
    let start = readme.find(BEGIN)? + BEGIN.len();
    let end = readme[start..].find(END)? + start;
    Some(format!("{}\n{}{}", &readme[..start], table, &readme[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_tables_give_the_calls() {
        let spec = "### 1.2 Constants\n| name | value |\n|---|---|\n| `api_url` | x |\n\
            ### 1.3 `Cloud(key, secret=None)` [S]\n| method | returns |\n|---|---|\n\
            | `token(auth_code)` | `Token` |\n### 1.4 Data\n| class | built | attrs | methods |\n\
            |---|---|---|---|\n| `CloudFile(cloud, json)` | x | `name` | `download_url()` → `cloud.download_url(self)`; `fullpath()` → x |\n\
            ### 1.5 Errors\n| message | class | raised by |\n|---|---|---|\n| `x` | CloudError | any |\n| `y` | CloudError | any |\n";
        let names: Vec<String> = spec_symbols(spec)
            .into_iter()
            .map(|s| format!("{} {}{}", s.kind, s.name, s.signature))
            .collect();
        assert_eq!(
            names,
            [
                "constant Env.api_url",
                "class Cloud(key, secret=None)",
                "method Cloud.token(auth_code)",
                "class CloudFile(cloud, json)",
                "method CloudFile.download_url()",
                "method CloudFile.fullpath()",
                "exception CloudError",
            ]
        );
    }

    #[test]
    fn the_readme_block_is_replaced_and_only_it() {
        let r = format!("a\n{BEGIN}\nold\n{END}\nb\n");
        assert_eq!(
            replace_block(&r, "new\n").as_deref(),
            Some(format!("a\n{BEGIN}\nnew\n{END}\nb\n").as_str())
        );
        assert_eq!(replace_block("no block", "x"), None);
    }

    #[test]
    fn entries_need_a_path_or_a_reason() {
        let p = Path::new("surface.toml");
        let doc: DocumentMut = "[symbols]\n\"a.b\" = { rust = [\"X::y\", \"X::z\"], note = \"n\" }\n\"a.c\" = { not-mirrored = \"why\" }\n".parse().unwrap();
        let e = entries(&doc, p).unwrap();
        assert_eq!(e["a.b"].rust, ["X::y", "X::z"]);
        assert_eq!(e["a.c"].excused.as_deref(), Some("why"));
        for bad in [
            "[symbols]\n\"a\" = { not-mirrored = \" \" }\n",
            "[symbols]\n\"a\" = { rust = \"X\", not-mirrored = \"why\" }\n",
            "[symbols]\n\"a\" = { rusty = \"X\" }\n",
        ] {
            let doc: DocumentMut = bad.parse().unwrap();
            assert!(entries(&doc, p).is_err(), "{bad}");
        }
    }
}
