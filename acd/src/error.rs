//! `RequestError`, the package's single exception, with its internal codes; and the one
//! function that turns a failed answer into it.
//!
//! | Python | Rust |
//! |---|---|
//! | `RequestError(status_code, msg)` | [`Error::Request`] with [`RequestError`] |
//! | `RequestError.CODE.CONN_EXCEPTION` (1000) | [`codes::CONN_EXCEPTION`] |
//! | `RequestError.CODE.FAILED_SUBREQUEST` (1002) | [`codes::FAILED_SUBREQUEST`] |
//! | `RequestError.CODE.INCOMPLETE_RESULT` (1003) | [`codes::INCOMPLETE_RESULT`] |
//! | `RequestError.CODE.REFRESH_FAILED` (1004) | [`codes::REFRESH_FAILED`] |
//! | `RequestError.CODE.INVALID_TOKEN` (1005) | [`codes::INVALID_TOKEN`] |
//! | `ValueError`, `KeyError` on bad input or files | [`Error::InvalidInput`], [`Error::Config`] |
//! | local file errors (`OSError`) | [`Error::Io`] |

use std::fmt;

use http::StatusCode;

use cloud_core::{ErrorContext, ErrorKind, TransportKind};

/// The internal codes of `RequestError.CODE`.
pub mod codes {
    /// Transport failure (connection refused/reset, DNS, timeouts).
    pub const CONN_EXCEPTION: u16 = 1000;
    /// A download chunk failed `chunk_retries` times, or a change set had `statusCode != 200`.
    pub const FAILED_SUBREQUEST: u16 = 1002;
    /// A download shorter than expected; invalid JSON in a change stream.
    pub const INCOMPLETE_RESULT: u16 = 1003;
    /// The token refresh endpoint answered non-200.
    pub const REFRESH_FAILED: u16 = 1004;
    /// OAuth JSON unparsable or missing `access_token` / `expires_in` / `refresh_token`.
    pub const INVALID_TOKEN: u16 = 1005;
}

/// The message used when a failed answer had no body.
pub const NO_BODY: &str = "[acd_api] no body received.";

/// `RequestError`: an HTTP status or an internal code, the message (the raw response text for
/// HTTP failures), and what could be parsed from an error body.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestError {
    /// An HTTP status (404, 409, 429...) or one of [`codes`].
    pub status_code: u16,
    /// The message: the raw body for HTTP failures, or [`NO_BODY`].
    pub msg: String,
    /// The error body's `code` (e.g. `NAME_ALREADY_EXISTS`), when it is JSON and has one.
    pub code: Option<String>,
    /// The error body's `info.nodeId`: on a 409 name conflict, the id of the existing node.
    pub node_id: Option<String>,
    /// Method, redacted URL, status, request id (`x-amzn-RequestId`) and a body snippet.
    pub context: ErrorContext,
    /// For [`codes::CONN_EXCEPTION`]: how the request failed below HTTP.
    transport: Option<TransportKind>,
}

impl fmt::Debug for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestError")
            .field("status_code", &self.status_code)
            .field("msg", &self.msg.chars().take(200).collect::<String>())
            .field("code", &self.code)
            .field("node_id", &self.node_id)
            .field("context", &self.context)
            .finish()
    }
}

impl RequestError {
    /// `RequestError(status_code, msg)`; an empty message becomes [`NO_BODY`].
    pub fn new(status_code: u16, msg: impl Into<String>) -> Self {
        let msg = msg.into();
        let msg = if msg.is_empty() {
            NO_BODY.to_owned()
        } else {
            msg
        };
        Self {
            status_code,
            msg,
            code: None,
            node_id: None,
            context: ErrorContext::default(),
            transport: None,
        }
    }

