//! Path rules: how an [`object_store::path::Path`] becomes a provider's folder and file names
//! and back.
//!
//! A path's segments are the provider's names, exactly as the path holds them: `a/b%2Fc/x`
//! is the folder `a`, its folder `b%2Fc` (the literal name, percent sign included) and the
//! file `x`. So every path `object_store` accepts round-trips, `#`, `?`, `%`, `+`, spaces,
//! non-ASCII and emoji included. A name read from the provider that is not a valid path
//! segment (one holding `/`, a control character, or `.`/`..`) is listed percent-encoded, as
//! [`PathPart::from`] encodes it.

use object_store::path::{Path, PathPart};

/// The segments of `path` (none for the root).
pub fn segments(path: &Path) -> Vec<&str> {
    let s: &str = path.as_ref();
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(object_store::path::DELIMITER).collect()
    }
}

/// `base` with one more segment, the provider's `name`.
pub fn child(base: &Path, name: &str) -> Path {
    match PathPart::parse(name) {
        Ok(p) => base.clone().join(p),
        Err(_) => base.clone().join(PathPart::from(name)),
    }
}

/// A path of the given segments (each already a valid segment).
pub fn join(segments: &[&str]) -> Path {
    let mut p = Path::default();
    for s in segments {
        p = child(&p, s);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn awkward_names_round_trip() {
        for raw in [
            "a/b%2Fc/foo.file",
            "🙀/😀.parquet",
            "%48%45%4C%4C%4F/foo.parquet",
            "foo bar/I contain spaces.parquet",
            "🇦🇺/$shenanigans@@~.txt",
            "q?/h#/p+/%Q.parquet",
        ] {
            let path = Path::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            let segs = segments(&path);
            assert_eq!(segs.join("/"), raw);
            assert_eq!(join(&segs), path, "{raw}");
        }
        assert!(segments(&Path::default()).is_empty());
    }

    #[test]
    fn names_that_are_not_segments_are_encoded() {
        assert_eq!(child(&Path::default(), "a/b").as_ref(), "a%2Fb");
        assert_eq!(child(&Path::from("x"), "..").as_ref(), "x/%2E%2E");
        assert_eq!(child(&Path::default(), "ok name").as_ref(), "ok name");
    }
}
