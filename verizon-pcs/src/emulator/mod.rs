//! A stateful emulator of the Verizon Cloud API (feature `emulator`), for testing code that
//! uses this crate (or the original Python SDK, or curl) without credentials.
//!
//! It serves under `/cloud/1` exactly the paths, query parameters, headers, JSON field names
//! and statuses the SDK uses: OAuth2 authorize (auto-consent, exact redirect URI) and token
//! (codes single-use, refresh tokens rotated, client credentials in the body or Basic);
//! account; metadata; fullview with a change journal behind its `X-Header-ETag` (412 when
//! nothing changed, 205 when the etag is unknown, garbage or older than the journal window);
//! search with `name:`/`extension:`/bare terms, sort, `page`/`count` and virtual folders;
//! downloads with `Range` (bearer or `access-token`); upload intents, un-chunked and chunked
//! uploads checked against the SHA-256 and size of the intent, commit; delete, trash and
//! restore; create folder, copy, move, rename. File bodies stream to disk, never held whole.
//! Faults come from cloud-core's [`FaultPlan`].
//!
//! Choices where the spec marks the service's behaviour as unknown are documented in the
//! crate docs and the README.

mod routes;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use sha2::Digest;

use cloud_core::emulator::{
    BlobStore, ClientAuthStyle, EmulatorServer, FaultPlan, Harness, IssuedToken, OAuth2Server,
    OAuth2ServerConfig, RequestLog,
};
use cloud_core::{Error, Secret};

pub use state::VIRTUAL_FOLDERS;

/// Settings of an [`Emulator`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// The accepted client key.
    pub client_key: String,
    /// The accepted client secret.
    pub client_secret: Secret,
    /// The registered callback URL.
    pub callback_url: String,
    /// The account quota in bytes (default 256 GiB).
    pub quota: u64,
    /// Access-token lifetime (default one hour).
    pub token_lifetime: Duration,
    /// How many changes the fullview journal keeps (default 1000); an older etag gets 205.
    pub journal_window: usize,
    /// Where to listen (default `127.0.0.1:0`).
    pub addr: SocketAddr,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            client_key: "emulator-client-key".into(),
            client_secret: Secret::new("emulator-client-secret"),
            callback_url: "http://127.0.0.1:8765/callback".into(),
            quota: 256 << 30,
            token_lifetime: Duration::from_secs(3600),
            journal_window: 1000,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

impl EmulatorConfig {
    /// Sets the quota.
    pub fn quota(mut self, bytes: u64) -> Self {
        self.quota = bytes;
        self
    }

    /// Sets the access-token lifetime.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Sets the fullview journal window.
    pub fn journal_window(mut self, changes: usize) -> Self {
        self.journal_window = changes;
        self
    }

    /// Sets the listening address (loopback only).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }
}

/// A running emulator; dropping it stops the server.
#[derive(Debug)]
pub struct Emulator {
    server: EmulatorServer,
    oauth: OAuth2Server,
    config: EmulatorConfig,
    app: Arc<routes::App>,
}

