//! The provider READMEs, read the way a crates.io user reads them: the sections in the order
//! a user needs them, the `cargo add` lines the install section promises, code no wider than
//! a docs.rs page, and the two examples a user pastes into a project of their own (the release
//! e2e compiles and runs them outside the workspace, from the local registry).

use std::path::Path;

use crate::util::{root, Result};

/// The provider crates, each with a README that is its docs.rs front page.
pub const PROVIDERS: &[&str] = &[
    "verizon-pcs",
    "acd",
    "smartfile",
    "kloudless",
    "orange-cloud",
];

/// The widest code line allowed. rustdoc's code blocks show 97 columns without a scroll bar
/// in a 1280 px window (measured in Chromium on the built docs); 88 leaves room for a
/// narrower window and for docs.rs's own frame.
pub const MAX_CODE_COLUMNS: usize = 88;

/// The sections a README opens with, in this order, before any other.
const OPENING: &[&str] = &[
    "Install",
    "A first program, on the emulator",
    "On a real account",
    "The calls you will use most",
];

/// Sections that follow, in this order (others may sit between them), by how they begin.
const THEN: &[&str] = &[
    "As an `object_store::ObjectStore`",
    "Errors",
    "Retries and timeouts",
    "The emulator in your tests",
    "Every ",
    "Benchmarks",
];

/// A README cut at its `## ` headings (outside code fences).
pub struct Readme {
    /// The text before the first `## ` heading (the title and the sentence).
    pub head: String,
    /// Each section: its heading and its text (without the heading line).
    pub sections: Vec<(String, String)>,
}

impl Readme {
    /// Reads `<crate>/README.md` of the workspace at `ws`.
    pub fn read(ws: &Path, krate: &str) -> Result<Self> {
        let p = ws.join(krate).join("README.md");
        let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        Ok(Self::parse(&text))
    }

    /// Cuts `text` at its `## ` headings.
    pub fn parse(text: &str) -> Self {
        let (mut head, mut sections) = (String::new(), Vec::<(String, String)>::new());
        let mut fence = false;
        for line in text.lines() {
            if line.starts_with("```") {
                fence = !fence;
            }
            if !fence {
                if let Some(h) = line.strip_prefix("## ") {
                    sections.push((h.trim().to_owned(), String::new()));
                    continue;
                }
            }
            let into = match sections.last_mut() {
                Some((_, t)) => t,
                None => &mut head,
            };
            into.push_str(line);
            into.push('\n');
        }
        Self { head, sections }
    }

    fn section(&self, heading: &str) -> Option<&str> {
        self.sections
            .iter()
            .find(|(h, _)| h == heading)
            .map(|(_, t)| t.as_str())
    }

    /// The first ```` ```rust ```` block of the section `heading`, without its fences.
    pub fn rust_block(&self, heading: &str) -> Option<String> {
        code_blocks(self.section(heading)?)
            .into_iter()
            .find(|(lang, _)| lang == "rust" || lang.starts_with("rust,"))
            .map(|(_, code)| code)
    }

    /// The program of "A first program, on the emulator".
    pub fn first_example(&self) -> Option<String> {
        self.rust_block(OPENING[1])
    }

    /// The `#[tokio::test]` of "The emulator in your tests".
    pub fn test_example(&self) -> Option<String> {
        self.rust_block(THEN[3])
    }
}

