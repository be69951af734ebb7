//! A stateful emulator of the Amazon Cloud Drive API (feature `emulator`), for testing code
//! that uses this crate, the original acd_cli, or anything else that speaks the protocol.
//!
//! One loopback listener serves endpoint discovery (`/drive/v1/account/endpoint`, answering
//! with its own metadata and content URLs), the metadata API (`/drive/v1/…`: account, nodes
//! with filters and `nextToken` paging, children and hard links, PATCH, properties, trash,
//! the changes stream with checkpoints and the end marker), the content API (`/cdproxy/…`:
//! multipart uploads and overwrites with case-insensitive name conflicts carrying
//! `info.nodeId`, deduplication, the empty-chunked-body refusal; ranged downloads with 206
//! and 416; thumbnails; temp links), and token refresh both Amazon-style
//! (`/auth/o2/token`) and Appspot-style (`/appspot/`). Bodies stream to disk. Faults come from
//! cloud-core's [`FaultPlan`]; `//` in paths is collapsed (acd_cli sends one).
//!
//! Where the service's behaviour is unknown (the spec's `[E]` items) the choices are the
//! spec's recommendations: trashed nodes are hidden from `GET /nodes` unless a `status` term
//! asks for them; children listings include trashed nodes; purge is refused (403) unless
//! [`EmulatorConfig::allow_purge`]; overwrites do not deduplicate unless
//! [`EmulatorConfig::dedup_on_overwrite`]; an unknown checkpoint gets a full `reset`.

mod routes;
mod state;

use std::net::SocketAddr;
use std::path::Path;
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
    /// The client id accepted at `/auth/o2/token`.
    pub client_id: String,
    /// The client secret accepted there.
    pub client_secret: Secret,
    /// The application name nodes are `createdBy` (the properties owner).
    pub app_name: String,
    /// The quota in bytes (default 1 TiB).
    pub quota: u64,
    /// Access-token lifetime (default one hour).
    pub token_lifetime: Duration,
    /// Allow `DELETE /nodes/{id}` (the real service refused it to applications).
    pub allow_purge: bool,
    /// Refuse duplicate content on overwrites too.
    pub dedup_on_overwrite: bool,
    /// Where to listen (default `127.0.0.1:0`).
    pub addr: SocketAddr,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            client_id: "amzn1.application-oa2-client.emulator".into(),
            client_secret: Secret::new("emulator-client-secret"),
            app_name: "acd-emulator-app".into(),
            quota: 1 << 40,
            token_lifetime: Duration::from_secs(3600),
            allow_purge: false,
            dedup_on_overwrite: false,
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

    /// Allows purging.
    pub fn allow_purge(mut self, allow: bool) -> Self {
        self.allow_purge = allow;
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
                .paths("/auth/o2/authorize", "/auth/o2/token")
                .token_lifetime(config.token_lifetime)
                .client_auth(ClientAuthStyle::Either)
                .rotate_refresh_tokens(true),
            &harness,
        );
        let app = Arc::new(routes::App {
            state: Mutex::new(state::State::new(&config.app_name, config.quota)),
            blobs: BlobStore::new()?,
            oauth: oauth.clone(),
            allow_purge: config.allow_purge,
            dedup_on_overwrite: config.dedup_on_overwrite,
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

    /// `http://127.0.0.1:PORT`: pass it to [`crate::AcdOptions::base_url`].
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The metadata base (`…/drive/v1/`).
    pub fn metadata_url(&self) -> String {
        format!("{}/drive/v1/", self.base_url())
    }

    /// The content base (`…/cdproxy/`).
    pub fn content_url(&self) -> String {
        format!("{}/cdproxy/", self.base_url())
    }

    /// The settings.
    pub fn config(&self) -> &EmulatorConfig {
        &self.config
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
        let (name, quota) = (self.config.app_name.clone(), self.config.quota);
        self.server.harness().enable_control_over(
            Arc::clone(&self.app),
            |a| &a.state,
            move || state::State::new(&name, quota),
        );
    }

    /// The token server (refresh counts).
    pub fn oauth(&self) -> &OAuth2Server {
        &self.oauth
    }

    /// Issues a token pair.
    pub fn issue_token(&self) -> IssuedToken {
        self.oauth.issue_token()
    }

    /// Expires every access token issued so far.
    pub fn expire_tokens(&self) {
        self.faults().expire_tokens();
    }

    /// The root folder's id.
    pub fn root_id(&self) -> String {
        self.app.lock().root.clone()
    }

    /// How many nodes (root included, purged excluded) the account holds.
    pub fn node_count(&self) -> usize {
        self.app.lock().nodes.len()
    }

    /// Adds `count` empty folders under the root directly (seed data for large listings and
    /// change feeds), returning their ids.
    pub fn seed_folders(&self, count: usize, prefix: &str) -> Vec<String> {
        let mut s = self.app.lock();
        let root = s.root.clone();
        (0..count)
            .map(|i| {
                s.new_node(
                    &format!("{prefix}{i:07}"),
                    "FOLDER",
                    vec![root.clone()],
                    None,
                )
            })
            .collect()
    }

    /// Writes an acd_cli cache folder for this emulator: `oauth_data` with a fresh token and
    /// `endpoint_data` pointing here (valid for 3 days), both mode 0600. The original
    /// acd_cli, and [`crate::AcdClient`], can then start from that folder.
    pub fn write_cache(&self, dir: &Path) -> Result<IssuedToken, Error> {
        let t = self.issue_token();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let oauth = json!({
            "access_token": t.access_token.expose(),
            "refresh_token": t.refresh_token.expose(),
            "expires_in": t.expires_in,
            "token_type": "bearer",
            "exp_time": now + t.expires_in as f64 - 120.0,
        });
        let endpoints = json!({
            "customerExists": true,
            "contentUrl": self.content_url(),
            "metadataUrl": self.metadata_url(),
            "exp_time": now + 259_200.0,
        });
        let write = |name: &str, v: &serde_json::Value| {
            crate::oauth::write_json_atomic(&dir.join(name), v)
                .map_err(|e| Error::config(e.to_string()))
        };
        write(crate::oauth::OAUTH_DATA_FILE, &oauth)?;
        write("endpoint_data", &endpoints)?;
        Ok(t)
    }

    /// The standalone JSON line.
    pub fn info(&self) -> serde_json::Value {
        let t = self.issue_token();
        json!({
            "base_url": self.base_url(),
            "metadata_url": self.metadata_url(),
            "content_url": self.content_url(),
            "access_token": t.access_token.expose(),
            "refresh_token": t.refresh_token.expose(),
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret.expose(),
        })
    }
}
