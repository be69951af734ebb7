//! The HTTP transport every provider client sits on: a reqwest client with a base URL (which
//! tests and emulators override), a `<crate>/<version>` user agent, connect and read-idle
//! timeouts, HTTP/1.1, a retry strategy, and `tracing` spans that never hold a secret.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};
use reqwest::{RequestBuilder, Response};
use tracing::Instrument;
use url::Url;

use crate::error::{from_reqwest, redact_url, Error, ErrorContext, ErrorKind};
use crate::options::{HttpOptions, ProxyScheme, Setting};
use crate::retry::{
    retry_after_header, send_with_retry_hinted, Idempotency, RetryHint, RetryPolicy, RetryStrategy,
};

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default read-idle timeout: the longest wait for the next bytes of a response.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Builds a [`Transport`].
pub struct TransportBuilder {
    base_url: String,
    user_agent: String,
    connect_timeout: Duration,
    read_timeout: Option<Duration>,
    timeout: Option<Duration>,
    proxies: Vec<(ProxyScheme, String)>,
    retry: Arc<dyn RetryStrategy>,
    hint: Option<RetryHint>,
    default_headers: HeaderMap,
    client: Option<reqwest::Client>,
    max_json_bytes: usize,
}

impl fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("base_url", &self.base_url)
            .field("user_agent", &self.user_agent)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("timeout", &self.timeout)
            .field("proxies", &self.proxies.len())
            .field("own_client", &self.client.is_some())
            .field("retry", &self.retry)
            .field(
                "default_headers",
                &self.default_headers.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl TransportBuilder {
    /// Overrides the base URL (an emulator, a proxy, a regional endpoint).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sets the connect timeout.
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Sets the read-idle timeout (per read, not for the whole body).
    pub fn read_timeout(mut self, t: Duration) -> Self {
        self.read_timeout = Some(t);
        self
    }

    /// Applies a caller's [`HttpOptions`] over the defaults set so far: what they leave unset
    /// keeps the provider's default.
    pub fn options(mut self, options: &HttpOptions) -> Self {
        if let Some(t) = options.connect_timeout {
            self.connect_timeout = t;
        }
        match options.read_timeout {
            Setting::Default => {}
            Setting::Set(t) => self.read_timeout = Some(t),
            Setting::Disabled => self.read_timeout = None,
        }
        if options.timeout.is_some() {
            self.timeout = options.timeout;
        }
        self.proxies.extend(options.proxies.iter().cloned());
        if let Some(ua) = &options.user_agent {
            self.user_agent = ua.clone();
        }
        if let Some(c) = &options.client {
            self.client = Some(c.clone());
        }
        if let Some(n) = options.max_json_bytes {
            self.max_json_bytes = n;
        }
        if let Some(r) = &options.retry {
            self.retry = Arc::clone(r);
        }
        self
    }

    /// Sends every request of one scheme through a proxy.
    pub fn proxy(mut self, scheme: ProxyScheme, url: impl Into<String>) -> Self {
        self.proxies.push((scheme, url.into()));
        self
    }

    /// Sets an overall limit per request attempt (connect to the end of the body).
    pub fn timeout(mut self, t: Option<Duration>) -> Self {
        self.timeout = t;
        self
    }

    /// Sets the retry strategy.
    pub fn retry(mut self, strategy: Arc<dyn RetryStrategy>) -> Self {
        self.retry = strategy;
        self
    }

    /// A provider's own wait signal, read from answers without `Retry-After` and handed to
    /// the retry strategy as the answer's `retry_after`.
    pub fn retry_hint(mut self, hint: RetryHint) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Adds a header sent with every request.
    pub fn default_header(mut self, name: http::HeaderName, value: http::HeaderValue) -> Self {
        self.default_headers.insert(name, value);
        self
    }

    /// Uses a ready reqwest client instead of building one (timeouts and user agent are then
    /// the caller's).
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// Builds the transport. Fails on a base URL that does not parse or is not http(s).
    pub fn build(self) -> Result<Transport, Error> {
        let mut base = Url::parse(&self.base_url)
            .map_err(|e| Error::config(format!("invalid base URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(Error::config("base URL must be an http(s) URL"));
        }
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let client = match self.client {
            Some(c) => c,
            None => {
                let mut b = reqwest::Client::builder()
                    .user_agent(self.user_agent.clone())
                    .connect_timeout(self.connect_timeout)
                    .http1_only()
                    .default_headers(self.default_headers);
                if let Some(t) = self.read_timeout {
                    b = b.read_timeout(t);
                }
                for (scheme, url) in &self.proxies {
                    let proxy = match scheme {
                        ProxyScheme::Http => reqwest::Proxy::http(url.as_str()),
                        ProxyScheme::Https => reqwest::Proxy::https(url.as_str()),
                        _ => reqwest::Proxy::all(url.as_str()),
                    }
                    .map_err(|_| Error::config("invalid proxy URL"))?;
                    b = b.proxy(proxy);
                }
                b.build().map_err(|e| from_reqwest(e, None))?
            }
        };
        Ok(Transport {
            inner: Arc::new(Inner {
                client,
                base,
                user_agent: self.user_agent,
                timeout: self.timeout,
                retry: self.retry,
                hint: self.hint,
                max_json_bytes: self.max_json_bytes,
            }),
        })
    }
}

struct Inner {
    client: reqwest::Client,
    base: Url,
    user_agent: String,
    timeout: Option<Duration>,
    retry: Arc<dyn RetryStrategy>,
    hint: Option<RetryHint>,
    max_json_bytes: usize,
}

/// The largest JSON answer read unless [`HttpOptions::max_json_bytes`] says otherwise: 64 MiB,
/// the same in every crate.
pub const DEFAULT_MAX_JSON_BYTES: usize = 64 << 20;

/// The JSON limit an answer came with ([`HttpOptions::max_json_bytes`] of the transport that
/// sent it; the default for an answer from elsewhere). Read it where the answer is decoded:
/// `read_json(method, resp, json_limit(&resp))`.
pub fn json_limit(response: &Response) -> usize {
    response
        .extensions()
        .get::<JsonLimit>()
        .map_or(DEFAULT_MAX_JSON_BYTES, |l| l.0)
}

/// The limit a transport puts on its answers (a response extension).
#[derive(Debug, Clone, Copy)]
struct JsonLimit(usize);

/// A cheap-to-clone HTTP transport.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &redact_url(&self.inner.base))
            .field("user_agent", &self.inner.user_agent)
            .field("retry", &self.inner.retry)
            .finish()
    }
}

/// The user agent of a crate: `<name>/<version>`.
#[macro_export]
macro_rules! user_agent {
    () => {
        concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"))
    };
}

impl Transport {
    /// A builder with the defaults: the given base URL and user agent, 5 s connect timeout,
    /// 60 s read-idle timeout, the default [`RetryPolicy`].
    pub fn builder(base_url: impl Into<String>, user_agent: impl Into<String>) -> TransportBuilder {
        TransportBuilder {
            base_url: base_url.into(),
            user_agent: user_agent.into(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            timeout: None,
            proxies: Vec::new(),
            retry: Arc::new(RetryPolicy::default()),
            hint: None,
            default_headers: HeaderMap::new(),
            client: None,
            max_json_bytes: DEFAULT_MAX_JSON_BYTES,
        }
    }

    /// The base URL (always ending in `/`).
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The reqwest client.
    pub fn client(&self) -> &reqwest::Client {
        &self.inner.client
    }

    /// The retry strategy.
    pub fn retry_strategy(&self) -> &Arc<dyn RetryStrategy> {
        &self.inner.retry
    }

    /// The base URL joined with a relative path (`"files/1"`, `"api/2/path/info/"`). A leading
    /// `/` is dropped so that the base URL's own path is kept; an absolute URL is taken as is.
    pub fn url(&self, path: &str) -> Result<Url, Error> {
        if path.starts_with("http://") || path.starts_with("https://") {
            return Url::parse(path).map_err(|e| Error::invalid_input(format!("invalid URL: {e}")));
        }
        self.inner
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::invalid_input(format!("invalid path {path:?}: {e}")))
    }

    /// The overall per-attempt timeout ([`HttpOptions::timeout`]), if one is set.
    pub fn timeout(&self) -> Option<Duration> {
        self.inner.timeout
    }

    /// Starts a request to an absolute URL (with the overall timeout, when one is set).
    pub fn request(&self, method: Method, url: Url) -> RequestBuilder {
        let req = self.inner.client.request(method, url);
        match self.inner.timeout {
            Some(t) => req.timeout(t),
            None => req,
        }
    }

    /// Sends a request (rebuilt by `make` for each attempt) with the transport's retry strategy
    /// in a `tracing` span with the redacted URL. Returns the final response whatever its status.
    pub async fn send<F>(
        &self,
        method: &Method,
        url: &Url,
        idempotency: Idempotency,
        make: F,
    ) -> Result<Response, Error>
    where
        F: FnMut() -> Result<RequestBuilder, Error>,
    {
        self.send_with(self.inner.retry.as_ref(), method, url, idempotency, make)
            .await
    }

    /// [`Transport::send`] with another retry strategy.
    pub async fn send_with<F>(
        &self,
        strategy: &dyn RetryStrategy,
        method: &Method,
        url: &Url,
        idempotency: Idempotency,
        make: F,
    ) -> Result<Response, Error>
    where
        F: FnMut() -> Result<RequestBuilder, Error>,
    {
        let span = tracing::debug_span!("http", method = %method, url = %redact_url(url));
        async {
            let limit = JsonLimit(self.inner.max_json_bytes);
            let result =
                send_with_retry_hinted(strategy, idempotency, self.inner.hint.as_ref(), make)
                    .await
                    .map(|mut resp| {
                        resp.extensions_mut().insert(limit);
                        resp
                    });
            match &result {
                Ok(resp) => tracing::debug!(status = resp.status().as_u16(), "response"),
                Err(e) => tracing::debug!(error = %e, "request failed"),
            }
            result.map_err(|mut e| {
                let c = e.error_context_mut();
                c.method = Some(method.clone());
                c.url = Some(redact_url(url));
                e
            })
        }
        .instrument(span)
        .await
    }
}

/// Reads a failed response into an [`Error`]: status classification, Retry-After, request id,
/// a body snippet, and the server's message as `parse_message` finds it in the body.
/// Reads at most 64 KiB of the body.
pub async fn error_from_response(
    method: &Method,
    response: Response,
    parse_message: impl FnOnce(StatusCode, &[u8]) -> Option<String>,
) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    let url = response.url().clone();
    let body = read_limited(response, 64 * 1024).await;
    let mut context = ErrorContext::request(method, &url).with_response(status, &headers);
    context = context.with_body(&body);
    context.message = parse_message(status, &body);
    let kind = match ErrorKind::from_status(status, retry_after_header(&headers)) {
        Some(kind) => kind,
        // A "success" the caller still calls a failure (an unexpected 3xx or 2xx).
        None => ErrorKind::Decode,
    };
    Error::new(kind).context(context)
}

