//! [`HttpOptions`]: the client options every provider crate takes, the same in all five
//! (as `object_store`'s `ClientOptions`): connect and read-idle timeouts, an overall per-call
//! timeout, proxies, the user agent, the caller's own `reqwest::Client`, the retry policy, and
//! the largest JSON answer read ([`HttpOptions::max_json_bytes`]).
//!
//! Each provider's options struct holds one (`.http(HttpOptions)`); an option left unset keeps
//! the provider's default, which its README states (acd, for one, takes its timeouts from
//! `acd_client.ini`).
//!
//! ```
//! use std::time::Duration;
//! use cloud_core::{HttpOptions, RetryPolicy};
//!
//! let http = HttpOptions::default()
//!     .connect_timeout(Duration::from_secs(10))
//!     .read_timeout_disabled()                 // wait as long as the server takes
//!     .proxy("http://127.0.0.1:3128")
//!     .retry(RetryPolicy::none());             // the original's exact behaviour
//! assert_eq!(http.get_connect_timeout(), Some(Duration::from_secs(10)));
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::retry::RetryStrategy;

/// Which requests a proxy carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyScheme {
    /// Every request.
    All,
    /// `http://` URLs.
    Http,
    /// `https://` URLs.
    Https,
}

impl ProxyScheme {
    /// The scheme of a `requests`-style `proxies` key (`http`, `https`, `all`); `None` for
    /// another key.
    pub fn from_key(key: &str) -> Option<Self> {
        match key.trim().to_ascii_lowercase().as_str() {
            "all" => Some(ProxyScheme::All),
            "http" => Some(ProxyScheme::Http),
            "https" => Some(ProxyScheme::Https),
            _ => None,
        }
    }
}

/// A read-idle timeout: the provider's default, a duration, or none at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Setting<T> {
    Default,
    Set(T),
    Disabled,
}

/// The client options of every provider crate (see the module docs).
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpOptions {
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) read_timeout: Setting<Duration>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) proxies: Vec<(ProxyScheme, String)>,
    pub(crate) user_agent: Option<String>,
    pub(crate) client: Option<reqwest::Client>,
    pub(crate) retry: Option<Arc<dyn RetryStrategy>>,
    pub(crate) max_json_bytes: Option<usize>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            connect_timeout: None,
            read_timeout: Setting::Default,
            timeout: None,
            proxies: Vec::new(),
            user_agent: None,
            client: None,
            retry: None,
            max_json_bytes: None,
        }
    }
}

impl fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Proxy URLs may carry a password: only their schemes and hosts are shown.
        let proxies: Vec<String> = self
            .proxies
            .iter()
            .map(|(s, u)| {
                let host = url::Url::parse(u)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_else(|| "<unparsable>".into());
                format!("{s:?}={host}")
            })
            .collect();
        f.debug_struct("HttpOptions")
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("timeout", &self.timeout)
            .field("proxies", &proxies)
            .field("user_agent", &self.user_agent)
            .field("own_client", &self.client.is_some())
            .field("retry", &self.retry)
            .field("max_json_bytes", &self.max_json_bytes)
            .finish()
    }
}

impl HttpOptions {
    /// The longest wait for a connection.
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = Some(t);
        self
    }

    /// The longest wait for the next bytes of an answer (not a limit on the whole body).
    pub fn read_timeout(mut self, t: Duration) -> Self {
        self.read_timeout = Setting::Set(t);
        self
    }

    /// No read-idle timeout: wait as long as the server takes, as the Python originals
    /// (`requests` without `timeout=`) do.
    pub fn read_timeout_disabled(mut self) -> Self {
        self.read_timeout = Setting::Disabled;
        self
    }

    /// An overall limit per call, from the first byte sent to the last byte of the answer
    /// (each retry has its own). The Python originals' `timeout=` arguments map here.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// Sends every request through this proxy (`http://`, `https://` or `socks5://` URL,
    /// credentials in it if the proxy needs them).
    pub fn proxy(self, url: impl Into<String>) -> Self {
        self.proxy_for(ProxyScheme::All, url)
    }

    /// Sends the requests of one scheme through this proxy (`requests`' `proxies` dict).
    pub fn proxy_for(mut self, scheme: ProxyScheme, url: impl Into<String>) -> Self {
        self.proxies.push((scheme, url.into()));
        self
    }

    /// Replaces the `<crate>/<version>` user agent.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Uses the caller's own `reqwest::Client`: its timeouts, proxies, TLS and user agent are
    /// then the caller's, and the options above other than [`HttpOptions::timeout`] and
    /// [`HttpOptions::retry`] are not used.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The retry strategy; [`crate::RetryPolicy::none`] never re-sends anything.
    pub fn retry(mut self, strategy: impl RetryStrategy + 'static) -> Self {
        self.retry = Some(Arc::new(strategy));
        self
    }

    /// [`HttpOptions::retry`] with a shared strategy.
    pub fn retry_shared(mut self, strategy: Arc<dyn RetryStrategy>) -> Self {
        self.retry = Some(strategy);
        self
    }

    /// The largest JSON answer read (default [`crate::transport::DEFAULT_MAX_JSON_BYTES`],
    /// 64 MiB, in every crate): a JSON answer is decoded whole, into a tree several times its
    /// size, so a longer one is an error naming this option rather than memory without
    /// bound. The Python originals read any size: `usize::MAX` does too. Listings that page
    /// (every crate's `..._stream` calls) hold one page at a time whatever this is.
    pub fn max_json_bytes(mut self, n: usize) -> Self {
        self.max_json_bytes = Some(n);
        self
    }

    /// The largest JSON answer read, if set.
    pub fn get_max_json_bytes(&self) -> Option<usize> {
        self.max_json_bytes
    }

    /// The connect timeout, if set.
    pub fn get_connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }

    /// The read-idle timeout: `Some(Some(d))` set, `Some(None)` disabled, `None` unset.
    pub fn get_read_timeout(&self) -> Option<Option<Duration>> {
        match self.read_timeout {
            Setting::Default => None,
            Setting::Set(d) => Some(Some(d)),
            Setting::Disabled => Some(None),
        }
    }

    /// The overall per-call timeout, if set.
    pub fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The retry strategy, if set.
    pub fn get_retry(&self) -> Option<&Arc<dyn RetryStrategy>> {
        self.retry.as_ref()
    }

    /// True when a proxy is set for some scheme.
    pub fn has_proxy(&self) -> bool {
        !self.proxies.is_empty()
    }
}
