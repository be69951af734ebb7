//! `kloudless.config`, `Session`/`Client`/`Account` and the request options every verb takes.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use bytes::Bytes;
use http::{Method, StatusCode};
use serde_json::{Map, Value};
use url::Url;

use cloud_core::transport::read_limited;
use cloud_core::{ErrorContext, HttpOptions, Idempotency, RetryPolicy, Secret, Transport};

use crate::error::{error_from_response, Error, Result};
use crate::resources::{wrap, Response};
use crate::util::{construct_kloudless_endpoint, rewrite_api_version, url_join};

/// The real service.
pub const DEFAULT_BASE_URL: &str = "https://api.kloudless.com";

/// `kloudless.configuration`: read when a client is built and by the OAuth helpers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Configuration {
    /// `base_url` (default `https://api.kloudless.com`).
    pub base_url: String,
    /// `api_version` (default `"1"`).
    pub api_version: String,
}

impl Configuration {
    /// A configuration for this base URL and API version 1.
    pub fn with_base_url(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            ..Self::default()
        }
    }
}

impl Default for Configuration {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.into(),
            api_version: "1".into(),
        }
    }
}

fn config_cell() -> &'static RwLock<Configuration> {
    static C: OnceLock<RwLock<Configuration>> = OnceLock::new();
    C.get_or_init(|| RwLock::new(Configuration::default()))
}

/// The current configuration.
pub fn configuration() -> Configuration {
    config_cell().read().map(|c| c.clone()).unwrap_or_default()
}

/// Replaces the configuration (objects built before keep what they read).
pub fn set_configuration(c: Configuration) {
    if let Ok(mut g) = config_cell().write() {
        *g = c;
    }
}

/// A request body.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Body {
    /// None.
    #[default]
    None,
    /// `json=`: a JSON body with `Content-Type: application/json`.
    Json(Value),
    /// `data=` bytes: a raw body, no Content-Type.
    Raw(Bytes),
    /// `data=` a local file, streamed (re-read on a retry).
    File(PathBuf),
    /// `data=` any async reader, streamed, with its length when known (`Content-Length`; else
    /// chunked). Read once: a call re-sent after it was read fails saying so (one re-sent
    /// after a connection error, before any byte was read, goes out whole).
    Reader(cloud_core::body::OnceReader),
    /// `data=` a dict: a form body.
    Form(Vec<(String, String)>),
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::None => f.write_str("None"),
            Body::Json(v) => write!(f, "Json({v})"),
            Body::Raw(b) => write!(f, "Raw({} bytes)", b.len()),
            Body::File(p) => write!(f, "File({})", p.display()),
            Body::Reader(r) => write!(f, "Reader(len {:?})", r.known_len()),
            Body::Form(p) => write!(f, "Form({} fields)", p.len()),
        }
    }
}

/// The keyword arguments of every verb (`params`, `headers`, `data`/`json`, `api_version`,
/// `get_raw_data`, `raw_headers`, `impersonate_user_id`, `get_raw_response`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Query parameters, in order (Python booleans go as `True`/`False`).
    pub(crate) params: Vec<(String, String)>,
    /// Extra headers.
    pub(crate) headers: Vec<(String, String)>,
    /// The body.
    pub(crate) body: Body,
    /// Rewrites the URL's `v<digit>` for this call only.
    pub(crate) api_version: Option<String>,
    /// `X-Kloudless-Raw-Data: true|false`.
    pub(crate) get_raw_data: Option<bool>,
    /// `X-Kloudless-Raw-Headers: <JSON>` (not sent when empty).
    pub(crate) raw_headers: Option<Map<String, Value>>,
    /// `X-Kloudless-As-User` (not sent when empty).
    pub(crate) impersonate_user_id: Option<String>,
    /// Return the raw answer instead of a wrapped one.
    pub(crate) get_raw_response: bool,
}

/// A query parameter's value, written as the original writes it (requests calls `str()` on
/// each value): `true` goes as `True`, `1.0` as `1.0`, text and integers as they are.
///
/// ```
/// use kloudless::QueryValue;
/// assert_eq!(true.query_text(), "True");
/// assert_eq!(2.0f64.query_text(), "2.0");
/// assert_eq!(5.query_text(), "5");
/// assert_eq!("x".query_text(), "x");
/// ```
pub trait QueryValue {
    /// The text sent.
    fn query_text(&self) -> String;
}

