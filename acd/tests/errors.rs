//! The error surface every crate of the family shares, through public calls: 404, 409, 401,
//! 429 with Retry-After, a local I/O failure and an undecodable answer, each checked with the
//! same accessors (`kind`, `status`, `retry_after`, `request_id`, `is_*`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use acd::emulator::Emulator;
use acd::{AcdClient, AcdOptions, Error, Pacing, UploadOptions};
use cloud_core::emulator::Route;
use cloud_core::ErrorKind;

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
    let dir = tempfile::tempdir().unwrap();
    emu.write_cache(dir.path()).unwrap();
    let c = AcdClient::new(
        dir.path(),
        dir.path(),
        AcdOptions::default()
            .base_url(&emu.base_url())
            .pacing(Pacing::Off),
    )
    .await
    .unwrap();

    let e = c
        .get_metadata("AAAAAAAAAAAAAAAAAAAAAA", false, false)
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Request(_)),
        "the original's RequestError"
    );
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e:?}");
    assert!(e.is_not_found());
    assert_eq!(e.status().map(|s| s.as_u16()), Some(404));

    c.create_folder("Twice", None).await.unwrap();
    let e = c.create_folder("Twice", None).await.unwrap_err();
    assert!(e.is_conflict(), "{e:?}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(409));
    assert!(e.conflicting_node_id().is_some());

    answer(&emu, "/drive/v1/account/usage", 401, None, None);
    let e = c.get_account_usage().await.unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
    assert_eq!(e.request_id(), Some("req-401"));

    answer(&emu, "/drive/v1/account/usage", 429, None, Some("7"));
    let e = c.get_account_usage().await.unwrap_err();
    assert!(e.is_rate_limited(), "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(e.request_id(), Some("req-429"));

    let e = c
        .upload_file(
            dir.path().join("missing.bin"),
            None,
            UploadOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e:?}");
    assert!(matches!(e, Error::Io(_)));
    assert_eq!(e.status(), None);

    answer(&emu, "/drive/v1/account/usage", 200, Some("not json"), None);
    let e = c.get_account_usage().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e:?}");
}
