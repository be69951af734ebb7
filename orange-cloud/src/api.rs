//! [`ApiManager`]: the OAuth2 flows of oauth2-client's `CredentialManager` as the Orange
//! client uses them, the local redirect catcher, and the request path every domain call
//! takes (bearer, one reactive refresh on `401 {"message": "Invalid credentials"}`).

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use http::{Method, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;
use url::Url;

use cloud_core::auth::{ClientAuth, RefreshHook, TokenRefresher};
use cloud_core::reqwest::{RequestBuilder, Response};
use cloud_core::retry::{RetryPolicy, RetryStrategy};
use cloud_core::transport::read_limited;
use cloud_core::{HttpOptions, OAuth2Client};
use cloud_core::{Idempotency, Secret, Token, TokenCache, Transport};

use crate::domains::{Files, Folders, Freespace};
use crate::error::{Error, Result};
use crate::redirect::Catcher;

/// The API host (`URL_API`).
pub const URL_API: &str = "https://api.orange.com";
/// The upload host (`URL_UPLOAD`).
pub const URL_UPLOAD: &str = "https://cloudapi.orange.com";
/// The API path (`BASE_URI`).
pub const BASE_URI: &str = "/cloud/v1";
/// The scopes (`ApiManager.SCOPES`).
pub const SCOPES: &[&str] = &["openid", "cloud"];

/// Options of [`ApiManager::new`]: the hosts (overridable: an emulator), retries, and the
/// hook that persists a new refresh token.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiManagerOptions {
    /// The API host (default [`URL_API`]); the OAuth endpoints hang off it too.
    pub(crate) api_url: String,
    /// The upload host (default [`URL_UPLOAD`]).
    pub(crate) upload_url: String,
    /// Timeouts, proxy, user agent, an own `reqwest::Client` and the retry strategy (default:
    /// none, as the original; cloud-core's policy is opt-in). See the README's "Retries and
    /// timeouts".
    pub(crate) http: HttpOptions,
    /// Called with the new token after every refresh (persist its refresh token).
    pub(crate) on_refreshed: Option<RefreshHook>,
    /// The redirect catcher listens on the redirect URI's host instead of 127.0.0.1.
    pub(crate) listen_on_redirect_host: bool,
}

impl Default for ApiManagerOptions {
    fn default() -> Self {
        Self {
            api_url: URL_API.into(),
            upload_url: URL_UPLOAD.into(),
            http: HttpOptions::default(),
            on_refreshed: None,
            listen_on_redirect_host: false,
        }
    }
}

impl fmt::Debug for ApiManagerOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiManagerOptions")
            .field("api_url", &self.api_url)
            .field("upload_url", &self.upload_url)
            .field("http", &self.http)
            .field("on_refreshed", &self.on_refreshed.is_some())
            .field("listen_on_redirect_host", &self.listen_on_redirect_host)
            .finish()
    }
}

impl ApiManagerOptions {
    /// Points both hosts at one server (an emulator).
    pub fn base_url(mut self, url: &str) -> Self {
        let u = url.trim_end_matches('/').to_owned();
        self.api_url = u.clone();
        self.upload_url = u;
        self
    }

    /// Sets the API host (the OAuth endpoints hang off it too).
    pub fn api_url(mut self, url: &str) -> Self {
        self.api_url = url.trim_end_matches('/').to_owned();
        self
    }

    /// Sets the upload host.
    pub fn upload_url(mut self, url: &str) -> Self {
        self.upload_url = url.trim_end_matches('/').to_owned();
        self
    }

    /// Sets the retry strategy (the same as `http.retry_shared(..)`).
    pub fn retry(mut self, r: Arc<dyn RetryStrategy>) -> Self {
        self.http = self.http.retry_shared(r);
        self
    }

    /// Sets the client options (timeouts, proxy, user agent, own client, retries).
    pub fn http(mut self, http: HttpOptions) -> Self {
        self.http = http;
        self
    }

    /// Lets the redirect catcher listen on the redirect URI's own host (the original's
    /// behaviour: a `http://myhost.lan:8080/cb` URI is caught on that interface), instead of
    /// 127.0.0.1 only (the default: nothing but this machine can send it a code).
    pub fn listen_on_redirect_host(mut self, on: bool) -> Self {
        self.listen_on_redirect_host = on;
        self
    }

