//! A provider's error as an [`object_store::Error`], the provider's error kept as its source.

use crate::ErrorKind;

/// Maps a provider error of `kind` on `path` to the `object_store` error a caller matches on:
///
/// | kind | `object_store::Error` |
/// |---|---|
/// | `NotFound` | `NotFound` |
/// | `Conflict` | `AlreadyExists` |
/// | `PreconditionFailed` | `Precondition` |
/// | `Unauthorized` | `Unauthenticated` |
/// | `Forbidden` | `PermissionDenied` |
/// | anything else | `Generic` (with `store`) |
pub fn map_error(
    store: &'static str,
    kind: &ErrorKind,
    path: &str,
    source: impl std::error::Error + Send + Sync + 'static,
) -> object_store::Error {
    let path = path.to_owned();
    let source = Box::new(source);
    match kind {
        ErrorKind::NotFound => object_store::Error::NotFound { path, source },
        ErrorKind::Conflict => object_store::Error::AlreadyExists { path, source },
        ErrorKind::PreconditionFailed => object_store::Error::Precondition { path, source },
        ErrorKind::Unauthorized => object_store::Error::Unauthenticated { path, source },
        ErrorKind::Forbidden => object_store::Error::PermissionDenied { path, source },
        _ => object_store::Error::Generic { store, source },
    }
}

/// `NotFound` for `path`, with a message as its source.
pub fn not_found(path: &str, message: &str) -> object_store::Error {
    object_store::Error::NotFound {
        path: path.to_owned(),
        source: message.to_owned().into(),
    }
}

/// `AlreadyExists` for `path`, with a message as its source.
pub fn already_exists(path: &str, message: &str) -> object_store::Error {
    object_store::Error::AlreadyExists {
        path: path.to_owned(),
        source: message.to_owned().into(),
    }
}

/// `Generic` for `store`, with a message as its source.
pub fn generic(store: &'static str, message: impl Into<String>) -> object_store::Error {
    object_store::Error::Generic {
        store,
        source: message.into().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct P;

    impl std::fmt::Display for P {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("provider said no")
        }
    }

    impl std::error::Error for P {}

    #[test]
    fn kinds_map_to_the_errors_callers_match() {
        let m = |k: ErrorKind| map_error("S", &k, "a/b", P);
        assert!(
            matches!(m(ErrorKind::NotFound), object_store::Error::NotFound { ref path, .. } if path == "a/b")
        );
        assert!(matches!(
            m(ErrorKind::Conflict),
            object_store::Error::AlreadyExists { .. }
        ));
        assert!(matches!(
            m(ErrorKind::PreconditionFailed),
            object_store::Error::Precondition { .. }
        ));
        assert!(matches!(
            m(ErrorKind::Unauthorized),
            object_store::Error::Unauthenticated { .. }
        ));
        assert!(matches!(
            m(ErrorKind::Forbidden),
            object_store::Error::PermissionDenied { .. }
        ));
        let e = m(ErrorKind::Server);
        assert!(matches!(e, object_store::Error::Generic { store: "S", .. }));
        let source = std::error::Error::source(&e).map(|s| s.to_string());
        assert_eq!(source.as_deref(), Some("provider said no"));
    }
}
