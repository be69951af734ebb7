//! A hostile server (cloud-core's, on 127.0.0.1): deep, huge, non-UTF-8 and mistyped JSON,
//! Content-Lengths that lie either way, endless redirects, a year's Retry-After. Every call
//! ends in bounded time and memory; server-given names never leave the target folder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cloud_core::emulator::hostile::{self, Hostile, HostileServer};
use futures::{StreamExt, TryStreamExt};
use smartfile::{BasicClient, BasicOptions, ClientOptions, DownloadOptions, Params};

fn api(base: &str) -> BasicClient {
    BasicClient::new(
        Some(&"k".repeat(30)),
        Some(&"p".repeat(30)),
        BasicOptions::default()
            .client(ClientOptions::default().retry_rate_limits(true))
            .url(base),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_answers_end_in_bounded_time_and_memory() {
    let wrong = hostile::check_pinned(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")),
        Vec::new(),
        &["path/info", "download_stream", "children_stream"],
        |base, call| async move {
            let api = api(&base);
            let e = |e: smartfile::Error| hostile::kind_of(&e.kind());
            match call {
                "path/info" => api
                    .get("/path/info", "/a", Params::new())
                    .await
                    .map(|_| None)
                    .map_err(e),
                "download_stream" => {
                    let mut s = api.download_stream("/a").await.map_err(e)?;
                    let mut n = 0u64;
                    while let Some(c) = s.next().await {
                        n += c.map_err(|x| hostile::kind_of(x.kind()))?.len() as u64;
                    }
                    Ok(Some(n))
                }
                _ => api
                    .children_stream("/a", 100)
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
async fn remote_names_never_leave_the_target_folder() {
    let server = HostileServer::start(Hostile::Json("{}".into()))
        .await
        .unwrap();
    let api = api(&format!("{}/", server.base_url()));
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    for remote in ["/a/..", "/a/.", "/", "/a/x\u{0}y"] {
        let r = api
            .download(remote, DownloadOptions::default().directory(&dir))
            .await;
        assert!(
            matches!(r, Err(smartfile::Error::InvalidInput(_))),
            "{remote:?}: {r:?}"
        );
    }
    assert_eq!(
        server.requests(),
        0,
        "a request went out for a refused name"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    // Device names, drives and backslashes: refused on Windows; plain names elsewhere, saved
    // in the folder.
    for remote in ["/a/CON", "/a/nul.txt", "/a/C:evil", "/a/x\\..\\..\\y"] {
        let r = api
            .download(remote, DownloadOptions::default().directory(&dir))
            .await;
        let name = remote.trim_start_matches("/a/");
        assert_eq!(r.is_ok(), !cfg!(windows), "{remote:?}: {r:?}");
        if r.is_ok() {
            assert!(dir.join(name).is_file(), "{remote:?}");
        }
    }
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
}