    /// Sets the refresh hook.
    pub fn on_refreshed(mut self, f: impl Fn(&Token) + Send + Sync + 'static) -> Self {
        self.on_refreshed = Some(Arc::new(f));
        self
    }
}

/// Where the catcher listens: the redirect URI's host when asked (brackets of an IPv6
/// literal removed), else `None` for 127.0.0.1.
fn catcher_host(u: &Url, on_redirect_host: bool) -> Option<&str> {
    u.host_str()
        .filter(|_| on_redirect_host)
        .map(|h| h.trim_matches(['[', ']']))
}

/// A fresh `state` for [`ApiManager::init_authorize_code_process`]: 16 random bytes in hex.
pub fn generate_state() -> Result<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| cloud_core::Error::config(format!("no randomness: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Python 2's `urllib.quote(v, safe="~()*!.'")`.
const QUOTE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'!')
    .remove(b'\'');

fn quote(s: &str) -> String {
    utf8_percent_encode(s, QUOTE).to_string()
}

struct Refresher {
    transport: Transport,
    oauth: OAuth2Client,
}

impl Refresher {
    /// A token-endpoint call through cloud-core (Basic client auth, never re-sent once it may
    /// have arrived), `scope=openid+cloud` first; 200 or OAuthError.
    async fn grant(&self, fields: &[(&str, &str)]) -> Result<Value> {
        let mut form: Vec<(&str, &str)> = vec![("scope", "openid cloud")];
        form.extend_from_slice(fields);
        let resp = self.oauth.send_token_form(&self.transport, &form).await?;
        let status = resp.status();
        let body = read_limited(resp, 1 << 20).await;
        let text = String::from_utf8_lossy(&body).into_owned();
        if status != StatusCode::OK {
            return Err(Error::oauth(status.as_u16(), text));
        }
        serde_json::from_str(&text).map_err(|e| Error::Decode(e.to_string()))
    }
}

fn token_of(v: &Value, previous_refresh: Option<&Secret>) -> Result<Token> {
    let access = v["access_token"]
        .as_str()
        .ok_or_else(|| Error::Decode("the token answer has no access_token".into()))?;
    let refresh = v["refresh_token"]
        .as_str()
        .map(Secret::new)
        .or_else(|| previous_refresh.cloned());
    // The original ignores expires_in: refresh is reactive only.
    Ok(Token::new(access)
        .with_refresh_token(refresh)
        .with_token_type(v["token_type"].as_str().map(str::to_owned)))
}

#[async_trait]
impl TokenRefresher<Error> for Refresher {
    async fn refresh(&self, current: &Token) -> Result<Token> {
        let rt = current
            .refresh_token
            .as_ref()
            .map(|s| s.expose().to_owned())
            .unwrap_or_default();
        let v = self
            .grant(&[("grant_type", "refresh_token"), ("refresh_token", &rt)])
            .await?;
        token_of(&v, current.refresh_token.as_ref())
    }
}

struct Flow {
    catcher: Catcher,
    state: String,
}

pub(crate) struct Inner {
    client_id: String,
    redirect_uri: String,
    pub(crate) api_url: String,
    pub(crate) upload_url: String,
    pub(crate) transport: Transport,
    refresher: Arc<Refresher>,
    tokens: TokenCache<Error>,
    flow: tokio::sync::Mutex<Option<Flow>>,
    authorized: Mutex<bool>,
    listen_on_redirect_host: bool,
}

/// The client (`ApiManager`): OAuth2 and the three domains. Cheap to clone.
#[derive(Clone)]
pub struct ApiManager {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for ApiManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiManager")
            .field("client_id", &self.inner.client_id)
            .field("client_secret", &self.inner.refresher.oauth.client_secret)
            .field("redirect_uri", &self.inner.redirect_uri)
            .field("api_url", &self.inner.api_url)
            .field("tokens", &self.inner.tokens)
            .finish()
    }
}

