//! The client's exceptions (`smartfile.errors`) and the one function that maps an error
//! response to them.
//!
//! | Python | Rust |
//! |---|---|
//! | `APIError(message)` | [`Error::Api`] |
//! | `RequestError(exc)` (`.detail`) | [`Error::Request`] |
//! | `ResponseError(response)` (`.status_code`, `.detail`, `str(e)`) | [`Error::Response`] |
//! | `ValueError` on bad input | [`Error::InvalidInput`] |

use std::fmt;

use http::StatusCode;
use serde_json::Value;

use cloud_core::ErrorContext;

/// `ResponseError.detail`: text, or the JSON of `field_errors`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Detail {
    /// A message.
    Text(String),
    /// The `field_errors` value of a 400 (printed as Python prints it).
    Json(Value),
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Detail::Text(t) => f.write_str(t),
            Detail::Json(v) => f.write_str(&py_repr(v)),
        }
    }
}

/// An error of the SmartFile client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `APIError`: bad credentials or misuse, raised before any request.
    #[error("{0}")]
    Api(String),
    /// `RequestError`: the request could not be made or completed (transport failure, an
    /// unusable URL, the throttle retries spent).
    #[error("{detail}")]
    Request {
        /// `str(e)`.
        detail: String,
        /// The failure below, when there is one.
        #[source]
        source: Option<cloud_core::Error>,
    },
    /// `ResponseError`: the server answered with status ≥ 400. `Display` is the original's
    /// `Response <status>: <detail>`.
    #[error("Response {}: {}", .status.as_u16(), .detail)]
    Response {
        /// The status.
        status: StatusCode,
        /// The detail, by the original's rules.
        detail: Detail,
        /// Method, redacted URL, status, request id, body snippet.
        context: Box<ErrorContext>,
    },
    /// Bad input rejected before any request (Python's `ValueError`).
    #[error("{0}")]
    InvalidInput(String),
}

/// A result of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// `RequestError(detail)`.
    pub fn request(detail: impl Into<String>) -> Self {
        Error::Request {
            detail: detail.into(),
            source: None,
        }
    }

    /// A `RequestError` for an answer that is not what the call expects (kind `Decode`).
    pub(crate) fn unexpected(detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Error::Request {
            source: Some(cloud_core::Error::decode(detail.clone())),
            detail,
        }
    }

    /// The HTTP status of a `ResponseError`.
    pub fn status_code(&self) -> Option<u16> {
        match self {
            Error::Response { status, .. } => Some(status.as_u16()),
            _ => None,
        }
    }

    /// The cloud-core class of the error.
    pub fn kind(&self) -> cloud_core::ErrorKind {
        match self {
            Error::Api(_) => cloud_core::ErrorKind::Unauthorized,
            Error::Request {
                source: Some(s), ..
            } => s.kind().clone(),
            Error::Request { .. } => {
                cloud_core::ErrorKind::Transport(cloud_core::TransportKind::Connect)
            }
            Error::Response {
                status, context, ..
            } => cloud_core::ErrorKind::from_status(*status, context.retry_after)
                .unwrap_or(cloud_core::ErrorKind::Decode),
            Error::InvalidInput(_) => cloud_core::ErrorKind::InvalidInput,
        }
    }

    /// Method, redacted URL, status, request id, Retry-After and body snippet, where the
    /// failure was an answer or a request.
    pub fn context(&self) -> Option<&ErrorContext> {
        match self {
            Error::Response { context, .. } => Some(context),
            Error::Request {
                source: Some(s), ..
            } => Some(s.error_context()),
            _ => None,
        }
    }
}

cloud_core::error_accessors!(Error);

impl From<cloud_core::Error> for Error {
    fn from(e: cloud_core::Error) -> Self {
        if matches!(e.kind(), cloud_core::ErrorKind::InvalidInput) {
            return Error::InvalidInput(e.message().unwrap_or("invalid input").to_owned());
        }
        Error::Request {
            detail: e.message().map_or_else(|| e.to_string(), str::to_owned),
            source: Some(e),
        }
    }
}

/// Python's `repr()` of a JSON value (`{'path': ['required']}`).
pub(crate) fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => py_str_repr(s),
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", py_str_repr(k), py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python 3's `repr()` of bytes (`b'{"detail": "bad"}'`).
pub(crate) fn py_bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::from("b");
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote as char);
    out
}

