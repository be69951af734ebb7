//! The exceptions of `kloudless.exceptions`, and the one function that maps a failed answer
//! to them.
//!
//! | Python | Rust |
//! |---|---|
//! | `InvalidParameter` | [`Error::InvalidParameter`] |
//! | `TokenVerificationFailed` | [`Error::TokenVerificationFailed`] |
//! | `OauthFlowFailed` (`.error_data`) | [`Error::OauthFlowFailed`] |
//! | `NoNextPage` (`.cursor`) | [`Error::NoNextPage`] |
//! | `APIException` (`.status`, `.error_data`, `.response`) | [`Error::Api`] |
//! | `AuthorizationException` (401) | [`Error::Authorization`] |
//! | `ForbiddenException` (403) | [`Error::Forbidden`] |
//! | `NotFoundException` (404) | [`Error::NotFound`] |
//! | `RateLimitException` (429, `.retry_after`) | [`Error::RateLimit`] |
//! | `ServerException` (≥ 500) | [`Error::Server`] |

use http::StatusCode;
use serde_json::{Map, Value};

use std::time::Duration;

use cloud_core::{ErrorContext, ErrorKind};

/// What an `APIException` carries.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The parsed JSON body, or `{}`.
    pub error_data: Map<String, Value>,
    /// The message, built as the original builds it.
    pub message: String,
    /// Method, redacted URL, status, request id, body snippet.
    pub context: ErrorContext,
}

/// An error of the Kloudless client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `InvalidParameter`.
    #[error("{0}")]
    InvalidParameter(String),
    /// `TokenVerificationFailed`.
    #[error("{0}")]
    TokenVerificationFailed(String),
    /// `OauthFlowFailed`; `error_data` holds the callback's parameters for an `error` callback.
    #[error("{message}")]
    OauthFlowFailed {
        /// The message.
        message: String,
        /// The callback parameters, when the provider reported an error.
        error_data: Option<Map<String, Value>>,
    },
    /// `NoNextPage`; for an events list, the cursor to keep for next time.
    #[error("There's no next page.")]
    NoNextPage {
        /// The cursor (events lists only).
        cursor: Option<Value>,
    },
    /// `APIException`: a failed answer of any other status (400, 405, 409...).
    #[error("{}", .0.message)]
    Api(Box<ApiError>),
    /// `AuthorizationException` (401).
    #[error("{}", .0.message)]
    Authorization(Box<ApiError>),
    /// `ForbiddenException` (403).
    #[error("{}", .0.message)]
    Forbidden(Box<ApiError>),
    /// `NotFoundException` (404).
    #[error("{}", .0.message)]
    NotFound(Box<ApiError>),
    /// `RateLimitException` (429); `retry_after` from the `Retry-After` header (seconds).
    #[error("{}", .error.message)]
    RateLimit {
        /// The failure.
        error: Box<ApiError>,
        /// `float(Retry-After)`, when the header is there and numeric.
        retry_after: Option<f64>,
    },
    /// `ServerException` (≥ 500).
    #[error("{}", .0.message)]
    Server(Box<ApiError>),
    /// The request could not be made or its answer read (below HTTP).
    #[error("{0}")]
    Transport(#[from] cloud_core::Error),
    /// An answer typed JSON that does not decode (the original re-raised the decode error).
    #[error("invalid JSON in the answer: {0}")]
    Decode(String),
}

/// A result of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The `APIException` data of an API error.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e)
            | Error::Authorization(e)
            | Error::Forbidden(e)
            | Error::NotFound(e)
            | Error::Server(e) => Some(e),
            Error::RateLimit { error, .. } => Some(error),
            _ => None,
        }
    }

    /// `e.status` of an API error, as the original's number (also `status()` as a
    /// `StatusCode`, the same accessor as every crate's).
    pub fn status_code(&self) -> Option<u16> {
        self.api_error().map(|e| e.status)
    }

    /// The class of the failure, the same across the family's crates.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidParameter(_) | Error::NoNextPage { .. } => ErrorKind::InvalidInput,
            Error::TokenVerificationFailed(_) | Error::OauthFlowFailed { .. } => {
                ErrorKind::Unauthorized
            }
            Error::Authorization(_) => ErrorKind::Unauthorized,
            Error::Forbidden(_) => ErrorKind::Forbidden,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::RateLimit { retry_after, .. } => ErrorKind::RateLimited {
                retry_after: retry_after.and_then(|s| Duration::try_from_secs_f64(s).ok()),
            },
            Error::Server(_) => ErrorKind::Server,
            Error::Api(e) => StatusCode::from_u16(e.status)
                .ok()
                .and_then(|st| ErrorKind::from_status(st, e.context.retry_after))
                .unwrap_or(ErrorKind::Client),
            Error::Transport(e) => e.kind().clone(),
            Error::Decode(_) => ErrorKind::Decode,
        }
    }

    /// Method, redacted URL, status, request id, Retry-After and body snippet.
    pub fn context(&self) -> Option<&ErrorContext> {
        match self {
            Error::Transport(e) => Some(e.error_context()),
            _ => self.api_error().map(|e| &e.context),
        }
    }
}