impl std::fmt::Debug for routes::App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts an emulator with the default settings on a free loopback port.
    pub async fn start() -> Result<Self, Error> {
        Self::start_with(EmulatorConfig::default()).await
    }

    /// Starts an emulator with these settings.
    pub async fn start_with(config: EmulatorConfig) -> Result<Self, Error> {
        let harness = Harness::new();
        let oauth = OAuth2Server::new(
            OAuth2ServerConfig::new(config.client_key.clone(), config.client_secret.clone())
                .paths("/cloud/1/oauth2/authorize", "/cloud/1/oauth2/token")
                .token_lifetime(config.token_lifetime)
                .client_auth(ClientAuthStyle::Either)
                .rotate_refresh_tokens(true)
                .redirect_uri(config.callback_url.clone()),
            &harness,
        );
        let app = Arc::new(routes::App {
            state: Mutex::new(state::State::new(config.quota, config.journal_window)),
            blobs: BlobStore::new()?,
            oauth: oauth.clone(),
        });
        let router = routes::router(Arc::clone(&app)).merge(oauth.router());
        let server = EmulatorServer::start_on(config.addr, router, harness).await?;
        Ok(Self {
            server,
            oauth,
            config,
            app,
        })
    }

    /// `http://127.0.0.1:PORT/cloud/1`: pass it as [`crate::CloudOptions::base_url`].
    pub fn api_cloud(&self) -> String {
        format!("{}/cloud/1", self.server.base_url())
    }

    /// The accepted client key.
    pub fn client_key(&self) -> &str {
        &self.config.client_key
    }

    /// The accepted client secret.
    pub fn client_secret(&self) -> Secret {
        self.config.client_secret.clone()
    }

    /// The registered callback URL.
    pub fn callback_url(&self) -> &str {
        &self.config.callback_url
    }

    /// The fault plan.
    pub fn faults(&self) -> &FaultPlan {
        self.server.faults()
    }

    /// The request log.
    pub fn log(&self) -> &RequestLog {
        self.server.log()
    }

    /// Turns on the control API (`/__emulator/...`: reset, faults, token expiry, the request
    /// log; see `cloud_core::emulator::control`), for tests written in any language. The reset
    /// empties the storage; tokens stay valid.
    pub fn enable_control(&self) {
        let (quota, window) = (self.config.quota, self.config.journal_window);
        self.server.harness().enable_control_over(
            Arc::clone(&self.app),
            |a| &a.state,
            move || state::State::new(quota, window),
        );
    }

    /// The authorization server (token counts, direct token issue).
    pub fn oauth(&self) -> &OAuth2Server {
        &self.oauth
    }

    /// Issues a token pair without the browser flow.
    pub fn issue_token(&self) -> IssuedToken {
        self.oauth.issue_token()
    }

    /// Expires every access token issued so far.
    pub fn expire_tokens(&self) {
        self.faults().expire_tokens();
    }

    /// Plays the person at the browser: opens `authorize_url` (on this emulator), approves,
    /// and returns the `code` of the redirect to the callback.
    pub async fn approve(&self, authorize_url: &str) -> Result<String, Error> {
        let client = cloud_core::reqwest::Client::builder()
            .redirect(cloud_core::reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| cloud_core::error::from_reqwest(e, None))?;
        let resp = client
            .get(authorize_url)
            .send()
            .await
            .map_err(|e| cloud_core::error::from_reqwest(e, None))?;
        let location = resp
            .headers()
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                Error::decode(format!(
                    "authorize answered {} without a redirect",
                    resp.status()
                ))
            })?;
        let url = url::Url::parse(location).map_err(|e| Error::decode(e.to_string()))?;
        url.query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| Error::decode("the redirect carries no code"))
    }

    /// How many files the emulator holds.
    pub fn file_count(&self) -> usize {
        let s = self.app.state.lock().unwrap_or_else(|p| p.into_inner());
        s.nodes
            .values()
            .filter(|n| matches!(n, state::Node::File(_)))
            .count()
    }

    /// Adds `count` small files (`seed-0000000.txt`, ...) to `folder` (created if missing)
    /// directly, without requests: seed data for large listings, searches and fullviews.
    pub fn seed_files(&self, folder: &str, count: usize) -> Result<(), Error> {
        let body = bytes::Bytes::from_static(b"seed");
        let checksum: String = sha2::Sha256::digest(&body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut s = self.app.state.lock().unwrap_or_else(|p| p.into_inner());
        for i in 0..count {
            s.put_file(
                folder,
                &format!("seed-{i:07}.txt"),
                cloud_core::emulator::Blob::from_bytes(body.clone()),
                checksum.clone(),
            )
            .map_err(|e| Error::invalid_input(format!("seed {folder}: {e}")))?;
        }
        Ok(())
    }

    /// The standalone JSON line: `base_url` (the API base) and the credentials.
    pub fn info(&self) -> serde_json::Value {
        let t = self.issue_token();
        json!({
            "base_url": self.api_cloud(),
            "client_key": self.config.client_key,
            "client_secret": self.config.client_secret.expose(),
            "callback_url": self.config.callback_url,
            "access_token": t.access_token.expose(),
            "refresh_token": t.refresh_token.expose(),
        })
    }
}
