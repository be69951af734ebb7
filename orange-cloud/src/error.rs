//! The client's errors: `ClientError`, `OAuthError` and the others it raises, and the one
//! function that maps a failed domain answer.
//!
//! | Python | Rust |
//! |---|---|
//! | `ClientError` (`"<domain>: Invalid status code <n> on <url>"`) | [`Error::Client`] |
//! | `OAuthError` (`.status_code`, `.response_text`, `.error`) | [`Error::OAuth`] |
//! | `NotImplementedError("Redirect uri cannot be secured")` | [`Error::InsecureRedirect`] |
//! | `Exception("Authorization code not started")` | [`Error::NotStarted`] |
//! | `requests` exceptions | [`Error::Transport`] |

use cloud_core::{ErrorContext, ErrorKind};

/// An error of the Orange Cloud client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `ClientError`: a domain call answered with status ≥ 300.
    #[error("{domain}: Invalid status code {status} on {url}")]
    Client {
        /// `folders`, `files` or `freespace`.
        domain: &'static str,
        /// The status.
        status: u16,
        /// The request URL without its query.
        url: String,
        /// Request id, body snippet (the original logs the body), the server's message.
        context: Box<ErrorContext>,
    },
    /// `OAuthError`: token endpoint failures, the redirect flow, no token yet.
    #[error("{status_code}  - {}", oauth_text(.response_text, .error))]
    OAuth {
        /// The status (401 for "no token provided", 500 for state mismatches).
        status_code: u16,
        /// The response text (or the message).
        response_text: String,
        /// `(error, error_description)` from a denied authorization (`None` for token-endpoint
        /// failures, as in the original).
        error: Option<(String, String)>,
    },
    /// `NotImplementedError`: an `https` redirect URI cannot be caught locally.
    #[error("Redirect uri cannot be secured")]
    InsecureRedirect,
    /// `wait_and_terminate_authorize_code_process` without a flow started.
    #[error("Authorization code not started")]
    NotStarted,
    /// The request could not be made or its answer read.
    #[error(transparent)]
    Transport(cloud_core::Error),
    /// A local file could not be read or written.
    #[error("local I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// An answer that is not the JSON expected.
    #[error("decode error: {0}")]
    Decode(String),
}

fn oauth_text(text: &str, error: &Option<(String, String)>) -> String {
    match error {
        Some((e, d)) => format!("{e} : {d}"),
        None => text.to_owned(),
    }
}

/// A result of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// `OAuthError(status, text)`.
    pub fn oauth(status_code: u16, response_text: impl Into<String>) -> Self {
        Error::OAuth {
            status_code,
            response_text: response_text.into(),
            error: None,
        }
    }

    /// The status of a `ClientError` or the `status_code` of an `OAuthError` (which the
    /// original also gives to failures of its own, such as 500 for a state mismatch).
    pub fn status_code(&self) -> Option<u16> {
        match self {
            Error::Client { status, .. } => Some(*status),
            Error::OAuth { status_code, .. } => Some(*status_code),
            _ => None,
        }
    }

    /// The class of the failure, the same across the family's crates.
    pub fn kind(&self) -> ErrorKind {
        let of = |code: u16, retry_after| {
            http::StatusCode::from_u16(code)
                .ok()
                .and_then(|st| ErrorKind::from_status(st, retry_after))
                .unwrap_or(ErrorKind::Client)
        };
        match self {
            Error::Client {
                status, context, ..
            } => of(*status, context.retry_after),
            // An OAuthError is a refused grant or flow whatever number it carries (the
            // original's 500 for a state mismatch included).
            Error::OAuth { .. } => ErrorKind::Unauthorized,
            Error::InsecureRedirect | Error::NotStarted => ErrorKind::InvalidInput,
            Error::Transport(e) => e.kind().clone(),
            Error::Io(_) => ErrorKind::Io,
            Error::Decode(_) => ErrorKind::Decode,
        }
    }

    /// Method, redacted URL, status, request id, Retry-After and body snippet, where the
    /// failure was an answer or a request.
    pub fn context(&self) -> Option<&ErrorContext> {
        match self {
            Error::Client { context, .. } => Some(context),
            Error::Transport(e) => Some(e.error_context()),
            _ => None,
        }
    }
}

cloud_core::error_accessors!(Error);

impl From<cloud_core::Error> for Error {
    fn from(e: cloud_core::Error) -> Self {
        // A local file that cannot be read or written is an `Io` error, not a transport one.
        if matches!(e.kind(), ErrorKind::Io) {
            let kind = e
                .source_as::<std::io::Error>()
                .map_or(std::io::ErrorKind::Other, std::io::Error::kind);
            return Error::Io(std::io::Error::new(
                kind,
                e.message().map_or_else(|| e.to_string(), str::to_owned),
            ));
        }
        Error::Transport(e)
    }
}

/// `raise_response_error`: the `ClientError` of a failed domain answer.
pub fn client_error(
    domain: &'static str,
    status: u16,
    url: &url::Url,
    context: ErrorContext,
) -> Error {
    let mut u = url.clone();
    u.set_query(None);
    Error::Client {
        domain,
        status,
        url: u.to_string(),
        context: Box::new(context),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `cargo xtask mutants`: a `ClientError` gives its status, a transport failure
    /// its context.
    #[test]
    fn status_code_and_transport_context() {
        let client = Error::Client {
            domain: "files",
            status: 404,
            url: "http://h/f".into(),
            context: Box::default(),
        };
        assert_eq!(client.status_code(), Some(404));
        assert_eq!(Error::oauth(401, "no").status_code(), Some(401));
        assert_eq!(Error::NotStarted.status_code(), None);
        let mut ctx = ErrorContext::default();
        ctx.url = Some("http://h/x".into());
        let t = Error::Transport(
            cloud_core::Error::new(ErrorKind::Transport(cloud_core::TransportKind::Connect))
                .context(ctx),
        );
        assert_eq!(
            t.context().and_then(|c| c.url.as_deref()),
            Some("http://h/x")
        );
    }

    #[test]
    fn messages_like_the_original() {
        let u = url::Url::parse("http://h/cloud/v1/folders/x?a=1").unwrap();
        assert_eq!(
            client_error("folders", 404, &u, ErrorContext::default()).to_string(),
            "folders: Invalid status code 404 on http://h/cloud/v1/folders/x"
        );
        assert_eq!(
            Error::oauth(401, "no token provided").to_string(),
            "401  - no token provided"
        );
        let denied = Error::OAuth {
            status_code: 401,
            response_text: "User denied".into(),
            error: Some(("access_denied".into(), "User denied".into())),
        };
        assert_eq!(denied.to_string(), "401  - access_denied : User denied");
    }
}
