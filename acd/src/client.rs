//! [`AcdClient`] (`ACDClient`): built from a cache folder (token and endpoint files) and a
//! settings folder (`acd_client.ini`); endpoint discovery; and the request layer that every
//! mixin uses (the original's `BackOffRequest`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{Method, StatusCode};
use serde_json::{Map, Value};
use url::Url;

use cloud_core::reqwest::{RequestBuilder, Response};
use cloud_core::retry::{RetryPolicy, RetryStrategy};
use cloud_core::transport::read_limited;
use cloud_core::{ErrorContext, HttpOptions, Idempotency, ProxyScheme, Secret, Transport};

use crate::backoff::{BackOff, Jitter, Pacing};
use crate::config::Settings;
use crate::error::{from_response, from_transport, Error, Result};
use crate::oauth::{
    blocking, write_json_atomic, OAuthHandler, OAuthUrls, AMAZON_OA_LOGIN_URL, AMAZON_OA_TOKEN_URL,
    APPSPOT_URL, TOKEN_INFO_URL,
};

/// Endpoint discovery (`_AMZ_ENDPOINT_REQ_URL`).
pub const AMZ_ENDPOINT_REQ_URL: &str = "https://drive.amazonaws.com/drive/v1/account/endpoint";

/// The accepted statuses of most calls (`OK_CODES`).
pub const OK_CODES: &[u16] = &[200];

/// Options of [`AcdClient::new`]: every URL the original hard-codes, and the opt-in behaviour
/// beyond it.
#[derive(Clone)]
#[non_exhaustive]
pub struct AcdOptions {
    /// Endpoint discovery URL (default [`AMZ_ENDPOINT_REQ_URL`]).
    pub(crate) endpoint_url: String,
    /// Appspot refresh URL (default [`APPSPOT_URL`]).
    pub(crate) appspot_url: String,
    /// Amazon token endpoint for the local handler (default [`AMAZON_OA_TOKEN_URL`]).
    pub(crate) token_url: String,
    /// Amazon's authorize page, for the local handler's first run (default
    /// [`AMAZON_OA_LOGIN_URL`]).
    pub(crate) login_url: String,
    /// The token info endpoint (default [`crate::oauth::TOKEN_INFO_URL`]).
    pub(crate) token_info_url: String,
    /// When requests wait for each other (default [`Pacing::AfterFailures`]: the original's
    /// back-off from the first failure on, no wait while requests succeed).
    pub(crate) pacing: Pacing,
    /// The back-off's random source (default: the OS's).
    pub(crate) jitter: Option<Jitter>,
    /// Timeouts, proxy, user agent, an own `reqwest::Client`, and the retry strategy
    /// (default: none, as the original: a failed request is never re-sent; set cloud-core's
    /// policy to re-send idempotent ones). Timeouts left unset come from `acd_client.ini`
    /// (`connection_timeout`, `idle_timeout`), proxies from its `[proxies]` section.
    pub(crate) http: HttpOptions,
    /// On a 401, refresh the token once and re-send (opt-in: the original only refreshes
    /// by the clock; servers invalidated tokens early, acd_cli issues #326 and #358).
    pub(crate) refresh_on_401: bool,
}

impl Default for AcdOptions {
    fn default() -> Self {
        Self {
            endpoint_url: AMZ_ENDPOINT_REQ_URL.into(),
            appspot_url: APPSPOT_URL.into(),
            token_url: AMAZON_OA_TOKEN_URL.into(),
            login_url: AMAZON_OA_LOGIN_URL.into(),
            token_info_url: TOKEN_INFO_URL.into(),
            pacing: Pacing::AfterFailures,
            jitter: None,
            http: HttpOptions::default(),
            refresh_on_401: false,
        }
    }
}

impl fmt::Debug for AcdOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcdOptions")
            .field("endpoint_url", &self.endpoint_url)
            .field("appspot_url", &self.appspot_url)
            .field("token_url", &self.token_url)
            .field("login_url", &self.login_url)
            .field("token_info_url", &self.token_info_url)
            .field("pacing", &self.pacing)
            .field("http", &self.http)
            .field("refresh_on_401", &self.refresh_on_401)
            .finish()
    }
}

