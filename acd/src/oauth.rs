//! OAuth (`acdcli.api.oauth`): the `oauth_data` token file in the cache folder, refreshed
//! through the Appspot form or Amazon's token endpoint with the client's own id and secret.
//!
//! Faithful: `exp_time = t_sent + expires_in - 120`; before refreshing, the file is read
//! again (another process may have refreshed); the file is replaced atomically (indent 4,
//! sorted keys), created with mode 0600. On cloud-core's [`TokenCache`], so a refresh is
//! single-flight however many tasks need a token. The first run, interactive in the original
//! (a browser, then a pasted URL), is two calls here: [`OAuthHandler::local_authorization_url`]
//! and [`OAuthHandler::local_first_run`]; Appspot's answer is saved with
//! [`OAuthHandler::write_token_file`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use http::Method;
use serde_json::{Map, Value};

use cloud_core::auth::{ClientAuth, TokenRefresher};
use cloud_core::transport::read_limited;
use cloud_core::{ErrorContext, OAuth2Client, Secret, TokenCache, Transport};

use crate::error::{codes, Error, RequestError, Result};
use crate::pyjson;

/// The token file name (`OAuthHandler.OAUTH_DATA_FILE`).
pub const OAUTH_DATA_FILE: &str = "oauth_data";
/// The client credentials file that selects the local handler.
pub const CLIENT_DATA_FILE: &str = "client_data";
/// The Appspot refresh service of acd_cli 0.3.2.
pub const APPSPOT_URL: &str = "https://tensile-runway-92512.appspot.com/";
/// Amazon's (Login with Amazon) token endpoint.
pub const AMAZON_OA_TOKEN_URL: &str = "https://api.amazon.com/auth/o2/token";
/// Amazon's authorize page.
pub const AMAZON_OA_LOGIN_URL: &str = "https://amazon.com/ap/oa";
/// The redirect URI of the local handler.
pub const REDIRECT_URI: &str = "http://localhost";
/// The token info endpoint.
pub const TOKEN_INFO_URL: &str = "https://api.amazon.com/auth/o2/tokeninfo";
/// The safety margin subtracted from `expires_in`.
pub const EXPIRY_MARGIN_SECS: f64 = 120.0;

/// How tokens are refreshed.
#[derive(Clone, PartialEq, Eq)]
pub enum OAuthMethod {
    /// `AppspotOAuthHandler`: `POST <url>` with form `refresh_token=…`.
    Appspot {
        /// The refresh URL.
        url: String,
    },
    /// `LocalOAuthHandler`: Amazon's token endpoint with the client's own id and secret.
    Local {
        /// `CLIENT_ID` of `client_data` (an absent key is accepted, as in the original).
        client_id: Option<String>,
        /// `CLIENT_SECRET` of `client_data`.
        client_secret: Option<Secret>,
        /// The token endpoint.
        token_url: String,
    },
}

impl fmt::Debug for OAuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OAuthMethod::Appspot { url } => f.debug_struct("Appspot").field("url", url).finish(),
            OAuthMethod::Local {
                client_id,
                client_secret,
                token_url,
            } => f
                .debug_struct("Local")
                .field("client_id", client_id)
                .field("client_secret", client_secret)
                .field("token_url", token_url)
                .finish(),
        }
    }
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// `OAuthHandler.validate`: the JSON must hold `access_token`, `expires_in` and
/// `refresh_token`; otherwise `RequestError(1005, …)`.
pub fn validate(text: &str) -> Result<Map<String, Value>> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| Error::request(codes::INVALID_TOKEN, e.to_string()))?;
    let Value::Object(m) = v else {
        return Err(Error::request(
            codes::INVALID_TOKEN,
            "the token data is not a JSON object",
        ));
    };
    for key in ["access_token", "expires_in", "refresh_token"] {
        if !m.contains_key(key) {
            return Err(Error::request(codes::INVALID_TOKEN, format!("'{key}'")));
        }
    }
    Ok(m)
}

fn token_of(data: &Map<String, Value>) -> cloud_core::Token {
    let s = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let exp = data.get("exp_time").and_then(Value::as_f64).unwrap_or(0.0);
    // The cache refreshes `margin` (120 s) before `expires_at`: so `expires_at = exp_time + 120`
    // makes it refresh exactly when `now > exp_time`, as the original does.
    let at = exp + EXPIRY_MARGIN_SECS;
    let expires_at =
        DateTime::<Utc>::from_timestamp(at.min(1e12) as i64, ((at.fract()) * 1e9) as u32);
    cloud_core::Token::new(s("access_token"))
        .with_refresh_token(Some(Secret::new(s("refresh_token"))))
        .with_expires_at(expires_at)
        .with_token_type(
            data.get("token_type")
                .and_then(Value::as_str)
                .map(str::to_owned),
        )
}

