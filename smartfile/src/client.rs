//! [`Client`] (URL building, argument encoding, response decoding, the throttle retry),
//! [`BasicClient`] and [`OAuthClient`].

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use futures::StreamExt;
use http::{Method, StatusCode};
use url::Url;

use cloud_core::body::Download;
use cloud_core::reqwest::multipart::{Form, Part};
use cloud_core::reqwest::{Body, RequestBuilder};
use cloud_core::retry::{Attempt, Decision, Outcome, RetryPolicy, RetryStrategy, StopReason};
use cloud_core::transport::{read_body, read_limited};
use cloud_core::{BasicCredentials, ErrorContext, HttpOptions, Idempotency, Secret, Transport};

use crate::credentials::{clean_tokens, oauth_header, OAuthToken};
use crate::error::{response_error, Error, Result};
use crate::params::{FileSource, Params};

/// The real service (`API_URL`, with its trailing slash).
pub const API_URL: &str = "https://app.smartfile.com/";
/// The original's User-Agent (this crate sends `smartfile/<version>`, see the crate docs).
pub const HTTP_USER_AGENT: &str = "SmartFile Python API client v2.19";
/// Attempts per call under throttling.
pub(crate) const MAX_ATTEMPTS: u32 = 3;

/// The seconds of an `X-Throttle` value, per the original's pattern
/// `^.*; next=([\d\.]+) sec$`; `None` when it does not
/// match (or the number does not parse, where the original raised `ValueError`).
pub(crate) fn throttle_delay(value: &str) -> Option<f64> {
    let (_, rest) = value.rsplit_once("; next=")?;
    let num = rest.strip_suffix(" sec")?;
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    num.parse().ok()
}

/// Options of every client (`url`, `version`, `throttle_wait`) plus the client options.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// The base URL, with its trailing `/` (default: `SMARTFILE_API_URL`, else [`API_URL`]).
    pub(crate) url: Option<String>,
    /// The API version segment (default `"2"`).
    pub(crate) version: String,
    /// Retry 503 answers carrying `X-Throttle: …; next=N sec` (at most 3 attempts, whatever
    /// the method: a throttled call was not processed), on every call, downloads included.
    pub(crate) throttle_wait: bool,
    /// The longest throttle wait honoured (default 60 s); a longer `next=` ends the call
    /// with the throttled answer's error. The original waited whatever the server said.
    pub(crate) throttle_max_wait: Duration,
    /// Beyond the original: retry 429 answers after their `Retry-After` (cloud-core's policy).
    pub(crate) retry_rate_limits: bool,
    /// Timeouts, proxy, user agent, an own `reqwest::Client` and the retry policy of
    /// everything but the throttle (default: 429s only, see `retry_rate_limits`; a policy set
    /// here replaces that, `RetryPolicy::none()` leaving only the original's throttle wait).
    pub(crate) http: HttpOptions,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            url: None,
            version: "2".into(),
            throttle_wait: true,
            throttle_max_wait: Duration::from_secs(60),
            retry_rate_limits: true,
            http: HttpOptions::default(),
        }
    }
}

impl ClientOptions {
    /// Sets `url`.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Sets `version`.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Sets `throttle_wait`.
    pub fn throttle_wait(mut self, wait: bool) -> Self {
        self.throttle_wait = wait;
        self
    }

    /// Sets the retry of 429 answers.
    pub fn retry_rate_limits(mut self, retry: bool) -> Self {
        self.retry_rate_limits = retry;
        self
    }

    /// Sets the longest throttle wait honoured.
    pub fn throttle_max_wait(mut self, max: Duration) -> Self {
        self.throttle_max_wait = max;
        self
    }

    /// Sets the client options (timeouts, proxy, user agent, own client, retries).
    pub fn http(mut self, http: HttpOptions) -> Self {
        self.http = http;
        self
    }
}

/// The `id` of a call: a path, a user name or a number; a falsy one (`""`, `0`, none) is
/// dropped from the URL, as in the original.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Id(pub Option<String>);

impl From<()> for Id {
    fn from(_: ()) -> Self {
        Id(None)
    }
}
impl From<&str> for Id {
    fn from(s: &str) -> Self {
        Id((!s.is_empty()).then(|| s.to_owned()))
    }
}
impl From<String> for Id {
    fn from(s: String) -> Self {
        Id((!s.is_empty()).then_some(s))
    }
}
impl From<&String> for Id {
    fn from(s: &String) -> Self {
        Id::from(s.as_str())
    }
}
impl From<i64> for Id {
    fn from(n: i64) -> Self {
        Id((n != 0).then(|| n.to_string()))
    }
}
impl From<i32> for Id {
    fn from(n: i32) -> Self {
        Id::from(i64::from(n))
    }
}
/// An id read from an answer (`value["id"].as_u64()`), as Python's `int`.
impl From<u64> for Id {
    fn from(n: u64) -> Self {
        Id((n != 0).then(|| n.to_string()))
    }
}
impl<T: Into<Id>> From<Option<T>> for Id {
    fn from(o: Option<T>) -> Self {
        o.map_or(Id(None), Into::into)
    }
}

