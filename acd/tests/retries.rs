//! The client options and pacing, pinned: the default pacing does not slow successful calls;
//! a read timeout fires on a stalled answer; `[proxies]` of `acd_client.ini` and
//! `HttpOptions::proxy` carry the calls; no re-sends by default (the original), and with
//! cloud-core's policy GETs are re-sent while POSTs never are.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use acd::emulator::Emulator;
use acd::{AcdClient, AcdOptions, Pacing};
use cloud_core::emulator::{ForwardProxy, Route};
use cloud_core::{HttpOptions, RetryPolicy};
use http::Method;

async fn client(emu: &Emulator, options: AcdOptions) -> (AcdClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    emu.write_cache(dir.path()).unwrap();
    let c = AcdClient::new(dir.path(), dir.path(), options.base_url(&emu.base_url()))
        .await
        .unwrap();
    (c, dir)
}

#[tokio::test]
async fn the_default_pacing_does_not_slow_successes() {
    let emu = Emulator::start().await.unwrap();
    // U just under 1: the original would wait about 1 s after each success.
    let (c, _d) = client(&emu, AcdOptions::default().jitter(Arc::new(|| 0.999))).await;
    let start = Instant::now();
    for _ in 0..10 {
        c.get_account_usage().await.unwrap();
    }
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    // After a failure the original's window applies: the next call waits.
    emu.faults()
        .fail_next(1, Route::any().path("/drive/v1/account/usage"), 500, None);
    assert!(c.get_account_usage().await.is_err());
    assert_eq!(c.backoff_retries(), 1);
    let start = Instant::now();
    c.get_account_usage().await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(c.backoff_retries(), 0);
}

#[tokio::test]
async fn a_read_timeout_of_1s_fires_on_a_2s_stall() {
    let emu = Emulator::start().await.unwrap();
    let (c, _d) = client(
        &emu,
        AcdOptions::default()
            .pacing(Pacing::Off)
            .http(HttpOptions::default().read_timeout(Duration::from_secs(1))),
    )
    .await;
    emu.faults().delay(
        1,
        Route::any().path("/drive/v1/account/usage"),
        Duration::from_secs(2),
    );
    let start = Instant::now();
    let err = c.get_account_usage().await.unwrap_err();
    assert!(start.elapsed() < Duration::from_millis(1900));
    assert_eq!(
        err.kind(),
        cloud_core::ErrorKind::Transport(cloud_core::TransportKind::Timeout),
        "{err:?}"
    );
}

#[tokio::test]
async fn proxies_from_the_ini_file_and_from_the_options() {
    let emu = Emulator::start().await.unwrap();
    let proxy = ForwardProxy::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    emu.write_cache(dir.path()).unwrap();
    std::fs::write(
        dir.path().join("acd_client.ini"),
        format!("[proxies]\nhttp = {}\n", proxy.url()),
    )
    .unwrap();
    let c = AcdClient::new(
        dir.path(),
        dir.path(),
        AcdOptions::default()
            .base_url(&emu.base_url())
            .pacing(Pacing::Off),
    )
    .await
    .unwrap();
    c.get_account_usage().await.unwrap();
    assert!(proxy
        .seen()
        .contains(&format!("GET {}/drive/v1/account/usage", emu.base_url())));

    let other = ForwardProxy::start().await.unwrap();
    let (c, _d) = client(
        &emu,
        AcdOptions::default()
            .pacing(Pacing::Off)
            .http(HttpOptions::default().proxy(other.url())),
    )
    .await;
    c.get_account_usage().await.unwrap();
    assert_eq!(
        other.seen(),
        vec![format!("GET {}/drive/v1/account/usage", emu.base_url())]
    );
}

#[tokio::test]
async fn no_resends_by_default_and_only_idempotent_ones_with_the_policy() {
    let emu = Emulator::start().await.unwrap();
    let (c, _d) = client(&emu, AcdOptions::default().pacing(Pacing::Off)).await;
    emu.faults()
        .fail_next(1, Route::any().path("/drive/v1/account/usage"), 503, None);
    assert!(c.get_account_usage().await.is_err());
    assert_eq!(emu.log().count("GET", "/drive/v1/account/usage"), 1);

    let fast = RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(2));
    let (c, _d) = client(
        &emu,
        AcdOptions::default()
            .pacing(Pacing::Off)
            .http(HttpOptions::default().retry(fast)),
    )
    .await;
    emu.faults()
        .fail_next(1, Route::any().path("/drive/v1/account/usage"), 503, None);
    c.get_account_usage().await.unwrap();
    assert_eq!(emu.log().count("GET", "/drive/v1/account/usage"), 3);
    emu.faults().fail_next(
        1,
        Route::method(Method::POST).path("/drive/v1/nodes"),
        503,
        None,
    );
    assert!(c.create_folder("F", None).await.is_err());
    assert_eq!(emu.log().count("POST", "/drive/v1/nodes"), 1);
}
