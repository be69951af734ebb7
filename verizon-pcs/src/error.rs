//! The SDK's exceptions (`thingspace.exceptions`) as one enum, and the one function that maps
//! a call's HTTP status to them.
//!
//! | Python | Rust |
//! |---|---|
//! | `CloudError` | [`Error::Cloud`] |
//! | `UnauthorizedError` | [`Error::Unauthorized`] |
//! | `NotFoundError` | [`Error::NotFound`] |
//! | `OutOfSyncError` | [`Error::OutOfSync`] |
//! | `ConflictError` (1.3+) | [`Error::Conflict`] |
//! | `ValueError` (argument checks) | [`Error::InvalidInput`] |
//!
//! `Display` is the SDK's own message (`Service is unavailable`, `path not found`...); the
//! status, redacted URL, request id and a body snippet are in [`Error::context`], as the
//! original keeps the response on `err.response`.

use http::StatusCode;

use cloud_core::{ErrorContext, ErrorKind};

/// An error of the Verizon Cloud client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `CloudError`: a server error, a network error or an unexpected answer.
    #[error("{message}")]
    Cloud {
        /// The SDK's message.
        message: String,
        /// The failure below it, with its context.
        source: cloud_core::Error,
    },
    /// `UnauthorizedError`: the tokens were refused and could not be refreshed.
    #[error("{message}")]
    Unauthorized {
        /// The SDK's message.
        message: String,
        /// The failure below it, with its context.
        source: cloud_core::Error,
    },
    /// `NotFoundError`: no such path.
    #[error("{message}")]
    NotFound {
        /// The SDK's message.
        message: String,
        /// The failure below it, with its context.
        source: cloud_core::Error,
    },
    /// `OutOfSyncError`: the fullview etag is too old; call `fullview(None)`.
    #[error("{message}")]
    OutOfSync {
        /// The SDK's message.
        message: String,
        /// The failure below it, with its context.
        source: cloud_core::Error,
    },
    /// `ConflictError` (SDK 1.3+): the target exists.
    #[error("{message}")]
    Conflict {
        /// The SDK's message.
        message: String,
        /// The failure below it, with its context.
        source: cloud_core::Error,
    },
    /// `ValueError`: an argument was rejected before any request was sent.
    #[error("{0}")]
    InvalidInput(String),
}

/// A result of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The SDK's messages.
pub mod messages {
    /// 503 on any call.
    pub const SERVICE_UNAVAILABLE: &str = "Service is unavailable";
    /// 504 on any call.
    pub const GATEWAY_TIMEOUT: &str = "Gateway timeout";
    /// Other 5xx on any call.
    pub const SERVER_ERROR: &str = "Server error";
    /// A transport failure on any call.
    pub const NETWORK_ERROR: &str = "Network error";
    /// A 401 that is not (or can no longer be) refreshed.
    pub const UNAUTHORIZED: &str = "Unauthorized request";
    /// `token()`, non-200.
    pub const TOKEN: &str = "Could not get access tokens please reauthenticate";
    /// `refresh()`, non-200.
    pub const REFRESH: &str = "Could not refresh tokens please reauthenticate";
    /// `account()`, non-200.
    pub const ACCOUNT: &str = "Could not get Account data";
    /// `search()`, non-200.
    pub const SEARCH: &str = "Could not get search results";
    /// 404 on a path.
    pub const NOT_FOUND: &str = "path not found";
    /// `fullview()`, 205.
    pub const OUT_OF_SYNC: &str =
        "You are too far out of sync, please call fullview again with no etag";
    /// Upload intent, non-200.
    pub const INTENT: &str = "Could not start upload intent";
    /// Upload chunk, non-201.
    pub const CHUNK: &str = "Could not upload chunk";
    /// Commit, non-201.
    pub const COMMIT: &str = "Could not finalize chunked upload";
    /// Un-chunked upload, non-2xx (the original does not check; this crate does).
    pub const UPLOAD: &str = "Could not upload file";
    /// Metadata and fullview, an unexpected status (the original fails on a missing key).
    pub const UNEXPECTED: &str = "Unexpected response";
    /// 409 on a file operation.
    pub const CONFLICT: &str = "Conflict";
    /// `refresh()` without a refresh token.
    pub const NO_REFRESH_TOKEN: &str = "no refresh token: authorize first";
    /// `download_url()` without a usable path.
    pub const FILE_OR_PATH: &str = "file or path must be provided";
}