impl AcdOptions {
    /// Points every URL at one server (an emulator): discovery at
    /// `<base>/drive/v1/account/endpoint`, Appspot at `<base>/appspot/`, tokens at
    /// `<base>/auth/o2/token`.
    pub fn base_url(mut self, base: &str) -> Self {
        let base = base.trim_end_matches('/');
        self.endpoint_url = format!("{base}/drive/v1/account/endpoint");
        self.appspot_url = format!("{base}/appspot/");
        self.token_url = format!("{base}/auth/o2/token");
        self.login_url = format!("{base}/auth/o2/authorize");
        self.token_info_url = format!("{base}/auth/o2/tokeninfo");
        self
    }

    /// Sets Amazon's authorize page (the local handler's first run).
    pub fn login_url(mut self, url: impl Into<String>) -> Self {
        self.login_url = url.into();
        self
    }

    /// Sets the token info endpoint ([`OAuthHandler::get_access_token_info`]).
    pub fn token_info_url(mut self, url: impl Into<String>) -> Self {
        self.token_info_url = url.into();
        self
    }

    /// The OAuth URLs of these options.
    pub(crate) fn oauth_urls(&self) -> OAuthUrls {
        OAuthUrls {
            appspot: self.appspot_url.clone(),
            token: self.token_url.clone(),
            login: self.login_url.clone(),
            token_info: self.token_info_url.clone(),
        }
    }

    /// Sets the endpoint discovery URL.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = url.into();
        self
    }

    /// Sets the Appspot refresh URL.
    pub fn appspot_url(mut self, url: impl Into<String>) -> Self {
        self.appspot_url = url.into();
        self
    }

    /// Sets Amazon's token endpoint (the local handler's).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }

    /// Sets when requests wait for each other.
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = pacing;
        self
    }

    /// `false`: never wait ([`Pacing::Off`], as the Python tests replace `_wait`); `true`:
    /// the original's exact pacing ([`Pacing::Original`]).
    #[deprecated(note = "use `pacing(Pacing::Off)` or `pacing(Pacing::Original)`")]
    pub fn backoff_wait(self, wait: bool) -> Self {
        self.pacing(if wait { Pacing::Original } else { Pacing::Off })
    }

    /// Sets the back-off's random source.
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = Some(jitter);
        self
    }

    /// Re-sends failed requests with this strategy (the same as `http.retry_shared(..)`).
    pub fn retry(mut self, retry: Arc<dyn RetryStrategy>) -> Self {
        self.http = self.http.retry_shared(retry);
        self
    }

    /// Sets the client options (timeouts, proxy, user agent, own client, retries).
    pub fn http(mut self, http: HttpOptions) -> Self {
        self.http = http;
        self
    }

    /// Refreshes once on a 401.
    pub fn refresh_on_401(mut self, on: bool) -> Self {
        self.refresh_on_401 = on;
        self
    }
}

pub(crate) struct Inner {
    pub settings: RwLock<Settings>,
    pub cache_path: PathBuf,
    pub handler: OAuthHandler,
    pub endpoints: Map<String, Value>,
    pub metadata_url: Url,
    pub content_url: Url,
    pub transport: Transport,
    pub backoff: BackOff,
    pub refresh_on_401: bool,
    pub owner_id: std::sync::Mutex<Option<String>>,
}

/// The Amazon Cloud Drive client (`ACDClient`, with the account, content, metadata and trash
/// mixins as `impl` blocks). Cheap to clone; `Send + Sync`; clones share tokens and back-off.
#[derive(Clone)]
pub struct AcdClient {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for AcdClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcdClient")
            .field("cache_path", &self.inner.cache_path)
            .field("metadata_url", &self.inner.metadata_url.as_str())
            .field("content_url", &self.inner.content_url.as_str())
            .field("handler", &self.inner.handler)
            .field("backoff", &self.inner.backoff)
            .finish()
    }
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn base_of(data: &Map<String, Value>, key: &str) -> Result<Url> {
    let s = data
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Config(format!("endpoint data lacks {key}")))?;
    let mut u = Url::parse(s).map_err(|e| Error::Config(format!("{key}: {e}")))?;
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    Ok(u)
}