/// Reads at most `limit` bytes of a body, dropping the rest (and any read error).
pub async fn read_limited(mut response: Response, limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = limit.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() >= limit {
            break;
        }
    }
    out
}

/// Reads a whole body of at most `limit` bytes; a longer body is a decode error (never a
/// silently shortened body).
pub async fn read_body(
    method: &Method,
    mut response: Response,
    limit: usize,
) -> Result<Vec<u8>, Error> {
    let url = response.url().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| from_reqwest(e, Some(method)))?
    {
        if body.len() + chunk.len() > limit {
            let msg = format!(
                "body larger than {limit} bytes (HttpOptions::max_json_bytes raises the limit)"
            );
            return Err(Error::decode(msg.clone())
                .context(ErrorContext::request(method, &url).with_message(msg)));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `serde_json::from_slice`, with the body's UTF-8 checked once up front rather than string by
/// string (`from_slice` checks every string it meets; on a page of thousands of entries that
/// was 2-5 % of a listing's client CPU in `perf`). Same answers and errors.
pub fn json_from_bytes<'a, T: serde::Deserialize<'a>>(body: &'a [u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        // Not UTF-8: `from_slice` finds the bad string and says where.
        Err(_) => serde_json::from_slice(body),
    }
}

/// Decodes a JSON body, reading at most `limit` bytes; a longer body is a decode error.
pub async fn read_json<T: serde::de::DeserializeOwned>(
    method: &Method,
    response: Response,
    limit: usize,
) -> Result<T, Error> {
    let url = response.url().clone();
    let status = response.status();
    let body = read_body(method, response, limit).await?;
    json_from_bytes(&body).map_err(|e| {
        let mut ctx = ErrorContext::request(method, &url).with_body(&body);
        ctx.status = Some(status);
        ctx.message = Some(format!("invalid JSON: {e}"));
        Error::new(ErrorKind::Decode).context(ctx).source_error(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_from_bytes_answers_as_from_slice() {
        for body in [
            &b"{\"a\": [1, \"\xc3\xa9\", null]}"[..],
            b"{\"a\": \"\xff\"}",
            b"{\"a\": 1",
            b"",
            b"[1, 2] x",
        ] {
            let ours = json_from_bytes::<serde_json::Value>(body).map_err(|e| e.to_string());
            let theirs =
                serde_json::from_slice::<serde_json::Value>(body).map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{body:?}");
        }
    }

    #[test]
    fn url_joining_keeps_base_path() {
        let t = Transport::builder("http://127.0.0.1:1/api/v2", "x/1")
            .build()
            .unwrap();
        assert_eq!(t.base_url().as_str(), "http://127.0.0.1:1/api/v2/");
        assert_eq!(
            t.url("/files/1").unwrap().as_str(),
            "http://127.0.0.1:1/api/v2/files/1"
        );
        assert_eq!(
            t.url("https://other/x").unwrap().as_str(),
            "https://other/x"
        );
        assert!(Transport::builder("ftp://x", "x/1").build().is_err());
        assert!(Transport::builder("not a url", "x/1").build().is_err());
    }
}