impl QueryValue for bool {
    fn query_text(&self) -> String {
        if *self { "True" } else { "False" }.to_owned()
    }
}

impl QueryValue for &str {
    fn query_text(&self) -> String {
        (*self).to_owned()
    }
}

impl QueryValue for String {
    fn query_text(&self) -> String {
        self.clone()
    }
}

impl QueryValue for &String {
    fn query_text(&self) -> String {
        (*self).clone()
    }
}

macro_rules! query_value_by_display {
    ($($t:ty),*) => {$(
        impl QueryValue for $t {
            fn query_text(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
query_value_by_display!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, char);

impl QueryValue for f64 {
    /// Python's `str(float)`: `1.0`, `0.5`, `1e+16`, `1e-05`, `inf`, `nan`.
    fn query_text(&self) -> String {
        if self.is_nan() {
            return "nan".into();
        }
        if self.is_infinite() {
            return if *self > 0.0 { "inf" } else { "-inf" }.into();
        }
        let a = self.abs();
        if a != 0.0 && !(1e-4..1e16).contains(&a) {
            // Python's exponent form: a sign and at least two digits.
            let exp = format!("{self:e}");
            if let Some((m, e)) = exp.split_once('e') {
                let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
                return format!("{m}e{sign}{digits:0>2}");
            }
        }
        let text = self.to_string();
        if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        }
    }
}

impl QueryValue for f32 {
    fn query_text(&self) -> String {
        f64::from(*self).query_text()
    }
}

impl RequestOptions {
    /// Adds a query parameter (a [`QueryValue`]: booleans go as `True`/`False`, as in the
    /// original).
    pub fn param(mut self, k: impl Into<String>, v: impl QueryValue) -> Self {
        self.params.push((k.into(), v.query_text()));
        self
    }

    /// Adds a header.
    pub fn header(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }

    /// Sets the body (a form, say: `Body::Form`).
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// `json=`.
    pub fn json(mut self, v: Value) -> Self {
        self.body = Body::Json(v);
        self
    }

    /// `X-Kloudless-Metadata` from a typed value: any name, non-ASCII included, escaped as
    /// the header needs ([`models::UploadMetadata::header_value`](crate::models::UploadMetadata::header_value)).
    pub fn metadata(self, meta: &crate::models::UploadMetadata) -> Self {
        self.header("X-Kloudless-Metadata", meta.header_value())
    }

    /// `data=` bytes.
    pub fn data(mut self, b: impl Into<Bytes>) -> Self {
        self.body = Body::Raw(b.into());
        self
    }

    /// `data=` a local file, streamed.
    pub fn file(mut self, p: impl Into<PathBuf>) -> Self {
        self.body = Body::File(p.into());
        self
    }

    /// `data=` any async reader (a socket, a pipe, a decompressor...), streamed without
    /// holding it in memory; `len` when known is sent as `Content-Length`. Read once (see
    /// [`Body::Reader`]).
    ///
    /// ```no_run
    /// # async fn run(account: kloudless::Account) -> kloudless::Result<()> {
    /// use kloudless::RequestOptions;
    /// let file = tokio::fs::File::open("big.iso").await.map_err(cloud_core::Error::from)?;
    /// let len = file.metadata().await.map_err(cloud_core::Error::from)?.len();
    /// account
    ///     .post(
    ///         "storage/files",
    ///         RequestOptions::default()
    ///             .header("X-Kloudless-Metadata", r#"{"parent_id": "root", "name": "big.iso"}"#)
    ///             .reader(file, Some(len)),
    ///     )
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn reader(
        mut self,
        reader: impl tokio::io::AsyncRead + Send + 'static,
        len: Option<u64>,
    ) -> Self {
        self.body = Body::Reader(cloud_core::body::OnceReader::new(reader, len));
        self
    }

    /// `api_version=`.
    pub fn api_version(mut self, v: impl ToString) -> Self {
        self.api_version = Some(v.to_string());
        self
    }

    /// `get_raw_data=`.
    pub fn get_raw_data(mut self, b: bool) -> Self {
        self.get_raw_data = Some(b);
        self
    }

    /// `raw_headers=`.
    pub fn raw_headers(mut self, h: Map<String, Value>) -> Self {
        self.raw_headers = Some(h);
        self
    }

    /// `impersonate_user_id=`.
    pub fn impersonate_user_id(mut self, id: impl ToString) -> Self {
        self.impersonate_user_id = Some(id.to_string());
        self
    }

    /// `get_raw_response=True`.
    pub fn get_raw_response(mut self, raw: bool) -> Self {
        self.get_raw_response = raw;
        self
    }
}

#[derive(Clone)]
enum Auth {
    ApiKey(Secret),
    Bearer(Secret),
}

struct Inner {
    url: String,
    auth: Auth,
    transport: Transport,
    default_headers: Mutex<Vec<(String, String)>>,
}

/// `Client(api_key=None, token=None)`: an API key or Bearer token session on
/// `<base_url>/v<api_version>`. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.inner.auth {
            Auth::ApiKey(_) => "APIKey ***",
            Auth::Bearer(_) => "Bearer ***",
        };
        f.debug_struct("Client")
            .field("url", &self.inner.url)
            .field("auth", &auth)
            .finish()
    }
}