/// Each fenced block of `text`: its info string and its code.
fn code_blocks(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut cur, line.strip_prefix("```")) {
            (None, Some(info)) => cur = Some((info.trim().to_owned(), String::new())),
            (Some(_), Some(_)) => out.extend(cur.take()),
            (Some((_, code)), None) => {
                code.push_str(line);
                code.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// The `cargo add` lines every provider's install section holds.
pub fn install_lines(krate: &str) -> [String; 3] {
    [
        format!("cargo add {krate}"),
        format!("cargo add {krate} --dev --features emulator"),
        "cargo add tokio --features macros,rt-multi-thread".to_owned(),
    ]
}

/// What is wrong with one README, as a user would find it.
pub fn problems(krate: &str, readme: &Readme) -> Vec<String> {
    let mut out = Vec::new();
    let headings: Vec<&str> = readme.sections.iter().map(|(h, _)| h.as_str()).collect();
    if !readme.head.starts_with(&format!("# {krate}\n")) {
        out.push(format!("does not open with `# {krate}`"));
    }
    if headings.len() < OPENING.len() || headings[..OPENING.len()] != *OPENING {
        out.push(format!(
            "opens with {:?}, not {OPENING:?}",
            &headings[..headings.len().min(OPENING.len())]
        ));
    }
    let mut at = 0;
    for want in THEN {
        let found = headings[at..].iter().position(|h| h.starts_with(want));
        match found {
            // The store section exists only where a store does; all five have one now.
            Some(i) => at += i + 1,
            None => out.push(format!("no section `{want}...` after the ones before it")),
        }
    }
    let install = readme.section(OPENING[0]).unwrap_or_default();
    for line in install_lines(krate) {
        if !install.lines().any(|l| l.trim() == line) {
            out.push(format!("the install section lacks `{line}`"));
        }
    }
    match readme.first_example() {
        Some(code) if code.contains("#[tokio::main]") && code.contains("emulator") => {}
        _ => out.push("the first program is not a `#[tokio::main]` program on the emulator".into()),
    }
    match readme.test_example() {
        Some(code) if code.contains("#[tokio::test]") && code.contains("faults()") => {}
        _ => out.push("the test section has no `#[tokio::test]` that injects a fault".into()),
    }
    if readme.rust_block(OPENING[2]).is_none() {
        out.push("the real-account section has no Rust example".into());
    }
    let all = format!(
        "{}{}",
        readme.head,
        readme
            .sections
            .iter()
            .map(|(h, t)| format!("## {h}\n{t}"))
            .collect::<String>()
    );
    for (_, code) in code_blocks(&all) {
        for line in code.lines() {
            if line.chars().count() > MAX_CODE_COLUMNS {
                out.push(format!(
                    "a code line wider than {MAX_CODE_COLUMNS} columns (a docs.rs page): {line}"
                ));
            }
        }
    }
    out
}

/// `cargo xtask ci`'s check of the five READMEs.
pub fn check() -> Result {
    let mut all = Vec::new();
    for krate in PROVIDERS {
        let readme = Readme::read(&root(), krate)?;
        all.extend(
            problems(krate, &readme)
                .into_iter()
                .map(|p| format!("{krate}/README.md: {p}")),
        );
    }
    if all.is_empty() {
        eprintln!(
            "readme: {} READMEs open in a user's order, their code fits a docs.rs page",
            PROVIDERS.len()
        );
        Ok(())
    } else {
        Err(all.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_readme_passes() {
        for krate in PROVIDERS {
            let r = Readme::read(&root(), krate).unwrap();
            assert_eq!(problems(krate, &r), Vec::<String>::new(), "{krate}");
        }
    }

    #[test]
    fn a_readme_out_of_order_or_too_wide_is_named() {
        let text = "# x\n\nA sentence.\n\n## A first program, on the emulator\n\n```rust\nfn main() {}\n```\n\n## Install\n\n```sh\ncargo add x\n```\n\n## Errors\n\n```rust\nlet a_very_long_line = \"................................................................................\";\n```\n";
        let p = problems("x", &Readme::parse(text));
        let has = |s: &str| p.iter().any(|x| x.contains(s));
        assert!(has("opens with"), "{p:?}");
        assert!(has("--dev --features emulator"), "{p:?}");
        assert!(has("not a `#[tokio::main]`"), "{p:?}");
        assert!(has("no section `The emulator in your tests"), "{p:?}");
        assert!(has("wider than 88"), "{p:?}");
    }

    #[test]
    fn a_heading_inside_a_code_block_is_code() {
        let r = Readme::parse("# x\n## Install\n```sh\n## not a heading\n```\n## Errors\n");
        let h: Vec<&str> = r.sections.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(h, ["Install", "Errors"]);
        assert!(r.sections[0].1.contains("## not a heading"));
    }
}