/// Which call an answer belongs to: each checks its own statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Call {
    /// `token(code)`.
    Token,
    /// `refresh()`.
    Refresh,
    /// `account()`.
    Account,
    /// `search()`.
    Search,
    /// `metadata()` and `file_metadata()`.
    Metadata,
    /// `fullview()`.
    Fullview,
    /// The upload intent.
    Intent,
    /// An upload chunk.
    Chunk,
    /// The chunked-upload commit.
    Commit,
    /// The un-chunked upload.
    Upload,
    /// Download, delete, create_folder, copy, move, rename, trash calls.
    FileOp,
}

impl Call {
    /// Every call.
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn all() -> &'static [Call] {
        use Call::*;
        &[
            Token, Refresh, Account, Search, Metadata, Fullview, Intent, Chunk, Commit, Upload,
            FileOp,
        ]
    }
}

/// What a status means for a call: `Ok(())` when the call goes on, or the error's class and
/// message. 5xx are checked first (as the original's `networker` does), then the call's own
/// rules. A 401 reaching this function is final (the refresh was already tried).
pub(crate) fn classify(
    call: Call,
    status: StatusCode,
) -> std::result::Result<(), (ErrorKind, &'static str)> {
    use messages::*;
    let code = status.as_u16();
    match code {
        503 => return Err((ErrorKind::Server, SERVICE_UNAVAILABLE)),
        504 => return Err((ErrorKind::Server, GATEWAY_TIMEOUT)),
        500..=599 => return Err((ErrorKind::Server, SERVER_ERROR)),
        _ => {}
    }
    let unauthorized = (ErrorKind::Unauthorized, UNAUTHORIZED);
    match call {
        Call::Token if code == 200 => Ok(()),
        Call::Token if code == 401 => Err(unauthorized),
        Call::Token => Err((ErrorKind::Unauthorized, TOKEN)),
        Call::Refresh if code == 200 => Ok(()),
        Call::Refresh => Err((ErrorKind::Unauthorized, REFRESH)),
        _ if code == 401 => Err(unauthorized),
        Call::Account if code == 200 => Ok(()),
        Call::Account => Err((ErrorKind::Client, ACCOUNT)),
        Call::Search if code == 200 => Ok(()),
        Call::Search => Err((ErrorKind::Client, SEARCH)),
        Call::Metadata | Call::FileOp if code == 404 || code == 410 => {
            Err((ErrorKind::NotFound, NOT_FOUND))
        }
        Call::Metadata if code == 200 => Ok(()),
        Call::Fullview if code == 205 => Err((ErrorKind::PreconditionFailed, OUT_OF_SYNC)),
        // 412: nothing changed since the etag; the caller answers with empty lists.
        Call::Fullview if code == 200 || code == 412 => Ok(()),
        Call::Metadata | Call::Fullview => Err((ErrorKind::Client, UNEXPECTED)),
        Call::Intent if code == 200 => Ok(()),
        Call::Intent => Err((ErrorKind::Client, INTENT)),
        Call::Chunk if code == 201 => Ok(()),
        Call::Chunk => Err((ErrorKind::Client, CHUNK)),
        Call::Commit if code == 201 => Ok(()),
        Call::Commit => Err((ErrorKind::Client, COMMIT)),
        Call::Upload if status.is_success() => Ok(()),
        Call::Upload => Err((ErrorKind::Client, UPLOAD)),
        Call::FileOp if code == 409 => Err((ErrorKind::Conflict, CONFLICT)),
        Call::FileOp if status.is_success() => Ok(()),
        Call::FileOp => Err((ErrorKind::Client, UNEXPECTED)),
    }
}

impl Error {
    /// Builds the variant for a class, with the SDK's message and the context.
    pub(crate) fn from_kind(kind: ErrorKind, message: &str, context: ErrorContext) -> Self {
        // The variant is the original's exception for the call; the kind kept underneath is
        // the status's own class (a 429 is `RateLimited` with its Retry-After, a 404 on a call
        // the original reports as a `CloudError` is still `NotFound`).
        let class = match (&kind, context.status) {
            (ErrorKind::Client | ErrorKind::Server, Some(st)) => {
                ErrorKind::from_status(st, context.retry_after).unwrap_or(kind.clone())
            }
            _ => kind.clone(),
        };
        let source = cloud_core::Error::new(class).context(context);
        let message = message.to_owned();
        match kind {
            ErrorKind::Unauthorized => Error::Unauthorized { message, source },
            ErrorKind::NotFound => Error::NotFound { message, source },
            ErrorKind::PreconditionFailed => Error::OutOfSync { message, source },
            ErrorKind::Conflict => Error::Conflict { message, source },
            _ => Error::Cloud { message, source },
        }
    }

