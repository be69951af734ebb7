//! A hostile server (cloud-core's, on 127.0.0.1, honest only at the token endpoint): deep,
//! huge, non-UTF-8 and mistyped JSON, Content-Lengths that lie either way, endless redirects,
//! a year's Retry-After. Every call ends in bounded time and memory, with an error where
//! nothing sound came back; server-given names never leave the target folder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use cloud_core::emulator::hostile::{self, Hostile, HostileServer};
use cloud_core::RetryPolicy;
use futures::TryStreamExt;
use orange_cloud::{ApiManager, ApiManagerOptions, FolderQuery};

const TOKEN: &str =
    r#"{"access_token": "at", "refresh_token": "rt", "expires_in": 3600, "token_type": "Bearer"}"#;

async fn signed_in(base: &str) -> ApiManager {
    let retry =
        RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_millis(50));
    let m = ApiManager::new(
        "id",
        "secret",
        "http://127.0.0.1:9/cb",
        ApiManagerOptions::default()
            .base_url(base)
            .retry(Arc::new(retry)),
    )
    .unwrap();
    m.init_with_token("rt").await.unwrap();
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_answers_end_in_bounded_time_and_memory() {
    let wrong = hostile::check_pinned(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")),
        vec![("/oauth/v2/token".into(), TOKEN.into())],
        &["files.get", "files.download_to", "folders.get_pages"],
        |base, call| async move {
            let m = signed_in(&base).await;
            let e = |e: orange_cloud::Error| hostile::kind_of(&e.kind());
            match call {
                "files.get" => m.files().get("f1").await.map(|_| None).map_err(e),
                "files.download_to" => {
                    let mut out = tokio::io::sink();
                    m.files()
                        .download_to(&format!("{base}/cloud/v1/files/f1/content/d"), &mut out)
                        .await
                        .map(Some)
                        .map_err(e)
                }
                _ => m
                    .folders()
                    .get_pages(Some("d1"), FolderQuery::default(), 100)
                    .map_err(e)?
                    .try_collect::<Vec<_>>()
                    .await
                    .map(|_| None)
                    .map_err(e),
            }
        },
    )
    .await;
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn server_given_names_never_leave_the_target_folder() {
    let server = HostileServer::start_with(
        Hostile::Json("{}".into()),
        vec![("/oauth/v2/token".into(), TOKEN.into())],
    )
    .await
    .unwrap();
    let m = signed_in(&server.base_url()).await;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let url = server.url("/cloud/v1/files/f1/content/d");
    for name in ["../evil", "a/b", "/etc/passwd", "..", ".", "", "x\0y"] {
        let r = m.files().download_into(&url, &dir, name).await;
        assert!(r.is_err(), "{name:?}: {r:?}");
    }
    assert_eq!(
        server.requests(),
        0,
        "a request went out for a refused name"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    // Device names, drives and backslashes: refused on Windows; plain names elsewhere, saved
    // in the folder.
    for name in ["CON", "nul.txt", "C:evil", "a\\..\\b"] {
        let r = m.files().download_into(&url, &dir, name).await;
        assert_eq!(r.is_ok(), !cfg!(windows), "{name:?}: {r:?}");
        if r.is_ok() {
            assert!(dir.join(name).is_file(), "{name:?}");
        }
    }
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
}
