//! A stateful emulator of the Orange Cloud France API (feature `emulator`), for testing code
//! that uses this crate or the original Python client.
//!
//! One loopback listener serves the OAuth2 endpoints (`/oauth/v2/authorize` auto-consenting
//! with a redirect, exact redirect URI; `/oauth/v2/token`, client auth by HTTP Basic, codes
//! single-use), the API host's `/cloud/v1/freespace`, `/folders` and `/files` (get, create,
//! move, rename, copy, delete; `showthumbnails`, `flat`, `tree`, `filter`, `limit`, `offset`),
//! the upload host's `/cloud/v1/files/content` (multipart `description` + `file`, the size
//! checked, a taken name stored as `stem(1).ext`), and download URLs serving the bytes with
//! `Range`. Ids are path-derived (unpadded URL-safe base64), so a rename or move changes the
//! ids below the item, as at Orange. A refused token is `401 {"code": 41, "message":
//! "Invalid credentials"}` on the API host and `401 {"error": {"label": "INVALID_TOKEN"}}` on
//! the upload host. Choices where the service is undocumented (the spec's `[E]`): a create
//! or rename onto a taken name is a 409 (code 24); a move or copy onto one stores under
//! `name(1)`.

mod routes;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use cloud_core::emulator::{
    BlobStore, ClientAuthStyle, EmulatorServer, FaultPlan, Harness, IssuedToken, OAuth2Server,
    OAuth2ServerConfig, RequestLog,
};
use cloud_core::{Error, Secret};

/// Settings of an [`Emulator`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// The accepted client id.
    pub client_id: String,
    /// The accepted client secret.
    pub client_secret: Secret,
    /// The registered redirect URI.
    pub redirect_uri: String,
    /// Access-token lifetime.
    pub token_lifetime: Duration,
    /// The account's size in bytes (default 100 GiB).
    pub quota: u64,
    /// Where to listen.
    pub addr: SocketAddr,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            client_id: "orange-emulator-client".into(),
            client_secret: Secret::new("orange-emulator-secret"),
            redirect_uri: "http://127.0.0.1:8765/callback".into(),
            token_lifetime: Duration::from_secs(3600),
            quota: 100 << 30,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

impl EmulatorConfig {
    /// Sets the registered redirect URI.
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = uri.into();
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
    /// Starts an emulator with the default settings.
    pub async fn start() -> Result<Self, Error> {
        Self::start_with(EmulatorConfig::default()).await
    }

    /// Starts an emulator with these settings.
    pub async fn start_with(config: EmulatorConfig) -> Result<Self, Error> {
        let harness = Harness::new();
        let oauth = OAuth2Server::new(
            OAuth2ServerConfig::new(config.client_id.clone(), config.client_secret.clone())
                .paths("/oauth/v2/authorize", "/oauth/v2/token")
                .token_lifetime(config.token_lifetime)
                .client_auth(ClientAuthStyle::Basic)
                .redirect_uri(config.redirect_uri.clone()),
            &harness,
        );
        let app = Arc::new(routes::App {
            state: Mutex::new(state::State::new(config.quota)),
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

    /// `http://127.0.0.1:PORT` (API, upload and OAuth hosts at once).
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The accepted client id.
    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }

    /// The accepted client secret.
    pub fn client_secret(&self) -> Secret {
        self.config.client_secret.clone()
    }

    /// The registered redirect URI.
    pub fn redirect_uri(&self) -> &str {
        &self.config.redirect_uri
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
        let quota = self.config.quota;
        self.server.harness().enable_control_over(
            Arc::clone(&self.app),
            |a| &a.state,
            move || state::State::new(quota),
        );
    }

    /// The authorization server (refresh counts).
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

    /// How many files and folders the emulator holds.
    pub fn node_count(&self) -> usize {
        self.app.lock().entries.len()
    }

    /// Adds a folder `name` under the root holding `count` small files
    /// (`seed-0000000.txt`, ...), directly, without requests: seed data for large listings.
    /// Returns the folder's id.
    pub fn seed_files(&self, name: &str, count: usize) -> String {
        let mut s = self.app.lock();
        let t = state::now();
        let entry = |blob: Option<cloud_core::emulator::Blob>, mime: &str| state::Entry {
            blob,
            mime: mime.to_owned(),
            created: t.clone(),
            modified: t.clone(),
        };
        let dir = state::child_path("/", name, true);
        s.entries.modify().insert(dir.clone(), entry(None, ""));
        let body = bytes::Bytes::from_static(b"seed");
        for i in 0..count {
            let blob = cloud_core::emulator::Blob::from_bytes(body.clone());
            s.entries.modify().insert(
                state::child_path(&dir, &format!("seed-{i:07}.txt"), false),
                entry(Some(blob), "text/plain"),
            );
        }
        state::id_of(&dir)
    }

    /// The standalone JSON line (an access token too, for tools like curl).
    pub fn info(&self) -> serde_json::Value {
        let t = self.issue_token();
        json!({
            "base_url": self.base_url(),
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret.expose(),
            "redirect_uri": self.config.redirect_uri,
            "refresh_token": t.refresh_token.expose(),
            "access_token": t.access_token.expose(),
        })
    }
}
