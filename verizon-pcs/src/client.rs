//! [`Cloud`]: the SDK's main class (`thingspace.cloud.Cloud`, mixins `Oauth`, `Fops`,
//! `Upload`), its options, the OAuth calls and `networker`, which sends every request.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::Utc;
use http::{Method, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use url::Url;

use cloud_core::auth::{ClientAuth, TokenRefresher};
use cloud_core::reqwest::{RequestBuilder, Response};
use cloud_core::retry::RetryStrategy;
use cloud_core::transport::read_limited;
use cloud_core::{
    ErrorContext, HttpOptions, Idempotency, OAuth2Client, Secret, TokenCache, Transport,
};

use crate::error::{classify, messages, Call, Error, Result};
use crate::models::Token;

/// The real service (`Env.api_cloud`): `https://api.cloudapi.verizon.com/cloud/1`.
pub const API_CLOUD: &str = "https://api.cloudapi.verizon.com/cloud/1";

/// Called with the new [`Token`] after every refresh (automatic or explicit), so that the
/// application can store it.
pub type OnRefreshed = Arc<dyn Fn(&Token) + Send + Sync>;

/// Options of [`Cloud::new`]: the Python keyword arguments, plus the base URL and retries.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct CloudOptions {
    /// A stored access token.
    pub(crate) access_token: Option<Secret>,
    /// A stored refresh token.
    pub(crate) refresh_token: Option<Secret>,
    /// The refresh callback.
    pub(crate) on_refreshed: Option<OnRefreshed>,
    /// The API base (`Env.api_cloud`): an emulator, say. Default [`API_CLOUD`].
    pub(crate) base_url: Option<String>,
    /// Timeouts, proxy, user agent, an own `reqwest::Client` and the retry strategy
    /// (default: cloud-core's [`cloud_core::RetryPolicy`] for idempotent calls; the original
    /// never retries: `RetryPolicy::none()` for that). See the README's "Retries and
    /// timeouts".
    pub(crate) http: HttpOptions,
}

impl fmt::Debug for CloudOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudOptions")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("on_refreshed", &self.on_refreshed.is_some())
            .field("base_url", &self.base_url)
            .field("http", &self.http)
            .finish()
    }
}