impl AcdClient {
    /// `ACDClient(cache_path, settings_path)`: reads the settings, loads the token file (the
    /// local handler when `client_data` is present, else Appspot), then the endpoint cache
    /// (fetched again when missing or older than `validity_duration`).
    pub async fn new(
        cache_path: impl AsRef<Path>,
        settings_path: impl AsRef<Path>,
        options: AcdOptions,
    ) -> Result<Self> {
        let cache_path = cache_path.as_ref().to_owned();
        let settings_path = settings_path.as_ref().to_owned();
        let settings = blocking(move || Settings::load(&settings_path)).await?;
        let mut builder =
            Transport::builder("https://drive.amazonaws.com/", cloud_core::user_agent!())
                .connect_timeout(Duration::from_secs(settings.connection_timeout))
                .read_timeout(Duration::from_secs(settings.idle_timeout))
                .retry(Arc::new(RetryPolicy::none()));
        for (key, url) in &settings.proxies {
            let scheme = ProxyScheme::from_key(key).ok_or_else(|| {
                Error::Config(format!(
                    "[proxies] {key}: expected http, https or all as the key"
                ))
            })?;
            builder = builder.proxy(scheme, url.clone());
        }
        let transport = builder
            .options(&options.http)
            .build()
            .map_err(|e| Error::Config(e.to_string()))?;
        let handler =
            OAuthHandler::create(&cache_path, &options.oauth_urls(), transport.clone()).await?;
        let endpoints = load_endpoints(
            &cache_path,
            &settings,
            &options.endpoint_url,
            &transport,
            &handler,
        )
        .await?;
        let metadata_url = base_of(&endpoints, "metadataUrl")?;
        let content_url = base_of(&endpoints, "contentUrl")?;
        let jitter = options
            .jitter
            .clone()
            .unwrap_or_else(|| Arc::new(cloud_core::retry::random_jitter));
        Ok(Self {
            inner: Arc::new(Inner {
                settings: RwLock::new(settings),
                cache_path,
                handler,
                endpoints,
                metadata_url,
                content_url,
                transport,
                backoff: BackOff::new(jitter, options.pacing),
                refresh_on_401: options.refresh_on_401,
                owner_id: std::sync::Mutex::new(None),
            }),
        })
    }

    /// `metadata_url` (ends with `/`).
    pub fn metadata_url(&self) -> &Url {
        &self.inner.metadata_url
    }

    /// `content_url` (ends with `/`).
    pub fn content_url(&self) -> &Url {
        &self.inner.content_url
    }

    /// The endpoint data as cached (with `exp_time` and whatever the server sent).
    pub fn endpoint_data(&self) -> &Map<String, Value> {
        &self.inner.endpoints
    }

    /// The cache folder.
    pub fn cache_path(&self) -> &Path {
        &self.inner.cache_path
    }

    /// The OAuth handler.
    pub fn handler(&self) -> &OAuthHandler {
        &self.inner.handler
    }