/// What a call returns: JSON when the answer's Content-Type is exactly `application/json`
/// (text when that JSON does not parse), otherwise the body as a stream (never buffered).
#[derive(Debug)]
#[non_exhaustive]
pub enum Response {
    /// Decoded JSON.
    Json(serde_json::Value),
    /// A body typed JSON that did not parse.
    Text(String),
    /// Any other body, as a stream of bytes.
    Stream(Download),
}

impl Response {
    /// The JSON, if the answer was JSON.
    pub fn json(&self) -> Option<&serde_json::Value> {
        match self {
            Response::Json(v) => Some(v),
            _ => None,
        }
    }

    /// The JSON decoded as `T` (a model of [`crate::models`] or the caller's own type),
    /// without a copy; a non-JSON answer or JSON of another shape is an [`Error::Request`].
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        match self {
            Response::Json(v) => T::deserialize(v).map_err(|e| {
                Error::unexpected(format!("the answer is not the JSON expected: {e}"))
            }),
            _ => Err(Error::unexpected("expected JSON, got a non-JSON body")),
        }
    }

    /// The JSON, or an error naming what came instead.
    pub fn into_json(self) -> Result<serde_json::Value> {
        match self {
            Response::Json(v) => Ok(v),
            Response::Text(t) => Err(Error::unexpected(format!(
                "expected JSON, got text: {}",
                t.chars().take(100).collect::<String>()
            ))),
            Response::Stream(_) => Err(Error::unexpected("expected JSON, got a non-JSON body")),
        }
    }

    /// Reads a stream (or JSON/text) whole: for small bodies only.
    pub async fn bytes(self) -> Result<Vec<u8>> {
        match self {
            Response::Json(v) => Ok(v.to_string().into_bytes()),
            Response::Text(t) => Ok(t.into_bytes()),
            Response::Stream(mut s) => {
                let mut out = Vec::new();
                while let Some(c) = s.next().await {
                    out.extend_from_slice(&c?);
                }
                Ok(out)
            }
        }
    }
}

/// cloud-core's policy, for 429 answers only (the default beyond the original).
#[derive(Debug)]
struct RateLimitsOnly(RetryPolicy);

impl RetryStrategy for RateLimitsOnly {
    fn decide(&self, attempt: &Attempt, outcome: &Outcome) -> Decision {
        match outcome {
            Outcome::Status { status, .. } if status.as_u16() == 429 => {
                self.0.decide(attempt, outcome)
            }
            _ => Decision::Stop(StopReason::NotRetryable),
        }
    }
}

/// The original's throttle wait as a retry strategy: a 503 whose `X-Throttle` (read into
/// `retry_after` by [`throttle_hint`]) says when to come back is sent again after that wait,
/// at most [`MAX_ATTEMPTS`] attempts in all, whatever the method; the wait is capped (a longer
/// one stops) and is a tokio sleep, so dropping the call cancels it. Everything else goes to
/// the inner strategy.
#[derive(Debug)]
struct Throttle {
    inner: Arc<dyn RetryStrategy>,
    enabled: bool,
    max_wait: Duration,
}

impl RetryStrategy for Throttle {
    fn decide(&self, attempt: &Attempt, outcome: &Outcome) -> Decision {
        if let Outcome::Status {
            status,
            retry_after: Some(wait),
        } = outcome
        {
            if self.enabled && *status == StatusCode::SERVICE_UNAVAILABLE {
                if attempt.retries + 1 >= MAX_ATTEMPTS {
                    return Decision::Stop(StopReason::Exhausted);
                }
                if *wait > self.max_wait {
                    return Decision::Stop(StopReason::RetryAfterTooLong);
                }
                return Decision::Retry { after: *wait };
            }
        }
        self.inner.decide(attempt, outcome)
    }
}

/// `X-Throttle: …; next=N sec` on a 503, as a wait.
fn throttle_hint(status: StatusCode, headers: &http::HeaderMap) -> Option<Duration> {
    if status != StatusCode::SERVICE_UNAVAILABLE {
        return None;
    }
    let secs = headers
        .get("X-Throttle")
        .and_then(|v| v.to_str().ok())
        .and_then(throttle_delay)?;
    Duration::try_from_secs_f64(secs).ok()
}