/// Writes `value` to `path` atomically (a random-suffix temporary file, fsync, renames), with
/// mode 0600, as `write_oauth_data` does.
pub(crate) fn write_json_atomic(path: &Path, value: &Value) -> Result<()> {
    use std::io::Write;
    let mut suffix = [0u8; 4];
    let _ = getrandom::fill(&mut suffix);
    let hex: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(&hex);
    let tmp = PathBuf::from(tmp);
    {
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            open.mode(0o600);
        }
        let mut f = open.open(&tmp)?;
        f.write_all(pyjson::dumps_pretty_sorted(value).as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// The scope the local handler asks for.
pub const LOCAL_SCOPE: &str = "clouddrive:read_all clouddrive:write";

/// A grant (a refresh, a code exchange) through cloud-core's one grant path: never re-sent
/// once it may have arrived. The client's credentials are in the form already (Appspot takes
/// none). A status other than 200 is `RequestError(code, "<words>: <body>")`; the answer's text
/// otherwise.
async fn send_grant(
    transport: &Transport,
    url: &url::Url,
    form: &[(&str, &str)],
    (code, words): (u16, &str),
) -> Result<String> {
    let oauth = OAuth2Client {
        client_id: String::new(),
        client_secret: None,
        authorize_url: url.clone(),
        token_url: url.clone(),
        redirect_uri: None,
        client_auth: ClientAuth::None,
    };
    let resp = oauth
        .send_token_form(transport, form)
        .await
        .map_err(|e| crate::error::from_transport(&e))?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = read_limited(resp, 1 << 20).await;
    let text = String::from_utf8_lossy(&body).into_owned();
    if status.as_u16() != 200 {
        let mut r = RequestError::new(code, format!("{words}: {text}"));
        r.context = ErrorContext::request(&Method::POST, url)
            .with_response(status, &headers)
            .with_body(&body);
        return Err(Error::Request(Box::new(r)));
    }
    Ok(text)
}

/// The transport of a handler made on its own ([`OAuthHandler::create_handler`]): the
/// options' HTTP settings, no retries (grants are never re-sent).
fn handler_transport(options: &crate::AcdOptions) -> Result<Transport> {
    Transport::builder(AMAZON_OA_TOKEN_URL, cloud_core::user_agent!())
        .retry(Arc::new(cloud_core::RetryPolicy::none()))
        .options(&options.http)
        .build()
        .map_err(|e| Error::Config(e.to_string()))
}

/// `load_client_data()`: `client_data`'s `CLIENT_ID` and `CLIENT_SECRET` (an absent key is
/// accepted, an empty one refused, as the original); `None` when the file is missing or not
/// JSON (`create_handler` then takes the Appspot handler).
async fn load_client_data(cache_path: &Path) -> Result<Option<(Option<String>, Option<Secret>)>> {
    let path = cache_path.join(CLIENT_DATA_FILE);
    let Ok(text) = blocking(move || Ok(std::fs::read_to_string(path)?)).await else {
        return Ok(None);
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return Ok(None);
    };
    let get = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let (id, secret) = (get("CLIENT_ID"), get("CLIENT_SECRET"));
    if id.as_deref() == Some("") || secret.as_deref() == Some("") {
        return Err(Error::Config(
            "client_data: CLIENT_ID and CLIENT_SECRET must not be empty".into(),
        ));
    }
    Ok(Some((id, secret.map(Secret::new))))
}

/// The local handler's client data, required (its first run).
async fn require_client_data(cache_path: &Path) -> Result<(Option<String>, Option<Secret>)> {
    load_client_data(cache_path).await?.ok_or_else(|| {
        Error::Config(format!(
            "the local handler needs a readable {} (JSON with CLIENT_ID and CLIENT_SECRET) in {}",
            CLIENT_DATA_FILE,
            cache_path.display()
        ))
    })
}

struct Refresher {
    method: OAuthMethod,
    data_path: PathBuf,
    transport: Transport,
    data: Mutex<Map<String, Value>>,
    network_refreshes: AtomicU64,
}

/// Runs blocking file work off the async threads (token file, endpoint cache).
pub(crate) async fn blocking<T, F>(f: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?
}

impl Refresher {
    async fn read_file(&self) -> Result<Map<String, Value>> {
        let path = self.data_path.clone();
        let text = blocking(move || Ok(std::fs::read_to_string(path)?)).await?;
        validate(&text).inspect_err(|_| {
            tracing::error!(
                "Local OAuth data file \"{}\" is invalid.",
                self.data_path.display()
            );
        })
    }

    async fn store(&self, data: Map<String, Value>) -> Result<()> {
        let (path, value) = (self.data_path.clone(), Value::Object(data.clone()));
        blocking(move || write_json_atomic(&path, &value)).await?;
        if let Ok(mut d) = self.data.lock() {
            *d = data;
        }
        Ok(())
    }

    async fn refresh_network(&self, refresh_token: &str) -> Result<Map<String, Value>> {
        let t_sent = now_secs();
        let (url, form): (String, Vec<(&str, String)>) = match &self.method {
            OAuthMethod::Appspot { url } => (
                url.clone(),
                vec![("refresh_token", refresh_token.to_owned())],
            ),
            OAuthMethod::Local {
                client_id,
                client_secret,
                token_url,
            } => (
                token_url.clone(),
                vec![
                    ("grant_type", "refresh_token".to_owned()),
                    ("refresh_token", refresh_token.to_owned()),
                    ("client_id", client_id.clone().unwrap_or_default()),
                    (
                        "client_secret",
                        client_secret
                            .as_ref()
                            .map(|s| s.expose().to_owned())
                            .unwrap_or_default(),
                    ),
                    ("redirect_uri", REDIRECT_URI.to_owned()),
                ],
            ),
        };
        let url = url::Url::parse(&url).map_err(|e| Error::Config(format!("refresh URL: {e}")))?;
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let text = send_grant(
            &self.transport,
            &url,
            &form,
            (
                codes::REFRESH_FAILED,
                "Error refreshing authentication token",
            ),
        )
        .await?;
        let mut data = validate(&text)?;
        let expires_in = data
            .get("expires_in")
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
        data.insert(
            "exp_time".into(),
            Value::from(t_sent + expires_in - EXPIRY_MARGIN_SECS),
        );
        self.network_refreshes.fetch_add(1, Ordering::SeqCst);
        Ok(data)
    }
}

#[async_trait]
impl TokenRefresher<Error> for Refresher {
    async fn refresh(&self, current: &cloud_core::Token) -> Result<cloud_core::Token> {
        // Another process may have refreshed: read the file again first.
        if let Ok(fresh) = self.read_file().await {
            let exp = fresh.get("exp_time").and_then(Value::as_f64).unwrap_or(0.0);
            let file_token = fresh
                .get("access_token")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if now_secs() <= exp && file_token != current.access_token.expose() {
                let t = token_of(&fresh);
                if let Ok(mut d) = self.data.lock() {
                    *d = fresh;
                }
                return Ok(t);
            }
        }
        let rt = current
            .refresh_token
            .as_ref()
            .map(|s| s.expose().to_owned())
            .unwrap_or_default();
        let data = self.refresh_network(&rt).await?;
        self.store(data.clone()).await?;
        Ok(token_of(&data))
    }
}

/// The OAuth handler of a client: the token file, the refresh method and the shared token.
pub struct OAuthHandler {
    refresher: Arc<Refresher>,
    cache: TokenCache<Error>,
    token_info_url: String,
}

impl fmt::Debug for OAuthHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthHandler")
            .field("method", &self.refresher.method)
            .field("oauth_data_path", &self.refresher.data_path)
            .field("token", &self.cache.token())
            .finish()
    }
}

