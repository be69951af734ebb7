//! The token cache against the harness's OAuth2 server: single-flight refresh before expiry
//! and after a 401, with the hook called once per refresh.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use cloud_core::auth::{send_authorized, ClientAuth, TokenCache};
use cloud_core::emulator::axum::http::HeaderMap;
use cloud_core::emulator::axum::routing::get;
use cloud_core::emulator::axum::Router;
use cloud_core::emulator::{
    EmulatorServer, Fault, Harness, OAuth2Server, OAuth2ServerConfig, Route,
};
use cloud_core::{Idempotency, OAuth2Client, Secret, Token, Transport};
use http::{Method, StatusCode};

struct Fixture {
    server: EmulatorServer,
    oauth: OAuth2Server,
    transport: Transport,
    client: OAuth2Client,
}

async fn fixture(lifetime: Duration) -> Fixture {
    let harness = Harness::new();
    let oauth = OAuth2Server::new(
        OAuth2ServerConfig::new("cid", "csecret").token_lifetime(lifetime),
        &harness,
    );
    let guard = oauth.clone();
    let app = Router::new()
        .route(
            "/api/whoami",
            get(move |headers: HeaderMap| {
                let guard = guard.clone();
                async move {
                    match guard.check(&headers) {
                        Ok(()) => (StatusCode::OK, "me"),
                        Err(_) => (StatusCode::UNAUTHORIZED, "expired"),
                    }
                }
            }),
        )
        .merge(oauth.router());
    let server = EmulatorServer::start(app, harness).await.unwrap();
    let transport = Transport::builder(server.base_url(), "cloud-core-tests/0")
        .build()
        .unwrap();
    let client = OAuth2Client {
        client_id: "cid".into(),
        client_secret: Some(Secret::new("csecret")),
        authorize_url: transport.url("/oauth2/authorize").unwrap(),
        token_url: transport.url("/oauth2/token").unwrap(),
        redirect_uri: Some("http://127.0.0.1:1/cb".into()),
        client_auth: ClientAuth::BasicHeader,
    };
    Fixture {
        server,
        oauth,
        transport,
        client,
    }
}