impl ApiManager {
    /// `ApiManager(client_id, client_secret, redirect_uri)`: no I/O.
    pub fn new(
        client_id: &str,
        client_secret: impl Into<Secret>,
        redirect_uri: &str,
        options: ApiManagerOptions,
    ) -> Result<Self> {
        let api_url = options.api_url.trim_end_matches('/').to_owned();
        let transport = Transport::builder(format!("{api_url}/"), cloud_core::user_agent!())
            .retry(Arc::new(RetryPolicy::none()))
            .options(&options.http)
            .build()?;
        let url = |p: &str| {
            Url::parse(&format!("{api_url}/oauth/v2/{p}"))
                .map_err(|e| cloud_core::Error::config(format!("API URL: {e}")))
        };
        let refresher = Arc::new(Refresher {
            transport: transport.clone(),
            oauth: OAuth2Client {
                client_id: client_id.to_owned(),
                client_secret: Some(client_secret.into()),
                authorize_url: url("authorize")?,
                token_url: url("token")?,
                redirect_uri: Some(redirect_uri.to_owned()),
                client_auth: ClientAuth::BasicHeader,
            },
        });
        let tokens: TokenCache<Error> = TokenCache::new(None, refresher.clone());
        tokens.set_hook(options.on_refreshed.clone());
        Ok(Self {
            inner: Arc::new(Inner {
                client_id: client_id.to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                api_url,
                upload_url: options.upload_url.trim_end_matches('/').to_owned(),
                transport,
                refresher,
                tokens,
                flow: tokio::sync::Mutex::new(None),
                authorized: Mutex::new(false),
                listen_on_redirect_host: options.listen_on_redirect_host,
            }),
        })
    }

    /// The redirect URI given at construction.
    pub fn redirect_uri(&self) -> &str {
        &self.inner.redirect_uri
    }

    /// The current refresh token (persist it; `init_with_token` starts from it).
    pub fn refresh_token(&self) -> Option<Secret> {
        self.inner.tokens.token().and_then(|t| t.refresh_token)
    }

    /// The access token held now ("no token provided" before any grant).
    pub(crate) fn current_token(&self) -> Result<Secret> {
        self.inner
            .tokens
            .token()
            .map(|t| t.access_token)
            .ok_or_else(|| Error::oauth(401, "no token provided"))
    }

    /// How many refreshes were made.
    /// A test hook (feature `emulator`): tests count refreshes against the emulator's.
    #[cfg(feature = "emulator")]
    #[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
    pub fn refresh_count(&self) -> u64 {
        self.inner.tokens.refresh_count()
    }

    /// The free space domain.
    pub fn freespace(&self) -> Freespace {
        Freespace {
            manager: self.clone(),
        }
    }

    /// The folders domain.
    pub fn folders(&self) -> Folders {
        Folders {
            manager: self.clone(),
        }
    }

    /// The files domain.
    pub fn files(&self) -> Files {
        Files {
            manager: self.clone(),
        }
    }

    /// `generate_authorize_url(redirect_uri, state)`: no I/O; parameters in the original's
    /// order, escaped as Python 2's `quote` (spaces as `%20`).
    pub fn generate_authorize_url(&self, redirect_uri: &str, state: &str) -> String {
        format!(
            "{}/oauth/v2/authorize?scope={}&state={}&redirect_uri={}&response_type=code&client_id={}",
            self.inner.api_url,
            quote(&SCOPES.join(" ")),
            quote(state),
            quote(redirect_uri),
            quote(&self.inner.client_id)
        )
    }

