//! The error surface every crate of the family shares, through public calls: 404, 409, 401,
//! 429 with Retry-After, a local I/O failure and an undecodable answer, each checked with the
//! same accessors (`kind`, `status`, `retry_after`, `request_id`, `is_*`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cloud_core::emulator::Route;
use cloud_core::{ErrorKind, HttpOptions, RetryPolicy};
use kloudless::emulator::Emulator;
use kloudless::{Account, Configuration, Error, RequestOptions};
use serde_json::json;

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
    let a = Account::with_options(
        Some(emu.token()),
        None,
        None,
        &Configuration::with_base_url(emu.base_url()),
        &HttpOptions::default().retry(RetryPolicy::none()),
    )
    .unwrap();

    let e = a
        .get("storage/files/nope", RequestOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound(_)));
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.is_not_found());
    assert_eq!(e.status().map(|s| s.as_u16()), Some(404));

    let folder = || {
        RequestOptions::default()
            .json(json!({"name": "Twice", "parent_id": "root"}))
            .param("conflict_if_exists", "true")
    };
    a.post("storage/folders", folder()).await.unwrap();
    let e = a.post("storage/folders", folder()).await.unwrap_err();
    assert!(e.is_conflict(), "{e:?}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(409));

    let me = "/v1/accounts/me/storage/folders/root";
    answer(&emu, me, 401, None, None);
    let e = a
        .get("storage/folders/root", RequestOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Authorization(_)));
    assert!(e.is_unauthorized());
    assert_eq!(e.request_id(), Some("req-401"));

    answer(&emu, me, 429, None, Some("7"));
    let e = a
        .get("storage/folders/root", RequestOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::RateLimit { .. }));
    assert!(e.is_rate_limited());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(e.request_id(), Some("req-429"));

    let e = a
        .post(
            "storage/files",
            RequestOptions::default()
                .header(
                    "X-Kloudless-Metadata",
                    r#"{"parent_id": "root", "name": "m"}"#,
                )
                .file("/nonexistent-folder-for-a-test/m.bin"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e:?}");
    assert_eq!(e.status(), None);

    answer(&emu, me, 200, Some("{not json"), None);
    let e = a
        .get("storage/folders/root", RequestOptions::default())
        .await
        .and_then(|r| r.into_resource())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e:?}");
}