/// True for a throttled answer the strategy gave up on.
fn is_throttled(status: StatusCode, headers: &http::HeaderMap) -> bool {
    throttle_hint(status, headers).is_some()
}

pub(crate) struct OAuthState {
    pub client: OAuthToken,
    pub access: RwLock<OAuthToken>,
    pub request: Mutex<Option<OAuthToken>>,
}

#[derive(Clone)]
pub(crate) enum Auth {
    None,
    Basic(BasicCredentials),
    OAuth1(Arc<OAuthState>),
}

/// The base client (`smartfile.Client`): no authentication (enough for `/ping/`). Cheap to
/// clone.
#[derive(Clone)]
pub struct Client {
    url: String,
    version: String,
    throttle_wait: bool,
    transport: Transport,
    pub(crate) auth: Auth,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.auth {
            Auth::None => "none".to_owned(),
            Auth::Basic(b) => format!("{b:?}"),
            Auth::OAuth1(o) => format!("OAuth({:?})", o.client),
        };
        f.debug_struct("Client")
            .field(
                "url",
                &Url::parse(&self.url)
                    .map(|u| cloud_core::error::redact_url(&u))
                    .unwrap_or_else(|_| "<unparsable>".into()),
            )
            .field("version", &self.version)
            .field("throttle_wait", &self.throttle_wait)
            .field("auth", &auth)
            .finish()
    }
}

