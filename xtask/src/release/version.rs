//! Versions (`MAJOR.MINOR.PATCH[-PRE]`) and bumps.

use std::cmp::Ordering;
use std::fmt;

use crate::util::Result;

/// A crate version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    /// The pre-release part (`alpha.1`), empty for a release.
    pub pre: String,
}

/// What `--bump` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "patch" => Ok(Bump::Patch),
            "minor" => Ok(Bump::Minor),
            "major" => Ok(Bump::Major),
            other => Err(format!("--bump takes patch, minor or major, not {other:?}")),
        }
    }
}

impl Version {
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || format!("{s:?} is not a version (MAJOR.MINOR.PATCH[-PRE])");
        let s = s.split('+').next().unwrap_or(s);
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) if !p.is_empty() => (c, p.to_owned()),
            Some(_) => return Err(bad()),
            None => (s, String::new()),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() != 3 {
            return Err(bad());
        }
        let num = |p: &str| -> Result<u64> {
            if p.is_empty() || (p.len() > 1 && p.starts_with('0')) {
                return Err(bad());
            }
            p.parse().map_err(|_| bad())
        };
        Ok(Version {
            major: num(parts[0])?,
            minor: num(parts[1])?,
            patch: num(parts[2])?,
            pre,
        })
    }

    /// The next version; a pre-release bumps to its release first (`1.2.0-rc.1` + patch =
    /// `1.2.0`).
    pub fn bump(&self, b: Bump) -> Version {
        let v = |major, minor, patch| Version {
            major,
            minor,
            patch,
            pre: String::new(),
        };
        if !self.pre.is_empty() {
            return v(self.major, self.minor, self.patch);
        }
        match b {
            Bump::Patch => v(self.major, self.minor, self.patch + 1),
            Bump::Minor => v(self.major, self.minor + 1, 0),
            Bump::Major => v(self.major + 1, 0, 0),
        }
    }
}

impl Ord for Version {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => cmp_pre(&self.pre, &o.pre),
            })
    }
}

/// Semver's pre-release order: identifiers compared in turn, numbers numerically and below
/// words, a shorter list first.
fn cmp_pre(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.split('.'), b.split('.'));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => p.cmp(q),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn parse_order_bump() {
        assert_eq!(v("1.2.3").to_string(), "1.2.3");
        assert!(Version::parse("1.2").is_err());
        assert!(Version::parse("01.2.3").is_err());
        assert!(Version::parse("1.2.3-").is_err());
        assert!(v("1.2.3") < v("1.2.4") && v("1.2.4") < v("1.3.0") && v("1.3.0") < v("2.0.0"));
        assert!(v("1.0.0-alpha") < v("1.0.0-alpha.1") && v("1.0.0-alpha.1") < v("1.0.0-beta"));
        assert!(v("1.0.0-rc.2") < v("1.0.0-rc.10") && v("1.0.0-rc.10") < v("1.0.0"));
        assert_eq!(v("0.1.0").bump(Bump::Patch), v("0.1.1"));
        assert_eq!(v("0.1.7").bump(Bump::Minor), v("0.2.0"));
        assert_eq!(v("0.9.1").bump(Bump::Major), v("1.0.0"));
        assert_eq!(v("2.0.0-rc.1").bump(Bump::Minor), v("2.0.0"));
        assert!(Bump::parse("huge").is_err());
    }
}