    /// The current settings (`_conf`).
    pub fn settings(&self) -> Settings {
        self.inner
            .settings
            .read()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// Changes the settings at run time (the original reads `_conf` at each use).
    pub fn set_settings(&self, settings: Settings) {
        if let Ok(mut s) = self.inner.settings.write() {
            *s = settings;
        }
    }

    /// Consecutive request failures of the back-off (read-only).
    pub fn backoff_retries(&self) -> u32 {
        self.inner.backoff.retries()
    }

    pub(crate) fn inner_owner_id(&self) -> Option<String> {
        self.inner.owner_id.lock().ok().and_then(|o| o.clone())
    }

    pub(crate) fn set_owner_id(&self, id: &str) {
        if let Ok(mut o) = self.inner.owner_id.lock() {
            *o = Some(id.to_owned());
        }
    }

    /// A URL on the metadata endpoint.
    pub(crate) fn meta(&self, path: &str) -> Result<Url> {
        self.inner
            .metadata_url
            .join(path)
            .map_err(|e| Error::InvalidInput(format!("{path}: {e}")))
    }

    /// A URL on the content endpoint.
    pub(crate) fn content(&self, path: &str) -> Result<Url> {
        self.inner
            .content_url
            .join(path)
            .map_err(|e| Error::InvalidInput(format!("{path}: {e}")))
    }

    /// `BackOffRequest.get/post/patch/put/delete(url, acc_codes, **kwargs)`, the escape hatch
    /// acd_cli's own code uses: any request through this client's back-off and token, its
    /// answer returned whatever the status, as the original returns its `requests.Response`
    /// (the back-off records a status outside `acc_codes` as a failure). `build` adds what
    /// the original's kwargs carried: query, body, headers, a per-request `timeout`.
    ///
    /// ```no_run
    /// # async fn run(c: acd::AcdClient) -> Result<(), acd::Error> {
    /// use acd::cloud_core::reqwest::Method;
    /// let url = c.metadata_url().join("account/quota").map_err(|e| acd::Error::InvalidInput(e.to_string()))?;
    /// let r = c
    ///     .backoff_request(Method::GET, url, acd::OK_CODES, |r| {
    ///         Ok(r.timeout(std::time::Duration::from_secs(10)))
    ///     })
    ///     .await?;
    /// println!("{}", r.status());
    /// # Ok(()) }
    /// ```
    pub async fn backoff_request<F>(
        &self,
        method: Method,
        url: Url,
        acc_codes: &[u16],
        build: F,
    ) -> Result<Response>
    where
        F: FnMut(RequestBuilder) -> std::result::Result<RequestBuilder, cloud_core::Error>,
    {
        self.request_raw(method, url, acc_codes, build).await
    }

    /// One request through the back-off: waits for its turn, sends with the bearer token,
    /// records success (a status in `acc_codes`) or failure, and turns a failure into a
    /// `RequestError` with the raw body. Never re-sends unless [`AcdOptions::retry`] is set.
    pub(crate) async fn request<F>(
        &self,
        method: Method,
        url: Url,
        acc_codes: &[u16],
        build: F,
    ) -> Result<Response>
    where
        F: FnMut(RequestBuilder) -> std::result::Result<RequestBuilder, cloud_core::Error>,
    {
        let m = method.clone();
        let resp = self.request_raw(method, url, acc_codes, build).await?;
        if acc_codes.contains(&resp.status().as_u16()) {
            Ok(resp)
        } else {
            Err(error_of(&m, resp).await)
        }
    }

    /// [`AcdClient::request`] without the error conversion: the response whatever its status
    /// (the back-off still records a status outside `acc_codes` as a failure).
    pub(crate) async fn request_raw<F>(
        &self,
        method: Method,
        url: Url,
        acc_codes: &[u16],
        mut build: F,
    ) -> Result<Response>
    where
        F: FnMut(RequestBuilder) -> std::result::Result<RequestBuilder, cloud_core::Error>,
    {
        let mut token = self.inner.handler.access_token().await?;
        let mut refreshed = false;
        loop {
            self.inner.backoff.wait().await;
            let resp = self.send_once(&method, &url, &token, &mut build).await;
            let resp = match resp {
                Ok(r) => r,
                Err(e) => {
                    self.inner.backoff.record(false);
                    return Err(e);
                }
            };
            let status = resp.status();
            if acc_codes.contains(&status.as_u16()) {
                self.inner.backoff.record(true);
                return Ok(resp);
            }
            self.inner.backoff.record(false);
            if status == StatusCode::UNAUTHORIZED && self.inner.refresh_on_401 && !refreshed {
                drop(resp);
                token = self
                    .inner
                    .handler
                    .refresh_after_unauthorized(&token)
                    .await?;
                refreshed = true;
                continue;
            }
            return Ok(resp);
        }
    }

    async fn send_once<F>(
        &self,
        method: &Method,
        url: &Url,
        token: &Secret,
        build: &mut F,
    ) -> Result<Response>
    where
        F: FnMut(RequestBuilder) -> std::result::Result<RequestBuilder, cloud_core::Error>,
    {
        let t = &self.inner.transport;
        let idem = Idempotency::from_method(method);
        tracing::info!("{method} \"{}\"", cloud_core::error::redact_url(url));
        t.send(method, url, idem, || {
            build(
                t.request(method.clone(), url.clone())
                    .bearer_auth(token.expose()),
            )
        })
        .await
        .map_err(|e| from_transport(&e))
    }
}

/// The `RequestError` of a failed response (reads at most 64 KiB of its body).
pub(crate) async fn error_of(method: &Method, resp: Response) -> Error {
    let status = resp.status();
    let headers = resp.headers().clone();
    let url = resp.url().clone();
    if let Some(id) = headers
        .get("x-amzn-RequestId")
        .and_then(|v| v.to_str().ok())
    {
        tracing::info!("x-amzn-RequestId: {id}");
    }
    let body = read_limited(resp, 64 * 1024).await;
    let ctx = ErrorContext::request(method, &url)
        .with_response(status, &headers)
        .with_body(&body);
    from_response(status, &body, ctx)
}

/// `_load_endpoints`: the cached file when valid, otherwise discovery.
async fn load_endpoints(
    cache_path: &Path,
    settings: &Settings,
    endpoint_url: &str,
    transport: &Transport,
    handler: &OAuthHandler,
) -> Result<Map<String, Value>> {
    let path = cache_path.join(&settings.endpoints_filename);
    let read = path.clone();
    if let Ok(text) = blocking(move || Ok(std::fs::read_to_string(read)?)).await {
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        let Value::Object(data) = v else {
            return Err(Error::Config(format!(
                "{} is not a JSON object",
                path.display()
            )));
        };
        let exp = data
            .get("exp_time")
            .and_then(Value::as_f64)
            .ok_or_else(|| Error::Config(format!("{} lacks exp_time", path.display())))?;
        if now_secs() <= exp {
            return Ok(data);
        }
    }
    get_endpoints(&path, settings, endpoint_url, transport, handler).await
}

/// `_get_endpoints`: one discovery GET (no back-off), then the file written with `exp_time`.
async fn get_endpoints(
    path: &Path,
    settings: &Settings,
    endpoint_url: &str,
    transport: &Transport,
    handler: &OAuthHandler,
) -> Result<Map<String, Value>> {
    let url = Url::parse(endpoint_url).map_err(|e| Error::Config(format!("endpoint URL: {e}")))?;
    let token = handler.access_token().await?;
    let resp = transport
        .send(&Method::GET, &url, Idempotency::Idempotent, || {
            Ok(transport
                .request(Method::GET, url.clone())
                .bearer_auth(token.expose()))
        })
        .await
        .map_err(|e| from_transport(&e))?;
    if resp.status() != StatusCode::OK {
        let e = error_of(&Method::GET, resp).await;
        tracing::error!("Error getting endpoint data. Response: {e}");
        return Err(e);
    }
    let body = read_limited(resp, 1 << 20).await;
    let v: Value =
        serde_json::from_slice(&body).map_err(|e| Error::Config(format!("endpoint data: {e}")))?;
    let Value::Object(mut data) = v else {
        return Err(Error::Config("endpoint data is not a JSON object".into()));
    };
    for key in ["metadataUrl", "contentUrl"] {
        if !data.contains_key(key) {
            return Err(Error::Config(format!("endpoint data lacks {key}")));
        }
    }
    data.insert(
        "exp_time".into(),
        Value::from(now_secs() + settings.endpoints_validity as f64),
    );
    let (path, value) = (path.to_owned(), Value::Object(data.clone()));
    blocking(move || write_json_atomic(&path, &value)).await?;
    Ok(data)
}

/// `is_valid_id`: 22 characters of `[A-Za-z0-9_-]`.
pub fn is_valid_id(id: &str) -> bool {
    id.len() == 22
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_valid_id("abcdefghijklmnopqrstuv"));
        assert!(is_valid_id("a0b1c2d3e4f--6h7i8j9k0"));
        assert!(is_valid_id("0123456789012345678901"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("abcdefghijklmnopqrstu"));
        assert!(!is_valid_id("abcdefghijklmnopqrstä"));
        assert!(!is_valid_id("abcdefghijklmnopqrst/v"));
    }
}
