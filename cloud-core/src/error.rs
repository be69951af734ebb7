//! Provider-neutral errors: [`ErrorKind`], [`ErrorContext`] and [`Error`].
//!
//! Every provider crate builds its own error enum (mirroring the original SDK's exception names)
//! on top of these: the kind says what class of failure it is, the context says where it happened
//! and what the server said.

use std::fmt;
use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};
use url::Url;

/// Largest body snippet kept in an [`ErrorContext`].
pub const BODY_SNIPPET_LIMIT: usize = 1024;

/// How a request failed below HTTP.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// The connection could not be made (the request provably was not sent).
    Connect,
    /// Connect or read-idle timeout.
    Timeout,
    /// The body broke off or could not be read.
    Body,
    /// The body ended before the announced length.
    Truncated,
    /// Redirects without end (more than the client follows): answered, and asking again
    /// would only go round again.
    Redirect,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connect",
            TransportKind::Timeout => "timeout",
            TransportKind::Body => "body",
            TransportKind::Truncated => "truncated body",
            TransportKind::Redirect => "too many redirects",
        })
    }
}

/// The class of a failure, shared by every provider crate.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// 401: missing, wrong or expired credentials.
    Unauthorized,
    /// 403: authenticated but not allowed.
    Forbidden,
    /// 404 (and 410): no such resource.
    NotFound,
    /// 409: the resource exists or changed.
    Conflict,
    /// 412: a precondition (etag, version) did not hold.
    PreconditionFailed,
    /// 429: slow down; `retry_after` is the server's Retry-After, when it sent one.
    RateLimited {
        /// How long the server asked to wait.
        retry_after: Option<Duration>,
    },
    /// 5xx.
    Server,
    /// Any other 4xx.
    Client,
    /// The request or its body failed below HTTP.
    Transport(TransportKind),
    /// The server's answer could not be decoded.
    Decode,
    /// The caller's input was rejected before any request was sent.
    InvalidInput,
    /// The client is misconfigured (bad base URL, missing or unusable credentials or
    /// settings).
    Config,
    /// A local file or folder could not be read or written (missing, permission denied, disk
    /// full).
    Io,
}

impl ErrorKind {
    /// The kind for an HTTP status, or `None` for a success or redirect status.
    pub fn from_status(status: StatusCode, retry_after: Option<Duration>) -> Option<Self> {
        let kind = match status.as_u16() {
            100..=399 => return None,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 | 410 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            412 => ErrorKind::PreconditionFailed,
            429 => ErrorKind::RateLimited { retry_after },
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Client,
        };
        Some(kind)
    }

    /// True for the kinds a retry can cure: rate limits, server errors, transport failures.
    /// (Whether a given request may be retried also depends on its idempotency and status:
    /// see [`crate::retry::RetryPolicy`].)
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited { .. } | ErrorKind::Server | ErrorKind::Transport(_)
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Unauthorized => f.write_str("unauthorized"),
            ErrorKind::Forbidden => f.write_str("forbidden"),
            ErrorKind::NotFound => f.write_str("not found"),
            ErrorKind::Conflict => f.write_str("conflict"),
            ErrorKind::PreconditionFailed => f.write_str("precondition failed"),
            ErrorKind::RateLimited {
                retry_after: Some(d),
            } => write!(f, "rate limited (retry after {}s)", d.as_secs()),
            ErrorKind::RateLimited { retry_after: None } => f.write_str("rate limited"),
            ErrorKind::Server => f.write_str("server error"),
            ErrorKind::Client => f.write_str("client error"),
            ErrorKind::Transport(t) => write!(f, "transport error ({t})"),
            ErrorKind::Decode => f.write_str("decode error"),
            ErrorKind::InvalidInput => f.write_str("invalid input"),
            ErrorKind::Config => f.write_str("configuration error"),
            ErrorKind::Io => f.write_str("local I/O error"),
        }
    }
}