fn cache_with_hook(f: &Fixture, token: Token) -> (Arc<TokenCache>, Arc<AtomicU64>) {
    let cache = Arc::new(TokenCache::new(
        Some(token),
        Arc::new((f.client.clone(), f.transport.clone())),
    ));
    let calls = Arc::new(AtomicU64::new(0));
    let c = Arc::clone(&calls);
    cache.set_hook(Some(Arc::new(move |t: &Token| {
        assert!(!t.access_token.is_empty());
        c.fetch_add(1, Ordering::SeqCst);
    })));
    (cache, calls)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_callers_with_an_expired_token_cause_one_refresh() {
    let f = fixture(Duration::from_secs(3600)).await;
    let issued = f.oauth.issue_token();
    // The client believes its token expired a minute ago.
    let token = Token::new(Secret::new("stale"))
        .with_refresh_token(Some(issued.refresh_token.clone()))
        .with_expires_at(Some(Utc::now() - chrono::Duration::seconds(60)))
        .with_token_type(Some("bearer".into()));
    let (cache, calls) = cache_with_hook(&f, token);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let cache = Arc::clone(&cache);
        tasks.push(tokio::spawn(async move { cache.access_token().await }));
    }
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().unwrap());
    }
    assert!(tokens.windows(2).all(|w| w[0] == w[1]));
    assert_ne!(tokens[0].expose(), "stale");
    assert_eq!(cache.refresh_count(), 1);
    assert_eq!(f.oauth.refresh_count(), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(f.oauth.check_token(tokens[0].expose()).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_callers_hitting_401_cause_one_refresh() {
    let f = fixture(Duration::from_secs(3600)).await;
    let issued = f.oauth.issue_token();
    let token = Token::new(issued.access_token.clone())
        .with_refresh_token(Some(issued.refresh_token.clone()))
        .with_expires_at(Some(Utc::now() + chrono::Duration::seconds(3600)))
        .with_token_type(Some("bearer".into()));
    let (cache, calls) = cache_with_hook(&f, token);
    // The server expires every token it issued: the client only learns it from a 401.
    f.server.faults().expire_tokens();
    let url = f.transport.url("/api/whoami").unwrap();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (cache, transport, url) = (Arc::clone(&cache), f.transport.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let resp = send_authorized(
                &transport,
                &cache,
                &Method::GET,
                &url,
                Idempotency::Idempotent,
                |tok| {
                    Ok(transport
                        .request(Method::GET, url.clone())
                        .bearer_auth(tok.expose()))
                },
            )
            .await
            .unwrap();
            resp.status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(cache.refresh_count(), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(f.oauth.refresh_count(), 1);
}

#[tokio::test]
async fn expire_fault_mid_workflow_and_code_flow() {
    let f = fixture(Duration::from_secs(3600)).await;
    // Authorization-code flow: follow the authorize redirect by hand.
    let req = f.client.authorize_url(&["files"], None, &[]).unwrap();
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = no_redirect.get(req.url.clone()).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    let location = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], req.state);
    let token = f
        .client
        .exchange_code(&f.transport, &q["code"])
        .await
        .unwrap();
    // A code is single-use.
    let again = f
        .client
        .exchange_code(&f.transport, &q["code"])
        .await
        .unwrap_err();
    assert_eq!(again.kind(), &cloud_core::ErrorKind::Unauthorized);
    assert_eq!(again.message(), Some("invalid_grant: unknown or used code"));

    let (cache, calls) = cache_with_hook(&f, token);
    let url = f.transport.url("/api/whoami").unwrap();
    let get = |cache: Arc<TokenCache>| {
        let (transport, url) = (f.transport.clone(), url.clone());
        async move {
            send_authorized(
                &transport,
                &cache,
                &Method::GET,
                &url,
                Idempotency::Idempotent,
                |tok| {
                    Ok(transport
                        .request(Method::GET, url.clone())
                        .bearer_auth(tok.expose()))
                },
            )
            .await
            .unwrap()
            .status()
        }
    };
    assert_eq!(get(Arc::clone(&cache)).await, StatusCode::OK);
    f.server
        .faults()
        .add(1, Route::any().exact("/api/whoami"), Fault::ExpireTokens);
    assert_eq!(get(Arc::clone(&cache)).await, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(f.server.log().count("GET", "/api/whoami"), 3);
}

#[tokio::test]
async fn wrong_client_secret_is_unauthorized() {
    let f = fixture(Duration::from_secs(3600)).await;
    let issued = f.oauth.issue_token();
    let mut bad = f.client.clone();
    bad.client_secret = Some(Secret::new("wrong"));
    let err = bad
        .refresh(&f.transport, &issued.refresh_token)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &cloud_core::ErrorKind::Unauthorized);
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    // Form-field client auth works too.
    let mut form = f.client.clone();
    form.client_auth = ClientAuth::RequestBody;
    let t = form
        .refresh(&f.transport, &issued.refresh_token)
        .await
        .unwrap();
    assert_eq!(t.refresh_token.as_ref(), Some(&issued.refresh_token));
    assert!(!format!("{err:?}").contains("wrong"));
}

/// `Debug` of a cache names its parts and never the token (found by `cargo xtask mutants`).
#[tokio::test]
async fn a_cache_debugs_without_its_secret() {
    let f = fixture(Duration::from_secs(3600)).await;
    let token = Token::new(Secret::new("SEKRET-ACCESS"))
        .with_refresh_token(Some(Secret::new("SEKRET-REFRESH")));
    let (cache, _) = cache_with_hook(&f, token);
    let shown = format!("{cache:?}");
    assert!(
        shown.starts_with("TokenCache")
            && shown.contains("margin")
            && shown.contains("refreshes: 0"),
        "{shown}"
    );
    assert!(!shown.contains("SEKRET"), "{shown}");
    // The plain accessors: the token held, replaced, forgotten; no refresh made.
    assert_eq!(cache.refresh_count(), 0);
    let held = cache.token().unwrap();
    assert_eq!(held.access_token.expose(), "SEKRET-ACCESS");
    cache.set_token(Token::new(Secret::new("OTHER")));
    assert_eq!(cache.token().unwrap().access_token.expose(), "OTHER");
    cache.clear();
    assert!(cache.token().is_none());
    assert_eq!(cache.refresh_count(), 0);
}