/// URLs the handlers use, overridable (the emulator, a proxy).
#[derive(Debug, Clone)]
pub(crate) struct OAuthUrls {
    pub appspot: String,
    pub token: String,
    pub login: String,
    pub token_info: String,
}

impl OAuthHandler {
    /// `create_handler(path)`: the local handler when `client_data` is readable JSON,
    /// otherwise the Appspot one; then loads the token file (refreshing at once when it is
    /// expired, adding `exp_time` when it has none).
    pub(crate) async fn create(
        cache_path: &Path,
        urls: &OAuthUrls,
        transport: Transport,
    ) -> Result<Self> {
        let method = match load_client_data(cache_path).await? {
            Some((client_id, client_secret)) => OAuthMethod::Local {
                client_id,
                client_secret,
                token_url: urls.token.clone(),
            },
            None => OAuthMethod::Appspot {
                url: urls.appspot.clone(),
            },
        };
        let data_path = cache_path.join(OAUTH_DATA_FILE);
        let init_time = now_secs();
        let read_path = data_path.clone();
        let text = blocking(move || Ok(std::fs::read_to_string(read_path)?))
            .await
            .map_err(|e| {
            Error::Config(format!(
                "no usable token file {} ({e}); authorize with acd_cli first, or write one with OAuthHandler::write_token_file",
                data_path.display()
            ))
        })?;
        let mut data = validate(&text)?;
        let refresher = Arc::new(Refresher {
            method,
            data_path,
            transport,
            data: Mutex::new(Map::new()),
            network_refreshes: AtomicU64::new(0),
        });
        if !data.contains_key("exp_time") {
            let expires_in = data
                .get("expires_in")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            data.insert(
                "exp_time".into(),
                Value::from(init_time + expires_in - EXPIRY_MARGIN_SECS),
            );
            refresher.store(data.clone()).await?;
        } else if let Ok(mut d) = refresher.data.lock() {
            *d = data.clone();
        }
        let cache = TokenCache::new(Some(token_of(&data)), refresher.clone())
            .with_margin(Duration::from_secs_f64(EXPIRY_MARGIN_SECS));
        let handler = Self {
            refresher,
            cache,
            token_info_url: urls.token_info.clone(),
        };
        // Already expired: refresh now, as `load_oauth_data` does.
        handler.get_auth_token().await?;
        Ok(handler)
    }