    /// An answer without what the call needs: `CloudError` (the original raised a `KeyError`).
    pub(crate) fn unexpected(detail: &str) -> Self {
        Error::Cloud {
            message: messages::UNEXPECTED.to_owned(),
            source: cloud_core::Error::decode(detail.to_owned()),
        }
    }

    /// A transport failure: `CloudError('Network error')`.
    pub(crate) fn network(source: cloud_core::Error) -> Self {
        Error::Cloud {
            message: messages::NETWORK_ERROR.to_owned(),
            source,
        }
    }

    /// `Unauthorized request`, keeping the context of what caused it.
    pub(crate) fn unauthorized_from(other: Error) -> Self {
        let source = match other {
            Error::Cloud { source, .. }
            | Error::Unauthorized { source, .. }
            | Error::NotFound { source, .. }
            | Error::OutOfSync { source, .. }
            | Error::Conflict { source, .. } => source,
            Error::InvalidInput(m) => cloud_core::Error::invalid_input(m),
        };
        Error::Unauthorized {
            message: messages::UNAUTHORIZED.to_owned(),
            source,
        }
    }

    /// The failure below, with status, URL, request id and body snippet (`None` for
    /// [`Error::InvalidInput`]).
    pub fn core(&self) -> Option<&cloud_core::Error> {
        match self {
            Error::Cloud { source, .. }
            | Error::Unauthorized { source, .. }
            | Error::NotFound { source, .. }
            | Error::OutOfSync { source, .. }
            | Error::Conflict { source, .. } => Some(source),
            Error::InvalidInput(_) => None,
        }
    }

    /// The request context (the original's `err.response`), when a request was made.
    pub fn context(&self) -> Option<&ErrorContext> {
        self.core().map(cloud_core::Error::error_context)
    }

    /// The class of the failure, the same across the family's crates: the variant's own
    /// (`Unauthorized`, `NotFound`, `OutOfSync` as `PreconditionFailed`, `Conflict`), or for
    /// `Cloud` the underlying one (`Server`, `RateLimited`, `Transport`, `Decode`, `Io`...).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Unauthorized { .. } => ErrorKind::Unauthorized,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::OutOfSync { .. } => ErrorKind::PreconditionFailed,
            Error::Conflict { .. } => ErrorKind::Conflict,
            Error::Cloud { source, .. } => source.kind().clone(),
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
        }
    }

    /// The SDK's message (as `str(err)` in Python).
    pub fn message(&self) -> &str {
        match self {
            Error::Cloud { message, .. }
            | Error::Unauthorized { message, .. }
            | Error::NotFound { message, .. }
            | Error::OutOfSync { message, .. }
            | Error::Conflict { message, .. } => message,
            Error::InvalidInput(m) => m,
        }
    }
}

impl From<cloud_core::Error> for Error {
    fn from(e: cloud_core::Error) -> Self {
        match e.kind() {
            ErrorKind::InvalidInput => {
                Error::InvalidInput(e.message().unwrap_or("invalid input").to_owned())
            }
            ErrorKind::Transport(_) => Error::network(e),
            ErrorKind::Unauthorized => Error::Unauthorized {
                message: messages::UNAUTHORIZED.to_owned(),
                source: e,
            },
            ErrorKind::NotFound => Error::NotFound {
                message: messages::NOT_FOUND.to_owned(),
                source: e,
            },
            _ => Error::Cloud {
                message: e.message().unwrap_or(messages::SERVER_ERROR).to_owned(),
                source: e,
            },
        }
    }
}

cloud_core::error_accessors!(Error);

#[cfg(test)]
mod tests {
    use super::messages::*;
    use super::*;

