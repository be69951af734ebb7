//! The retry rule and the client options, pinned: no retries by default (as the original);
//! with cloud-core's policy, GETs are re-sent after a 503 and POSTs (creates, moves, token
//! grants) never are; a refused refresh forgets the refresh token; a proxy carries the calls.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cloud_core::emulator::{ForwardProxy, Route};
use cloud_core::{HttpOptions, RetryPolicy};
use http::Method;
use orange_cloud::emulator::Emulator;
use orange_cloud::{ApiManager, ApiManagerOptions, Error, FolderQuery};

async fn signed_in(emu: &Emulator, http: HttpOptions) -> ApiManager {
    let m = ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        emu.redirect_uri(),
        ApiManagerOptions::default()
            .base_url(&emu.base_url())
            .http(http),
    )
    .unwrap();
    m.init_with_token(emu.issue_token().refresh_token.expose())
        .await
        .unwrap();
    m
}

fn fast() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(2))
}

#[tokio::test]
async fn default_sends_once_and_the_policy_retries_only_idempotent_calls() {
    let emu = Emulator::start().await.unwrap();
    let m = signed_in(&emu, HttpOptions::default()).await;
    emu.faults()
        .fail_next(1, Route::any().path("/cloud/v1/freespace"), 503, None);
    assert!(m.freespace().get().await.is_err());
    assert_eq!(emu.log().count_prefix("GET", "/cloud/v1/freespace"), 1);

    let m = signed_in(&emu, HttpOptions::default().retry(fast())).await;
    let mut got = Vec::new();
    for (name, method, prefix) in [
        ("freespace.get", "GET", "/cloud/v1/freespace"),
        ("folders.get", "GET", "/cloud/v1/folders"),
        ("folders.create", "POST", "/cloud/v1/folders"),
        ("token grant", "POST", "/oauth/v2/token"),
    ] {
        let m2 = Method::from_bytes(method.as_bytes()).unwrap();
        emu.faults()
            .fail_next(1, Route::method(m2).path(prefix), 503, None);
        let before = emu.log().count_prefix(method, prefix);
        let _ = match name {
            "freespace.get" => m.freespace().get().await.map(|_| ()),
            "folders.get" => m
                .folders()
                .get(None, FolderQuery::default())
                .await
                .map(|_| ()),
            "folders.create" => m.folders().create("N", None).await.map(|_| ()),
            _ => {
                m.init_with_token(emu.issue_token().refresh_token.expose())
                    .await
            }
        };
        emu.faults().clear();
        got.push((name, emu.log().count_prefix(method, prefix) - before));
    }
    assert_eq!(
        got,
        vec![
            ("freespace.get", 2),
            ("folders.get", 2),
            ("folders.create", 1),
            ("token grant", 1)
        ]
    );
}

#[tokio::test]
async fn a_refused_refresh_forgets_the_refresh_token() {
    let emu = Emulator::start().await.unwrap();
    let m = signed_in(&emu, HttpOptions::default()).await;
    assert!(m.refresh_token().is_some());
    emu.expire_tokens();
    emu.faults()
        .fail_next(1, Route::any().path("/oauth/v2/token"), 401, None);
    let err = m.freespace().get().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::OAuth {
                status_code: 401,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(m.refresh_token(), None);
    assert_eq!(
        emu.log().count_prefix("POST", "/oauth/v2/token"),
        2,
        "sign-in and one refresh"
    );
}

#[tokio::test]
async fn a_proxy_carries_the_calls() {
    let emu = Emulator::start().await.unwrap();
    let proxy = ForwardProxy::start().await.unwrap();
    let m = signed_in(&emu, HttpOptions::default().proxy(proxy.url())).await;
    m.freespace().get().await.unwrap();
    assert_eq!(
        proxy.seen(),
        vec![
            format!("POST {}/oauth/v2/token", emu.base_url()),
            format!("GET {}/cloud/v1/freespace", emu.base_url()),
        ]
    );
}
