//! A hostile server (cloud-core's, on 127.0.0.1): deep, huge, non-UTF-8 and mistyped JSON,
//! Content-Lengths that lie either way, endless redirects, a year's Retry-After. Every call
//! ends in bounded time and memory, with an error where nothing sound came back; server-given
//! names never leave the target folder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use acd::{AcdClient, AcdOptions, DownloadOptions};
use cloud_core::emulator::hostile::{self, Hostile, HostileServer};
use futures::TryStreamExt;

/// An acd_cli cache folder whose token is fresh and whose endpoints are `base`.
fn cache_for(dir: &Path, base: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let oauth = serde_json::json!({"access_token": "at", "refresh_token": "rt", "expires_in": 3600,
        "token_type": "bearer", "exp_time": now + 3000.0});
    let endpoints = serde_json::json!({"customerExists": true, "contentUrl": format!("{base}/cdproxy/"),
        "metadataUrl": format!("{base}/drive/v1/"), "exp_time": now + 86_400.0});
    std::fs::write(dir.join("oauth_data"), oauth.to_string()).unwrap();
    std::fs::write(dir.join("endpoint_data"), endpoints.to_string()).unwrap();
}

async fn client(base: &str) -> (AcdClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    cache_for(dir.path(), base);
    let opts = AcdOptions::default().pacing(acd::Pacing::Off);
    let c = AcdClient::new(dir.path(), dir.path(), opts).await.unwrap();
    (c, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_answers_end_in_bounded_time_and_memory() {
    let wrong = hostile::check_pinned(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")),
        Vec::new(),
        &[
            "get_metadata",
            "download_chunk",
            "list_children_stream",
            "get_changes",
        ],
        |base, call| async move {
            let (c, _dir) = client(&base).await;
            let e = |e: acd::Error| hostile::kind_of(&e.kind());
            match call {
                "get_metadata" => c
                    .get_metadata("n1", false, false)
                    .await
                    .map(|_| None)
                    .map_err(e),
                "download_chunk" => c
                    .download_chunk("n1", 0, 4 << 20)
                    .await
                    .map(|b| Some(b.len() as u64))
                    .map_err(e),
                "list_children_stream" => c
                    .list_children_stream("n1")
                    .map_err(e)?
                    .try_collect::<Vec<_>>()
                    .await
                    .map(|_| None)
                    .map_err(e),
                _ => {
                    let mut out = Vec::new();
                    c.get_changes("", false, &mut out)
                        .await
                        .map(|_| None)
                        .map_err(e)
                }
            }
        },
    )
    .await;
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn server_given_names_never_leave_the_target_folder() {
    let server = HostileServer::start(Hostile::Json("{}".into()))
        .await
        .unwrap();
    let (c, _cache) = client(&server.base_url()).await;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    // A node's name comes from the server; download_file takes it as the basename.
    for name in ["../evil", "a/b", "/etc/passwd", "..", ".", "", "x\0y"] {
        let r = c
            .download_file("n1", name, Some(&dir), DownloadOptions::default())
            .await;
        assert!(
            matches!(r, Err(acd::Error::InvalidInput(_))),
            "{name:?}: {r:?}"
        );
    }
    assert_eq!(
        server.requests(),
        0,
        "a request went out for a refused name"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    // Device names, drives and backslashes: refused on Windows; plain names elsewhere, which
    // stay in the folder whatever the server answers.
    for name in ["CON", "nul.txt", "C:evil", "a\\..\\b"] {
        let r = c
            .download_file("n1", name, Some(&dir), DownloadOptions::default())
            .await;
        assert_eq!(
            matches!(r, Err(acd::Error::InvalidInput(_))),
            cfg!(windows),
            "{name:?}: {r:?}"
        );
    }
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
}