/// Where a failure happened and what the server said. Secrets are never kept: the URL is
/// redacted ([`redact_url`]) and no header but the request id is copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorContext {
    /// The request method.
    pub method: Option<Method>,
    /// The request URL, redacted.
    pub url: Option<String>,
    /// The response status.
    pub status: Option<StatusCode>,
    /// The server's own message, as the provider's error parser found it.
    pub message: Option<String>,
    /// The server's request id header, where it sent one.
    pub request_id: Option<String>,
    /// The answer's `Retry-After` (seconds or an HTTP date), where it sent one.
    pub retry_after: Option<Duration>,
    /// The first bytes (at most [`BODY_SNIPPET_LIMIT`]) of the error body.
    pub body_snippet: Option<String>,
}

impl ErrorContext {
    /// A context for a request.
    pub fn request(method: &Method, url: &Url) -> Self {
        Self {
            method: Some(method.clone()),
            url: Some(redact_url(url)),
            ..Self::default()
        }
    }

    /// Adds the response's status, request id and `Retry-After`.
    pub fn with_response(mut self, status: StatusCode, headers: &HeaderMap) -> Self {
        self.status = Some(status);
        self.request_id = request_id(headers);
        self.retry_after = crate::retry::retry_after_header(headers);
        self
    }

    /// Adds the server's message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Adds a body snippet, cut at [`BODY_SNIPPET_LIMIT`] bytes on a character boundary.
    pub fn with_body(mut self, body: &[u8]) -> Self {
        if !body.is_empty() {
            self.body_snippet = Some(snippet(body));
        }
        self
    }
}

/// The request id header of a response, under any of the names providers use.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    [
        "x-request-id",
        "x-amzn-requestid",
        "x-amz-request-id",
        "request-id",
        "x-correlation-id",
    ]
    .iter()
    .find_map(|name| headers.get(*name))
    .and_then(|v| v.to_str().ok())
    .map(str::to_owned)
}

fn snippet(body: &[u8]) -> String {
    let cut = &body[..body.len().min(BODY_SNIPPET_LIMIT)];
    let text = String::from_utf8_lossy(cut);
    // A cut inside a multi-byte character leaves a replacement character at the end: fine.
    text.into_owned()
}

/// Query parameter names whose values are never kept in an error or a log.
const SECRET_PARAMS: &[&str] = &[
    "access_token",
    "refresh_token",
    "token",
    "id_token",
    "code",
    "client_secret",
    "password",
    "api_key",
    "apikey",
    "key",
    "secret",
    "signature",
    "sig",
    "oauth_signature",
    "oauth_token",
    "oauth_verifier",
    "x-amz-signature",
    "x-amz-security-token",
];

/// True when a query parameter or header of that name holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_PARAMS.contains(&lower.as_str())
        || lower.contains("token")
        || lower.contains("secret")
        || lower.contains("password")
        || lower == "authorization"
        || lower == "cookie"
        || lower == "set-cookie"
}

/// The URL as it may be logged or kept in an error: no user info, secret query values replaced
/// by `***`, no fragment.
///
/// ```
/// let url = url::Url::parse("https://u:p@h/x?access_token=abc&n=1").unwrap();
/// assert_eq!(cloud_core::error::redact_url(&url), "https://h/x?access_token=***&n=1");
/// ```
pub fn redact_url(url: &Url) -> String {
    let mut clean = url.clone();
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    clean.set_fragment(None);
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_secret_name(&k) {
                    "***".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        clean.set_query(None);
        if !pairs.is_empty() {
            let mut q = clean.query_pairs_mut();
            for (k, v) in &pairs {
                q.append_pair(k, v);
            }
        }
    }
    // `***` is percent-encoded by the serializer; show it plainly.
    clean.as_str().replace("%2A%2A%2A", "***")
}