/// What a request sent, kept on its answer for paging and refresh (the original re-sends the
/// exact headers of the original request).
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// Sets `name` to `value`, replacing any header of that name (names compared
/// case-insensitively, as HTTP does).
fn replace_header(headers: &mut Vec<(String, String)>, name: &str, value: String) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    headers.push((name.to_owned(), value));
}

/// The transport of a client: cloud-core's default policy (idempotent methods only, see the
/// README's "Retries and timeouts") under the caller's [`HttpOptions`].
fn transport(http: &HttpOptions) -> Result<Transport> {
    Ok(
        Transport::builder("http://127.0.0.1/", cloud_core::user_agent!())
            .retry(Arc::new(RetryPolicy::default()))
            .options(http)
            .build()?,
    )
}

impl Client {
    /// `Client(api_key, token)`: the token wins when both are given; neither →
    /// [`Error::InvalidParameter`].
    pub fn new(api_key: Option<&str>, token: Option<&str>) -> Result<Self> {
        Self::with_config(api_key, token, &configuration())
    }

    /// [`Client::new`] with an explicit configuration instead of the global one.
    pub fn with_config(
        api_key: Option<&str>,
        token: Option<&str>,
        config: &Configuration,
    ) -> Result<Self> {
        Self::with_options(api_key, token, config, &HttpOptions::default())
    }

    /// [`Client::with_config`] with client options: timeouts, proxy, user agent, an own
    /// `reqwest::Client`, the retry policy (`RetryPolicy::none()` sends every call once, as
    /// the original does).
    pub fn with_options(
        api_key: Option<&str>,
        token: Option<&str>,
        config: &Configuration,
        http: &HttpOptions,
    ) -> Result<Self> {
        let url = construct_kloudless_endpoint("", &config.base_url, &config.api_version);
        Self::with_url(api_key, token, url, http)
    }

