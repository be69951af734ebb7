//! The error surface every crate of the family shares, through public calls: 404, 409, 401,
//! 429 with Retry-After, a local I/O failure and an undecodable answer, each checked with the
//! same accessors (`kind`, `status`, `retry_after`, `request_id`, `is_*`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cloud_core::emulator::Route;
use cloud_core::ErrorKind;
use orange_cloud::emulator::Emulator;
use orange_cloud::{ApiManager, ApiManagerOptions, Error};

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
    let m = ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        emu.redirect_uri(),
        ApiManagerOptions::default().base_url(&emu.base_url()),
    )
    .unwrap();
    m.init_with_token(emu.issue_token().refresh_token.expose())
        .await
        .unwrap();

    let e = m.files().get("nope").await.unwrap_err();
    assert!(
        matches!(e, Error::Client { .. }),
        "the original's ClientError"
    );
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.is_not_found());
    assert_eq!(e.status().map(|s| s.as_u16()), Some(404));

    m.folders().create("Twice", None).await.unwrap();
    let e = m.folders().create("Twice", None).await.unwrap_err();
    assert!(e.is_conflict(), "{e:?}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(409));

    answer(
        &emu,
        "/cloud/v1/freespace",
        401,
        Some(r#"{"message": "Forbidden"}"#),
        None,
    );
    let e = m.freespace().get().await.unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
    assert_eq!(e.request_id(), Some("req-401"));

    answer(&emu, "/cloud/v1/freespace", 429, None, Some("7"));
    let e = m.freespace().get().await.unwrap_err();
    assert!(e.is_rate_limited(), "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(e.request_id(), Some("req-429"));

    let e = m
        .files()
        .upload(
            std::path::Path::new("/nonexistent-folder-for-a-test/u.bin"),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Io(_)), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Io);
    assert_eq!(e.status(), None);

    answer(&emu, "/cloud/v1/freespace", 200, Some("not json"), None);
    let e = m.freespace().get().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e:?}");
}
