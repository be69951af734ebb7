//! `HttpOptions` and the retry rule, end to end against a local server: a token grant is
//! never re-sent after a 5xx, the read-idle and overall timeouts fire, a proxy carries the
//! requests, a caller's own `reqwest::Client` is the one used.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use cloud_core::auth::ClientAuth;
use cloud_core::emulator::axum::routing::get;
use cloud_core::emulator::axum::Router;
use cloud_core::emulator::{
    EmulatorServer, ForwardProxy, Harness, OAuth2Server, OAuth2ServerConfig, Route,
};
use cloud_core::{
    ErrorKind, HttpOptions, Idempotency, OAuth2Client, RetryPolicy, Secret, Transport,
    TransportKind,
};
use http::Method;

async fn server() -> (EmulatorServer, OAuth2Server) {
    let harness = Harness::new();
    let oauth = OAuth2Server::new(OAuth2ServerConfig::new("cid", "csecret"), &harness);
    let app = Router::new()
        .route("/slow", get(|| async { "late" }))
        .merge(oauth.router());
    (EmulatorServer::start(app, harness).await.unwrap(), oauth)
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(2))
}

#[tokio::test]
async fn a_refresh_grant_answered_503_is_sent_once() {
    let (server, oauth) = server().await;
    let issued = oauth.issue_token();
    let transport = Transport::builder(server.base_url(), "t/0")
        .options(&HttpOptions::default().retry(fast_retries()))
        .build()
        .unwrap();
    let client = OAuth2Client {
        client_id: "cid".into(),
        client_secret: Some(Secret::new("csecret")),
        authorize_url: transport.url("/oauth2/authorize").unwrap(),
        token_url: transport.url("/oauth2/token").unwrap(),
        redirect_uri: None,
        client_auth: ClientAuth::BasicHeader,
    };
    server
        .faults()
        .fail_next(3, Route::any().path("/oauth2/token"), 503, None);
    let err = client
        .refresh(&transport, &issued.refresh_token)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Server);
    assert_eq!(server.log().count("POST", "/oauth2/token"), 1);
    // An idempotent GET with the same policy is retried through the same burst.
    server
        .faults()
        .fail_next(2, Route::any().path("/slow"), 503, None);
    let url = transport.url("slow").unwrap();
    let resp = transport
        .send(&Method::GET, &url, Idempotency::Idempotent, || {
            Ok(transport.request(Method::GET, url.clone()))
        })
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(server.log().count("GET", "/slow"), 3);
}

async fn get_slow(transport: &Transport) -> Result<String, cloud_core::Error> {
    let url = transport.url("slow").unwrap();
    let resp = transport
        .send(&Method::GET, &url, Idempotency::Idempotent, || {
            Ok(transport.request(Method::GET, url.clone()))
        })
        .await?;
    resp.text()
        .await
        .map_err(|e| cloud_core::error::from_reqwest(e, None))
}

#[tokio::test]
async fn read_and_overall_timeouts_fire_and_can_be_lifted() {
    let (server, _) = server().await;
    let stall = || {
        server
            .faults()
            .delay(1, Route::any().path("/slow"), Duration::from_millis(1500));
    };
    for options in [
        HttpOptions::default().read_timeout(Duration::from_millis(300)),
        HttpOptions::default().timeout(Duration::from_millis(300)),
    ] {
        let t = Transport::builder(server.base_url(), "t/0")
            .options(&options.retry(RetryPolicy::none()))
            .build()
            .unwrap();
        stall();
        let start = Instant::now();
        let err = get_slow(&t).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Transport(TransportKind::Timeout));
        assert!(start.elapsed() < Duration::from_millis(1400));
    }
    // Without a read timeout the stalled answer arrives.
    let t = Transport::builder(server.base_url(), "t/0")
        .read_timeout(Duration::from_millis(300))
        .options(&HttpOptions::default().read_timeout_disabled())
        .build()
        .unwrap();
    stall();
    assert_eq!(get_slow(&t).await.unwrap(), "late");
}

#[tokio::test]
async fn a_proxy_carries_every_request_and_an_own_client_is_used() {
    let (server, _) = server().await;
    let proxy = ForwardProxy::start().await.unwrap();
    let t = Transport::builder(server.base_url(), "t/0")
        .options(&HttpOptions::default().proxy(proxy.url()))
        .build()
        .unwrap();
    assert_eq!(get_slow(&t).await.unwrap(), "late");
    assert_eq!(
        proxy.seen(),
        vec![format!("GET {}/slow", server.base_url())]
    );
    assert!(HttpOptions::default().proxy("not a url").has_proxy());
    let bad = Transport::builder(server.base_url(), "t/0")
        .options(&HttpOptions::default().proxy("::"))
        .build()
        .unwrap_err();
    assert_eq!(bad.kind(), &ErrorKind::Config);

    // A caller's own client (here: one with the proxy) is the one that sends.
    let own = reqwest::Client::builder()
        .proxy(reqwest::Proxy::all(proxy.url()).unwrap())
        .build()
        .unwrap();
    let t = Transport::builder(server.base_url(), "t/0")
        .options(&HttpOptions::default().client(own))
        .build()
        .unwrap();
    assert_eq!(get_slow(&t).await.unwrap(), "late");
    assert_eq!(proxy.seen().len(), 2);
    // Proxy credentials never print.
    let shown = format!(
        "{:?}",
        HttpOptions::default().proxy("http://user:pw-SECRET@127.0.0.1:9")
    );
    assert!(!shown.contains("pw-SECRET"), "{shown}");
}

/// The JSON limit travels with each answer: 64 MiB by default, `max_json_bytes` sets it, and
/// a longer JSON answer is a decode error naming the option.
#[tokio::test]
async fn the_json_limit_comes_with_the_answer() {
    let router = Router::new().route("/j", get(|| async { "[1, 2, 3, 4, 5, 6]" }));
    let server = EmulatorServer::start(router, Harness::new()).await.unwrap();
    let url = url::Url::parse(&format!("{}/j", server.base_url())).unwrap();
    for (options, limit) in [
        (
            HttpOptions::default(),
            cloud_core::transport::DEFAULT_MAX_JSON_BYTES,
        ),
        (HttpOptions::default().max_json_bytes(10), 10),
    ] {
        let t = Transport::builder(server.base_url(), "t/0")
            .options(&options)
            .build()
            .unwrap();
        let resp = t
            .send(
                &Method::GET,
                &url,
                cloud_core::Idempotency::Idempotent,
                || Ok(t.request(Method::GET, url.clone())),
            )
            .await
            .unwrap();
        assert_eq!(cloud_core::transport::json_limit(&resp), limit);
        let read: Result<Vec<u8>, _> =
            cloud_core::transport::read_json(&Method::GET, resp, limit).await;
        match limit {
            10 => {
                let e = read.unwrap_err();
                assert_eq!(e.kind(), &cloud_core::ErrorKind::Decode);
                assert!(e.to_string().contains("max_json_bytes"), "{e}");
            }
            _ => assert_eq!(read.unwrap(), vec![1, 2, 3, 4, 5, 6]),
        }
    }
}