    pub(crate) fn with_url(
        api_key: Option<&str>,
        token: Option<&str>,
        url: String,
        http: &HttpOptions,
    ) -> Result<Self> {
        let auth = match (token.filter(|t| !t.is_empty()), api_key.filter(|k| !k.is_empty())) {
            (Some(t), _) => Auth::Bearer(Secret::new(t)),
            (None, Some(k)) => Auth::ApiKey(Secret::new(k)),
            (None, None) => {
                return Err(Error::InvalidParameter(
                    "An API Key or Bearer Token must be provided. Please check api_key and token parameters.".into(),
                ))
            }
        };
        Ok(Self {
            inner: Arc::new(Inner {
                url,
                auth,
                transport: transport(http)?,
                default_headers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// `client.url`.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// Sets a header sent on every request from this instance (`client.headers[k] = v`).
    pub fn set_header(&self, name: impl Into<String>, value: impl Into<String>) {
        if let Ok(mut h) = self.inner.default_headers.lock() {
            replace_header(&mut h, &name.into(), value.into());
        }
    }

    fn auth_header(&self) -> String {
        match &self.inner.auth {
            Auth::ApiKey(k) => format!("APIKey {}", k.expose()),
            Auth::Bearer(t) => format!("Bearer {}", t.expose()),
        }
    }

    /// `request(method, path, **kwargs)`: `url_join(client.url, path)`, the API-wide headers,
    /// `handle_response`, then the answer wrapped (or raw with `get_raw_response`).
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        options: RequestOptions,
    ) -> Result<Response> {
        let (url, headers) = self.prepare(path, &options);
        self.send(
            method,
            &url,
            &options.params,
            headers,
            &options.body,
            options.get_raw_response,
        )
        .await
    }

    /// The URL and headers [`Client::request`] sends for `path` and `options`.
    pub(crate) fn prepare(
        &self,
        path: &str,
        options: &RequestOptions,
    ) -> (String, Vec<(String, String)>) {
        let mut url = url_join(&self.inner.url, path);
        if let Some(v) = &options.api_version {
            url = rewrite_api_version(&url, v);
        }
        // requests' merge: a call's header replaces the session's of the same name (names
        // compared case-insensitively), and the auth handler sets `Authorization` last, over
        // any the caller gave.
        let mut headers: Vec<(String, String)> = self
            .inner
            .default_headers
            .lock()
            .map(|h| h.clone())
            .unwrap_or_default();
        for (k, v) in &options.headers {
            replace_header(&mut headers, k, v.clone());
        }
        if let Some(b) = options.get_raw_data {
            replace_header(
                &mut headers,
                "X-Kloudless-Raw-Data",
                if b { "true" } else { "false" }.into(),
            );
        }
        if let Some(h) = options.raw_headers.as_ref().filter(|h| !h.is_empty()) {
            replace_header(
                &mut headers,
                "X-Kloudless-Raw-Headers",
                json_dumps(&Value::Object(h.clone())),
            );
        }
        if let Some(u) = options
            .impersonate_user_id
            .as_ref()
            .filter(|u| !u.is_empty() && *u != "0")
        {
            replace_header(&mut headers, "X-Kloudless-As-User", u.clone());
        }
        replace_header(&mut headers, "Authorization", self.auth_header());
        (url, headers)
    }

    /// Sends a request with exactly these headers (paging and refresh re-send the original's).
    pub(crate) async fn send(
        &self,
        method: Method,
        url: &str,
        params: &[(String, String)],
        headers: Vec<(String, String)>,
        body: &Body,
        raw: bool,
    ) -> Result<Response> {
        let (resp, sent) = self.send_http(method, url, params, headers, body).await?;
        wrap(self.clone(), sent, resp, raw).await
    }

    /// [`Client::send`] up to the answer's head: an error status is the error it maps to.
    pub(crate) async fn send_http(
        &self,
        method: Method,
        url: &str,
        params: &[(String, String)],
        headers: Vec<(String, String)>,
        body: &Body,
    ) -> Result<(cloud_core::reqwest::Response, Sent)> {
        let mut u = Url::parse(url)
            .map_err(|e| cloud_core::Error::invalid_input(format!("invalid URL {url:?}: {e}")))?;
        if !params.is_empty() {
            u.query_pairs_mut().extend_pairs(params.iter());
        }
        let t = &self.inner.transport;
        let resp = t
            .send(&method, &u, Idempotency::from_method(&method), || {
                let mut req = t.request(method.clone(), u.clone());
                for (k, v) in &headers {
                    req = req.header(k.as_str(), v.as_str());
                }
                Ok(match body {
                    Body::None => req,
                    Body::Json(v) => req.json(v),
                    Body::Raw(b) => req.body(b.clone()),
                    Body::Form(f) => req.form(f),
                    Body::File(p) => {
                        let f = std::fs::File::open(p)?;
                        let len = f.metadata()?.len();
                        let reader = tokio::fs::File::from_std(f);
                        req.header(http::header::CONTENT_LENGTH, len).body(
                            cloud_core::body::upload::reader_body(reader, Some(len), None),
                        )
                    }
                    Body::Reader(r) => match r.known_len() {
                        Some(n) => req.header(http::header::CONTENT_LENGTH, n).body(r.body()),
                        None => req.body(r.body()),
                    },
                })
            })
            .await?;
        let status = resp.status();
        if status.as_u16() >= 400 {
            let hdrs = resp.headers().clone();
            let final_url = resp.url().clone();
            tracing::error!(
                "Request to '{}' failed: {}",
                cloud_core::error::redact_url(&final_url),
                status.as_u16()
            );
            let body = read_limited(resp, 64 * 1024).await;
            let ctx = ErrorContext::request(&method, &final_url)
                .with_response(status, &hdrs)
                .with_body(&body);
            let ra = hdrs
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok());
            return Err(error_from_response(status, &body, ra, ctx));
        }
        let sent = Sent {
            method,
            url: resp.url().to_string(),
            headers,
        };
        Ok((resp, sent))
    }
}

verbs!(Client);

/// Python's `json.dumps(v)`: `", "` and `": "` separators, keys in the map's order
/// (serde_json's maps are sorted unless its `preserve_order` feature is on), and every
/// non-ASCII character escaped as `\uXXXX` (`ensure_ascii`), so the text is plain ASCII and
/// fits in a header. What the original's users put in `X-Kloudless-Metadata`.
///
/// ```
/// use serde_json::json;
/// let meta = json!({"name": "été 🎉.txt", "parent_id": "root"});
/// assert_eq!(
///     kloudless::json_dumps(&meta),
///     r#"{"name": "\u00e9t\u00e9 \ud83c\udf89.txt", "parent_id": "root"}"#
/// );
/// ```
pub fn json_dumps(v: &Value) -> String {
    match v {
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", py_str(k), json_dumps(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(json_dumps).collect::<Vec<_>>().join(", ")
        ),
        Value::String(t) => py_str(t),
        other => other.to_string(),
    }
}

/// A JSON string as `json.dumps` writes it: non-ASCII as `\uXXXX` (UTF-16 units).
fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || !c.is_ascii() => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `Account(token=None, api_key=None, account_id=None)`: a [`Client`] on
/// `<base>/v<version>/accounts/<account_id or me>`, with every call of it.
#[derive(Clone, Debug)]
pub struct Account {
    client: Client,
    account_id: String,
}

impl AsRef<Client> for Account {
    fn as_ref(&self) -> &Client {
        &self.client
    }
}

/// The calls `Account` inherits from `Client` in the original, written on the type (the Rust
/// API guidelines keep `Deref` for smart pointers).
impl Account {
    /// The [`Client`] this account session is built on.
    pub fn as_client(&self) -> &Client {
        &self.client
    }

    /// [`Client::url`]: `<base>/v<version>/accounts/<account_id>`.
    pub fn url(&self) -> &str {
        self.client.url()
    }

    /// [`Client::set_header`].
    pub fn set_header(&self, name: impl Into<String>, value: impl Into<String>) {
        self.client.set_header(name, value)
    }

    /// [`Client::request`].
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        options: RequestOptions,
    ) -> Result<Response> {
        self.client.request(method, path, options).await
    }
}

verbs!(Account);

impl Account {
    /// `Account(token, api_key, account_id)`: an API key needs an account id.
    pub fn new(
        token: Option<&str>,
        api_key: Option<&str>,
        account_id: Option<&str>,
    ) -> Result<Self> {
        Self::with_config(token, api_key, account_id, &configuration())
    }

