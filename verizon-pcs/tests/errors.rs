//! The error surface every crate of the family shares, through public calls: 404, 409, 401,
//! 429 with Retry-After, a local I/O failure and an undecodable answer, each checked with the
//! same accessors (`kind`, `status`, `retry_after`, `request_id`, `is_*`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cloud_core::emulator::Route;
use cloud_core::{ErrorKind, HttpOptions, RetryPolicy};
use verizon_pcs::emulator::Emulator;
use verizon_pcs::{Cloud, CloudOptions, Error, UploadOptions};

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
    let t = emu.issue_token();
    let c = Cloud::new(
        emu.client_key(),
        emu.client_secret(),
        emu.callback_url(),
        CloudOptions::default()
            .base_url(emu.api_cloud())
            .access_token(t.access_token)
            .http(HttpOptions::default().retry(RetryPolicy::none())),
    )
    .unwrap();

    let e = c.metadata("/VZMOBILE/nope").await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }));
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.is_not_found());
    assert_eq!(e.status().map(|s| s.as_u16()), Some(404));

    c.create_folder("/VZMOBILE", "Twice").await.unwrap();
    let e = c.create_folder("/VZMOBILE", "Twice").await.unwrap_err();
    assert!(matches!(e, Error::Conflict { .. }));
    assert!(e.is_conflict());
    assert_eq!(e.status().map(|s| s.as_u16()), Some(409));

    answer(&emu, "/cloud/1/account", 401, None, None);
    let e = c.account().await.unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert_eq!(e.request_id(), Some("req-401"));

    answer(&emu, "/cloud/1/account", 429, None, Some("7"));
    let e = c.account().await.unwrap_err();
    assert!(
        matches!(e, Error::Cloud { .. }),
        "the original's CloudError"
    );
    assert!(e.is_rate_limited(), "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(e.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(e.request_id(), Some("req-429"));

    c.upload(
        b"x".to_vec(),
        "/VZMOBILE",
        UploadOptions::default().name("x.txt"),
    )
    .await
    .unwrap();
    let e = c
        .download_to_path(
            "/VZMOBILE/x.txt",
            std::path::Path::new("/nonexistent-folder-for-a-test/x.txt"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e:?}");
    assert_eq!(e.status(), None);

    answer(&emu, "/cloud/1/account", 200, Some("not json"), None);
    let e = c.account().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e:?}");
    assert!(!e.is_not_found() && !e.is_conflict() && !e.is_rate_limited());
}