    /// `init_authorize_code_process(redirect_uri, state)`: starts the local catcher on the
    /// redirect URI's port (80 when none), bound to 127.0.0.1 only (or to the URI's host with
    /// [`ApiManagerOptions::listen_on_redirect_host`]), and returns the URL to open. An
    /// `https` redirect URI cannot be caught: [`Error::InsecureRedirect`].
    pub async fn init_authorize_code_process(
        &self,
        redirect_uri: &str,
        state: &str,
    ) -> Result<String> {
        let u = Url::parse(redirect_uri)
            .map_err(|e| cloud_core::Error::invalid_input(format!("redirect URI: {e}")))?;
        if u.scheme() == "https" {
            return Err(Error::InsecureRedirect);
        }
        let port = u.port().unwrap_or(80);
        let catcher = match catcher_host(&u, self.inner.listen_on_redirect_host) {
            Some(host) => Catcher::start_on(host, port).await?,
            None => {
                if !matches!(u.host_str(), Some("localhost" | "127.0.0.1")) {
                    tracing::warn!("the redirect host is not localhost: map it to 127.0.0.1 (the catcher listens there)");
                }
                Catcher::start(port).await?
            }
        };
        *self.inner.flow.lock().await = Some(Flow {
            catcher,
            state: state.to_owned(),
        });
        Ok(self.generate_authorize_url(redirect_uri, state))
    }

    /// `wait_and_terminate_authorize_code_process(timeout)`: the code of the first redirect.
    /// A denial is `OAuthError(401, …)` with the error; a state mismatch (a timeout included)
    /// `OAuthError(500, "Sate returned does not match: …")`; no code `OAuthError(500, "No code
    /// returned")`. The catcher is closed in every case.
    pub async fn wait_and_terminate_authorize_code_process(
        &self,
        timeout: Option<Duration>,
    ) -> Result<String> {
        let Some(mut flow) = self.inner.flow.lock().await.take() else {
            return Err(Error::NotStarted);
        };
        let params = match timeout {
            Some(t) => tokio::time::timeout(t, flow.catcher.rx.recv())
                .await
                .ok()
                .flatten(),
            None => flow.catcher.rx.recv().await,
        }
        .unwrap_or_default();
        let state = flow.state;
        flow.catcher.close().await;
        if let Some(e) = params.get("error") {
            let d = params.get("error_description").cloned().unwrap_or_default();
            return Err(Error::OAuth {
                status_code: 401,
                response_text: d.clone(),
                error: Some((e.clone(), d)),
            });
        }
        let got = params.get("state");
        if got != Some(&state) {
            return Err(Error::oauth(
                500,
                format!(
                    "Sate returned does not match: Sent({}) <> Got({})",
                    state,
                    got.map_or("None", String::as_str)
                ),
            ));
        }
        params
            .get("code")
            .cloned()
            .ok_or_else(|| Error::oauth(500, "No code returned"))
    }

    /// `init_with_authorize_code(redirect_uri, code)`: the code grant; keeps the tokens.
    pub async fn init_with_authorize_code(&self, redirect_uri: &str, code: &str) -> Result<()> {
        let v = self
            .inner
            .refresher
            .grant(&[
                ("code", code),
                ("grant_type", "authorization_code"),
                ("redirect_uri", redirect_uri),
            ])
            .await?;
        if v.get("refresh_token").and_then(Value::as_str).is_none() {
            return Err(Error::Decode(
                "the code grant answer has no refresh_token".into(),
            ));
        }
        self.inner.tokens.set_token(token_of(&v, None)?);
        self.set_authorized(true);
        Ok(())
    }

