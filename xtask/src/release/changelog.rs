//! `CHANGELOG.md` sections: the check, and a draft from the commits since the last tag.

use std::path::Path;
use std::process::Command;

use super::version::Version;
use crate::util::{output, Result};

/// True when `text` has a `## <version>` heading (anything may follow: ` - 2026-11-23`).
pub fn has_section(text: &str, v: &Version) -> bool {
    let want = v.to_string();
    text.lines().any(|l| {
        l.strip_prefix("## ")
            .map(|rest| rest.trim_start_matches('[').trim_start())
            .and_then(|rest| rest.strip_prefix(want.as_str()))
            .is_some_and(|after| after.is_empty() || after.starts_with([' ', ']', '\t']))
    })
}

/// True when the section for `v` says it is unreleased (fine for a dry run, a warning at
/// release).
pub fn section_is_unreleased(text: &str, v: &Version) -> bool {
    let head = format!("## {v}");
    text.lines()
        .any(|l| l.starts_with(&head) && l.to_ascii_lowercase().contains("unreleased"))
}

/// The tag of a crate's release.
pub fn tag(name: &str, v: &Version) -> String {
    format!("{name}-v{v}")
}

/// The newest `<crate>-v*` tag, if any.
pub fn last_tag(root: &Path, name: &str) -> Result<Option<(String, Version)>> {
    let text = output(Command::new("git").current_dir(root).args([
        "tag",
        "--list",
        &format!("{name}-v*"),
    ]))?;
    Ok(text
        .lines()
        .filter_map(|t| {
            Version::parse(t.strip_prefix(&format!("{name}-v"))?)
                .ok()
                .map(|v| (t.to_owned(), v))
        })
        .max_by(|a, b| a.1.cmp(&b.1)))
}

/// A section drafted from the commit subjects touching `dir` since the crate's last tag.
pub fn draft(root: &Path, name: &str, dir: &Path, v: &Version, date: &str) -> Result<String> {
    let range = match last_tag(root, name)? {
        Some((t, _)) => format!("{t}..HEAD"),
        None => "HEAD".into(),
    };
    let log = output(
        Command::new("git")
            .current_dir(root)
            .args(["log", "--no-merges", "--format=%s", &range, "--"])
            .arg(dir),
    )?;
    let mut s = format!("## {v} - {date}\n\n");
    for subject in log.lines().filter(|l| !l.trim().is_empty()) {
        s.push_str(&format!("- {subject}\n"));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections() {
        let v = Version::parse("0.2.0").unwrap();
        let text = "# Changelog\n\n## 0.2.0 - 2026-11-23\n\n- x\n\n## 0.1.0 - unreleased\n";
        assert!(has_section(text, &v));
        assert!(!has_section(text, &Version::parse("0.2.1").unwrap()));
        assert!(!has_section("## 0.2.01\n", &v));
        assert!(has_section("## [0.2.0] - x\n", &v));
        assert!(!section_is_unreleased(text, &v));
        assert!(section_is_unreleased(
            text,
            &Version::parse("0.1.0").unwrap()
        ));
    }
}