/// `ResponseError.detail`, by the original's rules (Python 3 behaviour, bytes repr included).
pub(crate) fn detail_of(status: StatusCode, body: &[u8]) -> Detail {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Detail::Text(if status == StatusCode::NOT_FOUND {
            "Invalid URL, check your API path".into()
        } else {
            "Server error; check response for errors".into()
        });
    };
    let first = |v: &Value| -> String {
        match v {
            Value::Array(a) => a.first().map_or_else(String::new, |x| match x {
                Value::String(s) => s.clone(),
                other => py_repr(other),
            }),
            Value::String(s) => s.chars().next().map(String::from).unwrap_or_default(),
            other => py_repr(other),
        }
    };
    if let Value::Object(m) = &v {
        if status == StatusCode::BAD_REQUEST {
            if let Some(fe) = m.get("field_errors") {
                return Detail::Json(fe.clone());
            }
        }
        if let Some(src) = m.get("src") {
            return Detail::Text(first(src));
        }
        if let Some(path) = m.get("path") {
            return Detail::Text(first(path));
        }
    }
    Detail::Text(format!("Error: {}", py_bytes_repr(body)))
}

/// The `ResponseError` of a failed answer: the one mapping from an error response to this
/// crate's error.
pub(crate) fn response_error(status: StatusCode, body: &[u8], mut context: ErrorContext) -> Error {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        context.message = v.get("detail").and_then(Value::as_str).map(str::to_owned);
    }
    Error::Response {
        status,
        detail: detail_of(status, body),
        context: Box::new(context),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python 3's `repr()` of str picks its quote and escapes it (found by `cargo xtask
    /// mutants`): `repr("it's")`, `repr('say "hi"')`, `repr('it\'s "q"')`.
    #[test]
    fn str_repr_picks_its_quote_like_python() {
        assert_eq!(py_str_repr("it's"), "\"it's\"");
        assert_eq!(py_str_repr("say \"hi\""), "'say \"hi\"'");
        assert_eq!(py_str_repr("it's \"q\""), "'it\\'s \"q\"'");
        assert_eq!(py_str_repr("a\tb\u{1}"), "'a\\tb\\x01'");
        assert_eq!(py_str_repr("\u{7f} "), "'\\x7f '");
    }

    #[test]
    fn details_like_the_original() {
        let s = |c: u16| StatusCode::from_u16(c).unwrap();
        let cases: &[(u16, &str, &str)] = &[
            (
                400,
                r#"{"field_errors": {"path": ["required"]}}"#,
                "Response 400: {'path': ['required']}",
            ),
            (
                400,
                r#"{"detail": "bad"}"#,
                r#"Response 400: Error: b'{"detail": "bad"}'"#,
            ),
            (
                400,
                r#"{"src": ["Source does not exist"]}"#,
                "Response 400: Source does not exist",
            ),
            (
                404,
                r#"{"path": ["Path does not exist"]}"#,
                "Response 404: Path does not exist",
            ),
            (
                409,
                r#"{"detail": "Destination exists:/screenShot"}"#,
                r#"Response 409: Error: b'{"detail": "Destination exists:/screenShot"}'"#,
            ),
            (
                404,
                "<html>nope</html>",
                "Response 404: Invalid URL, check your API path",
            ),
            (
                500,
                "oops",
                "Response 500: Server error; check response for errors",
            ),
            (
                401,
                r#"{"detail": "Invalid username/password"}"#,
                r#"Response 401: Error: b'{"detail": "Invalid username/password"}'"#,
            ),
            (400, r#"{"src": "abc"}"#, "Response 400: a"),
            (
                403,
                "{\"detail\": \"it's\"}",
                "Response 403: Error: b'{\"detail\": \"it\\'s\"}'",
            ),
        ];
        for (status, body, want) in cases {
            let e = response_error(s(*status), body.as_bytes(), ErrorContext::default());
            assert_eq!(e.to_string(), *want, "{body}");
            assert_eq!(e.status_code(), Some(*status));
        }
        assert_eq!(py_bytes_repr(b"a'b"), "b\"a'b\"");
        assert_eq!(py_bytes_repr(&[0xc3, 0xbc, b'\n']), "b'\\xc3\\xbc\\n'");
        assert_eq!(Error::Api("x".into()).to_string(), "x");
    }
}
