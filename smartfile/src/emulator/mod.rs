//! A stateful emulator of the SmartFile API v2 (feature `emulator`), for testing code that
//! uses this crate or the original Python client.
//!
//! It serves `/api/<version>/…` for any version made of digits and dots, every route with
//! the trailing slash the clients add, JSON with `Content-Type: application/json` exactly:
//! `ping` (open), `whoami`, `path/info` (with `children`, `limit`/`page` → `page`/`pages`,
//! `fields`), `path/data` (multipart upload, any field name, the name being the part
//! filename's last component; downloads with `Range`, never content-encoded, `.json` files
//! served as `application/json; charset=utf-8` so that clients stream them), `path/oper/mkdir`
//! (form or PUT, idempotent, parents created), `move`/`copy`/`remove` (applied at once,
//! answered with a finished task), `rename`, `task/<uuid>`; HTTP Basic and OAuth 1.0 PLAINTEXT
//! (`/oauth/request_token/`, `/oauth/authorize/` auto-approving with the verifier
//! `verifier-<first 12 characters of the request token>`, `/oauth/access_token/`); OAuth
//! signatures are checked by a verifier written from RFC 5849 alone (not the client's
//! signer), and the generated secrets hold `$&+/=` so that the signature's inner encoding is
//! exercised. Paths
//! (and `path`/`src`/`dst` fields) are normalised: leading `/` added, trailing `/` and `//`
//! dropped, `.`/`..` resolved without leaving `/`.
//!
//! Move and copy (the spec's default): `dst` an existing directory receives the item;
//! otherwise `dst` is the new path when its parent is a directory; a taken final path is
//! `409 {"detail": "Destination exists:<path>"}`. Missing sources are
//! `404 {"src": ["Source does not exist"]}`, missing remove paths
//! `404 {"path": ["Path does not exist"]}`. Throttling (503 with `X-Throttle`, 429 with
//! `Retry-After`) comes from cloud-core's fault plan.

mod oauth1;
mod routes;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::json;

use cloud_core::emulator::{
    BlobStore, EmulatorServer, Fault, FaultPlan, Harness, RequestLog, Route,
};
use cloud_core::Error;

/// A running emulator; dropping it stops the server.
#[derive(Debug)]
pub struct Emulator {
    server: EmulatorServer,
    app: Arc<routes::App>,
    access: (String, String),
}

impl std::fmt::Debug for routes::App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

fn credential(prefix: &str) -> String {
    let mut b = [0u8; 12];
    let _ = getrandom::fill(&mut b);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{prefix}{hex}")
}

impl Emulator {
    /// Starts an emulator on a free loopback port.
    pub async fn start() -> Result<Self, Error> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts an emulator on `addr` (loopback only).
    pub async fn start_on(addr: SocketAddr) -> Result<Self, Error> {
        let app = Arc::new(routes::App {
            state: Mutex::new(state::State::new()),
            blobs: BlobStore::new()?,
            key: credential("sf-key-"),
            password: credential("sf-password-"),
            client_token: credential("sf-client-token-"),
            // Secrets hold characters that RFC 5849 encodes, so that a client which skips the
            // signature's inner encoding is refused.
            client_secret: credential("sf-client-secret$&+/="),
        });
        let access = (
            credential("sf-access-token-"),
            credential("sf-access-secret$&+/="),
        );
        app.lock()
            .oauth
            .access
            .insert(access.0.clone(), access.1.clone());
        let server =
            EmulatorServer::start_on(addr, routes::router(Arc::clone(&app)), Harness::new())
                .await?;
        Ok(Self {
            server,
            app,
            access,
        })
    }

    /// `http://127.0.0.1:PORT/` (with the trailing slash the client needs).
    pub fn base_url(&self) -> String {
        format!("{}/", self.server.base_url())
    }

    /// The accepted API key (≥ 30 characters).
    pub fn key(&self) -> &str {
        &self.app.key
    }

    /// The accepted API password.
    pub fn password(&self) -> &str {
        &self.app.password
    }

    /// The OAuth client token.
    pub fn client_token(&self) -> &str {
        &self.app.client_token
    }

    /// The OAuth client secret.
    pub fn client_secret(&self) -> &str {
        &self.app.client_secret
    }

    /// A pre-issued OAuth access token and secret.
    pub fn access_token(&self) -> (&str, &str) {
        (&self.access.0, &self.access.1)
    }

    /// The fault plan.
    pub fn faults(&self) -> &FaultPlan {
        self.server.faults()
    }

    /// The request log.
    pub fn log(&self) -> &RequestLog {
        self.server.log()
    }

    /// Throttles the next `times` requests on `route` as SmartFile did in 2012–13: 503 with
    /// `X-Throttle: throttled; next=<seconds> sec`.
    pub fn throttle(&self, times: u32, route: Route, seconds: f64) {
        self.faults().add(
            times,
            route,
            Fault::Status {
                status: 503,
                retry_after: None,
                body: Some("Request Throttled!".into()),
                headers: vec![(
                    "X-Throttle".into(),
                    format!("throttled; next={seconds} sec"),
                )],
            },
        );
    }

    /// How many files (not directories) the emulator holds.
    pub fn file_count(&self) -> usize {
        self.app
            .lock()
            .entries
            .values()
            .filter(|e| e.blob.is_some())
            .count()
    }

    /// Adds `count` small files (`seed-0000000.txt`, ...) to the folder `dir` (created if
    /// missing) directly, without requests: seed data for large listings.
    pub fn seed_files(&self, dir: &str, count: usize) -> Result<(), Error> {
        let mut s = self.app.lock();
        let dir = state::normalise(dir);
        s.mkdirs(&dir)
            .map_err(|p| Error::invalid_input(format!("a file is in the way at {p}")))?;
        let body = bytes::Bytes::from_static(b"seed");
        for i in 0..count {
            let path = state::join(&dir, &format!("seed-{i:07}.txt"));
            s.put_file(&path, cloud_core::emulator::Blob::from_bytes(body.clone()));
        }
        Ok(())
    }

    /// The standalone JSON line.
    pub fn info(&self) -> serde_json::Value {
        json!({
            "base_url": self.base_url(),
            "key": self.key(),
            "password": self.password(),
            "client_token": self.client_token(),
            "client_secret": self.client_secret(),
            "access_token": self.access.0,
            "access_secret": self.access.1,
        })
    }
}