    /// [`Account::new`] with an explicit configuration instead of the global one.
    pub fn with_config(
        token: Option<&str>,
        api_key: Option<&str>,
        account_id: Option<&str>,
        config: &Configuration,
    ) -> Result<Self> {
        Self::with_options(token, api_key, account_id, config, &HttpOptions::default())
    }

    /// [`Account::with_config`] with client options (see [`Client::with_options`]).
    pub fn with_options(
        token: Option<&str>,
        api_key: Option<&str>,
        account_id: Option<&str>,
        config: &Configuration,
        http: &HttpOptions,
    ) -> Result<Self> {
        if api_key.is_some_and(|k| !k.is_empty()) && account_id.is_none_or(str::is_empty) {
            return Err(Error::InvalidParameter(
                "An account_id must be provided if you want to use api_key to create an account instance".into(),
            ));
        }
        let base = construct_kloudless_endpoint("", &config.base_url, &config.api_version);
        let account_id = account_id
            .filter(|a| !a.is_empty())
            .unwrap_or("me")
            .to_owned();
        let url = url_join(&base, &format!("accounts/{account_id}"));
        Ok(Self {
            client: Client::with_url(api_key, token, url, http)?,
            account_id,
        })
    }

    /// The account id (`me` by default).
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// `raw(raw_method, raw_uri, **kwargs)`: `POST <account>/raw` with
    /// `X-Kloudless-Raw-Method` and `X-Kloudless-Raw-URI`; returns the raw answer.
    pub async fn raw(
        &self,
        raw_method: &str,
        raw_uri: &str,
        options: RequestOptions,
    ) -> Result<Response> {
        let options = options
            .header("X-Kloudless-Raw-Method", raw_method)
            .header("X-Kloudless-Raw-URI", raw_uri)
            .get_raw_response(true);
        self.client.post("raw", options).await
    }
}

pub(crate) fn is_no_content(status: StatusCode, len: Option<u64>) -> bool {
    status == StatusCode::NO_CONTENT || len == Some(0)
}