/// Characters `requests` leaves as they are in a URL (unreserved, reserved and `%`).
fn requote_keep(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// `requests.utils.requote_uri`: valid `%XX` escapes kept, everything outside the unreserved
/// and reserved sets percent-encoded as UTF-8; with an invalid escape, every `%` is encoded.
pub(crate) fn requote_uri(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let valid = bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || (i + 2 < bytes.len() + 1
                && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    let mut out = String::with_capacity(uri.len());
    for c in uri.chars() {
        if c == '%' && !valid {
            out.push_str("%25");
        } else if requote_keep(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn part_filename(name: &str) -> String {
    name.replace('"', "%22")
}

impl Client {
    /// `Client(url=None, version='2', throttle_wait=True)`: no I/O.
    pub fn new(options: ClientOptions) -> Result<Self> {
        Self::with_auth(options, Auth::None)
    }

    pub(crate) fn with_auth(options: ClientOptions, auth: Auth) -> Result<Self> {
        let url = options
            .url
            .filter(|u| !u.is_empty())
            .or_else(|| {
                std::env::var("SMARTFILE_API_URL")
                    .ok()
                    .filter(|u| !u.is_empty())
            })
            .unwrap_or_else(|| API_URL.to_owned());
        let policy = RetryPolicy::default().total_timeout(Some(Duration::from_secs(120)));
        let inner: Arc<dyn RetryStrategy> = match options.http.get_retry() {
            Some(r) => Arc::clone(r),
            None if options.retry_rate_limits => Arc::new(RateLimitsOnly(policy)),
            None => Arc::new(RetryPolicy::none()),
        };
        let strategy = Arc::new(Throttle {
            inner,
            enabled: options.throttle_wait,
            max_wait: options.throttle_max_wait,
        });
        // The transport's own base URL is unused (every URL is built here); any valid one does.
        let transport = Transport::builder("http://127.0.0.1/", cloud_core::user_agent!())
            .options(&options.http)
            .retry(strategy)
            .retry_hint(Arc::new(throttle_hint))
            .build()?;
        Ok(Self {
            url,
            version: options.version,
            throttle_wait: options.throttle_wait,
            transport,
            auth,
        })
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The API version segment.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The URL of a call, built as the original builds it: `api/<version>/<endpoint>/<id>/`
    /// (falsy id dropped, trailing slash added, `//` collapsed), appended to the base URL,
    /// re-quoted as `requests` does. A base URL without its trailing `/` gives an invalid URL:
    /// [`Error::Request`], before anything is sent.
    pub fn build_url(&self, endpoint: &str, id: &Id) -> Result<Url> {
        let mut segs = vec!["api", self.version.as_str(), endpoint];
        if let Some(id) = &id.0 {
            segs.push(id);
        }
        let mut path = segs.join("/");
        if !path.ends_with('/') {
            path.push('/');
        }
        while path.contains("//") {
            path = path.replace("//", "/");
        }
        let mut full = requote_uri(&format!("{}{path}", self.url));
        // A `#` or `?` in a path is part of a name: sent escaped (the original sent it raw,
        // cutting the path at a fragment or a query: README, "Differences from the original").
        let base = requote_uri(&self.url);
        if let Some(rest) = full.strip_prefix(base.as_str()) {
            full = format!("{base}{}", rest.replace('#', "%23").replace('?', "%3F"));
        }
        Url::parse(&full).map_err(|e| Error::request(format!("Failed to parse: {full:?}: {e}")))
    }

    fn authorize(&self, req: RequestBuilder) -> Result<RequestBuilder> {
        Ok(match &self.auth {
            Auth::None => req,
            Auth::Basic(b) => b.apply(req),
            Auth::OAuth1(o) => {
                let access = o.access.read().map(|a| a.clone()).unwrap_or_default();
                if !access.is_valid() {
                    return Err(Error::Api(
                        "You must obtain an access tokenbefore making API calls.".into(),
                    ));
                }
                req.header(
                    http::header::AUTHORIZATION,
                    oauth_header(&o.client, Some(&access), &[])?,
                )
            }
        })
    }

    fn body(
        req: RequestBuilder,
        method: &Method,
        params: &Params,
    ) -> std::result::Result<RequestBuilder, cloud_core::Error> {
        if *method == Method::GET {
            return Ok(req);
        }
        if params.is_empty() {
            return Ok(req.header(http::header::CONTENT_LENGTH, 0).body(Vec::new()));
        }
        if !params.has_file() {
            return Ok(req.form(&params.pairs()));
        }
        let mut form = Form::new().percent_encode_noop();
        for (k, v) in params.pairs() {
            form = form.text(k, v);
        }
        for (name, file) in params.files() {
            let progress = file.progress.clone();
            let mut sent = 0u64;
            let mut counted = move |r: &std::io::Result<bytes::Bytes>, total: Option<u64>| {
                if let (Ok(b), Some(p)) = (r, &progress) {
                    sent += b.len() as u64;
                    p(cloud_core::body::Progress {
                        transferred: sent,
                        total,
                    });
                }
            };
            let part = match &file.source {
                FileSource::Bytes(b) => {
                    Part::stream_with_length(Body::from(b.clone()), b.len() as u64)
                }
                FileSource::Path(p) => {
                    let f = std::fs::File::open(p)?;
                    let len = f.metadata()?.len();
                    let stream = cloud_core::body::read_stream(tokio::fs::File::from_std(f))
                        .inspect(move |r| counted(r, Some(len)));
                    Part::stream_with_length(Body::wrap_stream(stream), len)
                }
                FileSource::Reader(reader) => {
                    // Taken when the body is first polled: an attempt that never sent a byte
                    // (a connection error) leaves it for the next one.
                    let len = reader.known_len();
                    let stream = reader.stream().inspect(move |r| counted(r, len));
                    match len {
                        Some(n) => Part::stream_with_length(Body::wrap_stream(stream), n),
                        None => Part::stream(Body::wrap_stream(stream)),
                    }
                }
            };
            let mut part = part.file_name(part_filename(&file.filename));
            if let Some(ct) = &file.content_type {
                part = part.mime_str(ct).map_err(|e| {
                    cloud_core::Error::invalid_input(format!("content type {ct:?}: {e}"))
                })?;
            }
            form = form.part(name.to_owned(), part);
        }
        Ok(req.multipart(form))
    }

    /// `_request`: sends a call, with the original's throttle retry (503 + `X-Throttle`, at
    /// most 3 attempts) and, beyond it, cloud-core's retry of 429s after `Retry-After`.
    pub async fn request(
        &self,
        method: Method,
        endpoint: &str,
        id: impl Into<Id>,
        params: Params,
    ) -> Result<Response> {
        let resp = self.send(&method, endpoint, id.into(), &params).await?;
        decode(&method, resp).await
    }

    /// [`Client::get`] with the answer's JSON decoded as `T` straight from the body's bytes
    /// (no intermediate `serde_json::Value`): a model of [`crate::models`] or the caller's
    /// own type. An answer that is not JSON of `T` is an [`Error::Request`] (its source a
    /// decode error).
    ///
    /// ```no_run
    /// # async fn run(api: smartfile::BasicClient) -> smartfile::Result<()> {
    /// use smartfile::models::PathInfo;
    /// use smartfile::Params;
    /// let root: PathInfo = api.get_as("/path/info", "/", Params::new()).await?;
    /// println!("{:?} entries", root.items);
    /// # Ok(()) }
    /// ```
    pub async fn get_as<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: &str,
        id: impl Into<Id>,
        params: Params,
    ) -> Result<T> {
        let method = Method::GET;
        let resp = self.send(&method, endpoint, id.into(), &params).await?;
        let limit = cloud_core::transport::json_limit(&resp);
        let body = read_body(&method, resp, limit).await?;
        cloud_core::transport::json_from_bytes(&body)
            .map_err(|e| Error::unexpected(format!("the answer is not the JSON expected: {e}")))
    }

    /// Sends a call (see [`Client::request`]) up to the answer's head; an error status is
    /// the error it maps to.
    async fn send(
        &self,
        method: &Method,
        endpoint: &str,
        id: Id,
        params: &Params,
    ) -> Result<cloud_core::reqwest::Response> {
        let method = method.clone();
        let mut url = self.build_url(endpoint, &id)?;
        if method == Method::GET {
            let pairs = params.pairs();
            if !pairs.is_empty() {
                url.query_pairs_mut().extend_pairs(pairs.iter());
            }
        }
        let mut auth_err = None;
        let resp = self
            .transport
            .send(&method, &url, Idempotency::from_method(&method), || {
                let req = self.transport.request(method.clone(), url.clone());
                let req = match self.authorize(req) {
                    Ok(r) => r,
                    Err(e) => {
                        auth_err = Some(e);
                        return Err(cloud_core::Error::invalid_input("no access token"));
                    }
                };
                Self::body(req, &method, params)
            })
            .await;
        if let Some(e) = auth_err {
            return Err(e);
        }
        let resp = resp?;
        let status = resp.status();
        if status.as_u16() < 400 {
            return Ok(resp);
        }
        Err(self.failure(&method, resp).await)
    }

    /// The error of a failed answer: the original's "Could not complete request after 3
    /// trys." when the throttle wait gave up, else the `ResponseError`.
    async fn failure(&self, method: &Method, resp: cloud_core::reqwest::Response) -> Error {
        if self.throttle_wait && is_throttled(resp.status(), resp.headers()) {
            let ctx = ErrorContext::request(method, resp.url())
                .with_response(resp.status(), resp.headers());
            return Error::Request {
                detail: "Could not complete request after 3 trys.".into(),
                source: Some(cloud_core::Error::new(cloud_core::ErrorKind::Server).context(ctx)),
            };
        }
        error_of(method, resp).await
    }

    /// `get(endpoint, id=None, **kwargs)`: arguments in the query.
    pub async fn get(&self, endpoint: &str, id: impl Into<Id>, params: Params) -> Result<Response> {
        self.request(Method::GET, endpoint, id, params).await
    }

    /// `__call__`: the same as [`Client::get`].
    pub async fn call(
        &self,
        endpoint: &str,
        id: impl Into<Id>,
        params: Params,
    ) -> Result<Response> {
        self.get(endpoint, id, params).await
    }

    /// `post(endpoint, id=None, **kwargs)`: arguments in the form (or multipart) body.
    pub async fn post(
        &self,
        endpoint: &str,
        id: impl Into<Id>,
        params: Params,
    ) -> Result<Response> {
        self.request(Method::POST, endpoint, id, params).await
    }

    /// `put(endpoint, id=None, **kwargs)`.
    pub async fn put(&self, endpoint: &str, id: impl Into<Id>, params: Params) -> Result<Response> {
        self.request(Method::PUT, endpoint, id, params).await
    }

    /// `delete(endpoint, id=None, **kwargs)` (arguments in a form body, as the original sends).
    pub async fn delete(
        &self,
        endpoint: &str,
        id: impl Into<Id>,
        params: Params,
    ) -> Result<Response> {
        self.request(Method::DELETE, endpoint, id, params).await
    }

    /// A raw GET with an optional `Range`, for resumable downloads.
    pub(crate) async fn get_range(
        &self,
        url: &Url,
        offset: u64,
    ) -> Result<cloud_core::reqwest::Response> {
        self.get_with_range(url, cloud_core::body::range_header(offset))
            .await
    }

    /// A GET of `url` with an optional `Range` header value.
    pub(crate) async fn get_with_range(
        &self,
        url: &Url,
        range: Option<String>,
    ) -> Result<cloud_core::reqwest::Response> {
        let resp = self
            .transport
            .send(&Method::GET, url, Idempotency::Idempotent, || {
                let mut req = self.transport.request(Method::GET, url.clone());
                if let Some(r) = &range {
                    req = req.header(http::header::RANGE, r.as_str());
                }
                self.authorize(req).map_err(|e| {
                    cloud_core::Error::with_message(
                        cloud_core::ErrorKind::Unauthorized,
                        e.to_string(),
                    )
                })
            })
            .await?;
        if resp.status().as_u16() >= 400 {
            return Err(self.failure(&Method::GET, resp).await);
        }
        Ok(resp)
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }
}

/// The `ResponseError` of a failed answer (reads at most 64 KiB of its body).
pub(crate) async fn error_of(method: &Method, resp: cloud_core::reqwest::Response) -> Error {
    let status = resp.status();
    let headers = resp.headers().clone();
    let url = resp.url().clone();
    let body = read_limited(resp, 64 * 1024).await;
    let ctx = ErrorContext::request(method, &url)
        .with_response(status, &headers)
        .with_body(&body);
    response_error(status, &body, ctx)
}

/// `_do_request`'s decoding: exact `application/json` → JSON (text when it does not parse);
/// anything else → a stream.
async fn decode(method: &Method, resp: cloud_core::reqwest::Response) -> Result<Response> {
    let is_json = resp
        .headers()
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/json");
    if is_json {
        // Decoded whole, into a tree several times its size: the family's limit
        // (`HttpOptions::max_json_bytes`, 64 MiB unless raised) bounds it. A longer body is
        // an error naming the option, never a shortened text.
        let limit = cloud_core::transport::json_limit(&resp);
        let body = read_body(method, resp, limit).await?;
        return Ok(match cloud_core::transport::json_from_bytes(&body) {
            Ok(v) => Response::Json(v),
            Err(_) => Response::Text(String::from_utf8_lossy(&body).into_owned()),
        });
    }
    let len = resp.content_length();
    let stream = resp
        .bytes_stream()
        .map(|r| r.map_err(|e| cloud_core::error::from_reqwest(e, None)));
    Ok(Response::Stream(Download::from_stream(
        Box::pin(stream),
        len,
    )))
}

/// Options of [`BasicClient::new`]: the client options and `netrcfile`.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct BasicOptions {
    /// `url`, `version`, `throttle_wait`.
    pub(crate) client: ClientOptions,
    /// A netrc file to read instead of `~/.netrc`.
    pub(crate) netrcfile: Option<PathBuf>,
}

impl BasicOptions {
    /// Sets the client options; a URL set before with [`BasicOptions::url`] stays unless
    /// these options set one (the order of the two calls does not matter).
    pub fn client(mut self, client: ClientOptions) -> Self {
        let url = self.client.url.take();
        self.client = client;
        if self.client.url.is_none() {
            self.client.url = url;
        }
        self
    }

    /// Sets `url`.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.client.url = Some(url.into());
        self
    }

    /// Sets `netrcfile`.
    pub fn netrcfile(mut self, path: impl Into<PathBuf>) -> Self {
        self.netrcfile = Some(path.into());
        self
    }
}

/// HTTP Basic with an API key and password (`BasicClient`): every call of [`Client`] (which
/// the Python class inherits) is on this type too, and [`BasicClient::as_client`] gives the
/// client itself. Cheap to clone: clones share the connection pool.
#[derive(Debug, Clone)]
pub struct BasicClient {
    pub(crate) client: Client,
}

const BASIC_MISSING: &str =
    "Please provide an API key and password. Use arguments or environment variables.";

impl BasicClient {
    /// `BasicClient(key=None, password=None, netrcfile=None, url=…, version=…)`: the key and
    /// password from the arguments, else `SMARTFILE_API_KEY` / `SMARTFILE_API_PASSWORD`,
    /// else the netrc entry of the base URL's host (`host[:port]`); each at least 30
    /// characters once stripped, checked before any request ([`Error::Api`]).
    pub fn new(key: Option<&str>, password: Option<&str>, options: BasicOptions) -> Result<Self> {
        let client = Client::new(options.client.clone())?;
        let mut key = key
            .map(str::to_owned)
            .or_else(|| std::env::var("SMARTFILE_API_KEY").ok());
        let mut password = password
            .map(str::to_owned)
            .or_else(|| std::env::var("SMARTFILE_API_PASSWORD").ok());
        if key.is_none() || password.is_none() {
            let machine = Url::parse(&client.url)
                .ok()
                .map(|u| {
                    let host = u.host_str().unwrap_or_default().to_owned();
                    match u.port() {
                        Some(p) => format!("{host}:{p}"),
                        None => host,
                    }
                })
                .unwrap_or_default();
            // `netrc(netrcfile)`: without a file, the user's `~/.netrc` with Python's permission
            // check; any failure is ignored, as the original's bare `except: pass`.
            let rc = crate::netrc::Netrc::read(options.netrcfile.as_deref()).ok();
            if let Some(entry) = rc.as_ref().and_then(|rc| rc.authenticators(&machine)) {
                if key.is_none() {
                    key = Some(entry.login.clone());
                }
                if password.is_none() {
                    password = Some(entry.password.expose().to_owned());
                }
            }
        }
        let cleaned = clean_tokens(&[key.as_deref(), password.as_deref()])
            .map_err(|_| Error::Api(BASIC_MISSING.into()))?;
        let creds = BasicCredentials::new(cleaned[0].clone(), Secret::new(cleaned[1].clone()));
        let mut client = client;
        client.auth = Auth::Basic(creds);
        Ok(Self { client })
    }

    /// The API key.
    pub fn key(&self) -> &str {
        match &self.client.auth {
            Auth::Basic(b) => &b.username,
            _ => "",
        }
    }
}

/// OAuth 1.0 PLAINTEXT (`OAuthClient`): every call of [`Client`] is on this type too, and
/// [`OAuthClient::as_client`] gives the client itself. Cheap to clone: clones share the
/// connection pool and the tokens (an access token obtained by one is used by all).
#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub(crate) client: Client,
}

fn env_or(v: Option<&str>, name: &str) -> Option<String> {
    v.map(str::to_owned).or_else(|| std::env::var(name).ok())
}

impl OAuthClient {
    /// `OAuthClient(client_token, client_secret, access_token, access_secret, url=…)`: each
    /// missing value from `SMARTFILE_CLIENT_TOKEN`, `SMARTFILE_CLIENT_SECRET`,
    /// `SMARTFILE_ACCESS_TOKEN`, `SMARTFILE_ACCESS_SECRET`. The client pair must be valid;
    /// the access pair is checked at each call.
    pub fn new(
        client_token: Option<&str>,
        client_secret: Option<&str>,
        access_token: Option<&str>,
        access_secret: Option<&str>,
        options: ClientOptions,
    ) -> Result<Self> {
        let client = OAuthToken {
            token: env_or(client_token, "SMARTFILE_CLIENT_TOKEN"),
            secret: env_or(client_secret, "SMARTFILE_CLIENT_SECRET").map(Secret::new),
        };
        if !client.is_valid() {
            return Err(Error::Api(
                "You must provide a client_tokenand client_secret for OAuth.".into(),
            ));
        }
        let access = OAuthToken {
            token: env_or(access_token, "SMARTFILE_ACCESS_TOKEN"),
            secret: env_or(access_secret, "SMARTFILE_ACCESS_SECRET").map(Secret::new),
        };
        let state = Arc::new(OAuthState {
            client,
            access: RwLock::new(access),
            request: Mutex::new(None),
        });
        Ok(Self {
            client: Client::with_auth(options, Auth::OAuth1(state))?,
        })
    }

    fn state(&self) -> Result<&Arc<OAuthState>> {
        match &self.client.auth {
            Auth::OAuth1(s) => Ok(s),
            _ => Err(Error::Api("not an OAuth client".into())),
        }
    }

    fn oauth_url(&self, path: &str) -> Result<Url> {
        Url::parse(&self.client.url)
            .and_then(|u| u.join(path))
            .map_err(|e| Error::request(format!("Failed to parse: {e}")))
    }

    async fn token_call(
        &self,
        path: &str,
        token: Option<&OAuthToken>,
        extra: &[(&str, &str)],
    ) -> Result<OAuthToken> {
        let state = self.state()?;
        let url = self.oauth_url(path)?;
        let header = oauth_header(&state.client, token, extra)?;
        let t = self.client.transport();
        let resp = t
            .send(&Method::POST, &url, Idempotency::NonIdempotent, || {
                Ok(t.request(Method::POST, url.clone())
                    .header(http::header::AUTHORIZATION, header.clone())
                    .header(http::header::CONTENT_LENGTH, 0)
                    .body(Vec::new()))
            })
            .await?;
        let body = read_limited(resp, 64 * 1024).await;
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(&body).into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        match (get("oauth_token"), get("oauth_token_secret")) {
            (Some(tok), Some(sec)) => Ok(OAuthToken::new(tok, sec)),
            _ => Err(Error::request(format!(
                "the token answer lacks oauth_token/oauth_token_secret: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ))),
        }
    }

    /// `get_request_token(callback=None)`: `POST <url>oauth/request_token/`; the token is kept.
    pub async fn get_request_token(&self, callback: Option<&str>) -> Result<OAuthToken> {
        let extra: Vec<(&str, &str)> = callback
            .map(|c| vec![("oauth_callback", c)])
            .unwrap_or_default();
        let t = self
            .token_call("oauth/request_token/", None, &extra)
            .await?;
        if let Ok(mut r) = self.state()?.request.lock() {
            *r = Some(t.clone());
        }
        Ok(t)
    }

    fn request_token(&self, request: Option<&OAuthToken>) -> Result<OAuthToken> {
        let stored = self.state()?.request.lock().ok().and_then(|r| r.clone());
        request
            .cloned()
            .or(stored)
            .filter(OAuthToken::is_valid)
            .ok_or_else(|| Error::Api("You must obtain a request token to request and access token. Use get_request_token() first.".into()))
    }

    /// `get_authorization_url(request=None)`: `<url>oauth/authorize/?oauth_token=<token>` (the
    /// URL the original intends; on Python 3 it raised `AttributeError`).
    pub fn get_authorization_url(&self, request: Option<&OAuthToken>) -> Result<String> {
        let token = self.request_token(request)?;
        let mut url = self.oauth_url("oauth/authorize/")?;
        url.query_pairs_mut()
            .append_pair("oauth_token", token.token.as_deref().unwrap_or_default());
        Ok(url.into())
    }

    /// `get_access_token(request=None, verifier=None)`: `POST <url>oauth/access_token/`; the
    /// access token is kept for later calls and returned.
    pub async fn get_access_token(
        &self,
        request: Option<&OAuthToken>,
        verifier: Option<&str>,
    ) -> Result<OAuthToken> {
        let request = self.request_token(request)?;
        let extra: Vec<(&str, &str)> = verifier
            .map(|v| vec![("oauth_verifier", v)])
            .unwrap_or_default();
        let t = self
            .token_call("oauth/access_token/", Some(&request), &extra)
            .await?;
        if let Ok(mut a) = self.state()?.access.write() {
            *a = t.clone();
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_like_requests() {
        let c = Client::new(ClientOptions::default().url("http://127.0.0.1:8000/")).unwrap();
        let u = |e: &str, id: Id| c.build_url(e, &id).unwrap().to_string();
        assert_eq!(u("/ping", Id(None)), "http://127.0.0.1:8000/api/2/ping/");
        assert_eq!(u("ping", Id(None)), "http://127.0.0.1:8000/api/2/ping/");
        assert_eq!(
            u("/path/info", "/".into()),
            "http://127.0.0.1:8000/api/2/path/info/"
        );
        assert_eq!(
            u("/path/data", "/the/file/path".into()),
            "http://127.0.0.1:8000/api/2/path/data/the/file/path/"
        );
        assert_eq!(
            u("/path/info", "//double//slash".into()),
            "http://127.0.0.1:8000/api/2/path/info/double/slash/"
        );
        assert_eq!(
            u("/path/info", "/dir with space/ünï".into()),
            "http://127.0.0.1:8000/api/2/path/info/dir%20with%20space/%C3%BCn%C3%AF/"
        );
        assert_eq!(
            u("/path/info", "/50%".into()),
            "http://127.0.0.1:8000/api/2/path/info/50%25/"
        );
        assert_eq!(
            u("/path/info", "/a;b&c=d+e%20f%zz".into()),
            "http://127.0.0.1:8000/api/2/path/info/a;b&c=d+e%2520f%25zz/"
        );
        assert_eq!(
            u("access/user", 42.into()),
            "http://127.0.0.1:8000/api/2/access/user/42/"
        );
        assert_eq!(u("/user", 0.into()), "http://127.0.0.1:8000/api/2/user/");
        // `?` and `#` belong to the name (the original cut the path there).
        let q = c.build_url("/path/info", &"/q?x=1".into()).unwrap();
        assert_eq!((q.path(), q.query()), ("/api/2/path/info/q%3Fx=1/", None));
        let h = c.build_url("/path/info", &"/h#frag".into()).unwrap();
        assert_eq!(
            (h.path(), h.fragment()),
            ("/api/2/path/info/h%23frag/", None)
        );
        let v = Client::new(ClientOptions::default().url("http://h/").version("3.4")).unwrap();
        assert_eq!(
            v.build_url("/ping", &Id(None)).unwrap().path(),
            "/api/3.4/ping/"
        );
        let bad = Client::new(ClientOptions::default().url("http://127.0.0.1:8000")).unwrap();
        assert!(matches!(
            bad.build_url("/ping", &Id(None)),
            Err(Error::Request { .. })
        ));
    }

    #[test]
    fn throttle_header() {
        assert_eq!(throttle_delay("throttled; next=0.01 sec"), Some(0.01));
        assert_eq!(throttle_delay("next=1 sec"), None);
        assert_eq!(throttle_delay("x; next=1.2.3 sec"), None);
        assert_eq!(throttle_delay("x; next=2 secs"), None);
    }
}
