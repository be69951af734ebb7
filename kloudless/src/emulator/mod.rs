//! A stateful emulator of the Kloudless API (feature `emulator`), for testing code that uses
//! this crate or the original Python SDK.
//!
//! `/v1` and `/v2` (the SDK's per-call `api_version` just rewrites the prefix; OAuth only
//! under `/v1`): one connected account (id `123`, reachable as `me` with its Bearer token, or
//! by id with the application's API key); `accounts` listing (API key); storage folders
//! (`root` alias; create with `conflict_if_exists`, contents paged by `page`/`page_size`,
//! rename/move by PATCH, recursive copy, delete with `recursive`) and files (upload with
//! `X-Kloudless-Metadata` and `overwrite`, a same-named upload renamed `name (1).ext`;
//! download with `Range`; replace by PUT; rename/move; copy; delete); the events log
//! (`events/latest`, cursor pages with `remaining`, each storage change appended);
//! calendars (`primary` alias, events with opaque string page tokens, create/get/patch/
//! delete); `meta/applications` (meta Bearer token); `raw` pass-through (echoes method, URI,
//! body and the `X-Kloudless-*` headers); OAuth (`/v1/oauth` auto-approving with a redirect,
//! `/v1/oauth/token` exchange and token info). `X-Kloudless-Raw-Data: true` adds `raw` to
//! storage objects; `X-Kloudless-Raw-Headers` must be a JSON object. Errors carry
//! `error_code`, `message`, `id` and `status_code`; 409s add `conflicting_resource_id`.
//! Page lists past their last page answer 404, which the SDK reads as "no next page".
//! `faults().expire_tokens()` revokes every account token issued so far (401
//! `unauthorized`); [`Emulator::issue_token`] gives a new one.

mod routes;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::json;

use cloud_core::emulator::{BlobStore, EmulatorServer, FaultPlan, Harness, RequestLog};
use cloud_core::Error;

/// A running emulator; dropping it stops the server.
#[derive(Debug)]
pub struct Emulator {
    server: EmulatorServer,
    app: Arc<routes::App>,
    token: String,
}

impl std::fmt::Debug for routes::App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts an emulator on a free loopback port.
    pub async fn start() -> Result<Self, Error> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts an emulator on `addr` (loopback only).
    pub async fn start_on(addr: SocketAddr) -> Result<Self, Error> {
        let harness = Harness::new();
        let app = Arc::new(routes::App {
            state: Mutex::new(state::State::new()),
            blobs: BlobStore::new()?,
            app_id: state::new_id("app-"),
            api_key: state::new_id("key-"),
            token: Mutex::new(Vec::new()),
            faults: harness.faults().clone(),
            meta_token: state::new_id("meta-"),
        });
        let token = app.issue_token();
        let server =
            EmulatorServer::start_on(addr, routes::router(Arc::clone(&app)), harness).await?;
        Ok(Self { server, app, token })
    }

    /// `http://127.0.0.1:PORT`: set it as the configuration's `base_url`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The application id.
    pub fn app_id(&self) -> &str {
        &self.app.app_id
    }

    /// The application's API key.
    pub fn api_key(&self) -> &str {
        &self.app.api_key
    }

    /// The first Bearer token of the connected account (refused, like every token issued
    /// before, once the fault plan expires tokens: then use [`Emulator::issue_token`]).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// A new Bearer token of the connected account (the OAuth exchange's, without the flow):
    /// valid until the fault plan expires tokens, which revokes every token issued before.
    pub fn issue_token(&self) -> String {
        self.app.issue_token()
    }

    /// A meta (application management) Bearer token.
    pub fn meta_token(&self) -> &str {
        &self.app.meta_token
    }

    /// The connected account's id.
    pub fn account_id(&self) -> i64 {
        state::ACCOUNT_ID
    }

    /// The fault plan.
    pub fn faults(&self) -> &FaultPlan {
        self.server.faults()
    }

    /// The request log.
    pub fn log(&self) -> &RequestLog {
        self.server.log()
    }

    /// How many files and folders the emulator holds (the root included).
    pub fn node_count(&self) -> usize {
        self.app.lock().nodes.len()
    }

    /// Adds a folder `seed` under the root holding `count` small files
    /// (`seed-0000000.txt`, ...), directly, without requests or events: seed data for large
    /// listings. Returns the folder's id.
    pub fn seed_files(&self, count: usize) -> String {
        let mut s = self.app.lock();
        let t = state::now();
        let folder = state::new_id("F");
        s.nodes.modify().insert(
            folder.clone(),
            state::Node {
                id: folder.clone(),
                name: "seed".into(),
                parent: Some("root".into()),
                blob: None,
                created: t.clone(),
                modified: t.clone(),
            },
        );
        let body = bytes::Bytes::from_static(b"seed");
        for i in 0..count {
            let id = state::new_id("f");
            s.nodes.modify().insert(
                id.clone(),
                state::Node {
                    id,
                    name: format!("seed-{i:07}.txt"),
                    parent: Some(folder.clone()),
                    blob: Some(cloud_core::emulator::Blob::from_bytes(body.clone())),
                    created: t.clone(),
                    modified: t.clone(),
                },
            );
        }
        folder
    }

    /// The standalone JSON line.
    pub fn info(&self) -> serde_json::Value {
        json!({
            "base_url": self.base_url(),
            "app_id": self.app_id(),
            "api_key": self.api_key(),
            "token": self.token(),
            "account_id": self.account_id(),
        })
    }
}