    /// The cloud-core class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self.status_code {
            codes::CONN_EXCEPTION => {
                ErrorKind::Transport(self.transport.unwrap_or(TransportKind::Connect))
            }
            codes::INCOMPLETE_RESULT => ErrorKind::Transport(TransportKind::Truncated),
            // The kind of the last failed answer when there was one, else `Server`.
            codes::FAILED_SUBREQUEST => self
                .context
                .status
                .and_then(|st| ErrorKind::from_status(st, self.context.retry_after))
                .unwrap_or(ErrorKind::Server),
            codes::REFRESH_FAILED | codes::INVALID_TOKEN => ErrorKind::Unauthorized,
            s => StatusCode::from_u16(s)
                .ok()
                .and_then(|st| ErrorKind::from_status(st, self.context.retry_after))
                .unwrap_or(ErrorKind::Client),
        }
    }
}

/// An error of the Amazon Cloud Drive client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `RequestError`: `Display` is the original's `RequestError: <status_code>, <msg>`.
    #[error("RequestError: {}, {}", .0.status_code, one_line(&.0.msg))]
    Request(Box<RequestError>),
    /// Bad input, rejected before any request (the original's `ValueError`).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Unusable cache or settings files (the original's `KeyError`/`ValueError`/bare
    /// `Exception` on them).
    #[error("configuration error: {0}")]
    Config(String),
    /// An answer that is not the JSON expected (the original's `ValueError` from `.json()`).
    #[error("decode error: {0}")]
    Decode(String),
    /// A local file could not be read or written.
    #[error("local I/O error: {0}")]
    Io(#[from] std::io::Error),
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(500)
        .collect()
}

/// A result of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// `RequestError(code, msg)`.
    pub fn request(status_code: u16, msg: impl Into<String>) -> Self {
        Error::Request(Box::new(RequestError::new(status_code, msg)))
    }

    /// The `RequestError`, if this is one.
    pub fn request_error(&self) -> Option<&RequestError> {
        match self {
            Error::Request(r) => Some(r),
            _ => None,
        }
    }

    /// The status code or internal code of a `RequestError`.
    pub fn status_code(&self) -> Option<u16> {
        self.request_error().map(|r| r.status_code)
    }

    /// On a 409 name conflict, the id of the node that holds the name (acd_cli issue #349).
    pub fn conflicting_node_id(&self) -> Option<&str> {
        self.request_error().and_then(|r| r.node_id.as_deref())
    }

    /// The cloud-core class of the error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Request(r) => r.kind(),
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::Decode(_) => ErrorKind::Decode,
            Error::Config(_) => ErrorKind::Config,
            Error::Io(_) => ErrorKind::Io,
        }
    }

    /// Method, redacted URL, status, request id, Retry-After and body snippet of a
    /// `RequestError` from an answer or a transport failure.
    pub fn context(&self) -> Option<&ErrorContext> {
        self.request_error().map(|r| &r.context)
    }
}

cloud_core::error_accessors!(Error);

/// Builds the `RequestError` of a failed answer: status, the raw body as the message, the
/// body's `code` and `info.nodeId` when it is JSON, and the request context. This is the one
/// mapping from an HTTP failure to this crate's error.
pub(crate) fn from_response(status: StatusCode, body: &[u8], context: ErrorContext) -> Error {
    let text = String::from_utf8_lossy(body).into_owned();
    let mut e = RequestError::new(status.as_u16(), text);
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        e.code = v
            .get("code")
            .and_then(|c| c.as_str())
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        e.node_id = v
            .get("info")
            .and_then(|i| i.get("nodeId"))
            .and_then(|n| n.as_str())
            .map(str::to_owned);
        if let Some(m) = v.get("message").and_then(|m| m.as_str()) {
            let mut ctx = context;
            ctx.message = Some(m.to_owned());
            e.context = ctx;
            return Error::Request(Box::new(e));
        }
    }
    e.context = context;
    Error::Request(Box::new(e))
}

impl From<cloud_core::Error> for Error {
    fn from(e: cloud_core::Error) -> Self {
        match e.kind() {
            ErrorKind::InvalidInput => {
                Error::InvalidInput(e.message().unwrap_or("invalid input").to_owned())
            }
            ErrorKind::Config => Error::Config(e.to_string()),
            ErrorKind::Io => Error::Io(std::io::Error::other(e.to_string())),
            _ => from_transport(&e),
        }
    }
}