cloud_core::error_accessors!(Error);

const DEFAULT_API: &str = "Request failed.";

fn default_message(status: u16) -> &'static str {
    match status {
        401 => "Authorization failed. Please double check that the API Key or Token being used is correct.",
        403 => "Request forbidden. The action is not allowed.",
        404 => "Not found. Please make sure the url is correct.",
        429 => "Rate limiting encountered. Please try again later.",
        500..=599 => "An unknown error occurred! Please contact support@kloudless.com with the Request ID for more details.",
        _ => DEFAULT_API,
    }
}

/// `handle_response` for a failed answer: the exception class by status, with the original's
/// message (including its duplication when the body has a request `id`).
pub fn error_from_response(
    status: StatusCode,
    body: &[u8],
    retry_after: Option<&str>,
    context: ErrorContext,
) -> Error {
    let code = status.as_u16();
    let text = String::from_utf8_lossy(body);
    let parsed: Option<Map<String, Value>> =
        serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            });
    let base = format!("{} Error data: {text}", default_message(code));
    let message = match parsed.as_ref().and_then(|m| m.get("id")) {
        Some(id) => {
            let id = id.as_str().map_or_else(|| id.to_string(), str::to_owned);
            format!("{base}[Request ID: {id}] {base}")
        }
        None => base,
    };
    let mut context = context;
    context.message = parsed
        .as_ref()
        .and_then(|m| m.get("message"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let e = Box::new(ApiError {
        status: code,
        error_data: parsed.unwrap_or_default(),
        message,
        context,
    });
    match code {
        401 => Error::Authorization(e),
        403 => Error::Forbidden(e),
        404 => Error::NotFound(e),
        429 => Error::RateLimit {
            error: e,
            retry_after: retry_after.and_then(|r| r.trim().parse::<f64>().ok()),
        },
        500..=599 => Error::Server(e),
        _ => Error::Api(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The original's message per status, word for word (found by `cargo xtask mutants`), and
    /// a transport failure's context.
    #[test]
    fn messages_per_status_and_transport_context() {
        for (code, message) in [
            (401, "Authorization failed. Please double check that the API Key or Token being used is correct."),
            (403, "Request forbidden. The action is not allowed."),
            (404, "Not found. Please make sure the url is correct."),
            (429, "Rate limiting encountered. Please try again later."),
            (503, "An unknown error occurred! Please contact support@kloudless.com with the Request ID for more details."),
            (400, "Request failed."),
        ] {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT);
            let e = error_from_response(status, b"x", None, ErrorContext::default());
            assert_eq!(e.to_string(), format!("{message} Error data: x"), "{code}");
        }
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
    fn classes_and_messages() {
        let s = |c: u16| StatusCode::from_u16(c).unwrap();
        let body =
            br#"{"error_code": "not_found", "message": "nf", "id": "req-1", "status_code": 404}"#;
        let e = error_from_response(s(404), body, None, ErrorContext::default());
        assert!(matches!(e, Error::NotFound(_)));
        let text = String::from_utf8_lossy(body);
        let base = format!("Not found. Please make sure the url is correct. Error data: {text}");
        assert_eq!(e.to_string(), format!("{base}[Request ID: req-1] {base}"));
        assert_eq!(e.api_error().unwrap().error_data["error_code"], "not_found");
        let e = error_from_response(s(500), b"oops", None, ErrorContext::default());
        assert!(matches!(e, Error::Server(_)));
        assert!(e.to_string().ends_with("Error data: oops"));
        assert!(e.api_error().unwrap().error_data.is_empty());
        for (code, want) in [
            (400, "Api"),
            (409, "Api"),
            (401, "Authorization"),
            (403, "Forbidden"),
            (503, "Server"),
            (429, "RateLimit"),
        ] {
            let e = error_from_response(s(code), b"{}", Some("2.5"), ErrorContext::default());
            let got = match &e {
                Error::Api(_) => "Api",
                Error::Authorization(_) => "Authorization",
                Error::Forbidden(_) => "Forbidden",
                Error::Server(_) => "Server",
                Error::RateLimit { retry_after, .. } => {
                    assert_eq!(*retry_after, Some(2.5));
                    "RateLimit"
                }
                _ => "other",
            };
            assert_eq!(got, want, "{code}");
            assert_eq!(e.status_code(), Some(code));
        }
        let e = error_from_response(
            s(429),
            b"{}",
            Some("Wed, 21 Oct 2015 07:28:00 GMT"),
            ErrorContext::default(),
        );
        assert!(
            matches!(
                e,
                Error::RateLimit {
                    retry_after: None,
                    ..
                }
            ),
            "an HTTP date: no float, no crash"
        );
    }
}
