//! [`TokenCache`]: hands out a valid access token, refreshing it before it expires and once
//! after a 401, with one refresh in flight however many callers wait, and a hook called after
//! every refresh (so that the application can persist the new token).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use http::{Method, StatusCode};
use reqwest::{RequestBuilder, Response};
use url::Url;

use crate::auth::{OAuth2Client, Secret, Token};
use crate::error::{Error, ErrorKind};
use crate::retry::Idempotency;
use crate::transport::Transport;

/// Turns a token into a fresh one. [`OAuth2Client`] with a [`Transport`] is the usual one;
/// a provider with its own refresh protocol (or its own token answer) implements this, with
/// its own error type `E`, which the cache hands back to the caller as it is.
#[async_trait]
pub trait TokenRefresher<E = Error>: Send + Sync {
    /// Refreshes `current` (which may be expired) into a new token.
    async fn refresh(&self, current: &Token) -> Result<Token, E>;
}

#[async_trait]
impl TokenRefresher<Error> for (OAuth2Client, Transport) {
    async fn refresh(&self, current: &Token) -> Result<Token, Error> {
        let refresh = current.refresh_token.as_ref().ok_or_else(|| {
            Error::with_message(
                ErrorKind::Unauthorized,
                "the access token expired and there is no refresh token",
            )
        })?;
        self.0.refresh(&self.1, refresh).await
    }
}

/// Called with the new token after every refresh.
pub type RefreshHook = Arc<dyn Fn(&Token) + Send + Sync>;

/// Default margin: refresh when the token has less than this left.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(90);

/// A shared token with single-flight refresh (see the module docs). `E` is the error type of
/// its [`TokenRefresher`] (a provider crate's own error), returned as the refresher gave it.
pub struct TokenCache<E = Error> {
    current: Mutex<Option<Arc<Token>>>,
    refresh_lock: tokio::sync::Mutex<()>,
    refresher: Arc<dyn TokenRefresher<E>>,
    hook: Mutex<Option<RefreshHook>>,
    margin: Duration,
    refreshes: AtomicU64,
}

impl<E> fmt::Debug for TokenCache<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("token", &self.token())
            .field("margin", &self.margin)
            .field("refreshes", &self.refresh_count())
            .finish()
    }
}

fn no_token<E: From<Error>>() -> E {
    E::from(Error::with_message(
        ErrorKind::Unauthorized,
        "no token: authorize first",
    ))
}

impl<E> TokenCache<E> {
    /// A cache holding `token` (or none yet), refreshed by `refresher`.
    pub fn new(token: Option<Token>, refresher: Arc<dyn TokenRefresher<E>>) -> Self {
        Self {
            current: Mutex::new(token.map(Arc::new)),
            refresh_lock: tokio::sync::Mutex::new(()),
            refresher,
            hook: Mutex::new(None),
            margin: DEFAULT_REFRESH_MARGIN,
            refreshes: AtomicU64::new(0),
        }
    }

    /// Sets how long before expiry the token is refreshed (acd_cli uses 120 s).
    pub fn with_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Sets the hook called after every refresh.
    pub fn set_hook(&self, hook: Option<RefreshHook>) {
        if let Ok(mut h) = self.hook.lock() {
            *h = hook;
        }
    }

    /// The current token, if any.
    pub fn token(&self) -> Option<Token> {
        self.current
            .lock()
            .ok()
            .and_then(|g| g.as_ref().map(|t| Token::clone(t)))
    }

    /// Replaces the token (after a code exchange, say). Does not call the hook.
    pub fn set_token(&self, token: Token) {
        if let Ok(mut g) = self.current.lock() {
            *g = Some(Arc::new(token));
        }
    }

    /// How many refreshes this cache has made.
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    /// Drops the token: the next call that needs one fails until a new token is set (a
    /// refresh token the server refused is forgotten this way, as the originals do).
    pub fn clear(&self) {
        if let Ok(mut g) = self.current.lock() {
            *g = None;
        }
    }

    fn snapshot(&self) -> Option<Arc<Token>> {
        self.current.lock().ok().and_then(|g| g.clone())
    }
}

impl<E: From<Error>> TokenCache<E> {
    /// A valid access token, refreshed first when it expires within the margin.
    pub async fn access_token(&self) -> Result<Secret, E> {
        if let Some(t) = self.snapshot() {
            if !t.expires_within(self.margin, Utc::now()) {
                return Ok(t.access_token.clone());
            }
        }
        let _guard = self.refresh_lock.lock().await;
        // Another caller may have refreshed while this one waited.
        let current = self.snapshot().ok_or_else(no_token)?;
        if !current.expires_within(self.margin, Utc::now()) {
            return Ok(current.access_token.clone());
        }
        self.do_refresh(&current).await
    }

    /// After a 401 with `rejected`: refreshes once, unless another caller already replaced
    /// that token, in which case the newer token is returned.
    pub async fn refresh_after_unauthorized(&self, rejected: &Secret) -> Result<Secret, E> {
        let _guard = self.refresh_lock.lock().await;
        let current = self.snapshot().ok_or_else(no_token)?;
        if &current.access_token != rejected {
            return Ok(current.access_token.clone());
        }
        self.do_refresh(&current).await
    }

    /// Refreshes now, whatever the expiry (the original SDKs' explicit `refresh()`).
    pub async fn force_refresh(&self) -> Result<Token, E> {
        let _guard = self.refresh_lock.lock().await;
        let current = self.snapshot().ok_or_else(no_token)?;
        self.do_refresh(&current).await?;
        self.token().ok_or_else(no_token)
    }

    async fn do_refresh(&self, current: &Token) -> Result<Secret, E> {
        tracing::debug!("refreshing access token");
        let new = self.refresher.refresh(current).await?;
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let access = new.access_token.clone();
        let new = Arc::new(new);
        if let Ok(mut g) = self.current.lock() {
            *g = Some(Arc::clone(&new));
        }
        let hook = self.hook.lock().ok().and_then(|h| h.clone());
        if let Some(hook) = hook {
            hook(&new);
        }
        Ok(access)
    }
}

/// Sends a request with a bearer token from `cache`, through the transport's retries; on a
/// 401 the token is refreshed (once, shared with concurrent callers) and the request sent
/// once more. `make` receives the access token for each attempt.
pub async fn send_authorized<F, E>(
    transport: &Transport,
    cache: &TokenCache<E>,
    method: &Method,
    url: &Url,
    idempotency: Idempotency,
    mut make: F,
) -> Result<Response, E>
where
    F: FnMut(&Secret) -> Result<RequestBuilder, Error>,
    E: From<Error>,
{
    let token = cache.access_token().await?;
    let resp = transport
        .send(method, url, idempotency, || make(&token))
        .await
        .map_err(E::from)?;
    if resp.status() != StatusCode::UNAUTHORIZED {
        return Ok(resp);
    }
    drop(resp);
    let token = cache.refresh_after_unauthorized(&token).await?;
    transport
        .send(method, url, idempotency, || make(&token))
        .await
        .map_err(E::from)
}
