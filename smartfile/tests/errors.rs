//! The error surface every crate of the family shares, through public calls: 404, 409, 401,
//! 429 with Retry-After, a local I/O failure and an undecodable answer, each checked with the
//! same accessors (`kind`, `status`, `retry_after`, `request_id`, `is_*`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cloud_core::emulator::Route;
use cloud_core::{ErrorKind, HttpOptions, RetryPolicy};
use smartfile::emulator::Emulator;
use smartfile::{BasicClient, BasicOptions, ClientOptions, DownloadOptions, Error, Params};

/// The next request to `path` answered `status` (with a request id).
fn answer(emu: &Emulator, path: &str, status: u16, body: Option<&str>, ra: Option<&str>) {
    let id = format!("req-{status}");
    emu.faults().answer(
        1,
        Route::any().exact(path),
        status,
        body,
        ra,
        &[("x-request-id", &id)],
    );
}

#[tokio::test]
async fn the_same_accessors_on_every_failure() {
    let emu = Emulator::start().await.unwrap();
    let api = BasicClient::new(
        Some(emu.key()),
        Some(emu.password()),
        BasicOptions::default().client(
            ClientOptions::default()
                .url(emu.base_url())
                .http(HttpOptions::default().retry(RetryPolicy::none())),
        ),
    )
    .unwrap();

    let e = api
        .get("/path/info", "/nope", Params::new())
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Response { .. }),
        "the original's ResponseError"
    );
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.is_not_found());
    assert_eq!(e.status().map(|s| s.as_u16()), Some(404));

    api.post("/path/oper/mkdir/", (), Params::new().arg("path", "/d"))
        .await
        .unwrap();
    let e = api.upload("d", b"x".to_vec()).await.unwrap_err();
    assert!(e.is_conflict(), "{e:?}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(409));

    answer(&emu, "/api/2/ping/", 401, None, None);
    let e = api.get("/ping", (), Params::new()).await.unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
    assert_eq!(e.request_id(), Some("req-401"));

    answer(&emu, "/api/2/ping/", 429, None, Some("7"));
    let e = api.get("/ping", (), Params::new()).await.unwrap_err();
    assert!(e.is_rate_limited(), "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(e.request_id(), Some("req-429"));

    api.upload("f.txt", b"x".to_vec()).await.unwrap();
    let e = api
        .download(
            "f.txt",
            DownloadOptions::default().download_to_path("/nonexistent-folder-for-a-test/f.txt"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e:?}");
    assert_eq!(e.status(), None);

    answer(&emu, "/api/2/path/info/", 200, Some("not json"), None);
    let e = api
        .get("/path/info", (), Params::new())
        .await
        .unwrap()
        .into_json()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e:?}");
}

/// A request that never got an answer keeps its context: the method and the redacted URL
/// (found by `cargo xtask mutants`).
#[tokio::test]
async fn a_refused_connection_keeps_its_context() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let api = BasicClient::new(
        Some(&"k".repeat(30)),
        Some(&"p".repeat(30)),
        BasicOptions::default().client(
            ClientOptions::default()
                .url(format!("http://127.0.0.1:{port}/"))
                .http(HttpOptions::default().retry(RetryPolicy::none())),
        ),
    )
    .unwrap();
    let e = api.get("/ping", (), Params::new()).await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Transport(_)), "{e:?}");
    let ctx = e.context().expect("a transport failure keeps its context");
    assert_eq!(ctx.method, Some(http::Method::GET));
    assert_eq!(
        ctx.url.as_deref(),
        Some(format!("http://127.0.0.1:{port}/api/2/ping/").as_str())
    );
}