    /// `init_with_token(refresh_token)`: a refresh grant from a stored refresh token.
    pub async fn init_with_token(&self, refresh_token: &str) -> Result<()> {
        let rt = Secret::new(refresh_token);
        let v = self
            .inner
            .refresher
            .grant(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ])
            .await?;
        self.inner.tokens.set_token(token_of(&v, Some(&rt))?);
        self.set_authorized(true);
        Ok(())
    }

    /// `init_with_user_credentials(login, password)`: oauth2-client's password grant
    /// (`username`, `grant_type=password`, `scope`, `password`, the client's Basic
    /// authorization), sent once; keeps the tokens. Orange's service never offered this grant:
    /// it answers as the emulator does, `400 unsupported_grant_type`, an [`Error::OAuth`].
    pub async fn init_with_user_credentials(&self, login: &str, password: &str) -> Result<()> {
        let v = self
            .inner
            .refresher
            .grant(&[
                ("username", login),
                ("grant_type", "password"),
                ("password", password),
            ])
            .await?;
        if v.get("refresh_token").and_then(Value::as_str).is_none() {
            return Err(Error::Decode(
                "the password grant answer has no refresh_token".into(),
            ));
        }
        self.inner.tokens.set_token(token_of(&v, None)?);
        self.set_authorized(true);
        Ok(())
    }

    /// `init_with_client_credentials()`: oauth2-client's client-credentials grant
    /// (`grant_type=client_credentials`, `scope`); the access token only: a refresh token in
    /// the answer is not kept, the one held before stays (as the original). Not offered by
    /// Orange (see [`ApiManager::init_with_user_credentials`]).
    pub async fn init_with_client_credentials(&self) -> Result<()> {
        let mut v = self
            .inner
            .refresher
            .grant(&[("grant_type", "client_credentials")])
            .await?;
        if let Some(m) = v.as_object_mut() {
            m.remove("refresh_token");
        }
        let previous = self.inner.tokens.token().and_then(|t| t.refresh_token);
        self.inner
            .tokens
            .set_token(token_of(&v, previous.as_ref())?);
        self.set_authorized(true);
        Ok(())
    }

    fn set_authorized(&self, on: bool) {
        if let Ok(mut a) = self.inner.authorized.lock() {
            *a = on;
        }
    }

    fn token_now(&self) -> Result<Secret> {
        let ok = self.inner.authorized.lock().map(|a| *a).unwrap_or(false);
        match self.inner.tokens.token() {
            Some(t) if ok => Ok(t.access_token),
            _ => Err(Error::oauth(401, "no token provided")),
        }
    }

    /// Refreshes after a token was refused (single-flight). A 401 from the token endpoint
    /// forgets the tokens, refresh token included, as the original does.
    pub(crate) async fn refresh_after(&self, rejected: &Secret) -> Result<Secret> {
        match self.inner.tokens.refresh_after_unauthorized(rejected).await {
            Ok(t) => Ok(t),
            Err(e) => {
                if e.status_code() == Some(401) {
                    self.set_authorized(false);
                    self.inner.tokens.clear();
                }
                Err(e)
            }
        }
    }

    /// One attempt with the current bearer.
    pub(crate) async fn send_with<F>(
        &self,
        method: &Method,
        url: &Url,
        token: &Secret,
        make: &mut F,
    ) -> Result<Response>
    where
        F: FnMut(RequestBuilder) -> std::result::Result<RequestBuilder, cloud_core::Error>,
    {
        let t = &self.inner.transport;
        Ok(t.send(method, url, Idempotency::from_method(method), || {
            make(
                t.request(method.clone(), url.clone())
                    .bearer_auth(token.expose()),
            )
        })
        .await?)
    }

    /// The manager's request: bearer, and on `401 {"message": "Invalid credentials"}` one
    /// refresh and one replay (returned whatever it is).
    pub(crate) async fn request<F>(
        &self,
        method: Method,
        url: &Url,
        mut make: F,
    ) -> Result<(Response, Secret)>
    where
        F: FnMut(RequestBuilder) -> std::result::Result<RequestBuilder, cloud_core::Error>,
    {
        let token = self.token_now()?;
        let resp = self.send_with(&method, url, &token, &mut make).await?;
        if resp.status() != StatusCode::UNAUTHORIZED {
            return Ok((resp, token));
        }
        let headers = resp.headers().clone();
        let body = read_limited(resp, 64 * 1024).await;
        let expired = serde_json::from_slice::<Value>(&body)
            .ok()
            .is_some_and(|v| {
                v.get("message").and_then(Value::as_str) == Some("Invalid credentials")
            });
        if !expired {
            // Hand the 401 back as it came (its body was read to look at it).
            let mut rebuilt = http::Response::new(body);
            *rebuilt.status_mut() = StatusCode::UNAUTHORIZED;
            *rebuilt.headers_mut() = headers;
            return Ok((Response::from(rebuilt), token));
        }
        let new = self.refresh_after(&token).await?;
        let resp = self.send_with(&method, url, &new, &mut make).await?;
        Ok((resp, new))
    }

    /// The original manager's `get/post/put/patch/delete(url, **kwargs)` as one call: any
    /// request on the manager's session, with the bearer token and, on Orange's expiry answer
    /// (`401 {"message": "Invalid credentials"}`), one refresh and one replay. The raw answer
    /// comes back whatever its status, as a `requests.Response` did; `build` adds what the
    /// original's kwargs carried (query, body, headers). Before any token:
    /// `OAuthError(401, "no token provided")`, with no request.
    ///
    /// ```no_run
    /// # async fn run(m: orange_cloud::ApiManager) -> Result<(), orange_cloud::Error> {
    /// use orange_cloud::cloud_core::reqwest::Method;
    /// let url = "https://api.orange.com/cloud/v1/folders";
    /// let answer = m.send(Method::GET, url, |r| Ok(r.query(&[("flat", "True")]))).await?;
    /// println!("{}", answer.status());
    /// # Ok(()) }
    /// ```
    pub async fn send<F>(&self, method: Method, url: &str, build: F) -> Result<Response>
    where
        F: FnMut(RequestBuilder) -> std::result::Result<RequestBuilder, cloud_core::Error>,
    {
        let url = Url::parse(url)
            .map_err(|e| Error::from(cloud_core::Error::invalid_input(format!("{url}: {e}"))))?;
        Ok(self.request(method, &url, build).await?.0)
    }

    /// `get(url)`: [`ApiManager::send`] with `GET`.
    pub async fn get(&self, url: &str) -> Result<Response> {
        self.send(Method::GET, url, Ok).await
    }

    /// `delete(url)`: [`ApiManager::send`] with `DELETE`.
    pub async fn delete(&self, url: &str) -> Result<Response> {
        self.send(Method::DELETE, url, Ok).await
    }

    /// `post(url, json=body)`: [`ApiManager::send`] with `POST` and a JSON body.
    pub async fn post(&self, url: &str, body: &Value) -> Result<Response> {
        self.send(Method::POST, url, |r| Ok(r.json(body))).await
    }

    /// `put(url, json=body)`: [`ApiManager::send`] with `PUT` and a JSON body.
    pub async fn put(&self, url: &str, body: &Value) -> Result<Response> {
        self.send(Method::PUT, url, |r| Ok(r.json(body))).await
    }

    /// `patch(url, json=body)`: [`ApiManager::send`] with `PATCH` and a JSON body.
    pub async fn patch(&self, url: &str, body: &Value) -> Result<Response> {
        self.send(Method::PATCH, url, |r| Ok(r.json(body))).await
    }

    /// An absolute URL on the API host (`{API}/cloud/v1/<path>`).
    pub(crate) fn api(&self, path: &str) -> Result<Url> {
        Url::parse(&format!("{}{BASE_URI}/{path}", self.inner.api_url))
            .map_err(|e| cloud_core::Error::invalid_input(format!("{path}: {e}")).into())
    }

    /// An absolute URL on the upload host.
    pub(crate) fn upload_endpoint(&self) -> Result<Url> {
        Url::parse(&format!(
            "{}{BASE_URI}/files/content",
            self.inner.upload_url
        ))
        .map_err(|e| cloud_core::Error::invalid_input(format!("upload URL: {e}")).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catcher_hosts() {
        let u = |s: &str| Url::parse(s).unwrap();
        let lan = u("http://myhost.lan:8080/cb");
        assert_eq!(catcher_host(&lan, false), None);
        assert_eq!(catcher_host(&lan, true), Some("myhost.lan"));
        assert_eq!(catcher_host(&u("http://[::1]:9/cb"), true), Some("::1"));
        assert_eq!(
            catcher_host(&u("http://127.0.0.2:9/cb"), true),
            Some("127.0.0.2")
        );
    }

    #[test]
    fn authorize_url_escaping() {
        let m = ApiManager::new("my id", "s", "http://x/", ApiManagerOptions::default()).unwrap();
        assert_eq!(
            m.generate_authorize_url("http://myowncloud.io:8080/cb path", "st ate/1"),
            "https://api.orange.com/oauth/v2/authorize?scope=openid%20cloud&state=st%20ate%2F1&redirect_uri=http%3A%2F%2Fmyowncloud.io%3A8080%2Fcb%20path&response_type=code&client_id=my%20id"
        );
    }
}