/// A provider-neutral error: a kind, a boxed context and an optional source.
///
/// `Display` is one line: the kind, the server's message, then method, URL and status.
pub struct Error {
    kind: ErrorKind,
    context: Box<ErrorContext>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of that kind with an empty context.
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            context: Box::default(),
            source: None,
        }
    }

    /// An error of that kind with a message (used for errors raised before any request).
    pub fn with_message(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::new(kind).context(ErrorContext::default().with_message(message))
    }

    /// Input rejected before any request was sent.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::with_message(ErrorKind::InvalidInput, message)
    }

    /// A configuration problem.
    pub fn config(message: impl Into<String>) -> Self {
        Self::with_message(ErrorKind::Config, message)
    }

    /// An answer that could not be decoded.
    pub fn decode(message: impl Into<String>) -> Self {
        Self::with_message(ErrorKind::Decode, message)
    }

    /// The error for a failed HTTP status, or `None` when the status is a success.
    pub fn from_status(status: StatusCode, context: ErrorContext) -> Option<Self> {
        let retry_after = None;
        ErrorKind::from_status(status, retry_after).map(|kind| Self::new(kind).context(context))
    }

    /// Replaces the context.
    pub fn context(mut self, context: ErrorContext) -> Self {
        self.context = Box::new(context);
        self
    }

    /// Sets the source error.
    pub fn source_error(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The source error as `T`, if it is one: how a provider crate gets its own error back
    /// after carrying it through cloud-core (a token refresher, a range fetcher).
    pub fn source_as<T: std::error::Error + 'static>(&self) -> Option<&T> {
        self.source.as_ref().and_then(|s| s.downcast_ref::<T>())
    }

    /// The kind of failure.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Where it happened and what the server said.
    pub fn error_context(&self) -> &ErrorContext {
        &self.context
    }

    /// Mutable access to the context (to add a message once the body is parsed).
    pub fn error_context_mut(&mut self) -> &mut ErrorContext {
        &mut self.context
    }

    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.context.status
    }

    /// The server's message, if any.
    pub fn message(&self) -> Option<&str> {
        self.context.message.as_deref()
    }

    /// The server's Retry-After, for a rate-limit error that carried one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.kind {
            ErrorKind::RateLimited {
                retry_after: Some(d),
            } => Some(d),
            _ => self.context.retry_after,
        }
    }

    /// The server's request id, when it sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.context.request_id.as_deref()
    }

    /// True when retrying the same request may succeed (and the request is idempotent).
    /// 501 Not Implemented never is.
    pub fn is_retryable(&self) -> bool {
        match self.context.status.map(|s| s.as_u16()) {
            Some(501) => false,
            Some(408) => true,
            _ => self.kind.is_retryable(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        let c = &self.context;
        if let Some(m) = &c.message {
            // One line, whatever the server sent.
            let one_line: String = m
                .chars()
                .map(|ch| if ch.is_control() { ' ' } else { ch })
                .take(300)
                .collect();
            write!(f, ": {one_line}")?;
        }
        match (&c.method, &c.url) {
            (Some(m), Some(u)) => write!(f, " ({m} {u}")?,
            (None, Some(u)) => write!(f, " ({u}")?,
            _ => {
                if let Some(s) = c.status {
                    write!(f, " (status {})", s.as_u16())?;
                }
                return Ok(());
            }
        }
        if let Some(s) = c.status {
            write!(f, " -> {}", s.as_u16())?;
        }
        f.write_str(")")
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("context", &self.context)
            .field("source", &self.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        // An io::Error that wraps one of ours (from the AsyncRead adapter) unwraps to it.
        if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            if let Some(inner) = e.into_inner() {
                if let Ok(ours) = inner.downcast::<Error>() {
                    return *ours;
                }
            }
            return Error::new(ErrorKind::Transport(TransportKind::Body));
        }
        let kind = match e.kind() {
            std::io::ErrorKind::TimedOut => ErrorKind::Transport(TransportKind::Timeout),
            std::io::ErrorKind::UnexpectedEof => ErrorKind::Transport(TransportKind::Truncated),
            std::io::ErrorKind::InvalidInput => ErrorKind::InvalidInput,
            _ => ErrorKind::Io,
        };
        let msg = e.to_string();
        Error::with_message(kind, msg).source_error(e)
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        let kind = match e.kind() {
            ErrorKind::Transport(TransportKind::Timeout) => std::io::ErrorKind::TimedOut,
            ErrorKind::Transport(TransportKind::Truncated) => std::io::ErrorKind::UnexpectedEof,
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, e)
    }
}

/// Classifies a reqwest error into a transport (or decode) error, with its URL redacted and
/// never kept in the source (reqwest prints URLs with their query).
pub fn from_reqwest(e: reqwest::Error, method: Option<&Method>) -> Error {
    let kind = if e.is_timeout() {
        ErrorKind::Transport(TransportKind::Timeout)
    } else if e.is_connect() {
        ErrorKind::Transport(TransportKind::Connect)
    } else if e.is_redirect() {
        ErrorKind::Transport(TransportKind::Redirect)
    } else if e.is_decode() {
        ErrorKind::Decode
    } else if e.is_builder() {
        ErrorKind::InvalidInput
    } else {
        ErrorKind::Transport(TransportKind::Body)
    };
    let mut context = ErrorContext {
        method: method.cloned(),
        url: e.url().map(redact_url),
        status: e.status(),
        ..ErrorContext::default()
    };
    let e = e.without_url();
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    context.message = Some(msg);
    Error::new(kind).context(context)
}

/// Gives a provider crate's `Error` the accessors every crate of the family offers, with the
/// same types: `status()`, `retry_after()`, `request_id()`, `is_not_found()`,
/// `is_conflict()`, `is_unauthorized()`, `is_rate_limited()`. The type must have two inherent
/// methods of its own: `kind(&self) -> cloud_core::ErrorKind` and
/// `context(&self) -> Option<&cloud_core::ErrorContext>`.
///
/// A user of any crate matches failures the same way:
///
/// ```
/// # use cloud_core::{ErrorContext, ErrorKind};
/// # #[derive(Debug)] enum Error { Http(ErrorKind, ErrorContext) }
/// # impl Error {
/// #     pub fn kind(&self) -> ErrorKind { match self { Error::Http(k, _) => k.clone() } }
/// #     pub fn context(&self) -> Option<&ErrorContext> { match self { Error::Http(_, c) => Some(c) } }
/// # }
/// # cloud_core::error_accessors!(Error);
/// # let err = Error::Http(ErrorKind::RateLimited { retry_after: Some(std::time::Duration::from_secs(3)) }, ErrorContext::default());
/// match err.kind() {
///     ErrorKind::NotFound => println!("nothing there"),
///     ErrorKind::RateLimited { .. } => println!("wait {:?}", err.retry_after()),
///     ErrorKind::Io => println!("local disk: {err:?}"),
///     other => println!("{other} (status {:?}, request {:?})", err.status(), err.request_id()),
/// }
/// assert!(err.is_rate_limited());
/// ```
#[macro_export]
macro_rules! error_accessors {
    ($ty:ty) => {
        impl $ty {
            /// The HTTP status of the answer, when the failure was an answer.
            pub fn status(&self) -> ::std::option::Option<$crate::reqwest::StatusCode> {
                self.context().and_then(|c| c.status)
            }

            /// How long the server asked to wait (`Retry-After` of a 429 or a 503).
            pub fn retry_after(&self) -> ::std::option::Option<::std::time::Duration> {
                match self.kind() {
                    $crate::ErrorKind::RateLimited {
                        retry_after: Some(d),
                    } => Some(d),
                    _ => self.context().and_then(|c| c.retry_after),
                }
            }

            /// The server's request id, when it sent one.
            pub fn request_id(&self) -> ::std::option::Option<&str> {
                self.context().and_then(|c| c.request_id.as_deref())
            }

            /// True for a missing resource (404, 410).
            pub fn is_not_found(&self) -> bool {
                matches!(self.kind(), $crate::ErrorKind::NotFound)
            }

            /// True for a conflict (409: the name is taken, the resource changed).
            pub fn is_conflict(&self) -> bool {
                matches!(self.kind(), $crate::ErrorKind::Conflict)
            }

            /// True for missing, wrong or expired credentials.
            pub fn is_unauthorized(&self) -> bool {
                matches!(self.kind(), $crate::ErrorKind::Unauthorized)
            }

            /// True for a rate limit (429).
            pub fn is_rate_limited(&self) -> bool {
                matches!(self.kind(), $crate::ErrorKind::RateLimited { .. })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `cargo xtask mutants`: `Display` without a method, `Debug`, `source`, and the
    /// io::Error conversions both ways, kind by kind.
    #[test]
    fn display_debug_source_and_io_conversions() {
        let ctx = ErrorContext {
            url: Some("http://h/x".into()),
            status: Some(StatusCode::NOT_FOUND),
            ..ErrorContext::default()
        };
        let e = Error::new(ErrorKind::NotFound).context(ctx);
        assert_eq!(
            e.to_string(),
            format!("{} (http://h/x -> 404)", ErrorKind::NotFound)
        );
        let with_source =
            Error::new(ErrorKind::Io).source_error(std::io::Error::other("disk full"));
        let debug = format!("{with_source:?}");
        assert!(
            debug.contains("Io") && debug.contains("disk full"),
            "{debug}"
        );
        assert_eq!(
            std::error::Error::source(&with_source).map(ToString::to_string),
            Some("disk full".to_owned())
        );
        let from = |k: std::io::ErrorKind| Error::from(std::io::Error::new(k, "x")).kind().clone();
        assert_eq!(
            from(std::io::ErrorKind::TimedOut),
            ErrorKind::Transport(TransportKind::Timeout)
        );
        assert_eq!(
            from(std::io::ErrorKind::UnexpectedEof),
            ErrorKind::Transport(TransportKind::Truncated)
        );
        assert_eq!(
            from(std::io::ErrorKind::InvalidInput),
            ErrorKind::InvalidInput
        );
        assert_eq!(from(std::io::ErrorKind::PermissionDenied), ErrorKind::Io);
        let back = |k: ErrorKind| std::io::Error::from(Error::new(k)).kind();
        assert_eq!(
            back(ErrorKind::Transport(TransportKind::Timeout)),
            std::io::ErrorKind::TimedOut
        );
        assert_eq!(
            back(ErrorKind::Transport(TransportKind::Truncated)),
            std::io::ErrorKind::UnexpectedEof
        );
        assert_eq!(back(ErrorKind::Server), std::io::ErrorKind::Other);
    }

    /// A refused connection keeps the method and the redacted URL in the context.
    #[tokio::test]
    async fn reqwest_errors_keep_method_and_redacted_url() {
        let Ok(listener) = std::net::TcpListener::bind("127.0.0.1:0") else {
            return;
        };
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(1);
        drop(listener);
        let url = format!("http://127.0.0.1:{port}/x?access_token=SEKRET");
        let Err(e) = reqwest::Client::new().get(&url).send().await else {
            panic!("a closed port answered");
        };
        let e = from_reqwest(e, Some(&Method::GET));
        assert_eq!(e.kind(), &ErrorKind::Transport(TransportKind::Connect));
        assert_eq!(e.error_context().method, Some(Method::GET));
        assert_eq!(
            e.error_context().url.as_deref(),
            Some(format!("http://127.0.0.1:{port}/x?access_token=***").as_str())
        );
        assert!(!e.to_string().contains("SEKRET"));
    }

    /// Found by `cargo xtask mutants`: the accessors and the secret-name rule, each branch.
    #[test]
    fn accessors_and_secret_names_branch_by_branch() {
        let names: Vec<String> = [
            TransportKind::Connect,
            TransportKind::Timeout,
            TransportKind::Body,
            TransportKind::Truncated,
            TransportKind::Redirect,
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            names,
            [
                "connect",
                "timeout",
                "body",
                "truncated body",
                "too many redirects"
            ]
        );
        for secret in [
            "access_token",
            "X-Api-Token",
            "client_secret",
            "Password",
            "X-User-Password",
            "app-secret-2",
            "x-session-token",
            "Authorization",
            "Cookie",
            "set-cookie",
        ] {
            assert!(is_secret_name(secret), "{secret}");
        }
        for plain in ["name", "path", "cookies-policy", "author"] {
            assert!(!is_secret_name(plain), "{plain}");
        }

        let io = std::io::Error::other("disk");
        let e = Error::new(ErrorKind::Io).source_error(io);
        assert_eq!(
            e.source_as::<std::io::Error>().map(ToString::to_string),
            Some("disk".to_owned())
        );
        assert!(e.source_as::<std::fmt::Error>().is_none());

        let ctx = ErrorContext {
            request_id: Some("req-7".into()),
            retry_after: Some(Duration::from_secs(3)),
            ..ErrorContext::default()
        };
        let plain = Error::new(ErrorKind::Server).context(ctx.clone());
        assert_eq!(plain.request_id(), Some("req-7"));
        assert_eq!(plain.retry_after(), Some(Duration::from_secs(3)));
        let limited = Error::new(ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(9)),
        })
        .context(ctx);
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(9)));
    }

    #[test]
    fn status_classification_table() {
        let table: &[(u16, Option<ErrorKind>)] = &[
            (200, None),
            (204, None),
            (304, None),
            (400, Some(ErrorKind::Client)),
            (401, Some(ErrorKind::Unauthorized)),
            (403, Some(ErrorKind::Forbidden)),
            (404, Some(ErrorKind::NotFound)),
            (410, Some(ErrorKind::NotFound)),
            (409, Some(ErrorKind::Conflict)),
            (412, Some(ErrorKind::PreconditionFailed)),
            (416, Some(ErrorKind::Client)),
            (429, Some(ErrorKind::RateLimited { retry_after: None })),
            (500, Some(ErrorKind::Server)),
            (501, Some(ErrorKind::Server)),
            (503, Some(ErrorKind::Server)),
        ];
        for (code, want) in table {
            let status = StatusCode::from_u16(*code).unwrap();
            assert_eq!(&ErrorKind::from_status(status, None), want, "status {code}");
        }
    }

    #[test]
    fn retryable() {
        let ctx = |s: u16| ErrorContext {
            status: StatusCode::from_u16(s).ok(),
            ..ErrorContext::default()
        };
        let e = |s: u16| Error::from_status(StatusCode::from_u16(s).unwrap(), ctx(s)).unwrap();
        assert!(e(500).is_retryable());
        assert!(e(503).is_retryable());
        assert!(e(429).is_retryable());
        assert!(e(408).is_retryable());
        assert!(!e(501).is_retryable());
        assert!(!e(404).is_retryable());
        assert!(!e(401).is_retryable());
    }

    #[test]
    fn redaction() {
        let url = Url::parse(
            "https://user:pw@api.test/x/y?access_token=SEKRET&limit=5&refresh_token=R2&code=C#frag",
        )
        .unwrap();
        let r = redact_url(&url);
        assert!(!r.contains("SEKRET") && !r.contains("R2") && !r.contains("pw"));
        assert!(!r.contains("=C") && !r.contains("frag"));
        assert!(r.contains("limit=5"));
    }

    #[test]
    fn display_is_one_line_and_debug_keeps_no_header() {
        let url = Url::parse("https://h/p?token=SEKRET").unwrap();
        let ctx = ErrorContext::request(&Method::GET, &url)
            .with_message("line one\nline two")
            .with_body(&[b'x'; 5000]);
        let err = Error::new(ErrorKind::NotFound).context(ctx);
        let shown = err.to_string();
        assert!(!shown.contains('\n'));
        assert!(!format!("{err:?}").contains("SEKRET"));
        assert_eq!(
            err.error_context().body_snippet.as_ref().map(|s| s.len()),
            Some(BODY_SNIPPET_LIMIT)
        );
    }
}