    /// cloud-core's kinds land on the original's classes with their messages (found by `cargo
    /// xtask mutants`).
    #[test]
    fn core_kinds_map_to_the_original_classes() {
        let from = |k: ErrorKind| Error::from(cloud_core::Error::with_message(k, "m"));
        let e = from(ErrorKind::InvalidInput);
        assert!(matches!(e, Error::InvalidInput(_)));
        assert_eq!(e.message(), "m");
        let e = from(ErrorKind::Transport(cloud_core::TransportKind::Connect));
        assert!(matches!(e, Error::Cloud { .. }));
        assert_eq!(e.message(), NETWORK_ERROR);
        let e = from(ErrorKind::Unauthorized);
        assert!(matches!(e, Error::Unauthorized { .. }));
        assert_eq!(e.message(), UNAUTHORIZED);
        let e = from(ErrorKind::NotFound);
        assert!(matches!(e, Error::NotFound { .. }));
        assert_eq!(e.message(), NOT_FOUND);
        let e = from(ErrorKind::Server);
        assert!(matches!(e, Error::Cloud { .. }));
        assert_eq!(e.message(), "m");
    }

    /// `Call::all` (what the fuzz target walks) lists every call once (found by `cargo xtask
    /// mutants`).
    #[test]
    fn all_lists_every_call_once() {
        let all = Call::all();
        assert_eq!(all.len(), 11);
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(a), "{a:?} twice");
        }
    }

    #[test]
    fn status_table() {
        use Call::*;
        use ErrorKind as K;
        let s = |c: u16| StatusCode::from_u16(c).unwrap();
        type Want = std::result::Result<(), (ErrorKind, &'static str)>;
        let table: Vec<(Call, u16, Want)> = vec![
            (Token, 200, Ok(())),
            (Token, 400, Err((K::Unauthorized, TOKEN))),
            (Token, 401, Err((K::Unauthorized, UNAUTHORIZED))),
            (Token, 500, Err((K::Server, SERVER_ERROR))),
            (Token, 503, Err((K::Server, SERVICE_UNAVAILABLE))),
            (Token, 504, Err((K::Server, GATEWAY_TIMEOUT))),
            (Refresh, 200, Ok(())),
            (Refresh, 400, Err((K::Unauthorized, REFRESH))),
            (Refresh, 401, Err((K::Unauthorized, REFRESH))),
            (Account, 200, Ok(())),
            (Account, 403, Err((K::Client, ACCOUNT))),
            (Account, 401, Err((K::Unauthorized, UNAUTHORIZED))),
            (Account, 502, Err((K::Server, SERVER_ERROR))),
            (Search, 200, Ok(())),
            (Search, 400, Err((K::Client, SEARCH))),
            (Metadata, 200, Ok(())),
            (Metadata, 404, Err((K::NotFound, NOT_FOUND))),
            (Metadata, 410, Err((K::NotFound, NOT_FOUND))),
            (Metadata, 400, Err((K::Client, UNEXPECTED))),
            (Fullview, 200, Ok(())),
            (Fullview, 412, Ok(())),
            (Fullview, 205, Err((K::PreconditionFailed, OUT_OF_SYNC))),
            (Fullview, 404, Err((K::Client, UNEXPECTED))),
            (Intent, 200, Ok(())),
            (Intent, 413, Err((K::Client, INTENT))),
            (Intent, 201, Err((K::Client, INTENT))),
            (Chunk, 201, Ok(())),
            (Chunk, 200, Err((K::Client, CHUNK))),
            (Commit, 201, Ok(())),
            (Commit, 400, Err((K::Client, COMMIT))),
            (Upload, 201, Ok(())),
            (Upload, 400, Err((K::Client, UPLOAD))),
            (FileOp, 204, Ok(())),
            (FileOp, 404, Err((K::NotFound, NOT_FOUND))),
            (FileOp, 409, Err((K::Conflict, CONFLICT))),
            (FileOp, 400, Err((K::Client, UNEXPECTED))),
            (FileOp, 401, Err((K::Unauthorized, UNAUTHORIZED))),
        ];
        for (call, code, want) in table {
            assert_eq!(classify(call, s(code)), want, "{call:?} {code}");
        }
    }

    #[test]
    fn variants_and_messages() {
        let e = Error::from_kind(
            ErrorKind::PreconditionFailed,
            OUT_OF_SYNC,
            ErrorContext::default(),
        );
        assert!(matches!(e, Error::OutOfSync { .. }));
        assert_eq!(e.to_string(), OUT_OF_SYNC);
        let e = Error::from_kind(ErrorKind::Conflict, CONFLICT, ErrorContext::default());
        assert!(matches!(e, Error::Conflict { .. }));
        let u = Error::unauthorized_from(Error::from_kind(
            ErrorKind::Server,
            SERVER_ERROR,
            ErrorContext::default(),
        ));
        assert_eq!(u.to_string(), UNAUTHORIZED);
        assert!(matches!(u, Error::Unauthorized { .. }));
    }
}
