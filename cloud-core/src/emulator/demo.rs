//! A minimal, provider-neutral file service built on the harness: the OAuth2 server, a store of
//! uploaded files, and synthetic bodies of any size. It backs cloud-core's quickstart and the
//! harness benchmark, and shows how a provider emulator is put together.
//!
//! | route | what it does |
//! |---|---|
//! | `GET /oauth2/authorize`, `POST /oauth2/token` | the [`OAuth2Server`] |
//! | `PUT /files/{name}` | stores the body (bearer token required); answers `{"name","size","md5"}` |
//! | `GET /files/{name}` | serves it, with `Range` |
//! | `GET /synthetic/{size}` | `size` deterministic bytes, with `Range` (no token needed) |

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use serde_json::json;
use tokio::sync::RwLock;

use super::{
    serve_blob, Blob, BlobStore, EmulatorServer, Harness, OAuth2Server, OAuth2ServerConfig,
};
use crate::error::Error;

/// The demo client id.
pub const CLIENT_ID: &str = "demo-client";
/// The demo client secret (not a secret: the emulator accepts it).
pub const CLIENT_SECRET: &str = "demo-secret";

struct DemoState {
    oauth: OAuth2Server,
    blobs: BlobStore,
    files: RwLock<HashMap<String, Blob>>,
}

/// The demo service: a running server and its OAuth2 server.
#[derive(Debug)]
pub struct Demo {
    /// The running server.
    pub server: EmulatorServer,
    /// Its authorization server.
    pub oauth: OAuth2Server,
}

impl Demo {
    /// Starts the demo service on a free loopback port.
    pub async fn start() -> Result<Self, Error> {
        Self::start_on(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts the demo service on `addr` (loopback only).
    pub async fn start_on(addr: std::net::SocketAddr) -> Result<Self, Error> {
        let harness = Harness::new();
        let oauth = OAuth2Server::new(OAuth2ServerConfig::new(CLIENT_ID, CLIENT_SECRET), &harness);
        let state = Arc::new(DemoState {
            oauth: oauth.clone(),
            blobs: BlobStore::new()?,
            files: RwLock::default(),
        });
        let app = Router::new()
            .route("/files/{name}", get(get_file).put(put_file))
            .route("/synthetic/{size}", get(synthetic))
            .with_state(state)
            .merge(oauth.router());
        let server = EmulatorServer::start_on(addr, app, harness).await?;
        Ok(Self { server, oauth })
    }

    /// The standalone JSON line: base URL and credentials.
    pub fn info(&self) -> serde_json::Value {
        let issued = self.oauth.issue_token();
        json!({
            "base_url": self.server.base_url(),
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "access_token": issued.access_token.expose(),
            "refresh_token": issued.refresh_token.expose(),
        })
    }
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": "invalid_token"})),
    )
        .into_response()
}

async fn put_file(
    State(s): State<Arc<DemoState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if s.oauth.check(&headers).is_err() {
        return unauthorized();
    }
    match s.blobs.put_stream_md5(body.into_data_stream()).await {
        Ok(blob) => {
            let answer = json!({"name": name, "size": blob.len(), "md5": blob.md5()});
            s.files.write().await.insert(name, blob);
            (StatusCode::CREATED, Json(answer)).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

async fn get_file(
    State(s): State<Arc<DemoState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if s.oauth.check(&headers).is_err() {
        return unauthorized();
    }
    let blob = s.files.read().await.get(&name).cloned();
    match blob {
        Some(blob) => serve_blob(&blob, &headers, "application/octet-stream"),
        None => (StatusCode::NOT_FOUND, Json(json!({"error": "not_found"}))).into_response(),
    }
}

async fn synthetic(Path(size): Path<u64>, headers: HeaderMap) -> Response {
    serve_blob(&Blob::synthetic(size), &headers, "application/octet-stream")
}