    /// The refresh method in use.
    pub fn method(&self) -> &OAuthMethod {
        &self.refresher.method
    }

    /// The token file's path.
    pub fn oauth_data_path(&self) -> &Path {
        &self.refresher.data_path
    }

    /// `exp_time` of the current token (seconds since the epoch).
    pub fn exp_time(&self) -> f64 {
        self.refresher
            .data
            .lock()
            .ok()
            .and_then(|d| d.get("exp_time").and_then(Value::as_f64))
            .unwrap_or(0.0)
    }

    /// `get_auth_token()`: the `Authorization` value, `Bearer <access token>`, as the original
    /// returns it, refreshed first when `now > exp_time` (after reading the token file again:
    /// another process may have refreshed).
    pub async fn get_auth_token(&self) -> Result<Secret> {
        let token = self.cache.access_token().await?;
        Ok(Secret::new(format!("Bearer {}", token.expose())))
    }

    /// The bare access token (what [`OAuthHandler::get_auth_token`] puts after `Bearer `).
    pub async fn access_token(&self) -> Result<Secret> {
        self.cache.access_token().await
    }

    /// `create_handler(path)`: the local handler when `client_data` in `cache_path` is
    /// readable JSON, else the Appspot one; then the token file is loaded (refreshed at once
    /// when expired, `exp_time` added when it has none). [`AcdClient::new`](crate::AcdClient::new)
    /// calls it; `options` gives the URLs and the HTTP options.
    ///
    /// A missing token file is an error naming the way to make one: the original's first run
    /// is interactive (a browser, then a pasted URL or a saved file); here it is
    /// [`OAuthHandler::local_authorization_url`] and [`OAuthHandler::local_first_run`] for the
    /// local handler, [`OAuthHandler::write_token_file`] for Appspot's answer.
    pub async fn create_handler(
        cache_path: impl AsRef<Path>,
        options: &crate::AcdOptions,
    ) -> Result<Self> {
        let transport = handler_transport(options)?;
        Self::create(cache_path.as_ref(), &options.oauth_urls(), transport).await
    }

    /// `check_oauth_file_exists()`: whether the token file is there (the original then starts
    /// its interactive first run when it is not).
    pub fn check_oauth_file_exists(cache_path: impl AsRef<Path>) -> bool {
        cache_path.as_ref().join(OAUTH_DATA_FILE).is_file()
    }