/// A transport failure: `RequestError(1000, <the transport error's text>)`.
pub(crate) fn from_transport(e: &cloud_core::Error) -> Error {
    let mut r = RequestError::new(
        codes::CONN_EXCEPTION,
        e.message().unwrap_or("connection error"),
    );
    r.context = e.error_context().clone();
    if let ErrorKind::Transport(t) = e.kind() {
        r.transport = Some(*t);
    }
    Error::Request(Box::new(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `cargo xtask mutants`: cloud-core's kinds land on their own variants, and
    /// `RequestError`'s `Debug` shows its fields (the message cut).
    #[test]
    fn core_kinds_map_to_their_variants_and_debug_shows_fields() {
        let from = |k: ErrorKind| Error::from(cloud_core::Error::with_message(k, "m"));
        assert!(matches!(from(ErrorKind::InvalidInput), Error::InvalidInput(m) if m == "m"));
        assert!(matches!(from(ErrorKind::Config), Error::Config(_)));
        assert!(matches!(from(ErrorKind::Io), Error::Io(_)));
        assert!(matches!(
            from(ErrorKind::Transport(TransportKind::Timeout)),
            Error::Request(r) if r.status_code == codes::CONN_EXCEPTION
        ));
        let mut r = RequestError::new(404, "x".repeat(300));
        r.code = Some("NOT_FOUND".into());
        let shown = format!("{r:?}");
        assert!(
            shown.starts_with("RequestError { status_code: 404, msg: \"")
                && shown.contains("code: Some(\"NOT_FOUND\")")
                && !shown.contains(&"x".repeat(201)),
            "{shown}"
        );
    }

    #[test]
    fn mapping_table() {
        let conflict = br#"{"logref":"x","message":"Node with the name a.txt already exists under parentId P conflicting NodeId: N","code":"NAME_ALREADY_EXISTS","info":{"nodeId":"NNNNNNNNNNNNNNNNNNNNNN"}}"#;
        type Case<'a> = (u16, &'a [u8], ErrorKind, Option<&'a str>, Option<&'a str>);
        let cases: Vec<Case> = vec![
            (
                409,
                conflict,
                ErrorKind::Conflict,
                Some("NAME_ALREADY_EXISTS"),
                Some("NNNNNNNNNNNNNNNNNNNNNN"),
            ),
            (
                404,
                br#"{"message":"Node not found"}"#,
                ErrorKind::NotFound,
                None,
                None,
            ),
            (
                401,
                br#"{"message":"Token has expired"}"#,
                ErrorKind::Unauthorized,
                None,
                None,
            ),
            (
                403,
                br#"{"message":"Insufficient permissions granted for operation: purgeNode"}"#,
                ErrorKind::Forbidden,
                None,
                None,
            ),
            (
                429,
                br#"{"message":"Rate exceeded"}"#,
                ErrorKind::RateLimited { retry_after: None },
                None,
                None,
            ),
            (
                500,
                br#"{"message":"Internal failure"}"#,
                ErrorKind::Server,
                None,
                None,
            ),
            (416, b"", ErrorKind::Client, None, None),
            (
                400,
                b"<UnknownOperationException/>",
                ErrorKind::Client,
                None,
                None,
            ),
        ];
        for (status, body, kind, code, node) in cases {
            let e = from_response(
                StatusCode::from_u16(status).unwrap(),
                body,
                ErrorContext::default(),
            );
            assert_eq!(e.status_code(), Some(status));
            assert_eq!(e.kind(), kind, "{status}");
            let r = e.request_error().unwrap();
            assert_eq!(r.code.as_deref(), code);
            assert_eq!(e.conflicting_node_id(), node);
            if body.is_empty() {
                assert_eq!(r.msg, NO_BODY);
            } else {
                assert_eq!(r.msg.as_bytes(), body);
            }
        }
        let e = Error::request(
            codes::INCOMPLETE_RESULT,
            "[acd_api] download incomplete. Expected 2, got 1.",
        );
        assert_eq!(
            e.to_string(),
            "RequestError: 1003, [acd_api] download incomplete. Expected 2, got 1."
        );
        assert_eq!(
            Error::request(1000, "").to_string(),
            "RequestError: 1000, [acd_api] no body received."
        );
    }
}
