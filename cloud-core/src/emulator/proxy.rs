//! [`ForwardProxy`]: a plain HTTP forward proxy on loopback that records the requests it
//! carries, so that a test can prove a client's proxy setting is used. It forwards only to
//! loopback targets (anything else is answered 502), streaming bodies both ways.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::Router;
use http::{Request, Response, StatusCode};

use super::server::{EmulatorServer, Harness};
use crate::error::Error;

/// A recording forward proxy on `127.0.0.1` (see the module docs). Dropping it stops it.
#[derive(Debug)]
pub struct ForwardProxy {
    server: EmulatorServer,
    seen: Arc<Mutex<Vec<String>>>,
}

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "proxy-connection",
    "keep-alive",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

impl ForwardProxy {
    /// Starts a proxy on a free loopback port.
    pub async fn start() -> Result<Self, Error> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| crate::error::from_reqwest(e, None))?;
        let log = Arc::clone(&seen);
        let router = Router::new().fallback(move |req: Request<Body>| {
            let (client, log) = (client.clone(), Arc::clone(&log));
            async move { forward(client, log, req).await }
        });
        let server = EmulatorServer::start(router, Harness::new()).await?;
        Ok(Self { server, seen })
    }

    /// `http://127.0.0.1:<port>`, to pass as a proxy URL.
    pub fn url(&self) -> String {
        self.server.base_url()
    }

    /// Every request carried so far, as `METHOD absolute-URL`.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

async fn forward(
    client: reqwest::Client,
    log: Arc<Mutex<Vec<String>>>,
    req: Request<Body>,
) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let target = parts.uri.to_string();
    if let Ok(mut l) = log.lock() {
        l.push(format!("{} {target}", parts.method));
    }
    let loopback = url::Url::parse(&target).ok().is_some_and(|u| {
        matches!(
            u.host_str(),
            Some("127.0.0.1") | Some("localhost") | Some("[::1]")
        )
    });
    if !loopback {
        return status(StatusCode::BAD_GATEWAY);
    }
    let mut out = client.request(parts.method, &target);
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            out = out.header(name, value);
        }
    }
    let has_body = parts.headers.contains_key(http::header::CONTENT_LENGTH)
        || parts.headers.contains_key(http::header::TRANSFER_ENCODING);
    if has_body {
        out = out.body(reqwest::Body::wrap_stream(body.into_data_stream()));
    }
    match out.send().await {
        Ok(resp) => {
            let mut builder = Response::builder().status(resp.status());
            for (name, value) in resp.headers() {
                if !HOP_BY_HOP.contains(&name.as_str()) {
                    builder = builder.header(name, value);
                }
            }
            builder
                .body(Body::from_stream(resp.bytes_stream()))
                .unwrap_or_else(|_| status(StatusCode::BAD_GATEWAY))
        }
        Err(_) => status(StatusCode::BAD_GATEWAY),
    }
}

fn status(code: StatusCode) -> Response<Body> {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = code;
    r
}