impl CloudOptions {
    /// Sets `access_token`.
    pub fn access_token(mut self, token: impl Into<Secret>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// Sets `refresh_token`.
    pub fn refresh_token(mut self, token: impl Into<Secret>) -> Self {
        self.refresh_token = Some(token.into());
        self
    }

    /// Sets `on_refreshed`.
    pub fn on_refreshed(mut self, f: impl Fn(&Token) + Send + Sync + 'static) -> Self {
        self.on_refreshed = Some(Arc::new(f));
        self
    }

    /// Sets the API base URL.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sets the retry strategy (the same as `http.retry_shared(..)`).
    pub fn retry(mut self, retry: Arc<dyn RetryStrategy>) -> Self {
        self.http = self.http.retry_shared(retry);
        self
    }

    /// Sets the client options (timeouts, proxy, user agent, own client, retries).
    pub fn http(mut self, http: HttpOptions) -> Self {
        self.http = http;
        self
    }
}

/// What the token endpoint needs, and the last token it gave. Grants go out through
/// cloud-core's [`OAuth2Client::send_token_form`], never re-sent once they may have arrived.
struct Refresher {
    transport: Transport,
    oauth: OAuth2Client,
    client_secret: Secret,
    callback_url: String,
    last: Mutex<Option<Token>>,
}

impl Refresher {
    /// Posts the token form (fields in the original's order, credentials in the body, no
    /// Authorization header) and checks the answer as `call` does.
    async fn post(&self, call: Call, grant: (&str, &str), grant_type: &str) -> Result<Token> {
        let form = [
            ("client_id", self.oauth.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            ("redirect_uri", self.callback_url.as_str()),
            grant,
            ("grant_type", grant_type),
        ];
        let resp = self
            .oauth
            .send_token_form(&self.transport, &form)
            .await
            .map_err(Error::network)?;
        let resp = check(call, &Method::POST, resp).await?;
        let token: Token = read_json(&Method::POST, resp).await?;
        if let Ok(mut last) = self.last.lock() {
            *last = Some(token.clone());
        }
        Ok(token)
    }
}

fn to_core(t: &Token) -> cloud_core::Token {
    cloud_core::Token::new(t.access_token.clone())
        .with_refresh_token(Some(t.refresh_token.clone()))
        .with_expires_at(
            t.expires_in
                .map(|s| Utc::now() + chrono::Duration::seconds(s.min(i64::MAX as u64) as i64)),
        )
        .with_token_type(t.token_type.clone())
}

fn from_core(t: &cloud_core::Token) -> Token {
    Token {
        access_token: t.access_token.clone(),
        refresh_token: t.refresh_token.clone().unwrap_or_default(),
        expires_in: t
            .expires_at
            .map(|at| (at - Utc::now()).num_seconds().max(0) as u64),
        token_type: t.token_type.clone(),
        extra: BTreeMap::new(),
    }
}

#[async_trait]
impl TokenRefresher<Error> for Refresher {
    async fn refresh(&self, current: &cloud_core::Token) -> Result<cloud_core::Token> {
        let rt = current
            .refresh_token
            .as_ref()
            .ok_or_else(|| Error::InvalidInput(messages::NO_REFRESH_TOKEN.into()))?;
        let token = self
            .post(
                Call::Refresh,
                ("refresh_token", rt.expose()),
                "refresh_token",
            )
            .await?;
        Ok(to_core(&token))
    }
}

pub(crate) struct Inner {
    pub(crate) callback_url: String,
    pub(crate) transport: Transport,
    pub(crate) tokens: TokenCache<Error>,
    refresher: Arc<Refresher>,
    on_refreshed: Arc<Mutex<Option<OnRefreshed>>>,
}

/// The Personal Cloud Storage client (`Cloud`). Cheap to clone; clones share tokens.
///
/// Construction does no I/O. Every call sends through `networker`, which mirrors the
/// original: 5xx are errors first; a 401 while authenticated with a refresh token triggers one
/// refresh (single-flight: however many calls hit the 401 together, one refresh is made) and
/// one replay with the new token. Beyond the original, a token whose expiry is known (after
/// [`Cloud::token`] or a refresh) is refreshed shortly before it expires.
#[derive(Clone)]
pub struct Cloud {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cloud")
            .field("client_key", &self.inner.refresher.oauth.client_id)
            .field("client_secret", &self.inner.refresher.client_secret)
            .field("callback_url", &self.inner.callback_url)
            .field("api_cloud", &self.inner.transport.base_url().as_str())
            .field("tokens", &self.inner.tokens)
            .finish()
    }
}

/// Characters kept as they are in a path segment; everything else is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// Python's `quote(path)`: `/` kept too.
const QUOTE: &AsciiSet = &SEGMENT.remove(b'/');

/// Percent-encodes an absolute path segment by segment (`/a b/c` -> `/a%20b/c`).
pub(crate) fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a success body as JSON (at most 64 MiB), mapping failures to `CloudError`.
pub(crate) async fn read_json<T: serde::de::DeserializeOwned>(
    method: &Method,
    resp: Response,
) -> Result<T> {
    let limit = cloud_core::transport::json_limit(&resp);
    cloud_core::transport::read_json(method, resp, limit)
        .await
        .map_err(|e| {
            let ctx = e.error_context().clone();
            Error::Cloud {
                message: messages::UNEXPECTED.to_owned(),
                source: cloud_core::Error::new(cloud_core::ErrorKind::Decode).context(ctx),
            }
        })
}

/// The server's `error_description` (or `error`) from an error body.
pub(crate) fn server_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("error_description")
        .or_else(|| v.get("error"))
        .and_then(|m| m.as_str())
        .map(str::to_owned)
}

/// Applies a call's status rules; on failure reads the body into the error's context.
pub(crate) async fn check(call: Call, method: &Method, resp: Response) -> Result<Response> {
    match classify(call, resp.status()) {
        Ok(()) => Ok(resp),
        Err((kind, msg)) => Err(Error::from_kind(kind, msg, context_of(method, resp).await)),
    }
}

/// The context of a failed response: status, redacted URL, request id, body snippet and the
/// server's message.
pub(crate) async fn context_of(method: &Method, resp: Response) -> ErrorContext {
    let status = resp.status();
    let headers = resp.headers().clone();
    let url = resp.url().clone();
    let body = read_limited(resp, 64 * 1024).await;
    let mut ctx = ErrorContext::request(method, &url)
        .with_response(status, &headers)
        .with_body(&body);
    ctx.message = server_message(&body);
    ctx
}

