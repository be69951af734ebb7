//! The throttle wait through the shared retry loop (downloads too, capped), the client
//! options (retries off, a proxy), pinned against the emulator's request log.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use cloud_core::emulator::{ForwardProxy, Route};
use cloud_core::{HttpOptions, RetryPolicy};
use futures::TryStreamExt;
use smartfile::emulator::Emulator;
use smartfile::{BasicClient, BasicOptions, ClientOptions, DownloadOptions, Error, Params};

fn basic(emu: &Emulator, options: ClientOptions) -> BasicClient {
    BasicClient::new(
        Some(emu.key()),
        Some(emu.password()),
        BasicOptions::default().client(options.url(emu.base_url())),
    )
    .unwrap()
}

#[tokio::test]
async fn downloads_wait_out_a_throttle() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(&emu, ClientOptions::default());
    api.upload("t.txt", b"throttled bytes".to_vec())
        .await
        .unwrap();
    let route = "/api/2/path/data/t.txt/";
    emu.throttle(2, Route::any().path(route), 0.01);
    let dir = tempfile::tempdir().unwrap();
    let path = api
        .download("t.txt", DownloadOptions::default().directory(dir.path()))
        .await
        .unwrap();
    assert_eq!(std::fs::read(path).unwrap(), b"throttled bytes");
    assert_eq!(emu.log().count("GET", route), 3);
    emu.throttle(1, Route::any().path(route), 0.01);
    let body: Vec<u8> = api
        .download_stream("t.txt")
        .await
        .unwrap()
        .map_ok(|b| b.to_vec())
        .try_concat()
        .await
        .unwrap();
    assert_eq!(body, b"throttled bytes");
    assert_eq!(emu.log().count("GET", route), 5);
}

#[tokio::test]
async fn a_throttle_longer_than_the_cap_ends_the_call_at_once() {
    let emu = Emulator::start().await.unwrap();
    let api = basic(
        &emu,
        ClientOptions::default().throttle_max_wait(Duration::from_millis(100)),
    );
    emu.throttle(5, Route::any().path("/api/2/ping/"), 3600.0);
    let start = Instant::now();
    let err = api.get("/ping", (), Params::new()).await.unwrap_err();
    assert!(matches!(err, Error::Request { .. }), "{err:?}");
    assert_eq!(emu.log().count("GET", "/api/2/ping/"), 1);
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn retries_off_and_a_proxy() {
    let emu = Emulator::start().await.unwrap();
    // The original retries nothing but throttled answers: a 429 then goes back at once.
    let api = basic(
        &emu,
        ClientOptions::default().http(HttpOptions::default().retry(RetryPolicy::none())),
    );
    emu.faults()
        .fail_next(1, Route::any().path("/api/2/ping/"), 429, Some("0"));
    let err = api.get("/ping", (), Params::new()).await.unwrap_err();
    assert_eq!(err.status_code(), Some(429));
    assert_eq!(emu.log().count("GET", "/api/2/ping/"), 1);
    // ...but still waits out a throttle, as the original does.
    emu.throttle(1, Route::any().path("/api/2/ping/"), 0.01);
    api.get("/ping", (), Params::new()).await.unwrap();
    assert_eq!(emu.log().count("GET", "/api/2/ping/"), 3);

    let proxy = ForwardProxy::start().await.unwrap();
    let api = basic(
        &emu,
        ClientOptions::default().http(HttpOptions::default().proxy(proxy.url())),
    );
    api.get("/ping", (), Params::new()).await.unwrap();
    assert_eq!(
        proxy.seen(),
        vec![format!(
            "GET {}/api/2/ping/",
            emu.base_url().trim_end_matches('/')
        )]
    );
}