    /// `get_access_token_info()`: `GET <tokeninfo>?access_token=<token>` (no `Authorization`
    /// header, as the original), the answer's JSON (`aud`, `user_id`, `app_id`, `exp`, `iat`)
    /// whatever its status; an answer that is not JSON is an error.
    pub async fn get_access_token_info(&self) -> Result<Value> {
        let token = self.cache.token();
        let access = token
            .as_ref()
            .map(|t| t.access_token.expose().to_owned())
            .unwrap_or_default();
        let url = url::Url::parse(&self.token_info_url)
            .map_err(|e| Error::Config(format!("token info URL: {e}")))?;
        let transport = &self.refresher.transport;
        let resp = transport
            .send(
                &Method::GET,
                &url,
                cloud_core::Idempotency::Idempotent,
                || {
                    Ok(transport
                        .request(Method::GET, url.clone())
                        .query(&[("access_token", access.as_str())]))
                },
            )
            .await
            .map_err(|e| crate::error::from_transport(&e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = read_limited(resp, 1 << 20).await;
        serde_json::from_slice(&body).map_err(|e| {
            let mut r = RequestError::new(status.as_u16(), format!("token info: {e}"));
            r.context = ErrorContext::request(&Method::GET, &url)
                .with_response(status, &headers)
                .with_body(&body);
            Error::Request(Box::new(r))
        })
    }

    /// The local handler's first run, step one (`LocalOAuthHandler.check_oauth_file_exists`
    /// without a token file): the authorize URL to open in a browser, built from `client_data`'s
    /// `CLIENT_ID` as the original builds it (`client_id`, `response_type=code`, `scope`,
    /// `redirect_uri=http://localhost`).
    pub async fn local_authorization_url(
        cache_path: impl AsRef<Path>,
        options: &crate::AcdOptions,
    ) -> Result<String> {
        let (client_id, _) = require_client_data(cache_path.as_ref()).await?;
        let mut url = url::Url::parse(&options.oauth_urls().login)
            .map_err(|e| Error::Config(format!("login URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("client_id", client_id.as_deref().unwrap_or_default())
            .append_pair("response_type", "code")
            .append_pair("scope", LOCAL_SCOPE)
            .append_pair("redirect_uri", REDIRECT_URI);
        Ok(url.into())
    }

    /// The local handler's first run, step two: the URL the browser was redirected to (its
    /// `code`) exchanged at the token endpoint (form `grant_type=authorization_code`, `code`,
    /// `client_id`, `client_secret`, `redirect_uri`, sent once: a grant is never re-sent), the
    /// answer validated and written as the token file (mode 0600, `exp_time` added), ready for
    /// [`OAuthHandler::create_handler`].
    pub async fn local_first_run(
        cache_path: impl AsRef<Path>,
        redirected_url: &str,
        options: &crate::AcdOptions,
    ) -> Result<()> {
        let cache_path = cache_path.as_ref();
        let (client_id, client_secret) = require_client_data(cache_path).await?;
        let redirected = url::Url::parse(redirected_url)
            .map_err(|e| Error::Config(format!("the redirected URL: {e}")))?;
        let code = redirected
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| Error::Config("the redirected URL has no code".into()))?;
        let url = url::Url::parse(&options.oauth_urls().token)
            .map_err(|e| Error::Config(format!("token URL: {e}")))?;
        let secret = client_secret
            .as_ref()
            .map(|s| s.expose().to_owned())
            .unwrap_or_default();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", client_id.as_deref().unwrap_or_default()),
            ("client_secret", secret.as_str()),
            ("redirect_uri", REDIRECT_URI),
        ];
        let text = send_grant(
            &handler_transport(options)?,
            &url,
            &form,
            // The original validates the answer whatever its status: 1005.
            (
                codes::INVALID_TOKEN,
                "Error getting the authentication token",
            ),
        )
        .await?;
        let (path, text) = (cache_path.to_owned(), text);
        blocking(move || OAuthHandler::write_token_file(&path, &text)).await
    }

    /// After a 401 with `rejected`: refreshes once (shared with concurrent callers).
    pub async fn refresh_after_unauthorized(&self, rejected: &Secret) -> Result<Secret> {
        self.cache.refresh_after_unauthorized(rejected).await
    }

    /// Refreshes from the network now.
    pub async fn refresh_auth_token(&self) -> Result<()> {
        self.cache.force_refresh().await.map(|_| ())
    }

    /// How many refreshes went to the network.
    /// A test hook (feature `emulator`): tests count refreshes against the emulator's.
    #[cfg(feature = "emulator")]
    #[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
    pub fn refresh_count(&self) -> u64 {
        self.refresher.network_refreshes.load(Ordering::SeqCst)
    }

    /// Writes a token file (`oauth_data`) into `cache_path` from a token endpoint's JSON, with
    /// `exp_time` from now, atomically and with mode 0600.
    pub fn write_token_file(cache_path: &Path, token_json: &str) -> Result<()> {
        let mut data = validate(token_json)?;
        let expires_in = data
            .get("expires_in")
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
        data.insert(
            "exp_time".into(),
            Value::from(now_secs() + expires_in - EXPIRY_MARGIN_SECS),
        );
        write_json_atomic(&cache_path.join(OAUTH_DATA_FILE), &Value::Object(data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(validate(r#"{"access_token":"a","expires_in":1,"refresh_token":"r"}"#).is_ok());
        for bad in [
            r#"{"expires_in":1,"refresh_token":"r"}"#,
            r#"{"access_token":"a","refresh_token":"r"}"#,
            r#"{"access_token":"a","expires_in":1}"#,
            "not json",
        ] {
            assert_eq!(
                validate(bad).unwrap_err().status_code(),
                Some(codes::INVALID_TOKEN),
                "{bad}"
            );
        }
    }
}