impl Cloud {
    /// `Cloud(client_key, client_secret, callback_url, access_token=None, refresh_token=None,
    /// on_refreshed=None)`. Fails only on an unusable base URL.
    ///
    /// ```
    /// use verizon_pcs::{Cloud, CloudOptions};
    /// let cloud = Cloud::new("key", "secret", "https://app.example/cb", CloudOptions::default())?;
    /// assert!(!cloud.authenticated());
    /// assert!(cloud.authorize_url().starts_with("https://api.cloudapi.verizon.com/cloud/1/oauth2/authorize?"));
    /// # Ok::<_, verizon_pcs::Error>(())
    /// ```
    pub fn new(
        client_key: impl Into<String>,
        client_secret: impl Into<Secret>,
        callback_url: impl Into<String>,
        options: CloudOptions,
    ) -> Result<Self> {
        let transport = Transport::builder(
            options
                .base_url
                .clone()
                .unwrap_or_else(|| API_CLOUD.to_owned()),
            cloud_core::user_agent!(),
        )
        .options(&options.http)
        .build()?;
        let client_key = client_key.into();
        let callback_url = callback_url.into();
        let oauth = OAuth2Client {
            client_id: client_key.clone(),
            client_secret: None,
            authorize_url: transport.url("oauth2/authorize")?,
            token_url: transport.url("oauth2/token")?,
            redirect_uri: Some(callback_url.clone()),
            client_auth: ClientAuth::None,
        };
        let refresher = Arc::new(Refresher {
            transport: transport.clone(),
            oauth,
            client_secret: client_secret.into(),
            callback_url: callback_url.clone(),
            last: Mutex::new(None),
        });
        // A refresh token given alone is kept (with an empty access token: not
        // `authenticated` until `refresh()` gets one).
        let token = match (options.access_token, options.refresh_token) {
            (None, None) => None,
            (access, refresh) => Some(
                cloud_core::Token::new(access.unwrap_or_default())
                    .with_refresh_token(refresh)
                    .with_token_type(Some("Bearer".into())),
            ),
        };
        let tokens: TokenCache<Error> =
            TokenCache::new(token, refresher.clone() as Arc<dyn TokenRefresher<Error>>);
        let on_refreshed = Arc::new(Mutex::new(options.on_refreshed));
        {
            let (slot, last) = (Arc::clone(&on_refreshed), Arc::clone(&refresher));
            tokens.set_hook(Some(Arc::new(move |t: &cloud_core::Token| {
                let cb = slot.lock().ok().and_then(|g| g.clone());
                if let Some(cb) = cb {
                    let full = last
                        .last
                        .lock()
                        .ok()
                        .and_then(|l| l.clone())
                        .filter(|l| l.access_token == t.access_token)
                        .unwrap_or_else(|| from_core(t));
                    cb(&full);
                }
            })));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                callback_url,
                transport,
                tokens,
                refresher,
                on_refreshed,
            }),
        })
    }

    /// True once an access token is held (`cloud.authenticated`).
    pub fn authenticated(&self) -> bool {
        self.access_token().is_some()
    }

    /// The current access token.
    pub fn access_token(&self) -> Option<Secret> {
        self.inner
            .tokens
            .token()
            .map(|t| t.access_token)
            .filter(|a| !a.expose().is_empty())
    }

    /// The current refresh token.
    pub fn refresh_token(&self) -> Option<Secret> {
        self.inner.tokens.token().and_then(|t| t.refresh_token)
    }

    /// Replaces `on_refreshed` (`cloud.on_refreshed = callback`).
    pub fn set_on_refreshed(&self, callback: Option<OnRefreshed>) {
        if let Ok(mut slot) = self.inner.on_refreshed.lock() {
            *slot = callback;
        }
    }

    /// How many refreshes this client (and its clones) made.
    /// A test hook (feature `emulator`): tests count refreshes against the emulator's.
    #[cfg(feature = "emulator")]
    #[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
    pub fn refresh_count(&self) -> u64 {
        self.inner.tokens.refresh_count()
    }

    /// The API base URL (`Env.api_cloud`).
    pub fn api_cloud(&self) -> &Url {
        self.inner.transport.base_url()
    }

    /// `GET {API}/oauth2/authorize?client_id=…&redirect_uri=…&response_type=code`; no I/O.
    pub fn authorize_url(&self) -> String {
        let mut url = self
            .inner
            .transport
            .base_url()
            .join("oauth2/authorize")
            .unwrap_or_else(|_| self.inner.transport.base_url().clone());
        url.query_pairs_mut()
            .append_pair("client_id", &self.inner.refresher.oauth.client_id)
            .append_pair("redirect_uri", &self.inner.callback_url)
            .append_pair("response_type", "code");
        url.into()
    }

    /// Exchanges an authorization code for tokens and keeps them (`on_refreshed` is not called).
    pub async fn token(&self, auth_code: &str) -> Result<Token> {
        if auth_code.is_empty() {
            return Err(Error::InvalidInput("auth_code must be provided".into()));
        }
        let token = self
            .inner
            .refresher
            .post(Call::Token, ("code", auth_code), "authorization_code")
            .await?;
        self.inner.tokens.set_token(to_core(&token));
        Ok(token)
    }

    /// Refreshes the tokens now and calls `on_refreshed` with the new [`Token`].
    /// [`Error::InvalidInput`] (the original's `ValueError`) when no refresh token is held.
    pub async fn refresh(&self) -> Result<Token> {
        if self.refresh_token().is_none() {
            return Err(Error::InvalidInput(messages::NO_REFRESH_TOKEN.into()));
        }
        let t = self.inner.tokens.force_refresh().await?;
        Ok(self
            .inner
            .refresher
            .last
            .lock()
            .ok()
            .and_then(|l| l.clone())
            .filter(|l| l.access_token == t.access_token)
            .unwrap_or_else(|| from_core(&t)))
    }

    /// `{API}/<prefix><encoded path>`.
    pub(crate) fn path_url(&self, prefix: &str, path: &str) -> Result<Url> {
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        Ok(self
            .inner
            .transport
            .url(&format!("{prefix}{}", encode_path(&path)))?)
    }

    /// `{API}/<path>` for a fixed endpoint.
    pub(crate) fn url(&self, endpoint: &str) -> Result<Url> {
        Ok(self.inner.transport.url(endpoint)?)
    }

    async fn send_once<F>(
        &self,
        method: &Method,
        url: &Url,
        idempotency: Idempotency,
        token: Option<&Secret>,
        make: &mut F,
    ) -> Result<Response>
    where
        F: FnMut(RequestBuilder) -> std::result::Result<RequestBuilder, cloud_core::Error>,
    {
        let t = &self.inner.transport;
        t.send(method, url, idempotency, || {
            let mut req = t.request(method.clone(), url.clone());
            if let Some(tok) = token {
                req = req.bearer_auth(tok.expose());
            }
            make(req)
        })
        .await
        .map_err(Error::network)
    }

    /// The original's `networker`: sends a request, maps 5xx, and on a 401 refreshes once
    /// and replays once (see [`Cloud`]). The caller applies its own status checks after.
    pub(crate) async fn networker<F>(
        &self,
        method: Method,
        url: Url,
        idempotency: Idempotency,
        mut make: F,
    ) -> Result<Response>
    where
        F: FnMut(RequestBuilder) -> std::result::Result<RequestBuilder, cloud_core::Error>,
    {
        let token = if self.authenticated() {
            Some(
                self.inner
                    .tokens
                    .access_token()
                    .await
                    .map_err(Error::unauthorized_from)?,
            )
        } else {
            None
        };
        let resp = self
            .send_once(&method, &url, idempotency, token.as_ref(), &mut make)
            .await?;
        let status = resp.status();
        if status.is_server_error() {
            return check(Call::FileOp, &method, resp).await;
        }
        let can_refresh = token.is_some() && self.refresh_token().is_some();
        if status != StatusCode::UNAUTHORIZED || !can_refresh {
            return Ok(resp);
        }
        drop(resp);
        let rejected = token.unwrap_or_default();
        let new = self
            .inner
            .tokens
            .refresh_after_unauthorized(&rejected)
            .await
            .map_err(Error::unauthorized_from)?;
        // The replay: its 401, 5xx or network failure is `Unauthorized request` (as the
        // original's guarded block makes it).
        let resp = self
            .send_once(&method, &url, idempotency, Some(&new), &mut make)
            .await
            .map_err(Error::unauthorized_from)?;
        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED || status.is_server_error() {
            let ctx = context_of(&method, resp).await;
            return Err(Error::from_kind(
                cloud_core::ErrorKind::Unauthorized,
                messages::UNAUTHORIZED,
                ctx,
            ));
        }
        Ok(resp)
    }

    /// `networker` then the call's own status checks.
    pub(crate) async fn call<F>(
        &self,
        call: Call,
        method: Method,
        url: Url,
        idempotency: Idempotency,
        make: F,
    ) -> Result<Response>
    where
        F: FnMut(RequestBuilder) -> std::result::Result<RequestBuilder, cloud_core::Error>,
    {
        let m = method.clone();
        let resp = self.networker(method, url, idempotency, make).await?;
        check(call, &m, resp).await
    }

    /// Python's `quote(path)` (`/` kept), for URLs that carry a path raw.
    pub(crate) fn quote(path: &str) -> String {
        utf8_percent_encode(path, QUOTE).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_encoding() {
        assert_eq!(
            encode_path("/VZMOBILE/my file.jpg"),
            "/VZMOBILE/my%20file.jpg"
        );
        assert_eq!(encode_path("/a#b/c?d/é"), "/a%23b/c%3Fd/%C3%A9");
        assert_eq!(
            Cloud::quote("/VZMOBILE/my file~.jpg"),
            "/VZMOBILE/my%20file~.jpg"
        );
    }
}
